//! The reviewed case corpus: every case under `examples/` and `tests/cases/`
//! is evaluated against the built-in policies.
//!
//! Three layers, in the order a reviewer reads them:
//!
//! 1. **Expectations.** Every case's `expect` section must hold. A failure
//!    names the case, the verdict, the value expected, the value got, the
//!    rules that decided it and the law applied; every failing case is
//!    reported, and before any snapshot is compared.
//! 2. **Summaries.** One small snapshot per case, one line per verdict the
//!    case is about: value, deciding rules, law applied (source and
//!    article, without remarks). A change in the law shows as a one-line
//!    diff in each case it touches.
//! 3. **Memos.** The full Markdown memo of a handful of flagship cases
//!    ([`FLAGSHIPS`]), for the wording of the explanation itself.

use refuge::case::{load_case, Case, CaseFormat};
use refuge::explain::{to_markdown, RuleStatus};
use refuge::testing::{decision, run_case, DEFAULT_TEST_DATE};
use refuge::{compile, Engine, Options, Program, SourceMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The cases whose full memo is a snapshot, together covering: ROK
/// protection, exclusion under Art. 9, the subsidy reduction, international
/// return with an Art. 33(2) limb, chain refoulement, and an undetermined
/// verdict.
const FLAGSHIPS: &[&str] = &[
    "examples/defector.json",
    "examples/excluded_hijacker.yaml",
    "examples/reduced_subsidy.json",
    "examples/missing_facts.yaml",
    "tests/cases/intl_china_2016_serious_criminal_art33_2.json",
    "tests/cases/intl_laos_2013_chain_via_china.json",
    "tests/cases/intl_kr_art9_exclusion_never_permits_return.json",
];

fn program() -> Program {
    match compile(&SourceMap::builtin()) {
        Ok(c) => c.program,
        Err(d) => panic!(
            "built-in policies do not check:\n{}",
            d.render(&SourceMap::builtin(), Default::default())
        ),
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn case_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/cases"] {
        // The corpus may have sub-directories.
        for entry in walkdir::WalkDir::new(root().join(dir))
            .into_iter()
            .flatten()
        {
            let path = entry.into_path();
            if path.is_file() && CaseFormat::from_path(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The path relative to the repository, with `/`.
fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The name a snapshot is stored under: `examples__defector`.
fn snapshot_name(path: &Path) -> String {
    let rel = relative(path);
    let rel = rel.strip_prefix("tests/").unwrap_or(&rel);
    let stem = Path::new(rel).with_extension("");
    stem.to_string_lossy().replace('/', "__")
}

struct Loaded {
    path: PathBuf,
    case: Case,
}

/// Loads every case; a case that does not load is a failure of its own.
fn load_all(program: &Program, failures: &mut Vec<String>) -> Vec<Loaded> {
    let mut loaded = Vec::new();
    for path in case_files() {
        let name = relative(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: cannot be read: {e}"));
                continue;
            }
        };
        let Some(format) = CaseFormat::from_path(&path) else {
            continue;
        };
        match load_case(program, &name, &text, format) {
            Ok(case) => loaded.push(Loaded { path, case }),
            Err(e) => failures.push(format!(
                "{name}: does not load: {:?}",
                miette::Report::new(e)
            )),
        }
    }
    loaded
}

/// The options a case is evaluated with: its date (or the test default),
/// and the verdicts it is about: its expectations, else those it asks for,
/// else every verdict.
fn options(case: &Case) -> Options {
    let verdicts = case.expect.iter().map(|(d, _)| *d).collect();
    Options {
        as_of: Some(case.as_of.unwrap_or(DEFAULT_TEST_DATE)),
        verdicts,
    }
}

#[test]
fn every_case_meets_its_expectations() {
    let program = program();
    let engine = Engine::new(&program);
    let mut failures = Vec::new();
    let cases = load_all(&program, &mut failures);
    assert!(cases.len() >= 100, "only {} case files found", cases.len());
    let mut expectations = 0;
    for Loaded { path, case } in &cases {
        let name = relative(path);
        expectations += case.expect.len();
        let outcome = run_case(&program, &name, case);
        if !outcome.passed() {
            failures.push(format!("{name}:\n  {}", outcome.failures.join("\n  ")));
        }
        // Every rule that fired anywhere in the derivation cites its law.
        match engine.evaluate(case, &options(case)) {
            Ok(evaluation) => {
                let graph = evaluation.derivation();
                for node in graph.nodes() {
                    for entry in graph.rules_of(node) {
                        let rule = &program.rules[entry.rule.index()];
                        if RuleStatus::of(entry).fired() && rule.meta.cites.is_empty() {
                            failures.push(format!(
                                "{name}: rule `{}` fired without a citation",
                                rule.name
                            ));
                        }
                    }
                }
            }
            Err(e) => failures.push(format!("{name}: evaluation error: {e}")),
        }
    }
    assert!(
        expectations >= cases.len(),
        "{expectations} expectations for {} cases: most cases must state what they expect",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One line per verdict the case is about.
fn summary(program: &Program, engine: &Engine<'_>, case: &Case) -> String {
    let options = options(case);
    match engine.evaluate(case, &options) {
        Ok(evaluation) => {
            let mut out = format!("as of {}\n", evaluation.as_of());
            for &def in evaluation.verdict_ids() {
                let name = &program.definitions[def.index()].name;
                out.push_str(&format!("{name} = {}\n", decision(&evaluation, def).line()));
            }
            out
        }
        Err(e) => format!("evaluation error: {e}\n"),
    }
}

/// A named snapshot assertion.
type Check<'a> = (String, Box<dyn Fn() + 'a>);

/// Runs every snapshot assertion of `check`, collecting the failures, and
/// fails once naming them all (insta stops at the first otherwise).
fn all_snapshots(names: &[Check<'_>]) {
    let mut mismatched = Vec::new();
    for (name, check) in names {
        if catch_unwind(AssertUnwindSafe(check)).is_err() {
            mismatched.push(name.clone());
        }
    }
    assert!(
        mismatched.is_empty(),
        "{} snapshot(s) differ (review with `cargo insta review`):\n  {}",
        mismatched.len(),
        mismatched.join("\n  ")
    );
}

/// The expectations are checked first: a legal regression is reported as
/// "expected, got, law applied" and never only as a snapshot diff.
fn expectations_hold(program: &Program, cases: &[Loaded]) {
    let failing: Vec<String> = cases
        .iter()
        .map(|l| run_case(program, &relative(&l.path), &l.case))
        .filter(|o| !o.passed())
        .map(|o| format!("{}:\n  {}", o.name, o.failures.join("\n  ")))
        .collect();
    assert!(
        failing.is_empty(),
        "expectations fail, so no snapshot was compared:\n{}",
        failing.join("\n")
    );
}

#[test]
fn every_case_summary_is_reviewed() {
    let program = program();
    let engine = Engine::new(&program);
    let mut failures = Vec::new();
    let cases = load_all(&program, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    expectations_hold(&program, &cases);
    // The generated boundary cases (`boundary.rs`) check themselves and
    // have no summary.
    let checks: Vec<Check<'_>> = cases
        .iter()
        .filter(|l| !relative(&l.path).starts_with("tests/cases/boundary/"))
        .map(|Loaded { path, case }| {
            let name = snapshot_name(path);
            let text = summary(&program, &engine, case);
            let path = path.clone();
            let shown = relative(&path);
            let check: Box<dyn Fn() + '_> = Box::new(move || {
                insta::with_settings!({
                    snapshot_path => "snapshots/summary",
                    prepend_module_to_snapshot => false,
                    input_file => &path,
                    omit_expression => true,
                }, {
                    insta::assert_snapshot!(name.clone(), text.clone());
                });
            });
            (shown, check)
        })
        .collect();
    all_snapshots(&checks);
}

#[test]
fn flagship_memos_are_reviewed() {
    let program = program();
    let engine = Engine::new(&program);
    let mut failures = Vec::new();
    let cases: Vec<Loaded> = load_all(&program, &mut failures)
        .into_iter()
        .filter(|l| FLAGSHIPS.contains(&relative(&l.path).as_str()))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        cases.len(),
        FLAGSHIPS.len(),
        "a flagship case is missing from the corpus"
    );
    expectations_hold(&program, &cases);
    let checks: Vec<Check<'_>> = cases
        .iter()
        .map(|Loaded { path, case }| {
            let name = snapshot_name(path);
            let memo = match engine.evaluate(case, &options(case)) {
                Ok(e) => to_markdown(&e),
                Err(e) => format!("evaluation error: {e}"),
            };
            let path = path.clone();
            let snapshot = name.clone();
            let check: Box<dyn Fn() + '_> = Box::new(move || {
                insta::with_settings!({
                    snapshot_path => "snapshots/memos",
                    prepend_module_to_snapshot => false,
                    input_file => &path,
                    omit_expression => true,
                }, {
                    insta::assert_snapshot!(snapshot.clone(), memo.clone());
                });
            });
            (name, check)
        })
        .collect();
    all_snapshots(&checks);
}

#[test]
fn evaluation_is_deterministic_byte_for_byte() {
    let program = program();
    let engine = Engine::new(&program);
    let mut failures = Vec::new();
    let cases = load_all(&program, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Each case as its own options ask, and every verdict at the case's
    // date: an error must repeat with the same message, a result with the
    // same JSON.
    let run = |case: &Case, options: &Options| -> Result<String, String> {
        engine
            .evaluate(case, options)
            .map(|e| e.to_json().to_string())
            .map_err(|e| format!("{e:?}"))
    };
    // A fresh compile, with fresh hash maps, gives the same results too.
    let other = self::program();
    let fresh = Engine::new(&other);
    for Loaded { path, case } in &cases {
        let all = Options {
            as_of: Some(case.as_of.unwrap_or(DEFAULT_TEST_DATE)),
            verdicts: vec![],
        };
        for options in [options(case), all] {
            let first = run(case, &options);
            let second = run(case, &options);
            assert_eq!(first, second, "{}", relative(path));
            let third = fresh
                .evaluate(case, &options)
                .map(|e| e.to_json().to_string())
                .map_err(|e| format!("{e:?}"));
            assert_eq!(first, third, "{}", relative(path));
        }
    }
}
