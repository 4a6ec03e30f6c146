//! Evaluation: a case against a compiled program, in default logic.
//!
//! For one definition, in its rules' evaluation order (every exception before
//! the rules it targets):
//!
//! - a rule is **applicable** when it is in force on the evaluation date, its
//!   condition holds and, for a `may` rule, the case says the discretion was
//!   exercised;
//! - it is **defeated** when an exception that targets it is active;
//! - it is **active** when applicable and not defeated.
//!
//! Each of these is three-valued (`Some(true)`, `Some(false)`, `None` for
//! unknown). The active rules that give values must agree (else a conflict
//! error); if none gives one, the default applies; without a default the
//! result is undetermined. With unknowns, the result is decided only when
//! every way the unknown rules could go gives the same value.
//!
//! Definitions are evaluated on demand and memoised per case, so a definition
//! read by several verdicts is computed once. Evaluation is total: the checker
//! rejects cycles, and there are no loops.

mod error;
mod explain;
mod expr;

pub use error::{Conflict, EvalError};
pub use expr::constant;

use crate::case::Case;
use crate::explain::Evaluation;
use crate::ir::{DefId, FactId, Program, RuleId, TableId};
use crate::value::Value;
use jiff::civil::Date;

/// Something a condition read, for the explanation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Read {
    /// A fact slot.
    Fact(FactId),
    /// Another definition.
    Def(DefId),
    /// A table lookup: the row found (if any) and the keys.
    Row(TableId, Option<usize>, Box<[Value]>),
    /// The evaluation date.
    AsOf,
}

/// How a discretion stands in a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DiscretionState {
    Open,
    Exercised,
    Declined,
}

/// What happened to one rule.
#[derive(Clone, Debug)]
pub(crate) struct RuleResult {
    pub rule: RuleId,
    pub in_force: bool,
    /// The condition's value (`None`: unknown).
    pub condition: Option<bool>,
    pub discretion: Option<DiscretionState>,
    pub defeated: Option<bool>,
    /// Active exceptions that defeated it (definitely or possibly).
    pub defeated_by: Vec<RuleId>,
    pub active: Option<bool>,
    /// The value it gives, if evaluated and known.
    pub value: Option<Value>,
    /// All reads of the condition (indexes into the definition's reads).
    pub reads: std::ops::Range<usize>,
    /// The reads that settled the condition.
    pub settled: std::ops::Range<usize>,
}

/// How a definition's outcome was reached.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DecidedBy {
    Rules(Vec<RuleId>),
    Default,
    Nothing,
}

/// A definition's value and its trace.
#[derive(Clone, Debug)]
pub(crate) struct DefResult {
    pub value: Option<Value>,
    pub decided_by: DecidedBy,
    pub rules: Vec<RuleResult>,
    pub reads: Vec<Read>,
    /// Why the value is undetermined, if it is.
    pub undetermined: Option<Undetermined>,
}

/// Why a definition is undetermined (described in words only when explained).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Undetermined {
    /// An active rule's value depends on missing facts.
    ValueUnknown(RuleId),
    /// These rules may also apply and give another value.
    MayAlsoApply(Vec<RuleId>),
    /// No rule applies and the default depends on missing facts.
    DefaultUnknown,
    /// No rule applies and there is no default.
    NoRule,
    /// Whether these rules apply depends on missing facts.
    DependsOn(Vec<RuleId>),
    /// The definition was not evaluated.
    NotEvaluated,
}

impl Undetermined {
    /// The reason in words.
    pub(crate) fn describe(&self, program: &Program) -> String {
        let name = |r: &RuleId| {
            program
                .rules
                .get(r.index())
                .map_or("`?`".to_string(), |r| format!("`{}`", r.name))
        };
        let names = |rules: &[RuleId]| rules.iter().map(name).collect::<Vec<_>>().join(", ");
        match self {
            Undetermined::ValueUnknown(r) => {
                format!("the value of {} depends on missing facts", name(r))
            }
            Undetermined::MayAlsoApply(rules) => {
                format!("{} may also apply and give another value", names(rules))
            }
            Undetermined::DefaultUnknown => "the default depends on missing facts".into(),
            Undetermined::NoRule => "no rule applies and there is no default".into(),
            Undetermined::DependsOn(rules) => {
                format!("whether {} applies depends on missing facts", names(rules))
            }
            Undetermined::NotEvaluated => "not evaluated".into(),
        }
    }
}

/// Options of one evaluation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date to apply the law as of (overrides the case's `as_of`).
    pub as_of: Option<Date>,
    /// The verdicts to evaluate (empty: those the case asks for, else all).
    pub verdicts: Vec<String>,
}

/// Evaluates cases against one compiled program. Cheap to create; holds no
/// state between cases.
#[derive(Clone, Copy, Debug)]
pub struct Engine<'p> {
    program: &'p Program,
}

impl<'p> Engine<'p> {
    /// An engine for `program`.
    pub fn new(program: &'p Program) -> Self {
        Engine { program }
    }

    /// The program evaluated.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Evaluates a case and explains every verdict asked for.
    pub fn evaluate(&self, case: &Case, options: &Options) -> Result<Evaluation, EvalError> {
        let as_of = options.as_of.or(case.as_of).ok_or(EvalError::NoDate)?;
        let targets = self.asked(case, options)?;
        let mut run = Run::new(self.program, case, as_of);
        let mut verdicts = Vec::with_capacity(targets.len());
        for id in targets {
            run.definition(id)?;
            verdicts.push(run.explain(id));
        }
        Ok(Evaluation {
            schema: crate::explain::SCHEMA,
            case: case.description.clone(),
            as_of: as_of.to_string(),
            verdicts,
        })
    }

    /// Evaluates a case and returns only the values (no explanation built):
    /// `None` for an undetermined verdict.
    pub fn values(
        &self,
        case: &Case,
        options: &Options,
    ) -> Result<Vec<(DefId, Option<Value>)>, EvalError> {
        let as_of = options.as_of.or(case.as_of).ok_or(EvalError::NoDate)?;
        let targets = self.asked(case, options)?;
        let mut run = Run::new(self.program, case, as_of);
        let mut out = Vec::with_capacity(targets.len());
        for id in targets {
            out.push((id, run.definition(id)?));
        }
        Ok(out)
    }

    /// The value of one definition (verdict or not) for a case.
    pub fn value_of(
        &self,
        case: &Case,
        def: DefId,
        as_of: Date,
    ) -> Result<Option<Value>, EvalError> {
        Run::new(self.program, case, as_of).definition(def)
    }

    /// The verdicts asked for: the options' names, else the case's
    /// `verdicts`, else every verdict.
    fn asked(&self, case: &Case, options: &Options) -> Result<Vec<DefId>, EvalError> {
        if options.verdicts.is_empty() && !case.verdicts.is_empty() {
            Ok(case.verdicts.clone())
        } else {
            self.targets(&options.verdicts)
        }
    }

    fn targets(&self, names: &[String]) -> Result<Vec<DefId>, EvalError> {
        if names.is_empty() {
            return Ok(self.program.verdicts().collect());
        }
        names
            .iter()
            .map(|name| {
                self.program
                    .definition(name)
                    .ok_or_else(|| EvalError::UnknownVerdict {
                        name: name.clone(),
                        help: crate::suggest::did_you_mean_help(
                            name,
                            self.program.definitions.iter().map(|d| d.name.as_str()),
                        ),
                    })
            })
            .collect()
    }
}

/// The state of one case's evaluation: memoised definition results.
pub(crate) struct Run<'a> {
    pub program: &'a Program,
    pub case: &'a Case,
    pub as_of: Date,
    pub results: Vec<Option<DefResult>>,
    in_progress: Vec<bool>,
}

impl<'a> Run<'a> {
    fn new(program: &'a Program, case: &'a Case, as_of: Date) -> Self {
        Run {
            program,
            case,
            as_of,
            results: vec![None; program.definitions.len()],
            in_progress: vec![false; program.definitions.len()],
        }
    }

    /// The value of a definition, evaluating it on first use.
    pub(crate) fn definition(&mut self, id: DefId) -> Result<Option<Value>, EvalError> {
        if let Some(Some(result)) = self.results.get(id.index()) {
            return Ok(result.value.clone());
        }
        // INVARIANT: the checker rejects cycles; this guard keeps evaluation
        // total even for a program built by hand.
        if self.in_progress.get(id.index()).copied().unwrap_or(true) {
            return Ok(None);
        }
        if let Some(flag) = self.in_progress.get_mut(id.index()) {
            *flag = true;
        }
        let result = self.decide(id)?;
        let value = result.value.clone();
        if let Some(slot) = self.results.get_mut(id.index()) {
            *slot = Some(result);
        }
        Ok(value)
    }

    /// Default logic for one definition.
    fn decide(&mut self, id: DefId) -> Result<DefResult, EvalError> {
        let program = self.program;
        let Some(def) = program.definitions.get(id.index()) else {
            return Ok(DefResult {
                value: None,
                decided_by: DecidedBy::Nothing,
                rules: Vec::new(),
                reads: Vec::new(),
                undetermined: Some(Undetermined::NotEvaluated),
            });
        };
        let mut reads = Vec::with_capacity(16);
        // Results in evaluation order (exceptions first); sorted back into
        // source order at the end (rule ids follow source order).
        let mut results: Vec<RuleResult> = Vec::with_capacity(def.order.len());
        for &rid in &def.order {
            let Some(rule) = program.rules.get(rid.index()) else {
                continue;
            };
            let in_force = rule.meta.in_force(self.as_of);
            let start = reads.len();
            let (condition, settled) = match (&rule.when, in_force) {
                (_, false) => (Some(false), start..start),
                (None, true) => (Some(true), start..start),
                (Some(when), true) => {
                    let (v, settled) = self.eval(when, &mut reads)?;
                    (v.map(|v| v == Value::Bool(true)), settled)
                }
            };
            let discretion = rule.may.as_ref().map(|_| match self.case.discretion(rid) {
                Some(true) => DiscretionState::Exercised,
                Some(false) => DiscretionState::Declined,
                None => DiscretionState::Open,
            });
            let applicable = match discretion {
                None | Some(DiscretionState::Exercised) => condition,
                Some(_) => Some(false),
            };
            // Defeated: any exception targeting this rule is active.
            let mut defeated = Some(false);
            let mut defeated_by = Vec::new();
            for e in &rule.exceptions {
                let active = results
                    .iter()
                    .find(|r| r.rule == *e)
                    .map_or(Some(false), |r| r.active);
                match active {
                    Some(true) => {
                        defeated = Some(true);
                        defeated_by.push(*e);
                    }
                    None => {
                        if defeated == Some(false) {
                            defeated = None;
                        }
                        defeated_by.push(*e);
                    }
                    Some(false) => {}
                }
            }
            let active = match (applicable, defeated) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            };
            let value = match (&rule.value, active) {
                (Some(v), Some(true) | None) => self.eval(v, &mut reads)?.0,
                // A discretion's value is shown even when open.
                (Some(v), Some(false))
                    if discretion == Some(DiscretionState::Open) && condition != Some(false) =>
                {
                    self.eval(v, &mut reads)?.0
                }
                _ => None,
            };
            let result = RuleResult {
                rule: rid,
                in_force,
                condition,
                discretion,
                defeated,
                defeated_by,
                active,
                value,
                reads: start..reads.len(),
                settled,
            };
            results.push(result);
        }
        results.sort_unstable_by_key(|r| r.rule);
        let rules = results;

        // Gather the values of active (definite) and possibly active rules.
        let gives_value = |r: &RuleResult| {
            program
                .rules
                .get(r.rule.index())
                .is_some_and(|x| x.value.is_some())
        };
        // Active rules give the value; possibly active rules (unknown) may.
        // No intermediate collections: this is the hot path of evaluation.
        let definite = || {
            rules
                .iter()
                .filter(move |r| r.active == Some(true) && gives_value(r))
        };
        let possible = || {
            rules
                .iter()
                .filter(move |r| r.active.is_none() && gives_value(r))
        };
        if let Some(first) = definite().find(|r| r.value.is_some()) {
            if let Some(other) = definite().find(|r| r.value.is_some() && r.value != first.value) {
                return Err(self.conflict(id, first, other));
            }
        }
        let mut value = None;
        let mut decided_by = DecidedBy::Nothing;
        let mut undetermined = None;
        if let Some(first) = definite().next() {
            decided_by = DecidedBy::Rules(definite().map(|r| r.rule).collect());
            if let Some(unknown) = definite().find(|r| r.value.is_none()) {
                undetermined = Some(Undetermined::ValueUnknown(unknown.rule));
            } else if possible().any(|r| r.value.is_none() || r.value != first.value) {
                undetermined = Some(Undetermined::MayAlsoApply(
                    possible().map(|r| r.rule).collect(),
                ));
            } else {
                value = first.value.clone();
            }
        } else {
            let default = match &def.default {
                Some(d) => Some(self.eval(&d.value, &mut reads)?.0),
                None => None,
            };
            match possible().next() {
                None => match default {
                    Some(Some(v)) => {
                        value = Some(v);
                        decided_by = DecidedBy::Default;
                    }
                    Some(None) => {
                        decided_by = DecidedBy::Default;
                        undetermined = Some(Undetermined::DefaultUnknown);
                    }
                    None => undetermined = Some(Undetermined::NoRule),
                },
                Some(first) => {
                    // Whether or not the unknown rules apply, is the value the same?
                    let agree = first.value.is_some()
                        && possible().all(|r| r.value == first.value)
                        && default.as_ref().is_some_and(|d| *d == first.value);
                    if agree {
                        value = first.value.clone();
                        decided_by = DecidedBy::Default;
                    } else {
                        undetermined = Some(Undetermined::DependsOn(
                            possible().map(|r| r.rule).collect(),
                        ));
                    }
                }
            }
        }
        Ok(DefResult {
            value,
            decided_by,
            rules,
            reads,
            undetermined,
        })
    }

    fn conflict(&self, def: DefId, a: &RuleResult, b: &RuleResult) -> EvalError {
        let program = self.program;
        let rule = |r: RuleId| program.rules.get(r.index());
        let show = |v: &Option<Value>| v.as_ref().map_or("?".into(), |v| v.display(program));
        EvalError::Conflict(Box::new(error::Conflict {
            definition: program
                .definitions
                .get(def.index())
                .map_or("?".into(), |d| d.name.clone()),
            first: rule(a.rule).map_or("?".into(), |r| r.name.clone()),
            first_value: show(&a.value),
            second: rule(b.rule).map_or("?".into(), |r| r.name.clone()),
            second_value: show(&b.value),
            span: rule(a.rule).map(|r| r.name_span).unwrap_or_default(),
            other: rule(b.rule)
                .map(|r| {
                    crate::check::Related::new(
                        format!("`{}` gives `{}`", r.name, show(&b.value)),
                        r.name_span,
                    )
                })
                .into_iter()
                .collect(),
        }))
    }
}
