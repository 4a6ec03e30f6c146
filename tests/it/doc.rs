//! `refuge doc` on the built-in policies: the pages exist, show the rules
//! citing each source, and every internal link resolves to an anchor.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Every value of `attr="…"` in `html`, by a plain scan.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').expect("a closing quote");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn doc_writes_linked_pages_for_every_source() {
    let dir = std::env::temp_dir().join(format!("refuge-doc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(["doc", "--out"])
        .arg(&dir)
        .args(["--cases", "tests/cases"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the refuge binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let index = read("index.html");
    assert!(index.contains("href=\"rok_act.html#top\""), "{index}");
    assert!(index.contains("href=\"cat_1984.html#top\""), "{index}");
    let rok_act = read("rok_act.html");
    assert!(
        rok_act.contains("id=\"rule-rok_art7_1_mission\""),
        "{rok_act}"
    );
    assert!(rok_act.contains("<h2>Art. 7</h2>"), "grouped by article");
    assert!(
        rok_act.contains("Art. 7(1)"),
        "each rule shows its full pinpoint"
    );
    assert!(rok_act.contains("provenance"));
    let cat = read("cat_1984.html");
    assert!(cat.contains("<h2>Art. 3</h2>"), "{cat}");
    assert!(cat.contains("<pre>"));
    assert!(read("rok_act.md").contains("<a id=\"rule-rok_art7_1_mission\"></a>"));

    // Every internal link resolves to an existing anchor of an existing page.
    let mut anchors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the output directory") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "html") {
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let html = std::fs::read_to_string(&path).expect("a page");
            anchors.insert(name.clone(), attrs(&html, "id").into_iter().collect());
            pages.push((name, html));
        }
    }
    let mut links = 0;
    for (name, html) in &pages {
        assert!(!html.contains("<script"), "{name} has a script");
        for href in attrs(html, "href") {
            let (page, anchor) = href
                .split_once('#')
                .unwrap_or_else(|| panic!("{name}: link without anchor {href}"));
            assert!(!page.contains(':'), "{name}: external link {href}");
            let ids = anchors
                .get(page)
                .unwrap_or_else(|| panic!("{name}: link {href} to a missing page"));
            assert!(
                ids.contains(anchor),
                "{name}: link {href} to a missing anchor"
            );
            links += 1;
        }
    }
    assert!(links > 100, "only {links} links");
    assert!(Path::new(&dir).join("cat_1984.md").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Markdown index and the Resettlement Act's page, as a reviewer reads
/// them: an amendment shows up as a diff of the lawyer-facing docs.
#[test]
fn the_built_in_docs_are_reviewed() {
    let dir = std::env::temp_dir().join(format!("refuge-doc-md-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(["doc", "--out"])
        .arg(&dir)
        .args(["--cases", "examples", "--cases", "tests/cases"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the refuge binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in ["index", "rok_act"] {
        let text =
            std::fs::read_to_string(dir.join(format!("{page}.md"))).expect("the page exists");
        insta::with_settings!({snapshot_path => "snapshots/doc", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(page, text);
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
}
