//! Running tests: the `test` blocks written in policies, and case files with
//! an `expect` section. Shared by `refuge test` and the integration tests.

use crate::case::Case;
use crate::eval::{Engine, EvalError, Options};
use crate::ir::{Program, TestInfo};
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
                "`{def_name}`: expected {}, got {}",
                show(expected),
                show(&actual)
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
