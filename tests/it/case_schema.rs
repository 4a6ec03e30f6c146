//! `refuge schema case` describes exactly the case files the loader takes:
//! every case of `examples/` and `tests/cases/` (JSON, YAML and TOML) is
//! valid against the schema generated from the built-in policies, checked by
//! an independent validator (the `jsonschema` crate); and a file the loader
//! rejects for a wrong key, type or enum value is invalid too (negative
//! controls, each checked against the loader as well).

use crate::common::{refuge, stdout};
use refuge::case::{load_case, CaseFormat};
use refuge::{compile, SourceMap};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema as `refuge schema case` prints it.
fn printed_case_schema(extra: &[&str]) -> Json {
    let mut args = vec!["schema", "case"];
    args.extend_from_slice(extra);
    let out = refuge(&args);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("the schema is JSON")
}

fn validator(schema: &Json) -> jsonschema::Validator {
    jsonschema::draft202012::new(schema).expect("a valid JSON Schema 2020-12")
}

fn case_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/cases"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
            let path = entry.path();
            if CaseFormat::from_path(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A case file's tree, read as the loader reads it (a TOML date is its text).
fn as_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap();
    match CaseFormat::from_path(path).unwrap() {
        CaseFormat::Json => serde_json::from_str(&text).unwrap(),
        CaseFormat::Yaml => {
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
            serde_json::to_value(yaml).unwrap()
        }
        CaseFormat::Toml => toml_json(toml::from_str::<toml::Value>(&text).unwrap()),
    }
}

fn toml_json(value: toml::Value) -> Json {
    match value {
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(toml_json).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, toml_json(v))).collect())
        }
        other => serde_json::to_value(other).unwrap(),
    }
}

#[test]
fn every_example_and_corpus_case_is_valid_against_the_generated_schema() {
    let schema = printed_case_schema(&[]);
    let validator = validator(&schema);
    let files = case_files();
    let formats: std::collections::HashSet<_> = files
        .iter()
        .map(|p| CaseFormat::from_path(p).unwrap())
        .collect();
    assert!(files.len() > 150, "only {} case files", files.len());
    assert_eq!(formats.len(), 3, "JSON, YAML and TOML are all checked");
    let mut failures = Vec::new();
    for path in &files {
        let doc = as_json(path);
        for error in validator.iter_errors(&doc) {
            failures.push(format!(
                "{}: {error} at {}",
                path.display(),
                error.instance_path()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_names_every_fact_setting_discretion_and_verdict_of_the_policies() {
    let schema = printed_case_schema(&[]);
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let props = &schema["properties"];
    for root in &program.fact_roots {
        let under_facts = props["facts"]["properties"].get(&root.name).is_some();
        let under_settings = props["settings"]["properties"].get(&root.name).is_some();
        assert!(
            under_facts != under_settings,
            "`{}` is in exactly one section",
            root.name
        );
    }
    // A setting carries the policy's default.
    let setting = &props["settings"]["properties"]["option_prima_facie_recognition"];
    assert_eq!(setting["anyOf"][0]["default"], json!(true));
    for rule in program.rules.iter().filter(|r| r.may.is_some()) {
        assert!(
            props["discretions"]["properties"].get(&rule.name).is_some(),
            "{}",
            rule.name
        );
    }
    for def in program.verdicts().map(|d| &program.definitions[d.index()]) {
        assert!(
            props["expect"]["properties"].get(&def.name).is_some(),
            "{}",
            def.name
        );
    }
    // Enum variants carry their labels.
    let application = &schema["$defs"]["enum.RokApplication"]["oneOf"];
    assert!(
        application
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["const"] == "overseas_mission"
                && v["title"].as_str().is_some_and(|t| !t.is_empty())),
        "{application}"
    );
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$id"].as_str().unwrap().ends_with(&program.digest));
}

/// Mutations of `examples/defector.json` that the loader rejects: each must
/// be invalid against the schema as well.
#[test]
fn what_the_loader_rejects_the_schema_rejects() {
    let schema = printed_case_schema(&[]);
    let validator = validator(&schema);
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let base = as_json(&root().join("examples/defector.json"));
    assert!(validator.is_valid(&base));
    type Mutation = (&'static str, fn(&mut Json));
    let mutations: [Mutation; 12] = [
        ("an unknown top-level key", |c| c["fact"] = json!({})),
        ("an unknown fact", |c| c["facts"]["nk_tie"] = json!(true)),
        ("an unknown record field", |c| {
            c["facts"]["defector"]["nk_tie"] = json!(true)
        }),
        ("an enum value that is no variant", |c| {
            c["facts"]["defector"]["application"] = json!("overseas_missions")
        }),
        ("a string for a bool", |c| {
            c["facts"]["defector"]["nk_ties"] = json!("yes")
        }),
        ("money without a currency", |c| {
            c["facts"]["standard_amount"] = json!("36000000")
        }),
        ("money as a number", |c| {
            c["facts"]["standard_amount"] = json!(36000000)
        }),
        ("a date in another layout", |c| {
            c["as_of"] = json!("15/01/2003")
        }),
        ("a duration without a unit", |c| {
            c["facts"]["defector"]["livelihood_abroad"] = json!("3")
        }),
        ("a set with a stranger", |c| {
            c["facts"]["defector"]["crimes"] = json!(["no_such_crime"])
        }),
        ("an unknown discretion", |c| {
            c["discretions"]["no_such_rule"] = json!(true)
        }),
        ("an unknown verdict asked for", |c| {
            c["verdicts"] = json!(["rok_protections"])
        }),
    ];
    for (what, mutate) in mutations {
        let mut case = base.clone();
        mutate(&mut case);
        let loaded = load_case(&program, "c", &case.to_string(), CaseFormat::Json);
        assert!(loaded.is_err(), "the loader takes {what}");
        assert!(!validator.is_valid(&case), "the schema takes {what}");
    }
    // And what the loader takes the schema takes: nulls, a setting override,
    // a decimal as a string, an expectation of undetermined.
    let mut case = base.clone();
    case["facts"]["defector"]["nk_ties"] = Json::Null;
    case["settings"] = json!({ "option_prima_facie_recognition": false });
    case["expect"]["rok_protection"] = json!("undetermined");
    case["discretions"] = Json::Null;
    assert!(load_case(&program, "c", &case.to_string(), CaseFormat::Json).is_ok());
    let errors: Vec<String> = validator
        .iter_errors(&case)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_case_schema_follows_the_policy_given() {
    let dir = "tests/fixtures/amendments/subsidy_2002/new";
    let schema = printed_case_schema(&["--policy", dir]);
    let program = compile(&SourceMap::from_path(&root().join(dir)).unwrap())
        .unwrap()
        .program;
    let facts = schema["properties"]["facts"]["properties"]
        .as_object()
        .unwrap();
    let settings = schema["properties"]["settings"]["properties"]
        .as_object()
        .unwrap();
    assert_eq!(facts.len() + settings.len(), program.fact_roots.len());
    assert!(schema["$id"].as_str().unwrap().ends_with(&program.digest));
}

#[test]
fn the_evaluation_schema_printed_is_the_published_one() {
    let out = refuge(&["schema", "evaluation"]);
    assert!(out.status.success());
    let printed: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let published: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/evaluation.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, published);
    assert_eq!(printed["title"], "refuge.evaluation/2");
}
