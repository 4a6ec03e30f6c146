//! Parsing: policy text → syntax tree ([`ast::Module`]).
//!
//! ```text
//! SourceFile ──pest (grammar/refuge.pest)──▶ parse tree ──to_ast──▶ ast::Module
//!                       │                                   │
//!                       ▼                                   ▼
//!              ParseError::Syntax              ParseError::InvalidLiteral, …
//! ```
//!
//! 1. `grammar` — the pest parser generated from `grammar/refuge.pest`, the
//!    single definition of the syntax, and the name of each rule in messages.
//! 2. `to_ast` — one converter per grammar rule; `expr` holds the one
//!    operator-precedence table; `literal` turns literal text into values.
//! 3. `error` — [`ParseError`] and [`ParseErrors`]. A syntax error stops the
//!    parse (pest does not recover), so it comes alone; literal errors are
//!    collected, so one run reports every bad date or number in a file.
//!
//! [`tokens`] is a separate, lossless lexer used to highlight policy text and
//! to show the offending token of a syntax error; the formatter builds on it.

use std::sync::{Mutex, PoisonError};

use pest::Parser as _;

use self::grammar::{RefugeParser, Rule};
use crate::ast;
use crate::source::SourceFile;

mod error;
mod expr;
mod grammar;
mod highlight;
pub mod limits;
mod literal;
mod to_ast;
pub mod tokens;

#[cfg(test)]
mod tests;

pub use error::{ParseError, ParseErrors};
pub use highlight::PolicyHighlighter;
pub use tokens::{highlight, Token};

/// Parses one policy file into its syntax tree; the module is named after
/// `file.module`.
///
/// On failure, returns every error found: one syntax error, or all invalid
/// literals and repeated clauses.
pub fn parse(file: &SourceFile) -> Result<ast::Module, ParseErrors> {
    // Before pest and every later phase recurse over the text.
    let nesting = limits::check(file.id, &file.text)?;
    let mut pairs = RefugeParser::parse(Rule::file, &file.text).map_err(|error| {
        let error = if nesting <= DETAIL_MAX_NESTING {
            with_expected_tokens(&file.text, error)
        } else {
            error
        };
        ParseError::from_pest(&error, file.id, &file.text)
    })?;
    let mut builder = to_ast::Builder::new(file);
    let Some(root) = pairs.next() else {
        let span = crate::source::Span::new(file.id, 0, 0);
        return Err(ParseError::Internal {
            span,
            detail: "`file`: the parser returned no tree".to_owned(),
        }
        .into());
    };
    let module = to_ast::file(&mut builder, root)?;
    if builder.errors.is_empty() {
        Ok(module)
    } else {
        Err(ParseErrors(builder.errors))
    }
}

/// The deepest nesting (as [`limits`] counts it) at which a syntax error is
/// explained with pest's detailed tracking ([`with_expected_tokens`]).
///
/// The tracking records the stack of rules behind every attempt at the
/// farthest position reached, so its cost grows with the text's length times
/// its nesting: a 1.3 KB policy of `if` chains nested in set literals took a
/// second and 200 MB (found by fuzzing). Deeper text gets the plain error,
/// which names the same place and the constructs expected there, without the
/// expected punctuation. The built-in policies nest at most half as deep (a
/// test keeps it so).
const DETAIL_MAX_NESTING: usize = 24;

/// Parses `text` again with pest's detailed error tracking, which is how
/// "expected `}`" is known (punctuation is not a grammar rule of its own).
///
/// Tracking doubles the cost of a parse (and more for nested text: see
/// [`DETAIL_MAX_NESTING`]), so it is only switched on to explain an error. The switch is process-wide: the lock keeps two explanations from
/// switching it off under each other, and a parse that runs meanwhile merely
/// tracks more than it needs.
fn with_expected_tokens(text: &str, first: pest::error::Error<Rule>) -> pest::error::Error<Rule> {
    static DETAIL: Mutex<()> = Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
    pest::set_error_detail(true);
    let again = RefugeParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    match again {
        Err(detailed) => detailed,
        Ok(_) => first,
    }
}
