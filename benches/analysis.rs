//! The static analysis of the built-in policies (`refuge check --analyse`):
//! an editor should be able to run it on save (aim: at most 1 s).

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use refuge::{compile, SourceMap};

fn analyse_builtin(c: &mut Criterion) {
    let sources = SourceMap::builtin();
    let Ok(compiled) = compile(&sources) else {
        return;
    };
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    group.bench_function("analyse the built-in policies", |b| {
        b.iter(|| refuge::analysis::analyse(&compiled.program))
    });
    group.finish();
}

criterion_group!(benches, analyse_builtin);
criterion_main!(benches);
