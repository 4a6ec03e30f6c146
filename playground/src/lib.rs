//! The playground's WebAssembly module: check a policy set and evaluate a
//! case in the browser, with the compiler and evaluator as they are.
//!
//! Every function takes and returns JSON text, so the page needs no other
//! glue than wasm-bindgen's: policies are `{"path.policy": "text", …}`.

use miette::Diagnostic;
use refuge::case::{load_case, CaseFormat};
use refuge::compile::{compile, Diagnostics};
use refuge::source::{FileId, SourceMap};
use serde_json::{json, Value};
use wasm_bindgen::prelude::wasm_bindgen;

/// The built-in policies as `{"path": "text"}`.
#[wasm_bindgen]
pub fn builtin_policies() -> String {
    let map: serde_json::Map<String, Value> = refuge::policies::BUILTIN
        .iter()
        .map(|(name, text)| ((*name).to_owned(), Value::String((*text).to_owned())))
        .collect();
    Value::Object(map).to_string()
}

fn sources_of(policies: &str) -> Result<SourceMap, String> {
    let value: Value = serde_json::from_str(policies).map_err(|e| e.to_string())?;
    let Value::Object(files) = value else {
        return Err("policies must be an object of file name to text".to_owned());
    };
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name, text.as_str().unwrap_or_default().to_owned());
    }
    Ok(sources)
}

/// One diagnostic as the page shows it: file, 1-based line and column.
fn entry(sources: &SourceMap, file: FileId, d: &dyn Diagnostic) -> Value {
    let (start, len) = d
        .labels()
        .and_then(|mut l| l.next())
        .map_or((0, 0), |l| (l.offset(), l.len()));
    let span = refuge::source::Span::new(file, start, start + len);
    let (line, column) = sources.line_col(span);
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "advice",
        _ => "error",
    };
    json!({
        "file": sources.get(file).map_or("?", |f| f.name.as_str()),
        "line": line,
        "column": column,
        "length": len,
        "severity": severity,
        "code": d.code().map(|c| c.to_string()),
        "message": d.to_string(),
        "help": d.help().map(|h| h.to_string()),
    })
}

fn entries(sources: &SourceMap, d: &Diagnostics) -> Vec<Value> {
    let mut out = Vec::new();
    for (file, e) in &d.parse {
        out.push(entry(sources, *file, e));
    }
    for e in &d.check {
        out.push(entry(sources, e.span().file, e));
    }
    for w in &d.warnings {
        out.push(entry(sources, w.span().file, w));
    }
    out
}

/// Checks a policy set: `{"ok": bool, "diagnostics": [...]}`.
#[wasm_bindgen]
pub fn check(policies: &str) -> String {
    let sources = match sources_of(policies) {
        Ok(s) => s,
        Err(e) => return json!({ "ok": false, "error": e, "diagnostics": [] }).to_string(),
    };
    match compile(&sources) {
        Ok(compiled) => {
            let d = Diagnostics {
                warnings: compiled.warnings,
                ..Diagnostics::default()
            };
            json!({ "ok": true, "diagnostics": entries(&sources, &d) }).to_string()
        }
        Err(d) => json!({ "ok": false, "diagnostics": entries(&sources, &d) }).to_string(),
    }
}

/// Evaluates a JSON case against a policy set: `{"ok": true, "memo": text,
/// "markdown": text, "json": text}` or `{"ok": false, "error": text}`.
#[wasm_bindgen]
pub fn evaluate(policies: &str, case: &str) -> String {
    let fail = |e: String| json!({ "ok": false, "error": e }).to_string();
    let sources = match sources_of(policies) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let compiled = match compile(&sources) {
        Ok(c) => c,
        Err(d) => {
            return fail(format!(
                "the policies have {} error(s): fix them first",
                d.error_count()
            ))
        }
    };
    let case = match load_case(&compiled.program, "case.json", case, CaseFormat::Json) {
        Ok(c) => c,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            return fail(format!("the case is invalid:\n{}", lines.join("\n")));
        }
    };
    let engine = refuge::Engine::new(&compiled.program);
    match engine.evaluate(&case, &refuge::Options::default()) {
        Ok(evaluation) => json!({
            "ok": true,
            "memo": refuge::explain::to_text(&evaluation, false),
            "markdown": refuge::explain::to_markdown(&evaluation),
            "json": evaluation.to_json(),
        })
        .to_string(),
        Err(e) => fail(format!("evaluation error: {e}")),
    }
}
