//! How verdicts are decided: default logic, exceptions, three-valued facts,
//! discretion, time and amounts — each as a small policy and a case.

use refuge::case::{load_case, CaseFormat};
use refuge::{compile, Engine, EvalError, Options, SourceMap};
use serde_json::Value as Json;

const SOURCES: &str = r#"
source act : statute "Act"
source cat : treaty "Convention against Torture"
source rc : treaty "Refugee Convention"
"#;

/// Evaluates `case_json` against `policy` (with the sources above) and gives
/// the JSON evaluation (`refuge.evaluation/2`), with the program manifest
/// (`refuge.program/1`) its ids refer to under `"manifest"`.
fn evaluate(policy: &str, case_json: &str) -> Result<Json, EvalError> {
    let mut sources = SourceMap::new();
    sources.add("p.policy", format!("{SOURCES}\n{policy}"));
    let compiled = match compile(&sources) {
        Ok(c) => c,
        Err(d) => panic!(
            "policy does not check:\n{}",
            d.render(&sources, refuge::compile::ErrorFormat::Plain)
        ),
    };
    let case = load_case(&compiled.program, "case.json", case_json, CaseFormat::Json)
        .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)));
    let evaluation = Engine::new(&compiled.program).evaluate(&case, &Options::default())?;
    let mut doc: Json = serde_json::from_str(&evaluation.to_json()).unwrap();
    let manifest: Json = serde_json::from_str(&compiled.program.manifest_json()).unwrap();
    assert_eq!(
        doc["program"], manifest["digest"],
        "the ids refer to this manifest"
    );
    doc["manifest"] = manifest;
    Ok(doc)
}

/// The names of the facts a verdict (`v`, of evaluation `e`) waits for.
fn missing_names<'e>(e: &'e Json, v: &Json) -> Vec<&'e str> {
    v["missing_facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            e["missing"][i.as_u64().unwrap() as usize]["fact"]
                .as_str()
                .unwrap()
        })
        .collect()
}

/// An evaluation error's diagnostic code.
fn code(err: &EvalError) -> Option<String> {
    miette::Diagnostic::code(err).map(|c| c.to_string())
}

/// The name of the rule with manifest id `id`.
fn rule_name(doc: &Json, id: &Json) -> String {
    let i = id.as_u64().expect("a rule id") as usize;
    doc["manifest"]["rules"][i]["name"]
        .as_str()
        .expect("the id is in the manifest")
        .to_string()
}

/// The names of the rules in a JSON array of rule ids.
fn rule_names(doc: &Json, ids: &Json) -> Vec<String> {
    ids.as_array()
        .map(|a| a.iter().map(|id| rule_name(doc, id)).collect())
        .unwrap_or_default()
}

/// A verdict's value as a case file writes it (`undetermined` if none).
fn display(v: &Json) -> String {
    match v["outcome"]["status"].as_str() {
        Some("decided") => match &v["outcome"]["value"] {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        },
        _ => "undetermined".to_string(),
    }
}

/// The node of a verdict, and its rule entry named `rule`.
fn entry<'a>(doc: &'a Json, v: &Json, rule: &str) -> &'a Json {
    let root = v["root"].as_u64().unwrap() as usize;
    doc["nodes"][root]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| rule_name(doc, &r["rule"]) == rule)
        .unwrap()
}

/// The display of verdict `name`: a value, or `undetermined`.
fn verdict(policy: &str, case_json: &str, name: &str) -> String {
    let e = evaluate(policy, case_json).unwrap_or_else(|e| panic!("evaluation error: {e}"));
    let v = e["verdicts"]
        .get(name)
        .unwrap_or_else(|| panic!("no verdict `{name}`"));
    display(v)
}

/// The only verdict of an evaluation of a one-verdict policy.
fn only(doc: &Json) -> &Json {
    let verdicts = doc["verdicts"].as_object().unwrap();
    assert_eq!(verdicts.len(), 1);
    verdicts.values().next().unwrap()
}

const RETURN: &str = r#"
fact refugee : bool
fact danger_to_security : bool
fact torture_risk : bool
verdict return_prohibited : bool {
  default false cite rc "Art. 33" provenance reading
  rule art33_1 when refugee qualified by art33_2 cite rc "Art. 33(1)" provenance text
  exception art33_2 lifts art33_1 when danger_to_security cite rc "Art. 33(2)" provenance text
  absolute rule cat_art3 when torture_risk cite cat "Art. 3(1)" provenance text
}
"#;

#[test]
fn a_rule_that_applies_decides() {
    let case = r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "danger_to_security": false, "torture_risk": false}}"#;
    assert_eq!(verdict(RETURN, case, "return_prohibited"), "true");
}

#[test]
fn the_default_applies_when_no_rule_does() {
    let case = r#"{"as_of": "2016-01-01", "facts": {"refugee": false, "danger_to_security": false, "torture_risk": false}}"#;
    let e = evaluate(RETURN, case).unwrap();
    assert_eq!(display(only(&e)), "false");
    assert_eq!(only(&e)["outcome"]["by"], "default");
}

#[test]
fn lifting_one_ground_leaves_the_others_standing() {
    // Art. 33(2) lifts Art. 33(1); CAT Art. 3 still bars return.
    let case = r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "danger_to_security": true, "torture_risk": true}}"#;
    let e = evaluate(RETURN, case).unwrap();
    let v = only(&e);
    assert_eq!(display(v), "true");
    assert_eq!(v["outcome"]["by"], "rules");
    assert_eq!(rule_names(&e, &v["outcome"]["rules"]), ["cat_art3"]);
    assert_eq!(entry(&e, v, "art33_1")["status"], "overridden");
    assert_eq!(entry(&e, v, "art33_2")["status"], "applied");
    // The law applied is CAT Art. 3 alone: Art. 33 did not decide.
    let rests: Vec<&str> = v["rests_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            e["manifest"]["citations"][i.as_u64().unwrap() as usize]["pinpoint"]["text"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(rests, ["Art. 3(1)"]);
}

#[test]
fn a_lifted_ground_with_nothing_else_falls_back_to_the_default() {
    let case = r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "danger_to_security": true, "torture_risk": false}}"#;
    assert_eq!(verdict(RETURN, case, "return_prohibited"), "false");
}

#[test]
fn a_verdict_decided_whatever_the_missing_facts_stays_decided() {
    // Refugee status and the Art. 33(2) facts are missing, but an absolute
    // rule applies and the other rules could only agree with it.
    let case = r#"{"as_of": "2016-01-01", "facts": {"torture_risk": true}}"#;
    assert_eq!(verdict(RETURN, case, "return_prohibited"), "true");
}

#[test]
fn a_verdict_that_depends_on_a_missing_fact_is_undetermined_and_names_it() {
    let case = r#"{"as_of": "2016-01-01", "facts": {"refugee": true, "torture_risk": false}}"#;
    let e = evaluate(RETURN, case).unwrap();
    let v = only(&e);
    assert_eq!(v["outcome"]["status"], "undetermined");
    let missing = missing_names(&e, v);
    assert_eq!(missing, ["danger_to_security"]);
    let waiting = &e["missing"][v["missing_facts"][0].as_u64().unwrap() as usize]["waiting"];
    assert_eq!(rule_names(&e, waiting), ["art33_2"]);
}

#[test]
fn a_comparison_of_two_facts_with_one_missing_rests_on_the_missing_one() {
    let policy = r#"
enum State { china, laos }
fact origin : State
fact current : State
verdict moved : bool {
  default false cite act "Art. 1" provenance reading
  rule r when origin != current cite act "Art. 1" provenance text
}"#;
    for (facts, missing) in [
        (r#"{"origin": "china"}"#, "current"),
        (r#"{"current": "laos"}"#, "origin"),
    ] {
        let case = format!(r#"{{"as_of": "2020-01-01", "facts": {facts}}}"#);
        let e = evaluate(policy, &case).unwrap();
        let v = only(&e);
        assert_eq!(v["outcome"]["status"], "undetermined", "{facts}");
        let named = missing_names(&e, v);
        assert_eq!(named, [missing], "{facts}");
        // The known fact was read, but did not settle anything: the rule is
        // unknown because of the other.
        let reads = &e["nodes"][0]["rules"][0]["reads"];
        let known = if missing == "current" {
            "origin"
        } else {
            "current"
        };
        let shown: Vec<String> = reads
            .as_array()
            .unwrap()
            .iter()
            .map(|r| match r.as_str() {
                Some(name) => name.to_string(),
                None => format!("{} (not decisive)", r["fact"].as_str().unwrap()),
            })
            .collect();
        let mut expected = vec![format!("{known} (not decisive)"), missing.to_string()];
        if known == "current" {
            expected.reverse();
        }
        assert_eq!(shown, expected, "{facts}");
    }
    let both = r#"{"as_of": "2020-01-01", "facts": {"origin": "china", "current": "laos"}}"#;
    assert_eq!(verdict(policy, both, "moved"), "true");
}

#[test]
fn kleene_logic_decides_without_the_missing_operand() {
    let policy = r#"
fact a : bool
fact b : bool
verdict both : bool {
  default false cite act "Art. 1" provenance reading
  rule r when a and b cite act "Art. 1" provenance text
}"#;
    // `false and ?` is false, so the verdict is decided by the default.
    assert_eq!(
        verdict(
            policy,
            r#"{"as_of": "2020-01-01", "facts": {"a": false}}"#,
            "both"
        ),
        "false"
    );
    assert_eq!(
        verdict(
            policy,
            r#"{"as_of": "2020-01-01", "facts": {"a": true}}"#,
            "both"
        ),
        "undetermined"
    );
}

const PROTECTION: &str = r#"
enum Protection { protected, not_protected }
fact applied : bool
fact murderer : bool
verdict protection : Protection {
  default not_protected cite act "Art. 8" provenance reading
  rule granted = protected when applied cite act "Art. 7(1)" provenance text
  exception refuse overrides granted = not_protected
    may "refuse protection to a serious criminal" by "Minister of Unification"
    when murderer
    cite act "Art. 9(1)" provenance text
}
"#;

#[test]
fn an_open_discretion_does_not_decide_but_is_listed() {
    let case = r#"{"as_of": "2003-01-01", "facts": {"applied": true, "murderer": true}}"#;
    let e = evaluate(PROTECTION, case).unwrap();
    let v = only(&e);
    assert_eq!(display(v), "protected");
    assert_eq!(v["discretions"].as_array().unwrap().len(), 1);
    assert_eq!(v["discretions"][0]["status"], "open");
    let rule = v["discretions"][0]["rule"].as_u64().unwrap() as usize;
    assert_eq!(
        e["manifest"]["rules"][rule]["holder"],
        "Minister of Unification"
    );
    assert_eq!(v["discretions"][0]["conditions_hold"], true);
    assert_eq!(v["discretions"][0]["decisive"], true);
    // What the discretion would give is the rule's constant, said once in
    // the manifest, not copied into the evaluation.
    assert_eq!(e["manifest"]["rules"][rule]["value"], "not_protected");
    assert!(entry(&e, v, "refuse").get("value").is_none());
}

#[test]
fn an_exercised_discretion_takes_effect_and_a_declined_one_does_not() {
    let exercised = r#"{"as_of": "2003-01-01", "facts": {"applied": true, "murderer": true}, "discretions": {"refuse": true}}"#;
    assert_eq!(
        verdict(PROTECTION, exercised, "protection"),
        "not_protected"
    );
    let declined = r#"{"as_of": "2003-01-01", "facts": {"applied": true, "murderer": true}, "discretions": {"refuse": false}}"#;
    assert_eq!(verdict(PROTECTION, declined, "protection"), "protected");
}

#[test]
fn a_discretion_exercised_without_its_conditions_has_no_effect() {
    let case = r#"{"as_of": "2003-01-01", "facts": {"applied": true, "murderer": false}, "discretions": {"refuse": true}}"#;
    assert_eq!(verdict(PROTECTION, case, "protection"), "protected");
}

#[test]
fn two_rules_of_equal_standing_that_disagree_are_a_conflict_naming_both() {
    let policy = r#"
enum Protection { protected, not_protected }
fact applied : bool
fact criminal : bool
verdict protection : Protection {
  default not_protected cite act "Art. 8" provenance reading
  rule granted = protected when applied cite act "Art. 7" provenance text
  rule refused = not_protected when criminal cite act "Art. 9" provenance text
}"#;
    let err = evaluate(
        policy,
        r#"{"as_of": "2003-01-01", "facts": {"applied": true, "criminal": true}}"#,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`granted`") && text.contains("`refused`"),
        "{text}"
    );
    assert_eq!(code(&err).as_deref(), Some("refuge::eval::conflict"));
}

#[test]
fn nested_exceptions_restore_the_rule_they_protect() {
    let policy = r#"
fact applied : bool
fact crime : bool
fact political : bool
verdict protected : bool {
  default false cite act "Art. 8" provenance reading
  rule granted when applied cite act "Art. 7" provenance text
  exception crime_bar overrides granted = false when crime cite act "Art. 9" provenance text
  exception political_offence lifts crime_bar when political cite act "Art. 9" provenance reading
}"#;
    let case =
        r#"{"as_of": "2003-01-01", "facts": {"applied": true, "crime": true, "political": true}}"#;
    assert_eq!(verdict(policy, case, "protected"), "true");
    let case =
        r#"{"as_of": "2003-01-01", "facts": {"applied": true, "crime": true, "political": false}}"#;
    assert_eq!(verdict(policy, case, "protected"), "false");
}

const SUBSIDY: &str = r#"
fact standard : money
verdict max_reduction : money {
  default KRW 0 cite act "Decree Art. 39" provenance reading
  rule half = round(standard * 50%, 0) from 2002-06-03 cite act "Decree Art. 39" provenance seed
}
"#;

#[test]
fn a_rule_is_in_force_only_from_its_date() {
    let case =
        |date: &str| format!(r#"{{"as_of": "{date}", "facts": {{"standard": "KRW 36000001"}}}}"#);
    assert_eq!(
        verdict(SUBSIDY, &case("2002-06-02"), "max_reduction"),
        "KRW 0"
    );
    assert_eq!(
        verdict(SUBSIDY, &case("2002-06-03"), "max_reduction"),
        "KRW 18000001"
    );
}

#[test]
fn money_in_two_currencies_is_an_evaluation_error_not_a_guess() {
    let policy = r#"
fact a : money
fact b : money
verdict total : money { rule sum = a + b cite act "Art. 1" provenance reading }"#;
    let err = evaluate(
        policy,
        r#"{"as_of": "2020-01-01", "facts": {"a": "KRW 1", "b": "USD 1"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`KRW`"), "{err}");
}

#[test]
fn table_rows_are_read_as_of_the_evaluation_date() {
    let policy = r#"
enum State { vietnam, china }
enum Treaty { cat }
table parties { key state : State key treaty : Treaty
  row vietnam, cat from 2015-02-05 cite cat "status" provenance unverified
  row china, cat from 1988-10-04 cite cat "status" provenance unverified }
fact state : State
verdict bound : bool {
  default false cite cat "status" provenance reading
  rule party when exists parties[state, cat] cite cat "Art. 3" provenance text
}"#;
    let case = |date: &str| format!(r#"{{"as_of": "{date}", "facts": {{"state": "vietnam"}}}}"#);
    assert_eq!(verdict(policy, &case("2002-01-01"), "bound"), "false");
    assert_eq!(verdict(policy, &case("2016-01-01"), "bound"), "true");
}

const OPTION: &str = r#"
setting option_prima_facie : bool = false "recognise prima facie in a mass influx"
  cite rc "Art. 1A(2)" provenance reading
fact mass_influx : bool
verdict refugee : bool {
  default false cite rc "Art. 1A(2)" provenance reading
  rule prima_facie when option_prima_facie and mass_influx cite rc "Art. 1A(2)" provenance reading
}
"#;

#[test]
fn a_setting_applies_the_policys_reading_unless_the_case_overrides_it() {
    let policy_reading = r#"{"as_of": "2016-01-01", "facts": {"mass_influx": true}}"#;
    assert_eq!(verdict(OPTION, policy_reading, "refugee"), "false");
    let other_reading = r#"{"as_of": "2016-01-01", "settings": {"option_prima_facie": true}, "facts": {"mass_influx": true}}"#;
    let e = evaluate(OPTION, other_reading).unwrap();
    assert_eq!(display(only(&e)), "true");
    assert_eq!(
        only(&e)["decisive_settings"],
        serde_json::json!(["option_prima_facie"])
    );
    assert_eq!(
        only(&e)["decisive_facts"],
        serde_json::json!({"mass_influx": true})
    );
}

#[test]
fn a_setting_given_as_a_fact_is_rejected_with_the_right_place_to_put_it() {
    let mut sources = SourceMap::new();
    sources.add("p.policy", format!("{SOURCES}\n{OPTION}"));
    let program = compile(&sources).unwrap().program;
    let case = r#"{"as_of": "2016-01-01", "facts": {"option_prima_facie": true}}"#;
    let errors = load_case(&program, "case.json", case, CaseFormat::Json).unwrap_err();
    let first = errors.0.first().unwrap();
    assert!(
        first.to_string().contains("is a setting, not a fact"),
        "{first}"
    );
}

#[test]
fn rules_that_compute_the_same_value_agree_and_different_values_conflict() {
    // Computed values (not constants of the policy) are compared by value.
    let policy = r#"
fact size : integer
fact income : integer
fact flagged : bool
verdict cap : integer {
  default 0 cite act "Art. 20" provenance reading
  rule by_size = size * 2 when size > 0 cite act "Art. 20(1)" provenance text
  rule by_income = income + income when income > 0 cite act "Art. 20(2)" provenance text
  rule on_flag = size + 3 when flagged cite act "Art. 20(3)" provenance text
}"#;
    let agree = r#"{"as_of": "2020-01-01", "facts": {"size": 3, "income": 3, "flagged": false}}"#;
    assert_eq!(verdict(policy, agree, "cap"), "6");
    // `on_flag` may apply (the flag is missing) but would give the same 6.
    let may_agree = r#"{"as_of": "2020-01-01", "facts": {"size": 3, "income": 3}}"#;
    assert_eq!(verdict(policy, may_agree, "cap"), "6");
    // Here it would give 7 where the rules that apply give 8.
    let may_differ = r#"{"as_of": "2020-01-01", "facts": {"size": 4, "income": 4}}"#;
    assert_eq!(verdict(policy, may_differ, "cap"), "undetermined");
    let differ = r#"{"as_of": "2020-01-01", "facts": {"size": 4, "income": 3, "flagged": false}}"#;
    let err = evaluate(policy, differ).unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("refuge::eval::conflict"),
        "8 by size, 6 by income: {err}"
    );
}

#[test]
fn a_decimal_fact_is_exact_and_scales_money() {
    let policy = r#"
fact share : decimal
fact income : money
verdict deduction : money {
  default KRW 0 cite act "Art. 20" provenance reading
  rule partial = income * share when share > 0 and share <= 50% cite act "Art. 20(1)" provenance text
}"#;
    let case = |share: &str| {
        format!(r#"{{"as_of": "2020-01-01", "facts": {{"share": {share}, "income": "KRW 1000"}}}}"#)
    };
    assert_eq!(verdict(policy, &case("0.25"), "deduction"), "KRW 250");
    assert_eq!(verdict(policy, &case("\"0.5\""), "deduction"), "KRW 500");
    // Exact, not a binary float: 0.3 of KRW 1000 is KRW 300.
    assert_eq!(verdict(policy, &case("0.3"), "deduction"), "KRW 300");
    assert_eq!(verdict(policy, &case("0.51"), "deduction"), "KRW 0");
}

#[test]
fn a_set_holds_an_enum_of_up_to_128_values() {
    // 128 is the largest enum a `set of` accepts (a 129-value one is the
    // fixture `52_enum_too_large_for_a_set`); its last value must work.
    let variants: Vec<String> = (0..128).map(|i| format!("v{i}")).collect();
    let policy = format!(
        r#"
enum Wide {{ {} }}
fact chosen : set of Wide
verdict has_last : bool {{
  default false cite act "Art. 1" provenance reading
  rule last when v127 in chosen cite act "Art. 1" provenance text
}}"#,
        variants.join(", ")
    );
    let case = |set: &str| format!(r#"{{"as_of": "2020-01-01", "facts": {{"chosen": {set}}}}}"#);
    assert_eq!(verdict(&policy, &case(r#"["v127"]"#), "has_last"), "true");
    assert_eq!(
        verdict(&policy, &case(r#"["v0", "v126"]"#), "has_last"),
        "false"
    );
}

#[test]
fn a_rule_that_may_apply_with_the_defaults_value_leaves_the_default_standing() {
    // No rule applies for certain; `confirmed` may (its fact is missing) but
    // would give `false`, the default's value, so the verdict is decided.
    let policy = r#"
fact screened : bool
fact cleared : bool
verdict barred : bool {
  default false cite act "Art. 5" provenance reading
  rule confirmed = false when screened cite act "Art. 5(1)" provenance text
  rule flagged = true when cleared and screened cite act "Art. 5(2)" provenance text
}"#;
    let e = evaluate(
        policy,
        r#"{"as_of": "2020-01-01", "facts": {"cleared": false}}"#,
    )
    .unwrap();
    assert_eq!(display(only(&e)), "false");
    assert_eq!(only(&e)["outcome"]["by"], "default");
    // Were `flagged` possible too, the rules that may apply would disagree.
    assert_eq!(
        verdict(
            policy,
            r#"{"as_of": "2020-01-01", "facts": {"cleared": true}}"#,
            "barred"
        ),
        "undetermined"
    );
}

#[test]
fn an_integer_compares_with_a_decimal() {
    let policy = r#"
fact years : integer
verdict long_stay : bool {
  default false cite act "Art. 20" provenance reading
  rule over when years > 2.5 cite act "Art. 20(1)" provenance text
}"#;
    let case = |n: u32| format!(r#"{{"as_of": "2020-01-01", "facts": {{"years": {n}}}}}"#);
    assert_eq!(verdict(policy, &case(3), "long_stay"), "true");
    assert_eq!(verdict(policy, &case(2), "long_stay"), "false");
}

/// `fact OP constant` and `constant OP fact` are the same test, for every
/// operator and across integers and decimals; with the fact missing the test
/// is unknown, and comparing money of two currencies is still an error with
/// the constant on either side.
#[test]
fn a_comparison_reads_the_same_with_the_constant_on_either_side() {
    let ops = [
        ("<", ">"),
        ("<=", ">="),
        (">", "<"),
        (">=", "<="),
        ("==", "=="),
        ("!=", "!="),
    ];
    for (op, mirrored) in ops {
        let policy = format!(
            r#"
fact years : integer
verdict left : bool {{
  default false cite act "Art. 20" provenance reading
  rule left_holds when years {op} 3 cite act "Art. 20(1)" provenance text
}}
verdict right : bool {{
  default false cite act "Art. 20" provenance reading
  rule right_holds when 3 {mirrored} years cite act "Art. 20(1)" provenance text
}}
verdict decimal : bool {{
  default false cite act "Art. 20" provenance reading
  rule decimal_holds when 3.0 {mirrored} years cite act "Art. 20(1)" provenance text
}}"#
        );
        for years in [2, 3, 4] {
            let case = format!(r#"{{"as_of": "2020-01-01", "facts": {{"years": {years}}}}}"#);
            let expected = match op {
                "<" => years < 3,
                "<=" => years <= 3,
                ">" => years > 3,
                ">=" => years >= 3,
                "==" => years == 3,
                _ => years != 3,
            }
            .to_string();
            for name in ["left", "right", "decimal"] {
                assert_eq!(
                    verdict(&policy, &case, name),
                    expected,
                    "`{name}` with `years {op} 3` and years = {years}"
                );
            }
        }
        let missing = r#"{"as_of": "2020-01-01", "facts": {}}"#;
        for name in ["left", "right", "decimal"] {
            assert_eq!(
                verdict(&policy, missing, name),
                "undetermined",
                "{name} {op}"
            );
        }
    }
    let money = r#"
fact paid : money
verdict small : bool {
  default false cite act "Art. 1" provenance reading
  rule under when USD 10 > paid cite act "Art. 1" provenance text
}"#;
    let err = evaluate(
        money,
        r#"{"as_of": "2020-01-01", "facts": {"paid": "KRW 1"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`USD`"), "{err}");
}

#[test]
fn numbers_mix_integers_and_decimals_through_if_and_negation() {
    let policy = r#"
fact years : integer
fact flagged : bool
verdict months : integer {
  default 0 cite act "Art. 20" provenance reading
  rule counted = if flagged then years * 12 else -years when years > 0 cite act "Art. 20(1)" provenance text
}
verdict rate : decimal {
  default 0 cite act "Art. 21" provenance reading
  rule mixed = if flagged then years else 0.5 when years > 1 cite act "Art. 21(1)" provenance text
  rule whole = years when years == 1 cite act "Art. 21(2)" provenance text
}"#;
    let case = |years: u32, flagged: bool| {
        format!(r#"{{"as_of": "2020-01-01", "facts": {{"years": {years}, "flagged": {flagged}}}}}"#)
    };
    assert_eq!(verdict(policy, &case(2, true), "months"), "24");
    assert_eq!(verdict(policy, &case(2, false), "months"), "-2");
    assert_eq!(verdict(policy, &case(3, true), "rate"), "3");
    assert_eq!(verdict(policy, &case(3, false), "rate"), "0.5");
    // An integer is accepted where a decimal is expected.
    assert_eq!(verdict(policy, &case(1, false), "rate"), "1");
}

#[test]
fn comparisons_and_set_tests_are_values_as_well_as_conditions() {
    // Tests of a fact against constants (`==`, `!=`, `in`, `has any`,
    // `has all`) as a default's value rather than a rule's condition.
    let policy = r#"
enum State { china, laos, russia }
enum Ground { race, religion, political_opinion }
fact current_state : State
fact grounds : set of Ground
verdict in_china : bool {
  default current_state == china cite act "Art. 1" provenance reading
}
verdict outside_china : bool {
  default current_state != china cite act "Art. 1" provenance reading
}
verdict in_the_south : bool {
  default current_state in {china, laos} cite act "Art. 1" provenance reading
}
verdict any_belief : bool {
  default grounds has any {religion, political_opinion} cite act "Art. 1A" provenance reading
}
verdict every_belief : bool {
  default grounds has all {religion, political_opinion} cite act "Art. 1A" provenance reading
}"#;
    let case =
        |s: &str| format!(r#"{{"as_of": "2020-01-01", "facts": {{"current_state": "{s}"}}}}"#);
    assert_eq!(verdict(policy, &case("china"), "in_china"), "true");
    assert_eq!(verdict(policy, &case("laos"), "in_china"), "false");
    assert_eq!(verdict(policy, &case("china"), "outside_china"), "false");
    assert_eq!(verdict(policy, &case("laos"), "outside_china"), "true");
    assert_eq!(verdict(policy, &case("laos"), "in_the_south"), "true");
    assert_eq!(verdict(policy, &case("russia"), "in_the_south"), "false");
    let grounds = |g: &str| format!(r#"{{"as_of": "2020-01-01", "facts": {{"grounds": {g}}}}}"#);
    assert_eq!(
        verdict(policy, &grounds(r#"["race", "religion"]"#), "any_belief"),
        "true"
    );
    assert_eq!(
        verdict(policy, &grounds(r#"["race"]"#), "any_belief"),
        "false"
    );
    assert_eq!(
        verdict(policy, &grounds(r#"["religion"]"#), "every_belief"),
        "false"
    );
    assert_eq!(
        verdict(
            policy,
            &grounds(r#"["religion", "political_opinion"]"#),
            "every_belief"
        ),
        "true"
    );
    assert_eq!(
        verdict(
            policy,
            r#"{"as_of": "2020-01-01", "facts": {}}"#,
            "in_china"
        ),
        "undetermined"
    );
}

#[test]
fn floors_caps_and_division_keep_numbers_exact() {
    let policy = r#"
fact years : integer
verdict quarter : decimal {
  default 1 / 4 cite act "Art. 22" provenance reading
}
verdict quarter_of_the_years : decimal {
  default years / 4 cite act "Art. 22" provenance reading
}
verdict at_least_half : decimal {
  default max(years, 0.5) cite act "Art. 22" provenance reading
}
verdict at_most_three : integer {
  default min(years, 3) cite act "Art. 22" provenance reading
}
verdict within_one_and_ten : integer {
  default clamp(years, 1, 10) cite act "Art. 22" provenance reading
}"#;
    let case = |n: u32| format!(r#"{{"as_of": "2020-01-01", "facts": {{"years": {n}}}}}"#);
    // Where a decimal is expected, `1 / 4` is a quarter, not a truncated 0.
    assert_eq!(verdict(policy, &case(0), "quarter"), "0.25");
    assert_eq!(verdict(policy, &case(1), "quarter_of_the_years"), "0.25");
    assert_eq!(verdict(policy, &case(0), "at_least_half"), "0.5");
    assert_eq!(verdict(policy, &case(2), "at_least_half"), "2");
    assert_eq!(verdict(policy, &case(2), "at_most_three"), "2");
    assert_eq!(verdict(policy, &case(7), "at_most_three"), "3");
    assert_eq!(verdict(policy, &case(0), "within_one_and_ten"), "1");
    assert_eq!(verdict(policy, &case(12), "within_one_and_ten"), "10");
    assert_eq!(verdict(policy, &case(5), "within_one_and_ten"), "5");
}

#[test]
fn arithmetic_on_dates_durations_and_money_has_the_type_the_law_reads() {
    let policy = r#"
fact departure : date
fact arrival : date
fact income : money
fact standard : money
fact years : integer
verdict share_of_standard : decimal {
  default income / standard cite act "Art. 22" provenance reading
}
verdict mixed_sum : decimal {
  default years + 0.5 cite act "Art. 22" provenance reading
}
verdict review_date : date {
  default 1 year + departure cite act "Art. 22" provenance reading
}
verdict time_abroad : duration {
  default arrival - departure cite act "Art. 22" provenance reading
}
verdict period : duration {
  default 1 year + 6 months cite act "Art. 22" provenance reading
}
verdict doubled : duration {
  default 2 * 6 months cite act "Art. 22" provenance reading
}
verdict half_the_years : decimal {
  default years / 2 cite act "Art. 22" provenance reading
}
verdict clawback : money {
  default -income cite act "Art. 22" provenance reading
}
verdict negative_share : decimal {
  default -(income / standard) cite act "Art. 22" provenance reading
}
verdict six_months_before : date {
  default departure + -(6 months) cite act "Art. 22" provenance reading
}
verdict six_months_earlier : date {
  default departure - 6 months cite act "Art. 22" provenance reading
}
verdict half_a_year : duration {
  default 1 year - 6 months cite act "Art. 22" provenance reading
}
verdict a_month_before : date {
  default departure + -(30 days) cite act "Art. 22" provenance reading
}
verdict whole_years_abroad : integer {
  default years_between(departure, 2021-02-28) cite act "Art. 22" provenance reading
}
verdict days_abroad : integer {
  default days_between(departure, arrival) cite act "Art. 22" provenance reading
}
verdict over_four_weeks : bool {
  default time_abroad > 28 days cite act "Art. 22" provenance reading
}
verdict over_a_month : bool {
  default time_abroad > 31 days cite act "Art. 22" provenance reading
}
verdict at_least_a_year : bool {
  default period >= 1 year cite act "Art. 22" provenance reading
}
verdict under_a_year : bool {
  default doubled < 1 year cite act "Art. 22" provenance reading
}
verdict third_rounded : decimal {
  default round(years / 9, 2) cite act "Art. 22" provenance reading
}
verdict third_down : decimal {
  default floor(years / 9, 2) cite act "Art. 22" provenance reading
}
verdict third_up : decimal {
  default ceil(years / 9, 1) cite act "Art. 22" provenance reading
}
verdict income_in_thousands : money {
  default round(income / 1000, 0) cite act "Art. 22" provenance reading
}"#;
    let case = r#"{"as_of": "2020-01-01", "facts": {"departure": "2018-03-01", "arrival": "2018-03-31",
        "income": "KRW 500", "standard": "KRW 2000", "years": 3}}"#;
    let v = |name: &str| verdict(policy, case, name);
    assert_eq!(v("share_of_standard"), "0.25");
    assert_eq!(v("mixed_sum"), "3.5");
    assert_eq!(v("review_date"), "2019-03-01");
    assert_eq!(v("time_abroad"), "30 days");
    assert_eq!(v("period"), "1 year 6 months");
    assert_eq!(v("doubled"), "1 year");
    assert_eq!(v("half_the_years"), "1.5");
    assert_eq!(v("clawback"), "KRW -500");
    assert_eq!(v("negative_share"), "-0.25");
    assert_eq!(v("six_months_before"), "2017-09-01");
    assert_eq!(v("a_month_before"), "2018-01-30");
    assert_eq!(v("six_months_earlier"), "2017-09-01");
    assert_eq!(v("half_a_year"), "6 months");
    // Whole calendar years: a day short of three years is two.
    assert_eq!(v("whole_years_abroad"), "2");
    assert_eq!(v("days_abroad"), "30");
    // Durations compare in days with days and in months with months.
    assert_eq!(v("over_four_weeks"), "true");
    assert_eq!(v("over_a_month"), "false");
    assert_eq!(v("at_least_a_year"), "true");
    assert_eq!(v("under_a_year"), "false");
    // 3 / 9 = 0.333…: rounded half away from zero, down and up.
    assert_eq!(v("third_rounded"), "0.33");
    assert_eq!(v("third_down"), "0.33");
    assert_eq!(v("third_up"), "0.4");
    assert_eq!(v("income_in_thousands"), "KRW 1");
}

#[test]
fn an_if_whose_condition_is_missing_is_decided_when_both_branches_agree() {
    let policy = r#"
fact flagged : bool
fact years : integer
verdict same_either_way : integer {
  default if flagged then years else years * 1 cite act "Art. 23" provenance reading
}
verdict depends_on_the_flag : integer {
  default if flagged then years else 0 cite act "Art. 23" provenance reading
}"#;
    let case = r#"{"as_of": "2020-01-01", "facts": {"years": 4}}"#;
    assert_eq!(verdict(policy, case, "same_either_way"), "4");
    assert_eq!(verdict(policy, case, "depends_on_the_flag"), "undetermined");
    let flagged = r#"{"as_of": "2020-01-01", "facts": {"years": 4, "flagged": false}}"#;
    assert_eq!(verdict(policy, flagged, "depends_on_the_flag"), "0");
}

#[test]
fn a_set_written_with_facts_in_it_holds_their_values() {
    let policy = r#"
enum Ground { race, religion, nationality, political_opinion }
fact main_ground : Ground
fact other_ground : Ground
fact recognised : set of Ground
verdict both_recognised : bool {
  default recognised has all {main_ground, other_ground} cite act "Art. 1A" provenance reading
}
verdict either_recognised : bool {
  default recognised has any {main_ground, other_ground} cite act "Art. 1A" provenance reading
}"#;
    let case = |main: &str, other: &str| {
        format!(
            r#"{{"as_of": "2020-01-01", "facts": {{"main_ground": "{main}", "other_ground": "{other}", "recognised": ["race", "political_opinion"]}}}}"#
        )
    };
    assert_eq!(
        verdict(
            policy,
            &case("race", "political_opinion"),
            "both_recognised"
        ),
        "true"
    );
    assert_eq!(
        verdict(policy, &case("race", "religion"), "both_recognised"),
        "false"
    );
    // Recognised grounds beyond those asked about do not matter.
    assert_eq!(
        verdict(policy, &case("race", "race"), "both_recognised"),
        "true"
    );
    let either = |main, other| verdict(policy, &case(main, other), "either_recognised");
    assert_eq!(either("race", "religion"), "true");
    assert_eq!(either("nationality", "religion"), "false");
    assert_eq!(
        verdict(
            policy,
            r#"{"as_of": "2020-01-01", "facts": {"main_ground": "race", "recognised": ["race"]}}"#,
            "both_recognised"
        ),
        "undetermined"
    );
}

#[test]
fn days_and_months_do_not_compare() {
    // 30 days against a month has no answer the law gives: an evaluation
    // error, not a guess.
    let policy = r#"
fact departure : date
fact arrival : date
verdict over_six_months : bool {
  default arrival - departure > 6 months cite act "Art. 22" provenance reading
}"#;
    let err = evaluate(
        policy,
        r#"{"as_of": "2020-01-01", "facts": {"departure": "2018-03-01", "arrival": "2018-03-31"}}"#,
    )
    .unwrap_err();
    assert_eq!(
        code(&err).as_deref(),
        Some("refuge::eval::duration"),
        "{err}"
    );
}
