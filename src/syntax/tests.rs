//! The parser, specified by example.

#![allow(
    clippy::indexing_slicing,
    reason = "a test that indexes out of bounds fails, which is what it should do"
)]

use super::tokens::{tokens, Token};
use super::{highlight, parse, ParseError, ParseErrors};
use crate::ast::{
    BinaryOp, DurationUnit, Expr, ExprKind, Item, Module, Provenance, RuleKind, SourceKind,
    TypeExpr, UnaryOp,
};
use crate::source::{FileId, SourceFile};
use rust_decimal::Decimal;
use std::str::FromStr;

// ---------------------------------------------------------------- helpers ----

fn source(text: &str) -> SourceFile {
    SourceFile {
        id: FileId(7),
        name: "test.policy".to_owned(),
        module: "kr.test".to_owned(),
        text: text.to_owned(),
    }
}

/// Renders errors as plain text, so a failing test shows what a user sees.
fn render(text: &str, errors: ParseErrors) -> String {
    let report = miette::Report::new(errors)
        .with_source_code(miette::NamedSource::new("test.policy", text.to_owned()));
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    handler
        .render_report(&mut out, report.as_ref())
        .expect("rendering to a string cannot fail");
    out
}

/// Parses a policy that must be valid.
fn parses(text: &str) -> Module {
    match parse(&source(text)) {
        Ok(module) => module,
        Err(errors) => panic!("expected the policy to parse:\n{}", render(text, errors)),
    }
}

/// Parses a policy that must be invalid, and returns its errors.
fn fails(text: &str) -> Vec<ParseError> {
    match parse(&source(text)) {
        Ok(module) => panic!("expected a parse error, got {module:#?}"),
        Err(errors) => errors.0,
    }
}

/// Parses a policy with exactly one error.
fn fails_once(text: &str) -> ParseError {
    let mut errors = fails(text);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.remove(0)
}

/// The text an error's primary span covers.
fn spanned<'t>(text: &'t str, error: &ParseError) -> &'t str {
    &text[error.span().range()]
}

/// Parses `text` as the value of a `default`.
fn expr(text: &str) -> Expr {
    let module = parses(&format!("verdict v : bool {{ default {text} }}"));
    match module.items.into_iter().next() {
        Some(Item::Definition(mut d)) => d.defaults.remove(0).value,
        other => panic!("expected a definition, got {other:?}"),
    }
}

/// An expression as an S-expression: `(or a (and b c))`.
fn shape(e: &Expr) -> String {
    match &e.node {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Integer(i) => i.to_string(),
        ExprKind::Decimal(d) => d.to_string(),
        ExprKind::Money(d, c) => format!("{c} {d}"),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::Duration(n, u) => format!("{n} {u:?}"),
        ExprKind::Text(t) => format!("{t:?}"),
        ExprKind::Path(segments) => segments
            .iter()
            .map(|s| s.node.as_str())
            .collect::<Vec<_>>()
            .join("."),
        ExprKind::AsOf => "as_of".to_owned(),
        ExprKind::Set(items) => format!("{{{}}}", list(items)),
        ExprKind::Unary(UnaryOp::Not, e) => format!("(not {})", shape(e)),
        ExprKind::Unary(UnaryOp::Neg, e) => format!("(neg {})", shape(e)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.as_str(), shape(l), shape(r)),
        ExprKind::If(c, a, b) => format!("(if {} {} {})", shape(c), shape(a), shape(b)),
        ExprKind::Call(f, args) => format!("{}({})", f.node, list(args)),
        ExprKind::Lookup(t, keys, Some(col)) => format!("{}[{}].{}", t.node, list(keys), col.node),
        ExprKind::Lookup(t, keys, None) => format!("{}[{}]", t.node, list(keys)),
        ExprKind::Exists(t, keys) => format!("(exists {}[{}])", t.node, list(keys)),
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(shape).collect::<Vec<_>>().join(", ")
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// The fenced blocks of docs/language.md: one policy made of every ```refuge
/// block, and each ```refuge,fragment block on its own.
fn doc_examples() -> (String, Vec<String>) {
    let doc = include_str!("../../docs/language.md");
    let mut policy = String::new();
    let mut fragments = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```refuge") => current = Some((false, String::new())),
            (None, "```refuge,fragment") => current = Some((true, String::new())),
            (Some(_), "```") => {
                let (fragment, text) = current.take().unwrap();
                if fragment {
                    fragments.push(text);
                } else {
                    policy.push_str(&text);
                }
            }
            (Some((_, text)), line) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(policy.len() > 500, "the docs lost their examples");
    assert!(fragments.len() >= 4, "the docs lost their fragments");
    (policy, fragments)
}

const SMALL_POLICY: &str = r#"
use states.treaties
source rok_act : statute "Act" note "as amended"
enum Protection "protection" { protected "protected", not_protected, }
record Person { age : integer "age", nationality : text }
fact person : Person
fact convictions : set of Crime "crimes"
table parties { key state : State column reservation : text "text"
  row china, refugee_convention { reservation: "Art. 14" } from 1982-09-24 cite untc "V.2" }
verdict protection : Protection {
  default not_protected cite rok_act "Art. 8" provenance reading
  absolute rule applied = protected
    when person.age >= 18 and not (convictions has any {Crime.murder})
    cite rok_act "Art. 7(1)" provenance seed from 2002-06-03 until 2030-01-01
    may "refuse" by "Minister" qualified by e1, e2 note "a note"
  exception e1 lifts applied when exists parties[china, refugee_convention]
    cite rok_act "Art. 9"
}
test "an applicant" {
  as_of 2003-01-01
  given person.age = 20
  exercise applied = true
  expect protection = protected
  expect other = undetermined
}
"#;

// ------------------------------------------------------------ the docs ----

#[test]
fn every_example_in_the_language_docs_parses() {
    let (policy, fragments) = doc_examples();
    let module = parses(&policy);
    assert_eq!(module.name, "kr.test");
    assert!(module.items.len() >= 10);
    for fragment in fragments {
        parses(&fragment);
    }
}

#[test]
fn the_docs_verdict_reads_as_written() {
    let (policy, _) = doc_examples();
    let module = parses(&policy);
    let protection = module
        .items
        .iter()
        .find_map(|item| match item {
            Item::Definition(d) if d.name.node == "protection" => Some(d),
            _ => None,
        })
        .unwrap();
    assert!(protection.is_verdict);
    assert_eq!(
        protection.label.as_deref(),
        Some("protection under the Act")
    );
    assert_eq!(shape(&protection.defaults[0].value), "not_protected");
    let rule = &protection.rules[0];
    assert_eq!(rule.name.node, "applied");
    assert_eq!(rule.kind, RuleKind::Base);
    assert_eq!(shape(rule.value.as_ref().unwrap()), "protected");
    assert_eq!(
        shape(&rule.clauses.when[0]),
        "person.applied_for_protection"
    );
    let cites: Vec<_> = rule
        .clauses
        .cites
        .iter()
        .map(|c| {
            let locators: Vec<(&str, &str)> = c.pinpoint.node[0]
                .locators
                .iter()
                .map(|l| (l.kind.keyword(), l.from.node.as_str()))
                .collect();
            (c.source.node.as_str(), locators)
        })
        .collect();
    assert_eq!(
        cites,
        [
            ("rok_act", vec![("art", "7")]),
            (
                "hrw_2002",
                vec![("section", "South Korean Policy"), ("line", "35")]
            )
        ]
    );
    assert_eq!(rule.clauses.provenance[0].node, Provenance::Seed);
}

// ------------------------------------------------------ declarations ----

#[test]
fn every_declaration_and_clause_builds_its_node() {
    let text = SMALL_POLICY;
    let module = parses(text);
    let [Item::Use(used), Item::Source(src), Item::Enum(en), Item::Record(rec), Item::Fact(person), Item::Fact(convictions), Item::Table(table), Item::Definition(def), Item::Test(test)] =
        module.items.as_slice()
    else {
        panic!("unexpected items: {:#?}", module.items)
    };
    assert_eq!(used.node, "states.treaties");
    assert_eq!(&text[used.span.range()], "states.treaties");

    assert_eq!(
        (src.name.node.as_str(), src.kind),
        ("rok_act", SourceKind::Statute)
    );
    assert_eq!(
        (src.title.as_str(), src.note.as_deref()),
        ("Act", Some("as amended"))
    );

    assert_eq!(en.label.as_deref(), Some("protection"));
    let variants: Vec<_> = en
        .variants
        .iter()
        .map(|v| (v.name.node.as_str(), v.label.as_deref()))
        .collect();
    assert_eq!(
        variants,
        [("protected", Some("protected")), ("not_protected", None)]
    );

    assert_eq!(rec.fields.len(), 2);
    assert_eq!(rec.fields[0].label.as_deref(), Some("age"));
    assert!(matches!(&person.ty, TypeExpr::Named(t) if t.node == "Person"));
    assert!(matches!(&convictions.ty, TypeExpr::SetOf(t) if t.node == "Crime"));
    assert_eq!(convictions.label.as_deref(), Some("crimes"));

    assert_eq!(table.keys.len(), 1);
    assert_eq!(table.columns[0].2.as_deref(), Some("text"));
    let row = &table.rows[0];
    assert_eq!(list(&row.keys), "china, refugee_convention");
    assert_eq!(row.cells[0].0.node, "reservation");
    assert_eq!(shape(&row.cells[0].1), "\"Art. 14\"");
    assert_eq!(row.clauses.from[0].node.to_string(), "1982-09-24");
    assert_eq!(row.clauses.cites[0].source.node, "untc");

    let rule = &def.rules[0];
    assert!(rule.absolute);
    assert_eq!(
        shape(&rule.clauses.when[0]),
        "(and (>= person.age 18) (not (has any convictions {Crime.murder})))"
    );
    let clauses = &rule.clauses;
    assert_eq!(clauses.until[0].node.to_string(), "2030-01-01");
    assert_eq!(&text[clauses.from[0].span.range()], "from 2002-06-03");
    assert_eq!(clauses.may[0].node.permits, "refuse");
    assert_eq!(clauses.may[0].node.holder, "Minister");
    let qualified: Vec<_> = clauses.qualified_by[0]
        .iter()
        .map(|i| i.node.as_str())
        .collect();
    assert_eq!(qualified, ["e1", "e2"]);
    assert_eq!(clauses.notes[0].node, "a note");
    assert_eq!(
        &text[clauses.cites[0].pinpoint.span.range()],
        "\"Art. 7(1)\""
    );

    let exception = &def.rules[1];
    assert!(!exception.absolute);
    assert!(matches!(&exception.kind, RuleKind::Lifts(t) if t[0].node == "applied"));
    assert!(exception.value.is_none());
    assert_eq!(
        shape(&exception.clauses.when[0]),
        "(exists parties[china, refugee_convention])"
    );
    assert!(text[exception.span.range()].starts_with("exception e1 lifts"));

    assert_eq!(test.name.node, "an applicant");
    assert_eq!(test.as_of.unwrap().node.to_string(), "2003-01-01");
    assert_eq!(test.given[0].0.node, ["person", "age"]);
    assert_eq!(&text[test.given[0].0.span.range()], "person.age");
    assert_eq!(test.exercise[0].0.node, "applied");
    assert_eq!(shape(test.expect[0].1.as_ref().unwrap()), "protected");
    assert_eq!(test.expect[1].1, None);
}

#[test]
fn a_declaration_spans_its_whole_text() {
    let text = "fact a : bool\n\nfact b : bool \"label\"   # comment\n";
    let module = parses(text);
    let Item::Fact(b) = &module.items[1] else {
        panic!()
    };
    assert_eq!(&text[b.span.range()], "fact b : bool \"label\"");
    assert_eq!(b.span.file, FileId(7));
}

#[test]
fn absolute_rules_and_undetermined_expectations_may_be_followed_by_more() {
    // Both once failed: `"absolute" ~ !ident_char` in a non-atomic rule looked
    // past the space at the `r` of `rule`.
    let module = parses(
        "verdict v : bool { absolute rule r when a cite s \"1\" absolute rule q }
         test \"t\" { expect v = undetermined expect w = undetermined given x = 1 }",
    );
    let [Item::Definition(v), Item::Test(t)] = module.items.as_slice() else {
        panic!()
    };
    assert!(v.rules.iter().all(|r| r.absolute));
    assert_eq!(t.expect.len(), 2);
    assert_eq!(t.given.len(), 1);
}

#[test]
fn keywords_end_at_word_boundaries() {
    assert_eq!(shape(&expr("exists_map[k].c")), "exists_map[k].c");
    assert_eq!(shape(&expr("exists map[k]")), "(exists map[k])");
    assert_eq!(shape(&expr("andrew and orson")), "(and andrew orson)");
    assert_eq!(shape(&expr("not_protected")), "not_protected");
    assert_eq!(shape(&expr("iffy")), "iffy");
    assert_eq!(shape(&expr("inside in {input}")), "(in inside {input})");
    // A keyword glued to a name is not the keyword.
    fails_once("verdict v : bool { rulex when a }");
    fails_once("factx : bool");
    let module = parses("fact settings : setup");
    let [Item::Fact(f)] = module.items.as_slice() else {
        panic!()
    };
    assert!(matches!(&f.ty, TypeExpr::Named(t) if t.node == "setup"));
}

/// The words of the grammar's `keyword` rule: a trie, one line per first
/// letter (`"e" ~ ("num" | "xception" | …)`).
fn grammar_keywords() -> Vec<String> {
    let grammar = include_str!("../../grammar/refuge.pest");
    let start = grammar.find("keyword = @{").unwrap();
    let end = start + grammar[start..].find("\n}").unwrap();
    let mut words = Vec::new();
    for line in grammar[start..end].lines().skip(1) {
        let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        if let Some((first, rest)) = quoted.split_first() {
            words.extend(rest.iter().map(|r| format!("{first}{r}")));
        }
    }
    words
}

#[test]
fn the_reserved_words_agree_between_grammar_parser_and_lexer() {
    let keywords = grammar_keywords();
    assert_eq!(keywords.len(), 49, "{keywords:?}");
    assert!(keywords.iter().any(|k| k == "undetermined"));
    for word in &keywords {
        assert!(
            super::tokens::is_keyword(word),
            "the lexer does not reserve `{word}`"
        );
        let error = fails_once(&format!("fact {word} : bool"));
        assert!(
            matches!(error, ParseError::Syntax { .. }),
            "`{word}` is a name"
        );
    }
    // Every `kw_x` rule spells a reserved word.
    let grammar = include_str!("../../grammar/refuge.pest");
    for line in grammar.lines().filter(|l| l.starts_with("kw_")) {
        let word = line.split('"').nth(1).unwrap();
        assert!(
            keywords.iter().any(|k| k == word),
            "`{word}` is not in `keyword`"
        );
    }
    // The pinpoint locator words are names outside a `cite`.
    // So are the words of an `accept` clause.
    for word in [
        "art", "para", "item", "section", "footnote", "line", "accept", "with", "overlap", "gap",
        "dead", "window",
    ] {
        let module = parses(&format!("fact {word} : bool"));
        assert!(matches!(module.items.as_slice(), [Item::Fact(_)]), "{word}");
    }
    // And the lexer reserves nothing else.
    for (token, range) in tokens("bool integer statute seed years text KRW") {
        assert!(
            matches!(token, Token::Ident | Token::Whitespace),
            "{range:?}"
        );
    }
}

#[test]
fn comments_and_layout_carry_no_meaning() {
    let a = parses("verdict v:bool{default false cite s \"x\"}");
    let b = parses(
        "# header\nverdict v : bool {   # open\n  default\n    false # value\n  cite s \"x\"\n}\n# end",
    );
    assert_eq!(a, b);
}

// -------------------------------------------------------- expressions ----

#[test]
fn precedence_runs_from_or_down_to_unary_minus() {
    assert_eq!(
        shape(&expr("a or b and not c == d")),
        "(or a (and b (not (== c d))))"
    );
    assert_eq!(shape(&expr("not a and b")), "(and (not a) b)");
    assert_eq!(shape(&expr("a == b + c * d")), "(== a (+ b (* c d)))");
    assert_eq!(shape(&expr("-a * b + c")), "(+ (* (neg a) b) c)");
    assert_eq!(shape(&expr("a - b - c")), "(- (- a b) c)");
    assert_eq!(shape(&expr("a / b * c")), "(* (/ a b) c)");
    assert_eq!(shape(&expr("(a or b) and c")), "(and (or a b) c)");
    assert_eq!(shape(&expr("x in {a, b} or y")), "(or (in x {a, b}) y)");
    assert_eq!(
        shape(&expr("s has any {a} and s has all {b, c,} or s contains d")),
        "(or (and (has any s {a}) (has all s {b, c})) (contains s d))"
    );
    assert_eq!(shape(&expr("a <= b != c")), "(!= (<= a b) c)");
    assert_eq!(shape(&expr("not not a")), "(not (not a))");
    assert_eq!(shape(&expr("- -1")), "(neg (neg 1))");
}

#[test]
fn every_operator_maps_to_its_ast_operator() {
    for (text, op) in [
        ("or", BinaryOp::Or),
        ("and", BinaryOp::And),
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::Ne),
        ("<", BinaryOp::Lt),
        ("<=", BinaryOp::Le),
        (">", BinaryOp::Gt),
        (">=", BinaryOp::Ge),
        ("in", BinaryOp::In),
        ("contains", BinaryOp::Contains),
        ("has any", BinaryOp::HasAny),
        ("has  all", BinaryOp::HasAll),
        ("+", BinaryOp::Add),
        ("-", BinaryOp::Sub),
        ("*", BinaryOp::Mul),
        ("/", BinaryOp::Div),
    ] {
        let e = expr(&format!("a {text} b"));
        assert!(
            matches!(e.node, ExprKind::Binary(found, _, _) if found == op),
            "`{text}` gave {e:?}"
        );
    }
}

#[test]
fn operands() {
    assert_eq!(shape(&expr("min(a, max(b, 1))")), "min(a, max(b, 1))");
    assert_eq!(shape(&expr("count()")), "count()");
    assert_eq!(
        shape(&expr("parties[s, t].reservation")),
        "parties[s, t].reservation"
    );
    assert_eq!(shape(&expr("parties[s]")), "parties[s]");
    assert_eq!(shape(&expr("if a then 1 else 2")), "(if a 1 2)");
    assert_eq!(
        shape(&expr("as_of - arrival >= 1 year")),
        "(>= (- as_of arrival) 1 Years)"
    );
    assert_eq!(shape(&expr("{}")), "{}");
    assert_eq!(shape(&expr("Crime.murder")), "Crime.murder");
}

/// An `if` after an operator (of any group of the grammar's `infix`) is the
/// chain's last operand: its `else` takes the rest of the chain.
#[test]
fn an_if_after_an_operator_takes_the_rest_of_the_chain() {
    assert_eq!(
        shape(&expr("a + if c then 1 else 2 * b")),
        "(+ a (if c 1 (* 2 b)))"
    );
    assert_eq!(
        shape(&expr("x and if c then y else z or w")),
        "(and x (if c y (or z w)))"
    );
    assert_eq!(shape(&expr("n >= if c then 1 else 2")), "(>= n (if c 1 2))");
    assert_eq!(
        shape(&expr("s has any if c then t else u")),
        "(has any s (if c t u))"
    );
}

#[test]
fn each_path_segment_and_operator_node_has_its_span() {
    let text = "verdict v : bool { default person.age + 1 }";
    let module = parses(text);
    let Item::Definition(d) = &module.items[0] else {
        panic!()
    };
    let value = &d.defaults[0].value;
    assert_eq!(&text[value.span.range()], "person.age + 1");
    let ExprKind::Binary(_, lhs, _) = &value.node else {
        panic!()
    };
    let ExprKind::Path(segments) = &lhs.node else {
        panic!()
    };
    let spans: Vec<_> = segments.iter().map(|s| &text[s.span.range()]).collect();
    assert_eq!(spans, ["person", "age"]);
}

// ----------------------------------------------------------- literals ----

#[test]
fn literals_become_typed_values() {
    let cases: &[(&str, ExprKind)] = &[
        ("true", ExprKind::Bool(true)),
        ("false", ExprKind::Bool(false)),
        ("42", ExprKind::Integer(42)),
        ("1_000_000", ExprKind::Integer(1_000_000)),
        ("9223372036854775807", ExprKind::Integer(i64::MAX)),
        ("0.5", ExprKind::Decimal(dec("0.5"))),
        ("1_000.25", ExprKind::Decimal(dec("1000.25"))),
        ("50%", ExprKind::Decimal(dec("0.5"))),
        ("12.5%", ExprKind::Decimal(dec("0.125"))),
        (
            "KRW 1_000_000",
            ExprKind::Money(dec("1000000"), "KRW".to_owned()),
        ),
        ("USD   2.50", ExprKind::Money(dec("2.5"), "USD".to_owned())),
        ("2002-06-03", ExprKind::Date(jiff::civil::date(2002, 6, 3))),
        ("2004-02-29", ExprKind::Date(jiff::civil::date(2004, 2, 29))),
        ("10 years", ExprKind::Duration(10, DurationUnit::Years)),
        ("1 year", ExprKind::Duration(1, DurationUnit::Years)),
        ("6 months", ExprKind::Duration(6, DurationUnit::Months)),
        ("2 weeks", ExprKind::Duration(2, DurationUnit::Weeks)),
        ("30  days", ExprKind::Duration(30, DurationUnit::Days)),
        ("1 day", ExprKind::Duration(1, DurationUnit::Days)),
        ("\"plain\"", ExprKind::Text("plain".to_owned())),
        (
            r#""a \"b\" \\ c\nd\te""#,
            ExprKind::Text("a \"b\" \\ c\nd\te".to_owned()),
        ),
        ("\"ünïcödé\"", ExprKind::Text("ünïcödé".to_owned())),
        ("as_of", ExprKind::AsOf),
    ];
    for (text, expected) in cases {
        assert_eq!(&expr(text).node, expected, "literal `{text}`");
    }
    assert!(matches!(expr("50%").node, ExprKind::Decimal(d) if d.to_string() == "0.5"));
}

#[test]
fn a_date_that_is_not_on_the_calendar_is_an_error() {
    let text = "verdict v : bool { rule r from 2002-02-30 }";
    let error = fails_once(text);
    assert_eq!(spanned(text, &error), "2002-02-30");
    let ParseError::InvalidLiteral { what, help, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(what, "date `2002-02-30`: February 2002 has 28 days");
    assert_eq!(help, "pick a day from 01 to 28");
    assert_eq!(
        error.to_string(),
        "invalid date `2002-02-30`: February 2002 has 28 days"
    );

    let error = fails_once("test \"t\" { as_of 2002-13-01 }");
    assert_eq!(
        error.to_string(),
        "invalid date `2002-13-01`: there is no month 13"
    );
    fails_once("verdict v : date { default 2001-02-29 }");
}

#[test]
fn numbers_that_do_not_fit_are_errors() {
    let text = "verdict v : integer { default 9_223_372_036_854_775_808 }";
    let error = fails_once(text);
    assert_eq!(spanned(text, &error), "9_223_372_036_854_775_808");
    assert_eq!(
        error.to_string(),
        "invalid number `9_223_372_036_854_775_808`: too large for an integer"
    );
    fails_once("verdict v : decimal { default 1.00000000000000000000000000000001 }");
    fails_once("verdict v : duration { default 99999999999999999999 days }");
    let error = fails_once("verdict v : duration { default 1.5 years }");
    assert_eq!(
        error.to_string(),
        "invalid duration `1.5 years`: durations are whole numbers"
    );
}

#[test]
fn an_unknown_escape_is_an_error_at_the_escape() {
    let text = r#"source s : seed "C:\quarterly""#;
    let error = fails_once(text);
    assert_eq!(spanned(text, &error), r"\q");
    assert_eq!(error.to_string(), r"invalid escape `\q` in a string");
}

#[test]
fn every_invalid_literal_in_a_file_is_reported() {
    let text = "verdict v : bool {\n  rule a from 2002-02-30 until 2002-04-31 note \"\\x\"\n}";
    let errors = fails(text);
    let spans: Vec<_> = errors.iter().map(|e| spanned(text, e)).collect();
    assert_eq!(spans, ["2002-02-30", "2002-04-31", r"\x"]);
}

#[test]
fn a_test_may_give_its_date_once() {
    let text = "test \"t\" {\n  as_of 2002-01-01\n  as_of 2003-01-01\n}";
    let error = fails_once(text);
    assert_eq!(spanned(text, &error), "as_of 2003-01-01");
    let ParseError::Duplicate { first, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(&text[first.range()], "as_of 2002-01-01");
    assert_eq!(
        error.to_string(),
        "`as_of` of test `t` is given more than once"
    );
}

// ------------------------------------------------------ syntax errors ----

/// The message, and the text the label points at.
fn syntax_error(text: &str) -> (String, String) {
    let error = fails_once(text);
    assert!(matches!(error, ParseError::Syntax { .. }), "{error:?}");
    (error.to_string(), spanned(text, &error).to_owned())
}

#[test]
fn a_syntax_error_names_the_token_and_what_could_come_instead() {
    let text = "verdict v : bool {\n  default false cite s \"x\"\n  foo\n}";
    assert_eq!(
        syntax_error(text),
        (
            "unexpected `foo`: expected a clause, a rule, a string, `default` or `}`".to_owned(),
            "foo".to_owned()
        )
    );
}

#[test]
fn syntax_errors_read_in_the_policy_language() {
    let cases = [
        ("enum E 5", "unexpected `5`: expected a string or `{`", "5"),
        (
            "fact a : bool\nfact b :",
            "unexpected end of file: expected a type",
            "",
        ),
        (
            "verdict v : bool { rule r when a and }",
            "unexpected `}`: expected an expression",
            "}",
        ),
        (
            "verdict v : bool { rule r when a b }",
            "unexpected `b`: expected a clause, a rule, an operator, `default` or `}`",
            "b",
        ),
        (
            "source s : bogus \"x\"",
            "unexpected `bogus`: expected a kind of source like `statute` or `treaty`",
            "bogus",
        ),
        (
            "test \"t\" { given a = }",
            "unexpected `}`: expected an expression",
            "}",
        ),
        (
            "fact rule : bool",
            "unexpected `rule`: expected a name",
            "rule",
        ),
        (
            "verdict v : bool { rule r from 2002-1-01 }",
            "unexpected `2002`: expected a date like 2002-06-03",
            "2002",
        ),
        (
            "fact a : bool\n@",
            // A label string may still follow `bool`.
            "unexpected `@`: expected a declaration, a string or end of file",
            "@",
        ),
        (
            "source s : seed \"unterminated\nfact a : bool",
            "unexpected `\"unterminated…`: expected a string",
            "\"",
        ),
    ];
    let mismatches: Vec<_> = cases
        .iter()
        .filter_map(|(text, message, at)| {
            let found = syntax_error(text);
            (found != (message.to_string(), at.to_string()))
                .then(|| format!("{text:?}\n  gave {found:?}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_reserved_word_used_as_a_name_says_so() {
    let error = fails_once("fact rule : bool");
    let ParseError::Syntax { help, .. } = &error else {
        panic!()
    };
    assert_eq!(help, "`rule` is a reserved word: choose another name");
}

#[test]
fn errors_render_with_code_label_and_help() {
    let text = "verdict v : bool {\n  default false\n  rule r when a b\n}";
    insta::assert_snapshot!(render(text, ParseErrors(fails(text))), @r"
    refuge::parse::syntax

      × unexpected `b`: expected a clause, a rule, an operator, `default` or `}`
       ╭─[test.policy:3:17]
     2 │   default false
     3 │   rule r when a b
       ·                 ┬
       ·                 ╰── not expected here
     4 │ }
       ╰────
      help: an expression goes on with an operator (`and`, `==`, `+`, …) or ends before a clause
            (`cite`, `provenance`, …)
    ");
}

#[test]
fn every_bad_literal_is_shown_with_the_first_as_primary() {
    let text = "verdict v : bool {\n  rule r from 2002-02-30 until 2002-04-31\n}";
    insta::assert_snapshot!(render(text, ParseErrors(fails(text))), @r"
    refuge::parse::literal

      × invalid date `2002-02-30`: February 2002 has 28 days
       ╭─[test.policy:2:15]
     1 │ verdict v : bool {
     2 │   rule r from 2002-02-30 until 2002-04-31
       ·               ─────┬────
       ·                    ╰── not a valid literal
     3 │ }
       ╰────
      help: pick a day from 01 to 28

    Error: refuge::parse::literal

      × invalid date `2002-04-31`: April 2002 has 30 days
       ╭─[test.policy:2:32]
     1 │ verdict v : bool {
     2 │   rule r from 2002-02-30 until 2002-04-31
       ·                                ─────┬────
       ·                                     ╰── not a valid literal
     3 │ }
       ╰────
      help: pick a day from 01 to 30
    ");
}

#[test]
fn parse_errors_show_the_first_error_and_relate_the_rest() {
    use miette::Diagnostic;
    let text = "fact a : date \"x\"\nverdict v : date { default 2001-02-29 rule r = 2001-02-30 }";
    let errors = ParseErrors(fails(text));
    assert_eq!(errors.0.len(), 2);
    assert_eq!(errors.code().unwrap().to_string(), "refuge::parse::literal");
    assert_eq!(errors.to_string(), errors.0[0].to_string());
    assert_eq!(errors.related().unwrap().count(), 1);
    let labels: Vec<_> = errors.labels().unwrap().collect();
    assert_eq!(labels.len(), 1);
}

#[test]
fn no_prefix_of_a_valid_policy_confuses_the_builder() {
    // Whatever the text, the parser reports a syntax or literal error, never
    // an internal one (STYLE practice 4: the builder never disagrees with
    // the grammar).
    let (policy, fragments) = doc_examples();
    for text in std::iter::once(policy)
        .chain(fragments)
        .chain([SMALL_POLICY.to_owned()])
    {
        for (end, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..end];
            if let Err(errors) = parse(&source(prefix)) {
                for error in errors {
                    assert!(
                        !matches!(error, ParseError::Internal { .. }),
                        "prefix ending at {end} gave {error:?}:\n{prefix}"
                    );
                }
            }
        }
    }
}

// -------------------------------------------------------------- lexer ----

fn round_trips(text: &str) {
    let tokens = tokens(text);
    let mut rebuilt = String::new();
    let mut end = 0;
    for (_, range) in &tokens {
        assert_eq!(range.start, end, "tokens are contiguous in {text:?}");
        rebuilt.push_str(&text[range.clone()]);
        end = range.end;
    }
    assert_eq!(rebuilt, text);
}

fn kinds(text: &str) -> Vec<(Token, &str)> {
    tokens(text)
        .into_iter()
        .filter(|(t, _)| !matches!(t, Token::Whitespace | Token::Newline))
        .map(|(t, r)| (t, &text[r]))
        .collect()
}

#[test]
fn the_lexer_gives_back_every_byte_of_the_docs() {
    let (policy, fragments) = doc_examples();
    round_trips(&policy);
    for fragment in &fragments {
        round_trips(fragment);
    }
    round_trips(SMALL_POLICY);
    let errors = tokens(&policy)
        .into_iter()
        .filter(|(t, _)| *t == Token::Error)
        .count();
    assert_eq!(errors, 0);
}

#[test]
fn the_lexer_gives_back_every_byte_of_garbage() {
    for soup in [
        "",
        "@@@ !! ~ `` $ ^ & | ; ?",
        "\"unterminated string\n with lines",
        "\"ends in a backslash\\",
        "2002-06-0 KRW 12.x 10 yearsx 50%% 1__0 .5 ..",
        "é ü 日本 🙂 tabs\tand\r\nCRLF",
        "#comment without newline",
        "a!=b!c==d<=>=",
        "\u{0}\u{7f}\u{feff}zero width\u{200b}",
        "verdict v : bool { default \"x\\q\" } } } {{{",
    ] {
        round_trips(soup);
    }
}

#[test]
fn the_lexer_knows_each_lexeme() {
    assert_eq!(
        kinds("rule andrew = KRW 1_000 + 10 years when as_of >= 2002-06-03 and x has any {a} # c"),
        [
            (Token::Rule, "rule"),
            (Token::Ident, "andrew"),
            (Token::Eq, "="),
            (Token::Money, "KRW 1_000"),
            (Token::Plus, "+"),
            (Token::Duration, "10 years"),
            (Token::When, "when"),
            (Token::AsOf, "as_of"),
            (Token::GtEq, ">="),
            (Token::Date, "2002-06-03"),
            (Token::And, "and"),
            (Token::Ident, "x"),
            (Token::Has, "has"),
            (Token::Any, "any"),
            (Token::LBrace, "{"),
            (Token::Ident, "a"),
            (Token::RBrace, "}"),
            (Token::Comment, "# c"),
        ]
    );
    assert_eq!(
        kinds("50% 0.5 KRW \"a\\\"b\" @ 10 yearsx 1 day"),
        [
            (Token::Percent, "50%"),
            (Token::Number, "0.5"),
            (Token::Ident, "KRW"),
            (Token::String, "\"a\\\"b\""),
            (Token::Error, "@"),
            (Token::Number, "10"),
            (Token::Ident, "yearsx"),
            (Token::Duration, "1 day"),
        ]
    );
}

#[test]
fn highlighting_only_adds_colour() {
    let (policy, _) = doc_examples();
    let coloured = highlight(&policy);
    assert!(coloured.contains("\u{1b}[1;35mverdict\u{1b}[0m"));
    let mut plain = String::new();
    let mut chars = coloured.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    assert_eq!(plain, policy);
}

#[test]
fn structured_pinpoints_parse_into_parts_and_locators() {
    use crate::ast::LocatorKind;
    let text = "source act : statute \"A\"\nverdict v : bool {\n  default false\n    cite act art 9(1..2) item 4 \"deleted\", section \"Table\" line 35..39\n    provenance reading\n}\n";
    let module = parses(text);
    let Item::Definition(def) = &module.items[1] else {
        panic!("not a definition");
    };
    let cite = &def.defaults[0].clauses.cites[0];
    assert_eq!(
        &text[cite.pinpoint.span.range()],
        "art 9(1..2) item 4 \"deleted\", section \"Table\" line 35..39"
    );
    let parts = &cite.pinpoint.node;
    assert_eq!(parts.len(), 2);
    let kinds: Vec<LocatorKind> = parts[0].locators.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [LocatorKind::Article, LocatorKind::Item]);
    let article = &parts[0].locators[0];
    assert_eq!(article.from.node, "9");
    let (from, to) = article.paragraph.as_ref().unwrap();
    assert_eq!(
        (from.node.as_str(), to.as_ref().unwrap().node.as_str()),
        ("1", "2")
    );
    assert_eq!(&text[article.span.range()], "art 9(1..2)");
    assert_eq!(parts[0].remark.as_ref().unwrap().node, "deleted");
    let line = &parts[1].locators[1];
    assert_eq!(line.kind, LocatorKind::Line);
    assert_eq!(
        (
            line.from.node.as_str(),
            line.to.as_ref().unwrap().node.as_str()
        ),
        ("35", "39")
    );
}

#[test]
fn a_syntax_error_after_a_pinpoint_names_the_pinpoint_as_one_phrase() {
    let text = "verdict v : bool {\n  default false cite s art 1\n  foo\n}";
    assert_eq!(
        syntax_error(text),
        (
            "unexpected `foo`: expected a clause, a rule, a string, more of the pinpoint, \
             `default` or `}`"
                .to_owned(),
            "foo".to_owned()
        )
    );
}

/// Found by fuzzing (`fmt` target, a timeout): `if` chains nested in set
/// literals, with a syntax error deep inside. Explaining the error with
/// pest's detailed tracking took a second and 200 MB for 1.3 KB; text nested
/// beyond `DETAIL_MAX_NESTING` gets the plain error, which still names the
/// place and what could come there.
#[test]
fn a_syntax_error_deep_in_nested_expressions_is_still_explained() {
    let text = include_str!("../../tests/fixtures/syntax/nested-if-chains-in-sets.policy");
    let nesting = super::limits::check(FileId(7), text).expect("within the nesting limit");
    assert!(
        nesting > super::DETAIL_MAX_NESTING,
        "the fixture is deeper than the detailed-error bound ({nesting})"
    );
    let error = fails_once(text);
    let ParseError::Syntax {
        expected, found, ..
    } = &error
    else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert_eq!(spanned(text, &error), "e");
    assert_eq!(found, "`e`");
    assert!(expected.contains("an operator"), "{expected}");
}

/// Syntax errors in the built-in policies (as a drafter amends them) get
/// the detailed explanation: none of them nests more than half as deep as
/// `DETAIL_MAX_NESTING` (10 levels at most today).
#[test]
fn the_built_in_policies_nest_within_the_detailed_error_bound() {
    let deepest = crate::policies::BUILTIN
        .iter()
        .map(|(name, text)| {
            let nesting = super::limits::check(FileId(0), text)
                .unwrap_or_else(|e| panic!("{name} is within the limits: {e:?}"));
            (nesting, *name)
        })
        .max()
        .expect("there are built-in policies");
    assert!(deepest.0 <= super::DETAIL_MAX_NESTING / 2, "{deepest:?}");
}

/// Found by fuzzing: a chain that fails inside an `if`'s `else` was tried
/// again by every enclosing `if`, so this text took time exponential in its
/// nesting (8^6 tries of the innermost set; minutes). The grammar lets an
/// `if` only end a chain, and the error is found in one pass.
#[test]
fn a_failing_chain_inside_nested_ifs_is_parsed_once() {
    let chain = "if a then a else ".repeat(8);
    let body = format!("{}{chain}a a", format!("{chain}s has any {{").repeat(6));
    let text = format!(
        "source s : statute \"S\"\nfact a : bool\nverdict v : bool {{\n  \
         default false cite s \"1\" provenance reading\n  \
         rule r = true when {body} cite s \"3\" provenance reading\n}}\n"
    );
    let error = fails_once(&text);
    assert!(matches!(error, ParseError::Syntax { .. }), "{error:?}");
    let at = error.span().start as usize;
    assert_eq!(&text[at..at + 7], "a cite ", "the second `a` of `a a`");
}
