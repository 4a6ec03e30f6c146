//! `refuge eval [--policy PATH] CASE [--as-of DATE] [--format text|markdown|json]`

use super::{compile_or_report, load_sources, ExitStatus};
use clap::ValueEnum;
use refuge::case::{load_case, CaseFormat};
use refuge::compile::ErrorFormat;
use refuge::eval::Engine;
use refuge::ir::Type;
use refuge::value::Value;
use refuge::whynot::WantedOutcome;
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
    /// The case file (.json, .yaml, .yml or .toml; `-` reads JSON from stdin);
    /// or a batch: a .jsonl file with one JSON case per line, or a directory
    /// of case files, evaluated on every core and written as one compact JSON
    /// line per case on stdout, in input order (see `--output`).
    pub case: PathBuf,
    /// For a batch: what to write per case: `values` (the verdicts' values,
    /// the fastest), `verdicts` (per verdict the outcome, decisive facts, the
    /// law applied and missing facts) or `full` (the whole derivation graph,
    /// `refuge.evaluation/2`).
    #[arg(long, value_enum, default_value = "full")]
    pub output: refuge::batch::Output,
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
    /// With the text format: after the one-line summaries, the decisive
    /// derivation of each verdict (rules applied, decisive reads, what was
    /// considered and why it did not apply, missing facts).
    #[arg(long)]
    pub explain: bool,
    /// Say what would have to differ for VERDICT to be OUTCOME (a value of
    /// the verdict's type, as in a case file's `expect`, or `undetermined`):
    /// the smallest sets of changed facts, the rules that would then decide,
    /// the discretions, and any absolute bar. Printed instead of the evaluation.
    #[arg(long = "why-not", value_name = "VERDICT=OUTCOME")]
    pub why_not: Option<String>,
}

/// Runs `refuge eval`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.policy.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    if args.case.is_dir()
        || args
            .case
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
    {
        return batch(args, &compiled.program, format);
    }
    let (name, text, case_format) = if args.case.as_os_str() == "-" {
        let mut bytes = Vec::new();
        let read = std::io::stdin()
            .read_to_end(&mut bytes)
            .and_then(|_| refuge::source::text_from_bytes(bytes));
        let text = match read {
            Ok(text) => text,
            Err(e) => {
                fail!("cannot read the case from standard input: {e}");
                return ExitStatus::InputError;
            }
        };
        ("<stdin>".to_string(), text, CaseFormat::Json)
    } else {
        let Some(case_format) = CaseFormat::from_path(&args.case) else {
            fail!(
                "cannot tell the format of `{}`\n  help: name the case file .json, .yaml, .yml or .toml",
                args.case.display()
            );
            return ExitStatus::InputError;
        };
        match refuge::source::read_text(&args.case) {
            Ok(text) => (args.case.display().to_string(), text, case_format),
            Err(e) => {
                fail!("cannot read `{}`: {e}", args.case.display());
                return ExitStatus::InputError;
            }
        }
    };
    let case = match load_case(&compiled.program, &name, &text, case_format) {
        Ok(c) => c,
        Err(errors) => {
            super::report(&errors, format);
            return ExitStatus::InputError;
        }
    };
    if let Some(spec) = &args.why_not {
        return why_not(args, &compiled.program, &case, spec);
    }
    let engine = Engine::new(&compiled.program);
    let options = match engine.options(args.as_of, &args.verdicts) {
        Ok(options) => options,
        Err(e) => {
            super::report(&e, format);
            return ExitStatus::InputError;
        }
    };
    match engine.evaluate(&case, &options) {
        Ok(evaluation) => {
            let rendered = match args.format {
                Format::Text if args.explain => refuge::explain::to_text_explained(
                    &evaluation,
                    super::output::colour_on_stdout(),
                ),
                Format::Text => {
                    refuge::explain::to_text(&evaluation, super::output::colour_on_stdout())
                }
                Format::Markdown => refuge::explain::to_markdown(&evaluation),
                Format::Json => evaluation.to_json(),
            };
            outln!("{rendered}");
            if !evaluation.all_decided() {
                ExitStatus::Undetermined
            } else {
                ExitStatus::Ok
            }
        }
        Err(mut e) => {
            if let refuge::eval::EvalError::Conflict(c) = &mut e {
                for related in &mut c.other {
                    related.src = Some(sources.named_source(related.span.file));
                }
            }
            let file = e.span().map(|s| s.file).unwrap_or_default();
            err!("{}", refuge::compile::render_one(&sources, file, e, format));
            ExitStatus::EvalError
        }
    }
}

/// Parses `VERDICT=OUTCOME` against `program`, saying what is wrong.
pub fn parse_why_not(
    program: &refuge::ir::Program,
    spec: &str,
) -> Result<(refuge::ir::DefId, WantedOutcome), String> {
    let Some((name, outcome)) = spec.split_once('=') else {
        return Err(format!(
            "`--why-not {spec}` is not of the form VERDICT=OUTCOME\n  help: for example `--why-not return_prohibited=false`"
        ));
    };
    let (name, outcome) = (name.trim(), outcome.trim());
    let Some(def) = program.definition(name) else {
        let help = refuge::suggest::did_you_mean(
            name,
            program.definitions.iter().map(|d| d.name.as_str()),
        )
        .map_or_else(
            || {
                let verdicts: Vec<&str> = program
                    .verdicts()
                    .filter_map(|d| program.definitions.get(d.index()))
                    .map(|d| d.name.as_str())
                    .collect();
                format!("the verdicts are {}", verdicts.join(", "))
            },
            |s| format!("did you mean `{s}`?"),
        );
        return Err(format!(
            "no verdict or definition named `{name}`\n  help: {help}"
        ));
    };
    if outcome == "undetermined" {
        return Ok((def, WantedOutcome::Undetermined));
    }
    let ty = program.definitions.get(def.index()).map(|d| d.ty);
    if let Some(Type::Enum(e)) = ty {
        let variants = program
            .enums
            .get(e.index())
            .map(|e| e.variants.as_slice())
            .unwrap_or_default();
        if let Some(i) = variants.iter().position(|(v, _)| v == outcome) {
            let i = u32::try_from(i).map_err(|e| e.to_string())?;
            return Ok((def, WantedOutcome::Value(Value::Enum(e, i))));
        }
        let help = refuge::suggest::did_you_mean(outcome, variants.iter().map(|(v, _)| v.as_str()))
            .map_or_else(
                || {
                    let all: Vec<&str> = variants.iter().map(|(v, _)| v.as_str()).collect();
                    format!("`{name}` is one of {}, or `undetermined`", all.join(", "))
                },
                |s| format!("did you mean `{s}`?"),
            );
        return Err(format!(
            "`{outcome}` is not a value of `{name}`\n  help: {help}"
        ));
    }
    // Other types: type the value exactly as a case file's `expect` would.
    let json: serde_json::Value = serde_json::from_str(outcome)
        .unwrap_or_else(|_| serde_json::Value::String(outcome.to_string()));
    let case_text = serde_json::json!({ "expect": { name: json } }).to_string();
    match load_case(program, "--why-not", &case_text, CaseFormat::Json) {
        Ok(case) => match case.expect.into_iter().next() {
            Some((_, Some(v))) => Ok((def, WantedOutcome::Value(v))),
            _ => Ok((def, WantedOutcome::Undetermined)),
        },
        Err(errors) => {
            let type_name = ty.map_or_else(|| "?".into(), |t| program.type_name(t));
            let why: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            Err(format!(
                "`{outcome}` is not a value of `{name}` ({type_name}): {}\n  help: write a `{type_name}` value as in a case file's `expect`, or `undetermined`",
                why.join("; ")
            ))
        }
    }
}

/// `refuge eval CASE --why-not VERDICT=OUTCOME`.
fn why_not(
    args: &Args,
    program: &refuge::ir::Program,
    case: &refuge::case::Case,
    spec: &str,
) -> ExitStatus {
    let (def, wanted) = match parse_why_not(program, spec) {
        Ok(x) => x,
        Err(message) => {
            fail!("{message}");
            return ExitStatus::InputError;
        }
    };
    let Some(as_of) = args.as_of.or(case.as_of) else {
        fail!("the case has no `as_of` date\n  help: add `as_of` to the case or pass `--as-of YYYY-MM-DD`");
        return ExitStatus::InputError;
    };
    match refuge::whynot::why_not(program, case, def, wanted, as_of) {
        Ok(answer) => {
            let rendered = match args.format {
                Format::Text => refuge::whynot::to_text(&answer),
                Format::Markdown => refuge::whynot::to_markdown(&answer),
                Format::Json => answer.to_json(),
            };
            outln!("{rendered}");
            ExitStatus::Ok
        }
        Err(e) => {
            fail!("{e}");
            ExitStatus::EvalError
        }
    }
}

/// `refuge eval CASES.jsonl`: one case per line, one JSON evaluation per line.
///
/// A line that fails to load or evaluate prints `{"line": N, "error": …}` in
/// its place and the batch goes on; the exit status is the worst seen.
fn batch(args: &Args, program: &refuge::ir::Program, format: ErrorFormat) -> ExitStatus {
    let engine = Engine::new(program);
    let options = match engine.options(args.as_of, &args.verdicts) {
        Ok(options) => options,
        Err(e) => {
            super::report(&e, format);
            return ExitStatus::InputError;
        }
    };
    let batch = refuge::batch::Batch::new(engine, options, args.output);
    if args.case.is_dir() {
        super::batch::directory(&batch, &args.case)
    } else {
        super::batch::jsonl(&batch, &args.case)
    }
}
