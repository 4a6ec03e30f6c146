//! The page model: everything the renderers show, computed once from the
//! program, its source text and the coverage.

use crate::ast::SourceKind;
use crate::coverage::Coverage;
use crate::ir::{Program, RuleId, RuleInfo, RuleKind};
use crate::source::SourceMap;
use std::collections::{BTreeSet, HashMap};

/// The order in which the index groups sources.
pub const KIND_ORDER: &[SourceKind] = &[
    SourceKind::Constitution,
    SourceKind::Statute,
    SourceKind::Decree,
    SourceKind::Treaty,
    SourceKind::Custom,
    SourceKind::Guidance,
    SourceKind::CaseLaw,
    SourceKind::Report,
    SourceKind::Seed,
];

/// A link to an anchor on a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The page's stem (`rok_act`, `index`); renderers add the extension.
    pub page: String,
    /// The anchor on that page (`rule-NAME`, `art-7-1`).
    pub anchor: String,
    /// The link's text.
    pub text: String,
}

/// A piece of a sentence about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Plain text.
    Text(String),
    /// Policy text (an expression), shown as code.
    Code(String),
    /// A cross-link.
    Link(Link),
}

/// One labelled statement about a rule (`Exception to`, `Provenance`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The label.
    pub label: String,
    /// The statement.
    pub pieces: Vec<Piece>,
}

/// A rule in readable form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleView {
    /// The rule's name (its anchor is `rule-NAME`).
    pub name: String,
    /// `verdict` or `definition`.
    pub def_kind: String,
    /// The definition it belongs to.
    pub definition: String,
    /// That definition's label.
    pub def_label: Option<String>,
    /// `rule`, `exception (overrides)` or `exception (lifts)`.
    pub rule_kind: String,
    /// The rule's own policy text.
    pub text: String,
    /// What it does, when it is in force, provenance, notes, citations.
    pub lines: Vec<Line>,
    /// The tests and cases in which it fired.
    pub fired_by: Vec<String>,
}

/// A rule under an article: in full, or a link to where it is shown in full
/// on the same page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticleRule {
    /// The rule, shown here.
    Full(Box<RuleView>),
    /// The rule is shown in full under an earlier article of this page.
    SeeAbove(Link),
}

/// An article (a pinpoint of a source) and the rules citing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// The pinpoint (`Art. 7(1)`).
    pub pinpoint: String,
    /// Its anchor on the source's page.
    pub anchor: String,
    /// The rules citing it, in declaration order.
    pub rules: Vec<ArticleRule>,
    /// The tests and cases in which one of its rules fired.
    pub exercised_by: Vec<String>,
}

/// A source and its articles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcePage {
    /// The source's short name, also its page's stem.
    pub name: String,
    /// Its kind.
    pub kind: SourceKind,
    /// Its title.
    pub title: String,
    /// Its note.
    pub note: Option<String>,
    /// How many rules cite it (each once).
    pub rule_count: usize,
    /// Its cited articles, in natural order.
    pub articles: Vec<Article>,
}

/// The whole documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Every source, in declaration order.
    pub sources: Vec<SourcePage>,
    /// Rules citing no source (shown on the index).
    pub uncited: Vec<RuleView>,
    /// How many rules the program has.
    pub rules: usize,
    /// How many of them fired in some test or case.
    pub fired: usize,
    /// How many tests and cases were evaluated.
    pub cases: usize,
}

/// A page-local anchor for a pinpoint: lowercase letters and digits with `-`
/// between runs, starting with `art` (so it never collides with `rule-…` or
/// `top`).
fn slug(pinpoint: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in pinpoint.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.starts_with("art") {
        out
    } else if out.is_empty() {
        "art".to_string()
    } else {
        format!("art-{out}")
    }
}

/// Everything the pages need to link between each other.
struct Links<'a> {
    program: &'a Program,
    /// (source index, pinpoint) → article anchor.
    articles: HashMap<(usize, &'a str), String>,
}

impl Links<'_> {
    /// The page a rule is shown on first: its first citation's source.
    fn home(&self, rule: &RuleInfo) -> String {
        rule.meta
            .cites
            .first()
            .and_then(|c| self.program.sources.get(c.source.index()))
            .map_or_else(|| "index".to_string(), |s| s.name.to_string())
    }

    fn rule(&self, id: RuleId) -> Piece {
        match self.program.rules.get(id.index()) {
            Some(rule) => Piece::Link(Link {
                page: self.home(rule),
                anchor: format!("rule-{}", rule.name),
                text: rule.name.clone(),
            }),
            None => Piece::Text("?".into()),
        }
    }

    /// Links to several rules, separated by commas.
    fn rules(&self, ids: &[RuleId]) -> Vec<Piece> {
        let mut out = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                out.push(Piece::Text(", ".into()));
            }
            out.push(self.rule(*id));
        }
        out
    }
}

/// Builds the page model. `coverage` gives the natural order of the articles
/// and the tests and cases each rule fired in.
pub fn build(program: &Program, sources: &SourceMap, coverage: &Coverage) -> Site {
    // Articles per source: coverage's natural order, then any it lacks.
    let by_name: HashMap<&str, &crate::coverage::SourceCoverage> = coverage
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let mut pinpoints: Vec<Vec<&str>> = Vec::new();
    let mut articles = HashMap::new();
    for (index, source) in program.sources.iter().enumerate() {
        let mut list: Vec<&str> = by_name
            .get(&*source.name)
            .map(|c| c.by_article.iter().map(|a| a.pinpoint.as_str()).collect())
            .unwrap_or_default();
        for rule in &program.rules {
            for cite in &rule.meta.cites {
                let article = cite.pinpoint.key();
                if cite.source.index() == index && !list.contains(&article) {
                    list.push(article);
                }
            }
        }
        let mut used = BTreeSet::new();
        for pinpoint in &list {
            let base = slug(pinpoint);
            let mut anchor = base.clone();
            let mut n = 2;
            while !used.insert(anchor.clone()) {
                anchor = format!("{base}-{n}");
                n += 1;
            }
            articles.insert((index, *pinpoint), anchor);
        }
        pinpoints.push(list);
    }
    let links = Links { program, articles };
    let fired_by: HashMap<&str, &[String]> = coverage
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.fired_by.as_slice()))
        .collect();
    let view = |rule: &RuleInfo| rule_view(program, sources, &links, &fired_by, rule);

    let mut pages = Vec::new();
    for ((index, source), list) in program.sources.iter().enumerate().zip(&pinpoints) {
        let citing: Vec<&RuleInfo> = program
            .rules
            .iter()
            .filter(|r| r.meta.cites.iter().any(|c| c.source.index() == index))
            .collect();
        let mut shown = BTreeSet::new();
        let mut page_articles = Vec::new();
        for pinpoint in list {
            let mut rules = Vec::new();
            let mut exercised: Vec<String> = Vec::new();
            for rule in &citing {
                let cites_here = rule
                    .meta
                    .cites
                    .iter()
                    .any(|c| c.source.index() == index && c.pinpoint.key() == *pinpoint);
                if !cites_here {
                    continue;
                }
                for name in fired_by.get(rule.name.as_str()).copied().unwrap_or(&[]) {
                    if !exercised.contains(name) {
                        exercised.push(name.clone());
                    }
                }
                if shown.insert(rule.name.as_str()) {
                    rules.push(ArticleRule::Full(Box::new(view(rule))));
                } else {
                    rules.push(ArticleRule::SeeAbove(Link {
                        page: source.name.to_string(),
                        anchor: format!("rule-{}", rule.name),
                        text: rule.name.clone(),
                    }));
                }
            }
            page_articles.push(Article {
                pinpoint: pinpoint.to_string(),
                anchor: links
                    .articles
                    .get(&(index, *pinpoint))
                    .cloned()
                    .unwrap_or_else(|| slug(pinpoint)),
                rules,
                exercised_by: exercised,
            });
        }
        pages.push(SourcePage {
            name: source.name.to_string(),
            kind: source.kind,
            title: source.title.to_string(),
            note: source.note.clone(),
            rule_count: citing.len(),
            articles: page_articles,
        });
    }
    Site {
        sources: pages,
        uncited: program
            .rules
            .iter()
            .filter(|r| r.meta.cites.is_empty())
            .map(view)
            .collect(),
        rules: program.rules.len(),
        fired: coverage.totals.fired,
        cases: coverage.cases,
    }
}

fn text(s: &str) -> Piece {
    Piece::Text(s.to_string())
}

fn line(label: &str, pieces: Vec<Piece>) -> Line {
    Line {
        label: label.to_string(),
        pieces,
    }
}

/// The readable form of one rule.
fn rule_view(
    program: &Program,
    sources: &SourceMap,
    links: &Links<'_>,
    fired_by: &HashMap<&str, &[String]>,
    rule: &RuleInfo,
) -> RuleView {
    let def = program.definitions.get(rule.def.index());
    let condition = |pieces: &mut Vec<Piece>| match &rule.when {
        Some(when) => {
            pieces.push(text(" when "));
            pieces.push(Piece::Code(sources.snippet(when.span).to_string()));
        }
        None => pieces.push(text(" always")),
    };
    let mut lines = Vec::new();
    match &rule.kind {
        RuleKind::Base => {}
        RuleKind::Overrides(targets) => {
            let mut pieces = links.rules(targets);
            pieces.push(text(": overrides it"));
            if let Some(value) = &rule.value {
                pieces.push(text(" with "));
                pieces.push(Piece::Code(sources.snippet(value.span).to_string()));
            }
            condition(&mut pieces);
            lines.push(line("Exception to", pieces));
        }
        RuleKind::Lifts(targets) => {
            let mut pieces = links.rules(targets);
            pieces.push(text(": lifts it (it then gives no value)"));
            condition(&mut pieces);
            lines.push(line("Exception to", pieces));
        }
    }
    if !rule.exceptions.is_empty() {
        let mut pieces = links.rules(&rule.exceptions);
        pieces.push(text(" may defeat this rule"));
        lines.push(line("Exceptions", pieces));
    }
    if rule.absolute {
        lines.push(line("Absolute", vec![text("admits no exception")]));
    }
    if let Some(qualified) = &rule.qualified_by {
        let mut pieces = vec![text("only ")];
        pieces.extend(links.rules(qualified));
        pieces.push(text(" may lift it"));
        lines.push(line("Qualified", pieces));
    }
    if let Some(may) = &rule.may {
        lines.push(line(
            "Discretion",
            vec![text(&format!("{} may {}", may.holder, may.permits))],
        ));
    }
    let in_force = match (rule.meta.from, rule.meta.until) {
        (Some(f), Some(u)) => Some(format!("from {f} until {u} (exclusive)")),
        (Some(f), None) => Some(format!("from {f}")),
        (None, Some(u)) => Some(format!("until {u} (exclusive)")),
        (None, None) => None,
    };
    if let Some(in_force) = in_force {
        lines.push(line("In force", vec![text(&in_force)]));
    }
    if let Some(p) = rule.meta.provenance {
        lines.push(line(
            "Provenance",
            vec![
                Piece::Code(p.as_str().into()),
                text(&format!(": {}", p.describe())),
            ],
        ));
    }
    for note in &rule.meta.notes {
        lines.push(line("Note", vec![text(note)]));
    }
    if !rule.meta.cites.is_empty() {
        let mut pieces = Vec::new();
        for (i, cite) in rule.meta.cites.iter().enumerate() {
            if i > 0 {
                pieces.push(text("; "));
            }
            let source = program
                .sources
                .get(cite.source.index())
                .map_or("?", |s| &*s.name);
            pieces.push(Piece::Link(Link {
                page: source.to_string(),
                anchor: links
                    .articles
                    .get(&(cite.source.index(), cite.pinpoint.key()))
                    .cloned()
                    .unwrap_or_else(|| slug(cite.pinpoint_text())),
                text: format!("{source} {}", cite.pinpoint),
            }));
        }
        lines.push(line("Cites", pieces));
    }
    RuleView {
        name: rule.name.clone(),
        def_kind: if def.is_some_and(|d| d.is_verdict) {
            "verdict".into()
        } else {
            "definition".into()
        },
        definition: def.map_or_else(|| "?".to_string(), |d| d.name.clone()),
        def_label: def.and_then(|d| d.label.clone()),
        rule_kind: match rule.kind {
            RuleKind::Base => "rule".into(),
            RuleKind::Overrides(_) => "exception (overrides)".into(),
            RuleKind::Lifts(_) => "exception (lifts)".into(),
        },
        text: dedent(sources, rule.span),
        lines,
        fired_by: fired_by
            .get(rule.name.as_str())
            .map(|f| f.to_vec())
            .unwrap_or_default(),
    }
}

/// A span's text with its first line's indentation restored and the common
/// indentation of every line removed.
fn dedent(sources: &SourceMap, span: crate::source::Span) -> String {
    let (_, col) = sources.line_col(span);
    let text = format!(
        "{}{}",
        " ".repeat(col.saturating_sub(1)),
        sources.snippet(span)
    );
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}
