//! Loading a case file.
//!
//! Two steps. First the text is parsed once, by the format's own parser,
//! into a tree that carries the span of every key and value
//! ([`super::tree`]). Then one walker types that tree against the program's
//! fact schema ([`Program::fact_roots`]): every key must name a declared
//! fact, record field, discretion or definition, every value must fit its
//! type, and no mapping may give a key twice. Typing does not stop at the
//! first problem; all are reported, each at its own span.
//!
//! The success path is one parse and one walk: field paths
//! (`facts.person.age`) are built only when an error names one, the tree
//! borrows its strings from the text, fact slots are found without building
//! their dotted names, and numbers are read from the digits as written (so a
//! decimal keeps every digit the user wrote, and a number too large is
//! quoted as the user wrote it). `benches/load.rs` measures it.

use super::tree::{self, Entry, Kind, Node, Span, SyntaxProblem};
use super::{Case, CaseError, CaseErrors};
use crate::ir::{EnumId, FactId, Program, RecordId, Type};
use crate::suggest::did_you_mean;
use crate::value::{Duration, Money, Value};
use jiff::civil::Date;
use miette::{NamedSource, SourceSpan};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// The syntax a case file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseFormat {
    /// JSON (`.json`).
    Json,
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// TOML (`.toml`).
    Toml,
}

impl CaseFormat {
    /// The format a file's extension names (`.json`, `.yaml`, `.yml`, `.toml`,
    /// in any case), or `None`.
    pub fn from_path(path: &Path) -> Option<CaseFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(CaseFormat::Json),
            "yaml" | "yml" => Some(CaseFormat::Yaml),
            "toml" => Some(CaseFormat::Toml),
            _ => None,
        }
    }

    /// The format's name: `JSON`, `YAML` or `TOML`.
    pub fn name(self) -> &'static str {
        match self {
            CaseFormat::Json => "JSON",
            CaseFormat::Yaml => "YAML",
            CaseFormat::Toml => "TOML",
        }
    }

    /// What the format calls a mapping, with its article.
    fn mapping(self) -> &'static str {
        match self {
            CaseFormat::Json => "an object",
            CaseFormat::Yaml => "a mapping",
            CaseFormat::Toml => "a table",
        }
    }

    fn language(self) -> &'static str {
        match self {
            CaseFormat::Json => "json",
            CaseFormat::Yaml => "yaml",
            CaseFormat::Toml => "toml",
        }
    }

    fn example(self) -> &'static str {
        match self {
            CaseFormat::Json => {
                "a case file is a JSON object such as `{\"facts\": {\"person\": {\"age\": 30}}}`"
            }
            CaseFormat::Yaml => {
                "a case file is a YAML mapping such as `facts: {person: {age: 30}}`"
            }
            CaseFormat::Toml => {
                "a case file is a TOML document such as `[facts.person]` followed by `age = 30`"
            }
        }
    }
}

/// The keys a case file may have at the top.
const TOP_KEYS: [&str; 7] = [
    "description",
    "as_of",
    "verdicts",
    "settings",
    "facts",
    "discretions",
    "expect",
];

/// How long a value may be when quoted in a message before it is cut.
const MAX_QUOTED: usize = 40;

/// How many names a help line lists before it says "and N more".
const MAX_LISTED: usize = 12;

/// Parses `text` (named `name` in diagnostics) and types it against
/// `program`'s fact schema.
///
/// `null` for a fact, a field or a whole section means "not given". In
/// `expect`, the string `"undetermined"` (or `null`) expects no value. Every
/// error found is returned, in the order they appear in the file.
pub fn load_case(
    program: &Program,
    name: &str,
    text: &str,
    format: CaseFormat,
) -> Result<Case, CaseErrors> {
    // A BOM is dropped and every line ending read as `\n`, as for policies.
    let normalized;
    let text = if text.starts_with(crate::source::BOM) || text.contains('\r') {
        normalized = crate::source::normalize(text);
        normalized.as_str()
    } else {
        text
    };
    let source = || -> Arc<str> { Arc::from(text) };
    let named = |src: Arc<str>| NamedSource::new(name, src).with_language(format.language());
    if let Some((what, offset, help)) = past_limits(text) {
        return Err(CaseErrors(vec![CaseError::Limit {
            what,
            span: char_span(text, offset),
            help: help.to_owned(),
            src: named(source()),
        }]));
    }
    let empty = || {
        CaseErrors(vec![CaseError::NotAMapping {
            expected: format.mapping(),
            found: "an empty file".to_owned(),
            span: (0, 0).into(),
            src: named(source()),
        }])
    };
    if text.trim().is_empty() {
        return Err(empty());
    }
    let parsed = match format {
        CaseFormat::Json => tree::json(text),
        CaseFormat::Yaml => tree::yaml(text),
        CaseFormat::Toml => tree::toml(text).map(|table| match &table.kind {
            // A TOML file of comments only.
            Kind::Map(entries) if entries.is_empty() => None,
            _ => Some(table),
        }),
    };
    let tree = match parsed {
        Ok(Some(tree)) => tree,
        // A YAML or TOML file of comments only.
        Ok(None) => return Err(empty()),
        Err(SyntaxProblem {
            detail,
            span,
            limit,
        }) => {
            let span = if span.start == span.end {
                char_span(text, span.start)
            } else {
                span.into()
            };
            let error = if let Some(help) = limit {
                CaseError::Limit {
                    what: detail,
                    span,
                    help: help.to_owned(),
                    src: named(source()),
                }
            } else {
                CaseError::Syntax {
                    format: format.name(),
                    detail,
                    span,
                    help: format.example().to_string(),
                    src: named(source()),
                }
            };
            return Err(CaseErrors(vec![error]));
        }
    };
    let mut loader = Loader {
        program,
        name,
        text,
        source: None,
        format,
        case: Case::new(program),
        errors: Vec::new(),
    };
    loader.load(&tree);
    if loader.errors.is_empty() {
        let mut case = loader.case;
        case.expect.sort_by_key(|(def, _)| *def);
        Ok(case)
    } else {
        let mut errors = loader.errors;
        errors.sort_by_key(|e| e.span().offset());
        Err(CaseErrors(errors))
    }
}

/// At most 64 characters of user text in a message, with `…` if cut.
pub(crate) fn truncate_for_message(text: &str) -> String {
    const MAX: usize = 64;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A span of the one character at `offset` (empty at the end of the text).
fn char_span(text: &str, offset: usize) -> SourceSpan {
    let offset = floor_char_boundary(text, offset);
    let len = text
        .get(offset..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8);
    (offset, len).into()
}

/// The deepest brackets (`[`, `{`) may nest in a case file. Every parser
/// recurses per level, and a case needs a handful.
pub const MAX_NESTING: usize = 64;

/// The largest case file (or line of a batch), in bytes.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The first limit `text` passes: what, the byte offset, how to stay
/// within it. Brackets inside quoted strings do not count; the scan is
/// linear and does not recurse.
fn past_limits(text: &str) -> Option<(String, usize, &'static str)> {
    if text.len() > MAX_BYTES {
        return Some((
            format!(
                "the file is {} bytes long; the limit is {MAX_BYTES} bytes (8 MiB)",
                text.len()
            ),
            0,
            "split it into several case files",
        ));
    }
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' && q == b'"' {
                    escaped = true;
                } else if byte == q {
                    quote = None;
                }
            }
            None => match byte {
                b'"' | b'\'' => quote = Some(byte),
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some((
                            format!("brackets nest more than {MAX_NESTING} levels deep"),
                            offset,
                            "a case needs a few levels: facts, a record, a set",
                        ));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        // An apostrophe in a word (`it's` in a YAML plain scalar) opens no
        // string past the end of its line.
        if byte == b'\n' && quote == Some(b'\'') {
            quote = None;
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Typing

/// One step of a field path: a key, or a position in a list.
#[derive(Clone, Copy, Debug)]
enum Seg<'p> {
    /// A key of a mapping.
    Key(&'p str),
    /// An element of a list (0-based).
    Index(usize),
}

/// A field path (`facts.convictions[1]`) as a chain on the stack: nothing is
/// allocated unless an error names it.
#[derive(Clone, Copy, Debug)]
struct FieldPath<'p> {
    parent: Option<&'p FieldPath<'p>>,
    seg: Option<Seg<'p>>,
}

impl<'p> FieldPath<'p> {
    const ROOT: FieldPath<'static> = FieldPath {
        parent: None,
        seg: None,
    };

    fn key(&'p self, key: &'p str) -> FieldPath<'p> {
        FieldPath {
            parent: Some(self),
            seg: Some(Seg::Key(key)),
        }
    }

    fn index(&'p self, index: usize) -> FieldPath<'p> {
        FieldPath {
            parent: Some(self),
            seg: Some(Seg::Index(index)),
        }
    }

    /// `facts.convictions[1]`.
    fn display(&self) -> String {
        let mut segs = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            segs.extend(p.seg);
            at = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

/// `` `a`, `b` and `c` ``, cut after [`MAX_LISTED`] names.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let shown: Vec<String> = names
        .iter()
        .take(MAX_LISTED)
        .map(|n| format!("`{n}`"))
        .collect();
    let more = names.len().saturating_sub(MAX_LISTED);
    match (shown.split_last(), more) {
        (None, _) => String::new(),
        (Some((last, [])), 0) => last.clone(),
        (Some((last, init)), 0) => format!("{} and {last}", init.join(", ")),
        (Some(_), more) => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Text from the case as a message quotes it: `` `text` ``, or "an empty
/// string" (an empty pair of backticks reads as a typo).
fn quoted(text: &str) -> String {
    if text.trim().is_empty() {
        "an empty string".to_string()
    } else {
        format!("`{}`", truncate_for_message(text))
    }
}

/// "did you mean `x`?", or else `otherwise`.
fn suggest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str> + Clone,
    otherwise: impl FnOnce() -> String,
) -> String {
    match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// A value in a message, in JSON syntax (`"thirty"`, `[1, 2]`).
fn write_compact(node: &Node<'_>, out: &mut String) {
    match &node.kind {
        Kind::Null => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(n),
        Kind::Text(s) => out.push_str(&serde_json::to_string(s.as_ref()).unwrap_or_default()),
        Kind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if out.len() > MAX_QUOTED * 4 {
                    out.push_str(",…");
                    break;
                }
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Kind::Map(_) => out.push_str("{…}"),
    }
}

/// An error to report about a key's value, where the key is known.
#[derive(Clone, Copy)]
struct At<'n, 'p> {
    path: &'p FieldPath<'p>,
    node: &'n Node<'n>,
    /// The key's span (a list element: its own span).
    key: Span,
}

struct Loader<'a> {
    program: &'a Program,
    name: &'a str,
    text: &'a str,
    /// The text, shared by every error (made on the first).
    source: Option<Arc<str>>,
    format: CaseFormat,
    case: Case,
    errors: Vec<CaseError>,
}

impl Loader<'_> {
    fn source(&mut self) -> NamedSource<Arc<str>> {
        let text = self.text;
        let src = self.source.get_or_insert_with(|| Arc::from(text)).clone();
        NamedSource::new(self.name, src).with_language(self.format.language())
    }

    /// Where an error about a value points: the value, or, for a block
    /// mapping or list (YAML indentation, a TOML table), its key.
    fn value_span(&self, at: At<'_, '_>) -> SourceSpan {
        let span = at.node.span;
        let inline = self
            .text
            .get(span.start..)
            .is_some_and(|t| t.starts_with(['{', '[']));
        match at.node.kind {
            Kind::Map(_) | Kind::List(_) if !inline && span.start != at.key.start => at.key.into(),
            Kind::Map(_) | Kind::List(_) => self.first_line(span),
            _ => span.into(),
        }
    }

    /// A span cut to its first line: a long mapping or list is marked where
    /// it starts, not drawn whole.
    fn first_line(&self, span: Span) -> SourceSpan {
        let end = self
            .text
            .get(span.start..span.end)
            .and_then(|t| t.find('\n'))
            .map_or(span.end, |n| span.start + n);
        Span {
            start: span.start,
            end,
        }
        .into()
    }

    /// A value as the message quotes it: `` `"thirty"` ``, `an object`.
    fn found(&self, node: &Node<'_>) -> String {
        match &node.kind {
            Kind::Map(_) => self.format.mapping().to_string(),
            Kind::List(items) if items.is_empty() => "an empty list".to_string(),
            _ => {
                let mut text = String::new();
                write_compact(node, &mut text);
                if text.chars().count() > MAX_QUOTED {
                    let cut: String = text.chars().take(MAX_QUOTED).collect();
                    format!("`{cut}…`")
                } else {
                    format!("`{text}`")
                }
            }
        }
    }

    fn wrong_type(&mut self, at: At<'_, '_>, expected: impl Into<String>, help: Option<String>) {
        let error = CaseError::WrongType {
            path: at.path.display(),
            expected: expected.into(),
            found: self.found(at.node),
            span: self.value_span(at),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    fn bad_value(&mut self, at: At<'_, '_>, problem: String, label: &str, help: Option<String>) {
        let error = CaseError::BadValue {
            path: at.path.display(),
            problem,
            label: label.to_string(),
            span: self.value_span(at),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    /// The entries of a mapping, each key once: a key given again is
    /// reported with both places and its later value skipped.
    fn entries<'n>(
        &mut self,
        path: &FieldPath<'_>,
        entries: &'n [Entry<'n>],
    ) -> impl Iterator<Item = &'n Entry<'n>> + 'n {
        // `repeated[i]`: entry `i` repeats an earlier key (empty: none does).
        let mut repeated: Vec<bool> = Vec::new();
        let mut mark = |i: usize| {
            if repeated.is_empty() {
                repeated.resize(entries.len(), false);
            }
            if let Some(r) = repeated.get_mut(i) {
                *r = true;
            }
        };
        if entries.len() <= 16 {
            for (i, entry) in entries.iter().enumerate() {
                let earlier = entries.get(..i).unwrap_or(&[]);
                if let Some(first) = earlier.iter().find(|e| e.key == entry.key) {
                    self.duplicate(path, first, entry);
                    mark(i);
                }
            }
        } else {
            let mut seen: std::collections::HashMap<&str, &Entry<'_>> =
                std::collections::HashMap::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                match seen.get(entry.key.as_ref()) {
                    Some(first) => {
                        let first = *first;
                        self.duplicate(path, first, entry);
                        mark(i);
                    }
                    None => {
                        seen.insert(entry.key.as_ref(), entry);
                    }
                }
            }
        }
        entries
            .iter()
            .enumerate()
            .filter(move |(i, _)| !repeated.get(*i).copied().unwrap_or(false))
            .map(|(_, e)| e)
    }

    fn duplicate(&mut self, path: &FieldPath<'_>, first: &Entry<'_>, again: &Entry<'_>) {
        let error = CaseError::DuplicateKey {
            path: path.key(&again.key).display(),
            span: again.key_span.into(),
            first: first.key_span.into(),
            mapping: self
                .format
                .mapping()
                .split_once(' ')
                .map_or("mapping", |(_, noun)| noun),
            src: self.source(),
        };
        self.errors.push(error);
    }

    fn load(&mut self, tree: &Node<'_>) {
        let root = FieldPath::ROOT;
        let entries = match &tree.kind {
            Kind::Map(entries) => entries,
            // `null`, `~`, a list or a scalar.
            _ => {
                let error = CaseError::NotAMapping {
                    expected: self.format.mapping(),
                    found: self.found(tree),
                    span: self.first_line(tree.span),
                    src: self.source(),
                };
                self.errors.push(error);
                return;
            }
        };
        for entry in self.entries(&root, entries) {
            let path = root.key(&entry.key);
            let at = At {
                path: &path,
                node: &entry.value,
                key: entry.key_span,
            };
            match entry.key.as_ref() {
                "description" => match &entry.value.kind {
                    Kind::Null => {}
                    Kind::Text(s) => self.case.description = Some(s.to_string()),
                    _ => self.wrong_type(
                        at,
                        "text",
                        Some("write the description as a string".into()),
                    ),
                },
                "as_of" => {
                    if !matches!(entry.value.kind, Kind::Null) {
                        self.case.as_of = self.date(at);
                    }
                }
                "facts" => self.facts(at, false),
                "settings" => self.facts(at, true),
                "discretions" => self.discretions(at),
                "expect" => self.expect(at),
                "verdicts" => self.verdicts(at),
                name => {
                    let help = suggest(name, TOP_KEYS.iter().copied(), || {
                        format!(
                            "the keys of a case file are {}",
                            list(TOP_KEYS.iter().copied())
                        )
                    });
                    let error = CaseError::UnknownKey {
                        path: path.display(),
                        span: entry.key_span.into(),
                        help,
                        src: self.source(),
                    };
                    self.errors.push(error);
                }
            }
        }
    }

    /// `facts` (`settings` false) or `settings` (true): each name must be a
    /// declared fact, or a declared setting, respectively.
    fn facts(&mut self, at: At<'_, '_>, settings: bool) {
        let noun = if settings { "setting" } else { "fact" };
        let entries = match &at.node.kind {
            Kind::Null => return,
            Kind::Map(entries) => entries,
            _ => {
                let expected = format!("{} of {noun} names to values", self.format.mapping());
                self.wrong_type(at, expected, None);
                return;
            }
        };
        let program = self.program;
        let is_setting = |root: &crate::ir::FactRoot| {
            root.slot
                .and_then(|s| program.facts.get(s.index()))
                .is_some_and(|f| f.setting.is_some())
        };
        for entry in self.entries(at.path, entries) {
            let name = entry.key.as_ref();
            let path = at.path.key(name);
            let here = At {
                path: &path,
                node: &entry.value,
                key: entry.key_span,
            };
            match program.fact_roots.iter().find(|r| r.name == name) {
                Some(root) if is_setting(root) == settings => match root.ty {
                    Type::Record(record) => {
                        if !matches!(entry.value.kind, Kind::Null) {
                            let base = first_slot(program, name);
                            self.record(here, record, base);
                        }
                    }
                    ty => self.fact(here, ty, root.slot),
                },
                Some(_) => {
                    let (what, help) = if settings {
                        (
                            format!("`{name}` is a fact, not a setting"),
                            "give it under `facts`".to_string(),
                        )
                    } else {
                        (
                            format!("`{name}` is a setting, not a fact"),
                            "a setting is a drafter's option with a default in the policy: override it under `settings`".to_string(),
                        )
                    };
                    self.unknown_fact(here, what, help);
                }
                None => {
                    let names = program
                        .fact_roots
                        .iter()
                        .filter(|r| is_setting(r) == settings)
                        .map(|r| r.name.as_str());
                    let help = suggest(name, names.clone(), || {
                        if names.clone().next().is_none() {
                            format!("this policy set declares no {noun}s")
                        } else {
                            format!(
                                "the {noun}s this policy set declares are {}",
                                list(names.clone())
                            )
                        }
                    });
                    self.unknown_fact(here, format!("unknown {noun} `{name}`"), help);
                }
            }
        }
    }

    fn unknown_fact(&mut self, at: At<'_, '_>, what: String, help: String) {
        let error = CaseError::UnknownFact {
            path: at.path.display(),
            what,
            span: at.key.into(),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    /// A scalar fact or field, into `slot`.
    fn fact(&mut self, at: At<'_, '_>, ty: Type, slot: Option<FactId>) {
        if matches!(at.node.kind, Kind::Null) {
            return;
        }
        if let Some(typed) = self.typed(at, ty) {
            // INVARIANT: every leaf of the schema has a slot; a program built
            // otherwise simply does not receive the value.
            if let Some(slot) = slot {
                self.case.set_fact(slot, typed);
            }
        }
    }

    /// A record whose first leaf is the slot `base` (`None`: the program
    /// has no slots for it).
    fn record(&mut self, at: At<'_, '_>, record: RecordId, base: Option<usize>) {
        let program = self.program;
        let Some(info) = program.records.get(record.index()) else {
            return;
        };
        let Kind::Map(entries) = &at.node.kind else {
            let help = format!(
                "give the fields of `{}` as {}",
                info.name,
                self.format.mapping()
            );
            self.wrong_type(at, format!("a `{}` record", info.name), Some(help));
            return;
        };
        for entry in self.entries(at.path, entries) {
            let name = entry.key.as_ref();
            let path = at.path.key(name);
            let here = At {
                path: &path,
                node: &entry.value,
                key: entry.key_span,
            };
            // Leaves are laid out depth-first in field order, so a field's
            // first slot is the record's plus the leaves of the fields before.
            let mut offset = 0;
            let mut field = None;
            for (f, ty, _) in &info.fields {
                if f == name {
                    field = Some(*ty);
                    break;
                }
                offset += leaves(program, *ty, 0);
            }
            let slot = base.map(|b| b + offset);
            match field {
                Some(Type::Record(inner)) => {
                    if !matches!(entry.value.kind, Kind::Null) {
                        self.record(here, inner, slot);
                    }
                }
                Some(ty) => {
                    let laid_out = |s: &usize| {
                        program.facts.get(*s).is_some_and(|f| {
                            f.ty == ty
                                && f.path.strip_suffix(name).is_some_and(|p| p.ends_with('.'))
                        })
                    };
                    // Should the layout ever differ, the slot is found by
                    // its dotted path (`person.age`) instead.
                    let slot = slot
                        .filter(laid_out)
                        .or_else(|| {
                            let dotted = path.display();
                            let (_, dotted) = dotted.split_once('.')?;
                            program.facts.iter().position(|f| f.path == dotted)
                        })
                        .and_then(|s| u32::try_from(s).ok())
                        .map(FactId);
                    self.fact(here, ty, slot);
                }
                None => {
                    let names = info.fields.iter().map(|(f, _, _)| f.as_str());
                    let help = suggest(name, names.clone(), || {
                        format!("`{}` has the fields {}", info.name, list(names))
                    });
                    self.unknown_fact(
                        here,
                        format!("record `{}` has no field `{name}`", info.name),
                        help,
                    );
                }
            }
        }
    }

    /// Types one value; reports and returns `None` if it does not fit.
    fn typed(&mut self, at: At<'_, '_>, ty: Type) -> Option<Value> {
        match ty {
            Type::Bool => match at.node.kind {
                Kind::Bool(b) => Some(Value::Bool(b)),
                _ => {
                    self.wrong_type(at, "a bool", Some("write `true` or `false`".into()));
                    None
                }
            },
            Type::Integer => self.integer(at).map(Value::Integer),
            Type::Decimal => self.decimal(at).map(Value::Decimal),
            Type::Money => self.money(at).map(Value::Money),
            Type::Date => self.date(at).map(Value::Date),
            Type::Duration => self.duration(at).map(Value::Duration),
            Type::Text => match &at.node.kind {
                Kind::Text(s) => Some(Value::Text(Arc::from(s.as_ref()))),
                _ => {
                    self.wrong_type(at, "text", Some("write text as a string".into()));
                    None
                }
            },
            Type::Enum(e) => self.variant(at, e).map(|v| Value::Enum(e, v)),
            Type::Set(e) => self.set(at, e),
            Type::Record(r) => {
                let name = self.program.type_name(Type::Record(r));
                self.bad_value(
                    at,
                    format!("a `{name}` record cannot be written as one value"),
                    "not a single value",
                    None,
                );
                None
            }
        }
    }

    /// A number out of range for `kind`, quoted as the user wrote it.
    fn out_of_range(&mut self, at: At<'_, '_>, digits: &str, kind: &str) {
        let literal = format!("`{}`", truncate_for_message(digits.trim()));
        let help = match kind {
            "an integer" => Some(format!("integers range from {} to {}", i64::MIN, i64::MAX)),
            _ => Some(format!("decimals range up to {}", Decimal::MAX)),
        };
        let size = if digits.trim_start().starts_with('-') {
            "too small"
        } else {
            "too large"
        };
        self.bad_value(at, format!("{literal} is {size} for {kind}"), size, help);
    }

    fn integer(&mut self, at: At<'_, '_>) -> Option<i64> {
        const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
        let help = || Some("write a whole number such as `30`".to_string());
        let Kind::Number(digits) = &at.node.kind else {
            self.wrong_type(at, "an integer", help());
            return None;
        };
        if let Ok(i) = digits.parse::<i64>() {
            return Some(i);
        }
        // `30.0` and `3e1` are whole; `1e19` is whole but too large.
        if let Some(d) = parse_decimal(digits) {
            if d.fract().is_zero() {
                let whole = i64::try_from(d).ok();
                if whole.is_none() {
                    self.out_of_range(at, digits, "an integer");
                }
                return whole;
            }
            self.wrong_type(at, "an integer", help());
            return None;
        }
        match digits.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() != 0.0 => self.wrong_type(at, "an integer", help()),
            Ok(f) if (-LIMIT..LIMIT).contains(&f) => self.wrong_type(at, "an integer", help()),
            _ => self.out_of_range(at, digits, "an integer"),
        }
        None
    }

    fn decimal(&mut self, at: At<'_, '_>) -> Option<Decimal> {
        let help = || {
            Some(
                "write a decimal as a number such as `0.5`, or as a string such as `\"0.5\"`"
                    .to_string(),
            )
        };
        match &at.node.kind {
            Kind::Number(digits) => {
                let parsed = parse_decimal(digits);
                if parsed.is_none() {
                    self.out_of_range(at, digits, "a decimal");
                }
                parsed
            }
            Kind::Text(s) => match parse_decimal(s.trim()) {
                Some(d) => Some(d),
                None => {
                    self.bad_value(
                        at,
                        format!("{} is not a decimal number", quoted(s)),
                        "not a number",
                        help(),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(at, "a decimal", help());
                None
            }
        }
    }

    fn money(&mut self, at: At<'_, '_>) -> Option<Money> {
        let help = || {
            Some(
                "write money as a three-letter currency code and an amount: `\"KRW 1000\"`"
                    .to_string(),
            )
        };
        let Kind::Text(s) = &at.node.kind else {
            self.wrong_type(at, "money", help());
            return None;
        };
        match parse_money(s) {
            Ok(m) => Some(m),
            Err(reason) => {
                self.bad_value(
                    at,
                    format!("{} is not an amount of money: {reason}", quoted(s)),
                    "not money",
                    help(),
                );
                None
            }
        }
    }

    fn date(&mut self, at: At<'_, '_>) -> Option<Date> {
        let help = || Some("write a date as `YYYY-MM-DD`, such as `\"2003-01-15\"`".to_string());
        let Kind::Text(s) = &at.node.kind else {
            self.wrong_type(at, "a date", help());
            return None;
        };
        match crate::value::parse_date(s) {
            Ok(d) => Some(d),
            Err(crate::value::DateError::Format) => {
                self.bad_value(
                    at,
                    format!("{} is not a date", quoted(s)),
                    "not `YYYY-MM-DD`",
                    help(),
                );
                None
            }
            Err(reason) => {
                self.bad_value(
                    at,
                    format!("{} is not a date: {reason}", quoted(s)),
                    "no such day",
                    None,
                );
                None
            }
        }
    }

    fn duration(&mut self, at: At<'_, '_>) -> Option<Duration> {
        let help = || {
            Some(
                "write a duration as numbers and units: `\"10 years\"`, `\"3 months\"`, `\"2 weeks\"`, `\"30 days\"` or `\"1 year 6 months\"`"
                    .to_string(),
            )
        };
        let Kind::Text(s) = &at.node.kind else {
            self.wrong_type(at, "a duration", help());
            return None;
        };
        match parse_duration(s) {
            Ok(d) => Some(d),
            Err(reason) => {
                self.bad_value(
                    at,
                    format!("{} is not a duration: {reason}", quoted(s)),
                    "not a duration",
                    help(),
                );
                None
            }
        }
    }

    fn variant(&mut self, at: At<'_, '_>, e: EnumId) -> Option<u32> {
        let program = self.program;
        let info = program.enums.get(e.index())?;
        let Kind::Text(s) = &at.node.kind else {
            let help = format!(
                "write one of {}",
                list(info.variants.iter().map(|(v, _)| v.as_str()))
            );
            self.wrong_type(at, format!("a `{}` value", info.name), Some(help));
            return None;
        };
        if let Some(i) = info.variants.iter().position(|(v, _)| v == s) {
            return u32::try_from(i).ok();
        }
        let names = info.variants.iter().map(|(v, _)| v.as_str());
        let help = suggest(s, names.clone(), || {
            format!("`{}` has the variants {}", info.name, list(names))
        });
        self.bad_value(
            at,
            format!("{} is not a variant of `{}`", quoted(s), info.name),
            "unknown variant",
            Some(help),
        );
        None
    }

    fn set(&mut self, at: At<'_, '_>, e: EnumId) -> Option<Value> {
        let Kind::List(items) = &at.node.kind else {
            let name = self.program.type_name(Type::Enum(e));
            let help =
                format!("write a set as a list of `{name}` values, such as `[\"a\", \"b\"]`");
            self.wrong_type(at, format!("a set of `{name}`"), Some(help));
            return None;
        };
        let mut bits = 0u128;
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let path = at.path.index(i);
            let here = At {
                path: &path,
                node: item,
                key: item.span,
            };
            match self.variant(here, e).map(|v| 1u128.checked_shl(v)) {
                Some(Some(bit)) => bits |= bit,
                Some(None) => {
                    ok = false;
                    self.bad_value(
                        here,
                        "sets hold at most 128 variants".into(),
                        "too many variants",
                        None,
                    );
                }
                None => ok = false,
            }
        }
        ok.then_some(Value::Set(e, bits))
    }

    fn discretions(&mut self, at: At<'_, '_>) {
        let entries = match &at.node.kind {
            Kind::Null => return,
            Kind::Map(entries) => entries,
            _ => {
                let expected = format!(
                    "{} of rule names to `true` or `false`",
                    self.format.mapping()
                );
                self.wrong_type(at, expected, None);
                return;
            }
        };
        let program = self.program;
        for entry in self.entries(at.path, entries) {
            let name = entry.key.as_ref();
            let path = at.path.key(name);
            let here = At {
                path: &path,
                node: &entry.value,
                key: entry.key_span,
            };
            let Some(rule) = program.rule_by_name(name) else {
                let mays = program
                    .rules
                    .iter()
                    .filter(|r| r.may.is_some())
                    .map(|r| r.name.as_str());
                let help = suggest(name, mays.clone(), || {
                    if mays.clone().next().is_none() {
                        "this policy set has no discretions (rules written with `may`)".to_string()
                    } else {
                        format!("the discretions are {}", list(mays))
                    }
                });
                let error = CaseError::UnknownDiscretion {
                    path: path.display(),
                    name: name.to_owned(),
                    span: entry.key_span.into(),
                    help,
                    src: self.source(),
                };
                self.errors.push(error);
                continue;
            };
            if program
                .rules
                .get(rule.index())
                .is_none_or(|r| r.may.is_none())
            {
                let error = CaseError::NotADiscretion {
                    path: path.display(),
                    name: name.to_owned(),
                    span: entry.key_span.into(),
                    src: self.source(),
                };
                self.errors.push(error);
                continue;
            }
            match entry.value.kind {
                Kind::Null => {}
                Kind::Bool(b) => self.case.set_discretion(rule, b),
                _ => {
                    let help =
                        "`true`: the discretion was exercised; `false`: it was not".to_string();
                    self.wrong_type(here, "a bool", Some(help));
                }
            }
        }
    }

    /// `verdicts`: the verdicts the case asks for, by name.
    fn verdicts(&mut self, at: At<'_, '_>) {
        let items = match &at.node.kind {
            Kind::Null => return,
            Kind::List(items) => items,
            _ => {
                self.wrong_type(at, "a list of verdict names", None);
                return;
            }
        };
        let program = self.program;
        let mut seen = super::Seen::new();
        for (i, item) in items.iter().enumerate() {
            let path = at.path.index(i);
            let here = At {
                path: &path,
                node: item,
                key: item.span,
            };
            let Kind::Text(name) = &item.kind else {
                self.wrong_type(here, "a verdict name", None);
                continue;
            };
            match program.definition(name) {
                // Asked twice is asked once (outputs are keyed by name).
                Some(def) => seen.push_verdict(&mut self.case.verdicts, def),
                None => {
                    let all = program.definitions.iter().map(|d| d.name.as_str());
                    let help = suggest(name, all, || {
                        "run `refuge check` to list the verdicts".to_string()
                    });
                    let error = CaseError::UnknownVerdict {
                        path: path.display(),
                        name: name.to_string(),
                        span: item.span.into(),
                        help,
                        src: self.source(),
                    };
                    self.errors.push(error);
                }
            }
        }
    }

    fn expect(&mut self, at: At<'_, '_>) {
        let entries = match &at.node.kind {
            Kind::Null => return,
            Kind::Map(entries) => entries,
            _ => {
                let expected = format!("{} of verdict names to values", self.format.mapping());
                self.wrong_type(at, expected, None);
                return;
            }
        };
        let program = self.program;
        for entry in self.entries(at.path, entries) {
            let name = entry.key.as_ref();
            let path = at.path.key(name);
            let here = At {
                path: &path,
                node: &entry.value,
                key: entry.key_span,
            };
            let Some(def) = program.definition(name) else {
                let all = program.definitions.iter().map(|d| d.name.as_str());
                let help = suggest(name, all, || {
                    let verdicts = program
                        .verdicts()
                        .filter_map(|d| program.definitions.get(d.index()));
                    let verdicts: Vec<&str> = verdicts.map(|d| d.name.as_str()).collect();
                    if verdicts.is_empty() {
                        "this policy set declares no verdicts".to_string()
                    } else {
                        format!("the verdicts are {}", list(verdicts.into_iter()))
                    }
                });
                let error = CaseError::UnknownVerdict {
                    path: path.display(),
                    name: name.to_owned(),
                    span: entry.key_span.into(),
                    help,
                    src: self.source(),
                };
                self.errors.push(error);
                continue;
            };
            match &entry.value.kind {
                Kind::Null => {
                    self.case.expect.push((def, None));
                    continue;
                }
                Kind::Text(s) if s == "undetermined" => {
                    self.case.expect.push((def, None));
                    continue;
                }
                _ => {}
            }
            let Some(ty) = program.definitions.get(def.index()).map(|d| d.ty) else {
                continue;
            };
            if let Some(typed) = self.typed(here, ty) {
                self.case.expect.push((def, Some(typed)));
            }
        }
    }
}

/// The first slot of the record fact `name`: the first whose path is
/// `name.…` (the checker lays a record's leaves out together).
fn first_slot(program: &Program, name: &str) -> Option<usize> {
    program.facts.iter().position(|f| {
        f.path
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// How many slots a value of `ty` takes: one, or a record's leaves.
fn leaves(program: &Program, ty: Type, depth: usize) -> usize {
    match ty {
        Type::Record(r) if depth < tree::MAX_DEPTH => {
            program.records.get(r.index()).map_or(0, |info| {
                info.fields
                    .iter()
                    .map(|(_, ty, _)| leaves(program, *ty, depth + 1))
                    .sum()
            })
        }
        _ => 1,
    }
}

/// A decimal from text: `12.5`, `-3`, `1_000.25` or `1.5e3`.
pub(super) fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.is_empty() {
        return None;
    }
    Decimal::from_str(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// `KRW 36000000`, `KRW 36,000,000`, `USD 12.50`.
pub(super) fn parse_money(text: &str) -> Result<Money, String> {
    let text = text.trim();
    let Some((code, amount)) = text.split_once(char::is_whitespace) else {
        return Err(if parse_decimal(text).is_some() {
            "it has no currency code".into()
        } else if text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            "it has no amount".into()
        } else {
            "it is not a currency code followed by an amount".into()
        });
    };
    let amount = amount.trim();
    let is_code = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if !is_code(code) {
        return Err(if is_code(amount) && parse_decimal(code).is_some() {
            "the currency code goes first".into()
        } else {
            format!("`{code}` is not a three-letter currency code")
        });
    }
    if !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "currency codes are written in capitals: `{}`",
            code.to_ascii_uppercase()
        ));
    }
    if let Some(problem) = crate::currency::problem(code) {
        return Err(problem);
    }
    let Some(value) = ungroup(amount).and_then(|a| parse_decimal(&a)) else {
        let shown = truncate_for_message(amount);
        let digits = ungroup(amount).is_some_and(|a| {
            !a.is_empty()
                && a.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        });
        return Err(if digits {
            format!("`{shown}` is too large: amounts go up to {}", Decimal::MAX)
        } else {
            format!("`{shown}` is not a number")
        });
    };
    let mut currency = [0u8; 3];
    for (slot, byte) in currency.iter_mut().zip(code.bytes()) {
        *slot = byte;
    }
    Ok(Money {
        amount: value,
        currency,
    })
}

/// `36,000,000.5` → `36000000.5`; `None` if the commas are not thousands
/// separators. Text without commas is returned as is.
fn ungroup(amount: &str) -> Option<String> {
    if !amount.contains(',') {
        return Some(amount.to_string());
    }
    let (int, frac) = match amount.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (amount, None),
    };
    let digits = int.strip_prefix('-').unwrap_or(int);
    let mut groups = digits.split(',');
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let rest_ok = groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok || frac.is_some_and(|f| f.contains(',')) {
        return None;
    }
    Some(amount.replace(',', ""))
}

/// `10 years`, `1 year 6 months`, `2 weeks`, `30 days`.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let mut words = text
        .split_whitespace()
        .filter(|w| *w != "and")
        .map(|w| w.trim_end_matches(','));
    let mut duration = Duration::default();
    let mut any = false;
    while let Some(number) = words.next() {
        let Ok(n) = number.parse::<i64>() else {
            return Err(format!("`{number}` is not a whole number"));
        };
        if n < 0 || number.starts_with('+') {
            return Err(format!("`{number}` is not a whole number"));
        }
        let Some(unit) = words.next() else {
            return Err(format!("`{number}` has no unit"));
        };
        let overflow = || "it is too long".to_string();
        match unit.to_ascii_lowercase().as_str() {
            "year" | "years" => {
                let months = n.checked_mul(12).ok_or_else(overflow)?;
                duration.months = duration.months.checked_add(months).ok_or_else(overflow)?;
            }
            "month" | "months" => {
                duration.months = duration.months.checked_add(n).ok_or_else(overflow)?
            }
            "week" | "weeks" => {
                let days = n.checked_mul(7).ok_or_else(overflow)?;
                duration.days = duration.days.checked_add(days).ok_or_else(overflow)?;
            }
            "day" | "days" => duration.days = duration.days.checked_add(n).ok_or_else(overflow)?,
            _ => return Err(format!("unknown unit `{unit}`")),
        }
        any = true;
    }
    if any {
        Ok(duration)
    } else {
        Err("it has no number and unit".into())
    }
}
