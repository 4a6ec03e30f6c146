//! `refuge fmt [--check] [PATH…]`

use super::ExitStatus;
use refuge::compile::{render_one, ErrorFormat};
use refuge::fmt::{format, write_atomically};
use refuge::source::{LineEnding, SourceMap};
use std::path::{Path, PathBuf};

/// Arguments of `refuge fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// `.policy` files or directories of them (default: `policies/` in the
    /// current directory; unlike `check` and `test`, not the built-in
    /// policies, which are compiled into the binary and cannot be rewritten).
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that are not formatted, each with an
    /// excerpt of the change, and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// How many changed lines of each side an excerpt shows.
const EXCERPT_LINES: usize = 6;

/// Runs `refuge fmt`: rewrites each file that is not in the canonical layout
/// (or, with `--check`, only reports it).
///
/// Exit status: 1 with `--check` if a file is not formatted; 3 if a file does
/// not parse or the formatter refuses it (nothing is written to that file);
/// 4 if a path cannot be read or written.
pub fn run(args: &Args, error_format: ErrorFormat) -> ExitStatus {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    let mut status = ExitStatus::Ok;
    for root in &roots {
        if let Err(error) = collect(root, &mut files) {
            fail!("cannot read `{}`: {error}", root.display());
            status = status.worse(ExitStatus::InputError);
        }
    }
    let (mut changed, mut failed) = (0usize, 0usize);
    for file in &files {
        match format_file(file, args.check, error_format) {
            Ok(false) => {}
            Ok(true) => {
                changed += 1;
                if args.check {
                    status = status.worse(ExitStatus::TestFailed);
                }
            }
            Err(failure) => {
                failed += 1;
                status = status.worse(failure);
            }
        }
    }
    let total = files.len();
    let verb = if args.check {
        "not formatted"
    } else {
        "formatted"
    };
    let mut summary = format!("{changed} of {total} file(s) {verb}");
    if failed > 0 {
        summary.push_str(&format!(", {failed} left alone because of errors"));
    }
    if args.check && changed > 0 {
        summary.push_str(": run `refuge fmt` to format them");
    }
    outln!("{summary}");
    status
}

/// Formats one file; true if its text changes (with `check`, it is not
/// written).
fn format_file(path: &Path, check: bool, error_format: ErrorFormat) -> Result<bool, ExitStatus> {
    let name = path.display().to_string();
    let text = refuge::source::read_text(path).map_err(|error| {
        fail!("cannot read `{name}`: {error}");
        ExitStatus::InputError
    })?;
    // The formatter reads normalised text; the file keeps its BOM and its
    // line endings.
    let ending = LineEnding::of(&text);
    let bom = if text.starts_with(refuge::source::BOM) {
        "\u{feff}"
    } else {
        ""
    };
    let mut sources = SourceMap::new();
    let id = sources.add(name.as_str(), text.as_str());
    let formatted = match sources.get(id).map(format) {
        Some(Ok(formatted)) => format!("{bom}{}", ending.apply(&formatted)),
        Some(Err(error)) => {
            err!("{}", render_one(&sources, id, error, error_format));
            fail!("`{name}` was not formatted");
            return Err(ExitStatus::PolicyError);
        }
        None => return Err(ExitStatus::InputError),
    };
    if formatted == text {
        return Ok(false);
    }
    if check {
        outln!("not formatted: {name}");
        out!("{}", excerpt(&text, &formatted));
    } else {
        write_atomically(path, formatted.as_bytes()).map_err(|error| {
            fail!("cannot write `{name}` (it is unchanged): {error}");
            ExitStatus::InputError
        })?;
        outln!("formatted: {name}");
    }
    Ok(true)
}

/// Adds `path` if it is a file, or every `.policy` file below it (sorted) if
/// it is a directory.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        // A missing path is an error here, not an empty set of files.
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    let (files, errors) = refuge::source::walk_files(path, refuge::source::is_policy_file);
    out.extend(files);
    match errors.into_iter().next() {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// A unified-diff excerpt (by `similar`) of the first change from `old` to
/// `new`: its `@@ -line,count +line,count @@` header, a line of context
/// either side, and at most [`EXCERPT_LINES`] changed lines.
fn excerpt(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_millis(500))
        .diff_lines(old, new);
    let mut unified = diff.unified_diff();
    unified.context_radius(1);
    let mut hunks = unified.iter_hunks();
    let Some(first) = hunks.next() else {
        return "  (only line endings or the end of the file differ)\n".to_owned();
    };
    let mut out = format!("{}\n", first.header());
    let mut changed = 0;
    let mut more = 0;
    for change in first.iter_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Equal => " ",
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
        };
        if sign != " " {
            changed += 1;
            if changed > EXCERPT_LINES {
                more += 1;
                continue;
            }
        } else if changed > EXCERPT_LINES {
            continue;
        }
        out.push_str(sign);
        out.push_str(change.as_str().unwrap_or("").trim_end_matches(['\n', '\r']));
        out.push('\n');
    }
    if more > 0 {
        out.push_str(&format!("  … {more} more changed line(s)\n"));
    }
    if hunks.next().is_some() {
        out.push_str("  … and more changes below\n");
    }
    out
}
