//! Loading a case file.
//!
//! Two steps. First the text is parsed with the format's own parser
//! (`serde_json`, `serde_yaml_ng`, `toml`) into one `serde_json::Value` tree,
//! so that typing is written once. Then the tree is typed against the
//! program's fact schema ([`Program::fact_roots`]): every key must name a
//! declared fact, record field, discretion or definition, and every value must
//! fit its type. Typing does not stop at the first problem; all are reported.
//!
//! The tree has no positions, so each error finds its place in the text again
//! with [`locate`], a textual locator (see its documentation for its limits).
//!
//! Numbers are read by the parsers as integers or binary floating point: a
//! decimal written as a bare number with more than about 15 significant digits
//! loses precision, so long decimals are best written as strings (`"0.1234"`).

use super::{Case, CaseError, CaseErrors};
use crate::ir::{EnumId, FactId, Program, RecordId, Type};
use crate::suggest::did_you_mean;
use crate::value::{Duration, Money, Value};
use jiff::civil::Date;
use miette::{NamedSource, SourceSpan};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::ops::Range;
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
const TOP_KEYS: [&str; 6] = [
    "description",
    "as_of",
    "verdicts",
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
    if let Some((what, offset, help)) = past_limits(text) {
        return Err(CaseErrors(vec![CaseError::Limit {
            what,
            span: char_span(text, offset),
            help: help.to_owned(),
            src: NamedSource::new(name, text.to_string()).with_language(format.language()),
        }]));
    }
    if text.trim().is_empty() {
        return Err(CaseErrors(vec![CaseError::NotAMapping {
            expected: format.mapping(),
            found: "an empty file".to_owned(),
            span: (0, 0).into(),
            src: NamedSource::new(name, text.to_string()).with_language(format.language()),
        }]));
    }
    let mut loader = Loader {
        program,
        name,
        text,
        format,
        slots: program
            .facts
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.path.as_str(), FactId(u32::try_from(i).ok()?))))
            .collect(),
        case: Case::new(program),
        errors: Vec::new(),
    };
    match parse(text, format) {
        Ok(tree) => loader.load(&tree),
        Err(problem) => loader.errors.push(CaseError::Syntax {
            format: format.name(),
            detail: problem.detail,
            span: char_span(text, problem.offset),
            help: format.example().to_string(),
            src: loader.source(),
        }),
    }
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

// ---------------------------------------------------------------------------
// Parsing

/// A syntax error: the parser's message and the byte offset it points at.
struct SyntaxProblem {
    detail: String,
    offset: usize,
}

fn parse(text: &str, format: CaseFormat) -> Result<Json, SyntaxProblem> {
    match format {
        CaseFormat::Json => serde_json::from_str::<StrictJson>(text)
            .map(|v| v.0)
            .map_err(|e| SyntaxProblem {
                detail: strip_locations(&e.to_string()),
                offset: if e.line() == 0 {
                    0
                } else {
                    offset_of(text, e.line(), e.column(), ColumnUnit::Bytes)
                },
            }),
        CaseFormat::Yaml => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
            Ok(v) => Ok(yaml_to_json(v)),
            Err(e) => Err(SyntaxProblem {
                detail: strip_locations(&e.to_string()),
                offset: e.location().map_or(0, |l| {
                    offset_of(text, l.line(), l.column(), ColumnUnit::Chars)
                }),
            }),
        },
        CaseFormat::Toml => match toml::from_str::<toml::Table>(text) {
            Ok(t) => Ok(toml_to_json(toml::Value::Table(t))),
            Err(e) => Err(SyntaxProblem {
                detail: one_line(e.message()),
                offset: e.span().map_or(0, |s| s.start.min(text.len())),
            }),
        },
    }
}

/// A JSON value in which an object may not give a key twice (serde_json
/// keeps the last silently; YAML and TOML refuse).
struct StrictJson(Json);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(float_to_json(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        serde::Deserialize::deserialize(d).map(|v: StrictJson| v.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictJson(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{}` is given twice in one object; keep one of them",
                    truncate_for_message(&key)
                )));
            }
            object.insert(key, value);
        }
        Ok(Json::Object(object))
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

/// How a parser counts columns.
#[derive(Clone, Copy)]
enum ColumnUnit {
    /// `serde_json`: bytes.
    Bytes,
    /// libyaml: characters.
    Chars,
}

/// The byte offset of a 1-based line and column, clamped to the line's end
/// and to a character boundary.
fn offset_of(text: &str, line: usize, column: usize, unit: ColumnUnit) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(line_start..).unwrap_or("");
    let line_text = rest.split('\n').next().unwrap_or("");
    let col = column.saturating_sub(1);
    let within = match unit {
        ColumnUnit::Bytes => col.min(line_text.len()),
        ColumnUnit::Chars => line_text
            .char_indices()
            .nth(col)
            .map_or(line_text.len(), |(i, _)| i),
    };
    floor_char_boundary(text, line_start + within)
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

/// Removes the ` at line 3 column 5` and ` at position 7` that parsers append:
/// the span says it better.
fn strip_locations(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at ") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let after = after.get(4..).unwrap_or("");
        let skipped = skip_location(after);
        if skipped.len() == after.len() {
            out.push_str(" at ");
        }
        rest = skipped;
    }
    out.push_str(rest);
    one_line(&out)
}

/// `line 3 column 5…` → `…`; `position 7…` → `…`; anything else unchanged.
fn skip_location(text: &str) -> &str {
    let digits = |s: &str| -> Option<usize> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (n > 0).then_some(n)
    };
    if let Some(rest) = text.strip_prefix("line ") {
        if let Some(n) = digits(rest) {
            let rest = rest.get(n..).unwrap_or("");
            if let Some(col) = rest.strip_prefix(" column ") {
                if let Some(m) = digits(col) {
                    return col.get(m..).unwrap_or("");
                }
            }
        }
    } else if let Some(rest) = text.strip_prefix("position ") {
        if let Some(n) = digits(rest) {
            return rest.get(n..).unwrap_or("");
        }
    }
    text
}

/// Joins the lines of a multi-line parser message with colons.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
}

fn float_to_json(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(|| Json::String(f.to_string()), Json::Number)
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> Json {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64().map_or(Json::Null, float_to_json)
            }
        }
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Json::Object(
            map.into_iter()
                .map(|(k, v)| (yaml_key_text(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// A YAML key as text (`1: x` has the key `1`).
fn yaml_key_text(key: serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value as Y;
    match key {
        Y::String(s) => s,
        Y::Null => "null".to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        other => serde_yaml_ng::to_string(&other)
            .map_or_else(|_| "?".to_string(), |s| s.trim().to_string()),
    }
}

fn toml_to_json(value: toml::Value) -> Json {
    use toml::Value as T;
    match value {
        T::String(s) => Json::String(s),
        T::Integer(i) => Json::from(i),
        T::Float(f) => float_to_json(f),
        T::Boolean(b) => Json::Bool(b),
        // A bare TOML date (`as_of = 2003-01-15`) reads as the string a date fact expects.
        T::Datetime(d) => Json::String(d.to_string()),
        T::Array(items) => Json::Array(items.into_iter().map(toml_to_json).collect()),
        T::Table(table) => Json::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

// ---------------------------------------------------------------------------
// Typing

/// One step of a field path: a key, or a position in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    /// A key of a mapping.
    Key(String),
    /// An element of a list (0-based).
    Index(usize),
}

/// `facts.convictions[1]`.
fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
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

fn with(path: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut out = path.to_vec();
    out.push(seg);
    out
}

fn key(path: &[Seg], name: &str) -> Vec<Seg> {
    with(path, Seg::Key(name.to_string()))
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
        format!("`{text}`")
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

struct Loader<'a> {
    program: &'a Program,
    name: &'a str,
    text: &'a str,
    format: CaseFormat,
    /// Fact slots by dotted path.
    slots: HashMap<&'a str, FactId>,
    case: Case,
    errors: Vec<CaseError>,
}

impl Loader<'_> {
    fn source(&self) -> NamedSource<String> {
        NamedSource::new(self.name, self.text.to_string()).with_language(self.format.language())
    }

    fn located(&self, path: &[Seg]) -> Located {
        locate(self.text, self.format, path)
    }

    fn key_span(&self, path: &[Seg]) -> SourceSpan {
        to_span(self.located(path).key)
    }

    fn value_span(&self, path: &[Seg]) -> SourceSpan {
        let located = self.located(path);
        to_span(located.value.unwrap_or(located.key))
    }

    /// A value as the message quotes it: `` `"thirty"` ``, `an object`.
    fn found(&self, value: &Json) -> String {
        match value {
            Json::Object(_) => self.format.mapping().to_string(),
            Json::Array(items) if items.is_empty() => "an empty list".to_string(),
            _ => {
                let text = serde_json::to_string(value).unwrap_or_default();
                if text.chars().count() > MAX_QUOTED {
                    let cut: String = text.chars().take(MAX_QUOTED).collect();
                    format!("`{cut}…`")
                } else {
                    format!("`{text}`")
                }
            }
        }
    }

    fn wrong_type(
        &mut self,
        path: &[Seg],
        expected: impl Into<String>,
        found: &Json,
        help: Option<String>,
    ) {
        let error = CaseError::WrongType {
            path: display_path(path),
            expected: expected.into(),
            found: self.found(found),
            span: self.value_span(path),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    fn bad_value(&mut self, path: &[Seg], problem: String, label: &str, help: Option<String>) {
        let error = CaseError::BadValue {
            path: display_path(path),
            problem,
            label: label.to_string(),
            span: self.value_span(path),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    fn load(&mut self, tree: &Json) {
        let map = match tree {
            // A TOML file of comments only.
            Json::Object(map) if map.is_empty() && self.format == CaseFormat::Toml => {
                let error = CaseError::NotAMapping {
                    expected: self.format.mapping(),
                    found: "an empty file".to_owned(),
                    span: (0, 0).into(),
                    src: self.source(),
                };
                self.errors.push(error);
                return;
            }
            Json::Object(map) => map,
            // `null`, `~` or a YAML document of comments only.
            other => {
                let error = CaseError::NotAMapping {
                    expected: self.format.mapping(),
                    found: self.found(other),
                    span: self.value_span(&[]),
                    src: self.source(),
                };
                self.errors.push(error);
                return;
            }
        };
        for (name, value) in map {
            let path = [Seg::Key(name.clone())];
            match name.as_str() {
                "description" => match value {
                    Json::Null => {}
                    Json::String(s) => self.case.description = Some(s.clone()),
                    other => self.wrong_type(
                        &path,
                        "text",
                        other,
                        Some("write the description as a string".into()),
                    ),
                },
                "as_of" => {
                    if !value.is_null() {
                        self.case.as_of = self.date(&path, value);
                    }
                }
                "facts" => self.facts(&path, value, false),
                "settings" => self.facts(&path, value, true),
                "discretions" => self.discretions(&path, value),
                "expect" => self.expect(&path, value),
                "verdicts" => self.verdicts(&path, value),
                _ => {
                    let help = suggest(name, TOP_KEYS.iter().copied(), || {
                        format!(
                            "the keys of a case file are {}",
                            list(TOP_KEYS.iter().copied())
                        )
                    });
                    let error = CaseError::UnknownKey {
                        path: display_path(&path),
                        span: self.key_span(&path),
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
    fn facts(&mut self, path: &[Seg], value: &Json, settings: bool) {
        let noun = if settings { "setting" } else { "fact" };
        let map = match value {
            Json::Null => return,
            Json::Object(map) => map,
            other => {
                let expected = format!("{} of {noun} names to values", self.format.mapping());
                self.wrong_type(path, expected, other, None);
                return;
            }
        };
        let program = self.program;
        let is_setting = |root: &crate::ir::FactRoot| {
            root.slot
                .and_then(|s| program.facts.get(s.index()))
                .is_some_and(|f| f.setting.is_some())
        };
        for (name, value) in map {
            let path = key(path, name);
            match program.fact_roots.iter().find(|r| &r.name == name) {
                Some(root) if is_setting(root) == settings => {
                    self.fact(&path, &root.name, root.ty, root.slot, value)
                }
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
                    self.unknown_fact(&path, what, help);
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
                    self.unknown_fact(&path, format!("unknown {noun} `{name}`"), help);
                }
            }
        }
    }

    fn unknown_fact(&mut self, path: &[Seg], what: String, help: String) {
        let error = CaseError::UnknownFact {
            path: display_path(path),
            what,
            span: self.key_span(path),
            help,
            src: self.source(),
        };
        self.errors.push(error);
    }

    /// A fact or record field: `dotted` is its slot path (`person.age`).
    fn fact(&mut self, path: &[Seg], dotted: &str, ty: Type, slot: Option<FactId>, value: &Json) {
        if value.is_null() {
            return;
        }
        if let Type::Record(record) = ty {
            self.record(path, dotted, record, value);
            return;
        }
        let slot = slot.or_else(|| self.slots.get(dotted).copied());
        if let Some(typed) = self.typed(path, ty, value) {
            // INVARIANT: every leaf of the schema has a slot; a program built
            // otherwise simply does not receive the value.
            if let Some(slot) = slot {
                self.case.set_fact(slot, typed);
            }
        }
    }

    fn record(&mut self, path: &[Seg], dotted: &str, record: RecordId, value: &Json) {
        let program = self.program;
        let Some(info) = program.records.get(record.index()) else {
            return;
        };
        let Json::Object(map) = value else {
            let help = format!(
                "give the fields of `{}` as {}",
                info.name,
                self.format.mapping()
            );
            self.wrong_type(path, format!("a `{}` record", info.name), value, Some(help));
            return;
        };
        for (name, value) in map {
            let path = key(path, name);
            match info.fields.iter().find(|(field, _, _)| field == name) {
                Some((field, ty, _)) => {
                    self.fact(&path, &format!("{dotted}.{field}"), *ty, None, value)
                }
                None => {
                    let names = info.fields.iter().map(|(f, _, _)| f.as_str());
                    let help = suggest(name, names.clone(), || {
                        format!("`{}` has the fields {}", info.name, list(names))
                    });
                    self.unknown_fact(
                        &path,
                        format!("record `{}` has no field `{name}`", info.name),
                        help,
                    );
                }
            }
        }
    }

    /// Types one value; reports and returns `None` if it does not fit.
    fn typed(&mut self, path: &[Seg], ty: Type, value: &Json) -> Option<Value> {
        match ty {
            Type::Bool => match value {
                Json::Bool(b) => Some(Value::Bool(*b)),
                other => {
                    self.wrong_type(
                        path,
                        "a bool",
                        other,
                        Some("write `true` or `false`".into()),
                    );
                    None
                }
            },
            Type::Integer => self.integer(path, value).map(Value::Integer),
            Type::Decimal => self.decimal(path, value).map(Value::Decimal),
            Type::Money => self.money(path, value).map(Value::Money),
            Type::Date => self.date(path, value).map(Value::Date),
            Type::Duration => self.duration(path, value).map(Value::Duration),
            Type::Text => match value {
                Json::String(s) => Some(Value::Text(Arc::from(s.as_str()))),
                other => {
                    self.wrong_type(path, "text", other, Some("write text as a string".into()));
                    None
                }
            },
            Type::Enum(e) => self.variant(path, e, value).map(|v| Value::Enum(e, v)),
            Type::Set(e) => self.set(path, e, value),
            Type::Record(r) => {
                let name = self.program.type_name(Type::Record(r));
                self.bad_value(
                    path,
                    format!("a `{name}` record cannot be written as one value"),
                    "not a single value",
                    None,
                );
                None
            }
        }
    }

    fn out_of_range(&mut self, path: &[Seg], value: &Json, kind: &str) {
        // The number as the user wrote it (the parser's float would show
        // `99999999999999999999999` as `1e23`).
        let span = self.value_span(path);
        let written = self
            .text
            .get(span.offset()..span.offset() + span.len())
            .filter(|t| !t.is_empty())
            .map(|t| format!("`{}`", truncate_for_message(t.trim())));
        let literal = written.unwrap_or_else(|| self.found(value));
        let help = match kind {
            "an integer" => Some(format!("integers range from {} to {}", i64::MIN, i64::MAX)),
            _ => Some(format!("decimals range up to {}", Decimal::MAX)),
        };
        let size = if literal.starts_with("`-") {
            "too small"
        } else {
            "too large"
        };
        self.bad_value(path, format!("{literal} is {size} for {kind}"), size, help);
    }

    fn integer(&mut self, path: &[Seg], value: &Json) -> Option<i64> {
        const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
        let Json::Number(n) = value else {
            self.wrong_type(
                path,
                "an integer",
                value,
                Some("write a whole number such as `30`".into()),
            );
            return None;
        };
        if let Some(i) = n.as_i64() {
            return Some(i);
        }
        if n.as_u64().is_some() {
            self.out_of_range(path, value, "an integer");
            return None;
        }
        match n.as_f64() {
            Some(f) if f.is_finite() && f.fract() == 0.0 => {
                if (-LIMIT..LIMIT).contains(&f) {
                    // INVARIANT: whole and within range, so the cast is exact.
                    Some(f as i64)
                } else {
                    self.out_of_range(path, value, "an integer");
                    None
                }
            }
            _ => {
                self.wrong_type(
                    path,
                    "an integer",
                    value,
                    Some("write a whole number such as `30`".into()),
                );
                None
            }
        }
    }

    fn decimal(&mut self, path: &[Seg], value: &Json) -> Option<Decimal> {
        let help = || {
            Some(
                "write a decimal as a number such as `0.5`, or as a string such as `\"0.5\"`"
                    .to_string(),
            )
        };
        match value {
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(Decimal::from(i))
                } else if let Some(u) = n.as_u64() {
                    Some(Decimal::from(u))
                } else {
                    // `Display` for f64 prints the shortest text that reads back
                    // as the same float, never in exponent form.
                    let parsed = n
                        .as_f64()
                        .and_then(|f| Decimal::from_str(&f.to_string()).ok());
                    if parsed.is_none() {
                        self.out_of_range(path, value, "a decimal");
                    }
                    parsed
                }
            }
            Json::String(s) => match parse_decimal(s.trim()) {
                Some(d) => Some(d),
                None => {
                    self.bad_value(
                        path,
                        format!("{} is not a decimal number", quoted(s)),
                        "not a number",
                        help(),
                    );
                    None
                }
            },
            other => {
                self.wrong_type(path, "a decimal", other, help());
                None
            }
        }
    }

    fn money(&mut self, path: &[Seg], value: &Json) -> Option<Money> {
        let help = || {
            Some(
                "write money as a three-letter currency code and an amount: `\"KRW 1000\"`"
                    .to_string(),
            )
        };
        let Json::String(s) = value else {
            self.wrong_type(path, "money", value, help());
            return None;
        };
        match parse_money(s) {
            Ok(m) => Some(m),
            Err(reason) => {
                self.bad_value(
                    path,
                    format!("{} is not an amount of money: {reason}", quoted(s)),
                    "not money",
                    help(),
                );
                None
            }
        }
    }

    fn date(&mut self, path: &[Seg], value: &Json) -> Option<Date> {
        let help = || Some("write a date as `YYYY-MM-DD`, such as `\"2003-01-15\"`".to_string());
        let Json::String(s) = value else {
            self.wrong_type(path, "a date", value, help());
            return None;
        };
        match crate::value::parse_date(s) {
            Ok(d) => Some(d),
            Err(crate::value::DateError::Format) => {
                self.bad_value(
                    path,
                    format!("{} is not a date", quoted(s)),
                    "not `YYYY-MM-DD`",
                    help(),
                );
                None
            }
            Err(reason) => {
                self.bad_value(
                    path,
                    format!("{} is not a date: {reason}", quoted(s)),
                    "no such day",
                    None,
                );
                None
            }
        }
    }

    fn duration(&mut self, path: &[Seg], value: &Json) -> Option<Duration> {
        let help = || {
            Some(
                "write a duration as numbers and units: `\"10 years\"`, `\"3 months\"`, `\"2 weeks\"`, `\"30 days\"` or `\"1 year 6 months\"`"
                    .to_string(),
            )
        };
        let Json::String(s) = value else {
            self.wrong_type(path, "a duration", value, help());
            return None;
        };
        match parse_duration(s) {
            Ok(d) => Some(d),
            Err(reason) => {
                self.bad_value(
                    path,
                    format!("{} is not a duration: {reason}", quoted(s)),
                    "not a duration",
                    help(),
                );
                None
            }
        }
    }

    fn variant(&mut self, path: &[Seg], e: EnumId, value: &Json) -> Option<u32> {
        let program = self.program;
        let info = program.enums.get(e.index())?;
        let Json::String(s) = value else {
            let help = format!(
                "write one of {}",
                list(info.variants.iter().map(|(v, _)| v.as_str()))
            );
            self.wrong_type(path, format!("a `{}` value", info.name), value, Some(help));
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
            path,
            format!("{} is not a variant of `{}`", quoted(s), info.name),
            "unknown variant",
            Some(help),
        );
        None
    }

    fn set(&mut self, path: &[Seg], e: EnumId, value: &Json) -> Option<Value> {
        let Json::Array(items) = value else {
            let name = self.program.type_name(Type::Enum(e));
            let help =
                format!("write a set as a list of `{name}` values, such as `[\"a\", \"b\"]`");
            self.wrong_type(path, format!("a set of `{name}`"), value, Some(help));
            return None;
        };
        let mut bits = 0u128;
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let path = with(path, Seg::Index(i));
            match self.variant(&path, e, item).map(|v| 1u128.checked_shl(v)) {
                Some(Some(bit)) => bits |= bit,
                Some(None) => {
                    ok = false;
                    self.bad_value(
                        &path,
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

    fn discretions(&mut self, path: &[Seg], value: &Json) {
        let map = match value {
            Json::Null => return,
            Json::Object(map) => map,
            other => {
                let expected = format!(
                    "{} of rule names to `true` or `false`",
                    self.format.mapping()
                );
                self.wrong_type(path, expected, other, None);
                return;
            }
        };
        let program = self.program;
        for (name, value) in map {
            let path = key(path, name);
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
                    path: display_path(&path),
                    name: name.clone(),
                    span: self.key_span(&path),
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
                    path: display_path(&path),
                    name: name.clone(),
                    span: self.key_span(&path),
                    src: self.source(),
                };
                self.errors.push(error);
                continue;
            }
            match value {
                Json::Null => {}
                Json::Bool(b) => self.case.set_discretion(rule, *b),
                other => {
                    let help =
                        "`true`: the discretion was exercised; `false`: it was not".to_string();
                    self.wrong_type(&path, "a bool", other, Some(help));
                }
            }
        }
    }

    /// `verdicts`: the verdicts the case asks for, by name.
    fn verdicts(&mut self, path: &[Seg], value: &Json) {
        let items = match value {
            Json::Null => return,
            Json::Array(items) => items,
            other => {
                self.wrong_type(path, "a list of verdict names", other, None);
                return;
            }
        };
        let program = self.program;
        for (i, item) in items.iter().enumerate() {
            let path = with(path, Seg::Index(i));
            let Some(name) = item.as_str() else {
                self.wrong_type(&path, "a verdict name", item, None);
                continue;
            };
            match program.definition(name) {
                Some(def) => self.case.verdicts.push(def),
                None => {
                    let all = program.definitions.iter().map(|d| d.name.as_str());
                    let help = suggest(name, all, || {
                        "run `refuge check` to list the verdicts".to_string()
                    });
                    let error = CaseError::UnknownVerdict {
                        path: display_path(&path),
                        name: name.to_string(),
                        span: self.value_span(&path),
                        help,
                        src: self.source(),
                    };
                    self.errors.push(error);
                }
            }
        }
    }

    fn expect(&mut self, path: &[Seg], value: &Json) {
        let map = match value {
            Json::Null => return,
            Json::Object(map) => map,
            other => {
                let expected = format!("{} of verdict names to values", self.format.mapping());
                self.wrong_type(path, expected, other, None);
                return;
            }
        };
        let program = self.program;
        for (name, value) in map {
            let path = key(path, name);
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
                    path: display_path(&path),
                    name: name.clone(),
                    span: self.key_span(&path),
                    help,
                    src: self.source(),
                };
                self.errors.push(error);
                continue;
            };
            if value.is_null() || value.as_str() == Some("undetermined") {
                self.case.expect.push((def, None));
                continue;
            }
            let Some(ty) = program.definitions.get(def.index()).map(|d| d.ty) else {
                continue;
            };
            if let Some(typed) = self.typed(&path, ty, value) {
                self.case.expect.push((def, Some(typed)));
            }
        }
    }
}

/// A decimal from text: `12.5`, `-3`, `1_000.25` or `1.5e3`.
fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.is_empty() {
        return None;
    }
    Decimal::from_str(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// `KRW 36000000`, `KRW 36,000,000`, `USD 12.50`.
fn parse_money(text: &str) -> Result<Money, String> {
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
fn parse_duration(text: &str) -> Result<Duration, String> {
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

// ---------------------------------------------------------------------------
// Locating a path in the text

/// Where [`locate`] found a path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Located {
    /// The key (or, for a list element, the element).
    pub key: Range<usize>,
    /// The value, when it starts on the key's line or inline; `None` for a
    /// YAML block or a TOML table.
    pub value: Option<Range<usize>>,
    /// How many segments of the path were found (fewer than the path's length
    /// when the locator fell back to an ancestor).
    pub depth: usize,
}

fn to_span(range: Range<usize>) -> SourceSpan {
    (range.start, range.end.saturating_sub(range.start)).into()
}

/// Finds a field path (`facts.person.age`) in the text of a case file.
///
/// This is a **textual locator**, not a parser: the parsed tree has no
/// positions, so the path's keys are walked through the text again, each one
/// searched for inside its parent's value:
///
/// - JSON, and any inline (`{…}` / `[…]`) value in YAML or TOML, is scanned
///   entry by entry at the parent's bracket depth: a key is `"key"` (or a bare
///   or single-quoted `key`) followed by optional spaces and `:` or `=`, and a
///   list element is found by counting commas at that depth (strings and `#`
///   comments are skipped).
/// - YAML block style is read line by line: `key:` lines nest by increasing
///   indentation and `- item` lines count elements of the key above them.
/// - TOML is read line by line: `[table]` headers set the prefix for the
///   `key =` lines (dotted keys allowed) that follow.
///
/// The first occurrence wins. If a key is not found, the result falls back to
/// the deepest ancestor found, and failing that to the start of the file
/// (`depth` says how far it got). Unusual layouts (YAML anchors, complex
/// keys, keys repeated inside multi-line strings, duplicate JSON keys) can
/// therefore point at an ancestor or at the wrong occurrence, but never make
/// it fail or panic.
pub(super) fn locate(text: &str, format: CaseFormat, path: &[Seg]) -> Located {
    let start = skip_space(text, 0);
    let root = Located {
        key: start..start,
        value: Some(start..value_end(text, start)),
        depth: 0,
    };
    if path.is_empty() {
        return root;
    }
    let inline = matches!(byte_at(text, start), Some(b'{' | b'['));
    let found = match format {
        CaseFormat::Json => flow_walk(text, start, path),
        CaseFormat::Yaml if inline => flow_walk(text, start, path),
        CaseFormat::Yaml => yaml_walk(text, path),
        CaseFormat::Toml => toml_walk(text, path),
    };
    if found.depth > 0 {
        found
    } else {
        Located::default()
    }
}

fn byte_at(text: &str, at: usize) -> Option<u8> {
    text.as_bytes().get(at).copied()
}

/// The byte offset after the character at `at`.
fn next_char(text: &str, at: usize) -> usize {
    at + text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

/// Skips whitespace, newlines and `#` comments.
fn skip_space(text: &str, mut at: usize) -> usize {
    loop {
        match byte_at(text, at) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => {
                at = text
                    .get(at..)
                    .and_then(|s| s.find('\n'))
                    .map_or(text.len(), |n| at + n);
            }
            _ => return at,
        }
    }
}

/// Skips spaces and tabs on one line.
fn skip_blank(text: &str, mut at: usize) -> usize {
    while matches!(byte_at(text, at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

/// The end of a quoted string starting at `at` (after the closing quote).
fn string_end(text: &str, at: usize) -> usize {
    let Some(quote) = byte_at(text, at) else {
        return at;
    };
    let mut i = at + 1;
    while let Some(b) = byte_at(text, i) {
        if b == b'\\' && quote == b'"' {
            i += 2;
        } else if b == quote {
            return i + 1;
        } else {
            i += 1;
        }
    }
    text.len()
}

/// The end of the bracketed value starting at `at`.
fn bracket_end(text: &str, at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(b) = byte_at(text, i) {
        match b {
            b'"' | b'\'' => {
                i = string_end(text, i);
                continue;
            }
            b'#' if i == 0 || matches!(byte_at(text, i - 1), Some(b' ' | b'\t' | b'\n')) => {
                i = text
                    .get(i..)
                    .and_then(|s| s.find('\n'))
                    .map_or(text.len(), |n| i + n);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// The end of the value starting at `at`: a bracketed value, a quoted string,
/// or a plain scalar up to `,`, a closing bracket, a comment or the line's end.
fn value_end(text: &str, at: usize) -> usize {
    match byte_at(text, at) {
        Some(b'{' | b'[') => bracket_end(text, at),
        Some(b'"' | b'\'') => string_end(text, at),
        None => at,
        Some(_) => {
            let mut i = at;
            while let Some(b) = byte_at(text, i) {
                let comment =
                    b == b'#' && i > at && matches!(byte_at(text, i - 1), Some(b' ' | b'\t'));
                if matches!(b, b',' | b'}' | b']' | b'\n' | b'\r') || comment {
                    break;
                }
                i += 1;
            }
            while i > at && matches!(byte_at(text, i - 1), Some(b' ' | b'\t')) {
                i -= 1;
            }
            i
        }
    }
}

/// A key's text without its quotes (`"a"`, `'a'`, `a` → `a`).
fn unquote(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        inner.replace("\\\"", "\"").replace("\\\\", "\\")
    } else if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else {
        raw.to_string()
    }
}

/// Walks `path` through the inline value starting at `at`.
fn flow_walk(text: &str, mut at: usize, path: &[Seg]) -> Located {
    let mut found = Located::default();
    for (depth, seg) in path.iter().enumerate() {
        let entry = match seg {
            Seg::Key(k) => flow_key(text, at, k),
            Seg::Index(i) => flow_index(text, at, *i),
        };
        let Some((key, value)) = entry else {
            break;
        };
        at = value.as_ref().map_or(key.end, |v| v.start);
        found = Located {
            key,
            value,
            depth: depth + 1,
        };
    }
    found
}

/// The key and value of `key` in the `{…}` starting at `at`.
fn flow_key(text: &str, at: usize, key: &str) -> Option<(Range<usize>, Option<Range<usize>>)> {
    if byte_at(text, at) != Some(b'{') {
        return None;
    }
    let mut pos = at + 1;
    loop {
        pos = skip_space(text, pos);
        match byte_at(text, pos)? {
            b'}' => return None,
            b',' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let key_start = pos;
        let key_end = match byte_at(text, pos) {
            Some(b'"' | b'\'') => string_end(text, pos),
            _ => {
                let mut i = pos;
                while byte_at(text, i).is_some_and(|b| !b" \t\r\n:=,{}[]".contains(&b)) {
                    i = next_char(text, i);
                }
                i
            }
        };
        if key_end == key_start {
            // Not a key (a stray bracket): step over it.
            pos = next_char(text, pos);
            continue;
        }
        let after = skip_blank(text, key_end);
        let value = if matches!(byte_at(text, after), Some(b':' | b'=')) {
            let start = skip_space(text, after + 1);
            Some(start..value_end(text, start))
        } else {
            None
        };
        if text.get(key_start..key_end).map(unquote).as_deref() == Some(key) {
            return Some((key_start..key_end, value));
        }
        pos = value.map_or(after, |v| v.end).max(key_end);
    }
}

/// The `index`-th element of the `[…]` starting at `at`.
fn flow_index(text: &str, at: usize, index: usize) -> Option<(Range<usize>, Option<Range<usize>>)> {
    if byte_at(text, at) != Some(b'[') {
        return None;
    }
    let mut pos = at + 1;
    let mut count = 0;
    loop {
        pos = skip_space(text, pos);
        match byte_at(text, pos)? {
            b']' => return None,
            b',' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let end = value_end(text, pos);
        if end <= pos {
            pos = next_char(text, pos);
            continue;
        }
        if count == index {
            return Some((pos..end, Some(pos..end)));
        }
        count += 1;
        pos = end;
    }
}

/// The lines of `text` with their byte offsets (without line endings).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line.trim_end_matches(['\n', '\r'])))
    })
}

/// The best match so far while walking lines: an exact match ends the walk.
struct Best<'p> {
    target: &'p [Seg],
    found: Located,
}

impl Best<'_> {
    /// Considers a line whose keys make `line_path`; `on_line` is how many of
    /// those keys are written on this line (the rest come from a table header
    /// or from the lines above), and `spans` their spans. Returns the result
    /// if the whole target was found.
    fn consider(
        &mut self,
        text: &str,
        line_path: &[Seg],
        spans: &[Range<usize>],
        value: Option<Range<usize>>,
    ) -> Option<Located> {
        let target = self.target;
        let common = line_path
            .iter()
            .zip(target)
            .take_while(|(a, b)| a == b)
            .count();
        let first_on_line = line_path.len().saturating_sub(spans.len());
        if common <= first_on_line {
            return None;
        }
        let span_of = |depth: usize| {
            depth
                .checked_sub(first_on_line + 1)
                .and_then(|i| spans.get(i))
                .cloned()
        };
        if common == target.len() {
            let key = span_of(common)?;
            let value = if common == line_path.len() {
                value
            } else {
                None
            };
            return Some(Located {
                key,
                value,
                depth: common,
            });
        }
        if common == line_path.len() {
            // An ancestor of the target, whose value may hold the rest inline.
            if let Some(v) = value
                .as_ref()
                .filter(|v| matches!(byte_at(text, v.start), Some(b'{' | b'[')))
            {
                let rest = target.get(common..).unwrap_or(&[]);
                let inner = flow_walk(text, v.start, rest);
                if inner.depth == rest.len() {
                    return Some(Located {
                        depth: target.len(),
                        ..inner
                    });
                }
                if inner.depth > 0 && common + inner.depth > self.found.depth {
                    self.found = Located {
                        depth: common + inner.depth,
                        ..inner
                    };
                    return None;
                }
            }
        }
        if common > self.found.depth {
            if let Some(key) = span_of(common) {
                let value = if common == line_path.len() {
                    value
                } else {
                    None
                };
                self.found = Located {
                    key,
                    value,
                    depth: common,
                };
            }
        }
        None
    }
}

/// The value written after a `key:` or `key =` at `at` (on the same line, or
/// inline across lines), or `None` if the line ends there.
fn line_value(text: &str, at: usize) -> Option<Range<usize>> {
    let start = skip_blank(text, at);
    match byte_at(text, start) {
        None | Some(b'\n' | b'\r' | b'#') => None,
        Some(_) => Some(start..value_end(text, start)),
    }
}

/// YAML block style: see [`locate`].
fn yaml_walk(text: &str, target: &[Seg]) -> Located {
    struct Entry {
        indent: usize,
        key: String,
        items: usize,
    }
    let mut best = Best {
        target,
        found: Located::default(),
    };
    let mut stack: Vec<Entry> = Vec::new();
    let mut skip_until = 0;
    let mut block_scalar: Option<usize> = None;
    for (start, line) in lines(text) {
        if start < skip_until {
            continue;
        }
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let content = line.get(indent..).unwrap_or("");
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(outer) = block_scalar {
            if indent > outer {
                continue;
            }
            block_scalar = None;
        }
        if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            stack.clear();
            continue;
        }
        let content_start = start + indent;
        let path_of = |stack: &[Entry]| -> Vec<Seg> {
            stack.iter().map(|e| Seg::Key(e.key.clone())).collect()
        };
        if content == "-" || content.starts_with("- ") {
            while stack.last().is_some_and(|e| e.indent > indent) {
                stack.pop();
            }
            let Some(owner) = stack.last_mut() else {
                continue;
            };
            let index = owner.items;
            owner.items += 1;
            let mut path = path_of(&stack);
            path.push(Seg::Index(index));
            let item = line_value(text, content_start + 1);
            let span = item.clone().unwrap_or(content_start..content_start + 1);
            if let Some(v) = &item {
                skip_until = skip_until.max(v.end);
            }
            if let Some(found) = best.consider(text, &path, &[span], item) {
                return found;
            }
            continue;
        }
        let Some((key, key_len, colon)) = yaml_key(content) else {
            continue;
        };
        while stack.last().is_some_and(|e| e.indent >= indent) {
            stack.pop();
        }
        let mut path = path_of(&stack);
        path.push(Seg::Key(key.clone()));
        let value = line_value(text, content_start + colon + 1);
        if let Some(v) = &value {
            if matches!(byte_at(text, v.start), Some(b'|' | b'>')) {
                block_scalar = Some(indent);
            } else {
                skip_until = skip_until.max(v.end);
            }
        }
        stack.push(Entry {
            indent,
            key,
            items: 0,
        });
        let span = content_start..content_start + key_len;
        if let Some(found) = best.consider(text, &path, &[span], value) {
            return found;
        }
    }
    best.found
}

/// A YAML `key:` line: the key, its length, and the colon's offset.
fn yaml_key(content: &str) -> Option<(String, usize, usize)> {
    let key_len = match content.bytes().next()? {
        b'"' | b'\'' => string_end(content, 0),
        b'{' | b'[' | b'&' | b'*' | b'!' | b'?' | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        _ => {
            let mut i = 0;
            loop {
                match byte_at(content, i) {
                    None => return None,
                    Some(b':') if matches!(byte_at(content, i + 1), None | Some(b' ' | b'\t')) => {
                        break
                    }
                    Some(b'#')
                        if i > 0 && matches!(byte_at(content, i - 1), Some(b' ' | b'\t')) =>
                    {
                        return None
                    }
                    Some(_) => i = next_char(content, i),
                }
            }
            content.get(..i)?.trim_end().len()
        }
    };
    let colon = skip_blank(content, key_len);
    if byte_at(content, colon) != Some(b':') {
        return None;
    }
    Some((unquote(content.get(..key_len)?), key_len, colon))
}

/// A TOML dotted key starting at `at` and ending with `stop`: its parts with
/// their spans, and the offset of `stop`.
fn toml_key(text: &str, at: usize, stop: u8) -> Option<(Vec<Seg>, Vec<Range<usize>>, usize)> {
    let mut parts = Vec::new();
    let mut spans = Vec::new();
    let mut pos = at;
    loop {
        pos = skip_blank(text, pos);
        let end = match byte_at(text, pos)? {
            b'"' | b'\'' => string_end(text, pos),
            _ => {
                let mut i = pos;
                while byte_at(text, i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    i += 1;
                }
                i
            }
        };
        if end == pos {
            return None;
        }
        parts.push(Seg::Key(unquote(text.get(pos..end)?)));
        spans.push(pos..end);
        pos = skip_blank(text, end);
        match byte_at(text, pos)? {
            b'.' => pos += 1,
            b if b == stop => return Some((parts, spans, pos)),
            _ => return None,
        }
    }
}

/// TOML: see [`locate`].
fn toml_walk(text: &str, target: &[Seg]) -> Located {
    let mut best = Best {
        target,
        found: Located::default(),
    };
    let mut header: Vec<Seg> = Vec::new();
    let mut skip_until = 0;
    for (start, _) in lines(text) {
        if start < skip_until {
            continue;
        }
        let content_start = skip_blank(text, start);
        match byte_at(text, content_start) {
            None | Some(b'\n' | b'\r' | b'#') => continue,
            Some(b'[') => {
                let open = if byte_at(text, content_start + 1) == Some(b'[') {
                    2
                } else {
                    1
                };
                let Some((parts, spans, _)) = toml_key(text, content_start + open, b']') else {
                    continue;
                };
                header = parts;
                // A table header: its value is the lines below, not inline.
                if let Some(found) = best.consider(text, &header, &spans, None) {
                    return found;
                }
            }
            Some(_) => {
                let Some((parts, spans, eq)) = toml_key(text, content_start, b'=') else {
                    continue;
                };
                let value = line_value(text, eq + 1).map(|v| {
                    let end = multiline_string_end(text, v.start).unwrap_or(v.end);
                    v.start..end
                });
                if let Some(v) = &value {
                    skip_until = skip_until.max(v.end);
                }
                let mut path = header.clone();
                path.extend(parts);
                if let Some(found) = best.consider(text, &path, &spans, value) {
                    return found;
                }
            }
        }
    }
    best.found
}

/// The end of a TOML `"""…"""` or `'''…'''` string starting at `at`.
fn multiline_string_end(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let delimiter = ["\"\"\"", "'''"]
        .into_iter()
        .find(|d| rest.starts_with(d))?;
    let body = rest.get(3..)?;
    let close = body.find(delimiter)?;
    // Quotes right before the closing delimiter belong to the string.
    let extra = body
        .get(close + 3..)?
        .bytes()
        .take_while(|b| Some(*b) == delimiter.bytes().next())
        .count();
    Some(at + 3 + close + 3 + extra)
}
