//! A lossless lexer for policy text, for highlighting, error messages and the
//! formatter.
//!
//! The parser does not use it (pest reads the text itself); it exists so that
//! tools can see *every* byte: comments, whitespace and newlines are tokens,
//! and a character the language does not know becomes a [`Token::Error`]
//! rather than being dropped. Concatenating the slices of [`tokens`] always
//! gives back the input.
//!
//! The lexer follows the grammar's lexemes but not its context: a keyword is
//! a keyword wherever it appears, and `KRW 1_000` and `10 years` are single
//! tokens as they are single literals in the grammar. In text the grammar
//! rejects, the lexer may split differently from the parser.

use std::fmt::Write as _;
use std::ops::Range;

use logos::Logos;

/// One lexeme of the policy language.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// `use`
    #[token("use")]
    Use,
    /// `source`
    #[token("source")]
    Source,
    /// `enum`
    #[token("enum")]
    Enum,
    /// `record`
    #[token("record")]
    Record,
    /// `fact`
    #[token("fact")]
    Fact,
    /// `setting`
    #[token("setting")]
    Setting,
    /// `table`
    #[token("table")]
    Table,
    /// `key`
    #[token("key")]
    Key,
    /// `column`
    #[token("column")]
    Column,
    /// `row`
    #[token("row")]
    Row,
    /// `definition`
    #[token("definition")]
    Definition,
    /// `verdict`
    #[token("verdict")]
    Verdict,
    /// `default`
    #[token("default")]
    Default,
    /// `rule`
    #[token("rule")]
    Rule,
    /// `exception`
    #[token("exception")]
    Exception,
    /// `absolute`
    #[token("absolute")]
    Absolute,
    /// `overrides`
    #[token("overrides")]
    Overrides,
    /// `lifts`
    #[token("lifts")]
    Lifts,
    /// `when`
    #[token("when")]
    When,
    /// `cite`
    #[token("cite")]
    Cite,
    /// `provenance`
    #[token("provenance")]
    Provenance,
    /// `from`
    #[token("from")]
    From,
    /// `until`
    #[token("until")]
    Until,
    /// `may`
    #[token("may")]
    May,
    /// `by`
    #[token("by")]
    By,
    /// `qualified`
    #[token("qualified")]
    Qualified,
    /// `note`
    #[token("note")]
    Note,
    /// `test`
    #[token("test")]
    Test,
    /// `given`
    #[token("given")]
    Given,
    /// `expect`
    #[token("expect")]
    Expect,
    /// `exercise`
    #[token("exercise")]
    Exercise,
    /// `as_of`
    #[token("as_of")]
    AsOf,
    /// `and`
    #[token("and")]
    And,
    /// `or`
    #[token("or")]
    Or,
    /// `not`
    #[token("not")]
    Not,
    /// `in`
    #[token("in")]
    In,
    /// `contains`
    #[token("contains")]
    Contains,
    /// `has` (of `has any`, `has all`)
    #[token("has")]
    Has,
    /// `any`
    #[token("any")]
    Any,
    /// `all`
    #[token("all")]
    All,
    /// `if`
    #[token("if")]
    If,
    /// `then`
    #[token("then")]
    Then,
    /// `else`
    #[token("else")]
    Else,
    /// `exists`
    #[token("exists")]
    Exists,
    /// `true`
    #[token("true")]
    True,
    /// `false`
    #[token("false")]
    False,
    /// `set` (of `set of`)
    #[token("set")]
    Set,
    /// `of`
    #[token("of")]
    Of,
    /// `undetermined`
    #[token("undetermined")]
    Undetermined,

    /// A name: `person`, `rok_act`, `Crime`. Contextual words such as
    /// `statute`, `seed` or `integer` are names too.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    /// `42`, `1_000`, `0.5`; in a pinpoint also `1A` (an article number)
    #[regex(r"[0-9][0-9_]*(\.[0-9]+)?")]
    #[regex(r"[0-9]+[A-Za-z]+", priority = 3)]
    Number,
    /// `2002-06-03`
    #[regex(r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]")]
    Date,
    /// `50%`
    #[regex(r"[0-9][0-9_]*(\.[0-9]+)?%")]
    Percent,
    /// `KRW 1_000`: a currency code, spaces and a number, joined after
    /// lexing (see [`tokens`]).
    Money,
    /// `10 years`, `1 day`: a number, spaces and a unit, joined after lexing
    /// (see [`tokens`]).
    Duration,
    /// `"text"`, escapes included.
    #[regex(r#""([^"\\]|\\(.|\n))*""#)]
    String,
    /// A string that runs to the end of the text without its closing `"`.
    #[regex(r#""([^"\\]|\\(.|\n))*\\?"#)]
    UnterminatedString,

    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    NotEq,
    /// `<=`
    #[token("<=")]
    LtEq,
    /// `>=`
    #[token(">=")]
    GtEq,
    /// `<`
    #[token("<")]
    Lt,
    /// `>`
    #[token(">")]
    Gt,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `=`
    #[token("=")]
    Eq,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `,`
    #[token(",")]
    Comma,
    /// `:`
    #[token(":")]
    Colon,
    /// `.`
    #[token(".")]
    Dot,

    /// `# …` up to (not including) the end of the line.
    #[regex(r"#[^\n]*")]
    Comment,
    /// Spaces, tabs and carriage returns.
    #[regex(r"[ \t\r]+")]
    Whitespace,
    /// One `\n`.
    #[token("\n")]
    Newline,
    /// Text that is no lexeme of the language (`@`, `!`, `é`…).
    Error,
}

/// How a token is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// A reserved word.
    Keyword,
    /// A name.
    Name,
    /// A number, date, percentage, amount, duration or `true`/`false`.
    Literal,
    /// A string.
    String,
    /// A comment.
    Comment,
    /// An operator or punctuation.
    Punctuation,
    /// Whitespace and newlines.
    Whitespace,
    /// Text the language does not know.
    Error,
}

impl Token {
    /// How the token is coloured.
    pub fn class(self) -> TokenClass {
        match self {
            Token::Ident => TokenClass::Name,
            Token::Number
            | Token::Date
            | Token::Percent
            | Token::Money
            | Token::Duration
            | Token::True
            | Token::False => TokenClass::Literal,
            Token::String | Token::UnterminatedString => TokenClass::String,
            Token::Comment => TokenClass::Comment,
            Token::Whitespace | Token::Newline => TokenClass::Whitespace,
            Token::Error => TokenClass::Error,
            Token::EqEq
            | Token::NotEq
            | Token::LtEq
            | Token::GtEq
            | Token::Lt
            | Token::Gt
            | Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Eq
            | Token::LBrace
            | Token::RBrace
            | Token::LParen
            | Token::RParen
            | Token::LBracket
            | Token::RBracket
            | Token::Comma
            | Token::Colon
            | Token::Dot => TokenClass::Punctuation,
            _ => TokenClass::Keyword,
        }
    }

    /// True for whitespace, newlines and comments, which carry no meaning.
    pub fn is_trivia(self) -> bool {
        matches!(self, Token::Whitespace | Token::Newline | Token::Comment)
    }
}

/// Splits `text` into tokens with their byte ranges.
///
/// The ranges are contiguous and cover the whole text, so concatenating the
/// slices gives back `text` exactly; unknown characters become
/// [`Token::Error`].
pub fn tokens(text: &str) -> Vec<(Token, Range<usize>)> {
    split_glued_keywords(
        text,
        split_glued_dates(text, join_spaced_literals(text, raw_tokens(text))),
    )
}

/// A date glued to a letter, digit or `_` (`2001-05-40cite`, `2001-05-401`)
/// is no date for the grammar (`date` must end at a word boundary): it reads
/// `2001 - 05 - 40…`, a subtraction. The date is split the same way and the
/// last part lexed again with what it is glued to. (Found by fuzzing the
/// formatter, which wrote a space after the "date" and so changed what the
/// rule says.)
fn split_glued_dates(text: &str, tokens: Vec<(Token, Range<usize>)>) -> Vec<(Token, Range<usize>)> {
    let glued = |range: &Range<usize>| {
        text.get(range.end..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !tokens.iter().any(|(t, r)| *t == Token::Date && glued(r)) {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len() + 4);
    let mut rest = tokens.as_slice();
    while let Some(((token, range), tail)) = rest.split_first() {
        rest = tail;
        if *token != Token::Date || !glued(range) {
            out.push((*token, range.clone()));
            continue;
        }
        // `YYYY` `-` `MM` `-`, then `DD` and the token it is glued to,
        // lexed again as one text.
        let s = range.start;
        out.push((Token::Number, s..s + 4));
        out.push((Token::Minus, s + 4..s + 5));
        out.push((Token::Number, s + 5..s + 7));
        out.push((Token::Minus, s + 7..s + 8));
        let end = match tail.first() {
            Some((_, next)) => {
                rest = tail.get(1..).unwrap_or_default();
                next.end
            }
            None => range.end,
        };
        let again = text.get(s + 8..end).unwrap_or("");
        for (t, r) in raw_tokens(again) {
            out.push((t, s + 8 + r.start..s + 8 + r.end));
        }
    }
    out
}

/// Splits a number glued to a reserved word (`0or`, `1else`) into the two
/// tokens the grammar reads there: outside a citation, `number` stops at the
/// first letter and `or` is the operator. Inside a `cite` clause the same
/// text is one pinpoint number (`art 1A`), as the grammar's `pin_no` reads
/// it, so it stays whole. (Found by fuzzing the formatter: it printed
/// `s < 0or d . m`, which no longer parsed.)
fn split_glued_keywords(
    text: &str,
    tokens: Vec<(Token, Range<usize>)>,
) -> Vec<(Token, Range<usize>)> {
    // Only a number with letters after its digits can be split (a keyword
    // ends in a letter); most texts have none, and their list is returned as
    // it is.
    let lettered = |range: &Range<usize>| {
        text.get(range.clone())
            .is_some_and(|s| s.bytes().last().is_some_and(|b| b.is_ascii_alphabetic()))
    };
    if !tokens
        .iter()
        .any(|(t, r)| *t == Token::Number && lettered(r))
    {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut in_cite = false;
    for (token, range) in tokens {
        in_cite = match token {
            Token::Cite => true,
            Token::Ident
            | Token::Number
            | Token::LParen
            | Token::RParen
            | Token::Comma
            | Token::Dot
            | Token::String
            | Token::Whitespace
            | Token::Newline
            | Token::Comment => in_cite,
            _ => false,
        };
        let slice = text.get(range.clone()).unwrap_or("");
        let digits = slice.bytes().take_while(u8::is_ascii_digit).count();
        let letters = slice.get(digits..).unwrap_or("");
        if token == Token::Number && !in_cite && digits > 0 && !letters.is_empty() {
            let mut lexer = Token::lexer(letters);
            let first = lexer.next();
            let whole = lexer.span().end == letters.len() && lexer.next().is_none();
            if let (Some(Ok(keyword)), true) = (first, whole) {
                if keyword != Token::Ident {
                    let split = range.start + digits;
                    out.push((Token::Number, range.start..split));
                    out.push((keyword, split..range.end));
                    continue;
                }
            }
        }
        out.push((token, range));
    }
    out
}

/// The logos tokens, with gaps filled and adjacent errors joined.
fn raw_tokens(text: &str) -> Vec<(Token, Range<usize>)> {
    let mut out: Vec<(Token, Range<usize>)> = Vec::new();
    let mut covered = 0;
    let push = |out: &mut Vec<(Token, Range<usize>)>, token: Token, range: Range<usize>| {
        // Adjacent error characters form one error token.
        if let Some((Token::Error, last)) = out.last_mut() {
            if token == Token::Error && last.end == range.start {
                last.end = range.end;
                return;
            }
        }
        out.push((token, range));
    };
    for (result, range) in Token::lexer(text).spanned() {
        // INVARIANT: logos reports every byte as a token or an error, but a
        // gap would break losslessness, so it is filled rather than trusted.
        if range.start > covered {
            push(&mut out, Token::Error, covered..range.start);
        }
        covered = covered.max(range.end);
        push(&mut out, result.unwrap_or(Token::Error), range);
    }
    if covered < text.len() {
        push(&mut out, Token::Error, covered..text.len());
    }
    out
}

/// Joins `KRW` + spaces + `1_000` into [`Token::Money`] and `10` + spaces +
/// `years` into [`Token::Duration`], as the grammar's `money` and `duration`
/// do.
///
/// (A logos regex such as `[A-Z]{3} +[0-9]+` would do this in one step, but
/// logos 0.14 cannot back out of the spaces when no number follows, and
/// `KRW x` would lex as an error.)
fn join_spaced_literals(
    text: &str,
    mut tokens: Vec<(Token, Range<usize>)>,
) -> Vec<(Token, Range<usize>)> {
    // In place: a join only ever makes the list shorter, so each token is
    // written at or before where it was read (`write <= read`).
    let slice = |range: &Range<usize>| text.get(range.clone()).unwrap_or("");
    let mut write = 0;
    let mut read = 0;
    while let Some((first, first_range)) = tokens.get(read).cloned() {
        let joined = match (tokens.get(read + 1), tokens.get(read + 2)) {
            (Some((Token::Whitespace, space)), Some((second, second_range))) => {
                let token = match (first, *second) {
                    (Token::Ident, Token::Number) if is_currency(slice(&first_range)) => {
                        Some(Token::Money)
                    }
                    (Token::Number, Token::Ident) if is_duration_unit(slice(second_range)) => {
                        Some(Token::Duration)
                    }
                    _ => None,
                };
                token
                    .filter(|_| slice(space).bytes().all(|b| b == b' '))
                    .map(|token| (token, first_range.start..second_range.end))
            }
            _ => None,
        };
        let (token, step) = match joined {
            Some(joined) => (joined, 3),
            None => ((first, first_range), 1),
        };
        if let Some(slot) = tokens.get_mut(write) {
            *slot = token;
        }
        write += 1;
        read += step;
    }
    tokens.truncate(write);
    tokens
}

/// Three upper-case ASCII letters, like `KRW`.
fn is_currency(word: &str) -> bool {
    word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase())
}

/// A unit of a duration literal.
fn is_duration_unit(word: &str) -> bool {
    matches!(
        word,
        "day" | "days" | "week" | "weeks" | "month" | "months" | "year" | "years"
    )
}

/// True if `word` is a reserved word of the language.
pub fn is_keyword(word: &str) -> bool {
    let mut lexer = Token::lexer(word);
    match (lexer.next(), lexer.next()) {
        (Some(Ok(token)), None) => {
            token.class() == TokenClass::Keyword || matches!(token, Token::True | Token::False)
        }
        _ => false,
    }
}

/// The ANSI escape that starts a colour for a class, or `None` for plain text.
fn ansi(class: TokenClass) -> Option<&'static str> {
    match class {
        TokenClass::Keyword => Some("\u{1b}[1;35m"),
        TokenClass::Literal => Some("\u{1b}[36m"),
        TokenClass::String => Some("\u{1b}[32m"),
        TokenClass::Comment => Some("\u{1b}[2;37m"),
        TokenClass::Error => Some("\u{1b}[31m"),
        TokenClass::Name | TokenClass::Punctuation | TokenClass::Whitespace => None,
    }
}

/// `text` with ANSI colours: keywords bold magenta, literals cyan, strings
/// green, comments dim, unknown characters red.
///
/// Removing the escape sequences gives back `text`.
pub fn highlight(text: &str) -> String {
    const RESET: &str = "\u{1b}[0m";
    let mut out = String::with_capacity(text.len() * 2);
    for (token, range) in tokens(text) {
        let slice = text.get(range).unwrap_or("");
        match ansi(token.class()) {
            // A coloured run never spans a newline, so that line-by-line
            // display (and `less -R`) keeps the colour right.
            Some(start) => {
                for (i, line) in slice.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    if !line.is_empty() {
                        let _ = write!(out, "{start}{line}{RESET}");
                    }
                }
            }
            None => out.push_str(slice),
        }
    }
    out
}
