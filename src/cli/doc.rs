//! `refuge doc [PATH] --out DIR [--cases DIR…]`

use super::{compile_or_report, load_sources, ExitStatus};
use refuge::case::{load_case, Case, CaseFormat};
use refuge::compile::ErrorFormat;
use refuge::coverage::Coverage;
use refuge::doc;
use refuge::testing::case_of_test;
use std::path::PathBuf;

/// Arguments of `refuge doc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.policy` file or a directory of them (default: the built-in policies).
    pub path: Option<PathBuf>,
    /// The directory to write the pages to (`index.html`, `index.md`, one
    /// `NAME.html` and `NAME.md` per source); created if missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Case files (or directories of them) whose runs are listed, next to the
    /// policies' own tests, under the articles they exercised.
    #[arg(long = "cases", value_name = "DIR")]
    pub cases: Vec<PathBuf>,
}

/// Runs `refuge doc`.
pub fn run(args: &Args, format: ErrorFormat) -> ExitStatus {
    let sources = match load_sources(args.path.as_ref(), format) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let compiled = match compile_or_report(&sources, format, false) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let program = &compiled.program;
    let mut named: Vec<(String, Case)> = program
        .tests
        .iter()
        .map(|t| (format!("test \"{}\"", t.name), case_of_test(program, t)))
        .collect();
    let mut status = ExitStatus::Ok;
    for dir in &args.cases {
        let mut files = Vec::new();
        if dir.is_file() {
            files.push(dir.clone());
        } else if dir.is_dir() {
            if !super::case_files(dir, &mut files) {
                status = ExitStatus::InputError;
            }
        } else {
            fail!("`{}` is not a file or directory", dir.display());
            status = ExitStatus::InputError;
        }
        files.sort();
        for file in files {
            let name = file.display().to_string();
            let Some(fmt) = CaseFormat::from_path(&file) else {
                continue;
            };
            match refuge::source::read_text(&file) {
                Ok(text) => match load_case(program, &name, &text, fmt) {
                    Ok(case) => named.push((format!("case {name}"), case)),
                    Err(errors) => {
                        super::report(&errors, format);
                        status = ExitStatus::InputError;
                    }
                },
                Err(e) => {
                    fail!("cannot read `{name}`: {e}");
                    status = ExitStatus::InputError;
                }
            }
        }
    }
    let coverage = Coverage::measure_named(program, named.iter().map(|(n, c)| (n.as_str(), c)));
    let site = doc::build(program, &sources, &coverage);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        fail!("cannot create `{}`: {e}", args.out.display());
        return ExitStatus::InputError;
    }
    let files = doc::to_html(&site)
        .into_iter()
        .chain(doc::to_markdown(&site));
    let mut written = 0;
    for (name, content) in files {
        let path = args.out.join(&name);
        if let Err(e) = std::fs::write(&path, content) {
            fail!("cannot write `{}`: {e}", path.display());
            return ExitStatus::InputError;
        }
        written += 1;
    }
    outln!(
        "wrote {written} files ({} sources, HTML and Markdown) to {}",
        site.sources.len(),
        args.out.display()
    );
    status
}
