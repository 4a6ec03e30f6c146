//! The HTML pages: one inline style block, no scripts, no external assets.

use super::model::{
    Article, ArticleRule, Line, Link, Piece, RuleView, Site, SourcePage, KIND_ORDER,
};
use crate::ast::SourceKind;

const STYLE: &str = "body{margin:0;background:#fbfaf7;color:#1d1d1f;font:17px/1.55 Georgia,'Times New Roman',serif}\
main{max-width:52rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}\
h1,h2,h3{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.25}\
h1{font-size:1.7rem;margin:.5rem 0 .75rem}\
h2{font-size:1.3rem;margin-top:2.25rem;padding-top:.5rem;border-top:2px solid #d8d3c8}\
h3{font-size:1.05rem;margin:0 0 .4rem}\
a{color:#0b5394}a:visited{color:#5b2c8a}\
code,pre{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.85em}\
pre{background:#f1eee6;border:1px solid #dcd6c9;border-radius:4px;padding:.6rem .8rem;white-space:pre-wrap;overflow-wrap:anywhere}\
.rule{background:#fff;border:1px solid #e2ddd2;border-left:4px solid #0b5394;border-radius:4px;padding:.8rem 1rem;margin:1rem 0}\
.rule.exception{border-left-color:#b45f06}\
.tag{font:600 .75rem system-ui,sans-serif;text-transform:uppercase;letter-spacing:.04em;color:#555;margin-left:.5rem}\
.muted{color:#5f5a50}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .9rem;margin:.5rem 0}\
dt{font:600 .85rem/1.8 system-ui,sans-serif;color:#444}dd{margin:0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e2ddd2}\
th{font:600 .85rem system-ui,sans-serif}td.n{text-align:right}\
nav{font:.9rem system-ui,sans-serif}\
ul.toc{columns:3 12rem;padding-left:1.2rem}\
details summary{cursor:pointer;font:.9rem system-ui,sans-serif}";

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The heading of a group of sources on the index.
pub(crate) fn kind_heading(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Constitution => "Constitutions",
        SourceKind::Statute => "Statutes",
        SourceKind::Decree => "Decrees",
        SourceKind::Treaty => "Treaties",
        SourceKind::Custom => "Customary law",
        SourceKind::Guidance => "Guidance",
        SourceKind::CaseLaw => "Case law",
        SourceKind::Report => "Reports",
        SourceKind::Seed => "Seed documents",
    }
}

fn href(link: &Link) -> String {
    format!("{}.html#{}", esc(&link.page), esc(&link.anchor))
}

fn link(link: &Link) -> String {
    format!("<a href=\"{}\">{}</a>", href(link), esc(&link.text))
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

fn pieces(out: &mut String, pieces: &[Piece]) {
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&esc(t)),
            Piece::Code(c) => {
                out.push_str("<code>");
                out.push_str(&esc(c));
                out.push_str("</code>");
            }
            Piece::Link(l) => out.push_str(&link(l)),
        }
    }
}

fn lines(out: &mut String, lines: &[Line]) {
    if lines.is_empty() {
        return;
    }
    out.push_str("<dl>\n");
    for line in lines {
        out.push_str(&format!("<dt>{}</dt><dd>", esc(&line.label)));
        pieces(out, &line.pieces);
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn rule(out: &mut String, r: &RuleView) {
    let class = if r.rule_kind == "rule" {
        "rule"
    } else {
        "rule exception"
    };
    out.push_str(&format!(
        "<article class=\"{class}\" id=\"rule-{}\">\n<h3><code>{}</code><span class=\"tag\">{}</span></h3>\n",
        esc(&r.name),
        esc(&r.name),
        esc(&r.rule_kind)
    ));
    out.push_str(&format!(
        "<p class=\"muted\">Part of {} <code>{}</code>{}</p>\n",
        esc(&r.def_kind),
        esc(&r.definition),
        r.def_label
            .as_ref()
            .map_or_else(String::new, |l| format!(": {}", esc(l)))
    ));
    out.push_str(&format!("<pre>{}</pre>\n", esc(&r.text)));
    lines(out, &r.lines);
    if r.fired_by.is_empty() {
        out.push_str("<p class=\"muted\">No test or case made this rule fire.</p>\n");
    } else {
        out.push_str(&format!(
            "<details><summary>Fired in {}</summary>\n<ul>\n",
            plural(r.fired_by.len(), "test or case", "tests and cases")
        ));
        for name in &r.fired_by {
            out.push_str(&format!("<li>{}</li>\n", esc(name)));
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</article>\n");
}

fn article(out: &mut String, a: &Article) {
    out.push_str(&format!(
        "<section id=\"{}\">\n<h2>{}</h2>\n",
        esc(&a.anchor),
        esc(&a.pinpoint)
    ));
    if a.exercised_by.is_empty() {
        out.push_str("<p class=\"muted\">No test or case exercised this article.</p>\n");
    } else {
        out.push_str(&format!(
            "<details><summary>Exercised by {}</summary>\n<ul>\n",
            plural(a.exercised_by.len(), "test or case", "tests and cases")
        ));
        for name in &a.exercised_by {
            out.push_str(&format!("<li>{}</li>\n", esc(name)));
        }
        out.push_str("</ul></details>\n");
    }
    for r in &a.rules {
        match r {
            ArticleRule::Full(view) => rule(out, view),
            ArticleRule::SeeAbove(l) => out.push_str(&format!(
                "<p>Also cites this article: {} (shown above).</p>\n",
                link(l)
            )),
        }
    }
    out.push_str("</section>\n");
}

fn source_page(s: &SourcePage) -> String {
    let mut out = String::from("<nav><a href=\"index.html#top\">← All sources</a></nav>\n");
    out.push_str(&format!(
        "<h1 id=\"top\"><code>{}</code> · {}</h1>\n",
        esc(&s.name),
        esc(&s.title)
    ));
    out.push_str(&format!(
        "<p class=\"muted\">{} · cited by {} · {}</p>\n",
        esc(s.kind.as_str()),
        plural(s.rule_count, "rule", "rules"),
        plural(s.articles.len(), "article", "articles")
    ));
    if let Some(note) = &s.note {
        out.push_str(&format!("<p>{}</p>\n", esc(note)));
    }
    if s.articles.is_empty() {
        out.push_str("<p class=\"muted\">No rule cites this source.</p>\n");
    } else {
        out.push_str("<ul class=\"toc\">\n");
        for a in &s.articles {
            out.push_str(&format!(
                "<li><a href=\"{}.html#{}\">{}</a></li>\n",
                esc(&s.name),
                esc(&a.anchor),
                esc(&a.pinpoint)
            ));
        }
        out.push_str("</ul>\n");
    }
    for a in &s.articles {
        article(&mut out, a);
    }
    page(&format!("{} · {}", s.name, s.title), &out)
}

fn index(site: &Site) -> String {
    let mut out = String::from("<h1 id=\"top\">Policy sources</h1>\n");
    out.push_str(&format!(
        "<p>{} in the policy set; {} fired in the {} evaluated. \
         Each source's page lists the articles its rules cite, with the rules in their own words.</p>\n",
        plural(site.rules, "rule", "rules"),
        site.fired,
        plural(site.cases, "test or case", "tests and cases")
    ));
    for kind in KIND_ORDER {
        let group: Vec<&SourcePage> = site.sources.iter().filter(|s| s.kind == *kind).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<h2 id=\"kind-{}\">{}</h2>\n<table>\n<tr><th>Source</th><th>Title</th><th>Rules</th><th>Articles</th></tr>\n",
            esc(kind.as_str()),
            kind_heading(*kind)
        ));
        for s in group {
            out.push_str(&format!(
                "<tr><td><a href=\"{}.html#top\"><code>{}</code></a></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(&s.name),
                esc(&s.name),
                esc(&s.title),
                s.rule_count,
                s.articles.len()
            ));
        }
        out.push_str("</table>\n");
    }
    if !site.uncited.is_empty() {
        out.push_str("<h2 id=\"uncited\">Rules citing no source</h2>\n");
        for r in &site.uncited {
            rule(&mut out, r);
        }
    }
    page("Policy sources", &out)
}

/// Renders the site as HTML files: `index.html` and `NAME.html` per source,
/// as (file name, content) in that order.
pub fn to_html(site: &Site) -> Vec<(String, String)> {
    let mut files = vec![("index.html".to_string(), index(site))];
    for s in &site.sources {
        files.push((format!("{}.html", s.name), source_page(s)));
    }
    files
}
