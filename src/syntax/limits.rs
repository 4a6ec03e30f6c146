//! Limits checked on the token stream before any recursive phase.
//!
//! The parser, the syntax-tree builder, the checker, the evaluator and the
//! formatter all recurse over expressions, so an expression nested thousands
//! of levels deep would overflow the stack. Before pest runs, `check`
//! measures every expression's nesting with the lossless lexer (which does not
//! recurse) and refuses text beyond the documented limits with a spanned
//! diagnostic (docs/errors.md, `refuge::parse::limit`).
//!
//! Nesting counts, along the way from the outside of an expression in:
//! each open bracket `(` `[` `{`, and each operator or `if` met so far at
//! each bracket level (a chain `a and b and c` nests, as the syntax tree
//! does: `(a and b) and c`). A new clause, declaration or list item starts
//! a fresh count at its level.

use super::error::ParseError;
use super::tokens::{self, Token};
use crate::source::{FileId, Span};

/// The deepest an expression may nest (see the module documentation).
pub const MAX_NESTING: usize = 100;

/// The largest policy file, in bytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The longest name, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// Checks the limits on `text`; returns the deepest nesting found.
pub(crate) fn check(file: FileId, text: &str) -> Result<usize, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError::Limit {
            span: Span::new(file, MAX_FILE_BYTES, MAX_FILE_BYTES),
            what: format!(
                "the file is {} bytes long; the limit is {MAX_FILE_BYTES} bytes (8 MiB)",
                text.len()
            ),
            help: "split the policy into several files (modules, joined with `use`)".to_owned(),
        });
    }
    // One count per open bracket level; the outermost level is the bottom.
    let mut levels: Vec<usize> = vec![0];
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for (token, range) in tokens::tokens(text) {
        match token {
            Token::Ident if range.len() > MAX_NAME_BYTES => {
                return Err(ParseError::Limit {
                    span: Span::new(file, range.start, range.start + MAX_NAME_BYTES),
                    what: format!(
                        "a name is {} bytes long; the limit is {MAX_NAME_BYTES}",
                        range.len()
                    ),
                    help: "use a shorter name".to_owned(),
                });
            }
            Token::LParen | Token::LBracket | Token::LBrace => {
                levels.push(0);
                depth += 1;
            }
            // An unbalanced closer is the parser's to report.
            Token::RParen | Token::RBracket | Token::RBrace if levels.len() > 1 => {
                if let Some(count) = levels.pop() {
                    depth = depth.saturating_sub(count + 1);
                }
            }
            _ if nests(token) => {
                if let Some(count) = levels.last_mut() {
                    *count += 1;
                }
                depth += 1;
            }
            _ if restarts(token) => {
                if let Some(count) = levels.last_mut() {
                    depth = depth.saturating_sub(*count);
                    *count = 0;
                }
            }
            _ => {}
        }
        deepest = deepest.max(depth);
        if depth > MAX_NESTING {
            return Err(ParseError::Limit {
                span: Span::new(file, range.start, range.end),
                what: format!("this expression nests more than {MAX_NESTING} levels deep"),
                help: "brackets, `if`, `not`, `-` and each operator of a chain count one level; \
                       split the expression into named definitions"
                    .to_owned(),
            });
        }
    }
    Ok(deepest)
}

/// Tokens that make the syntax tree one level deeper.
fn nests(token: Token) -> bool {
    matches!(
        token,
        Token::And
            | Token::Or
            | Token::Not
            | Token::In
            | Token::Contains
            | Token::Has
            | Token::If
            | Token::EqEq
            | Token::NotEq
            | Token::LtEq
            | Token::GtEq
            | Token::Lt
            | Token::Gt
            | Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
    )
}

/// Tokens after which a new expression starts at the same bracket level.
fn restarts(token: Token) -> bool {
    matches!(
        token,
        Token::Comma
            | Token::Colon
            | Token::Eq
            | Token::Use
            | Token::Source
            | Token::Enum
            | Token::Record
            | Token::Fact
            | Token::Setting
            | Token::Table
            | Token::Key
            | Token::Column
            | Token::Row
            | Token::Definition
            | Token::Verdict
            | Token::Default
            | Token::Rule
            | Token::Exception
            | Token::When
            | Token::Cite
            | Token::Provenance
            | Token::From
            | Token::Until
            | Token::May
            | Token::Qualified
            | Token::Note
            | Token::Test
            | Token::Given
            | Token::Expect
            | Token::Exercise
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    /// A policy whose one rule's condition is `condition`; the verdict's
    /// braces add one level.
    fn policy(condition: &str) -> String {
        format!(
            "source s : statute \"S\"\nfact a : bool\nverdict v : bool {{\n  default false cite s \"1\" provenance reading\n  rule r = true when {condition} cite s \"2\" provenance reading\n}}\n"
        )
    }

    /// Expressions nested `n` levels deep, one per shape of nesting.
    fn shapes(n: usize) -> Vec<(&'static str, String)> {
        vec![
            ("brackets", format!("{}a{}", "(".repeat(n), ")".repeat(n))),
            ("chain", format!("{}a", "a and ".repeat(n))),
            ("not", format!("{}a", "not ".repeat(n))),
            ("neg", format!("{}1 == 1", "- ".repeat(n - 1))),
            ("if", format!("{}a", "if a then a else ".repeat(n))),
            ("sets", format!("a in {}", "{".repeat(n))),
        ]
    }

    #[test]
    fn at_the_limit_every_phase_runs_on_a_small_stack() {
        // Test threads have 2 MiB of stack, a quarter of a main thread's.
        for (shape, condition) in shapes(MAX_NESTING - 1) {
            if shape == "sets" {
                continue;
            }
            let mut sources = SourceMap::new();
            let id = sources.add("deep.policy", policy(&condition));
            let file = sources.get(id).cloned();
            let Some(file) = file else { continue };
            let parsed = crate::syntax::parse(&file);
            assert!(parsed.is_ok(), "{shape}: {parsed:?}");
            let compiled = crate::compile::compile(&sources);
            assert!(compiled.is_ok(), "{shape}: {:?}", compiled.err());
            let formatted = crate::fmt::format(&file);
            assert!(formatted.is_ok(), "{shape}: {:?}", formatted.err());
            let Ok(compiled) = compiled else { continue };
            let case = crate::case::load_case(
                &compiled.program,
                "case.json",
                r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#,
                crate::case::CaseFormat::Json,
            );
            assert!(case.is_ok(), "{shape}: {:?}", case.err());
            let Ok(case) = case else { continue };
            let engine = crate::eval::Engine::new(&compiled.program);
            let evaluation = engine.evaluate(&case, &crate::eval::Options::default());
            assert!(evaluation.is_ok(), "{shape}: {:?}", evaluation.err());
            if let Ok(evaluation) = evaluation {
                let _ = crate::explain::to_text(&evaluation, false);
                let _ = crate::explain::to_markdown(&evaluation);
                let _ = evaluation.to_json();
            }
        }
    }

    #[test]
    fn past_the_limit_is_a_spanned_error_not_a_crash() {
        for (shape, condition) in shapes(MAX_NESTING * 50) {
            let text = policy(&condition);
            let error = check(FileId(0), &text);
            let Err(ParseError::Limit { span, what, .. }) = error else {
                panic!("{shape}: {error:?}");
            };
            assert!(what.contains("100 levels"), "{shape}: {what}");
            assert!(
                span.start as usize > text.find("when").unwrap_or(0),
                "{shape}"
            );
        }
    }

    #[test]
    fn a_long_policy_of_many_short_rules_is_not_deep() {
        let rules: String = (0..2000)
            .map(|i| format!("  rule r{i} = true when a and a or not a\n"))
            .collect();
        let text = format!("fact a : bool\nverdict v : bool {{\n  default false\n{rules}}}\n");
        assert!(check(FileId(0), &text).is_ok());
    }

    #[test]
    fn long_names_and_huge_files_are_refused() {
        let name = "x".repeat(MAX_NAME_BYTES + 1);
        assert!(matches!(
            check(FileId(0), &format!("fact {name} : bool")),
            Err(ParseError::Limit { .. })
        ));
        let name = "x".repeat(MAX_NAME_BYTES);
        assert!(check(FileId(0), &format!("fact {name} : bool")).is_ok());
        let huge = " ".repeat(MAX_FILE_BYTES + 1);
        assert!(matches!(
            check(FileId(0), &huge),
            Err(ParseError::Limit { .. })
        ));
    }
}
