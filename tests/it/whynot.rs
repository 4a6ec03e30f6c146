//! `refuge eval --why-not`: what would have to differ, as a lawyer reads it.

use crate::common::{refuge, stderr, stdout};

const CASE: &str = "tests/cases/intl_kr_art9_exclusion_never_permits_return.json";

#[test]
fn why_not_return_permitted_for_an_excluded_hijacker_names_the_absolute_bar() {
    let out = refuge(&[
        "eval",
        CASE,
        "--why-not",
        "return_prohibited=false",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.contains("### Absolute bar"), "{md}");
    // Exclusion, conviction and danger never lift the bar.
    assert!(!md.contains("`claimant.exclusion_findings` were"), "{md}");
    assert!(!md.contains("`claimant.danger_to_community` were"), "{md}");
    insta::with_settings!({snapshot_path => "snapshots/whynot", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("kr_art9_return_prohibited_false", md);
    });
}

#[test]
fn why_not_with_a_bad_verdict_or_outcome_exits_4_with_a_suggestion() {
    let out = refuge(&["eval", CASE, "--why-not", "return_prohibitd=false"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("did you mean `return_prohibited`?"),
        "{}",
        stderr(&out)
    );
    let out = refuge(&[
        "eval",
        CASE,
        "--why-not",
        "return_prohibition_strength=no_barr",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("did you mean `no_bar`?"),
        "{}",
        stderr(&out)
    );
    let out = refuge(&["eval", CASE, "--why-not", "return_prohibited=maybe"]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
}

#[test]
fn why_not_renders_json() {
    let out = refuge(&[
        "eval",
        CASE,
        "--why-not",
        "return_prohibited=false",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(value["schema"], "refuge.whynot/1");
    assert_eq!(value["absolute_bar"]["every_set_changes_them"], true);
}

#[test]
fn a_discretion_not_yet_in_force_is_never_offered_as_open() {
    // In 2003 the late-application ground (in force from 2007) does not exist.
    let out = refuge(&[
        "eval",
        "examples/excluded_hijacker.yaml",
        "--why-not",
        "rok_protection=eligible",
    ]);
    let text = stdout(&out);
    assert!(text.contains("rok_art9_international_crime"), "{text}");
    assert!(!text.contains("rok_art9_late_application"), "{text}");
}
