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
pub(crate) mod plan;

pub use crate::ir::constant;
pub use error::{Conflict, EvalError};
pub use graph::Derivation;

use crate::case::Case;
use crate::explain::Evaluation;
use crate::ir::{DefId, Program, RuleId};
use crate::value::Value;
use graph::{
    Decided, DiscretionState, Memoised, NoTrace, NodeParts, Span32, Trace, Undetermined, Work,
};
use jiff::civil::Date;
use plan::Plan;
use std::sync::Arc;

/// Options of one evaluation, with the verdicts asked for already resolved
/// to ids ([`Engine::options`] resolves names once, for any number of cases).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date to apply the law as of (overrides the case's `as_of`).
    pub as_of: Option<Date>,
    /// The verdicts to evaluate (empty: those the case asks for, else all),
    /// each once ([`Engine::options`] keeps a name's first mention; outputs
    /// are keyed by verdict name).
    pub verdicts: Vec<DefId>,
}

/// The working memory of values-only evaluations ([`Engine::values_with`]),
/// reused from case to case: once warm, evaluating a case allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    work: Work,
}

impl Scratch {
    /// Empty working memory.
    pub fn new() -> Self {
        Scratch::default()
    }
}

/// Evaluates cases against one compiled program. Creating one lowers the
/// program into an evaluation plan once ([`plan`]); cloning it is cheap; it
/// holds no state between cases.
#[derive(Clone, Debug)]
pub struct Engine<'p> {
    program: &'p Program,
    plan: Arc<Plan>,
}

/// An evaluation error on the hot path: boxed, so results stay two words.
type Fail = Box<EvalError>;

impl<'p> Engine<'p> {
    /// An engine for `program`.
    pub fn new(program: &'p Program) -> Self {
        Engine {
            program,
            plan: Arc::new(Plan::new(program)),
        }
    }

    /// An engine for `program` with its plan already lowered (by
    /// `Plan::new(program)` for this very program), shared with other
    /// engines.
    pub(crate) fn with_plan(program: &'p Program, plan: Arc<Plan>) -> Self {
        Engine { program, plan }
    }

    /// The program evaluated.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Options asking for the named verdicts, resolved once for any number of
    /// cases (none named: the verdicts each case asks for, else all); an
    /// unknown name is an error with a suggestion. A verdict named twice is
    /// asked once.
    pub fn options<S: AsRef<str>>(
        &self,
        as_of: Option<Date>,
        names: &[S],
    ) -> Result<Options, EvalError> {
        let mut seen = crate::case::Seen::new();
        let mut verdicts = Vec::with_capacity(names.len());
        for name in names {
            let name = name.as_ref();
            let def = self
                .program
                .definition(name)
                .ok_or_else(|| EvalError::UnknownVerdict {
                    name: name.to_string(),
                    help: crate::suggest::did_you_mean_help(
                        name,
                        self.program.definitions.iter().map(|d| d.name.as_str()),
                    ),
                })?;
            seen.push_verdict(&mut verdicts, def);
        }
        Ok(Options { as_of, verdicts })
    }

    /// Options asking for every verdict of the program.
    pub fn all_verdicts(&self, as_of: Option<Date>) -> Options {
        Options {
            as_of,
            verdicts: self.plan.verdicts.clone(),
        }
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
        let mut verdicts = std::mem::take(&mut graph.spare_verdicts);
        verdicts.clear();
        verdicts.extend_from_slice(self.asked(case, options));
        graph.reset(self.program.definitions.len(), as_of);
        {
            let Derivation { record, work, .. } = &mut graph;
            let mut run = self.run(case, as_of, work, record);
            for &id in &verdicts {
                run.ensure(id).map_err(|e| *e)?;
            }
        }
        graph.take_values();
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
        let mut out = Vec::new();
        self.values_with(case, options, &mut Scratch::new(), &mut out)?;
        Ok(self.asked(case, options).iter().copied().zip(out).collect())
    }

    /// The values path: evaluates the verdicts asked for (in the order of
    /// [`Engine::asked`]) into `out` (one slot per verdict, overwritten;
    /// `None` for an undetermined verdict; empty after an error), recording
    /// nothing else, in `scratch`'s reused memory.
    pub fn values_with(
        &self,
        case: &Case,
        options: &Options,
        scratch: &mut Scratch,
        out: &mut Vec<Option<Value>>,
    ) -> Result<(), EvalError> {
        let as_of = options.as_of.or(case.as_of).ok_or(EvalError::NoDate)?;
        let asked = self.asked(case, options);
        // Sized once: pushing a `None` per verdict wrote its tag and read the
        // whole value back, the store-forwarding stall `set_copy` avoids.
        // The slots of the last case are overwritten in place, not cleared
        // first.
        out.truncate(asked.len());
        out.resize(asked.len(), None);
        scratch.work.start(self.program.definitions.len());
        let mut run = self.run(case, as_of, &mut scratch.work, NoTrace);
        for (&id, slot) in asked.iter().zip(out.iter_mut()) {
            // Evaluated in place, then the value cloned once from the memo
            // straight into `out` (returning it by value through
            // `definition` costs more than the evaluation of a small rule).
            if let Err(e) = run.ensure(id) {
                out.clear();
                return Err(*e);
            }
            crate::value::set_copy(slot, run.work.value(id));
        }
        Ok(())
    }

    /// The value of one definition (verdict or not) for a case.
    pub fn value_of(
        &self,
        case: &Case,
        def: DefId,
        as_of: Date,
    ) -> Result<Option<Value>, EvalError> {
        let mut work = Work::default();
        work.start(self.program.definitions.len());
        self.run(case, as_of, &mut work, NoTrace)
            .definition(def)
            .map_err(|e| *e)
    }

    /// The verdicts asked for: the options', else the case's `verdicts`, else
    /// every verdict.
    pub fn asked<'o>(&'o self, case: &'o Case, options: &'o Options) -> &'o [DefId] {
        if !options.verdicts.is_empty() {
            &options.verdicts
        } else if !case.verdicts.is_empty() {
            &case.verdicts
        } else {
            &self.plan.verdicts
        }
    }

    /// A run of `case` in `work` (started for the case), recording into
    /// `trace`.
    fn run<'a, T: Trace>(
        &'a self,
        case: &'a Case,
        as_of: Date,
        work: &'a mut Work,
        trace: T,
    ) -> Run<'a, T> {
        Run {
            program: self.program,
            plan: &self.plan,
            case,
            as_of,
            work,
            trace,
        }
    }
}

/// The state of one case's evaluation.
pub(crate) struct Run<'a, T: Trace> {
    pub program: &'a Program,
    pub plan: &'a Plan,
    pub case: &'a Case,
    pub as_of: Date,
    pub work: &'a mut Work,
    pub trace: T,
}

impl<T: Trace> Run<'_, T> {
    /// Evaluates a definition unless it already is (its value stays in the
    /// memo and the graph: nothing is copied out).
    #[inline]
    pub(crate) fn ensure(&mut self, id: DefId) -> Result<(), Fail> {
        if self.work.not_yet(id) {
            self.decide(id)?;
        }
        Ok(())
    }

    /// The value of a definition, evaluating it on first use.
    pub(crate) fn definition(&mut self, id: DefId) -> Result<Option<Value>, Fail> {
        if self.work.not_yet(id) {
            self.decide(id)?;
        }
        match self.work.memo(id) {
            Some(Memoised::Done(v)) => Ok(v.clone()),
            // INVARIANT: the checker rejects cycles; this guard keeps
            // evaluation total even for a program built by hand.
            _ => Ok(None),
        }
    }

    /// A value of the plan: a constant, or one computed during this
    /// definition's decision.
    fn resolve(&self, r: VRef) -> Option<&Value> {
        resolve(self.plan, &self.work.operands, r)
    }

    /// Whether two values (`None`: unknown) are the same.
    fn same(&self, a: Option<VRef>, b: Option<VRef>) -> bool {
        match (a, b) {
            (None, None) => true,
            // Equal constants are one op.
            (Some(VRef::Const(x)), Some(VRef::Const(y))) => x == y,
            (Some(a), Some(b)) => self.resolve(a) == self.resolve(b),
            _ => false,
        }
    }

    /// Evaluates a rule's (or default's) value, kept where it is: a
    /// constant stays in the plan, a computed value goes on the operand stack
    /// until the definition is decided.
    fn value_ref(&mut self, value: plan::ValueOf) -> Result<Option<VRef>, Fail> {
        let ix = match value {
            plan::ValueOf::Const(ix) => return Ok(Some(VRef::Const(ix))),
            plan::ValueOf::Op(ix) => ix,
        };
        Ok(match self.eval(ix)? {
            Some(v) => {
                let i = u32::try_from(self.work.operands.len()).unwrap_or(u32::MAX);
                self.work.operands.push(v);
                Some(VRef::Stack(i))
            }
            None => None,
        })
    }

    /// Counts one rule that gives a value (see [`Tally`]).
    fn tally(&self, tally: &mut Tally, rule: RuleId, active: Option<bool>, value: Option<VRef>) {
        match active {
            Some(true) => {
                if let Some(v) = value {
                    match tally.first_known {
                        None => tally.first_known = Some((rule, v)),
                        Some((first, known))
                            if tally.conflict.is_none() && !self.same(Some(v), Some(known)) =>
                        {
                            tally.conflict = Some(((first, known), (rule, v)));
                        }
                        _ => {}
                    }
                } else {
                    tally.definite_unknown = true;
                }
                if tally.definite.is_none() {
                    tally.definite = Some(value);
                }
            }
            None => {
                if !tally.possible {
                    tally.possible = true;
                    tally.possible_agree = value.is_some();
                    tally.possible_first = value;
                } else if tally.possible_agree && !self.same(value, tally.possible_first) {
                    tally.possible_agree = false;
                }
            }
            Some(false) => {}
        }
    }

    /// Default logic for one definition (see the module docs): memoises its
    /// value, and records its node on the explained path.
    pub(crate) fn decide(&mut self, id: DefId) -> Result<(), Fail> {
        let plan = self.plan;
        let Some(def) = plan.def(id) else {
            return Ok(());
        };
        if !T::ON {
            if let Some(common) = def.uniform {
                return self.decide_uniform(id, def, common);
            }
        }
        self.work.begin(id);
        let rules = plan.rules_of(def);
        let read_base = self.trace.len();
        let value_base = self.work.operands.len();
        // Per rule, in source order: whether it is active (what exceptions
        // aimed at it look up), and on the explained path its whole entry.
        let base = self.work.actives.len();
        if def.has_exceptions {
            self.work.actives.resize(base + rules.len(), Some(false));
        }
        let rules_base = self.trace.reserve_rules(rules.len());
        let mut tally = Tally::default();
        for rule in rules {
            let in_force = rule.in_force(self.as_of);
            let start = self.trace.len();
            let condition = match (rule.when, in_force) {
                (_, false) => Some(false),
                (None, true) => Some(true),
                (Some(when), true) => self.holds_fast(when)?,
            };
            let condition_reads = Span32::new(start, self.trace.len());
            let discretion = if rule.may {
                Some(match self.case.discretion(rule.rule) {
                    Some(true) => DiscretionState::Exercised,
                    Some(false) => DiscretionState::Declined,
                    None => DiscretionState::Open,
                })
            } else {
                None
            };
            let applicable = match discretion {
                None | Some(DiscretionState::Exercised) => condition,
                Some(_) => Some(false),
            };
            // Defeated: any exception aimed at this rule is active.
            let mut defeated = Some(false);
            if rule.exceptions.start < rule.exceptions.end {
                for &pos in plan.positions.get(rule.exceptions.range()).unwrap_or(&[]) {
                    let active = self
                        .work
                        .actives
                        .get(base + pos as usize)
                        .copied()
                        .unwrap_or(Some(false));
                    match active {
                        Some(true) => defeated = Some(true),
                        None if defeated == Some(false) => defeated = None,
                        _ => {}
                    }
                }
            }
            let active = match (applicable, defeated) {
                (Some(false), _) | (_, Some(true)) => Some(false),
                (Some(true), Some(false)) => Some(true),
                _ => None,
            };
            if def.has_exceptions {
                if let Some(slot) = self.work.actives.get_mut(base + rule.pos as usize) {
                    *slot = active;
                }
            }
            let value_start = self.trace.len();
            let value = match (rule.value, active) {
                (Some(v), Some(true) | None) => self.value_ref(v)?,
                // A discretion's value is shown even when open.
                (Some(v), Some(false))
                    if discretion == Some(DiscretionState::Open) && condition != Some(false) =>
                {
                    self.value_ref(v)?
                }
                _ => None,
            };
            if T::ON {
                let value_reads = Span32::new(value_start, self.trace.len());
                let known = value.and_then(|v| resolve(plan, &self.work.operands, v));
                if let Some(entry) = self.trace.rule_mut(rules_base + rule.pos as usize) {
                    entry.rule = rule.rule;
                    entry.in_force = in_force;
                    entry.condition = condition;
                    entry.discretion = discretion;
                    entry.defeated = defeated;
                    entry.active = active;
                    crate::value::set_copy(&mut entry.value, known);
                    entry.condition_reads = condition_reads;
                    entry.value_reads = value_reads;
                }
            }
            if rule.value.is_some() {
                self.tally(&mut tally, rule.rule, active, value);
            }
        }
        if def.has_exceptions {
            self.work.actives.truncate(base);
        }
        if let Some(((a, x), (b, y))) = tally.conflict {
            let x = self.resolve(x).cloned();
            let y = self.resolve(y).cloned();
            return Err(Box::new(self.conflict(id, (a, x), (b, y))));
        }

        let mut default_reads = Span32::default();
        let (value, decided) = match tally.definite {
            Some(first) => {
                if tally.definite_unknown {
                    (None, Decided::Undetermined(Undetermined::ValueUnknown))
                } else if tally.possible
                    && !(tally.possible_agree && self.same(tally.possible_first, first))
                {
                    (None, Decided::Undetermined(Undetermined::MayAlsoApply))
                } else {
                    (first, Decided::Rules)
                }
            }
            None => {
                let default = match def.default {
                    Some(d) => {
                        let start = self.trace.len();
                        let v = self.value_ref(d)?;
                        default_reads = Span32::new(start, self.trace.len());
                        Some(v)
                    }
                    None => None,
                };
                match (tally.possible, default) {
                    (false, Some(Some(v))) => (Some(v), Decided::Default),
                    (false, Some(None)) => {
                        (None, Decided::Undetermined(Undetermined::DefaultUnknown))
                    }
                    (false, None) => (None, Decided::Undetermined(Undetermined::NoRule)),
                    (true, Some(Some(v)))
                        if tally.possible_agree && self.same(tally.possible_first, Some(v)) =>
                    {
                        (Some(v), Decided::Default)
                    }
                    (true, _) => (None, Decided::Undetermined(Undetermined::DependsOn)),
                }
            }
        };
        // The value is copied from where it lies (a constant of the plan or
        // the operand stack) straight into the memo: building an
        // `Option<Value>` to move it there stalls on reading it back.
        self.work.finish_with(id, |operands| {
            value.and_then(|v| resolve(plan, operands, v))
        });
        self.work.operands.truncate(value_base);
        if T::ON {
            self.trace.commit(NodeParts {
                def: id,
                decided,
                rules_base,
                rules_end: rules_base + rules.len(),
                read_base,
                default_reads,
            });
        }
        Ok(())
    }

    /// [`Run::decide`] for a definition of the uniform shape
    /// ([`plan::DefPlan::uniform`]) on the values path, with the same result:
    /// the rules cannot conflict, so the definition is `common` when some
    /// rule in force holds; otherwise its default, unless some rule's
    /// condition is unknown and the default differs from `common` (or there
    /// is no default): then it is undetermined. Every rule in force is
    /// tested, as `decide` tests them, so an evaluation error is raised just
    /// the same, unless none of them can raise one
    /// ([`plan::DefPlan::stop_at_first`]): then the first that holds settles
    /// it.
    fn decide_uniform(
        &mut self,
        id: DefId,
        def: &plan::DefPlan,
        common: plan::Ix,
    ) -> Result<(), Fail> {
        self.work.begin(id);
        let (mut holds, mut unknown) = (false, false);
        for rule in self.plan.rules_of(def) {
            if !rule.in_force(self.as_of) {
                continue;
            }
            match rule.when {
                None => holds = true,
                Some(when) => match self.holds_fast(when)? {
                    Some(true) => holds = true,
                    None => unknown = true,
                    Some(false) => {}
                },
            }
            if holds && def.stop_at_first {
                break;
            }
        }
        let value = match def.default {
            _ if holds => Some(common),
            Some(plan::ValueOf::Const(d)) if !unknown || d == common => Some(d),
            _ => None,
        };
        let plan = self.plan;
        self.work.finish_with(id, |_| {
            value.and_then(|ix| resolve(plan, &[], VRef::Const(ix)))
        });
        Ok(())
    }

    fn conflict(
        &self,
        def: DefId,
        a: (RuleId, Option<Value>),
        b: (RuleId, Option<Value>),
    ) -> EvalError {
        let program = self.program;
        let rule = |r: RuleId| program.rules.get(r.index());
        let show = |v: &Option<Value>| v.as_ref().map_or("?".into(), |v| v.display(program));
        EvalError::Conflict(Box::new(error::Conflict {
            definition: program
                .definitions
                .get(def.index())
                .map_or("?".into(), |d| d.name.clone()),
            first: rule(a.0).map_or("?".into(), |r| r.name.clone()),
            first_value: show(&a.1),
            second: rule(b.0).map_or("?".into(), |r| r.name.clone()),
            second_value: show(&b.1),
            span: rule(a.0).map(|r| r.name_span).unwrap_or_default(),
            other: rule(b.0)
                .map(|r| {
                    crate::diagnostic::Related::new(
                        format!("`{}` gives `{}`", r.name, show(&b.1)),
                        r.name_span,
                    )
                })
                .into_iter()
                .collect(),
        }))
    }
}

/// The value `r` stands for: a constant of `plan` or one of `operands`.
#[inline]
fn resolve<'v>(plan: &'v Plan, operands: &'v [Value], r: VRef) -> Option<&'v Value> {
    match r {
        VRef::Const(ix) => match plan.ops.get(ix as usize) {
            Some(plan::Op::Const(v)) => Some(v),
            _ => None,
        },
        VRef::Stack(i) => operands.get(i as usize),
    }
}

/// A rule's value while its definition is decided: a constant of the plan
/// (equal constants are one op, so equal indexes mean equal values) or a
/// value computed into the operand stack. Copying one costs nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VRef {
    /// The constant op at this index.
    Const(plan::Ix),
    /// The operand stack at this index.
    Stack(u32),
}

/// What the rules of one definition give, gathered as they are evaluated (in
/// evaluation order), for the decision: the rules that are *definitely*
/// active and those that *possibly* are (whether they apply depends on
/// missing facts), with the first value of each kind and whether the others
/// agree with it. Only rules that give a value are counted.
#[derive(Clone, Copy, Default)]
struct Tally {
    /// The value of the first definitely active rule (`Some(None)`: unknown).
    definite: Option<Option<VRef>>,
    /// A definitely active rule's value is unknown.
    definite_unknown: bool,
    /// The first definitely active rule with a known value.
    first_known: Option<(RuleId, VRef)>,
    /// Two definitely active rules with known, different values: the first
    /// and the first that disagrees with it.
    conflict: Option<((RuleId, VRef), (RuleId, VRef))>,
    /// Some rule possibly applies.
    possible: bool,
    /// The value of the first rule that possibly applies.
    possible_first: Option<VRef>,
    /// Every rule that possibly applies gives a known value equal to
    /// `possible_first`.
    possible_agree: bool,
}
