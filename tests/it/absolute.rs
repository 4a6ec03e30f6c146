//! The absolute prohibitions of return stay absolute.
//!
//! The digest (§0.2, §2.1) marks four prohibitions absolute: CAT Art. 3,
//! ICCPR Art. 7, ECHR Art. 3 and the customary prohibition of return to
//! torture; `policies/intl/return.policy` adds CED Art. 16 as a reading.
//! Every rule that encodes one of them must be `absolute` (so the checker
//! rejects any exception aimed at it), no other rule may be, and for each
//! there must be a case in the corpus, with expectations, where an exclusion
//! or an Art. 33(2) limb holds and return stays prohibited on that ground.

use refuge::case::{load_case, CaseFormat};
use refuge::ir::{DefId, ExprKind};
use refuge::value::Value;
use refuge::{compile, Engine, Options, Program, SourceMap};
use std::path::Path;

/// The absolute grounds: the verdict for each, and the law.
const GROUNDS: &[(&str, &str)] = &[
    ("cat_art3_bars_return", "CAT Art. 3"),
    ("iccpr_art7_bars_return", "ICCPR Art. 7"),
    ("echr_art3_bars_return", "ECHR Art. 3"),
    (
        "custom_torture_nonrefoulement_bars_return",
        "customary prohibition of return to torture and CIDT",
    ),
    ("ced_art16_bars_return", "CED Art. 16 (absolute by reading)"),
];

/// The definitions that combine the grounds: their rules reading an
/// absolute ground must be absolute too.
const COMBINED: &[&str] = &["return_prohibited", "absolute_ground_bars_return"];

/// What lifts or excludes protection: the Art. 33(2) limbs, and exclusion
/// from refugee status (Art. 1F, 1E, cessation).
const EXCLUDING: &[&str] = &[
    "art33_2_danger_to_security",
    "art33_2_serious_crime_and_danger",
];

fn program() -> Program {
    compile(&SourceMap::builtin())
        .map(|c| c.program)
        .unwrap_or_else(|d| panic!("{}", d.render(&SourceMap::builtin(), Default::default())))
}

fn def(program: &Program, name: &str) -> DefId {
    program
        .definition(name)
        .unwrap_or_else(|| panic!("no definition `{name}`"))
}

#[test]
fn every_rule_encoding_an_absolute_ground_is_absolute_and_no_other_is() {
    let program = program();
    let grounds: Vec<DefId> = GROUNDS.iter().map(|(g, _)| def(&program, g)).collect();
    let combined: Vec<DefId> = COMBINED.iter().map(|c| def(&program, c)).collect();
    let mut encoding = Vec::new();
    for (i, rule) in program.rules.iter().enumerate() {
        let reads_ground = matches!(
            rule.when.as_ref().map(|w| &w.kind),
            Some(ExprKind::Def(d)) if grounds.contains(d)
        );
        let encodes = grounds.contains(&rule.def) || (combined.contains(&rule.def) && reads_ground);
        if encodes {
            encoding.push(rule.name.clone());
        }
        assert_eq!(
            rule.absolute,
            encodes,
            "`{}` ({}): absolute is {}, but it {} an absolute ground",
            rule.name,
            program.rule_locations[i],
            rule.absolute,
            if encodes {
                "encodes"
            } else {
                "does not encode"
            }
        );
        if encodes {
            assert!(
                rule.exceptions.is_empty(),
                "an exception targets `{}`",
                rule.name
            );
        }
    }
    // Each ground has its rules (DPRK and third-state) and its line in both
    // combined verdicts.
    assert!(encoding.len() >= 19, "{encoding:?}");
}

#[test]
fn each_absolute_ground_holds_in_a_case_where_an_exclusion_or_art33_2_applies() {
    let program = program();
    let engine = Engine::new(&program);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut witnesses: Vec<Vec<String>> = vec![Vec::new(); GROUNDS.len()];
    let prohibited = def(&program, "return_prohibited");
    let refugee_status = def(&program, "refugee_status");
    for dir in ["examples", "tests/cases"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            let path = entry.path();
            let Some(format) = CaseFormat::from_path(path) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Ok(case) = load_case(&program, "case", &text, format) else {
                continue;
            };
            // The case must itself expect return to stay prohibited.
            if !case
                .expect
                .iter()
                .any(|(d, v)| *d == prohibited && *v == Some(Value::Bool(true)))
            {
                continue;
            }
            let Some(as_of) = case.as_of else { continue };
            let options = Options {
                as_of: Some(as_of),
                verdicts: vec![],
            };
            let Ok(evaluation) = engine.evaluate(&case, &options) else {
                continue;
            };
            let is_true = |name: &str| {
                program
                    .definition(name)
                    .and_then(|d| engine.value_of(&case, d, as_of).ok().flatten())
                    == Some(Value::Bool(true))
            };
            // An Art. 33(2) limb holds, or an exclusion lifted refugee status.
            let limb = EXCLUDING.iter().any(|e| is_true(e));
            let graph = evaluation.derivation();
            let excluded = graph.node(refugee_status).is_some_and(|n| {
                graph.rules_of(n).iter().any(|r| {
                    let name = &program.rules[r.rule.index()].name;
                    r.active == Some(true)
                        && (name.starts_with("rs_excluded_") || name.starts_with("rs_ceased_"))
                })
            });
            if !(limb || excluded) || !is_true("return_prohibited") {
                continue;
            }
            let shown = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            for (i, (ground, _)) in GROUNDS.iter().enumerate() {
                if is_true(ground) {
                    witnesses[i].push(shown.clone());
                }
            }
        }
    }
    let missing: Vec<&str> = GROUNDS
        .iter()
        .zip(&witnesses)
        .filter(|(_, w)| w.is_empty())
        .map(|((_, law), _)| *law)
        .collect();
    assert!(
        missing.is_empty(),
        "no case where an exclusion or Art. 33(2) holds and return stays prohibited under: {missing:?}"
    );
}
