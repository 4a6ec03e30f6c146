//! The analysis of derivations, on small policies: what is decisive, what the
//! outcome rests on, and which missing facts matter.

use crate::case::{load_case, CaseFormat};
use crate::compile::compile;
use crate::eval::{Engine, Options};
use crate::ir::Program;
use crate::source::SourceMap;

const POLICY: &str = r#"
source rc : treaty "Refugee Convention"
source cat : treaty "Convention against Torture"
source echr : treaty "European Convention on Human Rights"
fact refugee : bool
fact danger : bool
fact torture_risk : bool
fact bound_cat : bool
fact bound_echr : bool
fact ill_treatment : bool
verdict return_prohibited : bool {
  default false cite rc "Art. 33 (no bar)" provenance reading
  rule art33_1 when refugee qualified by art33_2 cite rc "Art. 33(1)" provenance text
  exception art33_2 lifts art33_1 when danger cite rc "Art. 33(2)" provenance text
  absolute rule cat_art3 when bound_cat and torture_risk cite cat "Art. 3" provenance text
  absolute rule echr_art3 when bound_echr and ill_treatment cite echr "Art. 3" provenance text
}
"#;

fn program() -> Program {
    let mut sources = SourceMap::new();
    sources.add("p.policy", POLICY);
    compile(&sources).map(|c| c.program).unwrap()
}

/// The names of the decisive facts, the pinpoints the verdict rests on, the
/// rules considered, and the missing facts.
fn explain(facts: &str) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let program = program();
    let text = format!(r#"{{"as_of": "2016-01-01", "facts": {facts}}}"#);
    let case = load_case(&program, "c.json", &text, CaseFormat::Json).unwrap();
    let e = Engine::new(&program)
        .evaluate(&case, &Options::default())
        .unwrap();
    let def = e.verdict_ids()[0];
    let x = e.explain(def);
    let facts = x
        .facts
        .iter()
        .map(|f| program.facts[f.fact.index()].path.clone())
        .collect();
    let rests = x
        .rests_on(&program)
        .iter()
        .map(|c| c.pinpoint.to_string())
        .collect();
    let considered = x
        .considered
        .iter()
        .map(|c| program.rules[c.rule.index()].name.clone())
        .collect();
    let missing = x
        .pending
        .iter()
        .map(|m| program.facts[m.fact.index()].path.clone())
        .collect();
    (facts, rests, considered, missing)
}

#[test]
fn an_absolute_bar_rests_on_its_own_treaty_and_not_on_those_that_agree() {
    let (facts, rests, considered, _) = explain(
        r#"{"refugee": true, "danger": false, "torture_risk": true, "bound_cat": true,
            "bound_echr": false, "ill_treatment": true}"#,
    );
    // Art. 33(1) and CAT both bar return; ECHR does not bind: it is neither
    // the law applied nor needed to rule anything out.
    assert_eq!(rests, ["Art. 33(1)", "Art. 3"]);
    assert!(!facts.contains(&"bound_echr".to_string()));
    assert!(considered.contains(&"art33_2".to_string()));
    assert!(!considered.contains(&"echr_art3".to_string()));
}

#[test]
fn no_bar_rests_on_the_default_and_every_ground_is_considered() {
    let (facts, rests, considered, _) = explain(
        r#"{"refugee": true, "danger": true, "torture_risk": false, "bound_cat": true,
            "bound_echr": false, "ill_treatment": true}"#,
    );
    // Art. 33(2) lifted Art. 33(1): it is law applied; CAT and ECHR were
    // ruled out by the facts that fail them.
    assert_eq!(rests, ["Art. 33 (no bar)", "Art. 33(2)"]);
    assert_eq!(considered, ["art33_1", "cat_art3", "echr_art3"]);
    // Only the failing conjunct of each condition is decisive.
    assert!(facts.contains(&"torture_risk".to_string()));
    assert!(!facts.contains(&"bound_cat".to_string()));
    assert!(facts.contains(&"bound_echr".to_string()));
    assert!(!facts.contains(&"ill_treatment".to_string()));
}

#[test]
fn only_missing_facts_that_could_decide_are_listed() {
    // ECHR's `ill_treatment` is missing, but ECHR does not bind: no value of
    // it can matter. Art. 33(2)'s `danger` is missing and does.
    let (_, _, _, missing) = explain(
        r#"{"refugee": true, "torture_risk": false, "bound_cat": true, "bound_echr": false}"#,
    );
    assert_eq!(missing, ["danger"]);
}

/// The compact JSON (the whole document, and the verdicts of `--output
/// verdicts`) is written by hand for speed; it must be what serde writes for
/// the same document, byte for byte, for every case of the corpus, with its
/// own verdicts and with all of them.
#[test]
fn the_direct_json_writer_writes_what_serde_writes() {
    let program = compile(&SourceMap::builtin()).map(|c| c.program).unwrap();
    let engine = Engine::new(&program);
    let all = Options {
        as_of: None,
        verdicts: program.verdicts().collect(),
    };
    let mut checked = 0;
    for (path, format) in crate::testing::corpus_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(case) = load_case(&program, "c", &text, format) else {
            continue;
        };
        for options in [&Options::default(), &all] {
            let Ok(e) = engine.evaluate(&case, options) else {
                continue;
            };
            assert_eq!(
                e.to_json_line(),
                e.json_line_by_serde(),
                "{}",
                path.display()
            );
            let mut verdicts = Vec::new();
            e.append_verdicts_json(&mut verdicts);
            assert_eq!(
                String::from_utf8(verdicts).unwrap(),
                e.verdicts_json_by_serde(),
                "{}: --output verdicts",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} evaluations checked");
}
