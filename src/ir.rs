//! The resolved program: every name is an id into a flat table.
//!
//! The checker (`check`) lowers the AST to this form once; the evaluator reads
//! it for every case without any string lookup. Spans are kept on every node so
//! evaluation errors and explanations point at the policy text.

use crate::ast::{May, Provenance, SourceKind};
use crate::source::Span;
use crate::value::Value;
use jiff::civil::Date;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The index into the program's table.
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

id_type!(
    /// A declared source.
    SourceId,
    /// A declared enum.
    EnumId,
    /// A declared record type.
    RecordId,
    /// A fact slot (a leaf of the input schema).
    FactId,
    /// A definition or verdict.
    DefId,
    /// A rule or exception.
    RuleId,
    /// A data table.
    TableId,
);

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
    /// [`crate::compile`], empty for a program built by hand).
    pub rule_locations: Vec<String>,
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
    /// Article, paragraph, section or line.
    pub pinpoint: std::sync::Arc<str>,
    /// Where the `cite` was written.
    pub span: Span,
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

/// The article a pinpoint names, without the drafter's commentary:
/// `Art. 2(1) (as the Supreme Court reads it)` → `Art. 2(1)`,
/// `Art. 9(1) item 4, deleted on 2020-12-08` → `Art. 9(1) item 4`,
/// `Art. 39 (as amended 2002-06-03): up to half` → `Art. 39`.
///
/// The pinpoint is cut at the first ` (`, at `: `, or at `, ` followed by a
/// lowercase word (so `Gong 2009 sang, 298` and `ExCom, September 2004` stay
/// whole). Coverage and the generated docs group citations by this key; the
/// full pinpoint is still shown with each rule.
pub fn article(pinpoint: &str) -> &str {
    let bytes = pinpoint.as_bytes();
    let mut end = pinpoint.len();
    for (i, _) in pinpoint
        .match_indices(" (")
        .chain(pinpoint.match_indices(": "))
    {
        end = end.min(i);
    }
    for (i, _) in pinpoint.match_indices(", ") {
        if bytes.get(i + 2).is_some_and(|b| b.is_ascii_lowercase()) {
            end = end.min(i);
        }
    }
    let cut = pinpoint.get(..end).unwrap_or(pinpoint).trim();
    if cut.is_empty() {
        pinpoint
    } else {
        cut
    }
}

#[cfg(test)]
mod article_tests {
    use super::article;

    #[test]
    fn commentary_is_not_part_of_the_article() {
        assert_eq!(
            article("Art. 2(1) (as the Supreme Court reads it)"),
            "Art. 2(1)"
        );
        assert_eq!(
            article("Art. 9(1) item 4, deleted on 2020-12-08"),
            "Art. 9(1) item 4"
        );
        assert_eq!(
            article("Art. 39 (as amended 2002-06-03): up to half"),
            "Art. 39"
        );
        assert_eq!(
            article("South Korean Policy l.39 ('serious criminals')"),
            "South Korean Policy l.39"
        );
    }

    #[test]
    fn commas_inside_a_citation_are_kept() {
        assert_eq!(article("Gong 2009 sang, 298"), "Gong 2009 sang, 298");
        assert_eq!(article("ExCom, September 2004"), "ExCom, September 2004");
        assert_eq!(article("Arts. 2(1) and 3"), "Arts. 2(1) and 3");
    }
}
