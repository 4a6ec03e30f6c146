//! Writes laid-out pieces as text: indentation, spaces, comments, blank lines.

use super::layout::{Piece, Place};
use super::trivia::Comment;

/// The output being written.
struct Printer {
    out: String,
    /// No blank line may come next: at the start of the file, right after a
    /// block's `{`.
    no_blank: bool,
    /// The current line ends in a comment, so the next token needs a line of
    /// its own.
    after_comment: bool,
}

impl Printer {
    fn start_line(&mut self, indent: usize, blank: bool) {
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank && !self.no_blank {
                self.out.push('\n');
            }
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.no_blank = false;
        self.after_comment = false;
    }

    fn comment_line(&mut self, indent: usize, comment: &Comment<'_>) {
        self.start_line(indent, comment.blank_before);
        self.out.push_str(comment.text);
        self.after_comment = true;
    }
}

/// The text of `pieces` followed by the comments at the end of the file,
/// ending with one newline (or empty, for a file with nothing in it).
pub(super) fn print(pieces: &[Piece<'_>], end: &[Comment<'_>]) -> String {
    let mut printer = Printer {
        out: String::new(),
        no_blank: true,
        after_comment: false,
    };
    for piece in pieces {
        for comment in &piece.leading {
            printer.comment_line(piece.comment_indent, comment);
        }
        match piece.place {
            Place::Line { indent, blank_ok } => {
                printer.start_line(indent, blank_ok && piece.blank_before);
            }
            _ if printer.after_comment => printer.start_line(piece.cont, false),
            Place::Space if !printer.out.is_empty() => printer.out.push(' '),
            Place::Space | Place::Glue => {}
        }
        printer.out.push_str(&piece.text);
        printer.no_blank = piece.opens_block;
        if let Some(comment) = piece.trailing {
            printer.out.push(' ');
            printer.out.push_str(comment);
            printer.after_comment = true;
        }
    }
    for comment in end {
        printer.comment_line(0, comment);
    }
    if !printer.out.is_empty() {
        printer.out.push('\n');
    }
    printer.out
}
