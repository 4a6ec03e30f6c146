//! Calendar arithmetic as circuits, exactly as the evaluator's calendar
//! (jiff, proleptic Gregorian, years -9999 to 9999) does it:
//!
//! - a date plus a duration adds the months first, carrying into the year,
//!   keeps the day unless the month is shorter (2024-01-31 plus a month is
//!   2024-02-29), then adds the days;
//! - the whole years between two dates `a` and `b` are the most `n` with
//!   `a` plus `n` years, its day not shortened, not past `b` (and the same
//!   backwards), so 2020-02-29 to 2021-02-28 is 0 years.
//!
//! Dates are day numbers (days since 1970-01-01); the civil year, month and
//! day come from H. Hinnant's `civil_from_days` and go back with
//! `days_from_civil`, whose divisions are all by constants, so the circuits
//! are small and the solver propagates them forward.

use super::bits::{self, Word};
use super::sat::{Sat, L};

/// The most months a duration may hold (jiff's span limit: 19,998 years).
pub(crate) const MAX_MONTHS: i128 = 239_976;
/// The most days a duration may hold (jiff's span limit).
pub(crate) const MAX_DAYS: i128 = 7_304_484;
/// The years of jiff's calendar.
pub(crate) const MIN_YEAR: i128 = -9999;
/// The last year of jiff's calendar.
pub(crate) const MAX_YEAR: i128 = 9999;
/// Days from 0000-03-01 to 1970-01-01.
const EPOCH_SHIFT: i128 = 719_468;
/// Days in 400 years.
const ERA_DAYS: i128 = 146_097;

/// A civil date.
#[derive(Clone, Debug)]
pub(crate) struct Civil {
    /// The year.
    pub year: Word,
    /// The month, 1 to 12.
    pub month: Word,
    /// The day, 1 to 31.
    pub day: Word,
}

fn k(sat: &Sat, v: i128) -> Word {
    bits::constant(sat, v)
}

/// The civil date of a day number.
pub(crate) fn civil(sat: &mut Sat, days: &Word) -> Option<Civil> {
    let z = bits::add(sat, days, &k(sat, EPOCH_SHIFT))?;
    let era = bits::floor_div(sat, &z, ERA_DAYS);
    let era_days = bits::mul_constant(sat, &era, ERA_DAYS)?;
    let doe = bits::sub(sat, &z, &era_days)?;
    let doe = bits::narrow(sat, &doe, 0, ERA_DAYS - 1);
    // The year of the era: leap days removed, then 365 days a year.
    let a = bits::floor_div(sat, &doe, 1460);
    let b = bits::floor_div(sat, &doe, 36_524);
    let c = bits::floor_div(sat, &doe, ERA_DAYS - 1);
    let t = bits::sub(sat, &doe, &a)?;
    let t = bits::add(sat, &t, &b)?;
    let t = bits::sub(sat, &t, &c)?;
    let yoe = bits::floor_div(sat, &t, 365);
    let yoe = bits::narrow(sat, &yoe, 0, 399);
    let era_years = bits::mul_constant(sat, &era, 400)?;
    let year = bits::add(sat, &yoe, &era_years)?;
    // The day of the year, from March 1.
    let y365 = bits::mul_constant(sat, &yoe, 365)?;
    let y4 = bits::floor_div(sat, &yoe, 4);
    let y100 = bits::floor_div(sat, &yoe, 100);
    let start = bits::add(sat, &y365, &y4)?;
    let start = bits::sub(sat, &start, &y100)?;
    let doy = bits::sub(sat, &doe, &start)?;
    let doy = bits::narrow(sat, &doy, 0, 365);
    // The month from March (0 to 11) and the day.
    let t = bits::mul_constant(sat, &doy, 5)?;
    let t = bits::add(sat, &t, &k(sat, 2))?;
    let mp = bits::floor_div(sat, &t, 153);
    let mp = bits::narrow(sat, &mp, 0, 11);
    let first = month_start(sat, &mp)?;
    let day = bits::sub(sat, &doy, &first)?;
    let day = bits::add(sat, &day, &k(sat, 1))?;
    let day = bits::narrow(sat, &day, 1, 31);
    let spring = bits::lt(sat, &mp, &k(sat, 10));
    let from_march = bits::add(sat, &mp, &k(sat, 3))?;
    let from_january = bits::sub(sat, &mp, &k(sat, 9))?;
    let month = bits::ite(sat, spring, &from_march, &from_january);
    let month = bits::narrow(sat, &month, 1, 12);
    // January and February belong to the next year.
    let next = bits::of_bit(sat, !spring);
    let year = bits::add(sat, &year, &next)?;
    Some(Civil { year, month, day })
}

/// The days from March 1 to the first of the month `mp` months later.
fn month_start(sat: &mut Sat, mp: &Word) -> Option<Word> {
    let t = bits::mul_constant(sat, mp, 153)?;
    let t = bits::add(sat, &t, &k(sat, 2))?;
    Some(bits::floor_div(sat, &t, 5))
}

/// The day number of a civil date (month 1 to 12, day within the month).
pub(crate) fn days_from_civil(sat: &mut Sat, date: &Civil) -> Option<Word> {
    let winter = bits::le(sat, &date.month, &k(sat, 2));
    let back = bits::of_bit(sat, winter);
    let year = bits::sub(sat, &date.year, &back)?;
    let era = bits::floor_div(sat, &year, 400);
    let era_years = bits::mul_constant(sat, &era, 400)?;
    let yoe = bits::sub(sat, &year, &era_years)?;
    let yoe = bits::narrow(sat, &yoe, 0, 399);
    let plus_nine = bits::add(sat, &date.month, &k(sat, 9))?;
    let minus_three = bits::sub(sat, &date.month, &k(sat, 3))?;
    let mp = bits::ite(sat, winter, &plus_nine, &minus_three);
    let mp = bits::narrow(sat, &mp, 0, 11);
    let first = month_start(sat, &mp)?;
    let doy = bits::add(sat, &first, &date.day)?;
    let doy = bits::sub(sat, &doy, &k(sat, 1))?;
    let doy = bits::narrow(sat, &doy, 0, 365);
    let y365 = bits::mul_constant(sat, &yoe, 365)?;
    let y4 = bits::floor_div(sat, &yoe, 4);
    let y100 = bits::floor_div(sat, &yoe, 100);
    let doe = bits::add(sat, &y365, &y4)?;
    let doe = bits::sub(sat, &doe, &y100)?;
    let doe = bits::add(sat, &doe, &doy)?;
    let doe = bits::narrow(sat, &doe, 0, ERA_DAYS - 1);
    let era_days = bits::mul_constant(sat, &era, ERA_DAYS)?;
    let days = bits::add(sat, &era_days, &doe)?;
    bits::sub(sat, &days, &k(sat, EPOCH_SHIFT))
}

/// `year` is a multiple of `n`.
fn multiple(sat: &mut Sat, year: &Word, n: i128) -> Option<L> {
    let q = bits::floor_div(sat, year, n);
    let back = bits::mul_constant(sat, &q, n)?;
    Some(bits::eq(sat, &back, year))
}

/// The days of a month of a year.
pub(crate) fn days_in_month(sat: &mut Sat, year: &Word, month: &Word) -> Option<Word> {
    let by4 = multiple(sat, year, 4)?;
    let by100 = multiple(sat, year, 100)?;
    let by400 = multiple(sat, year, 400)?;
    let century_rule = sat.or2(!by100, by400);
    let leap = sat.and2(by4, century_rule);
    let is = |sat: &mut Sat, m: i128| bits::eq(sat, month, &k(sat, m));
    let february = is(sat, 2);
    let short: Vec<L> = [4, 6, 9, 11].iter().map(|&m| is(sat, m)).collect();
    let thirty = sat.or(&short);
    let feb = bits::ite(sat, leap, &k(sat, 29), &k(sat, 28));
    let other = bits::ite(sat, thirty, &k(sat, 30), &k(sat, 31));
    Some(bits::ite(sat, february, &feb, &other))
}

/// `date` plus `months` (any sign), the day kept unless the month is
/// shorter, as a day number and as a civil date; with the literal "the
/// year stays within the calendar" (else the evaluator's error).
pub(crate) fn add_months(sat: &mut Sat, date: &Civil, months: &Word) -> Option<(Word, Civil, L)> {
    let q = bits::floor_div(sat, months, 12);
    let twelves = bits::mul_constant(sat, &q, 12)?;
    let r = bits::sub(sat, months, &twelves)?;
    let r = bits::narrow(sat, &r, 0, 11);
    let t = bits::sub(sat, &date.month, &k(sat, 1))?;
    let t = bits::add(sat, &t, &r)?;
    let t = bits::narrow(sat, &t, 0, 22);
    let carry = bits::le(sat, &k(sat, 12), &t);
    let wrapped = bits::sub(sat, &t, &k(sat, 11))?;
    let plain = bits::add(sat, &t, &k(sat, 1))?;
    let month = bits::ite(sat, carry, &wrapped, &plain);
    let month = bits::narrow(sat, &month, 1, 12);
    let year = bits::add(sat, &date.year, &q)?;
    let next = bits::of_bit(sat, carry);
    let year = bits::add(sat, &year, &next)?;
    let in_calendar = bits::within(sat, &year, MIN_YEAR, MAX_YEAR);
    let last = days_in_month(sat, &year, &month)?;
    let shorter = bits::lt(sat, &last, &date.day);
    let day = bits::ite(sat, shorter, &last, &date.day);
    let civil = Civil { year, month, day };
    let days = days_from_civil(sat, &civil)?;
    Some((days, civil, in_calendar))
}

/// The whole years from `a` to `b` (negative when `b` is earlier);
/// `forward` is "`a` is not after `b`".
pub(crate) fn years_between(sat: &mut Sat, ca: &Civil, cb: &Civil, forward: L) -> Option<Word> {
    let diff = bits::sub(sat, &cb.year, &ca.year)?;
    let day_of = |sat: &mut Sat, c: &Civil| {
        let m = bits::mul_constant(sat, &c.month, 32)?;
        bits::add(sat, &m, &c.day)
    };
    let (da, db) = (day_of(sat, ca)?, day_of(sat, cb)?);
    let short = bits::lt(sat, &db, &da);
    let long = bits::lt(sat, &da, &db);
    let short = bits::of_bit(sat, short);
    let long = bits::of_bit(sat, long);
    let ahead = bits::sub(sat, &diff, &short)?;
    let behind = bits::add(sat, &diff, &long)?;
    Some(bits::ite(sat, forward, &ahead, &behind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::encode::{date_of, day_number};
    use jiff::civil::{date, Date};

    fn days(sat: &Sat, d: Date) -> Word {
        bits::constant(sat, day_number(d))
    }

    fn value(sat: &Sat, w: &Word) -> i128 {
        bits::constant_value(sat, w).expect("constant inputs fold")
    }

    /// Dates across the calendar: its ends, leap days, month ends, the
    /// epoch, and a stride through twenty thousand years.
    fn sample() -> Vec<Date> {
        let mut out = vec![
            Date::MIN,
            Date::MAX,
            date(1970, 1, 1),
            date(1969, 12, 31),
            date(2000, 2, 29),
            date(1900, 2, 28),
            date(2100, 3, 1),
            date(2024, 1, 31),
            date(2023, 12, 31),
            date(0, 1, 1),
            date(-1, 12, 31),
            date(-4, 2, 29),
        ];
        let mut d = Date::MIN;
        while let Ok(next) = d.checked_add(jiff::Span::new().days(3_331)) {
            out.push(next);
            d = next;
        }
        out
    }

    #[test]
    fn civil_dates_round_trip_as_jiff_has_them() {
        let mut sat = Sat::new();
        for d in sample() {
            let w = days(&sat, d);
            let c = civil(&mut sat, &w).expect("fits");
            assert_eq!(
                (
                    value(&sat, &c.year),
                    value(&sat, &c.month),
                    value(&sat, &c.day)
                ),
                (
                    i128::from(d.year()),
                    i128::from(d.month()),
                    i128::from(d.day())
                ),
                "{d}"
            );
            let back = days_from_civil(&mut sat, &c).expect("fits");
            assert_eq!(value(&sat, &back), day_number(d), "{d}");
            let last = days_in_month(&mut sat, &c.year, &c.month).expect("fits");
            assert_eq!(value(&sat, &last), i128::from(d.days_in_month()), "{d}");
        }
    }

    #[test]
    fn months_are_added_as_jiff_adds_them() {
        let mut sat = Sat::new();
        for d in sample() {
            let w = days(&sat, d);
            let c = civil(&mut sat, &w).expect("fits");
            for months in [-240_000i64, -25, -12, -1, 0, 1, 11, 12, 13, 36, 239_976] {
                let m = bits::constant(&sat, i128::from(months));
                let (sum, _, ok) = add_months(&mut sat, &c, &m).expect("fits");
                let expected = jiff::Span::new()
                    .try_months(months)
                    .ok()
                    .and_then(|span| d.checked_add(span).ok());
                let ok = sat.value_of_constant(ok).expect("constant");
                // Past the span limit the evaluator fails before adding
                // (an error of its own, see `encode.rs`).
                if months.unsigned_abs() > MAX_MONTHS as u64 {
                    continue;
                }
                match expected {
                    Some(e) => {
                        assert!(ok, "{d} + {months} months");
                        assert_eq!(date_of(value(&sat, &sum)), Some(e), "{d} + {months}");
                    }
                    None => assert!(!ok, "{d} + {months}: jiff fails"),
                }
            }
        }
    }

    #[test]
    fn whole_years_between_dates_are_jiffs() {
        let mut sat = Sat::new();
        let dates: Vec<Date> = sample().into_iter().step_by(97).collect();
        let extra = [
            date(2020, 2, 29),
            date(2021, 2, 28),
            date(2021, 3, 1),
            date(2024, 2, 29),
            date(2019, 3, 15),
            date(2020, 3, 14),
            date(2020, 3, 15),
        ];
        let all: Vec<Date> = dates.into_iter().chain(extra).collect();
        for &a in &all {
            for &b in &all {
                let (wa, wb) = (days(&sat, a), days(&sat, b));
                let ca = civil(&mut sat, &wa).expect("fits");
                let cb = civil(&mut sat, &wb).expect("fits");
                let forward = bits::le(&mut sat, &wa, &wb);
                let n = years_between(&mut sat, &ca, &cb, forward).expect("fits");
                let expected = a
                    .until((jiff::Unit::Year, b))
                    .expect("in range")
                    .get_years();
                assert_eq!(value(&sat, &n), i128::from(expected), "{a} to {b}");
            }
        }
    }

    #[test]
    fn the_span_limits_are_jiffs() {
        let months = |m: i128| jiff::Span::new().try_months(m as i64).is_ok();
        let days = |d: i128| jiff::Span::new().try_days(d as i64).is_ok();
        assert!(months(MAX_MONTHS) && months(-MAX_MONTHS));
        assert!(!months(MAX_MONTHS + 1) && !months(-MAX_MONTHS - 1));
        assert!(days(MAX_DAYS) && days(-MAX_DAYS));
        assert!(!days(MAX_DAYS + 1) && !days(-MAX_DAYS - 1));
    }

    /// The circuits with inputs the solver picks (not folded constants).
    #[test]
    fn the_circuits_hold_for_dates_the_solver_picks() {
        let mut sat = Sat::new();
        let w = bits::fresh_within(&mut sat, day_number(Date::MIN), day_number(Date::MAX));
        let c = civil(&mut sat, &w).expect("fits");
        let months = bits::fresh(&mut sat, 20);
        let (sum, _, _) = add_months(&mut sat, &c, &months).expect("fits");
        for (d, m) in [
            (date(2024, 1, 31), 1i64),
            (date(2023, 3, 31), -1),
            (date(1999, 12, 15), 14),
            (date(-400, 2, 29), 12),
        ] {
            let dw = days(&sat, d);
            let pin_d = bits::eq(&mut sat, &w, &dw);
            let mw = bits::constant(&sat, i128::from(m));
            let pin_m = bits::eq(&mut sat, &months, &mw);
            assert!(sat.solve(&[pin_d, pin_m]));
            let expected = d
                .checked_add(jiff::Span::new().months(m))
                .expect("in range");
            assert_eq!(
                date_of(bits::value(&sat, &sum)),
                Some(expected),
                "{d} + {m}"
            );
            assert_eq!(bits::value(&sat, &c.day), i128::from(d.day()));
        }
    }
}
