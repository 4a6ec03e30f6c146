//! `refuge diff`: the impact of a real amendment, the 2002-06-03 subsidy
//! reduction (Enforcement Decree Art. 39), on a small case corpus.

use crate::common::refuge;
use std::process::Output;

const AMENDMENT: &str = "tests/fixtures/amendments/subsidy_2002";

fn diff(old: &str, new: &str, format: &str) -> Output {
    refuge(&[
        "diff",
        &format!("{AMENDMENT}/{old}"),
        &format!("{AMENDMENT}/{new}"),
        "--cases",
        &format!("{AMENDMENT}/cases"),
        "--format",
        format,
    ])
}

#[test]
fn the_2002_subsidy_reduction_changes_verdicts_and_exits_1() {
    let out = diff("old", "new", "markdown");
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(md.contains("rok_art39_power_to_reduce"), "{md}");
    insta::with_settings!({snapshot_path => "snapshots/diff", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("subsidy_2002", md)
    });
}

#[test]
fn the_text_report_names_the_discretion_that_opened() {
    let out = diff("old", "new", "text");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("rok_subsidy_payable stays KRW 36,000,000; rule rok_art39_reduction: not in the old version → open discretion"),
        "{text}"
    );
    assert!(text.contains("2 of 4 cases changed"), "{text}");
}

#[test]
fn identical_versions_exit_0() {
    let out = diff("new", "new", "text");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 of 4 cases changed"), "{text}");
}

#[test]
fn policy_errors_exit_3_and_say_which_side() {
    let dir = std::env::temp_dir().join(format!("refuge-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.policy");
    std::fs::write(&bad, "verdict broken : bool { rule r when nope }\n").expect("write");
    let bad = bad.display().to_string();
    let out = refuge(&[
        "diff",
        &format!("{AMENDMENT}/old"),
        &bad,
        "--cases",
        &format!("{AMENDMENT}/cases"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("the NEW policies"), "{err}");
}

#[test]
fn a_missing_cases_directory_exits_4() {
    let out = refuge(&[
        "diff",
        &format!("{AMENDMENT}/old"),
        &format!("{AMENDMENT}/new"),
        "--cases",
        "tests/fixtures/amendments/no_such_dir",
    ]);
    assert_eq!(out.status.code(), Some(4));
}
