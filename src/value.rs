//! Runtime values and their display.
//!
//! Values are exact: money and decimals are `rust_decimal::Decimal`, dates are
//! civil dates, sets of enum values are bit sets (an enum used in a set has at
//! most 128 variants; the checker enforces it).

use crate::ids::EnumId;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::sync::Arc;

/// A calendar duration: whole months plus whole days.
///
/// Months and days are kept apart because a month has no fixed number of
/// days; comparing `1 month` with `30 days` is an evaluation error, not a guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// Whole months (a year is 12).
    pub months: i64,
    /// Whole days (a week is 7).
    pub days: i64,
}

/// An amount of money in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount.
    pub amount: Decimal,
    /// ISO 4217 code, e.g. `KRW`.
    pub currency: [u8; 3],
}

impl Money {
    /// The currency code as text.
    pub fn currency_str(&self) -> &str {
        std::str::from_utf8(&self.currency).unwrap_or("???")
    }
}

/// A value.
///
/// The tag is a `u32` (`repr(u32)`), so every field starts on a 4-byte
/// boundary: with a one-byte tag, the compiler copies a value through
/// overlapping unaligned moves that stall the store buffer, and a clone then
/// costs more than the evaluation of a small rule. Still 32 bytes, and
/// `Option<Value>` too.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Value {
    /// `true` / `false`
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// Money.
    Money(Money),
    /// A civil date.
    Date(Date),
    /// A duration.
    Duration(Duration),
    /// Text.
    Text(Arc<str>),
    /// An enum value: type and variant index.
    Enum(EnumId, u32),
    /// A set of values of one enum, as a bit set of variant indexes.
    Set(EnumId, u128),
}

/// The variant indexes of a set value's bits, in increasing order, found
/// bit by bit rather than by testing all 128.
///
/// ```
/// use refuge::value::set_members;
/// let bits = (1u128 << 127) | 0b1010_0001;
/// assert_eq!(set_members(bits).collect::<Vec<_>>(), [0, 5, 7, 127]);
/// assert_eq!(set_members(0).count(), 0);
/// ```
pub fn set_members(bits: u128) -> impl Iterator<Item = u32> {
    let mut rest = bits;
    std::iter::from_fn(move || {
        let v = rest.trailing_zeros();
        (rest != 0).then(|| {
            rest &= rest.wrapping_sub(1);
            v
        })
    })
}

/// `10 years`, `1 year 6 months`, `30 days`.
pub fn display_duration(d: Duration) -> String {
    let mut parts = Vec::new();
    let (years, months) = (d.months / 12, d.months % 12);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("{n} {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if years != 0 {
        parts.push(plural(years, "year"));
    }
    if months != 0 {
        parts.push(plural(months, "month"));
    }
    if d.days != 0 || parts.is_empty() {
        parts.push(plural(d.days, "day"));
    }
    parts.join(" ")
}

/// `36000000` → `36,000,000`; decimals keep their fraction.
pub(crate) fn group_thousands(amount: Decimal) -> String {
    let text = amount.normalize().to_string();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        let _ = write!(out, ".{f}");
    }
    out
}

/// Why a `YYYY-MM-DD` text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    Format,
    /// A month outside 01–12.
    NoSuchMonth(i8),
    /// A day the month does not have.
    NoSuchDay {
        /// The month's English name.
        month: &'static str,
        /// The year.
        year: i16,
        /// How many days the month has.
        days: i8,
    },
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Format => write!(f, "not a date of the form YYYY-MM-DD"),
            DateError::NoSuchMonth(m) => write!(f, "there is no month {m}"),
            DateError::NoSuchDay { month, year, days } => {
                write!(f, "{month} {year} has {days} days")
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Parses `YYYY-MM-DD` strictly (four, two and two digits), saying exactly
/// what is wrong with an impossible date such as `2002-02-30`. Shared by the
/// policy parser and the case loader, so both accept the same dates.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(DateError::Format);
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return Err(DateError::Format);
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>())
    else {
        return Err(DateError::Format);
    };
    let Some(month_name) = usize::try_from(month - 1).ok().and_then(|i| MONTHS.get(i)) else {
        return Err(DateError::NoSuchMonth(month));
    };
    let first = Date::new(year, month, 1).map_err(|_| DateError::Format)?;
    let days = first.days_in_month();
    if day < 1 || day > days {
        return Err(DateError::NoSuchDay {
            month: month_name,
            year,
            days,
        });
    }
    Date::new(year, month, day).map_err(|_| DateError::Format)
}

/// Sets `slot` to a copy of `value`, writing the copy in place.
///
/// Equivalent to `*slot = value.cloned()`, but that builds the copy in a
/// temporary and moves it, and the move reads back, 16 bytes at a time,
/// what was just written 4 at a time: a stalled load that, on the
/// evaluator's hot path, costs more than the copy. [`write_copy`] stores
/// each variant straight into the slot.
#[inline(always)]
pub(crate) fn set_copy(slot: &mut Option<Value>, value: Option<&Value>) {
    match (value, slot.as_mut()) {
        (None, _) => *slot = None,
        (Some(v), Some(s)) => write_copy(s, v),
        (Some(v), None) => {
            *slot = Some(Value::Bool(false));
            if let Some(s) = slot {
                write_copy(s, v);
            }
        }
    }
}

/// Appends a copy of `value` to `values`, written in place where it ends up
/// (see [`set_copy`] on why not `values.push(value.clone())`).
#[inline(always)]
pub(crate) fn push_copy(values: &mut Vec<Value>, value: &Value) {
    values.push(Value::Bool(false));
    if let Some(slot) = values.last_mut() {
        write_copy(slot, value);
    }
}

/// Overwrites `slot` with a copy of `value`, each variant stored in place.
#[inline(always)]
fn write_copy(slot: &mut Value, value: &Value) {
    match value {
        Value::Bool(b) => *slot = Value::Bool(*b),
        Value::Integer(i) => *slot = Value::Integer(*i),
        Value::Decimal(d) => *slot = Value::Decimal(*d),
        Value::Money(m) => *slot = Value::Money(*m),
        Value::Date(d) => *slot = Value::Date(*d),
        Value::Duration(d) => *slot = Value::Duration(*d),
        Value::Text(t) => *slot = Value::Text(Arc::clone(t)),
        Value::Enum(e, v) => *slot = Value::Enum(*e, *v),
        Value::Set(e, bits) => *slot = Value::Set(*e, *bits),
    }
}

// `repr(u32)` keeps a value at 32 bytes and leaves `Option<Value>` its niche.
const _: () = assert!(std::mem::size_of::<Value>() == 32);
const _: () = assert!(std::mem::size_of::<Option<Value>>() == 32);
