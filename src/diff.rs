//! The impact of an amendment: a case corpus evaluated under two versions of
//! a policy set, compared verdict by verdict.
//!
//! [`impact`] evaluates every case against the OLD and the NEW program and
//! returns pure data, an [`Impact`]; [`to_text`] and [`to_markdown`] render
//! it. For every verdict whose outcome changed, the impact says what is
//! responsible: the rules (or default) that decided it before and after, the
//! rules whose status changed (a rule added, removed, no longer in force, a
//! discretion now open…), the definitions it read whose outcome changed, and
//! the citations added or removed. A case that loads under one version only
//! (its facts or discretions left the schema) is a change, not an error.
//!
//! Everything is in a deterministic order: cases as given, verdicts in the
//! order the case asks for them (else OLD's declaration order, then verdicts
//! only NEW declares), rules in the order of NEW's trace, then OLD-only rules.

#[cfg(test)]
mod tests;

use crate::case::{load_case, Case, CaseFormat};
use crate::eval::{Engine, Options};
use crate::explain::{CitationRef, Decision, RuleStatus, Verdict};
use crate::ir::Program;
use crate::markdown::{code, escape as esc};
use serde::Serialize;

/// One case file to compare: its name (for the report), text and format.
#[derive(Clone, Debug)]
pub struct CaseInput {
    /// How the report names the case (usually its path).
    pub name: String,
    /// The file's text.
    pub text: String,
    /// The file's format.
    pub format: CaseFormat,
}

/// The impact of an amendment on a case corpus.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Impact {
    /// How the report names the old version (e.g. its path).
    pub old: String,
    /// How the report names the new version.
    pub new: String,
    /// One entry per case, in the order given.
    pub cases: Vec<CaseImpact>,
}

/// What the amendment did to one case.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CaseImpact {
    /// The case's name (its path).
    pub name: String,
    /// The case's description, from whichever version loaded it.
    pub description: Option<String>,
    /// The case's `as_of`, if it has one.
    pub as_of: Option<String>,
    /// Why the case does not load under the old version, if it does not.
    pub load_error_before: Option<String>,
    /// Why the case does not load under the new version, if it does not.
    pub load_error_after: Option<String>,
    /// One entry per verdict compared.
    pub verdicts: Vec<VerdictImpact>,
}

/// One verdict of one case under both versions.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VerdictImpact {
    /// The verdict's name.
    pub name: String,
    /// The outcome under the old version.
    pub before: Side,
    /// The outcome under the new version.
    pub after: Side,
    /// How the outcome changed (`None`: it did not).
    pub change: Option<Change>,
    /// What is responsible (filled in whether or not the outcome changed, so
    /// a rule whose status changed without changing the outcome is visible).
    pub responsible: Responsible,
}

/// A verdict's outcome under one version.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Side {
    /// Decided: the value for people.
    Decided {
        /// The value as displayed.
        display: String,
    },
    /// Undetermined.
    Undetermined {
        /// Why, in one phrase.
        reason: String,
    },
    /// This version has no definition of that name.
    Absent,
    /// The case does not load under this version.
    NotLoaded,
    /// Evaluation failed (a conflict, an arithmetic error, no date).
    Error {
        /// The error message.
        message: String,
    },
}

/// How a verdict's outcome changed.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Decided under both, to different values.
    Value,
    /// Undetermined before, decided now.
    NowDecided,
    /// Decided before, undetermined now.
    NowUndetermined,
    /// The verdict exists only in the new version.
    Added,
    /// The verdict exists only in the old version.
    Removed,
    /// The case loads under one version only.
    Loading,
    /// Evaluation fails under one version only, or with another error.
    Error,
}

/// What is responsible for a verdict's outcome under each version.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Responsible {
    /// What decided the outcome before (`None`: not evaluated).
    pub before: Option<Deciding>,
    /// What decides it after.
    pub after: Option<Deciding>,
    /// The verdict's rules whose status differs between the versions.
    pub rules: Vec<RuleChange>,
    /// Definitions the verdict read whose outcome differs.
    pub definitions: Vec<DefinitionChange>,
    /// Citations behind the outcome after but not before.
    pub citations_added: Vec<CitationRef>,
    /// Citations behind the outcome before but not after.
    pub citations_removed: Vec<CitationRef>,
}

/// What decided an outcome.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Deciding {
    /// These rules (all agreeing).
    Rules {
        /// The rules, with their citations.
        rules: Vec<RuleRef>,
    },
    /// No rule applied: the default.
    Default {
        /// The default's citations.
        citations: Vec<CitationRef>,
    },
    /// Nothing decided it.
    Nothing,
}

/// A rule named with its citations.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RuleRef {
    /// The rule's name.
    pub name: String,
    /// Its citations.
    pub citations: Vec<CitationRef>,
}

/// A rule whose status differs between the versions.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RuleChange {
    /// The rule's name.
    pub rule: String,
    /// Its status before (`None`: the old version has no such rule).
    pub before: Option<RuleStatus>,
    /// Its status after (`None`: the new version has no such rule).
    pub after: Option<RuleStatus>,
    /// Its citations (from the new version if it has the rule).
    pub citations: Vec<CitationRef>,
}

/// A definition read by the verdict whose outcome differs.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DefinitionChange {
    /// The definition's name.
    pub name: String,
    /// Its outcome before (`None`: not read).
    pub before: Option<String>,
    /// Its outcome after (`None`: not read).
    pub after: Option<String>,
}

impl Impact {
    /// The cases with at least one changed verdict.
    pub fn changed(&self) -> impl Iterator<Item = &CaseImpact> {
        self.cases.iter().filter(|c| c.changed())
    }

    /// Whether any verdict of any case changed.
    pub fn any_changed(&self) -> bool {
        self.changed().next().is_some()
    }

    /// How many verdicts changed, over all cases.
    pub fn verdicts_changed(&self) -> usize {
        self.cases
            .iter()
            .map(|c| c.changed_verdicts().count())
            .sum()
    }
}

impl CaseImpact {
    /// Whether a verdict changed (or the case loads under one version only).
    pub fn changed(&self) -> bool {
        self.load_error_before.is_some() != self.load_error_after.is_some()
            || self.changed_verdicts().next().is_some()
    }

    /// The verdicts whose outcome changed.
    pub fn changed_verdicts(&self) -> impl Iterator<Item = &VerdictImpact> {
        self.verdicts.iter().filter(|v| v.change.is_some())
    }

    /// Verdicts with the same outcome but a rule that now (or no longer)
    /// applies, is overridden, depends on missing facts or is an open or
    /// exercised discretion. Rules that neither version applies, such as a
    /// new rule not yet in force, are left out.
    pub fn quiet_changes(&self) -> impl Iterator<Item = &VerdictImpact> {
        self.verdicts
            .iter()
            .filter(|v| v.change.is_none() && v.responsible.live_rules().next().is_some())
    }
}

impl Responsible {
    /// The rule changes where at least one version gives the rule a part
    /// in the outcome (not merely absent, not in force or not applicable).
    pub fn live_rules(&self) -> impl Iterator<Item = &RuleChange> {
        let inert = |s: Option<RuleStatus>| {
            matches!(
                s,
                None | Some(RuleStatus::NotInForce) | Some(RuleStatus::NotApplicable)
            )
        };
        self.rules
            .iter()
            .filter(move |r| !(inert(r.before) && inert(r.after)))
    }
}

/// Evaluates every case under both programs and compares the verdicts.
pub fn impact(old: &Program, new: &Program, cases: &[CaseInput]) -> Impact {
    Impact {
        old: "OLD".to_string(),
        new: "NEW".to_string(),
        cases: cases.iter().map(|c| case_impact(old, new, c)).collect(),
    }
}

/// Loads a case, or says in one line why it does not load.
fn load(program: &Program, input: &CaseInput) -> Result<Case, String> {
    load_case(program, &input.name, &input.text, input.format).map_err(|errors| {
        let more = errors.0.len().saturating_sub(1);
        if more == 0 {
            errors.to_string()
        } else {
            format!("{errors} (and {more} more)")
        }
    })
}

/// The names of the verdicts a case asks for under one program: its
/// `verdicts`, else its `expect` keys, else `None` (every verdict).
fn asked(program: &Program, case: &Case) -> Option<Vec<String>> {
    let ids = if case.verdicts.is_empty() {
        case.expect.iter().map(|(d, _)| *d).collect::<Vec<_>>()
    } else {
        case.verdicts.clone()
    };
    if ids.is_empty() {
        return None;
    }
    Some(
        ids.iter()
            .filter_map(|id| program.definitions.get(id.index()))
            .map(|d| d.name.clone())
            .collect(),
    )
}

fn all_verdicts(program: &Program) -> Vec<String> {
    program
        .verdicts()
        .filter_map(|id| program.definitions.get(id.index()))
        .map(|d| d.name.clone())
        .collect()
}

fn push_new(names: &mut Vec<String>, more: Vec<String>) {
    for name in more {
        if !names.contains(&name) {
            names.push(name);
        }
    }
}

fn case_impact(old: &Program, new: &Program, input: &CaseInput) -> CaseImpact {
    let before = load(old, input);
    let after = load(new, input);
    let loaded: Vec<(&Program, &Case)> = [(old, before.as_ref()), (new, after.as_ref())]
        .into_iter()
        .filter_map(|(p, c)| c.ok().map(|c| (p, c)))
        .collect();
    let mut names = Vec::new();
    let asked_any = loaded.iter().any(|(p, c)| asked(p, c).is_some());
    for (program, case) in &loaded {
        match asked(program, case) {
            Some(list) => push_new(&mut names, list),
            None if !asked_any => push_new(&mut names, all_verdicts(program)),
            None => {}
        }
    }
    let some_case = after.as_ref().ok().or(before.as_ref().ok());
    let verdicts = if loaded.is_empty() {
        Vec::new()
    } else {
        names
            .iter()
            .map(|name| {
                let b = evaluate(old, before.as_ref().ok(), name);
                let a = evaluate(new, after.as_ref().ok(), name);
                compare(name, b, a)
            })
            .collect()
    };
    CaseImpact {
        name: input.name.clone(),
        description: some_case.and_then(|c| c.description.clone()),
        as_of: some_case.and_then(|c| c.as_of).map(|d| d.to_string()),
        load_error_before: before.err(),
        load_error_after: after.err(),
        verdicts,
    }
}

/// One verdict under one version: its outcome and, when evaluated, its trace.
fn evaluate(program: &Program, case: Option<&Case>, name: &str) -> (Side, Option<Verdict>) {
    let Some(case) = case else {
        return (Side::NotLoaded, None);
    };
    let Some(def) = program.definition(name) else {
        return (Side::Absent, None);
    };
    let options = Options {
        as_of: None,
        verdicts: vec![def],
    };
    match Engine::new(program).evaluate(case, &options) {
        Ok(evaluation) => match evaluation.verdict_ids().first() {
            Some(&def) => {
                let verdict = evaluation.summary(def);
                let side = match &verdict.undetermined {
                    None => Side::Decided {
                        display: verdict.display.clone(),
                    },
                    Some(reason) => Side::Undetermined {
                        reason: reason.clone(),
                    },
                };
                (side, Some(verdict))
            }
            None => (Side::Absent, None),
        },
        Err(e) => (
            Side::Error {
                message: e.to_string(),
            },
            None,
        ),
    }
}

fn change(before: &Side, after: &Side) -> Option<Change> {
    use Side::*;
    match (before, after) {
        (Decided { display: b }, Decided { display: a }) if a == b => None,
        (Decided { .. }, Decided { .. }) => Some(Change::Value),
        (Undetermined { .. }, Undetermined { .. }) | (Absent, Absent) | (NotLoaded, NotLoaded) => {
            None
        }
        (Error { message: b }, Error { message: a }) if a == b => None,
        (NotLoaded, _) | (_, NotLoaded) => Some(Change::Loading),
        (Absent, _) => Some(Change::Added),
        (_, Absent) => Some(Change::Removed),
        (Error { .. }, _) | (_, Error { .. }) => Some(Change::Error),
        (Undetermined { .. }, Decided { .. }) => Some(Change::NowDecided),
        (Decided { .. }, Undetermined { .. }) => Some(Change::NowUndetermined),
    }
}

fn compare(
    name: &str,
    (before, vb): (Side, Option<Verdict>),
    (after, va): (Side, Option<Verdict>),
) -> VerdictImpact {
    VerdictImpact {
        name: name.to_string(),
        change: change(&before, &after),
        before,
        after,
        responsible: responsible(vb.as_ref(), va.as_ref()),
    }
}

fn deciding(v: &Verdict) -> Deciding {
    match &v.decision {
        Decision::Rules { rules } => Deciding::Rules {
            rules: rules
                .iter()
                .map(|name| RuleRef {
                    name: name.clone(),
                    citations: v
                        .rules
                        .iter()
                        .find(|r| &r.name == name)
                        .map(|r| r.citations.clone())
                        .unwrap_or_default(),
                })
                .collect(),
        },
        Decision::Default { citations } => Deciding::Default {
            citations: citations.clone(),
        },
        Decision::Nothing => Deciding::Nothing,
    }
}

fn responsible(before: Option<&Verdict>, after: Option<&Verdict>) -> Responsible {
    let mut out = Responsible {
        before: before.map(deciding),
        after: after.map(deciding),
        ..Responsible::default()
    };
    let (Some(b), Some(a)) = (before, after) else {
        // Only one side evaluated: the whole verdict is the change.
        return out;
    };
    for rule in &a.rules {
        let old = b
            .rules
            .iter()
            .find(|r| r.name == rule.name)
            .map(|r| r.status);
        if old != Some(rule.status) {
            out.rules.push(RuleChange {
                rule: rule.name.clone(),
                before: old,
                after: Some(rule.status),
                citations: rule.citations.clone(),
            });
        }
    }
    for rule in &b.rules {
        if !a.rules.iter().any(|r| r.name == rule.name) {
            out.rules.push(RuleChange {
                rule: rule.name.clone(),
                before: Some(rule.status),
                after: None,
                citations: rule.citations.clone(),
            });
        }
    }
    let outcome_of = |v: &Verdict, name: &str| {
        v.definitions
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.display.clone())
    };
    let mut names: Vec<&str> = a.definitions.iter().map(|d| d.name.as_str()).collect();
    for d in &b.definitions {
        if !names.contains(&d.name.as_str()) {
            names.push(&d.name);
        }
    }
    for name in names {
        let (old, new) = (outcome_of(b, name), outcome_of(a, name));
        if old != new {
            out.definitions.push(DefinitionChange {
                name: name.to_string(),
                before: old,
                after: new,
            });
        }
    }
    out.citations_added = a
        .citations
        .iter()
        .filter(|c| !b.citations.contains(c))
        .cloned()
        .collect();
    out.citations_removed = b
        .citations
        .iter()
        .filter(|c| !a.citations.contains(c))
        .cloned()
        .collect();
    out
}

// ---------------------------------------------------------------------------
// Rendering

/// A rule status in words.
fn status(s: Option<RuleStatus>, version: &str) -> String {
    match s {
        None => format!("not in the {version} version"),
        Some(RuleStatus::Applied) => "applies".into(),
        Some(RuleStatus::Overridden) => "overridden".into(),
        Some(RuleStatus::NotApplicable) => "does not apply".into(),
        Some(RuleStatus::NotInForce) => "not in force".into(),
        Some(RuleStatus::Unknown) => "unknown (missing facts)".into(),
        Some(RuleStatus::DiscretionOpen) => "open discretion".into(),
        Some(RuleStatus::DiscretionExercised) => "discretion exercised".into(),
        Some(RuleStatus::DiscretionDeclined) => "discretion declined".into(),
    }
}

fn side_text(s: &Side) -> String {
    match s {
        Side::Decided { display } => display.clone(),
        Side::Undetermined { .. } => "undetermined".into(),
        Side::Absent => "(no such verdict)".into(),
        Side::NotLoaded => "(case does not load)".into(),
        Side::Error { message } => format!("error: {message}"),
    }
}

fn cites(citations: &[CitationRef]) -> String {
    citations
        .iter()
        .map(|c| format!("{} {}", c.source, c.pinpoint))
        .collect::<Vec<_>>()
        .join("; ")
}

fn with_cites(name: &str, citations: &[CitationRef]) -> String {
    if citations.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", cites(citations))
    }
}

fn deciding_text(d: &Deciding, code: &dyn Fn(&str) -> String) -> String {
    match d {
        Deciding::Rules { rules } => {
            let names: Vec<String> = rules
                .iter()
                .map(|r| with_cites(&code(&r.name), &r.citations))
                .collect();
            format!("rule {}", names.join(", "))
        }
        Deciding::Default { citations } => with_cites("the default", citations),
        Deciding::Nothing => "nothing (no rule applies, no default)".into(),
    }
}

/// The lines saying what is responsible for one verdict's change.
fn responsible_lines(v: &VerdictImpact, code: &dyn Fn(&str) -> String) -> Vec<String> {
    let r = &v.responsible;
    let mut lines = Vec::new();
    match (&r.before, &r.after) {
        (Some(b), Some(a)) if b == a => {
            lines.push(format!("still decided by {}", deciding_text(a, code)));
        }
        (b, a) => {
            if let Some(b) = b {
                lines.push(format!("before: decided by {}", deciding_text(b, code)));
            }
            if let Some(a) = a {
                lines.push(format!("after: decided by {}", deciding_text(a, code)));
            }
        }
    }
    for rc in &r.rules {
        lines.push(format!(
            "rule {}: {} → {}",
            code(&rc.rule),
            status(rc.before, "old"),
            status(rc.after, "new")
        ));
    }
    for d in &r.definitions {
        lines.push(match (&d.before, &d.after) {
            (Some(b), Some(a)) => format!("because {} changed: {b} → {a}", code(&d.name)),
            (None, Some(a)) => format!("now reads {} ({a})", code(&d.name)),
            (Some(b), None) => format!("no longer reads {} (was {b})", code(&d.name)),
            (None, None) => format!("reads {}", code(&d.name)),
        });
    }
    // Citations of the deciding rules are shown with them already.
    let shown = |d: &Option<Deciding>| -> Vec<CitationRef> {
        match d {
            Some(Deciding::Rules { rules }) => {
                rules.iter().flat_map(|r| r.citations.clone()).collect()
            }
            Some(Deciding::Default { citations }) => citations.clone(),
            _ => Vec::new(),
        }
    };
    let (shown_before, shown_after) = (shown(&r.before), shown(&r.after));
    let added: Vec<CitationRef> = r
        .citations_added
        .iter()
        .filter(|c| !shown_after.contains(c))
        .cloned()
        .collect();
    let removed: Vec<CitationRef> = r
        .citations_removed
        .iter()
        .filter(|c| !shown_before.contains(c))
        .cloned()
        .collect();
    if !added.is_empty() {
        lines.push(format!("also cites now: {}", cites(&added)));
    }
    if !removed.is_empty() {
        lines.push(format!("no longer cites: {}", cites(&removed)));
    }
    lines
}

fn quiet_line(v: &VerdictImpact, code: &dyn Fn(&str) -> String) -> String {
    let rules: Vec<String> = v
        .responsible
        .live_rules()
        .map(|rc| {
            format!(
                "rule {}: {} → {}",
                code(&rc.rule),
                status(rc.before, "old"),
                status(rc.after, "new")
            )
        })
        .collect();
    format!(
        "{} stays {}; {}",
        code(&v.name),
        side_text(&v.after),
        rules.join("; ")
    )
}

fn summary(impact: &Impact) -> String {
    let changed = impact.changed().count();
    let verdicts = impact.verdicts_changed();
    format!(
        "{changed} of {} case{} changed ({verdicts} verdict{} changed)",
        impact.cases.len(),
        if impact.cases.len() == 1 { "" } else { "s" },
        if verdicts == 1 { "" } else { "s" }
    )
}

fn load_lines(c: &CaseImpact) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(e) = &c.load_error_before {
        lines.push(format!("does not load under the old version: {e}"));
    }
    if let Some(e) = &c.load_error_after {
        lines.push(format!("does not load under the new version: {e}"));
    }
    lines
}

/// The impact as terminal text: one block per changed case (and per case
/// whose rules changed status without changing a verdict), then a summary.
pub fn to_text(impact: &Impact) -> String {
    let plain = |s: &str| s.to_string();
    let mut out = format!("impact of {} → {}\n", impact.old, impact.new);
    for c in &impact.cases {
        let quiet: Vec<&VerdictImpact> = c.quiet_changes().collect();
        if !c.changed() && quiet.is_empty() {
            continue;
        }
        out.push('\n');
        let as_of = c
            .as_of
            .as_ref()
            .map(|d| format!(" (as of {d})"))
            .unwrap_or_default();
        let n = c.changed_verdicts().count();
        let changed = match n {
            0 => "no verdict changed".to_string(),
            1 => "1 verdict changed".to_string(),
            n => format!("{n} verdicts changed"),
        };
        out.push_str(&format!("{}{as_of}: {changed}\n", c.name));
        for line in load_lines(c) {
            out.push_str(&format!("  {line}\n"));
        }
        for v in c.changed_verdicts() {
            out.push_str(&format!(
                "  {}: {} → {}\n",
                v.name,
                side_text(&v.before),
                side_text(&v.after)
            ));
            for line in responsible_lines(v, &plain) {
                out.push_str(&format!("      {line}\n"));
            }
        }
        for v in quiet {
            out.push_str(&format!("  {}\n", quiet_line(v, &plain)));
        }
    }
    out.push('\n');
    out.push_str(&summary(impact));
    out.push('\n');
    out
}

/// The impact as Markdown for a review: a summary line, then one section per
/// changed case with a table verdict | before | after | responsible.
pub fn to_markdown(impact: &Impact) -> String {
    // Names go in code spans; everything else is escaped text.
    let md_code = |s: &str| code(s);
    let mut out = format!(
        "# Impact of {} → {}\n\n**{}.**\n",
        code(&impact.old),
        code(&impact.new),
        summary(impact)
    );
    let mut unchanged = Vec::new();
    for c in &impact.cases {
        let quiet: Vec<&VerdictImpact> = c.quiet_changes().collect();
        if !c.changed() && quiet.is_empty() {
            unchanged.push(code(&c.name));
            continue;
        }
        out.push_str(&format!("\n## {}\n\n", code(&c.name)));
        let mut intro = Vec::new();
        if let Some(d) = &c.description {
            intro.push(esc(d));
        }
        if let Some(d) = &c.as_of {
            intro.push(format!("*As of {d}.*"));
        }
        if !intro.is_empty() {
            out.push_str(&intro.join(" "));
            out.push_str("\n\n");
        }
        for line in load_lines(c) {
            out.push_str(&format!("**The case {}**\n\n", esc_outside_code(&line)));
        }
        if c.changed_verdicts().next().is_some() {
            out.push_str("| verdict | before | after | responsible |\n|---|---|---|---|\n");
            for v in c.changed_verdicts() {
                let lines: Vec<String> = responsible_lines(v, &md_code)
                    .iter()
                    .map(|l| esc_outside_code(l))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | **{}** | {} |\n",
                    code(&v.name),
                    esc(&side_text(&v.before)),
                    esc(&side_text(&v.after)),
                    lines.join("<br>")
                ));
            }
        }
        if !quiet.is_empty() {
            if c.changed_verdicts().next().is_some() {
                out.push('\n');
            }
            out.push_str("Unchanged verdicts whose rules changed:\n\n");
            for v in quiet {
                out.push_str(&format!(
                    "- {}\n",
                    esc_outside_code(&quiet_line(v, &md_code))
                ));
            }
        }
    }
    if !unchanged.is_empty() {
        out.push_str(&format!(
            "\n## Unchanged\n\n{}\n",
            unchanged
                .iter()
                .map(|n| format!("- {n}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    out
}

/// Escapes the text of a line outside its code spans (which hold names).
fn esc_outside_code(line: &str) -> String {
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{part}`")
            } else {
                esc(part)
            }
        })
        .collect()
}
