//! The whole front end in one call: parse every file, check the set.

use crate::check::{self, CheckError, Warning};
use crate::ir::{DefId, Program};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ParseError};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, JSONReportHandler};

/// A compiled policy set and the warnings found while checking it.
#[derive(Debug)]
pub struct Compiled {
    /// The program, ready for an [`crate::Engine`].
    pub program: Program,
    /// Warnings (the program is usable).
    pub warnings: Vec<Warning>,
}

/// Every problem found in a policy set: errors of each phase, and warnings.
#[derive(Debug, Default)]
pub struct Diagnostics {
    /// Syntax errors, with the file each is in.
    pub parse: Vec<(FileId, ParseError)>,
    /// Checker errors.
    pub check: Vec<CheckError>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    /// miette's graphical report with colours.
    #[default]
    Human,
    /// The same without colours or Unicode art (for logs and snapshots).
    Plain,
    /// One JSON object per diagnostic (miette's JSON handler).
    Json,
}

/// Parses and checks every file of `sources`.
pub fn compile(sources: &SourceMap) -> Result<Compiled, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut modules = Vec::new();
    for file in sources.files() {
        match syntax::parse(file) {
            Ok(module) => modules.push(module),
            Err(errors) => diagnostics
                .parse
                .extend(errors.0.into_iter().map(|e| (file.id, e))),
        }
    }
    if !diagnostics.parse.is_empty() {
        return Err(diagnostics);
    }
    match check::check(&modules) {
        Ok(checked) => {
            let mut program = checked.program;
            program.rule_locations = program
                .rules
                .iter()
                .map(|r| sources.location(r.name_span))
                .collect();
            program.definitions_by_name = program
                .definitions
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((d.name.clone(), DefId(u32::try_from(i).ok()?))))
                .collect();
            Ok(Compiled {
                program,
                warnings: checked.warnings,
            })
        }
        Err(failure) => {
            diagnostics.check = failure.errors;
            diagnostics.warnings = failure.warnings;
            Err(diagnostics)
        }
    }
}

impl Diagnostics {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.parse.len() + self.check.len()
    }
}

/// Renders one diagnostic whose spans point into `file`.
pub fn render_one<D>(
    sources: &SourceMap,
    file: FileId,
    diagnostic: D,
    format: ErrorFormat,
) -> String
where
    D: Diagnostic + Send + Sync + 'static,
{
    let report = sources.report(file, diagnostic);
    let mut out = String::new();
    let result = match format {
        ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, report.as_ref()),
        ErrorFormat::Human => GraphicalReportHandler::new_themed(GraphicalTheme::unicode())
            .with_width(100)
            .with_syntax_highlighting(crate::syntax::PolicyHighlighter)
            .render_report(&mut out, report.as_ref()),
        ErrorFormat::Plain => GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false)
            .render_report(&mut out, report.as_ref()),
    };
    if result.is_err() {
        out = format!("{report}");
    }
    out
}

/// Renders errors then warnings, each with the snippet of its own file.
pub fn render_all(
    sources: &SourceMap,
    parse: &[(FileId, ParseError)],
    check: &[CheckError],
    warnings: &[Warning],
    format: ErrorFormat,
) -> String {
    let mut out = String::new();
    for (file, e) in parse {
        out.push_str(&render_one(sources, *file, e.clone(), format));
        out.push('\n');
    }
    for e in check {
        let mut e = e.clone();
        // A related location may be in another file: give it that file's text.
        for related in e.related_mut() {
            related.src = Some(sources.named_source(related.span.file));
        }
        out.push_str(&render_one(sources, file_of(e.span()), e, format));
        out.push('\n');
    }
    for w in warnings {
        out.push_str(&render_one(sources, file_of(w.span()), w.clone(), format));
        out.push('\n');
    }
    out
}

fn file_of(span: Span) -> FileId {
    span.file
}

impl Diagnostics {
    /// Renders every diagnostic.
    pub fn render(&self, sources: &SourceMap, format: ErrorFormat) -> String {
        render_all(sources, &self.parse, &self.check, &self.warnings, format)
    }
}
