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

/// The syntax trees of a policy set's files, kept from one compile to the
/// next so that compiling again after an edit parses only the files whose
/// text changed: an editor checks the whole set after every change to one
/// file, and parsing is most of a compile (see docs/architecture.md).
///
/// ```
/// use refuge::compile::{compile, ParseCache};
/// use refuge::source::SourceMap;
/// let mut sources = SourceMap::new();
/// sources.add("a.policy", "fact x : bool");
/// let mut cache = ParseCache::new();
/// assert!(cache.compile(&sources).is_ok());
/// assert_eq!(cache.parsed_last_time(), 1);
/// // Nothing changed: nothing is parsed again, and the result is the same.
/// assert!(cache.compile(&sources).is_ok());
/// assert_eq!(cache.parsed_last_time(), 0);
/// assert_eq!(
///     cache.compile(&sources).map(|c| c.program.facts.len()).ok(),
///     compile(&sources).map(|c| c.program.facts.len()).ok(),
/// );
/// ```
#[derive(Debug, Default)]
pub struct ParseCache {
    /// Per file, in id order: its name and the text it was parsed from.
    texts: Vec<(String, String)>,
    /// Per file: the syntax tree of the last text of it that parsed (an
    /// empty module if none has), so that the modules of a set that parses
    /// are one slice for the checker.
    modules: Vec<crate::ast::Module>,
    /// Per file: the errors of its text, if it does not parse.
    errors: Vec<Option<syntax::ParseErrors>>,
    /// How many files the last update parsed.
    parsed: usize,
}

impl ParseCache {
    /// An empty cache: the first compile parses every file.
    pub fn new() -> Self {
        ParseCache::default()
    }

    /// Parses the files of `sources` that are new or changed since the last
    /// update (a file is the same when its id, name and text are).
    pub fn update(&mut self, sources: &SourceMap) {
        let files = sources.files();
        let changed: Vec<&SourceFile> = files
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                self.texts
                    .get(*i)
                    .is_none_or(|(name, text)| *name != f.name || *text != f.text)
            })
            .map(|(_, f)| f)
            .collect();
        self.parsed = changed.len();
        let results = parse_files_of(&changed);
        self.texts.truncate(files.len());
        self.modules.truncate(files.len());
        self.errors.truncate(files.len());
        for (file, result) in changed.into_iter().zip(results) {
            let i = file.id.0 as usize;
            let text = (file.name.clone(), file.text.clone());
            let (module, errors) = match result {
                Ok(module) => (Some(module), None),
                Err(errors) => (None, Some(errors)),
            };
            if i < self.texts.len() {
                // Another file at this index (one was added or removed
                // before it): its last tree is not this file's.
                let renamed = self
                    .texts
                    .get(i)
                    .is_some_and(|(name, _)| *name != file.name);
                if let Some(slot) = self.texts.get_mut(i) {
                    *slot = text;
                }
                if let Some(slot) = self.modules.get_mut(i) {
                    match module {
                        Some(module) => *slot = module,
                        None if renamed => *slot = empty_module(file),
                        None => {}
                    }
                }
                if let Some(slot) = self.errors.get_mut(i) {
                    *slot = errors;
                }
            } else {
                // Files are added in id order, so `i` is the next index.
                self.texts.push(text);
                self.modules
                    .push(module.unwrap_or_else(|| empty_module(file)));
                self.errors.push(errors);
            }
        }
    }

    /// Compiles `sources` like [`compile`] (the same result), parsing only
    /// what changed since the last call.
    pub fn compile(&mut self, sources: &SourceMap) -> Result<Compiled, Diagnostics> {
        self.update(sources);
        let parse: Vec<(FileId, ParseError)> = self
            .errors
            .iter()
            .zip(sources.files())
            .filter_map(|(errors, file)| Some((file.id, errors.as_ref()?)))
            .flat_map(|(id, errors)| errors.0.iter().map(move |e| (id, e.clone())))
            .collect();
        if !parse.is_empty() {
            return Err(Diagnostics {
                parse,
                ..Diagnostics::default()
            });
        }
        compile_modules(sources, &self.modules)
    }

    /// Each file's syntax tree: of its current text if it parses, else of
    /// the last text of it that did (empty if none has), in id order. What
    /// an editor indexes names from while a file is mid-edit.
    pub fn modules(&self) -> &[crate::ast::Module] {
        &self.modules
    }

    /// Whether file `index` (its id) parses as it is now.
    pub fn parses(&self, index: usize) -> bool {
        self.errors.get(index).is_some_and(Option::is_none)
    }

    /// How many files the last update parsed.
    pub fn parsed_last_time(&self) -> usize {
        self.parsed
    }
}

/// Parses each file, in order. Files are independent until they are
/// checked together, so with the `parallel` feature they are parsed on every
/// core (parsing is most of a compile).
fn parse_files(files: &[SourceFile]) -> Vec<Result<crate::ast::Module, syntax::ParseErrors>> {
    let files: Vec<&SourceFile> = files.iter().collect();
    parse_files_of(&files)
}

/// The tree of a file that has never parsed: its module, with nothing in it.
fn empty_module(file: &SourceFile) -> crate::ast::Module {
    crate::ast::Module {
        name: file.module.clone(),
        items: Vec::new(),
    }
}

/// Runs `a` and `b`, on two cores with the `parallel` feature.
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}

/// [`parse_files`] of some of the files of a set.
fn parse_files_of(files: &[&SourceFile]) -> Vec<Result<crate::ast::Module, syntax::ParseErrors>> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        files.par_iter().map(|f| syntax::parse(f)).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        files.iter().map(|f| syntax::parse(f)).collect()
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
    // The digest hashes every byte of the set, one after another; it does
    // not need the checker's result, so it runs beside it.
    let (checked, digest) = join(|| check::check(modules), || sources.digest());
    match checked {
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
            program.digest = digest;
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

#[cfg(test)]
mod tests {
    use super::{compile, Diagnostics, ParseCache};
    use crate::source::SourceMap;

    fn set(files: &[(&str, &str)]) -> SourceMap {
        let mut sources = SourceMap::new();
        for (name, text) in files {
            sources.add(*name, *text);
        }
        sources
    }

    /// What a compile says, to compare the cached compile with the plain
    /// one: the rendered errors, or the program's definitions and warnings.
    fn outcome(sources: &SourceMap, result: Result<super::Compiled, Diagnostics>) -> String {
        match result {
            Ok(compiled) => format!(
                "ok: {:?} {:?}",
                compiled
                    .program
                    .definitions
                    .iter()
                    .map(|d| &d.name)
                    .collect::<Vec<_>>(),
                compiled.warnings
            ),
            Err(d) => format!("errors: {}", d.render(sources, super::ErrorFormat::Plain)),
        }
    }

    const A: &str = "source act : statute \"Act\"\nfact x : bool\n\
                     verdict v : bool {\n  default x cite act art 1 provenance text\n}\n";
    const B: &str =
        "use a\nverdict w : bool {\n  default not v cite act art 2 provenance text\n}\n";
    const B_BROKEN: &str =
        "use a\nverdict w : bool {\n  default not cite act art 2 provenance text\n}\n";

    /// The editor loop: each compile parses only the files whose text
    /// changed, and says what a compile from scratch says, through a syntax
    /// error, its fix, and a file added in front of the others (which moves
    /// every file to a new id).
    #[test]
    fn a_cached_compile_parses_only_what_changed_and_agrees_with_compile() {
        let mut cache = ParseCache::new();
        let steps: [(&[(&str, &str)], usize); 5] = [
            (&[("a.policy", A), ("b.policy", B)], 2),
            (&[("a.policy", A), ("b.policy", B)], 0),
            (&[("a.policy", A), ("b.policy", B_BROKEN)], 1),
            (&[("a.policy", A), ("b.policy", B)], 1),
            (
                &[
                    ("0.policy", "use a\nfact y : bool\n"),
                    ("a.policy", A),
                    ("b.policy", B),
                ],
                3,
            ),
        ];
        for (i, (files, parsed)) in steps.into_iter().enumerate() {
            let sources = set(files);
            let cached = outcome(&sources, cache.compile(&sources));
            let plain = outcome(&sources, compile(&sources));
            assert_eq!(cached, plain, "step {i}");
            assert_eq!(cached.starts_with("ok"), i != 2, "step {i}: {cached}");
            assert_eq!(cache.parsed_last_time(), parsed, "step {i}");
        }
    }

    /// While a file does not parse, its last tree that did stays available
    /// (what the language server indexes names from), and the set does not
    /// check.
    #[test]
    fn a_file_that_stops_parsing_keeps_its_last_tree() {
        let mut cache = ParseCache::new();
        let good = set(&[("a.policy", A), ("b.policy", B)]);
        assert!(cache.compile(&good).is_ok());
        let broken = set(&[("a.policy", A), ("b.policy", B_BROKEN)]);
        let Err(diagnostics) = cache.compile(&broken) else {
            panic!("a syntax error fails the compile");
        };
        assert_eq!(diagnostics.parse.len(), 1);
        assert!(!cache.parses(1) && cache.parses(0));
        assert_eq!(cache.modules().get(1), compile_one(B).as_ref());
    }

    fn compile_one(text: &str) -> Option<crate::ast::Module> {
        let sources = set(&[("a.policy", A), ("b.policy", text)]);
        crate::syntax::parse(sources.files().get(1)?).ok()
    }
}
