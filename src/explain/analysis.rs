//! What a verdict rests on, worked out from the derivation graph on demand.
//!
//! **The decisive derivation.** For a decided definition with value `v`:
//!
//! - decided by rules: each active rule giving `v` is *applied*; its
//!   condition's and value's marked reads are decisive, and each exception
//!   aimed at it must be shown not to apply;
//! - decided by the default: the default is applied and its value's marked
//!   reads are decisive;
//! - every other rule that gives a value must either give `v` too (its value's
//!   reads are then decisive, so it cannot turn unknown) or be shown not to
//!   apply: because it is not in force (the date decides), a discretion was
//!   not exercised (the case's statement decides), its condition is false
//!   (the condition's marked reads decide) or an active exception defeats it
//!   (that exception is applied, and its own derivation is decisive).
//!
//! A decisive read of another definition brings in that definition's
//! decisive derivation. Each step has a **role**: *support* for what makes
//! the outcome (the deciding rules and defaults, and the exceptions that
//! defeated a competitor), *exclusion* for what shows a competitor does not
//! apply. The citations of what was applied in the support role are the law
//! the outcome *rests on*; rules shown not to apply are *considered*.
//!
//! **Pending unknowns.** For an undetermined definition, the rules that may
//! still apply (or whose value is unknown) are followed to the missing facts
//! their marked reads wait on; a missing fact that no rule waits on is not
//! listed.

use super::Evaluation;
use crate::eval::graph::{
    Decided, DiscretionState, Lookup, Node, ReadOf, RuleEntry, Span32, Undetermined,
};
use crate::ir::{Citation, DefId, ExprKind, FactId, Program, RuleId, TableId};
use crate::value::Value;

/// Whether a step makes the outcome or rules a competitor out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Part of what makes the outcome.
    Support,
    /// Part of showing that a competing rule does not apply.
    Exclusion,
}

/// Something applied on the decisive derivation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A rule or exception that applied.
    Rule(RuleId),
    /// A definition's default.
    Default(DefId),
    /// A table row in force that was found.
    Row(TableId, u32),
}

/// Why a rule was found not to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotApplied {
    /// Not in force on the evaluation date.
    NotInForce,
    /// Its condition is false.
    ConditionFalse,
    /// A discretion the case says was declined.
    Declined,
    /// A discretion not (yet) exercised.
    Open,
    /// Defeated by an active exception.
    DefeatedBy(RuleId),
}

/// A rule considered and found not to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Considered {
    /// The rule.
    pub rule: RuleId,
    /// Why it does not apply.
    pub reason: NotApplied,
    /// The role of the step that needed it ruled out.
    pub role: Role,
}

/// A decisive fact (or setting) and the rule whose reads made it so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisiveFact {
    /// The fact slot.
    pub fact: FactId,
    /// The rule (or default) whose condition or value read it.
    pub via: Via,
    /// Whether that rule applies (`false`: the fact shows it does not).
    pub applies: bool,
    /// Support or exclusion.
    pub role: Role,
}

/// Where a read belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A rule's condition or value.
    Rule(RuleId),
    /// A definition's default.
    Default(DefId),
}

/// A missing fact the outcome still depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The fact slot.
    pub fact: FactId,
    /// The rules (or defaults) waiting on it.
    pub waiting: Vec<Via>,
}

/// A discretion met on the way to the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscretionUse {
    /// The `may` rule.
    pub rule: RuleId,
    /// How the case stands on it.
    pub state: DiscretionState,
    /// Whether its conditions hold (`None`: may hold).
    pub condition: Option<bool>,
    /// Whether how it stands decided the outcome.
    pub decisive: bool,
    /// The value it gives (or would give if exercised), when known.
    pub gives: Option<bool>,
}

/// The explanation of one verdict, computed from the graph.
#[derive(Clone, Debug, Default)]
pub struct Explained {
    /// What was applied in the support role, in derivation order.
    pub applied: Vec<Applied>,
    /// What was applied to rule competitors out (exclusion role).
    pub applied_in_exclusion: Vec<Applied>,
    /// Rules considered and found not to apply.
    pub considered: Vec<Considered>,
    /// Decisive facts and settings, first use first.
    pub facts: Vec<DecisiveFact>,
    /// Whether the evaluation date decided something (an in-force window or
    /// a comparison with `as_of`).
    pub as_of_decisive: bool,
    /// Discretions on the derivation (or in the verdict's own rules).
    pub discretions: Vec<DiscretionUse>,
    /// For an undetermined verdict: the missing facts it waits on.
    pub pending: Vec<Pending>,
    /// Nodes on the decisive derivation (node indexes), root first.
    pub nodes: Vec<usize>,
}

impl Explained {
    /// Empties every list, keeping the memory.
    fn clear(&mut self) {
        let Explained {
            applied,
            applied_in_exclusion,
            considered,
            facts,
            as_of_decisive,
            discretions,
            pending,
            nodes,
        } = self;
        applied.clear();
        applied_in_exclusion.clear();
        considered.clear();
        facts.clear();
        *as_of_decisive = false;
        discretions.clear();
        pending.clear();
        nodes.clear();
    }

    /// The citations the outcome rests on: of the rules, defaults and rows
    /// applied in the support role, de-duplicated, in derivation order.
    pub fn rests_on<'p>(&self, program: &'p Program) -> Vec<&'p Citation> {
        let mut out: Vec<&Citation> = Vec::new();
        for a in &self.applied {
            for c in applied_cites(program, *a) {
                push_cite(&mut out, c);
            }
        }
        out
    }

    /// The ids (in [`Program::citations`]) of the citations the outcome rests
    /// on, as [`Explained::rests_on`] lists them, without comparing text.
    pub fn rests_on_ids(&self, program: &Program) -> Vec<usize> {
        let mut seen = vec![0u64; program.citations.len().div_ceil(64)];
        let mut out = Vec::new();
        for a in &self.applied {
            for c in applied_cites(program, *a) {
                let Some(id) = program.citation_id(c) else {
                    continue;
                };
                let (word, bit) = (id / 64, 1u64 << (id % 64));
                if let Some(w) = seen.get_mut(word) {
                    if *w & bit == 0 {
                        *w |= bit;
                        out.push(id);
                    }
                }
            }
        }
        out
    }

    /// The citations of the rules considered and found not to apply, less
    /// those the outcome rests on.
    pub fn considered_cites<'p>(&self, program: &'p Program) -> Vec<&'p Citation> {
        let rests = self.rests_on(program);
        let mut out: Vec<&Citation> = Vec::new();
        for c in &self.considered {
            for cite in program
                .rules
                .get(c.rule.index())
                .map(|r| r.meta.cites.as_slice())
                .unwrap_or(&[])
            {
                if !rests.iter().any(|r| same_cite(r, cite)) {
                    push_cite(&mut out, cite);
                }
            }
        }
        out
    }

    /// The decisive facts that are facts of the case (not settings).
    pub fn case_facts<'a>(&'a self, program: &'a Program) -> impl Iterator<Item = FactId> + 'a {
        self.facts.iter().map(|f| f.fact).filter(|f| {
            program
                .facts
                .get(f.index())
                .is_some_and(|i| i.setting.is_none())
        })
    }
}

/// The citations of something applied.
pub fn applied_cites(program: &Program, a: Applied) -> &[Citation] {
    match a {
        Applied::Rule(r) => program
            .rules
            .get(r.index())
            .map_or(&[], |r| r.meta.cites.as_slice()),
        Applied::Default(d) => program
            .definitions
            .get(d.index())
            .and_then(|d| d.default.as_ref())
            .map_or(&[], |d| d.meta.cites.as_slice()),
        Applied::Row(t, i) => program
            .tables
            .get(t.index())
            .and_then(|t| t.rows.get(i as usize))
            .map_or(&[], |r| r.meta.cites.as_slice()),
    }
}

fn same_cite(a: &Citation, b: &Citation) -> bool {
    a.same(b)
}

fn push_cite<'p>(out: &mut Vec<&'p Citation>, c: &'p Citation) {
    if !out.iter().any(|x| same_cite(x, c)) {
        out.push(c);
    }
}

/// Walks the graph from one verdict.
struct Walker<'w, 'e, 'a> {
    e: &'e Evaluation<'a>,
    out: &'w mut Explained,
    /// Per node: which of the `SEEN_*` walks have visited it, and whether it
    /// is in `out.nodes` (`LISTED`).
    seen: &'w mut Vec<u8>,
}

const SEEN_SUPPORT: u8 = 1;
const SEEN_EXCLUSION: u8 = 2;
const SEEN_PENDING: u8 = 4;
const LISTED: u8 = 8;

fn role_flag(role: Role) -> u8 {
    match role {
        Role::Support => SEEN_SUPPORT,
        Role::Exclusion => SEEN_EXCLUSION,
    }
}

impl<'e, 'a> Walker<'_, 'e, 'a> {
    fn program(&self) -> &'a Program {
        self.e.program
    }

    fn node(&self, index: usize) -> Option<&'e Node> {
        self.e.graph.nodes().get(index)
    }

    fn entries(&self, node: &Node) -> &'e [RuleEntry] {
        let graph: &'e crate::eval::Derivation = &self.e.graph;
        graph.rules_of(node)
    }

    /// The exceptions aimed at a rule.
    fn exceptions_of(&self, rule: RuleId) -> &'a [RuleId] {
        self.program()
            .rules
            .get(rule.index())
            .map_or(&[], |r| r.exceptions.as_slice())
    }

    fn gives_value(&self, rule: RuleId) -> bool {
        self.program()
            .rules
            .get(rule.index())
            .is_some_and(|r| r.value.is_some())
    }

    /// Whether a rule gives `value` (as evaluated, or as a constant).
    fn gives(&self, entry: &RuleEntry, value: &Value) -> bool {
        match &entry.value {
            Some(v) => v == value,
            None => self
                .program()
                .rules
                .get(entry.rule.index())
                .and_then(|r| r.value.as_ref())
                .is_some_and(|expr| match &expr.kind {
                    // Compared where it lies: no copy of the constant.
                    ExprKind::Const(v) => v == value,
                    _ => crate::eval::constant(expr).is_some_and(|v| v == *value),
                }),
        }
    }

    /// Marks a node visited by one walk; false if it already was.
    fn visit(&mut self, index: usize, flag: u8) -> bool {
        match self.seen.get_mut(index) {
            Some(flags) if *flags & flag == 0 => {
                *flags |= flag;
                true
            }
            _ => false,
        }
    }

    /// Lists a node on the derivation, once.
    fn list(&mut self, index: usize) {
        if self.visit(index, LISTED) {
            self.out.nodes.push(index);
        }
    }

    fn apply(&mut self, a: Applied, role: Role) {
        let list = match role {
            Role::Support => &mut self.out.applied,
            Role::Exclusion => &mut self.out.applied_in_exclusion,
        };
        if !list.contains(&a) {
            list.push(a);
        }
    }

    /// The decisive derivation of a decided node.
    fn justify(&mut self, index: usize, role: Role) {
        if !self.visit(index, role_flag(role)) {
            return;
        }
        let Some(node) = self.node(index) else {
            return;
        };
        self.list(index);
        let entries = self.entries(node);
        let value = node.value.as_ref();
        match node.decided {
            Decided::Rules => {
                for entry in entries {
                    if entry.active == Some(true) && self.gives_value(entry.rule) {
                        self.support(node, entry, role);
                    }
                }
            }
            Decided::Default => {
                self.apply(Applied::Default(node.def), role);
                self.walk(node.default_reads, role, Via::Default(node.def), true);
            }
            Decided::Undetermined(_) => return,
        }
        for entry in entries {
            if !self.gives_value(entry.rule) || entry.active == Some(true) {
                continue;
            }
            if entry.active.is_none() {
                // A rule that may apply and gives the same value: its value's
                // reads keep it from turning unknown.
                self.walk(entry.value_reads, role, Via::Rule(entry.rule), true);
                continue;
            }
            if value.is_some_and(|v| self.gives(entry, v)) {
                continue;
            }
            self.exclude(node, entry, role);
        }
    }

    /// A rule that applies: its reads, and why none of its exceptions does.
    fn support(&mut self, node: &'e Node, entry: &'e RuleEntry, role: Role) {
        self.apply(Applied::Rule(entry.rule), role);
        let rule = self.program().rules.get(entry.rule.index());
        if rule.is_some_and(|r| r.meta.from.is_some() || r.meta.until.is_some()) {
            self.out.as_of_decisive = true;
        }
        self.walk(entry.condition_reads, role, Via::Rule(entry.rule), true);
        self.walk(entry.value_reads, role, Via::Rule(entry.rule), true);
        if entry.discretion.is_some() {
            self.discretion(entry, true);
        }
        for exception in rule.map(|r| r.exceptions.as_slice()).unwrap_or(&[]) {
            if let Some(x) = self.entries(node).iter().find(|x| x.rule == *exception) {
                self.exclude(node, x, role);
            }
        }
    }

    /// A rule that does not apply: the reason, and what shows it.
    fn exclude(&mut self, node: &'e Node, entry: &'e RuleEntry, role: Role) {
        let reason = if !entry.in_force {
            self.out.as_of_decisive = true;
            NotApplied::NotInForce
        } else if entry.condition == Some(false) {
            self.walk(
                entry.condition_reads,
                Role::Exclusion,
                Via::Rule(entry.rule),
                false,
            );
            NotApplied::ConditionFalse
        } else if entry.discretion == Some(DiscretionState::Declined) {
            self.discretion(entry, true);
            NotApplied::Declined
        } else if entry.discretion == Some(DiscretionState::Open) {
            self.discretion(entry, true);
            NotApplied::Open
        } else {
            // Defeated: the first active exception aimed at it.
            let exceptions = self.exceptions_of(entry.rule);
            let by = exceptions.iter().find_map(|x| {
                self.entries(node)
                    .iter()
                    .find(|e| e.rule == *x && e.active == Some(true))
            });
            match by {
                Some(x) => {
                    self.support(node, x, role);
                    NotApplied::DefeatedBy(x.rule)
                }
                None => return,
            }
        };
        let considered = Considered {
            rule: entry.rule,
            reason,
            role,
        };
        if !self.out.considered.iter().any(|c| c.rule == entry.rule) {
            self.out.considered.push(considered);
        }
    }

    fn discretion(&mut self, entry: &RuleEntry, decisive: bool) {
        let Some(state) = entry.discretion else {
            return;
        };
        let gives = entry.value.as_ref().and_then(|v| match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        });
        if let Some(d) = self
            .out
            .discretions
            .iter_mut()
            .find(|d| d.rule == entry.rule)
        {
            d.decisive |= decisive;
            return;
        }
        self.out.discretions.push(DiscretionUse {
            rule: entry.rule,
            state,
            condition: entry.condition,
            decisive,
            gives,
        });
    }

    /// The marked reads of a range: facts, rows, the date, and the decisive
    /// derivations of the definitions read.
    fn walk(&mut self, range: Span32, role: Role, via: Via, applies: bool) {
        let graph = &self.e.graph;
        for read in graph.reads(range) {
            if !read.mark {
                continue;
            }
            match read.of {
                ReadOf::Fact(f) => {
                    if self.e.case.fact(f).is_some() && !self.out.facts.iter().any(|d| d.fact == f)
                    {
                        self.out.facts.push(DecisiveFact {
                            fact: f,
                            via,
                            role,
                            applies,
                        });
                    }
                }
                ReadOf::Def(d) => {
                    if let Some(i) = graph.node_of(d) {
                        self.justify(i, role);
                    }
                }
                ReadOf::Row(i) => {
                    if let Some(&Lookup {
                        table,
                        row: Some(row),
                        ..
                    }) = graph.lookup(i)
                    {
                        self.apply(Applied::Row(table, row), role);
                    }
                    // A row's presence depends on its in-force dates.
                    self.out.as_of_decisive = true;
                }
                ReadOf::AsOf => self.out.as_of_decisive = true,
            }
        }
    }

    /// The missing facts an undetermined node waits on.
    fn pending(&mut self, index: usize) {
        if !self.visit(index, SEEN_PENDING) {
            return;
        }
        let Some(node) = self.node(index) else {
            return;
        };
        let entries = self.entries(node);
        let Decided::Undetermined(reason) = node.decided else {
            return;
        };
        let first_value = entries
            .iter()
            .find(|r| r.active == Some(true) && self.gives_value(r.rule) && r.value.is_some())
            .and_then(|r| r.value.clone());
        for entry in entries {
            if !self.gives_value(entry.rule) {
                continue;
            }
            match (reason, entry.active) {
                (Undetermined::ValueUnknown, Some(true)) if entry.value.is_none() => {
                    self.wait(entry.value_reads, Via::Rule(entry.rule));
                }
                (Undetermined::MayAlsoApply, None)
                    if entry.value.is_none() || entry.value != first_value =>
                {
                    self.pending_entry(node, entry);
                }
                (Undetermined::DependsOn, None) => self.pending_entry(node, entry),
                _ => {}
            }
        }
        if matches!(
            reason,
            Undetermined::DefaultUnknown | Undetermined::DependsOn
        ) {
            self.wait(node.default_reads, Via::Default(node.def));
        }
        self.list(index);
    }

    /// A rule that may apply: what its applicability and value wait on.
    fn pending_entry(&mut self, node: &'e Node, entry: &'e RuleEntry) {
        if entry.condition.is_none() {
            self.wait(entry.condition_reads, Via::Rule(entry.rule));
        }
        if entry.defeated.is_none() {
            let exceptions = self.exceptions_of(entry.rule);
            for x in exceptions {
                if let Some(e) = self
                    .entries(node)
                    .iter()
                    .find(|e| e.rule == *x && e.active.is_none())
                {
                    self.pending_entry(node, e);
                }
            }
        }
        if entry.value.is_none() && entry.condition != Some(false) {
            self.wait(entry.value_reads, Via::Rule(entry.rule));
        }
    }

    fn wait(&mut self, range: Span32, via: Via) {
        let graph = &self.e.graph;
        for read in graph.reads(range) {
            if !read.mark {
                continue;
            }
            match read.of {
                ReadOf::Fact(f) if self.e.case.fact(f).is_none() => {
                    match self.out.pending.iter_mut().find(|p| p.fact == f) {
                        Some(p) => {
                            if !p.waiting.contains(&via) {
                                p.waiting.push(via);
                            }
                        }
                        None => self.out.pending.push(Pending {
                            fact: f,
                            waiting: vec![via],
                        }),
                    }
                }
                ReadOf::Def(d) if graph.value(d).is_none() => {
                    if let Some(i) = graph.node_of(d) {
                        self.pending(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Explains one verdict of an evaluation.
pub(crate) fn explain(e: &Evaluation<'_>, def: DefId) -> Explained {
    let mut out = Explained::default();
    explain_into(e, def, &mut out, &mut Vec::new());
    out
}

/// Explains one verdict into `out`, reusing its memory and `seen`'s (for
/// explaining the verdicts of an evaluation in turn).
pub(crate) fn explain_into(
    e: &Evaluation<'_>,
    def: DefId,
    out: &mut Explained,
    seen: &mut Vec<u8>,
) {
    out.clear();
    seen.clear();
    seen.resize(e.graph.nodes().len(), 0);
    let mut walker = Walker { e, out, seen };
    if let Some(index) = e.graph.node_of(def) {
        match e.graph.nodes().get(index).map(|n| n.decided) {
            Some(Decided::Undetermined(_)) => walker.pending(index),
            Some(_) => walker.justify(index, Role::Support),
            None => {}
        }
        // The verdict's own discretions, whether or not they decided it.
        if let Some(node) = e.graph.nodes().get(index) {
            for entry in e.graph.rules_of(node) {
                if entry.discretion.is_some() && entry.in_force {
                    walker.discretion(entry, false);
                }
            }
        }
    }
}
