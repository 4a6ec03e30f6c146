//! Evaluation: a case against a compiled program, in default logic, recording
//! the derivation graph ([`graph`]).
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
//! read by several verdicts is computed once and is one node of the graph.
//! Evaluation is total: the checker rejects cycles, and there are no loops.
//!
//! The graph records ids, ranges and the values computed, never text: what a
//! verdict rests on is worked out from it only when someone asks
//! (`crate::explain`).

mod error;
mod expr;
pub mod graph;

pub use crate::ir::constant;
pub use error::{Conflict, EvalError};
pub use graph::Derivation;

use crate::case::Case;
use crate::explain::Evaluation;
use crate::ir::{DefId, Program, RuleId};
use crate::value::Value;
use graph::{Decided, DiscretionState, ReadEntry, RuleEntry, Span32, Undetermined};
use jiff::civil::Date;

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

    /// Evaluates a case: every verdict asked for, with its derivation.
    pub fn evaluate<'a>(
        &self,
        case: &'a Case,
        options: &Options,
    ) -> Result<Evaluation<'a>, EvalError>
    where
        'p: 'a,
    {
        self.evaluate_with(case, options, Derivation::new())
    }

    /// Like [`Engine::evaluate`], reusing the memory of a graph from an
    /// earlier evaluation ([`Evaluation::into_derivation`]): once warm, no
    /// allocation per rule or read.
    pub fn evaluate_with<'a>(
        &self,
        case: &'a Case,
        options: &Options,
        mut graph: Derivation,
    ) -> Result<Evaluation<'a>, EvalError>
    where
        'p: 'a,
    {
        let as_of = options.as_of.or(case.as_of).ok_or(EvalError::NoDate)?;
        let verdicts = self.asked(case, options)?;
        let mut run = self.run(case, as_of, &mut graph);
        for &id in &verdicts {
            run.definition(id)?;
        }
        let by_name = !options.verdicts.is_empty() || !case.verdicts.is_empty();
        Ok(Evaluation::new(
            self.program,
            case,
            graph,
            verdicts,
            by_name,
        ))
    }

    /// Evaluates a case and returns only the values: `None` for an
    /// undetermined verdict.
    pub fn values(
        &self,
        case: &Case,
        options: &Options,
    ) -> Result<Vec<(DefId, Option<Value>)>, EvalError> {
        let evaluation = self.evaluate(case, options)?;
        Ok(evaluation
            .verdict_ids()
            .iter()
            .map(|&d| (d, evaluation.derivation().value(d).cloned()))
            .collect())
    }

    /// The value of one definition (verdict or not) for a case.
    pub fn value_of(
        &self,
        case: &Case,
        def: DefId,
        as_of: Date,
    ) -> Result<Option<Value>, EvalError> {
        let mut graph = Derivation::new();
        self.run(case, as_of, &mut graph).definition(def)
    }

    /// A fresh run of `case` on `graph` (reset for the case).
    fn run<'a, 'g>(&self, case: &'a Case, as_of: Date, graph: &'g mut Derivation) -> Run<'a, 'g>
    where
        'p: 'a,
    {
        graph.reset(self.program.definitions.len(), as_of);
        Run {
            program: self.program,
            case,
            as_of,
            graph,
        }
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

/// The state of one case's evaluation: the graph being built.
pub(crate) struct Run<'a, 'g> {
    pub program: &'a Program,
    pub case: &'a Case,
    pub as_of: Date,
    pub graph: &'g mut Derivation,
}

/// Whether an entry is active (definitely) and gives a value.
fn gives_value(program: &Program, r: &RuleEntry) -> bool {
    program
        .rules
        .get(r.rule.index())
        .is_some_and(|x| x.value.is_some())
}

impl Run<'_, '_> {
    /// The value of a definition, evaluating it on first use.
    pub(crate) fn definition(&mut self, id: DefId) -> Result<Option<Value>, EvalError> {
        if let Some(node) = self.graph.node(id) {
            return Ok(node.value.clone());
        }
        // INVARIANT: the checker rejects cycles; this guard keeps evaluation
        // total even for a program built by hand.
        if !self.graph.begin(id) {
            return Ok(None);
        }
        self.decide(id)
    }

    /// Default logic for one definition; records its node.
    fn decide(&mut self, id: DefId) -> Result<Option<Value>, EvalError> {
        let program = self.program;
        let read_base = self.graph.read_stack.len();
        let rule_base = self.graph.rule_stack.len();
        let Some(def) = program.definitions.get(id.index()) else {
            self.graph.commit(
                id,
                None,
                Decided::Undetermined(Undetermined::NoRule),
                read_base,
                rule_base,
                Span32::default(),
            );
            return Ok(None);
        };
        for &rid in &def.order {
            let Some(rule) = program.rules.get(rid.index()) else {
                continue;
            };
            let in_force = rule.meta.in_force(self.as_of);
            let start = self.graph.read_stack.len();
            let condition = match (&rule.when, in_force) {
                (_, false) => Some(false),
                (None, true) => Some(true),
                (Some(when), true) => self.eval(when)?.map(|v| v == Value::Bool(true)),
            };
            let condition_reads = Span32::new(start, self.graph.read_stack.len());
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
            for e in &rule.exceptions {
                let active = self
                    .graph
                    .rule_stack
                    .get(rule_base..)
                    .and_then(|own| own.iter().find(|r| r.rule == *e))
                    .map_or(Some(false), |r| r.active);
                match active {
                    Some(true) => defeated = Some(true),
                    None if defeated == Some(false) => defeated = None,
                    _ => {}
                }
            }
            let active = match (applicable, defeated) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            };
            let value_start = self.graph.read_stack.len();
            let value = match (&rule.value, active) {
                (Some(v), Some(true) | None) => self.eval(v)?,
                // A discretion's value is shown even when open.
                (Some(v), Some(false))
                    if discretion == Some(DiscretionState::Open) && condition != Some(false) =>
                {
                    self.eval(v)?
                }
                _ => None,
            };
            let value_reads = Span32::new(value_start, self.graph.read_stack.len());
            self.graph.rule_stack.push(RuleEntry {
                rule: rid,
                in_force,
                condition,
                discretion,
                defeated,
                active,
                value,
                condition_reads,
                value_reads,
            });
        }

        let own = self.graph.rule_stack.get(rule_base..).unwrap_or(&[]);
        let definite = || {
            own.iter()
                .filter(|r| r.active == Some(true) && gives_value(program, r))
        };
        let possible = || {
            own.iter()
                .filter(|r| r.active.is_none() && gives_value(program, r))
        };
        if let Some(first) = definite().find(|r| r.value.is_some()) {
            if let Some(other) = definite().find(|r| r.value.is_some() && r.value != first.value) {
                return Err(self.conflict(id, first, other));
            }
        }
        let mut value = None;
        let decided;
        let mut default_reads = Span32::default();
        let first_value = definite().next().map(|r| r.value.clone());
        if let Some(first_value) = first_value {
            if definite().any(|r| r.value.is_none()) {
                decided = Decided::Undetermined(Undetermined::ValueUnknown);
            } else if possible().any(|r| r.value.is_none() || r.value != first_value) {
                decided = Decided::Undetermined(Undetermined::MayAlsoApply);
            } else {
                value = first_value;
                decided = Decided::Rules;
            }
        } else {
            let any_possible = possible().next().is_some();
            let agree_value = possible().next().and_then(|first| {
                (first.value.is_some() && possible().all(|r| r.value == first.value))
                    .then(|| first.value.clone())
            });
            let default = match &def.default {
                Some(d) => {
                    let start = self.graph.read_stack.len();
                    let v = self.eval(&d.value)?;
                    default_reads = Span32::new(start, self.graph.read_stack.len());
                    Some(v)
                }
                None => None,
            };
            decided = match (any_possible, default) {
                (false, Some(Some(v))) => {
                    value = Some(v);
                    Decided::Default
                }
                (false, Some(None)) => Decided::Undetermined(Undetermined::DefaultUnknown),
                (false, None) => Decided::Undetermined(Undetermined::NoRule),
                (true, Some(Some(v))) if agree_value.as_ref() == Some(&Some(v.clone())) => {
                    value = Some(v);
                    Decided::Default
                }
                (true, _) => Decided::Undetermined(Undetermined::DependsOn),
            };
        }
        self.graph.commit(
            id,
            value.clone(),
            decided,
            read_base,
            rule_base,
            default_reads,
        );
        Ok(value)
    }

    fn conflict(&self, def: DefId, a: &RuleEntry, b: &RuleEntry) -> EvalError {
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
                    crate::diagnostic::Related::new(
                        format!("`{}` gives `{}`", r.name, show(&b.value)),
                        r.name_span,
                    )
                })
                .into_iter()
                .collect(),
        }))
    }
}

/// Pushes a read onto the work stack, marked.
pub(crate) fn push_read(graph: &mut Derivation, of: graph::ReadOf) {
    graph.read_stack.push(ReadEntry { of, mark: true });
}
