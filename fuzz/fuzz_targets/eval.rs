//! A JSON case against the built-in policies: load, evaluate, and render the
//! evaluation in every format (text, coloured and not, with the decisive
//! derivations; the Markdown memo; the JSON document and batch line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use refuge::case::{load_case, CaseFormat};
use refuge::compile::compile;
use refuge::source::SourceMap;
use refuge::{Engine, Options};
use std::sync::LazyLock;

static PROGRAM: LazyLock<Option<refuge::Program>> =
    LazyLock::new(|| compile(&SourceMap::builtin()).ok().map(|c| c.program));

fuzz_target!(|data: &[u8]| {
    let Some(program) = PROGRAM.as_ref() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(case) = load_case(program, "fuzz.json", text, CaseFormat::Json) else {
        return;
    };
    let engine = Engine::new(program);
    if let Ok(evaluation) = engine.evaluate(&case, &Options::default()) {
        let _ = refuge::explain::to_text(&evaluation, false);
        let _ = refuge::explain::to_text(&evaluation, true);
        let _ = refuge::explain::to_text_explained(&evaluation, false);
        let _ = refuge::explain::to_markdown(&evaluation);
        let _ = evaluation.to_json();
        let _ = evaluation.to_json_line();
    }
});
