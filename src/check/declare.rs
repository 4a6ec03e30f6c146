//! Pass 1–3: the global name table, scopes, types, facts and tables.

use super::error::{CheckError, Related};
use crate::ast::{self, Item, TypeExpr};
use crate::ir::{
    DefId, EnumId, EnumInfo, FactId, FactInfo, FactRoot, Meta, Program, RecordId, RecordInfo,
    RowInfo, RuleId, SourceId, SourceInfo, TableId, TableInfo, Type,
};
use crate::source::Span;
use crate::suggest::{did_you_mean, did_you_mean_help};
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a global name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decl {
    Source(SourceId),
    Enum(EnumId),
    Record(RecordId),
    /// A top-level fact (index into `fact_roots`).
    Fact(usize),
    Table(TableId),
    Def(DefId),
}

impl Decl {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Decl::Source(_) => "source",
            Decl::Enum(_) => "enum",
            Decl::Record(_) => "record",
            Decl::Fact(_) => "fact",
            Decl::Table(_) => "table",
            Decl::Def(_) => "definition",
        }
    }
}

/// A declared name: what it is, where, in which module.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub decl: Decl,
    pub module: String,
    pub span: Span,
}

/// The checker's state across passes.
#[derive(Default)]
pub(crate) struct Context {
    pub program: Program,
    pub errors: Vec<CheckError>,
    pub names: BTreeMap<String, Entry>,
    /// Rule names → id (rules share one global namespace too).
    pub rule_names: BTreeMap<String, RuleId>,
    /// Module → modules it may see (itself and its `use`s).
    pub scopes: BTreeMap<String, BTreeSet<String>>,
    /// Fact slot ids per record fact root: path → slot.
    pub fact_paths: BTreeMap<String, FactId>,
    /// Facts read anywhere (for the unused-fact lint).
    pub facts_read: BTreeSet<usize>,
    /// Definitions read anywhere.
    pub defs_read: BTreeSet<DefId>,
    /// Sources cited anywhere.
    pub sources_cited: BTreeSet<SourceId>,
    /// Edges between definitions: (from, to, span of the read).
    pub def_edges: Vec<(DefId, DefId, Span)>,
}

fn id32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Context {
    pub(crate) fn error(&mut self, e: CheckError) {
        self.errors.push(e);
    }

    fn add_name(&mut self, name: &ast::Ident, decl: Decl, module: &str) {
        if let Some(first) = self.names.get(&name.node) {
            let first_span = first.span;
            self.error(CheckError::DuplicateName {
                name: name.node.clone(),
                span: name.span,
                first: vec![Related::new("first declared here", first_span)],
                help: "names are global to a policy set (every module shares them): rename one of the two declarations".into(),
            });
            return;
        }
        self.names.insert(
            name.node.clone(),
            Entry {
                decl,
                module: module.to_string(),
                span: name.span,
            },
        );
    }

    /// Declares a case input (a fact or a setting); its type comes in pass 2.
    fn declare_input(&mut self, name: &ast::Ident, module: &str) {
        let index = self.program.fact_roots.len();
        self.program.fact_roots.push(FactRoot {
            name: name.node.clone(),
            ty: Type::Bool,
            slot: None,
            span: name.span,
        });
        self.add_name(name, Decl::Fact(index), module);
    }

    /// Pass 1: every top-level name, and each module's scope.
    pub(crate) fn declare(&mut self, modules: &[ast::Module]) {
        let module_names: BTreeSet<String> = modules.iter().map(|m| m.name.clone()).collect();
        for module in modules {
            let scope = self.scopes.entry(module.name.clone()).or_default();
            scope.insert(module.name.clone());
            let mut unknown = Vec::new();
            for item in &module.items {
                if let Item::Use(path) = item {
                    if module_names.contains(&path.node) {
                        scope.insert(path.node.clone());
                    } else {
                        unknown.push(path.clone());
                    }
                }
            }
            for path in unknown {
                let help = did_you_mean_help(&path.node, module_names.iter().map(String::as_str));
                self.error(CheckError::UnknownModule {
                    name: path.node,
                    span: path.span,
                    help,
                });
            }
        }
        for module in modules {
            for item in &module.items {
                match item {
                    Item::Use(_) | Item::Test(_) => {}
                    Item::Source(s) => {
                        let id = SourceId(id32(self.program.sources.len()));
                        self.program.sources.push(SourceInfo {
                            name: s.name.node.as_str().into(),
                            kind: s.kind,
                            title: s.title.as_str().into(),
                            note: s.note.clone(),
                            span: s.span,
                        });
                        self.add_name(&s.name, Decl::Source(id), &module.name);
                    }
                    Item::Enum(e) => {
                        let id = EnumId(id32(self.program.enums.len()));
                        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
                        for v in &e.variants {
                            if let Some(first) = seen.get(v.name.node.as_str()) {
                                self.error(CheckError::DuplicateName {
                                    name: v.name.node.clone(),
                                    span: v.name.span,
                                    first: vec![Related::new("first listed here", *first)],
                                    help: format!("list each value of `{}` once", e.name.node),
                                });
                            } else {
                                seen.insert(v.name.node.as_str(), v.name.span);
                            }
                        }
                        self.program.enums.push(EnumInfo {
                            name: e.name.node.clone(),
                            variants: e
                                .variants
                                .iter()
                                .map(|v| (v.name.node.clone(), v.label.clone()))
                                .collect(),
                            span: e.name.span,
                        });
                        self.add_name(&e.name, Decl::Enum(id), &module.name);
                    }
                    Item::Record(r) => {
                        let id = RecordId(id32(self.program.records.len()));
                        self.program.records.push(RecordInfo {
                            name: r.name.node.clone(),
                            fields: Vec::new(),
                            span: r.name.span,
                        });
                        self.add_name(&r.name, Decl::Record(id), &module.name);
                    }
                    Item::Fact(f) => self.declare_input(&f.name, &module.name),
                    // A setting is a fact with a policy default: both are case inputs.
                    Item::Setting(s) => self.declare_input(&s.name, &module.name),
                    Item::Table(t) => {
                        let id = TableId(id32(self.program.tables.len()));
                        self.program.tables.push(TableInfo {
                            name: t.name.node.clone(),
                            label: t.label.clone(),
                            keys: Vec::new(),
                            columns: Vec::new(),
                            rows: Vec::new(),
                            span: t.name.span,
                        });
                        self.add_name(&t.name, Decl::Table(id), &module.name);
                    }
                    Item::Definition(d) => {
                        let id = DefId(id32(self.program.definitions.len()));
                        self.program.definitions.push(crate::ir::DefInfo {
                            name: d.name.node.clone(),
                            module: module.name.clone(),
                            is_verdict: d.is_verdict,
                            ty: Type::Bool,
                            label: d.label.clone(),
                            default: None,
                            rules: Vec::new(),
                            order: Vec::new(),
                            name_span: d.name.span,
                            span: d.span,
                        });
                        self.add_name(&d.name, Decl::Def(id), &module.name);
                    }
                }
            }
        }
    }

    /// Looks a name up from `module`, reporting unknown and out-of-scope names.
    /// `want` filters what kinds are acceptable (for the error message).
    pub(crate) fn lookup(
        &mut self,
        module: &str,
        name: &ast::Ident,
        kind: &'static str,
        accept: impl Fn(Decl) -> bool,
    ) -> Option<Decl> {
        match self.names.get(&name.node) {
            Some(entry) if accept(entry.decl) => {
                let visible = self
                    .scopes
                    .get(module)
                    .is_some_and(|s| s.contains(&entry.module));
                if visible {
                    Some(entry.decl)
                } else {
                    let err = CheckError::NotInScope {
                        name: name.node.clone(),
                        module: entry.module.clone(),
                        span: name.span,
                    };
                    self.error(err);
                    None
                }
            }
            Some(entry) => {
                let found = entry.decl.kind();
                self.error(CheckError::UnknownName {
                    kind,
                    name: name.node.clone(),
                    span: name.span,
                    help: Some(format!(
                        "`{}` is {}, not {}",
                        name.node,
                        with_article(found),
                        with_article(kind)
                    )),
                });
                None
            }
            None => {
                let candidates: Vec<&str> = self
                    .names
                    .iter()
                    .filter(|(_, e)| accept(e.decl))
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = did_you_mean_help(&name.node, candidates);
                self.error(CheckError::UnknownName {
                    kind,
                    name: name.node.clone(),
                    span: name.span,
                    help,
                });
                None
            }
        }
    }

    /// Resolves a written type.
    pub(crate) fn resolve_type(&mut self, module: &str, ty: &TypeExpr) -> Option<Type> {
        let builtin = |name: &str| match name {
            "bool" => Some(Type::Bool),
            "integer" => Some(Type::Integer),
            "decimal" => Some(Type::Decimal),
            "money" => Some(Type::Money),
            "date" => Some(Type::Date),
            "duration" => Some(Type::Duration),
            "text" => Some(Type::Text),
            _ => None,
        };
        match ty {
            TypeExpr::Named(name) => {
                if let Some(t) = builtin(&name.node) {
                    return Some(t);
                }
                if !self.names.contains_key(&name.node) {
                    let mut candidates: Vec<&str> = vec![
                        "bool", "integer", "decimal", "money", "date", "duration", "text",
                    ];
                    candidates.extend(
                        self.names
                            .iter()
                            .filter(|(_, e)| matches!(e.decl, Decl::Enum(_) | Decl::Record(_)))
                            .map(|(n, _)| n.as_str()),
                    );
                    let help = did_you_mean_help(&name.node, candidates);
                    self.error(CheckError::UnknownName {
                        kind: "type",
                        name: name.node.clone(),
                        span: name.span,
                        help,
                    });
                    return None;
                }
                match self.lookup(module, name, "type", |d| {
                    matches!(d, Decl::Enum(_) | Decl::Record(_))
                })? {
                    Decl::Enum(e) => Some(Type::Enum(e)),
                    Decl::Record(r) => Some(Type::Record(r)),
                    _ => None,
                }
            }
            TypeExpr::SetOf(name) => {
                match self.lookup(module, name, "enum", |d| matches!(d, Decl::Enum(_)))? {
                    Decl::Enum(e) => {
                        let count = self
                            .program
                            .enums
                            .get(e.index())
                            .map_or(0, |e| e.variants.len());
                        if count > 128 {
                            self.error(CheckError::EnumTooLarge {
                                name: name.node.clone(),
                                count,
                                span: name.span,
                            });
                        }
                        Some(Type::Set(e))
                    }
                    _ => None,
                }
            }
        }
    }

    /// Pass 2: record fields and fact types; flattens record facts to slots.
    pub(crate) fn resolve_types(&mut self, modules: &[ast::Module]) {
        for module in modules {
            for item in &module.items {
                if let Item::Record(r) = item {
                    let Some(Decl::Record(id)) = self.names.get(&r.name.node).map(|e| e.decl)
                    else {
                        continue;
                    };
                    let mut fields = Vec::new();
                    for f in &r.fields {
                        if let Some(ty) = self.resolve_type(&module.name, &f.ty) {
                            fields.push((f.name.node.clone(), ty, f.label.clone()));
                        }
                    }
                    if let Some(rec) = self.program.records.get_mut(id.index()) {
                        rec.fields = fields;
                    }
                }
            }
        }
        for module in modules {
            for item in &module.items {
                if let Item::Fact(f) = item {
                    let Some(Decl::Fact(index)) = self.names.get(&f.name.node).map(|e| e.decl)
                    else {
                        continue;
                    };
                    let Some(ty) = self.resolve_type(&module.name, &f.ty) else {
                        continue;
                    };
                    let mut stack = Vec::new();
                    let slot = self.add_fact_slots(
                        &f.name.node,
                        ty,
                        f.label.clone(),
                        f.name.span,
                        &mut stack,
                    );
                    if let Some(root) = self.program.fact_roots.get_mut(index) {
                        root.ty = ty;
                        root.slot = slot;
                    }
                }
            }
        }
        for module in modules {
            for item in &module.items {
                if let Item::Setting(s) = item {
                    self.lower_setting(&module.name, s);
                }
            }
        }
    }

    /// A setting is a fact slot with a cited default.
    fn lower_setting(&mut self, module: &str, s: &ast::SettingDecl) {
        let Some(Decl::Fact(index)) = self.names.get(&s.name.node).map(|e| e.decl) else {
            return;
        };
        let Some(ty) = self.resolve_type(module, &s.ty) else {
            return;
        };
        if let Type::Record(_) = ty {
            self.error(CheckError::TypeMismatch {
                expected: "a value type".into(),
                found: "a record".into(),
                span: s.ty.span(),
                help: Some("a setting holds one value: declare one setting per option".into()),
            });
            return;
        }
        let meta = self.lower_meta(
            module,
            &s.clauses,
            "setting",
            &s.name.node,
            s.name.span,
            false,
        );
        let Some(default) = self.constant(module, &s.value, ty, "a setting's value") else {
            return;
        };
        let id = FactId(id32(self.program.facts.len()));
        self.program.facts.push(FactInfo {
            path: s.name.node.clone(),
            ty,
            label: s.label.clone(),
            setting: Some(crate::ir::Setting { default, meta }),
            span: s.name.span,
        });
        self.fact_paths.insert(s.name.node.clone(), id);
        if let Some(root) = self.program.fact_roots.get_mut(index) {
            root.ty = ty;
            root.slot = Some(id);
        }
    }

    /// Adds one slot per leaf; returns the slot for a scalar fact.
    fn add_fact_slots(
        &mut self,
        path: &str,
        ty: Type,
        label: Option<String>,
        span: Span,
        stack: &mut Vec<RecordId>,
    ) -> Option<FactId> {
        match ty {
            Type::Record(r) => {
                if stack.contains(&r) {
                    // A record that contains itself would be infinite.
                    self.error(CheckError::Cycle {
                        path: format!("record `{path}` contains itself"),
                        span,
                        first: path.to_string(),
                        second: path.to_string(),
                        edges: vec![],
                    });
                    return None;
                }
                stack.push(r);
                let fields = self
                    .program
                    .records
                    .get(r.index())
                    .map(|r| r.fields.clone())
                    .unwrap_or_default();
                for (name, fty, flabel) in fields {
                    self.add_fact_slots(&format!("{path}.{name}"), fty, flabel, span, stack);
                }
                stack.pop();
                None
            }
            _ => {
                let id = FactId(id32(self.program.facts.len()));
                self.program.facts.push(FactInfo {
                    path: path.to_string(),
                    ty,
                    label,
                    setting: None,
                    span,
                });
                self.fact_paths.insert(path.to_string(), id);
                Some(id)
            }
        }
    }

    /// Pass 3: table keys, columns and rows.
    pub(crate) fn lower_tables(&mut self, modules: &[ast::Module]) {
        for module in modules {
            for item in &module.items {
                let Item::Table(t) = item else { continue };
                let Some(Decl::Table(id)) = self.names.get(&t.name.node).map(|e| e.decl) else {
                    continue;
                };
                let mut keys = Vec::new();
                for (name, ty) in &t.keys {
                    if let Some(ty) = self.resolve_type(&module.name, ty) {
                        keys.push((name.node.clone(), ty));
                    }
                }
                let mut columns = Vec::new();
                for (name, ty, label) in &t.columns {
                    if let Some(ty) = self.resolve_type(&module.name, ty) {
                        columns.push((name.node.clone(), ty, label.clone()));
                    }
                }
                if let Some(table) = self.program.tables.get_mut(id.index()) {
                    table.keys = keys.clone();
                    table.columns = columns.clone();
                }
                let mut rows = Vec::new();
                for row in &t.rows {
                    if let Some(r) =
                        self.lower_row(&module.name, &t.name.node, &keys, &columns, row)
                    {
                        rows.push(r);
                    }
                }
                if let Some(table) = self.program.tables.get_mut(id.index()) {
                    table.rows = rows;
                }
            }
        }
    }

    fn lower_row(
        &mut self,
        module: &str,
        table: &str,
        keys: &[(String, Type)],
        columns: &[(String, Type, Option<String>)],
        row: &ast::TableRow,
    ) -> Option<RowInfo> {
        if row.keys.len() != keys.len() {
            self.error(CheckError::BadRow {
                message: format!(
                    "row has {}, table `{table}` has {}",
                    super::expr::plural(row.keys.len(), "key"),
                    super::expr::plural(keys.len(), "key")
                ),
                span: row.span,
                help: format!(
                    "give one value for each key: {}",
                    keys.iter()
                        .map(|(n, _)| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            return None;
        }
        let mut key_values = Vec::new();
        for (expr, (_, ty)) in row.keys.iter().zip(keys) {
            key_values.push(self.constant(module, expr, *ty, "a table key")?);
        }
        let mut cells: Vec<Option<Value>> = vec![None; columns.len()];
        let mut misspelled = false;
        for (name, expr) in &row.cells {
            match columns.iter().position(|(c, _, _)| *c == name.node) {
                Some(i) => {
                    let ty = columns.get(i).map_or(Type::Bool, |c| c.1);
                    let v = self.constant(module, expr, ty, "a table cell");
                    if let Some(slot) = cells.get_mut(i) {
                        *slot = v;
                    }
                }
                None => {
                    misspelled = true;
                    let help = did_you_mean(&name.node, columns.iter().map(|c| c.0.as_str()))
                        .map_or_else(
                            || {
                                format!(
                                    "table `{table}` has the columns {}",
                                    list(columns.iter().map(|c| &c.0))
                                )
                            },
                            |s| format!("did you mean `{s}`?"),
                        );
                    self.error(CheckError::BadRow {
                        message: format!("table `{table}` has no column `{}`", name.node),
                        span: name.span,
                        help,
                    });
                }
            }
        }
        let mut out = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            match cell {
                Some(v) => out.push(v),
                None => {
                    let col = columns.get(i).map_or("?", |c| c.0.as_str());
                    // After a misspelled column, the "missing" one is the same typo.
                    if !misspelled && !row.cells.iter().any(|(n, _)| n.node == col) {
                        self.error(CheckError::BadRow {
                            message: format!("row gives no value for column `{col}`"),
                            span: row.span,
                            help: format!("add `{col}: …` to the row's `{{ … }}`"),
                        });
                    }
                    return None;
                }
            }
        }
        let meta = self.lower_meta(
            module,
            &row.clauses,
            "row",
            &format!("{table} row"),
            row.span,
            false,
        );
        Some(RowInfo {
            keys: key_values,
            cells: out,
            meta,
            span: row.span,
        })
    }

    /// Evaluates a constant expression (table keys and cells, test values).
    pub(crate) fn constant(
        &mut self,
        module: &str,
        expr: &ast::Expr,
        ty: Type,
        what: &'static str,
    ) -> Option<Value> {
        let lowered = self.lower_expr(module, None, expr, Some(ty))?;
        self.expect_type(&lowered, ty);
        match crate::ir::constant(&lowered) {
            Some(v) => Some(v),
            None => {
                self.error(CheckError::NotConstant {
                    what,
                    span: expr.span,
                });
                None
            }
        }
    }

    /// Citations, provenance, dates and notes; reports duplicates.
    /// `allow_rule_only` is false for defaults and rows, which may not have
    /// `when`, `may` or `qualified by` (checked by the caller for rules).
    pub(crate) fn lower_meta(
        &mut self,
        module: &str,
        clauses: &ast::Clauses,
        what: &'static str,
        name: &str,
        span: Span,
        is_rule: bool,
    ) -> Meta {
        let mut meta = Meta::default();
        if !is_rule {
            for accept in &clauses.accepts {
                let what = match what {
                    "default of" => "default",
                    w if w.contains("row") => "table row",
                    _ => "setting",
                };
                self.error(CheckError::MisplacedAccept {
                    what,
                    span: accept.span,
                });
            }
        }
        for cite in &clauses.cites {
            let found = self.names.get(&cite.source.node).map(|e| e.decl);
            match found {
                Some(Decl::Source(_))
                    if self
                        .lookup(module, &cite.source, "source", |d| {
                            matches!(d, Decl::Source(_))
                        })
                        .is_none() =>
                {
                    // Declared in a module this file does not use: reported by `lookup`.
                }
                Some(Decl::Source(id)) => {
                    self.sources_cited.insert(id);
                    let pinpoint = super::pinpoint::lower(&cite.pinpoint.node, &mut self.errors);
                    meta.cites.push(crate::ir::Citation {
                        source: id,
                        pinpoint,
                        span: cite.source.span.to(cite.pinpoint.span),
                        id: crate::ir::Citation::UNINDEXED,
                    });
                }
                _ => {
                    let candidates: Vec<&str> = self
                        .names
                        .iter()
                        .filter(|(_, e)| matches!(e.decl, Decl::Source(_)))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let help = did_you_mean_help(&cite.source.node, candidates).or_else(|| {
                        Some("declare it with `source NAME : statute \"title\"`".into())
                    });
                    self.error(CheckError::UnknownName {
                        kind: "source",
                        name: cite.source.node.clone(),
                        span: cite.source.span,
                        help,
                    });
                }
            }
        }
        if clauses.cites.is_empty() {
            self.error(CheckError::MissingCitation {
                what,
                name: name.to_string(),
                span,
            });
        }
        if let Some(p) = clauses.provenance.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "provenance",
                span: p.span,
                help:
                    "a rule has one provenance: keep the weaker of the two, and say why in a `note`"
                        .into(),
            });
        }
        meta.provenance = clauses.provenance.first().map(|p| p.node);
        if let Some(d) = clauses.from.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "from",
                span: d.span,
                help: "a rule is in force from one date: for two versions, write two rules".into(),
            });
        }
        if let Some(d) = clauses.until.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "until",
                span: d.span,
                help: "a rule is in force until one date: for two versions, write two rules".into(),
            });
        }
        meta.from = clauses.from.first().map(|d| d.node);
        meta.until = clauses.until.first().map(|d| d.node);
        meta.notes = clauses.notes.iter().map(|n| n.node.clone()).collect();
        if !is_rule {
            let on = match what {
                "row" => "a table row",
                "setting" => "a setting",
                _ => "a default",
            };
            if let Some(w) = clauses.when.first() {
                let help = match what {
                    "row" => "a row is in force by its `from` and `until` dates; for a condition, write a rule that looks the row up",
                    "setting" => "a setting holds the policy's reading, which a case may override; for a condition, write a rule that reads the setting",
                    _ => "a default applies when no rule does; write a rule for a conditional value",
                };
                self.error(CheckError::MisplacedClause {
                    clause: "when",
                    on,
                    span: w.span,
                    help: help.into(),
                });
            }
            if let Some(m) = clauses.may.first() {
                self.error(CheckError::MisplacedClause {
                    clause: "may",
                    on,
                    span: m.span,
                    help: "a discretion is a rule: write `rule NAME = VALUE may \"…\" by \"…\" when …`".into(),
                });
            }
            if let Some(q) = clauses.qualified_by.first().and_then(|q| q.first()) {
                self.error(CheckError::MisplacedClause {
                    clause: "qualified by",
                    on,
                    span: q.span,
                    help: "only rules can be targeted by exceptions".into(),
                });
            }
        }
        meta
    }
}

/// `an enum`, `a fact`: a noun with its indefinite article, for messages.
pub(crate) fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// `` `a`, `b` `` for messages.
pub(crate) fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
