//! Turning a definition's trace into a self-contained [`Verdict`].

use super::{DecidedBy, DefResult, DiscretionState, Read, RuleResult, Run};
use crate::explain::{
    CitationRef, Decision, DefinitionUse, Discretion, FactRef, FactUse, Outcome, Read as ReadOut,
    RowUse, RuleStatus, RuleTrace, Verdict,
};
use crate::ir::{Citation, DefId, FactId, RuleKind};
use crate::value::Value;

impl Run<'_> {
    fn citation(&self, c: &Citation) -> CitationRef {
        let source = self.program.sources.get(c.source.index());
        CitationRef {
            source: source.map_or_else(|| "?".into(), |s| s.name.clone()),
            kind: source.map_or("?", |s| s.kind.as_str()),
            title: source.map_or_else(|| "".into(), |s| s.title.clone()),
            pinpoint: c.pinpoint_text().clone(),
        }
    }

    fn citations_of_rule(&self, rule: crate::ir::RuleId) -> Vec<CitationRef> {
        self.program
            .rules
            .get(rule.index())
            .map(|r| r.meta.cites.iter().map(|c| self.citation(c)).collect())
            .unwrap_or_default()
    }

    fn outcome(&self, def: DefId, result: &DefResult) -> Outcome {
        match &result.value {
            Some(v) => Outcome::Decided {
                value: v.to_json(self.program),
                display: v.display(self.program),
                label: match v {
                    Value::Enum(e, i) => self
                        .program
                        .enums
                        .get(e.index())
                        .and_then(|e| e.variants.get(*i as usize))
                        .and_then(|v| v.1.clone()),
                    Value::Bool(b) => self
                        .program
                        .definitions
                        .get(def.index())
                        .and_then(|d| d.label.clone())
                        .map(|l| if *b { l } else { format!("not: {l}") }),
                    _ => None,
                },
            },
            None => Outcome::Undetermined {
                reason: result.undetermined.as_ref().map_or_else(
                    || "depends on missing facts".into(),
                    |u| u.describe(self.program),
                ),
            },
        }
    }

    fn decision(&self, def: DefId, result: &DefResult) -> Decision {
        match &result.decided_by {
            DecidedBy::Rules(rules) => Decision::Rules {
                rules: rules
                    .iter()
                    .filter_map(|r| self.program.rules.get(r.index()).map(|r| r.name.clone()))
                    .collect(),
            },
            DecidedBy::Default => Decision::Default {
                citations: self
                    .program
                    .definitions
                    .get(def.index())
                    .and_then(|d| d.default.as_ref())
                    .map(|d| d.meta.cites.iter().map(|c| self.citation(c)).collect())
                    .unwrap_or_default(),
            },
            DecidedBy::Nothing => Decision::Nothing,
        }
    }

    fn read_out(&self, read: &Read, decisive: bool) -> ReadOut {
        let program = self.program;
        match read {
            Read::Fact(f) => ReadOut {
                kind: if program
                    .facts
                    .get(f.index())
                    .is_some_and(|f| f.setting.is_some())
                {
                    "setting"
                } else {
                    "fact"
                },
                name: program
                    .facts
                    .get(f.index())
                    .map_or("?".into(), |f| f.path.clone()),
                value: self.case.fact(*f).map(|v| v.display(program)),
                decisive,
            },
            Read::Def(d) => ReadOut {
                kind: "definition",
                name: program
                    .definitions
                    .get(d.index())
                    .map_or("?".into(), |d| d.name.clone()),
                value: self.def_value(*d).map(|v| v.display(program)),
                decisive,
            },
            Read::Row(t, row, keys) => ReadOut {
                kind: "row",
                name: format!(
                    "{}[{}]",
                    program
                        .tables
                        .get(t.index())
                        .map_or("?", |t| t.name.as_str()),
                    keys.iter()
                        .map(|k| k.display(program))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                value: Some(if row.is_some() {
                    "in force".into()
                } else {
                    "no row in force".into()
                }),
                decisive,
            },
            Read::AsOf => ReadOut {
                kind: "date",
                name: "as_of".into(),
                value: Some(self.as_of.to_string()),
                decisive,
            },
        }
    }

    fn def_value(&self, d: DefId) -> Option<&Value> {
        self.results.get(d.index())?.as_ref()?.value.as_ref()
    }

    fn rule_trace(&self, result: &DefResult, r: &RuleResult) -> Option<RuleTrace> {
        let rule = self.program.rules.get(r.rule.index())?;
        let status = match (r.in_force, r.discretion, r.condition, r.active) {
            (false, ..) => RuleStatus::NotInForce,
            (_, _, Some(false), _) => RuleStatus::NotApplicable,
            (_, Some(DiscretionState::Declined), ..) => RuleStatus::DiscretionDeclined,
            (_, Some(DiscretionState::Open), ..) => RuleStatus::DiscretionOpen,
            (_, _, None, _) => RuleStatus::Unknown,
            (_, _, _, Some(true)) => {
                if r.discretion == Some(DiscretionState::Exercised) {
                    RuleStatus::DiscretionExercised
                } else {
                    RuleStatus::Applied
                }
            }
            (_, _, _, Some(false)) => RuleStatus::Overridden,
            (_, _, _, None) => RuleStatus::Unknown,
        };
        let name =
            |id: &crate::ir::RuleId| self.program.rules.get(id.index()).map(|r| r.name.clone());
        let reads = result
            .reads
            .get(r.reads.clone())
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, read)| {
                let index = r.reads.start + i;
                self.read_out(read, r.settled.contains(&index))
            });
        let mut unique: Vec<ReadOut> = Vec::new();
        for read in reads {
            match unique
                .iter_mut()
                .find(|u| u.name == read.name && u.kind == read.kind)
            {
                Some(u) => u.decisive |= read.decisive,
                None => unique.push(read),
            }
        }
        Some(RuleTrace {
            name: rule.name.clone(),
            kind: if rule.kind == RuleKind::Base {
                "rule"
            } else {
                "exception"
            },
            mode: match rule.kind {
                RuleKind::Base => None,
                RuleKind::Overrides(_) => Some("overrides"),
                RuleKind::Lifts(_) => Some("lifts"),
            },
            targets: rule.kind.targets().iter().filter_map(name).collect(),
            modality: if rule.may.is_some() { "may" } else { "must" },
            absolute: rule.absolute,
            status,
            value: r.value.as_ref().map(|v| v.display(self.program)),
            defeated_by: if r.defeated == Some(false) {
                Vec::new()
            } else {
                r.defeated_by.iter().filter_map(name).collect()
            },
            reads: unique,
            from: rule.meta.from.map(|d| d.to_string()),
            until: rule.meta.until.map(|d| d.to_string()),
            citations: self.citations_of_rule(r.rule),
            provenance: rule.meta.provenance.map(|p| p.as_str()),
            notes: rule.meta.notes.clone(),
            location: String::new(),
        })
    }

    /// Missing facts that would decide an undetermined definition.
    fn missing(&self, def: DefId, out: &mut Vec<FactId>, seen: &mut Vec<DefId>) {
        if seen.contains(&def) {
            return;
        }
        seen.push(def);
        let Some(Some(result)) = self.results.get(def.index()) else {
            return;
        };
        if result.value.is_some() {
            return;
        }
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
        for r in &result.rules {
            if r.condition.is_none()
                || (r.active.is_none() || r.active == Some(true)) && r.value.is_none()
            {
                ranges.push(r.settled.clone());
                if r.condition.is_some() {
                    ranges.push(r.reads.clone());
                }
            }
        }
        if result.decided_by == DecidedBy::Default || result.rules.is_empty() {
            let end = result.reads.len();
            let last = result.rules.iter().map(|r| r.reads.end).max().unwrap_or(0);
            ranges.push(last..end);
        }
        for range in ranges {
            for read in result.reads.get(range).unwrap_or(&[]) {
                match read {
                    Read::Fact(f) if self.case.fact(*f).is_none() && !out.contains(f) => {
                        out.push(*f)
                    }
                    Read::Def(d) if self.def_value(*d).is_none() => self.missing(*d, out, seen),
                    _ => {}
                }
            }
        }
    }

    /// The definitions `def`'s rules read directly, in first-read order.
    fn direct_reads(&self, def: DefId) -> Vec<DefId> {
        let mut out = Vec::new();
        let Some(Some(result)) = self.results.get(def.index()) else {
            return out;
        };
        for read in &result.reads {
            if let Read::Def(d) = read {
                if !out.contains(d) {
                    out.push(*d);
                }
            }
        }
        out
    }

    /// The explanation of one evaluated definition.
    pub(crate) fn explain(&self, def: DefId) -> Verdict {
        let program = self.program;
        let info = program.definitions.get(def.index());
        let empty = DefResult {
            value: None,
            decided_by: DecidedBy::Nothing,
            rules: Vec::new(),
            reads: Vec::new(),
            undetermined: Some(super::Undetermined::NotEvaluated),
        };
        let result = self
            .results
            .get(def.index())
            .and_then(Option::as_ref)
            .unwrap_or(&empty);
        let rules: Vec<RuleTrace> = result
            .rules
            .iter()
            .filter_map(|r| self.rule_trace(result, r))
            .collect();

        let mut facts: Vec<FactUse> = Vec::new();
        let mut rows: Vec<RowUse> = Vec::new();
        for read in &result.reads {
            match read {
                Read::Fact(f) => {
                    let Some(fact) = program.facts.get(f.index()) else {
                        continue;
                    };
                    if !facts.iter().any(|u| u.path == fact.path) {
                        facts.push(FactUse {
                            path: fact.path.clone(),
                            setting: fact.setting.is_some(),
                            label: fact.label.clone(),
                            value: self.case.fact(*f).map(|v| v.display(program)),
                        });
                    }
                }
                Read::Row(t, row, keys) => {
                    let Some(table) = program.tables.get(t.index()) else {
                        continue;
                    };
                    let keys_text = keys
                        .iter()
                        .map(|k| k.display(program))
                        .collect::<Vec<_>>()
                        .join(", ");
                    if rows
                        .iter()
                        .any(|r| r.table == table.name && r.keys == keys_text)
                    {
                        continue;
                    }
                    let found = row.and_then(|i| table.rows.get(i));
                    rows.push(RowUse {
                        table: table.name.clone(),
                        keys: keys_text,
                        cells: found
                            .map(|r| {
                                table
                                    .columns
                                    .iter()
                                    .zip(&r.cells)
                                    .map(|(c, v)| (c.0.clone(), v.display(program)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        found: found.is_some(),
                        citations: found
                            .map(|r| r.meta.cites.iter().map(|c| self.citation(c)).collect())
                            .unwrap_or_default(),
                        provenance: found.and_then(|r| r.meta.provenance.map(|p| p.as_str())),
                    });
                }
                Read::Def(_) | Read::AsOf => {}
            }
        }

        let definitions: Vec<DefinitionUse> = self
            .direct_reads(def)
            .iter()
            .filter_map(|d| {
                let info = program.definitions.get(d.index())?;
                let r = self.results.get(d.index())?.as_ref()?;
                let mut citations: Vec<CitationRef> = match &r.decided_by {
                    DecidedBy::Rules(rules) => rules
                        .iter()
                        .flat_map(|r| self.citations_of_rule(*r))
                        .collect(),
                    DecidedBy::Default => info
                        .default
                        .as_ref()
                        .map(|d| d.meta.cites.iter().map(|c| self.citation(c)).collect())
                        .unwrap_or_default(),
                    DecidedBy::Nothing => Vec::new(),
                };
                let mut overrides = Vec::new();
                for rule in r.rules.iter().filter(|x| x.defeated == Some(true)) {
                    for e in &rule.defeated_by {
                        let Some(exception) = program.rules.get(e.index()) else {
                            continue;
                        };
                        overrides.push(crate::explain::Override {
                            exception: exception.name.clone(),
                            mode: if matches!(exception.kind, RuleKind::Lifts(_)) {
                                "lifts"
                            } else {
                                "overrides"
                            },
                            rule: program
                                .rules
                                .get(rule.rule.index())
                                .map_or_else(String::new, |x| x.name.clone()),
                        });
                        for c in self.citations_of_rule(*e) {
                            if !citations.contains(&c) {
                                citations.push(c);
                            }
                        }
                    }
                }
                Some(DefinitionUse {
                    name: info.name.clone(),
                    label: info.label.clone(),
                    outcome: self.outcome(*d, r),
                    decision: self.decision(*d, r),
                    overrides,
                    citations,
                })
            })
            .collect();

        let mut missing_ids = Vec::new();
        self.missing(def, &mut missing_ids, &mut Vec::new());
        let missing_facts = missing_ids
            .iter()
            .filter_map(|f| program.facts.get(f.index()))
            .map(|f| FactRef {
                path: f.path.clone(),
                label: f.label.clone(),
                r#type: program.type_name(f.ty),
            })
            .collect();

        let discretions = result
            .rules
            .iter()
            .filter(|r| r.discretion.is_some() && r.in_force && r.condition != Some(false))
            .filter_map(|r| {
                let rule = program.rules.get(r.rule.index())?;
                let may = rule.may.as_ref()?;
                Some(Discretion {
                    rule: rule.name.clone(),
                    holder: may.holder.clone(),
                    permits: may.permits.clone(),
                    status: match r.discretion {
                        Some(DiscretionState::Exercised) => "exercised",
                        Some(DiscretionState::Declined) => "declined",
                        _ => "open",
                    },
                    conditions_hold: r.condition == Some(true),
                    value_if_exercised: r.value.as_ref().map(|v| v.display(program)),
                    citations: self.citations_of_rule(r.rule),
                })
            })
            .collect();

        // Every citation behind the outcome: deciding rules, the exceptions
        // that defeated rules, open discretions, rows and relied-on definitions.
        let mut citations: Vec<CitationRef> = Vec::new();
        let mut add = |cs: Vec<CitationRef>| {
            for c in cs {
                if !citations.contains(&c) {
                    citations.push(c);
                }
            }
        };
        let decision = self.decision(def, result);
        match &decision {
            Decision::Rules { .. } => {
                if let DecidedBy::Rules(ids) = &result.decided_by {
                    for id in ids {
                        add(self.citations_of_rule(*id));
                    }
                }
            }
            Decision::Default { citations } => add(citations.clone()),
            Decision::Nothing => {}
        }
        for r in &result.rules {
            for e in &r.defeated_by {
                add(self.citations_of_rule(*e));
            }
            if r.discretion.is_some() && r.condition != Some(false) && r.in_force {
                add(self.citations_of_rule(r.rule));
            }
        }
        for row in &rows {
            add(row.citations.clone());
        }
        for d in &definitions {
            add(d.citations.clone());
        }

        Verdict {
            name: info.map_or("?".into(), |d| d.name.clone()),
            label: info.and_then(|d| d.label.clone()),
            module: info.map_or(String::new(), |d| d.module.clone()),
            outcome: self.outcome(def, result),
            decision,
            rules,
            facts,
            definitions,
            rows,
            missing_facts,
            discretions,
            citations,
        }
    }
}
