//! Benchmarks: compiling the built-in policy set, loading a case, and
//! evaluating it — values only, with the derivation graph (fresh, and with
//! the graph's memory reused across cases), and the JSON — for the verdicts the
//! case asks for, for every verdict, and on a 4-rule toy statute.
//!
//! `cargo bench --bench eval`; the figures are reported in
//! docs/architecture.md.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use refuge::batch::{Batch, Output, Worker};
use refuge::case::{load_case, CaseFormat};
use refuge::compile::compile;
use refuge::eval::{Derivation, Engine, Options, Scratch};
use refuge::source::SourceMap;
use refuge::Program;

fn all_verdicts(program: &Program) -> Options {
    Options {
        as_of: None,
        verdicts: program.verdicts().collect(),
    }
}

/// Evaluates `options` on `case` through every path, under `what`.
fn paths(
    c: &mut Criterion,
    what: &str,
    program: &Program,
    case: &refuge::case::Case,
    options: &Options,
) {
    let engine = Engine::new(program);
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    c.bench_function(&format!("{what}: values only, scratch reused"), |b| {
        b.iter(|| {
            engine
                .values_with(black_box(case), options, &mut scratch, &mut out)
                .map(|()| out.len())
                .unwrap_or(0)
        })
    });
    c.bench_function(&format!("{what}: values only"), |b| {
        b.iter(|| {
            engine
                .values(black_box(case), options)
                .map(|v| v.len())
                .unwrap_or(0)
        })
    });
    c.bench_function(&format!("{what}: derivation graph, fresh"), |b| {
        b.iter(|| {
            engine
                .evaluate(black_box(case), options)
                .map(|e| e.derivation().read_count())
                .unwrap_or(0)
        })
    });
    let mut graph = Some(Derivation::new());
    c.bench_function(&format!("{what}: derivation graph, reused"), |b| {
        b.iter(|| {
            let g = graph.take().unwrap_or_default();
            match engine.evaluate_with(black_box(case), options, g) {
                Ok(e) => {
                    let n = e.derivation().read_count();
                    graph = Some(e.into_derivation());
                    n
                }
                Err(_) => 0,
            }
        })
    });
    c.bench_function(&format!("{what}: graph + explained JSON"), |b| {
        b.iter(|| {
            engine
                .evaluate(black_box(case), options)
                .map(|e| e.to_json_line().len())
                .unwrap_or(0)
        })
    });
}

/// JSON text in, one JSON line out, as a batch line: the case read
/// straight into its slots, evaluated, written.
fn text_paths(c: &mut Criterion, what: &str, program: &Program, text: &str, options: &Options) {
    for output in [Output::Values, Output::Verdicts, Output::Full] {
        let batch = Batch::new(Engine::new(program), options.clone(), output);
        let mut worker = Worker::new();
        let mut out = Vec::new();
        let line = text.replace('\n', " ");
        if batch
            .evaluate_plain_json(&mut worker, 1, &line, &mut out)
            .is_none()
        {
            eprintln!("{what}: the case does not take the fast JSON path");
            return;
        }
        c.bench_function(&format!("{what}: JSON text in, {output:?} line out"), |b| {
            b.iter(|| {
                out.clear();
                batch.evaluate_plain_json(&mut worker, 1, black_box(&line), &mut out);
                out.len()
            })
        });
    }
}

fn benches(c: &mut Criterion) {
    let sources = SourceMap::builtin();
    c.bench_function("compile built-in policies", |b| {
        b.iter(|| {
            compile(black_box(&sources))
                .map(|c| c.program.rules.len())
                .unwrap_or(0)
        })
    });
    // The editor loop: the set compiled again after an edit of one file
    // (alternately two texts of it), the other files' trees kept by a
    // `ParseCache`, as the language server does.
    let mut edited = SourceMap::new();
    for f in sources.files() {
        let text = if f.name.ends_with("refugee_status.policy") {
            format!("{}\n# an edit\n", f.text)
        } else {
            f.text.clone()
        };
        edited.add(f.name.clone(), text);
    }
    let mut cache = refuge::compile::ParseCache::new();
    let mut flip = false;
    c.bench_function(
        "recompile built-in policies after an edit (ParseCache)",
        |b| {
            b.iter(|| {
                flip = !flip;
                let set = if flip { &edited } else { &sources };
                cache
                    .compile(black_box(set))
                    .map(|c| c.program.rules.len())
                    .unwrap_or(0)
            })
        },
    );
    let Ok(compiled) = compile(&sources) else {
        return;
    };
    let program = &compiled.program;
    c.bench_function("lower the built-in program (Engine::new)", |b| {
        b.iter(|| Engine::new(black_box(program)).program().rules.len())
    });
    let text = include_str!("../examples/defector.json");
    let Ok(case) = load_case(program, "defector.json", text, CaseFormat::Json) else {
        return;
    };
    c.bench_function("load case (JSON)", |b| {
        b.iter(|| load_case(program, "defector.json", black_box(text), CaseFormat::Json).is_ok())
    });
    paths(
        c,
        "defector, its 9 verdicts",
        program,
        &case,
        &Options::default(),
    );
    paths(
        c,
        "defector, all verdicts",
        program,
        &case,
        &all_verdicts(program),
    );
    text_paths(
        c,
        "defector, its 9 verdicts",
        program,
        text,
        &Options::default(),
    );
    text_paths(
        c,
        "defector, all verdicts",
        program,
        text,
        &all_verdicts(program),
    );

    let mut toy_sources = SourceMap::new();
    toy_sources.add("toy.policy", include_str!("data/toy.policy"));
    let Ok(toy) = compile(&toy_sources) else {
        return;
    };
    let toy_case = r#"{"as_of": "2020-01-01", "facts": {"defected": true, "applied": true,
        "convictions": ["theft"], "years_abroad": 3, "torture_risk": true}}"#;
    text_paths(
        c,
        "toy statute",
        &toy.program,
        toy_case,
        &Options::default(),
    );
    let Ok(toy_case) = load_case(&toy.program, "toy.json", toy_case, CaseFormat::Json) else {
        return;
    };
    paths(
        c,
        "toy statute",
        &toy.program,
        &toy_case,
        &Options::default(),
    );
}

criterion_group!(eval, benches);
criterion_main!(eval);
