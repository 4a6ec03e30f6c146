//! `refuge serve [--policy PATH] [--addr HOST:PORT] …`

use super::{compile_or_report, load_sources, ExitStatus};
use refuge::compile::ErrorFormat;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `refuge serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policies to serve, compiled once at start (default: the built-in policies).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Where to listen; port 0 takes any free port (the address bound is
    /// printed on standard error: `listening on http://HOST:PORT`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The largest request body in bytes (for a batch: the largest line).
    #[arg(long, value_name = "BYTES", default_value_t = refuge::serve::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// The largest batch body in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_batch: usize,
    /// How long one request may take in seconds, reading its body included
    /// (a batch: the whole stream).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Threads evaluating cases (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Runs `refuge serve` until SIGTERM or Ctrl-C.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.policy.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let timeout = match std::time::Duration::try_from_secs_f64(args.timeout) {
        Ok(t) if !t.is_zero() => t,
        _ => {
            fail!(
                "`--timeout {}` is not a positive number of seconds\n  help: for example `--timeout 30`",
                args.timeout
            );
            return ExitStatus::InputError;
        }
    };
    let config = refuge::serve::Config {
        addr: args.addr,
        max_body: args.max_body,
        max_batch: args.max_batch,
        timeout,
        threads: args.threads,
    };
    let result = refuge::serve::run(sources, compiled, config, |addr| {
        err!("listening on http://{addr}\n");
    });
    match result {
        Ok(()) => {
            err!("shut down\n");
            ExitStatus::Ok
        }
        Err(e) => {
            fail!("cannot serve on {}: {e}", args.addr);
            ExitStatus::InputError
        }
    }
}
