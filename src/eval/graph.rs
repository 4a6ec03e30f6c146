//! The derivation graph: what one case's evaluation computed, recorded once,
//! over the program's ids.
//!
//! Every definition evaluated is one [`Node`] (definitions are memoised, so a
//! definition read by several verdicts is one node); each rule of it is one
//! [`RuleEntry`]; each read of a fact, setting, definition, table row or the
//! evaluation date is one [`ReadEntry`]. Nothing is copied from the program:
//! names, labels, notes and citation text are looked up when rendering, and
//! the values read are looked up in the case (facts), in the graph (other
//! definitions) or in the program (table rows).
//!
//! The graph lives in flat arenas. A [`Derivation`] can be reset and reused for
//! the next case, so once its vectors have grown to the size of a case the
//! evaluation allocates nothing per rule or read.
//!
//! **Marks.** Each read carries a `mark`. When the expression that read it has
//! a known value, a marked read is one that *settled* it (the false conjunct
//! of an `and`, the true disjunct of an `or`, both sides of a comparison, the
//! condition and the branch taken of an `if`); when the value is unknown, a
//! marked read is one the unknown comes from. The analysis in
//! `crate::explain::analysis` builds the decisive derivation of a verdict from
//! these marks and the rule entries.

use crate::ir::{DefId, FactId, RuleId, TableId};
use crate::value::Value;
use jiff::civil::Date;
use std::ops::Range;

/// A compact `start..end` range into one of the graph's arenas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span32 {
    /// First index.
    pub start: u32,
    /// One past the last index.
    pub end: u32,
}

impl Span32 {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Span32 {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The range moved by `by` places (modulo 2^32: ranges move together
    /// from the work stack to the arena, where every index fits in `u32`).
    pub(crate) fn shifted(self, by: u32) -> Self {
        Span32 {
            start: self.start.wrapping_add(by),
            end: self.end.wrapping_add(by),
        }
    }

    /// Whether the range is empty.
    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }
}

/// What one read looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOf {
    /// A fact or setting slot.
    Fact(FactId),
    /// Another definition (its node is [`Derivation::node_of`]).
    Def(DefId),
    /// A table lookup, an index of [`Derivation::lookup`] (kept aside so
    /// that a read is 12 bytes: reads are copied once per node).
    Row(u32),
    /// The evaluation date.
    AsOf,
}

/// A table lookup: the row in force found (if any) and the keys looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The table.
    pub table: TableId,
    /// The row index in the table, if one in force matched.
    pub row: Option<u32>,
    /// The key values looked up, a range of [`Derivation::keys`].
    pub keys: Span32,
}

/// One read, with its mark (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadEntry {
    /// What was read.
    pub of: ReadOf,
    /// Whether it settled the expression (or, for an unknown value, whether the
    /// unknown comes from it).
    pub mark: bool,
}

/// How a discretion stands in a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscretionState {
    /// The case does not say how it was exercised.
    Open,
    /// The case says it was exercised.
    Exercised,
    /// The case says it was declined.
    Declined,
}

/// What happened to one rule in one case. Three-valued fields are
/// `Some(true)`, `Some(false)` or `None` (unknown: a fact is missing).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleEntry {
    /// The rule.
    pub rule: RuleId,
    /// In force on the evaluation date.
    pub in_force: bool,
    /// The condition's value (`Some(true)` for a rule without one).
    pub condition: Option<bool>,
    /// For a `may` rule: how the case stands on it.
    pub discretion: Option<DiscretionState>,
    /// Whether an active exception defeats it.
    pub defeated: Option<bool>,
    /// Applicable and not defeated.
    pub active: Option<bool>,
    /// The value it gives, when evaluated and known.
    pub value: Option<Value>,
    /// The reads of its condition.
    pub condition_reads: Span32,
    /// The reads of its value expression.
    pub value_reads: Span32,
}

/// Why a definition is undetermined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undetermined {
    /// An active rule's value depends on missing facts.
    ValueUnknown,
    /// Rules that may apply (depending on missing facts) would give another
    /// value than the rules that do apply.
    MayAlsoApply,
    /// No rule applies and the default's value depends on missing facts.
    DefaultUnknown,
    /// No rule applies and there is no default.
    NoRule,
    /// Whether rules apply depends on missing facts, and their value differs
    /// from the default's.
    DependsOn,
}

/// How a definition's value was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decided {
    /// By its active rules (they agree).
    Rules,
    /// By its default (no rule gives another value).
    Default,
    /// Not decided.
    Undetermined(Undetermined),
}

/// One evaluated definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The definition.
    pub def: DefId,
    /// Its value (`None`: undetermined).
    pub value: Option<Value>,
    /// How the value was reached.
    pub decided: Decided,
    /// Its rules, in source order: a range of [`Derivation::rules`].
    pub rules: Span32,
    /// The reads of its default's value (empty when the default was not
    /// evaluated or reads nothing).
    pub default_reads: Span32,
}

/// Sentinel of [`Derivation`]'s per-definition index: not evaluated.
const NOT_EVALUATED: u32 = u32::MAX;

/// The derivation graph of one case (see the module docs), with the working
/// memory of the evaluation that built it, kept for the next case.
#[derive(Clone, Debug, Default)]
pub struct Derivation {
    pub(crate) as_of: Option<Date>,
    /// What was recorded.
    pub(crate) record: Record,
    /// Working memory of the evaluator (empty of meaning between cases).
    pub(crate) work: Work,
    /// The verdict list of the evaluation this graph was last part of, kept
    /// for the next one's.
    pub(crate) spare_verdicts: Vec<DefId>,
}

/// The recorded graph: flat arenas over the program's ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct Record {
    /// Per definition: its node's index, or [`NOT_EVALUATED`].
    slot: Vec<u32>,
    /// Evaluated definitions, in the order they were completed (a definition's
    /// dependencies come before it).
    nodes: Vec<Node>,
    /// Rule entries of every node.
    rules: Vec<RuleEntry>,
    /// Reads of every node.
    reads: Vec<ReadEntry>,
    /// Table lookups.
    lookups: Vec<Lookup>,
    /// Table keys looked up.
    keys: Vec<Value>,
    /// Reads of the definitions being evaluated (empty between cases).
    read_stack: Vec<ReadEntry>,
}

impl Record {
    fn reset(&mut self, definitions: usize) {
        self.slot.clear();
        self.slot.resize(definitions, NOT_EVALUATED);
        self.nodes.clear();
        self.rules.clear();
        self.reads.clear();
        self.lookups.clear();
        self.keys.clear();
        self.read_stack.clear();
    }
}

/// What the evaluator records as it goes: the graph ([`Record`]) on the
/// explained path, nothing on the values path ([`NoTrace`]). The evaluator is
/// generic over it, so the values path compiles to code that records nothing.
pub(crate) trait Trace {
    /// Whether anything is recorded (the explained path).
    const ON: bool;
    /// The number of reads on the work stack (a position to unmark from).
    fn len(&self) -> usize;
    /// Records a read, marked.
    fn read(&mut self, of: ReadOf);
    /// Clears the marks of the reads from `start` to `end`.
    fn unmark(&mut self, start: usize, end: usize);
    /// Records a table lookup: the row found (if any) and the keys.
    fn row(&mut self, table: TableId, row: Option<usize>, keys: &[Value]);
    /// Reserves the rule entries of a definition being evaluated (one per
    /// rule, written in source order by [`Trace::set_rule`]); returns where
    /// they start.
    fn reserve_rules(&mut self, n: usize) -> usize;
    /// A reserved rule entry, to fill in (`None` on the values path).
    fn rule_mut(&mut self, at: usize) -> Option<&mut RuleEntry>;
    /// Records a finished definition: its rule entries (reserved from
    /// `node.rules_base`), and its reads, which are those on the work stack
    /// from `node.read_base`.
    fn commit(&mut self, node: NodeParts);
}

/// What [`Trace::commit`] records of one definition.
pub(crate) struct NodeParts {
    pub def: DefId,
    pub decided: Decided,
    pub rules_base: usize,
    pub rules_end: usize,
    pub read_base: usize,
    pub default_reads: Span32,
}

/// Records nothing: the values path.
pub(crate) struct NoTrace;

impl Trace for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn len(&self) -> usize {
        0
    }
    #[inline(always)]
    fn read(&mut self, _: ReadOf) {}
    #[inline(always)]
    fn unmark(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn row(&mut self, _: TableId, _: Option<usize>, _: &[Value]) {}
    #[inline(always)]
    fn reserve_rules(&mut self, _: usize) -> usize {
        0
    }
    #[inline(always)]
    fn rule_mut(&mut self, _: usize) -> Option<&mut RuleEntry> {
        None
    }
    #[inline(always)]
    fn commit(&mut self, _: NodeParts) {}
}

impl Trace for &mut Record {
    const ON: bool = true;
    #[inline]
    fn len(&self) -> usize {
        self.read_stack.len()
    }

    #[inline]
    fn read(&mut self, of: ReadOf) {
        self.read_stack.push(ReadEntry { of, mark: true });
    }

    #[inline]
    fn unmark(&mut self, start: usize, end: usize) {
        if let Some(reads) = self.read_stack.get_mut(start..end) {
            for r in reads {
                r.mark = false;
            }
        }
    }

    fn row(&mut self, table: TableId, row: Option<usize>, keys: &[Value]) {
        let start = self.keys.len();
        self.keys.extend_from_slice(keys);
        let keys = Span32::new(start, self.keys.len());
        let index = u32::try_from(self.lookups.len()).unwrap_or(u32::MAX);
        self.lookups.push(Lookup {
            table,
            row: row.and_then(|r| u32::try_from(r).ok()),
            keys,
        });
        self.read(ReadOf::Row(index));
    }

    fn reserve_rules(&mut self, n: usize) -> usize {
        let start = self.rules.len();
        self.rules.extend((0..n).map(|_| RuleEntry::EMPTY));
        start
    }

    #[inline]
    fn rule_mut(&mut self, at: usize) -> Option<&mut RuleEntry> {
        self.rules.get_mut(at)
    }

    fn commit(&mut self, node: NodeParts) {
        // The node's reads move from the work stack to the arena; the ranges
        // of its rule entries shift by the same amount.
        let shift = (self.reads.len() as u32).wrapping_sub(node.read_base as u32);
        let from = node.read_base.min(self.read_stack.len());
        self.reads
            .extend_from_slice(self.read_stack.get(from..).unwrap_or(&[]));
        self.read_stack.truncate(from);
        // Definitions evaluated while this one was reserved their entries
        // after its own.
        let own_end = node.rules_end.min(self.rules.len());
        for entry in self
            .rules
            .get_mut(node.rules_base..own_end)
            .unwrap_or(&mut [])
        {
            entry.condition_reads = entry.condition_reads.shifted(shift);
            entry.value_reads = entry.value_reads.shifted(shift);
        }
        let index = u32::try_from(self.nodes.len()).unwrap_or(NOT_EVALUATED);
        // Pushed empty and filled in place (see `crate::value::set_copy` on
        // why not built whole and moved). The value is moved from the memo
        // when the evaluation ends ([`Derivation::take_values`]).
        self.nodes.push(Node::EMPTY);
        if let Some(n) = self.nodes.last_mut() {
            n.def = node.def;
            n.decided = node.decided;
            n.rules = Span32::new(node.rules_base, own_end);
            if !node.default_reads.is_empty() {
                n.default_reads = node.default_reads.shifted(shift);
            }
        }
        if let Some(s) = self.slot.get_mut(node.def.index()) {
            *s = index;
        }
    }
}

/// What [`Work`] knows of one definition in the case being evaluated, one
/// byte per definition: a `bool` result (most definitions') lives in the
/// byte itself, any other value beside it.
mod state {
    /// Not evaluated yet in this case.
    pub const NOT_YET: u8 = 0;
    /// Being evaluated (a cycle, which the checker rejects).
    pub const IN_PROGRESS: u8 = 1;
    /// Evaluated: `false`.
    pub const FALSE: u8 = 2;
    /// Evaluated: `true`.
    pub const TRUE: u8 = 3;
    /// Evaluated: undetermined.
    pub const UNDETERMINED: u8 = 4;
    /// Evaluated: the value in [`super::Work`]'s `values`.
    pub const VALUE: u8 = 5;
}

/// The memo's answers for the values kept in a state byte.
static SOME_FALSE: Option<Value> = Some(Value::Bool(false));
static SOME_TRUE: Option<Value> = Some(Value::Bool(true));
static NONE: Option<Value> = None;

/// The evaluator's working memory, reused from case to case: definitions'
/// memos (a state byte per definition, cleared for each case, with the
/// values that are not `bool`s beside them), whether the rules of the
/// definitions being evaluated are active, and operand values of the forms
/// being evaluated.
#[derive(Clone, Debug, Default)]
pub(crate) struct Work {
    state: Vec<u8>,
    values: Vec<Option<Value>>,
    /// Operand values of the n-ary forms being evaluated.
    pub(crate) operands: Vec<Value>,
    /// Whether each rule of the definitions being evaluated is active, each
    /// definition's in source order.
    pub(crate) actives: Vec<Option<bool>>,
}

/// What the memo says of a definition.
pub(crate) enum Memoised<'w> {
    /// Not evaluated yet in this case.
    No,
    /// Being evaluated (a cycle, which the checker rejects).
    InProgress,
    /// Evaluated.
    Done(&'w Option<Value>),
}

impl Work {
    /// Starts a new case for a program of `definitions` definitions.
    pub(crate) fn start(&mut self, definitions: usize) {
        self.state.clear();
        self.state.resize(definitions, state::NOT_YET);
        if self.values.len() != definitions {
            self.values.clear();
            self.values.resize(definitions, None);
        }
        self.operands.clear();
        self.actives.clear();
    }

    /// The memo of a definition (`None`: no such definition).
    #[inline(always)]
    pub(crate) fn memo(&self, def: DefId) -> Option<Memoised<'_>> {
        Some(match *self.state.get(def.index())? {
            state::NOT_YET => Memoised::No,
            state::IN_PROGRESS => Memoised::InProgress,
            state::FALSE => Memoised::Done(&SOME_FALSE),
            state::TRUE => Memoised::Done(&SOME_TRUE),
            state::UNDETERMINED => Memoised::Done(&NONE),
            _ => Memoised::Done(self.values.get(def.index())?),
        })
    }

    /// Whether a definition is yet to be evaluated in this case.
    #[inline]
    pub(crate) fn not_yet(&self, def: DefId) -> bool {
        self.state.get(def.index()) == Some(&state::NOT_YET)
    }

    /// Whether a definition evaluated in this case is `true` (`None`: it is
    /// undetermined, or not evaluated).
    #[inline]
    pub(crate) fn holds(&self, def: DefId) -> Option<bool> {
        match self.state.get(def.index()) {
            Some(&state::TRUE) => Some(true),
            Some(&state::FALSE | &state::VALUE) => Some(false),
            _ => None,
        }
    }

    /// Marks a definition as being evaluated.
    pub(crate) fn begin(&mut self, def: DefId) {
        if let Some(s) = self.state.get_mut(def.index()) {
            *s = state::IN_PROGRESS;
        }
    }

    /// A definition's value in this case (`None`: undetermined or not
    /// evaluated).
    #[inline]
    pub(crate) fn value(&self, def: DefId) -> Option<&Value> {
        match self.memo(def)? {
            Memoised::Done(v) => v.as_ref(),
            _ => None,
        }
    }

    /// Moves a definition's value out of the memo of this case into `slot`
    /// (which must be `None`), by swapping in place: a value returned by
    /// value would be built in a temporary (see `crate::value::set_copy`).
    /// Leaves `slot` alone if the definition was not evaluated.
    fn take_into(&mut self, def: DefId, slot: &mut Option<Value>) {
        match self.state.get(def.index()) {
            Some(&state::FALSE) => *slot = Some(Value::Bool(false)),
            Some(&state::TRUE) => *slot = Some(Value::Bool(true)),
            Some(&state::VALUE) => {
                if let Some(v) = self.values.get_mut(def.index()) {
                    std::mem::swap(v, slot);
                }
            }
            _ => {}
        }
    }

    /// Records a definition's value, copied in place from what `value`
    /// finds on the operand stack (or elsewhere).
    #[inline]
    pub(crate) fn finish_with<'s>(
        &'s mut self,
        def: DefId,
        value: impl FnOnce(&'s [Value]) -> Option<&'s Value>,
    ) {
        let operands: &'s [Value] = &self.operands;
        let i = def.index();
        let new = match value(operands) {
            None => state::UNDETERMINED,
            Some(Value::Bool(false)) => state::FALSE,
            Some(Value::Bool(true)) => state::TRUE,
            Some(v) => {
                if let Some(slot) = self.values.get_mut(i) {
                    crate::value::set_copy(slot, Some(v));
                }
                state::VALUE
            }
        };
        if let Some(s) = self.state.get_mut(i) {
            *s = new;
        }
    }
}

impl Node {
    /// A node before it is filled in.
    const EMPTY: Node = Node {
        def: DefId(u32::MAX),
        value: None,
        decided: Decided::Undetermined(Undetermined::NoRule),
        rules: Span32 { start: 0, end: 0 },
        default_reads: Span32 { start: 0, end: 0 },
    };
}

impl RuleEntry {
    /// The entry of a rule not evaluated (a placeholder until it is).
    pub(crate) const EMPTY: RuleEntry = RuleEntry {
        rule: RuleId(u32::MAX),
        in_force: false,
        condition: Some(false),
        discretion: None,
        defeated: Some(false),
        active: Some(false),
        value: None,
        condition_reads: Span32 { start: 0, end: 0 },
        value_reads: Span32 { start: 0, end: 0 },
    };
}

impl Derivation {
    /// An empty graph.
    pub fn new() -> Self {
        Derivation::default()
    }

    /// Clears the graph for a new case, keeping its memory.
    pub(crate) fn reset(&mut self, definitions: usize, as_of: Date) {
        self.as_of = Some(as_of);
        self.record.reset(definitions);
        self.work.start(definitions);
    }

    /// Moves each node's value out of the evaluator's memo into the node,
    /// once the evaluation has ended (the memo is not read again for this
    /// case).
    pub(crate) fn take_values(&mut self) {
        let Derivation { record, work, .. } = self;
        for node in &mut record.nodes {
            work.take_into(node.def, &mut node.value);
        }
    }

    /// The date the law was applied as of.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// Every node, dependencies first.
    pub fn nodes(&self) -> &[Node] {
        &self.record.nodes
    }

    /// The node index of a definition, if it was evaluated.
    pub fn node_of(&self, def: DefId) -> Option<usize> {
        match self.record.slot.get(def.index()) {
            Some(&i) if i != NOT_EVALUATED => Some(i as usize),
            _ => None,
        }
    }

    /// The node of a definition, if it was evaluated.
    pub fn node(&self, def: DefId) -> Option<&Node> {
        self.record.nodes.get(self.node_of(def)?)
    }

    /// A definition's value (`None`: undetermined or not evaluated).
    pub fn value(&self, def: DefId) -> Option<&Value> {
        self.node(def)?.value.as_ref()
    }

    /// The rule entries of a node.
    pub fn rules_of(&self, node: &Node) -> &[RuleEntry] {
        self.record.rules.get(node.rules.range()).unwrap_or(&[])
    }

    /// Reads in a range.
    pub fn reads(&self, range: Span32) -> &[ReadEntry] {
        self.record.reads.get(range.range()).unwrap_or(&[])
    }

    /// A table lookup read ([`ReadOf::Row`]).
    pub fn lookup(&self, index: u32) -> Option<&Lookup> {
        self.record.lookups.get(index as usize)
    }

    /// Key values in a range.
    pub fn keys(&self, range: Span32) -> &[Value] {
        self.record.keys.get(range.range()).unwrap_or(&[])
    }

    /// Number of reads recorded (for tests and benchmarks).
    pub fn read_count(&self) -> usize {
        self.record.reads.len()
    }
}
