//! Benchmarks: compiling the built-in policy set, and evaluating one case
//! with and without its explanation.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use refuge::case::{load_case, CaseFormat};
use refuge::compile::compile;
use refuge::eval::{Engine, Options};
use refuge::source::SourceMap;

fn benches(c: &mut Criterion) {
    let sources = SourceMap::builtin();
    c.bench_function("compile built-in policies", |b| {
        b.iter(|| {
            compile(black_box(&sources))
                .map(|c| c.program.rules.len())
                .unwrap_or(0)
        })
    });
    let Ok(compiled) = compile(&sources) else {
        return;
    };
    let program = &compiled.program;
    let text = include_str!("../examples/defector.json");
    let Ok(case) = load_case(program, "defector.json", text, CaseFormat::Json) else {
        return;
    };
    let engine = Engine::new(program);
    let options = Options::default();
    let verdicts = program.verdicts().count();
    println!(
        "built-in policies: {verdicts} verdicts, {} rules",
        program.rules.len()
    );
    c.bench_function("load case (JSON)", |b| {
        b.iter(|| load_case(program, "defector.json", black_box(text), CaseFormat::Json).is_ok())
    });
    c.bench_function("evaluate all verdicts, values only", |b| {
        b.iter(|| {
            engine
                .values(black_box(&case), &options)
                .map(|v| v.len())
                .unwrap_or(0)
        })
    });
    c.bench_function("evaluate all verdicts, with explanation", |b| {
        b.iter(|| {
            engine
                .evaluate(black_box(&case), &options)
                .map(|e| e.verdicts.len())
                .unwrap_or(0)
        })
    });
    let first = program
        .verdicts()
        .next()
        .and_then(|d| program.definitions.get(d.index()));
    if let Some(first) = first {
        let name = first.name.clone();
        let one = Options {
            as_of: None,
            verdicts: vec![name],
        };
        c.bench_function("evaluate one verdict, with explanation", |b| {
            b.iter(|| {
                engine
                    .evaluate(black_box(&case), &one)
                    .map(|e| e.verdicts.len())
                    .unwrap_or(0)
            })
        });
        c.bench_function("evaluate one verdict, values only", |b| {
            b.iter(|| {
                engine
                    .values(black_box(&case), &one)
                    .map(|v| v.len())
                    .unwrap_or(0)
            })
        });
    }
}

criterion_group!(eval, benches);
criterion_main!(eval);
