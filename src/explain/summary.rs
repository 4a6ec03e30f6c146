//! An owned, self-contained summary of one verdict, for tools that compare
//! evaluations across policy versions (`refuge diff`) or search for changes
//! (`--why-not`): names and citation text resolved, nothing borrowed.

use super::analysis::Applied;
use super::words::{self, RuleStatus};
use super::{Evaluation, Outcome};
use crate::ir::{Citation, DefId, Program};
use std::sync::Arc;

/// A citation, resolved to text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct CitationRef {
    /// The source's short name.
    pub source: Arc<str>,
    /// The source's kind (`statute`, `treaty`, …).
    pub kind: &'static str,
    /// The source's title.
    pub title: Arc<str>,
    /// Article, paragraph, section or line.
    pub pinpoint: Arc<str>,
}

impl CitationRef {
    /// Resolves a citation.
    pub fn of(program: &Program, c: &Citation) -> CitationRef {
        let source = program.sources.get(c.source.index());
        CitationRef {
            source: source.map_or_else(|| "?".into(), |s| s.name.clone()),
            kind: source.map_or("?", |s| s.kind.as_str()),
            title: source.map_or_else(|| "".into(), |s| s.title.clone()),
            pinpoint: c.pinpoint_text().clone(),
        }
    }
}

/// How a summarised verdict was decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// By these rules (names).
    Rules {
        /// Their names.
        rules: Vec<String>,
    },
    /// By the default.
    Default {
        /// The default's citations.
        citations: Vec<CitationRef>,
    },
    /// Undetermined.
    Nothing,
}

/// One of the verdict's own rules.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTrace {
    /// Rule name.
    pub name: String,
    /// What happened to it.
    pub status: RuleStatus,
    /// Marked absolute.
    pub absolute: bool,
    /// Its citations.
    pub citations: Vec<CitationRef>,
}

/// A definition on the verdict's derivation, with its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct DefinitionUse {
    /// Name.
    pub name: String,
    /// Its value shown, or `undetermined`.
    pub display: String,
}

/// An owned summary of one verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The verdict's name.
    pub name: String,
    /// The value shown, or `undetermined`.
    pub display: String,
    /// For an undetermined verdict: why.
    pub undetermined: Option<String>,
    /// What decided it.
    pub decision: Decision,
    /// Its own rules, in source order.
    pub rules: Vec<RuleTrace>,
    /// Definitions its own rules read, with their outcomes.
    pub definitions: Vec<DefinitionUse>,
    /// The law its own deciding rules, default and applied exceptions cite.
    pub citations: Vec<CitationRef>,
}

impl Evaluation<'_> {
    /// An owned summary of one evaluated definition.
    pub fn summary(&self, def: DefId) -> Verdict {
        let p = self.program;
        let x = self.explain(def);
        let display = self
            .value(def)
            .map_or("undetermined".to_string(), |v| v.display(p));
        let cite = |c: &Citation| CitationRef::of(p, c);
        let decision = match self.outcome(def) {
            Outcome::ByRules(_) => Decision::Rules {
                rules: x
                    .applied
                    .iter()
                    .filter_map(|a| match a {
                        Applied::Rule(r)
                            if p.rules.get(r.index()).is_some_and(|i| i.def == def) =>
                        {
                            Some(words::rule_name(p, *r).to_string())
                        }
                        _ => None,
                    })
                    .collect(),
            },
            Outcome::ByDefault(_) => Decision::Default {
                citations: p
                    .definitions
                    .get(def.index())
                    .and_then(|d| d.default.as_ref())
                    .map(|d| d.meta.cites.iter().map(cite).collect())
                    .unwrap_or_default(),
            },
            _ => Decision::Nothing,
        };
        let rules = self
            .node(def)
            .map(|n| {
                self.graph
                    .rules_of(n)
                    .iter()
                    .filter_map(|r| {
                        let info = p.rules.get(r.rule.index())?;
                        Some(RuleTrace {
                            name: info.name.clone(),
                            status: RuleStatus::of(r),
                            absolute: info.absolute,
                            citations: info.meta.cites.iter().map(cite).collect(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        // The definitions the verdict's own rules read, as decided.
        let mut direct: Vec<DefId> = Vec::new();
        if let Some(n) = self.node(def) {
            for r in self.graph.rules_of(n) {
                let reads = self
                    .graph
                    .reads(r.condition_reads)
                    .iter()
                    .chain(self.graph.reads(r.value_reads));
                for read in reads {
                    if let crate::eval::graph::ReadOf::Def(d) = read.of {
                        if !direct.contains(&d) {
                            direct.push(d);
                        }
                    }
                }
            }
        }
        let definitions = direct
            .iter()
            .map(|&d| DefinitionUse {
                name: words::def_name(p, d).to_string(),
                display: self
                    .value(d)
                    .map_or("undetermined".to_string(), |v| v.display(p)),
            })
            .collect();
        // The law its own deciding rules (or default) and applied exceptions cite.
        let mut citations: Vec<CitationRef> = Vec::new();
        for a in &x.applied {
            let own = match a {
                Applied::Rule(r) => p.rules.get(r.index()).is_some_and(|i| i.def == def),
                Applied::Default(d) => *d == def,
                Applied::Row(..) => false,
            };
            if own {
                for c in super::analysis::applied_cites(p, *a) {
                    let c = cite(c);
                    if !citations.contains(&c) {
                        citations.push(c);
                    }
                }
            }
        }
        Verdict {
            name: words::def_name(p, def).to_string(),
            display,
            undetermined: match self.outcome(def) {
                Outcome::Undetermined(u) => Some(words::undetermined(u).to_string()),
                Outcome::NotEvaluated => Some("not evaluated".to_string()),
                _ => None,
            },
            decision,
            rules,
            definitions,
            citations,
        }
    }
}
