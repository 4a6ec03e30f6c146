//! `refuge lsp`: the language server, for editors (see `refuge::lsp`).

use super::ExitStatus;

/// Arguments of `refuge lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Serves until the editor says `exit`.
pub fn run(_args: &Args) -> ExitStatus {
    match refuge::lsp::run_stdio() {
        Ok(()) => ExitStatus::Ok,
        Err(e) => {
            eprintln!("refuge lsp: {e}");
            ExitStatus::InputError
        }
    }
}
