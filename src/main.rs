//! The `refuge` command: see `refuge --help`.

mod cli;

use clap::Parser;
use cli::{run, Cli, ExitStatus};
use std::process::{ExitCode, Termination as _};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack of the thread that does the work. Nesting is limited before
/// any recursive phase (`syntax::MAX_NESTING`), so this is a safety margin,
/// not what keeps deep input from overflowing.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// Whether the command line asks for `--error-format json`, read without
/// clap (which has just refused the command line).
fn json_errors_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--error-format=json")
        || args
            .windows(2)
            .any(|w| matches!(w, [flag, value] if flag == "--error-format" && value == "json"))
}

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("refuge".to_owned())
        .stack_size(STACK_BYTES)
        .spawn(|| match Cli::try_parse() {
            Ok(cli) => run(cli),
            Err(e) => {
                // `--help` and `--version` are not errors; a bad command line is
                // bad input (exit 4), never confused with exit 2 (undetermined).
                if e.use_stderr() && json_errors_asked() {
                    let message = e.to_string();
                    let mut lines = message.lines().filter(|l| !l.trim().is_empty());
                    let first = lines.next().unwrap_or("invalid command line");
                    let json = serde_json::json!({
                        "message": first.trim_start_matches("error: "),
                        "code": "refuge::usage",
                        "severity": "error",
                        "causes": [],
                        "help": lines.map(str::trim).collect::<Vec<_>>().join("\n"),
                        "labels": [],
                        "related": [],
                    });
                    eprintln!("{json}");
                    return ExitStatus::InputError;
                }
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
