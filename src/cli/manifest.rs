//! `refuge manifest [PATH]`

use super::{compile_or_report, load_sources, ExitStatus};
use refuge::compile::ErrorFormat;
use std::path::PathBuf;

/// Arguments of `refuge manifest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.policy` file or a directory of them (default: the built-in policies).
    pub path: Option<PathBuf>,
}

/// Runs `refuge manifest`: prints the program manifest (`refuge.program/1`),
/// the tables the JSON evaluation's ids refer to.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.path.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    println!("{}", compiled.program.manifest_json());
    ExitStatus::Ok
}
