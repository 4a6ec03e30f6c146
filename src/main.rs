//! The `refuge` command: see `refuge --help`.

use clap::Parser;
use refuge::cli::{run, Cli, ExitStatus};
use std::process::{ExitCode, Termination as _};

/// The stack of the thread that does the work. Nesting is limited before
/// any recursive phase (`syntax::MAX_NESTING`), so this is a safety margin,
/// not what keeps deep input from overflowing.
const STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("refuge".to_owned())
        .stack_size(STACK_BYTES)
        .spawn(|| match Cli::try_parse() {
            Ok(cli) => run(cli),
            Err(e) => {
                // `--help` and `--version` are not errors; a bad command line is
                // bad input (exit 4), never confused with exit 2 (undetermined).
                let _ = e.print();
                if e.use_stderr() {
                    ExitStatus::InputError
                } else {
                    ExitStatus::Ok
                }
            }
        });
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(status)) => status.report(),
        // A panic has already printed its message; it is a bug in refuge,
        // and exits as Rust's panics do.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            ExitStatus::InputError.report()
        }
    }
}
