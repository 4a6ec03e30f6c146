//! `refuge test [PATH] [--cases DIR] [--coverage] [--min-coverage N]`
//! `refuge test [PATH] [--cases DIR] --mutants [--min-score N] [--equivalents FILE] [--jobs N]`

use super::{compile_or_report, load_sources, ExitStatus};
use clap::ValueEnum;
use refuge::case::{load_case, Case, CaseFormat};
use refuge::compile::ErrorFormat;
use refuge::coverage::{self, Coverage};
use refuge::testing::{case_of_test, run_case, run_policy_tests, TestOutcome};
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
    /// The results' format: text, a JSON report, or JUnit XML for CI systems
    /// (each failing expectation with its file and line).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Fail (exit 1) when fewer than N percent of the rules fired.
    #[arg(long, value_name = "N", value_parser = parse_percentage)]
    pub min_coverage: Option<f64>,
    /// Mutation testing, for drafters: weaken or flip each rule in turn (drop
    /// or negate a rule, drop a condition, an alternative, `not`, `absolute`,
    /// `qualified by`, an exception or a discretion; move a boundary, an
    /// in-force date, a constant, a cap), run the tests and cases against
    /// every such mutant, and list the mutants no test notices, by article.
    #[arg(long)]
    pub mutants: bool,
    /// With --mutants: fail (exit 1) when fewer than N percent of the
    /// mutants (not counting accepted equivalents) are killed.
    #[arg(long, value_name = "N", value_parser = parse_percentage, requires = "mutants")]
    pub min_score: Option<f64>,
    /// With --mutants: a TOML file of mutants accepted as equivalent, each
    /// with its reason (`[[equivalent]]` with `mutant` and `reason`).
    #[arg(long, value_name = "FILE", requires = "mutants")]
    pub equivalents: Option<PathBuf>,
    /// With --mutants: the number of threads (default: the number of cores).
    #[arg(long, value_name = "N", requires = "mutants")]
    pub jobs: Option<usize>,
}

/// Formats of the coverage report.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CoverageFormat {
    /// Terminal text.
    Text,
    /// Markdown tables, one per source.
    Markdown,
}

/// Formats of the test results.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// One line per test.
    Text,
    /// One JSON object (schema `refuge.test/1`).
    Json,
    /// JUnit XML.
    Junit,
}

/// One test, case file, or case file that could not be loaded.
struct Entry {
    name: String,
    /// `file:line:col` of a policy test; the path of a case file.
    location: String,
    /// `passed`, `failed` or `error` (the case file did not load).
    status: &'static str,
    /// The failed expectations, or the loading error.
    messages: Vec<String>,
}

fn json_report(entries: &[Entry]) -> String {
    let count = |status: &str| entries.iter().filter(|e| e.status == status).count();
    serde_json::json!({
        "schema": "refuge.test/1",
        "passed": count("passed"),
        "failed": count("failed"),
        "errors": count("error"),
        "tests": entries.iter().map(|e| serde_json::json!({
            "name": e.name,
            "location": e.location,
            "status": e.status,
            "messages": e.messages,
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry other control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn junit_report(entries: &[Entry]) -> String {
    let count = |status: &str| entries.iter().filter(|e| e.status == status).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"refuge\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n  <testsuite name=\"refuge test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        entries.len(), count("failed"), count("error"),
        entries.len(), count("failed"), count("error"),
    ));
    for e in entries {
        let (file, line) = split_location(&e.location);
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"refuge\" file=\"{}\" line=\"{line}\"",
            xml_escape(&e.name),
            xml_escape(file)
        ));
        let tag = match e.status {
            "failed" => "failure",
            "error" => "error",
            _ => {
                out.push_str("/>\n");
                continue;
            }
        };
        let body = e.messages.join("\n");
        let first = e.messages.first().map_or("", String::as_str);
        out.push_str(&format!(
            ">\n      <{tag} message=\"{}\">{}: {}</{tag}>\n    </testcase>\n",
            xml_escape(first),
            xml_escape(&e.location),
            xml_escape(&body)
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// `file:12:3` → (`file`, 12); a bare path is line 1.
fn split_location(location: &str) -> (&str, usize) {
    let mut parts = location.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    match (
        file,
        line.and_then(|l| l.parse().ok()),
        col.and_then(|c| c.parse::<usize>().ok()),
    ) {
        (Some(file), Some(line), Some(_)) => (file, line),
        _ => (location, 1),
    }
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
    if args.mutants {
        return mutants(args, &sources, format);
    }
    let program = &compiled.program;
    let mut outcomes: Vec<TestOutcome> = run_policy_tests(program);
    let mut locations: Vec<String> = program
        .tests
        .iter()
        .map(|t| sources.location(t.span))
        .collect();
    let mut unloadable: Vec<Entry> = Vec::new();
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
            if !super::case_files(dir, &mut files) {
                input_error = true;
            }
        }
        files.sort();
        for file in files {
            let name = file.display().to_string();
            let Some(fmt) = CaseFormat::from_path(&file) else {
                continue;
            };
            let text = match refuge::source::read_text(&file) {
                Ok(t) => t,
                Err(e) => {
                    fail!("cannot read `{name}`: {e}");
                    input_error = true;
                    unloadable.push(Entry {
                        name: name.clone(),
                        location: name.clone(),
                        status: "error",
                        messages: vec![format!("cannot read `{name}`: {e}")],
                    });
                    continue;
                }
            };
            match load_case(program, &name, &text, fmt) {
                Ok(case) => {
                    outcomes.push(run_case(program, &name, &case));
                    locations.push(name.clone());
                    if measure {
                        cases.push(case);
                    }
                }
                Err(errors) => {
                    super::report(&errors, format);
                    input_error = true;
                    unloadable.push(Entry {
                        name: name.clone(),
                        location: name.clone(),
                        status: "error",
                        messages: errors.iter().map(ToString::to_string).collect(),
                    });
                }
            }
        }
    }
    let failed: Vec<&TestOutcome> = outcomes.iter().filter(|o| !o.passed()).collect();
    if args.format != ReportFormat::Text {
        let mut entries: Vec<Entry> = outcomes
            .iter()
            .zip(
                locations
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::repeat("")),
            )
            .map(|(o, location)| Entry {
                name: o.name.clone(),
                location: location.to_owned(),
                status: if o.passed() { "passed" } else { "failed" },
                messages: o.failures.clone(),
            })
            .collect();
        entries.append(&mut unloadable);
        match args.format {
            ReportFormat::Json => outln!("{}", json_report(&entries)),
            _ => out!("{}", junit_report(&entries)),
        }
    }
    for o in outcomes
        .iter()
        .filter(|_| args.format == ReportFormat::Text)
    {
        if o.passed() {
            outln!("ok    {}", o.name);
        } else {
            outln!("FAIL  {}", o.name);
            for f in &o.failures {
                outln!("        {f}");
            }
        }
    }
    if args.format == ReportFormat::Text {
        let mut summary = format!(
            "{} passed, {} failed",
            outcomes.len() - failed.len(),
            failed.len()
        );
        if !unloadable.is_empty() {
            summary.push_str(&format!(
                ", {} case file(s) could not be loaded",
                unloadable.len()
            ));
        }
        outln!("{summary}");
    }
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
                fail!(
                    "{} of the rules fired ({} of {}), below the minimum of {min}%",
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

/// `refuge test --mutants`.
fn mutants(args: &Args, sources: &refuge::source::SourceMap, format: ErrorFormat) -> ExitStatus {
    use refuge::mutation::{self, CaseFile, Equivalents, RunError};
    let equivalents = match &args.equivalents {
        None => Equivalents::default(),
        Some(path) => {
            let parsed = refuge::source::read_text(path)
                .map_err(|e| e.to_string())
                .and_then(|text| Equivalents::parse(&text));
            match parsed {
                Ok(e) => e,
                Err(e) => {
                    fail!("cannot read the equivalents file `{}`: {e}", path.display());
                    return ExitStatus::InputError;
                }
            }
        }
    };
    let mut cases = Vec::new();
    for dir in &args.cases {
        let mut files = Vec::new();
        if dir.is_file() {
            files.push(dir.clone());
        } else if !super::case_files(dir, &mut files) {
            return ExitStatus::InputError;
        }
        files.sort();
        for file in files {
            let Some(fmt) = CaseFormat::from_path(&file) else {
                continue;
            };
            match refuge::source::read_text(&file) {
                Ok(text) => cases.push(CaseFile {
                    name: file.display().to_string(),
                    text,
                    format: fmt,
                }),
                Err(e) => {
                    fail!("cannot read `{}`: {e}", file.display());
                    return ExitStatus::InputError;
                }
            }
        }
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let start = std::time::Instant::now();
    let report = match mutation::run(sources, &cases, &equivalents, jobs) {
        Ok(r) => r,
        Err(RunError::Policies(d)) => {
            err!("{}", d.render(sources, format));
            return ExitStatus::PolicyError;
        }
        Err(RunError::Case(e)) => {
            fail!("{e}");
            return ExitStatus::InputError;
        }
        Err(RunError::Baseline(failing)) => {
            for o in &failing {
                outln!("FAIL  {}", o.name);
                for f in &o.failures {
                    outln!("        {f}");
                }
            }
            fail!(
                "{} test(s) fail against the policies as written: fix them before testing mutants",
                failing.len()
            );
            return ExitStatus::TestFailed;
        }
    };
    let shown = args.equivalents.as_ref().map(|p| p.display().to_string());
    out!("{}", mutation::to_text(&report, shown.as_deref()));
    outln!(
        "({} mutants on {jobs} thread(s) in {:.1} s)",
        report.mutants.len(),
        start.elapsed().as_secs_f64()
    );
    let mut status = ExitStatus::Ok;
    if !report.stale.is_empty() {
        fail!("the equivalents file is out of date (see above)");
        status = ExitStatus::TestFailed;
    }
    if let Some(min) = args.min_score {
        if report.score() < min {
            fail!(
                "mutation score {:.1}% is below the minimum of {min}%",
                report.score()
            );
            status = ExitStatus::TestFailed;
        }
    }
    status
}
