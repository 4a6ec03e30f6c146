//! Errors and warnings of the checker.
//!
//! Every variant has a stable code (`refuge::check::…`), a label at the span
//! and a help line; `docs/errors.md` lists each with a triggering policy.

use crate::source::Span;
use miette::Diagnostic;
use thiserror::Error;

pub use crate::diagnostic::Related;

/// A policy error found before any case runs.
#[derive(Debug, Error, Diagnostic, Clone)]
#[non_exhaustive]
pub enum CheckError {
    /// A name that is declared nowhere.
    #[error("unknown {kind} `{name}`")]
    #[diagnostic(code(refuge::check::unknown_name))]
    UnknownName {
        /// What kind of name was expected.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where.
        #[label("unknown {kind}")]
        span: Span,
        /// Suggestion or advice.
        #[help]
        help: Option<String>,
    },

    /// A name declared in a module this file does not `use`.
    #[error("`{name}` is declared in module `{module}`, which this file does not use")]
    #[diagnostic(
        code(refuge::check::not_in_scope),
        help("add `use {module}` at the top of this file")
    )]
    NotInScope {
        /// The name.
        name: String,
        /// Its module.
        module: String,
        /// Where.
        #[label("not in scope here")]
        span: Span,
    },

    /// `use` of a module that does not exist.
    #[error("unknown module `{name}`")]
    #[diagnostic(code(refuge::check::unknown_module))]
    UnknownModule {
        /// The module.
        name: String,
        /// Where.
        #[label("no policy file has this module name")]
        span: Span,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// Two declarations with one name.
    #[error("`{name}` is declared twice")]
    #[diagnostic(code(refuge::check::duplicate_name))]
    DuplicateName {
        /// The name.
        name: String,
        /// How to fix it.
        #[help]
        help: String,
        /// The second declaration.
        #[label("declared again here")]
        span: Span,
        /// The first.
        #[related]
        first: Vec<Related>,
    },

    /// A clause given twice where one is allowed.
    #[error("`{clause}` is given twice")]
    #[diagnostic(code(refuge::check::duplicate_clause))]
    DuplicateClause {
        /// The clause keyword.
        clause: &'static str,
        /// The second occurrence.
        #[label("second `{clause}`")]
        span: Span,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A clause where it has no meaning.
    #[error("`{clause}` is not allowed on {on}")]
    #[diagnostic(code(refuge::check::misplaced_clause))]
    MisplacedClause {
        /// The clause keyword.
        clause: &'static str,
        /// Where it was written (e.g. "a default").
        on: &'static str,
        /// Where.
        #[label("not allowed here")]
        span: Span,
        /// Why.
        #[help]
        help: String,
    },

    /// A value of the wrong type.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(refuge::check::type_mismatch))]
    TypeMismatch {
        /// Expected type.
        expected: String,
        /// Found type.
        found: String,
        /// Where.
        #[label("this is {found}")]
        span: Span,
        /// Advice.
        #[help]
        help: Option<String>,
    },

    /// An operator applied to types it does not take.
    #[error("`{op}` cannot be applied to {left} and {right}")]
    #[diagnostic(code(refuge::check::bad_operands))]
    BadOperands {
        /// The operator.
        op: &'static str,
        /// Left type.
        left: String,
        /// Right type.
        right: String,
        /// Where.
        #[label("{left} {op} {right}")]
        span: Span,
        /// Advice.
        #[help]
        help: Option<String>,
    },

    /// A wrong number of arguments.
    #[error("`{name}` takes {expected}, found {found}")]
    #[diagnostic(code(refuge::check::arity))]
    Arity {
        /// The function or table.
        name: String,
        /// What it takes.
        expected: String,
        /// How many were given.
        found: usize,
        /// Where.
        #[label("{found} given here")]
        span: Span,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A set literal whose element type cannot be known.
    #[error("cannot tell which enum this empty set belongs to")]
    #[diagnostic(
        code(refuge::check::unknown_set_type),
        help("compare it with a fact or definition of a `set of` type, or name a value inside it")
    )]
    UnknownSetType {
        /// Where.
        #[label("empty set")]
        span: Span,
    },

    /// A variant name that belongs to several enums.
    #[error("`{name}` is a value of several enums: {enums}")]
    #[diagnostic(
        code(refuge::check::ambiguous_variant),
        help("qualify it, for example `{example}`")
    )]
    AmbiguousVariant {
        /// The variant.
        name: String,
        /// The enums.
        enums: String,
        /// A qualified form.
        example: String,
        /// Where.
        #[label("ambiguous")]
        span: Span,
    },

    /// A record fact used as a whole.
    #[error("record fact `{name}` cannot be used as a value")]
    #[diagnostic(code(refuge::check::record_value))]
    RecordValue {
        /// The fact.
        name: String,
        /// Where.
        #[label("a record")]
        span: Span,
        /// Fields.
        #[help]
        help: String,
    },

    /// Definitions that depend on each other.
    #[error("definitions depend on each other in a cycle: {path}")]
    #[diagnostic(
        code(refuge::check::cycle),
        help("a definition may not depend on itself, directly or through others: break the cycle with a fact")
    )]
    Cycle {
        /// `a → b → a`.
        path: String,
        /// The first edge.
        #[label("`{first}` reads `{second}` here")]
        span: Span,
        /// Source of the first edge.
        first: String,
        /// Target of the first edge.
        second: String,
        /// The other edges.
        #[related]
        edges: Vec<Related>,
    },

    /// An exception aimed at a rule that does not exist in its definition.
    #[error("exception `{exception}` targets unknown rule `{target}`")]
    #[diagnostic(code(refuge::check::unknown_target))]
    UnknownTarget {
        /// The exception.
        exception: String,
        /// The target.
        target: String,
        /// Where.
        #[label("no rule of this definition has this name")]
        span: Span,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// An exception aimed at an absolute rule.
    #[error("`{target}` is absolute and admits no exception")]
    #[diagnostic(
        code(refuge::check::exception_to_absolute),
        help("an absolute prohibition has no exception in law: remove the exception, or remove `absolute` if the source names exceptions")
    )]
    ExceptionToAbsolute {
        /// The absolute rule.
        target: String,
        /// The exception's target reference.
        #[label("targets an absolute rule")]
        span: Span,
        /// The absolute rule.
        #[related]
        rule: Vec<Related>,
    },

    /// An exception not among those a qualified rule names.
    #[error("`{target}` is qualified by {allowed} only: `{exception}` is not one of them")]
    #[diagnostic(
        code(refuge::check::exception_not_qualified),
        help("a qualified rule takes only the exceptions the law names: add `{exception}` to its `qualified by` list if the source names it")
    )]
    NotQualified {
        /// The rule.
        target: String,
        /// The allowed list.
        allowed: String,
        /// The exception.
        exception: String,
        /// Where.
        #[label("not a named exception of `{target}`")]
        span: Span,
    },

    /// Exceptions that target each other.
    #[error("exceptions target each other in a cycle: {path}")]
    #[diagnostic(
        code(refuge::check::exception_cycle),
        help("an exception must outrank the rules it targets: remove one of the targets")
    )]
    ExceptionCycle {
        /// The cycle.
        path: String,
        /// Where.
        #[label("part of the cycle")]
        span: Span,
    },

    /// A rule with no citation.
    #[error("{what} `{name}` cites no source")]
    #[diagnostic(
        code(refuge::check::missing_citation),
        help("every rule names the law it comes from: add `cite SOURCE art …`")
    )]
    MissingCitation {
        /// "rule", "default" or "row".
        what: &'static str,
        /// Its name.
        name: String,
        /// Where.
        #[label("no `cite` clause")]
        span: Span,
    },

    /// A rule that gives no value in a non-bool definition.
    #[error("rule `{name}` gives no value")]
    #[diagnostic(code(refuge::check::missing_value), help("write `= VALUE` after the rule's name; only `bool` definitions may leave it out (it means `= true`)"))]
    MissingValue {
        /// The rule.
        name: String,
        /// Where.
        #[label("a rule of a `{ty}` definition must give a value")]
        span: Span,
        /// The definition's type.
        ty: String,
    },

    /// `lifts` with a value.
    #[error("exception `{name}` lifts its targets and cannot give a value")]
    #[diagnostic(
        code(refuge::check::lifts_with_value),
        help("use `overrides` to give a value in place of the targets, or remove `= …`")
    )]
    LiftsWithValue {
        /// The exception.
        name: String,
        /// Where.
        #[label("value given here")]
        span: Span,
    },

    /// A table row that does not match its table.
    #[error("{message}")]
    #[diagnostic(code(refuge::check::bad_row))]
    BadRow {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("in this row")]
        span: Span,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A constant expression was needed.
    #[error("{what} must be a constant")]
    #[diagnostic(
        code(refuge::check::not_constant),
        help("write a literal value here: facts and definitions are not known until a case runs")
    )]
    NotConstant {
        /// What needed it.
        what: &'static str,
        /// Where.
        #[label("not a constant")]
        span: Span,
    },

    /// An enum too large for a set.
    #[error("enum `{name}` has {count} values: sets hold enums of at most 128")]
    #[diagnostic(code(refuge::check::enum_too_large), help("split the enum"))]
    EnumTooLarge {
        /// The enum.
        name: String,
        /// How many variants.
        count: usize,
        /// Where.
        #[label("too many values")]
        span: Span,
    },

    /// One part of a pinpoint names the same locator twice.
    #[error("one part of the pinpoint gives {what} twice")]
    #[diagnostic(
        code(refuge::check::pinpoint_locator_twice),
        help("a part names one place; to cite two, separate them with a comma: `art 2(1), art 3`")
    )]
    PinpointLocatorTwice {
        /// "an article", "a paragraph", …
        what: &'static str,
        /// The second one.
        #[label("{what} again")]
        span: Span,
    },

    /// A range in a pinpoint that runs backwards.
    #[error("the range `{from}..{to}` runs backwards")]
    #[diagnostic(
        code(refuge::check::pinpoint_range_backwards),
        help("write the lower number first: `{to}..{from}`")
    )]
    PinpointRangeBackwards {
        /// Start as written.
        from: String,
        /// End as written.
        to: String,
        /// The locator.
        #[label("ends before it starts")]
        span: Span,
    },

    /// `item N` with nothing it is an item of.
    #[error("`item {item}` does not say what it is an item of")]
    #[diagnostic(
        code(refuge::check::pinpoint_item_alone),
        help("name the article, paragraph or section first: `art 9(1) item {item}`")
    )]
    PinpointItemAlone {
        /// The item number.
        item: String,
        /// Where.
        #[label("an item of what?")]
        span: Span,
    },

    /// A line, footnote or article number that is not one.
    #[error("`{text}` is not {what}")]
    #[diagnostic(code(refuge::check::pinpoint_bad_number), help("{help}"))]
    PinpointBadNumber {
        /// What was written.
        text: String,
        /// "a line number", "an article number", …
        what: &'static str,
        /// What to write instead.
        help: &'static str,
        /// Where.
        #[label("not {what}")]
        span: Span,
    },

    /// A test that refers to something that cannot be tested.
    #[error("{message}")]
    #[diagnostic(code(refuge::check::bad_test))]
    BadTest {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },

    /// `accept` on a default, a table row or a setting.
    ///
    /// ```text
    /// default false cite act art 8 accept gap "no"
    /// ```
    #[error("`accept` is written on a rule, not on a {what}")]
    #[diagnostic(
        code(refuge::check::misplaced_accept),
        help("move the clause to a rule of the definition the finding is about")
    )]
    MisplacedAccept {
        /// Where it was written.
        what: &'static str,
        /// Where.
        #[label("not a rule")]
        span: Span,
    },

    /// An `accept` that names no finding the analysis could make.
    ///
    /// ```text
    /// rule a when x cite act art 1 accept overlap "no other rule named"
    /// ```
    #[error("{message}")]
    #[diagnostic(code(refuge::check::bad_accept))]
    BadAccept {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
}

impl CheckError {
    /// The related locations, to attach their files' text when rendering.
    pub fn related_mut(&mut self) -> &mut [Related] {
        match self {
            CheckError::DuplicateName { first, .. } => first,
            CheckError::Cycle { edges, .. } => edges,
            CheckError::ExceptionToAbsolute { rule, .. } => rule,
            _ => &mut [],
        }
    }

    /// The primary span (used to pick the file to show).
    pub fn span(&self) -> Span {
        match self {
            CheckError::UnknownName { span, .. }
            | CheckError::NotInScope { span, .. }
            | CheckError::UnknownModule { span, .. }
            | CheckError::DuplicateName { span, .. }
            | CheckError::DuplicateClause { span, .. }
            | CheckError::MisplacedClause { span, .. }
            | CheckError::TypeMismatch { span, .. }
            | CheckError::BadOperands { span, .. }
            | CheckError::Arity { span, .. }
            | CheckError::UnknownSetType { span }
            | CheckError::AmbiguousVariant { span, .. }
            | CheckError::RecordValue { span, .. }
            | CheckError::Cycle { span, .. }
            | CheckError::UnknownTarget { span, .. }
            | CheckError::ExceptionToAbsolute { span, .. }
            | CheckError::NotQualified { span, .. }
            | CheckError::ExceptionCycle { span, .. }
            | CheckError::MissingCitation { span, .. }
            | CheckError::MissingValue { span, .. }
            | CheckError::LiftsWithValue { span, .. }
            | CheckError::BadRow { span, .. }
            | CheckError::NotConstant { span, .. }
            | CheckError::EnumTooLarge { span, .. }
            | CheckError::PinpointLocatorTwice { span, .. }
            | CheckError::PinpointRangeBackwards { span, .. }
            | CheckError::PinpointItemAlone { span, .. }
            | CheckError::PinpointBadNumber { span, .. }
            | CheckError::BadTest { span, .. }
            | CheckError::MisplacedAccept { span, .. }
            | CheckError::BadAccept { span, .. } => *span,
        }
    }
}

/// A warning: the policy runs, but something is probably a mistake.
#[derive(Debug, Error, Diagnostic, Clone)]
#[non_exhaustive]
pub enum Warning {
    /// A fact no rule reads.
    #[error("fact `{name}` is never read")]
    #[diagnostic(
        code(refuge::lint::unused_fact),
        severity(Warning),
        help("remove it, or use it in a rule's condition or value")
    )]
    UnusedFact {
        /// The fact.
        name: String,
        /// Where.
        #[label("declared here")]
        span: Span,
    },

    /// A definition (not a verdict) nothing reads.
    #[error("definition `{name}` is never used")]
    #[diagnostic(
        code(refuge::lint::unused_definition),
        severity(Warning),
        help("read it from a rule, or declare it as a `verdict` so `refuge eval` reports it")
    )]
    UnusedDefinition {
        /// The definition.
        name: String,
        /// Where.
        #[label("declared here")]
        span: Span,
    },

    /// A rule that can never apply.
    #[error("rule `{name}` can never apply: {reason}")]
    #[diagnostic(code(refuge::lint::never_applies), severity(Warning))]
    NeverApplies {
        /// The rule.
        name: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("never applies")]
        span: Span,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A rule without provenance.
    #[error("{what} `{name}` does not say how firm it is")]
    #[diagnostic(
        code(refuge::lint::missing_provenance),
        severity(Warning),
        help("add `provenance seed|text|published|unverified|reading`: readers see it in every explanation")
    )]
    MissingProvenance {
        /// "rule", "default" or "row".
        what: &'static str,
        /// The rule.
        name: String,
        /// Where.
        #[label("no `provenance`")]
        span: Span,
    },

    /// A source nothing cites.
    #[error("source `{name}` is never cited")]
    #[diagnostic(
        code(refuge::lint::unused_source),
        severity(Warning),
        help("cite it from a rule or remove it")
    )]
    UnusedSource {
        /// The source.
        name: String,
        /// Where.
        #[label("declared here")]
        span: Span,
    },
}

impl Warning {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            Warning::UnusedFact { span, .. }
            | Warning::UnusedDefinition { span, .. }
            | Warning::NeverApplies { span, .. }
            | Warning::MissingProvenance { span, .. }
            | Warning::UnusedSource { span, .. } => *span,
        }
    }
}
