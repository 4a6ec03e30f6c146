//! Cases: the facts of one person and situation, typed against a program's
//! fact schema.
//!
//! A case file (JSON, YAML or TOML) looks like:
//!
//! ```json
//! {
//!   "description": "an applicant at an overseas mission",
//!   "as_of": "2003-01-15",
//!   "verdicts": ["rok_protection"],
//!   "facts": { "person": { "age": 30 }, "convictions": ["murder"], "standard_amount": "KRW 36000000" },
//!   "discretions": { "refuse_serious_criminal": true },
//!   "expect": { "rok_protection": "protected", "return_prohibited": "undetermined" }
//! }
//! ```
//!
//! Every key is optional. Money is `"KRW 123"`, dates `"YYYY-MM-DD"`, durations
//! `"10 years"`, enum values their variant name, sets arrays, records objects.

mod error;
mod fast;
mod load;
#[cfg(test)]
mod tests;
mod tree;

pub use error::{CaseError, CaseErrors};
pub use fast::Schema;
pub use load::{load_case, CaseFormat, MAX_BYTES};

use crate::ir::{DefId, FactId, Program, RuleId};
use crate::value::Value;
use jiff::civil::Date;

/// The facts of one case, by slot, ready for evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Case {
    /// A one-line description.
    pub description: Option<String>,
    /// The date to apply the law as of.
    pub as_of: Option<Date>,
    /// The verdicts the case asks for (empty: every verdict), each once
    /// (the loaders keep a name's first mention: outputs are keyed by name).
    pub verdicts: Vec<DefId>,
    /// One entry per fact slot (`None`: missing).
    pub facts: Vec<Option<Value>>,
    /// One entry per rule: how a discretion was exercised (`None`: not stated).
    pub discretions: Vec<Option<bool>>,
    /// Expected verdicts (`None`: expected undetermined).
    pub expect: Vec<(DefId, Option<Value>)>,
}

impl Case {
    /// An empty case for `program`: every fact missing, no discretion stated.
    pub fn new(program: &Program) -> Self {
        let mut case = Case::default();
        case.reset(program);
        case
    }

    /// Empties the case for `program`, as [`Case::new`] makes it, keeping its
    /// memory.
    pub fn reset(&mut self, program: &Program) {
        self.description = None;
        self.as_of = None;
        self.verdicts.clear();
        self.facts.clear();
        self.facts.extend(
            program
                .facts
                .iter()
                .map(|f| f.setting.as_ref().map(|s| s.default.clone())),
        );
        self.discretions.clear();
        self.discretions.resize(program.rules.len(), None);
        self.expect.clear();
    }

    /// Sets a fact.
    pub fn set_fact(&mut self, fact: FactId, value: Value) {
        if let Some(slot) = self.facts.get_mut(fact.index()) {
            *slot = Some(value);
        }
    }

    /// States how a discretion was exercised.
    pub fn set_discretion(&mut self, rule: RuleId, exercised: bool) {
        if let Some(slot) = self.discretions.get_mut(rule.index()) {
            *slot = Some(exercised);
        }
    }

    /// A fact's value, if the case gives it.
    pub fn fact(&self, fact: FactId) -> Option<&Value> {
        self.facts.get(fact.index()).and_then(Option::as_ref)
    }

    /// How a discretion was exercised, if stated.
    pub fn discretion(&self, rule: RuleId) -> Option<bool> {
        self.discretions.get(rule.index()).copied().flatten()
    }
}

/// Which keys of a mapping were given, for finding a key given twice: the
/// first 512 indexes of something (fields of a record, roots, rules,
/// verdicts).
pub(crate) struct Seen([u64; 8]);

impl Seen {
    pub(crate) fn new() -> Seen {
        Seen([0; 8])
    }

    /// Marks `i`; `false` if it was marked already or is out of range.
    pub(crate) fn first(&mut self, i: usize) -> bool {
        let Some(word) = self.0.get_mut(i / 64) else {
            return false;
        };
        let bit = 1u64 << (i % 64);
        let first = *word & bit == 0;
        *word |= bit;
        first
    }

    /// Pushes a verdict asked for unless `asked` has it already (asked twice
    /// is asked once: outputs are keyed by verdict name). The list is
    /// searched only when the bit is already set or out of range.
    pub(crate) fn push_verdict(&mut self, asked: &mut Vec<DefId>, def: DefId) {
        if self.first(def.index()) || !asked.contains(&def) {
            asked.push(def);
        }
    }
}
