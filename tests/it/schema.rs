//! The published JSON Schemas of the evaluation (docs/evaluation.schema.json)
//! and of the program manifest (docs/program.schema.json) hold for every
//! evaluation of the corpus and for the built-in program, checked by an
//! independent validator; and every id an evaluation uses is in its manifest.

use refuge::case::{load_case, CaseFormat};
use refuge::{compile, Engine, Options, SourceMap};
use std::path::Path;

fn validator() -> jsonschema::Validator {
    schema("docs/evaluation.schema.json")
}

fn schema(path: &str) -> jsonschema::Validator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(path)).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema is valid JSON Schema 2020-12")
}

#[test]
fn every_corpus_evaluation_matches_the_published_schema() {
    let validator = validator();
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let engine = Engine::new(&program);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let all = Options {
        as_of: None,
        verdicts: program.verdicts().collect(),
    };
    let manifest: serde_json::Value = serde_json::from_str(&program.manifest_json()).unwrap();
    let count = |table: &str| manifest[table].as_array().map_or(0, Vec::len);
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in ["examples", "tests/cases"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| CaseFormat::from_path(p).is_some())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut case =
                load_case(&program, "c", &text, CaseFormat::from_path(&path).unwrap()).unwrap();
            case.as_of = case.as_of.or(Some(jiff::civil::date(2024, 1, 1)));
            for options in [&Options::default(), &all] {
                let Ok(evaluation) = engine.evaluate(&case, options) else {
                    continue;
                };
                let doc: serde_json::Value = serde_json::from_str(&evaluation.to_json()).unwrap();
                checked += 1;
                for (table, id) in ids(&doc) {
                    if id >= count(table) {
                        failures.push(format!(
                            "{}: {table} id {id} is not in the manifest",
                            path.display()
                        ));
                    }
                }
                for error in validator.iter_errors(&doc) {
                    failures.push(format!(
                        "{}: {} at {}",
                        path.display(),
                        error,
                        error.instance_path()
                    ));
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} evaluations checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_rejects_what_the_contract_rules_out() {
    // The control: an outcome that is both undetermined and decided by rules.
    let validator = validator();
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/defector.json"),
    )
    .unwrap();
    let case = load_case(&program, "c", &text, CaseFormat::Json).unwrap();
    let evaluation = Engine::new(&program)
        .evaluate(&case, &Options::default())
        .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&evaluation.to_json()).unwrap();
    assert!(validator.is_valid(&doc));
    doc["verdicts"]["rok_covered"]["outcome"]["status"] = "undetermined".into();
    assert!(!validator.is_valid(&doc));
}

/// Every manifest id an evaluation uses, with the manifest table it indexes.
fn ids(doc: &serde_json::Value) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    let id = |v: &serde_json::Value| v.as_u64().map(|i| i as usize);
    let push_all = |table, list: &serde_json::Value, out: &mut Vec<_>| {
        for v in list.as_array().into_iter().flatten() {
            if let Some(i) = id(v) {
                out.push((table, i));
            }
        }
    };
    for v in doc["verdicts"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        push_all("rules", &v["outcome"]["rules"], &mut out);
        push_all("citations", &v["rests_on"], &mut out);
        push_all("rules", &v["considered"], &mut out);
        for a in v["applied"].as_array().into_iter().flatten() {
            match (id(a), id(&a["default"]), id(&a["row"])) {
                (Some(r), _, _) => out.push(("rules", r)),
                (_, Some(d), _) => out.push(("definitions", d)),
                (_, _, Some(t)) => out.push(("tables", t)),
                _ => {}
            }
        }
        for d in v["discretions"].as_array().into_iter().flatten() {
            out.extend(id(&d["rule"]).map(|r| ("rules", r)));
        }
    }
    for n in doc["nodes"].as_array().into_iter().flatten() {
        out.extend(id(&n["definition"]).map(|d| ("definitions", d)));
        for r in n["rules"].as_array().into_iter().flatten() {
            out.extend(id(&r["rule"]).map(|i| ("rules", i)));
        }
    }
    for m in doc["missing"].as_array().into_iter().flatten() {
        for w in m["waiting"].as_array().into_iter().flatten() {
            match (id(w), id(&w["default"])) {
                (Some(r), _) => out.push(("rules", r)),
                (_, Some(d)) => out.push(("definitions", d)),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn the_program_manifest_matches_its_published_schema() {
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let manifest: serde_json::Value = serde_json::from_str(&program.manifest_json()).unwrap();
    let validator = schema("docs/program.schema.json");
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // One entry per rule and definition, in id order, and every citation the
    // program writes has an id.
    assert_eq!(
        manifest["rules"].as_array().unwrap().len(),
        program.rules.len()
    );
    assert_eq!(
        manifest["definitions"][0]["name"],
        program.definitions[0].name.as_str()
    );
    for rule in &program.rules {
        for cite in &rule.meta.cites {
            assert!(program.citation_id(cite).is_some(), "{}", rule.name);
        }
    }
}
