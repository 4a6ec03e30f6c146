//! Errors of evaluation: only what the checker cannot rule out statically.

use crate::diagnostic::Related;
use crate::source::Span;
use miette::Diagnostic;
use thiserror::Error;

/// Two active rules of equal standing give different values.
#[derive(Debug, Error, Diagnostic, Clone)]
#[error("rules `{first}` and `{second}` of `{definition}` both apply and disagree: `{first_value}` against `{second_value}`")]
#[diagnostic(
    code(refuge::eval::conflict),
    help("rules of equal standing must agree: make one an exception to the other (`exception {second} overrides {first}`), or narrow their conditions")
)]
pub struct Conflict {
    /// The definition.
    pub definition: String,
    /// First rule.
    pub first: String,
    /// Its value.
    pub first_value: String,
    /// Second rule.
    pub second: String,
    /// Its value.
    pub second_value: String,
    /// The first rule.
    #[label("`{first}` gives `{first_value}`")]
    pub span: Span,
    /// The second rule (may be in another file).
    #[related]
    pub other: Vec<Related>,
}

/// An error while evaluating a case.
#[derive(Debug, Error, Diagnostic, Clone)]
#[non_exhaustive]
pub enum EvalError {
    /// Two active rules of equal standing give different values.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Conflict(Box<Conflict>),

    /// Arithmetic that overflows or divides by zero.
    #[error("arithmetic error: {message}")]
    #[diagnostic(
        code(refuge::eval::arithmetic),
        help("check the amounts in the case, or cap the computation with `min`/`clamp`")
    )]
    Arithmetic {
        /// What went wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
    },

    /// Money in two currencies combined.
    #[error("cannot combine `{left}` and `{right}` amounts")]
    #[diagnostic(
        code(refuge::eval::currency),
        help("give every amount in the case in the same currency")
    )]
    Currency {
        /// Left currency.
        left: String,
        /// Right currency.
        right: String,
        /// Where.
        #[label("different currencies")]
        span: Span,
    },

    /// Months compared with days.
    #[error("cannot compare `{left}` with `{right}`: a month has no fixed number of days")]
    #[diagnostic(
        code(refuge::eval::duration),
        help("express both durations in days, or both in months and years")
    )]
    Duration {
        /// Left.
        left: String,
        /// Right.
        right: String,
        /// Where.
        #[label("mixed units")]
        span: Span,
    },

    /// A column read from a table row that does not exist.
    #[error("table `{table}` has no row for `{keys}` in force on {as_of}")]
    #[diagnostic(
        code(refuge::eval::no_row),
        help("guard the read with `exists {table}[…] and …`, or add the row")
    )]
    NoRow {
        /// Table.
        table: String,
        /// The keys.
        keys: String,
        /// The date.
        as_of: String,
        /// Where.
        #[label("read here")]
        span: Span,
    },

    /// A verdict name that the program does not define.
    #[error("unknown verdict `{name}`")]
    #[diagnostic(code(refuge::eval::unknown_verdict))]
    UnknownVerdict {
        /// The name.
        name: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// No evaluation date.
    #[error("no evaluation date: the case has no `as_of` and none was given")]
    #[diagnostic(
        code(refuge::eval::no_date),
        help("add `\"as_of\": \"YYYY-MM-DD\"` to the case, or pass `--as-of YYYY-MM-DD`")
    )]
    NoDate,
}

impl EvalError {
    /// The primary span, if the error has one.
    pub fn span(&self) -> Option<Span> {
        match self {
            EvalError::Conflict(c) => Some(c.span),
            EvalError::Arithmetic { span, .. }
            | EvalError::Currency { span, .. }
            | EvalError::Duration { span, .. }
            | EvalError::NoRow { span, .. } => Some(*span),
            EvalError::UnknownVerdict { .. } | EvalError::NoDate => None,
        }
    }
}
