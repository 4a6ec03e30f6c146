//! Expression evaluation over the plan, three-valued, marking what settled
//! each value.
//!
//! Two entry points share the work: [`Run::holds`] for conditions (whether an
//! expression is `true`: `Some(false)` for any other known value) and
//! [`Run::eval`] for values. Each evaluates natively the forms of its kind
//! (`holds` the boolean forms, `eval` the others) and hands the rest to the
//! other, so a condition never builds a [`Value`] it does not need. Every
//! evaluation returns `None` when the value is unknown because a fact is
//! missing. Each read goes to the trace (`graph::Trace`) marked; an operator
//! then *unmarks* the reads of operands that did not settle its value (see
//! `graph`'s module docs): for `a and b` false because `a` is false, `b` is
//! never read; for `a and b` false because `b` is, `a`'s reads are unmarked.
//! Since the reads of one operand are contiguous, an operator only needs the
//! trace's length before each operand. On the values path the trace records
//! nothing and these calls compile away.

use super::graph::{Memoised, ReadOf, Trace};
use super::plan::{Ix, Leaf, Op, Range32};
use super::{EvalError, Fail, Run};
use crate::ir::{ArithOp, Builtin, CmpOp, TableId};
use crate::source::Span;
use crate::value::{Duration, Money, Value};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Integer(i) => Some(Decimal::from(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn arith_err(message: &str, span: Span) -> Fail {
    Box::new(EvalError::Arithmetic {
        message: message.to_string(),
        span,
    })
}

/// The most keys [`Run::exists_in_place`] compares in place.
const IN_PLACE_KEYS: usize = 4;

fn is_true(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

/// `v == c` for the constant of a fused equality, with its kinds (an enum
/// variant or a bool) compared inline.
#[inline(always)]
fn is_const(v: &Value, c: &Value) -> bool {
    match (v, c) {
        (Value::Enum(e, a), Value::Enum(f, b)) => a == b && e == f,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        _ => v == c,
    }
}

impl<T: Trace> Run<'_, T> {
    /// Reads a fact or a definition (evaluating it on first use) and applies
    /// `f` to its value (`None`: unknown).
    #[inline(always)]
    fn leaf(
        &mut self,
        leaf: Leaf,
        f: impl FnOnce(&Value) -> Result<bool, Fail>,
    ) -> Result<Option<bool>, Fail> {
        match leaf {
            Leaf::Fact(id) => {
                self.trace.read(ReadOf::Fact(id));
                self.case.fact(id).map(f).transpose()
            }
            Leaf::Def(id) => {
                if self.work.not_yet(id) {
                    self.decide(id)?;
                }
                self.trace.read(ReadOf::Def(id));
                match self.work.memo(id) {
                    Some(Memoised::Done(Some(v))) => f(v).map(Some),
                    _ => Ok(None),
                }
            }
        }
    }

    /// A fused comparison of a fact or definition with a constant (the op at
    /// `ix`), tested on the value in place.
    #[inline(always)]
    fn leaf_cmp(
        &mut self,
        ix: Ix,
        fact: Leaf,
        op: CmpOp,
        value: &Value,
        flipped: bool,
    ) -> Result<Option<bool>, Fail> {
        let span = self.plan.span(ix);
        self.leaf(fact, |v| {
            let (a, b) = if flipped { (value, v) } else { (v, value) };
            cmp_holds(op, a, b, span)
        })
    }

    /// [`Run::holds`], with the commonest operands (facts and definitions
    /// already evaluated) handled without a call.
    #[inline(always)]
    pub(crate) fn holds_fast(&mut self, ix: Ix) -> Result<Option<bool>, Fail> {
        let plan = self.plan;
        match plan.ops.get(ix as usize) {
            Some(Op::Fact(f)) => self.leaf(Leaf::Fact(*f), |v| Ok(is_true(v))),
            Some(Op::Def(d)) if !self.work.not_yet(*d) => {
                self.trace.read(ReadOf::Def(*d));
                Ok(self.work.holds(*d))
            }
            Some(Op::FactIs {
                fact,
                value,
                negate,
            }) => self.leaf(*fact, |v| Ok(is_const(v, value) != *negate)),
            Some(Op::FactCmp {
                fact,
                op,
                value,
                flipped,
            }) => self.leaf_cmp(ix, *fact, *op, value, *flipped),
            _ => self.holds(ix),
        }
    }

    /// Whether the expression at `ix` is `true` (`None`: unknown).
    pub(crate) fn holds(&mut self, ix: Ix) -> Result<Option<bool>, Fail> {
        let plan = self.plan;
        let op = plan
            .ops
            .get(ix as usize)
            .ok_or_else(|| arith_err("internal: no such expression", Span::default()))?;
        Ok(match op {
            Op::Const(v) => Some(is_true(v)),
            Op::Fact(f) => self.leaf(Leaf::Fact(*f), |v| Ok(is_true(v)))?,
            Op::Def(d) => self.leaf(Leaf::Def(*d), |v| Ok(is_true(v)))?,
            Op::Not(a) => self.holds_fast(*a)?.map(|b| !b),
            Op::And(items) | Op::Or(items) => {
                // Kleene, folded left over the chain `a and b and c …` (as
                // the nested binary forms would be): the "dominant" value
                // (false for and, true for or) settles the result alone, and
                // what follows it is never read.
                let dominant = matches!(op, Op::Or(..));
                let items = plan.args(*items);
                if !T::ON {
                    // Nothing to unmark: the value alone, as the fold below
                    // gives it.
                    let mut unknown = false;
                    for &item in items {
                        match self.holds_fast(item)? {
                            Some(x) if x == dominant => return Ok(Some(dominant)),
                            None => unknown = true,
                            Some(_) => {}
                        }
                    }
                    return Ok(if unknown { None } else { Some(!dominant) });
                }
                let start = self.trace.len();
                let mut acc = Some(!dominant);
                for (i, &item) in items.iter().enumerate() {
                    let r_start = self.trace.len();
                    let r = self.holds_fast(item)?;
                    if i == 0 {
                        acc = r;
                        if r == Some(dominant) {
                            return Ok(r);
                        }
                        continue;
                    }
                    acc = match (acc, r) {
                        (_, Some(x)) if x == dominant => {
                            self.trace.unmark(start, r_start);
                            return Ok(Some(dominant));
                        }
                        (Some(_), Some(x)) => Some(x),
                        // Unknown because of the right side only.
                        (Some(_), None) => {
                            self.trace.unmark(start, r_start);
                            None
                        }
                        // Unknown because of the left side only.
                        (None, Some(_)) => {
                            let end = self.trace.len();
                            self.trace.unmark(r_start, end);
                            None
                        }
                        (None, None) => None,
                    };
                }
                acc
            }
            Op::Cmp(_, a, b) | Op::In(a, b) | Op::HasAny(a, b) | Op::HasAll(a, b) => {
                let (a, b) = (*a, *b);
                self.both(a, b, |x, y| test(op, x, y, plan.span(ix)))?
            }
            Op::FactIs {
                fact,
                value,
                negate,
            } => self.leaf(*fact, |v| Ok(is_const(v, value) != *negate))?,
            Op::FactCmp {
                fact,
                op,
                value,
                flipped,
            } => self.leaf_cmp(ix, *fact, *op, value, *flipped)?,
            Op::FactIn { fact, bits } => self.leaf(*fact, |v| match v {
                Value::Enum(_, v) => Ok(1u128.checked_shl(*v).is_some_and(|bit| bits & bit != 0)),
                _ => Err(arith_err("operands of unexpected types", plan.span(ix))),
            })?,
            Op::FactHas { fact, bits, all } => self.leaf(*fact, |v| match v {
                Value::Set(_, set) => Ok(if *all {
                    set & bits == *bits
                } else {
                    set & bits != 0
                }),
                _ => Err(arith_err("operands of unexpected types", plan.span(ix))),
            })?,
            Op::FactFactCmp { op, a, b } => {
                // As `both` would: each fact read in turn, and the read of a
                // known one unmarked when the other is unknown.
                let a_start = self.trace.len();
                self.trace.read(ReadOf::Fact(*a));
                let b_start = self.trace.len();
                self.trace.read(ReadOf::Fact(*b));
                match (self.case.fact(*a), self.case.fact(*b)) {
                    (Some(x), Some(y)) => Some(cmp_holds(*op, x, y, plan.span(ix))?),
                    (Some(_), None) => {
                        self.trace.unmark(a_start, b_start);
                        None
                    }
                    (None, Some(_)) => {
                        let end = self.trace.len();
                        self.trace.unmark(b_start, end);
                        None
                    }
                    (None, None) => None,
                }
            }
            Op::Exists(table, args) => {
                let (table, args) = (*table, *args);
                if !T::ON {
                    if let Some(found) = self.exists_in_place(table, args) {
                        return Ok(found);
                    }
                }
                let Some(base) = self.operands(args)? else {
                    return Ok(None);
                };
                let row = self.find_row(table, base);
                self.record_row(table, row, base);
                self.work.operands.truncate(base);
                Some(row.is_some())
            }
            Op::AsOf
            | Op::Neg(_)
            | Op::Arith(..)
            | Op::If(..)
            | Op::Set(..)
            | Op::Call(..)
            | Op::Lookup(..) => self.eval(ix)?.as_ref().map(is_true),
        })
    }

    /// The value of the expression at `ix` (`None`: unknown).
    pub(crate) fn eval(&mut self, ix: Ix) -> Result<Option<Value>, Fail> {
        let plan = self.plan;
        let op = plan
            .ops
            .get(ix as usize)
            .ok_or_else(|| arith_err("internal: no such expression", Span::default()))?;
        Ok(match op {
            Op::Const(v) => Some(v.clone()),
            Op::Fact(f) => {
                self.trace.read(ReadOf::Fact(*f));
                self.case.fact(*f).cloned()
            }
            Op::Def(d) => {
                let value = self.definition(*d)?;
                self.trace.read(ReadOf::Def(*d));
                value
            }
            Op::AsOf => {
                self.trace.read(ReadOf::AsOf);
                Some(Value::Date(self.as_of))
            }
            Op::If(c, a, b) => {
                let (c, a, b) = (*c, *a, *b);
                let c_start = self.trace.len();
                match self.eval(c)? {
                    Some(Value::Bool(true)) => self.eval(a)?,
                    Some(_) => self.eval(b)?,
                    None => {
                        let a_start = self.trace.len();
                        let av = self.eval(a)?;
                        let b_start = self.trace.len();
                        let bv = self.eval(b)?;
                        if av.is_some() && av == bv {
                            // Both branches agree: the condition did not matter.
                            self.trace.unmark(c_start, a_start);
                            av
                        } else {
                            if av.is_some() {
                                self.trace.unmark(a_start, b_start);
                            }
                            if bv.is_some() {
                                let end = self.trace.len();
                                self.trace.unmark(b_start, end);
                            }
                            None
                        }
                    }
                }
            }
            Op::Arith(arith_op, a, b) => {
                let (arith_op, a, b) = (*arith_op, *a, *b);
                self.both(a, b, |x, y| arith(arith_op, x, y, plan.span(ix)))?
            }
            Op::Neg(a) => match self.eval(*a)? {
                Some(v) => Some(negate(&v, plan.span(ix))?),
                None => None,
            },
            Op::Set(e, args) => {
                let (e, args) = (*e, *args);
                let Some(base) = self.operands(args)? else {
                    return Ok(None);
                };
                if e.0 == u32::MAX {
                    return Err(arith_err("not a set", plan.span(ix)));
                }
                let mut bits = 0u128;
                for v in self.work.operands.get(base..).unwrap_or(&[]) {
                    if let Value::Enum(_, i) = v {
                        bits |= 1u128.checked_shl(*i).unwrap_or(0);
                    }
                }
                self.work.operands.truncate(base);
                Some(Value::Set(e, bits))
            }
            Op::Call(f, args) => {
                let (f, args) = (*f, *args);
                let Some(base) = self.operands(args)? else {
                    return Ok(None);
                };
                let result = call(
                    f,
                    self.work.operands.get(base..).unwrap_or(&[]),
                    plan.span(ix),
                );
                self.work.operands.truncate(base);
                Some(result?)
            }
            Op::Lookup(table, args, column) => {
                let (table, args, column) = (*table, *args, *column);
                let Some(base) = self.operands(args)? else {
                    return Ok(None);
                };
                let row = self.find_row(table, base);
                self.record_row(table, row, base);
                let cell = row.and_then(|r| {
                    self.program
                        .tables
                        .get(table.index())?
                        .rows
                        .get(r)?
                        .cells
                        .get(column as usize)
                        .cloned()
                });
                let result = cell.ok_or_else(|| self.no_row(table, base, plan.span(ix)));
                self.work.operands.truncate(base);
                Some(result?)
            }
            Op::Not(_)
            | Op::And(..)
            | Op::Or(..)
            | Op::Cmp(..)
            | Op::In(..)
            | Op::HasAny(..)
            | Op::HasAll(..)
            | Op::FactIs { .. }
            | Op::FactCmp { .. }
            | Op::FactIn { .. }
            | Op::FactHas { .. }
            | Op::FactFactCmp { .. }
            | Op::Exists(..) => self.holds(ix)?.map(Value::Bool),
        })
    }

    /// `f` of both operands of a strict binary form, or `None` if either is
    /// unknown (the reads of a known operand are then unmarked: the unknown
    /// comes from the other). The operands are used where `eval` left them:
    /// moving them out of its results (to return them as a pair) read each
    /// back just after it was written, a store-forwarding stall that perf put
    /// at half of this function's time.
    fn both<R>(
        &mut self,
        a: Ix,
        b: Ix,
        f: impl FnOnce(&Value, &Value) -> Result<R, Fail>,
    ) -> Result<Option<R>, Fail> {
        let a_start = self.trace.len();
        let x = self.eval(a);
        let x = match &x {
            Ok(x) => x.as_ref(),
            Err(_) => return x.map(|_| None),
        };
        let b_start = self.trace.len();
        let y = self.eval(b);
        let y = match &y {
            Ok(y) => y.as_ref(),
            Err(_) => return y.map(|_| None),
        };
        match (x, y) {
            (Some(x), Some(y)) => f(x, y).map(Some),
            (Some(_), None) => {
                self.trace.unmark(a_start, b_start);
                Ok(None)
            }
            (None, Some(_)) => {
                let end = self.trace.len();
                self.trace.unmark(b_start, end);
                Ok(None)
            }
            (None, None) => Ok(None),
        }
    }

    /// Evaluates every operand onto the operand stack; returns where they
    /// start, or `None` (stack restored) if any is unknown. Every operand is
    /// needed, and the reads of known operands keep their marks even when the
    /// result is unknown: their values are known, so the missing-fact
    /// analysis passes over them.
    fn operands(&mut self, args: Range32) -> Result<Option<usize>, Fail> {
        let plan = self.plan;
        let base = self.work.operands.len();
        let mut unknown = false;
        for &arg in plan.args(args) {
            // Copied from where `eval` left it (see `both`).
            let r = self.eval(arg);
            match &r {
                Ok(Some(v)) => crate::value::push_copy(&mut self.work.operands, v),
                Ok(None) => unknown = true,
                Err(_) => return r.map(|_| None),
            }
        }
        if unknown {
            self.work.operands.truncate(base);
            return Ok(None);
        }
        Ok(Some(base))
    }

    /// Records a table lookup with the keys on the operand stack from `base`.
    fn record_row(&mut self, table: TableId, row: Option<usize>, base: usize) {
        let keys = self.work.operands.get(base..).unwrap_or(&[]);
        self.trace.row(table, row, keys);
    }

    /// The row in force on the evaluation date whose keys are those on the
    /// operand stack from `base` (the first such row in source order).
    /// `exists T[keys]` on the values path, when every key is a fact or a
    /// constant (at most [`IN_PLACE_KEYS`] of them): the keys are compared
    /// where they lie, not copied to the operand stack. `None`: some key is
    /// another form; evaluate it the general way. Neither form of key can
    /// fail, so the result is the general way's.
    fn exists_in_place(&self, table: TableId, args: Range32) -> Option<Option<bool>> {
        static PLACEHOLDER: Value = Value::Bool(false);
        let plan = self.plan;
        let args = plan.args(args);
        let mut keys = [&PLACEHOLDER; IN_PLACE_KEYS];
        if args.len() > IN_PLACE_KEYS {
            return None;
        }
        let mut unknown = false;
        for (slot, &arg) in keys.iter_mut().zip(args) {
            match plan.ops.get(arg as usize) {
                Some(Op::Const(v)) => *slot = v,
                Some(Op::Fact(f)) => match self.case.fact(*f) {
                    Some(v) => *slot = v,
                    None => unknown = true,
                },
                _ => return None,
            }
        }
        if unknown {
            return Some(None);
        }
        let keys = keys.get(..args.len())?;
        let info = self.program.tables.get(table.index())?;
        let matches = |i: usize| {
            info.rows.get(i).is_some_and(|row| {
                row.keys.len() == keys.len()
                    && row.keys.iter().zip(keys).all(|(a, b)| a == *b)
                    && row.meta.in_force(self.as_of)
            })
        };
        let found = match plan
            .tables
            .get(table.index())
            .and_then(|t| t.candidates_of(keys.iter().copied()))
        {
            Some(rows) => rows.iter().any(|&r| matches(r as usize)),
            None => (0..info.rows.len()).any(matches),
        };
        Some(Some(found))
    }

    fn find_row(&self, table: TableId, base: usize) -> Option<usize> {
        let keys = self.work.operands.get(base..).unwrap_or(&[]);
        let info = self.program.tables.get(table.index())?;
        let matches = |i: usize| {
            info.rows
                .get(i)
                .is_some_and(|row| row.keys.as_slice() == keys && row.meta.in_force(self.as_of))
        };
        match self
            .plan
            .tables
            .get(table.index())
            .and_then(|t| t.candidates(keys))
        {
            Some(rows) => rows.iter().map(|&r| r as usize).find(|&r| matches(r)),
            None => (0..info.rows.len()).find(|&r| matches(r)),
        }
    }

    fn no_row(&self, table: TableId, base: usize, span: Span) -> Fail {
        let keys = self.work.operands.get(base..).unwrap_or(&[]);
        Box::new(EvalError::NoRow {
            table: self
                .program
                .tables
                .get(table.index())
                .map_or("?".into(), |t| t.name.clone()),
            keys: keys
                .iter()
                .map(|v| v.display(self.program))
                .collect::<Vec<_>>()
                .join(", "),
            as_of: self.as_of.to_string(),
            span,
        })
    }
}

/// A boolean binary form over known operands.
/// Whether `a OP b` holds.
fn cmp_holds(op: CmpOp, a: &Value, b: &Value, span: Span) -> Result<bool, Fail> {
    let ord = compare(a, b, span)?;
    Ok(match op {
        CmpOp::Eq => ord == Some(Ordering::Equal),
        CmpOp::Ne => ord != Some(Ordering::Equal),
        CmpOp::Lt => ord == Some(Ordering::Less),
        CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => ord == Some(Ordering::Greater),
        CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
    })
}

fn test(op: &Op, a: &Value, b: &Value, span: Span) -> Result<bool, Fail> {
    match (op, a, b) {
        (Op::Cmp(op, ..), _, _) => cmp_holds(*op, a, b, span),
        (Op::In(..), Value::Enum(_, v), Value::Set(_, bits)) => {
            Ok(1u128.checked_shl(*v).is_some_and(|bit| bits & bit != 0))
        }
        (Op::HasAny(..), Value::Set(_, a), Value::Set(_, b)) => Ok(a & b != 0),
        (Op::HasAll(..), Value::Set(_, a), Value::Set(_, b)) => Ok(a & b == *b),
        _ => Err(arith_err("operands of unexpected types", span)),
    }
}

/// Unary minus.
fn negate(v: &Value, span: Span) -> Result<Value, Fail> {
    match v {
        Value::Integer(i) => i
            .checked_neg()
            .map(Value::Integer)
            .ok_or_else(|| arith_err("overflow", span)),
        Value::Decimal(d) => Ok(Value::Decimal(-*d)),
        Value::Money(m) => Ok(Value::Money(Money {
            amount: -m.amount,
            ..*m
        })),
        Value::Duration(d) => Ok(Value::Duration(Duration {
            months: -d.months,
            days: -d.days,
        })),
        _ => Err(arith_err("cannot negate", span)),
    }
}

fn call(f: Builtin, args: &[Value], expr: Span) -> Result<Value, Fail> {
    let first = args
        .first()
        .ok_or_else(|| arith_err("missing argument", expr))?;
    match f {
        Builtin::Min | Builtin::Max => {
            let mut best = first.clone();
            for v in args.iter().skip(1) {
                let ord = compare(v, &best, expr)?;
                let better = if f == Builtin::Min {
                    ord == Some(Ordering::Less)
                } else {
                    ord == Some(Ordering::Greater)
                };
                if better {
                    best = v.clone();
                }
            }
            Ok(best)
        }
        Builtin::Clamp => {
            let (lo, hi) = (args.get(1), args.get(2));
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return Err(arith_err("clamp takes three arguments", expr));
            };
            if compare(first, lo, expr)? == Some(Ordering::Less) {
                Ok(lo.clone())
            } else if compare(first, hi, expr)? == Some(Ordering::Greater) {
                Ok(hi.clone())
            } else {
                Ok(first.clone())
            }
        }
        Builtin::Round | Builtin::Floor | Builtin::Ceil => {
            let places = match args.get(1) {
                Some(Value::Integer(p)) => u32::try_from(*p)
                    .map_err(|_| arith_err("decimal places must be 0 to 28", expr))?,
                _ => 0,
            };
            let strategy = match f {
                Builtin::Round => RoundingStrategy::MidpointAwayFromZero,
                Builtin::Floor => RoundingStrategy::ToNegativeInfinity,
                _ => RoundingStrategy::ToPositiveInfinity,
            };
            Ok(match first {
                Value::Decimal(d) => Value::Decimal(d.round_dp_with_strategy(places, strategy)),
                Value::Money(m) => Value::Money(Money {
                    amount: m.amount.round_dp_with_strategy(places, strategy),
                    ..*m
                }),
                other => other.clone(),
            })
        }
        Builtin::YearsBetween | Builtin::DaysBetween => {
            let (Value::Date(a), Some(Value::Date(b))) = (first, args.get(1)) else {
                return Err(arith_err("expected two dates", expr));
            };
            let unit = if f == Builtin::YearsBetween {
                jiff::Unit::Year
            } else {
                jiff::Unit::Day
            };
            let span = a
                .until((unit, *b))
                .map_err(|e| arith_err(&e.to_string(), expr))?;
            Ok(Value::Integer(if f == Builtin::YearsBetween {
                i64::from(span.get_years())
            } else {
                i64::from(span.get_days())
            }))
        }
        Builtin::Count => match first {
            Value::Set(_, bits) => Ok(Value::Integer(i64::from(bits.count_ones()))),
            _ => Err(arith_err("count takes a set", expr)),
        },
    }
}

/// Orders two values of comparable types (`None`: unequal and unordered).
fn compare(a: &Value, b: &Value, expr: Span) -> Result<Option<Ordering>, Fail> {
    if let (Value::Integer(x), Value::Integer(y)) = (a, b) {
        return Ok(Some(x.cmp(y)));
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Ok(Some(x.cmp(&y)));
    }
    Ok(match (a, b) {
        (Value::Money(x), Value::Money(y)) => {
            if x.currency != y.currency {
                return Err(Box::new(EvalError::Currency {
                    left: x.currency_str().into(),
                    right: y.currency_str().into(),
                    span: expr,
                }));
            }
            Some(x.amount.cmp(&y.amount))
        }
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => {
            if x.months == 0 && y.months == 0 {
                Some(x.days.cmp(&y.days))
            } else if x.days == 0 && y.days == 0 {
                Some(x.months.cmp(&y.months))
            } else {
                return Err(Box::new(EvalError::Duration {
                    left: crate::value::display_duration(*x),
                    right: crate::value::display_duration(*y),
                    span: expr,
                }));
            }
        }
        _ => {
            if a == b {
                Some(Ordering::Equal)
            } else {
                None
            }
        }
    })
}

fn arith(op: ArithOp, a: &Value, b: &Value, expr: Span) -> Result<Value, Fail> {
    let overflow = || arith_err("the result is too large", expr);
    let div_zero = || arith_err("division by zero", expr);
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => match op {
            ArithOp::Add => x.checked_add(*y).map(Value::Integer).ok_or_else(overflow),
            ArithOp::Sub => x.checked_sub(*y).map(Value::Integer).ok_or_else(overflow),
            ArithOp::Mul => x.checked_mul(*y).map(Value::Integer).ok_or_else(overflow),
            ArithOp::Div => Decimal::from(*x)
                .checked_div(Decimal::from(*y))
                .map(Value::Decimal)
                .ok_or_else(div_zero),
        },
        (Value::Money(x), Value::Money(y)) => {
            if x.currency != y.currency {
                return Err(Box::new(EvalError::Currency {
                    left: x.currency_str().into(),
                    right: y.currency_str().into(),
                    span: expr,
                }));
            }
            let amount = match op {
                ArithOp::Add => x.amount.checked_add(y.amount).ok_or_else(overflow)?,
                ArithOp::Sub => x.amount.checked_sub(y.amount).ok_or_else(overflow)?,
                ArithOp::Div => {
                    return x
                        .amount
                        .checked_div(y.amount)
                        .map(Value::Decimal)
                        .ok_or_else(div_zero)
                }
                ArithOp::Mul => return Err(arith_err("money cannot be multiplied by money", expr)),
            };
            Ok(Value::Money(Money { amount, ..*x }))
        }
        (Value::Money(m), n) | (n, Value::Money(m)) if num(n).is_some() => {
            let k = num(n).unwrap_or_default();
            let amount = match op {
                ArithOp::Mul => m.amount.checked_mul(k).ok_or_else(overflow)?,
                ArithOp::Div if matches!(a, Value::Money(_)) => {
                    m.amount.checked_div(k).ok_or_else(div_zero)?
                }
                _ => {
                    return Err(arith_err(
                        "money combines with numbers only by * and /",
                        expr,
                    ))
                }
            };
            Ok(Value::Money(Money { amount, ..*m }))
        }
        (Value::Date(d), Value::Duration(dur)) | (Value::Duration(dur), Value::Date(d)) => {
            let sign = if op == ArithOp::Sub { -1 } else { 1 };
            let span = jiff::Span::new()
                .try_months(dur.months.saturating_mul(sign))
                .and_then(|s| s.try_days(dur.days.saturating_mul(sign)))
                .map_err(|e| arith_err(&e.to_string(), expr))?;
            d.checked_add(span)
                .map(Value::Date)
                .map_err(|e| arith_err(&e.to_string(), expr))
        }
        (Value::Date(x), Value::Date(y)) => {
            let span = y.until(*x).map_err(|e| arith_err(&e.to_string(), expr))?;
            Ok(Value::Duration(Duration {
                months: 0,
                days: i64::from(span.get_days()),
            }))
        }
        (Value::Duration(x), Value::Duration(y)) => {
            let sign = if op == ArithOp::Sub { -1 } else { 1 };
            Ok(Value::Duration(Duration {
                months: x
                    .months
                    .checked_add(y.months.saturating_mul(sign))
                    .ok_or_else(overflow)?,
                days: x
                    .days
                    .checked_add(y.days.saturating_mul(sign))
                    .ok_or_else(overflow)?,
            }))
        }
        (Value::Duration(d), Value::Integer(k)) | (Value::Integer(k), Value::Duration(d)) => {
            Ok(Value::Duration(Duration {
                months: d.months.checked_mul(*k).ok_or_else(overflow)?,
                days: d.days.checked_mul(*k).ok_or_else(overflow)?,
            }))
        }
        _ => {
            let (Some(x), Some(y)) = (num(a), num(b)) else {
                return Err(arith_err("operands of unexpected types", expr));
            };
            let r = match op {
                ArithOp::Add => x.checked_add(y),
                ArithOp::Sub => x.checked_sub(y),
                ArithOp::Mul => x.checked_mul(y),
                ArithOp::Div => {
                    if y.is_zero() {
                        return Err(div_zero());
                    }
                    x.checked_div(y)
                }
            };
            r.map(Value::Decimal).ok_or_else(overflow)
        }
    }
}
