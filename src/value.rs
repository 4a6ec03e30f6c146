//! Runtime values and their display.
//!
//! Values are exact: money and decimals are `rust_decimal::Decimal`, dates are
//! civil dates, sets of enum values are bit sets (an enum used in a set has at
//! most 128 variants; the checker enforces it).

use crate::ir::{EnumId, Program};
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

impl Value {
    /// Renders the value for people, with enum variants by name.
    pub fn display(&self, program: &Program) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Decimal(d) => d.normalize().to_string(),
            Value::Money(m) => format!("{} {}", m.currency_str(), group_thousands(m.amount)),
            Value::Date(d) => d.to_string(),
            Value::Duration(d) => display_duration(*d),
            Value::Text(t) => format!("{t:?}"),
            Value::Enum(e, v) => variant_name(program, *e, *v).to_string(),
            Value::Set(e, bits) => {
                let mut out = String::from("{");
                let mut first = true;
                for v in 0..128u32 {
                    if bits & (1u128 << v) != 0 {
                        if !first {
                            out.push_str(", ");
                        }
                        first = false;
                        out.push_str(variant_name(program, *e, v));
                    }
                }
                out.push('}');
                out
            }
        }
    }

    /// The value as JSON, in the same shape a case file uses.
    pub fn to_json(&self, program: &Program) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Decimal(d) => J::String(d.normalize().to_string()),
            Value::Money(m) => J::String(format!("{} {}", m.currency_str(), m.amount.normalize())),
            Value::Date(d) => J::String(d.to_string()),
            Value::Duration(d) => J::String(display_duration(*d)),
            Value::Text(t) => J::String(t.to_string()),
            Value::Enum(e, v) => J::String(variant_name(program, *e, *v).to_string()),
            Value::Set(e, bits) => J::Array(
                (0..128u32)
                    .filter(|v| bits & (1u128 << v) != 0)
                    .map(|v| J::String(variant_name(program, *e, v).to_string()))
                    .collect(),
            ),
        }
    }
}

/// The name of an enum variant (`?` if out of range).
pub fn variant_name(program: &Program, e: EnumId, v: u32) -> &str {
    program
        .enums
        .get(e.index())
        .and_then(|e| e.variants.get(v as usize))
        .map_or("?", |(n, _)| n.as_str())
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
fn group_thousands(amount: Decimal) -> String {
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
