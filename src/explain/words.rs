//! Names, values and phrases shared by the renderers: everything here looks
//! the program up by id, so the graph never holds text.

use super::analysis::{NotApplied, Via};
use crate::eval::graph::{DiscretionState, RuleEntry, Undetermined};
use crate::ir::{Citation, DefId, FactId, Program, RuleId};
use crate::value::Value;

/// The status of a rule in one evaluation (the JSON's `status` strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Applied (active).
    Applied,
    /// Applicable but defeated by an exception.
    Overridden,
    /// Its condition is false.
    NotApplicable,
    /// Not in force on the evaluation date.
    NotInForce,
    /// Whether it applies depends on missing facts.
    Unknown,
    /// A discretion not exercised whose conditions hold or may hold.
    DiscretionOpen,
    /// A discretion the case says was exercised.
    DiscretionExercised,
    /// A discretion the case says was declined.
    DiscretionDeclined,
}

impl RuleStatus {
    /// The status of an entry.
    pub fn of(r: &RuleEntry) -> RuleStatus {
        match (r.in_force, r.discretion, r.condition, r.active) {
            (false, ..) => RuleStatus::NotInForce,
            (_, _, Some(false), _) => RuleStatus::NotApplicable,
            (_, Some(DiscretionState::Declined), ..) => RuleStatus::DiscretionDeclined,
            (_, Some(DiscretionState::Open), ..) => RuleStatus::DiscretionOpen,
            (_, _, None, _) => RuleStatus::Unknown,
            (_, _, _, Some(true)) => {
                if r.discretion == Some(DiscretionState::Exercised) {
                    RuleStatus::DiscretionExercised
                } else {
                    RuleStatus::Applied
                }
            }
            (_, _, _, Some(false)) => RuleStatus::Overridden,
            (_, _, _, None) => RuleStatus::Unknown,
        }
    }

    /// The JSON string.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Applied => "applied",
            RuleStatus::Overridden => "overridden",
            RuleStatus::NotApplicable => "not_applicable",
            RuleStatus::NotInForce => "not_in_force",
            RuleStatus::Unknown => "unknown",
            RuleStatus::DiscretionOpen => "discretion_open",
            RuleStatus::DiscretionExercised => "discretion_exercised",
            RuleStatus::DiscretionDeclined => "discretion_declined",
        }
    }

    /// Whether the rule fired (applied, was overridden, or is a discretion
    /// exercised or left open where it is available).
    pub fn fired(self) -> bool {
        matches!(
            self,
            RuleStatus::Applied
                | RuleStatus::Overridden
                | RuleStatus::DiscretionOpen
                | RuleStatus::DiscretionExercised
        )
    }
}

pub(crate) fn rule_name(p: &Program, r: RuleId) -> &str {
    p.rules.get(r.index()).map_or("?", |r| r.name.as_str())
}

pub(crate) fn def_name(p: &Program, d: DefId) -> &str {
    p.definitions
        .get(d.index())
        .map_or("?", |d| d.name.as_str())
}

pub(crate) fn fact_path(p: &Program, f: FactId) -> &str {
    p.facts.get(f.index()).map_or("?", |f| f.path.as_str())
}

pub(crate) fn via_name(p: &Program, via: Via) -> String {
    match via {
        Via::Rule(r) => rule_name(p, r).to_string(),
        Via::Default(d) => format!("{} (default)", def_name(p, d)),
    }
}

/// The label of a value: an enum variant's label, or for a `bool`
/// definition its label (negated with "not:" for `false`).
pub(crate) fn value_label(p: &Program, def: DefId, v: &Value) -> Option<String> {
    match v {
        Value::Enum(e, i) => p
            .enums
            .get(e.index())
            .and_then(|e| e.variants.get(*i as usize))
            .and_then(|v| v.1.clone()),
        Value::Bool(b) => p
            .definitions
            .get(def.index())
            .and_then(|d| d.label.clone())
            .map(|l| if *b { l } else { format!("not: {l}") }),
        _ => None,
    }
}

/// Why a definition is undetermined, in one phrase.
pub(crate) fn undetermined(u: Undetermined) -> &'static str {
    match u {
        Undetermined::ValueUnknown => "the value of a rule that applies depends on missing facts",
        Undetermined::MayAlsoApply => {
            "rules that may also apply, depending on missing facts, would give another value"
        }
        Undetermined::DefaultUnknown => "no rule applies and the default depends on missing facts",
        Undetermined::NoRule => "no rule applies and there is no default",
        Undetermined::DependsOn => "whether a rule applies depends on missing facts",
    }
}

/// The JSON string of an undetermined reason.
pub(crate) fn undetermined_code(u: Undetermined) -> &'static str {
    match u {
        Undetermined::ValueUnknown => "value_unknown",
        Undetermined::MayAlsoApply => "may_also_apply",
        Undetermined::DefaultUnknown => "default_unknown",
        Undetermined::NoRule => "no_rule",
        Undetermined::DependsOn => "depends_on",
    }
}

/// Why a rule did not apply, in words.
pub(crate) fn not_applied(p: &Program, reason: NotApplied, rule: RuleId) -> String {
    let info = p.rules.get(rule.index());
    match reason {
        NotApplied::NotInForce => match info.map(|r| (r.meta.from, r.meta.until)) {
            Some((Some(from), _)) => format!("not in force before {from}"),
            Some((None, Some(until))) => format!("not in force from {until}"),
            _ => "not in force".to_string(),
        },
        NotApplied::ConditionFalse => "its conditions are not met".to_string(),
        NotApplied::Declined => "the discretion was declined".to_string(),
        NotApplied::Open => "the discretion has not been exercised".to_string(),
        NotApplied::DefeatedBy(x) => format!("displaced by `{}`", rule_name(p, x)),
    }
}

/// A source's short title: its title up to the first ` (`.
pub(crate) fn source_title(p: &Program, c: &Citation) -> String {
    let title = p
        .sources
        .get(c.source.index())
        .map_or("?", |s| s.title.as_ref());
    title.split(" (").next().unwrap_or(title).trim().to_string()
}

/// Citations grouped by source in order of first use: short title and the
/// pinpoints (de-duplicated).
pub(crate) fn grouped(p: &Program, cites: &[&Citation]) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(crate::ir::SourceId, String, Vec<String>)> = Vec::new();
    for c in cites {
        let pin = c.pinpoint.to_string();
        match groups.iter_mut().find(|g| g.0 == c.source) {
            Some(g) => {
                if !g.2.contains(&pin) {
                    g.2.push(pin);
                }
            }
            None => groups.push((c.source, source_title(p, c), vec![pin])),
        }
    }
    groups.into_iter().map(|(_, t, pins)| (t, pins)).collect()
}

/// `Title Art. 1; Art. 2 · Other Art. 3`.
pub(crate) fn cite_line(p: &Program, cites: &[&Citation]) -> String {
    grouped(p, cites)
        .into_iter()
        .map(|(title, pins)| format!("{title} {}", pins.join("; ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The pinpoints of a rule's citations, short: `rok_act Art. 7(1)`.
pub(crate) fn short_cites(program: &Program, cites: &[Citation]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in cites {
        let source = program
            .sources
            .get(c.source.index())
            .map_or("?", |s| s.name.as_ref());
        let text = format!("{source} {}", c.pinpoint.locators());
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    parts.join("; ")
}
