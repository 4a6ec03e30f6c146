//! `refuge fmt`: every policy in `policies/` and every example of
//! `docs/language.md` formats soundly and idempotently, the policies are
//! already in the canonical layout, and the command rewrites or only reports.

use refuge::fmt::{format, FormatError};
use refuge::source::SourceFile;
use refuge::syntax::tokens::tokens;
use refuge::syntax::Token;
use refuge::SourceMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LANGUAGE_GUIDE: &str = include_str!("../../docs/language.md");

fn policies() -> SourceMap {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    SourceMap::from_path(&root).expect("policies/ reads")
}

/// Formats a file, failing the test with the diagnostic if it does not.
fn formatted(file: &SourceFile) -> String {
    format(file).unwrap_or_else(|error: FormatError| {
        panic!(
            "`{}` does not format: {:?}",
            file.name,
            miette::Report::new(error)
        )
    })
}

/// Formats the formatted text again and checks that nothing changes.
fn assert_idempotent(file: &SourceFile, once: &str) {
    let again = SourceFile {
        text: once.to_owned(),
        ..file.clone()
    };
    let twice = formatted(&again);
    assert!(
        twice == once,
        "formatting `{}` twice changes it:\n{}",
        file.name,
        first_difference(once, &twice)
    );
}

/// The first differing line of two texts, for failure messages.
fn first_difference(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    format!(
        "line {}:\n- {}\n+ {}",
        line + 1,
        a.lines().nth(line).unwrap_or("(end of file)"),
        b.lines().nth(line).unwrap_or("(end of file)")
    )
}

#[test]
fn every_policy_formats_soundly_and_idempotently() {
    let sources = policies();
    assert!(sources.files().len() > 5, "policies/ looks empty");
    for file in sources.files() {
        let once = formatted(file);
        assert_idempotent(file, &once);
    }
}

#[test]
fn every_policy_is_already_formatted() {
    let unformatted: Vec<String> = policies()
        .files()
        .iter()
        .filter_map(|file| {
            let once = formatted(file);
            (once != file.text).then(|| {
                format!(
                    "policies/{} ({})",
                    file.name,
                    first_difference(&file.text, &once)
                )
            })
        })
        .collect();
    assert!(
        unformatted.is_empty(),
        "not formatted (run `cargo run -- fmt policies`):\n{}",
        unformatted.join("\n")
    );
}

/// `text` with the whitespace between its tokens replaced by a pseudo-random
/// choice of nothing, spaces, line breaks, blank lines and comments.
fn relaid(text: &str, seed: u64) -> String {
    const CHOICES: [&str; 7] = [
        " ",
        "  ",
        "\n",
        "\n\n\n",
        "   \n  ",
        " # here\n",
        "\n # own\n\n",
    ];
    let mut state = seed;
    let mut out = String::with_capacity(text.len() * 2);
    let mut after_comment = false;
    for (token, range) in tokens(text) {
        let slice = text.get(range).unwrap_or("");
        if matches!(token, Token::Whitespace | Token::Newline) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let choice = CHOICES
                .get((state >> 33) as usize % CHOICES.len())
                .copied()
                .unwrap_or(" ");
            out.push_str(if after_comment && !choice.contains('\n') {
                "\n"
            } else {
                choice
            });
        } else {
            if after_comment && token != Token::Comment {
                out.push('\n');
            }
            out.push_str(slice);
        }
        after_comment = token == Token::Comment;
    }
    out
}

#[test]
fn every_policy_relaid_at_random_formats_soundly_and_idempotently() {
    let mut tried = 0;
    for (index, file) in policies().files().iter().enumerate() {
        for seed in 0..2 {
            let text = relaid(&file.text, (index as u64) * 7 + seed);
            let mut sources = SourceMap::new();
            let id = sources.add(format!("{} (relaid, seed {seed})", file.name), text);
            let relaid = sources.get(id).expect("just added");
            if refuge::syntax::parse(relaid).is_err() {
                continue; // a comment landed inside `has any`
            }
            tried += 1;
            let once = formatted(relaid);
            assert_idempotent(relaid, &once);
        }
    }
    assert!(tried > 10, "too few relaid policies parse: {tried}");
}

/// The ```` ```refuge ```` and ```` ```refuge,fragment ```` blocks of the
/// language guide, each with the line it starts on.
fn guide_examples() -> Vec<(usize, String)> {
    let mut examples = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (index, line) in LANGUAGE_GUIDE.lines().enumerate() {
        let trimmed = line.trim();
        match open.as_mut() {
            None if matches!(trimmed, "```refuge" | "```refuge,fragment") => {
                open = Some((index + 1, String::new()));
            }
            None => {}
            Some(_) if trimmed == "```" => examples.extend(open.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    examples
}

#[test]
fn every_example_of_the_language_guide_formats_soundly_and_idempotently() {
    let examples = guide_examples();
    assert!(examples.len() > 5, "no ```refuge block found");
    for (line, text) in examples {
        let mut sources = SourceMap::new();
        let id = sources.add(format!("docs/language.md:{line}"), text);
        let file = sources.get(id).expect("just added");
        let once = formatted(file);
        assert_idempotent(file, &once);
    }
}

// ------------------------------------------------------------ the command ----

fn refuge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the refuge binary runs")
}

/// A fresh directory with a `policies/` folder holding `files`.
fn workspace(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refuge-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies/sub")).expect("temp dir");
    for (path, text) in files {
        std::fs::write(dir.join("policies").join(path), text).expect("write policy");
    }
    dir
}

const UNFORMATTED: &str = "fact a:bool\nverdict v : bool { default false cite s \"1\" }\n";
const FORMATTED: &str = "fact a : bool\nverdict v : bool {\n  default false\n    cite s \"1\"\n}\n";

#[test]
fn fmt_check_lists_unformatted_files_with_an_excerpt_and_exits_1() {
    let dir = workspace(
        "check",
        &[
            ("sub/messy.policy", UNFORMATTED),
            ("tidy.policy", FORMATTED),
        ],
    );
    let out = refuge(&dir, &["fmt", "--check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("not formatted: policies/sub/messy.policy"),
        "{stdout}"
    );
    assert!(!stdout.contains("tidy.policy"), "{stdout}");
    assert!(
        stdout.contains("@@ -1,2 +1,5 @@\n-fact a:bool\n"),
        "{stdout}"
    );
    assert!(stdout.contains("+fact a : bool\n"), "{stdout}");
    let unchanged = std::fs::read_to_string(dir.join("policies/sub/messy.policy")).expect("read");
    assert_eq!(unchanged, UNFORMATTED, "--check wrote the file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_rewrites_files_in_place_and_then_check_passes() {
    let dir = workspace("write", &[("sub/messy.policy", UNFORMATTED)]);
    let out = refuge(&dir, &["fmt", "policies"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rewritten = std::fs::read_to_string(dir.join("policies/sub/messy.policy")).expect("read");
    assert_eq!(rewritten, FORMATTED);
    let out = refuge(&dir, &["fmt", "--check", "policies/sub/messy.policy"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_alone_and_exits_3() {
    let broken = "verdict v : bool { foo }\n";
    let dir = workspace(
        "broken",
        &[("broken.policy", broken), ("sub/messy.policy", UNFORMATTED)],
    );
    let out = refuge(&dir, &["--error-format", "plain", "fmt"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("refuge::parse::syntax"), "{stderr}");
    assert!(
        stderr.contains("`policies/broken.policy` was not formatted"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(dir.join("policies/broken.policy")).expect("read");
    assert_eq!(kept, broken);
    let other = std::fs::read_to_string(dir.join("policies/sub/messy.policy")).expect("read");
    assert_eq!(other, FORMATTED, "the other files are still formatted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_of_a_missing_path_exits_4() {
    let dir = workspace("missing", &[]);
    let out = refuge(&dir, &["fmt", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(4));
    let _ = std::fs::remove_dir_all(&dir);
}
