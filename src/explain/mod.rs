//! Explanations: the verdict as data, and its renderings.
//!
//! An [`Evaluation`] is self-contained (every name, value and citation is
//! resolved to text), ordered (vectors in source or evaluation order, never
//! hash sets) and serialisable: the JSON rendering is `serde_json` of this
//! value, documented in `docs/json-schema.md`. The text and Markdown renderers
//! are pure functions of it.

mod render_markdown;
mod render_text;
#[cfg(test)]
mod tests;

pub use render_markdown::to_markdown;
pub use render_text::to_text;

use serde::Serialize;
use std::sync::Arc;

/// The version tag of the JSON schema.
pub const SCHEMA: &str = "refuge.evaluation/1";

/// The result of evaluating one case: every verdict asked for.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evaluation {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The case's description or file name, if known.
    pub case: Option<String>,
    /// The date the law was applied as of.
    pub as_of: String,
    /// One entry per verdict, in declaration order.
    pub verdicts: Vec<Verdict>,
}

/// One verdict and how it was reached.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Verdict {
    /// The verdict's name.
    pub name: String,
    /// Its human label.
    pub label: Option<String>,
    /// The module that declares it.
    pub module: String,
    /// The outcome.
    pub outcome: Outcome,
    /// How the outcome was reached.
    pub decision: Decision,
    /// Every rule of the verdict, in source order, with what happened to it.
    pub rules: Vec<RuleTrace>,
    /// Facts the evaluation read, with their values (`null` when missing).
    pub facts: Vec<FactUse>,
    /// Other definitions the evaluation relied on, with their own derivation.
    pub definitions: Vec<DefinitionUse>,
    /// Table rows the evaluation read.
    pub rows: Vec<RowUse>,
    /// For an undetermined outcome: the missing facts that would decide it.
    pub missing_facts: Vec<FactRef>,
    /// Discretions whose conditions hold or may hold.
    pub discretions: Vec<Discretion>,
    /// Every citation behind the outcome, deduplicated, in order of use.
    pub citations: Vec<CitationRef>,
}

/// A decided value or undetermined.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The value is known whatever any missing fact turns out to be.
    Decided {
        /// The value, as JSON (same shape as case files).
        value: serde_json::Value,
        /// The value for people.
        display: String,
        /// The value's label (for enum values with a label).
        label: Option<String>,
    },
    /// The value depends on missing facts.
    Undetermined {
        /// Why, in one phrase.
        reason: String,
    },
}

/// What decided the outcome.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Decision {
    /// Active rules (all agreeing).
    Rules {
        /// Their names.
        rules: Vec<String>,
    },
    /// No rule applied: the default.
    Default {
        /// The default's citations.
        citations: Vec<CitationRef>,
    },
    /// Nothing decided it.
    Nothing,
}

/// What happened to one rule.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RuleTrace {
    /// Rule name.
    pub name: String,
    /// `rule` or `exception`.
    pub kind: &'static str,
    /// For exceptions: `overrides` or `lifts`.
    pub mode: Option<&'static str>,
    /// For exceptions: the rules targeted.
    pub targets: Vec<String>,
    /// `must` or `may`.
    pub modality: &'static str,
    /// Marked absolute.
    pub absolute: bool,
    /// The outcome for the rule.
    pub status: RuleStatus,
    /// The value it gives, if it gives one and it is known.
    pub value: Option<String>,
    /// Exceptions that defeated it.
    pub defeated_by: Vec<String>,
    /// What the condition read; `decisive` marks what settled it.
    pub reads: Vec<Read>,
    /// In force from.
    pub from: Option<String>,
    /// In force until.
    pub until: Option<String>,
    /// Citations.
    pub citations: Vec<CitationRef>,
    /// Provenance keyword.
    pub provenance: Option<&'static str>,
    /// Drafter's notes.
    pub notes: Vec<String>,
    /// `file:line:col`.
    pub location: String,
}

/// The status of a rule in one evaluation.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Applied and decided (or helped decide) the outcome.
    Applied,
    /// Applied but was defeated by an exception.
    Overridden,
    /// Its condition is false.
    NotApplicable,
    /// Not in force on the evaluation date.
    NotInForce,
    /// Its condition depends on missing facts.
    Unknown,
    /// A discretion whose conditions hold and which the case did not exercise.
    DiscretionOpen,
    /// A discretion the case says was exercised (then it applies like a rule).
    DiscretionExercised,
    /// A discretion the case says was declined.
    DiscretionDeclined,
}

/// One thing a condition read.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Read {
    /// `fact`, `setting`, `definition`, `row` or `date`.
    pub kind: &'static str,
    /// Fact path, definition name, `table[keys]`, or `as_of`.
    pub name: String,
    /// The value read (`None`: missing or undetermined).
    pub value: Option<String>,
    /// Whether it settled the condition.
    pub decisive: bool,
}

/// A fact (or setting) the evaluation read.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FactUse {
    /// Dotted path.
    pub path: String,
    /// True for a drafter's `setting` rather than a fact of the case.
    pub setting: bool,
    /// Label.
    pub label: Option<String>,
    /// Value (`None`: missing).
    pub value: Option<String>,
}

/// A missing fact.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FactRef {
    /// Dotted path.
    pub path: String,
    /// Label.
    pub label: Option<String>,
    /// Its type, so a caller knows what to supply.
    pub r#type: String,
}

/// Another definition relied on.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DefinitionUse {
    /// Name.
    pub name: String,
    /// Label.
    pub label: Option<String>,
    /// Its outcome.
    pub outcome: Outcome,
    /// What decided it.
    pub decision: Decision,
    /// Exceptions inside it that overrode or lifted its rules.
    pub overrides: Vec<Override>,
    /// Citations of the rules that decided it, and of those exceptions.
    pub citations: Vec<CitationRef>,
}

/// An exception that defeated a rule.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Override {
    /// The exception.
    pub exception: String,
    /// `overrides` or `lifts`.
    pub mode: &'static str,
    /// The rule it defeated.
    pub rule: String,
}

/// A table row read.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RowUse {
    /// Table name.
    pub table: String,
    /// `key, key`.
    pub keys: String,
    /// `col: value` pairs, or empty when no row matched.
    pub cells: Vec<(String, String)>,
    /// Whether a row in force matched.
    pub found: bool,
    /// The row's citations.
    pub citations: Vec<CitationRef>,
    /// Provenance keyword.
    pub provenance: Option<&'static str>,
}

/// A discretion.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Discretion {
    /// The `may` rule.
    pub rule: String,
    /// Who holds it.
    pub holder: String,
    /// What it permits.
    pub permits: String,
    /// `open`, `exercised` or `declined`.
    pub status: &'static str,
    /// Whether its conditions are known to hold (`false`: they may hold).
    pub conditions_hold: bool,
    /// The value it would give if exercised.
    pub value_if_exercised: Option<String>,
    /// Citations.
    pub citations: Vec<CitationRef>,
}

/// A citation, resolved.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct CitationRef {
    /// The source's short name.
    pub source: Arc<str>,
    /// The source's kind (`statute`, `treaty`, …).
    pub kind: &'static str,
    /// The source's title.
    pub title: Arc<str>,
    /// Article, paragraph, section or line.
    pub pinpoint: Arc<str>,
}

impl Outcome {
    /// The display text (`undetermined` for undetermined outcomes).
    pub fn display(&self) -> &str {
        match self {
            Outcome::Decided { display, .. } => display,
            Outcome::Undetermined { .. } => "undetermined",
        }
    }
}

impl Evaluation {
    /// Pretty JSON of the evaluation (the documented schema).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
