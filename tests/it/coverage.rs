//! `refuge test --coverage` on the built-in policies: the report and the
//! `--min-coverage` threshold's exit codes.

use crate::common::{refuge, stderr, stdout};

#[test]
fn an_unreachable_minimum_fails_with_a_message() {
    let out = refuge(&["test", "--coverage", "--min-coverage", "101"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("below the minimum of 101%"),
        "{}",
        stderr(&out)
    );
    // The tests themselves passed; only the threshold failed.
    assert!(stdout(&out).contains(" 0 failed"), "{}", stdout(&out));
}

#[test]
fn a_zero_minimum_passes_and_the_report_follows_the_results() {
    let out = refuge(&["test", "--coverage", "--min-coverage", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let results = text.find(" passed, ").expect("the test summary");
    let report = text.find("\ncoverage: ").expect("the coverage report");
    assert!(results < report, "{text}");
    assert!(text.contains("rules fired ("), "{text}");
    assert!(text.contains("rok_act "), "{text}");
}

#[test]
fn the_markdown_report_has_a_table_per_source() {
    let out = refuge(&["test", "--coverage", "--coverage-format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("# Article coverage"), "{text}");
    assert!(text.contains("## `rok_act`: "), "{text}");
    assert!(
        text.contains("| Article | Coverage | Fired | Considered | Unreached | Rules not fired |"),
        "{text}"
    );
}

#[test]
fn without_the_flags_there_is_no_report() {
    let out = refuge(&["test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("\ncoverage: "), "{}", stdout(&out));
}

/// The article-coverage report of the built-in policies over the whole case
/// corpus, as a reviewer reads it: a policy or corpus change that leaves an
/// article unexercised shows up as a diff of this snapshot.
#[test]
fn the_corpus_coverage_report_is_reviewed() {
    let out = refuge(&[
        "test",
        "--cases",
        "examples",
        "--cases",
        "tests/cases",
        "--coverage",
        "--coverage-format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let report = text
        .find("# Article coverage")
        .map(|i| text[i..].to_string())
        .expect("a coverage report after the test results");
    insta::with_settings!({snapshot_path => "snapshots/coverage", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("builtin_corpus", report);
    });
}
