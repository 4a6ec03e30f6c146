//! Batches as an embedding tool runs them: `refuge eval CASES.jsonl` and
//! `refuge eval DIR`, evaluated on every core, must write one line per case
//! in input order, with the values a single evaluation gives, bad lines
//! reported in their place, and the three `--output` levels.

use super::common::{refuge, stdout};
use refuge::case::{load_case, CaseFormat};
use refuge::{compile, Engine, Options, SourceMap};
use std::path::Path;

/// Every JSON case of the corpus, compact, without its expectations.
fn corpus_lines() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = ["examples", "tests/cases"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root.join(d))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let mut case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            case.as_object_mut().unwrap().remove("expect");
            case.to_string()
        })
        .collect()
}

/// Writes `lines` to a fresh JSONL file; returns its path.
fn jsonl(name: &str, lines: &[String]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refuge-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn a_batch_keeps_input_order_and_gives_what_one_evaluation_gives() {
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let engine = Engine::new(&program);
    // Enough lines for many parallel tasks, with a bad line in the middle.
    let mut lines = corpus_lines();
    lines.extend(corpus_lines());
    lines.insert(150, "{\"facts\": {\"nope\": 1}}".into());
    let path = jsonl("order.jsonl", &lines);
    let out = refuge(&["eval", path.to_str().unwrap(), "--output", "values"]);
    let text = stdout(&out);
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got.len(), lines.len(), "one output line per input line");
    for (i, (line, input)) in got.iter().zip(&lines).enumerate() {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        match load_case(&program, "case", input, CaseFormat::Json) {
            Err(_) => {
                assert_eq!(json["line"], i + 1, "the bad line is reported in its place");
                assert!(json["error"][0].as_str().unwrap().contains("nope"));
            }
            Ok(case) => {
                let options = Options::default();
                let Ok(evaluation) = engine.evaluate(&case, &options) else {
                    assert!(json["error"].is_array(), "line {}: {line}", i + 1);
                    continue;
                };
                let map = json.as_object().unwrap();
                assert_eq!(map.len(), evaluation.verdict_ids().len(), "line {}", i + 1);
                for &def in evaluation.verdict_ids() {
                    let name = &program.definitions[def.index()].name;
                    let expected = evaluation
                        .value(def)
                        .map_or(serde_json::Value::Null, |v| v.to_json(&program));
                    assert_eq!(map[name], expected, "line {}, `{name}`", i + 1);
                }
            }
        }
    }
    assert_eq!(
        out.status.code(),
        Some(4),
        "a bad line makes the batch exit 4"
    );
}

#[test]
fn the_verdicts_output_gives_outcome_decisive_facts_and_the_law_applied() {
    let line = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/defector.json"),
    )
    .unwrap();
    let compact: serde_json::Value = serde_json::from_str(&line).unwrap();
    let path = jsonl("verdicts.jsonl", &[compact.to_string()]);
    let out = refuge(&["eval", path.to_str().unwrap(), "--output", "verdicts"]);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let verdicts = json["verdicts"].as_object().unwrap();
    assert_eq!(verdicts.len(), 9, "the case asks for nine verdicts");
    // Keyed by name, in the order the case asks for them.
    let text = stdout(&out);
    let at: Vec<usize> = compact["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| text.find(&format!("{name}:")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    let protection = &verdicts["rok_protection"];
    assert_eq!(protection["outcome"]["value"], "eligible");
    assert_eq!(
        protection["decisive_facts"]["defector"]["nk_ties"], true,
        "the decisive facts are written as a case file writes them"
    );
    assert!(!protection["rests_on"].as_array().unwrap().is_empty());
    assert!(protection.get("nodes").is_none() && json.get("nodes").is_none());
}

#[test]
fn a_directory_is_evaluated_file_by_file_in_path_order() {
    let out = refuge(&["eval", "examples", "--output", "values"]);
    let text = stdout(&out);
    let files: Vec<String> = text
        .lines()
        .map(|l| {
            let json: serde_json::Value = serde_json::from_str(l).unwrap();
            json["file"].as_str().unwrap().to_string()
        })
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.iter().any(|f| f.ends_with("defector.json")));
    assert!(files.iter().any(|f| f.ends_with(".yaml")), "YAML cases too");
}

#[test]
fn a_line_longer_than_a_read_block_is_evaluated_and_one_past_the_limit_is_reported_in_its_place() {
    let corpus = corpus_lines();
    let first = corpus.first().unwrap().clone();
    // 3 MiB: longer than the 1 MiB blocks the input is read in, within the
    // 8 MiB a case may have.
    let mut case: serde_json::Value = serde_json::from_str(&first).unwrap();
    case["description"] = "a".repeat(3 << 20).into();
    let long = case.to_string();
    // 9 MiB: past the limit.
    let too_long = format!("{{\"description\": \"{}\"}}", "b".repeat(9 << 20));
    let lines = vec![long, first.clone(), too_long, first];
    let path = jsonl("long.jsonl", &lines);
    let out = refuge(&["eval", path.to_str().unwrap(), "--output", "values"]);
    let text = stdout(&out);
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got.len(), 4, "one output line per input line: {text:.400}");
    assert_eq!(got[0], got[1], "the long line is the same case, evaluated");
    assert_eq!(got[1], got[3]);
    let error: serde_json::Value = serde_json::from_str(got[2]).unwrap();
    assert_eq!(error["line"], 3);
    let message = error["error"][0].as_str().unwrap();
    assert!(message.contains("longer than 8388608 bytes"), "{message}");
    assert_eq!(
        out.status.code(),
        Some(4),
        "a bad line is bad input (exit 4)"
    );
}

#[test]
fn a_verdict_asked_twice_is_answered_once_under_its_name_at_every_level() {
    // The batch's fast loader, the spanned loader of a case file and
    // `--verdict` all keep a name's first mention.
    let asked = r#"["rok_covered", "rok_protection", "rok_covered"]"#;
    let plain =
        format!(r#"{{"as_of": "2003-01-15", "verdicts": {asked}, "facts": {{"defector": {{}}}}}}"#);
    let path = jsonl("twice.jsonl", &[plain]);
    for level in ["values", "verdicts", "full"] {
        let out = refuge(&["eval", path.to_str().unwrap(), "--output", level]);
        let text = stdout(&out);
        let json: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        let verdicts = if level == "values" {
            &json
        } else {
            &json["verdicts"]
        };
        assert_eq!(verdicts.as_object().unwrap().len(), 2, "{level}: {text}");
        assert_eq!(
            text.matches("\"rok_covered\":").count(),
            1,
            "{level}: {text}"
        );
        let (covered, protection) = (
            text.find("\"rok_covered\":").unwrap(),
            text.find("\"rok_protection\":").unwrap(),
        );
        assert!(covered < protection, "{level}: in the order asked: {text}");
    }
    // A single case file goes through the spanned loader.
    let file = std::env::temp_dir().join(format!("refuge-twice-{}.json", std::process::id()));
    std::fs::write(
        &file,
        format!(r#"{{"as_of": "2003-01-15", "verdicts": {asked}, "facts": {{}}}}"#),
    )
    .unwrap();
    let out = refuge(&["eval", file.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["verdicts"].as_object().unwrap().len(), 2);
    let flags = [
        "eval",
        file.to_str().unwrap(),
        "--format",
        "json",
        "--verdict",
        "rok_protection",
        "--verdict",
        "rok_protection",
    ];
    let json: serde_json::Value = serde_json::from_str(&stdout(&refuge(&flags))).unwrap();
    let names: Vec<&String> = json["verdicts"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["rok_protection"]);
    std::fs::remove_file(file).ok();
}
