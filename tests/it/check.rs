//! The corpus of broken policies in `tests/fixtures/check/`.
//!
//! A fixture is a `.policy` file, or a directory of them for problems that
//! span files (the module of `a.policy` is `a`). Its first line names the
//! diagnostic codes it must produce, comma-separated:
//!
//! ```text
//! # expect: refuge::check::unknown_name, refuge::lint::unused_fact
//! ```
//!
//! (in a directory, on the first line of any of its files). Two tests read the
//! corpus: the codes produced (errors and warnings) must be exactly the codes
//! expected, and the rendered diagnostics are snapshotted in
//! `snapshots/check/`, one snapshot per fixture with the source above it.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: an unreadable fixture should stop the test run"
)]

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use refuge::compile::{render_all, ErrorFormat};
use refuge::SourceMap;

/// The header line that names the expected codes.
const EXPECT: &str = "# expect:";

/// One broken policy set: its name and its files (name, text).
pub(crate) struct Fixture {
    /// The file or directory name without `.policy`, e.g. `10_misspelled_fact`.
    pub name: String,
    /// Each file's name (relative to the fixture) and text, sorted by name.
    pub files: Vec<(String, String)>,
}

impl Fixture {
    /// Reads a fixture file or directory.
    pub fn load(path: &Path) -> Fixture {
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let name = file_name
            .strip_suffix(".policy")
            .unwrap_or(&file_name)
            .to_owned();
        let files = if path.is_dir() {
            policy_files(path)
                .into_iter()
                .map(|p| {
                    let rel = p.file_name().unwrap().to_string_lossy().into_owned();
                    (rel, read(&p))
                })
                .collect()
        } else {
            vec![(file_name, read(path))]
        };
        assert!(!files.is_empty(), "fixture `{name}` has no .policy files");
        Fixture { name, files }
    }

    /// Reads the fixture called `name` (a file `name.policy` or a directory).
    pub fn named(name: &str) -> Fixture {
        let dir = fixtures_dir();
        let file = dir.join(format!("{name}.policy"));
        let path = if file.exists() { file } else { dir.join(name) };
        Fixture::load(&path)
    }

    /// The policy set, one file per fixture file.
    pub fn sources(&self) -> SourceMap {
        let mut sources = SourceMap::new();
        for (name, text) in &self.files {
            sources.add(name.as_str(), text.as_str());
        }
        sources
    }

    /// The source shown above the snapshot: the text, or for a directory each
    /// file under a `== name ==` line.
    pub fn source_text(&self) -> String {
        match self.files.as_slice() {
            [(_, text)] => text.clone(),
            files => files
                .iter()
                .map(|(name, text)| format!("== {name} ==\n{text}"))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The codes named by the `# expect:` header(s).
    pub fn expected_codes(&self) -> BTreeSet<String> {
        let headers: Vec<&str> = self
            .files
            .iter()
            .filter_map(|(_, text)| text.lines().next()?.strip_prefix(EXPECT))
            .collect();
        assert!(
            !headers.is_empty(),
            "fixture `{}` does not start with `{EXPECT} CODE, …`",
            self.name
        );
        headers
            .iter()
            .flat_map(|h| h.split(','))
            .map(|code| code.trim().to_owned())
            .filter(|code| !code.is_empty())
            .collect()
    }

    /// Compiles the fixture: the codes of every error and warning, and their
    /// plain rendering.
    pub fn diagnose(&self) -> Outcome {
        let sources = self.sources();
        let (parse, check, warnings) = match refuge::compile(&sources) {
            Ok(compiled) => (Vec::new(), Vec::new(), compiled.warnings),
            Err(d) => (d.parse, d.check, d.warnings),
        };
        let mut codes = BTreeSet::new();
        codes.extend(parse.iter().map(|(_, e)| code(e)));
        codes.extend(check.iter().map(|e| code(e)));
        codes.extend(warnings.iter().map(|w| code(w)));
        let rendered = render_all(&sources, &parse, &check, &warnings, ErrorFormat::Plain);
        Outcome { codes, rendered }
    }
}

/// What compiling a fixture produced.
pub(crate) struct Outcome {
    /// The distinct codes of all errors and warnings.
    pub codes: BTreeSet<String>,
    /// Every diagnostic rendered with `ErrorFormat::Plain`.
    pub rendered: String,
}

fn code(diagnostic: &dyn Diagnostic) -> String {
    diagnostic
        .code()
        .map_or_else(|| "<no code>".to_owned(), |c| c.to_string())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn policy_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    files
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

/// Every fixture, sorted by name.
pub(crate) fn fixtures() -> Vec<Fixture> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "policy"))
        .collect();
    paths.sort();
    paths.iter().map(|p| Fixture::load(p)).collect()
}

/// Snapshots one fixture's rendering in `snapshots/<dir>/<fixture>.snap`,
/// with `description` (the source, at least) above it.
pub(crate) fn assert_rendering(dir: &str, fixture: &Fixture, description: String, rendered: &str) {
    let name = fixture.name.as_str();
    insta::with_settings!({
        snapshot_path => format!("snapshots/{dir}"),
        prepend_module_to_snapshot => false,
        description => description,
    }, {
        insta::assert_snapshot!(name, rendered);
    });
}

#[test]
fn each_fixture_produces_exactly_the_codes_it_expects() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 35,
        "the corpus shrank to {} fixtures",
        fixtures.len()
    );
    let mut wrong = Vec::new();
    for fixture in &fixtures {
        let expected = fixture.expected_codes();
        let outcome = fixture.diagnose();
        if outcome.codes != expected {
            wrong.push(format!(
                "{}:\n  expected {:?}\n  produced {:?}\n{}",
                fixture.name, expected, outcome.codes, outcome.rendered
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} fixture(s) off:\n\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn each_fixture_renders_as_in_its_snapshot() {
    let mut failed = Vec::new();
    for fixture in fixtures() {
        let outcome = fixture.diagnose();
        // Keep going after a mismatch so that one run lists every changed
        // snapshot (as `insta::glob!` does).
        let result = catch_unwind(AssertUnwindSafe(|| {
            assert_rendering("check", &fixture, fixture.source_text(), &outcome.rendered)
        }));
        if result.is_err() {
            failed.push(fixture.name.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "snapshots differ for: {}",
        failed.join(", ")
    );
}

#[test]
fn every_diagnostic_code_has_a_fixture() {
    let covered: BTreeSet<String> = fixtures()
        .iter()
        .flat_map(Fixture::expected_codes)
        .collect();
    let sources = [
        include_str!("../../src/syntax/error.rs"),
        include_str!("../../src/check/error.rs"),
    ];
    // `refuge::parse::internal` is a bug in refuge, never the policy's fault.
    let untriggerable = ["refuge::parse::internal"];
    let missing: Vec<String> = sources
        .iter()
        .flat_map(|text| declared_codes(text))
        .filter(|c| !covered.contains(c) && !untriggerable.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture produces: {}",
        missing.join(", ")
    );
}

/// The codes written `code(refuge::…)` in an error file.
pub(crate) fn declared_codes(text: &str) -> Vec<String> {
    text.split("code(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|c| c.starts_with("refuge::"))
        .map(str::to_owned)
        .collect()
}

/// A `test` block that exercises or declines a discretion is lowered with
/// it (cargo-mutants found that dropping the lowering of `exercise` made
/// such tests vanish without an error, and no test noticed).
#[test]
fn a_test_block_keeps_the_discretions_it_exercises_or_declines() {
    let mut sources = SourceMap::new();
    sources.add(
        "policies/t.policy",
        r#"
source act : statute "Act"
fact criminal : bool
verdict protected : bool {
  default true cite act art 8 provenance reading
  rule refuse = false
    may "refuse protection to a criminal" by "Minister"
    when criminal
    cite act art 9 provenance text
}
test "the Minister refuses" {
  as_of 2003-01-01
  given criminal = true
  exercise refuse = true
  expect protected = false
}
test "the Minister declines to refuse" {
  as_of 2003-01-01
  given criminal = true
  exercise refuse = false
  expect protected = true
}
"#,
    );
    let compiled = refuge::compile(&sources).expect("the policy checks");
    let tests = &compiled.program.tests;
    assert_eq!(tests.len(), 2, "a test block was dropped");
    let exercised: Vec<bool> = tests
        .iter()
        .flat_map(|t| t.exercise.iter().map(|(_, b)| *b))
        .collect();
    assert_eq!(exercised, [true, false]);
    for outcome in refuge::testing::run_policy_tests(&compiled.program) {
        assert!(outcome.passed(), "{}: {:?}", outcome.name, outcome.failures);
    }
}
