//! The lossless token stream with its trivia attached: each significant token
//! carries the comments that stand on their own lines before it, the comment
//! that ends its line, and whether line breaks and blank lines preceded it.
//!
//! This is the only place that looks at whitespace: the layout decides every
//! line break itself, keeping from the original only what this module records
//! (blank lines, line breaks inside expressions, comments).

use crate::syntax::tokens::tokens;
use crate::syntax::Token;

/// A comment on a line of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Comment<'a> {
    /// `# …`, without trailing whitespace.
    pub text: &'a str,
    /// A blank line separated it from what came before.
    pub blank_before: bool,
}

/// A token that carries meaning, with the trivia around it.
#[derive(Clone, Debug)]
pub(super) struct Sig<'a> {
    /// The token.
    pub token: Token,
    /// Its text.
    pub text: &'a str,
    /// Comments on their own lines between the previous token and this one.
    pub leading: Vec<Comment<'a>>,
    /// A comment after the token on the same line.
    pub trailing: Option<&'a str>,
    /// A line break (or an own-line comment) separated it from the previous
    /// token.
    pub newline_before: bool,
    /// A blank line separated it from the previous token or comment.
    pub blank_before: bool,
}

/// A whole file as significant tokens, plus the comments after the last one.
#[derive(Clone, Debug, Default)]
pub(super) struct Stream<'a> {
    /// The significant tokens in order.
    pub tokens: Vec<Sig<'a>>,
    /// Comments after the last token.
    pub end: Vec<Comment<'a>>,
}

/// Splits `text` with the lossless lexer and attaches its comments and line
/// breaks to the significant tokens.
///
/// A comment is *trailing* when nothing but spaces separates it from the
/// token before it on the same line; every other comment is *leading* and
/// belongs to the next token (or to the end of the file).
pub(super) fn attach(text: &str) -> Stream<'_> {
    let mut stream = Stream::default();
    let mut pending: Vec<Comment<'_>> = Vec::new();
    // Line breaks since the last token or comment, and since the last token.
    let mut newlines = 0usize;
    let mut newline_since_token = false;
    for (token, range) in tokens(text) {
        let slice = text.get(range.clone()).unwrap_or("");
        match token {
            Token::Newline => {
                newlines += 1;
                newline_since_token = true;
            }
            Token::Whitespace => {}
            Token::Comment => {
                let comment = slice.trim_end();
                let trails = !newline_since_token && pending.is_empty();
                match stream.tokens.last_mut() {
                    Some(last) if trails && last.trailing.is_none() => {
                        last.trailing = Some(comment);
                    }
                    _ => pending.push(Comment {
                        text: comment,
                        blank_before: newlines >= 2,
                    }),
                }
                newlines = 0;
            }
            _ => {
                stream.tokens.push(Sig {
                    token,
                    text: slice,
                    leading: std::mem::take(&mut pending),
                    trailing: None,
                    newline_before: newline_since_token,
                    blank_before: newlines >= 2,
                });
                newlines = 0;
                newline_since_token = false;
            }
        }
    }
    stream.end = pending;
    stream
}
