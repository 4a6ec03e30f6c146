//! Writing to standard output and standard error without ever panicking.
//!
//! `println!` panics when the reader has gone away (`refuge eval … | head -1`
//! closes the pipe early). Here a broken pipe on standard output ends the
//! process quietly with the status of the run so far (success), as `cat` and
//! `grep` do; any other write error is reported once on standard error.
//! Writes to standard error never panic and failures there are ignored
//! (there is nowhere left to report them).

use refuge::compile::ErrorFormat;
use std::io::Write as _;
use std::sync::OnceLock;

/// The `--error-format` of this run, for errors that are not diagnostics.
static FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Sets the format of [`error`] messages (once, at the start of a run).
pub fn set_format(format: ErrorFormat) {
    let _ = FORMAT.set(format);
}

/// Prints an error that has no source span (an unreadable path, a bad
/// argument): `error: MESSAGE` and an indented `help:` line, or with
/// `--error-format json` one JSON object shaped like a diagnostic's.
pub fn error(text: &str) {
    let (message, help) = match text.split_once("\n  help: ") {
        Some((message, help)) => (message, Some(help)),
        None => (text, None),
    };
    if FORMAT.get() == Some(&ErrorFormat::Json) {
        let json = serde_json::json!({
            "message": message,
            "code": null,
            "severity": "error",
            "causes": [],
            "help": help,
            "labels": [],
            "related": [],
        });
        err(&format!("{json}\n"));
    } else {
        err(&format!("error: {text}\n"));
    }
}

/// Whether standard output shows colour (`--color`, else anstream's look at
/// the terminal and the environment).
pub fn colour_on_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Whether standard error shows colour.
pub fn colour_on_stderr() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Writes `text` to standard output; on a broken pipe, exits quietly.
///
/// Not through anstream's stripping stream: the renderers colour only when
/// [`colour_on_stdout`] says so, and a batch's JSON lines go out unscanned.
pub fn out(text: &str) {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let result = lock.write_all(text.as_bytes()).and_then(|()| lock.flush());
    if let Err(error) = result {
        quit_on(&error);
    }
}

/// Writes `text` to standard error (colour codes stripped where colour is
/// off), ignoring failures.
pub fn err(text: &str) {
    let mut lock = anstream::stderr().lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

/// Ends the process after a failed write to standard output: quietly (exit 0)
/// if the reader closed the pipe, with exit 4 and a message otherwise.
pub fn quit_on(error: &std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    err(&format!(
        "error: cannot write to standard output: {error}\n"
    ));
    std::process::exit(super::ExitStatus::InputError as i32);
}

/// `println!` that ends quietly on a broken pipe.
macro_rules! outln {
    () => { $crate::cli::output::out("\n") };
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::cli::output::out(&line)
    }};
}

/// `print!` that ends quietly on a broken pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::out(&format!($($arg)*)) };
}

/// An error without a span, in the run's `--error-format` (see [`error`]).
macro_rules! fail {
    ($($arg:tt)*) => { $crate::cli::output::error(&format!($($arg)*)) };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::output::err(&format!($($arg)*)) };
}
