//! Source files, spans and the source map.
//!
//! A policy set spans several files, so every [`Span`] names its file by
//! [`FileId`]. Diagnostics carry plain spans; [`SourceMap::report`] attaches the
//! right file's text when an error is shown. (This is the "source map" choice
//! of STYLE §3: spans stay 12 bytes, errors are made self-contained only at the
//! edge, and a diagnostic that points into a second file carries that location
//! as a related diagnostic.)

use std::fmt;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// Spans are `Copy` and compare equal to every other span (see [`Spanned`]),
/// so that syntax trees compare by meaning, not by position.
#[derive(Clone, Copy, Default, Eq)]
pub struct Span {
    /// The file the span points into.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        // INVARIANT: spans never distinguish two syntax trees; tests and the
        // formatter's soundness check compare meaning only.
        true
    }
}

impl Span {
    /// A span covering `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range as `usize`.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        let len = span.end.saturating_sub(span.start) as usize;
        (span.start as usize, len).into()
    }
}

/// A value with the span it was written at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
    /// Maps the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            node: f(self.node),
            span: self.span,
        }
    }
    /// Borrows the value, keeping the span.
    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            node: &self.node,
            span: self.span,
        }
    }
}

/// One policy or case file: its display name, module name and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file's id in its [`SourceMap`].
    pub id: FileId,
    /// The name shown in diagnostics (a path relative to the policy root).
    pub name: String,
    /// The module name (`kr/resettlement.policy` → `kr.resettlement`).
    pub module: String,
    /// The text.
    pub text: String,
}

/// All the files of a policy set (and any case files loaded beside it).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// The byte offsets where the lines of a text start, to find the line of an
/// offset by binary search instead of counting newlines from the start.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The line (from 0) holding byte `offset`, and the offset it starts
    /// at. An offset past the end is on the last line.
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (line, self.starts.get(line).copied().unwrap_or(0))
    }

    /// The byte offset where line `line` (from 0) starts, if there is one.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Line and column (both from 1, the column in characters) of byte
    /// `offset` of `text`, the text indexed.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let (line, start) = self.line_of(offset);
        let col = text.get(start..offset).map_or(0, |l| l.chars().count());
        (line + 1, col + 1)
    }
}

/// Locations (`file:line:col`) of spans of a [`SourceMap`], each file's
/// lines indexed the first time one of its spans is asked for.
#[derive(Debug)]
pub struct Locator<'a> {
    sources: &'a SourceMap,
    lines: Vec<Option<LineIndex>>,
}

impl Locator<'_> {
    /// Line and column (from 1) of a span's start (`(0, 0)`: no such file).
    pub fn line_col(&mut self, span: Span) -> (usize, usize) {
        let Some(file) = self.sources.get(span.file) else {
            return (0, 0);
        };
        let i = span.file.0 as usize;
        if self.lines.len() <= i {
            self.lines.resize(i + 1, None);
        }
        match self.lines.get_mut(i) {
            Some(slot) => slot
                .get_or_insert_with(|| LineIndex::new(&file.text))
                .line_col(&file.text, span.start as usize),
            None => (0, 0),
        }
    }

    /// `file:line:col` of a span.
    pub fn location(&mut self, span: Span) -> String {
        let (line, col) = self.line_col(span);
        let name = self.sources.get(span.file).map_or("?", |f| f.name.as_str());
        format!("{name}:{line}:{col}")
    }
}

/// An error reading policy files from disk.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read `{path}`: {source}")]
#[diagnostic(code(refuge::io))]
pub struct ReadError {
    /// The path that could not be read.
    pub path: String,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
    /// How to go on.
    #[help]
    pub help: String,
}

impl ReadError {
    /// An error reading `path`, with the help that fits `source`.
    pub fn new(path: &Path, source: std::io::Error) -> Self {
        let help = if source.kind() == std::io::ErrorKind::InvalidData {
            "save the file as UTF-8 (without a byte-order mark or with one: both are read)"
        } else {
            "check that the path exists and names a `.policy` file or a directory of them"
        };
        ReadError {
            path: path.display().to_string(),
            source,
            help: help.to_owned(),
        }
    }
}

/// Reads a text file: UTF-8, with or without a byte-order mark. Invalid
/// UTF-8 is an [`std::io::ErrorKind::InvalidData`] error that names the byte
/// offset, line and column of the first bad byte.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    text_from_bytes(bytes)
}

/// UTF-8 text from bytes, or an error naming the first bad byte.
pub fn text_from_bytes(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let error = e.utf8_error();
        let offset = error.valid_up_to();
        let bytes = e.as_bytes();
        let before = bytes.get(..offset).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        let bad = bytes
            .get(offset)
            .map_or_else(String::new, |b| format!(" (0x{b:02x})"));
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("invalid UTF-8 at byte {offset}{bad}, line {line}, column {column}"),
        )
    })
}

/// The byte-order mark some editors write at the start of UTF-8 files.
pub const BOM: char = '\u{feff}';

/// How a file ends its lines; [`normalize`] reads all three, and `refuge fmt`
/// writes a file back with the endings it had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n` (Unix).
    Lf,
    /// `\r\n` (Windows).
    CrLf,
    /// `\r` alone (classic Mac OS).
    Cr,
}

impl LineEnding {
    /// The ending a text uses: CRLF if it has any, else CR if it has a lone
    /// `\r`, else LF.
    pub fn of(text: &str) -> Self {
        if text.contains("\r\n") {
            LineEnding::CrLf
        } else if text.contains('\r') {
            LineEnding::Cr
        } else {
            LineEnding::Lf
        }
    }

    /// `text` (with `\n` line ends) with this ending.
    pub fn apply(self, text: &str) -> String {
        match self {
            LineEnding::Lf => text.to_owned(),
            LineEnding::CrLf => text.replace("\r\n", "\n").replace('\n', "\r\n"),
            LineEnding::Cr => text.replace('\n', "\r"),
        }
    }
}

/// The text as the parser, lexer and formatter read it: without a leading
/// byte-order mark, every line ending (`\r\n`, lone `\r`, `\n`) as `\n`.
///
/// Lines and columns are unchanged; byte offsets in diagnostics are offsets
/// into this text (a BOM's three bytes and each `\r` of a `\r\n` are not
/// counted).
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a file; `name` is shown in diagnostics and gives the module name.
    /// The text is [`normalize`]d: a BOM is dropped and every line ending
    /// becomes `\n`.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let name = name.into();
        let text: String = text.into();
        let text = if text.starts_with(BOM) || text.contains('\r') {
            normalize(&text)
        } else {
            text
        };
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let module = module_name(&name);
        self.files.push(SourceFile {
            id,
            name,
            module,
            text,
        });
        id
    }

    /// The policies built into the binary (`policies/` at build time).
    pub fn builtin() -> Self {
        let mut map = SourceMap::new();
        for (name, text) in crate::policies::BUILTIN {
            map.add(*name, *text);
        }
        map
    }

    /// Reads a `.policy` file, or every `.policy` file below a directory
    /// (sorted by path, so the result is deterministic).
    pub fn from_path(path: &Path) -> Result<Self, ReadError> {
        let mut map = SourceMap::new();
        let err = |p: &Path, source| ReadError::new(p, source);
        if path.is_dir() {
            let mut files = Vec::new();
            collect_policy_files(path, &mut files).map_err(|e| err(path, e))?;
            files.sort();
            for file in files {
                let text = read_text(&file).map_err(|e| err(&file, e))?;
                let rel = file.strip_prefix(path).unwrap_or(&file);
                map.add(rel.to_string_lossy().replace('\\', "/"), text);
            }
        } else {
            let text = read_text(path).map_err(|e| err(path, e))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            map.add(name, text);
        }
        Ok(map)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files, in id order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// A digest of every file's name and text, in order: FNV-1a, 64 bits, as
    /// 16 hex digits. Not cryptographic: it tells a tool which program (and
    /// so which manifest) an evaluation's ids refer to.
    pub fn digest(&self) -> String {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        // A plain loop over each slice: chaining the bytes of the name, a
        // 0, the text and a 0 into one iterator cost twice as much.
        fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
            hash
        }
        let mut hash = OFFSET;
        for file in &self.files {
            hash = fnv(hash, file.name.as_bytes());
            hash = fnv(hash, &[0]);
            hash = fnv(hash, file.text.as_bytes());
            hash = fnv(hash, &[0]);
        }
        format!("{hash:016x}")
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text.get(span.range()))
            .unwrap_or("")
    }

    /// 1-based line and column of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        match self.get(span.file) {
            Some(file) => LineIndex::new(&file.text).line_col(&file.text, span.start as usize),
            None => (0, 0),
        }
    }

    /// `file:line:col` of a span, for plain-text explanations. For many
    /// spans, [`SourceMap::locator`] indexes each file's lines once.
    pub fn location(&self, span: Span) -> String {
        self.locator().location(span)
    }

    /// Locations of any number of spans, each file's lines indexed once.
    pub fn locator(&self) -> Locator<'_> {
        Locator {
            sources: self,
            lines: Vec::new(),
        }
    }

    /// A miette source for a file.
    pub fn named_source(&self, id: FileId) -> miette::NamedSource<String> {
        match self.get(id) {
            Some(f) => miette::NamedSource::new(&f.name, f.text.clone()).with_language("refuge"),
            None => miette::NamedSource::new("<unknown>", String::new()),
        }
    }

    /// Turns a diagnostic with spans in `file` into a report showing that file.
    pub fn report<D>(&self, file: FileId, diagnostic: D) -> miette::Report
    where
        D: miette::Diagnostic + Send + Sync + 'static,
    {
        miette::Report::new(diagnostic).with_source_code(self.named_source(file))
    }
}

/// Every file below `dir` that `keep` accepts, sorted by path, and the
/// errors met on the way (an unreadable directory is an error, not an empty
/// one). Symbolic links are followed; a loop is one of the errors.
pub fn walk_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, Vec<walkdir::Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) if entry.file_type().is_file() && keep(entry.path()) => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    files.sort();
    (files, errors)
}

/// Whether a path names a policy file.
pub fn is_policy_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "policy")
}

fn collect_policy_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let (files, errors) = walk_files(dir, is_policy_file);
    if let Some(error) = errors.into_iter().next() {
        return Err(error.into());
    }
    out.extend(files);
    Ok(())
}

/// `kr/resettlement.policy` → `kr.resettlement`.
pub fn module_name(name: &str) -> String {
    let trimmed = name.strip_suffix(".policy").unwrap_or(name);
    let trimmed = trimmed.strip_prefix("policies/").unwrap_or(trimmed);
    trimmed.replace(['/', '\\'], ".")
}

#[cfg(test)]
mod tests {
    use super::{SourceMap, Span};

    #[test]
    fn location_is_file_line_col_of_the_span_start() {
        let mut map = SourceMap::new();
        let _ = map.add("a.policy", "fact x : bool\n");
        let file = map.add("kr/act.policy", "source a : statute \"A\"\n  rule r\n");
        let start = "source a : statute \"A\"\n  ".len();
        assert_eq!(
            map.location(Span::new(file, start, start + 4)),
            "kr/act.policy:2:3"
        );
        assert_eq!(map.location(Span::new(file, 0, 1)), "kr/act.policy:1:1");
    }

    /// The indexed lookup agrees with counting newlines and characters from
    /// the start, at every offset of a text with empty lines, a trailing
    /// newline and multi-byte characters (columns count characters).
    #[test]
    fn a_locator_finds_what_counting_from_the_start_finds() {
        let text = "a\n\nrule é r\n  übung\nlast\n";
        let mut map = SourceMap::new();
        let file = map.add("x.policy", text);
        let mut locator = map.locator();
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let upto = &text[..offset];
            let line = upto.matches('\n').count() + 1;
            let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let span = Span::new(file, offset, offset);
            assert_eq!(locator.line_col(span), (line, col), "offset {offset}");
            assert_eq!(map.line_col(span), (line, col), "offset {offset}");
        }
        assert_eq!(locator.location(Span::new(file, 4, 5)), "x.policy:3:2");
        let missing = Span::new(crate::source::FileId(9), 0, 0);
        assert_eq!(locator.line_col(missing), (0, 0));
    }
}
