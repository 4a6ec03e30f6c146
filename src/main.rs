//! The `refuge` command: see `refuge --help`.

use clap::Parser;
use refuge::cli::{run, Cli, ExitStatus};

fn main() -> ExitStatus {
    match Cli::try_parse() {
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
    }
}
