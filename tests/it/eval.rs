//! The reviewed case corpus: every case under `examples/` and `tests/cases/`
//! is evaluated against the built-in policies. Each case's expectations must
//! hold, every rule that fired must cite its law, and the Markdown memo of the
//! verdicts the case is about is an insta snapshot: an amendment to a policy
//! shows up as a readable diff of memos.

use refuge::case::{load_case, CaseFormat};
use refuge::explain::{to_markdown, RuleStatus};
use refuge::{compile, Engine, Options, Program, SourceMap};
use std::path::{Path, PathBuf};

fn program() -> Program {
    match compile(&SourceMap::builtin()) {
        Ok(c) => c.program,
        Err(d) => panic!(
            "built-in policies do not check:\n{}",
            d.render(&SourceMap::builtin(), Default::default())
        ),
    }
}

fn case_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests/cases"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if CaseFormat::from_path(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The name a snapshot is stored under: `examples__defector`.
fn snapshot_name(path: &Path) -> String {
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .map_or(String::new(), |p| p.to_string_lossy().into_owned());
    let stem = path
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    format!("{parent}__{stem}")
}

#[test]
fn every_case_meets_its_expectations_and_its_memo_is_reviewed() {
    let program = program();
    let engine = Engine::new(&program);
    let files = case_files();
    assert!(!files.is_empty(), "no case files found");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let format = CaseFormat::from_path(path).unwrap();
        let case = match load_case(&program, &name, &text, format) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!(
                    "{name}: does not load: {:?}",
                    miette::Report::new(e)
                ));
                continue;
            }
        };
        let outcome = refuge::testing::run_case(&program, &name, &case);
        for f in &outcome.failures {
            failures.push(format!("{name}: {f}"));
        }
        // The memo covers the verdicts the case is about (its expectations),
        // or every verdict when it states none.
        let verdicts = case.expect.iter().map(|(d, _)| *d).collect();
        let options = Options {
            as_of: Some(case.as_of.unwrap_or(refuge::testing::DEFAULT_TEST_DATE)),
            verdicts,
        };
        let evaluation = match engine.evaluate(&case, &options) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{name}: evaluation error: {e}"));
                continue;
            }
        };
        // Every rule that fired anywhere in the derivation cites its law.
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
        insta::with_settings!({
            snapshot_path => "snapshots/cases",
            prepend_module_to_snapshot => false,
            input_file => path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(snapshot_name(path), to_markdown(&evaluation));
        });
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn evaluation_is_deterministic_byte_for_byte() {
    let program = program();
    let engine = Engine::new(&program);
    for path in case_files().iter().take(10) {
        let text = std::fs::read_to_string(path).unwrap();
        let case = load_case(
            &program,
            "case",
            &text,
            CaseFormat::from_path(path).unwrap(),
        )
        .unwrap();
        let options = Options {
            as_of: Some(refuge::testing::DEFAULT_TEST_DATE),
            verdicts: vec![],
        };
        let first = engine.evaluate(&case, &options).map(|e| e.to_json()).ok();
        let second = engine.evaluate(&case, &options).map(|e| e.to_json()).ok();
        assert_eq!(first, second, "{}", path.display());
    }
}
