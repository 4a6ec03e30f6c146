//! The evaluator's library API (`Engine`, `Options`), as an embedding tool
//! calls it: which verdicts a call evaluates, in what order, as of which
//! date, and what the values-only calls give beside the explained one.

use refuge::case::{load_case, Case, CaseFormat};
use refuge::eval::Scratch;
use refuge::ir::Program;
use refuge::{compile, Engine, EvalError, Options, SourceMap};

/// Three verdicts and one intermediate definition; `late` is in force from
/// 2010 only.
const POLICY: &str = r#"
source act : statute "Act"
fact a : bool
fact b : bool
definition both : bool "a and b hold" {
  default false cite act "Art. 1" provenance reading
  rule r_both when a and b cite act "Art. 1" provenance text
}
verdict first : bool {
  default false cite act "Art. 2" provenance reading
  rule r_first when a cite act "Art. 2" provenance text
}
verdict second : bool {
  default false cite act "Art. 3" provenance reading
  rule r_second when both cite act "Art. 3" provenance text
}
verdict late : bool {
  default false cite act "Art. 4" provenance reading
  rule r_late when a from 2010-01-01 cite act "Art. 4" provenance text
}
"#;

fn program() -> Program {
    let mut sources = SourceMap::new();
    sources.add("p.policy", POLICY);
    match compile(&sources) {
        Ok(c) => c.program,
        Err(d) => panic!(
            "policy does not check:\n{}",
            d.render(&sources, refuge::compile::ErrorFormat::Plain)
        ),
    }
}

fn case(program: &Program, json: &str) -> Case {
    load_case(program, "case.json", json, CaseFormat::Json)
        .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)))
}

/// The names of definition ids.
fn names(program: &Program, ids: &[refuge::ir::DefId]) -> Vec<String> {
    ids.iter()
        .map(|d| program.definitions[d.index()].name.clone())
        .collect()
}

const ALL_TRUE: &str = r#"{"as_of": "2020-01-01", "facts": {"a": true, "b": true}}"#;

/// A case that names the one verdict it asks for.
const ASKS_LATE: &str = r#"{"as_of": "2020-01-01", "verdicts": ["late"], "facts": {"a": true}}"#;

#[test]
fn options_name_the_verdicts_in_the_order_asked() {
    let program = program();
    let engine = Engine::new(&program);
    let case = case(&program, ALL_TRUE);
    assert!(std::ptr::eq(engine.program(), &program));
    let options = engine.options(None, &["second", "first"]).unwrap();
    assert_eq!(
        names(&program, engine.asked(&case, &options)),
        ["second", "first"]
    );
    let evaluation = engine.evaluate(&case, &options).unwrap();
    assert_eq!(
        names(&program, evaluation.verdict_ids()),
        ["second", "first"]
    );
    assert!(evaluation.asked_by_name());
}

#[test]
fn without_names_the_cases_verdicts_are_asked_else_every_verdict() {
    let program = program();
    let engine = Engine::new(&program);
    let named = case(&program, ASKS_LATE);
    let evaluation = engine.evaluate(&named, &Options::default()).unwrap();
    assert_eq!(names(&program, evaluation.verdict_ids()), ["late"]);
    assert!(evaluation.asked_by_name(), "the case named its verdicts");

    let unnamed = case(&program, ALL_TRUE);
    let evaluation = engine.evaluate(&unnamed, &Options::default()).unwrap();
    assert_eq!(
        names(&program, evaluation.verdict_ids()),
        ["first", "second", "late"],
        "every verdict, in source order, and no plain definition"
    );
    assert!(!evaluation.asked_by_name());

    // The options' names win over the case's.
    let options = engine.options(None, &["first"]).unwrap();
    assert_eq!(names(&program, engine.asked(&named, &options)), ["first"]);
}

#[test]
fn all_verdicts_asks_for_every_verdict_whatever_the_case_names() {
    let program = program();
    let engine = Engine::new(&program);
    let named = case(&program, ASKS_LATE);
    let options = engine.all_verdicts(None);
    assert_eq!(
        names(&program, engine.asked(&named, &options)),
        ["first", "second", "late"]
    );
}

#[test]
fn an_unknown_verdict_name_is_an_error_with_a_suggestion() {
    let program = program();
    let engine = Engine::new(&program);
    match engine.options(None, &["first", "secnd"]) {
        Err(EvalError::UnknownVerdict { name, help }) => {
            assert_eq!(name, "secnd");
            let help = help.expect("a suggestion");
            assert!(help.contains("second"), "{help}");
        }
        other => panic!("expected an unknown-verdict error, got {other:?}"),
    }
}

#[test]
fn the_options_date_overrides_the_cases() {
    let program = program();
    let engine = Engine::new(&program);
    // `r_late` is in force from 2010: true as of 2020, the default before.
    let case = case(&program, ALL_TRUE);
    let late = engine.options(None, &["late"]).unwrap();
    let in_2020 = engine.values(&case, &late).unwrap();
    assert_eq!(in_2020[0].1, Some(refuge::value::Value::Bool(true)));
    let in_2005 = engine
        .values(
            &case,
            &engine
                .options(Some(jiff::civil::date(2005, 1, 1)), &["late"])
                .unwrap(),
        )
        .unwrap();
    assert_eq!(in_2005[0].1, Some(refuge::value::Value::Bool(false)));
    let evaluation = engine
        .evaluate(
            &case,
            &engine.all_verdicts(Some(jiff::civil::date(2005, 1, 1))),
        )
        .unwrap();
    assert_eq!(evaluation.as_of(), "2005-01-01");
}

#[test]
fn without_any_date_evaluation_is_an_error() {
    let program = program();
    let engine = Engine::new(&program);
    let case = case(&program, r#"{"facts": {"a": true, "b": true}}"#);
    assert!(matches!(
        engine.evaluate(&case, &Options::default()),
        Err(EvalError::NoDate)
    ));
    assert!(matches!(
        engine.values(&case, &Options::default()),
        Err(EvalError::NoDate)
    ));
}

#[test]
fn values_pair_each_verdict_asked_with_the_value_the_explained_path_gives() {
    let program = program();
    let engine = Engine::new(&program);
    let mut scratch = Scratch::new();
    let mut out = Vec::new();
    for json in [
        ALL_TRUE,
        r#"{"as_of": "2020-01-01", "facts": {"a": true, "b": false}}"#,
        r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#,
        r#"{"as_of": "2005-01-01", "facts": {"a": false}}"#,
    ] {
        let case = case(&program, json);
        for options in [
            Options::default(),
            engine.options(None, &["second", "late"]).unwrap(),
        ] {
            let evaluation = engine.evaluate(&case, &options).unwrap();
            let explained: Vec<_> = evaluation
                .verdict_ids()
                .iter()
                .map(|&d| (d, evaluation.value(d).cloned()))
                .collect();
            assert_eq!(engine.values(&case, &options).unwrap(), explained, "{json}");
            engine
                .values_with(&case, &options, &mut scratch, &mut out)
                .unwrap();
            let values: Vec<_> = explained.iter().map(|(_, v)| v.clone()).collect();
            assert_eq!(out, values, "{json}");
        }
    }
    // A missing fact leaves `second` undetermined on both paths.
    let case = case(&program, r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#);
    let second = engine.options(None, &["second"]).unwrap();
    assert_eq!(engine.values(&case, &second).unwrap()[0].1, None);
}

#[test]
fn value_of_evaluates_any_definition_not_only_verdicts() {
    let program = program();
    let engine = Engine::new(&program);
    let both = program.definition("both").unwrap();
    let date = jiff::civil::date(2020, 1, 1);
    let yes = case(&program, ALL_TRUE);
    let no = case(
        &program,
        r#"{"as_of": "2020-01-01", "facts": {"a": true, "b": false}}"#,
    );
    let open = case(&program, r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#);
    assert_eq!(
        engine.value_of(&yes, both, date).unwrap(),
        Some(refuge::value::Value::Bool(true))
    );
    assert_eq!(
        engine.value_of(&no, both, date).unwrap(),
        Some(refuge::value::Value::Bool(false))
    );
    assert_eq!(engine.value_of(&open, both, date).unwrap(), None);
}

#[test]
fn a_reused_graph_gives_what_a_fresh_one_gives() {
    let program = program();
    let engine = Engine::new(&program);
    let mut graph = refuge::eval::Derivation::new();
    for json in [
        ALL_TRUE,
        r#"{"as_of": "2005-01-01", "facts": {"a": true}}"#,
        r#"{"as_of": "2020-01-01", "facts": {"a": false, "b": true}}"#,
    ] {
        let case = case(&program, json);
        let fresh = engine.evaluate(&case, &Options::default()).unwrap();
        let reused = engine
            .evaluate_with(&case, &Options::default(), graph)
            .unwrap();
        assert_eq!(reused.to_json(), fresh.to_json(), "{json}");
        graph = reused.into_derivation();
    }
}

#[test]
fn one_scratch_and_one_graph_serve_programs_of_different_sizes() {
    // An embedder may keep one pool of scratch memory for several policy
    // sets: the memory is resized to each program, never read stale.
    let small = program();
    let mut sources = SourceMap::new();
    sources.add(
        "q.policy",
        format!(
            "{POLICY}\n{}",
            (0..40)
                .map(|i| format!(
                    "verdict extra_{i} : bool {{\n  default false cite act \"Art. 9\" provenance reading\n  rule r_extra_{i} when a cite act \"Art. 9\" provenance text\n}}\n"
                ))
                .collect::<String>()
        ),
    );
    let large = compile(&sources).map(|c| c.program).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.render(&sources, refuge::compile::ErrorFormat::Plain)
        )
    });
    let mut scratch = Scratch::new();
    let mut graph = refuge::eval::Derivation::new();
    let mut out = Vec::new();
    for program in [&small, &large, &small, &large] {
        let engine = Engine::new(program);
        let case = case(program, ALL_TRUE);
        let options = engine.all_verdicts(None);
        engine
            .values_with(&case, &options, &mut scratch, &mut out)
            .unwrap();
        let expected: Vec<_> = engine
            .values(&case, &options)
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(out, expected);
        assert!(out
            .iter()
            .all(|v| *v == Some(refuge::value::Value::Bool(true))));
        let reused = engine.evaluate_with(&case, &options, graph).unwrap();
        let fresh = engine.evaluate(&case, &options).unwrap();
        assert_eq!(reused.to_json(), fresh.to_json());
        graph = reused.into_derivation();
    }
}

#[test]
fn the_graph_holds_a_node_for_each_definition_evaluated_and_none_other() {
    let program = program();
    let engine = Engine::new(&program);
    let case = case(&program, ALL_TRUE);
    let evaluation = engine
        .evaluate(&case, &engine.options(None, &["second"]).unwrap())
        .unwrap();
    let graph = evaluation.derivation();
    let def = |name: &str| program.definition(name).unwrap();
    // `second` reads `both`; `first` and `late` were not asked for.
    for evaluated in ["second", "both"] {
        let node = graph.node(def(evaluated)).expect("a node");
        assert_eq!(node.def, def(evaluated));
        assert_eq!(
            graph.value(def(evaluated)),
            Some(&refuge::value::Value::Bool(true))
        );
    }
    for skipped in ["first", "late"] {
        assert_eq!(graph.node_of(def(skipped)), None, "{skipped}");
        assert!(graph.node(def(skipped)).is_none());
    }
    assert_eq!(graph.nodes().len(), 2);
    // Each rule read its facts: `r_both` reads `a` and `b`, `r_second` `both`.
    assert_eq!(graph.read_count(), 3);
}
