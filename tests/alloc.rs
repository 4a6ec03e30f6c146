//! The explained path allocates nothing per rule once its arenas are warm:
//! evaluating every verdict of a case with a reused derivation graph makes a
//! small, fixed number of heap allocations, however many rules it evaluates.
//! Its own test binary (no harness), because it installs a counting global
//! allocator.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test binary fails with a message"
)]

use refuge::case::{load_case, CaseFormat};
use refuge::eval::{Derivation, Engine, Options};
use refuge::{compile, SourceMap};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let program = compile(&SourceMap::builtin()).unwrap().program;
    let text = include_str!("../examples/defector.json");
    let case = load_case(&program, "defector.json", text, CaseFormat::Json).unwrap();
    let options = Options {
        as_of: None,
        verdicts: program.verdicts().collect(),
    };
    let engine = Engine::new(&program);
    let _profiler = dhat::Profiler::builder().testing().build();
    // Warm the arenas.
    let mut graph = engine
        .evaluate_with(&case, &options, Derivation::new())
        .unwrap()
        .into_derivation();
    let before = dhat::HeapStats::get().total_blocks;
    let evaluation = engine.evaluate_with(&case, &options, graph).unwrap();
    let after = dhat::HeapStats::get().total_blocks;
    let rules: usize = evaluation
        .derivation()
        .nodes()
        .iter()
        .map(|n| evaluation.derivation().rules_of(n).len())
        .sum();
    let reads = evaluation.derivation().read_count();
    graph = evaluation.into_derivation();
    drop(graph);
    let allocations = after - before;
    println!(
        "warm evaluation of {} verdicts: {rules} rule entries, {reads} reads, {allocations} heap allocations",
        options.verdicts.len()
    );
    // None at all once warm: not per rule or read, and not per call (the
    // verdict list reuses the graph's).
    assert!(rules > 150, "only {rules} rules evaluated");
    assert_eq!(
        allocations, 0,
        "{allocations} allocations for {rules} rules: the warm explained path allocates"
    );
    println!("1 passed, 0 failed");
}
