//! The spanned tree a case file is read into: each format is parsed once, by
//! its own parser, into one [`Node`] type that carries the byte span of every
//! key and value, so that typing ([`super::load`]) is written once and every
//! error points at the text it is about.
//!
//! | format | parser | why |
//! |---|---|---|
//! | JSON | `jsonc-parser`, strict options | an AST with the byte range of every key and value, strings borrowed from the text, numbers kept as written, duplicate keys kept (so both can be named) |
//! | YAML | `saphyr-parser` events, `saphyr`'s core-schema scalars | the maintained pure-Rust YAML 1.2 parser; every event has its start and end |
//! | TOML | `toml`'s `DeTable` | the `toml` crate's own spanned document tree |
//!
//! Numbers are kept as text (`30`, `1e19`, `0.1234567890123456789`): typing
//! reads integers and decimals from the user's digits, and messages quote
//! them as written.

use std::borrow::Cow;

/// A byte range of the (normalised) case text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.end - span.start).into()
    }
}

/// A value with its span.
#[derive(Clone, Debug)]
pub(super) struct Node<'a> {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub kind: Kind<'a>,
}

/// What a value is.
#[derive(Clone, Debug)]
pub(super) enum Kind<'a> {
    /// `null`, `~`, an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (`30`, `-1.5e3`), or in decimal digits where the
    /// format wrote it otherwise (`0x1f` → `31`).
    Number(Cow<'a, str>),
    /// A string (a TOML date-time reads as its text).
    Text(Cow<'a, str>),
    /// A list.
    List(Vec<Node<'a>>),
    /// A mapping, in the order written; a key may appear twice (typing says so).
    Map(Vec<Entry<'a>>),
}

/// One key and value of a mapping.
#[derive(Clone, Debug)]
pub(super) struct Entry<'a> {
    /// The key's text (unquoted).
    pub key: Cow<'a, str>,
    /// Where the key is written (with its quotes, if any).
    pub key_span: Span,
    /// The value.
    pub value: Node<'a>,
}

impl Node<'_> {
    /// How many nodes the tree has (itself included).
    fn count(&self) -> usize {
        1 + match &self.kind {
            Kind::List(items) => items.iter().map(Node::count).sum(),
            Kind::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// Why a text could not be read into a tree.
pub(super) struct SyntaxProblem {
    /// The parser's message, on one line, without its line and column.
    pub detail: String,
    /// Where the parser stopped (an empty span: the character there).
    pub span: Span,
    /// The problem is a limit passed (too deep, too many alias copies), not
    /// bad syntax: how to stay within it.
    pub limit: Option<&'static str>,
}

impl SyntaxProblem {
    fn at(detail: String, span: Span) -> SyntaxProblem {
        SyntaxProblem {
            detail,
            span,
            limit: None,
        }
    }
}

/// How deep a tree may nest. Past the bracket count checked before parsing
/// (`load::MAX_NESTING`), this bounds what brackets do not show: YAML block
/// indentation and TOML dotted keys.
pub(super) const MAX_DEPTH: usize = 64;

/// How to stay within [`MAX_DEPTH`].
const FLATTER: &str = "a case needs a few levels: facts, a record, a set";

/// How many values YAML aliases may copy in all: each `*alias` copies its
/// anchor's value, so a few lines could otherwise ask for billions.
pub(super) const MAX_ALIAS_COPIES: usize = 10_000;

fn too_deep(span: Span) -> SyntaxProblem {
    SyntaxProblem {
        detail: format!("values nest more than {MAX_DEPTH} levels deep"),
        span,
        limit: Some(FLATTER),
    }
}

// ---------------------------------------------------------------------------
// JSON

/// Parses strict JSON (no comments, trailing commas, single quotes, bare
/// keys, hexadecimal or non-finite numbers).
pub(super) fn json(text: &str) -> Result<Option<Node<'_>>, SyntaxProblem> {
    use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match parse_to_ast(text, &CollectOptions::default(), &options) {
        Ok(parsed) => Ok(parsed.value.map(from_json)),
        Err(e) => {
            use jsonc_parser::errors::ParseErrorKind as K;
            let range = e.range();
            let found = text.get(range.start..range.end).unwrap_or("");
            let detail = match e.kind() {
                // Where a value was due.
                K::UnexpectedCloseBrace
                | K::UnexpectedCloseBracket
                | K::UnexpectedComma
                | K::UnexpectedColon => format!("expected a value, found `{found}`"),
                K::UnexpectedWord => {
                    let word = super::load::truncate_for_message(found);
                    if ["true", "false", "null"].contains(&found.to_ascii_lowercase().as_str()) {
                        format!(
                            "expected a value, found `{word}` (JSON writes `true`, `false` and `null` in small letters)"
                        )
                    } else {
                        format!(
                            "expected a value, found `{word}` (text is written in double quotes)"
                        )
                    }
                }
                K::ExpectedStringObjectProperty => "expected a key in double quotes".to_owned(),
                kind => sentence(&kind.to_string()),
            };
            Err(SyntaxProblem::at(detail, Span::new(range.start, range.end)))
        }
    }
}

fn from_json(value: jsonc_parser::ast::Value<'_>) -> Node<'_> {
    use jsonc_parser::ast::{ObjectPropName, Value};
    let span = |r: jsonc_parser::common::Range| Span::new(r.start, r.end);
    match value {
        Value::StringLit(s) => Node {
            span: span(s.range),
            kind: Kind::Text(s.value),
        },
        Value::NumberLit(n) => Node {
            span: span(n.range),
            kind: Kind::Number(Cow::Borrowed(n.value)),
        },
        Value::BooleanLit(b) => Node {
            span: span(b.range),
            kind: Kind::Bool(b.value),
        },
        Value::NullKeyword(n) => Node {
            span: span(n.range),
            kind: Kind::Null,
        },
        Value::Array(a) => Node {
            span: span(a.range),
            kind: Kind::List(a.elements.into_iter().map(from_json).collect()),
        },
        Value::Object(o) => Node {
            span: span(o.range),
            kind: Kind::Map(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key, key_span) = match p.name {
                            ObjectPropName::String(s) => (s.value, span(s.range)),
                            ObjectPropName::Word(w) => (Cow::Borrowed(w.value), span(w.range)),
                        };
                        Entry {
                            key,
                            key_span,
                            value: from_json(p.value),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

/// `Trailing commas are not allowed` → `trailing commas are not allowed`.
fn sentence(message: &str) -> String {
    let message = one_line(message);
    let mut chars = message.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => message,
    }
}

/// Joins the lines of a multi-line parser message with colons.
pub(super) fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
}

// ---------------------------------------------------------------------------
// YAML

/// Byte offsets of character indices (the YAML parser counts characters).
struct Offsets {
    /// The byte offset of each character, when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        Offsets {
            table: (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect()),
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// A mapping or sequence being read.
struct Frame<'a> {
    start: usize,
    anchor: usize,
    kind: FrameKind<'a>,
}

enum FrameKind<'a> {
    List(Vec<Node<'a>>),
    /// The entries so far, and a key waiting for its value.
    Map(Vec<Entry<'a>>, Option<(Cow<'a, str>, Span)>),
}

/// Reads YAML events into a tree. `None`: the stream holds no document.
pub(super) fn yaml(text: &str) -> Result<Option<Node<'_>>, SyntaxProblem> {
    use saphyr_parser::{Event, Parser};
    use std::collections::HashMap;

    let offsets = Offsets::new(text);
    let span_of = |s: &saphyr_parser::Span| {
        Span::new(offsets.byte(s.start.index()), offsets.byte(s.end.index()))
    };
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut anchors: HashMap<usize, Node<'_>> = HashMap::new();
    let mut root: Option<Node<'_>> = None;
    let mut documents = 0usize;
    let mut copies = 0usize;
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(next) => next,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                let mut detail = one_line(e.info());
                // The parser points where it gave up; an unclosed bracket
                // further up is the usual cause, so name it.
                if let Some(open) = stack.iter().rev().find_map(|f| {
                    let bracket = text.get(f.start..)?.chars().next()?;
                    matches!(bracket, '[' | '{').then_some((bracket, f.start))
                }) {
                    let (bracket, start) = open;
                    let before = text.get(..start).unwrap_or("");
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    detail.push_str(&format!(
                        " (inside the `{bracket}` opened at line {line}, column {column}: is it closed?)"
                    ));
                }
                return Err(SyntaxProblem::at(detail, Span::new(at, at)));
            }
        };
        let span = span_of(&span);
        let (node, anchor) = match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxProblem::at(
                        "a case file holds one document, and a second one starts here".into(),
                        span,
                    ));
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(span));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    FrameKind::List(Vec::new())
                } else {
                    FrameKind::Map(Vec::new(), None)
                };
                stack.push(Frame {
                    start: span.start,
                    anchor,
                    kind,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                // A block collection ends where the next token starts: its
                // span stops at its last character.
                let end = text
                    .get(frame.start..span.end)
                    .map_or(span.end, |t| frame.start + t.trim_end().len());
                let kind = match frame.kind {
                    FrameKind::List(items) => Kind::List(items),
                    FrameKind::Map(entries, _) => Kind::Map(entries),
                };
                let node = Node {
                    span: Span::new(frame.start, end),
                    kind,
                };
                (node, frame.anchor)
            }
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(SyntaxProblem::at("unknown anchor".into(), span));
                };
                copies += node.count();
                if copies > MAX_ALIAS_COPIES {
                    return Err(SyntaxProblem {
                        detail: format!("aliases copy more than {MAX_ALIAS_COPIES} values in all"),
                        span,
                        limit: Some("write the values out, or copy fewer of them with aliases"),
                    });
                }
                (node.clone(), 0)
            }
            Event::Scalar(value, style, anchor, tag) => {
                // A key keeps its text as written.
                if let Some(Frame {
                    kind: FrameKind::Map(_, pending @ None),
                    ..
                }) = stack.last_mut()
                {
                    *pending = Some((value, span));
                    if anchor != 0 {
                        // An anchored key is rare; its value is the key's text.
                        if let Some(Frame {
                            kind: FrameKind::Map(_, Some((key, _))),
                            ..
                        }) = stack.last()
                        {
                            let node = Node {
                                span,
                                kind: Kind::Text(key.clone()),
                            };
                            anchors.insert(anchor, node);
                        }
                    }
                    continue;
                }
                (scalar(text, value, style, tag.as_ref(), span), anchor)
            }
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame {
                kind: FrameKind::List(items),
                ..
            }) => items.push(node),
            Some(Frame {
                kind: FrameKind::Map(entries, pending),
                ..
            }) => match pending.take() {
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
                // A collection as a key (`? [a, b]`): its text is the key.
                None => {
                    let key = text
                        .get(node.span.start..node.span.end)
                        .unwrap_or("?")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    *pending = Some((Cow::Owned(key), node.span));
                }
            },
        }
    }
    Ok(root)
}

/// A YAML scalar, resolved by the core schema (`saphyr`): `~` and `null` are
/// null, `true` a bool, `30` and `1.5` numbers, the rest (and anything
/// quoted) text.
fn scalar<'a>(
    text: &'a str,
    value: Cow<'a, str>,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&Cow<'a, saphyr_parser::Tag>>,
    span: Span,
) -> Node<'a> {
    use saphyr::Scalar;
    let written = text.get(span.start..span.end).unwrap_or("");
    let kind = match Scalar::parse_from_cow_and_metadata(value.clone(), style, tag) {
        Some(Scalar::Null) => Kind::Null,
        Some(Scalar::Boolean(b)) => Kind::Bool(b),
        Some(Scalar::Integer(i)) => {
            if written.parse::<i64>() == Ok(i) {
                Kind::Number(Cow::Borrowed(written))
            } else {
                Kind::Number(Cow::Owned(i.to_string()))
            }
        }
        Some(Scalar::FloatingPoint(f)) => {
            if written.parse::<f64>().is_ok() {
                Kind::Number(Cow::Borrowed(written))
            } else if f.is_finite() {
                Kind::Number(Cow::Owned(f.to_string()))
            } else {
                // `.inf`, `.nan`: no number a case can use.
                Kind::Text(value)
            }
        }
        Some(Scalar::String(s)) => Kind::Text(s),
        // A core-schema tag its text does not fit (`!!int abc`): the text.
        None => Kind::Text(value),
    };
    Node { span, kind }
}

// ---------------------------------------------------------------------------
// TOML

/// Parses a TOML document.
pub(super) fn toml(text: &str) -> Result<Node<'_>, SyntaxProblem> {
    let table = toml::de::DeTable::parse(text).map_err(|e| {
        let range = e.span().unwrap_or(0..0);
        let mut detail = one_line(e.message());
        // `toml` says "duplicate key" and marks it: name it too.
        if detail == "duplicate key" {
            if let Some(key) = text.get(range.clone()) {
                let key = super::load::truncate_for_message(key.trim().trim_matches(['"', '\'']));
                let line_start = text
                    .get(..range.start)
                    .map_or(0, |t| t.rfind('\n').map_or(0, |n| n + 1));
                let header = text
                    .get(line_start..range.start)
                    .is_some_and(|t| t.trim_start().starts_with('['));
                detail = if header {
                    format!("the table `{key}` is given twice")
                } else {
                    format!("the key `{key}` is given twice")
                };
            }
        }
        if detail == "recursion limit" {
            return SyntaxProblem {
                detail: "tables and values nest deeper than the TOML parser reads".to_owned(),
                span: Span::new(range.start, range.end),
                limit: Some(FLATTER),
            };
        }
        SyntaxProblem::at(detail, Span::new(range.start, range.end))
    })?;
    let span = table.span();
    from_toml_table(text, table.into_inner(), Span::new(span.start, span.end), 0)
}

fn from_toml_table<'a>(
    text: &'a str,
    table: toml::de::DeTable<'a>,
    span: Span,
    depth: usize,
) -> Result<Node<'a>, SyntaxProblem> {
    if depth > MAX_DEPTH {
        return Err(too_deep(span));
    }
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_span = key.span();
        entries.push(Entry {
            key: key.into_inner(),
            key_span: Span::new(key_span.start, key_span.end),
            value: from_toml(text, value, depth + 1)?,
        });
    }
    // The map keeps keys sorted; a case reads in the order written.
    entries.sort_by_key(|e| e.key_span.start);
    Ok(Node {
        span,
        kind: Kind::Map(entries),
    })
}

fn from_toml<'a>(
    text: &'a str,
    value: toml::Spanned<toml::de::DeValue<'a>>,
    depth: usize,
) -> Result<Node<'a>, SyntaxProblem> {
    use toml::de::DeValue;
    let range = value.span();
    let span = Span::new(range.start, range.end);
    let written = text.get(range).unwrap_or("");
    let kind = match value.into_inner() {
        DeValue::String(s) => Kind::Text(s),
        DeValue::Boolean(b) => Kind::Bool(b),
        DeValue::Integer(i) => {
            let digits = i.as_str();
            if i.radix() != 10 {
                match i64::from_str_radix(digits, i.radix()) {
                    Ok(n) => Kind::Number(Cow::Owned(n.to_string())),
                    Err(_) => Kind::Number(Cow::Borrowed(written)),
                }
            } else if digits == written {
                Kind::Number(Cow::Borrowed(written))
            } else {
                Kind::Number(Cow::Owned(digits.to_owned()))
            }
        }
        DeValue::Float(f) => {
            let digits = f.as_str();
            if digits.parse::<f64>().is_ok_and(f64::is_finite) {
                if digits == written {
                    Kind::Number(Cow::Borrowed(written))
                } else {
                    Kind::Number(Cow::Owned(digits.to_owned()))
                }
            } else {
                // `inf`, `nan`: no number a case can use.
                Kind::Text(Cow::Borrowed(written))
            }
        }
        // A bare date (`as_of = 2003-01-15`) reads as the text a date fact expects.
        DeValue::Datetime(d) => Kind::Text(Cow::Owned(d.to_string())),
        DeValue::Array(items) => {
            if depth > MAX_DEPTH {
                return Err(too_deep(span));
            }
            let mut nodes = Vec::new();
            for item in items {
                nodes.push(from_toml(text, item, depth + 1)?);
            }
            Kind::List(nodes)
        }
        DeValue::Table(table) => return from_toml_table(text, table, span, depth),
    };
    Ok(Node { span, kind })
}
