//! `refuge test [PATH] [--cases DIR] [--coverage] [--min-coverage N]`

use super::{compile_or_report, load_sources, ExitStatus};
use crate::case::{load_case, Case, CaseFormat};
use crate::compile::ErrorFormat;
use crate::coverage::{self, Coverage};
use crate::testing::{case_of_test, run_case, run_policy_tests, TestOutcome};
use clap::ValueEnum;
use std::path::PathBuf;

/// Arguments of `refuge test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.policy` file or a directory of them (default: the built-in policies).
    pub path: Option<PathBuf>,
    /// Also run every case file below these directories that has an `expect` section.
    #[arg(long = "cases", value_name = "DIR")]
    pub cases: Vec<PathBuf>,
    /// After the results, report which rules and cited articles the tests
    /// and cases exercised.
    #[arg(long)]
    pub coverage: bool,
    /// The coverage report's format.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub coverage_format: CoverageFormat,
    /// Fail (exit 1) when fewer than N percent of the rules fired.
    #[arg(long, value_name = "N", value_parser = parse_percentage)]
    pub min_coverage: Option<f64>,
}

/// Formats of the coverage report.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CoverageFormat {
    /// Terminal text.
    Text,
    /// Markdown tables, one per source.
    Markdown,
}

/// A percentage threshold: a finite number, not negative.
fn parse_percentage(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!(
            "expected a percentage such as 90 or 87.5, not `{s}`"
        )),
    }
}

/// Runs `refuge test`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.path.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let program = &compiled.program;
    let mut outcomes: Vec<TestOutcome> = run_policy_tests(program);
    let measure = args.coverage || args.min_coverage.is_some();
    // The cases, kept only to measure coverage.
    let mut cases: Vec<Case> = Vec::new();
    if measure {
        cases.extend(program.tests.iter().map(|t| case_of_test(program, t)));
    }
    let mut input_error = false;
    for dir in &args.cases {
        let mut files = Vec::new();
        if dir.is_file() {
            files.push(dir.clone());
        } else {
            super::case_files(dir, &mut files);
        }
        files.sort();
        for file in files {
            let name = file.display().to_string();
            let Some(fmt) = CaseFormat::from_path(&file) else {
                continue;
            };
            let text = match crate::source::read_text(&file) {
                Ok(t) => t,
                Err(e) => {
                    errln!("error: cannot read `{name}`: {e}");
                    input_error = true;
                    continue;
                }
            };
            match load_case(program, &name, &text, fmt) {
                Ok(case) => {
                    outcomes.push(run_case(program, &name, &case));
                    if measure {
                        cases.push(case);
                    }
                }
                Err(errors) => {
                    super::report(&errors, format);
                    input_error = true;
                }
            }
        }
    }
    let failed: Vec<&TestOutcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    for o in &outcomes {
        if o.passed() {
            outln!("ok    {}", o.name);
        } else {
            outln!("FAIL  {}", o.name);
            for f in &o.failures {
                outln!("        {f}");
            }
        }
    }
    outln!(
        "{} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    let mut below_minimum = false;
    if measure {
        let coverage = Coverage::measure(program, &cases);
        if args.coverage {
            outln!();
            out!(
                "{}",
                match args.coverage_format {
                    CoverageFormat::Text => coverage::to_text(&coverage),
                    CoverageFormat::Markdown => coverage::to_markdown(&coverage),
                }
            );
        }
        if let Some(min) = args.min_coverage {
            let fired = coverage.rules_fired_percent();
            if fired < min {
                errln!(
                    "error: {} of the rules fired ({} of {}), below the minimum of {min}%",
                    coverage::percent(fired),
                    coverage.totals.fired,
                    coverage.totals.total()
                );
                below_minimum = true;
            }
        }
    }
    if input_error {
        ExitStatus::InputError
    } else if failed.is_empty() && !below_minimum {
        ExitStatus::Ok
    } else {
        ExitStatus::TestFailed
    }
}
