//! Any bytes as a policy file: parse, check and render every diagnostic in
//! each format. Must never panic, overflow or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refuge::compile::{compile, ErrorFormat};
use refuge::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    sources.add("fuzz.policy", text);
    if let Err(diagnostics) = compile(&sources) {
        for format in [ErrorFormat::Human, ErrorFormat::Plain, ErrorFormat::Json] {
            let _ = diagnostics.render(&sources, format);
        }
    }
});
