//! Boundary cases for every date in the built-in policies, generated from the
//! compiled program: for each in-force date of a rule (`from`, `until`) and
//! of a table row (a treaty's entry into force for a state, a withdrawal, an
//! agreement, a reported practice), the law is applied on the day before and
//! on the day itself.
//!
//! The expectations come from what the dates mean in law, never from an
//! evaluation: a rule `from D` is in force on D and not on the day before;
//! `until U` is in force on the day before U and not on U; a row binds from
//! its `from` day (inclusive) until its `until` day (exclusive), unless
//! another row for the same keys binds then. The corpus in
//! `tests/cases/boundary/` carries the same boundaries for the tables verdicts read
//! as case files with `expect` blocks, so that `refuge test` and `refuge test
//! --mutants` see them (see `boundary_cases_of_the_tables_verdicts_read_are_current`).

use jiff::civil::Date;
use refuge::case::Case;
use refuge::eval::graph::ReadOf;
use refuge::ir::{DefId, Expr, ExprKind, Meta, RuleId, TableId};
use refuge::value::Value;
use refuge::{compile, Engine, Options, Program, SourceMap};
use std::collections::BTreeMap;
use std::path::Path;

fn program() -> Program {
    match compile(&SourceMap::builtin()) {
        Ok(c) => c.program,
        Err(d) => panic!("{}", d.render(&SourceMap::builtin(), Default::default())),
    }
}

fn day_before(d: Date) -> Date {
    d.yesterday().expect("a date after year -9999")
}

/// The in-force boundaries of an item: (day, in force that day?).
fn boundaries(meta: &Meta) -> Vec<(Date, bool)> {
    let mut out = Vec::new();
    if let Some(from) = meta.from {
        out.push((day_before(from), false));
        out.push((from, true));
    }
    if let Some(until) = meta.until {
        out.push((day_before(until), true));
        out.push((until, false));
    }
    out
}

fn evaluate_definition<'a>(
    engine: &Engine<'a>,
    program: &Program,
    case: &'a Case,
    def: DefId,
    as_of: Date,
) -> refuge::explain::Evaluation<'a> {
    let name = program.definitions[def.index()].name.clone();
    let options = Options {
        as_of: Some(as_of),
        verdicts: vec![def],
    };
    engine
        .evaluate(case, &options)
        .unwrap_or_else(|e| panic!("`{name}` as of {as_of}: {e}"))
}

#[test]
fn every_dated_rule_is_in_force_from_its_first_day_and_not_the_day_before() {
    let program = program();
    let engine = Engine::new(&program);
    let case = Case::new(&program);
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, rule) in program.rules.iter().enumerate() {
        for (day, expected) in boundaries(&rule.meta) {
            let evaluation = evaluate_definition(&engine, &program, &case, rule.def, day);
            let graph = evaluation.derivation();
            let entry = graph
                .node(rule.def)
                .and_then(|n| {
                    graph
                        .rules_of(n)
                        .iter()
                        .find(|e| e.rule == RuleId(i as u32))
                })
                .unwrap_or_else(|| panic!("`{}` is not in its definition's node", rule.name));
            checked += 1;
            if entry.in_force != expected {
                failures.push(format!(
                    "`{}` ({}): in force on {day}: expected {expected}, got {}",
                    rule.name, program.rule_locations[i], entry.in_force
                ));
            }
        }
    }
    // The Act's versions, the decree of 2002-06-03, the Refugee Act of
    // 2013 and the later amendments are dated rules.
    assert!(checked >= 20, "only {checked} rule boundaries");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `exists T[…]` and `T[…].column` in an expression: the table and
/// its key expressions.
fn table_reads<'e>(e: &'e Expr, out: &mut Vec<(TableId, &'e [Expr])>) {
    match &e.kind {
        ExprKind::Exists(t, keys) | ExprKind::Lookup(t, keys, _) => {
            out.push((*t, keys));
            keys.iter().for_each(|k| table_reads(k, out));
        }
        ExprKind::Not(a) | ExprKind::Neg(a) => table_reads(a, out),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::In(a, b)
        | ExprKind::HasAny(a, b)
        | ExprKind::HasAll(a, b) => {
            table_reads(a, out);
            table_reads(b, out);
        }
        ExprKind::If(c, a, b) => {
            table_reads(c, out);
            table_reads(a, out);
            table_reads(b, out);
        }
        ExprKind::Set(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| table_reads(i, out))
        }
        ExprKind::Const(_) | ExprKind::Fact(_) | ExprKind::Def(_) | ExprKind::AsOf => {}
    }
}

/// Whether some row of `table` with these keys is in force on `day`.
fn bound(program: &Program, table: TableId, keys: &[Value], day: Date) -> bool {
    program.tables[table.index()]
        .rows
        .iter()
        .any(|r| r.keys == keys && r.meta.in_force(day))
}

#[test]
fn every_dated_table_row_binds_from_its_first_day_and_not_the_day_before() {
    let program = program();
    let engine = Engine::new(&program);
    // Where each table is read with keys the case can set: the rule, and
    // per key either the fact that supplies it or the constant written.
    let mut readers: BTreeMap<u32, Vec<(RuleId, Vec<Expr>)>> = BTreeMap::new();
    for (i, rule) in program.rules.iter().enumerate() {
        let mut reads = Vec::new();
        if let Some(when) = &rule.when {
            table_reads(when, &mut reads);
        }
        if let Some(value) = &rule.value {
            table_reads(value, &mut reads);
        }
        for (table, keys) in reads {
            if keys
                .iter()
                .all(|k| matches!(k.kind, ExprKind::Fact(_) | ExprKind::Const(_)))
            {
                readers
                    .entry(table.0)
                    .or_default()
                    .push((RuleId(i as u32), keys.to_vec()));
            }
        }
    }
    let mut checked = 0;
    let mut unread = Vec::new();
    let mut failures = Vec::new();
    for (t, table) in program.tables.iter().enumerate() {
        let table_id = TableId(t as u32);
        for row in &table.rows {
            let shown: Vec<String> = row.keys.iter().map(|k| k.display(&program)).collect();
            let row_name = format!("{}[{}]", table.name, shown.join(", "));
            // The readers whose constant keys are this row's.
            let candidates: Vec<&(RuleId, Vec<Expr>)> = readers
                .get(&(t as u32))
                .map(|rs| {
                    rs.iter()
                        .filter(|(_, keys)| {
                            keys.iter().zip(&row.keys).all(|(k, v)| match &k.kind {
                                ExprKind::Const(c) => c == v,
                                _ => true,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let days = boundaries(&row.meta);
            if days.is_empty() {
                continue;
            }
            if candidates.is_empty() {
                unread.push(row_name);
                continue;
            }
            for (day, in_force) in days {
                let expected = in_force || bound(&program, table_id, &row.keys, day);
                checked += 1;
                // The first reader whose evaluation reaches the row (another
                // condition may settle a rule before its table is read).
                let got = candidates.iter().find_map(|(rule, keys)| {
                    let mut case = Case::new(&program);
                    for (k, v) in keys.iter().zip(&row.keys) {
                        if let ExprKind::Fact(f) = k.kind {
                            case.set_fact(f, v.clone());
                        }
                    }
                    let def = program.rules[rule.index()].def;
                    let evaluation = evaluate_definition(&engine, &program, &case, def, day);
                    let graph = evaluation.derivation();
                    let reads = graph.nodes().iter().flat_map(|n| {
                        graph.rules_of(n).iter().flat_map(|r| {
                            graph
                                .reads(r.condition_reads)
                                .iter()
                                .chain(graph.reads(r.value_reads))
                        })
                    });
                    let found = reads
                        .filter_map(|read| match read.of {
                            ReadOf::Row(i) => graph.lookup(i),
                            _ => None,
                        })
                        .filter(|lookup| {
                            lookup.table == table_id
                                && graph.keys(lookup.keys) == row.keys.as_slice()
                        })
                        .map(|lookup| lookup.row.is_some())
                        .next();
                    found
                });
                match got {
                    None => failures.push(format!(
                        "{row_name} on {day}: no rule reading the table reaches the row"
                    )),
                    Some(got) if got != expected => failures.push(format!(
                        "{row_name} on {day}: expected {}, got {}",
                        if expected { "bound" } else { "not bound" },
                        if got { "bound" } else { "not bound" }
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Rows no rule reads (CEDAW and ICESCR participation, signatures and
    // practice recorded as data only) decide nothing, on any day: there is
    // no boundary to observe. They are listed so that a reader knows.
    eprintln!(
        "{checked} row boundaries checked; {} dated rows no rule reads: {unread:?}",
        unread.len()
    );
    assert!(checked >= 120, "only {checked} row boundaries");
}

/// The boundary case files of the tables that verdicts read directly: for
/// each verdict whose every rule is `exists T[k, …]` (each key a fact or a
/// constant: the treaty verdicts, the bilateral instruments), for each row
/// its rules can find and each of the row's dates, a case on the day before
/// and one on the day itself, expecting the verdict true exactly when one of
/// its rules finds a row in force that day. Written by
/// `REFUGE_BLESS_BOUNDARY=1 cargo test --test it boundary_cases`; the test
/// fails when they are out of date (a row date changed: regenerate, and the
/// diff shows the change of the law).
fn table_boundary_cases(program: &Program) -> BTreeMap<String, serde_json::Value> {
    enum Key {
        Fact(refuge::ir::FactId),
        Const(Value),
    }
    let mut out = BTreeMap::new();
    for def in program
        .definitions
        .iter()
        .filter(|d| d.is_verdict && !d.rules.is_empty())
    {
        let patterns: Option<Vec<(TableId, Vec<Key>)>> = def
            .rules
            .iter()
            .map(
                |r| match program.rules[r.index()].when.as_ref().map(|w| &w.kind) {
                    Some(ExprKind::Exists(t, keys)) => keys
                        .iter()
                        .map(|k| match &k.kind {
                            ExprKind::Fact(f) => Some(Key::Fact(*f)),
                            ExprKind::Const(v) => Some(Key::Const(v.clone())),
                            _ => None,
                        })
                        .collect::<Option<Vec<Key>>>()
                        .map(|keys| (*t, keys)),
                    _ => None,
                },
            )
            .collect();
        let Some(patterns) = patterns else { continue };
        for (table, keys) in &patterns {
            let info = &program.tables[table.index()];
            for row in &info.rows {
                let matches = keys.iter().zip(&row.keys).all(|(k, v)| match k {
                    Key::Const(c) => c == v,
                    Key::Fact(_) => true,
                });
                if !matches {
                    continue;
                }
                // The facts the case sets: the row's keys.
                let facts: Vec<(refuge::ir::FactId, Value)> = keys
                    .iter()
                    .zip(&row.keys)
                    .filter_map(|(k, v)| match k {
                        Key::Fact(f) => Some((*f, v.clone())),
                        Key::Const(_) => None,
                    })
                    .collect();
                let value_of = |f: refuge::ir::FactId| {
                    facts.iter().find(|(g, _)| *g == f).map(|(_, v)| v.clone())
                };
                let cite = row
                    .meta
                    .cites
                    .first()
                    .map(|c| {
                        format!(
                            "{} {}",
                            program.sources[c.source.index()].name,
                            c.pinpoint.locators()
                        )
                    })
                    .unwrap_or_default();
                let shown: Vec<String> = row.keys.iter().map(|k| k.display(program)).collect();
                for (day, in_force) in boundaries(&row.meta) {
                    // Any of the verdict's rules finds a row in force that day.
                    let expected = patterns.iter().any(|(t, ks)| {
                        let wanted: Option<Vec<Value>> = ks
                            .iter()
                            .map(|k| match k {
                                Key::Fact(f) => value_of(*f),
                                Key::Const(c) => Some(c.clone()),
                            })
                            .collect();
                        wanted.is_some_and(|w| bound(program, *t, &w, day))
                    });
                    let edge = match (row.meta.from, row.meta.until) {
                        (Some(f), _) if day == f || day == day_before(f) => {
                            format!("applies from {f}")
                        }
                        (_, Some(u)) => format!("applies until {u} (exclusive)"),
                        _ => String::new(),
                    };
                    let which = if in_force { "in force" } else { "not in force" };
                    let mut json_facts = serde_json::Map::new();
                    for (f, v) in &facts {
                        json_facts
                            .insert(program.facts[f.index()].path.clone(), v.to_json(program));
                    }
                    let name = format!(
                        "{}__{day}.json",
                        row.keys
                            .iter()
                            .map(|k| k.to_json(program).as_str().unwrap_or("key").to_string())
                            .collect::<Vec<_>>()
                            .join("__")
                    );
                    out.insert(
                        name,
                        serde_json::json!({
                            "description": format!(
                                "Boundary (generated): {}[{}]: the row {edge} ({cite}); on {day} it is {which}, so `{}` is {expected}",
                                info.name,
                                shown.join(", "),
                                def.name
                            ),
                            "as_of": day.to_string(),
                            "verdicts": [def.name],
                            "facts": json_facts,
                            "expect": { def.name.clone(): expected },
                        }),
                    );
                }
            }
        }
    }
    out
}

#[test]
fn boundary_cases_of_the_tables_verdicts_read_are_current() {
    let program = program();
    let cases = table_boundary_cases(&program);
    assert!(
        cases.len() >= 90,
        "only {} table boundary cases",
        cases.len()
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/boundary");
    let text = |v: &serde_json::Value| {
        let mut t = serde_json::to_string_pretty(v).expect("JSON");
        t.push('\n');
        t
    };
    if std::env::var_os("REFUGE_BLESS_BOUNDARY").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creates tests/cases/boundary");
        for (name, case) in &cases {
            std::fs::write(dir.join(name), text(case)).expect("writes a boundary case");
        }
    }
    let mut stale = Vec::new();
    for (name, case) in &cases {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if on_disk == text(case) => {}
            _ => stale.push(name.clone()),
        }
    }
    let on_disk = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    assert!(
        stale.is_empty() && on_disk == cases.len(),
        "tests/cases/boundary is out of date ({} stale, {on_disk} files for {} cases): \
         run `REFUGE_BLESS_BOUNDARY=1 cargo test --test it boundary_cases` and review the diff",
        stale.len(),
        cases.len()
    );
}
