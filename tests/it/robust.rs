//! Regression tests for the crashes of issue #10: each input used to abort,
//! panic or lose data; each now ends with a diagnostic and a documented exit
//! code.

use crate::common::{refuge, stderr};
use std::io::Read as _;
use std::process::{Command, Stdio};

/// A fresh scratch directory below the target directory.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A valid policy whose one rule's condition is `condition`.
pub fn policy(condition: &str) -> String {
    format!(
        "source s : statute \"S\"\nfact a : bool\nverdict v : bool {{\n  default false cite s \"1\" provenance reading\n  rule r = true when {condition} cite s \"2\" provenance reading\n}}\n"
    )
}

/// The deep inputs of the issue, each of which overflowed the stack.
fn deep_inputs() -> Vec<(&'static str, String)> {
    vec![
        (
            "parens",
            format!("{}a{}", "(".repeat(6600), ")".repeat(6600)),
        ),
        (
            "parens_100k",
            format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000)),
        ),
        ("chain", format!("{}a", "a and ".repeat(6600))),
        ("not", format!("{}a", "not ".repeat(8900))),
        ("neg", format!("{}1 == 1", "-".repeat(8900))),
        ("if", format!("{}a", "if a then a else ".repeat(3000))),
    ]
}

#[test]
fn deep_nesting_is_a_limit_error_in_every_command() {
    let dir = scratch("deep");
    for (name, condition) in deep_inputs() {
        let path = dir.join(format!("{name}.policy"));
        std::fs::write(&path, policy(&condition)).expect("write");
        let p = path.to_str().expect("utf-8 path");
        let case = dir.join("case.json");
        std::fs::write(&case, r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#).expect("write");
        let c = case.to_str().expect("utf-8 path");
        for args in [
            vec!["check", p],
            vec!["test", p],
            vec!["fmt", "--check", p],
            vec!["fmt", p],
            vec!["eval", "--policy", p, c],
        ] {
            let out = refuge(&args);
            assert_eq!(
                out.status.code(),
                Some(3),
                "{name} {args:?}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("refuge::parse::limit"),
                "{name} {args:?}: {}",
                stderr(&out)
            );
        }
        // `fmt` refused the file: it is as written.
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            policy(&condition)
        );
    }
}

#[test]
fn an_error_past_column_65535_renders_by_line_and_column() {
    let dir = scratch("wide");
    let path = dir.join("wide.policy");
    std::fs::write(&path, policy(&format!("{}b", " ".repeat(70_000)))).expect("write");
    let out = refuge(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown name `b`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("wide.policy:5:70022"),
        "{}",
        stderr(&out)
    );

    let case = dir.join("wide.json");
    let text = format!(
        r#"{{"as_of": "2020-01-01",{} "factz": 1}}"#,
        " ".repeat(70_000)
    );
    std::fs::write(&case, text).expect("write");
    let out = refuge(&["eval", case.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("unknown key"), "{}", stderr(&out));
    assert!(stderr(&out).contains(":1:70025"), "{}", stderr(&out));
}

/// Runs refuge with stdout on a pipe that is closed after the first byte.
fn closed_early(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the refuge binary runs");
    let mut first = [0u8; 1];
    let mut out = child.stdout.take().expect("stdout");
    let _ = out.read(&mut first);
    drop(out);
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    let status = child.wait().expect("wait");
    (status.code(), err)
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        vec!["eval", "examples/defector.json"],
        vec!["test", "--cases", "tests/cases"],
        vec!["test", "--cases", "tests/cases", "--coverage"],
    ] {
        let (code, err) = closed_early(&args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_ne!(code, Some(101), "{args:?}: {err}");
    }
}

#[test]
fn cr_only_line_endings_end_a_comment() {
    let dir = scratch("cr");
    let path = dir.join("cr.policy");
    // The comment on line 1 used to swallow the file: "ok, 0 rules".
    let text = policy("a").replace('\n', "\r");
    std::fs::write(&path, format!("# a comment\r{text}")).expect("write");
    let out = refuge(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        crate::common::stdout(&out).contains("1 rules"),
        "{}",
        crate::common::stdout(&out)
    );
}

#[test]
fn fmt_keeps_the_bom_and_the_line_endings() {
    let dir = scratch("endings");
    for (name, ending) in [("crlf", "\r\n"), ("cr", "\r"), ("lf", "\n")] {
        let path = dir.join(format!("{name}.policy"));
        let messy = "source s : statute \"S\"\nfact   a : bool\n".replace('\n', ending);
        std::fs::write(&path, format!("\u{feff}{messy}")).expect("write");
        let out = refuge(&["fmt", path.to_str().expect("utf-8 path")]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let written = std::fs::read_to_string(&path).expect("read");
        let tidy = "source s : statute \"S\"\nfact a : bool\n".replace('\n', ending);
        assert_eq!(written, format!("\u{feff}{tidy}"), "{name}");
        // Formatted once is formatted.
        let out = refuge(&["fmt", "--check", path.to_str().expect("utf-8 path")]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            crate::common::stdout(&out)
        );
    }
}

#[test]
fn invalid_utf8_names_the_byte_and_line() {
    let dir = scratch("utf8");
    let path = dir.join("bad.policy");
    std::fs::write(&path, b"fact a : bool\nfact caf\xe9 : bool\n").expect("write");
    let out = refuge(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid UTF-8 at byte 22 (0xe9), line 2, column 9"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("save the file as UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_line_of_a_batch_does_not_stop_the_others() {
    let dir = scratch("jsonl");
    let path = dir.join("batch.jsonl");
    std::fs::write(
        &path,
        b"{\"as_of\": \"2010-01-01\"}\n{\"as_of\": \"caf\xe9\"}\n{\"as_of\": \"2010-01-01\"}\n",
    )
    .expect("write");
    let out = refuge(&["eval", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let lines: Vec<String> = crate::common::stdout(&out)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines
        .get(1)
        .is_some_and(|l| l.contains("\"line\":2") && l.contains("invalid UTF-8")));
    assert!(lines
        .get(2)
        .is_some_and(|l| l.contains("refuge.evaluation/2")));
}

#[test]
fn test_reports_in_json_and_junit_name_failures_and_unloadable_files() {
    let dir = scratch("report");
    let good = std::fs::read_to_string("tests/cases/intl_china_1980_custom_only.json")
        .expect("a corpus case");
    std::fs::write(dir.join("a_good.json"), &good).expect("write");
    let wrong = good.replace(
        "\"rc_binds_current_state\": false",
        "\"rc_binds_current_state\": true",
    );
    assert_ne!(
        wrong, good,
        "the corpus case expects rc_binds_current_state"
    );
    std::fs::write(dir.join("b_wrong.json"), wrong).expect("write");
    std::fs::write(dir.join("c_null.json"), "null").expect("write");
    let d = dir.to_str().expect("utf-8 path");

    let out = refuge(&["test", "--cases", d]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        crate::common::stdout(&out).contains("1 failed, 1 case file(s) could not be loaded"),
        "{}",
        crate::common::stdout(&out)
    );

    let out = refuge(&["test", "--cases", d, "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    assert_eq!(report["schema"], "refuge.test/1");
    assert_eq!(report["failed"], 1);
    assert_eq!(report["errors"], 1);
    let tests = report["tests"].as_array().expect("tests");
    let failed = tests
        .iter()
        .find(|t| t["status"] == "failed")
        .expect("a failure");
    assert!(failed["location"]
        .as_str()
        .is_some_and(|l| l.ends_with("b_wrong.json")));
    assert!(failed["messages"][0]
        .as_str()
        .is_some_and(|m| m.contains("rc_binds_current_state")));
    assert!(tests.iter().any(|t| t["status"] == "passed"
        && t["location"]
            .as_str()
            .is_some_and(|l| l.contains(".policy:"))));

    let out = refuge(&["test", "--cases", d, "--format", "junit"]);
    let xml = crate::common::stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("failures=\"1\" errors=\"1\""), "{xml}");
    assert!(xml.contains("<failure message="), "{xml}");
    assert!(
        xml.contains("<error message=\"a case file must be an object"),
        "{xml}"
    );
}

#[test]
fn a_case_directory_that_cannot_be_walked_is_reported_not_skipped() {
    let missing = refuge(&["test", "--cases", "tests/no_such_directory"]);
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("cannot read `tests/no_such_directory`"));
    #[cfg(unix)]
    {
        let dir = scratch("loop");
        std::fs::create_dir_all(dir.join("a")).expect("mkdir");
        std::os::unix::fs::symlink("..", dir.join("a/up")).expect("symlink");
        let out = refuge(&["test", "--cases", dir.to_str().expect("utf-8 path")]);
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("File system loop"),
            "{}",
            stderr(&out)
        );
    }
}

/// `refuge` with `args` and the environment variable `var` set to `value`.
fn with_env(args: &[&str], var: &str, value: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env(var, value)
        .output()
        .expect("the refuge binary runs")
}

#[test]
fn colour_follows_the_color_option_and_the_environment() {
    let escape = |o: &std::process::Output| o.stdout.contains(&0x1b) || o.stderr.contains(&0x1b);
    let eval = ["eval", "examples/defector.json"];
    // Piped (as here), `auto` means no colour on either stream.
    let plain = refuge(&eval);
    assert!(!escape(&plain), "{}", stderr(&plain));
    // `--color always` colours the text output even when piped, and
    // `--color` alone means the same (the old `eval --color` flag).
    for flag in [&["--color", "always"][..], &["--color"][..]] {
        let args: Vec<&str> = eval.iter().copied().chain(flag.iter().copied()).collect();
        let coloured = refuge(&args);
        assert!(coloured.stdout.contains(&0x1b), "{flag:?}");
    }
    // CLICOLOR_FORCE asks for colour without the option; `--color never`
    // wins over it, on stdout and for a diagnostic on stderr.
    let forced = with_env(&eval, "CLICOLOR_FORCE", "1");
    assert!(forced.stdout.contains(&0x1b));
    let bad_case = ["eval", "tests/malformed/case_json_bad_enum.json"];
    let forced_error = with_env(&bad_case, "CLICOLOR_FORCE", "1");
    assert!(
        forced_error.stderr.contains(&0x1b),
        "{}",
        stderr(&forced_error)
    );
    let never: Vec<&str> = bad_case
        .iter()
        .copied()
        .chain(["--color", "never"])
        .collect();
    let refused = with_env(&never, "CLICOLOR_FORCE", "1");
    assert!(!escape(&refused), "{}", stderr(&refused));
    assert_eq!(refused.status.code(), Some(4));
}
