//! The resolved program: every name is an id into a flat table.
//!
//! The checker (`check`) lowers the AST to this form once; the evaluator reads
//! it for every case without any string lookup. Spans are kept on every node so
//! evaluation errors and explanations point at the policy text.

use std::fmt;

use crate::ast::{May, Provenance, SourceKind};
use crate::source::Span;
use crate::value::Value;
use jiff::civil::Date;

pub use crate::ids::{DefId, EnumId, FactId, RecordId, RuleId, SourceId, TableId};

/// The resolved type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`
    Bool,
    /// `integer`
    Integer,
    /// `decimal`
    Decimal,
    /// `money`
    Money,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// `text`
    Text,
    /// An enum.
    Enum(EnumId),
    /// `set of` an enum.
    Set(EnumId),
    /// A record (only as a fact's declared type; its leaves are facts).
    Record(RecordId),
}

/// A compiled policy set.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Sources, by [`SourceId`].
    pub sources: Vec<SourceInfo>,
    /// Enums, by [`EnumId`].
    pub enums: Vec<EnumInfo>,
    /// Record types, by [`RecordId`].
    pub records: Vec<RecordInfo>,
    /// Top-level fact declarations (the case schema), in declaration order.
    pub fact_roots: Vec<FactRoot>,
    /// Fact slots (leaves), by [`FactId`].
    pub facts: Vec<FactInfo>,
    /// Tables, by [`TableId`].
    pub tables: Vec<TableInfo>,
    /// Definitions, by [`DefId`].
    pub definitions: Vec<DefInfo>,
    /// Rules, by [`RuleId`].
    pub rules: Vec<RuleInfo>,
    /// Tests written in the policies.
    pub tests: Vec<TestInfo>,
    /// Per rule: where it is written, `file:line:col` (filled by
    /// `crate::compile`, empty for a program built by hand).
    pub rule_locations: Vec<String>,
    /// Definitions by name (filled by `crate::compile`; a program built by
    /// hand is searched instead).
    pub definitions_by_name: std::collections::HashMap<String, DefId>,
    /// Every distinct citation of the program (of rules, defaults and table
    /// rows, in that order), by citation id: the ids the JSON evaluation and
    /// the program manifest refer to (filled by [`Program::index_citations`]).
    pub citations: Vec<Citation>,
    /// Citation ids by source and canonical pinpoint text.
    pub citation_ids: std::collections::HashMap<(SourceId, std::sync::Arc<str>), u32>,
    /// A digest of the policy text compiled (FNV-1a, 64 bits, hex): tells a
    /// tool which program manifest an evaluation's ids refer to.
    pub digest: String,
    /// Findings of the static analysis the drafters accepted (`accept`).
    pub accepts: Vec<Accept>,
}

/// What an `accept` clause accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptKind {
    /// Two rules of equal standing may both apply with different values.
    Overlap,
    /// A definition without a default may have no rule for a case.
    Gap,
    /// A rule can never be active.
    Dead,
    /// Two versions of a rule overlap in time, or leave a hole between them.
    Window,
}

impl AcceptKind {
    /// The word written in the policy.
    pub fn word(self) -> &'static str {
        match self {
            AcceptKind::Overlap => "overlap",
            AcceptKind::Gap => "gap",
            AcceptKind::Dead => "dead",
            AcceptKind::Window => "window",
        }
    }
}

/// `accept KIND [with RULE, …] "reason"`: a finding of the static analysis
/// the drafters weighed and accept, with their reason.
#[derive(Clone, Debug)]
pub struct Accept {
    /// What is accepted.
    pub kind: AcceptKind,
    /// The definition it is written in (or whose rule it is written on).
    pub def: DefId,
    /// The rule it is written on (`None`: a definition member).
    pub rule: Option<RuleId>,
    /// The other rules of an overlap or window finding.
    pub with: Vec<RuleId>,
    /// Why the drafters accept it.
    pub reason: String,
    /// The clause.
    pub span: Span,
}

/// A citable document.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// Short name.
    pub name: std::sync::Arc<str>,
    /// Kind.
    pub kind: SourceKind,
    /// Title.
    pub title: std::sync::Arc<str>,
    /// Note.
    pub note: Option<String>,
    /// Declaration.
    pub span: Span,
}

/// An enum type.
#[derive(Clone, Debug)]
pub struct EnumInfo {
    /// Type name.
    pub name: String,
    /// Variants: name and label.
    pub variants: Vec<(String, Option<String>)>,
    /// Declaration.
    pub span: Span,
}

/// A record type.
#[derive(Clone, Debug)]
pub struct RecordInfo {
    /// Type name.
    pub name: String,
    /// Fields: name, type, label.
    pub fields: Vec<(String, Type, Option<String>)>,
    /// Declaration.
    pub span: Span,
}

/// A top-level fact as the case file sees it.
#[derive(Clone, Debug)]
pub struct FactRoot {
    /// Name.
    pub name: String,
    /// Declared type (records are expanded into leaves).
    pub ty: Type,
    /// For a scalar fact, its slot; for a record fact, `None` (see `facts`).
    pub slot: Option<FactId>,
    /// Declaration.
    pub span: Span,
}

/// A fact slot: one value a case may supply.
#[derive(Clone, Debug)]
pub struct FactInfo {
    /// Dotted path (`person.age`).
    pub path: String,
    /// Type (never a record).
    pub ty: Type,
    /// Label.
    pub label: Option<String>,
    /// For a `setting`: its default and citations.
    pub setting: Option<Setting>,
    /// Declaration (of the root fact).
    pub span: Span,
}

/// A drafter's documented option: the policy's value and why.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The value unless a case overrides it.
    pub default: Value,
    /// Citations, provenance, notes.
    pub meta: Meta,
}

/// A citation: source and pinpoint.
#[derive(Clone, Debug)]
pub struct Citation {
    /// The source.
    pub source: SourceId,
    /// Where in the source: article, paragraph, item, section, lines, remark.
    pub pinpoint: Pinpoint,
    /// Where the `cite` was written.
    pub span: Span,
    /// Its index in [`Program::citations`] (equal citations share one),
    /// filled by [`Program::index_citations`]; [`Citation::UNINDEXED`]
    /// before. An explanation refers to the law by this id, without
    /// comparing text.
    pub id: u32,
}

impl Citation {
    /// Whether two citations name the same source and pinpoint. Once
    /// indexed, citations with different ids differ without a text
    /// comparison.
    pub fn same(&self, other: &Citation) -> bool {
        if self.id != Citation::UNINDEXED && other.id != Citation::UNINDEXED {
            return self.id == other.id && self.source == other.source;
        }
        self.source == other.source
            && (std::sync::Arc::ptr_eq(&self.pinpoint.text, &other.pinpoint.text)
                || self.pinpoint.text == other.pinpoint.text)
    }

    /// The id of a citation not (yet) indexed by a program.
    pub const UNINDEXED: u32 = u32::MAX;

    /// The pinpoint's full canonical text, remarks included
    /// (`Art. 9(1) item 4 (deleted on 2020-12-08)`); computed once, so a
    /// clone is a reference count.
    pub fn pinpoint_text(&self) -> &std::sync::Arc<str> {
        &self.pinpoint.text
    }
}

/// A number as a source numbers its articles, paragraphs or items (`9`,
/// `1A`, `VIII`, `c`), or a range of them (`7-9`). JSON writes it as its
/// text, `"9"` or `"7-9"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Numbering {
    /// The number, or the start of the range.
    pub from: String,
    /// The end of a range.
    pub to: Option<String>,
}

impl Numbering {
    /// A single number.
    pub fn one(from: impl Into<String>) -> Self {
        Numbering {
            from: from.into(),
            to: None,
        }
    }
    /// True for a range.
    pub fn is_range(&self) -> bool {
        self.to.is_some()
    }
}

impl serde::Serialize for Numbering {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Numbering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.to {
            Some(to) => write!(f, "{}-{to}", self.from),
            None => f.write_str(&self.from),
        }
    }
}

/// A line or a range of lines, `l.35-39`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Lines {
    /// First line.
    pub from: u32,
    /// Last line (equal to `from` for one line).
    pub to: u32,
}

/// One place in a source: the locators of one part of a `cite` and its
/// remark; or, where the source has no article structure, a reference in
/// its own system (`Gong 2009 sang, 298`, `Ch. IV.9`) and a remark.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pin {
    /// A reference as the source numbers itself, for a part with no locator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `art 9`: the article (or `art 7..9`, a range of articles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<Numbering>,
    /// The article's paragraph, `art 9(1)`; without an article, a paragraph
    /// of a document numbered by paragraphs, `para 63`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<Numbering>,
    /// `item 5` of the article, paragraph or section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Numbering>,
    /// `section "South Korean Policy"` (a seed's or report's section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// `footnote 6`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footnote: Option<String>,
    /// `line 35..39`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Lines>,
    /// The drafter's remark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

impl Pin {
    /// True when the part locates something by article, paragraph, item,
    /// section, footnote or lines (it is not a reference).
    pub fn is_structured(&self) -> bool {
        self.article.is_some()
            || self.paragraph.is_some()
            || self.item.is_some()
            || self.section.is_some()
            || self.footnote.is_some()
            || self.lines.is_some()
    }

    /// The locators in canonical form, without the remark: `Art. 9(1) item 5`,
    /// `§South Korean Policy l.35-39`, `para. 63`; a bare reference's text.
    pub fn locators(&self) -> String {
        let mut out = String::new();
        // Writing to a `String` cannot fail.
        let _ = self.write_locators(&mut out);
        out
    }

    /// Writes [`Pin::locators`] to `out`, word by word, without building
    /// each word and the list of them first (a compile renders every
    /// citation of the policies).
    fn write_locators(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let mut first = true;
        let mut word = |out: &mut dyn fmt::Write, args: fmt::Arguments<'_>| {
            if !std::mem::take(&mut first) {
                out.write_char(' ')?;
            }
            out.write_fmt(args)
        };
        if let Some(section) = &self.section {
            word(out, format_args!("§{section}"))?;
        }
        match (&self.article, &self.paragraph) {
            (Some(a), Some(p)) if p.is_range() => word(
                out,
                format_args!("Art. {}({})-({})", a, p.from, p.to.as_deref().unwrap_or("")),
            )?,
            (Some(a), Some(p)) => word(out, format_args!("Art. {a}({p})"))?,
            (Some(a), None) if a.is_range() => word(out, format_args!("Arts. {a}"))?,
            (Some(a), None) => word(out, format_args!("Art. {a}"))?,
            (None, Some(p)) if p.is_range() => word(out, format_args!("paras. {p}"))?,
            (None, Some(p)) => word(out, format_args!("para. {p}"))?,
            (None, None) => {}
        }
        if let Some(item) = &self.item {
            let name = if item.is_range() { "items" } else { "item" };
            word(out, format_args!("{name} {item}"))?;
        }
        if let Some(footnote) = &self.footnote {
            word(out, format_args!("fn {footnote}"))?;
        }
        if let Some(lines) = self.lines {
            if lines.to == lines.from {
                word(out, format_args!("l.{}", lines.from))?;
            } else {
                word(out, format_args!("l.{}-{}", lines.from, lines.to))?;
            }
        }
        if first {
            out.write_str(self.reference.as_deref().unwrap_or(""))?;
        }
        Ok(())
    }

    /// What citations are grouped by: the article (`Art. 9`, without
    /// paragraph or item), else the section (`§4.2.1`), the paragraph, the
    /// footnote or the lines; a reference is its own key.
    pub fn key(&self) -> String {
        if let Some(a) = &self.article {
            if a.is_range() {
                return format!("Arts. {a}");
            }
            return format!("Art. {a}");
        }
        if let Some(section) = &self.section {
            return format!("§{section}");
        }
        let bare = Pin {
            paragraph: self.paragraph.clone(),
            footnote: self.footnote.clone(),
            lines: self.lines,
            reference: self.reference.clone(),
            ..Pin::default()
        };
        bare.locators()
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_locators(f)?;
        match &self.remark {
            Some(remark) => write!(f, " ({remark})"),
            None => Ok(()),
        }
    }
}

/// Where a citation points: one or more [`Pin`]s (`art 2(1), art 3`), with
/// the canonical text and the grouping key computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinpoint {
    parts: Vec<Pin>,
    text: std::sync::Arc<str>,
    key: Box<str>,
}

impl Pinpoint {
    /// A pinpoint of these parts (at least one).
    pub fn new(parts: Vec<Pin>) -> Self {
        let parts = if parts.is_empty() {
            vec![Pin::default()]
        } else {
            parts
        };
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str("; ");
            }
            // Writing to a `String` cannot fail.
            let _ = std::fmt::Write::write_fmt(&mut text, format_args!("{part}"));
        }
        let key = parts.first().map(Pin::key).unwrap_or_default();
        Pinpoint {
            parts,
            text: text.into(),
            key: key.into(),
        }
    }

    /// A reference, `Gong 2009 sang, 298`.
    pub fn reference(text: impl Into<String>) -> Self {
        Pinpoint::new(vec![Pin {
            reference: Some(text.into()),
            ..Pin::default()
        }])
    }

    /// The parts, in the order written.
    pub fn parts(&self) -> &[Pin] {
        &self.parts
    }

    /// The first part, which decides the grouping key.
    pub fn first(&self) -> &Pin {
        // `new` never leaves `parts` empty; the empty pin is never reached.
        static EMPTY: Pin = Pin {
            reference: None,
            article: None,
            paragraph: None,
            item: None,
            section: None,
            footnote: None,
            lines: None,
            remark: None,
        };
        self.parts.first().unwrap_or(&EMPTY)
    }

    /// The first part's article (`9`, `1A`; `7-9` for a range).
    pub fn article(&self) -> Option<&Numbering> {
        self.first().article.as_ref()
    }

    /// The first part's paragraph.
    pub fn paragraph(&self) -> Option<&Numbering> {
        self.first().paragraph.as_ref()
    }

    /// The first part's item.
    pub fn item(&self) -> Option<&Numbering> {
        self.first().item.as_ref()
    }

    /// The first part's section.
    pub fn section(&self) -> Option<&str> {
        self.first().section.as_deref()
    }

    /// The first part's lines.
    pub fn lines(&self) -> Option<Lines> {
        self.first().lines
    }

    /// Every part's locators in canonical form, without remarks, joined by
    /// `; ` (`Art. 2(1); Art. 3`).
    pub fn locators(&self) -> String {
        self.parts()
            .iter()
            .map(Pin::locators)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The remarks of the parts that have one, joined by `; `.
    pub fn remark(&self) -> Option<String> {
        let remarks: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|p| p.remark.as_deref())
            .collect();
        (!remarks.is_empty()).then(|| remarks.join("; "))
    }

    /// True when no part locates anything: the pinpoint is a reference.
    pub fn is_reference(&self) -> bool {
        !self.parts.iter().any(Pin::is_structured)
    }

    /// What coverage and the docs group citations by: the first part's
    /// article (`Art. 9` for `art 9(1) item 5`), section (`§4.2.1`),
    /// paragraph or lines, or the whole reference.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The full canonical text: the parts joined by `; `, each with its
    /// remark in parentheses.
    pub fn text(&self) -> &std::sync::Arc<str> {
        &self.text
    }

    /// The JSON form: `{article, paragraph, item, section, lines, text}`
    /// of the first part, the remark, the other parts and the full text.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::to_value(self.first()).unwrap_or_default();
        if let Some(object) = json.as_object_mut() {
            object.remove("remark");
            if let Some(remark) = self.remark() {
                object.insert("remark".into(), remark.into());
            }
            if self.parts.len() > 1 {
                let also = serde_json::to_value(self.parts.get(1..)).unwrap_or_default();
                object.insert("also".into(), also);
            }
            object.insert("text".into(), (*self.text).into());
        }
        json
    }
}

impl fmt::Display for Pinpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Pinpoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Metadata shared by rules, defaults and table rows.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// Citations.
    pub cites: Vec<Citation>,
    /// Provenance.
    pub provenance: Option<Provenance>,
    /// In force from (inclusive).
    pub from: Option<Date>,
    /// In force until (exclusive).
    pub until: Option<Date>,
    /// Drafter's notes.
    pub notes: Vec<String>,
}

impl Meta {
    /// Whether the item is in force on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date < u)
    }
}

/// A data table.
#[derive(Clone, Debug)]
pub struct TableInfo {
    /// Name.
    pub name: String,
    /// Label.
    pub label: Option<String>,
    /// Key columns: name and type.
    pub keys: Vec<(String, Type)>,
    /// Value columns: name, type, label.
    pub columns: Vec<(String, Type, Option<String>)>,
    /// Rows.
    pub rows: Vec<RowInfo>,
    /// Declaration.
    pub span: Span,
}

/// A table row.
#[derive(Clone, Debug)]
pub struct RowInfo {
    /// Key values.
    pub keys: Vec<Value>,
    /// Cell values, one per column.
    pub cells: Vec<Value>,
    /// Citations, provenance, dates.
    pub meta: Meta,
    /// The row's text.
    pub span: Span,
}

/// A definition or verdict.
#[derive(Clone, Debug)]
pub struct DefInfo {
    /// Name.
    pub name: String,
    /// Module it was declared in.
    pub module: String,
    /// Reported by `refuge eval`.
    pub is_verdict: bool,
    /// Type.
    pub ty: Type,
    /// Label.
    pub label: Option<String>,
    /// The default, if any.
    pub default: Option<DefaultInfo>,
    /// Rules and exceptions, in source order.
    pub rules: Vec<RuleId>,
    /// Rules in evaluation order: every exception before the rules it targets.
    pub order: Vec<RuleId>,
    /// Declaration (name only).
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
}

/// A `default` clause.
#[derive(Clone, Debug)]
pub struct DefaultInfo {
    /// The value.
    pub value: Expr,
    /// Citations etc.
    pub meta: Meta,
    /// The clause.
    pub span: Span,
}

/// What an exception does to its targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A base rule.
    Base,
    /// Overrides its targets with its own value.
    Overrides(Vec<RuleId>),
    /// Defeats its targets and gives no value.
    Lifts(Vec<RuleId>),
}

impl RuleKind {
    /// The rules this one targets (empty for base rules).
    pub fn targets(&self) -> &[RuleId] {
        match self {
            RuleKind::Base => &[],
            RuleKind::Overrides(t) | RuleKind::Lifts(t) => t,
        }
    }
}

/// A rule or exception.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// Name (unique in the program).
    pub name: String,
    /// The definition it belongs to.
    pub def: DefId,
    /// Base or exception.
    pub kind: RuleKind,
    /// Marked `absolute`.
    pub absolute: bool,
    /// `qualified by`: the only exceptions allowed to target it.
    pub qualified_by: Option<Vec<RuleId>>,
    /// The value it gives (`None` for `lifts`).
    pub value: Option<Expr>,
    /// Its condition (`None`: always).
    pub when: Option<Expr>,
    /// A discretion (`may`).
    pub may: Option<May>,
    /// The exceptions that target this rule.
    pub exceptions: Vec<RuleId>,
    /// Citations, provenance, dates, notes.
    pub meta: Meta,
    /// The rule's name.
    pub name_span: Span,
    /// The whole rule.
    pub span: Span,
}

/// A typed, resolved expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it was written.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `min(a, b, …)`
    Min,
    /// `max(a, b, …)`
    Max,
    /// `clamp(x, lo, hi)`
    Clamp,
    /// `round(x, places)`: half away from zero
    Round,
    /// `floor(x, places)`
    Floor,
    /// `ceil(x, places)`
    Ceil,
    /// `years_between(from, to)`: whole calendar years
    YearsBetween,
    /// `days_between(from, to)`
    DaysBetween,
    /// `count(set)`
    Count,
}

impl Builtin {
    /// Every built-in with its name.
    pub const ALL: &'static [(&'static str, Builtin)] = &[
        ("min", Builtin::Min),
        ("max", Builtin::Max),
        ("clamp", Builtin::Clamp),
        ("round", Builtin::Round),
        ("floor", Builtin::Floor),
        ("ceil", Builtin::Ceil),
        ("years_between", Builtin::YearsBetween),
        ("days_between", Builtin::DaysBetween),
        ("count", Builtin::Count),
    ];
}

/// Expression forms over resolved ids.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// A fact slot.
    Fact(FactId),
    /// Another definition's value.
    Def(DefId),
    /// The evaluation date.
    AsOf,
    /// `not`
    Not(Box<Expr>),
    /// unary `-`
    Neg(Box<Expr>),
    /// `and` (Kleene)
    And(Box<Expr>, Box<Expr>),
    /// `or` (Kleene)
    Or(Box<Expr>, Box<Expr>),
    /// comparison
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// arithmetic
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `x in S`
    In(Box<Expr>, Box<Expr>),
    /// `S has any T`
    HasAny(Box<Expr>, Box<Expr>),
    /// `S has all T`
    HasAll(Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `{a, b}` of an enum
    Set(Vec<Expr>),
    /// built-in call
    Call(Builtin, Vec<Expr>),
    /// `T[keys].column`
    Lookup(TableId, Vec<Expr>, usize),
    /// `exists T[keys]`
    Exists(TableId, Vec<Expr>),
}

/// A test written in a policy.
#[derive(Clone, Debug)]
pub struct TestInfo {
    /// The test's name.
    pub name: String,
    /// Evaluation date.
    pub as_of: Option<Date>,
    /// Facts given.
    pub given: Vec<(FactId, Value)>,
    /// Discretions exercised.
    pub exercise: Vec<(RuleId, bool)>,
    /// Expected values (`None`: undetermined).
    pub expect: Vec<(DefId, Option<Value>, Span)>,
    /// The test.
    pub span: Span,
}

impl Program {
    /// Looks a definition up by name.
    pub fn definition(&self, name: &str) -> Option<DefId> {
        if !self.definitions_by_name.is_empty() {
            return self.definitions_by_name.get(name).copied();
        }
        self.definitions
            .iter()
            .position(|d| d.name == name)
            .and_then(|i| u32::try_from(i).ok())
            .map(DefId)
    }

    /// Looks a rule up by name.
    pub fn rule_by_name(&self, name: &str) -> Option<RuleId> {
        self.rules
            .iter()
            .position(|r| r.name == name)
            .and_then(|i| u32::try_from(i).ok())
            .map(RuleId)
    }

    /// The ids of every verdict, in declaration order.
    pub fn verdicts(&self) -> impl Iterator<Item = DefId> + '_ {
        self.definitions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_verdict)
            .filter_map(|(i, _)| u32::try_from(i).ok().map(DefId))
    }

    /// Fills [`Program::citations`] and [`Program::citation_ids`]: every
    /// distinct citation of rules, defaults and table rows, in that order.
    pub fn index_citations(&mut self) {
        let metas = self
            .rules
            .iter_mut()
            .map(|r| &mut r.meta)
            .chain(
                self.definitions
                    .iter_mut()
                    .filter_map(|d| Some(&mut d.default.as_mut()?.meta)),
            )
            .chain(
                self.tables
                    .iter_mut()
                    .flat_map(|t| t.rows.iter_mut().map(|r| &mut r.meta)),
            );
        let mut table: Vec<Citation> = Vec::new();
        let mut ids = std::collections::HashMap::new();
        for cite in metas.flat_map(|m| m.cites.iter_mut()) {
            let key = (cite.source, cite.pinpoint_text().clone());
            match ids.entry(key) {
                std::collections::hash_map::Entry::Occupied(slot) => cite.id = *slot.get(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    if let Ok(id) = u32::try_from(table.len()) {
                        slot.insert(id);
                        cite.id = id;
                        table.push(cite.clone());
                    }
                }
            }
        }
        self.citations = table;
        self.citation_ids = ids;
    }

    /// The id of a citation in [`Program::citations`].
    pub fn citation_id(&self, cite: &Citation) -> Option<usize> {
        let id = cite.id as usize;
        let indexed = cite.id != Citation::UNINDEXED
            && self
                .citations
                .get(id)
                .is_some_and(|c| c.source == cite.source);
        if indexed {
            Some(id)
        } else {
            self.citation_ids
                .get(&(cite.source, cite.pinpoint_text().clone()))
                .map(|&i| i as usize)
        }
    }

    /// The display name of a type.
    pub fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Integer => "integer".into(),
            Type::Decimal => "decimal".into(),
            Type::Money => "money".into(),
            Type::Date => "date".into(),
            Type::Duration => "duration".into(),
            Type::Text => "text".into(),
            Type::Enum(e) => self
                .enums
                .get(e.index())
                .map_or("?".into(), |e| e.name.clone()),
            Type::Set(e) => format!(
                "set of {}",
                self.enums.get(e.index()).map_or("?", |e| e.name.as_str())
            ),
            Type::Record(r) => self
                .records
                .get(r.index())
                .map_or("?".into(), |r| r.name.clone()),
        }
    }
}

/// Whether an expression is a constant ([`constant`] gives its value), checked
/// without building the value in the common case of a literal.
pub fn is_constant(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Const(_)) || constant(expr).is_some()
}

/// The value of an expression that reads nothing (table cells, test values).
pub fn constant(expr: &Expr) -> Option<Value> {
    match &expr.kind {
        ExprKind::Const(v) => Some(v.clone()),
        ExprKind::Set(items) => {
            let mut bits = 0u128;
            let mut id = None;
            for item in items {
                match constant(item)? {
                    Value::Enum(e, v) => {
                        id = Some(e);
                        bits |= 1u128.checked_shl(v)?;
                    }
                    _ => return None,
                }
            }
            match (id, expr.ty) {
                (_, Type::Set(e)) => Some(Value::Set(e, bits)),
                (Some(e), _) => Some(Value::Set(e, bits)),
                _ => None,
            }
        }
        ExprKind::Neg(inner) => match constant(inner)? {
            Value::Integer(i) => i.checked_neg().map(Value::Integer),
            Value::Decimal(d) => Some(Value::Decimal(-d)),
            Value::Money(m) => Some(Value::Money(crate::value::Money {
                amount: -m.amount,
                ..m
            })),
            _ => None,
        },
        _ => None,
    }
}

/// How values are shown: enum variants (and sets of them) by name, which only
/// the program knows, so the showing lives with the program and `value`
/// needs nothing of it.
impl Value {
    /// Renders the value for people, with enum variants by name.
    pub fn display(&self, program: &Program) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Decimal(d) => d.normalize().to_string(),
            Value::Money(m) => format!(
                "{} {}",
                m.currency_str(),
                crate::value::group_thousands(m.amount)
            ),
            Value::Date(d) => d.to_string(),
            Value::Duration(d) => crate::value::display_duration(*d),
            Value::Text(t) => format!("{t:?}"),
            Value::Enum(e, v) => variant_name(program, *e, *v).to_string(),
            Value::Set(e, bits) => {
                let mut out = String::from("{");
                let mut first = true;
                for v in crate::value::set_members(*bits) {
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    out.push_str(variant_name(program, *e, v));
                }
                out.push('}');
                out
            }
        }
    }

    /// The value as JSON, in the same shape a case file uses.
    pub fn to_json(&self, program: &Program) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Decimal(d) => J::String(d.normalize().to_string()),
            Value::Money(m) => J::String(format!("{} {}", m.currency_str(), m.amount.normalize())),
            Value::Date(d) => J::String(d.to_string()),
            Value::Duration(d) => J::String(crate::value::display_duration(*d)),
            Value::Text(t) => J::String(t.to_string()),
            Value::Enum(e, v) => J::String(variant_name(program, *e, *v).to_string()),
            Value::Set(e, bits) => J::Array(
                crate::value::set_members(*bits)
                    .map(|v| J::String(variant_name(program, *e, v).to_string()))
                    .collect(),
            ),
        }
    }
}

/// The name of an enum variant (`?` if out of range).
pub fn variant_name(program: &Program, e: EnumId, v: u32) -> &str {
    program
        .enums
        .get(e.index())
        .and_then(|e| e.variants.get(v as usize))
        .map_or("?", |(n, _)| n.as_str())
}

#[cfg(test)]
mod pinpoint_tests {
    use super::{Lines, Numbering, Pin, Pinpoint};

    fn article(no: &str, paragraph: Option<&str>, item: Option<&str>) -> Pin {
        Pin {
            article: Some(Numbering::one(no)),
            paragraph: paragraph.map(Numbering::one),
            item: item.map(Numbering::one),
            ..Pin::default()
        }
    }

    #[test]
    fn canonical_text_and_article_key() {
        let p = Pinpoint::new(vec![Pin {
            remark: Some("deleted on 2020-12-08".into()),
            ..article("9", Some("1"), Some("4"))
        }]);
        assert_eq!(p.to_string(), "Art. 9(1) item 4 (deleted on 2020-12-08)");
        assert_eq!(p.key(), "Art. 9");
        assert_eq!(p.first().locators(), "Art. 9(1) item 4");
        assert_eq!(p.remark().as_deref(), Some("deleted on 2020-12-08"));
        assert_eq!(p.article().map(ToString::to_string).as_deref(), Some("9"));
    }

    #[test]
    fn several_parts_are_joined_and_keyed_by_the_first() {
        let p = Pinpoint::new(vec![
            article("2", Some("1"), None),
            article("3", None, None),
        ]);
        assert_eq!(p.to_string(), "Art. 2(1); Art. 3");
        assert_eq!(p.key(), "Art. 2");
        let range = Pinpoint::new(vec![Pin {
            article: Some(Numbering {
                from: "7".into(),
                to: Some("9".into()),
            }),
            ..Pin::default()
        }]);
        assert_eq!(range.to_string(), "Arts. 7-9");
        assert_eq!(range.key(), "Arts. 7-9");
    }

    #[test]
    fn sections_lines_paragraphs_and_references() {
        let seed = Pinpoint::new(vec![Pin {
            section: Some("South Korean Policy".into()),
            lines: Some(Lines { from: 35, to: 39 }),
            ..Pin::default()
        }]);
        assert_eq!(seed.to_string(), "§South Korean Policy l.35-39");
        assert_eq!(seed.key(), "§South Korean Policy");
        let handbook = Pinpoint::new(vec![Pin {
            paragraph: Some(Numbering::one("63")),
            ..Pin::default()
        }]);
        assert_eq!(handbook.to_string(), "para. 63");
        assert_eq!(handbook.key(), "para. 63");
        let court = Pinpoint::reference("Gong 2009 sang, 298");
        assert!(court.is_reference());
        assert_eq!(court.to_string(), "Gong 2009 sang, 298");
        assert_eq!(court.key(), "Gong 2009 sang, 298");
        assert_eq!(court.remark(), None);
    }

    #[test]
    fn json_carries_the_structure_and_the_text() {
        let p = Pinpoint::new(vec![article("9", Some("1"), Some("5"))]);
        let json = serde_json::to_value(&p).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "article": "9", "paragraph": "1", "item": "5", "text": "Art. 9(1) item 5"
            })
        );
    }
}
