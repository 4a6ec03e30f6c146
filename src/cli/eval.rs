//! `refuge eval [--policy PATH] CASE [--as-of DATE] [--format text|markdown|json]`

use super::{compile_or_report, load_sources, ExitStatus};
use crate::case::{load_case, CaseFormat};
use crate::compile::ErrorFormat;
use crate::eval::{Engine, Options};
use crate::explain::Outcome;
use clap::ValueEnum;
use std::io::Read as _;
use std::path::PathBuf;

/// Output formats.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Terminal text.
    Text,
    /// A Markdown memo.
    Markdown,
    /// JSON (docs/json-schema.md).
    Json,
}

/// Arguments of `refuge eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case file (.json, .yaml, .yml or .toml; `-` reads JSON from stdin),
    /// or a .jsonl file with one JSON case per line (batch: one compact JSON
    /// evaluation per line on stdout).
    pub case: PathBuf,
    /// Policies to evaluate against (default: the built-in policies).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Apply the law as of this date (overrides the case's `as_of`).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Evaluate only these verdicts (repeatable; default: all).
    #[arg(long = "verdict", value_name = "NAME")]
    pub verdicts: Vec<String>,
    /// Colour the text output.
    #[arg(long)]
    pub color: bool,
}

/// Runs `refuge eval`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.policy.as_ref()) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    if args
        .case
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
    {
        return batch(args, &compiled.program);
    }
    let (name, text, case_format) = if args.case.as_os_str() == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("error: cannot read the case from standard input: {e}");
            return ExitStatus::InputError;
        }
        ("<stdin>".to_string(), text, CaseFormat::Json)
    } else {
        let Some(case_format) = CaseFormat::from_path(&args.case) else {
            eprintln!(
                "error: cannot tell the format of `{}`\n  help: name the case file .json, .yaml, .yml or .toml",
                args.case.display()
            );
            return ExitStatus::InputError;
        };
        match std::fs::read_to_string(&args.case) {
            Ok(text) => (args.case.display().to_string(), text, case_format),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", args.case.display());
                return ExitStatus::InputError;
            }
        }
    };
    let case = match load_case(&compiled.program, &name, &text, case_format) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{:?}", miette::Report::new(errors));
            return ExitStatus::InputError;
        }
    };
    let engine = Engine::new(&compiled.program);
    let options = Options {
        as_of: args.as_of,
        verdicts: args.verdicts.clone(),
    };
    match engine.evaluate(&case, &options) {
        Ok(evaluation) => {
            let rendered = match args.format {
                Format::Text => crate::explain::to_text(&evaluation, args.color),
                Format::Markdown => crate::explain::to_markdown(&evaluation),
                Format::Json => evaluation.to_json(),
            };
            println!("{rendered}");
            let undetermined = evaluation
                .verdicts
                .iter()
                .any(|v| matches!(v.outcome, Outcome::Undetermined { .. }));
            if undetermined {
                ExitStatus::Undetermined
            } else {
                ExitStatus::Ok
            }
        }
        Err(mut e) => {
            if let crate::eval::EvalError::Conflict(c) = &mut e {
                for related in &mut c.other {
                    related.src = Some(sources.named_source(related.span.file));
                }
            }
            let file = e.span().map(|s| s.file).unwrap_or_default();
            eprint!("{}", crate::compile::render_one(&sources, file, e, format));
            ExitStatus::EvalError
        }
    }
}

/// `refuge eval CASES.jsonl`: one case per line, one JSON evaluation per line.
///
/// A line that fails to load or evaluate prints `{"line": N, "error": …}` in
/// its place and the batch goes on; the exit status is the worst seen.
fn batch(args: &Args, program: &crate::ir::Program) -> ExitStatus {
    use std::io::Write as _;
    let text = match std::fs::read_to_string(&args.case) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.case.display());
            return ExitStatus::InputError;
        }
    };
    let engine = Engine::new(program);
    let options = Options {
        as_of: args.as_of,
        verdicts: args.verdicts.clone(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut status = ExitStatus::Ok;
    let mut worse = |s: ExitStatus| {
        let rank = |s: ExitStatus| match s {
            ExitStatus::Ok => 0,
            ExitStatus::Undetermined => 1,
            ExitStatus::EvalError => 2,
            _ => 3,
        };
        if rank(s) > rank(status) {
            status = s;
        }
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = i + 1;
        let name = format!("{}:{number}", args.case.display());
        let record = match load_case(program, &name, line, CaseFormat::Json) {
            Err(errors) => {
                worse(ExitStatus::InputError);
                let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                serde_json::json!({ "line": number, "error": messages })
            }
            Ok(case) => match engine.evaluate(&case, &options) {
                Ok(evaluation) => {
                    if evaluation
                        .verdicts
                        .iter()
                        .any(|v| matches!(v.outcome, Outcome::Undetermined { .. }))
                    {
                        worse(ExitStatus::Undetermined);
                    }
                    match serde_json::to_value(&evaluation) {
                        Ok(v) => v,
                        Err(e) => serde_json::json!({ "line": number, "error": [e.to_string()] }),
                    }
                }
                Err(e) => {
                    worse(ExitStatus::EvalError);
                    serde_json::json!({ "line": number, "error": [e.to_string()] })
                }
            },
        };
        if writeln!(out, "{record}").is_err() {
            return ExitStatus::InputError;
        }
    }
    if out.flush().is_err() {
        return ExitStatus::InputError;
    }
    status
}
