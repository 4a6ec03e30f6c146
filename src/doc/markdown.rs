//! The same pages as Markdown, with `<a id>` anchors so the links between
//! pages work on a code-hosting site.

use super::html::kind_heading;
use super::model::{
    Article, ArticleRule, Line, Link, Piece, RuleView, Site, SourcePage, KIND_ORDER,
};
use crate::markdown::{code, escape as esc};

fn link(l: &Link) -> String {
    format!("[{}]({}.md#{})", esc(&l.text), l.page, l.anchor)
}

fn pieces(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => esc(t),
            Piece::Code(c) => code(c),
            Piece::Link(l) => link(l),
        })
        .collect()
}

fn lines(out: &mut Vec<String>, lines: &[Line]) {
    if lines.is_empty() {
        return;
    }
    out.push(
        lines
            .iter()
            .map(|l| format!("- **{}:** {}", esc(&l.label), pieces(&l.pieces)))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

fn rule(out: &mut Vec<String>, r: &RuleView) {
    out.push(format!(
        "<a id=\"rule-{}\"></a>\n### {} ({})",
        r.name,
        code(&r.name),
        esc(&r.rule_kind)
    ));
    out.push(format!(
        "Part of {} {}{}",
        esc(&r.def_kind),
        code(&r.definition),
        r.def_label
            .as_ref()
            .map_or_else(String::new, |l| format!(": {}", esc(l)))
    ));
    let mut fence = "```".to_string();
    while r.text.contains(&fence) {
        fence.push('`');
    }
    out.push(format!("{fence}text\n{}\n{fence}", r.text.trim_end()));
    lines(out, &r.lines);
    if r.fired_by.is_empty() {
        out.push("*No test or case made this rule fire.*".into());
    } else {
        out.push(format!(
            "Fired in: {}.",
            r.fired_by
                .iter()
                .map(|n| esc(n))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
}

fn article(out: &mut Vec<String>, a: &Article) {
    out.push(format!(
        "<a id=\"{}\"></a>\n## {}",
        a.anchor,
        esc(&a.pinpoint)
    ));
    if a.exercised_by.is_empty() {
        out.push("*No test or case exercised this article.*".into());
    } else {
        out.push(format!(
            "Exercised by: {}.",
            a.exercised_by
                .iter()
                .map(|n| esc(n))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    for r in &a.rules {
        match r {
            ArticleRule::Full(view) => rule(out, view),
            ArticleRule::SeeAbove(l) => {
                out.push(format!(
                    "Also cites this article: {} (shown above).",
                    link(l)
                ));
            }
        }
    }
}

fn finish(blocks: Vec<String>) -> String {
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

fn source_page(s: &SourcePage) -> String {
    let mut out = vec![
        "[← All sources](index.md)".to_string(),
        format!("# {} · {}", code(&s.name), esc(&s.title)),
        format!(
            "*{}* · cited by {} rule(s) · {} article(s)",
            esc(s.kind.as_str()),
            s.rule_count,
            s.articles.len()
        ),
    ];
    if let Some(note) = &s.note {
        out.push(esc(note));
    }
    if s.articles.is_empty() {
        out.push("*No rule cites this source.*".into());
    } else {
        out.push(
            s.articles
                .iter()
                .map(|a| format!("- [{}]({}.md#{})", esc(&a.pinpoint), s.name, a.anchor))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for a in &s.articles {
        article(&mut out, a);
    }
    finish(out)
}

fn index(site: &Site) -> String {
    let mut out = vec![
        "# Policy sources".to_string(),
        format!(
            "{} rule(s) in the policy set; {} fired in the {} test(s) and case(s) evaluated.",
            site.rules, site.fired, site.cases
        ),
    ];
    for kind in KIND_ORDER {
        let group: Vec<&SourcePage> = site.sources.iter().filter(|s| s.kind == *kind).collect();
        if group.is_empty() {
            continue;
        }
        out.push(format!("## {}", kind_heading(*kind)));
        let mut table = vec![
            "| Source | Title | Rules | Articles |".to_string(),
            "|---|---|---:|---:|".to_string(),
        ];
        for s in group {
            table.push(format!(
                "| [{}]({}.md) | {} | {} | {} |",
                code(&s.name),
                s.name,
                esc(&s.title),
                s.rule_count,
                s.articles.len()
            ));
        }
        out.push(table.join("\n"));
    }
    if !site.uncited.is_empty() {
        out.push("## Rules citing no source".into());
        for r in &site.uncited {
            rule(&mut out, r);
        }
    }
    finish(out)
}

/// Renders the site as Markdown files: `index.md` and `NAME.md` per source,
/// as (file name, content) in that order.
pub fn to_markdown(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![("index.md".to_string(), index(site))];
    for s in &site.sources {
        files.push((format!("{}.md", s.name), source_page(s)));
    }
    files
}
