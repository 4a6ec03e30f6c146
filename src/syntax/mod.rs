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

use pest::Parser as _;

use crate::ast;
use crate::source::SourceFile;

mod error;
mod expr;
mod grammar;
mod literal;
mod to_ast;
pub mod tokens;

#[cfg(test)]
mod tests;

pub use error::{ParseError, ParseErrors};
pub use tokens::{highlight, Token};

/// Parses one policy file into its syntax tree; the module is named after
/// `file.module`.
///
/// On failure, returns every error found: one syntax error, or all invalid
/// literals and repeated clauses.
pub fn parse(file: &SourceFile) -> Result<ast::Module, ParseErrors> {
    // INVARIANT: detailed parse attempts are how "expected `}`" is known
    // (punctuation is not a grammar rule). The flag is process-wide; it is
    // only ever switched on, so parses on other threads are unaffected.
    pest::set_error_detail(true);
    let mut pairs = grammar::RefugeParser::parse(grammar::Rule::file, &file.text)
        .map_err(|e| ParseError::from_pest(&e, file.id, &file.text))?;
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
