//! Where a policy set can be mutated, and how: a walk over the syntax trees
//! that numbers every mutation it could make, in a fixed order. Enumerating
//! records each one; applying walks again and makes only the `n`-th.
//!
//! Tests (`test` blocks) are the specification and are never mutated.

use crate::ast::{
    BinaryOp, Clauses, Definition, DurationUnit, Expr, ExprKind, Ident, Item, Module, Rule,
    RuleKind, UnaryOp,
};
use crate::ir::{Expr as IrExpr, Program, TableId};
use crate::source::{SourceMap, Span, Spanned};
use crate::value::Value;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One mutation the walk found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// A stable key: `subject: operator detail`.
    pub id: String,
    /// What is mutated: a rule, a default, a table row or a setting.
    pub subject: String,
    /// The mutation in legal terms.
    pub description: String,
    /// The articles the subject cites (`cat_1984 Art. 3`), first first.
    pub law: Vec<String>,
    /// `file:line:col` of the subject.
    pub location: String,
}

/// What the walk is about: the subject, the law it cites, where it is.
#[derive(Clone, Debug, Default)]
struct Subject {
    name: String,
    law: Vec<String>,
    location: String,
}

/// What rules can read of the tables: mutating anything else cannot change
/// an outcome, so no mutant is made of it.
#[derive(Clone, Debug, Default)]
pub(super) struct Readable {
    /// `(table, column)` read by some `T[…].column`.
    columns: std::collections::HashSet<(String, String)>,
    /// `(table, row index)` some `exists T[…]` or `T[…].column` could find:
    /// its keys match the constants the rule looks up with.
    rows: std::collections::HashSet<(String, usize)>,
}

impl Readable {
    /// What the rules of `program` read of its tables.
    pub(super) fn of(program: &Program) -> Self {
        let mut reads: Vec<TableRead> = Vec::new();
        let exprs = program
            .rules
            .iter()
            .flat_map(|r| r.when.iter().chain(r.value.iter()))
            .chain(
                program
                    .definitions
                    .iter()
                    .filter_map(|d| d.default.as_ref().map(|d| &d.value)),
            );
        for e in exprs {
            table_reads(e, &mut reads);
        }
        let mut readable = Readable::default();
        for (table, keys, column) in &reads {
            let Some(info) = program.tables.get(table.index()) else {
                continue;
            };
            if let Some((name, _, _)) = column.and_then(|c| info.columns.get(c)) {
                readable.columns.insert((info.name.clone(), name.clone()));
            }
            for (i, row) in info.rows.iter().enumerate() {
                let matches = keys.iter().zip(&row.keys).all(|(k, v)| match k {
                    Some(constant) => constant == v,
                    None => true,
                });
                if matches {
                    readable.rows.insert((info.name.clone(), i));
                }
            }
        }
        readable
    }
}

/// A table read: the table, each key's constant (`None`: computed), the
/// column (`None`: `exists`).
type TableRead = (TableId, Vec<Option<Value>>, Option<usize>);

/// Every table read in an expression.
fn table_reads(e: &IrExpr, out: &mut Vec<TableRead>) {
    use crate::ir::ExprKind as K;
    let keys_of = |keys: &[IrExpr]| keys.iter().map(crate::ir::constant).collect::<Vec<_>>();
    match &e.kind {
        K::Exists(t, keys) => {
            out.push((*t, keys_of(keys), None));
            keys.iter().for_each(|k| table_reads(k, out));
        }
        K::Lookup(t, keys, c) => {
            out.push((*t, keys_of(keys), Some(*c)));
            keys.iter().for_each(|k| table_reads(k, out));
        }
        K::Not(a) | K::Neg(a) => table_reads(a, out),
        K::And(a, b)
        | K::Or(a, b)
        | K::Cmp(_, a, b)
        | K::Arith(_, a, b)
        | K::In(a, b)
        | K::HasAny(a, b)
        | K::HasAll(a, b) => {
            table_reads(a, out);
            table_reads(b, out);
        }
        K::If(c, a, b) => {
            table_reads(c, out);
            table_reads(a, out);
            table_reads(b, out);
        }
        K::Set(items) | K::Call(_, items) => items.iter().for_each(|i| table_reads(i, out)),
        K::Const(_) | K::Fact(_) | K::Def(_) | K::AsOf => {}
    }
}

/// The walker: counts mutation sites and applies the one asked for.
pub(super) struct Walker<'s> {
    sources: &'s SourceMap,
    /// Where each subject is (each file's lines indexed once per walk).
    locator: crate::source::Locator<'s>,
    readable: &'s Readable,
    /// The site to apply (`None`: enumerate only).
    target: Option<usize>,
    count: usize,
    /// Every site (enumerating) or the one applied.
    pub(super) sites: Vec<Site>,
    subject: Subject,
    /// How often each id has been met, so that the same change written
    /// twice in one subject (`2009-07-31` in both comparisons of a
    /// condition) gets a second id: `… (2nd)`.
    seen: HashMap<String, usize>,
}

impl<'s> Walker<'s> {
    /// A walker that records every site without changing anything.
    pub(super) fn enumerate(sources: &'s SourceMap, readable: &'s Readable) -> Self {
        Walker {
            sources,
            locator: sources.locator(),
            readable,
            target: None,
            count: 0,
            sites: Vec::new(),
            subject: Subject::default(),
            seen: HashMap::new(),
        }
    }

    /// A walker that applies site `n`.
    pub(super) fn apply(sources: &'s SourceMap, readable: &'s Readable, n: usize) -> Self {
        Walker {
            target: Some(n),
            ..Walker::enumerate(sources, readable)
        }
    }

    /// Counts one site. Enumerating, records it and returns false; applying,
    /// returns true for the target (recording it) and false for the others.
    fn hit(&mut self, operator: &str, detail: &str, description: impl FnOnce() -> String) -> bool {
        let n = self.count;
        self.count += 1;
        let record = match self.target {
            None => true,
            Some(t) => t == n,
        };
        let base = if detail.is_empty() {
            format!("{}: {operator}", self.subject.name)
        } else {
            format!("{}: {operator} {detail}", self.subject.name)
        };
        let occurrence = self.seen.entry(base.clone()).or_insert(0);
        *occurrence += 1;
        let occurrence = *occurrence;
        if record {
            let id = match occurrence {
                1 => base,
                2 => format!("{base} (2nd)"),
                3 => format!("{base} (3rd)"),
                k => format!("{base} ({k}th)"),
            };
            self.sites.push(Site {
                id,
                subject: self.subject.name.clone(),
                description: description(),
                law: self.subject.law.clone(),
                location: self.subject.location.clone(),
            });
        }
        self.target == Some(n)
    }

    fn text(&self, span: Span) -> String {
        let text = self.sources.snippet(span);
        let one_line: Vec<&str> = text.split_whitespace().collect();
        let joined = one_line.join(" ");
        if joined.chars().count() > 80 {
            let cut: String = joined.chars().take(77).collect();
            format!("{cut}...")
        } else {
            joined
        }
    }

    fn law_of(&self, clauses: &Clauses) -> Vec<String> {
        clauses
            .cites
            .iter()
            .map(|c| {
                let key = c
                    .pinpoint
                    .node
                    .first()
                    .map(|p| {
                        let art = p
                            .locators
                            .iter()
                            .find(|l| l.kind == crate::ast::LocatorKind::Article);
                        match (art, &p.reference) {
                            (Some(a), _) => format!("Art. {}", a.from.node),
                            (None, Some(r)) => r.node.clone(),
                            (None, None) => self.text(p.span),
                        }
                    })
                    .unwrap_or_default();
                format!("{} {key}", c.source.node)
            })
            .collect()
    }

    /// Walks every module.
    pub(super) fn walk(&mut self, modules: &mut [Module]) {
        for module in modules.iter_mut() {
            let lifts = lifting_conditions(module);
            for item in &mut module.items {
                match item {
                    Item::Setting(setting) => {
                        self.subject = Subject {
                            name: format!("setting {}", setting.name.node),
                            law: self.law_of(&setting.clauses),
                            location: self.locator.location(setting.name.span),
                        };
                        self.value(&mut setting.value);
                    }
                    Item::Table(table) => {
                        let table_name = table.name.node.clone();
                        for (index, row) in table.rows.iter_mut().enumerate() {
                            // A row no rule can find decides nothing.
                            if !self.readable.rows.contains(&(table_name.clone(), index)) {
                                continue;
                            }
                            let keys: Vec<String> =
                                row.keys.iter().map(|k| self.text(k.span)).collect();
                            self.subject = Subject {
                                name: format!("{}[{}]", table.name.node, keys.join(", ")),
                                law: self.law_of(&row.clauses),
                                location: self.locator.location(row.span),
                            };
                            self.dates(&mut row.clauses, "row");
                            for (column, cell) in &mut row.cells {
                                let key = (table_name.clone(), column.node.clone());
                                if self.readable.columns.contains(&key) {
                                    self.value(cell);
                                }
                            }
                        }
                    }
                    Item::Definition(definition) => self.definition(definition, &lifts),
                    _ => {}
                }
            }
        }
    }

    fn definition(&mut self, d: &mut Definition, lifts: &[(String, Expr)]) {
        for default in &mut d.defaults {
            self.subject = Subject {
                name: format!("default of {}", d.name.node),
                law: self.law_of(&default.clauses),
                location: self.locator.location(default.span),
            };
            self.value(&mut default.value);
        }
        for r in 0..d.rules.len() {
            let Some(rule) = d.rules.get(r) else {
                continue;
            };
            let name = rule.name.node.clone();
            self.subject = Subject {
                name: name.clone(),
                law: self.law_of(&rule.clauses),
                location: self.locator.location(rule.name.span),
            };
            self.rule_level(d, r, &name, lifts);
            if let Some(rule) = d.rules.get_mut(r) {
                self.rule_body(rule);
            }
        }
    }

    /// Mutations of a rule as a whole: drop it, negate it, drop `absolute`,
    /// `qualified by`, an exception's hold on a target, a discretion.
    fn rule_level(&mut self, d: &mut Definition, r: usize, name: &str, lifts: &[(String, Expr)]) {
        let Some(rule) = d.rules.get(r) else {
            return;
        };
        let is_exception = rule.kind != RuleKind::Base;
        let what = if is_exception { "exception" } else { "rule" };
        let span = rule.name.span;
        let condition = rule.clauses.when.first().map(|w| self.text(w.span));
        let discretion = !rule.clauses.may.is_empty();
        let absolute = rule.absolute;
        let qualified: Vec<String> = rule
            .clauses
            .qualified_by
            .iter()
            .flatten()
            .map(|i| i.node.clone())
            .collect();
        let targets: Vec<String> = match &rule.kind {
            RuleKind::Base => Vec::new(),
            RuleKind::Overrides(t) | RuleKind::Lifts(t) => {
                t.iter().map(|i| i.node.clone()).collect()
            }
        };
        if self.hit("drop", "", || {
            format!("dropping {what} `{name}` (it never applies)")
        }) {
            if let Some(rule) = d.rules.get_mut(r) {
                rule.clauses.when = vec![boolean(false, span)];
            }
        }
        if let Some(shown) = condition {
            if self.hit("negate", "", || {
                format!("negating the condition of `{name}` (`{shown}`)")
            }) {
                if let Some(when) = d.rules.get_mut(r).and_then(|r| r.clauses.when.first_mut()) {
                    let inner = when.clone();
                    *when = Spanned::new(ExprKind::Unary(UnaryOp::Not, Box::new(inner)), when.span);
                }
            }
        }
        if discretion
            && self.hit("mandatory", "", || {
                format!(
                    "making the discretion `{name}` mandatory (it applies without being exercised)"
                )
            })
        {
            if let Some(rule) = d.rules.get_mut(r) {
                rule.clauses.may.clear();
            }
        }
        if absolute && !lifts.is_empty() {
            let names: Vec<String> = lifts.iter().map(|(n, _)| format!("`{n}`")).collect();
            if self.hit("drop absolute", "", || {
                format!(
                    "dropping `absolute` from `{name}` (so that the exceptions its module \
                     admits against the qualified grounds, {}, would lift it)",
                    names.join(", ")
                )
            }) {
                not_absolute(d, r, lifts);
            }
        }
        if !qualified.is_empty() {
            let shown: Vec<String> = qualified.iter().map(|q| format!("`{q}`")).collect();
            if self.hit("drop qualified by", "", || {
                format!(
                    "dropping `qualified by` from `{name}` (the exceptions it names, {}, no longer defeat it)",
                    shown.join(", ")
                )
            }) {
                unqualify(d, r, &qualified);
            }
        }
        // An exception with one target is dropped by `drop` above.
        for target in targets.iter().filter(|_| targets.len() > 1) {
            let detail = format!("against {target}");
            if self.hit("drop exception", &detail, || {
                format!("dropping exception `{name}` against `{target}` (it no longer defeats it)")
            }) {
                release(d, r, target);
            }
        }
    }

    /// Mutations inside a rule: its condition, value and dates.
    fn rule_body(&mut self, rule: &mut Rule) {
        if let Some(when) = rule.clauses.when.first_mut() {
            self.condition(when);
        }
        if let Some(value) = &mut rule.value {
            self.value(value);
        }
        self.dates(&mut rule.clauses, "rule");
    }

    /// `from` and `until` moved a day either way.
    fn dates(&mut self, clauses: &mut Clauses, what: &str) {
        let name = self.subject.name.clone();
        for (clause, list) in [("from", &mut clauses.from), ("until", &mut clauses.until)] {
            for date in list.iter_mut() {
                for (step, later) in [(1, "later"), (-1, "earlier")] {
                    let Some(moved) = shift(date.node, step) else {
                        continue;
                    };
                    let old = date.node;
                    let detail = format!("{old} -> {moved}");
                    let meaning = match clause {
                        "from" => format!("in force from {moved}, a day {later}"),
                        _ => format!("in force until {moved} (exclusive), a day {later}"),
                    };
                    if self.hit(&format!("{clause} date"), &detail, || {
                        format!("moving `{clause} {old}` of {what} `{name}` to {moved} ({meaning})")
                    }) {
                        date.node = moved;
                    }
                }
            }
        }
    }

    /// A condition: the constants and sub-conditions in it.
    fn condition(&mut self, e: &mut Expr) {
        self.expr(e);
    }

    /// A value: its constants.
    fn value(&mut self, e: &mut Expr) {
        self.expr(e);
    }

    fn expr(&mut self, e: &mut Expr) {
        let name = self.subject.name.clone();
        match &mut e.node {
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) => {
                let op = *op;
                let mut items = Vec::new();
                flatten(e, op, &mut items);
                let (part, role) = match op {
                    BinaryOp::And => ("conjunct", "condition"),
                    _ => ("disjunct", "alternative"),
                };
                for i in 0..items.len() {
                    let Some(item) = items.get(i) else {
                        continue;
                    };
                    let shown = self.text(item.span);
                    if self.hit(&format!("drop {part}"), &format!("`{shown}`"), || {
                        format!("dropping the {role} `{shown}` from `{name}`")
                    }) {
                        let rest: Vec<Expr> = items
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, x)| x.clone())
                            .collect();
                        if let Some(joined) = join(rest, op, e.span) {
                            *e = joined;
                        }
                        return;
                    }
                }
                self.chain_leaves(e, op);
            }
            ExprKind::Unary(UnaryOp::Not, inner) => {
                let shown = self.text(inner.span);
                if self.hit("drop not", &format!("`{shown}`"), || {
                    format!("dropping `not` before `{shown}` in `{name}`")
                }) {
                    let inner = (**inner).clone();
                    *e = inner;
                    return;
                }
                self.expr(inner);
            }
            ExprKind::Unary(UnaryOp::Neg, inner) => self.expr(inner),
            ExprKind::Binary(op, left, right) => {
                let swapped = match op {
                    BinaryOp::Lt => Some(BinaryOp::Le),
                    BinaryOp::Le => Some(BinaryOp::Lt),
                    BinaryOp::Gt => Some(BinaryOp::Ge),
                    BinaryOp::Ge => Some(BinaryOp::Gt),
                    _ => None,
                };
                if let Some(new) = swapped {
                    let shown = self.text(e.span);
                    let (from, to) = (op.as_str(), new.as_str());
                    if self.hit("boundary", &format!("`{shown}` {from} -> {to}"), || {
                        format!("reading `{from}` as `{to}` in `{shown}` of `{name}` (the boundary moves)")
                    }) {
                        *op = new;
                        return;
                    }
                }
                self.expr(left);
                self.expr(right);
            }
            ExprKind::If(c, a, b) => {
                let shown = self.text(c.span);
                if self.hit("swap if", &format!("`{shown}`"), || {
                    format!("swapping the branches of `if {shown}` in `{name}`")
                }) {
                    std::mem::swap(a, b);
                    return;
                }
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Set(items) if items.len() >= 2 => {
                for i in 0..items.len() {
                    let Some(item) = items.get(i) else {
                        continue;
                    };
                    let shown = self.text(item.span);
                    let set = self.sources.snippet(e.span).to_string();
                    if self.hit("drop element", &format!("`{shown}`"), || {
                        format!("dropping `{shown}` from `{set}` in `{name}`")
                    }) {
                        items.remove(i);
                        return;
                    }
                }
            }
            ExprKind::Call(function, args) => {
                let f = function.node.clone();
                let drops = matches!(
                    f.as_str(),
                    "min" | "max" | "clamp" | "round" | "floor" | "ceil"
                );
                if drops {
                    let call = self.text(e.span);
                    // `min`/`max`: keep each argument alone; the others keep
                    // their first argument (the value capped or rounded).
                    let keep: Vec<usize> = match f.as_str() {
                        "min" | "max" => (0..args.len()).collect(),
                        _ => vec![0],
                    };
                    for k in keep {
                        let Some(kept) = args.get(k) else {
                            continue;
                        };
                        let shown = self.text(kept.span);
                        if self.hit("drop cap", &format!("`{call}` -> `{shown}`"), || {
                            format!("replacing `{call}` by `{shown}` in `{name}` (the cap or rounding is gone)")
                        }) {
                            let kept = kept.clone();
                            *e = kept;
                            return;
                        }
                    }
                }
                for arg in args {
                    self.expr(arg);
                }
            }
            ExprKind::Bool(b) => {
                let (old, new) = (*b, !*b);
                if self.hit("flip", &format!("{old} -> {new}"), || {
                    format!("giving `{new}` instead of `{old}` in `{name}`")
                }) {
                    *b = new;
                }
            }
            ExprKind::Integer(n) => {
                for step in [1i64, -1] {
                    let Some(new) = n.checked_add(step) else {
                        continue;
                    };
                    let old = *n;
                    if self.hit("constant", &format!("{old} -> {new}"), || {
                        format!("changing `{old}` to `{new}` in `{name}`")
                    }) {
                        *n = new;
                        return;
                    }
                }
            }
            ExprKind::Decimal(x) => {
                for (new, how) in scaled(*x) {
                    let old = *x;
                    if self.hit("constant", &format!("{old} -> {new}"), || {
                        format!("changing `{old}` to `{new}` ({how}) in `{name}`")
                    }) {
                        *x = new;
                        return;
                    }
                }
            }
            ExprKind::Money(x, currency) => {
                let shown = self.text(e.span);
                for (new, how) in scaled(*x) {
                    if self.hit(
                        "constant",
                        &format!("`{shown}` -> {currency} {new}"),
                        || format!("changing `{shown}` to `{currency} {new}` ({how}) in `{name}`"),
                    ) {
                        *x = new;
                        return;
                    }
                }
            }
            ExprKind::Duration(n, unit) => {
                let unit_name = match unit {
                    DurationUnit::Days => "days",
                    DurationUnit::Weeks => "weeks",
                    DurationUnit::Months => "months",
                    DurationUnit::Years => "years",
                };
                for step in [1i64, -1] {
                    let old = *n;
                    let Some(new) = n.checked_add(step).filter(|v| *v >= 0) else {
                        continue;
                    };
                    if self.hit("constant", &format!("{old} {unit_name} -> {new}"), || {
                        format!("changing `{old} {unit_name}` to `{new} {unit_name}` in `{name}`")
                    }) {
                        *n = new;
                        return;
                    }
                }
            }
            ExprKind::Date(d) => {
                for (step, later) in [(1, "later"), (-1, "earlier")] {
                    let Some(moved) = shift(*d, step) else {
                        continue;
                    };
                    let old = *d;
                    if self.hit("date", &format!("{old} -> {moved}"), || {
                        format!("moving the date {old} in `{name}` to {moved} (a day {later})")
                    }) {
                        *d = moved;
                        return;
                    }
                }
            }
            ExprKind::Lookup(_, keys, _) | ExprKind::Exists(_, keys) => {
                for k in keys {
                    self.expr(k);
                }
            }
            ExprKind::Set(_) | ExprKind::Text(_) | ExprKind::Path(_) | ExprKind::AsOf => {}
        }
    }

    /// Walks the operands of an `and`/`or` chain (not the chain itself).
    fn chain_leaves(&mut self, e: &mut Expr, op: BinaryOp) {
        match &mut e.node {
            ExprKind::Binary(o, left, right) if *o == op => {
                self.chain_leaves(left, op);
                self.chain_leaves(right, op);
            }
            _ => self.expr(e),
        }
    }
}

/// A decimal or an amount a tenth higher and a tenth lower (zero: none).
fn scaled(x: Decimal) -> Vec<(Decimal, &'static str)> {
    if x.is_zero() {
        return Vec::new();
    }
    let tenth = x / Decimal::TEN;
    vec![
        ((x + tenth).normalize(), "a tenth more"),
        ((x - tenth).normalize(), "a tenth less"),
    ]
}

fn shift(date: Date, days: i8) -> Option<Date> {
    if days > 0 {
        date.tomorrow().ok()
    } else {
        date.yesterday().ok()
    }
}

fn boolean(value: bool, span: Span) -> Expr {
    Spanned::new(ExprKind::Bool(value), span)
}

/// The operands of a chain of `op`, left to right.
fn flatten(e: &Expr, op: BinaryOp, out: &mut Vec<Expr>) {
    match &e.node {
        ExprKind::Binary(o, left, right) if *o == op => {
            flatten(left, op, out);
            flatten(right, op, out);
        }
        _ => out.push(e.clone()),
    }
}

/// The chain `a op b op …` of `items` (none: `None`).
fn join(items: Vec<Expr>, op: BinaryOp, span: Span) -> Option<Expr> {
    let mut items = items.into_iter();
    let first = items.next()?;
    Some(items.fold(first, |acc, next| {
        Spanned::new(ExprKind::Binary(op, Box::new(acc), Box::new(next)), span)
    }))
}

/// The `lifts` exceptions of a module, with their conditions: what a rule
/// of the module would yield to if it were not absolute.
fn lifting_conditions(module: &Module) -> Vec<(String, Expr)> {
    let mut out: Vec<(String, Expr)> = Vec::new();
    for item in &module.items {
        let Item::Definition(d) = item else {
            continue;
        };
        for rule in &d.rules {
            if let (RuleKind::Lifts(_), Some(when)) = (&rule.kind, rule.clauses.when.first()) {
                if !out.iter().any(|(_, c)| c == when) {
                    out.push((rule.name.node.clone(), when.clone()));
                }
            }
        }
    }
    out
}

/// Drops `absolute` from rule `r` and adds an exception that lifts it when
/// any of the module's lifting conditions holds.
fn not_absolute(d: &mut Definition, r: usize, lifts: &[(String, Expr)]) {
    let Some(rule) = d.rules.get_mut(r) else {
        return;
    };
    rule.absolute = false;
    let span = rule.name.span;
    let target = rule.name.clone();
    let cites = rule.clauses.cites.clone();
    let conditions: Vec<Expr> = lifts.iter().map(|(_, c)| c.clone()).collect();
    let Some(when) = join(conditions, BinaryOp::Or, span) else {
        return;
    };
    let exception = Rule {
        absolute: false,
        name: Ident::new(format!("{}__mutant_not_absolute", target.node), span),
        kind: RuleKind::Lifts(vec![target]),
        value: None,
        clauses: Clauses {
            when: vec![when],
            cites,
            ..Clauses::default()
        },
        span,
    };
    d.rules.push(exception);
}

/// Drops rule `r`'s `qualified by`: the exceptions it names no longer
/// target it (one left with no target never applies).
fn unqualify(d: &mut Definition, r: usize, exceptions: &[String]) {
    let Some(rule) = d.rules.get_mut(r) else {
        return;
    };
    rule.clauses.qualified_by.clear();
    let name = rule.name.node.clone();
    for e in &mut d.rules {
        if exceptions.contains(&e.name.node) {
            untarget(e, &name);
        }
    }
}

/// Exception `r` no longer targets `target` (and `target` no longer names
/// it in `qualified by`).
fn release(d: &mut Definition, r: usize, target: &str) {
    let Some(exception) = d.rules.get_mut(r) else {
        return;
    };
    let name = exception.name.node.clone();
    untarget(exception, target);
    for rule in &mut d.rules {
        if rule.name.node == target {
            for list in &mut rule.clauses.qualified_by {
                list.retain(|q| q.node != name);
            }
            rule.clauses.qualified_by.retain(|l| !l.is_empty());
        }
    }
}

fn untarget(exception: &mut Rule, target: &str) {
    let span = exception.name.span;
    if let RuleKind::Overrides(targets) | RuleKind::Lifts(targets) = &mut exception.kind {
        if targets.len() > 1 {
            targets.retain(|t| t.node != target);
        } else {
            // Its only target: the exception is gone.
            exception.clauses.when = vec![boolean(false, span)];
        }
    }
}
