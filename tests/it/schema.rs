//! The published JSON Schema of the evaluation (docs/evaluation.schema.json)
//! holds for every evaluation of the corpus, checked by an independent
//! validator.

use refuge::case::{load_case, CaseFormat};
use refuge::{compile, Engine, Options, SourceMap};
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/evaluation.schema.json")).unwrap();
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
        verdicts: program
            .verdicts()
            .map(|d| program.definitions[d.index()].name.clone())
            .collect(),
    };
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
    doc["verdicts"][0]["outcome"]["status"] = "undetermined".into();
    assert!(!validator.is_valid(&doc));
}
