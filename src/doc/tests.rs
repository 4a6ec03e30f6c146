//! The pages of a small hand-written policy.

use super::*;
use crate::case::Case;
use crate::coverage::Coverage;
use crate::ir::Program;
use crate::testing::case_of_test;
use crate::{compile, SourceMap};

const POLICY: &str = r#"
source act : statute "The Act <2001> & its decree"
source treaty : treaty "The Treaty"
source unused : report "Never cited"
fact applied : bool
fact criminal : bool
verdict protected : bool "protected under the Act" {
  default false cite act "Art. 2" provenance reading
  rule eligible when applied and not criminal
    cite act "Art. 10" cite treaty "Art. 1" provenance text
    note "Read with <Art. 2> & Art. 3"
  rule base when applied cite act "Art. 2" provenance text
  exception crime overrides base = false when criminal
    cite act "Art. 9" provenance published
}
test "an applicant is protected" {
  given applied = true
  given criminal = false
  expect protected = true
}
"#;

fn site() -> (Site, Program) {
    let mut sources = SourceMap::new();
    sources.add("policies/t.policy", POLICY);
    let program = match compile(&sources) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{}", d.render(&sources, crate::compile::ErrorFormat::Plain)),
    };
    let cases: Vec<(String, Case)> = program
        .tests
        .iter()
        .map(|t| (t.name.clone(), case_of_test(&program, t)))
        .collect();
    let coverage = Coverage::measure_named(&program, cases.iter().map(|(n, c)| (n.as_str(), c)));
    (build(&program, &sources, &coverage), program)
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_index_lists_every_source_by_kind_with_its_rule_count() {
    let (site, _) = site();
    let html = to_html(&site);
    let index = file(&html, "index.html");
    assert!(
        index.contains("<h2 id=\"kind-statute\">Statutes</h2>"),
        "{index}"
    );
    assert!(
        index.contains("<h2 id=\"kind-report\">Reports</h2>"),
        "{index}"
    );
    assert!(index.contains("href=\"act.html#top\""), "{index}");
    assert!(index.contains("href=\"unused.html#top\""), "{index}");
    // act is cited by three rules; statutes come before treaties.
    assert!(index.contains("<td class=\"n\">3</td>"), "{index}");
    let statutes = index.find("Statutes").unwrap_or(usize::MAX);
    let treaties = index.find("Treaties").unwrap_or(0);
    assert!(statutes < treaties);
    assert!(file(&html, "unused.html").contains("No rule cites this source."));
}

#[test]
fn articles_come_in_natural_order_with_rule_text_exception_links_and_provenance() {
    let (site, _) = site();
    let html = to_html(&site);
    let act = file(&html, "act.html");
    let pos = |s: &str| act.find(s).unwrap_or_else(|| panic!("no {s} in {act}"));
    assert!(pos("<h2>Art. 2</h2>") < pos("<h2>Art. 9</h2>"));
    assert!(pos("<h2>Art. 9</h2>") < pos("<h2>Art. 10</h2>"));
    // The rule's own text, in a pre block.
    assert!(act.contains("<pre>exception crime overrides base = false when criminal\n  cite act &quot;Art. 9&quot; provenance published</pre>"), "{act}");
    // The exception links to its target and back.
    assert!(act.contains("id=\"rule-crime\""));
    assert!(act.contains("id=\"rule-base\""));
    assert!(act.contains("<dt>Exception to</dt><dd><a href=\"act.html#rule-base\">base</a>: overrides it with <code>false</code> when <code>criminal</code>"), "{act}");
    assert!(act.contains("<dt>Exceptions</dt><dd><a href=\"act.html#rule-crime\">crime</a>"));
    assert!(act.contains("<code>published</code>: current law found in published material"));
    assert!(act.contains("Part of verdict <code>protected</code>: protected under the Act"));
    // Another source the rule cites links to its article there.
    assert!(
        act.contains("<a href=\"treaty.html#art-1\">treaty Art. 1</a>"),
        "{act}"
    );
    // The test that exercised it.
    assert!(act.contains("<li>an applicant is protected</li>"));
    assert!(act.contains("No test or case made this rule fire."));
}

#[test]
fn text_is_escaped() {
    let (site, _) = site();
    let html = to_html(&site);
    let act = file(&html, "act.html");
    assert!(
        act.contains("The Act &lt;2001&gt; &amp; its decree"),
        "{act}"
    );
    assert!(
        act.contains("Read with &lt;Art. 2&gt; &amp; Art. 3"),
        "{act}"
    );
    assert!(!act.contains("<2001>"));
    assert!(!act.contains("<Art. 2>"));
    let md = to_markdown(&site);
    let act_md = file(&md, "act.md");
    assert!(
        act_md.contains("The Act \\<2001> \\& its decree"),
        "{act_md}"
    );
    assert!(act_md.contains("<a id=\"rule-crime\"></a>"), "{act_md}");
    assert!(act_md.contains("[base](act.md#rule-base)"), "{act_md}");
}

#[test]
fn output_is_deterministic() {
    let (a, _) = site();
    let (b, _) = site();
    assert_eq!(to_html(&a), to_html(&b));
    assert_eq!(to_markdown(&a), to_markdown(&b));
}
