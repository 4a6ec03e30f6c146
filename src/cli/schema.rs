//! `refuge schema case|evaluation [--policy PATH]`

use super::{compile_or_report, load_sources, ExitStatus};
use clap::ValueEnum;
use refuge::compile::ErrorFormat;
use std::path::PathBuf;

/// Which schema.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Which {
    /// Case files (JSON, YAML, TOML), generated from the policies' facts.
    Case,
    /// The JSON evaluation (`refuge eval --format json`, `refuge.evaluation/2`).
    Evaluation,
}

/// Arguments of `refuge schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema to print.
    #[arg(value_enum)]
    pub which: Which,
    /// Policies whose fact schema the case schema describes (default: the
    /// built-in policies).
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

/// Runs `refuge schema`: prints a JSON Schema (draft 2020-12).
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.policy.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    // The evaluation schema is the same for every program, but the policies
    // are still checked: a schema for a set that does not compile is no help.
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let schema = match args.which {
        Which::Case => refuge::schema::case_schema(&compiled.program),
        Which::Evaluation => refuge::schema::evaluation_schema(),
    };
    let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    outln!("{text}");
    ExitStatus::Ok
}
