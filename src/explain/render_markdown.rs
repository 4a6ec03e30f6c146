//! The Markdown rendering: a short legal memo, one section per verdict.
//!
//! This is what reviewers read in snapshot diffs, so it is written as prose
//! and bullet lists, in the evaluation's own order, with names and values in
//! code spans and every other piece of user text escaped.

use super::render_text::{group_citations, join_words, reads_to_explain};
use super::{
    CitationRef, Decision, DefinitionUse, Discretion, Evaluation, FactRef, FactUse, Outcome, Read,
    RowUse, RuleStatus, RuleTrace, Verdict,
};

/// Renders an evaluation as a Markdown memo.
///
/// The memo opens with the case and the date the law was applied as of, then
/// gives one `##` section per verdict: the conclusion in bold, what decided
/// it with its citations, the exceptions that overrode rules and those that
/// did not apply (with the fact that made each fail), discretions, missing
/// facts, the facts, definitions and table rows relied on, and the sources.
/// Empty sections are omitted. The output is deterministic and ends with a
/// single newline.
pub fn to_markdown(e: &Evaluation) -> String {
    let mut blocks = Vec::new();
    blocks.push(match &e.case {
        Some(case) => format!("# Case: {}", esc(case)),
        None => "# Evaluation".to_string(),
    });
    blocks.push(format!("*Law applied as of {}.*", esc(&e.as_of)));
    if e.verdicts.is_empty() {
        blocks.push("No verdict was asked for.".to_string());
    }
    for v in &e.verdicts {
        verdict(&mut blocks, v, &e.as_of);
    }
    let text = blocks.join("\n\n");
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Appends the blocks of one verdict's section.
fn verdict(blocks: &mut Vec<String>, v: &Verdict, as_of: &str) {
    blocks.push(match &v.label {
        Some(label) => format!("## {} ({})", cap(&esc(label)), code(&v.name)),
        None => format!("## {}", code(&v.name)),
    });
    blocks.push(conclusion(&v.outcome));
    blocks.push(decision(v));
    for rule in deciding_rules(v) {
        for note in &rule.notes {
            blocks.push(format!("> Note on {}: {}", code(&rule.name), esc(note)));
        }
    }
    let decided = matches!(v.outcome, Outcome::Decided { .. });
    section(
        blocks,
        if decided {
            "Facts not given (the outcome does not depend on them)"
        } else {
            "Missing facts that would decide it"
        },
        v.missing_facts.iter().map(missing_fact).collect(),
    );
    section(
        blocks,
        "Discretions",
        v.discretions.iter().map(discretion).collect(),
    );
    section(blocks, "Exceptions that overrode rules", overrides(v));
    section(
        blocks,
        "Exceptions considered and not applicable",
        v.rules
            .iter()
            .filter(|r| r.kind == "exception" && r.status == RuleStatus::NotApplicable)
            .map(not_applicable)
            .collect(),
    );
    section(
        blocks,
        "Rules that did not apply",
        v.rules
            .iter()
            .filter(|r| r.kind != "exception" && r.status == RuleStatus::NotApplicable)
            .map(not_applicable)
            .collect(),
    );
    section(
        blocks,
        if decided {
            "Rules left open by missing facts (the outcome does not depend on them)"
        } else {
            "Rules that depend on missing facts"
        },
        v.rules
            .iter()
            .filter(|r| r.status == RuleStatus::Unknown)
            .map(unknown_rule)
            .collect(),
    );
    section(
        blocks,
        &format!("Rules not in force on {}", esc(as_of)),
        v.rules
            .iter()
            .filter(|r| r.status == RuleStatus::NotInForce)
            .map(not_in_force)
            .collect(),
    );
    section(
        blocks,
        "Facts relied on",
        v.facts.iter().filter(|f| !f.setting).map(fact).collect(),
    );
    section(
        blocks,
        "Drafter's settings applied",
        v.facts.iter().filter(|f| f.setting).map(fact).collect(),
    );
    section(
        blocks,
        "Definitions relied on",
        v.definitions.iter().map(definition).collect(),
    );
    section(blocks, "Table rows read", v.rows.iter().map(row).collect());
    section(blocks, "Sources", sources(&v.citations));
}

/// Appends a `###` section with a bullet list, unless the list is empty.
fn section(blocks: &mut Vec<String>, title: &str, items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    blocks.push(format!("### {title}"));
    let list: Vec<String> = items.iter().map(|i| format!("- {i}")).collect();
    blocks.push(list.join("\n"));
}

/// The bold one-line conclusion.
fn conclusion(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Decided {
            value,
            display,
            label,
        } => match (label, value) {
            (Some(label), _) => format!("**{}** ({}).", cap(&esc(label)), code(display)),
            (None, serde_json::Value::Bool(true)) => format!("**Yes** ({}).", code(display)),
            (None, serde_json::Value::Bool(false)) => format!("**No** ({}).", code(display)),
            (None, _) => format!("**Result:** {}.", code(display)),
        },
        Outcome::Undetermined { reason } => {
            format!("**Undetermined:** {}.", esc(reason.trim_end_matches('.')))
        }
    }
}

/// The rules named by a `Rules` decision, in the decision's order.
fn deciding_rules(v: &Verdict) -> Vec<&RuleTrace> {
    match &v.decision {
        Decision::Rules { rules } => rules
            .iter()
            .filter_map(|name| v.rules.iter().find(|r| &r.name == name))
            .collect(),
        Decision::Default { .. } | Decision::Nothing => Vec::new(),
    }
}

/// The sentence saying what decided the verdict.
fn decision(v: &Verdict) -> String {
    match &v.decision {
        Decision::Rules { rules } => {
            let parts: Vec<String> = rules
                .iter()
                .map(|name| match v.rules.iter().find(|r| &r.name == name) {
                    Some(rule) => deciding_rule(rule),
                    None => format!("rule {}", code(name)),
                })
                .collect();
            format!("Decided by {}.", join_words(&parts))
        }
        Decision::Default { citations } => {
            format!(
                "No rule applied; the default applies{}.",
                paren_cites(citations)
            )
        }
        Decision::Nothing => {
            if v.rules.iter().any(|r| r.status == RuleStatus::Unknown) {
                "Not decided: the rules that could decide it depend on missing facts.".to_string()
            } else {
                "No rule applied, and the verdict has no default.".to_string()
            }
        }
    }
}

/// One deciding rule: `rule `x` (cites) [provenance: p], since …`.
fn deciding_rule(rule: &RuleTrace) -> String {
    let what = match (rule.kind, rule.status) {
        (_, RuleStatus::DiscretionExercised) => "the discretion exercised under rule",
        ("exception", _) => "exception",
        _ => "rule",
    };
    let mut s = format!(
        "{what} {}{}{}",
        code(&rule.name),
        paren_cites(&rule.citations),
        provenance(rule.provenance)
    );
    let reads = reads_phrase(&rule.reads);
    if !reads.is_empty() {
        s.push_str(", since ");
        s.push_str(&reads);
    }
    s
}

/// `Label (`path`; type `t`)` for a missing fact.
fn missing_fact(f: &FactRef) -> String {
    match &f.label {
        Some(label) => format!(
            "{} ({}; type {})",
            cap(&esc(label)),
            code(&f.path),
            code(&f.r#type)
        ),
        None => format!("{} (type {})", code(&f.path), code(&f.r#type)),
    }
}

/// `The Minister **may** refuse … (cites; rule `x`). Not exercised in this case; …`
fn discretion(d: &Discretion) -> String {
    let mut context = Vec::new();
    let cites = cite_list(&d.citations);
    if !cites.is_empty() {
        context.push(cites);
    }
    context.push(format!("rule {}", code(&d.rule)));
    let mut s = format!(
        "{} **may** {} ({}).",
        holder(&d.holder),
        esc(d.permits.trim_end_matches('.')),
        context.join("; ")
    );
    s.push_str(match (d.status, d.conditions_hold) {
        ("exercised", _) => " Exercised in this case.",
        ("declined", _) => " Declined in this case.",
        (_, true) => " Not exercised in this case",
        (_, false) => " Its conditions may hold; not exercised in this case",
    });
    if d.status != "exercised" && d.status != "declined" {
        match &d.value_if_exercised {
            Some(value) => s.push_str(&format!("; if exercised, the rule gives {}.", code(value))),
            None => s.push('.'),
        }
    }
    s
}

/// The holder as the subject of a sentence: `The Minister of Unification`.
fn holder(h: &str) -> String {
    let h = h.trim();
    if let Some(rest) = h.strip_prefix("the ") {
        format!("The {}", esc(rest))
    } else if h.starts_with("The ") || h.is_empty() {
        esc(h)
    } else {
        format!("The {}", esc(h))
    }
}

/// One line per rule defeated by an exception, in source order: what
/// overrode it, what it would have given, and (unless the exception decided
/// the verdict and is explained above) why the exception applied.
fn overrides(v: &Verdict) -> Vec<String> {
    let deciding = deciding_rules(v);
    let mut lines = Vec::new();
    for target in v
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Overridden)
    {
        for d in &target.defeated_by {
            let exc = v.rules.iter().find(|r| &r.name == d);
            let verb = match exc.and_then(|e| e.mode) {
                Some("lifts") => "lifted",
                _ => "overrode",
            };
            let mut s = format!(
                "{}{} {verb} {}{}",
                code(d),
                exc.map(|e| paren_cites(&e.citations)).unwrap_or_default(),
                code(&target.name),
                paren_cites(&target.citations)
            );
            if let Some(value) = &target.value {
                s.push_str(&format!(", which would have given {}", code(value)));
            }
            if let Some(e) = exc {
                let reads = reads_phrase(&e.reads);
                if !reads.is_empty() && !deciding.iter().any(|r| r.name == e.name) {
                    s.push_str("; the exception applied since ");
                    s.push_str(&reads);
                }
            }
            lines.push(s);
        }
    }
    lines
}

/// `` `x` (exception to `y`; cites) did not apply: `fact` = `v`. ``
fn not_applicable(r: &RuleTrace) -> String {
    let mut context = Vec::new();
    if r.kind == "exception" && !r.targets.is_empty() {
        let targets: Vec<String> = r.targets.iter().map(|t| code(t)).collect();
        context.push(format!("exception to {}", join_words(&targets)));
    }
    let cites = cite_list(&r.citations);
    if !cites.is_empty() {
        context.push(cites);
    }
    let context = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join("; "))
    };
    let reads = reads_phrase(&r.reads);
    if reads.is_empty() {
        format!(
            "{}{context} did not apply: its condition is false",
            code(&r.name)
        )
    } else {
        format!("{}{context} did not apply: {reads}", code(&r.name))
    }
}

/// `` `x` (cites): depends on `fact`. ``
fn unknown_rule(r: &RuleTrace) -> String {
    let missing: Vec<String> = r
        .reads
        .iter()
        .filter(|read| read.value.is_none())
        .map(|read| code(&read.name))
        .collect();
    if missing.is_empty() {
        format!(
            "{}{}: its condition cannot be decided",
            code(&r.name),
            paren_cites(&r.citations)
        )
    } else {
        format!(
            "{}{}: depends on {}",
            code(&r.name),
            paren_cites(&r.citations),
            join_words(&missing)
        )
    }
}

/// `` `x` (cites): in force from D. ``
fn not_in_force(r: &RuleTrace) -> String {
    let when = match (&r.from, &r.until) {
        (Some(from), Some(until)) => format!(
            "in force from {}, ceased to apply on {}",
            esc(from),
            esc(until)
        ),
        (Some(from), None) => format!("in force from {}", esc(from)),
        (None, Some(until)) => format!("ceased to apply on {}", esc(until)),
        (None, None) => "not in force".to_string(),
    };
    format!("{}{}: {when}", code(&r.name), paren_cites(&r.citations))
}

/// `Label (`path`): `value`` or `*not given*`.
fn fact(f: &FactUse) -> String {
    let value = match &f.value {
        Some(v) => code(v),
        None => "*not given*".to_string(),
    };
    match &f.label {
        Some(label) => format!("{} ({}): {value}", cap(&esc(label)), code(&f.path)),
        None => format!("{}: {value}", code(&f.path)),
    }
}

/// `Label (`name`): `value`, by rule `x` (cites)`.
fn definition(d: &DefinitionUse) -> String {
    let name = match &d.label {
        Some(label) => format!("{} ({})", cap(&esc(label)), code(&d.name)),
        None => code(&d.name),
    };
    let value = match &d.outcome {
        Outcome::Decided { display, label, .. } => match label {
            Some(label) => format!("{} ({})", code(display), esc(label)),
            None => code(display),
        },
        Outcome::Undetermined { reason } => {
            format!("*undetermined* ({})", esc(reason.trim_end_matches('.')))
        }
    };
    let how = match (&d.decision, &d.outcome) {
        (Decision::Rules { rules }, _) => {
            let names: Vec<String> = rules.iter().map(|r| code(r)).collect();
            let noun = if rules.len() == 1 { "rule" } else { "rules" };
            format!(", by {noun} {}", join_words(&names))
        }
        (Decision::Default { .. }, _) => ", by default".to_string(),
        (Decision::Nothing, Outcome::Decided { .. }) => ", no rule applied".to_string(),
        (Decision::Nothing, Outcome::Undetermined { .. }) => String::new(),
    };
    let overrides: Vec<String> = d
        .overrides
        .iter()
        .map(|o| {
            let verb = if o.mode == "lifts" {
                "lifted"
            } else {
                "overrode"
            };
            format!("{} {verb} {}", code(&o.exception), code(&o.rule))
        })
        .collect();
    let overrides = if overrides.is_empty() {
        String::new()
    } else {
        format!(", after {}", join_words(&overrides))
    };
    format!(
        "{name}: {value}{how}{overrides}{}",
        paren_cites(&d.citations)
    )
}

/// `` `table[keys]`: in force; col `v` (cites) [provenance: p] ``.
fn row(r: &RowUse) -> String {
    let name = code(&format!("{}[{}]", r.table, r.keys));
    if !r.found {
        return format!("{name}: no row in force{}", paren_cites(&r.citations));
    }
    let mut s = format!("{name}: in force");
    let cells: Vec<String> = r
        .cells
        .iter()
        .map(|(col, value)| {
            if value.is_empty() {
                format!("{} *none*", esc(col))
            } else {
                format!("{} {}", esc(col), code(value))
            }
        })
        .collect();
    if !cells.is_empty() {
        s.push_str("; ");
        s.push_str(&cells.join(", "));
    }
    s.push_str(&paren_cites(&r.citations));
    s.push_str(&provenance(r.provenance));
    s
}

/// One line per source: `` **Title** (statute) [`short`]: Art. 7(1); Art. 8 ``.
fn sources(citations: &[CitationRef]) -> Vec<String> {
    group_citations(citations)
        .into_iter()
        .map(|(first, pinpoints)| {
            let pins: Vec<String> = pinpoints.iter().map(|p| esc(p)).collect();
            format!(
                "**{}** ({}), cited as {}: {}",
                esc(&first.title),
                esc(first.kind),
                code(&first.source),
                pins.join("; ")
            )
        })
        .collect()
}

/// `` `name` = `value` `` for the reads that settled a condition.
fn reads_phrase(reads: &[Read]) -> String {
    let parts: Vec<String> = reads_to_explain(reads)
        .into_iter()
        .map(|r| {
            let value = match (&r.value, r.kind) {
                (Some(v), _) => code(v),
                (None, "fact") => "*not given*".to_string(),
                (None, _) => "*undetermined*".to_string(),
            };
            format!("{} = {value}", code(&r.name))
        })
        .collect();
    join_words(&parts)
}

/// ` (src pin; src pin)`, or nothing when there is no citation.
fn paren_cites(citations: &[CitationRef]) -> String {
    let list = cite_list(citations);
    if list.is_empty() {
        list
    } else {
        format!(" ({list})")
    }
}

/// `src pin; src pin`, escaped.
fn cite_list(citations: &[CitationRef]) -> String {
    let parts: Vec<String> = citations
        .iter()
        .map(|c| format!("{} {}", esc(&c.source), esc(&c.pinpoint)))
        .collect();
    parts.join("; ")
}

/// ` [provenance: kind]`, or nothing.
fn provenance(p: Option<&str>) -> String {
    p.map(|p| format!(" [provenance: {}]", esc(p)))
        .unwrap_or_default()
}

/// The first character in upper case.
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
