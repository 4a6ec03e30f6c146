//! Article coverage: which rules, and so which cited articles, the policy
//! tests and the case corpus exercised.
//!
//! [`Coverage::measure`] evaluates every case the way `refuge test` does (the
//! definitions a case `expect`s, else the verdicts it asks for, else every
//! verdict) and follows the definitions each evaluated definition actually
//! read, so the rules of sub-definitions are traced too. Every definition
//! reached is explained, and each of its rules is classified by the strongest
//! status it had across all cases:
//!
//! - **fired**: `applied`, `overridden` (its condition held and an exception
//!   defeated it), `discretion_exercised` or `discretion_open`. An open
//!   discretion counts as fired: the case reached the point where the
//!   discretion is available (in force, conditions not false) and the
//!   explanation presents it, with its citations, to the decision-maker; which
//!   way the holder decides is the case's business, not the rule's.
//! - **considered**: its definition was evaluated but the rule did not fire:
//!   `not_applicable`, `not_in_force`, `unknown` (the condition depends on
//!   missing facts) or `discretion_declined`.
//! - **unreached**: no case evaluated its definition.
//!
//! Only the definitions an evaluation needs are reached: asking the engine for
//! every definition would evaluate each of them for each case, so that nothing
//! could be unreached and a rule without a condition would count as fired by
//! cases that never look at it.
//!
//! The figures are aggregated per source and per article (source and
//! pinpoint). A rule citing several sources or articles counts for each; an
//! article is *covered* when at least one of its rules fired. Only rules and
//! exceptions are counted: defaults, settings and table rows are not. Sources
//! come in declaration order (those no rule cites are left out), articles in
//! natural order of their pinpoints (`Art. 2` before `Art. 10`), rules in
//! declaration order. The renderers [`to_text`] and [`to_markdown`] are pure
//! functions of a [`Coverage`].

#[cfg(test)]
mod tests;

use crate::case::Case;
use crate::eval::{Engine, Options};
use crate::explain::{Evaluation, RuleStatus};
use crate::ir::{DefId, Program};
use crate::markdown::escape as esc;
use crate::testing::DEFAULT_TEST_DATE;
use std::collections::BTreeMap;

/// How far the cases took a rule (ordered: the strongest is the greatest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// No case evaluated the rule's definition.
    Unreached,
    /// Its definition was evaluated, but the rule never fired.
    Considered,
    /// It fired in at least one case.
    Fired,
}

impl Reach {
    /// The reach a rule's status in one evaluation shows.
    pub fn of_status(status: RuleStatus) -> Reach {
        match status {
            RuleStatus::Applied
            | RuleStatus::Overridden
            | RuleStatus::DiscretionExercised
            | RuleStatus::DiscretionOpen => Reach::Fired,
            RuleStatus::NotApplicable
            | RuleStatus::NotInForce
            | RuleStatus::Unknown
            | RuleStatus::DiscretionDeclined => Reach::Considered,
        }
    }

    /// `fired`, `considered` or `unreached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Unreached => "unreached",
            Reach::Considered => "considered",
            Reach::Fired => "fired",
        }
    }
}

/// How many items (rules or articles) reached each [`Reach`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Fired (for articles: covered).
    pub fired: usize,
    /// Considered but never fired.
    pub considered: usize,
    /// Never reached.
    pub unreached: usize,
}

impl Counts {
    /// Counts one more item.
    pub fn add(&mut self, reach: Reach) {
        match reach {
            Reach::Fired => self.fired += 1,
            Reach::Considered => self.considered += 1,
            Reach::Unreached => self.unreached += 1,
        }
    }

    /// Every item counted.
    pub fn total(&self) -> usize {
        self.fired + self.considered + self.unreached
    }

    /// The share of items that fired, in percent (100 when there are none).
    pub fn fired_percent(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            100.0
        } else {
            self.fired as f64 * 100.0 / total as f64
        }
    }
}

/// One rule's coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleCoverage {
    /// The rule's name.
    pub name: String,
    /// The definition it belongs to.
    pub definition: String,
    /// The strongest status it had in any case.
    pub reach: Reach,
    /// In how many cases it fired.
    pub fired_in: usize,
    /// In how many cases it was considered and did not fire.
    pub considered_in: usize,
    /// The names of the cases in which it fired, in the order they were
    /// measured, each once (see [`Coverage::measure_named`]).
    pub fired_by: Vec<String>,
}

/// One article (a source and a pinpoint) and the rules citing it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleCoverage {
    /// The pinpoint (`Art. 7(1)`).
    pub pinpoint: String,
    /// The strongest reach of its rules (`Fired`: the article is covered).
    pub reach: Reach,
    /// Its rules, by reach.
    pub rules: Counts,
    /// Its rules that never fired, in declaration order, with their reach.
    pub not_fired: Vec<(String, Reach)>,
}

/// One source's coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceCoverage {
    /// The source's short name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The rules citing it, by reach (each rule once).
    pub rules: Counts,
    /// Its articles, by reach (`fired`: covered).
    pub articles: Counts,
    /// Its articles, in natural order of their pinpoints.
    pub by_article: Vec<ArticleCoverage>,
}

/// What the tests and cases exercised of a program.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// How many cases were evaluated.
    pub cases: usize,
    /// How many of them failed to evaluate some definition (what they did
    /// evaluate still counts).
    pub errors: usize,
    /// Every rule and exception, in declaration order.
    pub rules: Vec<RuleCoverage>,
    /// Every rule, by reach (each rule once).
    pub totals: Counts,
    /// Every article of every source, by reach (`fired`: covered).
    pub articles: Counts,
    /// Per source cited by at least one rule, in declaration order.
    pub sources: Vec<SourceCoverage>,
}

impl Coverage {
    /// Evaluates every case against `program` and records what each rule did.
    ///
    /// A case is evaluated as of its `as_of`, or the tests' default date.
    pub fn measure<'c>(program: &Program, cases: impl IntoIterator<Item = &'c Case>) -> Coverage {
        let mut recorder = Recorder::new(program);
        for case in cases {
            let name = case
                .description
                .clone()
                .unwrap_or_else(|| format!("case {}", recorder.cases + 1));
            recorder.record(&name, case);
        }
        recorder.finish()
    }

    /// Like [`Coverage::measure`], with the name each case goes by in
    /// [`RuleCoverage::fired_by`] (a test's name, a case file's path).
    pub fn measure_named<'c>(
        program: &Program,
        cases: impl IntoIterator<Item = (&'c str, &'c Case)>,
    ) -> Coverage {
        let mut recorder = Recorder::new(program);
        for (name, case) in cases {
            recorder.record(name, case);
        }
        recorder.finish()
    }

    /// The share of rules that fired, in percent.
    pub fn rules_fired_percent(&self) -> f64 {
        self.totals.fired_percent()
    }

    /// The share of articles covered, in percent.
    pub fn articles_covered_percent(&self) -> f64 {
        self.articles.fired_percent()
    }
}

/// Per-rule tallies while the cases are evaluated.
struct Recorder<'p> {
    program: &'p Program,
    engine: Engine<'p>,
    fired_in: Vec<usize>,
    considered_in: Vec<usize>,
    /// Per rule: the names of the cases it fired in.
    fired_by: Vec<Vec<String>>,
    cases: usize,
    errors: usize,
}

impl<'p> Recorder<'p> {
    fn new(program: &'p Program) -> Self {
        Recorder {
            program,
            engine: Engine::new(program),
            fired_in: vec![0; program.rules.len()],
            considered_in: vec![0; program.rules.len()],
            fired_by: vec![Vec::new(); program.rules.len()],
            cases: 0,
            errors: 0,
        }
    }

    /// Evaluates one case's roots once: every definition the evaluation
    /// reads is a node of its derivation graph, and every rule of every node
    /// is tallied. On an evaluation error, each root on its own, leaving out
    /// those that fail.
    fn record(&mut self, name: &str, case: &Case) {
        self.cases += 1;
        let program = self.program;
        let roots: Vec<DefId> = if !case.expect.is_empty() {
            case.expect.iter().map(|(d, _)| *d).collect()
        } else if !case.verdicts.is_empty() {
            case.verdicts.clone()
        } else {
            program.verdicts().collect()
        };
        let as_of = case.as_of.unwrap_or(DEFAULT_TEST_DATE);
        let options = |ids: &[DefId]| Options {
            as_of: Some(as_of),
            verdicts: ids.to_vec(),
        };
        let mut seen = vec![false; program.rules.len()];
        match self.engine.evaluate(case, &options(&roots)) {
            Ok(evaluation) => self.tally(name, &evaluation, &mut seen),
            Err(_) => {
                self.errors += 1;
                for root in &roots {
                    if let Ok(evaluation) = self
                        .engine
                        .evaluate(case, &options(std::slice::from_ref(root)))
                    {
                        self.tally(name, &evaluation, &mut seen);
                    }
                }
            }
        }
    }

    /// Counts each rule of each node once per case.
    fn tally(&mut self, case: &str, evaluation: &Evaluation, seen: &mut [bool]) {
        let graph = evaluation.derivation();
        for node in graph.nodes() {
            for entry in graph.rules_of(node) {
                let id = entry.rule;
                match seen.get_mut(id.index()) {
                    Some(flag) if !*flag => *flag = true,
                    _ => continue,
                }
                let reach = Reach::of_status(RuleStatus::of(entry));
                if reach == Reach::Fired {
                    if let Some(names) = self.fired_by.get_mut(id.index()) {
                        if names.last().is_none_or(|n| n != case) {
                            names.push(case.to_string());
                        }
                    }
                }
                let slot = match reach {
                    Reach::Fired => self.fired_in.get_mut(id.index()),
                    _ => self.considered_in.get_mut(id.index()),
                };
                if let Some(n) = slot {
                    *n += 1;
                }
            }
        }
    }

    fn finish(self) -> Coverage {
        let program = self.program;
        let rules: Vec<RuleCoverage> = program
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let fired_in = self.fired_in.get(i).copied().unwrap_or(0);
                let considered_in = self.considered_in.get(i).copied().unwrap_or(0);
                RuleCoverage {
                    name: rule.name.clone(),
                    definition: program
                        .definitions
                        .get(rule.def.index())
                        .map_or_else(|| "?".to_string(), |d| d.name.clone()),
                    reach: if fired_in > 0 {
                        Reach::Fired
                    } else if considered_in > 0 {
                        Reach::Considered
                    } else {
                        Reach::Unreached
                    },
                    fired_in,
                    considered_in,
                    fired_by: self.fired_by.get(i).cloned().unwrap_or_default(),
                }
            })
            .collect();

        let mut totals = Counts::default();
        // Per source id: the rules citing it, and per pinpoint its rules.
        let mut by_source: BTreeMap<usize, SourceAcc> = BTreeMap::new();
        for (rule, coverage) in program.rules.iter().zip(&rules) {
            totals.add(coverage.reach);
            for cite in &rule.meta.cites {
                let acc = by_source.entry(cite.source.index()).or_default();
                // A rule's citations are walked together: a repeat is last.
                if acc.rules.last() != Some(&coverage.name) {
                    acc.rules.push(coverage.name.clone());
                    acc.counts.add(coverage.reach);
                }
                let article = acc
                    .articles
                    .entry(natural_key(cite.pinpoint.key()))
                    .or_default();
                if article
                    .last()
                    .is_none_or(|(name, _)| *name != coverage.name)
                {
                    article.push((coverage.name.clone(), coverage.reach));
                }
            }
        }

        let mut articles = Counts::default();
        let sources = by_source
            .into_iter()
            .map(|(index, acc)| {
                let info = program.sources.get(index);
                let mut counts = Counts::default();
                let by_article: Vec<ArticleCoverage> = acc
                    .articles
                    .into_iter()
                    .map(|(key, rules)| {
                        let mut rule_counts = Counts::default();
                        for (_, reach) in &rules {
                            rule_counts.add(*reach);
                        }
                        let reach = rules
                            .iter()
                            .map(|(_, r)| *r)
                            .max()
                            .unwrap_or(Reach::Unreached);
                        counts.add(reach);
                        articles.add(reach);
                        ArticleCoverage {
                            pinpoint: key.1,
                            reach,
                            rules: rule_counts,
                            not_fired: rules
                                .into_iter()
                                .filter(|(_, r)| *r != Reach::Fired)
                                .collect(),
                        }
                    })
                    .collect();
                SourceCoverage {
                    name: info.map_or_else(|| "?".to_string(), |s| s.name.to_string()),
                    title: info.map_or_else(String::new, |s| s.title.to_string()),
                    rules: acc.counts,
                    articles: counts,
                    by_article,
                }
            })
            .collect();

        Coverage {
            cases: self.cases,
            errors: self.errors,
            rules,
            totals,
            articles,
            sources,
        }
    }
}

/// What one source gathers while the rules are walked.
#[derive(Default)]
struct SourceAcc {
    /// Names of the rules citing it (each once).
    rules: Vec<String>,
    counts: Counts,
    /// Per pinpoint: its rules and their reach, in declaration order.
    articles: BTreeMap<NaturalKey, Vec<(String, Reach)>>,
}

/// A pinpoint's natural-order key, with the pinpoint itself as the tiebreak.
type NaturalKey = (Vec<Chunk>, String);

/// A piece of a pinpoint for natural ordering: a run of digits (compared by
/// length without leading zeros, then by digits) sorts before text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Chunk {
    Number(usize, String),
    Text(String),
}

/// The natural-order key of a pinpoint, with the pinpoint as the tiebreak.
fn natural_key(pinpoint: &str) -> NaturalKey {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    let push = |chunks: &mut Vec<Chunk>, current: &mut String, digits: bool| {
        if current.is_empty() {
            return;
        }
        let text = std::mem::take(current);
        chunks.push(if digits {
            let trimmed = text.trim_start_matches('0').to_string();
            Chunk::Number(trimmed.len(), trimmed)
        } else {
            Chunk::Text(text)
        });
    };
    for c in pinpoint.chars() {
        let is_digit = c.is_ascii_digit();
        if is_digit != digits {
            push(&mut chunks, &mut current, digits);
            digits = is_digit;
        }
        current.push(c);
    }
    push(&mut chunks, &mut current, digits);
    (chunks, pinpoint.to_string())
}

/// A percentage with one decimal, rounded down (so a figure never shows
/// above the share it stands for).
pub fn percent(value: f64) -> String {
    format!("{:.1}%", (value * 10.0).floor() / 10.0)
}

/// `n of m rules fired (p%)`, or `… articles covered …`.
fn share(counts: &Counts, what: &str, done: &str) -> String {
    format!(
        "{} of {} {what} {done} ({})",
        counts.fired,
        counts.total(),
        percent(counts.fired_percent())
    )
}

/// `n of m rules fired (p%)`.
fn rules_share(counts: &Counts) -> String {
    share(counts, "rules", "fired")
}

/// `n of m articles covered (p%)`.
fn articles_share(counts: &Counts) -> String {
    share(counts, "articles", "covered")
}

/// The terminal report: a summary line, then per source a line with its
/// fired/considered/unreached rule counts and percentages, followed by the
/// articles needing attention (only considered, never reached, or covered
/// with some rules that never fired) with the rules that did not fire.
pub fn to_text(c: &Coverage) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "coverage: {} case(s); {}; {}\n",
        c.cases,
        rules_share(&c.totals),
        articles_share(&c.articles)
    ));
    if c.errors > 0 {
        out.push_str(&format!(
            "  {} case(s) could not evaluate every definition\n",
            c.errors
        ));
    }
    let width = c
        .sources
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(s.name.as_str()))
        .max()
        .unwrap_or(0);
    for source in &c.sources {
        let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(source.name.as_str()));
        out.push_str(&format!(
            "{}{:pad$}  rules {}/{}/{} fired/considered/unreached ({} fired)  articles {}/{} covered ({})\n",
            source.name,
            "",
            source.rules.fired,
            source.rules.considered,
            source.rules.unreached,
            percent(source.rules.fired_percent()),
            source.articles.fired,
            source.articles.total(),
            percent(source.articles.fired_percent()),
        ));
        for article in source.by_article.iter().filter(|a| !a.not_fired.is_empty()) {
            let rules: Vec<String> = article
                .not_fired
                .iter()
                .map(|(name, reach)| format!("{name} ({})", reach.as_str()))
                .collect();
            out.push_str(&format!(
                "    {:<15}  {}: {}\n",
                article_status(article.reach),
                article.pinpoint,
                rules.join(", ")
            ));
        }
    }
    out
}

/// The Markdown report a reviewer can paste: the summary, then per source a
/// heading and a table of its articles with their rule counts and the rules
/// that did not fire. Ends with a single newline.
pub fn to_markdown(c: &Coverage) -> String {
    let mut blocks = vec![
        "# Article coverage".to_string(),
        format!(
            "{} case(s) evaluated: **{}**, **{}**.",
            c.cases,
            rules_share(&c.totals),
            articles_share(&c.articles)
        ),
    ];
    if c.errors > 0 {
        blocks.push(format!(
            "{} case(s) could not evaluate every definition.",
            c.errors
        ));
    }
    blocks.push(
        "A rule *fired* when it applied, was overridden by an exception, or is a discretion \
         the case exercised or left open; it was *considered* when its definition was \
         evaluated but it did not fire; *unreached* rules belong to definitions no case \
         evaluated. An article is covered when one of its rules fired."
            .to_string(),
    );
    for source in &c.sources {
        blocks.push(format!("## `{}`: {}", source.name, esc(&source.title)));
        blocks.push(format!(
            "{}, {} considered, {} unreached; {}.",
            rules_share(&source.rules),
            source.rules.considered,
            source.rules.unreached,
            articles_share(&source.articles)
        ));
        let mut table = vec![
            "| Article | Coverage | Fired | Considered | Unreached | Rules not fired |".to_string(),
            "|---|---|---:|---:|---:|---|".to_string(),
        ];
        for article in &source.by_article {
            let not_fired: Vec<String> = article
                .not_fired
                .iter()
                .map(|(name, reach)| format!("`{name}` ({})", reach.as_str()))
                .collect();
            let row = format!(
                "| {} | {} | {} | {} | {} | {} |",
                esc(&article.pinpoint),
                article_status(article.reach),
                article.rules.fired,
                article.rules.considered,
                article.rules.unreached,
                not_fired.join(", ")
            );
            // An empty last cell without a doubled space.
            table.push(row.replace("|  |", "| |"));
        }
        blocks.push(table.join("\n"));
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// How an article stands, in words.
fn article_status(reach: Reach) -> &'static str {
    match reach {
        Reach::Fired => "covered",
        Reach::Considered => "considered only",
        Reach::Unreached => "never reached",
    }
}
