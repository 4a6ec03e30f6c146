//! The formatter on any policy text that parses: the result parses to the
//! same syntax tree (spans aside), and formatting it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refuge::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.policy", text);
    let Some(file) = sources.get(id).cloned() else {
        return;
    };
    let Ok(original) = refuge::syntax::parse(&file) else {
        return;
    };
    let Ok(once) = refuge::fmt::format(&file) else {
        // The formatter refuses rather than writing an unsound layout; that
        // is a formatter bug worth knowing about too.
        panic!("the formatter refused text that parses:\n{text}");
    };
    // The same name, so the module names agree; spans compare equal.
    let mut formatted = SourceMap::new();
    let again = formatted.add("fuzz.policy", once.as_str());
    let Some(file2) = formatted.get(again).cloned() else {
        return;
    };
    let reparsed = refuge::syntax::parse(&file2).expect("formatted text parses");
    assert!(
        original == reparsed,
        "formatting changed the syntax tree:\n{text}"
    );
    let twice = refuge::fmt::format(&file2).expect("formatted text formats");
    assert_eq!(once, twice, "fmt twice differs from fmt once");
});
