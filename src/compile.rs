//! The whole front end in one call: parse every file, check the set.

use crate::check::{self, CheckError, Warning};
use crate::ir::{DefId, Program};
use crate::source::{FileId, SourceFile, SourceMap, Span};
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
    for (file, parsed) in sources.files().iter().zip(parse_files(sources.files())) {
        match parsed {
            Ok(module) => modules.push(module),
            Err(errors) => diagnostics
                .parse
                .extend(errors.0.into_iter().map(|e| (file.id, e))),
        }
    }
    if !diagnostics.parse.is_empty() {
        return Err(diagnostics);
    }
    compile_modules(sources, &modules)
}

/// Parses each file, in order. Files are independent until they are
/// checked together, so with the `parallel` feature they are parsed on every
/// core (parsing is most of a compile).
fn parse_files(files: &[SourceFile]) -> Vec<Result<crate::ast::Module, syntax::ParseErrors>> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        files.par_iter().map(syntax::parse).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        files.iter().map(syntax::parse).collect()
    }
}

/// Checks parsed modules of `sources` (the back half of [`compile`]): for a
/// tool that edits the syntax tree between parsing and checking, such as
/// mutation testing (`crate::mutation`).
pub fn compile_modules(
    sources: &SourceMap,
    modules: &[crate::ast::Module],
) -> Result<Compiled, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    match check::check(modules) {
        Ok(checked) => {
            let mut program = checked.program;
            let mut locator = sources.locator();
            program.rule_locations = program
                .rules
                .iter()
                .map(|r| locator.location(r.name_span))
                .collect();
            program.definitions_by_name = program
                .definitions
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((d.name.clone(), DefId(u32::try_from(i).ok()?))))
                .collect();
            program.index_citations();
            program.digest = sources.digest();
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
    render_diagnostic(report.as_ref(), format)
}

/// The longest source line shown in a snippet, in bytes. A label on a longer
/// line (minified JSON, a generated policy) is shown by line and column
/// instead: a snippet of it would not be readable, and miette's graphical
/// handler cannot pad past column 65,535.
pub const MAX_SNIPPET_LINE: usize = 1000;

/// Renders a self-contained diagnostic (one that carries its source text) in
/// `format`. Never panics: a label on a very long line falls back to a
/// narrow form naming the line and column, and a handler failure to the
/// plain message.
pub fn render_diagnostic(diagnostic: &dyn Diagnostic, format: ErrorFormat) -> String {
    let narrow;
    let diagnostic = if format != ErrorFormat::Json && too_wide(diagnostic) {
        narrow = Narrow::of(diagnostic);
        &narrow as &dyn Diagnostic
    } else {
        diagnostic
    };
    let mut out = String::new();
    let result = match format {
        ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, diagnostic),
        ErrorFormat::Human => GraphicalReportHandler::new_themed(GraphicalTheme::unicode())
            .with_width(100)
            .with_syntax_highlighting(crate::syntax::PolicyHighlighter)
            .render_report(&mut out, diagnostic),
        ErrorFormat::Plain => GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false)
            .render_report(&mut out, diagnostic),
    };
    if result.is_err() {
        out = format!("error: {diagnostic}\n");
    }
    if format == ErrorFormat::Json && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Whether a label of `diagnostic` (or of a related one) sits on a line
/// longer than [`MAX_SNIPPET_LINE`].
fn too_wide(diagnostic: &dyn Diagnostic) -> bool {
    let own = diagnostic.source_code().is_some_and(|source| {
        diagnostic.labels().into_iter().flatten().any(|label| {
            source
                .read_span(label.inner(), 0, 0)
                .map_or(true, |contents| {
                    contents.data().len() > MAX_SNIPPET_LINE || contents.column() > MAX_SNIPPET_LINE
                })
        })
    });
    own || diagnostic.related().into_iter().flatten().any(too_wide)
}

/// A diagnostic without its snippet: the labels become `at line L, column C`
/// notes.
#[derive(Debug)]
struct Narrow {
    message: String,
    code: Option<String>,
    help: Option<String>,
    related: Vec<Narrow>,
}

impl Narrow {
    fn of(diagnostic: &dyn Diagnostic) -> Self {
        let mut notes: Vec<String> = Vec::new();
        if let Some(source) = diagnostic.source_code() {
            for label in diagnostic.labels().into_iter().flatten() {
                let text = label.label().unwrap_or("here");
                match source.read_span(label.inner(), 0, 0) {
                    Ok(contents) => {
                        let name = contents.name().map_or(String::new(), |n| format!("{n}:"));
                        notes.push(format!(
                            "at {name}{}:{} (byte {}): {text}",
                            contents.line() + 1,
                            contents.column() + 1,
                            label.offset()
                        ));
                    }
                    Err(_) => notes.push(format!("at byte {}: {text}", label.offset())),
                }
            }
        }
        let mut help: Vec<String> = notes;
        if let Some(h) = diagnostic.help() {
            help.push(h.to_string());
        }
        Narrow {
            message: diagnostic.to_string(),
            code: diagnostic.code().map(|c| c.to_string()),
            help: (!help.is_empty()).then(|| help.join("\n")),
            related: diagnostic
                .related()
                .into_iter()
                .flatten()
                .map(Narrow::of)
                .collect(),
        }
    }
}

impl std::fmt::Display for Narrow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Narrow {}

impl Diagnostic for Narrow {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
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
