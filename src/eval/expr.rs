//! Expression evaluation, three-valued, marking what settled each value.
//!
//! [`Run::eval`] is a thin wrapper around [`Run::eval_inner`], the big
//! `match`. Every evaluation returns the value (`None`: unknown because a fact
//! is missing). Each read is pushed onto the graph's work stack marked; an
//! operator then *unmarks* the reads of operands that did not settle its value
//! (see `graph`'s module docs): for `a and b` false because `a` is false, `b`
//! is never read; for `a and b` false because `b` is, `a`'s reads are
//! unmarked. Since the reads of one operand are contiguous on the stack, an
//! operator only needs the stack length before each operand.

use super::error::EvalError;
use super::graph::ReadOf;
use super::{push_read, Run};
use crate::ir::{ArithOp, Builtin, CmpOp, Expr, ExprKind};
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

fn arith_err(message: &str, expr: &Expr) -> EvalError {
    EvalError::Arithmetic {
        message: message.to_string(),
        span: expr.span,
    }
}

impl Run<'_, '_> {
    /// Evaluates `expr`, pushing what it reads onto the graph's work stack.
    pub(crate) fn eval(&mut self, expr: &Expr) -> Result<Option<Value>, EvalError> {
        self.eval_inner(expr)
    }

    /// Clears the marks of the reads from `start` to `end` (stack indexes).
    fn unmark(&mut self, start: usize, end: usize) {
        if let Some(reads) = self.graph.read_stack.get_mut(start..end) {
            for r in reads {
                r.mark = false;
            }
        }
    }

    fn len(&self) -> usize {
        self.graph.read_stack.len()
    }

    fn eval_inner(&mut self, expr: &Expr) -> Result<Option<Value>, EvalError> {
        Ok(match &expr.kind {
            ExprKind::Const(v) => Some(v.clone()),
            ExprKind::Fact(id) => {
                push_read(self.graph, ReadOf::Fact(*id));
                self.case.fact(*id).cloned()
            }
            ExprKind::Def(id) => {
                let value = self.definition(*id)?;
                push_read(self.graph, ReadOf::Def(*id));
                value
            }
            ExprKind::AsOf => {
                push_read(self.graph, ReadOf::AsOf);
                Some(Value::Date(self.as_of))
            }
            ExprKind::Not(inner) => self
                .eval(inner)?
                .map(|v| Value::Bool(!matches!(v, Value::Bool(true)))),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // Kleene: the "dominant" value (false for and, true for or)
                // settles the result alone.
                let dominant = matches!(expr.kind, ExprKind::Or(..));
                let l_start = self.len();
                let l = self.eval(a)?.map(|v| matches!(v, Value::Bool(true)));
                if l == Some(dominant) {
                    return Ok(Some(Value::Bool(dominant)));
                }
                let r_start = self.len();
                let r = self.eval(b)?.map(|v| matches!(v, Value::Bool(true)));
                let end = self.len();
                match (l, r) {
                    (_, Some(x)) if x == dominant => {
                        self.unmark(l_start, r_start);
                        Some(Value::Bool(dominant))
                    }
                    (Some(_), Some(x)) => Some(Value::Bool(x)),
                    // Unknown because of the right side only.
                    (Some(_), None) => {
                        self.unmark(l_start, r_start);
                        None
                    }
                    // Unknown because of the left side only.
                    (None, Some(_)) => {
                        self.unmark(r_start, end);
                        None
                    }
                    (None, None) => None,
                }
            }
            ExprKind::If(c, a, b) => {
                let c_start = self.len();
                let cv = self.eval(c)?;
                match cv {
                    Some(Value::Bool(true)) => self.eval(a)?,
                    Some(_) => self.eval(b)?,
                    None => {
                        let a_start = self.len();
                        let av = self.eval(a)?;
                        let b_start = self.len();
                        let bv = self.eval(b)?;
                        if av.is_some() && av == bv {
                            // Both branches agree: the condition did not matter.
                            self.unmark(c_start, a_start);
                            av
                        } else {
                            if av.is_some() {
                                self.unmark(a_start, b_start);
                            }
                            if bv.is_some() {
                                let end = self.len();
                                self.unmark(b_start, end);
                            }
                            None
                        }
                    }
                }
            }
            ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::In(a, b)
            | ExprKind::HasAny(a, b)
            | ExprKind::HasAll(a, b) => {
                // Binary strict forms, without collecting operands (the hot path).
                let a_start = self.len();
                let x = self.eval(a)?;
                let b_start = self.len();
                let y = self.eval(b)?;
                match (x, y) {
                    (Some(x), Some(y)) => Some(self.strict(expr, &[x, y])?),
                    (Some(_), None) => {
                        self.unmark(a_start, b_start);
                        None
                    }
                    (None, Some(_)) => {
                        let end = self.len();
                        self.unmark(b_start, end);
                        None
                    }
                    (None, None) => None,
                }
            }
            ExprKind::Neg(a) => match self.eval(a)? {
                Some(x) => Some(self.strict(expr, std::slice::from_ref(&x))?),
                None => None,
            },
            ExprKind::Set(items)
            | ExprKind::Call(_, items)
            | ExprKind::Lookup(_, items, _)
            | ExprKind::Exists(_, items) => {
                // Every operand is needed; unknown if any is. Operand values
                // go to a reusable scratch stack (no allocation once warm).
                let base = self.graph.scratch.len();
                let mut unknown = false;
                for operand in items {
                    // The reads of known operands keep their marks even when
                    // the result is unknown: their values are known, so the
                    // missing-fact analysis passes over them.
                    match self.eval(operand)? {
                        Some(v) => self.graph.scratch.push(v),
                        None => unknown = true,
                    }
                }
                if unknown {
                    self.graph.scratch.truncate(base);
                    return Ok(None);
                }
                let values = std::mem::take(&mut self.graph.scratch);
                let result = self.strict(expr, values.get(base..).unwrap_or(&[]));
                self.graph.scratch = values;
                self.graph.scratch.truncate(base);
                Some(result?)
            }
        })
    }

    /// Forms whose operands are all known.
    fn strict(&mut self, expr: &Expr, values: &[Value]) -> Result<Value, EvalError> {
        let first = values.first();
        let second = values.get(1);
        match (&expr.kind, first, second) {
            (ExprKind::Neg(_), Some(v), _) => match v {
                Value::Integer(i) => i
                    .checked_neg()
                    .map(Value::Integer)
                    .ok_or_else(|| arith_err("overflow", expr)),
                Value::Decimal(d) => Ok(Value::Decimal(-*d)),
                Value::Money(m) => Ok(Value::Money(Money {
                    amount: -m.amount,
                    ..*m
                })),
                Value::Duration(d) => Ok(Value::Duration(Duration {
                    months: -d.months,
                    days: -d.days,
                })),
                _ => Err(arith_err("cannot negate", expr)),
            },
            (ExprKind::Cmp(op, ..), Some(a), Some(b)) => {
                let ord = compare(a, b, expr)?;
                Ok(Value::Bool(match op {
                    CmpOp::Eq => ord == Some(Ordering::Equal),
                    CmpOp::Ne => ord != Some(Ordering::Equal),
                    CmpOp::Lt => ord == Some(Ordering::Less),
                    CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                    CmpOp::Gt => ord == Some(Ordering::Greater),
                    CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                }))
            }
            (ExprKind::Arith(op, ..), Some(a), Some(b)) => arith(*op, a, b, expr),
            (ExprKind::In(..), Some(Value::Enum(_, v)), Some(Value::Set(_, bits))) => Ok(
                Value::Bool(1u128.checked_shl(*v).is_some_and(|bit| bits & bit != 0)),
            ),
            (ExprKind::HasAny(..), Some(Value::Set(_, a)), Some(Value::Set(_, b))) => {
                Ok(Value::Bool(a & b != 0))
            }
            (ExprKind::HasAll(..), Some(Value::Set(_, a)), Some(Value::Set(_, b))) => {
                Ok(Value::Bool(a & b == *b))
            }
            (ExprKind::Set(_), _, _) => {
                let mut bits = 0u128;
                let crate::ir::Type::Set(id) = expr.ty else {
                    return Err(arith_err("not a set", expr));
                };
                for v in values {
                    if let Value::Enum(_, i) = v {
                        bits |= 1u128.checked_shl(*i).unwrap_or(0);
                    }
                }
                Ok(Value::Set(id, bits))
            }
            (ExprKind::Call(f, _), _, _) => self.call(*f, values, expr),
            (ExprKind::Lookup(table, _, column), ..) => {
                let row = self.find_row(*table, values);
                self.push_row(*table, row, values);
                let cell = row.and_then(|r| {
                    self.program
                        .tables
                        .get(table.index())?
                        .rows
                        .get(r)?
                        .cells
                        .get(*column)
                        .cloned()
                });
                cell.ok_or_else(|| EvalError::NoRow {
                    table: self
                        .program
                        .tables
                        .get(table.index())
                        .map_or("?".into(), |t| t.name.clone()),
                    keys: values
                        .iter()
                        .map(|v| v.display(self.program))
                        .collect::<Vec<_>>()
                        .join(", "),
                    as_of: self.as_of.to_string(),
                    span: expr.span,
                })
            }
            (ExprKind::Exists(table, _), ..) => {
                let row = self.find_row(*table, values);
                self.push_row(*table, row, values);
                Ok(Value::Bool(row.is_some()))
            }
            _ => Err(arith_err("operands of unexpected types", expr)),
        }
    }

    /// Records a table lookup: the row found and the keys (copied into the
    /// graph's key arena).
    fn push_row(&mut self, table: crate::ir::TableId, row: Option<usize>, keys: &[Value]) {
        let start = self.graph.keys.len();
        self.graph.keys.extend_from_slice(keys);
        let keys = super::graph::Span32::new(start, self.graph.keys.len());
        push_read(
            self.graph,
            ReadOf::Row {
                table,
                row: row.and_then(|r| u32::try_from(r).ok()),
                keys,
            },
        );
    }

    /// The row in force on the evaluation date whose keys match.
    fn find_row(&self, table: crate::ir::TableId, keys: &[Value]) -> Option<usize> {
        let table = self.program.tables.get(table.index())?;
        table
            .rows
            .iter()
            .position(|row| row.keys.as_slice() == keys && row.meta.in_force(self.as_of))
    }

    fn call(&self, f: Builtin, args: &[Value], expr: &Expr) -> Result<Value, EvalError> {
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
}

/// Orders two values of comparable types (`None`: unequal and unordered).
fn compare(a: &Value, b: &Value, expr: &Expr) -> Result<Option<Ordering>, EvalError> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Ok(Some(x.cmp(&y)));
    }
    Ok(match (a, b) {
        (Value::Money(x), Value::Money(y)) => {
            if x.currency != y.currency {
                return Err(EvalError::Currency {
                    left: x.currency_str().into(),
                    right: y.currency_str().into(),
                    span: expr.span,
                });
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
                return Err(EvalError::Duration {
                    left: crate::value::display_duration(*x),
                    right: crate::value::display_duration(*y),
                    span: expr.span,
                });
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

fn arith(op: ArithOp, a: &Value, b: &Value, expr: &Expr) -> Result<Value, EvalError> {
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
                return Err(EvalError::Currency {
                    left: x.currency_str().into(),
                    right: y.currency_str().into(),
                    span: expr.span,
                });
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
