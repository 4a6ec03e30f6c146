#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail with a message"
)]

use super::{why_not, WantedOutcome, WhyNot};
use crate::case::{load_case, CaseFormat};
use crate::value::Value;
use crate::{compile, SourceMap};

const SOURCES: &str = r#"
source act : statute "Act"
source cat : treaty "Convention against Torture"
source rc : treaty "Refugee Convention"
"#;

fn ask(policy: &str, case_json: &str, verdict: &str, wanted: Option<bool>) -> WhyNot {
    let mut sources = SourceMap::new();
    sources.add("p.policy", format!("{SOURCES}\n{policy}"));
    let compiled = compile(&sources)
        .unwrap_or_else(|d| panic!("{}", d.render(&sources, crate::compile::ErrorFormat::Plain)));
    let program = &compiled.program;
    let case = load_case(program, "case.json", case_json, CaseFormat::Json)
        .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)));
    let def = program.definition(verdict).expect("verdict");
    let wanted = wanted.map_or(WantedOutcome::Undetermined, |b| {
        WantedOutcome::Value(Value::Bool(b))
    });
    let as_of = case.as_of.expect("as_of");
    why_not(program, &case, def, wanted, as_of).expect("evaluates")
}

fn changed_facts(w: &WhyNot) -> Vec<Vec<String>> {
    w.alternatives
        .iter()
        .map(|a| a.changes.iter().map(|c| c.fact.clone()).collect())
        .collect()
}

#[test]
fn a_plain_rule_is_flipped_by_one_fact() {
    let policy = r#"
fact refugee : bool
fact age : integer
verdict protected : bool {
  default false cite act "Art. 1"
  rule adult_refugee when refugee and age >= 18 cite act "Art. 2"
}
"#;
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"refugee": false, "age": 30}}"#,
        "protected",
        Some(true),
    );
    assert_eq!(changed_facts(&w), vec![vec!["refugee".to_string()]]);
    let alt = &w.alternatives[0];
    assert_eq!(alt.changes[0].from.as_deref(), Some("false"));
    assert_eq!(alt.changes[0].to, "true");
    assert_eq!(alt.decided_by[0].name, "adult_refugee");
    assert_eq!(alt.decided_by[0].citations[0].pinpoint.as_ref(), "Art. 2");
    assert!(w.absolute_bar.is_none());

    // Numbers: the constant compared with and its neighbours.
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "age": 30}}"#,
        "protected",
        Some(false),
    );
    let tos: Vec<&str> = w
        .alternatives
        .iter()
        .flat_map(|a| a.changes.iter())
        .filter(|c| c.fact == "age")
        .map(|c| c.to.as_str())
        .collect();
    assert_eq!(tos, vec!["17"], "{w:#?}");
}

#[test]
fn an_exception_is_the_minimal_set() {
    let policy = r#"
fact refugee : bool
fact danger : bool
verdict return_prohibited : bool {
  default false cite rc "Art. 33"
  rule art33 when refugee cite rc "Art. 33(1)"
  exception danger_to_security lifts art33 when danger cite rc "Art. 33(2)"
}
"#;
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "danger": false}}"#,
        "return_prohibited",
        Some(false),
    );
    let sets = changed_facts(&w);
    assert!(sets.contains(&vec!["danger".to_string()]), "{sets:?}");
    assert!(sets.contains(&vec!["refugee".to_string()]), "{sets:?}");
    assert!(sets.iter().all(|s| s.len() == 1), "{sets:?}");
}

#[test]
fn a_discretion_is_reported_as_a_discretion() {
    let policy = r#"
fact serious_crime : bool
verdict protected : bool {
  default true cite act "Art. 1"
  rule refuse_criminal = false may "refuse protection" by "Minister"
    when serious_crime cite act "Art. 9"
}
"#;
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"serious_crime": true}}"#,
        "protected",
        Some(false),
    );
    assert!(w.alternatives.is_empty(), "{w:#?}");
    assert_eq!(w.discretions.len(), 1);
    let d = &w.discretions[0];
    assert_eq!(d.rule, "refuse_criminal");
    assert_eq!(d.status, "open");
    assert_eq!(d.if_, "exercised");
    assert_eq!(d.outcome, "false");
    assert!(d.gives_wanted);
    let md = super::to_markdown(&w);
    assert!(
        md.contains("if exercised, `protected` would be `false`"),
        "{md}"
    );
}

#[test]
fn no_change_of_exception_facts_lifts_an_absolute_bar() {
    let policy = r#"
fact refugee : bool
fact danger : bool
fact convicted : bool
fact torture_risk : bool
verdict return_prohibited : bool {
  default false cite rc "Art. 33"
  absolute rule cat when torture_risk cite cat "Art. 3(1)"
  rule art33 when refugee cite rc "Art. 33(1)"
  exception danger_exc lifts art33 when danger or convicted cite rc "Art. 33(2)"
}
"#;
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "torture_risk": true, "danger": true, "convicted": true}}"#,
        "return_prohibited",
        Some(false),
    );
    let sets = changed_facts(&w);
    assert_eq!(sets, vec![vec!["torture_risk".to_string()]], "{w:#?}");
    let bar = w.absolute_bar.as_ref().expect("absolute bar");
    assert_eq!(bar.rules[0].name, "cat");
    assert_eq!(bar.facts, vec!["torture_risk".to_string()]);
    assert!(bar.every_set_changes_them);
    assert!(bar.statement.contains("absolute"), "{}", bar.statement);
    let text = super::to_text(&w);
    assert!(text.contains("absolute bar"), "{text}");
}

#[test]
fn an_absolute_bar_with_no_way_out_says_so() {
    let policy = r#"
fact torture_risk : bool
fact danger : bool
verdict return_prohibited : bool {
  default true cite cat "Art. 3"
  absolute rule cat when torture_risk cite cat "Art. 3(1)"
  rule others = true when danger cite act "Art. 1"
}
"#;
    // `false` is reachable by no fact: the default is `true`.
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"torture_risk": true, "danger": true}}"#,
        "return_prohibited",
        Some(false),
    );
    assert!(w.alternatives.is_empty());
    let nothing = w.nothing_found().expect("nothing found");
    assert!(nothing.contains("no change of up to 3 facts"), "{nothing}");
    let bar = w.absolute_bar.expect("bar");
    assert!(bar.statement.contains("no change of up to 3 facts"));
}

#[test]
fn asking_for_undetermined_when_every_value_decides_finds_nothing() {
    let policy = r#"
fact refugee : bool
verdict protected : bool {
  rule r when refugee cite act "Art. 2"
  rule n = false when not refugee cite act "Art. 3"
}
"#;
    let w = ask(
        policy,
        r#"{"as_of": "2016-01-01", "facts": {"refugee": true}}"#,
        "protected",
        None,
    );
    // Removing a fact is not a change tried: nothing found.
    assert_eq!(w.wanted, "undetermined");
    assert!(w.alternatives.is_empty());
}
