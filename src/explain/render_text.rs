//! The terminal rendering: one summary line per verdict (outcome, what decided
//! it, the law applied), wrapped to a width; with `--explain`, the decisive
//! derivation of each verdict as an indented tree.

use super::analysis::{Applied, Explained, NotApplied, Role};
use super::words::{self, RuleStatus};
use super::{Evaluation, Outcome};
use crate::eval::graph::{DiscretionState, ReadOf};
use crate::ir::{DefId, Program};

/// Terminal colours, only when asked for.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
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

/// The width text is wrapped to: `COLUMNS` if set, else 100.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// Renders the summary: a header, then one line per verdict asked.
pub fn to_text(e: &Evaluation, color: bool) -> String {
    render(e, color, false, width())
}

/// Renders the summary followed by each verdict's decisive derivation.
pub fn to_text_explained(e: &Evaluation, color: bool) -> String {
    render(e, color, true, width())
}

fn render(e: &Evaluation, color: bool, explain: bool, width: usize) -> String {
    let p = Paint(color);
    let program = e.program;
    let mut out = String::new();
    out.push_str(&format!(
        "{} — law as of {}\n",
        e.description().unwrap_or("case"),
        e.as_of()
    ));
    let name_width = e
        .verdict_ids()
        .iter()
        .map(|d| words::def_name(program, *d).len())
        .max()
        .unwrap_or(0);
    let explained: Vec<(DefId, Explained)> =
        e.verdict_ids().iter().map(|&d| (d, e.explain(d))).collect();
    for (def, x) in &explained {
        let name = words::def_name(program, *def);
        let (value, tail) = summary(e, *def, x);
        let value = match e.outcome(*def) {
            Outcome::ByRules(_) | Outcome::ByDefault(_) => p.green(&value),
            _ => p.yellow(&value),
        };
        let head = format!("{name:<name_width$}  {value}");
        let indent = name_width + 2;
        out.push_str(&wrap(&head, &tail, indent, width));
    }
    if explain {
        for (def, x) in &explained {
            out.push('\n');
            derivation(&mut out, e, *def, x, p);
        }
    }
    out
}

/// The value shown and the rest of the summary line.
fn summary(e: &Evaluation, def: DefId, x: &Explained) -> (String, String) {
    let program = e.program;
    match e.outcome(def) {
        Outcome::ByRules(v) | Outcome::ByDefault(v) => {
            let by = deciding(e, def, x);
            let law: Vec<String> = x
                .applied
                .iter()
                .filter_map(|a| match a {
                    Applied::Rule(r) => program.rules.get(r.index()).filter(|i| i.def == def),
                    _ => None,
                })
                .map(|i| words::short_cites(program, i.meta.cites.get(..1).unwrap_or(&[])))
                .collect();
            let mut tail = by;
            if !law.is_empty() {
                tail.push_str(&format!(" ({})", law.join("; ")));
            }
            let open: Vec<String> = x
                .discretions
                .iter()
                .filter(|d| d.decisive && d.state == DiscretionState::Open)
                .map(|d| format!("`{}`", words::rule_name(program, d.rule)))
                .collect();
            if !open.is_empty() {
                tail.push_str(&format!(
                    ", unless the open discretion{} {} {} exercised",
                    if open.len() > 1 { "s" } else { "" },
                    words::join_words(&open),
                    if open.len() > 1 { "are" } else { "is" },
                ));
            }
            (v.display(program), tail)
        }
        Outcome::Undetermined(u) => {
            let facts: Vec<String> = x
                .pending
                .iter()
                .map(|m| format!("`{}`", words::fact_path(program, m.fact)))
                .collect();
            let tail = if facts.is_empty() {
                words::undetermined(u).to_string()
            } else {
                format!("missing {}", words::join_words(&facts))
            };
            ("undetermined".to_string(), tail)
        }
        Outcome::NotEvaluated => ("undetermined".to_string(), "not evaluated".to_string()),
    }
}

/// "by `rule`" or "by default", naming the deciding rules of the verdict.
fn deciding(e: &Evaluation, def: DefId, x: &Explained) -> String {
    let program = e.program;
    let own: Vec<String> = x
        .applied
        .iter()
        .filter_map(|a| match a {
            Applied::Rule(r) if program.rules.get(r.index()).is_some_and(|i| i.def == def) => {
                Some(format!("`{}`", words::rule_name(program, *r)))
            }
            _ => None,
        })
        .collect();
    if matches!(e.outcome(def), Outcome::ByDefault(_)) {
        "by default (no rule gives another value)".to_string()
    } else {
        format!("by {}", words::join_words(&own))
    }
}

/// `head tail…` wrapped at `width`, continuation lines indented.
fn wrap(head: &str, tail: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut line = head.to_string();
    let mut visible = visible_len(head);
    // Keep a pinpoint's label with its number (`Art. 7(1)`, `l. 35`).
    let mut words: Vec<String> = Vec::new();
    for word in tail.split_whitespace() {
        match words.last_mut() {
            Some(last)
                if matches!(last.as_str(), "Art." | "Arts." | "para." | "l." | "§")
                    || last.ends_with(" Art.") =>
            {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    for word in &words {
        let word = word.as_str();
        let len = word.chars().count();
        if visible + 1 + len > width && visible > indent {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            visible = indent;
        } else {
            line.push(' ');
            visible += 1;
        }
        line.push_str(word);
        visible += len;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Length without ANSI colour codes.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut escape = false;
    for c in s.chars() {
        match (escape, c) {
            (false, '\x1b') => escape = true,
            (true, 'm') => escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// The full decisive derivation of one verdict.
fn derivation(out: &mut String, e: &Evaluation, def: DefId, x: &Explained, p: Paint) {
    let program = e.program;
    let name = words::def_name(program, def);
    out.push_str(&format!("{name}\n"));
    for &index in &x.nodes {
        let Some(node) = e.graph.nodes().get(index) else {
            continue;
        };
        let value = node
            .value
            .as_ref()
            .map_or("undetermined".to_string(), |v| v.display(program));
        out.push_str(&format!(
            "  {} = {}\n",
            words::def_name(program, node.def),
            value
        ));
        for entry in e.graph.rules_of(node) {
            let status = RuleStatus::of(entry);
            let on_path = x.applied.contains(&Applied::Rule(entry.rule))
                || x.applied_in_exclusion.contains(&Applied::Rule(entry.rule))
                || x.considered.iter().any(|c| c.rule == entry.rule)
                || x.pending
                    .iter()
                    .any(|m| m.waiting.contains(&super::Via::Rule(entry.rule)));
            if !on_path {
                continue;
            }
            let reads: Vec<String> = e
                .graph
                .reads(entry.condition_reads)
                .iter()
                .chain(e.graph.reads(entry.value_reads))
                .filter(|r| r.mark)
                .map(|r| read_text(e, r.of))
                .collect();
            let cites = program
                .rules
                .get(entry.rule.index())
                .map(|r| r.meta.cites.iter().collect::<Vec<_>>())
                .unwrap_or_default();
            out.push_str(&format!(
                "    {} {}{}{}\n",
                words::rule_name(program, entry.rule),
                status.as_str().replace('_', " "),
                if reads.is_empty() {
                    String::new()
                } else {
                    format!(": {}", reads.join(", "))
                },
                p.dim(&format!(" [{}]", words::cite_line(program, &cites)))
            ));
        }
        if node.decided == crate::eval::graph::Decided::Default {
            out.push_str("    default applies\n");
        }
    }
    if !x.considered.is_empty() {
        out.push_str("  also considered:\n");
        for c in &x.considered {
            out.push_str(&format!(
                "    {} — {}{}\n",
                words::rule_name(program, c.rule),
                words::not_applied(program, c.reason, c.rule),
                match (c.role, c.reason) {
                    (Role::Exclusion, NotApplied::ConditionFalse) => "",
                    _ => "",
                }
            ));
        }
    }
    for m in &x.pending {
        let waiting: Vec<String> = m
            .waiting
            .iter()
            .map(|w| words::via_name(program, *w))
            .collect();
        out.push_str(&format!(
            "  missing `{}` ({}): {} wait{} on it\n",
            words::fact_path(program, m.fact),
            type_of(program, m.fact),
            waiting.join(", "),
            if waiting.len() == 1 { "s" } else { "" }
        ));
    }
}

fn type_of(program: &Program, f: crate::ir::FactId) -> String {
    program
        .facts
        .get(f.index())
        .map_or("?".to_string(), |i| program.type_name(i.ty))
}

/// One read, with its value: `path = value`, `definition = value`,
/// `table[keys]: in force`, `as_of = date`.
pub(super) fn read_text(e: &Evaluation, of: ReadOf) -> String {
    let program = e.program;
    match of {
        ReadOf::Fact(f) => format!(
            "{} = {}",
            words::fact_path(program, f),
            e.case
                .fact(f)
                .map_or("missing".to_string(), |v| v.display(program))
        ),
        ReadOf::Def(d) => format!(
            "{} = {}",
            words::def_name(program, d),
            e.value(d)
                .map_or("undetermined".to_string(), |v| v.display(program))
        ),
        ReadOf::Row(i) => match e.graph.lookup(i) {
            Some(&crate::eval::graph::Lookup { table, row, keys }) => format!(
                "{}[{}]: {}",
                program
                    .tables
                    .get(table.index())
                    .map_or("?", |t| t.name.as_str()),
                e.graph
                    .keys(keys)
                    .iter()
                    .map(|k| k.display(program))
                    .collect::<Vec<_>>()
                    .join(", "),
                if row.is_some() {
                    "in force"
                } else {
                    "no row in force"
                }
            ),
            None => "?".to_string(),
        },
        ReadOf::AsOf => format!("as_of = {}", e.as_of()),
    }
}
