//! Benchmarks: compiling the built-in policy set, loading a case, and
//! evaluating it with and without its explanation — for the verdicts the case
//! asks for, for every verdict, and for one verdict.

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
    let all_names: Vec<String> = program
        .verdicts()
        .filter_map(|d| program.definitions.get(d.index()).map(|d| d.name.clone()))
        .collect();
    println!(
        "built-in policies: {} verdicts, {} rules; the case asks for {} verdicts",
        all_names.len(),
        program.rules.len(),
        case.verdicts.len()
    );
    c.bench_function("load case (JSON)", |b| {
        b.iter(|| load_case(program, "defector.json", black_box(text), CaseFormat::Json).is_ok())
    });
    let groups = [
        ("the case's verdicts", Options::default()),
        (
            "every verdict",
            Options {
                as_of: None,
                verdicts: all_names.clone(),
            },
        ),
        (
            "one verdict",
            Options {
                as_of: None,
                verdicts: all_names.iter().take(1).cloned().collect(),
            },
        ),
    ];
    for (what, options) in &groups {
        c.bench_function(&format!("evaluate {what}, values only"), |b| {
            b.iter(|| {
                engine
                    .values(black_box(&case), options)
                    .map(|v| v.len())
                    .unwrap_or(0)
            })
        });
        c.bench_function(&format!("evaluate {what}, with explanation"), |b| {
            b.iter(|| {
                engine
                    .evaluate(black_box(&case), options)
                    .map(|e| e.verdicts.len())
                    .unwrap_or(0)
            })
        });
    }
}

criterion_group!(eval, benches);
criterion_main!(eval);
