//! `refuge check --analyse` over a corpus of small policies with known
//! overlaps, gaps, dead rules and window problems
//! (`tests/fixtures/analysis/*/`): the findings are snapshotted, and every
//! witness the analysis writes is run through `refuge eval`, which must
//! show the same finding.

use std::path::{Path, PathBuf};
use std::process::Command;

fn refuge(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs refuge")
}

fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/analysis")
        .expect("the corpus exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Runs the analysis on a fixture, writing witnesses to a fresh directory
/// of its own (`test` names the caller: tests run in parallel).
fn analyse(dir: &Path, test: &str) -> (i32, String, PathBuf) {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("x");
    let witnesses = std::env::temp_dir().join(format!(
        "refuge-analysis-{}-{test}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&witnesses);
    let out = refuge(&[
        "--error-format",
        "plain",
        "check",
        "--analyse",
        dir.to_str().expect("utf-8 path"),
        "--witnesses",
        witnesses.to_str().expect("utf-8 path"),
    ]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    // Timings vary from run to run.
    let text = regex::Regex::new(r"in \d+ ms")
        .expect("regex")
        .replace_all(&text, "in [time] ms")
        .into_owned();
    (out.status.code().unwrap_or(-1), text, witnesses)
}

#[test]
fn every_fixture_has_the_findings_in_its_snapshot() {
    let dirs = fixtures();
    assert!(dirs.len() >= 10, "the corpus has its ten policies");
    for dir in dirs {
        let (code, text, witnesses) = analyse(&dir, "snapshot");
        let _ = std::fs::remove_dir_all(&witnesses);
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x")
            .to_owned();
        insta::assert_snapshot!(format!("analysis_{name}"), format!("exit {code}\n{text}"));
    }
}

#[test]
fn open_findings_fail_the_check_and_accepted_ones_do_not() {
    let (code, text, witnesses) = analyse(Path::new("tests/fixtures/analysis/overlap"), "exit");
    let _ = std::fs::remove_dir_all(&witnesses);
    assert_eq!(code, 3, "{text}");
    let (code, text, witnesses) = analyse(Path::new("tests/fixtures/analysis/accepted"), "exit");
    let _ = std::fs::remove_dir_all(&witnesses);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 accepted, 0 open"), "{text}");
    let (code, text, witnesses) = analyse(Path::new("tests/fixtures/analysis/clean"), "exit");
    let _ = std::fs::remove_dir_all(&witnesses);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 finding(s)"), "{text}");
}

/// What `refuge eval` must show on each kind of witness.
fn reproduces(policy: &Path, witness: &Path) {
    let file = witness.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(witness).expect("witness")).expect("json");
    let out = refuge(&[
        "--error-format",
        "plain",
        "eval",
        "--policy",
        policy.to_str().expect("utf-8"),
        witness.to_str().expect("utf-8"),
        "--explain",
    ]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code();
    let rules: Vec<&str> = file.trim_end_matches(".json").split('-').skip(2).collect();
    if file.starts_with("overlap-") {
        assert_eq!(code, Some(5), "{file}: a conflict\n{text}");
        assert!(text.contains("refuge::eval::conflict"), "{file}\n{text}");
        for r in &rules {
            assert!(
                text.contains(&format!("`{r}`")),
                "{file}: names `{r}`\n{text}"
            );
        }
    } else if file.starts_with("gap-") {
        assert_eq!(code, Some(2), "{file}: undetermined\n{text}");
    } else if file.starts_with("dead_rule-") {
        for r in &rules {
            assert!(
                text.contains(r),
                "{file}: the defeated rule is shown\n{text}"
            );
        }
    } else if file.starts_with("window_overlap-") {
        assert!(
            rules.iter().all(|r| text.contains(r)),
            "{file}: both versions apply\n{text}"
        );
    } else if file.starts_with("window_gap-") {
        assert!(text.contains("not in force"), "{file}\n{text}");
    } else {
        panic!("{file}: a witness of an unknown kind");
    }
    assert!(case["as_of"].is_string(), "{file}: the witness has a date");
}

#[test]
fn every_witness_reproduces_its_finding_under_refuge_eval() {
    let mut seen = 0;
    for dir in fixtures() {
        let (_, _, witnesses) = analyse(&dir, "witness");
        let Ok(entries) = std::fs::read_dir(&witnesses) else {
            continue;
        };
        for entry in entries {
            reproduces(&dir, &entry.expect("readable").path());
            seen += 1;
        }
        let _ = std::fs::remove_dir_all(&witnesses);
    }
    assert!(seen >= 7, "the corpus yields its witnesses ({seen})");
}

#[test]
fn the_built_in_policies_have_no_open_finding() {
    let out = refuge(&["check", "--analyse"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(", 0 open"), "{stdout}");
}
