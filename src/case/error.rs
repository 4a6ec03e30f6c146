//! Errors in a case file.
//!
//! Every variant names the field path (`facts.person.age`), carries the case
//! file's text so that it renders on its own, and points at the offending key
//! or value. Codes are stable: `refuge::case::…`.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// One problem in a case file.
#[derive(Debug, Clone, Error, Diagnostic)]
#[non_exhaustive]
pub enum CaseError {
    /// The file is not valid JSON, YAML or TOML, e.g. `{"facts": }`.
    #[error("invalid {format}: {detail}")]
    #[diagnostic(code(refuge::case::syntax))]
    Syntax {
        /// `JSON`, `YAML` or `TOML`.
        format: &'static str,
        /// The parser's message, without its line and column.
        detail: String,
        /// Where the parser stopped.
        #[label("here")]
        span: SourceSpan,
        /// What a case file looks like in this format.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// The file is past a limit checked before parsing: nesting deeper than
    /// `case::MAX_NESTING` brackets, or larger than `case::MAX_BYTES`.
    #[error("too large: {what}")]
    #[diagnostic(code(refuge::case::limit))]
    Limit {
        /// Which limit, with the figures.
        what: String,
        /// Where the limit was passed.
        #[label("the limit is passed here")]
        span: SourceSpan,
        /// How to stay within it.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// The whole file is not a mapping, e.g. `[1, 2]`.
    #[error("a case file must be {expected}, found {found}")]
    #[diagnostic(
        code(refuge::case::not_a_mapping),
        help("every key is optional: `description`, `as_of`, `facts`, `discretions`, `expect`")
    )]
    NotAMapping {
        /// `an object`, `a mapping` or `a table`.
        expected: &'static str,
        /// The value found, as written in the case.
        found: String,
        /// The value.
        #[label("not {expected}")]
        span: SourceSpan,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A key given twice in one mapping, e.g.
    /// `{"as_of": "2003-01-15", "as_of": "2004-01-15"}`: which one is meant
    /// cannot be guessed (JSON parsers commonly keep the last silently).
    #[error("`{path}`: the key is given twice in one {mapping}")]
    #[diagnostic(
        code(refuge::case::duplicate_key),
        help("keep one of them: which value is meant cannot be guessed")
    )]
    DuplicateKey {
        /// The field path.
        path: String,
        /// The second occurrence.
        #[label("given again here")]
        span: SourceSpan,
        /// The first occurrence.
        #[label("first given here")]
        first: SourceSpan,
        /// `object`, `mapping` or `table`.
        mapping: &'static str,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A top-level key other than those a case file has, e.g. `factz`.
    #[error("`{path}`: unknown key")]
    #[diagnostic(code(refuge::case::unknown_key))]
    UnknownKey {
        /// The key.
        path: String,
        /// The key.
        #[label("not a case-file key")]
        span: SourceSpan,
        /// A suggestion, or the list of keys.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A fact the policy set does not declare, or a field its record type
    /// does not have, e.g. `{"facts": {"person": {"agee": 30}}}`.
    #[error("`{path}`: {what}")]
    #[diagnostic(code(refuge::case::unknown_fact))]
    UnknownFact {
        /// The field path.
        path: String,
        /// `unknown fact `x`` or `record `Person` has no field `x``.
        what: String,
        /// The key.
        #[label("not declared")]
        span: SourceSpan,
        /// A suggestion, or the declared names.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A value of the wrong kind, e.g. `{"facts": {"person": {"age": "thirty"}}}`.
    #[error("`{path}`: expected {expected}, found {found}")]
    #[diagnostic(code(refuge::case::wrong_type))]
    WrongType {
        /// The field path.
        path: String,
        /// What the schema asks for (`an integer`).
        expected: String,
        /// The value found, as written in the case.
        found: String,
        /// The value.
        #[label("expected {expected}")]
        span: SourceSpan,
        /// How to write a value of the expected type.
        #[help]
        help: Option<String>,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A value of the right kind that is impossible, e.g. the date
    /// `"2002-02-30"`, the money `"1000"` or the enum variant `"refugeee"`.
    #[error("`{path}`: {problem}")]
    #[diagnostic(code(refuge::case::bad_value))]
    BadValue {
        /// The field path.
        path: String,
        /// What is wrong (`` `2002-02-30` is not a date: February 2002 has 28 days ``).
        problem: String,
        /// The value.
        #[label("{label}")]
        span: SourceSpan,
        /// A short label for the value.
        label: String,
        /// How to write it.
        #[help]
        help: Option<String>,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A discretion naming no rule, e.g. `{"discretions": {"refuse_crimnal": true}}`.
    #[error("`{path}`: unknown discretion `{name}`")]
    #[diagnostic(code(refuge::case::unknown_discretion))]
    UnknownDiscretion {
        /// The field path.
        path: String,
        /// The name.
        name: String,
        /// The key.
        #[label("no rule has this name")]
        span: SourceSpan,
        /// A suggestion, or the discretions the policy set has.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// A discretion naming a rule that is not a `may` rule.
    #[error("`{path}`: rule `{name}` is not a discretion")]
    #[diagnostic(
        code(refuge::case::not_a_discretion),
        help("only rules written with `may` can be exercised: remove this entry, or name a `may` rule")
    )]
    NotADiscretion {
        /// The field path.
        path: String,
        /// The rule.
        name: String,
        /// The key.
        #[label("a rule without `may`")]
        span: SourceSpan,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },

    /// An expectation naming no definition, e.g. `{"expect": {"protecton": "protected"}}`.
    #[error("`{path}`: unknown definition `{name}`")]
    #[diagnostic(code(refuge::case::unknown_verdict))]
    UnknownVerdict {
        /// The field path.
        path: String,
        /// The name.
        name: String,
        /// The key.
        #[label("no definition or verdict has this name")]
        span: SourceSpan,
        /// A suggestion, or the verdicts the policy set has.
        #[help]
        help: String,
        /// The case file.
        #[source_code]
        src: NamedSource<Arc<str>>,
    },
}

impl CaseError {
    /// The field path the error is about (`facts.person.age`; empty for
    /// syntax errors and a file that is not a mapping).
    pub fn path(&self) -> &str {
        match self {
            CaseError::Syntax { .. } | CaseError::Limit { .. } | CaseError::NotAMapping { .. } => {
                ""
            }
            CaseError::UnknownKey { path, .. }
            | CaseError::DuplicateKey { path, .. }
            | CaseError::UnknownFact { path, .. }
            | CaseError::WrongType { path, .. }
            | CaseError::BadValue { path, .. }
            | CaseError::UnknownDiscretion { path, .. }
            | CaseError::NotADiscretion { path, .. }
            | CaseError::UnknownVerdict { path, .. } => path,
        }
    }

    /// Where in the case file the error points.
    pub fn span(&self) -> SourceSpan {
        match self {
            CaseError::Syntax { span, .. }
            | CaseError::Limit { span, .. }
            | CaseError::NotAMapping { span, .. }
            | CaseError::UnknownKey { span, .. }
            | CaseError::DuplicateKey { span, .. }
            | CaseError::UnknownFact { span, .. }
            | CaseError::WrongType { span, .. }
            | CaseError::BadValue { span, .. }
            | CaseError::UnknownDiscretion { span, .. }
            | CaseError::NotADiscretion { span, .. }
            | CaseError::UnknownVerdict { span, .. } => *span,
        }
    }
}

/// Every error found in one case file (at least one when returned by
/// [`load_case`](super::load_case)), in the order they appear in the file.
///
/// As a diagnostic, the first error is the primary one and the others are
/// `related()`.
#[derive(Debug, Clone)]
pub struct CaseErrors(pub Vec<CaseError>);

impl CaseErrors {
    /// The errors.
    pub fn iter(&self) -> std::slice::Iter<'_, CaseError> {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a CaseErrors {
    type Item = &'a CaseError;
    type IntoIter = std::slice::Iter<'a, CaseError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for CaseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.first() {
            Some(first) => fmt::Display::fmt(first, f),
            None => f.write_str("the case file has no errors"),
        }
    }
}

impl std::error::Error for CaseErrors {}

impl Diagnostic for CaseErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first().and_then(Diagnostic::code)
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.0.first().and_then(Diagnostic::severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first().and_then(Diagnostic::help)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first().and_then(Diagnostic::url)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.first().and_then(Diagnostic::source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.first().and_then(Diagnostic::labels)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.len() < 2 {
            return None;
        }
        Some(Box::new(
            self.0.iter().skip(1).map(|e| e as &dyn Diagnostic),
        ))
    }
}
