//! The syntax tree of one policy file: data only, every node spanned.
//!
//! Names are not resolved here; the checker (`check`) resolves them and lowers
//! the tree to the IR (`ir`).

use crate::source::{Span, Spanned};
use jiff::civil::Date;
use rust_decimal::Decimal;

/// An identifier with its span.
pub type Ident = Spanned<String>;

/// A parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The module name (`kr.resettlement`).
    pub name: String,
    /// Top-level items in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `use states.treaties`
    Use(Ident),
    /// `source rok_act : statute "…"`
    Source(SourceDecl),
    /// `enum Crime { … }`
    Enum(EnumDecl),
    /// `record Person { … }`
    Record(RecordDecl),
    /// `fact age : integer`
    Fact(FactDecl),
    /// `setting option : bool = false`
    Setting(Box<SettingDecl>),
    /// `table parties { … }`
    Table(TableDecl),
    /// `verdict` or `definition`
    Definition(Definition),
    /// `test "…" { … }`
    Test(TestDecl),
}

/// The kind of a citable document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A constitution.
    Constitution,
    /// A statute.
    Statute,
    /// A presidential or enforcement decree.
    Decree,
    /// A treaty.
    Treaty,
    /// Customary international law.
    Custom,
    /// Guidance of a UN body or similar.
    Guidance,
    /// A court decision.
    CaseLaw,
    /// A report or data collection.
    Report,
    /// One of the seed documents.
    Seed,
}

impl SourceKind {
    /// The keyword for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Constitution => "constitution",
            SourceKind::Statute => "statute",
            SourceKind::Decree => "decree",
            SourceKind::Treaty => "treaty",
            SourceKind::Custom => "custom",
            SourceKind::Guidance => "guidance",
            SourceKind::CaseLaw => "case_law",
            SourceKind::Report => "report",
            SourceKind::Seed => "seed",
        }
    }
}

/// `source NAME : KIND "title" [note "…"]`
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDecl {
    /// Short name used in `cite`.
    pub name: Ident,
    /// Kind of document.
    pub kind: SourceKind,
    /// Full title.
    pub title: String,
    /// Optional note.
    pub note: Option<String>,
    /// The whole declaration.
    pub span: Span,
}

/// `enum NAME { a "label", b }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    /// Type name.
    pub name: Ident,
    /// Optional label.
    pub label: Option<String>,
    /// Variants in order.
    pub variants: Vec<Variant>,
    /// The whole declaration.
    pub span: Span,
}

/// One enum variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Variant name.
    pub name: Ident,
    /// Optional human label.
    pub label: Option<String>,
}

/// `record NAME { field : type "label", … }`
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    /// Type name.
    pub name: Ident,
    /// Optional label.
    pub label: Option<String>,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// The whole declaration.
    pub span: Span,
}

/// A record field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Field name.
    pub name: Ident,
    /// Field type.
    pub ty: TypeExpr,
    /// Optional label.
    pub label: Option<String>,
}

/// A written type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// A built-in or declared type name.
    Named(Ident),
    /// `set of E`
    SetOf(Ident),
}

impl TypeExpr {
    /// Where the type was written.
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) | TypeExpr::SetOf(i) => i.span,
        }
    }
}

/// `fact NAME : TYPE "label"`
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    /// Fact name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Optional label.
    pub label: Option<String>,
    /// The whole declaration.
    pub span: Span,
}

/// `setting NAME : TYPE = VALUE "label" clauses…`: a drafter's documented
/// option, with a default a case may override.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingDecl {
    /// Setting name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// The policy's default value.
    pub value: Expr,
    /// Optional label.
    pub label: Option<String>,
    /// Citations, provenance, notes.
    pub clauses: Clauses,
    /// The whole declaration.
    pub span: Span,
}

/// `table NAME { key …; column …; row … }`
#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    /// Table name.
    pub name: Ident,
    /// Optional label.
    pub label: Option<String>,
    /// Key columns, in order.
    pub keys: Vec<(Ident, TypeExpr)>,
    /// Value columns, in order, with labels.
    pub columns: Vec<(Ident, TypeExpr, Option<String>)>,
    /// Rows.
    pub rows: Vec<TableRow>,
    /// The whole declaration.
    pub span: Span,
}

/// `row k1, k2 { col: value } clauses…`
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// Key values, one per key column.
    pub keys: Vec<Expr>,
    /// Cells by column name.
    pub cells: Vec<(Ident, Expr)>,
    /// Citations, provenance, dates, note.
    pub clauses: Clauses,
    /// The whole row.
    pub span: Span,
}

/// `verdict` or `definition`.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// True for `verdict` (reported by `refuge eval`).
    pub is_verdict: bool,
    /// Name.
    pub name: Ident,
    /// Declared type.
    pub ty: TypeExpr,
    /// Optional label.
    pub label: Option<String>,
    /// `default` clauses (the checker allows at most one).
    pub defaults: Vec<DefaultDecl>,
    /// Rules and exceptions in source order.
    pub rules: Vec<Rule>,
    /// The whole declaration.
    pub span: Span,
}

/// `default EXPR clauses…`
#[derive(Clone, Debug, PartialEq)]
pub struct DefaultDecl {
    /// The default value.
    pub value: Expr,
    /// Citations etc.
    pub clauses: Clauses,
    /// The whole clause.
    pub span: Span,
}

/// Whether a rule is a base rule or an exception, and what it does to its targets.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleKind {
    /// `rule NAME`
    Base,
    /// `exception NAME overrides T, …`
    Overrides(Vec<Ident>),
    /// `exception NAME lifts T, …`
    Lifts(Vec<Ident>),
}

/// A rule or exception.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// `absolute rule …`
    pub absolute: bool,
    /// Rule name.
    pub name: Ident,
    /// Base or exception.
    pub kind: RuleKind,
    /// `= VALUE`, if written.
    pub value: Option<Expr>,
    /// Tail clauses.
    pub clauses: Clauses,
    /// The whole rule.
    pub span: Span,
}

/// The tail clauses shared by rules, defaults and table rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clauses {
    /// `when` conditions (the checker allows at most one).
    pub when: Vec<Expr>,
    /// `cite SOURCE PINPOINT`.
    pub cites: Vec<Cite>,
    /// `provenance KIND` (at most one).
    pub provenance: Vec<Spanned<Provenance>>,
    /// `from DATE`.
    pub from: Vec<Spanned<Date>>,
    /// `until DATE`.
    pub until: Vec<Spanned<Date>>,
    /// `may "permits" by "holder"`.
    pub may: Vec<Spanned<May>>,
    /// `qualified by R, …`.
    pub qualified_by: Vec<Vec<Ident>>,
    /// `note "…"`.
    pub notes: Vec<Spanned<String>>,
    /// `accept KIND [with R, …] "reason"` (rules only).
    pub accepts: Vec<Accept>,
}

/// `accept KIND [with RULE, …] "reason"`: a finding of the static analysis
/// the drafters accept.
#[derive(Clone, Debug, PartialEq)]
pub struct Accept {
    /// What is accepted.
    pub kind: crate::ir::AcceptKind,
    /// The other rules of an overlap or window.
    pub with: Vec<Ident>,
    /// The drafters' reason.
    pub reason: String,
    /// The whole clause.
    pub span: Span,
}

/// `cite SOURCE PINPOINT`: `cite rok_act art 9(1) item 4 "deleted"`, or a
/// reference string alone, `cite court "Gong 2009 sang, 298"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    /// The cited source's name.
    pub source: Ident,
    /// The parts of the pinpoint (at least one), spanning all of them.
    pub pinpoint: Spanned<Vec<PinPart>>,
}

/// One part of a pinpoint: locators and an optional remark; or a reference
/// string (no locators) and an optional remark.
#[derive(Clone, Debug, PartialEq)]
pub struct PinPart {
    /// A reference in the source's own system, `"Gong 2009 sang, 298"`.
    pub reference: Option<Spanned<String>>,
    /// `art 9(1)`, `item 5`, `line 35..39`, in the order written.
    pub locators: Vec<Locator>,
    /// The quoted remark.
    pub remark: Option<Spanned<String>>,
    /// The whole part.
    pub span: Span,
}

/// What a locator names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocatorKind {
    /// `art N`
    Article,
    /// `para N` (of a document numbered by paragraphs)
    Paragraph,
    /// `item N`
    Item,
    /// `section "…"`
    Section,
    /// `footnote N`
    Footnote,
    /// `line N`
    Line,
}

impl LocatorKind {
    /// The keyword, as written.
    pub fn keyword(self) -> &'static str {
        match self {
            LocatorKind::Article => "art",
            LocatorKind::Paragraph => "para",
            LocatorKind::Item => "item",
            LocatorKind::Section => "section",
            LocatorKind::Footnote => "footnote",
            LocatorKind::Line => "line",
        }
    }
}

/// `art 9(1)`, `art 7..9`, `line 35..39`, `section "South Korean Policy"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Locator {
    /// Which locator.
    pub kind: LocatorKind,
    /// The number (or a section's name).
    pub from: Spanned<String>,
    /// The end of a range, `..to`.
    pub to: Option<Spanned<String>>,
    /// An article's paragraph, `(1)` or `(1..2)`.
    pub paragraph: Option<(Spanned<String>, Option<Spanned<String>>)>,
    /// The whole locator.
    pub span: Span,
}

/// `may "what it permits" by "holder"`
#[derive(Clone, Debug, PartialEq)]
pub struct May {
    /// What the discretion permits.
    pub permits: String,
    /// Who holds it.
    pub holder: String,
}

/// How firm a rule is (the legal digest's provenance tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Stated in a seed document (\[S1\]–\[S3\]).
    Seed,
    /// Treaty or statute text (\[T\]).
    Text,
    /// Current law found in published material (\[W\]).
    Published,
    /// Unverified background (\[X\]).
    Unverified,
    /// A drafter's reading (\[R\]).
    Reading,
}

impl Provenance {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Seed => "seed",
            Provenance::Text => "text",
            Provenance::Published => "published",
            Provenance::Unverified => "unverified",
            Provenance::Reading => "reading",
        }
    }
    /// What the tag means, for readers.
    pub fn describe(self) -> &'static str {
        match self {
            Provenance::Seed => "stated in a seed document",
            Provenance::Text => "treaty or statute text",
            Provenance::Published => "current law found in published material",
            Provenance::Unverified => "unverified background",
            Provenance::Reading => "a drafter's reading",
        }
    }
}

/// `test "name" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    /// The test's name.
    pub name: Spanned<String>,
    /// `as_of DATE`.
    pub as_of: Option<Spanned<Date>>,
    /// `given path = value`.
    pub given: Vec<(Spanned<Vec<String>>, Expr)>,
    /// `exercise rule = bool`.
    pub exercise: Vec<(Ident, Expr)>,
    /// `expect def = value | undetermined`.
    pub expect: Vec<(Ident, Option<Expr>)>,
    /// The whole test.
    pub span: Span,
}

/// A spanned expression.
pub type Expr = Spanned<ExprKind>;

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `true` / `false`
    Bool(bool),
    /// `42`
    Integer(i64),
    /// `0.5`, `50%`
    Decimal(Decimal),
    /// `KRW 1_000`
    Money(Decimal, String),
    /// `2002-06-03`
    Date(Date),
    /// `10 years`
    Duration(i64, DurationUnit),
    /// `"text"`
    Text(String),
    /// `a`, `person.age`, `Crime.murder`
    Path(Vec<Ident>),
    /// `as_of`
    AsOf,
    /// `{a, b}`
    Set(Vec<Expr>),
    /// Prefix operator.
    Unary(UnaryOp, Box<Expr>),
    /// Infix operator.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Ident, Vec<Expr>),
    /// `T[keys].column` (column `None`: the row itself, only valid under `exists`)
    Lookup(Ident, Vec<Expr>, Option<Ident>),
    /// `exists T[keys]`
    Exists(Ident, Vec<Expr>),
}

/// Units of a duration literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    /// days
    Days,
    /// weeks (7 days)
    Weeks,
    /// months
    Months,
    /// years (12 months)
    Years,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `in`
    In,
    /// `contains`
    Contains,
    /// `has any`
    HasAny,
    /// `has all`
    HasAll,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Contains => "contains",
            BinaryOp::HasAny => "has any",
            BinaryOp::HasAll => "has all",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}
