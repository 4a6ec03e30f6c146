//! The errors of the library API. Each carries the diagnostics the CLI
//! prints for the same problem, as text and as JSON
//! (`--error-format json`), with their stable `refuge::…` codes
//! (`docs/errors.md`).

use std::fmt;

/// One diagnostic, as the CLI reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    json: serde_json::Value,
}

impl Diagnostic {
    pub(crate) fn from_json(json: serde_json::Value) -> Self {
        Diagnostic { json }
    }

    /// The stable code (`refuge::case::unknown_fact`), if it has one.
    pub fn code(&self) -> Option<&str> {
        self.json.get("code").and_then(|c| c.as_str())
    }

    /// `error` or `warning`.
    pub fn severity(&self) -> &str {
        self.json
            .get("severity")
            .and_then(|c| c.as_str())
            .unwrap_or("error")
    }

    /// The message.
    pub fn message(&self) -> &str {
        self.json
            .get("message")
            .and_then(|c| c.as_str())
            .unwrap_or("")
    }

    /// What to do about it, if said.
    pub fn help(&self) -> Option<&str> {
        self.json.get("help").and_then(|c| c.as_str())
    }

    /// The whole diagnostic as `--error-format json` prints it (labels with
    /// byte spans, related diagnostics).
    pub fn to_json(&self) -> &serde_json::Value {
        &self.json
    }
}

/// Diagnostics with their rendering for people.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub text: String,
}

impl Report {
    /// From the JSON and the plain renderings of the same diagnostics.
    pub(crate) fn new(json: &str, text: String) -> Report {
        Report {
            diagnostics: json
                .lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| serde_json::from_str(l).ok())
                .map(Diagnostic::from_json)
                .collect(),
            text,
        }
    }

    /// From one self-contained diagnostic.
    pub(crate) fn of(diagnostic: &dyn miette::Diagnostic) -> Report {
        use crate::compile::{render_diagnostic, ErrorFormat};
        Report::new(
            &render_diagnostic(diagnostic, ErrorFormat::Json),
            render_diagnostic(diagnostic, ErrorFormat::Plain),
        )
    }
}

/// A policy set that cannot be used: a path that cannot be read, or errors
/// in the policies.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub(crate) report: Report,
    pub(crate) errors: usize,
}

impl PolicyError {
    /// Every diagnostic (errors, then warnings), as the CLI's `refuge check`.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.report.diagnostics
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// The diagnostics rendered for people, with the policy text (no colour).
    pub fn render(&self) -> &str {
        &self.report.text
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self
            .report
            .diagnostics
            .first()
            .map_or("the policies cannot be compiled", Diagnostic::message);
        if self.errors > 1 {
            write!(f, "{first} (and {} more errors)", self.errors - 1)
        } else {
            f.write_str(first)
        }
    }
}

impl std::error::Error for PolicyError {}

/// A case that cannot be built: what is wrong, by kind.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CaseError {
    /// No fact or setting has this dotted path.
    UnknownFact {
        /// The path given.
        path: String,
        /// The closest declared path, if one is close.
        suggestion: Option<String>,
    },
    /// The value is not of the fact's type (a string for a bool, …).
    WrongType {
        /// The fact.
        path: String,
        /// The fact's type (`bool`, `money`, `RokApplication`, …).
        expected: String,
        /// The value given, as JSON.
        found: String,
    },
    /// The name is not a variant of the fact's enum.
    UnknownVariant {
        /// The fact.
        path: String,
        /// The name given.
        value: String,
        /// The enum's variants.
        variants: Vec<String>,
    },
    /// The value has the right type but cannot be read (`"KRW ten"`,
    /// `"2023-02-30"`).
    BadValue {
        /// The fact.
        path: String,
        /// Why.
        message: String,
    },
    /// No rule of this name is a discretion (a rule written with `may`).
    UnknownDiscretion {
        /// The name given.
        name: String,
    },
    /// No verdict or definition of this name.
    UnknownVerdict {
        /// The name given.
        name: String,
        /// The closest name, if one is close.
        suggestion: Option<String>,
    },
    /// A case file (JSON, YAML, TOML) that does not load: its diagnostics,
    /// as `refuge eval` reports them.
    File(Box<FileErrors>),
}

/// The diagnostics of a case file that does not load.
#[derive(Clone, Debug, PartialEq)]
pub struct FileErrors {
    pub(crate) report: Report,
}

impl FileErrors {
    /// The diagnostics (`refuge::case::*`): the first error and the others
    /// as its related diagnostics, as the CLI prints them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.report.diagnostics
    }

    /// Rendered for people, with the case text (no colour).
    pub fn render(&self) -> &str {
        &self.report.text
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::UnknownFact { path, suggestion } => {
                write!(f, "unknown fact `{path}`")?;
                if let Some(s) = suggestion {
                    write!(f, ": did you mean `{s}`?")?;
                }
                Ok(())
            }
            CaseError::WrongType {
                path,
                expected,
                found,
            } => write!(f, "`{path}`: expected {expected}, found `{found}`"),
            CaseError::UnknownVariant {
                path,
                value,
                variants,
            } => write!(
                f,
                "`{path}`: `{value}` is not one of {}",
                variants.join(", ")
            ),
            CaseError::BadValue { path, message } => write!(f, "`{path}`: {message}"),
            CaseError::UnknownDiscretion { name } => {
                write!(
                    f,
                    "no discretion (a rule written with `may`) is named `{name}`"
                )
            }
            CaseError::UnknownVerdict { name, suggestion } => {
                write!(f, "no verdict or definition named `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, ": did you mean `{s}`?")?;
                }
                Ok(())
            }
            CaseError::File(errors) => f.write_str(
                errors
                    .report
                    .diagnostics
                    .first()
                    .map_or("the case does not load", Diagnostic::message),
            ),
        }
    }
}

impl std::error::Error for CaseError {}

/// An evaluation that failed: a conflict between rules, an arithmetic or
/// currency error, no date to apply the law as of.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub(crate) report: Report,
}

impl EvalError {
    /// The diagnostics (`refuge::eval::*`), as `refuge eval` reports them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.report.diagnostics
    }

    /// Rendered for people, with the policy text (no colour).
    pub fn render(&self) -> &str {
        &self.report.text
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            self.report
                .diagnostics
                .first()
                .map_or("the evaluation failed", Diagnostic::message),
        )
    }
}

impl std::error::Error for EvalError {}
