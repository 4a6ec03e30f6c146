//! The layout: a walk over the significant tokens that follows the grammar
//! (`grammar/refuge.pest`) closely enough to know where each declaration,
//! member, clause and expression starts, and decides for every token whether
//! it starts a line (at which indentation), follows a space, or is glued to
//! the token before.
//!
//! The walk never fails: pest has accepted the text before it runs, and a
//! token the walk does not expect is placed after a space and passed over, so
//! the walk always ends. Whether the result means the same is not this
//! module's concern: [`format()`](super::format()) re-parses the output and
//! compares the syntax trees.

use std::borrow::Cow;

use super::trivia::{Comment, Sig};
use super::MAX_WIDTH;
use crate::syntax::Token;

/// Indentation step, in spaces.
const STEP: usize = 2;

/// Where a token goes relative to the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// At the start of a new line.
    Line {
        /// Indentation in spaces.
        indent: usize,
        /// A blank line written before it in the original is kept.
        blank_ok: bool,
    },
    /// After one space.
    Space,
    /// Right after the previous token.
    Glue,
}

/// One token of the output with its place and comments.
#[derive(Clone, Debug)]
pub(super) struct Piece<'a> {
    /// The text to write.
    pub text: Cow<'a, str>,
    /// Where it goes.
    pub place: Place,
    /// Its indentation if a comment forces it onto a line of its own.
    pub cont: usize,
    /// The indentation of its leading comments.
    pub comment_indent: usize,
    /// Comments on their own lines before it.
    pub leading: Vec<Comment<'a>>,
    /// A comment at the end of its line.
    pub trailing: Option<&'a str>,
    /// A blank line preceded it in the original.
    pub blank_before: bool,
    /// It opens an indented block, so no blank line may follow it.
    pub opens_block: bool,
}

/// What a comma-separated `{ … }` body holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Element {
    /// `name "label"` of an enum.
    Variant,
    /// `name : type "label"` of a record.
    Field,
    /// `column: value` of a table row.
    Cell,
}

/// Lays out a file's tokens.
pub(super) fn layout<'a>(tokens: &[Sig<'a>]) -> Vec<Piece<'a>> {
    let mut walk = Walk {
        tokens,
        pos: 0,
        pieces: Vec::with_capacity(tokens.len() + tokens.len() / 8),
    };
    while walk.pos < tokens.len() {
        let before = walk.pos;
        walk.item();
        if walk.pos == before {
            walk.take(Place::Space, STEP * 2);
        }
    }
    hoist_comments_over_commas(&mut walk.pieces);
    walk.pieces
}

struct Walk<'t, 'a> {
    tokens: &'t [Sig<'a>],
    pos: usize,
    pieces: Vec<Piece<'a>>,
}

impl<'a> Walk<'_, 'a> {
    // ------------------------------------------------------------ cursor ----

    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).map(|t| t.token)
    }

    fn peek_at(&self, ahead: usize) -> Option<Token> {
        self.tokens.get(self.pos + ahead).map(|t| t.token)
    }

    fn at(&self, token: Token) -> bool {
        self.peek() == Some(token)
    }

    /// `place`, unless the original broke the line before the next token:
    /// then a continuation line at `cont`. Used only where an expression or
    /// list may be broken (around binary operators, after commas).
    fn keep_break(&self, place: Place, cont: usize) -> Place {
        match self.tokens.get(self.pos) {
            Some(sig) if sig.newline_before => Place::Line {
                indent: cont,
                blank_ok: false,
            },
            _ => place,
        }
    }

    /// Writes the next token at `place`; false at the end of the file.
    fn take(&mut self, place: Place, cont: usize) -> bool {
        let comment_indent = match place {
            Place::Line { indent, .. } => indent,
            Place::Space | Place::Glue => cont,
        };
        self.take_with(place, cont, comment_indent)
    }

    fn take_with(&mut self, place: Place, cont: usize, comment_indent: usize) -> bool {
        let Some(sig) = self.tokens.get(self.pos) else {
            return false;
        };
        let text = match sig.token {
            // `KRW   1_000` and `10  years` are one token each: one space inside.
            Token::Money | Token::Duration => {
                Cow::Owned(sig.text.split_whitespace().collect::<Vec<_>>().join(" "))
            }
            _ => Cow::Borrowed(sig.text),
        };
        self.pieces.push(Piece {
            text,
            place,
            cont,
            comment_indent,
            leading: sig.leading.clone(),
            trailing: sig.trailing,
            blank_before: sig.blank_before,
            opens_block: false,
        });
        self.pos += 1;
        true
    }

    fn take_if(&mut self, token: Token, place: Place, cont: usize) -> bool {
        self.at(token) && self.take(place, cont)
    }

    /// Passes over a token that the canonical layout leaves out (a trailing
    /// comma), unless comments hang on it.
    fn drop_token(&mut self, place: Place, cont: usize) {
        match self.tokens.get(self.pos) {
            Some(sig) if sig.leading.is_empty() && sig.trailing.is_none() => self.pos += 1,
            Some(_) => {
                self.take(place, cont);
            }
            None => {}
        }
    }

    fn line(indent: usize) -> Place {
        Place::Line {
            indent,
            blank_ok: true,
        }
    }

    /// `{` opening an indented block.
    fn open_block(&mut self, cont: usize) {
        if self.take_if(Token::LBrace, Place::Space, cont) {
            if let Some(piece) = self.pieces.last_mut() {
                piece.opens_block = true;
            }
        }
    }

    /// `}` closing a block whose lines are indented one step past `indent`.
    fn close_block(&mut self, indent: usize) {
        if self.at(Token::RBrace) {
            let place = Place::Line {
                indent,
                blank_ok: false,
            };
            self.take_with(place, indent, indent + STEP);
        }
    }

    // ------------------------------------------------------- declarations ----

    /// One top-level declaration.
    fn item(&mut self) {
        const INDENT: usize = 0;
        const CLAUSES: usize = INDENT + STEP;
        const CONT: usize = INDENT + 2 * STEP;
        let Some(first) = self.peek() else { return };
        match first {
            Token::Use => {
                self.take(Self::line(INDENT), CONT);
                self.path(Place::Space, CONT);
            }
            Token::Source => {
                self.take(Self::line(INDENT), CONT);
                self.name_colon_type(CONT);
                self.take_if(Token::String, Place::Space, CONT);
                self.clauses(CLAUSES);
            }
            Token::Enum | Token::Record => {
                self.take(Self::line(INDENT), CONT);
                self.take_if(Token::Ident, Place::Space, CONT);
                self.take_if(Token::String, Place::Space, CONT);
                let element = if first == Token::Enum {
                    Element::Variant
                } else {
                    Element::Field
                };
                self.comma_body(INDENT, element);
            }
            Token::Fact => {
                self.take(Self::line(INDENT), CONT);
                self.name_colon_type(CONT);
                self.take_if(Token::String, Place::Space, CONT);
            }
            Token::Setting => {
                self.take(Self::line(INDENT), CONT);
                self.name_colon_type(CONT);
                if self.take_if(Token::Eq, Place::Space, CONT) {
                    self.expr(Place::Space, CONT);
                }
                self.take_if(Token::String, Self::line(CLAUSES), CLAUSES + STEP);
                self.clauses(CLAUSES);
            }
            Token::Table => {
                self.take(Self::line(INDENT), CONT);
                self.take_if(Token::Ident, Place::Space, CONT);
                self.take_if(Token::String, Place::Space, CONT);
                self.open_block(CONT);
                self.block(INDENT, Self::table_member);
            }
            Token::Verdict | Token::Definition => {
                self.take(Self::line(INDENT), CONT);
                self.name_colon_type(CONT);
                self.take_if(Token::String, Place::Space, CONT);
                self.open_block(CONT);
                self.block(INDENT, Self::definition_member);
            }
            Token::Test => {
                self.take(Self::line(INDENT), CONT);
                self.take_if(Token::String, Place::Space, CONT);
                self.open_block(CONT);
                self.block(INDENT, Self::test_statement);
            }
            _ => {}
        }
    }

    /// The members of a block up to its `}`, one step past `indent`.
    fn block(&mut self, indent: usize, member: fn(&mut Self, usize)) {
        let inner = indent + STEP;
        while self.pos < self.tokens.len() && !self.at(Token::RBrace) {
            let before = self.pos;
            member(self, inner);
            if self.pos == before {
                self.take(Place::Space, inner + 2 * STEP);
            }
        }
        self.close_block(indent);
    }

    /// `name : type` (declarations put a space on both sides of `:`).
    fn name_colon_type(&mut self, cont: usize) {
        self.take_if(Token::Ident, Place::Space, cont);
        if self.take_if(Token::Colon, Place::Space, cont) {
            self.type_expr(cont);
        }
    }

    /// `name` or `set of name`.
    fn type_expr(&mut self, cont: usize) {
        if self.take_if(Token::Set, Place::Space, cont) {
            self.take_if(Token::Of, Place::Space, cont);
        }
        self.take_if(Token::Ident, Place::Space, cont);
    }

    /// `key …`, `column …` or `row …` of a table.
    fn table_member(&mut self, indent: usize) {
        let cont = indent + 2 * STEP;
        match self.peek() {
            Some(Token::Key | Token::Column) => {
                self.take(Self::line(indent), cont);
                self.name_colon_type(cont);
                self.take_if(Token::String, Place::Space, cont);
            }
            Some(Token::Row) => {
                self.take(Self::line(indent), cont);
                self.expr_list(Place::Space, cont);
                if self.at(Token::LBrace) {
                    self.comma_body(indent, Element::Cell);
                }
                self.clauses(indent + STEP);
            }
            _ => {}
        }
    }

    /// `default …`, `rule …`, `absolute rule …` or `exception …`.
    fn definition_member(&mut self, indent: usize) {
        let cont = indent + 2 * STEP;
        match self.peek() {
            Some(Token::Default) => {
                self.take(Self::line(indent), cont);
                self.expr(Place::Space, cont);
            }
            Some(Token::Absolute | Token::Rule) => {
                if self.take_if(Token::Absolute, Self::line(indent), cont) {
                    self.take_if(Token::Rule, Place::Space, cont);
                } else {
                    self.take(Self::line(indent), cont);
                }
                self.take_if(Token::Ident, Place::Space, cont);
                self.rule_effect(cont);
            }
            Some(Token::Exception) => {
                self.take(Self::line(indent), cont);
                self.take_if(Token::Ident, Place::Space, cont);
                if matches!(self.peek(), Some(Token::Overrides | Token::Lifts)) {
                    self.take(Place::Space, cont);
                    self.ident_list(Place::Space, cont);
                }
                self.rule_effect(cont);
            }
            _ => return,
        }
        self.clauses(indent + STEP);
    }

    /// `= value` after a rule's head.
    fn rule_effect(&mut self, cont: usize) {
        if self.take_if(Token::Eq, Place::Space, cont) {
            self.expr(Place::Space, cont);
        }
    }

    /// `as_of …`, `given …`, `exercise …` or `expect …` of a test.
    fn test_statement(&mut self, indent: usize) {
        let cont = indent + STEP;
        match self.peek() {
            Some(Token::AsOf) => {
                self.take(Self::line(indent), cont);
                self.take_if(Token::Date, Place::Space, cont);
            }
            Some(Token::Given | Token::Exercise | Token::Expect) => {
                self.take(Self::line(indent), cont);
                self.path(Place::Space, cont);
                if self.take_if(Token::Eq, Place::Space, cont)
                    && !self.take_if(Token::Undetermined, Place::Space, cont)
                {
                    self.expr(Place::Space, cont);
                }
            }
            _ => {}
        }
    }

    /// The tail clauses of a rule, default, row, setting or source, each on
    /// its own line at `indent`.
    fn clauses(&mut self, indent: usize) {
        let cont = indent + STEP;
        while let Some(token) = self.peek() {
            let is_clause = matches!(
                token,
                Token::When
                    | Token::Cite
                    | Token::Provenance
                    | Token::From
                    | Token::Until
                    | Token::May
                    | Token::Qualified
                    | Token::Note
            );
            // `accept KIND [with R, …] "reason"`: its words are names to
            // the lexer (none is reserved).
            let is_accept = token == Token::Ident && self.text_at(0) == Some("accept");
            if !is_clause && !is_accept {
                return;
            }
            self.take(Self::line(indent), cont);
            if is_accept {
                self.take_if(Token::Ident, Place::Space, cont);
                if self.at(Token::Ident) && self.text_at(0) == Some("with") {
                    self.take(Place::Space, cont);
                    self.ident_list(Place::Space, cont);
                }
                self.take_if(Token::String, Place::Space, cont);
                continue;
            }
            match token {
                Token::When => self.expr(Place::Space, cont),
                Token::Cite => {
                    self.take_if(Token::Ident, Place::Space, cont);
                    self.pinpoint(cont);
                }
                Token::Provenance => {
                    self.take_if(Token::Ident, Place::Space, cont);
                }
                Token::From | Token::Until => {
                    self.take_if(Token::Date, Place::Space, cont);
                }
                Token::May => {
                    self.take_if(Token::String, Place::Space, cont);
                    self.take_if(Token::By, Place::Space, cont);
                    self.take_if(Token::String, Place::Space, cont);
                }
                Token::Qualified => {
                    self.take_if(Token::By, Place::Space, cont);
                    self.ident_list(Place::Space, cont);
                }
                _ => {
                    self.take_if(Token::String, Place::Space, cont);
                }
            }
        }
    }

    /// A `cite`'s pinpoint: parts separated by `,` (a line break after a
    /// comma is kept), each a run of locators (`art 9(1)`, `item 5`,
    /// `section "…"`, `line 35..39`) and an optional remark string; or a
    /// reference string and an optional remark string.
    fn pinpoint(&mut self, cont: usize) {
        if !self.at_locator_word() {
            // A reference and its remark: `"Ch. IV.9" "China"`.
            if self.take_if(Token::String, Place::Space, cont) {
                self.take_if(Token::String, Place::Space, cont);
            }
            return;
        }
        let mut place = Place::Space;
        loop {
            while self.at_locator_word() {
                let is_section = self.text_at(0) == Some("section");
                self.take(place, cont);
                place = Place::Space;
                if is_section {
                    self.take_if(Token::String, Place::Space, cont);
                    continue;
                }
                self.pin_number(Place::Space, cont);
                if self.at(Token::LParen) {
                    self.take(Place::Glue, cont);
                    self.pin_number(Place::Glue, cont);
                    self.take_if(Token::RParen, Place::Glue, cont);
                }
            }
            self.take_if(Token::String, place, cont);
            if !self.at(Token::Comma) {
                return;
            }
            self.take(Place::Glue, cont);
            place = self.keep_break(Place::Space, cont);
        }
    }

    /// A pinpoint number (`9`, `1A`, `VIII`) and an optional `..end`.
    fn pin_number(&mut self, first: Place, cont: usize) {
        if self.at(Token::Number) || self.at(Token::Ident) {
            self.take(first, cont);
        }
        self.pin_range_end(cont);
    }

    /// `..9`, glued.
    fn pin_range_end(&mut self, cont: usize) {
        if self.at(Token::Dot) && self.peek_at(1) == Some(Token::Dot) {
            self.take(Place::Glue, cont);
            self.take(Place::Glue, cont);
            if self.at(Token::Number) || self.at(Token::Ident) {
                self.take(Place::Glue, cont);
            }
        }
    }

    /// The text of the token `ahead` of the cursor.
    fn text_at(&self, ahead: usize) -> Option<&'a str> {
        self.tokens.get(self.pos + ahead).map(|t| t.text)
    }

    /// True at a locator keyword of a pinpoint (`art`, `para`, `item`,
    /// `section`, `footnote`, `line`), which the lexer sees as names.
    fn at_locator_word(&self) -> bool {
        self.at(Token::Ident)
            && matches!(
                self.text_at(0),
                Some("art" | "para" | "item" | "section" | "footnote" | "line")
            )
    }

    /// `a, b, c`: names of rules; a line break after a comma is kept.
    fn ident_list(&mut self, first: Place, cont: usize) {
        self.take_if(Token::Ident, first, cont);
        while self.take_if(Token::Comma, Place::Glue, cont) {
            let place = self.keep_break(Place::Space, cont);
            self.take_if(Token::Ident, place, cont);
        }
    }

    /// A dotted name, `defector.crimes`.
    fn path(&mut self, first: Place, cont: usize) {
        if self.take_if(Token::Ident, first, cont) {
            while self.at(Token::Dot) && self.peek_at(1) == Some(Token::Ident) {
                self.take(Place::Glue, cont);
                self.take(Place::Glue, cont);
            }
        }
    }

    // ------------------------------------------------------ comma bodies ----

    /// The `{ … }` of an enum, a record or a table row, for a declaration
    /// whose line is indented `indent`.
    ///
    /// One line, `{ a, b }`, when the original had it on one line and it
    /// fits in [`MAX_WIDTH`]; otherwise one element per line, each with a
    /// comma.
    fn comma_body(&mut self, indent: usize, element: Element) {
        if !self.at(Token::LBrace) {
            return;
        }
        if !self.body_spans_lines() {
            let (pos, len) = (self.pos, self.pieces.len());
            self.comma_body_on_one_line(indent, element);
            if self.line_width() <= MAX_WIDTH {
                return;
            }
            self.pos = pos;
            self.pieces.truncate(len);
        }
        self.comma_body_on_lines(indent, element);
    }

    /// True if a line break (and so any comment) lies between the `{` at
    /// the cursor and its `}`.
    fn body_spans_lines(&self) -> bool {
        let mut depth = 0usize;
        for sig in self.tokens.iter().skip(self.pos) {
            if depth > 0 && (sig.newline_before || !sig.leading.is_empty()) {
                return true;
            }
            match sig.token {
                Token::LBrace => depth += 1,
                Token::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return false;
                    }
                }
                _ => {}
            }
            if sig.trailing.is_some() {
                return true;
            }
        }
        true
    }

    fn comma_body_on_one_line(&mut self, indent: usize, element: Element) {
        let cont = indent + 2 * STEP;
        self.take(Place::Space, cont);
        if self.take_if(Token::RBrace, Place::Glue, cont) {
            return;
        }
        let mut place = Place::Space;
        while self.pos < self.tokens.len() && !self.at(Token::RBrace) {
            let before = self.pos;
            self.element(element, place, cont);
            if self.at(Token::Comma) {
                if self.peek_at(1) == Some(Token::RBrace) {
                    self.drop_token(Place::Glue, cont);
                } else {
                    self.take(Place::Glue, cont);
                }
            }
            if self.pos == before {
                self.take(Place::Space, cont);
            }
            place = Place::Space;
        }
        self.take_if(Token::RBrace, Place::Space, cont);
    }

    fn comma_body_on_lines(&mut self, indent: usize, element: Element) {
        let inner = indent + STEP;
        self.open_block(indent + 2 * STEP);
        while self.pos < self.tokens.len() && !self.at(Token::RBrace) {
            let before = self.pos;
            self.element(element, Self::line(inner), inner + STEP);
            if !self.take_if(Token::Comma, Place::Glue, inner + STEP) {
                self.insert_comma();
            }
            if self.pos == before {
                self.take(Place::Space, inner + STEP);
            }
        }
        self.close_block(indent);
    }

    /// A comma the canonical layout adds after the last element.
    fn insert_comma(&mut self) {
        let Some(last) = self.pieces.last_mut() else {
            return;
        };
        let trailing = last.trailing.take();
        let cont = last.cont;
        self.pieces.push(Piece {
            text: Cow::Borrowed(","),
            place: Place::Glue,
            cont,
            comment_indent: cont,
            leading: Vec::new(),
            trailing,
            blank_before: false,
            opens_block: false,
        });
    }

    fn element(&mut self, element: Element, first: Place, cont: usize) {
        if !self.take_if(Token::Ident, first, cont) {
            return;
        }
        match element {
            Element::Variant => {
                self.take_if(Token::String, Place::Space, cont);
            }
            Element::Field => {
                if self.take_if(Token::Colon, Place::Space, cont) {
                    self.type_expr(cont);
                }
                self.take_if(Token::String, Place::Space, cont);
            }
            Element::Cell => {
                if self.take_if(Token::Colon, Place::Glue, cont) {
                    self.expr(Place::Space, cont);
                }
            }
        }
    }

    /// The width of the output line that ends with the last piece.
    fn line_width(&self) -> usize {
        let mut width = 0;
        let mut pieces = self.pieces.iter().rev().peekable();
        while let Some(piece) = pieces.next() {
            width += unicode_width::UnicodeWidthStr::width(piece.text.as_ref());
            let forced = !piece.leading.is_empty()
                || pieces
                    .peek()
                    .is_some_and(|before| before.trailing.is_some());
            match piece.place {
                Place::Line { indent, .. } => return width + indent,
                _ if forced => return width + piece.cont,
                Place::Space => width += 1,
                Place::Glue => {}
            }
        }
        width
    }

    // ------------------------------------------------------- expressions ----

    /// `a, b`: keys of a row or a lookup.
    fn expr_list(&mut self, first: Place, cont: usize) {
        self.expr(first, cont);
        while self.take_if(Token::Comma, Place::Glue, cont) {
            let place = self.keep_break(Place::Space, cont);
            self.expr(place, cont);
        }
    }

    /// An expression: operands joined by binary operators, one space around
    /// each operator. A line break the original had next to an operator is
    /// kept, as a continuation line at `cont`.
    fn expr(&mut self, first: Place, cont: usize) {
        let mut place = first;
        loop {
            while let Some(prefix @ (Token::Not | Token::Minus)) = self.peek() {
                self.take(place, cont);
                place = if prefix == Token::Not {
                    Place::Space
                } else {
                    Place::Glue
                };
            }
            self.operand(place, cont);
            let Some(token) = self.peek() else { return };
            if !is_binary(token) {
                return;
            }
            self.take(self.keep_break(Place::Space, cont), cont);
            if token == Token::Has && matches!(self.peek(), Some(Token::Any | Token::All)) {
                self.take(Place::Space, cont);
            }
            place = self.keep_break(Place::Space, cont);
        }
    }

    fn operand(&mut self, place: Place, cont: usize) {
        let Some(token) = self.peek() else { return };
        match token {
            Token::If => {
                self.take(place, cont);
                self.expr(Place::Space, cont);
                for keyword in [Token::Then, Token::Else] {
                    if self.take_if(keyword, self.keep_break(Place::Space, cont), cont) {
                        self.expr(Place::Space, cont);
                    }
                }
            }
            Token::Exists => {
                self.take(place, cont);
                self.take_if(Token::Ident, Place::Space, cont);
                self.brackets(cont);
            }
            Token::LBrace => {
                self.take(place, cont);
                if self.take_if(Token::RBrace, Place::Glue, cont) {
                    return;
                }
                self.expr(Place::Glue, cont);
                while self.at(Token::Comma) {
                    if self.peek_at(1) == Some(Token::RBrace) {
                        self.drop_token(Place::Glue, cont);
                        break;
                    }
                    self.take(Place::Glue, cont);
                    self.expr(self.keep_break(Place::Space, cont), cont);
                }
                self.take_if(Token::RBrace, Place::Glue, cont);
            }
            Token::LParen => {
                self.take(place, cont);
                self.expr(Place::Glue, cont);
                self.take_if(Token::RParen, Place::Glue, cont);
            }
            Token::Ident => match self.peek_at(1) {
                Some(Token::LParen) => {
                    self.take(place, cont);
                    self.take(Place::Glue, cont);
                    if !self.at(Token::RParen) {
                        self.expr_list(Place::Glue, cont);
                    }
                    self.take_if(Token::RParen, Place::Glue, cont);
                }
                Some(Token::LBracket) => {
                    self.take(place, cont);
                    self.brackets(cont);
                    if self.at(Token::Dot) && self.peek_at(1) == Some(Token::Ident) {
                        self.take(Place::Glue, cont);
                        self.take(Place::Glue, cont);
                    }
                }
                _ => self.path(place, cont),
            },
            Token::Number
            | Token::Date
            | Token::Percent
            | Token::Money
            | Token::Duration
            | Token::String
            | Token::True
            | Token::False
            | Token::AsOf => {
                self.take(place, cont);
            }
            _ => {}
        }
    }

    /// `[k, …]` of a lookup or `exists`.
    fn brackets(&mut self, cont: usize) {
        if self.take_if(Token::LBracket, Place::Glue, cont) {
            self.expr_list(Place::Glue, cont);
            self.take_if(Token::RBracket, Place::Glue, cont);
        }
    }
}

/// True for the tokens that join two operands.
fn is_binary(token: Token) -> bool {
    matches!(
        token,
        Token::Or
            | Token::And
            | Token::EqEq
            | Token::NotEq
            | Token::LtEq
            | Token::GtEq
            | Token::Lt
            | Token::Gt
            | Token::In
            | Token::Contains
            | Token::Has
            | Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
    )
}

/// Moves comments off a comma glued to the token before it, so that the
/// comma stays on its element's line: `a # c` + `,` becomes `a, # c`, and a
/// comment on its own line before a comma moves after it.
fn hoist_comments_over_commas(pieces: &mut [Piece<'_>]) {
    for index in 1..pieces.len() {
        let Some((before, rest)) = pieces.split_at_mut_checked(index) else {
            continue;
        };
        let (Some(previous), Some((comma, after))) = (before.last_mut(), rest.split_first_mut())
        else {
            continue;
        };
        if comma.text != "," || comma.place != Place::Glue {
            continue;
        }
        if !comma.leading.is_empty() {
            if let Some(next) = after.first_mut() {
                let mut moved = std::mem::take(&mut comma.leading);
                moved.append(&mut next.leading);
                next.leading = moved;
                if next.place == Place::Glue {
                    next.place = Place::Space;
                }
            }
        }
        if comma.leading.is_empty() && comma.trailing.is_none() {
            comma.trailing = previous.trailing.take();
        }
    }
}
