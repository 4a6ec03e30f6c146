//! The values path (`Engine::values_with`, which records nothing) and the
//! explained path (`Engine::evaluate`, which records the derivation graph) are
//! one evaluator compiled twice: they must give the same value, or the same
//! error, for every verdict of every case. Checked over the corpus and over
//! generated variants of it, with the values path's memory reused from case
//! to case as a batch reuses it.

use super::replay::{corpus, program, variant, Rng};
use refuge::case::{load_case, CaseFormat};
use refuge::eval::Scratch;
use refuge::{Engine, Options};

#[test]
fn the_values_path_gives_what_the_derivation_graph_gives() {
    let program = program();
    let engine = Engine::new(&program);
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    let mut rng = Rng(0x0bad_5eed_1234_5678);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = CaseFormat::from_path(&path).unwrap();
        let case = load_case(&program, "c", &text, format).unwrap();
        let mut cases = vec![case.clone()];
        cases.extend((0..8).map(|_| variant(&program, &case, &mut rng)));
        for (n, case) in cases.iter().enumerate() {
            for options in [
                Options::default(),
                engine.all_verdicts(case.as_of.is_none().then(|| jiff::civil::date(2024, 1, 1))),
            ] {
                let graph = engine.evaluate(case, &options);
                let fast = engine.values_with(case, &options, &mut scratch, &mut values);
                match (graph, fast) {
                    (Ok(evaluation), Ok(())) => {
                        let explained: Vec<_> = evaluation
                            .verdict_ids()
                            .iter()
                            .map(|&d| evaluation.value(d).cloned())
                            .collect();
                        compared += explained.len();
                        if explained != values {
                            mismatches.push(format!(
                                "{} (variant {n}): graph {explained:?}, values {values:?}",
                                path.display()
                            ));
                        }
                    }
                    (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                    (a, b) => mismatches.push(format!(
                        "{} (variant {n}): graph {:?}, values {:?}",
                        path.display(),
                        a.map(|_| "ok"),
                        b.map(|_| "ok")
                    )),
                }
            }
        }
    }
    assert!(compared > 50_000, "only {compared} verdicts compared");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
