//! The `refuge` command line (the binary's own modules, not the library's):
//! a thin layer over the library, which it reaches through its public and
//! `#[doc(hidden)] pub` items.
//!
//! Exit codes (also in `refuge --help`):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success: policies check; every verdict decided; every test passed |
//! | 1 | a test or expectation failed |
//! | 2 | evaluation succeeded but a verdict is undetermined |
//! | 3 | the policies have errors |
//! | 4 | the case file or the command line is invalid, or a file cannot be read |
//! | 5 | evaluation error (a conflict between rules, an arithmetic error) |

#[macro_use]
mod output;
mod analyse;
mod batch;
mod check;
mod diff;
mod doc;
mod eval;
mod fmt;
#[cfg(feature = "lsp")]
mod lsp;
mod manifest;
mod schema;
#[cfg(feature = "serve")]
mod serve;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use refuge::compile::{compile, Compiled, ErrorFormat};
use refuge::source::SourceMap;
use std::path::PathBuf;
use std::process::{ExitCode, Termination};

/// How a run of `refuge` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success.
    Ok = 0,
    /// A test or expectation failed.
    TestFailed = 1,
    /// A verdict is undetermined.
    Undetermined = 2,
    /// The policies have errors.
    PolicyError = 3,
    /// Bad input: case file, arguments, unreadable file.
    InputError = 4,
    /// Evaluation error.
    EvalError = 5,
}

impl ExitStatus {
    /// How serious an outcome is, for a run that has several (a batch, many
    /// files): success < undetermined < a test failed < an evaluation error
    /// < policy errors < bad input. The one ranking every command uses.
    fn rank(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Undetermined => 1,
            ExitStatus::TestFailed => 2,
            ExitStatus::EvalError => 3,
            ExitStatus::PolicyError => 4,
            ExitStatus::InputError => 5,
        }
    }

    /// The more serious of two outcomes.
    #[must_use]
    pub fn worse(self, other: ExitStatus) -> ExitStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

impl Termination for ExitStatus {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// refuge: evaluate refugee-protection law with cited explanations.
#[derive(Debug, Parser)]
#[command(
    name = "refuge",
    version,
    about,
    after_help = "Exit codes: 0 success · 1 test failed · 2 verdict undetermined · 3 policy errors · 4 bad input · 5 evaluation error"
)]
pub struct Cli {
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
    /// How to print errors.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub error_format: ErrorFormatArg,
    /// When to colour output: `auto` (at a terminal, unless `NO_COLOR` is
    /// set or `TERM=dumb`), `always` (also `--color` alone) or `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        num_args = 0..=1,
        default_missing_value = "always"
    )]
    pub color: ColorArg,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// At a terminal that shows colour.
    Auto,
    /// Always (also when piped).
    Always,
    /// Never.
    Never,
}

/// `--error-format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ErrorFormatArg {
    /// Graphical, coloured.
    Human,
    /// Graphical, no colour.
    Plain,
    /// JSON.
    Json,
}

impl From<ErrorFormatArg> for ErrorFormat {
    fn from(f: ErrorFormatArg) -> Self {
        match f {
            ErrorFormatArg::Human => ErrorFormat::Human,
            ErrorFormatArg::Plain => ErrorFormat::Plain,
            ErrorFormatArg::Json => ErrorFormat::Json,
        }
    }
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policies for errors and warnings (default: the built-in policies).
    Check(check::Args),
    /// Evaluate a case and explain every verdict with citations.
    Eval(eval::Args),
    /// Run the tests written in policies and the expectations of case files.
    Test(test::Args),
    /// Rewrite policies in the canonical layout (`--check`: only report).
    Fmt(fmt::Args),
    /// Compare the verdicts of a case corpus under two versions of the policies.
    Diff(diff::Args),
    /// Render the policy set as static HTML and Markdown pages, per source and article.
    Doc(doc::Args),
    /// Print the program manifest: the rules, citations and sources `eval --format json` refers to by index.
    Manifest(manifest::Args),
    /// Print a JSON Schema (2020-12): `case` for case files of these policies, `evaluation` for `eval --format json`.
    Schema(schema::Args),
    /// Serve evaluations over HTTP (JSON; OpenAPI at /openapi.json) until SIGTERM.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    /// Run the language server on stdin/stdout (for editors).
    #[cfg(feature = "lsp")]
    Lsp(lsp::Args),
}

/// Runs the command line.
pub fn run(cli: Cli) -> ExitStatus {
    let mut format: ErrorFormat = cli.error_format.into();
    // anstream decides (terminal, NO_COLOR, CLICOLOR_FORCE, TERM=dumb) unless
    // `--color` says; what it decides against is also stripped on output.
    anstream::ColorChoice::write_global(match cli.color {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::AlwaysAnsi,
        ColorArg::Never => anstream::ColorChoice::Never,
    });
    if format == ErrorFormat::Human && !output::colour_on_stderr() {
        format = ErrorFormat::Plain;
    }
    output::set_format(format);
    match cli.command {
        Command::Check(args) => check::run(&args, format),
        Command::Eval(args) => eval::run(&args, format),
        Command::Test(args) => test::run(&args, format),
        Command::Fmt(args) => fmt::run(&args, format),
        Command::Diff(args) => diff::run(&args, format),
        Command::Doc(args) => doc::run(&args, format),
        Command::Manifest(args) => manifest::run(&args, format),
        Command::Schema(args) => schema::run(&args, format),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args, format),
        #[cfg(feature = "lsp")]
        Command::Lsp(args) => lsp::run(&args),
    }
}

/// Prints a self-contained diagnostic (one that carries its source text)
/// to standard error in `format`.
pub(crate) fn report(diagnostic: &dyn miette::Diagnostic, format: ErrorFormat) {
    err!("{}", refuge::compile::render_diagnostic(diagnostic, format));
}

/// Loads policies from a path, or the built-in ones.
pub(crate) fn load_sources(
    path: Option<&PathBuf>,
    format: ErrorFormat,
) -> Result<SourceMap, ExitStatus> {
    match path {
        None => Ok(SourceMap::builtin()),
        Some(p) => SourceMap::from_path(p).map_err(|e| {
            report(&e, format);
            ExitStatus::InputError
        }),
    }
}

/// Compiles, printing diagnostics; warnings go to stderr too.
pub(crate) fn compile_or_report(
    sources: &SourceMap,
    format: ErrorFormat,
    show_warnings: bool,
) -> Result<Compiled, ExitStatus> {
    match compile(sources) {
        Ok(compiled) => {
            if show_warnings && !compiled.warnings.is_empty() {
                err!(
                    "{}",
                    refuge::compile::render_all(sources, &[], &[], &compiled.warnings, format)
                );
            }
            Ok(compiled)
        }
        Err(diagnostics) => {
            err!("{}", diagnostics.render(sources, format));
            fail!(
                "{} error(s) in the policies, {} warning(s)",
                diagnostics.error_count(),
                diagnostics.warnings.len()
            );
            Err(ExitStatus::PolicyError)
        }
    }
}

/// Every case file (.json, .yaml, .yml, .toml) below `dir`, appended to
/// `out`; false (each problem reported) if part of the tree could not be
/// read.
#[must_use]
pub(crate) fn case_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) -> bool {
    let (files, errors) =
        refuge::source::walk_files(dir, |p| refuge::case::CaseFormat::from_path(p).is_some());
    out.extend(files);
    for error in &errors {
        let path = error
            .path()
            .map_or_else(|| dir.display().to_string(), |p| p.display().to_string());
        fail!("cannot read `{path}`: {error}");
    }
    errors.is_empty()
}

#[cfg(test)]
mod tests {
    use super::ExitStatus::{self, *};

    #[test]
    fn the_ranking_of_exit_statuses_is_total_and_in_the_documented_order() {
        let order = [
            Ok,
            Undetermined,
            TestFailed,
            EvalError,
            PolicyError,
            InputError,
        ];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                let expected: ExitStatus = if i >= j { *a } else { *b };
                assert_eq!(a.worse(*b), expected, "{a:?} worse {b:?}");
            }
        }
    }
}
