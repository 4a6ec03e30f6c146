//! Witnesses: the solver's model as a case, checked by the evaluator and
//! shrunk to the facts the finding needs.

use super::bits;
use super::encode::{date_of, day_number, Encoder, Val};
use crate::case::Case;
use crate::eval::graph::{Decided, Undetermined};
use crate::ir::{DefId, FactId, Program, RuleId, Type};
use crate::value::{Duration, Money, Value};
use crate::{Engine, EvalError, Options};
use jiff::civil::Date;
use rust_decimal::Decimal;

/// What a witness must show under the evaluator.
#[derive(Clone, Debug)]
pub(crate) enum Check {
    /// Nothing to show (no case can show it).
    None,
    /// The rule applies but an exception defeats it.
    Defeated(RuleId),
    /// The evaluator reports a conflict between the two rules.
    Conflict(RuleId, RuleId),
    /// Both rules are active (or conflict).
    BothActive(RuleId, RuleId),
    /// On the witness's date neither version is in force, while the case
    /// is decided by `before` on its last day and by `after` on its first.
    Hole {
        /// The version whose force ends.
        before: RuleId,
        /// The version whose force begins.
        after: RuleId,
        /// The day `before` ends.
        end: Date,
        /// The day `after` begins.
        begin: Date,
    },
    /// The definition is undetermined with no rule and no default.
    NoRule,
}

/// A checked, shrunk witness.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The case.
    pub case: Case,
    /// The facts it gives, in the program's order.
    pub facts: Vec<FactId>,
}

impl Witness {
    /// The witness as a case file (JSON) that `refuge eval` reproduces.
    pub fn to_json(&self, program: &Program, def: DefId, description: &str) -> serde_json::Value {
        let mut settings = serde_json::Map::new();
        let mut plain = Vec::new();
        for &f in &self.facts {
            let Some(info) = program.facts.get(f.index()) else {
                continue;
            };
            match (&info.setting, self.case.fact(f)) {
                (Some(_), Some(v)) => {
                    settings.insert(info.path.clone(), v.to_json(program));
                }
                (None, Some(_)) => plain.push(f),
                _ => {}
            }
        }
        let mut discretions = serde_json::Map::new();
        for (i, d) in self.case.discretions.iter().enumerate() {
            if let (Some(d), Some(rule)) = (d, program.rules.get(i)) {
                discretions.insert(rule.name.clone(), serde_json::Value::Bool(*d));
            }
        }
        let name = program
            .definitions
            .get(def.index())
            .map_or("?", |d| d.name.as_str());
        serde_json::json!({
            "description": description,
            "as_of": self.case.as_of.map(|d| d.to_string()),
            "verdicts": [name],
            "settings": settings,
            "discretions": discretions,
            "facts": crate::explain::facts_object(program, &self.case, plain.into_iter()),
        })
    }
}

/// The last model as a complete case (every fact the encoding read).
pub(crate) fn from_model(enc: &Encoder<'_>) -> Case {
    let program = enc.program;
    let mut case = Case::new(program);
    let as_of = bits::value(&enc.sat, &enc.as_of);
    case.as_of = date_of(as_of);
    for (i, info) in program.facts.iter().enumerate() {
        let Ok(id) = u32::try_from(i).map(FactId) else {
            continue;
        };
        let Some(val) = enc.fact_val(id) else {
            continue;
        };
        if let Some(v) = value(enc, info.ty, val) {
            case.set_fact(id, v);
        }
    }
    for (i, _) in program.rules.iter().enumerate() {
        let Ok(id) = u32::try_from(i).map(RuleId) else {
            continue;
        };
        if let Some(l) = enc.discretion_lit(id) {
            case.set_discretion(id, enc.sat.value(l));
        }
    }
    case
}

fn value(enc: &Encoder<'_>, ty: Type, val: &Val) -> Option<Value> {
    let sat = &enc.sat;
    Some(match (ty, val) {
        (Type::Bool, Val::Bool(l)) => Value::Bool(sat.value(*l)),
        (Type::Integer, Val::Num { word, .. }) => {
            Value::Integer(i64::try_from(bits::value(sat, word)).ok()?)
        }
        (Type::Decimal, Val::Num { word, scale }) => Value::Decimal(
            Decimal::try_from_i128_with_scale(bits::value(sat, word), *scale)
                .ok()?
                .normalize(),
        ),
        (Type::Money, Val::Num { word, scale }) => Value::Money(Money {
            amount: Decimal::try_from_i128_with_scale(bits::value(sat, word), *scale)
                .ok()?
                .normalize(),
            currency: currency(enc.program),
        }),
        (Type::Date, Val::Num { word, .. }) => Value::Date(date_of(bits::value(sat, word))?),
        (Type::Duration, Val::Duration { months, days }) => Value::Duration(Duration {
            months: i64::try_from(bits::value(sat, months)).ok()?,
            days: i64::try_from(bits::value(sat, days)).ok()?,
        }),
        (Type::Enum(e), Val::Enum(lits)) => {
            let i = lits.iter().position(|&l| sat.value(l))?;
            Value::Enum(e, u32::try_from(i).ok()?)
        }
        (Type::Set(e), Val::Set(lits)) => {
            let mut set = 0u128;
            for (i, &l) in lits.iter().enumerate().take(128) {
                if sat.value(l) {
                    set |= 1u128 << i;
                }
            }
            Value::Set(e, set)
        }
        _ => return None,
    })
}

/// The currency of the program's money constants (`KRW` if none).
fn currency(program: &Program) -> [u8; 3] {
    let mut found = None;
    super::encode::constants(program, &mut |v| {
        if let (Value::Money(m), None) = (v, found) {
            found = Some(m.currency);
        }
    });
    for f in &program.facts {
        if let (Some(s), None) = (&f.setting, found) {
            if let Value::Money(m) = s.default {
                found = Some(m.currency);
            }
        }
    }
    found.unwrap_or(*b"KRW")
}

/// True when the evaluator shows the finding on `case`.
pub(crate) fn reproduces(engine: &Engine<'_>, def: DefId, case: &Case, check: &Check) -> bool {
    let program = engine.program();
    let name = program
        .definitions
        .get(def.index())
        .map_or(String::new(), |d| d.name.clone());
    let rule_name = |r: RuleId| program.rules.get(r.index()).map(|r| r.name.as_str());
    let options = Options {
        as_of: None,
        verdicts: vec![def],
    };
    let entry_active = |case: &Case, r: RuleId| -> bool {
        let Ok(ev) = engine.evaluate(case, &options) else {
            return false;
        };
        let graph = ev.derivation();
        graph
            .node(def)
            .map(|n| graph.rules_of(n))
            .and_then(|rules| rules.iter().find(|e| e.rule == r))
            .is_some_and(|e| e.active == Some(true))
    };
    match check {
        Check::None => false,
        Check::Conflict(a, b) | Check::BothActive(a, b) => match engine.evaluate(case, &options) {
            Err(EvalError::Conflict(c)) => {
                let pair = [Some(c.first.as_str()), Some(c.second.as_str())];
                c.definition == name
                    && pair.contains(&rule_name(*a))
                    && pair.contains(&rule_name(*b))
            }
            Ok(_) if matches!(check, Check::BothActive(..)) => {
                entry_active(case, *a) && entry_active(case, *b)
            }
            _ => false,
        },
        Check::Defeated(r) => {
            let Ok(ev) = engine.evaluate(case, &options) else {
                return false;
            };
            let graph = ev.derivation();
            graph
                .node(def)
                .map(|n| graph.rules_of(n))
                .and_then(|rules| rules.iter().find(|e| e.rule == *r))
                .is_some_and(|e| {
                    e.in_force && e.condition == Some(true) && e.defeated == Some(true)
                })
        }
        Check::NoRule => match engine.evaluate(case, &options) {
            Ok(ev) => ev
                .node(def)
                .is_some_and(|n| n.decided == Decided::Undetermined(Undetermined::NoRule)),
            Err(_) => false,
        },
        Check::Hole {
            before,
            after,
            end,
            begin,
        } => {
            let Some(date) = case.as_of else {
                return false;
            };
            if date < *end || date >= *begin {
                return false;
            }
            let mut earlier = case.clone();
            earlier.as_of = end.yesterday().ok();
            let mut later = case.clone();
            later.as_of = Some(*begin);
            entry_active(&earlier, *before) && entry_active(&later, *after)
        }
    }
}

/// Checks the model's case, removes every fact and discretion the finding
/// does not need, and makes the numbers left readable (`None`: the
/// evaluator does not confirm the case).
pub(crate) fn shrink(
    engine: &Engine<'_>,
    def: DefId,
    mut case: Case,
    check: &Check,
    scale: u32,
) -> Option<Witness> {
    let program = engine.program();
    let holds = |case: &Case| reproduces(engine, def, case, check);
    if !holds(&case) {
        return None;
    }
    let defaults = Case::new(program);
    for i in 0..case.facts.len() {
        let Some(slot) = case.facts.get(i).cloned() else {
            continue;
        };
        let default = defaults.facts.get(i).cloned().flatten();
        if slot.is_none() || slot == default {
            continue;
        }
        if let Some(s) = case.facts.get_mut(i) {
            *s = default;
        }
        if !holds(&case) {
            if let Some(s) = case.facts.get_mut(i) {
                *s = slot;
            }
        }
    }
    for i in 0..case.discretions.len() {
        let Some(Some(d)) = case.discretions.get(i).copied() else {
            continue;
        };
        if let Some(s) = case.discretions.get_mut(i) {
            *s = None;
        }
        if !holds(&case) {
            if let Some(s) = case.discretions.get_mut(i) {
                *s = Some(d);
            }
        }
    }
    // A date a reader recognises: the latest date the program names that
    // still shows the finding, else the day nearest 2000-01-01 that does.
    let mut named = false;
    for date in dates(program).into_iter().rev() {
        let mut moved = case.clone();
        moved.as_of = Some(date);
        if holds(&moved) {
            case = moved;
            named = true;
            break;
        }
    }
    if !named {
        if let Some(day) = case.as_of.map(day_number) {
            let y2k = day_number(jiff::civil::date(2000, 1, 1));
            let at = |case: &mut Case, d: i128| {
                let Some(date) = date_of(d) else {
                    return false;
                };
                case.as_of = Some(date);
                holds(case)
            };
            let best = nearest(day, y2k, 1, &mut |d| at(&mut case.clone(), d));
            at(&mut case, best);
        }
    }
    readable_numbers(&mut case, &defaults, scale, &holds);
    let facts = (0..case.facts.len())
        .filter_map(|i| {
            let id = FactId(u32::try_from(i).ok()?);
            let given = case.fact(id)?;
            let default = defaults.fact(id);
            (default != Some(given)).then_some(id)
        })
        .collect();
    Some(Witness { case, facts })
}

/// Moves each number of the case (amounts, decimals and integers toward
/// zero, in whole units where the finding allows; dates toward the case's
/// date; durations toward none) as near its target as the evaluator still
/// shows the finding, by bisection over the distance. The solver's model
/// is any case that shows it (KRW 7,230,529,201,743,331.33); a lawyer
/// reads the one nearest the threshold (KRW 1,000,001). Two passes, as
/// one number's bound can depend on another's.
fn readable_numbers(case: &mut Case, defaults: &Case, scale: u32, holds: &dyn Fn(&Case) -> bool) {
    // Only the facts the witness gives: a setting left at its default is
    // not the witness's to move.
    let given = |case: &Case, i: usize| {
        case.facts
            .get(i)
            .is_some_and(|v| v.is_some() && defaults.facts.get(i) != Some(v))
    };
    dates_together(case, &given, holds);
    for _ in 0..2 {
        for i in 0..case.facts.len() {
            let Some(Some(value)) = case.facts.get(i).cloned() else {
                continue;
            };
            if !given(case, i) {
                continue;
            }
            let today = case.as_of.map(day_number);
            let mut value = value;
            for (k, (from, target, step)) in parts(&value, scale, today).into_iter().enumerate() {
                let candidate = |x: i128| {
                    let v = with_part(&value, k, x, scale)?;
                    let mut moved = case.clone();
                    *moved.facts.get_mut(i)? = Some(v.clone());
                    holds(&moved).then_some(v)
                };
                let best = nearest(from, target, step, &mut |x| candidate(x).is_some());
                if best != from {
                    if let Some(v) = candidate(best) {
                        if let Some(slot) = case.facts.get_mut(i) {
                            *slot = Some(v.clone());
                        }
                        value = v;
                    }
                }
            }
        }
    }
}

/// Moves the date facts all together toward the case's date: by whole
/// 400-year cycles (which keep every calendar coincidence, such as a
/// 29 February), then 4-year ones, then days, each as far as the finding
/// still holds. Dates tied to one another (an application more than a
/// year after the entry) keep their distance, which moving one at a time
/// could not.
fn dates_together(
    case: &mut Case,
    given: &dyn Fn(&Case, usize) -> bool,
    holds: &dyn Fn(&Case) -> bool,
) {
    let Some(today) = case.as_of.map(day_number) else {
        return;
    };
    for step in [146_097i128, 1461, 1] {
        let dates: Vec<(usize, i128)> = case
            .facts
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Some(Value::Date(d)) if given(case, i) => Some((i, day_number(*d))),
                _ => None,
            })
            .collect();
        let Some(&(_, first)) = dates.first() else {
            return;
        };
        let shifted = |steps: i128| {
            let by = steps.checked_mul(step)?;
            let mut moved = case.clone();
            for &(i, day) in &dates {
                let date = date_of(day.checked_add(by)?)?;
                *moved.facts.get_mut(i)? = Some(Value::Date(date));
            }
            holds(&moved).then_some(moved)
        };
        // The most steps toward the date (0 holds: the case as it is).
        let most = (today - first) / step;
        let side = most.signum();
        let n = if most == 0 || shifted(most).is_some() {
            most.abs()
        } else {
            let mut lo = 0i128;
            let mut hi = most.abs();
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if shifted(side * mid).is_some() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        if let Some(moved) = shifted(side * n) {
            *case = moved;
        }
    }
}

/// The numbers of a value in raw units, each with the value it is pulled
/// toward and its whole unit.
fn parts(value: &Value, scale: u32, today: Option<i128>) -> Vec<(i128, i128, i128)> {
    let unit = 10i128.checked_pow(scale).unwrap_or(1);
    match value {
        Value::Integer(n) => vec![(i128::from(*n), 0, 1)],
        Value::Decimal(d) => raw(*d, scale).map(|x| (x, 0, unit)).into_iter().collect(),
        Value::Money(m) => raw(m.amount, scale)
            .map(|x| (x, 0, unit))
            .into_iter()
            .collect(),
        Value::Date(d) => today.map(|t| (day_number(*d), t, 1)).into_iter().collect(),
        Value::Duration(d) => vec![(i128::from(d.months), 0, 1), (i128::from(d.days), 0, 1)],
        _ => Vec::new(),
    }
}

/// `value` with its `k`-th number (of [`parts`]) set to `x`.
fn with_part(value: &Value, k: usize, x: i128, scale: u32) -> Option<Value> {
    let decimal = || {
        Decimal::try_from_i128_with_scale(x, scale)
            .ok()
            .map(|d| d.normalize())
    };
    Some(match (value, k) {
        (Value::Integer(_), 0) => Value::Integer(i64::try_from(x).ok()?),
        (Value::Decimal(_), 0) => Value::Decimal(decimal()?),
        (Value::Money(m), 0) => Value::Money(Money {
            amount: decimal()?,
            ..*m
        }),
        (Value::Date(_), 0) => Value::Date(date_of(x)?),
        (Value::Duration(d), 0) => Value::Duration(Duration {
            months: i64::try_from(x).ok()?,
            ..*d
        }),
        (Value::Duration(d), 1) => Value::Duration(Duration {
            days: i64::try_from(x).ok()?,
            ..*d
        }),
        _ => return None,
    })
}

/// An amount as an integer number of `10^-scale` units.
fn raw(d: Decimal, scale: u32) -> Option<i128> {
    let places = scale.checked_sub(d.scale())?;
    d.mantissa().checked_mul(10i128.checked_pow(places)?)
}

/// The value nearest `target` for which `ok` holds, starting from `from`
/// (for which it holds): the target itself, else the nearest whole number
/// of `step`s on the side of `from`, else the nearest value, by bisection
/// (exact when `ok` holds on all values beyond some distance, as for a
/// threshold; otherwise some value no farther than `from`).
fn nearest(from: i128, target: i128, step: i128, ok: &mut dyn FnMut(i128) -> bool) -> i128 {
    if from == target || ok(target) {
        return if from == target { from } else { target };
    }
    let side = if from > target { 1 } else { -1 };
    let Some(distance) = from.checked_sub(target).map(i128::abs) else {
        return from;
    };
    let at = |d: i128| target.checked_add(side * d);
    if step > 1 {
        let whole = distance / step;
        let mut top = None;
        for n in [whole, whole + 1] {
            if n >= 1 && at(n * step).is_some_and(&mut *ok) {
                top = Some(n);
                break;
            }
        }
        if let Some(top) = top {
            let n = smallest(0, top, &mut |n| at(n * step).is_some_and(&mut *ok));
            return at(n * step).unwrap_or(from);
        }
    }
    let d = smallest(0, distance, &mut |d| at(d).is_some_and(&mut *ok));
    at(d).unwrap_or(from)
}

/// The least `n` in `(lo, hi]` with `ok(n)`, given `ok(hi)` and not
/// `ok(lo)`, assuming `ok` holds from some point on (else some `n` with
/// `ok(n)`).
fn smallest(mut lo: i128, mut hi: i128, ok: &mut dyn FnMut(i128) -> bool) -> i128 {
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The dates the program names (rules' and rows' force, 2000-01-01), sorted.
fn dates(program: &Program) -> Vec<Date> {
    let mut out = vec![jiff::civil::date(2000, 1, 1)];
    let metas = program.rules.iter().map(|r| &r.meta).chain(
        program
            .tables
            .iter()
            .flat_map(|t| t.rows.iter().map(|r| &r.meta)),
    );
    for meta in metas {
        out.extend(meta.from);
        out.extend(meta.until.and_then(|u| u.yesterday().ok()));
    }
    out.sort();
    out.dedup();
    out
}
