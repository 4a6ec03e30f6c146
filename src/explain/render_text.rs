//! The plain-text rendering for the terminal: one aligned block per verdict.

use super::{CitationRef, Decision, Evaluation, Outcome, Read, RuleStatus, RuleTrace, Verdict};

/// Width of the key column of detail lines (`not applicable` and padding).
const KEY_WIDTH: usize = 14;

/// Renders an evaluation as compact, aligned text for a terminal.
///
/// Each verdict gives a head line `name = value  (what decided it: citations)`
/// with names and values aligned across verdicts, then indented detail lines:
/// rules overridden by exceptions, rules and exceptions that did not apply
/// with the fact that made each fail, rules left open by missing facts, rules
/// not in force, discretions, missing facts and the sources cited. With
/// `color`, decided values are green, undetermined ones yellow and citations
/// dim (ANSI escapes); without it the output is plain. The output is
/// deterministic and ends with a single newline.
pub fn to_text(e: &Evaluation, color: bool) -> String {
    let paint = Paint { color };
    let mut lines = Vec::new();
    lines.push(match &e.case {
        Some(case) => format!("Case: {} (law as of {})", one_line(case), e.as_of),
        None => format!("Law as of {}", e.as_of),
    });
    let name_width = e
        .verdicts
        .iter()
        .map(|v| v.name.chars().count())
        .max()
        .unwrap_or(0);
    let value_width = e
        .verdicts
        .iter()
        .map(|v| v.outcome.display().chars().count())
        .max()
        .unwrap_or(0);
    for v in &e.verdicts {
        lines.push(String::new());
        verdict(&mut lines, v, name_width, value_width, paint);
    }
    let mut out = String::new();
    for line in lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// ANSI colouring, or none.
#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Appends the head line and detail lines of one verdict.
fn verdict(lines: &mut Vec<String>, v: &Verdict, name_width: usize, value_width: usize, p: Paint) {
    let display = one_line(v.outcome.display());
    let value = match v.outcome {
        Outcome::Decided { .. } => p.green(&display),
        Outcome::Undetermined { .. } => p.yellow(&display),
    };
    let name_pad = " ".repeat(name_width.saturating_sub(v.name.chars().count()));
    let value_pad = " ".repeat(value_width.saturating_sub(display.chars().count()));
    lines.push(format!(
        "{}{name_pad} = {value}{value_pad}  ({})",
        v.name,
        how(v, p)
    ));

    let mut detail = |key: &str, text: String| {
        lines.push(format!("  {key:<KEY_WIDTH$}  {text}"));
    };
    for r in v
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Overridden)
    {
        for d in &r.defeated_by {
            let exc = v.rules.iter().find(|x| &x.name == d);
            let key = match exc.and_then(|x| x.mode) {
                Some("lifts") => "lifted",
                _ => "overridden",
            };
            let mut text = format!("{} by exception {d}", r.name);
            if let Some(x) = exc {
                let reads = reads_text(&x.reads);
                if !reads.is_empty() {
                    text.push_str(": ");
                    text.push_str(&reads);
                }
                text.push_str(&cites_suffix(&x.citations, p));
            }
            detail(key, text);
        }
    }
    for r in v
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::NotApplicable)
    {
        let reads = reads_text(&r.reads);
        let reads = if reads.is_empty() {
            "condition false".to_string()
        } else {
            reads
        };
        detail(
            "not applicable",
            format!("{}: {reads}{}", r.name, cites_suffix(&r.citations, p)),
        );
    }
    for r in v.rules.iter().filter(|r| r.status == RuleStatus::Unknown) {
        let missing: Vec<String> = r
            .reads
            .iter()
            .filter(|read| read.value.is_none())
            .map(|read| read.name.clone())
            .collect();
        let text = if missing.is_empty() {
            r.name.clone()
        } else {
            format!("{}: needs {}", r.name, join_words(&missing))
        };
        detail("unknown", text);
    }
    for r in v
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::NotInForce)
    {
        detail("not in force", format!("{}: {}", r.name, in_force(r)));
    }
    for d in &v.discretions {
        let status = match (d.status, d.conditions_hold) {
            ("exercised", _) => "exercised",
            ("declined", _) => "declined",
            (_, true) => "open",
            (_, false) => "open if its conditions hold",
        };
        detail(
            "discretion",
            format!(
                "{} ({status}): {} may {}{}",
                d.rule,
                one_line(&d.holder),
                one_line(&d.permits),
                cites_suffix(&d.citations, p)
            ),
        );
    }
    for f in &v.missing_facts {
        detail("missing", format!("{}: {}", f.path, f.r#type));
    }
    let mut key = "cites";
    for (first, pinpoints) in group_citations(&v.citations) {
        let text = format!("{} {}", first.source, pinpoints.join(", "));
        detail(key, p.dim(&one_line(&text)));
        key = "";
    }
}

/// What decided the verdict, for the head line's parenthesis.
fn how(v: &Verdict, p: Paint) -> String {
    match (&v.decision, &v.outcome) {
        (Decision::Rules { rules }, _) => {
            let traces: Vec<&RuleTrace> = rules
                .iter()
                .filter_map(|name| v.rules.iter().find(|r| &r.name == name))
                .collect();
            let mut citations: Vec<CitationRef> = Vec::new();
            for c in traces.iter().flat_map(|r| r.citations.iter()) {
                if !citations.contains(c) {
                    citations.push(c.clone());
                }
            }
            let list = cite_list(&citations);
            if list.is_empty() {
                format!("decided by {}", rules.join(", "))
            } else {
                format!("decided by {}: {}", rules.join(", "), p.dim(&list))
            }
        }
        (Decision::Default { citations }, _) => {
            let list = cite_list(citations);
            if list.is_empty() {
                "default".to_string()
            } else {
                format!("default: {}", p.dim(&list))
            }
        }
        (Decision::Nothing, Outcome::Undetermined { reason }) => {
            one_line(reason.trim_end_matches('.'))
        }
        (Decision::Nothing, Outcome::Decided { .. }) => "no rule applied".to_string(),
    }
}

/// `from D`, `until D`, or both.
fn in_force(r: &RuleTrace) -> String {
    match (&r.from, &r.until) {
        (Some(from), Some(until)) => format!("in force from {from} until {until}"),
        (Some(from), None) => format!("in force from {from}"),
        (None, Some(until)) => format!("in force until {until}"),
        (None, None) => "not in force".to_string(),
    }
}

/// `  (src pin; src pin)`, dimmed, or nothing.
fn cites_suffix(citations: &[CitationRef], p: Paint) -> String {
    let list = cite_list(citations);
    if list.is_empty() {
        list
    } else {
        format!("  {}", p.dim(&format!("({list})")))
    }
}

/// `src pin; src pin`.
fn cite_list(citations: &[CitationRef]) -> String {
    let parts: Vec<String> = citations
        .iter()
        .map(|c| one_line(&format!("{} {}", c.source, c.pinpoint)))
        .collect();
    parts.join("; ")
}

/// `name = value and name = not given`, for the reads worth explaining.
fn reads_text(reads: &[Read]) -> String {
    let parts: Vec<String> = reads_to_explain(reads)
        .into_iter()
        .map(|r| {
            let value = match (&r.value, r.kind) {
                (Some(v), _) => one_line(v),
                (None, "fact") => "not given".to_string(),
                (None, _) => "undetermined".to_string(),
            };
            format!("{} = {value}", r.name)
        })
        .collect();
    join_words(&parts)
}

/// Text on one line: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The reads that explain a condition: the decisive ones, or all when none
/// is marked decisive.
pub(super) fn reads_to_explain(reads: &[Read]) -> Vec<&Read> {
    let decisive: Vec<&Read> = reads.iter().filter(|r| r.decisive).collect();
    if decisive.is_empty() {
        reads.iter().collect()
    } else {
        decisive
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Citations grouped by source, in order of first use, with each source's
/// pinpoints in order of use (deduplicated).
pub(super) fn group_citations(citations: &[CitationRef]) -> Vec<(&CitationRef, Vec<&str>)> {
    let mut groups: Vec<(&CitationRef, Vec<&str>)> = Vec::new();
    for c in citations {
        match groups
            .iter_mut()
            .find(|(first, _)| first.source == c.source)
        {
            Some((_, pins)) => {
                if !pins.contains(&&*c.pinpoint) {
                    pins.push(&c.pinpoint);
                }
            }
            None => groups.push((c, vec![&*c.pinpoint])),
        }
    }
    groups
}
