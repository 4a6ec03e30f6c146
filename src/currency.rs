//! Currency codes: those of ISO 4217, as the `iso_currency` crate lists
//! them. A policy's money literal is checked when the policy is, a case's
//! money when the case is loaded, so a misspelt `KWR` is named where it is
//! written rather than surfacing as a mismatch during evaluation.

use iso_currency::{Currency, IntoEnumIterator};

/// How many close codes a suggestion names.
const MAX_SUGGESTED: usize = 3;

/// `None` if `code` is an ISO 4217 currency code; otherwise why not, with
/// the codes one typo away (letters swapped first: `` `KWR` is not …; did
/// you mean `KRW` or `KWD`? ``).
pub fn problem(code: &str) -> Option<String> {
    if Currency::from_code(code).is_some() {
        return None;
    }
    // Callers pass three letters (the lexer's and the case loader's own
    // checks come first), so the code is quoted whole.
    let shown = code;
    let upper = code.to_ascii_uppercase();
    let mut sorted: Vec<char> = upper.chars().collect();
    sorted.sort_unstable();
    let mut close: Vec<(bool, &'static str)> = Currency::iter()
        .map(|c| c.code())
        .filter(|c| strsim::osa_distance(&upper, c) <= 1)
        .map(|c| {
            let mut letters: Vec<char> = c.chars().collect();
            letters.sort_unstable();
            (letters != sorted, c)
        })
        .collect();
    close.sort_unstable();
    // Written in small letters: that code alone.
    if let Some(same) = close.iter().find(|(_, c)| *c == upper) {
        close = vec![*same];
    }
    let names: Vec<String> = close
        .iter()
        .take(MAX_SUGGESTED)
        .map(|(_, c)| format!("`{c}`"))
        .collect();
    Some(match names.split_last() {
        None => format!("`{shown}` is not an ISO 4217 currency code"),
        Some((last, [])) => {
            format!("`{shown}` is not an ISO 4217 currency code; did you mean {last}?")
        }
        Some((last, init)) => format!(
            "`{shown}` is not an ISO 4217 currency code; did you mean {} or {last}?",
            init.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn iso_codes_pass_and_a_misspelt_one_gets_a_suggestion() {
        for code in ["KRW", "USD", "EUR", "CNY", "JPY", "KPW"] {
            assert_eq!(problem(code), None, "{code}");
        }
        assert_eq!(
            problem("KWR").as_deref(),
            Some("`KWR` is not an ISO 4217 currency code; did you mean `KRW`, `KHR` or `KWD`?")
        );
        assert_eq!(
            problem("krw").as_deref(),
            Some("`krw` is not an ISO 4217 currency code; did you mean `KRW`?")
        );
        assert_eq!(
            problem("ZZQ").as_deref(),
            Some("`ZZQ` is not an ISO 4217 currency code")
        );
    }
}
