//! Helpers shared by the suites that run the `refuge` binary.

use std::process::{Command, Output};

/// Runs the built `refuge` binary in the repository root.
pub fn refuge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refuge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the refuge binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
