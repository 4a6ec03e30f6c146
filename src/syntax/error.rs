//! Errors of the parsing phase: [`ParseError`] and the non-empty list
//! [`ParseErrors`] that [`parse`](super::parse) returns.
//!
//! A pest error becomes [`ParseError::Syntax`]: the offending token is found
//! with the lexer in `tokens.rs`, and the rules pest tried at that position are
//! renamed with [`grammar::display_name`], grouped ("an operator" rather than
//! sixteen operators), deduplicated and sorted. Punctuation (`{`, `}`, `=`…)
//! is not a grammar rule, so it comes from pest's detailed parse attempts.

use std::collections::BTreeSet;
use std::fmt;

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::{self, Group, Rule};
use super::tokens::{self, Token};
use crate::source::{FileId, Span};

/// An error found while parsing one policy file.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ParseError {
    /// The text does not follow the grammar, e.g. `verdict v : bool { foo }`.
    #[error("unexpected {found}: expected {expected}")]
    #[diagnostic(code(refuge::parse::syntax))]
    Syntax {
        /// The offending token (empty at the end of the file).
        #[label("not expected here")]
        span: Span,
        /// What the parser would have accepted, e.g. "a rule, `default` or `}`".
        expected: String,
        /// The offending token as shown: "`foo`" or "end of file".
        found: String,
        /// A hint on how to go on.
        #[help]
        help: String,
    },

    /// A literal that follows the grammar but has no value, e.g. the date
    /// `2002-02-30`, the integer `99999999999999999999` or the escape `"\q"`.
    #[error("invalid {what}")]
    #[diagnostic(code(refuge::parse::literal))]
    InvalidLiteral {
        /// The literal (or, for a bad escape, the escape).
        #[label("not a valid literal")]
        span: Span,
        /// What is wrong, e.g. "date `2002-02-30`: February 2002 has 28 days".
        what: String,
        /// How to write it instead.
        #[help]
        help: String,
    },

    /// Something that may be written once was written twice, e.g. two
    /// `as_of` dates in one `test`.
    #[error("{what} is given more than once")]
    #[diagnostic(
        code(refuge::parse::duplicate),
        help("keep one of them and delete the other")
    )]
    Duplicate {
        /// The second occurrence.
        #[label("given again here")]
        span: Span,
        /// The first occurrence.
        #[label("first given here")]
        first: Span,
        /// What was repeated, e.g. "`as_of`".
        what: String,
    },

    /// The text is beyond a documented limit (nesting depth, file size, name
    /// length; see `syntax::limits`), checked before any recursive phase.
    #[error("too large: {what}")]
    #[diagnostic(code(refuge::parse::limit))]
    Limit {
        /// Where the limit was passed.
        #[label("the limit is passed here")]
        span: Span,
        /// Which limit, with the figures.
        what: String,
        /// How to stay within it.
        #[help]
        help: String,
    },

    /// The grammar produced a parse tree that the syntax-tree builder does not
    /// understand. This is a bug in refuge, never the policy's fault.
    #[error("internal: grammar and AST builder disagree at {detail}")]
    #[diagnostic(
        code(refuge::parse::internal),
        help("this is a bug in refuge: please report it together with the policy text")
    )]
    Internal {
        /// Where the builder was.
        #[label("while reading this")]
        span: Span,
        /// What it expected and found.
        detail: String,
    },
}

impl ParseError {
    /// The primary span of the error.
    pub fn span(&self) -> Span {
        match self {
            ParseError::Syntax { span, .. }
            | ParseError::InvalidLiteral { span, .. }
            | ParseError::Duplicate { span, .. }
            | ParseError::Limit { span, .. }
            | ParseError::Internal { span, .. } => *span,
        }
    }

    /// Turns a pest error into a [`ParseError::Syntax`] that names the
    /// offending token and the expected constructs in the policy's terms.
    pub(crate) fn from_pest(error: &pest::error::Error<Rule>, file: FileId, text: &str) -> Self {
        let pos = match error.location {
            InputLocation::Pos(pos) => pos,
            InputLocation::Span((start, _)) => start,
        };
        let (found, range, token) = found_at(text, pos);
        let span = Span::new(file, range.start, range.end);
        let positives: &[Rule] = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives,
            ErrorVariant::CustomError { message } => {
                return ParseError::Internal {
                    span,
                    detail: format!("a custom pest error: {message}"),
                };
            }
        };
        let punctuation: Vec<String> = error
            .parse_attempts()
            .map(|attempts| {
                attempts
                    .expected_tokens()
                    .iter()
                    // The token type is not exported by pest; its `Display`
                    // is the literal text for the case-sensitive strings we
                    // look for (ranges show as `0..9`, never punctuation).
                    .map(ToString::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let expectation = Expectation::new(positives, &punctuation);
        let help = unclosed_brace_help(text, pos, token, &punctuation)
            .unwrap_or_else(|| help_for(&found, token, &expectation));
        ParseError::Syntax {
            span,
            expected: expectation.phrase(),
            found,
            help,
        }
    }
}

/// A declaration keyword where `}` could close a block: the block's `{` was
/// never closed. Says on which line it opened.
fn unclosed_brace_help(
    text: &str,
    pos: usize,
    token: Option<Token>,
    punctuation: &[String],
) -> Option<String> {
    let declaration = matches!(
        token?,
        Token::Use
            | Token::Source
            | Token::Enum
            | Token::Record
            | Token::Fact
            | Token::Setting
            | Token::Table
            | Token::Definition
            | Token::Verdict
            | Token::Test
    );
    if !declaration || !punctuation.iter().any(|p| p == "}") {
        return None;
    }
    let before = text.get(..pos)?;
    let mut open: Vec<usize> = Vec::new();
    for (t, range) in tokens::tokens(before) {
        match t {
            Token::LBrace => open.push(range.start),
            Token::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    let at = *open.last()?;
    let line = before.get(..at)?.matches('\n').count() + 1;
    let word = text.get(pos..)?.split_whitespace().next()?;
    Some(format!(
        "the `{{` on line {line} is never closed: add `}}` before this `{word}`"
    ))
}

/// The offending token at `pos` as shown in the message, the range to label
/// and the token (`None` at the end of the file).
fn found_at(text: &str, pos: usize) -> (String, std::ops::Range<usize>, Option<Token>) {
    let rest = text.get(pos..).unwrap_or("");
    let Some((token, range)) = tokens::tokens(rest).into_iter().next() else {
        return ("end of file".to_owned(), pos..pos, None);
    };
    let slice = rest.get(range.clone()).unwrap_or("");
    let range = match token {
        // The label marks the opening quote, not the rest of the file.
        Token::UnterminatedString => pos..pos + 1,
        _ => pos + range.start..pos + range.end,
    };
    let shown = match token {
        Token::Newline => "end of line".to_owned(),
        Token::Whitespace => "whitespace".to_owned(),
        Token::Comment => "a comment".to_owned(),
        _ => {
            // INVARIANT: messages stay one line, so long tokens (strings)
            // are cut after a few characters.
            const MAX_CHARS: usize = 24;
            let first_line = slice.lines().next().unwrap_or("");
            let mut shown: String = first_line.chars().take(MAX_CHARS).collect();
            if shown.len() < slice.len() {
                shown.push('…');
            }
            format!("`{shown}`")
        }
    };
    (shown, range, Some(token))
}

/// Punctuation that can be expected but is not a grammar rule of its own.
const PUNCTUATION: &[&str] = &["{", "}", "(", ")", "[", "]", ":", "=", ",", "."];

/// A group needs this many of its members expected before the message names
/// the group instead of the members: two keywords read fine, five do not.
const GROUP_THRESHOLD: usize = 3;

/// What the parser expected at the error position, in display form.
struct Expectation {
    /// Phrases like "a rule" or "`default`", deduplicated.
    items: BTreeSet<(bool, String)>,
    /// The groups named instead of their members.
    groups: BTreeSet<Group>,
}

impl Expectation {
    fn new(positives: &[Rule], punctuation: &[String]) -> Self {
        let mut groups = BTreeSet::new();
        for group in [
            Group::Expression,
            Group::Operator,
            Group::Clause,
            Group::Declaration,
            Group::Pinpoint,
        ] {
            let members = positives
                .iter()
                .filter(|rule| Group::of(**rule) == Some(group))
                .count();
            if members >= GROUP_THRESHOLD
                || positives.contains(&Rule::expr) && group == Group::Expression
                || positives.contains(&Rule::op_expected) && group == Group::Operator
            {
                groups.insert(group);
            }
        }
        // Items sort with the described constructs ("a rule") first and the
        // literal tokens ("`default`", "`}`") after them.
        let mut items: BTreeSet<(bool, String)> = BTreeSet::new();
        for group in &groups {
            items.insert((false, group.display_name().to_owned()));
        }
        for rule in positives {
            if Group::of(*rule).is_some_and(|g| groups.contains(&g)) {
                continue;
            }
            if let Some(name) = grammar::display_name(*rule) {
                items.insert((name.starts_with('`'), name.to_owned()));
            }
        }
        let in_expression = groups.contains(&Group::Expression);
        let after_operand = groups.contains(&Group::Operator);
        for token in punctuation {
            let token = token.as_str();
            if !PUNCTUATION.contains(&token) {
                continue;
            }
            // `(`, `[` and `{` start or continue an expression (parentheses,
            // a call, a lookup, a set): the group phrase already covers them.
            let in_pinpoint = groups.contains(&Group::Pinpoint);
            let implied = match token {
                "(" | "," if in_pinpoint => true,
                "(" | "[" => in_expression || after_operand,
                "{" => in_expression,
                _ => false,
            };
            if !implied {
                items.insert((true, format!("`{token}`")));
            }
        }
        Expectation { items, groups }
    }

    /// "a, b or c".
    fn phrase(&self) -> String {
        let names: Vec<&str> = self.items.iter().map(|(_, name)| name.as_str()).collect();
        match names.split_last() {
            None => "something else".to_owned(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, init)) => format!("{} or {last}", init.join(", ")),
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.items.iter().any(|(_, item)| item == name)
    }
}

/// The help line of a syntax error.
fn help_for(found: &str, token: Option<Token>, expectation: &Expectation) -> String {
    let word = found.trim_matches('`');
    let wants_name =
        expectation.contains("a name") || expectation.groups.contains(&Group::Expression);
    if wants_name && tokens::is_keyword(word) {
        return format!("`{word}` is a reserved word: choose another name");
    }
    // Operators from other languages: say what to write instead.
    let instead = match word {
        "&&" | "&" => Some("and"),
        "||" | "|" => Some("or"),
        "!" => Some("not"),
        "===" => Some("=="),
        "<>" => Some("!="),
        _ => None,
    };
    if let Some(instead) = instead {
        return format!("`{word}` is not part of the policy language: write `{instead}`");
    }
    match token {
        Some(Token::UnterminatedString) => {
            return "this string has no closing `\"`".to_owned();
        }
        Some(Token::Error) => {
            return format!("`{word}` is not part of the policy language");
        }
        _ => {}
    }
    // A word where a keyword was expected: probably a misspelled keyword.
    if word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !word.is_empty() {
        let mut candidates: Vec<&str> = expectation
            .items
            .iter()
            .filter_map(|(_, item)| item.strip_prefix('`')?.strip_suffix('`'))
            .filter(|k| tokens::is_keyword(k))
            .collect();
        let groups = &expectation.groups;
        if groups.contains(&Group::Clause) {
            candidates.extend([
                "when",
                "cite",
                "provenance",
                "from",
                "until",
                "may",
                "qualified",
                "note",
            ]);
        }
        if groups.contains(&Group::Declaration) {
            candidates.extend([
                "use",
                "source",
                "enum",
                "record",
                "fact",
                "setting",
                "table",
                "definition",
                "verdict",
                "test",
            ]);
        }
        if expectation.contains("a rule") {
            candidates.extend(["rule", "exception", "absolute", "default"]);
        }
        if expectation.contains("a provenance like `seed` or `text`") {
            let kinds = ["seed", "text", "published", "unverified", "reading"];
            return crate::suggest::did_you_mean_help(word, kinds).unwrap_or_else(|| {
                format!(
                    "a provenance is one of {}",
                    kinds.map(|k| format!("`{k}`")).join(", ")
                )
            });
        }
        if let Some(keyword) = crate::suggest::did_you_mean(word, candidates) {
            return format!("did you mean `{keyword}`?");
        }
    }
    let groups = &expectation.groups;
    if groups.contains(&Group::Operator) && groups.contains(&Group::Clause) {
        return "an expression goes on with an operator (`and`, `==`, `+`, …) or ends before \
                a clause (`cite`, `provenance`, …)"
            .to_owned();
    }
    if let Some(group) = groups.iter().next() {
        return group.help().to_owned();
    }
    if found == "end of file" && expectation.contains("`}`") {
        return "the file ends inside a block: add the missing `}`".to_owned();
    }
    "see docs/language.md for the syntax of each declaration".to_owned()
}

/// All errors found in one file; never empty when returned by
/// [`parse`](super::parse).
///
/// As a [`miette::Diagnostic`] it shows the first error, with the others as
/// related diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl ParseErrors {
    /// The errors, in source order.
    pub fn iter(&self) -> std::slice::Iter<'_, ParseError> {
        self.0.iter()
    }

    /// The first error, shown as the primary diagnostic.
    pub fn first(&self) -> Option<&ParseError> {
        self.0.first()
    }
}

impl From<ParseError> for ParseErrors {
    fn from(error: ParseError) -> Self {
        ParseErrors(vec![error])
    }
}

impl IntoIterator for ParseErrors {
    type Item = ParseError;
    type IntoIter = std::vec::IntoIter<ParseError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ParseErrors {
    type Item = &'a ParseError;
    type IntoIter = std::slice::Iter<'a, ParseError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.first() {
            Some(first) => write!(f, "{first}"),
            None => write!(f, "no parse errors"),
        }
    }
}

impl std::error::Error for ParseErrors {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.first()?.source()
    }
}

impl miette::Diagnostic for ParseErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first()?.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.0.first()?.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first()?.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.first()?.url()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.first()?.labels()
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.0.len() < 2 {
            return None;
        }
        Some(Box::new(
            self.0
                .iter()
                .skip(1)
                .map(|error| error as &dyn miette::Diagnostic),
        ))
    }
}
