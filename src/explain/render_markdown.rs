//! The Markdown rendering: a memo a reviewer can sign.
//!
//! It opens with a conclusion computed from the outcome (never the case's own
//! description) and a table of the verdicts asked; then, per verdict, the
//! reasoning (the rules applied, the exceptions that displaced others, the
//! note that decides), the law applied, the decisive facts with their effect,
//! the discretions, and what was also considered in a few lines. Provenance
//! and the drafters' notes are in an appendix. Verdicts that were not asked
//! for by name and are undetermined only for lack of facts are listed in one
//! line each at the end.

use super::analysis::{Applied, Explained, NotApplied, Role};
use super::words;
use super::{Evaluation, Outcome};
use crate::eval::graph::DiscretionState;
use crate::ir::{DefId, Program, RuleKind};

/// How many "also considered" rules a verdict lists before folding the rest.
const CONSIDERED_SHOWN: usize = 6;

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
    blocks.push(format!("# {}", headline(e, &full)));
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
    }
    for (i, (d, x)) in full.iter().enumerate() {
        verdict(&mut blocks, e, i + 1, *d, x);
    }
    if !brief.is_empty() {
        blocks.push("## Not decided for lack of facts".to_string());
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
        blocks.push(items.join("\n"));
    }
    appendix(&mut blocks, e, &full);
    let text = blocks.join("\n\n");
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The memo's title: the first verdict's outcome and what decided it.
fn headline(e: &Evaluation, full: &[&(DefId, Explained)]) -> String {
    let program = e.program;
    let Some((d, x)) = full.first() else {
        return "Evaluation".to_string();
    };
    let outcome = cap(&outcome_phrase(e, *d));
    match e.outcome(*d) {
        Outcome::ByRules(_) => {
            let exceptions: Vec<String> = own_applied(program, *d, x)
                .into_iter()
                .filter(|r| {
                    program
                        .rules
                        .get(r.index())
                        .is_some_and(|i| i.kind != RuleKind::Base)
                })
                .map(|r| rule_phrase(program, r))
                .collect();
            if exceptions.is_empty() {
                outcome
            } else {
                format!("{outcome}: {}", words::join_words(&exceptions))
            }
        }
        _ => outcome,
    }
}

/// "protected" / "not: …" — the value with its label, for prose.
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
        Outcome::ByDefault(_) => "default".to_string(),
        _ => format!("missing {} fact(s)", x.pending.len()),
    }
}

/// The verdict's own rules applied in the support role.
fn own_applied(program: &Program, d: DefId, x: &Explained) -> Vec<crate::ir::RuleId> {
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

/// A rule for prose: its `may` permission or its name.
fn rule_phrase(program: &Program, r: crate::ir::RuleId) -> String {
    let name = code(words::rule_name(program, r));
    match program.rules.get(r.index()).and_then(|i| i.may.as_ref()) {
        Some(may) => format!("{} exercised ({name})", esc(&may.permits)),
        None => name,
    }
}

fn verdict(blocks: &mut Vec<String>, e: &Evaluation, n: usize, d: DefId, x: &Explained) {
    let program = e.program;
    let info = program.definitions.get(d.index());
    blocks.push(format!(
        "## {n}. {} ({})",
        cap(&esc(info
            .and_then(|i| i.label.as_deref())
            .unwrap_or(words::def_name(program, d)))),
        code(words::def_name(program, d))
    ));
    let mut para = format!("**{}.** ", cap(&outcome_phrase(e, d)));
    match e.outcome(d) {
        Outcome::ByRules(_) => {
            let own = own_applied(program, d, x);
            let names: Vec<String> = own.iter().map(|r| rule_phrase(program, *r)).collect();
            para.push_str(&format!("Decided by {}.", words::join_words(&names)));
        }
        Outcome::ByDefault(_) => {
            para.push_str("No rule gives another value, so the default applies.");
        }
        Outcome::Undetermined(u) => {
            para.push_str(&format!("{}.", cap(words::undetermined(u))));
        }
        Outcome::NotEvaluated => para.push_str("Not evaluated."),
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
        para.push_str(&format!(" {}.", cap(&words::join_words(&displaced))));
    }
    let open: Vec<String> = x
        .discretions
        .iter()
        .filter(|d| d.state == DiscretionState::Open && d.condition != Some(false))
        .map(|d| discretion_phrase(program, d.rule))
        .collect();
    if !open.is_empty() && e.value(d).is_some() {
        para.push_str(&format!(
            " This holds unless {} {} exercised.",
            words::join_words(&open),
            if open.len() > 1 { "are" } else { "is" }
        ));
    }
    blocks.push(para);
    for r in own_applied(program, d, x) {
        for note in program
            .rules
            .get(r.index())
            .map(|i| i.meta.notes.as_slice())
            .unwrap_or(&[])
        {
            let note = clean_note(note);
            if !note.is_empty() {
                blocks.push(format!("> {}", esc(&note)));
            }
        }
    }
    let law = x.rests_on(program);
    if !law.is_empty() {
        let items: Vec<String> = words::grouped(program, &law)
            .into_iter()
            .map(|(title, pins)| format!("- {}: {}", esc(&title), esc(&pins.join("; "))))
            .collect();
        blocks.push(format!("**Law applied**\n\n{}", items.join("\n")));
    }
    if !x.facts.is_empty() {
        let mut table = vec![
            "| Fact | Found | Effect |".to_string(),
            "|---|---|---|".to_string(),
        ];
        for f in &x.facts {
            let value = e
                .case
                .fact(f.fact)
                .map_or("missing".to_string(), |v| v.display(program));
            let via = match f.via {
                super::Via::Rule(r) => code(words::rule_name(program, r)),
                super::Via::Default(d) => {
                    format!("default of {}", code(words::def_name(program, d)))
                }
            };
            let effect = match f.role {
                Role::Support => format!("{via} applies"),
                Role::Exclusion => format!("{via} does not apply"),
            };
            table.push(format!(
                "| {} | {} | {} |",
                code(words::fact_path(program, f.fact)),
                code(&value),
                effect
            ));
        }
        blocks.push(format!("**Decisive facts**\n\n{}", table.join("\n")));
    }
    if !x.pending.is_empty() {
        let items: Vec<String> = x
            .pending
            .iter()
            .map(|m| {
                let ty = program
                    .facts
                    .get(m.fact.index())
                    .map_or("?".to_string(), |f| program.type_name(f.ty));
                let waiting: Vec<String> = m
                    .waiting
                    .iter()
                    .map(|w| code(&words::via_name(program, *w)))
                    .collect();
                format!(
                    "- {} ({}): {} wait{} on it",
                    code(words::fact_path(program, m.fact)),
                    esc(&ty),
                    words::join_words(&waiting),
                    if waiting.len() == 1 { "s" } else { "" }
                )
            })
            .collect();
        blocks.push(format!(
            "**Missing facts that decide it**\n\n{}",
            items.join("\n")
        ));
    }
    if !x.discretions.is_empty() {
        let items: Vec<String> = x
            .discretions
            .iter()
            .map(|dis| {
                let state = match (dis.state, dis.condition, dis.decisive) {
                    (DiscretionState::Exercised, _, true) => "Exercised, decisive",
                    (DiscretionState::Exercised, _, false) => "Exercised",
                    (DiscretionState::Declined, _, _) => "Declined",
                    (DiscretionState::Open, Some(false), _) => "Not reached",
                    (DiscretionState::Open, Some(true), _) => "Open",
                    (DiscretionState::Open, None, _) => "Open if its conditions hold",
                };
                format!("- {state}: {}", discretion_phrase(program, dis.rule))
            })
            .collect();
        blocks.push(format!("**Discretions**\n\n{}", items.join("\n")));
    }
    let considered: Vec<String> = x
        .considered
        .iter()
        .filter(|c| !matches!(c.reason, NotApplied::DefeatedBy(_)) || c.role == Role::Exclusion)
        .filter(|c| !matches!(c.reason, NotApplied::Open | NotApplied::Declined))
        .map(|c| {
            let cites: Vec<&crate::ir::Citation> = program
                .rules
                .get(c.rule.index())
                .map(|r| r.meta.cites.iter().take(1).collect())
                .unwrap_or_default();
            format!(
                "{} ({}): {}",
                code(words::rule_name(program, c.rule)),
                esc(&words::cite_line(program, &cites)),
                esc(&words::not_applied(program, c.reason, c.rule))
            )
        })
        .collect();
    if !considered.is_empty() {
        let shown = considered.len().min(CONSIDERED_SHOWN);
        let mut items: Vec<String> = considered
            .iter()
            .take(shown)
            .map(|c| format!("- {c}"))
            .collect();
        if considered.len() > shown {
            items.push(format!(
                "- and {} more (see `--explain` or the JSON)",
                considered.len() - shown
            ));
        }
        blocks.push(format!("**Also considered**\n\n{}", items.join("\n")));
    }
}

fn discretion_phrase(program: &Program, r: crate::ir::RuleId) -> String {
    let name = code(words::rule_name(program, r));
    match program.rules.get(r.index()).and_then(|i| i.may.as_ref()) {
        Some(may) => format!("{} may {} ({name})", esc(&may.holder), esc(&may.permits)),
        None => name,
    }
}

/// Provenance of what the outcomes rest on.
fn appendix(blocks: &mut Vec<String>, e: &Evaluation, full: &[&(DefId, Explained)]) {
    let program = e.program;
    let mut rules: Vec<crate::ir::RuleId> = Vec::new();
    for (_, x) in full {
        for a in &x.applied {
            if let Applied::Rule(r) = a {
                if !rules.contains(r) {
                    rules.push(*r);
                }
            }
        }
    }
    let items: Vec<String> = rules
        .iter()
        .filter_map(|r| {
            let info = program.rules.get(r.index())?;
            let p = info.meta.provenance?;
            Some(format!(
                "- {}: {} ({})",
                code(&info.name),
                p.as_str(),
                esc(p.describe())
            ))
        })
        .collect();
    if !items.is_empty() {
        blocks.push(format!(
            "## Appendix: provenance of the rules applied\n\n{}",
            items.join("\n")
        ));
    }
}

/// A drafter's note without its drafting codes (`SK-02`, `C-01`, `[X]`).
fn clean_note(note: &str) -> String {
    let mut out = Vec::new();
    for word in note.split_whitespace() {
        let bare = word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '.' | ':'));
        let is_code = (bare.starts_with('[') && bare.ends_with(']') && bare.len() <= 5)
            || bare.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && a.len() <= 3
                    && a.chars().all(|c| c.is_ascii_uppercase())
                    && !b.is_empty()
                    && b.chars().all(|c| c.is_ascii_digit())
            });
        if !is_code {
            out.push(word);
        }
    }
    let text = out.join(" ");
    text.replace("()", "")
        .replace(" ,", ",")
        .replace(" .", ".")
        .trim()
        .to_string()
}

fn cap(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A code span holding `s` verbatim, whatever backticks it contains.
pub(super) fn code(s: &str) -> String {
    if s.is_empty() {
        return "*empty*".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    let one_line = s.replace(['\n', '\r'], " ");
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// Escapes user text for inline Markdown.
///
/// Escapes `\`, `` ` ``, `*`, `[`, `]`, `<` and `|` everywhere, `#` at
/// the end (where a heading would drop it), and `_` only where it could open
/// or close emphasis (next to a non-alphanumeric character), so identifiers
/// like `rok_act` stay readable in the raw text. Line breaks become spaces.
pub(super) fn esc(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let before = i
                    .checked_sub(1)
                    .and_then(|j| chars.get(j))
                    .is_some_and(|b| b.is_alphanumeric());
                let after = chars.get(i + 1).is_some_and(|a| a.is_alphanumeric());
                if !(before && after) {
                    out.push('\\');
                }
                out.push('_');
            }
            '#' if chars
                .get(i + 1..)
                .is_some_and(|rest| rest.iter().all(|r| *r == '#')) =>
            {
                out.push('\\');
                out.push('#');
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}
