//! Diagnostic pieces shared by every phase (the checker's and the
//! evaluator's errors both point at second locations), so that no phase
//! imports another's error module.

use crate::source::Span;
use miette::Diagnostic;
use thiserror::Error;

/// A location in a second place, shown beside the primary one as advice.
///
/// The location may be in another file than the primary error: the text to
/// show is attached when the error is rendered (see `compile::render_one`).
#[derive(Debug, Error, Diagnostic, Clone)]
#[error("{message}")]
#[diagnostic(severity(Advice))]
pub struct Related {
    /// What is there.
    pub message: String,
    /// Where.
    #[label("here")]
    pub span: Span,
    /// The file the span points into, attached when rendering.
    #[source_code]
    pub src: Option<miette::NamedSource<String>>,
}

impl Related {
    /// A related location.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Related {
            message: message.into(),
            span,
            src: None,
        }
    }
}
