//! A tiny amendment: the age of majority lowered from 21 to 18.

use super::*;
use crate::{compile, SourceMap};

fn policy(age: u32, extra: &str) -> String {
    format!(
        r#"
source act : statute "The Act"
fact age : money
fact resident : bool
verdict adult : bool {{
  default false cite act "s. 1" provenance reading
  rule of_age when age >= KRW {age} cite act "s. 2" provenance text
}}
verdict registered : bool {{
  default false cite act "s. 3" provenance reading
  rule resident_rule when resident cite act "s. 4" provenance text
}}
{extra}
"#
    )
}

fn program(text: &str) -> Program {
    let mut sources = SourceMap::new();
    sources.add("policies/t.policy", text);
    match compile(&sources) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{}", d.render(&sources, crate::compile::ErrorFormat::Plain)),
    }
}

fn case(name: &str, json: &str) -> CaseInput {
    CaseInput {
        name: name.to_string(),
        text: json.to_string(),
        format: CaseFormat::Json,
    }
}

const NINETEEN: &str = r#"{"as_of": "2020-01-01", "facts": {"age": "KRW 19", "resident": true}}"#;

#[test]
fn a_changed_verdict_names_the_rule_responsible() {
    let old = program(&policy(21, ""));
    let new = program(&policy(18, ""));
    let impact = impact(&old, &new, &[case("nineteen.json", NINETEEN)]);
    assert!(impact.any_changed());
    assert_eq!(impact.verdicts_changed(), 1);
    let c = &impact.cases[0];
    let names: Vec<(&str, Option<Change>)> = c
        .verdicts
        .iter()
        .map(|v| (v.name.as_str(), v.change))
        .collect();
    assert_eq!(
        names,
        vec![("adult", Some(Change::Value)), ("registered", None)]
    );
    let adult = &c.verdicts[0];
    assert_eq!(
        adult.before,
        Side::Decided {
            display: "false".into()
        }
    );
    assert_eq!(
        adult.after,
        Side::Decided {
            display: "true".into()
        }
    );
    let r = &adult.responsible;
    assert!(matches!(r.before, Some(Deciding::Default { .. })), "{r:?}");
    match &r.after {
        Some(Deciding::Rules { rules }) => {
            assert_eq!(rules[0].name, "of_age");
            assert_eq!(&*rules[0].citations[0].pinpoint, "s. 2");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.rules.len(), 1);
    assert_eq!(r.rules[0].rule, "of_age");
    assert_eq!(r.rules[0].before, Some(RuleStatus::NotApplicable));
    assert_eq!(r.rules[0].after, Some(RuleStatus::Applied));
    let md = to_markdown(&impact);
    assert!(
        md.contains("**1 of 1 case changed (1 verdict changed).**"),
        "{md}"
    );
    assert!(
        md.contains("| `adult` | false | **true** |") && md.contains("rule `of_age`"),
        "{md}"
    );
    let text = to_text(&impact);
    assert!(text.contains("adult: false → true"), "{text}");
    assert!(
        text.contains("rule of_age: does not apply → applies"),
        "{text}"
    );
}

#[test]
fn identical_versions_change_nothing() {
    let p = program(&policy(18, ""));
    let impact = impact(&p, &p, &[case("nineteen.json", NINETEEN)]);
    assert!(!impact.any_changed());
    assert!(to_markdown(&impact).contains("**0 of 1 case changed"));
}

#[test]
fn added_verdicts_and_unloadable_cases_are_changes_not_errors() {
    let old = program(&policy(18, ""));
    let new = program(&policy(
        18,
        "fact married : bool\nverdict spouse : bool {\n  default false cite act \"s. 5\" provenance reading\n  rule wed when married cite act \"s. 6\" provenance text\n}",
    ));
    let married =
        r#"{"as_of": "2020-01-01", "facts": {"age": "KRW 30", "resident": true, "married": true}}"#;
    let impact = impact(
        &old,
        &new,
        &[case("a.json", NINETEEN), case("married.json", married)],
    );
    let spouse = impact.cases[0]
        .verdicts
        .iter()
        .find(|v| v.name == "spouse")
        .map(|v| (v.before.clone(), v.change));
    assert_eq!(spouse, Some((Side::Absent, Some(Change::Added))));
    let m = &impact.cases[1];
    assert!(m.load_error_before.is_some() && m.load_error_after.is_none());
    assert!(m.changed());
    assert!(m.verdicts.iter().all(|v| v.before == Side::NotLoaded));
}
