//! `refuge diff OLD NEW --cases DIR [--cases DIR…] [--format text|markdown]`

use super::{compile_or_report, ExitStatus};
use clap::ValueEnum;
use refuge::case::CaseFormat;
use refuge::compile::ErrorFormat;
use refuge::diff::{impact, to_markdown, to_text, CaseInput};
use refuge::source::SourceMap;
use std::path::{Path, PathBuf};

/// Formats of the impact report.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Terminal text.
    Text,
    /// Markdown for a review: a summary line and one table per changed case.
    Markdown,
}

/// Arguments of `refuge diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policies before the amendment: a `.policy` file or a directory.
    pub old: PathBuf,
    /// The policies after the amendment: a `.policy` file or a directory.
    pub new: PathBuf,
    /// Case files, or directories searched for them (repeatable).
    #[arg(long = "cases", value_name = "DIR", required = true)]
    pub cases: Vec<PathBuf>,
    /// The report's format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Reads and compiles one side, saying which side failed.
fn program(path: &Path, side: &str, format: ErrorFormat) -> Result<refuge::Program, ExitStatus> {
    let sources = SourceMap::from_path(path).map_err(|e| {
        super::report(&e, format);
        fail!("cannot read the {side} policies `{}`", path.display());
        ExitStatus::InputError
    })?;
    compile_or_report(&sources, format, false)
        .map(|c| c.program)
        .inspect_err(|_| {
            fail!("the {side} policies `{}` have errors", path.display());
        })
}

/// Runs `refuge diff`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let old = program(&args.old, "OLD", format);
    let new = program(&args.new, "NEW", format);
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(ExitStatus::InputError), Err(_)) | (Err(_), Err(ExitStatus::InputError)) => {
            return ExitStatus::InputError
        }
        (Err(s), _) | (_, Err(s)) => return s,
    };
    let mut input_error = false;
    let mut inputs = Vec::new();
    for dir in &args.cases {
        let mut files = Vec::new();
        if dir.is_file() {
            files.push(dir.clone());
        } else if dir.is_dir() {
            if !super::case_files(dir, &mut files) {
                input_error = true;
            }
        } else {
            fail!("no case file or directory `{}`", dir.display());
            input_error = true;
        }
        files.sort();
        for file in files {
            let Some(case_format) = CaseFormat::from_path(&file) else {
                fail!(
                    "`{}` is not a case file (.json, .yaml, .yml or .toml)",
                    file.display()
                );
                input_error = true;
                continue;
            };
            match refuge::source::read_text(&file) {
                Ok(text) => inputs.push(CaseInput {
                    // Named relative to the --cases directory, for short headings.
                    name: file
                        .strip_prefix(dir)
                        .ok()
                        .filter(|rel| !rel.as_os_str().is_empty())
                        .unwrap_or(&file)
                        .display()
                        .to_string(),
                    text,
                    format: case_format,
                }),
                Err(e) => {
                    fail!("cannot read `{}`: {e}", file.display());
                    input_error = true;
                }
            }
        }
    }
    if inputs.is_empty() && !input_error {
        fail!("no case files (.json, .yaml, .yml, .toml) in the --cases paths");
        return ExitStatus::InputError;
    }
    let mut report = impact(&old, &new, &inputs);
    report.old = args.old.display().to_string();
    report.new = args.new.display().to_string();
    for case in &report.cases {
        // A case neither version loads is bad input, not a change.
        if let (Some(before), Some(after)) = (&case.load_error_before, &case.load_error_after) {
            fail!(
                "`{}` does not load under OLD ({before}) nor under NEW ({after})",
                case.name
            );
            input_error = true;
        }
    }
    out!(
        "{}",
        match args.format {
            Format::Text => to_text(&report),
            Format::Markdown => to_markdown(&report),
        }
    );
    if input_error {
        ExitStatus::InputError
    } else if report.any_changed() {
        ExitStatus::TestFailed
    } else {
        ExitStatus::Ok
    }
}
