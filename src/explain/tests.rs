//! Snapshot tests of the text and Markdown renderings, over evaluations built
//! by hand.

use super::render_markdown::{code, esc};
use super::*;
use serde_json::json;

fn cite(source: &str, pinpoint: &str) -> CitationRef {
    let (kind, title) = match source {
        "rok_act" => (
            "statute",
            "Protection of North Korean Residents and Support of their Settlement Act (Law No. 6474)",
        ),
        "rok_decree" => (
            "decree",
            "Enforcement Decree of the Act (Presidential Decree No. 17620)",
        ),
        "hrw_2002" => ("seed", "Human Rights Watch (2002), The Invisible Exodus"),
        "rc" => (
            "treaty",
            "Convention relating to the Status of Refugees (1951)",
        ),
        "cat" => ("treaty", "Convention against Torture (1984)"),
        _ => ("report", "UN Treaty Collection"),
    };
    CitationRef {
        source: source.into(),
        kind,
        title: title.into(),
        pinpoint: pinpoint.into(),
    }
}

fn rule(name: &str, status: RuleStatus) -> RuleTrace {
    RuleTrace {
        name: name.to_string(),
        kind: "rule",
        mode: None,
        targets: vec![],
        modality: "must",
        absolute: false,
        status,
        value: None,
        defeated_by: vec![],
        reads: vec![],
        from: None,
        until: None,
        citations: vec![],
        provenance: None,
        notes: vec![],
        location: format!("policies/test.policy:1:1 ({name})"),
    }
}

fn exception(name: &str, mode: &'static str, targets: &[&str], status: RuleStatus) -> RuleTrace {
    RuleTrace {
        kind: "exception",
        mode: Some(mode),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        ..rule(name, status)
    }
}

fn read(kind: &'static str, name: &str, value: Option<&str>, decisive: bool) -> Read {
    Read {
        kind,
        name: name.to_string(),
        value: value.map(str::to_string),
        decisive,
    }
}

fn fact(path: &str, label: Option<&str>, value: Option<&str>) -> FactUse {
    FactUse {
        path: path.to_string(),
        setting: false,
        label: label.map(str::to_string),
        value: value.map(str::to_string),
    }
}

fn decided(value: serde_json::Value, display: &str, label: Option<&str>) -> Outcome {
    Outcome::Decided {
        value,
        display: display.to_string(),
        label: label.map(str::to_string),
    }
}

fn verdict(name: &str, label: Option<&str>, outcome: Outcome, decision: Decision) -> Verdict {
    Verdict {
        name: name.to_string(),
        label: label.map(str::to_string),
        module: "kr.resettlement".to_string(),
        outcome,
        decision,
        rules: vec![],
        facts: vec![],
        definitions: vec![],
        rows: vec![],
        missing_facts: vec![],
        discretions: vec![],
        citations: vec![],
    }
}

fn evaluation(case: Option<&str>, as_of: &str, verdicts: Vec<Verdict>) -> Evaluation {
    Evaluation {
        schema: SCHEMA,
        case: case.map(str::to_string),
        as_of: as_of.to_string(),
        verdicts,
    }
}

/// Decided by an exception that overrode the grant; a nested exception did
/// not apply.
fn excluded_for_murder() -> Evaluation {
    let granted = RuleTrace {
        value: Some("protected".to_string()),
        defeated_by: vec!["serious_crime".to_string()],
        reads: vec![read(
            "fact",
            "person.applied_for_protection",
            Some("true"),
            true,
        )],
        citations: vec![
            cite("rok_act", "Art. 7(1)"),
            cite("hrw_2002", "South Korean Policy l.35"),
        ],
        provenance: Some("seed"),
        ..rule("granted", RuleStatus::Overridden)
    };
    let serious_crime = RuleTrace {
        value: Some("not_protected".to_string()),
        reads: vec![read("fact", "convictions", Some("{murder}"), true)],
        citations: vec![cite("rok_act", "Art. 9(1)")],
        provenance: Some("text"),
        notes: vec!["Murder is read as a serious non-political crime.".to_string()],
        ..exception(
            "serious_crime",
            "overrides",
            &["granted"],
            RuleStatus::Applied,
        )
    };
    let minor_only = RuleTrace {
        value: Some("protected".to_string()),
        reads: vec![read("fact", "convictions", Some("{murder}"), true)],
        citations: vec![cite("rok_act", "Art. 9(1)")],
        provenance: Some("reading"),
        ..exception(
            "minor_only",
            "overrides",
            &["serious_crime"],
            RuleStatus::NotApplicable,
        )
    };
    let mut v = verdict(
        "protection",
        Some("protection under the Act"),
        decided(
            json!("not_protected"),
            "not_protected",
            Some("not protected"),
        ),
        Decision::Rules {
            rules: vec!["serious_crime".to_string()],
        },
    );
    v.rules = vec![granted, serious_crime, minor_only];
    v.facts = vec![
        fact(
            "person.applied_for_protection",
            Some("applied for protection"),
            Some("true"),
        ),
        fact(
            "convictions",
            Some("crimes the person was convicted of"),
            Some("{murder}"),
        ),
    ];
    v.citations = vec![
        cite("rok_act", "Art. 9(1)"),
        cite("rok_act", "Art. 7(1)"),
        cite("hrw_2002", "South Korean Policy l.35"),
    ];
    evaluation(
        Some("Defector convicted of murder in the North"),
        "2003-01-15",
        vec![v],
    )
}

/// Undetermined: refugee status and the torture risk are not given.
fn return_undetermined() -> Evaluation {
    let art33_1 = RuleTrace {
        value: Some("true".to_string()),
        reads: vec![read("definition", "is_refugee", None, true)],
        citations: vec![cite("rc", "Art. 33(1)")],
        provenance: Some("text"),
        ..rule("art33_1", RuleStatus::Unknown)
    };
    let art33_2 = RuleTrace {
        reads: vec![read("fact", "danger_to_security", Some("false"), true)],
        citations: vec![cite("rc", "Art. 33(2)")],
        provenance: Some("text"),
        ..exception("art33_2", "lifts", &["art33_1"], RuleStatus::NotApplicable)
    };
    let cat_art3 = RuleTrace {
        absolute: true,
        value: Some("true".to_string()),
        reads: vec![read("fact", "torture_risk", None, true)],
        citations: vec![cite("cat", "Art. 3(1)")],
        provenance: Some("text"),
        ..rule("cat_art3", RuleStatus::Unknown)
    };
    let mut v = verdict(
        "return_prohibited",
        Some("return to North Korea is prohibited"),
        Outcome::Undetermined {
            reason: "depends on facts the case does not give".to_string(),
        },
        Decision::Nothing,
    );
    v.module = "intl.non_refoulement".to_string();
    v.rules = vec![art33_1, art33_2, cat_art3];
    v.facts = vec![
        fact("danger_to_security", None, Some("false")),
        fact("torture_risk", Some("substantial risk of torture"), None),
        fact(
            "person.fear_of_persecution",
            Some("well-founded fear of persecution"),
            None,
        ),
    ];
    v.definitions = vec![DefinitionUse {
        name: "is_refugee".to_string(),
        label: Some("refugee under the Convention".to_string()),
        outcome: Outcome::Undetermined {
            reason: "depends on person.fear_of_persecution".to_string(),
        },
        decision: Decision::Nothing,
        overrides: vec![],
        citations: vec![],
    }];
    v.missing_facts = vec![
        FactRef {
            path: "torture_risk".to_string(),
            label: Some("substantial risk of torture".to_string()),
            r#type: "bool".to_string(),
        },
        FactRef {
            path: "person.fear_of_persecution".to_string(),
            label: Some("well-founded fear of persecution".to_string()),
            r#type: "bool".to_string(),
        },
    ];
    v.citations = vec![
        cite("rc", "Art. 33(1)"),
        cite("rc", "Art. 33(2)"),
        cite("cat", "Art. 3(1)"),
    ];
    evaluation(
        Some("Child in China, reasons for leaving unknown"),
        "2003-01-15",
        vec![v],
    )
}

/// Two verdicts: protection with an open discretion, and treaty participation
/// read from a table.
fn discretion_and_table() -> Evaluation {
    let applied = RuleTrace {
        value: Some("protected".to_string()),
        reads: vec![read(
            "fact",
            "person.applied_for_protection",
            Some("true"),
            true,
        )],
        citations: vec![cite("rok_act", "Art. 7(1)")],
        provenance: Some("seed"),
        ..rule("applied", RuleStatus::Applied)
    };
    let refuse = RuleTrace {
        modality: "may",
        value: Some("not_protected".to_string()),
        reads: vec![read("fact", "serious_criminal", Some("true"), true)],
        citations: vec![cite("rok_act", "Art. 9(1)")],
        provenance: Some("seed"),
        ..rule("refuse", RuleStatus::DiscretionOpen)
    };
    let mut protection = verdict(
        "protection",
        Some("protection under the Act"),
        decided(
            json!("protected"),
            "protected",
            Some("protected under the Act"),
        ),
        Decision::Rules {
            rules: vec!["applied".to_string()],
        },
    );
    protection.rules = vec![applied, refuse];
    protection.facts = vec![
        fact(
            "person.applied_for_protection",
            Some("applied for protection"),
            Some("true"),
        ),
        fact("serious_criminal", None, Some("true")),
    ];
    protection.discretions = vec![Discretion {
        rule: "refuse".to_string(),
        holder: "Minister of Unification".to_string(),
        permits: "refuse protection to a serious criminal".to_string(),
        status: "open",
        conditions_hold: true,
        value_if_exercised: Some("not_protected".to_string()),
        citations: vec![cite("rok_act", "Art. 9(1)")],
    }];
    protection.citations = vec![cite("rok_act", "Art. 7(1)"), cite("rok_act", "Art. 9(1)")];

    let bound = RuleTrace {
        value: Some("true".to_string()),
        reads: vec![read(
            "row",
            "parties[china, refugee_convention]",
            Some("found"),
            true,
        )],
        citations: vec![cite("untc", "Ch. V.2")],
        provenance: Some("unverified"),
        ..rule("bound", RuleStatus::Applied)
    };
    let mut china_bound = verdict(
        "china_bound",
        Some("China is bound by the Refugee Convention"),
        decided(json!(true), "true", None),
        Decision::Rules {
            rules: vec!["bound".to_string()],
        },
    );
    china_bound.module = "states.treaties".to_string();
    china_bound.rules = vec![bound];
    china_bound.facts = vec![fact("state", Some("state of residence"), Some("china"))];
    china_bound.rows = vec![
        RowUse {
            table: "parties".to_string(),
            keys: "china, refugee_convention".to_string(),
            cells: vec![("reservation".to_string(), "Art. 14 and 16(3)".to_string())],
            found: true,
            citations: vec![cite("untc", "Ch. V.2")],
            provenance: Some("unverified"),
        },
        RowUse {
            table: "parties".to_string(),
            keys: "china, cat".to_string(),
            cells: vec![("reservation".to_string(), String::new())],
            found: true,
            citations: vec![cite("untc", "Ch. IV.9")],
            provenance: Some("unverified"),
        },
    ];
    china_bound.citations = vec![cite("untc", "Ch. V.2"), cite("untc", "Ch. IV.9")];
    evaluation(
        Some("Applicant at an overseas mission | serious_criminal"),
        "2003-01-15",
        vec![protection, china_bound],
    )
}

/// Decided by the default: one rule did not apply, one was not yet in force.
fn subsidy_by_default() -> Evaluation {
    let property_cut = RuleTrace {
        value: Some("KRW 1000000".to_string()),
        reads: vec![
            read("fact", "savings", Some("KRW 0"), true),
            read("date", "as_of", Some("2001-03-01"), false),
        ],
        citations: vec![cite("rok_decree", "Art. 39(1)")],
        provenance: Some("text"),
        ..rule("property_cut", RuleStatus::NotApplicable)
    };
    let violation_cut = RuleTrace {
        from: Some("2002-06-03".to_string()),
        citations: vec![cite("rok_decree", "Art. 39(2)")],
        provenance: Some("text"),
        ..rule("violation_cut", RuleStatus::NotInForce)
    };
    let mut v = verdict(
        "subsidy_reduction",
        Some("reduction of the settlement subsidy"),
        decided(json!("KRW 0"), "KRW 0", None),
        Decision::Default {
            citations: vec![cite("rok_decree", "Art. 39")],
        },
    );
    v.rules = vec![property_cut, violation_cut];
    v.facts = vec![fact(
        "savings",
        Some("savings declared on arrival"),
        Some("KRW 0"),
    )];
    v.citations = vec![
        cite("rok_decree", "Art. 39"),
        cite("rok_decree", "Art. 39(1)"),
    ];
    evaluation(None, "2001-03-01", vec![v])
}

fn all() -> Vec<Evaluation> {
    vec![
        excluded_for_murder(),
        return_undetermined(),
        discretion_and_table(),
        subsidy_by_default(),
    ]
}

#[test]
fn markdown_override_and_exception_not_applicable() {
    insta::assert_snapshot!(to_markdown(&excluded_for_murder()), @"
    # Case: Defector convicted of murder in the North

    *Law applied as of 2003-01-15.*

    ## Protection under the Act (`protection`)

    **Not protected** (`not_protected`).

    Decided by exception `serious_crime` (rok_act Art. 9(1)) [provenance: text], since `convictions` = `{murder}`.

    > Note on `serious_crime`: Murder is read as a serious non-political crime.

    ### Exceptions that overrode rules

    - `serious_crime` (rok_act Art. 9(1)) overrode `granted` (rok_act Art. 7(1); hrw_2002 South Korean Policy l.35), which would have given `protected`

    ### Exceptions considered and not applicable

    - `minor_only` (exception to `serious_crime`; rok_act Art. 9(1)) did not apply: `convictions` = `{murder}`

    ### Facts relied on

    - Applied for protection (`person.applied_for_protection`): `true`
    - Crimes the person was convicted of (`convictions`): `{murder}`

    ### Sources

    - **Protection of North Korean Residents and Support of their Settlement Act (Law No. 6474)** (statute), cited as `rok_act`: Art. 9(1); Art. 7(1)
    - **Human Rights Watch (2002), The Invisible Exodus** (seed), cited as `hrw_2002`: South Korean Policy l.35
    ");
}

#[test]
fn text_override_and_exception_not_applicable() {
    insta::assert_snapshot!(to_text(&excluded_for_murder(), false), @"
    Case: Defector convicted of murder in the North (law as of 2003-01-15)

    protection = not_protected  (decided by serious_crime: rok_act Art. 9(1))
      overridden      granted by exception serious_crime: convictions = {murder}  (rok_act Art. 9(1))
      not applicable  minor_only: convictions = {murder}  (rok_act Art. 9(1))
      cites           rok_act Art. 9(1), Art. 7(1)
                      hrw_2002 South Korean Policy l.35
    ");
}

#[test]
fn markdown_undetermined() {
    insta::assert_snapshot!(to_markdown(&return_undetermined()), @"
    # Case: Child in China, reasons for leaving unknown

    *Law applied as of 2003-01-15.*

    ## Return to North Korea is prohibited (`return_prohibited`)

    **Undetermined:** depends on facts the case does not give.

    Not decided: the rules that could decide it depend on missing facts.

    ### Missing facts that would decide it

    - Substantial risk of torture (`torture_risk`; type `bool`)
    - Well-founded fear of persecution (`person.fear_of_persecution`; type `bool`)

    ### Exceptions considered and not applicable

    - `art33_2` (exception to `art33_1`; rc Art. 33(2)) did not apply: `danger_to_security` = `false`

    ### Rules that depend on missing facts

    - `art33_1` (rc Art. 33(1)): depends on `is_refugee`
    - `cat_art3` (cat Art. 3(1)): depends on `torture_risk`

    ### Facts relied on

    - `danger_to_security`: `false`
    - Substantial risk of torture (`torture_risk`): *not given*
    - Well-founded fear of persecution (`person.fear_of_persecution`): *not given*

    ### Definitions relied on

    - Refugee under the Convention (`is_refugee`): *undetermined* (depends on person.fear_of_persecution)

    ### Sources

    - **Convention relating to the Status of Refugees (1951)** (treaty), cited as `rc`: Art. 33(1); Art. 33(2)
    - **Convention against Torture (1984)** (treaty), cited as `cat`: Art. 3(1)
    ");
}

#[test]
fn text_undetermined() {
    insta::assert_snapshot!(to_text(&return_undetermined(), false), @"
    Case: Child in China, reasons for leaving unknown (law as of 2003-01-15)

    return_prohibited = undetermined  (depends on facts the case does not give)
      not applicable  art33_2: danger_to_security = false  (rc Art. 33(2))
      unknown         art33_1: needs is_refugee
      unknown         cat_art3: needs torture_risk
      missing         torture_risk: bool
      missing         person.fear_of_persecution: bool
      cites           rc Art. 33(1), Art. 33(2)
                      cat Art. 3(1)
    ");
}

#[test]
fn markdown_discretion_and_table() {
    insta::assert_snapshot!(to_markdown(&discretion_and_table()), @r"
    # Case: Applicant at an overseas mission \| serious_criminal

    *Law applied as of 2003-01-15.*

    ## Protection under the Act (`protection`)

    **Protected under the Act** (`protected`).

    Decided by rule `applied` (rok_act Art. 7(1)) [provenance: seed], since `person.applied_for_protection` = `true`.

    ### Discretions

    - The Minister of Unification **may** refuse protection to a serious criminal (rok_act Art. 9(1); rule `refuse`). Not exercised in this case; if exercised, the rule gives `not_protected`.

    ### Facts relied on

    - Applied for protection (`person.applied_for_protection`): `true`
    - `serious_criminal`: `true`

    ### Sources

    - **Protection of North Korean Residents and Support of their Settlement Act (Law No. 6474)** (statute), cited as `rok_act`: Art. 7(1); Art. 9(1)

    ## China is bound by the Refugee Convention (`china_bound`)

    **Yes** (`true`).

    Decided by rule `bound` (untc Ch. V.2) [provenance: unverified], since `parties[china, refugee_convention]` = `found`.

    ### Facts relied on

    - State of residence (`state`): `china`

    ### Table rows read

    - `parties[china, refugee_convention]`: in force; reservation `Art. 14 and 16(3)` (untc Ch. V.2) [provenance: unverified]
    - `parties[china, cat]`: in force; reservation *none* (untc Ch. IV.9) [provenance: unverified]

    ### Sources

    - **UN Treaty Collection** (report), cited as `untc`: Ch. V.2; Ch. IV.9
    ");
}

#[test]
fn text_discretion_and_table() {
    insta::assert_snapshot!(to_text(&discretion_and_table(), false), @"
    Case: Applicant at an overseas mission | serious_criminal (law as of 2003-01-15)

    protection  = protected  (decided by applied: rok_act Art. 7(1))
      discretion      refuse (open): Minister of Unification may refuse protection to a serious criminal  (rok_act Art. 9(1))
      cites           rok_act Art. 7(1), Art. 9(1)

    china_bound = true       (decided by bound: untc Ch. V.2)
      cites           untc Ch. V.2, Ch. IV.9
    ");
}

#[test]
fn markdown_default() {
    insta::assert_snapshot!(to_markdown(&subsidy_by_default()), @"
    # Evaluation

    *Law applied as of 2001-03-01.*

    ## Reduction of the settlement subsidy (`subsidy_reduction`)

    **Result:** `KRW 0`.

    No rule applied; the default applies (rok_decree Art. 39).

    ### Rules that did not apply

    - `property_cut` (rok_decree Art. 39(1)) did not apply: `savings` = `KRW 0`

    ### Rules not in force on 2001-03-01

    - `violation_cut` (rok_decree Art. 39(2)): in force from 2002-06-03

    ### Facts relied on

    - Savings declared on arrival (`savings`): `KRW 0`

    ### Sources

    - **Enforcement Decree of the Act (Presidential Decree No. 17620)** (decree), cited as `rok_decree`: Art. 39; Art. 39(1)
    ");
}

#[test]
fn text_default() {
    insta::assert_snapshot!(to_text(&subsidy_by_default(), false), @"
    Law as of 2001-03-01

    subsidy_reduction = KRW 0  (default: rok_decree Art. 39)
      not applicable  property_cut: savings = KRW 0  (rok_decree Art. 39(1))
      not in force    violation_cut: in force from 2002-06-03
      cites           rok_decree Art. 39, Art. 39(1)
    ");
}

#[test]
fn renderings_are_deterministic() {
    for e in all() {
        assert_eq!(to_markdown(&e), to_markdown(&e.clone()));
        assert_eq!(to_text(&e, false), to_text(&e.clone(), false));
        assert_eq!(to_text(&e, true), to_text(&e.clone(), true));
    }
}

#[test]
fn renderings_have_no_trailing_whitespace() {
    for e in all() {
        for out in [to_markdown(&e), to_text(&e, false), to_text(&e, true)] {
            assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
            for line in out.lines() {
                assert_eq!(line, line.trim_end(), "trailing whitespace in {line:?}");
            }
        }
    }
}

#[test]
fn color_only_adds_escapes() {
    for e in all() {
        let colored = to_text(&e, true);
        assert!(colored.contains("\x1b["));
        let mut stripped = String::new();
        let mut chars = colored.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                stripped.push(c);
            }
        }
        assert_eq!(stripped, to_text(&e, false));
        assert!(!to_text(&e, false).contains('\x1b'));
    }
}

#[test]
fn markdown_escapes_user_text() {
    assert_eq!(esc("rok_act"), "rok_act");
    assert_eq!(esc("_lead and trail_"), "\\_lead and trail\\_");
    assert_eq!(
        esc("a *b* | [c] <d> \\"),
        "a \\*b\\* \\| \\[c\\] \\<d> \\\\"
    );
    assert_eq!(esc("Case #3 ##"), "Case #3 \\#\\#");
    assert_eq!(esc("two\nlines"), "two lines");
    assert_eq!(code("{murder}"), "`{murder}`");
    assert_eq!(code("a`b"), "``a`b``");
    assert_eq!(code("`x`"), "`` `x` ``");
    assert_eq!(code(""), "*empty*");
}

/// The string at a JSON pointer into an evaluation's JSON.
fn json_str(e: &Evaluation, pointer: &str) -> Option<String> {
    let j: serde_json::Value = serde_json::from_str(&e.to_json()).ok()?;
    j.pointer(pointer)?.as_str().map(str::to_string)
}

#[test]
fn json_follows_the_documented_tags() {
    let e = excluded_for_murder();
    let at = |p: &str| json_str(&e, p);
    assert_eq!(at("/schema").as_deref(), Some("refuge.evaluation/1"));
    assert_eq!(at("/verdicts/0/outcome/status").as_deref(), Some("decided"));
    assert_eq!(at("/verdicts/0/decision/by").as_deref(), Some("rules"));
    assert_eq!(
        at("/verdicts/0/rules/0/status").as_deref(),
        Some("overridden")
    );
    let u = return_undetermined();
    let at = |p: &str| json_str(&u, p);
    assert_eq!(
        at("/verdicts/0/outcome/status").as_deref(),
        Some("undetermined")
    );
    assert_eq!(at("/verdicts/0/decision/by").as_deref(), Some("nothing"));
    assert_eq!(
        at("/verdicts/0/missing_facts/0/type").as_deref(),
        Some("bool")
    );
}
