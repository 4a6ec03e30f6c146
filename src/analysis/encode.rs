//! The program as a circuit: every fact, the evaluation date and every
//! discretion are inputs; every definition is encoded once, in the
//! evaluator's three-valued default logic (`src/eval/mod.rs`).
//!
//! **Terms.** A term is a value that may be unknown: a literal `known` and a
//! value that matters only when `known` holds. Facts are always known (the
//! solver ranges over complete cases); a definition is unknown exactly when
//! the evaluator leaves it undetermined, and unknowns flow through the
//! expression forms as the evaluator defines them (Kleene `and`/`or`/`not`,
//! `if` decided when both branches agree, every other form unknown when an
//! operand is).
//!
//! **Errors.** A form the evaluator may reject (a table lookup without a
//! row, an integer overflow, durations in months compared with days, a
//! date pushed off the calendar or a duration past jiff's limits) adds
//! an error literal, guarded by whether the evaluator reaches the form
//! (`false and X` never evaluates `X`). The questions ask for cases whose
//! evaluation raises no error.
//!
//! **Domains.** Booleans, enums, sets, integers (the evaluator's 64 bits)
//! and dates (jiff's range) are encoded exactly. Decimal and money facts are
//! integers scaled by `10^scale`, where `scale` is the most decimal places of
//! any constant of the program (at least 2), and lie below `2^60` units of
//! that scale; durations are months and days below `2^40`. Every number is
//! a word as wide as its range (`bits.rs`).
//!
//! **Dates** are day numbers; a date the solver picks (the evaluation
//! date, a date fact) is a civil year, month and day from which its day
//! number is computed, and dates known as civil dates are compared as such.
//! A date plus months or years and the whole years between two dates are
//! the calendar's own arithmetic (`calendar.rs`), exact.
//!
//! **What is not encoded exactly** (division, with its decimal rounding,
//! text that is not constant, a number past `i128` or a decimal past the
//! evaluator's 96-bit mantissa) becomes a fresh value the
//! solver may choose freely, and the definition records why. The encoding
//! then allows *more* behaviours than the evaluator: a question it answers
//! "no" is answered exactly; a "yes" is checked by the evaluator on the
//! witness, and reported as "could not decide" if the evaluator disagrees.

use super::bits::{self, Word};
use super::calendar::{self, Civil};
use super::sat::{Sat, L};
use crate::ir::{
    ArithOp, Builtin, CmpOp, DefId, Expr, ExprKind, FactId, Meta, Program, RuleId, Type,
};
use crate::source::Span;
use crate::value::Value;
use jiff::civil::Date;
use std::rc::Rc;

/// A three-valued boolean: definitely true, definitely false, or neither.
#[derive(Clone, Copy, Debug)]
pub(crate) struct T3 {
    /// Definitely true.
    pub t: L,
    /// Definitely false.
    pub f: L,
}

/// A value as a circuit.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    /// A boolean.
    Bool(L),
    /// An integer, decimal, money amount (scaled by `10^scale`) or date (days
    /// since 1970-01-01).
    Num { word: Word, scale: u32 },
    /// A duration: months and days.
    Duration { months: Word, days: Word },
    /// An enum value: one literal per variant, exactly one true.
    Enum(Vec<L>),
    /// A set of enum values: one literal per variant.
    Set(Vec<L>),
    /// Text: only constants are compared exactly.
    Text(Option<Rc<str>>),
}

/// A value that may be unknown.
#[derive(Clone, Debug)]
pub(crate) struct Term {
    /// The value is known.
    pub known: L,
    /// The value (meaningful when known).
    pub val: Val,
}

/// A construct encoded with a fresh value instead of exactly.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Inexact {
    /// What was not encoded exactly.
    pub what: String,
    /// Where.
    pub span: Span,
}

/// One rule as the evaluator sees it.
#[derive(Clone, Debug)]
pub(crate) struct RuleEnc {
    /// The rule.
    pub rule: RuleId,
    /// Its condition, ignoring the dates it is in force.
    pub condition: T3,
    /// In force, condition true and (for `may`) the discretion exercised.
    pub applicable: T3,
    /// Applicable and not defeated.
    pub active: T3,
    /// The value it gives (`None` for `lifts`).
    pub value: Option<Term>,
}

/// One definition as a circuit.
#[derive(Debug)]
pub(crate) struct DefEnc {
    /// Its value.
    pub term: Term,
    /// The rules, in evaluation order.
    pub rules: Vec<RuleEnc>,
    /// No rule active and no default value: undetermined with no rule.
    pub no_rule: L,
    /// Two active rules give different values.
    pub conflict: L,
    /// Evaluating it raises an error other than its own conflict (in a
    /// form it evaluates, or in a definition it reads).
    pub error: L,
    /// Constructs encoded inexactly, here or in what it reads.
    pub inexact: Vec<Inexact>,
}

/// The encoder: the circuit and the inputs.
pub(crate) struct Encoder<'p> {
    pub(crate) program: &'p Program,
    pub(crate) sat: Sat,
    /// Scale of decimal and money facts.
    pub(crate) scale: u32,
    /// The evaluation date (days since 1970-01-01).
    pub(crate) as_of: Word,
    facts: Vec<Option<Val>>,
    discretions: Vec<Option<L>>,
    defs: Vec<Option<Rc<DefEnc>>>,
    in_progress: Vec<bool>,
    // The definition being encoded: its guarded errors and inexact forms.
    errors: Vec<L>,
    inexact: Vec<Inexact>,
    // The expression being encoded (for `too_large`).
    span: Span,
    // The civil dates of date words, by their bits.
    civil: std::collections::HashMap<Vec<L>, Civil>,
}

/// Bits of a decimal or money fact (below `2^60` units).
const AMOUNT_BITS: usize = 60;
/// Bits of a duration's months and days.
const DURATION_BITS: usize = 40;
/// The largest mantissa of the evaluator's decimals (96 bits).
const DECIMAL_LIMIT: i128 = (1i128 << 96) - 1;

/// Days since 1970-01-01.
pub(crate) fn day_number(date: Date) -> i128 {
    let epoch = jiff::civil::date(1970, 1, 1);
    epoch
        .until((jiff::Unit::Day, date))
        .map_or(0, |s| i128::from(s.get_days()))
}

/// The date `days` after 1970-01-01.
pub(crate) fn date_of(days: i128) -> Option<Date> {
    let epoch = jiff::civil::date(1970, 1, 1);
    let days = i64::try_from(days).ok()?;
    epoch
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

impl<'p> Encoder<'p> {
    /// An encoder for `program`.
    pub(crate) fn new(program: &'p Program) -> Self {
        let sat = Sat::new();
        let scale = program_scale(program);
        let as_of = bits::constant(&sat, 0);
        let mut enc = Encoder {
            program,
            sat,
            scale,
            as_of,
            facts: vec![None; program.facts.len()],
            discretions: vec![None; program.rules.len()],
            defs: vec![None; program.definitions.len()],
            in_progress: vec![false; program.definitions.len()],
            errors: Vec::new(),
            inexact: Vec::new(),
            span: Span::default(),
            civil: std::collections::HashMap::new(),
        };
        enc.as_of = enc.date_input();
        enc
    }

    /// A date that is an input (the evaluation date, a date fact): a civil
    /// year, month and day, any date of the calendar, and its day number
    /// computed from them. The solver then picks dates by their year,
    /// month and day, and compares them so (see [`Encoder::date_order`]);
    /// it never has to undo the calendar to find a date with a given year.
    fn date_input(&mut self) -> Word {
        let sat = &mut self.sat;
        let year = bits::fresh_within(sat, calendar::MIN_YEAR, calendar::MAX_YEAR);
        let month = bits::fresh_within(sat, 1, 12);
        let day = bits::fresh_within(sat, 1, 31);
        let civil = Civil { year, month, day };
        if let Some(last) = calendar::days_in_month(sat, &civil.year, &civil.month) {
            let fits = bits::le(sat, &civil.day, &last);
            sat.require(fits);
        }
        let days = calendar::days_from_civil(sat, &civil)
            .map(|d| bits::narrow(sat, &d, day_number(Date::MIN), day_number(Date::MAX)));
        match days {
            Some(days) => {
                self.civil.insert(bits::key(&days), civil);
                days
            }
            None => date_word(sat),
        }
    }

    /// `x < y` and `x = y` for two dates: as civil dates (year, then month,
    /// then day) when both are known as such (inputs, constants, a date
    /// plus months), else as day numbers. The order is the same; the civil
    /// one spares the solver the calendar (that `d + 1 year` is before
    /// `d + 2 years` is a comparison of `y + 1` with `y + 2`).
    pub(crate) fn date_order(&mut self, x: &Word, y: &Word) -> (L, L) {
        if let Some(order) = self.civil_order(x, y) {
            return order;
        }
        (bits::lt(&mut self.sat, x, y), bits::eq(&mut self.sat, x, y))
    }

    /// `lo ≤ as_of < hi` for day numbers.
    pub(crate) fn as_of_between(&mut self, lo: i128, hi: i128) -> L {
        let as_of = self.as_of.clone();
        let lo = bits::constant(&self.sat, lo);
        let hi = bits::constant(&self.sat, hi);
        let (below, _) = self.date_order(&as_of, &lo);
        let (before_end, _) = self.date_order(&as_of, &hi);
        self.sat.and2(!below, before_end)
    }

    /// Two dates ordered as civil dates, if both are known as such.
    fn civil_order(&mut self, x: &Word, y: &Word) -> Option<(L, L)> {
        let constant = |w: &Word| bits::constant_value(&self.sat, w).is_some();
        let civil = |w: &Word| self.civil.contains_key(&bits::key(w)) || constant(w);
        if !(civil(x) && civil(y)) || (constant(x) && constant(y)) {
            return None;
        }
        let (a, b) = (self.civil(x)?, self.civil(y)?);
        let sat = &mut self.sat;
        let (yl, ye) = (
            bits::lt(sat, &a.year, &b.year),
            bits::eq(sat, &a.year, &b.year),
        );
        let (ml, me) = (
            bits::lt(sat, &a.month, &b.month),
            bits::eq(sat, &a.month, &b.month),
        );
        let (dl, de) = (bits::lt(sat, &a.day, &b.day), bits::eq(sat, &a.day, &b.day));
        let within_month = sat.and2(me, dl);
        let within_year = sat.or2(ml, within_month);
        let same_year = sat.and2(ye, within_year);
        let less = sat.or2(yl, same_year);
        let equal = sat.and(&[ye, me, de]);
        Some((less, equal))
    }

    /// The civil date of a date word (memoised: a fact's date is taken
    /// apart once however many durations are added to it).
    fn civil(&mut self, date: &Word) -> Option<Civil> {
        let key = bits::key(date);
        if let Some(c) = self.civil.get(&key) {
            return Some(c.clone());
        }
        let c = calendar::civil(&mut self.sat, date)?;
        self.civil.insert(key, c.clone());
        Some(c)
    }

    /// The circuit of a fact, if it was read.
    pub(crate) fn fact_val(&self, fact: FactId) -> Option<&Val> {
        self.facts.get(fact.index()).and_then(Option::as_ref)
    }

    /// The literal "this discretion was exercised", if it was read.
    pub(crate) fn discretion_lit(&self, rule: RuleId) -> Option<L> {
        self.discretions.get(rule.index()).copied().flatten()
    }

    /// The value of a fact: created on first use.
    fn fact(&mut self, fact: FactId) -> Val {
        if let Some(Some(v)) = self.facts.get(fact.index()) {
            return v.clone();
        }
        let ty = self
            .program
            .facts
            .get(fact.index())
            .map_or(Type::Bool, |f| f.ty);
        let val = self.fresh_val(ty, true);
        if let Some(slot) = self.facts.get_mut(fact.index()) {
            *slot = Some(val.clone());
        }
        val
    }

    /// A fresh value of a type (exact domain for facts).
    fn fresh_val(&mut self, ty: Type, exact_enum: bool) -> Val {
        let sat = &mut self.sat;
        match ty {
            Type::Bool => Val::Bool(sat.fresh()),
            Type::Integer => Val::Num {
                word: bits::fresh(sat, 63),
                scale: 0,
            },
            Type::Decimal | Type::Money => Val::Num {
                word: bits::fresh(sat, AMOUNT_BITS),
                scale: self.scale,
            },
            Type::Date => Val::Num {
                word: self.date_input(),
                scale: 0,
            },
            Type::Duration => Val::Duration {
                months: bits::fresh(sat, DURATION_BITS),
                days: bits::fresh(sat, DURATION_BITS),
            },
            Type::Enum(e) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                let lits: Vec<L> = (0..n).map(|_| sat.fresh()).collect();
                if exact_enum {
                    sat.at_most_one(&lits);
                    sat.clause(&lits);
                }
                Val::Enum(lits)
            }
            Type::Set(e) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                Val::Set((0..n).map(|_| sat.fresh()).collect())
            }
            Type::Text | Type::Record(_) => Val::Text(None),
        }
    }

    /// The literal "discretion exercised" of a `may` rule.
    fn discretion(&mut self, rule: RuleId) -> L {
        if let Some(l) = self.discretion_lit(rule) {
            return l;
        }
        let l = self.sat.fresh();
        if let Some(slot) = self.discretions.get_mut(rule.index()) {
            *slot = Some(l);
        }
        l
    }

    /// In force on the evaluation date.
    pub(crate) fn in_force(&mut self, meta: &Meta) -> L {
        let mut lits = Vec::new();
        let as_of = self.as_of.clone();
        if let Some(from) = meta.from {
            let from = bits::constant(&self.sat, day_number(from));
            let (before, _) = self.date_order(&as_of, &from);
            lits.push(!before);
        }
        if let Some(until) = meta.until {
            let until = bits::constant(&self.sat, day_number(until));
            let (before, _) = self.date_order(&as_of, &until);
            lits.push(before);
        }
        self.sat.and(&lits)
    }

    /// The encoding of a definition (memoised).
    pub(crate) fn definition(&mut self, id: DefId) -> Rc<DefEnc> {
        if let Some(Some(d)) = self.defs.get(id.index()) {
            return d.clone();
        }
        if self.in_progress.get(id.index()).copied().unwrap_or(true) {
            // INVARIANT: the checker rejects cycles; a hand-built program
            // with one gets an unknown value here rather than a loop.
            let f = self.sat.f();
            let val = self.zero(Type::Bool);
            return Rc::new(DefEnc {
                term: Term { known: f, val },
                rules: Vec::new(),
                no_rule: f,
                conflict: f,
                error: f,
                inexact: Vec::new(),
            });
        }
        if let Some(p) = self.in_progress.get_mut(id.index()) {
            *p = true;
        }
        let saved_errors = std::mem::take(&mut self.errors);
        let saved_inexact = std::mem::take(&mut self.inexact);
        let enc = Rc::new(self.decide(id));
        self.errors = saved_errors;
        self.inexact = saved_inexact;
        if let Some(slot) = self.defs.get_mut(id.index()) {
            *slot = Some(enc.clone());
        }
        enc
    }

    /// Default logic for one definition, as `eval::Run::decide`.
    fn decide(&mut self, id: DefId) -> DefEnc {
        let program = self.program;
        let Some(def) = program.definitions.get(id.index()) else {
            let f = self.sat.f();
            let val = self.zero(Type::Bool);
            return DefEnc {
                term: Term { known: f, val },
                rules: Vec::new(),
                no_rule: f,
                conflict: f,
                error: f,
                inexact: Vec::new(),
            };
        };
        let mut rules: Vec<RuleEnc> = Vec::new();
        for &rid in &def.order {
            let Some(rule) = program.rules.get(rid.index()) else {
                continue;
            };
            let in_force = self.in_force(&rule.meta);
            let condition = match &rule.when {
                None => self.t3_const(true),
                Some(when) => {
                    let term = self.expr(when, in_force);
                    self.t3(&term)
                }
            };
            let in_force_condition = T3 {
                t: self.sat.and2(in_force, condition.t),
                f: self.sat.or2(!in_force, condition.f),
            };
            let applicable = if rule.may.is_some() {
                let x = self.discretion(rid);
                T3 {
                    t: self.sat.and2(x, in_force_condition.t),
                    f: self.sat.or2(!x, in_force_condition.f),
                }
            } else {
                in_force_condition
            };
            let mut defeated_t = Vec::new();
            let mut defeated_f = Vec::new();
            for e in &rule.exceptions {
                if let Some(exception) = rules.iter().find(|r| r.rule == *e) {
                    defeated_t.push(exception.active.t);
                    defeated_f.push(exception.active.f);
                }
            }
            let defeated = T3 {
                t: self.sat.or(&defeated_t),
                f: self.sat.and(&defeated_f),
            };
            let active = T3 {
                t: self.sat.and2(applicable.t, defeated.f),
                f: self.sat.or2(applicable.f, defeated.t),
            };
            let value = rule.value.as_ref().map(|v| self.expr(v, !active.f));
            rules.push(RuleEnc {
                rule: rid,
                condition,
                applicable,
                active,
                value,
            });
        }

        // Definite and possible rules that give values.
        let giving: Vec<(L, L, Term)> = rules
            .iter()
            .filter_map(|r| {
                let v = r.value.clone()?;
                Some((r.active.t, r.active.f, v))
            })
            .collect();
        let mut conflicts = Vec::new();
        for (i, (ta, _, va)) in giving.iter().enumerate() {
            for (tb, _, vb) in giving.iter().skip(i + 1) {
                let same = self.eq_val(&va.val, &vb.val);
                let both = self.sat.and(&[*ta, *tb, va.known, vb.known, !same]);
                conflicts.push(both);
            }
        }
        let conflict = self.sat.or(&conflicts);
        let definite: Vec<L> = giving.iter().map(|g| g.0).collect();
        let any_definite = self.sat.or(&definite);
        let default = def
            .default
            .as_ref()
            .map(|d| self.expr(&d.value, !any_definite));
        let mut value = match &default {
            Some(d) => d.val.clone(),
            None => self.zero(def.ty),
        };
        for (t, _, v) in giving.iter().rev() {
            value = self.ite_val(*t, &v.val, &value);
        }
        let mut known_parts = Vec::new();
        let base = match &default {
            Some(d) => self.sat.or2(any_definite, d.known),
            None => any_definite,
        };
        known_parts.push(base);
        let mut possible_any = Vec::new();
        for (t, f, v) in &giving {
            let definite_known = self.sat.implies(*t, v.known);
            known_parts.push(definite_known);
            let possible = self.sat.and2(!*t, !*f);
            possible_any.push(possible);
            let same = self.eq_val(&v.val, &value);
            let agrees = self.sat.and2(v.known, same);
            let ok = self.sat.implies(possible, agrees);
            known_parts.push(ok);
        }
        let known = self.sat.and(&known_parts);
        let any_possible = self.sat.or(&possible_any);
        let no_rule = match &default {
            Some(_) => self.sat.f(),
            None => self.sat.and2(!any_definite, !any_possible),
        };
        let error = self.sat.or(&self.errors.clone());
        DefEnc {
            term: Term { known, val: value },
            rules,
            no_rule,
            conflict,
            error,
            inexact: std::mem::take(&mut self.inexact),
        }
    }

    fn t3_const(&self, b: bool) -> T3 {
        T3 {
            t: self.sat.constant(b),
            f: self.sat.constant(!b),
        }
    }

    /// A boolean term as definitely true / definitely false.
    pub(crate) fn t3(&mut self, term: &Term) -> T3 {
        let v = match term.val {
            Val::Bool(l) => l,
            _ => self.sat.f(),
        };
        T3 {
            t: self.sat.and2(term.known, v),
            f: self.sat.and2(term.known, !v),
        }
    }

    fn term_of_t3(&mut self, t3: T3) -> Term {
        Term {
            known: self.sat.or2(t3.t, t3.f),
            val: Val::Bool(t3.t),
        }
    }

    fn known(&self, val: Val) -> Term {
        Term {
            known: self.sat.t(),
            val,
        }
    }

    /// An error the evaluator raises when `guard` (the form is evaluated)
    /// and `when` hold.
    fn error(&mut self, guard: L, when: L) {
        let e = self.sat.and2(guard, when);
        self.errors.push(e);
    }

    /// A fresh value standing for a construct not encoded exactly.
    fn inexact(&mut self, expr: &Expr, what: &str) -> Term {
        self.inexact.push(Inexact {
            what: what.to_owned(),
            span: expr.span,
        });
        let val = self.fresh_val(expr.ty, true);
        let known = self.sat.fresh();
        Term { known, val }
    }

    /// A placeholder value of a type (when nothing gives one).
    pub(crate) fn zero(&mut self, ty: Type) -> Val {
        match ty {
            Type::Bool => Val::Bool(self.sat.f()),
            Type::Integer | Type::Date => Val::Num {
                word: bits::constant(&self.sat, 0),
                scale: 0,
            },
            Type::Decimal | Type::Money => Val::Num {
                word: bits::constant(&self.sat, 0),
                scale: self.scale,
            },
            Type::Duration => Val::Duration {
                months: bits::constant(&self.sat, 0),
                days: bits::constant(&self.sat, 0),
            },
            Type::Enum(e) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                let f = self.sat.f();
                let t = self.sat.t();
                Val::Enum((0..n).map(|i| if i == 0 { t } else { f }).collect())
            }
            Type::Set(e) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                Val::Set(vec![self.sat.f(); n])
            }
            Type::Text | Type::Record(_) => Val::Text(None),
        }
    }

    /// A constant value.
    fn constant(&mut self, v: &Value) -> Val {
        let sat = &self.sat;
        match v {
            Value::Bool(b) => Val::Bool(sat.constant(*b)),
            Value::Integer(i) => Val::Num {
                word: bits::constant(sat, i128::from(*i)),
                scale: 0,
            },
            Value::Decimal(d) => Val::Num {
                word: bits::constant(sat, d.mantissa()),
                scale: d.scale(),
            },
            Value::Money(m) => Val::Num {
                word: bits::constant(sat, m.amount.mantissa()),
                scale: m.amount.scale(),
            },
            Value::Date(d) => Val::Num {
                word: bits::constant(sat, day_number(*d)),
                scale: 0,
            },
            Value::Duration(d) => Val::Duration {
                months: bits::constant(sat, i128::from(d.months)),
                days: bits::constant(sat, i128::from(d.days)),
            },
            Value::Text(t) => Val::Text(Some(t.to_string().into())),
            Value::Enum(e, i) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                Val::Enum((0..n).map(|k| sat.constant(k == *i as usize)).collect())
            }
            Value::Set(e, bits_) => {
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                Val::Set(
                    (0..n)
                        .map(|k| sat.constant(k < 128 && (bits_ >> k) & 1 == 1))
                        .collect(),
                )
            }
        }
    }

    /// Brings a number to `scale` (only ever up).
    fn rescale(&mut self, word: &Word, from: u32, to: u32) -> Word {
        if to <= from {
            return word.clone();
        }
        let scaled = 10i128
            .checked_pow(to - from)
            .and_then(|factor| bits::mul_constant(&mut self.sat, word, factor));
        match scaled {
            Some(w) => w,
            None => {
                self.too_large();
                bits::fresh(&mut self.sat, 126)
            }
        }
    }

    /// A number beyond what the encoding represents: the value is replaced
    /// by a fresh one (more behaviours than the evaluator's, never fewer)
    /// and the form under encoding is recorded as inexact.
    fn too_large(&mut self) {
        let inexact = Inexact {
            what: "a number too large to encode exactly".to_owned(),
            span: self.span,
        };
        if !self.inexact.contains(&inexact) {
            self.inexact.push(inexact);
        }
    }

    /// Equality of two values of one type.
    pub(crate) fn eq_val(&mut self, a: &Val, b: &Val) -> L {
        match (a, b) {
            (Val::Bool(x), Val::Bool(y)) => self.sat.iff(*x, *y),
            (Val::Num { word: x, scale: sx }, Val::Num { word: y, scale: sy }) => {
                let s = (*sx).max(*sy);
                let x = self.rescale(x, *sx, s);
                let y = self.rescale(y, *sy, s);
                bits::eq(&mut self.sat, &x, &y)
            }
            (
                Val::Duration {
                    months: m1,
                    days: d1,
                },
                Val::Duration {
                    months: m2,
                    days: d2,
                },
            ) => {
                let m = bits::eq(&mut self.sat, m1, m2);
                let d = bits::eq(&mut self.sat, d1, d2);
                self.sat.and2(m, d)
            }
            (Val::Enum(x), Val::Enum(y)) => {
                let both: Vec<L> = x
                    .iter()
                    .zip(y)
                    .map(|(&p, &q)| self.sat.and2(p, q))
                    .collect();
                self.sat.or(&both)
            }
            (Val::Set(x), Val::Set(y)) => {
                let same: Vec<L> = x.iter().zip(y).map(|(&p, &q)| self.sat.iff(p, q)).collect();
                self.sat.and(&same)
            }
            (Val::Text(Some(x)), Val::Text(Some(y))) => self.sat.constant(x == y),
            _ => self.sat.fresh(),
        }
    }

    /// `if c then a else b` over values of one type.
    pub(crate) fn ite_val(&mut self, c: L, a: &Val, b: &Val) -> Val {
        match (a, b) {
            (Val::Bool(x), Val::Bool(y)) => Val::Bool(self.sat.ite(c, *x, *y)),
            (Val::Num { word: x, scale: sx }, Val::Num { word: y, scale: sy }) => {
                let s = (*sx).max(*sy);
                let x = self.rescale(x, *sx, s);
                let y = self.rescale(y, *sy, s);
                Val::Num {
                    word: bits::ite(&mut self.sat, c, &x, &y),
                    scale: s,
                }
            }
            (
                Val::Duration {
                    months: m1,
                    days: d1,
                },
                Val::Duration {
                    months: m2,
                    days: d2,
                },
            ) => Val::Duration {
                months: bits::ite(&mut self.sat, c, m1, m2),
                days: bits::ite(&mut self.sat, c, d1, d2),
            },
            (Val::Enum(x), Val::Enum(y)) => Val::Enum(
                x.iter()
                    .zip(y)
                    .map(|(&p, &q)| self.sat.ite(c, p, q))
                    .collect(),
            ),
            (Val::Set(x), Val::Set(y)) => Val::Set(
                x.iter()
                    .zip(y)
                    .map(|(&p, &q)| self.sat.ite(c, p, q))
                    .collect(),
            ),
            (Val::Text(x), Val::Text(y)) if x == y => Val::Text(x.clone()),
            _ => Val::Text(None),
        }
    }

    /// The three-valued encoding of an expression evaluated when `guard`.
    pub(crate) fn expr(&mut self, expr: &Expr, guard: L) -> Term {
        let outer = std::mem::replace(&mut self.span, expr.span);
        let term = self.expr_here(expr, guard);
        self.span = outer;
        term
    }

    fn expr_here(&mut self, expr: &Expr, guard: L) -> Term {
        match &expr.kind {
            ExprKind::Const(v) => {
                let val = self.constant(v);
                self.known(val)
            }
            ExprKind::Fact(id) => {
                let val = self.fact(*id);
                self.known(val)
            }
            ExprKind::Def(id) => {
                let def = self.definition(*id);
                self.error(guard, def.error);
                self.error(guard, def.conflict);
                for i in &def.inexact {
                    if !self.inexact.contains(i) {
                        self.inexact.push(i.clone());
                    }
                }
                def.term.clone()
            }
            ExprKind::AsOf => {
                let val = Val::Num {
                    word: self.as_of.clone(),
                    scale: 0,
                };
                self.known(val)
            }
            ExprKind::Not(inner) => {
                let term = self.expr(inner, guard);
                let t3 = self.t3(&term);
                self.term_of_t3(T3 { t: t3.f, f: t3.t })
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_or = matches!(expr.kind, ExprKind::Or(..));
                let left = self.expr(a, guard);
                let l = self.t3(&left);
                let dominant = if is_or { l.t } else { l.f };
                let right_guard = self.sat.and2(guard, !dominant);
                let right = self.expr(b, right_guard);
                let r = self.t3(&right);
                let t3 = if is_or {
                    T3 {
                        t: self.sat.or2(l.t, r.t),
                        f: self.sat.and2(l.f, r.f),
                    }
                } else {
                    T3 {
                        t: self.sat.and2(l.t, r.t),
                        f: self.sat.or2(l.f, r.f),
                    }
                };
                self.term_of_t3(t3)
            }
            ExprKind::If(c, a, b) => {
                let cond = self.expr(c, guard);
                let c3 = self.t3(&cond);
                let a_guard = self.sat.and2(guard, !c3.f);
                let b_guard = self.sat.and2(guard, !c3.t);
                let x = self.expr(a, a_guard);
                let y = self.expr(b, b_guard);
                let val = self.ite_val(c3.t, &x.val, &y.val);
                let same = self.eq_val(&x.val, &y.val);
                let unknown_agree = self.sat.and(&[x.known, y.known, same]);
                let when_t = self.sat.and2(c3.t, x.known);
                let when_f = self.sat.and2(c3.f, y.known);
                let undecided = self.sat.and2(!c3.t, !c3.f);
                let when_u = self.sat.and2(undecided, unknown_agree);
                let known = self.sat.or(&[when_t, when_f, when_u]);
                Term { known, val }
            }
            ExprKind::Neg(a) => {
                let x = self.expr(a, guard);
                let sat = &mut self.sat;
                let val = match &x.val {
                    Val::Num { word, scale } => bits::neg(sat, word).map(|word| Val::Num {
                        word,
                        scale: *scale,
                    }),
                    Val::Duration { months, days } => {
                        match (bits::neg(sat, months), bits::neg(sat, days)) {
                            (Some(months), Some(days)) => Some(Val::Duration { months, days }),
                            _ => None,
                        }
                    }
                    _ => return self.inexact(expr, "negation of a value that is not a number"),
                };
                let Some(mut val) = val else {
                    return self.inexact(expr, "a number too large to encode exactly");
                };
                if expr.ty == Type::Integer {
                    val = self.integer_range(guard, x.known, val);
                }
                Term {
                    known: x.known,
                    val,
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let x = self.expr(a, guard);
                let y = self.expr(b, guard);
                let known = self.sat.and2(x.known, y.known);
                let reached = self.sat.and2(guard, known);
                match self.compare(*op, &x.val, &y.val, reached) {
                    Some(l) => Term {
                        known,
                        val: Val::Bool(l),
                    },
                    None => self.inexact(expr, "a comparison of text that is not constant"),
                }
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.expr(a, guard);
                let y = self.expr(b, guard);
                let known = self.sat.and2(x.known, y.known);
                let reached = self.sat.and2(guard, known);
                match self.arith(*op, &x.val, &y.val, expr.ty, reached) {
                    Ok(mut val) => {
                        if expr.ty == Type::Integer {
                            val = self.integer_range(reached, self.sat.t(), val);
                        }
                        Term { known, val }
                    }
                    Err(what) => self.inexact(expr, what),
                }
            }
            ExprKind::In(a, b) => {
                let x = self.expr(a, guard);
                let y = self.expr(b, guard);
                let known = self.sat.and2(x.known, y.known);
                let val = match (&x.val, &y.val) {
                    (Val::Enum(e), Val::Set(s)) => {
                        let hits: Vec<L> = e
                            .iter()
                            .zip(s)
                            .map(|(&p, &q)| self.sat.and2(p, q))
                            .collect();
                        Val::Bool(self.sat.or(&hits))
                    }
                    _ => return self.inexact(expr, "membership of a value that is not an enum"),
                };
                Term { known, val }
            }
            ExprKind::HasAny(a, b) | ExprKind::HasAll(a, b) => {
                let all = matches!(expr.kind, ExprKind::HasAll(..));
                let x = self.expr(a, guard);
                let y = self.expr(b, guard);
                let known = self.sat.and2(x.known, y.known);
                let (Val::Set(s), Val::Set(t)) = (&x.val, &y.val) else {
                    return self.inexact(expr, "a set test on values that are not sets");
                };
                let lits: Vec<L> = s
                    .iter()
                    .zip(t)
                    .map(|(&p, &q)| {
                        if all {
                            self.sat.implies(q, p)
                        } else {
                            self.sat.and2(p, q)
                        }
                    })
                    .collect();
                let val = if all {
                    self.sat.and(&lits)
                } else {
                    self.sat.or(&lits)
                };
                Term {
                    known,
                    val: Val::Bool(val),
                }
            }
            ExprKind::Set(items) => {
                let Type::Set(e) = expr.ty else {
                    return self.inexact(expr, "a set literal of no enum");
                };
                let n = self
                    .program
                    .enums
                    .get(e.index())
                    .map_or(0, |e| e.variants.len());
                let mut members = vec![Vec::new(); n];
                let mut known = Vec::new();
                for item in items {
                    let term = self.expr(item, guard);
                    known.push(term.known);
                    if let Val::Enum(lits) = term.val {
                        for (slot, l) in members.iter_mut().zip(lits) {
                            slot.push(l);
                        }
                    }
                }
                let bits_: Vec<L> = members.iter().map(|m| self.sat.or(m)).collect();
                let known = self.sat.and(&known);
                Term {
                    known,
                    val: Val::Set(bits_),
                }
            }
            ExprKind::Call(f, args) => self.call(expr, *f, args, guard),
            ExprKind::Lookup(table, keys, column) => {
                self.lookup(expr, *table, keys, Some(*column), guard)
            }
            ExprKind::Exists(table, keys) => self.lookup(expr, *table, keys, None, guard),
        }
    }

    /// An integer result outside the evaluator's 64 bits is an error; past
    /// it, the result is its 64 bits (equal to it whenever there is no
    /// error, which is all the questions ask about).
    fn integer_range(&mut self, guard: L, known: L, val: Val) -> Val {
        match val {
            Val::Num { word, scale } => {
                let fits = bits::within(
                    &mut self.sat,
                    &word,
                    i128::from(i64::MIN),
                    i128::from(i64::MAX),
                );
                let reached = self.sat.and2(guard, known);
                self.error(reached, !fits);
                Val::Num {
                    word: bits::truncate(&self.sat, &word, 64),
                    scale,
                }
            }
            other => other,
        }
    }

    /// A comparison, as `eval::expr::compare` (`None`: not encodable).
    fn compare(&mut self, op: CmpOp, a: &Val, b: &Val, reached: L) -> Option<L> {
        let (less, equal) = match (a, b) {
            (Val::Num { word: x, scale: sx }, Val::Num { word: y, scale: sy }) => {
                if let Some(order) = self.civil_order(x, y) {
                    order
                } else {
                    let s = (*sx).max(*sy);
                    let x = self.rescale(x, *sx, s);
                    let y = self.rescale(y, *sy, s);
                    (
                        bits::lt(&mut self.sat, &x, &y),
                        bits::eq(&mut self.sat, &x, &y),
                    )
                }
            }
            (
                Val::Duration {
                    months: m1,
                    days: d1,
                },
                Val::Duration {
                    months: m2,
                    days: d2,
                },
            ) => {
                let zero = bits::constant(&self.sat, 0);
                let m1z = bits::eq(&mut self.sat, m1, &zero);
                let m2z = bits::eq(&mut self.sat, m2, &zero);
                let d1z = bits::eq(&mut self.sat, d1, &zero);
                let d2z = bits::eq(&mut self.sat, d2, &zero);
                let by_days = self.sat.and2(m1z, m2z);
                let by_months = self.sat.and2(d1z, d2z);
                let neither = self.sat.and2(!by_days, !by_months);
                self.error(reached, neither);
                let dl = bits::lt(&mut self.sat, d1, d2);
                let de = bits::eq(&mut self.sat, d1, d2);
                let ml = bits::lt(&mut self.sat, m1, m2);
                let me = bits::eq(&mut self.sat, m1, m2);
                (self.sat.ite(by_days, dl, ml), self.sat.ite(by_days, de, me))
            }
            (Val::Text(None), _) | (_, Val::Text(None)) => return None,
            _ => {
                let e = self.eq_val(a, b);
                (self.sat.f(), e)
            }
        };
        Some(match op {
            CmpOp::Eq => equal,
            CmpOp::Ne => !equal,
            CmpOp::Lt => less,
            CmpOp::Le => self.sat.or2(less, equal),
            CmpOp::Gt => {
                let le = self.sat.or2(less, equal);
                // Values that are neither ordered nor equal are never greater.
                match (a, b) {
                    (Val::Num { .. }, _) | (Val::Duration { .. }, _) => !le,
                    _ => self.sat.f(),
                }
            }
            CmpOp::Ge => match (a, b) {
                (Val::Num { .. }, _) | (Val::Duration { .. }, _) => !less,
                _ => equal,
            },
        })
    }

    /// Arithmetic, as `eval::expr::arith` (`Err`: not encodable exactly).
    fn arith(
        &mut self,
        op: ArithOp,
        a: &Val,
        b: &Val,
        ty: Type,
        reached: L,
    ) -> Result<Val, &'static str> {
        const TOO_LARGE: &str = "a number too large to encode exactly";
        match (a, b) {
            (Val::Num { word: x, scale: sx }, Val::Num { word: y, scale: sy }) => {
                let (word, scale) = match op {
                    ArithOp::Add | ArithOp::Sub => {
                        let s = (*sx).max(*sy);
                        let x = self.rescale(x, *sx, s);
                        let y = self.rescale(y, *sy, s);
                        let word = if op == ArithOp::Add {
                            bits::add(&mut self.sat, &x, &y)
                        } else {
                            bits::sub(&mut self.sat, &x, &y)
                        };
                        (word.ok_or(TOO_LARGE)?, s)
                    }
                    ArithOp::Mul => (bits::mul(&mut self.sat, x, y).ok_or(TOO_LARGE)?, sx + sy),
                    ArithOp::Div => return Err("a division (its decimal rounding)"),
                };
                match ty {
                    // Two dates: the days from the second to the first.
                    Type::Duration => Ok(Val::Duration {
                        months: bits::constant(&self.sat, 0),
                        days: word,
                    }),
                    // The evaluator's decimals hold 96 bits and round past them.
                    Type::Decimal | Type::Money
                        if word.lo() < -DECIMAL_LIMIT || word.hi() > DECIMAL_LIMIT =>
                    {
                        Err("decimal arithmetic beyond 28 digits (the evaluator rounds it)")
                    }
                    _ => Ok(Val::Num { word, scale }),
                }
            }
            (Val::Num { word, scale: 0 }, Val::Duration { months, days })
            | (Val::Duration { months, days }, Val::Num { word, scale: 0 })
                if matches!(op, ArithOp::Add | ArithOp::Sub) =>
            {
                // A date and a duration: the months (calendar arithmetic),
                // then the days, as `jiff` adds them.
                let (months, days) = if op == ArithOp::Sub {
                    (
                        bits::neg(&mut self.sat, months).ok_or(TOO_LARGE)?,
                        bits::neg(&mut self.sat, days).ok_or(TOO_LARGE)?,
                    )
                } else {
                    (months.clone(), days.clone())
                };
                let sat = &mut self.sat;
                let months_fit =
                    bits::within(sat, &months, -calendar::MAX_MONTHS, calendar::MAX_MONTHS);
                let days_fit = bits::within(sat, &days, -calendar::MAX_DAYS, calendar::MAX_DAYS);
                self.error(reached, !months_fit);
                self.error(reached, !days_fit);
                let (moved, moved_civil) = match bits::constant_value(&self.sat, &months) {
                    Some(0) => (word.clone(), None),
                    _ => {
                        let civil = self.civil(word).ok_or(TOO_LARGE)?;
                        let (moved, moved_civil, in_calendar) =
                            calendar::add_months(&mut self.sat, &civil, &months)
                                .ok_or(TOO_LARGE)?;
                        self.error(reached, !in_calendar);
                        (moved, Some(moved_civil))
                    }
                };
                let sum = bits::add(&mut self.sat, &moved, &days).ok_or(TOO_LARGE)?;
                if let (Some(c), Some(0)) = (moved_civil, bits::constant_value(&self.sat, &days)) {
                    self.civil.insert(bits::key(&sum), c);
                }
                let in_range = bits::within(
                    &mut self.sat,
                    &sum,
                    day_number(Date::MIN),
                    day_number(Date::MAX),
                );
                self.error(reached, !in_range);
                Ok(Val::Num {
                    word: sum,
                    scale: 0,
                })
            }
            (
                Val::Duration {
                    months: m1,
                    days: d1,
                },
                Val::Duration {
                    months: m2,
                    days: d2,
                },
            ) => {
                let (months, days) = if op == ArithOp::Add {
                    (
                        bits::add(&mut self.sat, m1, m2),
                        bits::add(&mut self.sat, d1, d2),
                    )
                } else if op == ArithOp::Sub {
                    (
                        bits::sub(&mut self.sat, m1, m2),
                        bits::sub(&mut self.sat, d1, d2),
                    )
                } else {
                    return Err("arithmetic on durations");
                };
                Ok(Val::Duration {
                    months: months.ok_or(TOO_LARGE)?,
                    days: days.ok_or(TOO_LARGE)?,
                })
            }
            (Val::Duration { months, days }, Val::Num { word, scale: 0 })
            | (Val::Num { word, scale: 0 }, Val::Duration { months, days })
                if op == ArithOp::Mul =>
            {
                Ok(Val::Duration {
                    months: bits::mul(&mut self.sat, months, word).ok_or(TOO_LARGE)?,
                    days: bits::mul(&mut self.sat, days, word).ok_or(TOO_LARGE)?,
                })
            }
            _ => Err("arithmetic on these types"),
        }
    }

    fn call(&mut self, expr: &Expr, f: Builtin, args: &[Expr], guard: L) -> Term {
        let terms: Vec<Term> = args.iter().map(|a| self.expr(a, guard)).collect();
        let known_lits: Vec<L> = terms.iter().map(|t| t.known).collect();
        let known = self.sat.and(&known_lits);
        let reached = self.sat.and2(guard, known);
        let vals: Vec<Val> = terms.into_iter().map(|t| t.val).collect();
        let val = match (f, vals.as_slice()) {
            (Builtin::Min | Builtin::Max, [first, rest @ ..]) => {
                let mut best = first.clone();
                for v in rest {
                    let op = if f == Builtin::Min {
                        CmpOp::Lt
                    } else {
                        CmpOp::Gt
                    };
                    let Some(better) = self.compare(op, v, &best, reached) else {
                        return self.inexact(expr, "min or max of text");
                    };
                    best = self.ite_val(better, v, &best);
                }
                best
            }
            (Builtin::Clamp, [x, lo, hi]) => {
                let (Some(below), Some(above)) = (
                    self.compare(CmpOp::Lt, x, lo, reached),
                    self.compare(CmpOp::Gt, x, hi, reached),
                ) else {
                    return self.inexact(expr, "clamp of text");
                };
                let inner = self.ite_val(above, hi, x);
                self.ite_val(below, lo, &inner)
            }
            (Builtin::Round | Builtin::Floor | Builtin::Ceil, [x, rest @ ..]) => {
                let places = match rest.first() {
                    None => Some(0),
                    Some(Val::Num { word, scale: 0 }) => {
                        bits::constant_value(&self.sat, word).and_then(|p| u32::try_from(p).ok())
                    }
                    Some(_) => None,
                };
                let (Some(places), Val::Num { word, scale }) = (places, x) else {
                    return self
                        .inexact(expr, "rounding to a number of places that is not constant");
                };
                if *scale <= places || expr.ty == Type::Integer {
                    x.clone()
                } else {
                    let k = 10i128.checked_pow(scale - places).unwrap_or(1);
                    let Some(word) = self.round(f, word, k) else {
                        return self.inexact(expr, "a number too large to encode exactly");
                    };
                    Val::Num {
                        word,
                        scale: places,
                    }
                }
            }
            (Builtin::DaysBetween, [Val::Num { word: a, .. }, Val::Num { word: b, .. }]) => {
                let Some(word) = bits::sub(&mut self.sat, b, a) else {
                    return self.inexact(expr, "a number too large to encode exactly");
                };
                Val::Num { word, scale: 0 }
            }
            (Builtin::YearsBetween, [Val::Num { word: a, .. }, Val::Num { word: b, .. }]) => {
                let (b_before, _) = self.date_order(b, a);
                let years = match (self.civil(a), self.civil(b)) {
                    (Some(ca), Some(cb)) => {
                        calendar::years_between(&mut self.sat, &ca, &cb, !b_before)
                    }
                    _ => None,
                };
                let Some(word) = years else {
                    return self.inexact(expr, "a number too large to encode exactly");
                };
                Val::Num { word, scale: 0 }
            }
            (Builtin::Count, [Val::Set(s)]) => {
                let mut acc = bits::constant(&self.sat, 0);
                for &l in s {
                    let one = bits::of_bit(&self.sat, l);
                    if let Some(sum) = bits::add(&mut self.sat, &acc, &one) {
                        acc = sum;
                    }
                }
                Val::Num {
                    word: acc,
                    scale: 0,
                }
            }
            _ => return self.inexact(expr, "a call with arguments of unexpected types"),
        };
        Term { known, val }
    }

    /// `round`, `floor` or `ceil` of a scaled number by `k = 10^places`.
    fn round(&mut self, f: Builtin, word: &Word, k: i128) -> Option<Word> {
        let sat = &mut self.sat;
        Some(match f {
            Builtin::Floor => bits::floor_div(sat, word, k),
            Builtin::Ceil => {
                let negated = bits::neg(sat, word)?;
                let q = bits::floor_div(sat, &negated, k);
                bits::neg(sat, &q)?
            }
            _ => {
                // Half away from zero: ⌊(|x| + k/2) / k⌋ with x's sign.
                let negative = word.sign(sat);
                let negated = bits::neg(sat, word)?;
                let magnitude = bits::ite(sat, negative, &negated, word);
                let magnitude = bits::narrow(sat, &magnitude, 0, i128::MAX);
                let half = bits::constant(sat, k / 2);
                let shifted = bits::add(sat, &magnitude, &half)?;
                let q = bits::floor_div(sat, &shifted, k);
                let neg_q = bits::neg(sat, &q)?;
                bits::ite(sat, negative, &neg_q, &q)
            }
        })
    }

    /// `T[keys].column` (`column` given) or `exists T[keys]`.
    fn lookup(
        &mut self,
        expr: &Expr,
        table: crate::ir::TableId,
        keys: &[Expr],
        column: Option<usize>,
        guard: L,
    ) -> Term {
        let terms: Vec<Term> = keys.iter().map(|k| self.expr(k, guard)).collect();
        let known_lits: Vec<L> = terms.iter().map(|t| t.known).collect();
        let known = self.sat.and(&known_lits);
        let Some(info) = self.program.tables.get(table.index()) else {
            return self.inexact(expr, "a table that does not exist");
        };
        let mut matches = Vec::new();
        for row in &info.rows {
            let mut lits = vec![self.in_force(&row.meta)];
            for (term, key) in terms.iter().zip(&row.keys) {
                let key = self.constant(key);
                lits.push(self.eq_val(&term.val, &key));
            }
            matches.push(self.sat.and(&lits));
        }
        let found = self.sat.or(&matches);
        let Some(column) = column else {
            return Term {
                known,
                val: Val::Bool(found),
            };
        };
        let reached = self.sat.and2(guard, known);
        self.error(reached, !found);
        let mut val = self.zero(expr.ty);
        // The first matching row wins, as in `find_row`.
        for (row, &m) in info.rows.iter().zip(&matches).rev() {
            let Some(cell) = row.cells.get(column) else {
                continue;
            };
            let cell = self.constant(cell);
            val = self.ite_val(m, &cell, &val);
        }
        Term { known, val }
    }
}

/// A date word within jiff's range.
fn date_word(sat: &mut Sat) -> Word {
    bits::fresh_within(sat, day_number(Date::MIN), day_number(Date::MAX))
}

/// The decimal places of decimal and money facts: the most of any constant.
fn program_scale(program: &Program) -> u32 {
    let mut scale = 2;
    constants(program, &mut |v| match v {
        Value::Decimal(d) => scale = scale.max(d.scale()),
        Value::Money(m) => scale = scale.max(m.amount.scale()),
        _ => {}
    });
    scale.min(8)
}

/// Visits every constant of the program's rules, defaults and tables.
pub(crate) fn constants(program: &Program, visit: &mut dyn FnMut(&Value)) {
    fn walk(e: &Expr, visit: &mut dyn FnMut(&Value)) {
        match &e.kind {
            ExprKind::Const(v) => visit(v),
            ExprKind::Not(a) | ExprKind::Neg(a) => walk(a, visit),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::In(a, b)
            | ExprKind::HasAny(a, b)
            | ExprKind::HasAll(a, b) => {
                walk(a, visit);
                walk(b, visit);
            }
            ExprKind::If(c, a, b) => {
                walk(c, visit);
                walk(a, visit);
                walk(b, visit);
            }
            ExprKind::Set(items)
            | ExprKind::Call(_, items)
            | ExprKind::Lookup(_, items, _)
            | ExprKind::Exists(_, items) => {
                for i in items {
                    walk(i, visit);
                }
            }
            ExprKind::Fact(_) | ExprKind::Def(_) | ExprKind::AsOf => {}
        }
    }
    for rule in &program.rules {
        for e in rule.when.iter().chain(rule.value.iter()) {
            walk(e, visit);
        }
    }
    for def in &program.definitions {
        if let Some(d) = &def.default {
            walk(&d.value, visit);
        }
    }
    for table in &program.tables {
        for row in &table.rows {
            for v in row.cells.iter().chain(&row.keys) {
                visit(v);
            }
        }
    }
}
