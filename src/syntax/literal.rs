//! Literal text → typed values: dates, numbers, percentages, money,
//! durations and strings.
//!
//! The grammar has already checked the shape of each literal; these functions
//! check the value (a real calendar date, an integer that fits in `i64`, a
//! known escape) and report [`ParseError::InvalidLiteral`] with the literal's
//! span when it has none.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::error::ParseError;
use crate::ast::{DurationUnit, ExprKind};
use crate::source::Span;

fn invalid(span: Span, what: String, help: impl Into<String>) -> ParseError {
    ParseError::InvalidLiteral {
        span,
        what,
        help: help.into(),
    }
}

/// `2002-06-03` → a calendar date; `2002-02-30` is an error.
pub(crate) fn date(text: &str, span: Span) -> Result<Date, ParseError> {
    use crate::value::{parse_date, DateError};
    parse_date(text).map_err(|e| match e {
        DateError::Format => invalid(
            span,
            format!("date `{text}`"),
            "write a calendar date as YYYY-MM-DD, e.g. `2002-06-03`",
        ),
        DateError::NoSuchMonth(_) => invalid(
            span,
            format!("date `{text}`: {e}"),
            "months run from 01 to 12",
        ),
        DateError::NoSuchDay { days, .. } => invalid(
            span,
            format!("date `{text}`: {e}"),
            format!("pick a day from 01 to {days}"),
        ),
    })
}

/// `1_000` → `Integer(1000)`; `0.5` → `Decimal(0.5)`.
pub(crate) fn number(text: &str, span: Span) -> Result<ExprKind, ParseError> {
    if text.contains('.') {
        return decimal(text, span).map(ExprKind::Decimal);
    }
    let digits = text.replace('_', "");
    digits.parse::<i64>().map(ExprKind::Integer).map_err(|_| {
        invalid(
            span,
            format!("number `{text}`: too large for an integer"),
            format!(
                "integers run from {} to {}; write a decimal point (`{digits}.0`) for a larger decimal",
                i64::MIN,
                i64::MAX
            ),
        )
    })
}

/// `1_000.50` → the exact decimal; more than 28 significant digits is an error.
pub(crate) fn decimal(text: &str, span: Span) -> Result<Decimal, ParseError> {
    let digits = text.replace('_', "");
    Decimal::from_str_exact(&digits).map_err(|_| {
        invalid(
            span,
            format!("number `{text}`: too many digits for a decimal"),
            "decimals hold at most 28 significant digits",
        )
    })
}

/// `50%` (given the number `50`) → `0.5`.
pub(crate) fn percent(number_text: &str, span: Span) -> Result<Decimal, ParseError> {
    let value = decimal(number_text, span)?;
    value
        .checked_div(Decimal::ONE_HUNDRED)
        .map(|v| v.normalize())
        .ok_or_else(|| {
            invalid(
                span,
                format!("percentage `{number_text}%`"),
                "write a percentage with at most 28 significant digits",
            )
        })
}

/// `KRW 1_000` (given `KRW` and `1_000`) → the amount and the currency code.
pub(crate) fn money(
    currency: &str,
    number_text: &str,
    span: Span,
) -> Result<(Decimal, String), ParseError> {
    Ok((decimal(number_text, span)?, currency.to_owned()))
}

/// `10 years` (given `10` and `years`) → the count and the unit.
pub(crate) fn duration(
    number_text: &str,
    unit_text: &str,
    span: Span,
) -> Result<(i64, DurationUnit), ParseError> {
    let unit = match unit_text {
        "day" | "days" => DurationUnit::Days,
        "week" | "weeks" => DurationUnit::Weeks,
        "month" | "months" => DurationUnit::Months,
        "year" | "years" => DurationUnit::Years,
        _ => {
            return Err(ParseError::Internal {
                span,
                detail: format!("`duration_unit`: unknown unit `{unit_text}`"),
            })
        }
    };
    if number_text.contains('.') {
        return Err(invalid(
            span,
            format!("duration `{number_text} {unit_text}`: durations are whole numbers"),
            "use a smaller unit, e.g. `18 months` for one and a half years",
        ));
    }
    let digits = number_text.replace('_', "");
    let count = digits.parse::<i64>().map_err(|_| {
        invalid(
            span,
            format!("duration `{number_text} {unit_text}`: too large"),
            format!("a duration counts at most {} units", i64::MAX),
        )
    })?;
    Ok((count, unit))
}

/// The body of a string literal (between the quotes) → its text, with the
/// escapes `\"`, `\\`, `\n` and `\t` replaced. `body_start` is the byte
/// offset of the body, so a bad escape is reported at the escape itself.
pub(crate) fn string(body: &str, span: Span, body_start: usize) -> Result<String, ParseError> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            other => {
                let (escape, span) = match other {
                    Some((at, c)) => {
                        let start = body_start + at - 1;
                        let end = body_start + at + c.len_utf8();
                        (
                            format!("\\{}", c.escape_debug()),
                            Span::new(span.file, start, end),
                        )
                    }
                    None => ("\\".to_owned(), span),
                };
                return Err(invalid(
                    span,
                    format!("escape `{escape}` in a string"),
                    "the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash",
                ));
            }
        }
    }
    Ok(out)
}
