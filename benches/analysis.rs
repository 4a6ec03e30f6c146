//! The static analysis (`refuge check --analyse`): of the built-in policies
//! (an editor should be able to run it on save: aim at most 1 s), and of
//! the fixtures whose arithmetic is hardest for the solver (money with a
//! rounded percentage; a date plus years and whole years between dates).
//! Each includes the witnesses, checked and made readable by the evaluator.
//!
//! `cargo bench --bench analysis`; the figures are reported in
//! docs/architecture.md.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use refuge::{compile, SourceMap};
use std::path::Path;

fn analyse(c: &mut Criterion, what: &str, sources: &SourceMap) {
    let Ok(compiled) = compile(sources) else {
        return;
    };
    c.bench_function(what, |b| {
        b.iter(|| refuge::analysis::analyse(&compiled.program))
    });
}

fn analyse_builtin(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    if let Ok(compiled) = compile(&SourceMap::builtin()) {
        group.bench_function("analyse the built-in policies", |b| {
            b.iter(|| refuge::analysis::analyse(&compiled.program))
        });
    }
    group.finish();
}

fn analyse_fixtures(c: &mut Criterion) {
    for name in ["money", "calendar"] {
        let dir = Path::new("tests/fixtures/analysis").join(name);
        if let Ok(sources) = SourceMap::from_path(&dir) {
            analyse(c, &format!("analysis/analyse the {name} fixture"), &sources);
        }
    }
}

criterion_group!(benches, analyse_builtin, analyse_fixtures);
criterion_main!(benches);
