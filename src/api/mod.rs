//! The stable library API: compile a policy set once, build cases, evaluate
//! them, read the outcomes and explanations.
//!
//! ```
//! use refuge::{Policy, CaseFormat};
//!
//! let policy = Policy::builtin()?;                      // compile once
//! let mut case = policy.case();                         // fact by fact…
//! case.set("defector.nk_ties", true)?
//!     .set("defector.foreign_nationality_after_exit", false)?
//!     .set("defector.expressed_intent", true)?
//!     .set("defector.kept_prior_foreign_nationality", false)?
//!     .set("defector.application", "overseas_mission")?   // an enum value by name
//!     .as_of("2003-01-15")?
//!     .ask("rok_covered")?;
//! let evaluation = policy.evaluate(&case)?;
//! let covered = evaluation.outcome("rok_covered").expect("asked for");
//! assert_eq!(covered.value().and_then(|v| v.as_bool()), Some(true));
//! assert_eq!(covered.decided_by(), ["rok_art2_3_covered"]);
//! assert!(covered.law().iter().any(|c| c.source == "rok_act" && c.pinpoint.starts_with("Art. 2(1); Art. 3")));
//!
//! // …or from a case file's text (JSON, YAML or TOML).
//! let text = r#"{"as_of": "2003-01-15", "facts": {"defector": {"application": "overseas_mission"}}}"#;
//! let case = policy.parse_case(text, CaseFormat::Json)?;
//! let memo = policy.evaluate(&case)?.to_markdown();
//! assert!(memo.contains("rok_application_route"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A [`Policy`] is cheap to clone and can be shared between threads; a
//! [`Case`] belongs to the policy it was built for. Nothing here exposes the
//! compiler's internal types: values are [`Value`], names are the newtypes of
//! [`id`], errors those of [`err`], each carrying the CLI's diagnostics.

pub mod err;
pub mod id;

use crate::case::CaseFormat as InnerFormat;
use crate::compile::{compile, render_all, ErrorFormat};
use crate::eval::{Engine, Options, Scratch};
use crate::ir::{DefId, FactId, Program, Type};
use crate::source::SourceMap;
use err::{CaseError, Diagnostic, EvalError, FileErrors, PolicyError, Report};
use id::{FactPath, RuleName, VerdictName};
use std::path::Path;
use std::sync::Arc;

/// The syntax of a case file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// TOML.
    Toml,
}

impl CaseFormat {
    fn inner(self) -> InnerFormat {
        match self {
            CaseFormat::Json => InnerFormat::Json,
            CaseFormat::Yaml => InnerFormat::Yaml,
            CaseFormat::Toml => InnerFormat::Toml,
        }
    }

    /// The format a file name's extension names (`.json`, `.yaml`, `.yml`,
    /// `.toml`).
    pub fn from_path(path: impl AsRef<Path>) -> Option<CaseFormat> {
        match InnerFormat::from_path(path.as_ref())? {
            InnerFormat::Json => Some(CaseFormat::Json),
            InnerFormat::Yaml => Some(CaseFormat::Yaml),
            InnerFormat::Toml => Some(CaseFormat::Toml),
        }
    }
}

/// A compiled policy set, ready to evaluate any number of cases.
#[derive(Clone, Debug)]
pub struct Policy {
    inner: Arc<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    program: Program,
    sources: SourceMap,
    warnings: Vec<Diagnostic>,
    /// A case with every setting at its default, copied by [`Policy::case`].
    blank: crate::case::Case,
    /// The program lowered for evaluation, once, on the first evaluator;
    /// every later evaluator shares it.
    plan: std::sync::OnceLock<Arc<crate::eval::plan::Plan>>,
    /// The case schema indexed for reading plain valid JSON straight into
    /// a case (anything else goes through the spanned loader).
    schema: std::sync::OnceLock<crate::case::Schema>,
}

impl Policy {
    /// The policies built into refuge (`policies/`).
    pub fn builtin() -> Result<Policy, PolicyError> {
        Policy::from_source_map(SourceMap::builtin())
    }

    /// A `.policy` file, or every `.policy` file below a directory.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        match SourceMap::from_path(path.as_ref()) {
            Ok(sources) => Policy::from_source_map(sources),
            Err(e) => Err(PolicyError {
                report: Report::of(&e),
                errors: 1,
            }),
        }
    }

    /// Policy files given as (name, text) pairs; the name gives the module
    /// (`kr/act.policy`).
    pub fn from_sources<N, T>(
        files: impl IntoIterator<Item = (N, T)>,
    ) -> Result<Policy, PolicyError>
    where
        N: Into<String>,
        T: Into<String>,
    {
        let mut sources = SourceMap::new();
        for (name, text) in files {
            sources.add(name, text);
        }
        Policy::from_source_map(sources)
    }

    fn from_source_map(sources: SourceMap) -> Result<Policy, PolicyError> {
        match compile(&sources) {
            Ok(compiled) => {
                let json = render_all(&sources, &[], &[], &compiled.warnings, ErrorFormat::Json);
                let warnings = Report::new(&json, String::new()).diagnostics;
                let blank = crate::case::Case::new(&compiled.program);
                Ok(Policy {
                    inner: Arc::new(Compiled {
                        program: compiled.program,
                        sources,
                        warnings,
                        blank,
                        plan: std::sync::OnceLock::new(),
                        schema: std::sync::OnceLock::new(),
                    }),
                })
            }
            Err(diagnostics) => Err(PolicyError {
                report: Report::new(
                    &diagnostics.render(&sources, ErrorFormat::Json),
                    diagnostics.render(&sources, ErrorFormat::Plain),
                ),
                errors: diagnostics.error_count(),
            }),
        }
    }

    fn program(&self) -> &Program {
        &self.inner.program
    }

    /// The digest of the policy text (as in every JSON evaluation's `program`).
    pub fn digest(&self) -> &str {
        &self.program().digest
    }

    /// The checker's warnings (the policy set is usable).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.inner.warnings
    }

    /// The verdicts, in declaration order.
    pub fn verdicts(&self) -> Vec<Verdict> {
        self.program()
            .verdicts()
            .filter_map(|d| self.verdict_by_id(d))
            .collect()
    }

    /// A verdict (or any definition) by name, with its type.
    pub fn verdict(&self, name: &str) -> Result<Verdict, CaseError> {
        let id = self.verdict_id(name)?;
        self.verdict_by_id(id)
            .ok_or_else(|| CaseError::UnknownVerdict {
                name: name.to_owned(),
                suggestion: None,
            })
    }

    fn verdict_by_id(&self, id: DefId) -> Option<Verdict> {
        let p = self.program();
        let info = p.definitions.get(id.index())?;
        let variants = variants_of(p, info.ty);
        Some(Verdict {
            id,
            name: VerdictName::from(info.name.as_str()),
            kind: Kind::of(info.ty),
            type_name: p.type_name(info.ty),
            label: info.label.clone(),
            variants,
        })
    }

    /// Every fact and setting a case may give, in declaration order.
    pub fn facts(&self) -> Vec<Fact> {
        (0..self.program().facts.len())
            .filter_map(|i| u32::try_from(i).ok())
            .filter_map(|i| self.fact_by_id(FactId(i)))
            .collect()
    }

    fn fact_by_id(&self, id: FactId) -> Option<Fact> {
        let p = self.program();
        let info = p.facts.get(id.index())?;
        let variants = variants_of(p, info.ty);
        Some(Fact {
            id,
            path: FactPath::from(info.path.as_str()),
            kind: Kind::of(info.ty),
            type_name: p.type_name(info.ty),
            label: info.label.clone(),
            setting: info.setting.is_some(),
            variants,
        })
    }

    /// A fact or setting by dotted path, with its type.
    pub fn fact(&self, path: &str) -> Result<Fact, CaseError> {
        let p = self.program();
        let found = p
            .facts
            .iter()
            .position(|f| f.path == path)
            .and_then(|i| u32::try_from(i).ok());
        match found.and_then(|i| self.fact_by_id(FactId(i))) {
            Some(fact) => Ok(fact),
            None => Err(CaseError::UnknownFact {
                path: path.to_owned(),
                suggestion: crate::suggest::did_you_mean(
                    path,
                    p.facts.iter().map(|f| f.path.as_str()),
                ),
            }),
        }
    }

    /// An empty case: every fact missing, every setting at its default.
    pub fn case(&self) -> Case {
        Case {
            policy: self.clone(),
            inner: self.inner.blank.clone(),
        }
    }

    fn schema(&self) -> &crate::case::Schema {
        let program = self.program();
        self.inner
            .schema
            .get_or_init(|| crate::case::Schema::new(program))
    }

    /// A case from a case file's text; errors are the CLI's diagnostics.
    pub fn parse_case(&self, text: &str, format: CaseFormat) -> Result<Case, CaseError> {
        self.parse_case_named("<case>", text, format)
    }

    /// Like [`Policy::parse_case`], naming the text in diagnostics.
    pub fn parse_case_named(
        &self,
        name: &str,
        text: &str,
        format: CaseFormat,
    ) -> Result<Case, CaseError> {
        if format.inner() == crate::case::CaseFormat::Json {
            if let Some(inner) = self.schema().load_json(self.program(), text) {
                return Ok(Case {
                    policy: self.clone(),
                    inner,
                });
            }
        }
        match crate::case::load_case(self.program(), name, text, format.inner()) {
            Ok(inner) => Ok(Case {
                policy: self.clone(),
                inner,
            }),
            Err(errors) => Err(CaseError::File(Box::new(FileErrors {
                report: Report::of(&errors),
            }))),
        }
    }

    /// A case from a JSON value shaped like a case file.
    pub fn case_from_json(&self, value: &serde_json::Value) -> Result<Case, CaseError> {
        if let Some(inner) = self.schema().load_value(self.program(), value) {
            return Ok(Case {
                policy: self.clone(),
                inner,
            });
        }
        // The spanned loader says what is wrong, at a line of the value
        // written out.
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        self.parse_case(&text, CaseFormat::Json)
    }

    /// The JSON Schema (2020-12) of case files for this policy set.
    pub fn case_schema(&self) -> serde_json::Value {
        crate::schema::case_schema(self.program())
    }

    /// An evaluator: lowers the program once, then evaluates many cases
    /// (reusing its working memory for [`Evaluator::outcomes`]).
    pub fn evaluator(&self) -> Evaluator<'_> {
        let program = self.program();
        let plan = self
            .inner
            .plan
            .get_or_init(|| Arc::new(crate::eval::plan::Plan::new(program)));
        Evaluator {
            policy: self,
            engine: Engine::with_plan(program, Arc::clone(plan)),
            options: Options::default(),
            scratch: Scratch::new(),
            out: Vec::new(),
        }
    }

    /// Evaluates one case, with its explanations. (For many cases, keep one
    /// [`Policy::evaluator`].)
    pub fn evaluate<'c>(&'c self, case: &'c Case) -> Result<Evaluation<'c>, EvalError> {
        self.evaluator().evaluate(case)
    }

    /// The outcomes of each case (no explanations), in order.
    pub fn evaluate_all(&self, cases: &[Case]) -> Vec<Result<Outcomes<'_>, EvalError>> {
        let mut evaluator = self.evaluator();
        cases.iter().map(|c| evaluator.outcomes(c)).collect()
    }

    fn eval_error(&self, mut error: crate::eval::EvalError) -> EvalError {
        let sources = &self.inner.sources;
        if let crate::eval::EvalError::Conflict(c) = &mut error {
            for related in &mut c.other {
                related.src = Some(sources.named_source(related.span.file));
            }
        }
        let file = error.span().map(|s| s.file).unwrap_or_default();
        let report = sources.report(file, error);
        EvalError {
            report: Report::new(
                &crate::compile::render_diagnostic(report.as_ref(), ErrorFormat::Json),
                crate::compile::render_diagnostic(report.as_ref(), ErrorFormat::Plain),
            ),
        }
    }

    fn verdict_id(&self, name: &str) -> Result<DefId, CaseError> {
        let p = self.program();
        p.definition(name).ok_or_else(|| CaseError::UnknownVerdict {
            name: name.to_owned(),
            suggestion: crate::suggest::did_you_mean(
                name,
                p.definitions.iter().map(|d| d.name.as_str()),
            ),
        })
    }
}

/// The kind of value a fact holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// An exact decimal (written as a number or a string).
    Decimal,
    /// Money: `"KRW 36000000"`.
    Money,
    /// A date: `"2003-01-15"`.
    Date,
    /// A duration: `"10 years"`.
    Duration,
    /// Text.
    Text,
    /// One variant of an enum, by name.
    Enum,
    /// A set of variants of an enum, by name.
    Set,
}

impl Kind {
    fn of(ty: Type) -> Kind {
        match ty {
            Type::Bool => Kind::Bool,
            Type::Integer => Kind::Integer,
            Type::Decimal => Kind::Decimal,
            Type::Money => Kind::Money,
            Type::Date => Kind::Date,
            Type::Duration => Kind::Duration,
            Type::Text => Kind::Text,
            Type::Enum(_) => Kind::Enum,
            Type::Set(_) | Type::Record(_) => Kind::Set,
        }
    }
}

/// A fact or setting of a policy set: its path, type and label.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    id: FactId,
    path: FactPath,
    kind: Kind,
    type_name: String,
    label: Option<String>,
    setting: bool,
    variants: Vec<String>,
}

impl Fact {
    /// The dotted path.
    pub fn path(&self) -> &FactPath {
        &self.path
    }
    /// The kind of value.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// The type's name as the policy writes it (`bool`, `RokApplication`, `set of Crime`).
    pub fn type_name(&self) -> &str {
        &self.type_name
    }
    /// The label, if the policy gives one.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }
    /// Whether it is a setting (a drafter's option with a default).
    pub fn is_setting(&self) -> bool {
        self.setting
    }
    /// For an enum or a set: the variant names, in declaration order.
    pub fn variants(&self) -> &[String] {
        &self.variants
    }
}

/// A verdict (or other definition) of a policy set: its name, type and label.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    id: DefId,
    name: VerdictName,
    kind: Kind,
    type_name: String,
    label: Option<String>,
    variants: Vec<String>,
}

impl Verdict {
    /// The name.
    pub fn name(&self) -> &VerdictName {
        &self.name
    }
    /// The kind of value.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// The type's name as the policy writes it.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }
    /// The label, if the policy gives one.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }
    /// For an enum or a set: the variant names, in declaration order.
    pub fn variants(&self) -> &[String] {
        &self.variants
    }
}

/// The facts of one case, for one policy set.
#[derive(Clone, Debug)]
pub struct Case {
    policy: Policy,
    inner: crate::case::Case,
}

impl Case {
    /// Sets a fact or setting by dotted path; the value is written as in a
    /// case file (an enum value by name, money as `"KRW 100"`, a set as a
    /// list of names). `null` leaves it missing.
    pub fn set(
        &mut self,
        path: &str,
        value: impl Into<serde_json::Value>,
    ) -> Result<&mut Case, CaseError> {
        let fact = self.policy.fact(path)?;
        self.set_fact(&fact, value.into())?;
        Ok(self)
    }

    /// Sets a fact already looked up ([`Policy::fact`]): the fast way to set
    /// the same facts in many cases.
    pub fn set_fact(&mut self, fact: &Fact, value: serde_json::Value) -> Result<(), CaseError> {
        use serde_json::Value as J;
        let p = &self.policy.inner.program;
        let path = fact.path.as_str();
        let Some(info) = p.facts.get(fact.id.index()) else {
            return Err(CaseError::UnknownFact {
                path: path.to_owned(),
                suggestion: None,
            });
        };
        let wrong = |found: &J| CaseError::WrongType {
            path: path.to_owned(),
            expected: fact.type_name.clone(),
            found: found.to_string(),
        };
        let variant = |e: crate::ir::EnumId, name: &J| -> Result<u32, CaseError> {
            let J::String(name) = name else {
                return Err(wrong(name));
            };
            fact.variants
                .iter()
                .position(|v| v == name)
                .and_then(|i| u32::try_from(i).ok())
                .filter(|_| p.enums.get(e.index()).is_some())
                .ok_or_else(|| CaseError::UnknownVariant {
                    path: path.to_owned(),
                    value: name.clone(),
                    variants: fact.variants.clone(),
                })
        };
        use crate::value::Value as V;
        let typed = match (info.ty, &value) {
            (_, J::Null) => {
                if let Some(slot) = self.inner.facts.get_mut(fact.id.index()) {
                    *slot = info.setting.as_ref().map(|s| s.default.clone());
                }
                return Ok(());
            }
            (Type::Bool, J::Bool(b)) => V::Bool(*b),
            (Type::Integer, J::Number(n)) => V::Integer(n.as_i64().ok_or_else(|| wrong(&value))?),
            (Type::Text, J::String(s)) => V::Text(Arc::from(s.as_str())),
            (Type::Enum(e), v) => V::Enum(e, variant(e, v)?),
            (Type::Set(e), J::Array(items)) => {
                let mut bits = 0u128;
                for item in items {
                    bits |= 1u128
                        .checked_shl(variant(e, item)?)
                        .ok_or_else(|| wrong(item))?;
                }
                V::Set(e, bits)
            }
            (Type::Date, J::String(s)) => {
                V::Date(
                    crate::value::parse_date(s).map_err(|e| CaseError::BadValue {
                        path: path.to_owned(),
                        message: format!("`{s}` is not a date: {e}"),
                    })?,
                )
            }
            (Type::Decimal | Type::Money | Type::Duration, v) => match canonical(info.ty, v) {
                Some(typed) => typed,
                None => self.typed_by_loader(fact, &value)?,
            },
            _ => return Err(wrong(&value)),
        };
        self.inner.set_fact(fact.id, typed);
        Ok(())
    }

    /// Types a value as a case file would, with the case loader's own
    /// parsers (money, decimals, durations).
    fn typed_by_loader(
        &self,
        fact: &Fact,
        value: &serde_json::Value,
    ) -> Result<crate::value::Value, CaseError> {
        let mut nested = value.clone();
        for part in fact.path.as_str().rsplit('.') {
            nested = serde_json::json!({ part: nested });
        }
        let section = if fact.setting { "settings" } else { "facts" };
        let text = serde_json::json!({ section: nested }).to_string();
        let p = &self.policy.inner.program;
        match crate::case::load_case(p, "<value>", &text, InnerFormat::Json) {
            Ok(case) => case
                .fact(fact.id)
                .cloned()
                .ok_or_else(|| CaseError::BadValue {
                    path: fact.path.to_string(),
                    message: "the value was not read".into(),
                }),
            Err(errors) => {
                let first = errors.iter().next();
                let message = first.map_or_else(
                    || "the value cannot be read".to_string(),
                    |e| {
                        let text = e.to_string();
                        // `facts.a.b: …` → `…`
                        text.split_once(": ")
                            .map_or(text.clone(), |(_, m)| m.to_owned())
                    },
                );
                match value {
                    serde_json::Value::String(_) | serde_json::Value::Number(_) => {
                        Err(CaseError::BadValue {
                            path: fact.path.to_string(),
                            message,
                        })
                    }
                    other => Err(CaseError::WrongType {
                        path: fact.path.to_string(),
                        expected: fact.type_name.clone(),
                        found: other.to_string(),
                    }),
                }
            }
        }
    }

    /// The date to apply the law as of, `YYYY-MM-DD`.
    pub fn as_of(&mut self, date: &str) -> Result<&mut Case, CaseError> {
        let parsed = crate::value::parse_date(date).map_err(|e| CaseError::BadValue {
            path: "as_of".into(),
            message: format!("`{date}` is not a date: {e}"),
        })?;
        self.inner.as_of = Some(parsed);
        Ok(self)
    }

    /// Asks for a verdict (by default every verdict is evaluated).
    pub fn ask(&mut self, verdict: &str) -> Result<&mut Case, CaseError> {
        let id = self.policy.verdict_id(verdict)?;
        if !self.inner.verdicts.contains(&id) {
            self.inner.verdicts.push(id);
        }
        Ok(self)
    }

    /// States how a discretion (a rule written with `may`) was exercised.
    pub fn exercise(&mut self, rule: &str, exercised: bool) -> Result<&mut Case, CaseError> {
        let p = &self.policy.inner.program;
        match p.rule_by_name(rule) {
            Some(id) if p.rules.get(id.index()).is_some_and(|r| r.may.is_some()) => {
                self.inner.set_discretion(id, exercised);
                Ok(self)
            }
            _ => Err(CaseError::UnknownDiscretion {
                name: rule.to_owned(),
            }),
        }
    }

    /// The value given for a fact, if any (a setting: its value, default or not).
    pub fn get(&self, path: &str) -> Option<Value<'_>> {
        let fact = self.policy.fact(path).ok()?;
        let value = self.inner.fact(fact.id)?.clone();
        Some(Value {
            inner: value,
            policy: &self.policy,
        })
    }
}

/// A money, decimal or duration value in the one form the case loader
/// writes (`KRW 36000000`, `0.5`, `10 years`), read directly; `None` for any
/// other form, which the loader itself reads (with its messages).
fn canonical(ty: Type, value: &serde_json::Value) -> Option<crate::value::Value> {
    use crate::value::{Duration, Money, Value as V};
    use std::str::FromStr as _;
    let plain = |t: &str| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
        let all = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (all(int) && all(frac)).then(|| rust_decimal::Decimal::from_str(t).ok())?
    };
    match (ty, value) {
        (Type::Decimal, serde_json::Value::String(t)) => plain(t).map(V::Decimal),
        (Type::Money, serde_json::Value::String(t)) => {
            let (code, amount) = t.split_once(' ')?;
            let code: [u8; 3] = code.as_bytes().try_into().ok()?;
            if !code.iter().all(u8::is_ascii_uppercase) {
                return None;
            }
            Some(V::Money(Money {
                amount: plain(amount)?,
                currency: code,
            }))
        }
        (Type::Duration, serde_json::Value::String(t)) => {
            let (n, unit) = t.split_once(' ')?;
            if !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: i64 = n.parse().ok()?;
            let (months, days) = match unit {
                "year" | "years" => (n.checked_mul(12)?, 0),
                "month" | "months" => (n, 0),
                "week" | "weeks" => (0, n.checked_mul(7)?),
                "day" | "days" => (0, n),
                _ => return None,
            };
            Some(V::Duration(Duration { months, days }))
        }
        _ => None,
    }
}

/// Evaluates cases against one policy set, reusing its working memory.
///
/// Cloning one is cheap (the lowered program is shared; the clone gets its
/// own working memory): set it up once, then clone it for each thread.
#[derive(Clone, Debug)]
pub struct Evaluator<'p> {
    policy: &'p Policy,
    engine: Engine<'p>,
    options: Options,
    scratch: Scratch,
    out: Vec<Option<crate::value::Value>>,
}

impl<'p> Evaluator<'p> {
    /// Evaluates these verdicts in every case, in this order (none: the
    /// verdicts each case asks for, else all).
    pub fn ask<S: AsRef<str>>(&mut self, verdicts: &[S]) -> Result<&mut Self, CaseError> {
        let ids = verdicts
            .iter()
            .map(|v| self.policy.verdict_id(v.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        self.options.verdicts = ids;
        Ok(self)
    }

    /// Applies the law as of this date (`YYYY-MM-DD`) in every case,
    /// whatever the case's own `as_of`; `None`: each case's.
    pub fn as_of(&mut self, date: Option<&str>) -> Result<&mut Self, CaseError> {
        self.options.as_of = match date {
            None => None,
            Some(text) => {
                Some(
                    crate::value::parse_date(text).map_err(|e| CaseError::BadValue {
                        path: "as_of".into(),
                        message: format!("`{text}` is not a date: {e}"),
                    })?,
                )
            }
        };
        Ok(self)
    }

    /// The verdicts a case gets, in order (as [`Evaluator::outcomes`] gives them).
    pub fn asked(&self, case: &Case) -> Vec<Verdict> {
        self.engine
            .asked(&case.inner, &self.options)
            .iter()
            .filter_map(|d| self.policy.verdict_by_id(*d))
            .collect()
    }

    /// Evaluates a case with its derivation (outcomes, decisive facts, the
    /// law applied, renderings).
    pub fn evaluate<'c>(&self, case: &'c Case) -> Result<Evaluation<'c>, EvalError>
    where
        'p: 'c,
    {
        let inner = self
            .engine
            .evaluate(&case.inner, &self.options)
            .map_err(|e| self.policy.eval_error(e))?;
        Ok(Evaluation {
            inner,
            policy: self.policy,
        })
    }

    /// The outcomes only (the fast path: nothing is recorded).
    pub fn outcomes(&mut self, case: &Case) -> Result<Outcomes<'p>, EvalError> {
        self.engine
            .values_with(&case.inner, &self.options, &mut self.scratch, &mut self.out)
            .map_err(|e| self.policy.eval_error(e))?;
        Ok(Outcomes {
            policy: self.policy,
            verdicts: self.engine.asked(&case.inner, &self.options).to_vec(),
            values: self.out.drain(..).collect(),
        })
    }
}

/// The outcomes of one case: each verdict asked for and its value (`None`:
/// undetermined).
#[derive(Clone, Debug)]
pub struct Outcomes<'p> {
    policy: &'p Policy,
    verdicts: Vec<DefId>,
    values: Vec<Option<crate::value::Value>>,
}

impl<'p> Outcomes<'p> {
    /// The verdicts in the order asked, with their values.
    pub fn iter(&self) -> impl Iterator<Item = (&'p str, Option<Value<'p>>)> + '_ {
        let p = self.policy.program();
        self.verdicts.iter().zip(&self.values).map(move |(d, v)| {
            let name = p
                .definitions
                .get(d.index())
                .map_or("?", |d| d.name.as_str());
            (name, self.value(v))
        })
    }

    fn value(&self, v: &Option<crate::value::Value>) -> Option<Value<'p>> {
        v.as_ref().map(|inner| Value {
            inner: inner.clone(),
            policy: self.policy,
        })
    }

    /// One verdict's value (`None`: undetermined or not asked for).
    pub fn get(&self, verdict: &str) -> Option<Value<'p>> {
        let id = self.policy.program().definition(verdict)?;
        let at = self.verdicts.iter().position(|d| *d == id)?;
        self.values.get(at).and_then(|v| self.value(v))
    }

    /// How many verdicts.
    pub fn len(&self) -> usize {
        self.verdicts.len()
    }

    /// Whether no verdict was asked for.
    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }
}

/// A value of a fact or verdict.
#[derive(Clone, Debug)]
pub struct Value<'p> {
    inner: crate::value::Value,
    policy: &'p Policy,
}

impl PartialEq for Value<'_> {
    fn eq(&self, other: &Value<'_>) -> bool {
        self.inner == other.inner
    }
}

impl Value<'_> {
    /// A bool's value.
    pub fn as_bool(&self) -> Option<bool> {
        match self.inner {
            crate::value::Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// An integer's value.
    pub fn as_i64(&self) -> Option<i64> {
        match self.inner {
            crate::value::Value::Integer(i) => Some(i),
            _ => None,
        }
    }

    /// An enum value's variant name.
    pub fn as_variant(&self) -> Option<&str> {
        match self.inner {
            crate::value::Value::Enum(e, v) => {
                Some(crate::ir::variant_name(&self.policy.inner.program, e, v))
            }
            _ => None,
        }
    }

    /// A date as (year, month, day).
    pub fn as_ymd(&self) -> Option<(i16, i8, i8)> {
        match self.inner {
            crate::value::Value::Date(d) => Some((d.year(), d.month(), d.day())),
            _ => None,
        }
    }

    /// The kind of value.
    pub fn kind(&self) -> Kind {
        use crate::value::Value as V;
        match self.inner {
            V::Bool(_) => Kind::Bool,
            V::Integer(_) => Kind::Integer,
            V::Decimal(_) => Kind::Decimal,
            V::Money(_) => Kind::Money,
            V::Date(_) => Kind::Date,
            V::Duration(_) => Kind::Duration,
            V::Text(_) => Kind::Text,
            V::Enum(..) => Kind::Enum,
            V::Set(..) => Kind::Set,
        }
    }

    /// The value as a case file writes it.
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json(&self.policy.inner.program)
    }
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.inner.display(&self.policy.inner.program))
    }
}

/// An evaluated case: outcomes with their explanations.
#[derive(Debug)]
pub struct Evaluation<'c> {
    inner: crate::explain::Evaluation<'c>,
    policy: &'c Policy,
}

/// A citation: a source and where in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    /// The source's short name (`rok_act`).
    pub source: String,
    /// Its title.
    pub title: String,
    /// Article, paragraph, section or lines (`Art. 9(1) item 4`).
    pub pinpoint: String,
}

/// The outcome of one verdict, with what it rests on.
#[derive(Clone, Debug)]
pub struct Outcome<'c> {
    verdict: VerdictName,
    value: Option<Value<'c>>,
    by_default: bool,
    decided_by: Vec<RuleName>,
    decisive_facts: serde_json::Value,
    law: Vec<Citation>,
}

impl<'c> Outcome<'c> {
    /// The verdict.
    pub fn verdict(&self) -> &VerdictName {
        &self.verdict
    }
    /// Its value (`None`: undetermined).
    pub fn value(&self) -> Option<&Value<'c>> {
        self.value.as_ref()
    }
    /// Decided by the definition's default (no rule applied).
    pub fn by_default(&self) -> bool {
        self.by_default
    }
    /// The verdict's own rules that decided it.
    pub fn decided_by(&self) -> &[RuleName] {
        &self.decided_by
    }
    /// The decisive facts, in the shape of a case file's `facts`: a case of
    /// only these gives the same outcome.
    pub fn decisive_facts(&self) -> &serde_json::Value {
        &self.decisive_facts
    }
    /// The law the outcome rests on: the citations of what was applied.
    pub fn law(&self) -> &[Citation] {
        &self.law
    }
}

impl PartialEq<&str> for RuleName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<'c> Evaluation<'c> {
    /// The verdicts evaluated, in order.
    pub fn outcomes(&self) -> Vec<Outcome<'c>> {
        self.inner
            .verdict_ids()
            .iter()
            .map(|d| self.outcome_of(*d))
            .collect()
    }

    /// One verdict's outcome, if it was evaluated.
    pub fn outcome(&self, verdict: &str) -> Option<Outcome<'c>> {
        let id = self.inner.verdict(verdict)?;
        self.inner
            .verdict_ids()
            .contains(&id)
            .then(|| self.outcome_of(id))
    }

    fn outcome_of(&self, def: DefId) -> Outcome<'c> {
        let e = &self.inner;
        let p = e.program();
        let explained = e.explain(def);
        let summary = e.summary(def);
        let (by_default, decided_by) = match summary.decision {
            crate::explain::Decision::Rules { rules } => {
                (false, rules.into_iter().map(RuleName::from).collect())
            }
            crate::explain::Decision::Default { .. } => (true, Vec::new()),
            crate::explain::Decision::Nothing => (false, Vec::new()),
        };
        let value = e.value(def).cloned();
        Outcome {
            verdict: VerdictName::from(
                p.definitions
                    .get(def.index())
                    .map_or("?", |d| d.name.as_str()),
            ),
            value: value.map(|inner| Value {
                inner,
                policy: self.policy,
            }),
            by_default,
            decided_by,
            decisive_facts: e.decisive_facts(&explained),
            law: explained
                .rests_on(p)
                .into_iter()
                .map(|c| {
                    let r = crate::explain::CitationRef::of(p, c);
                    Citation {
                        source: r.source.to_string(),
                        title: r.title.to_string(),
                        pinpoint: r.pinpoint.to_string(),
                    }
                })
                .collect(),
        }
    }

    /// Whether every verdict evaluated was decided.
    pub fn all_decided(&self) -> bool {
        self.inner.all_decided()
    }

    /// The terminal text of `refuge eval` (no colour).
    pub fn to_text(&self) -> String {
        crate::explain::to_text(&self.inner, false)
    }

    /// The text with each verdict's decisive derivation (`refuge eval --explain`).
    pub fn to_text_explained(&self) -> String {
        crate::explain::to_text_explained(&self.inner, false)
    }

    /// The Markdown memo (`refuge eval --format markdown`).
    pub fn to_markdown(&self) -> String {
        crate::explain::to_markdown(&self.inner)
    }

    /// The JSON evaluation, `refuge.evaluation/2` (`refuge eval --format json`).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// The variant names of an enum or set type (empty for any other type).
fn variants_of(p: &Program, ty: Type) -> Vec<String> {
    match ty {
        Type::Enum(e) | Type::Set(e) => p
            .enums
            .get(e.index())
            .map(|e| e.variants.iter().map(|(v, _)| v.clone()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
