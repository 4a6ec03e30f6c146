//! The evaluation plan: a program lowered once into flat tables addressed by
//! index, the form the evaluator runs on.
//!
//! [`Plan::new`] walks the checked program ([`crate::ir`]) once:
//!
//! - every expression becomes one [`Op`] in [`Plan::ops`], its operands
//!   referred to by index ([`Ix`]), with its span and type beside it; a few
//!   frequent shapes are fused into one op (`fact == variant`, a fact or
//!   definition compared with a constant on either side, `fact in {…}`,
//!   `fact has any {…}`) that reads and marks exactly what the unfused form
//!   would, and tests the value in place instead of copying it;
//! - every definition becomes a [`DefPlan`]: its rules in evaluation order
//!   (exceptions before their targets), each with its condition, value,
//!   in-force window, whether it is a discretion, its position in source
//!   order (where the derivation graph records it) and the positions of the
//!   exceptions aimed at it, so that "is this rule defeated?" is an index,
//!   not a search;
//! - every table gets an index from its key values to its rows
//!   ([`TableIndex`]), so a lookup does not scan the table.
//!
//! Nothing in the plan is per case: an [`crate::Engine`] builds it once and
//! evaluates any number of cases against it.

use crate::ir::{
    ArithOp, Builtin, CmpOp, DefId, EnumId, Expr, ExprKind, FactId, Program, RuleId, TableId, Type,
};
use crate::source::Span;
use crate::value::Value;
use jiff::civil::Date;

/// An index into [`Plan::ops`].
pub(crate) type Ix = u32;

/// A range of [`Plan::args`] (the operands of an n-ary op) or of
/// [`Plan::positions`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Range32 {
    pub start: u32,
    pub end: u32,
}

impl Range32 {
    fn of(start: usize, end: usize) -> Self {
        Range32 {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One operation of the plan; operands are indexes into [`Plan::ops`].
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// A constant.
    Const(Value),
    /// A fact slot.
    Fact(FactId),
    /// Another definition.
    Def(DefId),
    /// The evaluation date.
    AsOf,
    /// `not`
    Not(Ix),
    /// unary `-`
    Neg(Ix),
    /// `a and b and …` (Kleene), a left-nested chain as one op.
    And(Range32),
    /// `a or b or …` (Kleene), likewise.
    Or(Range32),
    /// A comparison.
    Cmp(CmpOp, Ix, Ix),
    /// Arithmetic.
    Arith(ArithOp, Ix, Ix),
    /// `x in S`
    In(Ix, Ix),
    /// `S has any T`
    HasAny(Ix, Ix),
    /// `S has all T`
    HasAll(Ix, Ix),
    /// `if c then a else b`
    If(Ix, Ix, Ix),
    /// `{a, b}` of an enum.
    Set(EnumId, Range32),
    /// A built-in call.
    Call(Builtin, Range32),
    /// `T[keys].column`
    Lookup(TableId, Range32, u32),
    /// `exists T[keys]`
    Exists(TableId, Range32),
    /// Fused `leaf == value` (`!=` when `negate`), for an enum or bool
    /// constant: reads the fact or definition, as the comparison would.
    FactIs {
        /// The fact or definition.
        fact: Leaf,
        /// The constant compared with.
        value: Value,
        /// `!=` rather than `==`.
        negate: bool,
    },
    /// Fused `leaf OP constant` (or `constant OP leaf` when `flipped`) for
    /// any other comparison: compares the value read in place, with the
    /// same reads, marks and errors as the unfused comparison.
    FactCmp {
        /// The fact or definition.
        fact: Leaf,
        /// The comparison.
        op: CmpOp,
        /// The constant compared with.
        value: Value,
        /// The constant is on the left.
        flipped: bool,
    },
    /// Fused `leaf in {…}` with a constant set (bits of variant indexes).
    FactIn {
        /// The fact or definition.
        fact: Leaf,
        /// The set.
        bits: u128,
    },
    /// Fused `a OP b` for two facts: compares the values in place, with the
    /// same reads, marks and errors as the unfused comparison.
    FactFactCmp {
        /// The comparison.
        op: CmpOp,
        /// The left fact.
        a: FactId,
        /// The right fact.
        b: FactId,
    },
    /// Fused `leaf has any {…}` (`has all` when `all`) with a constant set;
    /// also `variant in leaf`, as `leaf has any {variant}`.
    FactHas {
        /// The fact or definition.
        fact: Leaf,
        /// The set.
        bits: u128,
        /// `has all` rather than `has any`.
        all: bool,
    },
}

/// A rule's or default's value: a constant, known without evaluating
/// anything, or an op to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueOf {
    /// The index of an [`Op::Const`].
    Const(Ix),
    /// Any other op.
    Op(Ix),
}

/// What a fused op reads: a fact or another definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// A fact slot.
    Fact(FactId),
    /// A definition.
    Def(DefId),
}

/// One rule of a definition, ready to evaluate.
#[derive(Clone, Debug)]
pub(crate) struct RulePlan {
    /// The rule.
    pub rule: RuleId,
    /// Its condition.
    pub when: Option<Ix>,
    /// Its value (`None` for `lifts`).
    pub value: Option<ValueOf>,
    /// In force from (inclusive).
    pub from: Option<Date>,
    /// In force until (exclusive).
    pub until: Option<Date>,
    /// In force at every date (no window).
    pub always: bool,
    /// A discretion (`may`).
    pub may: bool,
    /// Its position in the definition's source order.
    pub pos: u32,
    /// The source-order positions of the exceptions aimed at it (a range of
    /// [`Plan::positions`]).
    pub exceptions: Range32,
}

impl RulePlan {
    /// In force on `date`.
    #[inline]
    pub(crate) fn in_force(&self, date: Date) -> bool {
        self.always || self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date < u)
    }
}

/// One definition, ready to evaluate.
#[derive(Clone, Debug, Default)]
pub(crate) struct DefPlan {
    /// Its rules in evaluation order (a range of [`Plan::rules`]).
    pub rules: Range32,
    /// Its default's value.
    pub default: Option<ValueOf>,
    /// Some rule of it is the target of an exception.
    pub has_exceptions: bool,
    /// When every rule gives the same constant (the index of its op) and
    /// none is a discretion or an exception's target, and the default, if
    /// any, is a constant: the definition is then decided by whether some
    /// rule in force holds, which the values path tests without a tally.
    pub uniform: Option<Ix>,
    /// Of a uniform definition: no rule's condition can raise an evaluation
    /// error ([`Plan::may_fail`]), so the values path may stop at the first
    /// rule that holds, as testing the rest could change nothing.
    pub stop_at_first: bool,
}

/// The rows of one table by key, for lookups without a scan.
#[derive(Clone, Debug, Default)]
pub(crate) struct TableIndex {
    /// For tables whose keys are all enums or bools: per key column, the
    /// number of values it can take (the key's code is mixed-radix over
    /// these). Empty: the table is scanned.
    radix: Vec<u32>,
    /// Per key code: a range of `rows` (rows with those keys, in source
    /// order).
    buckets: Vec<Range32>,
    /// Row indexes, grouped by key code.
    rows: Vec<u32>,
}

/// The largest number of key combinations indexed directly; a table with
/// more is scanned (no table of the built-in policies comes near it).
const MAX_BUCKETS: usize = 1 << 16;

impl TableIndex {
    fn new(program: &Program, table: &crate::ir::TableInfo) -> Self {
        let mut radix = Vec::new();
        for (_, ty) in &table.keys {
            let n = match ty {
                Type::Bool => 2,
                Type::Enum(e) => program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| u32::try_from(e.variants.len()).unwrap_or(0)),
                _ => 0,
            };
            if n == 0 {
                return TableIndex::default();
            }
            radix.push(n);
        }
        let size = radix
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n as usize));
        let Some(size) = size.filter(|&s| s <= MAX_BUCKETS && !radix.is_empty()) else {
            return TableIndex::default();
        };
        let mut index = TableIndex {
            radix,
            buckets: vec![Range32::default(); size],
            rows: Vec::with_capacity(table.rows.len()),
        };
        let mut codes: Vec<(usize, u32)> = Vec::with_capacity(table.rows.len());
        for (i, row) in table.rows.iter().enumerate() {
            let Some(code) = index.code(row.keys.iter()) else {
                // A row whose keys do not fit the index: scan instead.
                return TableIndex::default();
            };
            codes.push((code, u32::try_from(i).unwrap_or(u32::MAX)));
        }
        // Stable: rows with the same keys stay in source order.
        codes.sort_by_key(|&(code, _)| code);
        let mut start = 0;
        while start < codes.len() {
            let code = codes.get(start).map_or(0, |c| c.0);
            let mut end = start;
            while codes.get(end).is_some_and(|c| c.0 == code) {
                end += 1;
            }
            if let Some(bucket) = index.buckets.get_mut(code) {
                *bucket = Range32::of(index.rows.len(), index.rows.len() + (end - start));
            }
            index
                .rows
                .extend(codes.get(start..end).unwrap_or(&[]).iter().map(|c| c.1));
            start = end;
        }
        index
    }

    /// The key code of a tuple of key values (`None`: not indexable).
    fn code<'v>(&self, keys: impl ExactSizeIterator<Item = &'v Value>) -> Option<usize> {
        if keys.len() != self.radix.len() {
            return None;
        }
        let mut code = 0usize;
        for (key, &n) in keys.zip(&self.radix) {
            let digit = match key {
                Value::Bool(b) => u32::from(*b),
                Value::Enum(_, v) => *v,
                _ => return None,
            };
            if digit >= n {
                return None;
            }
            code = code * n as usize + digit as usize;
        }
        Some(code)
    }

    /// The candidate rows for `keys`, in source order, or `None` when the
    /// table is not indexed (scan it).
    pub(crate) fn candidates(&self, keys: &[Value]) -> Option<&[u32]> {
        self.candidates_of(keys.iter())
    }

    /// [`TableIndex::candidates`] for keys wherever they lie.
    pub(crate) fn candidates_of<'v>(
        &self,
        keys: impl ExactSizeIterator<Item = &'v Value>,
    ) -> Option<&[u32]> {
        if self.radix.is_empty() {
            return None;
        }
        let Some(code) = self.code(keys) else {
            return Some(&[]);
        };
        let range = self.buckets.get(code).copied().unwrap_or_default();
        Some(self.rows.get(range.range()).unwrap_or(&[]))
    }
}

/// A program lowered for evaluation (see the module docs).
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Every expression, operands before the ops that use them.
    pub ops: Vec<Op>,
    /// Per op: where it was written (for evaluation errors).
    pub spans: Vec<Span>,
    /// Operands of n-ary ops.
    pub args: Vec<Ix>,
    /// Per definition.
    pub defs: Vec<DefPlan>,
    /// Rules of every definition, each definition's in evaluation order.
    pub rules: Vec<RulePlan>,
    /// Source-order positions of exceptions.
    pub positions: Vec<u32>,
    /// Per table.
    pub tables: Vec<TableIndex>,
    /// Every verdict, in declaration order.
    pub verdicts: Vec<DefId>,
    /// The op of each distinct constant: equal constants are one op, so two
    /// constants are equal exactly when their indexes are.
    consts: std::collections::HashMap<Value, Ix>,
    /// Per op: it can raise an evaluation error by itself (arithmetic,
    /// built-in calls, table lookups, comparisons of money or durations),
    /// whatever its operands do.
    fails_alone: Vec<bool>,
}

impl Plan {
    /// Lowers `program`.
    pub(crate) fn new(program: &Program) -> Self {
        let mut plan = Plan {
            tables: program
                .tables
                .iter()
                .map(|t| TableIndex::new(program, t))
                .collect(),
            verdicts: program.verdicts().collect(),
            ..Plan::default()
        };
        for def in &program.definitions {
            // Source order: rule ids follow source order.
            let mut source: Vec<RuleId> = def.order.clone();
            source.sort_unstable();
            let pos_of = |r: RuleId| {
                source
                    .iter()
                    .position(|&x| x == r)
                    .and_then(|p| u32::try_from(p).ok())
            };
            let start = plan.rules.len();
            for &rid in &def.order {
                let Some(rule) = program.rules.get(rid.index()) else {
                    continue;
                };
                let when = rule.when.as_ref().map(|e| plan.lower(e));
                let value = rule.value.as_ref().map(|e| plan.value_of(e));
                let exc_start = plan.positions.len();
                plan.positions
                    .extend(rule.exceptions.iter().filter_map(|&e| pos_of(e)));
                let exceptions = Range32::of(exc_start, plan.positions.len());
                plan.rules.push(RulePlan {
                    rule: rid,
                    when,
                    value,
                    from: rule.meta.from,
                    until: rule.meta.until,
                    always: rule.meta.from.is_none() && rule.meta.until.is_none(),
                    may: rule.may.is_some(),
                    pos: pos_of(rid).unwrap_or(u32::MAX),
                    exceptions,
                });
            }
            let rules = Range32::of(start, plan.rules.len());
            let has_exceptions = plan
                .rules
                .get(rules.range())
                .unwrap_or(&[])
                .iter()
                .any(|r| r.exceptions.start < r.exceptions.end);
            let default = def.default.as_ref().map(|d| plan.value_of(&d.value));
            let uniform = uniform(plan.rules.get(rules.range()).unwrap_or(&[]), default);
            plan.defs.push(DefPlan {
                rules,
                default,
                has_exceptions,
                uniform,
                stop_at_first: false,
            });
        }
        let mut fails = vec![Fails::Unknown; plan.defs.len()];
        for i in 0..plan.defs.len() {
            let def = plan.defs.get(i).cloned().unwrap_or_default();
            let stop = def.uniform.is_some()
                && plan
                    .rules_of(&def)
                    .iter()
                    .all(|r| r.when.is_none_or(|w| !plan.may_fail(w, &mut fails)));
            if let Some(d) = plan.defs.get_mut(i) {
                d.stop_at_first = stop;
            }
        }
        plan
    }

    /// Whether evaluating the op at `ix` can raise an evaluation error: it
    /// or an operand can by itself ([`Plan::fails_alone`]), or it reads a
    /// definition that can (`defs` remembers which can).
    pub(crate) fn may_fail(&self, ix: Ix, defs: &mut [Fails]) -> bool {
        if self.fails_alone.get(ix as usize).copied().unwrap_or(true) {
            return true;
        }
        let leaf = |leaf: &Leaf, defs: &mut [Fails]| match leaf {
            Leaf::Fact(_) => false,
            Leaf::Def(d) => self.def_may_fail(*d, defs),
        };
        match self.ops.get(ix as usize) {
            None => true,
            Some(Op::Const(_) | Op::Fact(_) | Op::AsOf | Op::FactFactCmp { .. }) => false,
            Some(Op::Def(d)) => self.def_may_fail(*d, defs),
            Some(Op::Not(a) | Op::Neg(a)) => self.may_fail(*a, defs),
            Some(
                Op::Cmp(_, a, b)
                | Op::Arith(_, a, b)
                | Op::In(a, b)
                | Op::HasAny(a, b)
                | Op::HasAll(a, b),
            ) => self.may_fail(*a, defs) || self.may_fail(*b, defs),
            Some(Op::If(c, a, b)) => {
                self.may_fail(*c, defs) || self.may_fail(*a, defs) || self.may_fail(*b, defs)
            }
            Some(
                Op::And(items)
                | Op::Or(items)
                | Op::Set(_, items)
                | Op::Call(_, items)
                | Op::Lookup(_, items, _)
                | Op::Exists(_, items),
            ) => self.args(*items).iter().any(|&a| self.may_fail(a, defs)),
            Some(
                Op::FactIs { fact, .. }
                | Op::FactCmp { fact, .. }
                | Op::FactIn { fact, .. }
                | Op::FactHas { fact, .. },
            ) => leaf(fact, defs),
        }
    }

    /// Whether deciding a definition can raise an evaluation error: an op
    /// of its rules or default can, or two of its rules can give different
    /// values (a conflict). A definition met again while it is being
    /// looked at (a cycle, which the checker rejects) counts as one that can.
    fn def_may_fail(&self, id: DefId, defs: &mut [Fails]) -> bool {
        match defs.get(id.index()) {
            Some(Fails::Yes) | None => return true,
            Some(Fails::No) => return false,
            Some(Fails::Looking) => return true,
            Some(Fails::Unknown) => {}
        }
        if let Some(slot) = defs.get_mut(id.index()) {
            *slot = Fails::Looking;
        }
        let def = self.def(id).cloned().unwrap_or_default();
        let rules = self.rules_of(&def);
        let values: Vec<ValueOf> = rules.iter().filter_map(|r| r.value).collect();
        let conflict = values.len() > 1
            && !values
                .iter()
                .all(|v| matches!(v, ValueOf::Const(_)) && Some(v) == values.first());
        let op_of = |v: ValueOf| match v {
            ValueOf::Const(ix) | ValueOf::Op(ix) => ix,
        };
        let fails = conflict
            || rules.iter().any(|r| {
                r.when.is_some_and(|w| self.may_fail(w, defs))
                    || r.value.is_some_and(|v| self.may_fail(op_of(v), defs))
            })
            || def.default.is_some_and(|v| self.may_fail(op_of(v), defs));
        if let Some(slot) = defs.get_mut(id.index()) {
            *slot = if fails { Fails::Yes } else { Fails::No };
        }
        fails
    }

    /// The plan of a definition.
    pub(crate) fn def(&self, id: DefId) -> Option<&DefPlan> {
        self.defs.get(id.index())
    }

    /// The rules of a definition, in evaluation order.
    pub(crate) fn rules_of(&self, def: &DefPlan) -> &[RulePlan] {
        self.rules.get(def.rules.range()).unwrap_or(&[])
    }

    /// The operands of an n-ary op.
    pub(crate) fn args(&self, range: Range32) -> &[Ix] {
        self.args.get(range.range()).unwrap_or(&[])
    }

    /// The span of an op.
    pub(crate) fn span(&self, ix: Ix) -> Span {
        self.spans.get(ix as usize).copied().unwrap_or_default()
    }

    fn push(&mut self, op: Op, span: Span) -> Ix {
        self.push_failing(op, span, false)
    }

    /// Pushes an op, saying whether it can fail by itself.
    fn push_failing(&mut self, op: Op, span: Span, fails: bool) -> Ix {
        let ix = u32::try_from(self.ops.len()).unwrap_or(u32::MAX);
        self.ops.push(op);
        self.spans.push(span);
        self.fails_alone.push(fails);
        ix
    }

    fn push_args(&mut self, items: &[Expr]) -> Range32 {
        let lowered: Vec<Ix> = items.iter().map(|e| self.lower(e)).collect();
        let start = self.args.len();
        self.args.extend(lowered);
        Range32::of(start, self.args.len())
    }

    /// Lowers a rule's or default's value, saying whether it is a constant
    /// (so that evaluating a rule does not load the op to find out).
    fn value_of(&mut self, expr: &Expr) -> ValueOf {
        let ix = self.lower(expr);
        match self.ops.get(ix as usize) {
            Some(Op::Const(_)) => ValueOf::Const(ix),
            _ => ValueOf::Op(ix),
        }
    }

    /// Lowers one expression (and its operands); returns its index.
    fn lower(&mut self, expr: &Expr) -> Ix {
        if let Some(fused) = fuse(expr) {
            let fails = match fused {
                Op::FactCmp { ref value, .. } => {
                    matches!(value, Value::Money(_) | Value::Duration(_))
                }
                Op::FactFactCmp { .. } => matches!(expr.kind, ExprKind::Cmp(_, ref a, _)
                    if matches!(a.ty, Type::Money | Type::Duration)),
                _ => false,
            };
            return self.push_failing(fused, expr.span, fails);
        }
        if let ExprKind::Const(v) = &expr.kind {
            // One op per distinct constant (a constant never fails, so its
            // span is never needed).
            if let Some(&ix) = self.consts.get(v) {
                return ix;
            }
            let ix = self.push(Op::Const(v.clone()), expr.span);
            self.consts.insert(v.clone(), ix);
            return ix;
        }
        let op = match &expr.kind {
            ExprKind::Const(v) => Op::Const(v.clone()),
            ExprKind::Fact(f) => Op::Fact(*f),
            ExprKind::Def(d) => Op::Def(*d),
            ExprKind::AsOf => Op::AsOf,
            ExprKind::Not(a) => Op::Not(self.lower(a)),
            ExprKind::Neg(a) => Op::Neg(self.lower(a)),
            ExprKind::And(..) | ExprKind::Or(..) => {
                let and = matches!(expr.kind, ExprKind::And(..));
                // The operands of the left-nested chain, leftmost first.
                let mut chain = Vec::new();
                let mut left = expr;
                while let (ExprKind::And(a, b), true) | (ExprKind::Or(a, b), false) =
                    (&left.kind, and)
                {
                    chain.push(b.as_ref());
                    left = a;
                }
                chain.push(left);
                chain.reverse();
                let lowered: Vec<Ix> = chain.into_iter().map(|e| self.lower(e)).collect();
                let start = self.args.len();
                self.args.extend(lowered);
                let items = Range32::of(start, self.args.len());
                if and {
                    Op::And(items)
                } else {
                    Op::Or(items)
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                Op::Cmp(*op, a, b)
            }
            ExprKind::Arith(op, a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                Op::Arith(*op, a, b)
            }
            ExprKind::In(a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                Op::In(a, b)
            }
            ExprKind::HasAny(a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                Op::HasAny(a, b)
            }
            ExprKind::HasAll(a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                Op::HasAll(a, b)
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.lower(c), self.lower(a), self.lower(b));
                Op::If(c, a, b)
            }
            ExprKind::Set(items) => {
                let args = self.push_args(items);
                match expr.ty {
                    Type::Set(e) => Op::Set(e, args),
                    // INVARIANT: the checker types every set literal as a
                    // set; an untyped one evaluates to an error, as before.
                    _ => Op::Set(EnumId(u32::MAX), args),
                }
            }
            ExprKind::Call(f, items) => Op::Call(*f, self.push_args(items)),
            ExprKind::Lookup(t, items, column) => {
                let args = self.push_args(items);
                Op::Lookup(*t, args, u32::try_from(*column).unwrap_or(u32::MAX))
            }
            ExprKind::Exists(t, items) => Op::Exists(*t, self.push_args(items)),
        };
        let fails = match &expr.kind {
            ExprKind::Arith(..) | ExprKind::Neg(_) | ExprKind::Call(..) | ExprKind::Lookup(..) => {
                true
            }
            // Money of two currencies, or durations of months and of days.
            ExprKind::Cmp(_, a, b) => [a, b]
                .iter()
                .any(|e| matches!(e.ty, Type::Money | Type::Duration)),
            // Only for a set literal the checker did not type as a set.
            ExprKind::Set(_) => !matches!(expr.ty, Type::Set(_)),
            _ => false,
        };
        self.push_failing(op, expr.span, fails)
    }
}

/// What [`Plan::may_fail`] knows of a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fails {
    /// Not looked at yet.
    Unknown,
    /// Being looked at.
    Looking,
    /// Deciding it can raise an evaluation error.
    Yes,
    /// It cannot.
    No,
}

/// The constant every rule of a definition gives, when the definition has
/// the uniform shape of [`DefPlan::uniform`]: at least one rule, each giving
/// that constant, none a discretion or aimed at by an exception, and a
/// constant default or none.
fn uniform(rules: &[RulePlan], default: Option<ValueOf>) -> Option<Ix> {
    if matches!(default, Some(ValueOf::Op(_))) {
        return None;
    }
    let mut common = None;
    for rule in rules {
        let Some(ValueOf::Const(c)) = rule.value else {
            return None;
        };
        if rule.may || rule.exceptions.start < rule.exceptions.end || common.is_some_and(|k| k != c)
        {
            return None;
        }
        common = Some(c);
    }
    common
}

/// A fused op for `expr`, when it has one of the fused shapes.
fn fuse(expr: &Expr) -> Option<Op> {
    let leaf = |e: &Expr| match &e.kind {
        ExprKind::Fact(f) => Some(Leaf::Fact(*f)),
        ExprKind::Def(d) => Some(Leaf::Def(*d)),
        _ => None,
    };
    let fact_and_const = |a: &Expr, b: &Expr| Some((leaf(a)?, crate::ir::constant(b)?));
    match &expr.kind {
        ExprKind::Cmp(op, a, b)
            if matches!((&a.kind, &b.kind), (ExprKind::Fact(_), ExprKind::Fact(_))) =>
        {
            match (&a.kind, &b.kind) {
                (ExprKind::Fact(a), ExprKind::Fact(b)) => Some(Op::FactFactCmp {
                    op: *op,
                    a: *a,
                    b: *b,
                }),
                _ => None,
            }
        }
        ExprKind::Cmp(op, a, b) => {
            let (fact, value, flipped) = match fact_and_const(a, b) {
                Some((fact, value)) => (fact, value, false),
                None => {
                    let (fact, value) = fact_and_const(b, a)?;
                    (fact, value, true)
                }
            };
            // Plain equality only for enums and bools (never numbers, which
            // compare across integer and decimal); the rest compares.
            Some(
                if matches!(op, CmpOp::Eq | CmpOp::Ne)
                    && matches!(value, Value::Enum(..) | Value::Bool(_))
                {
                    Op::FactIs {
                        fact,
                        value,
                        negate: *op == CmpOp::Ne,
                    }
                } else {
                    Op::FactCmp {
                        fact,
                        op: *op,
                        value,
                        flipped,
                    }
                },
            )
        }
        ExprKind::In(a, b) => match (leaf(a), crate::ir::constant(b)) {
            (Some(fact), Some(Value::Set(_, bits))) => Some(Op::FactIn { fact, bits }),
            // `variant in S` is `S has any {variant}`: the same bit test,
            // false for a variant past the set's 128 bits.
            (None, None) => match (crate::ir::constant(a)?, leaf(b)?) {
                (Value::Enum(_, v), fact) => Some(Op::FactHas {
                    fact,
                    bits: 1u128.checked_shl(v).unwrap_or(0),
                    all: false,
                }),
                _ => None,
            },
            _ => None,
        },
        ExprKind::HasAny(a, b) | ExprKind::HasAll(a, b) => {
            match (leaf(a)?, crate::ir::constant(b)?) {
                (fact, Value::Set(_, bits)) => Some(Op::FactHas {
                    fact,
                    bits,
                    all: matches!(expr.kind, ExprKind::HasAll(..)),
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Plan;
    use crate::compile::compile;
    use crate::source::SourceMap;
    use crate::value::Value;

    /// A table keyed by two enums is indexed: a lookup's candidates are
    /// exactly the rows with its keys, in source order, and keys with no row
    /// have none (the evaluator still checks each candidate's keys, so the
    /// index only has to narrow the search correctly).
    #[test]
    fn a_table_index_narrows_a_lookup_to_the_rows_with_its_keys() {
        let mut sources = SourceMap::new();
        sources.add(
            "t.policy",
            r#"
source act : statute "Act"
enum State { china, laos, russia }
enum Treaty { rc, cat }
table parties "participation" {
  key state : State
  key treaty : Treaty
  column since : text "accession"
  row china, cat { since: "1988" } cite act art 1 provenance text
  row laos, cat { since: "2012" } cite act art 1 provenance text
  row china, rc { since: "1982" } cite act art 1 provenance text
  row china, cat { since: "1988 (second row)" } cite act art 1 provenance text
}
fact current_state : State
verdict bound : bool {
  default false cite act art 1 provenance reading
  rule party when exists parties[current_state, cat] cite act art 1 provenance text
}
"#,
        );
        let Ok(compiled) = compile(&sources) else {
            panic!("the policy checks");
        };
        let program = &compiled.program;
        let plan = Plan::new(program);
        let index = &plan.tables[0];
        let enum_of = |name: &str| {
            program
                .enums
                .iter()
                .position(|e| e.name == name)
                .and_then(|i| u32::try_from(i).ok())
                .map(crate::ir::EnumId)
                .expect("declared")
        };
        let (state, treaty) = (enum_of("State"), enum_of("Treaty"));
        let keys = |s: u32, t: u32| [Value::Enum(state, s), Value::Enum(treaty, t)];
        assert_eq!(index.candidates(&keys(0, 1)), Some(&[0, 3][..]));
        assert_eq!(index.candidates(&keys(1, 1)), Some(&[1][..]));
        assert_eq!(index.candidates(&keys(0, 0)), Some(&[2][..]));
        assert_eq!(index.candidates(&keys(2, 0)), Some(&[][..]));
        // A key tuple of the wrong length or type matches no row.
        assert_eq!(index.candidates(&keys(0, 1)[..1]), Some(&[][..]));
        assert_eq!(
            index.candidates(&[Value::Integer(0), Value::Enum(treaty, 1)]),
            Some(&[][..])
        );
    }

    /// A uniform definition stops at its first rule that holds only when no
    /// rule's condition can fail: not with arithmetic, a comparison of
    /// money, or a read of a definition whose rules can conflict (directly
    /// or through another definition).
    #[test]
    fn only_a_definition_whose_conditions_cannot_fail_stops_at_its_first_rule() {
        let mut sources = SourceMap::new();
        sources.add(
            "t.policy",
            r#"
source act : statute "Act"
enum Colour "a colour" { red, green }
fact p : bool "p"
fact n : integer "n"
fact fee : money "a fee"
definition split : Colour "red or green" {
  rule red_p = red when p cite act art 1 provenance text
  rule green_n = green when n > 1 cite act art 2 provenance text
}
definition through : bool "split, one step away" {
  rule through_split when split == red cite act art 1 provenance text
}
verdict plain : bool "p or n above 1" {
  default false cite act art 1 provenance reading
  rule plain_p when p cite act art 1 provenance text
  rule plain_n when n > 1 and not p cite act art 2 provenance text
}
verdict divides : bool "10 / n above 1" {
  rule divides_n when 10 / n > 1 cite act art 1 provenance text
}
verdict costs : bool "a fee above 100 KRW" {
  rule costs_fee when fee > KRW 100 cite act art 1 provenance text
}
verdict reads_split : bool "split is red" {
  rule reads_split_red when split == red cite act art 1 provenance text
}
verdict reads_through : bool "through" {
  rule reads_through_it when through cite act art 1 provenance text
}
"#,
        );
        let Ok(compiled) = compile(&sources) else {
            panic!("the policy checks");
        };
        let program = &compiled.program;
        let plan = Plan::new(program);
        let stops = |name: &str| {
            let id = program.definition(name).expect("declared");
            plan.defs[id.index()].stop_at_first
        };
        assert!(stops("plain"));
        assert!(!stops("divides"));
        assert!(!stops("costs"));
        assert!(!stops("reads_split"));
        assert!(!stops("reads_through"));
        // Not uniform (its rules give different values): never stops early.
        assert!(!stops("split"));
        assert!(!stops("through"));
    }
}
