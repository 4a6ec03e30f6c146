//! Explanations are replayable derivations: for every decided verdict of every
//! case in the corpus, a case made of only the verdict's decisive facts (with
//! the same date, settings and discretions) gives the same outcome; and the
//! law a verdict rests on is the law that decided it.

use refuge::case::{load_case, CaseFormat};
use refuge::{compile, Engine, Options, Program, SourceMap};
use std::path::{Path, PathBuf};

pub(crate) fn program() -> Program {
    compile(&SourceMap::builtin())
        .map(|c| c.program)
        .unwrap_or_else(|_| panic!("the built-in policies check"))
}

pub(crate) fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests/cases"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            if CaseFormat::from_path(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Replays every decided verdict of one case from its decisive facts;
/// returns the mismatches as lines.
fn replay_all(
    program: &Program,
    name: &str,
    case: &refuge::case::Case,
    all: bool,
    blank: bool,
) -> (usize, Vec<String>) {
    let engine = Engine::new(program);
    let options = Options {
        as_of: case.as_of.is_none().then(|| jiff::civil::date(2024, 1, 1)),
        verdicts: if all {
            program.verdicts().collect()
        } else {
            Vec::new()
        },
    };
    let Ok(evaluation) = engine.evaluate(case, &options) else {
        return (0, Vec::new());
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for &def in evaluation.verdict_ids() {
        let Some(expected) = evaluation.value(def) else {
            continue;
        };
        checked += 1;
        let mut replay = evaluation.replay_case(def);
        if blank {
            replay["facts"] = serde_json::json!({});
        }
        let text = replay.to_string();
        let verdict = &program.definitions[def.index()].name;
        let replayed = match load_case(program, "replay", &text, CaseFormat::Json) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!(
                    "{name}: {verdict}: replay case does not load: {e:?}\n{text}"
                ));
                continue;
            }
        };
        let got = engine.value_of(&replayed, def, replayed.as_of.unwrap_or_default());
        match got {
            Ok(Some(v)) if v == *expected => {}
            other => failures.push(format!(
                "{name}: {verdict}: expected {}, replay gives {:?}\n  from {text}",
                expected.display(program),
                other.map(|o| o.map(|v| v.display(program)))
            )),
        }
    }
    (checked, failures)
}

#[test]
fn every_decided_verdict_of_the_corpus_replays_from_its_decisive_facts() {
    let program = program();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut control = 0;
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = CaseFormat::from_path(&path).unwrap();
        let name = path.display().to_string();
        let case = load_case(&program, &name, &text, format).unwrap();
        for all in [false, true] {
            let (n, f) = replay_all(&program, &name, &case, all, false);
            checked += n;
            failures.extend(f);
            // The control: without the decisive facts, outcomes do change.
            control += replay_all(&program, &name, &case, all, true).1.len();
        }
    }
    assert!(checked > 1000, "only {checked} verdicts replayed");
    assert!(
        control > checked / 4,
        "only {control} of {checked} outcomes change without their decisive facts: the replay proves little"
    );
    eprintln!("{checked} decided verdicts replayed; {control} change with no facts at all");
    assert!(
        failures.is_empty(),
        "{} of {checked} outcomes change when replayed from their decisive facts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A variant of `case`: each fact kept, dropped, or replaced by another value
/// of its type (booleans flipped, another enum variant, a set with a variant
/// toggled, a number moved).
pub(crate) fn variant(
    program: &Program,
    case: &refuge::case::Case,
    rng: &mut Rng,
) -> refuge::case::Case {
    use refuge::ir::Type;
    use refuge::value::Value;
    let mut out = case.clone();
    for (i, info) in program.facts.iter().enumerate() {
        if info.setting.is_some() {
            continue;
        }
        let roll = rng.below(10);
        let slot = &mut out.facts[i];
        if roll < 2 {
            *slot = None;
        } else if roll < 5 {
            *slot = match info.ty {
                Type::Bool => Some(Value::Bool(rng.below(2) == 0)),
                Type::Enum(e) => {
                    let n = program.enums[e.index()].variants.len() as u64;
                    Some(Value::Enum(e, rng.below(n) as u32))
                }
                Type::Set(e) => {
                    let n = program.enums[e.index()].variants.len() as u64;
                    let bits = match slot {
                        Some(Value::Set(_, b)) => *b,
                        _ => 0,
                    };
                    Some(Value::Set(e, bits ^ (1u128 << rng.below(n))))
                }
                Type::Integer => Some(Value::Integer(rng.below(25) as i64)),
                _ => slot.clone(),
            };
        }
    }
    out
}

#[test]
fn generated_cases_replay_from_their_decisive_facts_too() {
    let program = program();
    let mut rng = Rng(0x5eed_cafe_f00d_beef);
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = CaseFormat::from_path(&path).unwrap();
        let case = load_case(&program, "c", &text, format).unwrap();
        for n in 0..8 {
            let generated = variant(&program, &case, &mut rng);
            let name = format!("{} (variant {n})", path.display());
            let (k, f) = replay_all(&program, &name, &generated, true, false);
            checked += k;
            failures.extend(f);
        }
    }
    assert!(checked > 10_000, "only {checked} verdicts replayed");
    eprintln!("{checked} decided verdicts of generated cases replayed");
    assert!(
        failures.is_empty(),
        "{} of {checked} generated outcomes change when replayed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
