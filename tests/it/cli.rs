//! The `refuge` command as a user runs it: output and exit codes.

use crate::common::{refuge, stderr, stdout};
use std::path::Path;

/// The standard output of `refuge ARGS`, which must exit 0: every verdict
/// the case asks for is decided.
fn succeeding(args: &[&str]) -> String {
    let out = refuge(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "refuge {}: {}",
        args.join(" "),
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn eval_explains_the_flagship_case_with_citations_and_exits_0() {
    let out = refuge(&["eval", "examples/defector.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // One summary line per verdict: outcome, the deciding rule, the law.
    let line = text
        .lines()
        .find(|l| l.starts_with("rok_protection "))
        .unwrap_or_else(|| panic!("no summary line for rok_protection in:\n{text}"));
    assert!(line.contains("eligible by `rok_inclusion`"), "{line}");
    assert!(text.contains("Art. 7(1)"), "no citation in:\n{text}");
    // `--explain` adds each verdict's decisive derivation.
    let explained = succeeding(&["eval", "examples/defector.json", "--explain"]);
    assert!(explained.contains("also considered:"), "{explained}");
    assert!(explained.len() > text.len() * 2, "{explained}");
}

#[test]
fn eval_renders_markdown_and_json() {
    let md = succeeding(&["eval", "examples/defector.json", "--format", "markdown"]);
    // The memo opens with a conclusion computed from the outcome, not the
    // case file's description, and is short enough to sign.
    assert!(md.starts_with("# Eligible for designation"), "{md}");
    for section in [
        "## Conclusion",
        "## Law applied",
        "## Decisive facts",
        "## Discretions",
    ] {
        assert!(md.contains(section), "no {section} in:\n{md}");
    }
    let words = md.split_whitespace().count();
    assert!(words <= 1100, "the memo has {words} words");
    let json = succeeding(&["eval", "examples/defector.json", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value["schema"], "refuge.evaluation/2");
    let v = &value["verdicts"]["rok_protection"];
    assert_eq!(v["outcome"]["status"], "decided");
    assert_eq!(v["outcome"]["by"], "rules");
    assert_eq!(
        v["decisive_facts"]["defector"]["application"],
        "overseas_mission"
    );
    // Ids refer to the program manifest, which `refuge manifest` prints.
    let manifest: serde_json::Value =
        serde_json::from_str(&succeeding(&["manifest"])).expect("valid JSON");
    assert_eq!(manifest["schema"], "refuge.program/1");
    assert_eq!(value["program"], manifest["digest"]);
    let root = v["root"].as_u64().unwrap() as usize;
    let def = value["nodes"][root]["definition"].as_u64().unwrap() as usize;
    assert_eq!(manifest["definitions"][def]["name"], "rok_protection");
    // Every rule carries its real place in the policy text.
    let rules = manifest["rules"].as_array().unwrap();
    let inclusion = rules
        .iter()
        .find(|r| r["name"] == "rok_inclusion")
        .expect("rok_inclusion is in the manifest");
    let location = inclusion["location"].as_str().unwrap();
    assert!(
        location.starts_with("kr/resettlement.policy:"),
        "{location}"
    );
    // The law the protection outcome rests on is named in the manifest.
    for id in v["rests_on"].as_array().unwrap() {
        let cite = &manifest["citations"][id.as_u64().unwrap() as usize];
        assert!(cite["source"].is_string() && cite["pinpoint"]["text"].is_string());
    }
}

#[test]
fn an_undetermined_verdict_exits_2_and_names_the_missing_facts() {
    let out = refuge(&["eval", "examples/missing_facts.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).contains("missing"), "{}", stdout(&out));
}

#[test]
fn as_of_on_the_command_line_overrides_the_case() {
    // The 2002 subsidy reduction is not in force in 2001; the case itself is
    // dated 2003, when it is.
    let text = succeeding(&[
        "eval",
        "examples/defector.json",
        "--as-of",
        "2001-06-01",
        "--verdict",
        "rok_max_reduction",
    ]);
    assert!(text.contains("law as of 2001-06-01"), "{text}");
    assert!(
        text.contains("rok_max_reduction") && text.contains("KRW 0"),
        "{text}"
    );
    let dated = succeeding(&[
        "eval",
        "examples/defector.json",
        "--verdict",
        "rok_max_reduction",
    ]);
    assert!(dated.contains("KRW 18,000,000"), "{dated}");
}

#[test]
fn a_case_file_with_a_wrong_type_exits_4_with_the_field_path() {
    let dir = std::env::temp_dir().join(format!("refuge-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let case = dir.join("bad.json");
    std::fs::write(
        &case,
        r#"{"as_of": "2003-01-15", "facts": {"standard_amount": 36000000}}"#,
    )
    .unwrap();
    let out = refuge(&["eval", case.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("facts.standard_amount"), "{err}");
    assert!(err.contains("refuge::case::"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_policy_exits_3_with_a_diagnostic() {
    let policy = Path::new("tests/fixtures/check/10_misspelled_fact.policy");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(policy).exists());
    let out = refuge(&["--error-format", "plain", "check", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("refuge::check::unknown_name"), "{err}");
    assert!(err.contains("did you mean"), "{err}");
}

#[test]
fn check_and_test_pass_on_the_built_in_policies() {
    let out = refuge(&["check", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = refuge(&["test", "--cases", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains(" passed, 0 failed"));
}

#[test]
fn help_documents_the_exit_codes() {
    let out = refuge(&["--help"]);
    let text = stdout(&out);
    assert!(text.contains("Exit codes"), "{text}");
    for verb in ["check", "eval", "test"] {
        assert!(text.contains(verb), "{text}");
    }
}

#[test]
fn a_jsonl_batch_gives_one_evaluation_per_line_and_reports_bad_lines_in_place() {
    let dir = std::env::temp_dir().join(format!("refuge-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let good: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("examples/defector.json")).unwrap(),
    )
    .unwrap();
    let batch = format!(
        "{good}\n\n{}\n",
        r#"{"as_of": "2003-01-15", "facts": {"standard_amount": 12}}"#
    );
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, batch).unwrap();
    let out = refuge(&["eval", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "a bad line makes the batch exit 4"
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["schema"], "refuge.evaluation/2");
    assert_eq!(lines[1]["line"], 3);
    assert!(lines[1]["error"][0]
        .as_str()
        .unwrap()
        .contains("facts.standard_amount"));
    let _ = std::fs::remove_dir_all(&dir);
}
