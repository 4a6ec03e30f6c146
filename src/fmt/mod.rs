//! Formatting: policy text → the same policy in the canonical layout.
//!
//! ```text
//! SourceFile ──syntax::parse──▶ ast::Module ─────────────────────────────┐
//!     │                                                                  │ ==
//!     └──tokens (lossless)──▶ trivia::attach ──▶ layout ──▶ print ──▶ parse again
//!                           comments, breaks      pieces     text
//! ```
//!
//! 1. The file is parsed first: a file that does not parse is reported with
//!    its [`ParseErrors`](crate::syntax::ParseErrors) and never rewritten.
//! 2. `trivia` splits the text with the lossless lexer
//!    ([`tokens`](crate::syntax::tokens::tokens)) and attaches every comment
//!    and line break to a significant token.
//! 3. `layout` walks the significant tokens along the grammar and decides,
//!    for each, whether it starts a line (and at which indentation), follows a
//!    space, or is glued to the token before; `print` writes the result.
//! 4. Soundness: the output is parsed again and its syntax tree compared with
//!    the original's (spans compare equal, so `==` compares meaning). If they
//!    differ, [`format()`] returns [`FormatError::Unsound`] instead of text.
//!
//! # The canonical layout
//!
//! - Every declaration (`use`, `source`, `enum`, `record`, `fact`, `setting`,
//!   `table`, `verdict`, `definition`, `test`) starts a line at column 0.
//! - Inside the `{ }` of a definition, table or test, each member (`default`,
//!   `rule`, `absolute rule`, `exception`, `key`, `column`, `row`, `as_of`,
//!   `given`, `exercise`, `expect`) starts a line indented 2 spaces; `}` is on
//!   a line of its own.
//! - The tail clauses (`when`, `cite`, `provenance`, `from`, `until`, `may`,
//!   `qualified by`, `note`) each start a line indented 2 spaces more than
//!   their rule, default, row, setting or source. A setting's label is on a
//!   line of its own at the same indentation as its clauses.
//! - The `{ }` of an enum, a record or a table row stays on one line,
//!   `{ a, b }` (a space inside each brace, no trailing comma), when it was
//!   written on one line and the line fits in [`MAX_WIDTH`] columns;
//!   otherwise each variant, field or cell is on a line of its own, indented
//!   2 spaces, each followed by a comma.
//! - A set value has no spaces inside its braces: `{a, b}`, `{}`.
//! - One space around binary operators and `=`, after commas and keywords,
//!   and on both sides of the `:` of a declaration (`fact age : integer`); a
//!   row's cells glue the `:` to the column (`reservation: "…"`). Nothing
//!   around `.`, inside `( )` and `[ ]`, or between a function or table and
//!   its `(` or `[`. `KRW 1_000` and `10 years` have one space inside.
//! - Expressions are never reflowed: a line break the original had before
//!   or after a binary operator, before `then` and `else`, or after a comma
//!   is kept, and the continued line is indented 2 spaces past its clause
//!   (4 past a member's head). Other line breaks inside a declaration are
//!   dropped, so a long `when` stays on one line unless its writer broke it.
//! - Comments are kept: a comment on a line of its own stays on a line of its
//!   own, indented like what follows it (like a block's members, before `}`);
//!   a comment after code stays at the end of that line.
//! - Blank lines between declarations, members, clauses and comments are
//!   kept, a run of them collapsed to one; none directly after `{`, before
//!   `}` or at the start of the file.
//! - No trailing whitespace; the file ends with one newline. Strings and
//!   comments are written exactly as they were (a comment loses only its
//!   trailing whitespace).
//!
//! Formatting is idempotent: formatting formatted text changes nothing.

pub mod atomic;
mod error;
mod layout;
mod print;
mod trivia;

#[cfg(test)]
mod tests;

pub use atomic::write_atomically;
pub use error::FormatError;

use crate::ast;
use crate::source::{SourceFile, Span};
use crate::syntax;

/// The width up to which an enum, record or row body written on one line
/// stays on one line. Longer lines are not broken otherwise (see the module
/// documentation): a line break inside an expression is the writer's.
pub const MAX_WIDTH: usize = 100;

/// Formats one policy file in the canonical layout.
///
/// Returns the parse errors of a file that does not parse, and
/// [`FormatError::Unsound`] if the formatted text would not parse to the same
/// syntax tree as `file` (a bug in the formatter); in both cases no text.
pub fn format(file: &SourceFile) -> Result<String, FormatError> {
    let original = syntax::parse(file)?;
    let stream = trivia::attach(&file.text);
    let pieces = layout::layout(&stream.tokens);
    let text = print::print(&pieces, &stream.end);
    check_soundness(file, &original, text)
}

/// Returns `text` if it parses to `original`, else [`FormatError::Unsound`].
fn check_soundness(
    file: &SourceFile,
    original: &ast::Module,
    text: String,
) -> Result<String, FormatError> {
    let whole = Span::new(file.id, 0, file.text.len());
    let formatted = SourceFile {
        text,
        ..file.clone()
    };
    let again = match syntax::parse(&formatted) {
        Ok(module) => module,
        Err(errors) => {
            let detail = errors.first().map_or_else(
                || "the formatted text does not parse".to_owned(),
                |e| format!("the formatted text does not parse: {e}"),
            );
            return Err(FormatError::Unsound {
                span: whole,
                detail,
            });
        }
    };
    if again == *original {
        return Ok(formatted.text);
    }
    let differing = original
        .items
        .iter()
        .zip(&again.items)
        .position(|(before, after)| before != after);
    let (span, detail) = match differing.and_then(|i| Some((i, original.items.get(i)?))) {
        Some((index, item)) => (
            item_span(item),
            format!("declaration {} differs", index + 1),
        ),
        None => (
            whole,
            format!(
                "{} declarations become {}",
                original.items.len(),
                again.items.len()
            ),
        ),
    };
    Err(FormatError::Unsound { span, detail })
}

/// Where a declaration was written.
fn item_span(item: &ast::Item) -> Span {
    match item {
        ast::Item::Use(name) => name.span,
        ast::Item::Source(d) => d.span,
        ast::Item::Enum(d) => d.span,
        ast::Item::Record(d) => d.span,
        ast::Item::Fact(d) => d.span,
        ast::Item::Setting(d) => d.span,
        ast::Item::Table(d) => d.span,
        ast::Item::Definition(d) => d.span,
        ast::Item::Test(d) => d.span,
    }
}
