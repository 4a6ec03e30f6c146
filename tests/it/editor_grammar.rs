//! The VS Code TextMate grammar (`editors/vscode/syntaxes/`) colours every
//! token kind of the logos lexer, and every keyword as a keyword, so the
//! lexer and the editor cannot drift apart.
//!
//! The grammar is simulated as TextMate applies it at the start of a token:
//! the first pattern, in order, whose regex matches there wins.

#![allow(
    clippy::indexing_slicing,
    reason = "test helpers read the grammar's JSON; a missing key reads as null and fails the test"
)]

use refuge::syntax::tokens::{tokens, Token, TokenClass};
use serde_json::Value;

fn grammar() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/editors/vscode/syntaxes/refuge.tmLanguage.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("the grammar")).expect("JSON")
}

/// The grammar's patterns in order, includes expanded: (regex, scope).
fn patterns(grammar: &Value) -> Vec<(String, String)> {
    fn walk(grammar: &Value, list: &Value, out: &mut Vec<(String, String)>) {
        for p in list.as_array().expect("patterns") {
            if let Some(include) = p.get("include").and_then(Value::as_str) {
                let key = include.trim_start_matches('#');
                walk_one(grammar, &grammar["repository"][key], out);
            } else {
                walk_one(grammar, p, out);
            }
        }
    }
    fn walk_one(grammar: &Value, p: &Value, out: &mut Vec<(String, String)>) {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if let Some(m) = p.get("match").and_then(Value::as_str) {
            out.push((m.to_owned(), name));
        } else if let Some(b) = p.get("begin").and_then(Value::as_str) {
            out.push((b.to_owned(), name));
        } else if let Some(list) = p.get("patterns") {
            walk(grammar, list, out);
        } else {
            panic!("a pattern with no match, begin or patterns: {p}");
        }
    }
    let mut out = Vec::new();
    walk(grammar, &grammar["patterns"], &mut out);
    out
}

/// The scope the grammar gives to `text` at its start, and how much the
/// winning pattern covers (`None` for a `begin` pattern: to its `end`).
fn scope_at(patterns: &[(String, String)], text: &str) -> Option<(String, usize)> {
    for (pattern, scope) in patterns {
        let re = regex::Regex::new(&format!("^(?:{pattern})")).expect("a valid regex");
        if let Some(m) = re.find(text) {
            return Some((scope.clone(), m.end()));
        }
    }
    None
}

/// A sample of each token kind and the scope it must get. The match is
/// exhaustive: a new token kind does not compile until it is listed here.
fn sample(token: Token) -> Option<(&'static str, &'static str)> {
    use Token::*;
    Some(match token {
        Use | Source | Enum | Record | Fact | Setting | Table | Key | Column | Row | Definition
        | Verdict | Default | Rule | Exception | Absolute | Overrides | Lifts | When | Cite
        | Provenance | From | Until | May | By | Qualified | Note | Test | Given | Expect
        | Exercise | AsOf | And | Or | Not | In | Contains | Has | Any | All | If | Then | Else
        | Exists | Set | Of => return None, // every keyword: see `every_keyword_…`
        Undetermined => ("undetermined", "constant.language"),
        True => ("true", "constant.language"),
        False => ("false", "constant.language"),
        Ident => ("person_age2", "variable"),
        Number => ("1_000.5", "constant.numeric"),
        Date => ("2002-06-03", "constant.numeric.date"),
        Percent => ("50%", "constant.numeric.percent"),
        Money => ("KRW 1_000", "constant.numeric.money"),
        Duration => ("10 years", "constant.numeric.duration"),
        String => ("\"a \\\"quoted\\\" text\"", "string.quoted"),
        UnterminatedString => ("\"runs on", "string.quoted"),
        EqEq => ("==", "keyword.operator"),
        NotEq => ("!=", "keyword.operator"),
        LtEq => ("<=", "keyword.operator"),
        GtEq => (">=", "keyword.operator"),
        Lt => ("<", "keyword.operator"),
        Gt => (">", "keyword.operator"),
        Plus => ("+", "keyword.operator"),
        Minus => ("-", "keyword.operator"),
        Star => ("*", "keyword.operator"),
        Slash => ("/", "keyword.operator"),
        Eq => ("=", "keyword.operator"),
        LBrace => ("{", "punctuation"),
        RBrace => ("}", "punctuation"),
        LParen => ("(", "punctuation"),
        RParen => (")", "punctuation"),
        LBracket => ("[", "punctuation"),
        RBracket => ("]", "punctuation"),
        Comma => (",", "punctuation"),
        Colon => (":", "punctuation"),
        Dot => (".", "punctuation"),
        Comment => ("# a comment", "comment"),
        // Not coloured: layout, and text the language does not know.
        Whitespace | Newline | Error => return None,
    })
}

#[test]
fn every_token_kind_gets_its_scope() {
    let patterns = patterns(&grammar());
    let all = [
        Token::Undetermined,
        Token::True,
        Token::False,
        Token::Ident,
        Token::Number,
        Token::Date,
        Token::Percent,
        Token::Money,
        Token::Duration,
        Token::String,
        Token::UnterminatedString,
        Token::EqEq,
        Token::NotEq,
        Token::LtEq,
        Token::GtEq,
        Token::Lt,
        Token::Gt,
        Token::Plus,
        Token::Minus,
        Token::Star,
        Token::Slash,
        Token::Eq,
        Token::LBrace,
        Token::RBrace,
        Token::LParen,
        Token::RParen,
        Token::LBracket,
        Token::RBracket,
        Token::Comma,
        Token::Colon,
        Token::Dot,
        Token::Comment,
    ];
    for token in all {
        let (text, scope) = sample(token).expect("a sample");
        // The sample is one token of that kind for the lexer…
        let lexed = tokens(text);
        assert_eq!(lexed.len(), 1, "{text:?} lexes as {lexed:?}");
        assert_eq!(lexed[0].0, token, "{text:?}");
        // …and the grammar gives it the scope, covering all of it.
        let (got, len) =
            scope_at(&patterns, text).unwrap_or_else(|| panic!("no pattern matches {text:?}"));
        assert!(
            got.starts_with(scope),
            "{token:?} {text:?}: {got}, want {scope}"
        );
        let is_begin = text.starts_with('"');
        assert!(
            is_begin || len == text.len(),
            "{text:?}: covers {len} bytes"
        );
    }
}

#[test]
fn every_keyword_of_the_lexer_is_a_keyword_of_the_grammar() {
    let lexer =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/syntax/tokens.rs"))
            .expect("the lexer");
    let patterns = patterns(&grammar());
    let mut words = Vec::new();
    for line in lexer.lines() {
        let Some(rest) = line.trim().strip_prefix("#[token(\"") else {
            continue;
        };
        let word = rest.split('"').next().unwrap_or("");
        if word.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && !word.is_empty() {
            words.push(word.to_owned());
        }
    }
    assert!(words.len() >= 48, "found only {words:?}");
    for word in &words {
        let lexed = tokens(word);
        assert_eq!(lexed.len(), 1, "{word}");
        let class = lexed[0].0.class();
        assert!(
            matches!(class, TokenClass::Keyword | TokenClass::Literal),
            "{word}"
        );
        let (scope, len) = scope_at(&patterns, word).unwrap_or_default();
        assert!(
            scope.starts_with("keyword.") || scope.starts_with("constant.language"),
            "`{word}` is a keyword of the lexer but the grammar scopes it `{scope}`"
        );
        assert_eq!(len, word.len(), "{word}");
        // Followed by more name characters it is a name again, as in the lexer.
        let longer = format!("{word}x");
        assert_eq!(tokens(&longer)[0].0, Token::Ident);
        let (scope, _) = scope_at(&patterns, &longer).unwrap_or_default();
        assert!(scope.starts_with("variable"), "`{longer}` scoped `{scope}`");
    }
    // And the grammar names no keyword the lexer does not have.
    for (pattern, scope) in &patterns {
        if scope.starts_with("keyword.") && pattern.starts_with("\\b(") {
            let inner = pattern.trim_start_matches("\\b(").trim_end_matches(")\\b");
            for word in inner.split('|') {
                assert!(
                    words.iter().any(|w| w == word),
                    "`{word}` in the grammar only"
                );
            }
        }
    }
}
