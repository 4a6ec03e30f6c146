//! Benchmarks: loading a case file against a program's fact schema, in each
//! format (the defector example, 30 facts in three records, against the
//! built-in policies) and for a 5-fact case of the toy statute (the JSON
//! batch path of issue 8 starts here). The failure path (a case with errors,
//! whose spans are found) is measured too: it may be slower, but not much.
//!
//! `cargo bench --bench load`; the figures are reported in
//! docs/architecture.md.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use refuge::case::{load_case, CaseFormat};
use refuge::compile::compile;
use refuge::source::SourceMap;

/// The toy statute's case, as `benches/eval.rs` evaluates it.
const TOY_CASE: &str = r#"{"as_of": "2020-01-01", "facts": {"defected": true, "applied": true,
        "convictions": ["theft"], "years_abroad": 3, "torture_risk": true}}"#;

/// The same case with three mistakes (an unknown fact, a wrong type, a bad
/// variant).
const TOY_BAD_CASE: &str = r#"{"as_of": "2020-01-01", "facts": {"defectd": true, "applied": 1,
        "convictions": ["thef"], "years_abroad": 3, "torture_risk": true}}"#;

const DEFECTOR_YAML: &str = r#"description: the defector example, in YAML
as_of: 2003-01-15
facts:
  defector:
    nk_ties: true
    foreign_nationality_after_exit: false
    kept_prior_foreign_nationality: false
    expressed_intent: true
    application: overseas_mission
    crimes: []
    suspected_feigned_defection: false
    livelihood_abroad: 3 years
    sojourn_hardship: hiding_or_fleeing
    period_found_considerable: false
    unfit_by_decree: false
    diplomatic_hardship_risk: false
  mission_host_objects_strongly: false
  standard_amount: KRW 36000000
  settlement:
    own_property: KRW 2000000
    direct_family_property: KRW 0
    poor_adjustment_or_will: false
    hanawon_violation: false
expect:
  rok_protection: eligible
  rok_max_reduction: KRW 18000000
"#;

const DEFECTOR_TOML: &str = r#"description = "the defector example, in TOML"
as_of = "2003-01-15"

[facts]
mission_host_objects_strongly = false
standard_amount = "KRW 36000000"

[facts.defector]
nk_ties = true
foreign_nationality_after_exit = false
kept_prior_foreign_nationality = false
expressed_intent = true
application = "overseas_mission"
crimes = []
suspected_feigned_defection = false
livelihood_abroad = "3 years"
sojourn_hardship = "hiding_or_fleeing"
period_found_considerable = false
unfit_by_decree = false
diplomatic_hardship_risk = false

[facts.settlement]
own_property = "KRW 2000000"
direct_family_property = "KRW 0"
poor_adjustment_or_will = false
hanawon_violation = false

[expect]
rok_protection = "eligible"
rok_max_reduction = "KRW 18000000"
"#;

fn benches(c: &mut Criterion) {
    let Ok(compiled) = compile(&SourceMap::builtin()) else {
        return;
    };
    let program = &compiled.program;
    let defector = include_str!("../examples/defector.json");
    for (what, text, format) in [
        ("defector.json", defector, CaseFormat::Json),
        ("defector, YAML", DEFECTOR_YAML, CaseFormat::Yaml),
        ("defector, TOML", DEFECTOR_TOML, CaseFormat::Toml),
    ] {
        assert!(
            load_case(program, what, text, format).is_ok(),
            "{what} loads"
        );
        c.bench_function(&format!("load {what}"), |b| {
            b.iter(|| load_case(program, what, black_box(text), format).is_ok())
        });
    }

    let mut toy_sources = SourceMap::new();
    toy_sources.add("toy.policy", include_str!("data/toy.policy"));
    let Ok(toy) = compile(&toy_sources) else {
        return;
    };
    let toy = &toy.program;
    assert!(load_case(toy, "toy.json", TOY_CASE, CaseFormat::Json).is_ok());
    c.bench_function("load toy case (JSON, 5 facts)", |b| {
        b.iter(|| load_case(toy, "toy.json", black_box(TOY_CASE), CaseFormat::Json).is_ok())
    });
    assert!(load_case(toy, "bad.json", TOY_BAD_CASE, CaseFormat::Json).is_err());
    c.bench_function("load toy case with 3 errors (JSON)", |b| {
        b.iter(|| {
            load_case(toy, "bad.json", black_box(TOY_BAD_CASE), CaseFormat::Json)
                .err()
                .map_or(0, |e| e.0.len())
        })
    });
}

criterion_group!(load, benches);
criterion_main!(load);
