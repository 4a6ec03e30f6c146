//! "Why not?": what would have to differ for a verdict to have another outcome.
//!
//! [`why_not`] searches the smallest sets of changed facts that give the
//! wanted outcome. The facts considered are those the verdict reads
//! (transitively, through every definition and table lookup it relies on);
//! the values tried are the other values of a bool or enum, one variant added
//! to or removed from a set, and, for numbers, amounts, dates and durations,
//! the constants the program compares the fact with and their neighbours
//! (±1 unit, ±1 day). Sets are searched by increasing size up to
//! [`MAX_CHANGES`], within [`MAX_EVALUATIONS`] evaluations; only minimal sets
//! are kept. Discretions in the verdict's cone are reported separately, and an
//! `absolute` rule that decides the verdict is stated as a bar.
//!
//! Policy `setting`s are not varied: they are the drafter's options, not facts
//! of the case.

mod render;
#[cfg(test)]
mod tests;

pub use render::{to_markdown, to_text};

use crate::case::Case;
use crate::eval::{Engine, EvalError, Options};
use crate::explain::{CitationRef, Decision, Verdict};
use crate::ir::{DefId, Expr, ExprKind, FactId, Program, RuleId, Type};
use crate::value::{Duration, Money, Value};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;

/// The version tag of the JSON rendering.
pub const SCHEMA: &str = "refuge.whynot/1";

/// The largest set of changed facts searched.
pub const MAX_CHANGES: usize = 3;

/// The most evaluations one search may make.
pub const MAX_EVALUATIONS: usize = 20_000;

/// The outcome asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WantedOutcome {
    /// A value of the verdict's type.
    Value(Value),
    /// No value (undetermined).
    Undetermined,
}

/// The answer: what would have to differ.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WhyNot {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The case's description, if any.
    pub case: Option<String>,
    /// The verdict asked about.
    pub verdict: String,
    /// Its label.
    pub label: Option<String>,
    /// The date the law was applied as of.
    pub as_of: String,
    /// The current outcome (`undetermined` if none).
    pub current: String,
    /// What decides the current outcome.
    pub decided_by: Vec<Decider>,
    /// The outcome asked for.
    pub wanted: String,
    /// The case already has the wanted outcome.
    pub already: bool,
    /// The largest set of changes searched.
    pub max_changes: usize,
    /// Evaluations made.
    pub evaluations: usize,
    /// The evaluation cap stopped the search before every set was tried.
    pub capped: bool,
    /// How many facts and values were considered.
    pub facts_considered: usize,
    /// Minimal sets of changed facts that give the wanted outcome, smallest first.
    pub alternatives: Vec<Alternative>,
    /// Discretions the verdict depends on, and what exercising or declining them gives.
    pub discretions: Vec<DiscretionOption>,
    /// An absolute rule that decides the verdict and stands in the way.
    pub absolute_bar: Option<AbsoluteBar>,
}

/// One minimal set of changes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Alternative {
    /// The changed facts.
    pub changes: Vec<Change>,
    /// The resulting outcome.
    pub outcome: String,
    /// What would then decide it.
    pub decided_by: Vec<Decider>,
}

/// One changed fact.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Change {
    /// Dotted fact path.
    pub fact: String,
    /// Its label.
    pub label: Option<String>,
    /// The value now (`None`: missing).
    pub from: Option<String>,
    /// The value that flips the outcome.
    pub to: String,
}

/// A rule (or the default) that decides an outcome.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Decider {
    /// The rule's name, or `default`.
    pub name: String,
    /// `rule` or `default`.
    pub kind: &'static str,
    /// The rule is absolute.
    pub absolute: bool,
    /// Citations.
    pub citations: Vec<CitationRef>,
}

/// What a discretion gives if exercised or declined.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DiscretionOption {
    /// The `may` rule.
    pub rule: String,
    /// Who holds it.
    pub holder: String,
    /// What it permits.
    pub permits: String,
    /// How it stands in the case: `open`, `exercised` or `declined`.
    pub status: &'static str,
    /// What is tried: `exercised` or `declined`.
    #[serde(rename = "if")]
    pub if_: &'static str,
    /// The verdict then (`undetermined` if none).
    pub outcome: String,
    /// That is the wanted outcome.
    pub gives_wanted: bool,
    /// The discretion's citations.
    pub citations: Vec<CitationRef>,
}

/// An absolute rule standing between the case and the wanted outcome.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AbsoluteBar {
    /// The absolute rules that decide the verdict now.
    pub rules: Vec<Decider>,
    /// The facts those rules read (transitively).
    pub facts: Vec<String>,
    /// Every set of changes found changes one of those facts.
    pub every_set_changes_them: bool,
    /// The bar in words.
    pub statement: String,
}

/// A candidate change: a fact and a value to try.
#[derive(Clone, Debug)]
struct Candidate {
    fact: FactId,
    to: Value,
}

/// What a verdict reads: facts, `may` rules and the constants facts are compared with.
#[derive(Default)]
struct Cone {
    defs: BTreeSet<DefId>,
    facts: BTreeSet<FactId>,
    constants: Vec<(FactId, Value)>,
    discretions: BTreeSet<RuleId>,
}

impl Cone {
    fn def(&mut self, program: &Program, id: DefId) {
        if !self.defs.insert(id) {
            return;
        }
        let Some(def) = program.definitions.get(id.index()) else {
            return;
        };
        if let Some(d) = &def.default {
            self.expr(program, &d.value);
        }
        for rid in &def.rules {
            let Some(rule) = program.rules.get(rid.index()) else {
                continue;
            };
            if rule.may.is_some() {
                self.discretions.insert(*rid);
            }
            for e in rule.when.iter().chain(rule.value.iter()) {
                self.expr(program, e);
            }
        }
    }

    fn expr(&mut self, program: &Program, e: &Expr) {
        match &e.kind {
            ExprKind::Const(_) | ExprKind::AsOf => {}
            ExprKind::Fact(f) => {
                self.facts.insert(*f);
            }
            ExprKind::Def(d) => self.def(program, *d),
            ExprKind::Not(a) | ExprKind::Neg(a) => self.expr(program, a),
            ExprKind::Cmp(_, a, b) => {
                match (&a.kind, &b.kind) {
                    (ExprKind::Fact(f), ExprKind::Const(v))
                    | (ExprKind::Const(v), ExprKind::Fact(f)) => {
                        self.constants.push((*f, v.clone()));
                    }
                    _ => {}
                }
                self.expr(program, a);
                self.expr(program, b);
            }
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::In(a, b)
            | ExprKind::HasAny(a, b)
            | ExprKind::HasAll(a, b) => {
                self.expr(program, a);
                self.expr(program, b);
            }
            ExprKind::If(a, b, c) => {
                self.expr(program, a);
                self.expr(program, b);
                self.expr(program, c);
            }
            ExprKind::Set(items)
            | ExprKind::Call(_, items)
            | ExprKind::Lookup(_, items, _)
            | ExprKind::Exists(_, items) => {
                for i in items {
                    self.expr(program, i);
                }
            }
        }
    }
}

/// The facts an expression reads, transitively through definitions.
fn facts_of_expr(program: &Program, e: &Expr) -> BTreeSet<FactId> {
    let mut cone = Cone::default();
    cone.expr(program, e);
    cone.facts
}

/// `v - 1 unit`, `v`, `v + 1 unit`.
fn neighbours(v: &Value) -> Vec<Value> {
    match v {
        Value::Integer(i) => [i.checked_sub(1), Some(*i), i.checked_add(1)]
            .into_iter()
            .flatten()
            .map(Value::Integer)
            .collect(),
        Value::Decimal(d) => {
            let unit = Decimal::new(1, d.scale());
            [d.checked_sub(unit), Some(*d), d.checked_add(unit)]
                .into_iter()
                .flatten()
                .map(Value::Decimal)
                .collect()
        }
        Value::Money(m) => {
            let unit = Decimal::new(1, m.amount.scale());
            [
                m.amount.checked_sub(unit),
                Some(m.amount),
                m.amount.checked_add(unit),
            ]
            .into_iter()
            .flatten()
            .map(|amount| {
                Value::Money(Money {
                    amount,
                    currency: m.currency,
                })
            })
            .collect()
        }
        Value::Date(d) => [d.yesterday().ok(), Some(*d), d.tomorrow().ok()]
            .into_iter()
            .flatten()
            .map(Value::Date)
            .collect(),
        Value::Duration(d) => {
            let step = |n: i64| {
                if d.days != 0 || d.months == 0 {
                    Duration {
                        months: d.months,
                        days: d.days.saturating_add(n),
                    }
                } else {
                    Duration {
                        months: d.months.saturating_add(n),
                        days: d.days,
                    }
                }
            };
            [step(-1), *d, step(1)]
                .into_iter()
                .map(Value::Duration)
                .collect()
        }
        other => vec![other.clone()],
    }
}

/// The values to try for one fact.
fn candidates(program: &Program, cone: &Cone, fact: FactId, now: Option<&Value>) -> Vec<Value> {
    let Some(info) = program.facts.get(fact.index()) else {
        return Vec::new();
    };
    let mut out: Vec<Value> = match info.ty {
        Type::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Type::Enum(e) => {
            let n = program.enums.get(e.index()).map_or(0, |e| e.variants.len());
            (0..n)
                .filter_map(|v| u32::try_from(v).ok())
                .map(|v| Value::Enum(e, v))
                .collect()
        }
        Type::Set(e) => {
            let n = program
                .enums
                .get(e.index())
                .map_or(0, |e| e.variants.len().min(128));
            let bits = match now {
                Some(Value::Set(_, b)) => *b,
                _ => 0,
            };
            let mut sets: Vec<Value> = (0..n)
                .filter_map(|v| u32::try_from(v).ok())
                .map(|v| Value::Set(e, bits ^ (1u128 << v)))
                .collect();
            if now.is_none() {
                sets.insert(0, Value::Set(e, 0));
            }
            sets
        }
        Type::Record(_) => Vec::new(),
        _ => cone
            .constants
            .iter()
            .filter(|(f, _)| *f == fact)
            .flat_map(|(_, v)| neighbours(v))
            .collect(),
    };
    let mut seen = Vec::with_capacity(out.len());
    out.retain(|v| {
        if Some(v) == now || seen.contains(v) {
            false
        } else {
            seen.push(v.clone());
            true
        }
    });
    out
}

fn show(program: &Program, v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "undetermined".to_string(), |v| v.display(program))
}

/// What decides a verdict's outcome, with citations.
fn deciders(program: &Program, verdict: &Verdict) -> Vec<Decider> {
    match &verdict.decision {
        Decision::Rules { rules } => rules
            .iter()
            .map(|name| {
                let trace = verdict.rules.iter().find(|r| r.name == *name);
                Decider {
                    name: name.clone(),
                    kind: "rule",
                    absolute: trace.is_some_and(|t| t.absolute)
                        || program
                            .rule_by_name(name)
                            .and_then(|r| program.rules.get(r.index()))
                            .is_some_and(|r| r.absolute),
                    citations: trace.map(|t| t.citations.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        Decision::Default { citations } => vec![Decider {
            name: "default".into(),
            kind: "default",
            absolute: false,
            citations: citations.clone(),
        }],
        Decision::Nothing => Vec::new(),
    }
}

/// Evaluates `def` on `case` and explains it.
fn explain(
    program: &Program,
    case: &Case,
    def: DefId,
    as_of: Date,
) -> Result<Option<Verdict>, EvalError> {
    let evaluation = Engine::new(program).evaluate(
        case,
        &Options {
            as_of: Some(as_of),
            verdicts: vec![def],
        },
    )?;
    Ok(evaluation
        .verdict_ids()
        .first()
        .map(|&d| evaluation.summary(d)))
}

/// Calls `visit` with every `k`-subset of `0..n` (as ascending indexes) until
/// it returns `false`.
fn combinations(n: usize, k: usize, visit: &mut dyn FnMut(&[usize]) -> bool) {
    fn go(
        start: usize,
        n: usize,
        k: usize,
        chosen: &mut Vec<usize>,
        visit: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        if chosen.len() == k {
            return visit(chosen);
        }
        for i in start..n {
            chosen.push(i);
            let go_on = go(i + 1, n, k, chosen, visit);
            chosen.pop();
            if !go_on {
                return false;
            }
        }
        true
    }
    let mut chosen = Vec::with_capacity(k);
    go(0, n, k, &mut chosen, visit);
}

/// Searches what would have to differ for `verdict` to have the `wanted`
/// outcome on `case` as of `as_of`.
pub fn why_not(
    program: &Program,
    case: &Case,
    verdict: DefId,
    wanted: WantedOutcome,
    as_of: Date,
) -> Result<WhyNot, EvalError> {
    let engine = Engine::new(program);
    let def = program.definitions.get(verdict.index());
    let current = engine.value_of(case, verdict, as_of)?;
    let wanted_value = match &wanted {
        WantedOutcome::Value(v) => Some(v.clone()),
        WantedOutcome::Undetermined => None,
    };
    let explained = explain(program, case, verdict, as_of)?;
    let decided_by = explained
        .as_ref()
        .map(|v| deciders(program, v))
        .unwrap_or_default();
    let already = current == wanted_value;

    let mut cone = Cone::default();
    cone.def(program, verdict);
    let mut cands: Vec<Candidate> = Vec::new();
    for &fact in &cone.facts {
        if program
            .facts
            .get(fact.index())
            .is_some_and(|f| f.setting.is_some())
        {
            continue;
        }
        for to in candidates(program, &cone, fact, case.fact(fact)) {
            cands.push(Candidate { fact, to });
        }
    }

    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut evaluations = 0usize;
    let mut capped = false;
    if !already {
        for size in 1..=MAX_CHANGES {
            let before = found.len();
            combinations(cands.len(), size, &mut |set: &[usize]| {
                let chosen: Vec<&Candidate> = set.iter().filter_map(|&i| cands.get(i)).collect();
                let distinct = chosen
                    .iter()
                    .enumerate()
                    .all(|(i, c)| chosen.iter().skip(i + 1).all(|d| d.fact != c.fact));
                if !distinct {
                    return true;
                }
                if found
                    .iter()
                    .take(before)
                    .any(|f| f.iter().all(|i| set.contains(i)))
                {
                    return true;
                }
                if evaluations >= MAX_EVALUATIONS {
                    capped = true;
                    return false;
                }
                evaluations += 1;
                let mut changed = case.clone();
                for c in &chosen {
                    changed.set_fact(c.fact, c.to.clone());
                }
                if engine.value_of(&changed, verdict, as_of).ok().as_ref() == Some(&wanted_value) {
                    found.push(set.to_vec());
                }
                true
            });
            if capped {
                break;
            }
        }
    }

    let mut alternatives = Vec::with_capacity(found.len());
    for set in &found {
        let mut changed = case.clone();
        let mut changes = Vec::with_capacity(set.len());
        for c in set.iter().filter_map(|&i| cands.get(i)) {
            changed.set_fact(c.fact, c.to.clone());
            let info = program.facts.get(c.fact.index());
            changes.push(Change {
                fact: info.map_or_else(|| "?".into(), |f| f.path.clone()),
                label: info.and_then(|f| f.label.clone()),
                from: case.fact(c.fact).map(|v| v.display(program)),
                to: c.to.display(program),
            });
        }
        let then = explain(program, &changed, verdict, as_of)?;
        alternatives.push(Alternative {
            changes,
            outcome: show(program, &wanted_value),
            decided_by: then
                .as_ref()
                .map(|v| deciders(program, v))
                .unwrap_or_default(),
        });
    }

    let mut discretions = Vec::new();
    for &rid in &cone.discretions {
        let Some(rule) = program.rules.get(rid.index()) else {
            continue;
        };
        let Some(may) = &rule.may else {
            continue;
        };
        // A discretion not in force on the date is never open.
        if !rule.meta.in_force(as_of) {
            continue;
        }
        let (status, try_exercise) = match case.discretion(rid) {
            None => ("open", true),
            Some(true) => ("exercised", false),
            Some(false) => ("declined", true),
        };
        let mut changed = case.clone();
        changed.set_discretion(rid, try_exercise);
        let outcome = engine.value_of(&changed, verdict, as_of).ok();
        let citations = explained
            .as_ref()
            .and_then(|v| v.rules.iter().find(|r| r.name == rule.name))
            .map(|r| r.citations.clone())
            .unwrap_or_default();
        discretions.push(DiscretionOption {
            rule: rule.name.clone(),
            holder: may.holder.clone(),
            permits: may.permits.clone(),
            status,
            if_: if try_exercise {
                "exercised"
            } else {
                "declined"
            },
            outcome: outcome
                .as_ref()
                .map_or_else(|| "an evaluation error".into(), |v| show(program, v)),
            gives_wanted: outcome.as_ref() == Some(&wanted_value),
            citations,
        });
    }

    let absolute_bar = if already {
        None
    } else {
        absolute_bar(program, explained.as_ref(), &alternatives, &wanted_value)
    };

    Ok(WhyNot {
        schema: SCHEMA,
        case: case.description.clone(),
        verdict: def.map_or_else(|| "?".into(), |d| d.name.clone()),
        label: def.and_then(|d| d.label.clone()),
        as_of: as_of.to_string(),
        current: show(program, &current),
        decided_by,
        wanted: show(program, &wanted_value),
        already,
        max_changes: MAX_CHANGES,
        evaluations,
        capped,
        facts_considered: cands.len(),
        alternatives,
        discretions,
        absolute_bar,
    })
}

/// The absolute rules that decide the verdict now, and what every flipping
/// set of changes has in common with them.
fn absolute_bar(
    program: &Program,
    verdict: Option<&Verdict>,
    alternatives: &[Alternative],
    wanted: &Option<Value>,
) -> Option<AbsoluteBar> {
    let verdict = verdict?;
    let rules: Vec<Decider> = deciders(program, verdict)
        .into_iter()
        .filter(|d| d.absolute)
        .collect();
    if rules.is_empty() {
        return None;
    }
    let mut facts = BTreeSet::new();
    for d in &rules {
        if let Some(when) = program
            .rule_by_name(&d.name)
            .and_then(|r| program.rules.get(r.index()))
            .and_then(|r| r.when.as_ref())
        {
            facts.extend(facts_of_expr(program, when));
        }
    }
    let facts: Vec<String> = facts
        .iter()
        .filter_map(|f| program.facts.get(f.index()).map(|f| f.path.clone()))
        .collect();
    let every = alternatives
        .iter()
        .all(|a| a.changes.iter().any(|c| facts.contains(&c.fact)));
    let names = rules
        .iter()
        .map(|d| format!("`{}`", d.name))
        .collect::<Vec<_>>()
        .join(", ");
    let (names, are, them, they) = if rules.len() == 1 {
        (format!("Rule {names}"), "is", "it", "it reads")
    } else {
        (format!("Rules {names}"), "are", "them", "they read")
    };
    let wanted = show(program, wanted);
    let statement = if alternatives.is_empty() {
        format!(
            "{names} {are} absolute and no exception can reach {them}: no change of up to {MAX_CHANGES} facts gives `{}` = `{wanted}`.",
            verdict.name
        )
    } else if every {
        format!(
            "{names} {are} absolute and no exception can reach {them}: every set of changes that gives `{}` = `{wanted}` changes a fact {they}, so that the bar no longer applies.",
            verdict.name
        )
    } else {
        format!(
            "{names} {are} absolute and no exception can reach {them}; some sets of changes give `{}` = `{wanted}` without changing a fact {they}.",
            verdict.name
        )
    };
    Some(AbsoluteBar {
        rules,
        facts,
        every_set_changes_them: every,
        statement,
    })
}

impl WhyNot {
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Why the search found nothing, or `None` if it found something.
    pub fn nothing_found(&self) -> Option<String> {
        if self.already || !self.alternatives.is_empty() {
            return None;
        }
        Some(format!(
            "no change of up to {} facts gives `{}` = `{}`{}",
            self.max_changes,
            self.verdict,
            self.wanted,
            if self.capped {
                format!(" within the first {} evaluations", self.evaluations)
            } else {
                String::new()
            }
        ))
    }
}
