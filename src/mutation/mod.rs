//! Mutation testing of policies, for drafters: would the tests notice if the
//! law were encoded wrongly?
//!
//! Each *mutant* is the policy set with one change that weakens or flips a
//! rule (`sites.rs` lists them): a rule dropped or its condition negated; a
//! conjunct or alternative of a condition dropped; `not` dropped; a
//! comparison's boundary moved (`>=` read as `>`); a constant, amount, rate,
//! duration or date changed; an element dropped from a set; a cap or a
//! rounding dropped; the branches of an `if` swapped; a discretion made
//! mandatory; `absolute` dropped (so that the module's lifting exceptions,
//! such as the Art. 33(2) limbs, would reach the rule); `qualified by`
//! dropped (its exceptions no longer lift the rule); an exception's hold on
//! a target dropped; an in-force date (of a rule or a table row) moved a day
//! either way. Mutants are made on the syntax tree, never on the text, and
//! each is checked (compiled) once; `test` blocks are never mutated, nor
//! table rows no rule can find or columns no rule reads (no change to them
//! can change an outcome).
//!
//! A mutant is *killed* when some policy test or case file with
//! expectations has a different outcome under it than under the policies as
//! written, and *survives* otherwise: then no test would notice that change
//! of the law. A mutant that does not check is *stillborn*; one a drafter
//! has shown to change nothing observable is *equivalent*, listed with the
//! reason in an equivalents file ([`Equivalents`]). The score is the share
//! of killed among the mutants that are neither.

mod sites;

pub use sites::Site;

use crate::case::{load_case, Case, CaseFormat};
use crate::compile::{compile_modules, Diagnostics};
use crate::ir::Program;
use crate::source::SourceMap;
use crate::syntax;
use crate::testing::{case_of_test, run_case, TestOutcome};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A case file to run against every mutant: its name, text and format.
#[derive(Clone, Debug)]
pub struct CaseFile {
    /// The name shown (the path).
    pub name: String,
    /// The file's text.
    pub text: String,
    /// Its format.
    pub format: CaseFormat,
}

/// Equivalent mutants a drafter has accepted, each with the reason: a TOML
/// file of `[[equivalent]]` tables with `mutant` (the id `refuge test
/// --mutants` prints) and `reason`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Equivalents {
    /// The accepted mutants.
    #[serde(default)]
    pub equivalent: Vec<Equivalent>,
}

/// One accepted equivalent mutant.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    /// The mutant's id.
    pub mutant: String,
    /// Why no test can notice it.
    pub reason: String,
}

impl Equivalents {
    /// Reads the TOML text of an equivalents file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let equivalents: Equivalents = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(e) = equivalents
            .equivalent
            .iter()
            .find(|e| e.reason.trim().is_empty())
        {
            return Err(format!("`{}` is accepted without a reason", e.mutant));
        }
        Ok(equivalents)
    }

    fn reason(&self, id: &str) -> Option<&str> {
        self.equivalent
            .iter()
            .find(|e| e.mutant == id)
            .map(|e| e.reason.as_str())
    }
}

/// What became of one mutant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// These tests and cases had another outcome.
    Killed(Vec<String>),
    /// No test or case noticed.
    Survived,
    /// Accepted as equivalent, for this reason (and no test noticed).
    Equivalent(String),
    /// The mutant does not check: the first error.
    Stillborn(String),
}

/// One mutant and its fate.
#[derive(Clone, Debug)]
pub struct MutantResult {
    /// What was changed.
    pub site: Site,
    /// What became of it.
    pub fate: Fate,
}

/// The result of a mutation run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every mutant, in the order of the policy text.
    pub mutants: Vec<MutantResult>,
    /// Tests and cases run against each mutant.
    pub tests: usize,
    /// Accepted equivalents that no mutant has (stale entries), and those
    /// that were killed (not equivalent after all).
    pub stale: Vec<String>,
}

impl Report {
    /// Killed mutants.
    pub fn killed(&self) -> usize {
        self.count(|f| matches!(f, Fate::Killed(_)))
    }
    /// Surviving mutants.
    pub fn survived(&self) -> usize {
        self.count(|f| matches!(f, Fate::Survived))
    }
    /// Accepted equivalents.
    pub fn equivalent(&self) -> usize {
        self.count(|f| matches!(f, Fate::Equivalent(_)))
    }
    /// Mutants that do not check.
    pub fn stillborn(&self) -> usize {
        self.count(|f| matches!(f, Fate::Stillborn(_)))
    }
    fn count(&self, f: impl Fn(&Fate) -> bool) -> usize {
        self.mutants.iter().filter(|m| f(&m.fate)).count()
    }
    /// Killed among killed and surviving, in percent (100 when none).
    pub fn score(&self) -> f64 {
        let (k, s) = (self.killed(), self.survived());
        if k + s == 0 {
            100.0
        } else {
            // Counts of mutants are far below 2^52: exact as f64.
            k as f64 * 100.0 / (k + s) as f64
        }
    }
}

/// Why a mutation run could not start.
#[derive(Debug)]
pub enum RunError {
    /// The policies as written do not compile.
    Policies(Diagnostics),
    /// A case file does not load against the policies as written.
    Case(String),
    /// A test or case fails against the policies as written: mutants would
    /// be compared with a failing baseline.
    Baseline(Vec<TestOutcome>),
}

/// Every mutant of a policy set, without running anything.
pub fn mutants(sources: &SourceMap) -> Result<Vec<Site>, Diagnostics> {
    let mut modules = parse(sources)?;
    let program = compile_modules(sources, &modules)?.program;
    let readable = sites::Readable::of(&program);
    let mut walker = sites::Walker::enumerate(sources, &readable);
    walker.walk(&mut modules);
    Ok(walker.sites)
}

fn parse(sources: &SourceMap) -> Result<Vec<crate::ast::Module>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut modules = Vec::new();
    for file in sources.files() {
        match syntax::parse(file) {
            Ok(module) => modules.push(module),
            Err(errors) => diagnostics
                .parse
                .extend(errors.0.into_iter().map(|e| (file.id, e))),
        }
    }
    if diagnostics.parse.is_empty() {
        Ok(modules)
    } else {
        Err(diagnostics)
    }
}

/// The tests and cases of a program, loaded.
fn suite(program: &Program, cases: &[CaseFile]) -> Result<Vec<(String, Case)>, String> {
    let mut out: Vec<(String, Case)> = program
        .tests
        .iter()
        .map(|t| (t.name.clone(), case_of_test(program, t)))
        .collect();
    for file in cases {
        match load_case(program, &file.name, &file.text, file.format) {
            Ok(case) => out.push((file.name.clone(), case)),
            Err(errors) => {
                let first = errors.iter().next().map(ToString::to_string);
                return Err(format!(
                    "{}: {}",
                    file.name,
                    first.unwrap_or_else(|| "does not load".into())
                ));
            }
        }
    }
    Ok(out)
}

fn outcomes(program: &Program, suite: &[(String, Case)]) -> Vec<TestOutcome> {
    suite
        .iter()
        .map(|(name, case)| run_case(program, name, case))
        .collect()
}

/// Whether cases loaded against `a` can be evaluated against `b`: the
/// same facts, definitions and rules, in the same order, and the same
/// setting defaults (a case that does not override a setting takes the
/// program's default when it is loaded).
fn same_shape(a: &Program, b: &Program) -> bool {
    a.facts.len() == b.facts.len()
        && a.definitions.len() == b.definitions.len()
        && a.rules.len() == b.rules.len()
        && a.facts.iter().zip(&b.facts).all(|(x, y)| {
            x.setting.as_ref().map(|s| &s.default) == y.setting.as_ref().map(|s| &s.default)
        })
}

/// Runs the policies' tests and the case files against every mutant of
/// `sources`, on `jobs` threads.
pub fn run(
    sources: &SourceMap,
    cases: &[CaseFile],
    equivalents: &Equivalents,
    jobs: usize,
) -> Result<Report, RunError> {
    let modules = parse(sources).map_err(RunError::Policies)?;
    let original = compile_modules(sources, &modules).map_err(RunError::Policies)?;
    let program = original.program;
    let baseline_suite = suite(&program, cases).map_err(RunError::Case)?;
    let baseline = outcomes(&program, &baseline_suite);
    let failing: Vec<TestOutcome> = baseline.iter().filter(|o| !o.passed()).cloned().collect();
    if !failing.is_empty() {
        return Err(RunError::Baseline(failing));
    }
    let readable = sites::Readable::of(&program);
    let mut walker = sites::Walker::enumerate(sources, &readable);
    walker.walk(&mut modules.clone());
    let sites = walker.sites;

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<MutantResult>>> = Mutex::new(vec![None; sites.len()]);
    let worker = || loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let Some(site) = sites.get(n) else {
            break;
        };
        let fate = mutant_fate(
            sources,
            &readable,
            &modules,
            n,
            &program,
            &baseline_suite,
            &baseline,
            cases,
        );
        let fate = match (fate, equivalents.reason(&site.id)) {
            (Fate::Survived, Some(reason)) => Fate::Equivalent(reason.to_string()),
            (fate, _) => fate,
        };
        if let Ok(mut results) = results.lock() {
            if let Some(slot) = results.get_mut(n) {
                *slot = Some(MutantResult {
                    site: site.clone(),
                    fate,
                });
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(worker);
        }
    });
    let mutants: Vec<MutantResult> = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let mut stale: Vec<String> = Vec::new();
    for e in &equivalents.equivalent {
        match mutants.iter().find(|m| m.site.id == e.mutant) {
            None => stale.push(format!("`{}` is no mutant of these policies", e.mutant)),
            Some(m) => {
                if let Fate::Killed(by) = &m.fate {
                    stale.push(format!(
                        "`{}` is accepted as equivalent but {} test(s) kill it, first `{}`",
                        e.mutant,
                        by.len(),
                        by.first().map_or("", String::as_str)
                    ));
                }
            }
        }
    }
    Ok(Report {
        mutants,
        tests: baseline.len(),
        stale,
    })
}

/// Applies mutation `n`, checks the result and runs the suite against it.
#[allow(clippy::too_many_arguments, reason = "one mutant's whole context")]
fn mutant_fate(
    sources: &SourceMap,
    readable: &sites::Readable,
    modules: &[crate::ast::Module],
    n: usize,
    original: &Program,
    baseline_suite: &[(String, Case)],
    baseline: &[TestOutcome],
    cases: &[CaseFile],
) -> Fate {
    let mut mutated = modules.to_vec();
    let mut walker = sites::Walker::apply(sources, readable, n);
    walker.walk(&mut mutated);
    let program = match compile_modules(sources, &mutated) {
        Ok(c) => c.program,
        Err(d) => {
            let first = d
                .check
                .first()
                .map(ToString::to_string)
                .or_else(|| d.parse.first().map(|(_, e)| e.to_string()))
                .unwrap_or_else(|| "does not check".into());
            return Fate::Stillborn(first);
        }
    };
    let reloaded;
    let suite: &[(String, Case)] = if same_shape(original, &program) {
        // The same tests and cases, loaded as the mutant would load them.
        baseline_suite
    } else {
        match suite(&program, cases) {
            Ok(s) => {
                reloaded = s;
                &reloaded
            }
            Err(e) => return Fate::Killed(vec![e]),
        }
    };
    let now = outcomes(&program, suite);
    let killers: Vec<String> = now
        .iter()
        .zip(baseline)
        .filter(|(a, b)| a.failures != b.failures)
        .map(|(a, _)| a.name.clone())
        .collect();
    if now.len() != baseline.len() {
        return Fate::Killed(vec!["the number of tests changed".into()]);
    }
    if killers.is_empty() {
        Fate::Survived
    } else {
        Fate::Killed(killers)
    }
}

/// The report as text: the counts, the score, and the surviving mutants by
/// the article their rule cites first.
pub fn to_text(report: &Report, equivalents_file: Option<&str>) -> String {
    let mut out = String::new();
    let total = report.mutants.len();
    out.push_str(&format!(
        "mutation testing: {total} mutants, each run against {} tests and cases\n",
        report.tests
    ));
    let single = report
        .mutants
        .iter()
        .filter(|m| matches!(&m.fate, Fate::Killed(by) if by.len() == 1))
        .count();
    out.push_str(&format!(
        "  killed      {:>5}  ({single} by a single test or case)\n",
        report.killed()
    ));
    out.push_str(&format!("  survived    {:>5}\n", report.survived()));
    out.push_str(&format!(
        "  equivalent  {:>5}  (accepted{})\n",
        report.equivalent(),
        equivalents_file.map_or(String::new(), |f| format!(" in {f}"))
    ));
    out.push_str(&format!(
        "  stillborn   {:>5}  (do not check; not counted)\n",
        report.stillborn()
    ));
    out.push_str(&format!(
        "mutation score: {:.1}% ({} of {} killed)\n",
        report.score(),
        report.killed(),
        report.killed() + report.survived()
    ));
    let mut by_article: BTreeMap<String, Vec<&MutantResult>> = BTreeMap::new();
    for m in &report.mutants {
        if m.fate == Fate::Survived {
            let article = m
                .site
                .law
                .first()
                .cloned()
                .unwrap_or_else(|| "(no citation)".into());
            by_article.entry(article).or_default().push(m);
        }
    }
    if !by_article.is_empty() {
        out.push_str("\nsurviving mutants, by the article their rule cites first:\n");
        for (article, mutants) in &by_article {
            out.push_str(&format!("  {article}\n"));
            for m in mutants {
                out.push_str(&format!(
                    "    {} changes no test outcome  ({})\n      id: {}\n",
                    capitalised(&m.site.description),
                    m.site.location,
                    m.site.id
                ));
            }
        }
    }
    let stillborn: Vec<&MutantResult> = report
        .mutants
        .iter()
        .filter(|m| matches!(m.fate, Fate::Stillborn(_)))
        .collect();
    if !stillborn.is_empty() {
        out.push_str("\nstillborn mutants (the checker rejects them):\n");
        for m in stillborn {
            if let Fate::Stillborn(why) = &m.fate {
                out.push_str(&format!("  {}: {why}\n", m.site.id));
            }
        }
    }
    if !report.stale.is_empty() {
        out.push_str("\nequivalents file:\n");
        for s in &report.stale {
            out.push_str(&format!("  {s}\n"));
        }
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
