//! The malformed-input corpus: every file under `tests/malformed/` is bad
//! input of some kind (a policy, a case in each format, a batch, a command
//! line), and its exact messages and exit code are an insta snapshot in
//! `snapshots/malformed/`, so that every error is reviewed text.
//!
//! | file | run as |
//! |---|---|
//! | `*.policy` | `refuge check FILE` |
//! | `*.json`, `*.yaml`, `*.toml`, `*.jsonl` | `refuge eval FILE` (built-in policies) |
//! | `*.args` | `refuge` with one argument per line |

use crate::common::refuge;
use std::path::{Path, PathBuf};

/// The corpus, sorted by name.
fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/malformed")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    files
}

/// The command line a corpus file is run with.
fn arguments(path: &Path) -> Vec<String> {
    let relative = format!(
        "tests/malformed/{}",
        path.file_name().expect("a file name").to_string_lossy()
    );
    match kind(path) {
        Kind::Policy => vec!["check".to_owned(), relative],
        Kind::CommandLine => std::fs::read_to_string(path)
            .expect("an .args file")
            .lines()
            .map(str::to_owned)
            .collect(),
        Kind::Case => vec!["eval".to_owned(), relative],
    }
}

/// Output as reviewed: long lines (evaluations of a batch's good lines)
/// are cut, and the program digest (which every policy edit changes) is
/// redacted.
fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|line| match line.find("\"program\":\"") {
            Some(at) => {
                let start = at + "\"program\":\"".len();
                let end = line[start..].find('"').map_or(line.len(), |e| start + e);
                format!("{}[digest]{}", &line[..start], &line[end..])
            }
            None => line.to_owned(),
        })
        .map(|line| {
            if line.chars().count() > 160 {
                let cut: String = line.chars().take(160).collect();
                format!("{cut}…")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What kind of input a corpus file is, by its extension.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Policy,
    Case,
    CommandLine,
}

fn kind(path: &Path) -> Kind {
    match path.extension().and_then(|e| e.to_str()) {
        Some("policy") => Kind::Policy,
        Some("args") => Kind::CommandLine,
        _ => Kind::Case,
    }
}

#[test]
fn every_malformed_policy_has_its_reviewed_message_and_exit_code() {
    check_corpus(Kind::Policy, 50);
}

#[test]
fn every_malformed_case_has_its_reviewed_message_and_exit_code() {
    check_corpus(Kind::Case, 65);
}

#[test]
fn every_malformed_command_line_has_its_reviewed_message_and_exit_code() {
    check_corpus(Kind::CommandLine, 14);
}

/// Runs every corpus file of one kind and compares its output with its
/// snapshot; `at_least` guards against the corpus shrinking unnoticed.
fn check_corpus(of: Kind, at_least: usize) {
    let files: Vec<PathBuf> = corpus().into_iter().filter(|p| kind(p) == of).collect();
    assert!(
        files.len() >= at_least,
        "the {of:?} corpus shrank to {} inputs",
        files.len()
    );
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let args = arguments(path);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = refuge(&refs);
        let code = out.status.code();
        let stderr = shown(&out.stderr);
        // Bad input is never success, never a crash, and always a code
        // from the documented table.
        if !matches!(code, Some(1..=5)) || stderr.contains("panicked") {
            problems.push(format!("{name}: exit {code:?}\n{stderr}"));
        }
        let rendered = format!(
            "$ refuge {}\nexit: {}\n--- stdout\n{}\n--- stderr\n{}\n",
            args.join(" "),
            code.map_or_else(|| "signal".to_owned(), |c| c.to_string()),
            shown(&out.stdout),
            stderr
        );
        insta::with_settings!({
            snapshot_path => "snapshots/malformed",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
