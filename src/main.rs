//! The `refuge` command: see `refuge --help`.

use clap::Parser;
use refuge::cli::{run, Cli, ExitStatus};

fn main() -> ExitStatus {
    run(Cli::parse())
}
