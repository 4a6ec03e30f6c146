//! Loading case files: valid cases in each format, every error kind and
//! where it points, limits, and garbage that must not panic.

use super::{load_case, Case, CaseError, CaseErrors, CaseFormat};
use crate::ast::May;
use crate::ir::{
    DefId, DefInfo, EnumId, EnumInfo, FactId, FactInfo, FactRoot, Meta, Program, RecordId,
    RecordInfo, RuleId, RuleInfo, RuleKind, Type,
};
use crate::source::Span;
use crate::value::{Duration, Money, Value};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

const STATUS: EnumId = EnumId(0);
const CRIME: EnumId = EnumId(1);

/// Fact slots, in the order of `program().facts`.
const AGE: FactId = FactId(0);
const BORN: FactId = FactId(1);
const STATUS_SLOT: FactId = FactId(2);
const CONVICTIONS: FactId = FactId(3);
const STANDARD_AMOUNT: FactId = FactId(4);
const INCOME_RATIO: FactId = FactId(5);
const RESIDENCE: FactId = FactId(6);
const NAME: FactId = FactId(7);
const AT_RISK: FactId = FactId(8);

/// A small schema, as the checker would lower it from:
///
/// ```text
/// enum Status { refugee, stateless, national }
/// enum Crime { murder, theft, trafficking }
/// record Person { age: integer, born: date, status: Status }
/// fact person: Person
/// fact convictions: set of Crime
/// fact standard_amount: money
/// fact income_ratio: decimal
/// fact residence: duration
/// fact name: text
/// fact at_risk: bool
/// verdict protection: Status      (rules: grant_protection, refuse_serious_criminal may …)
/// definition allowance: money
/// ```
fn program() -> Program {
    let span = Span::default();
    let leaf = |path: &str, ty| FactInfo {
        setting: None,
        path: path.into(),
        ty,
        label: None,
        span,
    };
    let root = |name: &str, ty, slot: Option<u32>| FactRoot {
        name: name.into(),
        ty,
        slot: slot.map(FactId),
        span,
    };
    let def = |name: &str, ty, is_verdict, rules: Vec<RuleId>| DefInfo {
        name: name.into(),
        module: "test".into(),
        is_verdict,
        ty,
        label: None,
        default: None,
        order: rules.clone(),
        rules,
        name_span: span,
        span,
    };
    let rule = |name: &str, def, may: Option<May>| RuleInfo {
        name: name.into(),
        def,
        kind: RuleKind::Base,
        absolute: false,
        qualified_by: None,
        value: None,
        when: None,
        may,
        exceptions: Vec::new(),
        meta: Meta::default(),
        name_span: span,
        span,
    };
    let variants = |names: &[&str]| names.iter().map(|n| (n.to_string(), None)).collect();
    Program {
        enums: vec![
            EnumInfo {
                name: "Status".into(),
                variants: variants(&["refugee", "stateless", "national"]),
                span,
            },
            EnumInfo {
                name: "Crime".into(),
                variants: variants(&["murder", "theft", "trafficking"]),
                span,
            },
        ],
        records: vec![RecordInfo {
            name: "Person".into(),
            fields: vec![
                ("age".into(), Type::Integer, None),
                ("born".into(), Type::Date, None),
                ("status".into(), Type::Enum(STATUS), None),
            ],
            span,
        }],
        fact_roots: vec![
            root("person", Type::Record(RecordId(0)), None),
            root("convictions", Type::Set(CRIME), Some(3)),
            root("standard_amount", Type::Money, Some(4)),
            root("income_ratio", Type::Decimal, Some(5)),
            root("residence", Type::Duration, Some(6)),
            root("name", Type::Text, Some(7)),
            root("at_risk", Type::Bool, Some(8)),
        ],
        facts: vec![
            leaf("person.age", Type::Integer),
            leaf("person.born", Type::Date),
            leaf("person.status", Type::Enum(STATUS)),
            leaf("convictions", Type::Set(CRIME)),
            leaf("standard_amount", Type::Money),
            leaf("income_ratio", Type::Decimal),
            leaf("residence", Type::Duration),
            leaf("name", Type::Text),
            leaf("at_risk", Type::Bool),
        ],
        definitions: vec![
            def(
                "protection",
                Type::Enum(STATUS),
                true,
                vec![RuleId(0), RuleId(1)],
            ),
            def("allowance", Type::Money, false, Vec::new()),
        ],
        rules: vec![
            rule("grant_protection", DefId(0), None),
            rule(
                "refuse_serious_criminal",
                DefId(0),
                Some(May {
                    permits: "refuse".into(),
                    holder: "the minister".into(),
                }),
            ),
        ],
        ..Program::default()
    }
}

fn load(text: &str, format: CaseFormat) -> Result<Case, CaseErrors> {
    load_case(&program(), "case", text, format)
}

fn errors(text: &str, format: CaseFormat) -> CaseErrors {
    match load(text, format) {
        Ok(case) => panic!("expected errors, loaded {case:?}"),
        Err(errors) => errors,
    }
}

/// Each error as `code path line:column snippet`, where the snippet is the
/// text the span covers.
fn summary(text: &str, format: CaseFormat) -> Vec<String> {
    errors(text, format)
        .iter()
        .map(|e| {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            let span = e.span();
            let before = &text[..span.offset()];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let snippet = &text[span.offset()..span.offset() + span.len()];
            format!("{code} {} {line}:{column} {snippet}", e.path())
        })
        .collect()
}

fn render(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, diagnostic)
        .unwrap();
    out
}

fn money(text: &str) -> Value {
    let (code, amount) = text.split_once(' ').unwrap();
    Value::Money(Money {
        amount: Decimal::from_str(amount).unwrap(),
        currency: code.as_bytes().try_into().unwrap(),
    })
}

fn date(text: &str) -> Value {
    Value::Date(text.parse().unwrap())
}

// ---------------------------------------------------------------------------
// Valid cases

const VALID_JSON: &str = r#"{
  "description": "an applicant at an overseas mission",
  "as_of": "2003-01-15",
  "facts": {
    "person": { "age": 30, "born": "1972-06-01", "status": "refugee" },
    "convictions": ["murder", "theft", "murder"],
    "standard_amount": "KRW 36,000,000",
    "income_ratio": 0.5,
    "residence": "1 year 6 months",
    "name": "Kim",
    "at_risk": null
  },
  "discretions": { "refuse_serious_criminal": true },
  "expect": { "protection": "refugee", "allowance": "undetermined" }
}"#;

const VALID_YAML: &str = r#"
description: an applicant at an overseas mission
as_of: 2003-01-15
facts:
  person:
    age: 30
    born: "1972-06-01"
    status: refugee
  convictions:
  - murder
  - theft
  - murder
  standard_amount: KRW 36,000,000
  income_ratio: "0.5"
  residence: 1 year 6 months
  name: Kim
  at_risk: ~
discretions:
  refuse_serious_criminal: true
expect:
  protection: refugee
  allowance: undetermined
"#;

const VALID_TOML: &str = r#"
description = "an applicant at an overseas mission"
as_of = 2003-01-15

[facts]
convictions = ["murder", "theft", "murder"]
standard_amount = "KRW 36,000,000"
income_ratio = 0.5
residence = "1 year 6 months"
name = "Kim"

[facts.person]
age = 30
born = 1972-06-01
status = "refugee"

[discretions]
refuse_serious_criminal = true

[expect]
protection = "refugee"
allowance = "undetermined"
"#;

fn expected_case() -> Case {
    let program = program();
    let mut case = Case::new(&program);
    case.description = Some("an applicant at an overseas mission".into());
    case.as_of = Some("2003-01-15".parse().unwrap());
    case.set_fact(AGE, Value::Integer(30));
    case.set_fact(BORN, date("1972-06-01"));
    case.set_fact(STATUS_SLOT, Value::Enum(STATUS, 0));
    case.set_fact(CONVICTIONS, Value::Set(CRIME, 0b011));
    case.set_fact(STANDARD_AMOUNT, money("KRW 36000000"));
    case.set_fact(INCOME_RATIO, Value::Decimal(Decimal::new(5, 1)));
    case.set_fact(
        RESIDENCE,
        Value::Duration(Duration {
            months: 18,
            days: 0,
        }),
    );
    case.set_fact(NAME, Value::Text("Kim".into()));
    case.set_discretion(RuleId(1), true);
    case.expect = vec![(DefId(0), Some(Value::Enum(STATUS, 0))), (DefId(1), None)];
    case
}

#[test]
fn a_valid_json_case_loads_into_its_slots() {
    let case = load(VALID_JSON, CaseFormat::Json).unwrap();
    assert_eq!(case, expected_case());
    assert_eq!(case.fact(AT_RISK), None, "null means missing");
    assert_eq!(case.discretion(RuleId(0)), None);
}

#[test]
fn a_valid_yaml_case_loads_into_its_slots() {
    assert_eq!(load(VALID_YAML, CaseFormat::Yaml).unwrap(), expected_case());
}

#[test]
fn a_valid_toml_case_loads_into_its_slots() {
    assert_eq!(load(VALID_TOML, CaseFormat::Toml).unwrap(), expected_case());
}

#[test]
fn every_key_is_optional() {
    assert_eq!(load("{}", CaseFormat::Json).unwrap(), Case::new(&program()));
    assert_eq!(load("{}", CaseFormat::Yaml).unwrap(), Case::new(&program()));
    let nulls = r#"{"description": null, "as_of": null, "facts": null, "discretions": null, "expect": null}"#;
    assert_eq!(
        load(nulls, CaseFormat::Json).unwrap(),
        Case::new(&program())
    );
}

#[test]
fn an_empty_or_null_file_is_bad_input_not_an_empty_case() {
    // Issue #10: these used to load as a case without facts and fail later
    // with "no evaluation date".
    for (text, format) in [
        ("", CaseFormat::Json),
        ("", CaseFormat::Yaml),
        ("# only a comment\n", CaseFormat::Yaml),
        ("~", CaseFormat::Yaml),
        ("null", CaseFormat::Json),
        ("", CaseFormat::Toml),
        ("# only a comment\n", CaseFormat::Toml),
    ] {
        let errors = load(text, format).unwrap_err();
        assert!(
            matches!(errors.0.first(), Some(CaseError::NotAMapping { .. })),
            "{text:?} {format:?}: {errors:?}"
        );
    }
}

#[test]
fn a_bom_and_any_line_ending_are_read() {
    for text in [
        "\u{feff}{\"as_of\": \"2010-01-01\"}",
        "{\r\n\"as_of\": \"2010-01-01\"\r\n}",
        "as_of: 2010-01-01\r",
        "\u{feff}as_of = 2010-01-01\r\n",
    ] {
        let format = if text.contains('{') {
            CaseFormat::Json
        } else if text.contains('=') {
            CaseFormat::Toml
        } else {
            CaseFormat::Yaml
        };
        let case = load(text, format);
        assert!(case.is_ok(), "{text:?}: {case:?}");
    }
}

#[test]
fn deep_brackets_are_a_limit_error_before_parsing() {
    let deep = format!(
        "{{\"facts\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let started = std::time::Instant::now();
    let errors = load(&deep, CaseFormat::Json).unwrap_err();
    assert!(
        matches!(errors.0.first(), Some(CaseError::Limit { .. })),
        "{errors:?}"
    );
    let yaml = format!("facts: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let errors = load(&yaml, CaseFormat::Yaml).unwrap_err();
    assert!(
        matches!(errors.0.first(), Some(CaseError::Limit { .. })),
        "{errors:?}"
    );
    // Brackets in strings do not count.
    let quoted = format!("{{\"description\": \"{}\"}}", "[".repeat(1000));
    assert!(load(&quoted, CaseFormat::Json).is_ok());
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn values_are_read_leniently_where_unambiguous() {
    let case = load(
        r#"{"facts": {"income_ratio": 2, "standard_amount": "USD -12.50", "residence": "2 weeks, 3 days",
            "person": {"age": 30.0}}}"#,
        CaseFormat::Json,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(Decimal::from(2)))
    );
    assert_eq!(case.fact(STANDARD_AMOUNT), Some(&money("USD -12.50")));
    assert_eq!(
        case.fact(RESIDENCE),
        Some(&Value::Duration(Duration {
            months: 0,
            days: 17
        }))
    );
    assert_eq!(case.fact(AGE), Some(&Value::Integer(30)));
    let case = load(
        r#"{"facts": {"income_ratio": "0.1234567890123456789"}}"#,
        CaseFormat::Json,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(
            Decimal::from_str("0.1234567890123456789").unwrap()
        ))
    );
    let case = load(r#"{"expect": {"protection": null}}"#, CaseFormat::Json).unwrap();
    assert_eq!(case.expect, vec![(DefId(0), None)]);
}

#[test]
fn formats_come_from_extensions() {
    assert_eq!(
        CaseFormat::from_path(Path::new("a/case.json")),
        Some(CaseFormat::Json)
    );
    assert_eq!(
        CaseFormat::from_path(Path::new("case.yaml")),
        Some(CaseFormat::Yaml)
    );
    assert_eq!(
        CaseFormat::from_path(Path::new("case.YML")),
        Some(CaseFormat::Yaml)
    );
    assert_eq!(
        CaseFormat::from_path(Path::new("case.toml")),
        Some(CaseFormat::Toml)
    );
    assert_eq!(CaseFormat::from_path(Path::new("case.policy")), None);
    assert_eq!(CaseFormat::from_path(Path::new("case")), None);
}

// ---------------------------------------------------------------------------
// Errors: each kind names the path and points at the right place

#[test]
fn syntax_errors_point_at_the_parser_position() {
    assert_eq!(
        summary(
            "{\n  \"facts\": {\n    \"name\": \n  }\n}",
            CaseFormat::Json
        ),
        ["refuge::case::syntax  4:3 }"]
    );
    assert_eq!(
        summary("facts:\n  name: [Kim\nexpect: {}\n", CaseFormat::Yaml),
        ["refuge::case::syntax  3:7 :"]
    );
    assert_eq!(
        summary("[facts]\nname = \"Kim\nage = 3\n", CaseFormat::Toml),
        ["refuge::case::syntax  2:12 \n"]
    );
}

#[test]
fn syntax_errors_keep_the_parser_message_without_its_location() {
    let message = |text: &str, format| errors(text, format).to_string();
    assert_eq!(
        message("{\"a\": 1,}", CaseFormat::Json),
        "invalid JSON: trailing commas are not allowed"
    );
    assert_eq!(
        message("facts:\n  name: [Kim\nexpect: {}\n", CaseFormat::Yaml),
        "invalid YAML: illegal placement of ':' indicator (inside the `[` opened at line 2, column 9: is it closed?)"
    );
    assert_eq!(
        message("facts:\n  name: a\n  name: b\n", CaseFormat::Yaml),
        "`facts.name`: the key is given twice in one mapping"
    );
    assert_eq!(
        message("[facts]\na = 1\na = 2\n", CaseFormat::Toml),
        "invalid TOML: the key `a` is given twice"
    );
}

#[test]
fn a_file_that_is_not_a_mapping_is_rejected() {
    assert_eq!(
        summary("[1, 2]", CaseFormat::Json),
        ["refuge::case::not_a_mapping  1:1 [1, 2]"]
    );
    assert_eq!(
        summary("- a\n- b\n", CaseFormat::Yaml),
        ["refuge::case::not_a_mapping  1:1 - a"]
    );
}

#[test]
fn unknown_keys_facts_and_fields_are_named_with_suggestions() {
    let text = r#"{
  "factz": {},
  "facts": {
    "persn": {},
    "person": { "agee": 30 },
    "unheard_of": 1
  }
}"#;
    assert_eq!(
        summary(text, CaseFormat::Json),
        [
            r#"refuge::case::unknown_key factz 2:3 "factz""#,
            r#"refuge::case::unknown_fact facts.persn 4:5 "persn""#,
            r#"refuge::case::unknown_fact facts.person.agee 5:17 "agee""#,
            r#"refuge::case::unknown_fact facts.unheard_of 6:5 "unheard_of""#,
        ]
    );
    let helps: Vec<String> = errors(text, CaseFormat::Json)
        .iter()
        .map(|e| e.help().unwrap().to_string())
        .collect();
    assert_eq!(
        helps,
        [
            "did you mean `facts`?",
            "did you mean `person`?",
            "did you mean `age`?",
            "the facts this policy set declares are `person`, `convictions`, `standard_amount`, `income_ratio`, `residence`, `name` and `at_risk`",
        ]
    );
}

#[test]
fn wrong_types_name_the_expected_type() {
    let text = r#"{
  "description": 3,
  "facts": {
    "person": { "age": "thirty", "born": 1972, "status": 1 },
    "convictions": "murder",
    "standard_amount": 1000,
    "income_ratio": true,
    "residence": 10,
    "name": ["Kim"],
    "at_risk": "yes"
  }
}"#;
    assert_eq!(
        summary(text, CaseFormat::Json),
        [
            "refuge::case::wrong_type description 2:18 3",
            r#"refuge::case::wrong_type facts.person.age 4:24 "thirty""#,
            "refuge::case::wrong_type facts.person.born 4:42 1972",
            "refuge::case::wrong_type facts.person.status 4:58 1",
            r#"refuge::case::wrong_type facts.convictions 5:20 "murder""#,
            "refuge::case::wrong_type facts.standard_amount 6:24 1000",
            "refuge::case::wrong_type facts.income_ratio 7:21 true",
            "refuge::case::wrong_type facts.residence 8:18 10",
            r#"refuge::case::wrong_type facts.name 9:13 ["Kim"]"#,
            r#"refuge::case::wrong_type facts.at_risk 10:16 "yes""#,
        ]
    );
    let messages: Vec<String> = errors(text, CaseFormat::Json)
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        messages[1],
        "`facts.person.age`: expected an integer, found `\"thirty\"`"
    );
    assert_eq!(
        messages[4],
        "`facts.convictions`: expected a set of `Crime`, found `\"murder\"`"
    );
}

#[test]
fn impossible_values_say_why() {
    let text = r#"{
  "as_of": "2002-02-30",
  "facts": {
    "person": { "age": 9223372036854775808, "born": "15/01/2003", "status": "refugeee" },
    "convictions": ["murder", "fraud", "murder"],
    "standard_amount": "1000",
    "income_ratio": "half",
    "residence": "10 yrs"
  }
}"#;
    let errors = errors(text, CaseFormat::Json);
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "`as_of`: `2002-02-30` is not a date: February 2002 has 28 days",
            "`facts.person.age`: `9223372036854775808` is too large for an integer",
            "`facts.person.born`: `15/01/2003` is not a date",
            "`facts.person.status`: `refugeee` is not a variant of `Status`",
            "`facts.convictions[1]`: `fraud` is not a variant of `Crime`",
            "`facts.standard_amount`: `1000` is not an amount of money: it has no currency code",
            "`facts.income_ratio`: `half` is not a decimal number",
            "`facts.residence`: `10 yrs` is not a duration: unknown unit `yrs`",
        ]
    );
    let lines: Vec<String> = summary(text, CaseFormat::Json)
        .into_iter()
        .map(|s| s.split(' ').skip(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            r#"2:12 "2002-02-30""#,
            "4:24 9223372036854775808",
            r#"4:53 "15/01/2003""#,
            r#"4:77 "refugeee""#,
            r#"5:31 "fraud""#,
            r#"6:24 "1000""#,
            r#"7:21 "half""#,
            r#"8:18 "10 yrs""#,
        ]
    );
    assert_eq!(
        errors.0[3].help().unwrap().to_string(),
        "did you mean `refugee`?"
    );
    assert_eq!(
        errors.0[4].help().unwrap().to_string(),
        "`Crime` has the variants `murder`, `theft` and `trafficking`"
    );
}

#[test]
fn money_durations_and_integers_are_checked_strictly() {
    let bad = |fact: &str, value: &str| -> String {
        let text = format!(r#"{{"facts": {{"{fact}": {value}}}}}"#);
        errors(&text, CaseFormat::Json).0[0].to_string()
    };
    assert_eq!(
        bad("standard_amount", r#""krw 1000""#),
        "`facts.standard_amount`: `krw 1000` is not an amount of money: currency codes are written in capitals: `KRW`"
    );
    assert_eq!(
        bad("standard_amount", r#""1000 KRW""#),
        "`facts.standard_amount`: `1000 KRW` is not an amount of money: the currency code goes first"
    );
    assert_eq!(
        bad("standard_amount", r#""KRW 1,00""#),
        "`facts.standard_amount`: `KRW 1,00` is not an amount of money: `1,00` is not a number"
    );
    assert_eq!(
        bad("standard_amount", r#""KRW 1000 2000""#),
        "`facts.standard_amount`: `KRW 1000 2000` is not an amount of money: `1000 2000` is not a number"
    );
    assert_eq!(
        bad("standard_amount", r#""KWR 1000""#),
        "`facts.standard_amount`: `KWR 1000` is not an amount of money: `KWR` is not an ISO 4217 currency code; did you mean `KRW`, `KHR` or `KWD`?"
    );
    assert_eq!(
        bad("residence", r#""3 months 1.5 days""#),
        "`facts.residence`: `3 months 1.5 days` is not a duration: `1.5` is not a whole number"
    );
    assert_eq!(
        bad("residence", r#""10""#),
        "`facts.residence`: `10` is not a duration: `10` has no unit"
    );
    assert_eq!(
        bad("residence", r#"" ""#),
        "`facts.residence`: an empty string is not a duration: it has no number and unit"
    );
    assert_eq!(
        bad("residence", r#""999999999999999999 years""#),
        "`facts.residence`: `999999999999999999 years` is not a duration: it is too long"
    );
    assert_eq!(
        bad("person", r#"{"age": -1e19}"#),
        "`facts.person.age`: `-1e19` is too small for an integer"
    );
    assert_eq!(
        bad("person", r#"{"age": 3.5}"#),
        "`facts.person.age`: expected an integer, found `3.5`"
    );
    assert_eq!(
        bad("person", r#"{"born": "2003-13-01"}"#),
        "`facts.person.born`: `2003-13-01` is not a date: there is no month 13"
    );
    assert_eq!(
        bad("person", "30"),
        "`facts.person`: expected a `Person` record, found `30`"
    );
    for ok in [
        r#""KRW 1000""#,
        r#""KRW 1,000,000.50""#,
        r#""EUR 0""#,
        r#""JPY   12""#,
    ] {
        let text = format!(r#"{{"facts": {{"standard_amount": {ok}}}}}"#);
        assert!(load(&text, CaseFormat::Json).is_ok(), "{ok}");
    }
    for (ok, months, days) in [
        ("10 years", 120, 0),
        ("3 months", 3, 0),
        ("30 days", 0, 30),
        ("2 weeks", 0, 14),
        ("1 year and 1 day", 12, 1),
    ] {
        let text = format!(r#"{{"facts": {{"residence": "{ok}"}}}}"#);
        let case = load(&text, CaseFormat::Json).unwrap();
        assert_eq!(
            case.fact(RESIDENCE),
            Some(&Value::Duration(Duration { months, days })),
            "{ok}"
        );
    }
}

#[test]
fn discretions_must_name_may_rules() {
    let text = r#"{
  "discretions": {
    "refuse_serious_crimnal": true,
    "grant_protection": true,
    "refuse_serious_criminal": "yes"
  }
}"#;
    assert_eq!(
        summary(text, CaseFormat::Json),
        [
            r#"refuge::case::unknown_discretion discretions.refuse_serious_crimnal 3:5 "refuse_serious_crimnal""#,
            r#"refuge::case::not_a_discretion discretions.grant_protection 4:5 "grant_protection""#,
            r#"refuge::case::wrong_type discretions.refuse_serious_criminal 5:32 "yes""#,
        ]
    );
    let errors = errors(text, CaseFormat::Json);
    assert_eq!(
        errors.0[0].to_string(),
        "`discretions.refuse_serious_crimnal`: unknown discretion `refuse_serious_crimnal`"
    );
    assert_eq!(
        errors.0[0].help().unwrap().to_string(),
        "did you mean `refuse_serious_criminal`?"
    );
    assert_eq!(
        errors.0[1].to_string(),
        "`discretions.grant_protection`: rule `grant_protection` is not a discretion"
    );
}

#[test]
fn expectations_must_name_definitions_and_fit_their_type() {
    let text = "expect:\n  protecton: refugee\n  protection: granted\n  allowance: 1000\n";
    assert_eq!(
        summary(text, CaseFormat::Yaml),
        [
            "refuge::case::unknown_verdict expect.protecton 2:3 protecton",
            "refuge::case::bad_value expect.protection 3:15 granted",
            "refuge::case::wrong_type expect.allowance 4:14 1000",
        ]
    );
    let errors = errors(text, CaseFormat::Yaml);
    assert_eq!(
        errors.0[0].to_string(),
        "`expect.protecton`: unknown definition `protecton`"
    );
    assert_eq!(
        errors.0[0].help().unwrap().to_string(),
        "did you mean `protection`?"
    );
}

#[test]
fn yaml_and_toml_errors_point_at_their_lines() {
    let yaml =
        "facts:\n  person:\n    age: thirty  # years\n  convictions: [murder, fraud]\nextra: 1\n";
    assert_eq!(
        summary(yaml, CaseFormat::Yaml),
        [
            "refuge::case::wrong_type facts.person.age 3:10 thirty",
            "refuge::case::bad_value facts.convictions[1] 4:25 fraud",
            "refuge::case::unknown_key extra 5:1 extra",
        ]
    );
    let toml = "[facts]\nconvictions = [\n  \"murder\",\n  \"fraud\",\n]\nperson.age = \"thirty\"\n\n[facts.persn]\nage = 3\n";
    assert_eq!(
        summary(toml, CaseFormat::Toml),
        [
            r#"refuge::case::bad_value facts.convictions[1] 4:3 "fraud""#,
            r#"refuge::case::wrong_type facts.person.age 6:14 "thirty""#,
            "refuge::case::unknown_fact facts.persn 8:8 persn",
        ]
    );
}

#[test]
fn all_errors_are_reported_in_file_order() {
    let text = r#"{
  "expect": { "nothing": 1 },
  "facts": { "person": { "age": "x" }, "name": 1 },
  "description": 1
}"#;
    let paths: Vec<String> = errors(text, CaseFormat::Json)
        .iter()
        .map(|e| e.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "expect.nothing",
            "facts.person.age",
            "facts.name",
            "description"
        ]
    );
}

#[test]
fn a_wrong_type_renders_with_its_source() {
    let text = "{\n  \"facts\": {\n    \"person\": { \"age\": \"thirty\" }\n  }\n}\n";
    let errors = errors(text, CaseFormat::Json);
    insta::assert_snapshot!(render(&errors), @r#"
    refuge::case::wrong_type

      × `facts.person.age`: expected an integer, found `"thirty"`
       ╭─[case:3:24]
     2 │   "facts": {
     3 │     "person": { "age": "thirty" }
       ·                        ────┬───
       ·                            ╰── expected an integer
     4 │   }
       ╰────
      help: write a whole number such as `30`
    "#);
}

#[test]
fn several_errors_render_as_one_report() {
    let text =
        "as_of: 2002-02-30\nfacts:\n  person:\n    status: refugeee\n  convictons: [murder]\n";
    let errors = errors(text, CaseFormat::Yaml);
    insta::assert_snapshot!(render(&errors), @r#"
    refuge::case::bad_value

      × `as_of`: `2002-02-30` is not a date: February 2002 has 28 days
       ╭─[case:1:8]
     1 │ as_of: 2002-02-30
       ·        ─────┬────
       ·             ╰── no such day
     2 │ facts:
       ╰────

    Error: refuge::case::bad_value

      × `facts.person.status`: `refugeee` is not a variant of `Status`
       ╭─[case:4:13]
     3 │   person:
     4 │     status: refugeee
       ·             ────┬───
       ·                 ╰── unknown variant
     5 │   convictons: [murder]
       ╰────
      help: did you mean `refugee`?

    Error: refuge::case::unknown_fact

      × `facts.convictons`: unknown fact `convictons`
       ╭─[case:5:3]
     4 │     status: refugeee
     5 │   convictons: [murder]
       ·   ─────┬────
       ·        ╰── not declared
       ╰────
      help: did you mean `convictions`?
    "#);
}

#[test]
fn a_syntax_error_renders_with_its_source() {
    let text = "[facts]\nname = \"Kim\"\nage 30\n";
    let errors = errors(text, CaseFormat::Toml);
    insta::assert_snapshot!(render(&errors), @r#"
    refuge::case::syntax

      × invalid TOML: key with no value, expected `=`
       ╭─[case:3:5]
     2 │ name = "Kim"
     3 │ age 30
       ·     ┬
       ·     ╰── here
       ╰────
      help: a case file is a TOML document such as `[facts.person]` followed by `age = 30`
    "#);
}

#[test]
fn case_errors_display_the_first_error() {
    let errors = errors(r#"{"a": 1, "b": 2}"#, CaseFormat::Json);
    assert_eq!(errors.0.len(), 2);
    assert_eq!(errors.to_string(), "`a`: unknown key");
    assert_eq!(errors.related().map(Iterator::count), Some(1));
    assert!(matches!(errors.0[1], CaseError::UnknownKey { .. }));
}

#[test]
fn a_key_given_twice_is_named_at_both_places() {
    // JSON parsers commonly keep the last value silently; a case file is
    // not guessed at.
    let text = "{\"as_of\": \"2003-01-15\",\n \"facts\": {\"name\": \"Kim\", \"name\": \"Lee\"},\n \"as_of\": \"2004-01-15\"}";
    let errors = errors(text, CaseFormat::Json);
    assert_eq!(
        summary(text, CaseFormat::Json),
        [
            r#"refuge::case::duplicate_key facts.name 2:27 "name""#,
            r#"refuge::case::duplicate_key as_of 3:2 "as_of""#,
        ]
    );
    let first: Vec<(usize, usize)> = errors
        .iter()
        .map(|e| match e {
            CaseError::DuplicateKey { first, .. } => (first.offset(), first.len()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(first, [(text.find("\"name\"").unwrap(), 6), (1, 7),]);
    assert_eq!(
        errors.0[1].to_string(),
        "`as_of`: the key is given twice in one object"
    );
    insta::assert_snapshot!(render(&errors.0[1]), @r#"
    refuge::case::duplicate_key

      × `as_of`: the key is given twice in one object
       ╭─[case:1:2]
     1 │ {"as_of": "2003-01-15",
       ·  ───┬───
       ·     ╰── first given here
     2 │  "facts": {"name": "Kim", "name": "Lee"},
     3 │  "as_of": "2004-01-15"}
       ·  ───┬───
       ·     ╰── given again here
       ╰────
      help: keep one of them: which value is meant cannot be guessed
    "#);
    // YAML the same way; TOML's own parser refuses a repeated key.
    assert_eq!(
        summary("facts:\n  name: a\n  name: b\n", CaseFormat::Yaml),
        ["refuge::case::duplicate_key facts.name 3:3 name"]
    );
}

#[test]
fn numbers_are_read_from_the_digits_as_written() {
    let case = load(
        r#"{"facts": {"income_ratio": 0.1234567890123456789, "person": {"age": 3e1}}}"#,
        CaseFormat::Json,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(
            Decimal::from_str("0.1234567890123456789").unwrap()
        ))
    );
    assert_eq!(case.fact(AGE), Some(&Value::Integer(30)));
    let case = load(
        "[facts]\nincome_ratio = 1_000.5\nperson.age = 0x1F\n",
        CaseFormat::Toml,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(Decimal::from_str("1000.5").unwrap()))
    );
    assert_eq!(case.fact(AGE), Some(&Value::Integer(31)));
    // YAML's core-schema hex and octal, TOML's hex, digit separators and a
    // local date given for a text fact: each format's own notations are
    // values, read as the format defines them.
    let case = load(
        "facts:\n  income_ratio: 0x1F\n  person: {age: 0o17}\n",
        CaseFormat::Yaml,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(Decimal::from(31)))
    );
    assert_eq!(case.fact(AGE), Some(&Value::Integer(15)));
    let case = load(
        "[facts]\nincome_ratio = 0x1F\nperson.age = 1_000\nname = 1979-05-27\n",
        CaseFormat::Toml,
    )
    .unwrap();
    assert_eq!(
        case.fact(INCOME_RATIO),
        Some(&Value::Decimal(Decimal::from(31)))
    );
    assert_eq!(case.fact(AGE), Some(&Value::Integer(1000)));
    assert_eq!(case.fact(NAME), Some(&Value::Text("1979-05-27".into())));
    let too_large = errors(
        r#"{"facts": {"person": {"age": 1e19}, "income_ratio": 1e40}}"#,
        CaseFormat::Json,
    );
    let messages: Vec<String> = too_large.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "`facts.person.age`: `1e19` is too large for an integer",
            "`facts.income_ratio`: `1e40` is too large for a decimal",
        ]
    );
}

#[test]
fn yaml_aliases_copy_values_within_a_limit() {
    let case = load(
        "facts:\n  convictions: &c [murder]\nexpect:\n  protection: refugee\nx: *c\n",
        CaseFormat::Yaml,
    );
    // The alias is read (and `x` is an unknown key, reported at `x`).
    let unknown = case.unwrap_err();
    assert_eq!(unknown.0.len(), 1);
    assert_eq!(unknown.0[0].path(), "x");
    // A billion laughs stops at the limit.
    let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g"].iter().enumerate() {
        let previous = ["a", "b", "c", "d", "e", "f"][i];
        let refs = vec![format!("*{previous}"); 10].join(", ");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let errors = errors(&laughs, CaseFormat::Yaml);
    assert!(
        matches!(errors.0.first(), Some(CaseError::Limit { .. })),
        "{errors:?}"
    );
}

#[test]
fn nesting_that_brackets_do_not_show_is_limited_too() {
    // YAML block indentation and TOML dotted keys nest without brackets.
    let mut yaml = String::new();
    for depth in 0..200 {
        yaml.push_str(&" ".repeat(depth));
        yaml.push_str("a:\n");
    }
    let errors = errors(&yaml, CaseFormat::Yaml);
    assert!(
        matches!(errors.0.first(), Some(CaseError::Limit { .. })),
        "{errors:?}"
    );
    let block_list = format!("facts: {}x\n", "- ".repeat(100_000));
    assert!(load(&block_list, CaseFormat::Yaml).is_err());
    let toml = format!(
        "{}= 1\n",
        "a.".repeat(10_000).trim_end_matches('.').to_owned() + " "
    );
    assert!(load(&toml, CaseFormat::Toml).is_err());
}

#[test]
fn a_second_yaml_document_is_refused() {
    assert_eq!(
        summary(
            "as_of: 2003-01-15\n---\nas_of: 2004-01-15\n",
            CaseFormat::Yaml
        ),
        ["refuge::case::syntax  2:1 ---"]
    );
}

// ---------------------------------------------------------------------------
// Garbage never panics

#[test]
fn garbage_never_panics() {
    let garbage = [
        "",
        " ",
        "\u{feff}",
        "{",
        "}",
        "[[[[[[[[[[",
        "{\"facts\": {\"person\": {\"age\": [[[[[{}]]]]]}}}",
        "null",
        "\"text\"",
        "123",
        "-",
        "- - - -",
        ":",
        "a: b: c",
        "facts: [1, 2",
        "facts:\n  person: 3\n  person: 4\n",
        "? [a]\n: b\n",
        "&a x: *a",
        "!!binary aGVsbG8=",
        "facts = 1",
        "[facts\nname = 1",
        "[[facts]]\nname = 1",
        "facts.person.age = 1\nfacts.person = 2",
        "as_of = 1979-05-27T07:32:00Z",
        "a = \"\"\"\n",
        "é: ü\n'é': \"ü\n",
        "{\"é\": \"\\ud800\"}",
        "{\"facts\": {\"person\": {\"age\": 1e400}}}",
        "facts:\n  income_ratio: .nan\n  person:\n    age: .inf\n",
        "facts:\n  person:\n    - age: 3\n",
        "facts: {person: {age: 1, age: 2}}",
        "expect:\n  protection: [1]\n  allowance: {a: 1}\n",
        "discretions: [refuse_serious_criminal]",
        "facts:\n  convictions: {murder: true}\n",
        "\t\t\t",
        "#",
        "# only a comment\n",
        "---\n---\n",
        "{\"facts\": {\"\": 1, \"standard_amount\": \"K\u{e9}R 1\"}}",
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "&k a: *k\n",
        "? - a\n  - b\n: c\n",
        "facts: !!int abc\n",
        "[facts]\nincome_ratio = inf\nperson.age = nan\n",
        "{\"facts\": {\"person\": {\"age\": 1, \"age\": 2}, \"person\": {}}}",
    ];
    let empty = Case::new(&program());
    let mut rejected = 0;
    for text in garbage {
        for format in [CaseFormat::Json, CaseFormat::Yaml, CaseFormat::Toml] {
            // Garbage that loads at all is an empty document: it must load
            // as the empty case, never as facts read out of noise.
            match load(text, format) {
                Ok(case) => assert_eq!(case, empty, "{text:?} {format:?} loaded as a case"),
                Err(_) => rejected += 1,
            }
            if let Err(errors) = load(text, format) {
                assert!(!errors.0.is_empty());
                for error in &errors {
                    let span = error.span();
                    assert!(
                        span.offset() + span.len() <= text.len(),
                        "{text:?} {format:?}"
                    );
                    assert!(text.is_char_boundary(span.offset()), "{text:?} {format:?}");
                }
                let _ = render(&errors);
            }
        }
    }
    // Most of the list is rejected in every format (the rest are empty
    // documents in some format): the loop is not testing nothing.
    assert!(
        rejected * 10 >= garbage.len() * 3 * 8,
        "only {rejected} of {} loads were rejected",
        garbage.len() * 3
    );
}
