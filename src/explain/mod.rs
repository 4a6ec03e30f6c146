//! Explanations: the evaluation as a derivation graph, and its renderings.
//!
//! An [`Evaluation`] holds the [`Derivation`] of one case (ids, ranges and
//! values; see `crate::eval::graph`), borrowing the program and the case it
//! was computed from. Nothing is rendered until asked: [`Evaluation::explain`]
//! works out, for one verdict, the decisive derivation, the facts that decide
//! it, the law it rests on and what was considered and found not to apply
//! (`analysis`); the text, Markdown and JSON renderers are pure functions of
//! the evaluation. The JSON is documented in `docs/json-schema.md`
//! (`refuge.evaluation/2`) and published as `docs/evaluation.schema.json`.

pub mod analysis;
mod json;
mod render_markdown;
mod render_text;
mod summary;
#[cfg(test)]
mod tests;
mod words;

pub use analysis::{Applied, Considered, DecisiveFact, Explained, NotApplied, Pending, Role, Via};
pub use json::{MANIFEST_SCHEMA, SCHEMA};
pub use render_markdown::to_markdown;
pub use render_text::{to_text, to_text_explained};
pub use summary::{CitationRef, Decision, DefinitionUse, RuleTrace, Verdict};
pub use words::RuleStatus;

use crate::case::Case;
use crate::eval::graph::{Decided, Node};
use crate::eval::Derivation;
use crate::ir::{DefId, FactId, Program};
use crate::value::Value;

/// The result of evaluating one case: the derivation graph and the verdicts
/// asked for.
#[derive(Clone, Debug)]
pub struct Evaluation<'a> {
    pub(crate) program: &'a Program,
    pub(crate) case: &'a Case,
    pub(crate) graph: Derivation,
    verdicts: Vec<DefId>,
    by_name: bool,
}

/// The outcome of one verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome<'e> {
    /// Decided by rules that applied.
    ByRules(&'e Value),
    /// Decided by the default (no rule gives another value).
    ByDefault(&'e Value),
    /// Undetermined.
    Undetermined(crate::eval::graph::Undetermined),
    /// Not evaluated.
    NotEvaluated,
}

impl<'e> Outcome<'e> {
    /// The value, if decided.
    pub fn value(self) -> Option<&'e Value> {
        match self {
            Outcome::ByRules(v) | Outcome::ByDefault(v) => Some(v),
            _ => None,
        }
    }
}

impl<'a> Evaluation<'a> {
    pub(crate) fn new(
        program: &'a Program,
        case: &'a Case,
        graph: Derivation,
        verdicts: Vec<DefId>,
        by_name: bool,
    ) -> Self {
        Evaluation {
            program,
            case,
            graph,
            verdicts,
            by_name,
        }
    }

    /// Whether the verdicts were asked for by name (by the options or the
    /// case's `verdicts`), rather than every verdict by default.
    pub fn asked_by_name(&self) -> bool {
        self.by_name
    }

    /// The program evaluated.
    pub fn program(&self) -> &'a Program {
        self.program
    }

    /// The case evaluated.
    pub fn case(&self) -> &'a Case {
        self.case
    }

    /// The derivation graph.
    pub fn derivation(&self) -> &Derivation {
        &self.graph
    }

    /// Gives back the graph's memory for the next evaluation
    /// ([`crate::Engine::evaluate_with`]).
    pub fn into_derivation(self) -> Derivation {
        let mut graph = self.graph;
        graph.spare_verdicts = self.verdicts;
        graph
    }

    /// The verdicts asked for, in the order asked.
    pub fn verdict_ids(&self) -> &[DefId] {
        &self.verdicts
    }

    /// The date the law was applied as of.
    pub fn as_of(&self) -> String {
        self.graph
            .as_of()
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The case's description, if any.
    pub fn description(&self) -> Option<&str> {
        self.case.description.as_deref()
    }

    /// The node of a definition, if evaluated.
    pub fn node(&self, def: DefId) -> Option<&Node> {
        self.graph.node(def)
    }

    /// The outcome of a definition.
    pub fn outcome(&self, def: DefId) -> Outcome<'_> {
        let Some(node) = self.graph.node(def) else {
            return Outcome::NotEvaluated;
        };
        match (&node.decided, &node.value) {
            (Decided::Rules, Some(v)) => Outcome::ByRules(v),
            (Decided::Default, Some(v)) => Outcome::ByDefault(v),
            (Decided::Undetermined(u), _) => Outcome::Undetermined(*u),
            _ => Outcome::NotEvaluated,
        }
    }

    /// The value of a definition (`None`: undetermined or not evaluated).
    pub fn value(&self, def: DefId) -> Option<&Value> {
        self.graph.value(def)
    }

    /// Looks a verdict up by name.
    pub fn verdict(&self, name: &str) -> Option<DefId> {
        self.program.definition(name)
    }

    /// The decisive derivation of one definition (see `analysis`).
    pub fn explain(&self, def: DefId) -> Explained {
        analysis::explain(self, def)
    }

    /// Whether every verdict asked is decided.
    pub fn all_decided(&self) -> bool {
        self.verdicts.iter().all(|d| self.value(*d).is_some())
    }

    /// The decisive facts of a verdict in the shape of a case file's `facts`:
    /// nested records, sets as arrays, money, dates and durations as a case
    /// file writes them.
    pub fn decisive_facts(&self, explained: &Explained) -> serde_json::Value {
        facts_object(self.program, self.case, explained.case_facts(self.program))
    }

    /// A case file (as JSON) made of only the decisive facts of `def`, with
    /// this case's date, settings and discretions, asking for `def` alone:
    /// evaluating it gives the same outcome (the replay property).
    pub fn replay_case(&self, def: DefId) -> serde_json::Value {
        let explained = self.explain(def);
        let program = self.program;
        let mut settings = serde_json::Map::new();
        for (i, info) in program.facts.iter().enumerate() {
            let Some(setting) = &info.setting else {
                continue;
            };
            let value = self.case.facts.get(i).and_then(Option::as_ref);
            if let Some(v) = value.filter(|v| **v != setting.default) {
                settings.insert(info.path.clone(), v.to_json(program));
            }
        }
        let mut discretions = serde_json::Map::new();
        for (i, d) in self.case.discretions.iter().enumerate() {
            if let (Some(d), Some(rule)) = (d, program.rules.get(i)) {
                discretions.insert(rule.name.clone(), serde_json::Value::Bool(*d));
            }
        }
        let name = program
            .definitions
            .get(def.index())
            .map_or("?", |d| d.name.as_str());
        serde_json::json!({
            "as_of": self.as_of(),
            "verdicts": [name],
            "settings": settings,
            "discretions": discretions,
            "facts": self.decisive_facts(&explained),
        })
    }
}

/// Facts of a case as a nested JSON object keyed by path segments.
pub(crate) fn facts_object(
    program: &Program,
    case: &Case,
    facts: impl Iterator<Item = FactId>,
) -> serde_json::Value {
    let mut root = serde_json::Map::new();
    for f in facts {
        let (Some(info), Some(value)) = (program.facts.get(f.index()), case.fact(f)) else {
            continue;
        };
        let mut map = &mut root;
        let mut parts = info.path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                map.insert(part.to_string(), value.to_json(program));
                break;
            }
            let entry = map
                .entry(part.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            match entry {
                serde_json::Value::Object(inner) => map = inner,
                _ => break,
            }
        }
    }
    serde_json::Value::Object(root)
}
