//! What the editor asks about: every declared name and every place a name is
//! written, read from the syntax trees of the files that parse.
//!
//! The index is built from `syntax::parse` alone, so hover, definition and
//! references keep working while the checker reports errors elsewhere in the
//! set. Names resolve as the checker resolves them in the common case: the
//! file's own module first, then the modules it `use`s, then any module.

use crate::ast::{self, ExprKind, Item, RuleKind, TypeExpr};
use crate::source::{FileId, Span};

/// What kind of thing a name declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `source`
    Source,
    /// `enum`
    Enum,
    /// A variant of an enum.
    Variant,
    /// `record`
    Record,
    /// A field of a record.
    Field,
    /// `fact`
    Fact,
    /// `setting`
    Setting,
    /// `table`
    Table,
    /// `definition`
    Definition,
    /// `verdict`
    Verdict,
    /// `rule` or `exception`
    Rule,
    /// `test`
    Test,
    /// A module (a file), named by `use`.
    Module,
}

impl Kind {
    /// The keyword that declares it.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Enum => "enum",
            Kind::Variant => "variant",
            Kind::Record => "record",
            Kind::Field => "field",
            Kind::Fact => "fact",
            Kind::Setting => "setting",
            Kind::Table => "table",
            Kind::Definition => "definition",
            Kind::Verdict => "verdict",
            Kind::Rule => "rule",
            Kind::Test => "test",
            Kind::Module => "module",
        }
    }

    /// Kinds that a bare name in an expression can stand for.
    fn is_value(self) -> bool {
        matches!(
            self,
            Kind::Fact | Kind::Setting | Kind::Definition | Kind::Verdict | Kind::Enum
        )
    }
}

/// One declaration.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// What it declares.
    pub kind: Kind,
    /// The module it is declared in.
    pub module: String,
    /// The enum, record or definition it belongs to.
    pub container: Option<String>,
    /// The name as written.
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// Markdown shown on hover.
    pub hover: String,
}

/// A name written somewhere, resolved to the symbol it names.
#[derive(Clone, Copy, Debug)]
pub struct Reference {
    /// Where the name is written.
    pub span: Span,
    /// Index into [`Index::symbols`].
    pub symbol: usize,
}

/// Every symbol and reference of a policy set.
#[derive(Debug, Default)]
pub struct Index {
    /// Declarations.
    pub symbols: Vec<Symbol>,
    /// Uses (declarations included, so that references list them too).
    pub references: Vec<Reference>,
    /// For each parsed file: its module and the modules it uses.
    pub scopes: Vec<(FileId, String, Vec<String>)>,
}

/// A name not yet resolved.
enum Pending {
    /// A bare name or the head of a path, then the rest of the path.
    Path(Vec<(String, Span)>),
    /// A name that must be of one of these kinds.
    Named(String, Span, &'static [Kind]),
}

impl Index {
    /// Indexes the modules that parsed; `files[i]` is the file of `modules[i]`.
    pub fn build(modules: &[(FileId, &ast::Module)]) -> Index {
        let mut index = Index::default();
        let mut pending: Vec<(FileId, Pending)> = Vec::new();
        for (file, module) in modules {
            let uses = module
                .items
                .iter()
                .filter_map(|item| match item {
                    Item::Use(name) => Some(name.node.clone()),
                    _ => None,
                })
                .collect();
            index.scopes.push((*file, module.name.clone(), uses));
            // `use` of a module goes to the start of its file.
            let whole = Span::new(*file, 0, 0);
            index.symbols.push(Symbol {
                name: module.name.clone(),
                kind: Kind::Module,
                module: module.name.clone(),
                container: None,
                name_span: whole,
                span: whole,
                hover: format!("module `{}`", module.name),
            });
            for item in &module.items {
                declare(&mut index, &module.name, item, &mut |p| {
                    pending.push((*file, p))
                });
            }
        }
        for i in 0..index.symbols.len() {
            if let Some(s) = index.symbols.get(i) {
                if s.kind != Kind::Module {
                    index.references.push(Reference {
                        span: s.name_span,
                        symbol: i,
                    });
                }
            }
        }
        for (file, p) in pending {
            index.resolve_pending(file, p);
        }
        index
    }

    /// The module of a file and the modules it uses.
    fn scope(&self, file: FileId) -> Option<(&str, &[String])> {
        self.scopes
            .iter()
            .find(|(f, _, _)| *f == file)
            .map(|(_, m, u)| (m.as_str(), u.as_slice()))
    }

    /// The symbol `name` of one of `kinds` as seen from `file`.
    pub fn lookup(&self, file: FileId, name: &str, kinds: &[Kind]) -> Option<usize> {
        let (own, uses) = self.scope(file).unwrap_or(("", &[]));
        let candidates = || {
            self.symbols
                .iter()
                .enumerate()
                .filter(|(_, s)| s.name == name && kinds.contains(&s.kind))
        };
        candidates()
            .find(|(_, s)| s.module == own)
            .or_else(|| candidates().find(|(_, s)| uses.contains(&s.module)))
            .or_else(|| candidates().next())
            .map(|(i, _)| i)
    }

    fn resolve_pending(&mut self, file: FileId, pending: Pending) {
        match pending {
            Pending::Named(name, span, kinds) => {
                if let Some(symbol) = self.lookup(file, &name, kinds) {
                    self.references.push(Reference { span, symbol });
                }
            }
            Pending::Path(segments) => self.resolve_path(file, &segments),
        }
    }

    fn resolve_path(&mut self, file: FileId, segments: &[(String, Span)]) {
        let Some(((head, head_span), rest)) = segments.split_first() else {
            return;
        };
        const VALUES: &[Kind] = &[
            Kind::Fact,
            Kind::Setting,
            Kind::Definition,
            Kind::Verdict,
            Kind::Enum,
        ];
        if let Some(symbol) = self.lookup(file, head, VALUES) {
            self.references.push(Reference {
                span: *head_span,
                symbol,
            });
            let Some((second, second_span)) = rest.first() else {
                return;
            };
            let Some(head_symbol) = self.symbols.get(symbol) else {
                return;
            };
            let found = if head_symbol.kind == Kind::Enum {
                self.member(head, second, Kind::Variant)
            } else {
                // A field of a record-typed fact: any record's field of that name.
                self.symbols
                    .iter()
                    .position(|s| s.kind == Kind::Field && s.name == *second)
            };
            if let Some(member) = found {
                self.references.push(Reference {
                    span: *second_span,
                    symbol: member,
                });
            }
        } else if rest.is_empty() {
            // A bare variant (`chinese` for `Nationality.chinese`).
            if let Some(symbol) = self.lookup(file, head, &[Kind::Variant]) {
                self.references.push(Reference {
                    span: *head_span,
                    symbol,
                });
            }
        }
    }

    fn member(&self, container: &str, name: &str, kind: Kind) -> Option<usize> {
        self.symbols.iter().position(|s| {
            s.kind == kind && s.name == name && s.container.as_deref() == Some(container)
        })
    }

    /// The reference (or declaration) at a byte offset of a file.
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Reference> {
        self.references.iter().find(|r| {
            r.span.file == file && r.span.start as usize <= offset && offset <= r.span.end as usize
        })
    }

    /// Every place that names `symbol`, its declaration first.
    pub fn references_to(&self, symbol: usize) -> Vec<Span> {
        let mut spans: Vec<Span> = self
            .references
            .iter()
            .filter(|r| r.symbol == symbol)
            .map(|r| r.span)
            .collect();
        spans.sort_by_key(|s| (s.file, s.start));
        spans.dedup_by(|a, b| a.file == b.file && a.start == b.start && a.end == b.end);
        spans
    }

    /// Symbols visible from `file` (own module and used modules).
    pub fn in_scope(&self, file: FileId) -> impl Iterator<Item = &Symbol> {
        let (own, uses) = self.scope(file).unwrap_or(("", &[]));
        let own = own.to_owned();
        let uses = uses.to_vec();
        self.symbols
            .iter()
            .filter(move |s| s.module == own || uses.contains(&s.module))
    }

    /// Whether a symbol can be written as a bare name in an expression.
    pub fn is_value(symbol: &Symbol) -> bool {
        symbol.kind.is_value()
    }
}

fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named(name) => name.node.clone(),
        TypeExpr::SetOf(name) => format!("set of {}", name.node),
    }
}

fn label_line(label: Option<&String>) -> String {
    label.map_or_else(String::new, |l| format!("\n\n{l}"))
}

/// The Markdown of a rule's or default's clauses: citations, provenance,
/// dates in force, notes.
fn clauses_text(clauses: &ast::Clauses) -> String {
    let mut out = String::new();
    for cite in &clauses.cites {
        out.push_str(&format!(
            "\n- cites `{}` {}",
            cite.source.node,
            crate::check::pinpoint::lower(&cite.pinpoint.node, &mut Vec::new())
        ));
    }
    for p in &clauses.provenance {
        out.push_str(&format!(
            "\n- provenance `{}`: {}",
            p.node.as_str(),
            p.node.describe()
        ));
    }
    for d in &clauses.from {
        out.push_str(&format!("\n- in force from {}", d.node));
    }
    for d in &clauses.until {
        out.push_str(&format!("\n- in force until {}", d.node));
    }
    for may in &clauses.may {
        out.push_str(&format!(
            "\n- discretion: may {} (by {})",
            may.node.permits, may.node.holder
        ));
    }
    for q in &clauses.qualified_by {
        let names: Vec<&str> = q.iter().map(|i| i.node.as_str()).collect();
        out.push_str(&format!("\n- qualified by {}", names.join(", ")));
    }
    for note in &clauses.notes {
        out.push_str(&format!("\n- note: {}", note.node));
    }
    out
}

fn symbol(
    name: &ast::Ident,
    kind: Kind,
    module: &str,
    container: Option<&str>,
    span: Span,
    hover: String,
) -> Symbol {
    Symbol {
        name: name.node.clone(),
        kind,
        module: module.to_owned(),
        container: container.map(str::to_owned),
        name_span: name.span,
        span,
        hover,
    }
}

const TYPES: &[Kind] = &[Kind::Enum, Kind::Record];
const RULES: &[Kind] = &[Kind::Rule];
const SOURCES: &[Kind] = &[Kind::Source];
const DEFINITIONS: &[Kind] = &[Kind::Definition, Kind::Verdict];
const TABLES: &[Kind] = &[Kind::Table];
const MODULES: &[Kind] = &[Kind::Module];

fn named(name: &ast::Ident, kinds: &'static [Kind]) -> Pending {
    Pending::Named(name.node.clone(), name.span, kinds)
}

fn declare(index: &mut Index, module: &str, item: &Item, pending: &mut dyn FnMut(Pending)) {
    match item {
        Item::Use(name) => pending(named(name, MODULES)),
        Item::Source(s) => index.symbols.push(symbol(
            &s.name,
            Kind::Source,
            module,
            None,
            s.span,
            format!(
                "source `{}` ({:?})\n\n**{}**{}",
                s.name.node,
                s.kind,
                s.title,
                label_line(s.note.as_ref())
            ),
        )),
        Item::Enum(e) => {
            let variants: Vec<String> = e
                .variants
                .iter()
                .map(|v| format!("`{}`", v.name.node))
                .collect();
            index.symbols.push(symbol(
                &e.name,
                Kind::Enum,
                module,
                None,
                e.span,
                format!(
                    "enum `{}`{}\n\nvariants: {}",
                    e.name.node,
                    label_line(e.label.as_ref()),
                    variants.join(", ")
                ),
            ));
            for v in &e.variants {
                index.symbols.push(symbol(
                    &v.name,
                    Kind::Variant,
                    module,
                    Some(&e.name.node),
                    v.name.span,
                    format!(
                        "variant `{}.{}`{}",
                        e.name.node,
                        v.name.node,
                        label_line(v.label.as_ref())
                    ),
                ));
            }
        }
        Item::Record(r) => {
            index.symbols.push(symbol(
                &r.name,
                Kind::Record,
                module,
                None,
                r.span,
                format!("record `{}`{}", r.name.node, label_line(r.label.as_ref())),
            ));
            for f in &r.fields {
                pending(type_ref(&f.ty));
                index.symbols.push(symbol(
                    &f.name,
                    Kind::Field,
                    module,
                    Some(&r.name.node),
                    f.name.span,
                    format!(
                        "field `{}.{}` : {}{}",
                        r.name.node,
                        f.name.node,
                        type_text(&f.ty),
                        label_line(f.label.as_ref())
                    ),
                ));
            }
        }
        Item::Fact(f) => {
            pending(type_ref(&f.ty));
            index.symbols.push(symbol(
                &f.name,
                Kind::Fact,
                module,
                None,
                f.span,
                format!(
                    "fact `{}` : {}{}",
                    f.name.node,
                    type_text(&f.ty),
                    label_line(f.label.as_ref())
                ),
            ));
        }
        Item::Setting(s) => {
            pending(type_ref(&s.ty));
            expr_refs(&s.value, pending);
            clause_refs(&s.clauses, pending);
            index.symbols.push(symbol(
                &s.name,
                Kind::Setting,
                module,
                None,
                s.span,
                format!(
                    "setting `{}` : {}{}{}",
                    s.name.node,
                    type_text(&s.ty),
                    label_line(s.label.as_ref()),
                    clauses_text(&s.clauses)
                ),
            ));
        }
        Item::Table(t) => {
            for (_, ty) in &t.keys {
                pending(type_ref(ty));
            }
            for (_, ty, _) in &t.columns {
                pending(type_ref(ty));
            }
            for row in &t.rows {
                for k in &row.keys {
                    expr_refs(k, pending);
                }
                for (_, v) in &row.cells {
                    expr_refs(v, pending);
                }
                clause_refs(&row.clauses, pending);
            }
            let columns: Vec<String> = t
                .columns
                .iter()
                .map(|(n, ty, _)| format!("`{}` : {}", n.node, type_text(ty)))
                .collect();
            index.symbols.push(symbol(
                &t.name,
                Kind::Table,
                module,
                None,
                t.span,
                format!(
                    "table `{}`{}\n\n{} rows; columns {}",
                    t.name.node,
                    label_line(t.label.as_ref()),
                    t.rows.len(),
                    columns.join(", ")
                ),
            ));
        }
        Item::Definition(d) => declare_definition(index, module, d, pending),
        Item::Test(t) => {
            for (path, value) in &t.given {
                if let Some(head) = path.node.first() {
                    let end = (path.span.start as usize).saturating_add(head.len());
                    let span = Span::new(path.span.file, path.span.start as usize, end);
                    pending(Pending::Path(vec![(head.clone(), span)]));
                }
                expr_refs(value, pending);
            }
            for (rule, value) in &t.exercise {
                pending(named(rule, RULES));
                expr_refs(value, pending);
            }
            for (def, value) in &t.expect {
                pending(named(def, DEFINITIONS));
                if let Some(v) = value {
                    expr_refs(v, pending);
                }
            }
            let name = ast::Ident::new(t.name.node.clone(), t.name.span);
            index.symbols.push(symbol(
                &name,
                Kind::Test,
                module,
                None,
                t.span,
                format!("test \"{}\"", t.name.node),
            ));
        }
    }
}

fn declare_definition(
    index: &mut Index,
    module: &str,
    d: &ast::Definition,
    pending: &mut dyn FnMut(Pending),
) {
    pending(type_ref(&d.ty));
    let kind = if d.is_verdict {
        Kind::Verdict
    } else {
        Kind::Definition
    };
    let mut rules_text = String::new();
    for r in &d.rules {
        let cites: Vec<String> = r
            .clauses
            .cites
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c.source.node,
                    crate::check::pinpoint::lower(&c.pinpoint.node, &mut Vec::new())
                )
            })
            .collect();
        rules_text.push_str(&format!("\n- rule `{}`", r.name.node));
        if !cites.is_empty() {
            rules_text.push_str(&format!(" — {}", cites.join("; ")));
        }
    }
    if !d.defaults.is_empty() {
        rules_text.push_str(&format!("\n- {} default(s)", d.defaults.len()));
    }
    index.symbols.push(symbol(
        &d.name,
        kind,
        module,
        None,
        d.span,
        format!(
            "{} `{}` : {}{}\n\n**Rules**{}",
            kind.word(),
            d.name.node,
            type_text(&d.ty),
            label_line(d.label.as_ref()),
            rules_text
        ),
    ));
    for default in &d.defaults {
        expr_refs(&default.value, pending);
        clause_refs(&default.clauses, pending);
    }
    for r in &d.rules {
        let (kind_text, targets) = match &r.kind {
            RuleKind::Base => ("rule", &[][..]),
            RuleKind::Overrides(t) => ("exception (overrides)", t.as_slice()),
            RuleKind::Lifts(t) => ("exception (lifts)", t.as_slice()),
        };
        for t in targets {
            pending(named(t, RULES));
        }
        if let Some(v) = &r.value {
            expr_refs(v, pending);
        }
        clause_refs(&r.clauses, pending);
        let targets: Vec<String> = targets.iter().map(|t| format!("`{}`", t.node)).collect();
        let mut hover = format!(
            "{}{} `{}` of `{}`",
            if r.absolute { "absolute " } else { "" },
            kind_text,
            r.name.node,
            d.name.node
        );
        if !targets.is_empty() {
            hover.push_str(&format!(" → {}", targets.join(", ")));
        }
        let clauses = clauses_text(&r.clauses);
        if !clauses.is_empty() {
            hover.push('\n');
            hover.push_str(&clauses);
        }
        index.symbols.push(symbol(
            &r.name,
            Kind::Rule,
            module,
            Some(&d.name.node),
            r.span,
            hover,
        ));
    }
}

fn type_ref(ty: &TypeExpr) -> Pending {
    match ty {
        TypeExpr::Named(name) | TypeExpr::SetOf(name) => named(name, TYPES),
    }
}

fn clause_refs(clauses: &ast::Clauses, pending: &mut dyn FnMut(Pending)) {
    for e in &clauses.when {
        expr_refs(e, pending);
    }
    for cite in &clauses.cites {
        pending(named(&cite.source, SOURCES));
    }
    for q in &clauses.qualified_by {
        for rule in q {
            pending(named(rule, RULES));
        }
    }
}

fn expr_refs(expr: &ast::Expr, pending: &mut dyn FnMut(Pending)) {
    match &expr.node {
        ExprKind::Path(segments) => pending(Pending::Path(
            segments.iter().map(|s| (s.node.clone(), s.span)).collect(),
        )),
        ExprKind::Set(items) => {
            for e in items {
                expr_refs(e, pending);
            }
        }
        ExprKind::Unary(_, e) => expr_refs(e, pending),
        ExprKind::Binary(_, a, b) => {
            expr_refs(a, pending);
            expr_refs(b, pending);
        }
        ExprKind::If(c, a, b) => {
            expr_refs(c, pending);
            expr_refs(a, pending);
            expr_refs(b, pending);
        }
        ExprKind::Call(_, args) => {
            for e in args {
                expr_refs(e, pending);
            }
        }
        ExprKind::Lookup(table, keys, _) | ExprKind::Exists(table, keys) => {
            pending(named(table, TABLES));
            for e in keys {
                expr_refs(e, pending);
            }
        }
        ExprKind::Bool(_)
        | ExprKind::Integer(_)
        | ExprKind::Decimal(_)
        | ExprKind::Money(..)
        | ExprKind::Date(_)
        | ExprKind::Duration(..)
        | ExprKind::Text(_)
        | ExprKind::AsOf => {}
    }
}
