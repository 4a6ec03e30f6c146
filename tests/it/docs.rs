//! The examples of `docs/language.md` compile and their tests pass.
//!
//! The plain ```` ```refuge ```` blocks, concatenated in order, form one
//! policy; each ```` ```refuge,fragment ```` block is a policy on its own.
//! Warnings are allowed (a guide declares facts it does not use); errors are
//! not, and every `test` block in the examples must pass.

use refuge::compile::{render_all, ErrorFormat};
use refuge::testing::run_policy_tests;
use refuge::SourceMap;

const LANGUAGE_GUIDE: &str = include_str!("../../docs/language.md");

/// One policy taken from the guide: where it starts and its text.
struct Example {
    /// "the plain blocks" or "the fragment at line N".
    name: String,
    text: String,
}

/// The guide's policies: the plain blocks joined, then each fragment.
fn examples(markdown: &str) -> Vec<Example> {
    let mut plain = String::new();
    let mut fragments = Vec::new();
    let mut open: Option<(bool, usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        match &mut open {
            None => {
                let Some(info) = trimmed.strip_prefix("```") else {
                    continue;
                };
                match info.trim() {
                    "refuge" => open = Some((false, index + 1, String::new())),
                    "refuge,fragment" => open = Some((true, index + 1, String::new())),
                    _ => {}
                }
            }
            Some(_) if trimmed == "```" => {
                let Some((fragment, line_no, text)) = open.take() else {
                    continue;
                };
                if fragment {
                    fragments.push(Example {
                        name: format!("the fragment at docs/language.md:{line_no}"),
                        text,
                    });
                } else {
                    plain.push_str(&text);
                    plain.push('\n');
                }
            }
            Some((_, _, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    let mut all = vec![Example {
        name: "the plain ```refuge blocks".to_owned(),
        text: plain,
    }];
    all.extend(fragments);
    all
}

fn sources(example: &Example) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add("language.policy", example.text.as_str());
    sources
}

#[test]
fn the_guide_has_examples() {
    let examples = examples(LANGUAGE_GUIDE);
    // Every fenced block the guide opens as refuge code is picked up: the
    // plain blocks as one policy, each fragment on its own.
    let opened = |info: &str| {
        LANGUAGE_GUIDE
            .lines()
            .filter(|line| line.trim().strip_prefix("```").map(str::trim) == Some(info))
            .count()
    };
    let fragments = opened("refuge,fragment");
    assert!(opened("refuge") > 0, "the guide has no ```refuge block");
    assert!(fragments > 0, "the guide has no ```refuge,fragment block");
    assert_eq!(
        examples.len(),
        fragments + 1,
        "the extractor missed a block: {} examples for {fragments} fragments and one policy",
        examples.len()
    );
    assert!(
        examples.iter().all(|e| !e.text.trim().is_empty()),
        "an empty ```refuge block"
    );
}

/// Examples that are wrong because of the guide, not the compiler (reported,
/// to be fixed in docs/language.md): the first line of the block, and why.
/// Each must still fail to compile, so that fixing the guide means deleting
/// its entry here.
const KNOWN_WRONG: &[(&str, &str)] = &[(
    "use states.treaties",
    "the fragment `use`s modules of the built-in policies, which a fragment checked on its own cannot see",
)];

fn known_wrong(example: &Example) -> Option<&'static str> {
    let first = example.text.lines().next()?.trim();
    KNOWN_WRONG
        .iter()
        .find(|(line, _)| *line == first)
        .map(|(_, why)| *why)
}

#[test]
fn every_example_in_the_guide_compiles() {
    let mut failures = Vec::new();
    for example in examples(LANGUAGE_GUIDE) {
        let sources = sources(&example);
        let result = refuge::compile(&sources);
        match (result, known_wrong(&example)) {
            (Err(d), None) => {
                let rendered = render_all(&sources, &d.parse, &d.check, &[], ErrorFormat::Plain);
                failures.push(format!("{}:\n{}\n{rendered}", example.name, example.text));
            }
            (Ok(_), Some(why)) => failures.push(format!(
                "{} compiles now: remove it from KNOWN_WRONG (it was: {why})",
                example.name
            )),
            (Ok(_), None) | (Err(_), Some(_)) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) do not compile:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_test_in_the_guide_passes() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for example in examples(LANGUAGE_GUIDE) {
        let Ok(compiled) = refuge::compile(&sources(&example)) else {
            continue; // reported by `every_example_in_the_guide_compiles`
        };
        for outcome in run_policy_tests(&compiled.program) {
            ran += 1;
            if !outcome.passed() {
                failures.push(format!(
                    "{}, test {:?}: {}",
                    example.name,
                    outcome.name,
                    outcome.failures.join("; ")
                ));
            }
        }
    }
    assert!(ran > 0, "the guide's examples hold no `test` block to run");
    assert!(
        failures.is_empty(),
        "{} test(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fragments_and_plain_blocks_are_told_apart() {
    let markdown = "intro\n```refuge\nfact a : bool\n```\n```refuge,fragment\nfact b : bool\n```\n```refuge\nfact c : bool\n```\n```text\nnot policy\n```\n";
    let found = examples(markdown);
    let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        ["fact a : bool\n\nfact c : bool\n\n", "fact b : bool\n"]
    );
}

#[test]
fn every_diagnostic_code_is_in_the_error_index() {
    let index = include_str!("../../docs/errors.md");
    let sources = [
        include_str!("../../src/syntax/error.rs"),
        include_str!("../../src/check/error.rs"),
        include_str!("../../src/case/error.rs"),
        include_str!("../../src/eval/error.rs"),
        include_str!("../../src/source.rs"),
    ];
    let missing: Vec<String> = sources
        .iter()
        .flat_map(|text| crate::check::declared_codes(text))
        .filter(|code| {
            !index.contains(&format!("### `{code}`")) && !index.contains(&format!("| `{code}` |"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/errors.md does not explain: {}",
        missing.join(", ")
    );
}
