//! The stable library API (`refuge::Policy` …): what an embedding program
//! sees, checked against the CLI and the internal evaluator; and the list of
//! its public items, snapshotted so that a change to the surface is a
//! reviewed diff.

use crate::common::{refuge, stdout};
use refuge::err::CaseError;
use refuge::{CaseFormat, Kind, Policy};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_case_file_evaluates_as_the_cli_does_in_every_rendering() {
    let policy = Policy::builtin().unwrap();
    for name in [
        "defector.json",
        "excluded_hijacker.yaml",
        "before_2002_revision.toml",
    ] {
        let path = root().join("examples").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let case = policy
            .parse_case(&text, CaseFormat::from_path(&path).unwrap())
            .unwrap();
        let evaluation = policy.evaluate(&case).unwrap();
        let p = path.to_str().unwrap();
        assert_eq!(
            evaluation.to_json() + "\n",
            stdout(&refuge(&["eval", p, "--format", "json"]))
        );
        assert_eq!(
            evaluation.to_markdown() + "\n",
            stdout(&refuge(&["eval", p, "--format", "markdown"]))
        );
        assert_eq!(evaluation.to_text() + "\n", stdout(&refuge(&["eval", p])));
        // The outcomes are those of the JSON, and the fast path agrees.
        let json: serde_json::Value = serde_json::from_str(&evaluation.to_json()).unwrap();
        let mut evaluator = policy.evaluator();
        let fast = evaluator.outcomes(&case).unwrap();
        let verdicts = json["verdicts"].as_object().unwrap();
        assert_eq!(verdicts.len(), evaluation.outcomes().len());
        for outcome in evaluation.outcomes() {
            let v = &verdicts[outcome.verdict().as_str()];
            let value = outcome.value().map(|x| x.to_json());
            assert_eq!(
                value.as_ref(),
                v["outcome"].get("value"),
                "{name}: {}",
                outcome.verdict()
            );
            assert_eq!(
                fast.get(outcome.verdict().as_str()).map(|x| x.to_json()),
                value
            );
            if v["outcome"]["status"] == "decided" && v["outcome"]["by"] == "rules" {
                assert!(!outcome.decided_by().is_empty(), "{}", outcome.verdict());
            }
        }
    }
}

#[test]
fn a_case_built_fact_by_fact_equals_the_same_case_file() {
    let policy = Policy::builtin().unwrap();
    let text = std::fs::read_to_string(root().join("examples/defector.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let from_json = policy.case_from_json(&json).unwrap();
    let mut built = policy.case();
    built.as_of("2003-01-15").unwrap();
    for v in json["verdicts"].as_array().unwrap() {
        built.ask(v.as_str().unwrap()).unwrap();
    }
    fn leaves(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
        for (k, x) in v.as_object().unwrap() {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if x.is_object() {
                leaves(&path, x, out);
            } else {
                out.push((path, x.clone()));
            }
        }
    }
    let mut facts = Vec::new();
    leaves("", &json["facts"], &mut facts);
    for (path, value) in facts {
        built.set(&path, value).unwrap();
    }
    let a = policy.evaluate(&built).unwrap().to_json();
    let b = policy.evaluate(&from_json).unwrap().to_json();
    // The description differs (the built case has none); nothing else does.
    let strip = |s: String| {
        let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
        v["case"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(a), strip(b));
    assert_eq!(
        built.get("standard_amount").unwrap().to_string(),
        "KRW 36,000,000"
    );
    assert_eq!(
        built.get("defector.application").unwrap().as_variant(),
        Some("overseas_mission")
    );
}

#[test]
fn money_decimals_and_durations_read_as_a_case_file_reads_them() {
    // Canonical forms are read directly, others by the case loader: both
    // must give what a case file gives.
    let policy = Policy::builtin().unwrap();
    for (path, text) in [
        ("standard_amount", "KRW 36000000"),
        ("standard_amount", "KRW 36,000,000"),
        ("standard_amount", "KRW 12.50"),
        ("standard_amount", "KRW -5"),
        ("standard_amount", "  KRW 1e3 "),
        ("defector.livelihood_abroad", "3 years"),
        ("defector.livelihood_abroad", "1 year"),
        ("defector.livelihood_abroad", "1 year 6 months"),
        ("defector.livelihood_abroad", "2 weeks"),
        ("defector.livelihood_abroad", "30 days"),
        ("defector.livelihood_abroad", "10 Years"),
    ] {
        let mut built = policy.case();
        built.set(path, text).unwrap();
        let mut nested = serde_json::json!(text);
        for part in path.rsplit('.') {
            nested = serde_json::json!({ part: nested });
        }
        let file = policy
            .case_from_json(&serde_json::json!({ "facts": nested }))
            .unwrap();
        assert_eq!(built.get(path), file.get(path), "{path} = {text}");
    }
}

#[test]
fn building_a_case_reports_typed_errors() {
    let policy = Policy::builtin().unwrap();
    let mut case = policy.case();
    assert_eq!(
        case.set("defector.nk_tie", true).unwrap_err(),
        CaseError::UnknownFact {
            path: "defector.nk_tie".into(),
            suggestion: Some("defector.nk_ties".into())
        }
    );
    assert!(matches!(
        case.set("defector.nk_ties", "yes").unwrap_err(),
        CaseError::WrongType { expected, found, .. } if expected == "bool" && found == "\"yes\""
    ));
    match case
        .set("defector.application", "overseas_missions")
        .unwrap_err()
    {
        CaseError::UnknownVariant {
            value, variants, ..
        } => {
            assert_eq!(value, "overseas_missions");
            assert!(variants.iter().any(|v| v == "overseas_mission"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        case.set("standard_amount", "36000000").unwrap_err(),
        CaseError::BadValue { message, .. } if message.contains("currency")
    ));
    assert!(matches!(
        case.as_of("2003-02-30").unwrap_err(),
        CaseError::BadValue { .. }
    ));
    assert!(matches!(
        case.ask("rok_protections").unwrap_err(),
        CaseError::UnknownVerdict { suggestion: Some(s), .. } if s == "rok_protection"
    ));
    assert!(matches!(
        case.exercise("rok_inclusion", true).unwrap_err(),
        CaseError::UnknownDiscretion { .. }
    ));
    // A case file's errors are the CLI's diagnostics.
    let Err(CaseError::File(file)) = policy.parse_case("{\"facts\": {\"x\": 1}}", CaseFormat::Json)
    else {
        panic!("the case loads");
    };
    assert_eq!(
        file.diagnostics()[0].code(),
        Some("refuge::case::unknown_fact")
    );
    assert!(file.render().contains("unknown fact `x`"));
}

#[test]
fn facts_and_verdicts_describe_the_schema() {
    let policy = Policy::builtin().unwrap();
    let fact = policy.fact("defector.application").unwrap();
    assert_eq!(fact.kind(), Kind::Enum);
    assert_eq!(fact.type_name(), "RokApplication");
    assert!(fact.variants().iter().any(|v| v == "overseas_mission"));
    assert!(policy.facts().iter().any(|f| f.is_setting()));
    let verdict = policy.verdict("rok_covered").unwrap();
    assert_eq!(verdict.kind(), Kind::Bool);
    assert_eq!(policy.verdicts().len(), 79);
    assert_eq!(
        policy.case_schema()["$id"].as_str().unwrap().len(),
        "https://refuge.invalid/schema/case/".len() + 16
    );
}

#[test]
fn policies_with_errors_give_the_checkers_diagnostics() {
    let bad =
        std::fs::read_to_string(root().join("tests/fixtures/check/02_misspelled_keyword.policy"))
            .unwrap();
    let err = Policy::from_sources([("bad.policy", bad)]).unwrap_err();
    assert_eq!(err.error_count(), 1);
    assert_eq!(err.diagnostics()[0].code(), Some("refuge::parse::syntax"));
    assert!(err.render().contains("defualt"));
    let err = Policy::from_path("/nonexistent/policies").unwrap_err();
    assert!(err.to_string().contains("/nonexistent/policies"), "{err}");
}

#[test]
fn a_slice_of_cases_evaluates_in_order() {
    let policy = Policy::builtin().unwrap();
    let cases: Vec<_> = ["overseas_mission", "other_admin_agency"]
        .iter()
        .map(|a| {
            let mut c = policy.case();
            c.set("defector.application", *a)
                .unwrap()
                .as_of("2003-01-15")
                .unwrap();
            c
        })
        .collect();
    let results = policy.evaluate_all(&cases);
    let routes: Vec<String> = results
        .iter()
        .map(|r| {
            r.as_ref()
                .unwrap()
                .get("rok_application_route")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(routes, ["art7_overseas_mission", "art7_other_agency"]);
    // A case without a date is an evaluation error with the CLI's code.
    let err = policy.evaluate(&policy.case()).unwrap_err();
    assert_eq!(err.diagnostics()[0].code(), Some("refuge::eval::no_date"));
}

/// The public items of the stable API, one per line: a change to the
/// surface changes this snapshot, and so is a reviewed diff.
#[test]
fn the_public_surface_is_the_reviewed_one() {
    let mut surface = String::new();
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    // The stable items, then the hidden ones (reachable, unstable, but
    // what the binary, the playground and the tests build on) with the
    // feature each needs.
    let mut stable = String::new();
    let mut internal = String::new();
    let mut hidden = false;
    let mut cfg: Option<String> = None;
    let mut lines = lib.lines();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t == "#[doc(hidden)]" {
            hidden = true;
            continue;
        }
        if t.starts_with("#[cfg(") {
            cfg = Some(t.trim_start_matches("#[").trim_end_matches(']').to_string());
            continue;
        }
        if t.starts_with("#[") {
            // An attribute over several lines: to its end.
            if !t.ends_with(']') {
                for next in lines.by_ref() {
                    if next.trim().ends_with(")]") {
                        break;
                    }
                }
            }
            continue;
        }
        if t.starts_with("pub ") {
            let out = if hidden { &mut internal } else { &mut stable };
            out.push_str(t);
            if let Some(c) = cfg.take() {
                out.push_str(&format!("  // {c}"));
            }
            out.push('\n');
        }
        hidden = false;
        cfg = None;
    }
    surface.push_str("# src/lib.rs (not #[doc(hidden)])\n");
    surface.push_str(&stable);
    surface.push_str("# src/lib.rs #[doc(hidden)]: internal, no stability promised\n");
    surface.push_str(&internal);
    let mut files: Vec<_> = std::fs::read_dir(root().join("src/api"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        surface.push_str(&format!(
            "# src/api/{}\n",
            path.file_name().unwrap().to_string_lossy()
        ));
        surface.push_str(&public_items(&std::fs::read_to_string(&path).unwrap()));
    }
    insta::assert_snapshot!(surface);
}

/// `pub` items (not `pub(crate)`), signatures joined onto one line, each
/// under the `impl` it belongs to; an enum's variants under it.
fn public_items(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    // Inside a public enum (list its variants) or a private item (skip it).
    let mut in_enum = false;
    let mut skipping = false;
    let mut derive: Option<String> = None;
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if line == "}" {
            in_enum = false;
            skipping = false;
            continue;
        }
        if skipping {
            continue;
        }
        if !line.starts_with(' ')
            && (t.starts_with("pub(crate) ")
                || t.starts_with("struct ")
                || t.starts_with("enum ")
                || t.starts_with("fn "))
        {
            skipping = !t.ends_with(';') && !t.ends_with('}');
            continue;
        }
        if in_enum {
            let variant = line
                .strip_prefix("    ")
                .filter(|v| v.starts_with(char::is_uppercase));
            if let Some(v) = variant {
                let name: String = v
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push_str(&format!("    variant {name}\n"));
            }
            continue;
        }
        if t == "name_type!(" {
            // A newtype made by the `name_type!` macro: its name.
            for next in lines.by_ref() {
                let n = next.trim();
                if !n.starts_with("///") {
                    out.push_str(&format!("name_type! {}\n", n.trim_end_matches(',')));
                    break;
                }
            }
            continue;
        }
        if t.starts_with("#[derive(") && !line.starts_with(' ') {
            derive = Some(t.to_string());
            continue;
        }
        if !(t.starts_with("pub ") || t.starts_with("impl")) {
            if !t.starts_with("#[") && !t.starts_with("///") {
                derive = None;
            }
            continue;
        }
        let is_fn = t.starts_with("pub fn") || t.starts_with("impl");
        let mut sig = t.to_string();
        let done = |s: &str| {
            s.ends_with('{') || s.ends_with(';') || s.ends_with('}') || (!is_fn && s.ends_with(','))
        };
        while !done(&sig) {
            match lines.next() {
                Some(next) => {
                    if !sig.ends_with('(') {
                        sig.push(' ');
                    }
                    sig.push_str(next.trim());
                }
                None => break,
            }
        }
        let sig = sig
            .trim_end_matches('{')
            .trim_end_matches(';')
            .trim()
            .replace(", )", ")");
        if t.starts_with("pub enum") {
            in_enum = true;
        }
        let indent = if line.starts_with("    ") { "    " } else { "" };
        // The derived traits of a type are part of its surface.
        let derived = match derive.take() {
            Some(d) if t.starts_with("pub struct") || t.starts_with("pub enum") => format!("  {d}"),
            _ => String::new(),
        };
        out.push_str(&format!("{indent}{sig}{derived}\n"));
    }
    out
}

#[test]
fn an_evaluation_error_points_into_the_file_of_the_rules_involved() {
    // The conflicting rules are in the second file of the policy set: the
    // rendered error shows that file's lines, not the first file's.
    let policy = Policy::from_sources([
        (
            "law.policy",
            "source act : statute \"Act\"\nfact applied : bool\nfact criminal : bool\n",
        ),
        (
            "protection.policy",
            "use law\nenum Protection { protected, not_protected }\n\
             verdict protection : Protection {\n\
             \x20 default not_protected cite act \"Art. 8\" provenance reading\n\
             \x20 rule granted = protected when applied cite act \"Art. 7\" provenance text\n\
             \x20 rule refused = not_protected when criminal cite act \"Art. 9\" provenance text\n\
             }\n",
        ),
    ])
    .unwrap();
    let mut case = policy.case();
    case.as_of("2020-01-01").unwrap();
    case.set("applied", serde_json::json!(true)).unwrap();
    case.set("criminal", serde_json::json!(true)).unwrap();
    let Err(error) = policy.evaluate(&case) else {
        panic!("two rules of equal standing disagree: a conflict");
    };
    let shown = error.render();
    assert!(shown.contains("protection.policy:5"), "{shown}");
    assert!(shown.contains("rule granted = protected"), "{shown}");
    assert!(shown.contains("rule refused = not_protected"), "{shown}");
}

#[test]
fn an_arithmetic_error_points_at_the_expression_that_failed() {
    let policy = Policy::from_sources([(
        "share.policy",
        "source act : statute \"Act\"\nfact income : integer\nfact members : integer\n\
         verdict share : decimal {\n\
         \x20 default income / members cite act \"Art. 1\" provenance reading\n\
         }\n",
    )])
    .unwrap();
    let mut case = policy.case();
    case.as_of("2020-01-01").unwrap();
    case.set("income", serde_json::json!(100)).unwrap();
    case.set("members", serde_json::json!(0)).unwrap();
    let Err(error) = policy.evaluate(&case) else {
        panic!("a division by zero is an evaluation error");
    };
    let shown = error.render();
    assert!(shown.contains("division by zero"), "{shown}");
    assert!(shown.contains("share.policy:5"), "{shown}");
    assert!(shown.contains("default income / members"), "{shown}");
}
