//! The JSON rendering, schema `refuge.evaluation/2` (docs/json-schema.md,
//! docs/evaluation.schema.json): the graph's nodes once, by index; per
//! verdict its outcome, root node, decisive facts, the law it rests on and
//! what was considered.
//!
//! Like a Cedar `Response`, the document carries ids, not text: definitions,
//! rules, tables and citations are referred to by their index in the program
//! manifest (`refuge.program/1`, [`Program::manifest_json`]), which says once
//! what each is called, what it cites and where it is written; the document's
//! `program` digest names the manifest it belongs to. Facts are referred to
//! by their path, as a case file writes them; nodes by their index in
//! `nodes`.

use super::analysis::{self, Applied, Explained, Via};
use super::words::{self, RuleStatus};
use super::{Evaluation, Outcome};
use crate::batch::{json_str, write_value};
use crate::eval::graph::{self, Decided, DiscretionState, Node, ReadEntry, ReadOf, Span32};
use crate::ir::{DefId, FactId, Program, RuleKind};
use crate::value::Value;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// The version tag of the JSON evaluation schema.
pub const SCHEMA: &str = "refuge.evaluation/2";

/// The version tag of the program manifest.
pub const MANIFEST_SCHEMA: &str = "refuge.program/1";

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    program: &'a str,
    case: Option<&'a str>,
    as_of: String,
    verdicts: VerdictsJson<'a>,
    nodes: NodesJson<'a, 'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<MissingJson<'a>>,
}

/// The verdicts asked, keyed by name in the order asked (each is asked once).
struct VerdictsJson<'a>(Vec<VerdictJson<'a>>);

impl Serialize for VerdictsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for v in &self.0 {
            map.serialize_entry(v.name, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    #[serde(skip)]
    name: &'a str,
    outcome: OutcomeJson<'a>,
    root: Option<usize>,
    #[serde(skip_serializing_if = "FactsJson::is_empty")]
    decisive_facts: FactsJson<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decisive_settings: Vec<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    as_of_decisive: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rests_on: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    applied: Vec<AppliedJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    considered: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_facts: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    discretions: Vec<DiscretionJson>,
}

/// One verdict of `--output verdicts` (written by [`VerdictLine::append`];
/// serde's form is the reference in tests).
#[derive(Serialize)]
struct VerdictLine<'a> {
    #[serde(skip)]
    name: &'a str,
    outcome: OutcomeJson<'a>,
    #[serde(skip_serializing_if = "FactsJson::is_empty")]
    decisive_facts: FactsJson<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rests_on: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_facts: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum OutcomeJson<'a> {
    Decided {
        value: ValueJson<'a>,
        by: &'static str,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<usize>,
    },
    Undetermined {
        reason: &'static str,
    },
}

#[derive(Serialize)]
#[serde(untagged)]
enum AppliedJson {
    Rule(usize),
    Default { default: usize },
    Row { row: usize, index: u32 },
}

#[derive(Serialize)]
struct DiscretionJson {
    rule: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditions_hold: Option<bool>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    decisive: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ViaJson {
    Rule(usize),
    Default { default: usize },
}

#[derive(Serialize)]
struct MissingJson<'a> {
    fact: &'a str,
    waiting: Vec<ViaJson>,
}

/// The nodes, serialised straight from the graph's arenas (nothing is
/// collected first).
struct NodesJson<'e, 'a> {
    e: &'e Evaluation<'a>,
}

impl Serialize for NodesJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let nodes = self.e.graph.nodes();
        let mut seq = serializer.serialize_seq(Some(nodes.len()))?;
        for node in nodes {
            seq.serialize_element(&NodeJson { e: self.e, node })?;
        }
        seq.end()
    }
}

/// One node: `{definition, value?, decided?, rules?, default_reads?}`.
struct NodeJson<'e, 'a> {
    e: &'e Evaluation<'a>,
    node: &'e Node,
}

impl Serialize for NodeJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (e, node) = (self.e, self.node);
        let p = e.program;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("definition", &node.def.index())?;
        if let Some(value) = &node.value {
            map.serialize_entry("value", &ValueJson::new(p, value))?;
        }
        match node.decided {
            Decided::Rules => map.serialize_entry("decided", "rules")?,
            Decided::Default => map.serialize_entry("decided", "default")?,
            Decided::Undetermined(_) => {}
        }
        let rules = e.graph.rules_of(node);
        if !rules.is_empty() {
            map.serialize_entry("rules", &RulesJson { e, rules })?;
        }
        if !node.default_reads.is_empty() {
            map.serialize_entry("default_reads", &ReadsJson::new(e, node.default_reads))?;
        }
        map.end()
    }
}

/// A node's rule entries: `{rule, status, value?, reads?, value_reads?}`.
struct RulesJson<'e, 'a> {
    e: &'e Evaluation<'a>,
    rules: &'e [graph::RuleEntry],
}

impl Serialize for RulesJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let e = self.e;
        let mut seq = serializer.serialize_seq(Some(self.rules.len()))?;
        for r in self.rules {
            seq.serialize_element(&RuleJson { e, r })?;
        }
        seq.end()
    }
}

struct RuleJson<'e, 'a> {
    e: &'e Evaluation<'a>,
    r: &'e graph::RuleEntry,
}

impl Serialize for RuleJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (e, r) = (self.e, self.r);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rule", &r.rule.index())?;
        map.serialize_entry("status", RuleStatus::of(r).as_str())?;
        if let Some(value) = computed_value(e.program, r) {
            map.serialize_entry("value", &ValueJson::new(e.program, value))?;
        }
        if !r.condition_reads.is_empty() {
            map.serialize_entry("reads", &ReadsJson::new(e, r.condition_reads))?;
        }
        if !r.value_reads.is_empty() {
            map.serialize_entry("value_reads", &ReadsJson::new(e, r.value_reads))?;
        }
        map.end()
    }
}

/// A rule entry's value as the document writes it: only a value computed in
/// the case. A rule whose value is written as a constant has it in the
/// manifest (`rules[].value`), once, not copied into every document.
fn computed_value<'e>(p: &Program, r: &'e graph::RuleEntry) -> Option<&'e Value> {
    let constant = p
        .rules
        .get(r.rule.index())
        .and_then(|x| x.value.as_ref())
        .is_some_and(crate::ir::is_constant);
    r.value.as_ref().filter(|_| !constant)
}

/// The reads of a range, each thing read once (decisive if any read of it
/// was), in order of first read.
struct ReadsJson<'e, 'a> {
    e: &'e Evaluation<'a>,
    reads: &'e [ReadEntry],
}

impl<'e, 'a> ReadsJson<'e, 'a> {
    fn new(e: &'e Evaluation<'a>, range: Span32) -> Self {
        ReadsJson {
            e,
            reads: e.graph.reads(range),
        }
    }

    /// Whether two reads are written as the same thing.
    fn same(&self, a: &ReadOf, b: &ReadOf) -> bool {
        let graph = &self.e.graph;
        match (a, b) {
            (ReadOf::Fact(x), ReadOf::Fact(y)) => x == y,
            (ReadOf::Def(x), ReadOf::Def(y)) => graph.node_of(*x) == graph.node_of(*y),
            (ReadOf::Row(x), ReadOf::Row(y)) => match (graph.lookup(*x), graph.lookup(*y)) {
                (Some(a), Some(b)) => {
                    a.table == b.table && a.row == b.row && graph.keys(a.keys) == graph.keys(b.keys)
                }
                _ => false,
            },
            (ReadOf::AsOf, ReadOf::AsOf) => true,
            _ => false,
        }
    }
}

impl<'e> ReadsJson<'e, '_> {
    /// Each thing read once, in order of first read, decisive if any read
    /// of it was.
    fn distinct(&self) -> impl Iterator<Item = ReadJson<'e>> + '_ {
        let reads = self.reads;
        reads.iter().enumerate().filter_map(move |(i, r)| {
            let (before, from) = reads.split_at(i);
            if before.iter().any(|x| self.same(&x.of, &r.of)) {
                return None;
            }
            Some(ReadJson {
                of: read_of(self.e, r),
                decisive: from.iter().any(|x| x.mark && self.same(&x.of, &r.of)),
            })
        })
    }
}

impl Serialize for ReadsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for read in self.distinct() {
            seq.serialize_element(&read)?;
        }
        seq.end()
    }
}

/// A read: a decisive read of a fact is written as its path, of another
/// definition as its node's index; anything else as an object.
struct ReadJson<'e> {
    of: ReadOfJson<'e>,
    decisive: bool,
}

impl Serialize for ReadJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (&self.of, self.decisive) {
            (ReadOfJson::Fact(path), true) => serializer.serialize_str(path),
            (ReadOfJson::Node(Some(i)), true) => serializer.serialize_u64(*i as u64),
            (of, decisive) => {
                let mut map = serializer.serialize_map(None)?;
                match of {
                    ReadOfJson::Fact(path) => map.serialize_entry("fact", path)?,
                    ReadOfJson::Setting(path) => map.serialize_entry("setting", path)?,
                    ReadOfJson::Node(i) => map.serialize_entry("node", i)?,
                    ReadOfJson::Row { table, index, keys } => {
                        map.serialize_entry("table", table)?;
                        map.serialize_entry("index", index)?;
                        map.serialize_entry("keys", keys)?;
                    }
                    ReadOfJson::AsOf => map.serialize_entry("as_of", &true)?,
                }
                if !decisive {
                    map.serialize_entry("decisive", &false)?;
                }
                map.end()
            }
        }
    }
}

/// The key values of a table read.
struct KeysJson<'e> {
    program: &'e Program,
    keys: &'e [Value],
}

impl Serialize for KeysJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.keys.len()))?;
        for k in self.keys {
            seq.serialize_element(&ValueJson::new(self.program, k))?;
        }
        seq.end()
    }
}

enum ReadOfJson<'e> {
    Fact(&'e str),
    Setting(&'e str),
    Node(Option<usize>),
    Row {
        table: usize,
        index: Option<u32>,
        keys: KeysJson<'e>,
    },
    AsOf,
}

/// A value as a case file writes it (see [`Value::to_json`]), serialised
/// straight to the output.
#[derive(Clone, Copy)]
pub(crate) struct ValueJson<'a> {
    program: &'a Program,
    value: &'a Value,
}

impl PartialEq for ValueJson<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<'a> ValueJson<'a> {
    pub(crate) fn new(program: &'a Program, value: &'a Value) -> Self {
        ValueJson { program, value }
    }
}

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let p = self.program;
        match self.value {
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Integer(i) => serializer.serialize_i64(*i),
            Value::Decimal(d) => serializer.collect_str(&d.normalize()),
            Value::Money(m) => serializer.collect_str(&format_args!(
                "{} {}",
                m.currency_str(),
                m.amount.normalize()
            )),
            Value::Date(d) => serializer.collect_str(d),
            Value::Duration(d) => serializer.serialize_str(&crate::value::display_duration(*d)),
            Value::Text(t) => serializer.serialize_str(t),
            Value::Enum(e, v) => serializer.serialize_str(crate::ir::variant_name(p, *e, *v)),
            Value::Set(e, bits) => {
                let mut seq = serializer.serialize_seq(Some(bits.count_ones() as usize))?;
                for v in crate::value::set_members(*bits) {
                    seq.serialize_element(crate::ir::variant_name(p, *e, v))?;
                }
                seq.end()
            }
        }
    }
}

/// Facts in the shape of a case file's `facts`: nested by path segment, keys
/// in sorted order, serialised straight to the output.
pub(crate) struct FactsJson<'a> {
    program: &'a Program,
    /// Dotted paths and values, sorted by path, each path once. A `.` sorts
    /// before every character a name may hold, so sorting the paths as text
    /// sorts them segment by segment, and the facts of one record are
    /// adjacent.
    entries: Vec<(&'a str, &'a Value)>,
}

impl<'a> FactsJson<'a> {
    pub(crate) fn new(
        program: &'a Program,
        case: &'a crate::case::Case,
        facts: impl Iterator<Item = FactId>,
    ) -> Self {
        let mut entries: Vec<(&'a str, &'a Value)> = facts
            .filter_map(|f| {
                let info = program.facts.get(f.index())?;
                Some((info.path.as_str(), case.fact(f)?))
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        FactsJson { program, entries }
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The segment of a dotted path that starts at byte `offset`, and whether
/// it is the last.
fn segment(path: &str, offset: usize) -> Option<(&str, bool)> {
    let rest = path.get(offset..)?;
    Some(match rest.bytes().position(|b| b == b'.') {
        Some(end) => (rest.get(..end)?, false),
        None => (rest, true),
    })
}

/// The entries of one level: those sharing their first segments, which end
/// at byte `offset` (the same for every entry of the level).
struct Level<'f, 'a> {
    program: &'a Program,
    entries: &'f [(&'a str, &'a Value)],
    offset: usize,
}

/// One key of a level: a fact's value, or the level of a record's facts.
enum Member<'f, 'a> {
    Value(&'a Value),
    Level(Level<'f, 'a>),
}

impl<'f, 'a> Level<'f, 'a> {
    /// The level's keys in order, each with its value or nested level.
    fn members(&self) -> impl Iterator<Item = (&'a str, Member<'f, 'a>)> + '_ {
        let mut rest = self.entries;
        std::iter::from_fn(move || loop {
            let (first, value) = rest.first()?;
            let Some((key, last)) = segment(first, self.offset) else {
                rest = rest.get(1..).unwrap_or(&[]);
                continue;
            };
            let end = self.offset + key.len();
            let n = rest
                .iter()
                .take_while(|(path, _)| {
                    let path = path.as_bytes();
                    path.get(self.offset..end) == Some(key.as_bytes())
                        && path.get(end).is_none_or(|&b| b == b'.')
                })
                .count();
            let (group, tail) = rest.split_at(n.min(rest.len()));
            rest = tail;
            return Some(if last && group.len() == 1 {
                (key, Member::Value(value))
            } else {
                (
                    key,
                    Member::Level(Level {
                        program: self.program,
                        entries: group,
                        offset: end + 1,
                    }),
                )
            });
        })
    }

    /// The level in compact JSON, as serde writes it.
    fn append(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (key, member)) in self.members().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(out, key);
            out.push(b':');
            match member {
                Member::Value(value) => write_value(out, self.program, value),
                Member::Level(level) => level.append(out),
            }
        }
        out.push(b'}');
    }
}

impl Serialize for Level<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, member) in self.members() {
            match member {
                Member::Value(value) => {
                    map.serialize_entry(key, &ValueJson::new(self.program, value))?;
                }
                Member::Level(level) => map.serialize_entry(key, &level)?,
            }
        }
        map.end()
    }
}

impl FactsJson<'_> {
    fn top(&self) -> Level<'_, '_> {
        Level {
            program: self.program,
            entries: &self.entries,
            offset: 0,
        }
    }
}

impl Serialize for FactsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.top().serialize(serializer)
    }
}

impl OutcomeJson<'_> {
    /// The outcome in compact JSON, as serde writes it.
    fn append(&self, out: &mut Vec<u8>) {
        match self {
            OutcomeJson::Decided { value, by, rules } => {
                out.extend_from_slice(b"{\"status\":\"decided\",\"value\":");
                write_value(out, value.program, value.value);
                out.extend_from_slice(b",\"by\":");
                json_str(out, by);
                if !rules.is_empty() {
                    out.extend_from_slice(b",\"rules\":");
                    write_ints(out, rules);
                }
            }
            OutcomeJson::Undetermined { reason } => {
                out.extend_from_slice(b"{\"status\":\"undetermined\",\"reason\":");
                json_str(out, reason);
            }
        }
        out.push(b'}');
    }
}

impl VerdictLine<'_> {
    /// The line in compact JSON, as serde writes it.
    fn append(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"outcome\":");
        self.outcome.append(out);
        if !self.decisive_facts.is_empty() {
            out.extend_from_slice(b",\"decisive_facts\":");
            self.decisive_facts.top().append(out);
        }
        if !self.rests_on.is_empty() {
            out.extend_from_slice(b",\"rests_on\":");
            write_ints(out, &self.rests_on);
        }
        if !self.missing_facts.is_empty() {
            out.extend_from_slice(b",\"missing_facts\":[");
            for (i, path) in self.missing_facts.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_str(out, path);
            }
            out.push(b']');
        }
        out.push(b'}');
    }
}

fn via_json(via: Via) -> ViaJson {
    match via {
        Via::Rule(r) => ViaJson::Rule(r.index()),
        Via::Default(d) => ViaJson::Default { default: d.index() },
    }
}

fn fact_read(p: &Program, f: FactId) -> ReadOfJson<'_> {
    let path = words::fact_path(p, f);
    if p.facts.get(f.index()).is_some_and(|f| f.setting.is_some()) {
        ReadOfJson::Setting(path)
    } else {
        ReadOfJson::Fact(path)
    }
}

fn read_of<'e>(e: &'e Evaluation<'_>, r: &ReadEntry) -> ReadOfJson<'e> {
    match r.of {
        ReadOf::Fact(f) => fact_read(e.program, f),
        ReadOf::Def(d) => ReadOfJson::Node(e.graph.node_of(d)),
        ReadOf::Row(i) => {
            let lookup = e.graph.lookup(i);
            ReadOfJson::Row {
                table: lookup.map_or(usize::MAX, |l| l.table.index()),
                index: lookup.and_then(|l| l.row),
                keys: KeysJson {
                    program: e.program,
                    keys: lookup.map_or(&[], |l| e.graph.keys(l.keys)),
                },
            }
        }
        ReadOf::AsOf => ReadOfJson::AsOf,
    }
}

fn outcome_json<'a>(e: &'a Evaluation<'a>, def: DefId) -> OutcomeJson<'a> {
    let p = e.program;
    match e.outcome(def) {
        Outcome::ByRules(v) => OutcomeJson::Decided {
            value: ValueJson::new(p, v),
            by: "rules",
            rules: e
                .node(def)
                .map(|n| {
                    e.graph
                        .rules_of(n)
                        .iter()
                        .filter(|r| {
                            r.active == Some(true)
                                && p.rules
                                    .get(r.rule.index())
                                    .is_some_and(|x| x.value.is_some())
                        })
                        .map(|r| r.rule.index())
                        .collect()
                })
                .unwrap_or_default(),
        },
        Outcome::ByDefault(v) => OutcomeJson::Decided {
            value: ValueJson::new(p, v),
            by: "default",
            rules: Vec::new(),
        },
        Outcome::Undetermined(u) => OutcomeJson::Undetermined {
            reason: words::undetermined_code(u),
        },
        Outcome::NotEvaluated => OutcomeJson::Undetermined {
            reason: "not_evaluated",
        },
    }
}

fn applied_json(a: Applied) -> AppliedJson {
    match a {
        Applied::Rule(r) => AppliedJson::Rule(r.index()),
        Applied::Default(d) => AppliedJson::Default { default: d.index() },
        Applied::Row(t, i) => AppliedJson::Row {
            row: t.index(),
            index: i,
        },
    }
}

/// The document-wide table of missing facts: each fact once, with every rule
/// (or default) waiting on it in any verdict.
#[derive(Default)]
struct Missing<'a> {
    list: Vec<(FactId, MissingJson<'a>)>,
}

impl<'a> Missing<'a> {
    fn id(&mut self, p: &'a Program, fact: FactId, waiting: &[Via]) -> usize {
        let i = match self.list.iter().position(|(f, _)| *f == fact) {
            Some(i) => i,
            None => {
                self.list.push((
                    fact,
                    MissingJson {
                        fact: words::fact_path(p, fact),
                        waiting: Vec::new(),
                    },
                ));
                self.list.len() - 1
            }
        };
        if let Some((_, entry)) = self.list.get_mut(i) {
            for w in waiting {
                let w = via_json(*w);
                if !entry.waiting.iter().any(|x| same_via(x, &w)) {
                    entry.waiting.push(w);
                }
            }
        }
        i
    }
}

fn same_via(a: &ViaJson, b: &ViaJson) -> bool {
    match (a, b) {
        (ViaJson::Rule(x), ViaJson::Rule(y)) => x == y,
        (ViaJson::Default { default: x }, ViaJson::Default { default: y }) => x == y,
        _ => false,
    }
}

fn verdict_json<'a>(
    e: &'a Evaluation<'a>,
    def: DefId,
    x: &Explained,
    missing: &mut Missing<'a>,
) -> VerdictJson<'a> {
    let p = e.program;
    let info = p.definitions.get(def.index());
    VerdictJson {
        name: info.map_or("?", |d| d.name.as_str()),
        outcome: outcome_json(e, def),
        root: e.graph.node_of(def),
        decisive_facts: FactsJson::new(p, e.case, x.case_facts(p)),
        decisive_settings: x
            .facts
            .iter()
            .filter(|f| {
                p.facts
                    .get(f.fact.index())
                    .is_some_and(|i| i.setting.is_some())
            })
            .map(|f| words::fact_path(p, f.fact))
            .collect(),
        as_of_decisive: x.as_of_decisive,
        rests_on: x.rests_on_ids(p),
        applied: x.applied.iter().map(|a| applied_json(*a)).collect(),
        considered: x.considered.iter().map(|c| c.rule.index()).collect(),
        missing_facts: x
            .pending
            .iter()
            .map(|m| missing.id(p, m.fact, &m.waiting))
            .collect(),
        discretions: x
            .discretions
            .iter()
            .map(|d| DiscretionJson {
                rule: d.rule.index(),
                status: discretion_status(d.state),
                conditions_hold: d.condition,
                decisive: d.decisive,
            })
            .collect(),
    }
}

fn discretion_status(state: DiscretionState) -> &'static str {
    match state {
        DiscretionState::Open => "open",
        DiscretionState::Exercised => "exercised",
        DiscretionState::Declined => "declined",
    }
}

impl Evaluation<'_> {
    fn document(&self) -> Doc<'_> {
        let mut missing = Missing::default();
        let (mut x, mut seen) = (Explained::default(), Vec::new());
        let verdicts = self
            .verdict_ids()
            .iter()
            .map(|&d| {
                analysis::explain_into(self, d, &mut x, &mut seen);
                verdict_json(self, d, &x, &mut missing)
            })
            .collect();
        Doc {
            schema: SCHEMA,
            program: &self.program.digest,
            case: self.description(),
            as_of: self.as_of(),
            verdicts: VerdictsJson(verdicts),
            nodes: NodesJson { e: self },
            missing: missing.list.into_iter().map(|(_, m)| m).collect(),
        }
    }

    /// Pretty JSON of the evaluation (the documented schema).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.document())
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Compact JSON on one line (for batches).
    pub fn to_json_line(&self) -> String {
        let mut out = Vec::new();
        self.append_json_line(&mut out);
        String::from_utf8(out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Writes compact JSON straight to a writer.
    pub fn write_json(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        let mut line = Vec::new();
        self.append_json_line(&mut line);
        out.write_all(&line)
    }

    /// Appends the compact JSON to `out`: the same bytes as serde's compact
    /// form of the document (a test checks it over the corpus), with the
    /// nodes, most of a document, written straight from the graph
    /// ([`write_nodes`]) rather than through serde.
    pub(crate) fn append_json_line(&self, out: &mut Vec<u8>) {
        let doc = self.document();
        // Writing to a `Vec` cannot fail, and the document serialises only
        // strings, numbers, lists and maps with string keys.
        out.extend_from_slice(b"{\"schema\":");
        json_str(out, doc.schema);
        out.extend_from_slice(b",\"program\":");
        json_str(out, doc.program);
        out.extend_from_slice(b",\"case\":");
        let _ = serde_json::to_writer(&mut *out, &doc.case);
        out.extend_from_slice(b",\"as_of\":");
        json_str(out, &doc.as_of);
        out.extend_from_slice(b",\"verdicts\":");
        let _ = serde_json::to_writer(&mut *out, &doc.verdicts);
        out.extend_from_slice(b",\"nodes\":");
        write_nodes(self, out);
        if !doc.missing.is_empty() {
            out.extend_from_slice(b",\"missing\":");
            let _ = serde_json::to_writer(&mut *out, &doc.missing);
        }
        out.push(b'}');
    }

    /// The compact JSON as serde writes the document: the reference the
    /// direct writer is checked against.
    #[cfg(test)]
    pub(crate) fn json_line_by_serde(&self) -> String {
        serde_json::to_string(&self.document()).unwrap_or_default()
    }

    /// Writes one verdict compactly: its outcome, decisive facts (in the
    /// shape of a case file's `facts`), the citations it rests on (ids of the
    /// program manifest) and, when undetermined, the paths of the facts it
    /// waits on. What `refuge eval CASES.jsonl --output verdicts` writes per
    /// verdict, under the verdict's name.
    pub fn write_verdict_json(
        &self,
        def: DefId,
        mut out: impl std::io::Write,
    ) -> std::io::Result<()> {
        let mut line = Vec::new();
        self.verdict_line(def, &self.explain(def)).append(&mut line);
        out.write_all(&line)
    }

    /// Writes `{"verdicts": {name: verdict, ...}}`: each verdict asked, in
    /// the order asked, as [`Evaluation::write_verdict_json`] writes it. What
    /// `refuge eval CASES.jsonl --output verdicts` writes per case.
    pub fn write_verdicts_json(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        let mut line = Vec::new();
        self.append_verdicts_json(&mut line);
        out.write_all(&line)
    }

    /// Appends `{"verdicts": {...}}` to `out`, explaining each verdict in
    /// turn in the same memory.
    pub(crate) fn append_verdicts_json(&self, out: &mut Vec<u8>) {
        let (mut x, mut seen) = (Explained::default(), Vec::new());
        out.extend_from_slice(b"{\"verdicts\":{");
        for (i, &def) in self.verdict_ids().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            analysis::explain_into(self, def, &mut x, &mut seen);
            let line = self.verdict_line(def, &x);
            json_str(out, line.name);
            out.push(b':');
            line.append(out);
        }
        out.extend_from_slice(b"}}");
    }

    /// `{"verdicts": {...}}` as serde writes it: the reference the direct
    /// writer is checked against.
    #[cfg(test)]
    pub(crate) fn verdicts_json_by_serde(&self) -> String {
        let lines: Vec<String> = self
            .verdict_ids()
            .iter()
            .map(|&d| {
                let line = self.verdict_line(d, &self.explain(d));
                format!(
                    "{}:{}",
                    serde_json::to_string(line.name).unwrap_or_default(),
                    serde_json::to_string(&line).unwrap_or_default()
                )
            })
            .collect();
        format!("{{\"verdicts\":{{{}}}}}", lines.join(","))
    }

    fn verdict_line<'s>(&'s self, def: DefId, x: &Explained) -> VerdictLine<'s> {
        let p = self.program;
        VerdictLine {
            name: p
                .definitions
                .get(def.index())
                .map_or("?", |d| d.name.as_str()),
            outcome: outcome_json(self, def),
            decisive_facts: FactsJson::new(p, self.case, x.case_facts(p)),
            rests_on: x.rests_on_ids(p),
            missing_facts: x
                .pending
                .iter()
                .map(|m| words::fact_path(p, m.fact))
                .collect(),
        }
    }
}

/// The nodes in compact JSON, written straight to `out`: what [`NodesJson`]
/// serialises, byte for byte, without serde's per-key escaping (the keys and
/// statuses are fixed words; names and values go through [`json_str`] and
/// [`write_value`]).
fn write_nodes(e: &Evaluation<'_>, out: &mut Vec<u8>) {
    let p = e.program;
    out.push(b'[');
    for (i, node) in e.graph.nodes().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"definition\":");
        write_int(out, node.def.index());
        if let Some(value) = &node.value {
            out.extend_from_slice(b",\"value\":");
            write_value(out, p, value);
        }
        match node.decided {
            Decided::Rules => out.extend_from_slice(b",\"decided\":\"rules\""),
            Decided::Default => out.extend_from_slice(b",\"decided\":\"default\""),
            Decided::Undetermined(_) => {}
        }
        let rules = e.graph.rules_of(node);
        if !rules.is_empty() {
            out.extend_from_slice(b",\"rules\":[");
            for (k, r) in rules.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"rule\":");
                write_int(out, r.rule.index());
                out.extend_from_slice(b",\"status\":");
                json_str(out, RuleStatus::of(r).as_str());
                if let Some(value) = computed_value(p, r) {
                    out.extend_from_slice(b",\"value\":");
                    write_value(out, p, value);
                }
                if !r.condition_reads.is_empty() {
                    out.extend_from_slice(b",\"reads\":");
                    write_reads(&ReadsJson::new(e, r.condition_reads), out);
                }
                if !r.value_reads.is_empty() {
                    out.extend_from_slice(b",\"value_reads\":");
                    write_reads(&ReadsJson::new(e, r.value_reads), out);
                }
                out.push(b'}');
            }
            out.push(b']');
        }
        if !node.default_reads.is_empty() {
            out.extend_from_slice(b",\"default_reads\":");
            write_reads(&ReadsJson::new(e, node.default_reads), out);
        }
        out.push(b'}');
    }
    out.push(b']');
}

/// A list of reads as [`ReadsJson`] serialises it.
fn write_reads(reads: &ReadsJson<'_, '_>, out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, ReadJson { of, decisive }) in reads.distinct().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match (of, decisive) {
            (ReadOfJson::Fact(path), true) => json_str(out, path),
            (ReadOfJson::Node(Some(i)), true) => write_int(out, i),
            (of, decisive) => {
                match of {
                    ReadOfJson::Fact(path) => {
                        out.extend_from_slice(b"{\"fact\":");
                        json_str(out, path);
                    }
                    ReadOfJson::Setting(path) => {
                        out.extend_from_slice(b"{\"setting\":");
                        json_str(out, path);
                    }
                    ReadOfJson::Node(i) => {
                        out.extend_from_slice(b"{\"node\":");
                        match i {
                            Some(i) => write_int(out, i),
                            None => out.extend_from_slice(b"null"),
                        }
                    }
                    ReadOfJson::Row { table, index, keys } => {
                        out.extend_from_slice(b"{\"table\":");
                        write_int(out, table);
                        out.extend_from_slice(b",\"index\":");
                        match index {
                            Some(i) => write_int(out, i as usize),
                            None => out.extend_from_slice(b"null"),
                        }
                        out.extend_from_slice(b",\"keys\":[");
                        for (k, key) in keys.keys.iter().enumerate() {
                            if k > 0 {
                                out.push(b',');
                            }
                            write_value(out, keys.program, key);
                        }
                        out.push(b']');
                    }
                    ReadOfJson::AsOf => out.extend_from_slice(b"{\"as_of\":true"),
                }
                if !decisive {
                    out.extend_from_slice(b",\"decisive\":false");
                }
                out.push(b'}');
            }
        }
    }
    out.push(b']');
}

fn write_ints(out: &mut Vec<u8>, ns: &[usize]) {
    out.push(b'[');
    for (i, n) in ns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_int(out, *n);
    }
    out.push(b']');
}

fn write_int(out: &mut Vec<u8>, n: usize) {
    // Writing to a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, &n);
}

#[derive(Serialize)]
struct Manifest<'a> {
    schema: &'static str,
    digest: &'a str,
    definitions: Vec<DefinitionEntry<'a>>,
    rules: Vec<RuleEntry<'a>>,
    tables: Vec<TableEntry<'a>>,
    citations: Vec<CitationEntry<'a>>,
    sources: Vec<SourceEntry<'a>>,
}

#[derive(Serialize)]
struct DefinitionEntry<'a> {
    name: &'a str,
    label: Option<&'a str>,
    #[serde(rename = "type")]
    ty: String,
    verdict: bool,
    default_citations: Vec<usize>,
}

#[derive(Serialize)]
struct RuleEntry<'a> {
    name: &'a str,
    definition: usize,
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<usize>,
    modality: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    holder: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permits: Option<&'a str>,
    absolute: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<ValueJson<'a>>,
    citations: Vec<usize>,
    location: &'a str,
}

#[derive(Serialize)]
struct TableEntry<'a> {
    name: &'a str,
    label: Option<&'a str>,
    row_citations: Vec<Vec<usize>>,
}

#[derive(Serialize)]
struct CitationEntry<'a> {
    source: &'a str,
    pinpoint: serde_json::Value,
}

#[derive(Serialize)]
struct SourceEntry<'a> {
    name: &'a str,
    title: &'a str,
    kind: &'static str,
}

impl Program {
    fn cite_ids(&self, meta: &crate::ir::Meta) -> Vec<usize> {
        meta.cites
            .iter()
            .filter_map(|c| self.citation_id(c))
            .collect()
    }

    /// The program manifest (`refuge.program/1`, docs/json-schema.md): what
    /// each definition, rule, table, citation and source the JSON evaluation
    /// refers to by index is called, cites and where it is written. Printed by
    /// `refuge manifest`.
    pub fn manifest_json(&self) -> String {
        let constants: Vec<Option<Value>> = self
            .rules
            .iter()
            .map(|r| r.value.as_ref().and_then(crate::ir::constant))
            .collect();
        let manifest = Manifest {
            schema: MANIFEST_SCHEMA,
            digest: &self.digest,
            definitions: self
                .definitions
                .iter()
                .map(|d| DefinitionEntry {
                    name: &d.name,
                    label: d.label.as_deref(),
                    ty: self.type_name(d.ty),
                    verdict: d.is_verdict,
                    default_citations: d
                        .default
                        .as_ref()
                        .map(|x| self.cite_ids(&x.meta))
                        .unwrap_or_default(),
                })
                .collect(),
            rules: self
                .rules
                .iter()
                .zip(&constants)
                .enumerate()
                .map(|(i, (r, constant))| RuleEntry {
                    name: &r.name,
                    definition: r.def.index(),
                    kind: match r.kind {
                        RuleKind::Base => "rule",
                        RuleKind::Overrides(_) => "overrides",
                        RuleKind::Lifts(_) => "lifts",
                    },
                    targets: match &r.kind {
                        RuleKind::Base => Vec::new(),
                        RuleKind::Overrides(t) | RuleKind::Lifts(t) => {
                            t.iter().map(|r| r.index()).collect()
                        }
                    },
                    modality: if r.may.is_some() { "may" } else { "must" },
                    holder: r.may.as_ref().map(|m| m.holder.as_str()),
                    permits: r.may.as_ref().map(|m| m.permits.as_str()),
                    absolute: r.absolute,
                    value: constant.as_ref().map(|v| ValueJson::new(self, v)),
                    citations: self.cite_ids(&r.meta),
                    location: self.rule_locations.get(i).map_or("", String::as_str),
                })
                .collect(),
            tables: self
                .tables
                .iter()
                .map(|t| TableEntry {
                    name: &t.name,
                    label: t.label.as_deref(),
                    row_citations: t.rows.iter().map(|r| self.cite_ids(&r.meta)).collect(),
                })
                .collect(),
            citations: self
                .citations
                .iter()
                .map(|c| CitationEntry {
                    source: self
                        .sources
                        .get(c.source.index())
                        .map_or("?", |s| s.name.as_ref()),
                    pinpoint: c.pinpoint.to_json(),
                })
                .collect(),
            sources: self
                .sources
                .iter()
                .map(|s| SourceEntry {
                    name: &s.name,
                    title: &s.title,
                    kind: s.kind.as_str(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
