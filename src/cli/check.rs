//! `refuge check [PATH]`

use super::{compile_or_report, load_sources, ExitStatus};
use refuge::compile::ErrorFormat;
use std::path::PathBuf;

/// Arguments of `refuge check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.policy` file or a directory of them (default: the built-in policies).
    pub path: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also analyse every definition for overlaps, gaps, dead rules and
    /// in-force windows (exit 3 on a finding not accepted in the policy).
    #[arg(long, alias = "analyze")]
    pub analyse: bool,
    /// With `--analyse`: write each finding's witness as a case file here.
    #[arg(long, value_name = "DIR", requires = "analyse")]
    pub witnesses: Option<PathBuf>,
}

/// Runs `refuge check`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.path.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    match compile_or_report(&sources, format, true) {
        Ok(compiled) => {
            let p = &compiled.program;
            outln!(
                "ok: {} files, {} sources, {} facts, {} definitions ({} verdicts), {} rules, {} tables, {} tests; {} warning(s)",
                sources.files().len(),
                p.sources.len(),
                p.facts.len(),
                p.definitions.len(),
                p.verdicts().count(),
                p.rules.len(),
                p.tables.len(),
                p.tests.len(),
                compiled.warnings.len()
            );
            let status = if args.deny_warnings && !compiled.warnings.is_empty() {
                ExitStatus::PolicyError
            } else {
                ExitStatus::Ok
            };
            if args.analyse {
                status.worse(super::analyse::run(
                    &sources,
                    p,
                    args.witnesses.as_deref(),
                    format,
                ))
            } else {
                status
            }
        }
        Err(status) => status,
    }
}
