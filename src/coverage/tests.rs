//! Coverage of a small hand-written policy: a rule that fires through a
//! sub-definition, an exception that never applies, a definition no test
//! reaches, and two sources.

use super::*;
use crate::testing::case_of_test;
use crate::{compile, SourceMap};

const POLICY: &str = r#"
source act : statute "The Act"
source treaty : treaty "The Treaty | 1951"
fact applied : bool
fact criminal : bool
fact resident : bool
definition eligible : bool {
  default false cite act "Art. 2" provenance reading
  rule applicant when applied
    cite act "Art. 2" cite act "Art. 2(1)" cite treaty "Art. 1" provenance text
}
verdict protected : bool {
  default false cite act "Art. 8" provenance reading
  rule eligible_rule when eligible cite act "Art. 7(1)" provenance text
  exception crime overrides eligible_rule = false when criminal
    cite act "Art. 9" cite treaty "Art. 33(2)" provenance text
}
definition settled : bool {
  default false cite act "Art. 10" provenance reading
  rule resident_rule when resident cite act "Art. 10" provenance text
}
test "an applicant is protected" {
  as_of 2003-01-01
  given applied = true
  given criminal = false
  expect protected = true
}
test "a non-applicant is not" {
  given applied = false
  given criminal = false
  expect protected = false
}
"#;

fn program() -> Program {
    let mut sources = SourceMap::new();
    sources.add("policies/t.policy", POLICY);
    match compile(&sources) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{}", d.render(&sources, crate::compile::ErrorFormat::Plain)),
    }
}

fn measure(program: &Program) -> Coverage {
    let cases: Vec<Case> = program
        .tests
        .iter()
        .map(|t| case_of_test(program, t))
        .collect();
    Coverage::measure(program, &cases)
}

fn counts(fired: usize, considered: usize, unreached: usize) -> Counts {
    Counts {
        fired,
        considered,
        unreached,
    }
}

#[test]
fn rules_are_classified_by_their_strongest_status() {
    let program = program();
    let c = measure(&program);
    assert_eq!(c.cases, 2);
    assert_eq!(c.errors, 0);
    let reach: Vec<(&str, &str, Reach, usize, usize)> = c
        .rules
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.definition.as_str(),
                r.reach,
                r.fired_in,
                r.considered_in,
            )
        })
        .collect();
    assert_eq!(
        reach,
        [
            // Traced through the sub-definition the verdict reads.
            ("applicant", "eligible", Reach::Fired, 1, 1),
            ("eligible_rule", "protected", Reach::Fired, 1, 1),
            ("crime", "protected", Reach::Considered, 0, 2),
            ("resident_rule", "settled", Reach::Unreached, 0, 0),
        ]
    );
    assert_eq!(c.totals, counts(2, 1, 1));
    assert!((c.rules_fired_percent() - 50.0).abs() < 1e-9);
    // act: Art. 2, 2(1), 7(1) covered, 9 considered, 10 unreached; treaty: 1
    // covered, 33(2) considered.
    assert_eq!(c.articles, counts(4, 2, 1));
}

#[test]
fn sources_and_articles_are_aggregated_in_order() {
    let program = program();
    let c = measure(&program);
    let names: Vec<&str> = c.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["act", "treaty"]);
    let act = &c.sources[0];
    // `applicant` cites the Act twice and counts once for it.
    assert_eq!(act.rules, counts(2, 1, 1));
    assert_eq!(act.articles, counts(3, 1, 1));
    let pinpoints: Vec<(&str, Reach)> = act
        .by_article
        .iter()
        .map(|a| (a.pinpoint.as_str(), a.reach))
        .collect();
    assert_eq!(
        pinpoints,
        [
            ("Art. 2", Reach::Fired),
            ("Art. 2(1)", Reach::Fired),
            ("Art. 7(1)", Reach::Fired),
            ("Art. 9", Reach::Considered),
            ("Art. 10", Reach::Unreached),
        ]
    );
    assert_eq!(
        act.by_article[4].not_fired,
        [("resident_rule".to_string(), Reach::Unreached)]
    );
    let treaty = &c.sources[1];
    assert_eq!(treaty.rules, counts(1, 1, 0));
    assert_eq!(treaty.articles, counts(1, 1, 0));
}

#[test]
fn without_cases_nothing_is_reached() {
    let program = program();
    let c = Coverage::measure(&program, []);
    assert_eq!(c.totals, counts(0, 0, 4));
    assert_eq!(c.articles, counts(0, 0, 7));
    assert_eq!(c.rules_fired_percent(), 0.0);
    assert_eq!(Counts::default().fired_percent(), 100.0);
}

#[test]
fn a_definition_that_fails_to_evaluate_leaves_the_others_counted() {
    let mut sources = SourceMap::new();
    sources.add(
        "policies/c.policy",
        r#"
source act : statute "The Act"
fact x : bool
verdict amount : integer {
  rule one = 1 when x cite act "Art. 1" provenance text
  rule two = 2 when x cite act "Art. 2" provenance text
}
verdict flag : bool {
  rule flag_rule when x cite act "Art. 3" provenance text
}
"#,
    );
    let program = match compile(&sources) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{}", d.render(&sources, crate::compile::ErrorFormat::Plain)),
    };
    let mut case = Case::new(&program);
    case.set_fact(crate::ir::FactId(0), crate::value::Value::Bool(true));
    let c = Coverage::measure(&program, [&case]);
    assert_eq!(c.errors, 1);
    let reach: Vec<Reach> = c.rules.iter().map(|r| r.reach).collect();
    assert_eq!(reach, [Reach::Unreached, Reach::Unreached, Reach::Fired]);
}

#[test]
fn open_and_exercised_discretions_fire_and_declined_ones_are_considered() {
    use RuleStatus::*;
    let fired = [Applied, Overridden, DiscretionExercised, DiscretionOpen];
    let considered = [NotApplicable, NotInForce, Unknown, DiscretionDeclined];
    assert!(fired.iter().all(|s| Reach::of_status(*s) == Reach::Fired));
    assert!(considered
        .iter()
        .all(|s| Reach::of_status(*s) == Reach::Considered));
}

#[test]
fn pinpoints_sort_naturally() {
    let mut pins = vec![
        "Art. 10",
        "Art. 9(2)",
        "Art. 9",
        "§3.1.2 l.14",
        "Art. 1C(3)",
        "Art. 1A(2)",
        "§3.1.10",
    ];
    pins.sort_by_key(|p| natural_key(p));
    assert_eq!(
        pins,
        [
            "Art. 1A(2)",
            "Art. 1C(3)",
            "Art. 9",
            "Art. 9(2)",
            "Art. 10",
            "§3.1.2 l.14",
            "§3.1.10"
        ]
    );
    assert_eq!(percent(99.99), "99.9%");
}

#[test]
fn text_report() {
    let program = program();
    insta::assert_snapshot!(to_text(&measure(&program)), @r#"
    coverage: 2 case(s); 2 of 4 rules fired (50.0%); 4 of 7 articles covered (57.1%)
    act     rules 2/1/1 fired/considered/unreached (50.0% fired)  articles 3/5 covered (60.0%)
        considered only  Art. 9: crime (considered)
        never reached    Art. 10: resident_rule (unreached)
    treaty  rules 1/1/0 fired/considered/unreached (50.0% fired)  articles 1/2 covered (50.0%)
        considered only  Art. 33(2): crime (considered)
    "#);
}

#[test]
fn markdown_report() {
    let program = program();
    insta::assert_snapshot!(to_markdown(&measure(&program)), @r#"
    # Article coverage

    2 case(s) evaluated: **2 of 4 rules fired (50.0%)**, **4 of 7 articles covered (57.1%)**.

    A rule *fired* when it applied, was overridden by an exception, or is a discretion the case exercised or left open; it was *considered* when its definition was evaluated but it did not fire; *unreached* rules belong to definitions no case evaluated. An article is covered when one of its rules fired.

    ## `act`: The Act

    2 of 4 rules fired (50.0%), 1 considered, 1 unreached; 3 of 5 articles covered (60.0%).

    | Article | Coverage | Fired | Considered | Unreached | Rules not fired |
    |---|---|---:|---:|---:|---|
    | Art. 2 | covered | 1 | 0 | 0 | |
    | Art. 2(1) | covered | 1 | 0 | 0 | |
    | Art. 7(1) | covered | 1 | 0 | 0 | |
    | Art. 9 | considered only | 0 | 1 | 0 | `crime` (considered) |
    | Art. 10 | never reached | 0 | 0 | 1 | `resident_rule` (unreached) |

    ## `treaty`: The Treaty \| 1951

    1 of 2 rules fired (50.0%), 1 considered, 0 unreached; 1 of 2 articles covered (50.0%).

    | Article | Coverage | Fired | Considered | Unreached | Rules not fired |
    |---|---|---:|---:|---:|---|
    | Art. 1 | covered | 1 | 0 | 0 | |
    | Art. 33(2) | considered only | 0 | 1 | 0 | `crime` (considered) |
    "#);
}
