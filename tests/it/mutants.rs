//! `refuge test --mutants` as a drafter runs it, and the mutants of the
//! built-in policies.

use crate::common::{refuge, stderr, stdout};
use refuge::SourceMap;

const POLICY: &str = r#"
source rc : treaty "Refugee Convention"
source cat : treaty "Convention against Torture"
fact refugee : bool
fact danger : bool
fact torture_risk : bool
verdict return_prohibited : bool {
  default false cite rc art 33 provenance reading
  rule art33_1 when refugee
    qualified by art33_2
    cite rc art 33(1) provenance text
  exception art33_2 lifts art33_1 when danger
    cite rc art 33(2) provenance text
  absolute rule cat_art3 when torture_risk
    cite cat art 3(1) provenance text
}
test "a refugee is protected" {
  as_of 2000-01-01
  given refugee = true
  given danger = false
  given torture_risk = false
  expect return_prohibited = true
}
"#;

/// A case that kills the CAT mutants: a dangerous refugee at risk of torture.
const CASE: &str = r#"{"as_of": "2000-01-01",
  "facts": {"refugee": true, "danger": true, "torture_risk": true},
  "expect": {"return_prohibited": true}}"#;

fn workspace(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refuge-mutants-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    std::fs::write(dir.join("return.policy"), POLICY).unwrap();
    dir
}

#[test]
fn survivors_are_listed_by_article_and_the_minimum_score_sets_the_exit_code() {
    let dir = workspace("survivors");
    let policy = dir.join("return.policy");
    let args = |min: &str| -> Vec<String> {
        vec![
            "test".into(),
            policy.display().to_string(),
            "--mutants".into(),
            "--jobs".into(),
            "1".into(),
            "--min-score".into(),
            min.into(),
        ]
    };
    let strings = args("100");
    let out = refuge(&strings.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\n  cat Art. 3\n"), "{text}");
    assert!(
        text.contains("Dropping `absolute` from `cat_art3`")
            && text.contains("changes no test outcome"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("below the minimum of 100%"),
        "{}",
        stderr(&out)
    );
    let strings = args("0");
    let out = refuge(&strings.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A case where Art. 33(2) holds and CAT still bars return kills them.
    std::fs::write(dir.join("cases/dangerous_refugee.json"), CASE).unwrap();
    let mut strings = args("0");
    strings.extend(["--cases".into(), dir.join("cases").display().to_string()]);
    let out = refuge(&strings.iter().map(String::as_str).collect::<Vec<_>>());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !text.contains("Dropping `absolute` from `cat_art3`"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_equivalents_file_is_bad_input() {
    let dir = workspace("equivalents");
    let file = dir.join("equivalents.toml");
    std::fs::write(&file, "[[equivalent]]\nmutant = \"cat_art3: drop\"\n").unwrap();
    let out = refuge(&[
        "test",
        dir.join("return.policy").to_str().unwrap(),
        "--mutants",
        "--equivalents",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("equivalents.toml"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_mutant_of_the_built_in_policies_has_its_own_id_and_law() {
    let sites =
        refuge::mutation::mutants(&SourceMap::builtin()).expect("the built-in policies parse");
    assert!(sites.len() > 1000, "only {} mutants", sites.len());
    let mut ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "two mutants share an id");
    // Every absolute ground can lose its `absolute`, and every mutant names
    // the law its subject cites (rules, defaults, rows and settings all cite).
    for rule in [
        "rp_cat",
        "cat_art3_nonrefoulement",
        "custom_no_return_to_ill_treatment",
    ] {
        let id = format!("{rule}: drop absolute");
        assert!(sites.iter().any(|s| s.id == id), "no `{id}`");
    }
    assert!(
        sites.iter().all(|s| !s.law.is_empty()),
        "a mutant without law"
    );
}
