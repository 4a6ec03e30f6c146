//! Findings in the policy's own terms, as miette diagnostics with stable
//! codes (`docs/errors.md`), and the drafters' `accept` clauses.

use super::witness::Witness;
use crate::diagnostic::Related;
use crate::ir::{AcceptKind, DefId, FactId, Program, RuleId};
use crate::source::Span;
use jiff::civil::Date;
use miette::{Diagnostic, LabeledSpan, Severity};
use std::fmt;

/// What kind of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Two rules of equal standing both apply with different values.
    Overlap,
    /// No rule applies and there is no default, with every fact known.
    Gap,
    /// A rule is never active: its condition never holds (`defeated:
    /// false`) or an exception always defeats it (`defeated: true`).
    DeadRule {
        /// It applies in some case, but is then always defeated.
        defeated: bool,
    },
    /// A rule whose force ends on `end` and one whose force begins on
    /// `begin < end` both apply between the two dates.
    WindowOverlap {
        /// The end of the earlier rule's force.
        end: Date,
        /// The start of the later rule's force.
        begin: Date,
    },
    /// Between the end of one rule's force and the later start of
    /// another's, a case both cover is decided by neither.
    WindowGap {
        /// The end of the earlier rule's force.
        end: Date,
        /// The start of the later rule's force.
        begin: Date,
    },
}

impl FindingKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::Overlap => "refuge::analysis::overlap",
            FindingKind::Gap => "refuge::analysis::gap",
            FindingKind::DeadRule { .. } => "refuge::analysis::dead_rule",
            FindingKind::WindowOverlap { .. } => "refuge::analysis::window_overlap",
            FindingKind::WindowGap { .. } => "refuge::analysis::window_gap",
        }
    }

    /// The `accept` word that accepts it.
    pub fn accept(self) -> AcceptKind {
        match self {
            FindingKind::Overlap => AcceptKind::Overlap,
            FindingKind::Gap => AcceptKind::Gap,
            FindingKind::DeadRule { .. } => AcceptKind::Dead,
            FindingKind::WindowOverlap { .. } | FindingKind::WindowGap { .. } => AcceptKind::Window,
        }
    }
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The definition.
    pub def: DefId,
    /// The rules involved, in the order named.
    pub rules: Vec<RuleId>,
    /// The message, in the policy's terms.
    pub message: String,
    /// The witness, checked by the evaluator (`None` for a rule whose
    /// condition never holds, or when the analysis could not decide).
    pub witness: Option<Witness>,
    /// The witness in words: the date and each fact with its label.
    pub witness_text: Vec<String>,
    /// "Could not decide": why, and where.
    pub undecided: Option<(String, Option<Span>)>,
    /// The drafters' reason, when an `accept` clause covers it.
    pub accepted: Option<String>,
    labels: Vec<(String, Span)>,
    related: Vec<Related>,
}

/// `name (Art. 9(1) item 2)`: a rule with its first citation.
fn rule_words(program: &Program, r: RuleId) -> String {
    let Some(rule) = program.rules.get(r.index()) else {
        return "?".into();
    };
    match rule.meta.cites.first() {
        Some(c) => {
            let source = program
                .sources
                .get(c.source.index())
                .map_or("?", |s| &*s.name);
            format!("`{}` ({} {})", rule.name, source, c.pinpoint.locators())
        }
        None => format!("`{}`", rule.name),
    }
}

fn def_words(program: &Program, d: DefId) -> String {
    match program.definitions.get(d.index()) {
        Some(def) => match &def.label {
            Some(label) => format!("`{}` ({label})", def.name),
            None => format!("`{}`", def.name),
        },
        None => "?".into(),
    }
}

impl Finding {
    pub(crate) fn new(
        program: &Program,
        def: DefId,
        kind: FindingKind,
        rules: Vec<RuleId>,
        witness: Option<Witness>,
        undecided: Option<(String, Option<Span>)>,
    ) -> Finding {
        let name = |i: usize| {
            rules
                .get(i)
                .map_or_else(|| "?".to_owned(), |&r| rule_words(program, r))
        };
        let who = if witness.is_some() {
            "the case below"
        } else {
            "some case"
        };
        let mut message = match kind {
            FindingKind::Overlap => format!(
                "rules {} and {} both apply, with different outcomes, to {who}: {} is then a conflict",
                name(0),
                name(1),
                def_words(program, def)
            ),
            FindingKind::Gap => format!(
                "no rule of {} applies to {who} and there is no default: it is undetermined even with every fact known",
                def_words(program, def)
            ),
            FindingKind::DeadRule { defeated: false } => format!(
                "rule {} can never apply: its condition never holds, whatever the facts and the date",
                name(0)
            ),
            FindingKind::DeadRule { defeated: true } => format!(
                "rule {} is never active: whenever it applies, an exception defeats it",
                name(0)
            ),
            FindingKind::WindowOverlap { end, begin } => format!(
                "rule {} (in force until {end}) and rule {} (in force from {begin}) both apply between {begin} and {end}, to {who}",
                name(0),
                name(1)
            ),
            FindingKind::WindowGap { end, begin } => format!(
                "between rule {} (in force until {end}) and rule {} (in force from {begin}) neither is in force from {end} to {begin}, for {who}, which both would decide",
                name(0),
                name(1)
            ),
        };
        if let Some((why, _)) = &undecided {
            message = format!("could not decide: {why}; the solver suggests that {message}");
        }
        let witness_text = witness
            .as_ref()
            .map(|w| describe(program, w))
            .unwrap_or_default();
        let mut labels = Vec::new();
        let mut related = Vec::new();
        let first_file = rules
            .first()
            .and_then(|r| program.rules.get(r.index()))
            .map(|r| r.name_span.file)
            .or_else(|| {
                program
                    .definitions
                    .get(def.index())
                    .map(|d| d.name_span.file)
            });
        let mut place = |text: String, span: Span| {
            if Some(span.file) == first_file {
                labels.push((text, span));
            } else {
                related.push(Related::new(text, span));
            }
        };
        for (i, &r) in rules.iter().enumerate() {
            if let Some(rule) = program.rules.get(r.index()) {
                let text = match (kind, i) {
                    (FindingKind::Overlap, _) => {
                        let given = finding_value(program, witness.as_ref(), def, r);
                        match given {
                            Some(v) => format!("`{}` gives `{v}`", rule.name),
                            None => format!("`{}`", rule.name),
                        }
                    }
                    (FindingKind::DeadRule { .. }, _) => "never active".to_owned(),
                    _ => format!("`{}`", rule.name),
                };
                place(text, rule.name_span);
            }
        }
        if rules.is_empty() {
            if let Some(d) = program.definitions.get(def.index()) {
                place("no rule applies here, no default".to_owned(), d.name_span);
            }
        }
        if let Some((_, Some(span))) = &undecided {
            place("not encoded exactly".to_owned(), *span);
        }
        Finding {
            kind,
            def,
            rules,
            message,
            witness,
            witness_text,
            undecided,
            accepted: None,
            labels,
            related,
        }
    }

    /// The primary span (for picking the file a report is rendered in).
    pub fn span(&self) -> Span {
        self.labels.first().map(|l| l.1).unwrap_or_default()
    }

    /// Gives each related location its file's text, for rendering.
    pub fn attach_sources(&mut self, sources: &crate::SourceMap) {
        for r in &mut self.related {
            r.src = Some(sources.named_source(r.span.file));
        }
    }

    /// A file name for the witness: `overlap-DEF-RULE-RULE.json`.
    pub fn witness_file_name(&self, program: &Program) -> String {
        let kind = self.kind.code().rsplit("::").next().unwrap_or("finding");
        let mut parts = vec![kind.to_owned()];
        if let Some(d) = program.definitions.get(self.def.index()) {
            parts.push(d.name.clone());
        }
        for r in &self.rules {
            if let Some(rule) = program.rules.get(r.index()) {
                parts.push(rule.name.clone());
            }
        }
        format!("{}.json", parts.join("-"))
    }
}

/// The value a rule gives in the witness (or its constant value).
fn finding_value(
    program: &Program,
    witness: Option<&Witness>,
    def: DefId,
    rule: RuleId,
) -> Option<String> {
    let info = program.rules.get(rule.index())?;
    if let Some(v) = info.value.as_ref().and_then(crate::ir::constant) {
        return Some(v.display(program));
    }
    let w = witness?;
    let options = crate::Options {
        as_of: None,
        verdicts: vec![def],
    };
    // The conflict stops evaluation; the value is read from a copy of the
    // witness in which only this rule's definition is asked for.
    let engine = crate::Engine::new(program);
    match engine.evaluate(&w.case, &options) {
        Ok(ev) => {
            let graph = ev.derivation();
            let node = graph.node(def)?;
            let entry = graph.rules_of(node).iter().find(|e| e.rule == rule)?;
            entry.value.as_ref().map(|v| v.display(program))
        }
        Err(crate::EvalError::Conflict(c)) if c.first == info.name => Some(c.first_value.clone()),
        Err(crate::EvalError::Conflict(c)) if c.second == info.name => Some(c.second_value.clone()),
        Err(_) => None,
    }
}

/// The witness in words: the date, then each fact with its label.
fn describe(program: &Program, w: &Witness) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = w.case.as_of {
        lines.push(format!("on {d}"));
    }
    for &f in &w.facts {
        lines.push(fact_line(program, w, f));
    }
    for (i, d) in w.case.discretions.iter().enumerate() {
        if let (Some(d), Some(rule)) = (d, program.rules.get(i)) {
            let what = rule.may.as_ref().map_or("", |m| m.permits.as_str());
            let verb = if *d { "exercised" } else { "declined" };
            lines.push(format!(
                "the discretion `{}` ({what}) was {verb}",
                rule.name
            ));
        }
    }
    lines
}

fn fact_line(program: &Program, w: &Witness, f: FactId) -> String {
    let Some(info) = program.facts.get(f.index()) else {
        return String::new();
    };
    let value = w
        .case
        .fact(f)
        .map_or_else(|| "?".into(), |v| v.display(program));
    let value = match (info.ty, w.case.fact(f)) {
        (crate::ir::Type::Enum(e), Some(crate::value::Value::Enum(_, v))) => program
            .enums
            .get(e.index())
            .and_then(|e| e.variants.get(*v as usize))
            .and_then(|(_, label)| label.clone())
            .map_or(value.clone(), |label| format!("{value} ({label})")),
        _ => value,
    };
    let setting = if info.setting.is_some() {
        "the setting "
    } else {
        ""
    };
    match &info.label {
        Some(label) => format!("{setting}{label} (`{}`): {value}", info.path),
        None => format!("{setting}`{}`: {value}", info.path),
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = if self.undecided.is_some() {
            "refuge::analysis::undecided"
        } else {
            self.kind.code()
        };
        Some(Box::new(code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.accepted.is_some() {
            Severity::Advice
        } else {
            Severity::Warning
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut text = String::new();
        if !self.witness_text.is_empty() {
            text.push_str("witness: ");
            text.push_str(&self.witness_text.join("; "));
        }
        if let Some(reason) = &self.accepted {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("accepted: {reason}"));
        } else {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(match self.kind {
                FindingKind::Overlap => "make one rule an exception to the other, narrow a condition, or write `accept overlap with …` on a rule with the reason",
                FindingKind::Gap => "add a default or a rule for these cases, or write `accept gap \"…\"` in the definition with the reason",
                FindingKind::DeadRule { .. } => "correct the condition or the exception, remove the rule, or write `accept dead \"…\"` on it with the reason",
                FindingKind::WindowOverlap { .. } | FindingKind::WindowGap { .. } => "align the `from` and `until` dates of the versions, or write `accept window with …` on a rule with the reason",
            });
        }
        Some(Box::new(text))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().map(|(text, span)| {
            LabeledSpan::new_with_span(Some(text.clone()), *span)
        })))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// An `accept` clause that covers no finding.
#[derive(Clone, Debug)]
pub struct StaleAccept {
    /// What it accepts.
    pub kind: AcceptKind,
    /// Where.
    pub span: Span,
}

/// The program's `accept` clauses.
pub(crate) struct Accepts;

impl Accepts {
    pub(crate) fn of(_program: &Program) -> Self {
        Accepts
    }

    /// Marks each finding an `accept` covers; returns the clauses that cover
    /// none.
    pub(crate) fn apply(&self, program: &Program, findings: &mut [Finding]) -> Vec<StaleAccept> {
        let mut used = vec![false; program.accepts.len()];
        for finding in findings.iter_mut() {
            for (i, accept) in program.accepts.iter().enumerate() {
                if accept.kind != finding.kind.accept() || accept.def != finding.def {
                    continue;
                }
                let covers = match accept.kind {
                    AcceptKind::Gap => accept.rule.is_none(),
                    AcceptKind::Dead => accept.rule == finding.rules.first().copied(),
                    AcceptKind::Overlap | AcceptKind::Window => {
                        let on = accept.rule;
                        finding.rules.iter().any(|r| Some(*r) == on)
                            && finding
                                .rules
                                .iter()
                                .any(|r| Some(*r) != on && accept.with.contains(r))
                    }
                };
                if covers {
                    finding.accepted = Some(accept.reason.clone());
                    if let Some(u) = used.get_mut(i) {
                        *u = true;
                    }
                    break;
                }
            }
        }
        program
            .accepts
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(a, _)| StaleAccept {
                kind: a.kind,
                span: a.span,
            })
            .collect()
    }
}
