//! Running tests: the `test` blocks written in policies, and case files with
//! an `expect` section. Shared by `refuge test` and the integration tests.

use crate::ast::SourceKind;
use crate::case::Case;
use crate::eval::{Engine, EvalError, Options};
use crate::explain::{Applied, Evaluation, Outcome};
use crate::ir::{Citation, DefId, Program, TestInfo};
use crate::value::Value;

/// The outcome of one test or case.
#[derive(Clone, Debug, PartialEq)]
pub struct TestOutcome {
    /// The test's name or the case file's name.
    pub name: String,
    /// Failed expectations, one line each (empty: passed).
    pub failures: Vec<String>,
}

impl TestOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The case a policy test block describes.
pub fn case_of_test(program: &Program, test: &TestInfo) -> Case {
    let mut case = Case::new(program);
    case.description = Some(test.name.clone());
    case.as_of = test.as_of;
    for (fact, value) in &test.given {
        case.set_fact(*fact, value.clone());
    }
    for (rule, exercised) in &test.exercise {
        case.set_discretion(*rule, *exercised);
    }
    case.expect = test
        .expect
        .iter()
        .map(|(d, v, _)| (*d, v.clone()))
        .collect();
    case
}

/// Default evaluation date of a test without `as_of`.
pub const DEFAULT_TEST_DATE: jiff::civil::Date = jiff::civil::date(2024, 1, 1);

/// Checks a case's expectations.
pub fn run_case(program: &Program, name: &str, case: &Case) -> TestOutcome {
    let engine = Engine::new(program);
    let as_of = case.as_of.unwrap_or(DEFAULT_TEST_DATE);
    let mut failures = Vec::new();
    for (def, expected) in &case.expect {
        let def_name = program
            .definitions
            .get(def.index())
            .map_or("?", |d| d.name.as_str());
        let show = |v: &Option<Value>| {
            v.as_ref()
                .map_or("undetermined".to_string(), |v| v.display(program))
        };
        match engine.value_of(case, *def, as_of) {
            Ok(actual) if actual == *expected => {}
            Ok(actual) => failures.push(format!(
                "`{def_name}`: expected {}, got {}{}",
                show(expected),
                show(&actual),
                why(program, case, *def, as_of)
            )),
            Err(e) => failures.push(format!("`{def_name}`: {}", describe(&e))),
        }
    }
    if case.expect.is_empty() {
        // A case without expectations must at least evaluate.
        if let Err(e) = engine.evaluate(
            case,
            &Options {
                as_of: Some(as_of),
                verdicts: vec![],
            },
        ) {
            failures.push(describe(&e));
        }
    }
    TestOutcome {
        name: name.to_string(),
        failures,
    }
}

/// What decided a verdict that failed its expectation, for the failure
/// message: ` (by RULES; law applied: CITATIONS)`.
fn why(program: &Program, case: &Case, def: DefId, as_of: jiff::civil::Date) -> String {
    let options = Options {
        as_of: Some(as_of),
        verdicts: vec![def],
    };
    match Engine::new(program).evaluate(case, &options) {
        Ok(evaluation) => {
            let d = decision(&evaluation, def);
            format!(" ({}; law applied: {})", d.by, d.law_text())
        }
        Err(_) => String::new(),
    }
}

/// How one verdict was decided, in a few words: for test failures and the
/// corpus's summary snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictDecision {
    /// The value shown (`true`, `KRW 0`), or `undetermined`.
    pub value: String,
    /// `by rule_a, rule_b`, `by default`, or why it is undetermined.
    pub by: String,
    /// The law applied: each citation of the verdict's own rules and
    /// default that decided it (exceptions included), as `source locators`
    /// without the drafter's remarks, so a change of wording in a remark does
    /// not show as a change of the law applied. Seeds and reports are the
    /// evidence, not the law: they are listed only when nothing else is
    /// cited.
    pub law: Vec<String>,
}

impl VerdictDecision {
    /// The law applied, joined by `; ` (`none` when nothing is cited).
    pub fn law_text(&self) -> String {
        if self.law.is_empty() {
            "none".to_string()
        } else {
            self.law.join("; ")
        }
    }

    /// One line: `value  by …  [law]`.
    pub fn line(&self) -> String {
        format!("{}  {}  [{}]", self.value, self.by, self.law_text())
    }
}

/// How `def` was decided in `evaluation`: its value, the rules (or default)
/// of its own definition applied, and the law they cite.
pub fn decision(evaluation: &Evaluation<'_>, def: DefId) -> VerdictDecision {
    let program = evaluation.program();
    let value = evaluation
        .value(def)
        .map_or("undetermined".to_string(), |v| v.display(program));
    let explained = evaluation.explain(def);
    let mut rules: Vec<&str> = Vec::new();
    let mut law: Vec<String> = Vec::new();
    let mut evidence: Vec<String> = Vec::new();
    let mut cite = |c: &Citation| {
        let source = program.sources.get(c.source.index());
        let text = format!(
            "{} {}",
            source.map_or("?", |s| &*s.name),
            c.pinpoint.locators()
        );
        let list = match source.map(|s| s.kind) {
            Some(SourceKind::Seed | SourceKind::Report) => &mut evidence,
            _ => &mut law,
        };
        if !list.contains(&text) {
            list.push(text);
        }
    };
    for applied in &explained.applied {
        match *applied {
            Applied::Rule(r) => {
                if let Some(rule) = program.rules.get(r.index()).filter(|i| i.def == def) {
                    rules.push(&rule.name);
                    rule.meta.cites.iter().for_each(&mut cite);
                }
            }
            Applied::Default(d) if d == def => {
                if let Some(default) = program
                    .definitions
                    .get(d.index())
                    .and_then(|i| i.default.as_ref())
                {
                    default.meta.cites.iter().for_each(&mut cite);
                }
            }
            _ => {}
        }
    }
    let by = match evaluation.outcome(def) {
        Outcome::ByRules(_) => format!("by {}", rules.join(", ")),
        Outcome::ByDefault(_) if rules.is_empty() => "by default".to_string(),
        Outcome::ByDefault(_) => format!("by default after {}", rules.join(", ")),
        Outcome::Undetermined(_) | Outcome::NotEvaluated => {
            let mut missing: Vec<&str> = explained
                .pending
                .iter()
                .filter_map(|p| program.facts.get(p.fact.index()).map(|f| f.path.as_str()))
                .collect();
            missing.dedup();
            if missing.is_empty() {
                "undetermined".to_string()
            } else {
                format!("missing {}", missing.join(", "))
            }
        }
    };
    if law.is_empty() {
        law = evidence;
    }
    VerdictDecision { value, by, law }
}

fn describe(e: &EvalError) -> String {
    format!("evaluation error: {e}")
}

/// Runs every test block of a program.
pub fn run_policy_tests(program: &Program) -> Vec<TestOutcome> {
    program
        .tests
        .iter()
        .map(|t| run_case(program, &t.name, &case_of_test(program, t)))
        .collect()
}

/// Every case file of the corpus (`examples/` and `tests/cases/`, with
/// their subdirectories), in a fixed order: what the crate's own tests run
/// over.
#[cfg(test)]
pub(crate) fn corpus_files() -> Vec<(std::path::PathBuf, crate::case::CaseFormat)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    ["examples", "tests/cases"]
        .iter()
        .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).sort_by_file_name())
        .flatten()
        .filter_map(|entry| {
            let format = crate::case::CaseFormat::from_path(entry.path())?;
            Some((entry.into_path(), format))
        })
        .collect()
}
