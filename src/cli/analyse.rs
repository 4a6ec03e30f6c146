//! `refuge check --analyse`: the static analysis's findings as diagnostics.

use super::ExitStatus;
use refuge::compile::{render_one, ErrorFormat};
use refuge::ir::Program;
use refuge::source::SourceMap;
use std::path::Path;

/// Analyses a compiled program, prints every finding, writes the witnesses
/// to `witnesses` if given; `PolicyError` if a finding is not accepted.
pub(crate) fn run(
    sources: &SourceMap,
    program: &Program,
    witnesses: Option<&Path>,
    format: ErrorFormat,
) -> ExitStatus {
    let analysis = refuge::analysis::analyse(program);
    let mut status = ExitStatus::Ok;
    if let Some(dir) = witnesses {
        if let Err(e) = std::fs::create_dir_all(dir) {
            fail!("cannot create `{}`: {e}", dir.display());
            return ExitStatus::InputError;
        }
    }
    for finding in &analysis.findings {
        let mut shown = finding.clone();
        shown.attach_sources(sources);
        let file = shown.span().file;
        err!("{}", render_one(sources, file, shown, format));
        if let (Some(dir), Some(w)) = (witnesses, &finding.witness) {
            let path = dir.join(finding.witness_file_name(program));
            let json = w.to_json(program, finding.def, &finding.message);
            let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
            if let Err(e) = std::fs::write(&path, text) {
                fail!("cannot write `{}`: {e}", path.display());
                status = ExitStatus::InputError;
            }
        }
    }
    for stale in &analysis.stale_accepts {
        let location = sources.location(stale.span);
        err!(
            "warning[refuge::analysis::stale_accept]: `accept {}` at {location} covers no finding: remove it",
            stale.kind.word()
        );
    }
    let open = analysis.unaccepted().count();
    let accepted = analysis.findings.len() - open;
    outln!(
        "analysis: {} definitions, {} rules, {} questions in {} ms (money and decimals to {} places): {} finding(s), {} accepted, {} open",
        program.definitions.len(),
        program.rules.len(),
        analysis.questions,
        analysis.elapsed.as_millis(),
        analysis.scale,
        analysis.findings.len(),
        accepted,
        open
    );
    if open > 0 || !analysis.stale_accepts.is_empty() {
        status = status.worse(ExitStatus::PolicyError);
    }
    status
}
