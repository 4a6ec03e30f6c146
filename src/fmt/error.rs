//! Errors of the formatter: [`FormatError`].

use crate::source::Span;
use crate::syntax::ParseErrors;

/// Why a file was not formatted. In either case nothing is written.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not parse, e.g. `verdict v : bool { foo }`: the parse
    /// errors are reported as `refuge check` reports them.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] ParseErrors),

    /// The formatted text would parse to a different program than the
    /// original (or not parse at all). This is a bug in the formatter, never
    /// the policy's fault; no policy text is known to trigger it.
    #[error("the formatted text would mean something else: {detail}")]
    #[diagnostic(
        code(refuge::fmt::unsound),
        help("please report this: the formatter would change the meaning")
    )]
    Unsound {
        /// The first declaration whose meaning would change (the whole file
        /// if none can be named).
        #[label("formatting changes the meaning here")]
        span: Span,
        /// What differs, e.g. "declaration 3 differs".
        detail: String,
    },
}
