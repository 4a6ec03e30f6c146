//! Text and Markdown renderings of a [`WhyNot`].

use super::{Decider, WhyNot};
use crate::explain::CitationRef;
use std::fmt::Write as _;

/// How many sets of changes a rendering lists before "and N more".
const MAX_LISTED: usize = 25;

fn cites(citations: &[CitationRef]) -> String {
    citations
        .iter()
        .map(|c| format!("{} {}", c.source, c.pinpoint))
        .collect::<Vec<_>>()
        .join("; ")
}

fn decider(d: &Decider) -> String {
    let name = if d.kind == "default" {
        "the default".to_string()
    } else if d.absolute {
        format!("absolute rule `{}`", d.name)
    } else {
        format!("rule `{}`", d.name)
    };
    if d.citations.is_empty() {
        name
    } else {
        format!("{name} ({})", cites(&d.citations))
    }
}

fn deciders(ds: &[Decider]) -> String {
    if ds.is_empty() {
        "nothing (undetermined)".into()
    } else {
        ds.iter().map(decider).collect::<Vec<_>>().join(", ")
    }
}

fn search_line(w: &WhyNot) -> String {
    format!(
        "Searched changes of up to {} facts ({} fact values considered, {} evaluations){}.",
        w.max_changes,
        w.facts_considered,
        w.evaluations,
        if w.capped {
            "; the evaluation cap stopped the search, so larger or later sets were not tried"
        } else {
            ""
        }
    )
}

/// Renders the answer as terminal text.
pub fn to_text(w: &WhyNot) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "why not {} = {}?  (as of {})",
        w.verdict, w.wanted, w.as_of
    );
    let _ = writeln!(
        out,
        "  now: {} = {}, decided by {}",
        w.verdict,
        w.current,
        deciders(&w.decided_by)
    );
    if w.already {
        let _ = writeln!(out, "  the case already gives {} = {}", w.verdict, w.wanted);
        return out;
    }
    if let Some(bar) = &w.absolute_bar {
        let _ = writeln!(out, "  absolute bar: {}", bar.statement);
        if !bar.facts.is_empty() {
            let _ = writeln!(out, "    facts the bar reads: {}", bar.facts.join(", "));
        }
    }
    if let Some(nothing) = w.nothing_found() {
        let _ = writeln!(out, "  {nothing}");
    }
    for (i, a) in w.alternatives.iter().take(MAX_LISTED).enumerate() {
        let _ = writeln!(out, "  {}. change:", i + 1);
        for c in &a.changes {
            let _ = writeln!(
                out,
                "       {}: {} -> {}",
                c.fact,
                c.from.as_deref().unwrap_or("missing"),
                c.to
            );
        }
        let _ = writeln!(
            out,
            "     then {} = {}, decided by {}",
            w.verdict,
            a.outcome,
            deciders(&a.decided_by)
        );
    }
    if w.alternatives.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "  … and {} more sets of changes",
            w.alternatives.len() - MAX_LISTED
        );
    }
    for d in &w.discretions {
        let _ = writeln!(
            out,
            "  discretion: {} may {} (`{}`, {}): if {}, {} = {}{}",
            d.holder,
            d.permits,
            d.rule,
            d.status,
            d.if_,
            w.verdict,
            d.outcome,
            if d.citations.is_empty() {
                String::new()
            } else {
                format!(" [{}]", cites(&d.citations))
            }
        );
    }
    let _ = writeln!(out, "  {}", search_line(w));
    out
}

/// Renders the answer as a Markdown note.
pub fn to_markdown(w: &WhyNot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Why not `{}` = `{}`?\n", w.verdict, w.wanted);
    if let Some(case) = &w.case {
        let _ = writeln!(out, "*Case:* {case}  ");
    }
    let _ = writeln!(out, "*Law applied as of:* {}\n", w.as_of);
    let label = w
        .label
        .as_deref()
        .map_or_else(String::new, |l| format!(" ({l})"));
    let _ = writeln!(
        out,
        "**As the facts stand**, `{}`{label} is `{}`, decided by {}.\n",
        w.verdict,
        w.current,
        deciders(&w.decided_by)
    );
    if w.already {
        let _ = writeln!(
            out,
            "The case already gives `{}` = `{}`.",
            w.verdict, w.wanted
        );
        return out;
    }
    if let Some(bar) = &w.absolute_bar {
        let _ = writeln!(out, "### Absolute bar\n");
        let _ = writeln!(out, "{}\n", bar.statement);
        if !bar.facts.is_empty() {
            let facts: Vec<String> = bar.facts.iter().map(|f| format!("`{f}`")).collect();
            let _ = writeln!(out, "Facts the bar reads: {}.\n", facts.join(", "));
        }
    }
    let _ = writeln!(out, "### What would have to differ\n");
    if let Some(nothing) = w.nothing_found() {
        let _ = writeln!(out, "Nothing found: {nothing}.\n");
    } else {
        let _ = writeln!(
            out,
            "Each item is a smallest set of facts which, if found otherwise, gives `{}` = `{}`.\n",
            w.verdict, w.wanted
        );
    }
    for (i, a) in w.alternatives.iter().take(MAX_LISTED).enumerate() {
        let changes: Vec<String> = a
            .changes
            .iter()
            .map(|c| {
                format!(
                    "`{}` were `{}` instead of `{}`",
                    c.fact,
                    c.to,
                    c.from.as_deref().unwrap_or("missing")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "{}. If {}: `{}` would be `{}`, decided by {}.",
            i + 1,
            changes.join(" and "),
            w.verdict,
            a.outcome,
            deciders(&a.decided_by)
        );
    }
    if w.alternatives.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "\n… and {} more sets of changes.",
            w.alternatives.len() - MAX_LISTED
        );
    }
    if !w.alternatives.is_empty() {
        out.push('\n');
    }
    if !w.discretions.is_empty() {
        let _ = writeln!(out, "### Discretions\n");
        for d in &w.discretions {
            let cited = if d.citations.is_empty() {
                String::new()
            } else {
                format!(" ({})", cites(&d.citations))
            };
            let _ = writeln!(
                out,
                "- The {} may {} (`{}`{cited}; {} in this case): if {}, `{}` would be `{}`{}.",
                d.holder,
                d.permits,
                d.rule,
                d.status,
                d.if_,
                w.verdict,
                d.outcome,
                if d.gives_wanted {
                    " — the outcome asked for"
                } else {
                    ""
                }
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "*{}*", search_line(w));
    out
}
