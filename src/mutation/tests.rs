//! Mutants of a small return policy: which exist, and which the tests kill.

use super::*;

const POLICY: &str = r#"
source rc : treaty "Refugee Convention"
source cat : treaty "Convention against Torture"
fact refugee : bool
fact danger : bool
fact torture_risk : bool
fact age : integer
verdict return_prohibited : bool {
  default false cite rc art 33 provenance reading
  rule art33_1 when refugee
    qualified by art33_2
    cite rc art 33(1) provenance text
  exception art33_2 lifts art33_1 when danger
    cite rc art 33(2) provenance text
  absolute rule cat_art3 when torture_risk and age >= 18
    from 1987-06-26
    cite cat art 3(1) provenance text
}
"#;

/// A test that a refugee with no danger finding is protected.
const REFUGEE_TEST: &str = r#"
test "a refugee is protected" {
  as_of 2000-01-01
  given refugee = true
  given danger = false
  given torture_risk = false
  given age = 30
  expect return_prohibited = true
}
"#;

fn sources(tests: &str) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add("policies/return.policy", format!("{POLICY}{tests}"));
    sources
}

fn fate<'r>(report: &'r Report, id: &str) -> &'r Fate {
    match report.mutants.iter().find(|m| m.site.id == id) {
        Some(m) => &m.fate,
        None => panic!(
            "no mutant `{id}` among:\n{}",
            report
                .mutants
                .iter()
                .map(|m| m.site.id.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn run_with(tests: &str) -> Report {
    match run(&sources(tests), &[], &Equivalents::default(), 2) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn every_kind_of_mutation_is_found_with_its_law_and_place() {
    let sites = match mutants(&sources("")) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    };
    let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
    for expected in [
        "art33_1: drop",
        "art33_1: negate",
        "art33_1: drop qualified by",
        "art33_2: drop",
        "cat_art3: drop absolute",
        "cat_art3: drop conjunct `age >= 18`",
        "cat_art3: boundary `age >= 18` >= -> >",
        "cat_art3: constant 18 -> 19",
        "cat_art3: from date 1987-06-26 -> 1987-06-27",
        "cat_art3: from date 1987-06-26 -> 1987-06-25",
        "default of return_prohibited: flip false -> true",
    ] {
        assert!(ids.contains(&expected), "no `{expected}` in {ids:#?}");
    }
    let absolute = sites.iter().find(|s| s.id == "cat_art3: drop absolute");
    let absolute = absolute.map(|s| (s.law.clone(), s.location.clone(), s.description.clone()));
    assert_eq!(
        absolute,
        Some((
            vec!["cat Art. 3".to_string()],
            "policies/return.policy:15:17".to_string(),
            "dropping `absolute` from `cat_art3` (so that the exceptions its module admits \
             against the qualified grounds, `art33_2`, would lift it)"
                .to_string()
        ))
    );
    // Ids are unique: the equivalents file names mutants by id.
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn a_test_kills_only_the_mutants_that_change_its_outcome() {
    let report = run_with(REFUGEE_TEST);
    assert_eq!(report.tests, 1);
    // Dropping Art. 33(1) or negating it changes the refugee's outcome.
    assert!(
        matches!(fate(&report, "art33_1: drop"), Fate::Killed(by) if by == &["a refugee is protected"])
    );
    assert!(matches!(fate(&report, "art33_1: negate"), Fate::Killed(_)));
    // No test has a danger finding, torture risk or a date near 1987.
    assert_eq!(fate(&report, "art33_1: drop qualified by"), &Fate::Survived);
    assert_eq!(fate(&report, "cat_art3: drop absolute"), &Fate::Survived);
    assert_eq!(
        fate(&report, "cat_art3: from date 1987-06-26 -> 1987-06-27"),
        &Fate::Survived
    );
    assert!(report.score() < 50.0, "{}", report.score());
    let text = to_text(&report, None);
    assert!(text.contains("\n  cat Art. 3\n"), "{text}");
    assert!(
        text.contains(
            "    Dropping `absolute` from `cat_art3` (so that the exceptions its module admits \
             against the qualified grounds, `art33_2`, would lift it) changes no test outcome  \
             (policies/return.policy:15:17)\n      id: cat_art3: drop absolute\n"
        ),
        "{text}"
    );
}

#[test]
fn a_case_where_the_exception_holds_kills_dropping_absolute() {
    let report = run_with(&format!(
        "{REFUGEE_TEST}{}",
        r#"
test "a dangerous refugee at risk of torture is still protected by CAT" {
  as_of 2000-01-01
  given refugee = true
  given danger = true
  given torture_risk = true
  given age = 30
  expect return_prohibited = true
}
test "the day CAT enters into force, and the day before" {
  as_of 1987-06-26
  given refugee = false
  given torture_risk = true
  given age = 18
  expect return_prohibited = true
}
test "before CAT" {
  as_of 1987-06-25
  given refugee = false
  given torture_risk = true
  given age = 40
  expect return_prohibited = false
}
"#
    ));
    for killed in [
        "cat_art3: drop absolute",
        "cat_art3: from date 1987-06-26 -> 1987-06-27",
        "cat_art3: from date 1987-06-26 -> 1987-06-25",
        "cat_art3: boundary `age >= 18` >= -> >",
        "cat_art3: constant 18 -> 19",
    ] {
        assert!(
            matches!(fate(&report, killed), Fate::Killed(_)),
            "{killed}: {:?}",
            fate(&report, killed)
        );
    }
}

#[test]
fn accepted_equivalents_need_a_reason_and_are_reported_when_stale() {
    assert!(Equivalents::parse("[[equivalent]]\nmutant = \"x\"\nreason = \" \"\n").is_err());
    assert!(Equivalents::parse("[[equivalent]]\nmutant = \"x\"\n").is_err());
    let equivalents = Equivalents::parse(
        "[[equivalent]]\nmutant = \"cat_art3: drop absolute\"\nreason = \"no test has torture risk\"\n\
         [[equivalent]]\nmutant = \"art33_1: drop\"\nreason = \"wrong\"\n\
         [[equivalent]]\nmutant = \"gone: drop\"\nreason = \"renamed\"\n",
    );
    let Ok(equivalents) = equivalents else {
        panic!("{equivalents:?}");
    };
    let report = match run(&sources(REFUGEE_TEST), &[], &equivalents, 1) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(
        fate(&report, "cat_art3: drop absolute"),
        &Fate::Equivalent("no test has torture risk".into())
    );
    assert_eq!(
        report.stale,
        [
            "`art33_1: drop` is accepted as equivalent but 1 test(s) kill it, first `a refugee is protected`",
            "`gone: drop` is no mutant of these policies"
        ]
    );
}

#[test]
fn a_failing_baseline_is_refused() {
    let failing = r#"
test "wrong" {
  as_of 2000-01-01
  given refugee = false
  given torture_risk = false
  given age = 30
  expect return_prohibited = true
}
"#;
    assert!(matches!(
        run(&sources(failing), &[], &Equivalents::default(), 1),
        Err(RunError::Baseline(f)) if f.len() == 1
    ));
}

#[test]
fn a_setting_default_changed_reaches_the_cases_that_do_not_override_it() {
    let policy = r#"
source cat : treaty "Convention against Torture"
fact torture_risk : bool
setting established : date = 1984-12-10 "from when custom bars return" cite cat art 3 provenance reading
verdict barred : bool {
  default false cite cat art 3 provenance reading
  rule custom when torture_risk and as_of >= established cite cat art 3 provenance reading
}
test "on the day custom is established" {
  as_of 1984-12-10
  given torture_risk = true
  expect barred = true
}
test "the day before" {
  as_of 1984-12-09
  given torture_risk = true
  expect barred = false
}
"#;
    let mut sources = SourceMap::new();
    sources.add("policies/custom.policy", policy);
    let report = match run(&sources, &[], &Equivalents::default(), 1) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    for id in [
        "setting established: date 1984-12-10 -> 1984-12-11",
        "setting established: date 1984-12-10 -> 1984-12-09",
    ] {
        assert!(matches!(fate(&report, id), Fate::Killed(_)), "{id}");
    }
}
