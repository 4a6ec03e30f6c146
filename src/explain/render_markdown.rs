//! The Markdown rendering: a memo a reviewer can sign.
//!
//! It opens with a conclusion computed from the outcomes (never the case's own
//! description) and a table of the verdicts asked, then a numbered conclusion
//! per verdict (what decided it, what displaced what, the note that decides),
//! and, for all verdicts together, the law applied, the decisive facts with
//! their effect, the discretions (exercised, open, not reached) and what was
//! also considered, folded to a few lines. Verdicts not asked for by name and
//! undetermined for lack of facts take one line each at the end; provenance is
//! in an appendix. Drafting codes are kept out of the reasoning.

use super::analysis::{Applied, Explained, NotApplied, Role};
use super::words;
use super::{Evaluation, Outcome};
use crate::eval::graph::DiscretionState;
use crate::ir::{Citation, DefId, Program, RuleId, RuleKind};

/// How many "also considered" rules the memo lists before folding the rest.
const CONSIDERED_SHOWN: usize = 8;

/// Renders an evaluation as a Markdown memo. Deterministic; ends with a
/// single newline.
pub fn to_markdown(e: &Evaluation) -> String {
    let program = e.program;
    let explained: Vec<(DefId, Explained)> =
        e.verdict_ids().iter().map(|&d| (d, e.explain(d))).collect();
    let (full, brief): (Vec<_>, Vec<_>) = explained
        .iter()
        .partition(|(d, _)| e.asked_by_name() || e.value(*d).is_some());
    let mut blocks: Vec<String> = Vec::new();
    // The memo leads with the decision that weighs the most rules, and with
    // the exception or discretion that decided it.
    let mut by_weight: Vec<usize> = (0..full.len()).collect();
    by_weight.sort_by_key(|&i| {
        std::cmp::Reverse(full.get(i).map_or(0, |(d, _)| {
            program
                .definitions
                .get(d.index())
                .map_or(0, |i| i.rules.len())
        }))
    });
    let leads: Vec<usize> = by_weight.into_iter().take(1).collect();
    let title: Vec<String> = leads
        .iter()
        .filter_map(|&i| full.get(i))
        .map(|(d, x)| headline(e, *d, x))
        .collect();
    blocks.push(format!(
        "# {}",
        if title.is_empty() {
            "Evaluation".to_string()
        } else {
            title.join("; ")
        }
    ));
    let mut dateline = format!("*Law applied as of {}.*", esc(&e.as_of()));
    if let Some(d) = e.description() {
        dateline.push_str(&format!(" *Case file: {}.*", esc(d)));
    }
    blocks.push(dateline);
    if explained.is_empty() {
        blocks.push("No verdict was asked for.".to_string());
    }
    if !full.is_empty() {
        let mut table = vec![
            "| Verdict | Outcome | Decided by |".to_string(),
            "|---|---|---|".to_string(),
        ];
        for (d, x) in &full {
            table.push(format!(
                "| {} | {} | {} |",
                code(words::def_name(program, *d)),
                outcome_cell(e, *d),
                decided_by_cell(e, *d, x)
            ));
        }
        blocks.push(table.join("\n"));
        let items: Vec<String> = full
            .iter()
            .enumerate()
            .map(|(i, (d, x))| conclusion(e, i + 1, *d, x))
            .collect();
        blocks.push(format!("## Conclusion\n\n{}", items.join("\n")));
    }
    law(&mut blocks, program, &full);
    facts(&mut blocks, e, &full);
    missing(&mut blocks, e, &full);
    discretions(&mut blocks, program, &full);
    considered(&mut blocks, program, &full);
    if !brief.is_empty() {
        let items: Vec<String> = brief
            .iter()
            .map(|(d, x)| {
                let missing: Vec<String> = x
                    .pending
                    .iter()
                    .map(|m| code(words::fact_path(program, m.fact)))
                    .collect();
                format!(
                    "- {}: needs {}",
                    code(words::def_name(program, *d)),
                    if missing.is_empty() {
                        "a rule to apply".to_string()
                    } else {
                        words::join_words(&missing)
                    }
                )
            })
            .collect();
        blocks.push(format!(
            "## Not decided for lack of facts\n\n{}",
            items.join("\n")
        ));
    }
    appendix(&mut blocks, program, &full);
    let text = blocks.join("\n\n");
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The exception or exercised discretion of the verdict's own that decided
/// it, if any.
fn decisive_exception(program: &Program, d: DefId, x: &Explained) -> Option<RuleId> {
    own_applied(program, d, x).into_iter().find(|r| {
        program
            .rules
            .get(r.index())
            .is_some_and(|i| i.kind != RuleKind::Base || i.may.is_some())
    })
}

/// The memo's title: the leading verdict's outcome and the exception that
/// decided it.
fn headline(e: &Evaluation, d: DefId, x: &Explained) -> String {
    let outcome = cap(&outcome_phrase(e, d));
    match decisive_exception(e.program, d, x) {
        Some(r) => format!("{outcome} — {}", rule_phrase(e.program, r)),
        None => outcome,
    }
}

/// The value's label for prose, or `name` is `value`.
fn outcome_phrase(e: &Evaluation, d: DefId) -> String {
    let program = e.program;
    match e.outcome(d) {
        Outcome::ByRules(v) | Outcome::ByDefault(v) => match words::value_label(program, d, v) {
            Some(label) => esc(&label),
            None => format!(
                "{} is {}",
                code(words::def_name(program, d)),
                code(&v.display(program))
            ),
        },
        _ => format!("{} is undetermined", code(words::def_name(program, d))),
    }
}

fn outcome_cell(e: &Evaluation, d: DefId) -> String {
    match e.outcome(d) {
        Outcome::ByRules(v) | Outcome::ByDefault(v) => {
            format!("**{}**", code(&v.display(e.program)))
        }
        _ => "*undetermined*".to_string(),
    }
}

fn decided_by_cell(e: &Evaluation, d: DefId, x: &Explained) -> String {
    let program = e.program;
    match e.outcome(d) {
        Outcome::ByRules(_) => own_applied(program, d, x)
            .into_iter()
            .map(|r| code(words::rule_name(program, r)))
            .collect::<Vec<_>>()
            .join(", "),
        Outcome::ByDefault(_) => match decisive_exception(program, d, x) {
            Some(r) => format!("default, after {}", code(words::rule_name(program, r))),
            None => "default".to_string(),
        },
        _ => format!("missing {} fact(s)", x.pending.len()),
    }
}

/// The verdict's own rules applied in the support role.
fn own_applied(program: &Program, d: DefId, x: &Explained) -> Vec<RuleId> {
    x.applied
        .iter()
        .filter_map(|a| match a {
            Applied::Rule(r) if program.rules.get(r.index()).is_some_and(|i| i.def == d) => {
                Some(*r)
            }
            _ => None,
        })
        .collect()
}

/// A rule for prose: its `may` permission (exercised) or its name.
fn rule_phrase(program: &Program, r: RuleId) -> String {
    let name = code(words::rule_name(program, r));
    match program.rules.get(r.index()).and_then(|i| i.may.as_ref()) {
        Some(may) => format!("discretion to {} exercised ({name})", esc(&may.permits)),
        None => name,
    }
}

/// One numbered item of the conclusion.
fn conclusion(e: &Evaluation, n: usize, d: DefId, x: &Explained) -> String {
    let program = e.program;
    let mut item = format!(
        "{n}. **{}** ({}). ",
        cap(&outcome_phrase(e, d)),
        code(words::def_name(program, d))
    );
    let own = own_applied(program, d, x);
    match e.outcome(d) {
        Outcome::ByRules(_) => {
            let parts: Vec<String> = own
                .iter()
                .filter(|r| {
                    program
                        .rules
                        .get(r.index())
                        .is_some_and(|i| i.value.is_some())
                })
                .map(|r| {
                    let cites = program
                        .rules
                        .get(r.index())
                        .map(|i| words::short_cites(program, i.meta.cites.get(..1).unwrap_or(&[])))
                        .unwrap_or_default();
                    format!("{} ({})", rule_phrase(program, *r), esc(&cites))
                })
                .collect();
            item.push_str(&format!("Decided by {}.", words::join_words(&parts)));
        }
        Outcome::ByDefault(_) => {
            let cites = program
                .definitions
                .get(d.index())
                .and_then(|i| i.default.as_ref())
                .map(|df| words::short_cites(program, df.meta.cites.get(..1).unwrap_or(&[])))
                .unwrap_or_default();
            item.push_str(&format!(
                "No rule gives another value, so the default applies ({}).",
                esc(&cites)
            ));
        }
        Outcome::Undetermined(u) => item.push_str(&format!("{}.", cap(words::undetermined(u)))),
        Outcome::NotEvaluated => item.push_str("Not evaluated."),
    }
    let displaced: Vec<String> = x
        .considered
        .iter()
        .filter(|c| c.role == Role::Support)
        .filter_map(|c| match c.reason {
            NotApplied::DefeatedBy(by) => Some(format!(
                "{} displaces {}",
                code(words::rule_name(program, by)),
                code(words::rule_name(program, c.rule))
            )),
            _ => None,
        })
        .collect();
    if !displaced.is_empty() {
        item.push_str(&format!(" {}.", cap(&words::join_words(&displaced))));
    }
    let open = x
        .discretions
        .iter()
        .filter(|dis| dis.decisive && dis.state == DiscretionState::Open)
        .count();
    if open > 0 && e.value(d).is_some() {
        item.push_str(&format!(
            " This holds unless {} open discretion{} {} exercised (see Discretions).",
            if open == 1 {
                "an".to_string()
            } else {
                open.to_string()
            },
            if open == 1 { "" } else { "s" },
            if open == 1 { "is" } else { "are" },
        ));
    }
    for r in own {
        let Some(info) = program.rules.get(r.index()) else {
            continue;
        };
        if info.kind == RuleKind::Base && info.may.is_none() {
            continue;
        }
        for note in &info.meta.notes {
            let note = clean_note(note);
            if !note.is_empty() {
                item.push_str(&format!(" *Note:* {}.", esc(note.trim_end_matches('.'))));
            }
        }
    }
    item
}

/// The law the outcomes rest on, by source.
fn law(blocks: &mut Vec<String>, program: &Program, full: &[&(DefId, Explained)]) {
    let mut cites: Vec<&Citation> = Vec::new();
    for (_, x) in full {
        for c in x.rests_on(program) {
            if !cites
                .iter()
                .any(|k| k.source == c.source && k.pinpoint.locators() == c.pinpoint.locators())
            {
                cites.push(c);
            }
        }
    }
    if cites.is_empty() {
        return;
    }
    let mut groups: Vec<(crate::ir::SourceId, Vec<String>)> = Vec::new();
    for c in &cites {
        let pin = c.pinpoint.locators();
        match groups.iter_mut().find(|g| g.0 == c.source) {
            Some(g) => {
                if !g.1.contains(&pin) {
                    g.1.push(pin);
                }
            }
            None => groups.push((c.source, vec![pin])),
        }
    }
    let items: Vec<String> = groups
        .iter()
        .map(|(source, pins)| {
            let title = program
                .sources
                .get(source.index())
                .map_or("?", |s| s.title.as_ref());
            format!("- {}: {}", esc(title), esc(&pins.join("; ")))
        })
        .collect();
    blocks.push(format!("## Law applied\n\n{}", items.join("\n")));
}

/// The decisive facts of all verdicts, each once, with its first effect.
fn facts(blocks: &mut Vec<String>, e: &Evaluation, full: &[&(DefId, Explained)]) {
    let program = e.program;
    let mut rows: Vec<(crate::ir::FactId, String)> = Vec::new();
    for (_, x) in full {
        for f in &x.facts {
            if rows.iter().any(|(id, _)| *id == f.fact) {
                continue;
            }
            let via = match f.via {
                super::Via::Rule(r) => code(words::rule_name(program, r)),
                super::Via::Default(d) => {
                    format!("default of {}", code(words::def_name(program, d)))
                }
            };
            let effect = if f.applies {
                format!("{via} applies")
            } else {
                format!("{via} does not apply")
            };
            rows.push((f.fact, effect));
        }
    }
    if rows.is_empty() {
        return;
    }
    let mut table = vec![
        "| Fact | Found | Effect |".to_string(),
        "|---|---|---|".to_string(),
    ];
    for (f, effect) in rows {
        let value = e
            .case
            .fact(f)
            .map_or("missing".to_string(), |v| v.display(program));
        table.push(format!(
            "| {} | {} | {} |",
            code(words::fact_path(program, f)),
            code(&value),
            effect
        ));
    }
    blocks.push(format!("## Decisive facts\n\n{}", table.join("\n")));
}

/// Missing facts the undetermined verdicts asked for wait on.
fn missing(blocks: &mut Vec<String>, e: &Evaluation, full: &[&(DefId, Explained)]) {
    let program = e.program;
    let mut items: Vec<String> = Vec::new();
    for (d, x) in full {
        for m in &x.pending {
            let ty = program
                .facts
                .get(m.fact.index())
                .map_or("?".to_string(), |f| program.type_name(f.ty));
            let waiting: Vec<String> = m
                .waiting
                .iter()
                .map(|w| code(&words::via_name(program, *w)))
                .collect();
            items.push(format!(
                "- {} ({}), for {}: {} wait{} on it",
                code(words::fact_path(program, m.fact)),
                esc(&ty),
                code(words::def_name(program, *d)),
                words::join_words(&waiting),
                if waiting.len() == 1 { "s" } else { "" }
            ));
        }
    }
    if !items.is_empty() {
        blocks.push(format!(
            "## Missing facts that decide\n\n{}",
            items.join("\n")
        ));
    }
}

/// Discretions met, grouped by how they stand and who holds them.
fn discretions(blocks: &mut Vec<String>, program: &Program, full: &[&(DefId, Explained)]) {
    // (state, holder, permits)
    let mut groups: Vec<(&str, &str, Vec<String>)> = Vec::new();
    let mut seen: Vec<RuleId> = Vec::new();
    for (_, x) in full {
        for dis in &x.discretions {
            if seen.contains(&dis.rule) {
                continue;
            }
            seen.push(dis.rule);
            let state = match (dis.state, dis.condition, dis.decisive) {
                (DiscretionState::Exercised, _, true) => "Exercised, decisive",
                (DiscretionState::Exercised, _, false) => "Exercised",
                (DiscretionState::Declined, _, _) => "Declined",
                (DiscretionState::Open, Some(false), _) => "Not reached (conditions not met)",
                (DiscretionState::Open, Some(true), _) => "Open",
                (DiscretionState::Open, None, _) => "Open if the facts bear it out",
            };
            let Some(info) = program.rules.get(dis.rule.index()) else {
                continue;
            };
            let Some(may) = info.may.as_ref() else {
                continue;
            };
            let text = format!("{} ({})", esc(&may.permits), code(&info.name));
            match groups
                .iter_mut()
                .find(|g| g.0 == state && g.1 == may.holder.as_str())
            {
                Some(g) => g.2.push(text),
                None => groups.push((state, may.holder.as_str(), vec![text])),
            }
        }
    }
    if groups.is_empty() {
        return;
    }
    let items: Vec<String> = groups
        .iter()
        .map(|(state, holder, list)| format!("- {state}, {}: {}", esc(holder), list.join("; ")))
        .collect();
    blocks.push(format!("## Discretions\n\n{}", items.join("\n")));
}

/// Rules found not to apply, folded.
fn considered(blocks: &mut Vec<String>, program: &Program, full: &[&(DefId, Explained)]) {
    let mut lines: Vec<String> = Vec::new();
    let mut seen: Vec<RuleId> = Vec::new();
    for (_, x) in full {
        for c in &x.considered {
            if seen.contains(&c.rule)
                || matches!(c.reason, NotApplied::Open | NotApplied::Declined)
                || (matches!(c.reason, NotApplied::DefeatedBy(_)) && c.role == Role::Support)
            {
                continue;
            }
            seen.push(c.rule);
            let cites = program
                .rules
                .get(c.rule.index())
                .map(|r| words::short_cites(program, r.meta.cites.get(..1).unwrap_or(&[])))
                .unwrap_or_default();
            lines.push(format!(
                "{} ({}): {}",
                code(words::rule_name(program, c.rule)),
                esc(&cites),
                words::not_applied(program, c.reason, c.rule)
            ));
        }
    }
    if lines.is_empty() {
        return;
    }
    let shown = lines.len().min(CONSIDERED_SHOWN);
    let mut items: Vec<String> = lines.iter().take(shown).map(|l| format!("- {l}")).collect();
    if lines.len() > shown {
        items.push(format!(
            "- and {} more rules that do not apply (`refuge eval --explain`, or the JSON)",
            lines.len() - shown
        ));
    }
    blocks.push(format!("## Also considered\n\n{}", items.join("\n")));
}

/// Provenance of the rules applied.
fn appendix(blocks: &mut Vec<String>, program: &Program, full: &[&(DefId, Explained)]) {
    let mut rules: Vec<RuleId> = Vec::new();
    for (_, x) in full {
        for a in &x.applied {
            if let Applied::Rule(r) = a {
                if !rules.contains(r) {
                    rules.push(*r);
                }
            }
        }
    }
    let mut by_tag: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for r in &rules {
        let Some(info) = program.rules.get(r.index()) else {
            continue;
        };
        let Some(p) = info.meta.provenance else {
            continue;
        };
        match by_tag.iter_mut().find(|g| g.0 == p.as_str()) {
            Some(g) => g.2.push(code(&info.name)),
            None => by_tag.push((p.as_str(), p.describe(), vec![code(&info.name)])),
        }
    }
    if by_tag.is_empty() {
        return;
    }
    let items: Vec<String> = by_tag
        .iter()
        .map(|(tag, meaning, names)| format!("- *{tag}* ({}): {}", esc(meaning), names.join(", ")))
        .collect();
    blocks.push(format!(
        "## Appendix: provenance of the rules applied\n\n{}",
        items.join("\n")
    ));
}

/// A drafter's note without the sentences that carry drafting codes
/// (`SK-02`, `C-01`, `[X]`, `digest §…`).
fn clean_note(note: &str) -> String {
    let is_code = |word: &str| {
        let bare =
            word.trim_matches(|c: char| !c.is_alphanumeric() && c != '[' && c != ']' && c != '-');
        (bare.starts_with('[') && bare.ends_with(']') && bare.len() <= 5)
            || bare.starts_with('§')
            || word.contains('§')
            || bare.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && a.len() <= 3
                    && a.chars().all(|c| c.is_ascii_uppercase())
                    && !b.is_empty()
                    && b.chars().all(|c| c.is_ascii_digit())
            })
    };
    // Sentences end at ". " before a capital, except after an abbreviation
    // such as `Art.` or `No.`.
    let mut sentences: Vec<String> = vec![String::new()];
    let words: Vec<&str> = note.split(' ').collect();
    for (i, word) in words.iter().enumerate() {
        if let Some(last) = sentences.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
        let next_capital = words
            .get(i + 1)
            .and_then(|w| w.chars().next())
            .is_some_and(char::is_uppercase);
        let abbreviation = matches!(
            *word,
            "Art." | "Arts." | "No." | "para." | "l." | "p." | "cf."
        );
        if word.ends_with('.') && next_capital && !abbreviation {
            sentences.push(String::new());
        }
    }
    let mut kept = Vec::new();
    for sentence in &sentences {
        let sentence = sentence.trim().trim_end_matches('.');
        let clauses: Vec<&str> = sentence
            .split("; ")
            .filter(|clause| !clause.split_whitespace().any(is_code))
            .collect();
        if !clauses.is_empty() && !sentence.is_empty() {
            kept.push(clauses.join("; "));
        }
    }
    kept.join(". ").trim().to_string()
}

fn cap(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) use crate::markdown::{code, escape as esc};
