//! The values path (`Engine::values_with`, which records nothing) and the
//! explained path (`Engine::evaluate`, which records the derivation graph) are
//! one evaluator compiled twice: they must give the same value, or the same
//! error, for every verdict of every case. Checked over the corpus and over
//! generated variants of it, with the values path's memory reused from case
//! to case as a batch reuses it.

use super::replay::{corpus, program, variant, Rng};
use refuge::case::{load_case, CaseFormat};
use refuge::eval::Scratch;
use refuge::{Engine, Options};

#[test]
fn the_values_path_gives_what_the_derivation_graph_gives() {
    let program = program();
    let engine = Engine::new(&program);
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    let mut rng = Rng(0x0bad_5eed_1234_5678);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = CaseFormat::from_path(&path).unwrap();
        let case = load_case(&program, "c", &text, format).unwrap();
        let mut cases = vec![case.clone()];
        cases.extend((0..8).map(|_| variant(&program, &case, &mut rng)));
        for (n, case) in cases.iter().enumerate() {
            for options in [
                Options::default(),
                engine.all_verdicts(case.as_of.is_none().then(|| jiff::civil::date(2024, 1, 1))),
            ] {
                let graph = engine.evaluate(case, &options);
                let fast = engine.values_with(case, &options, &mut scratch, &mut values);
                match (graph, fast) {
                    (Ok(evaluation), Ok(())) => {
                        let explained: Vec<_> = evaluation
                            .verdict_ids()
                            .iter()
                            .map(|&d| evaluation.value(d).cloned())
                            .collect();
                        compared += explained.len();
                        if explained != values {
                            mismatches.push(format!(
                                "{} (variant {n}): graph {explained:?}, values {values:?}",
                                path.display()
                            ));
                        }
                    }
                    (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                    (a, b) => mismatches.push(format!(
                        "{} (variant {n}): graph {:?}, values {:?}",
                        path.display(),
                        a.map(|_| "ok"),
                        b.map(|_| "ok")
                    )),
                }
            }
        }
    }
    assert!(compared > 50_000, "only {compared} verdicts compared");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The values path decides a definition whose rules all give one constant
/// (no discretion, no exception) by whether some rule in force holds, where
/// the explained path tallies every rule; over every combination of two
/// facts true, false or missing, on either side of an in-force date, the two
/// give the same value.
#[test]
fn a_definition_whose_rules_agree_is_decided_alike_on_both_paths() {
    let policy = r#"
source act : statute "Act"
enum Colour "a colour" { red, green }
fact p : bool "p"
fact q : bool "q"
verdict any_of : bool "p, or q from 2020" {
  default false cite act art 1 provenance reading
  rule by_p when p cite act art 1 provenance text
  rule by_q when q from 2020-01-01 cite act art 2 provenance text
}
verdict agreeing_default : bool "the default agrees with the rule" {
  default true cite act art 1 provenance reading
  rule both when p and q cite act art 1 provenance text
}
verdict no_default : Colour "red when p or q, or when not p" {
  rule either = red when p or q cite act art 1 provenance text
  rule not_p = red when not p cite act art 2 provenance text
}
verdict until_2020 : Colour "red when p, or q until 2020" {
  default green cite act art 1 provenance reading
  rule red_p = red when p cite act art 1 provenance text
  rule red_q = red when q until 2020-01-01 cite act art 2 provenance text
}
"#;
    let compiled = compile_policy(policy);
    let program = &compiled.program;
    let engine = Engine::new(program);
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    let states = ["true", "false", ""];
    let mut decided = std::collections::BTreeMap::new();
    for as_of in ["2019-06-01", "2021-06-01"] {
        for p in states {
            for q in states {
                let facts: Vec<String> = [("p", p), ("q", q)]
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect();
                let text = format!(
                    r#"{{"as_of": "{as_of}", "facts": {{{}}}}}"#,
                    facts.join(", ")
                );
                let case = load_case(program, "c.json", &text, CaseFormat::Json).unwrap();
                let options = Options::default();
                let evaluation = engine.evaluate(&case, &options).unwrap();
                engine
                    .values_with(&case, &options, &mut scratch, &mut values)
                    .unwrap();
                let explained: Vec<_> = evaluation
                    .verdict_ids()
                    .iter()
                    .map(|&d| evaluation.value(d).cloned())
                    .collect();
                assert_eq!(explained, values, "{text}");
                let shown: Vec<String> = values
                    .iter()
                    .map(|v| v.as_ref().map_or("?".into(), |v| v.display(program)))
                    .collect();
                decided.insert((as_of, p, q), shown.join(" "));
            }
        }
    }
    // What a reader of the policy expects, in the verdicts' order.
    assert_eq!(
        decided[&("2019-06-01", "false", "true")],
        "false true red red"
    );
    assert_eq!(
        decided[&("2021-06-01", "false", "true")],
        "true true red green"
    );
    assert_eq!(decided[&("2021-06-01", "", "false")], "? true ? ?");
    assert_eq!(decided[&("2021-06-01", "", "true")], "true true red ?");
    assert_eq!(decided[&("2019-06-01", "", "true")], "? true red red");
    assert_eq!(decided[&("2021-06-01", "true", "")], "true true red red");
}

/// The values path stops at the first rule that holds only where the rules
/// after it cannot fail: when a later condition divides by zero, or reads a
/// definition whose rules conflict, both paths raise the same error, though
/// the first rule already settles the value.
#[test]
fn a_later_rule_that_can_fail_is_still_tested_on_the_values_path() {
    let policy = r#"
source act : statute "Act"
enum Colour "a colour" { red, green }
fact p : bool "p"
fact n : integer "n"
definition split : Colour "red or green, both when p" {
  rule red_p = red when p cite act art 1 provenance text
  rule green_p = green when p cite act art 2 provenance text
}
verdict divides : bool "p, or 10 / n above 1" {
  default false cite act art 1 provenance reading
  rule by_p when p cite act art 1 provenance text
  rule by_n when 10 / n > 1 cite act art 2 provenance text
}
verdict reads_a_conflict : bool "p, or split is red" {
  default false cite act art 1 provenance reading
  rule split_by_p when p cite act art 1 provenance text
  rule by_split when split == red cite act art 2 provenance text
}
verdict plain : bool "p, or n above 1" {
  default false cite act art 1 provenance reading
  rule plain_by_p when p cite act art 1 provenance text
  rule plain_by_n when n > 1 cite act art 2 provenance text
}
"#;
    let compiled = compile_policy(policy);
    let program = &compiled.program;
    let engine = Engine::new(program);
    let case = load_case(
        program,
        "c.json",
        r#"{"as_of": "2024-01-01", "facts": {"p": true, "n": 0}}"#,
        CaseFormat::Json,
    )
    .unwrap();
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    for (verdict, error) in [
        ("divides", Some("division by zero")),
        ("reads_a_conflict", Some("disagree")),
        ("plain", None),
    ] {
        let options = engine.options(None, &[verdict]).unwrap();
        let explained = engine.evaluate(&case, &options).map(|e| {
            let id = e.verdict_ids()[0];
            e.value(id).cloned()
        });
        let fast = engine
            .values_with(&case, &options, &mut scratch, &mut values)
            .map(|()| values[0].clone());
        match (explained, fast, error) {
            (Err(a), Err(b), Some(error)) => {
                assert_eq!(a.to_string(), b.to_string(), "{verdict}");
                assert!(a.to_string().contains(error), "{verdict}: {a}");
            }
            (Ok(a), Ok(b), None) => {
                assert_eq!(a, b, "{verdict}");
                assert_eq!(a, Some(refuge::value::Value::Bool(true)), "{verdict}");
            }
            (a, b, _) => panic!("{verdict}: explained {a:?}, values {b:?}"),
        }
    }
}

/// `exists T[keys]` with facts and constants as keys is answered in place on
/// the values path; it agrees with the explained path on rows in force from
/// a date, rows of the same keys with other windows, and a missing key.
#[test]
fn a_table_row_is_found_alike_on_both_paths() {
    let policy = r#"
source act : statute "Act"
enum State "a state" { china, laos, russia }
enum Treaty "a treaty" { rc, cat }
fact state : State "the state"
table parties "participation" {
  key state : State
  key treaty : Treaty
  column remark : text "a remark"
  row china, cat { remark: "until 2000" } until 2000-01-01 cite act art 1 provenance text
  row china, cat { remark: "again from 2010" } from 2010-01-01 cite act art 1 provenance text
  row laos, cat { remark: "from 2012" } from 2012-01-01 cite act art 1 provenance text
  row russia, rc { remark: "always" } cite act art 1 provenance text
}
verdict bound_by_cat : bool "a party to the CAT" {
  default false cite act art 1 provenance reading
  rule party when exists parties[state, cat] cite act art 1 provenance text
}
"#;
    let compiled = compile_policy(policy);
    let program = &compiled.program;
    let engine = Engine::new(program);
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    let mut bound = Vec::new();
    for state in ["china", "laos", "russia", ""] {
        for as_of in ["1999-06-01", "2005-06-01", "2011-06-01", "2013-06-01"] {
            let facts = if state.is_empty() {
                String::new()
            } else {
                format!(r#""state": "{state}""#)
            };
            let text = format!(r#"{{"as_of": "{as_of}", "facts": {{{facts}}}}}"#);
            let case = load_case(program, "c.json", &text, CaseFormat::Json).unwrap();
            let options = Options::default();
            let evaluation = engine.evaluate(&case, &options).unwrap();
            engine
                .values_with(&case, &options, &mut scratch, &mut values)
                .unwrap();
            let explained = evaluation.value(evaluation.verdict_ids()[0]).cloned();
            assert_eq!(explained, values[0], "{text}");
            bound.push(
                values[0]
                    .as_ref()
                    .map_or("?".into(), |v| v.display(program)),
            );
        }
    }
    assert_eq!(
        bound.join(" "),
        "true false true true  false false false true  false false false false  ? ? ? ?"
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
}

/// A policy of one file, compiled (its diagnostics shown if it does not
/// check).
fn compile_policy(policy: &str) -> refuge::compile::Compiled {
    let mut sources = refuge::SourceMap::new();
    sources.add("p.policy", policy);
    refuge::compile(&sources).unwrap_or_else(|d| {
        panic!(
            "the policy checks:\n{}",
            d.render(&sources, refuge::compile::ErrorFormat::Plain)
        )
    })
}
