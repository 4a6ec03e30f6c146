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

    pub(crate) fn shifted(self, by: isize) -> Self {
        let shift = |x: u32| u32::try_from(x as isize + by).unwrap_or(u32::MAX);
        Span32 {
            start: shift(self.start),
            end: shift(self.end),
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
    /// A table lookup: the row in force found (if any) and the keys looked
    /// up, a range of [`Derivation::keys`].
    Row {
        /// The table.
        table: TableId,
        /// The row index in the table, if one in force matched.
        row: Option<u32>,
        /// The key values looked up.
        keys: Span32,
    },
    /// The evaluation date.
    AsOf,
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

/// Sentinel slots of [`Derivation`]'s per-definition index.
const NOT_EVALUATED: u32 = u32::MAX;
const IN_PROGRESS: u32 = u32::MAX - 1;

/// The derivation graph of one case (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Derivation {
    pub(crate) as_of: Option<Date>,
    /// Per definition: its node's index, or a sentinel.
    slot: Vec<u32>,
    /// Evaluated definitions, in the order they were completed (a definition's
    /// dependencies come before it).
    pub(crate) nodes: Vec<Node>,
    /// Rule entries of every node.
    pub(crate) rules: Vec<RuleEntry>,
    /// Reads of every node.
    pub(crate) reads: Vec<ReadEntry>,
    /// Table keys looked up.
    pub(crate) keys: Vec<Value>,
    /// Work stacks of the definitions being evaluated (empty between cases).
    pub(crate) read_stack: Vec<ReadEntry>,
    pub(crate) rule_stack: Vec<RuleEntry>,
    /// Operand values of the call being evaluated.
    pub(crate) scratch: Vec<Value>,
}

impl Derivation {
    /// An empty graph.
    pub fn new() -> Self {
        Derivation::default()
    }

    /// Clears the graph for a new case, keeping its memory.
    pub(crate) fn reset(&mut self, definitions: usize, as_of: Date) {
        self.as_of = Some(as_of);
        self.slot.clear();
        self.slot.resize(definitions, NOT_EVALUATED);
        self.nodes.clear();
        self.rules.clear();
        self.reads.clear();
        self.keys.clear();
        self.read_stack.clear();
        self.rule_stack.clear();
        self.scratch.clear();
    }

    /// The date the law was applied as of.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// Every node, dependencies first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node index of a definition, if it was evaluated.
    pub fn node_of(&self, def: DefId) -> Option<usize> {
        match self.slot.get(def.index()) {
            Some(&i) if i < IN_PROGRESS => Some(i as usize),
            _ => None,
        }
    }

    /// The node of a definition, if it was evaluated.
    pub fn node(&self, def: DefId) -> Option<&Node> {
        self.nodes.get(self.node_of(def)?)
    }

    /// A definition's value (`None`: undetermined or not evaluated).
    pub fn value(&self, def: DefId) -> Option<&Value> {
        self.node(def)?.value.as_ref()
    }

    /// The rule entries of a node.
    pub fn rules_of(&self, node: &Node) -> &[RuleEntry] {
        self.rules.get(node.rules.range()).unwrap_or(&[])
    }

    /// Reads in a range.
    pub fn reads(&self, range: Span32) -> &[ReadEntry] {
        self.reads.get(range.range()).unwrap_or(&[])
    }

    /// Key values in a range.
    pub fn keys(&self, range: Span32) -> &[Value] {
        self.keys.get(range.range()).unwrap_or(&[])
    }

    /// Number of reads recorded (for tests and benchmarks).
    pub fn read_count(&self) -> usize {
        self.reads.len()
    }

    /// Marks a definition as being evaluated; `false` if it already is (a
    /// cycle, which the checker rejects) or was.
    pub(crate) fn begin(&mut self, def: DefId) -> bool {
        match self.slot.get_mut(def.index()) {
            Some(s) if *s == NOT_EVALUATED => {
                *s = IN_PROGRESS;
                true
            }
            _ => false,
        }
    }

    /// Moves a finished definition's entries from the work stacks into the
    /// arenas and records its node.
    pub(crate) fn commit(
        &mut self,
        def: DefId,
        value: Option<Value>,
        decided: Decided,
        read_base: usize,
        rule_base: usize,
        default_reads: Span32,
    ) {
        let shift = self.reads.len() as isize - read_base as isize;
        // Rules were evaluated exceptions first; record them in source order
        // (rule ids follow source order).
        if let Some(own) = self.rule_stack.get_mut(rule_base..) {
            own.sort_unstable_by_key(|r| r.rule);
        }
        let rule_start = self.rules.len();
        self.reads.extend(self.read_stack.drain(read_base..));
        for mut entry in self.rule_stack.drain(rule_base..) {
            entry.condition_reads = entry.condition_reads.shifted(shift);
            entry.value_reads = entry.value_reads.shifted(shift);
            self.rules.push(entry);
        }
        let index = u32::try_from(self.nodes.len()).unwrap_or(NOT_EVALUATED);
        self.nodes.push(Node {
            def,
            value,
            decided,
            rules: Span32::new(rule_start, self.rules.len()),
            default_reads: if default_reads.is_empty() {
                Span32::default()
            } else {
                default_reads.shifted(shift)
            },
        });
        if let Some(s) = self.slot.get_mut(def.index()) {
            *s = index;
        }
    }
}
