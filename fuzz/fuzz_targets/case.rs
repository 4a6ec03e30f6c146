//! Any bytes as a case file in each format (each read once by its own
//! spanned parser, then typed by one walker), against the built-in
//! policies; every error renders in each format, and every span it carries
//! lies on character boundaries of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refuge::case::{load_case, CaseFormat};
use refuge::compile::{compile, render_diagnostic, ErrorFormat};
use refuge::source::SourceMap;
use std::sync::LazyLock;

static PROGRAM: LazyLock<Option<refuge::Program>> =
    LazyLock::new(|| compile(&SourceMap::builtin()).ok().map(|c| c.program));

fuzz_target!(|data: &[u8]| {
    let Some(program) = PROGRAM.as_ref() else {
        return;
    };
    let Ok(text) = refuge::source::text_from_bytes(data.to_vec()) else {
        return;
    };
    for format in [CaseFormat::Json, CaseFormat::Yaml, CaseFormat::Toml] {
        if let Err(errors) = load_case(program, "fuzz", &text, format) {
            assert!(!errors.0.is_empty(), "an error with no errors");
            for error in &errors {
                // Spans are into the normalised text (BOM dropped, CR and
                // CRLF read as LF), which is never longer than the input.
                let span = error.span();
                assert!(span.offset() + span.len() <= text.len(), "{error:?}");
            }
            for error_format in [ErrorFormat::Plain, ErrorFormat::Json] {
                let _ = render_diagnostic(&errors, error_format);
            }
        }
    }
});
