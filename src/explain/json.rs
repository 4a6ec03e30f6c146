//! The JSON rendering, schema `refuge.evaluation/2` (docs/json-schema.md,
//! docs/evaluation.schema.json): the graph's nodes once, by index; per
//! verdict its outcome, root node, decisive facts, the law it rests on and
//! what was considered; citations and rules once, in tables.

use super::analysis::{Applied, Explained};
use super::words::{self, RuleStatus};
use super::{Evaluation, Outcome};
use crate::eval::graph::{Decided, DiscretionState, ReadEntry, ReadOf, Span32};
use crate::ir::{Citation, Program, RuleId};
use serde::Serialize;
use serde_json::Value as Json;

/// The version tag of the JSON schema.
pub const SCHEMA: &str = "refuge.evaluation/2";

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    case: Option<&'a str>,
    as_of: String,
    verdicts: Vec<VerdictJson<'a>>,
    nodes: Vec<NodeJson<'a>>,
    rules: serde_json::Map<String, Json>,
    citations: Vec<CiteJson<'a>>,
    sources: serde_json::Map<String, Json>,
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    name: &'a str,
    label: Option<&'a str>,
    outcome: Json,
    root: Option<usize>,
    decisive_facts: Json,
    decisive_settings: Vec<&'a str>,
    as_of_decisive: bool,
    rests_on: Vec<usize>,
    applied: Vec<Json>,
    considered: Vec<Json>,
    missing_facts: Vec<Json>,
    discretions: Vec<Json>,
}

#[derive(Serialize)]
struct NodeJson<'a> {
    definition: &'a str,
    value: Json,
    decided: &'static str,
    rules: Vec<Json>,
    default_reads: Vec<Json>,
}

#[derive(Serialize)]
struct CiteJson<'a> {
    source: &'a str,
    pinpoint: Json,
}

/// A per-document table of citations, by first use.
struct Cites<'p> {
    list: Vec<&'p Citation>,
}

impl<'p> Cites<'p> {
    fn id(&mut self, c: &'p Citation) -> usize {
        match self
            .list
            .iter()
            .position(|x| x.source == c.source && x.pinpoint == c.pinpoint)
        {
            Some(i) => i,
            None => {
                self.list.push(c);
                self.list.len() - 1
            }
        }
    }
}

fn value_json(p: &Program, v: Option<&crate::value::Value>) -> Json {
    v.map_or(Json::Null, |v| v.to_json(p))
}

fn read_json(e: &Evaluation<'_>, r: &ReadEntry) -> Json {
    let p = e.program;
    let mut m = serde_json::Map::new();
    match r.of {
        ReadOf::Fact(f) => {
            let setting = p.facts.get(f.index()).is_some_and(|f| f.setting.is_some());
            m.insert(
                (if setting { "setting" } else { "fact" }).into(),
                Json::from(words::fact_path(p, f)),
            );
        }
        ReadOf::Def(d) => {
            m.insert(
                "node".into(),
                e.graph.node_of(d).map_or(Json::Null, Json::from),
            );
        }
        ReadOf::Row { table, row, keys } => {
            m.insert(
                "row".into(),
                Json::from(p.tables.get(table.index()).map_or("?", |t| t.name.as_str())),
            );
            m.insert(
                "keys".into(),
                Json::Array(e.graph.keys(keys).iter().map(|k| k.to_json(p)).collect()),
            );
            m.insert("found".into(), Json::Bool(row.is_some()));
        }
        ReadOf::AsOf => {
            m.insert("as_of".into(), Json::Bool(true));
        }
    }
    if r.mark {
        m.insert("decisive".into(), Json::Bool(true));
    }
    Json::Object(m)
}

fn reads_json(e: &Evaluation<'_>, range: Span32) -> Vec<Json> {
    e.graph
        .reads(range)
        .iter()
        .map(|r| read_json(e, r))
        .collect()
}

fn outcome_json(e: &Evaluation<'_>, def: crate::ir::DefId) -> Json {
    let p = e.program;
    match e.outcome(def) {
        Outcome::ByRules(v) | Outcome::ByDefault(v) => {
            let by_rules = matches!(e.outcome(def), Outcome::ByRules(_));
            let rules: Vec<&str> = e
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
                        .map(|r| words::rule_name(p, r.rule))
                        .collect()
                })
                .unwrap_or_default();
            serde_json::json!({
                "status": "decided",
                "value": v.to_json(p),
                "display": v.display(p),
                "label": words::value_label(p, def, v),
                "by": if by_rules { "rules" } else { "default" },
                "rules": if by_rules { rules } else { Vec::new() },
            })
        }
        Outcome::Undetermined(u) => serde_json::json!({
            "status": "undetermined",
            "reason": words::undetermined_code(u),
            "explanation": words::undetermined(u),
        }),
        Outcome::NotEvaluated => serde_json::json!({
            "status": "undetermined",
            "reason": "not_evaluated",
            "explanation": "not evaluated",
        }),
    }
}

fn applied_json(p: &Program, a: Applied) -> Json {
    match a {
        Applied::Rule(r) => Json::from(words::rule_name(p, r)),
        Applied::Default(d) => serde_json::json!({ "default": words::def_name(p, d) }),
        Applied::Row(t, i) => serde_json::json!({
            "row": p.tables.get(t.index()).map_or("?", |t| t.name.as_str()),
            "index": i,
        }),
    }
}

fn verdict_json<'a>(
    e: &'a Evaluation<'a>,
    def: crate::ir::DefId,
    x: &Explained,
    cites: &mut Cites<'a>,
    used_rules: &mut Vec<RuleId>,
) -> VerdictJson<'a> {
    let p = e.program;
    let info = p.definitions.get(def.index());
    let rests_on = x.rests_on(p).into_iter().map(|c| cites.id(c)).collect();
    let considered = x
        .considered
        .iter()
        .map(|c| {
            used_rules.push(c.rule);
            match c.reason {
                super::NotApplied::DefeatedBy(r) => serde_json::json!({
                    "rule": words::rule_name(p, c.rule),
                    "reason": words::not_applied_code(c.reason),
                    "by": words::rule_name(p, r),
                }),
                _ => serde_json::json!({
                    "rule": words::rule_name(p, c.rule),
                    "reason": words::not_applied_code(c.reason),
                }),
            }
        })
        .collect();
    let missing_facts = x
        .pending
        .iter()
        .map(|m| {
            let info = p.facts.get(m.fact.index());
            serde_json::json!({
                "path": words::fact_path(p, m.fact),
                "type": info.map_or("?".to_string(), |f| p.type_name(f.ty)),
                "waiting": m.waiting.iter().map(|w| words::via_name(p, *w)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let discretions = x
        .discretions
        .iter()
        .map(|d| {
            used_rules.push(d.rule);
            let may = p.rules.get(d.rule.index()).and_then(|r| r.may.as_ref());
            serde_json::json!({
                "rule": words::rule_name(p, d.rule),
                "holder": may.map(|m| m.holder.as_str()),
                "permits": may.map(|m| m.permits.as_str()),
                "status": match d.state {
                    DiscretionState::Open => "open",
                    DiscretionState::Exercised => "exercised",
                    DiscretionState::Declined => "declined",
                },
                "conditions_hold": d.condition,
                "decisive": d.decisive,
            })
        })
        .collect();
    for a in &x.applied {
        if let Applied::Rule(r) = a {
            used_rules.push(*r);
        }
    }
    VerdictJson {
        name: info.map_or("?", |d| d.name.as_str()),
        label: info.and_then(|d| d.label.as_deref()),
        outcome: outcome_json(e, def),
        root: e.graph.node_of(def),
        decisive_facts: e.decisive_facts(x),
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
        rests_on,
        applied: x.applied.iter().map(|a| applied_json(p, *a)).collect(),
        considered,
        missing_facts,
        discretions,
    }
}

fn node_json<'a>(
    e: &'a Evaluation<'a>,
    node: &crate::eval::graph::Node,
    used_rules: &mut Vec<RuleId>,
) -> NodeJson<'a> {
    let p = e.program;
    let rules = e
        .graph
        .rules_of(node)
        .iter()
        .map(|r| {
            used_rules.push(r.rule);
            serde_json::json!({
                "rule": words::rule_name(p, r.rule),
                "status": RuleStatus::of(r).as_str(),
                "value": value_json(p, r.value.as_ref()),
                "condition": reads_json(e, r.condition_reads),
                "value_reads": reads_json(e, r.value_reads),
            })
        })
        .collect();
    NodeJson {
        definition: words::def_name(p, node.def),
        value: value_json(p, node.value.as_ref()),
        decided: match node.decided {
            Decided::Rules => "rules",
            Decided::Default => "default",
            Decided::Undetermined(_) => "undetermined",
        },
        rules,
        default_reads: reads_json(e, node.default_reads),
    }
}

impl Evaluation<'_> {
    fn document(&self) -> Doc<'_> {
        let p = self.program;
        let mut cites = Cites { list: Vec::new() };
        let mut used_rules = Vec::new();
        let verdicts = self
            .verdict_ids()
            .iter()
            .map(|&d| {
                let x = self.explain(d);
                verdict_json(self, d, &x, &mut cites, &mut used_rules)
            })
            .collect();
        let nodes = self
            .graph
            .nodes()
            .iter()
            .map(|n| node_json(self, n, &mut used_rules))
            .collect();
        used_rules.sort_unstable();
        used_rules.dedup();
        let mut rules = serde_json::Map::new();
        for r in used_rules {
            let Some(info) = p.rules.get(r.index()) else {
                continue;
            };
            let ids: Vec<usize> = info.meta.cites.iter().map(|c| cites.id(c)).collect();
            rules.insert(
                info.name.clone(),
                serde_json::json!({
                    "kind": match info.kind {
                        crate::ir::RuleKind::Base => "rule",
                        crate::ir::RuleKind::Overrides(_) => "overrides",
                        crate::ir::RuleKind::Lifts(_) => "lifts",
                    },
                    "modality": if info.may.is_some() { "may" } else { "must" },
                    "absolute": info.absolute,
                    "citations": ids,
                    "location": p.rule_locations.get(r.index()).map_or("", String::as_str),
                }),
            );
        }
        Doc {
            schema: SCHEMA,
            case: self.description(),
            as_of: self.as_of(),
            verdicts,
            nodes,
            rules,
            citations: cites
                .list
                .iter()
                .map(|c| CiteJson {
                    source: p
                        .sources
                        .get(c.source.index())
                        .map_or("?", |s| s.name.as_ref()),
                    pinpoint: c.pinpoint.to_json(),
                })
                .collect(),
            sources: {
                let mut used: Vec<usize> = cites.list.iter().map(|c| c.source.index()).collect();
                used.sort_unstable();
                used.dedup();
                used.into_iter()
                    .filter_map(|i| p.sources.get(i))
                    .map(|s| {
                        (
                            s.name.to_string(),
                            serde_json::json!({ "title": s.title.as_ref(), "kind": s.kind.as_str() }),
                        )
                    })
                    .collect()
            },
        }
    }

    /// Pretty JSON of the evaluation (the documented schema).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.document())
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Compact JSON on one line (for batches).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(&self.document())
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Writes compact JSON straight to a writer.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.document()).map_err(std::io::Error::other)
    }
}
