//! pest pairs → syntax tree: one small converter per grammar rule.
//!
//! Each converter reads its pair's span once, at the top, then walks the
//! pair's children with a [`Children`] cursor. The cursor never panics: when
//! the parse tree does not have the shape the grammar promises, it returns
//! [`ParseError::Internal`] ("grammar and AST builder disagree"), and a test
//! parses every prefix of a valid policy to check that this never happens.
//!
//! Invalid literals (the date `2002-02-30`) do not stop the walk: the
//! [`Builder`] records the error, substitutes a placeholder and goes on, so
//! one parse reports every bad literal in the file.
//!
//! Spans: a declaration, rule, default, row or test spans its whole text; a
//! tail clause kept as `Spanned` (`provenance`, `from`, `until`, `may`,
//! `note`) spans the clause including its keyword; a `cite` pinpoint spans its
//! string; a name spans the name.

use jiff::civil::Date;
use pest::iterators::{Pair, Pairs};

use super::error::ParseError;
use super::grammar::{is_keyword_marker, Rule};
use super::literal;
use crate::ast::{
    Cite, Clauses, DefaultDecl, Definition, EnumDecl, Expr, FactDecl, Field, Ident, Item, Locator,
    LocatorKind, May, Module, PinPart, Provenance, RecordDecl, Rule as AstRule, RuleKind,
    SettingDecl, SourceDecl, SourceKind, TableDecl, TableRow, TestDecl, TypeExpr, Variant,
};
use crate::source::{SourceFile, Span, Spanned};

/// Builds the syntax tree of one file and collects literal errors on the way.
pub(crate) struct Builder<'f> {
    /// The file being built; spans point into it.
    pub(crate) file: &'f SourceFile,
    /// Errors that did not stop the walk (invalid literals, duplicates).
    pub(crate) errors: Vec<ParseError>,
}

impl<'f> Builder<'f> {
    /// A builder for `file`.
    pub(crate) fn new(file: &'f SourceFile) -> Self {
        Builder {
            file,
            errors: Vec::new(),
        }
    }

    /// The span of a pair in this file.
    pub(crate) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(self.file.id, span.start(), span.end())
    }

    /// The children of `pair`, without keyword markers.
    pub(crate) fn children<'i>(&self, pair: Pair<'i, Rule>) -> Children<'i> {
        Children {
            parent: pair.as_rule(),
            span: self.span(&pair),
            inner: pair.into_inner(),
        }
    }

    /// Keeps the value of a literal, or records its error and uses `fallback`
    /// so that the walk goes on. Internal errors still stop the walk.
    pub(crate) fn recover<T>(
        &mut self,
        result: Result<T, ParseError>,
        fallback: T,
    ) -> Result<T, ParseError> {
        match result {
            Ok(value) => Ok(value),
            Err(error @ ParseError::Internal { .. }) => Err(error),
            Err(error) => {
                self.errors.push(error);
                Ok(fallback)
            }
        }
    }
}

/// A cursor over the children of one pair that skips keyword markers and
/// turns every surprise into [`ParseError::Internal`].
pub(crate) struct Children<'i> {
    parent: Rule,
    span: Span,
    inner: Pairs<'i, Rule>,
}

impl<'i> Iterator for Children<'i> {
    type Item = Pair<'i, Rule>;

    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner
            .by_ref()
            .find(|pair| !is_keyword_marker(pair.as_rule()))
    }
}

impl<'i> Children<'i> {
    /// The next child if it is a `rule`, else nothing (the child stays).
    pub(crate) fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        while self
            .inner
            .peek()
            .is_some_and(|pair| is_keyword_marker(pair.as_rule()))
        {
            self.inner.next();
        }
        if self.inner.peek()?.as_rule() == rule {
            self.inner.next()
        } else {
            None
        }
    }

    /// The next child, which the grammar says must be a `rule`.
    pub(crate) fn required(&mut self, rule: Rule) -> Result<Pair<'i, Rule>, ParseError> {
        match self.next() {
            Some(pair) if pair.as_rule() == rule => Ok(pair),
            Some(pair) => {
                Err(self.disagree(format!("expected `{rule:?}`, found `{:?}`", pair.as_rule())))
            }
            None => Err(self.disagree(format!("missing `{rule:?}`"))),
        }
    }

    /// The next child, whatever its rule, which the grammar says is there.
    pub(crate) fn any(&mut self) -> Result<Pair<'i, Rule>, ParseError> {
        match self.next() {
            Some(pair) => Ok(pair),
            None => Err(self.disagree("missing a child".to_owned())),
        }
    }

    /// An internal error about this pair.
    pub(crate) fn disagree(&self, detail: String) -> ParseError {
        ParseError::Internal {
            span: self.span,
            detail: format!("`{:?}`: {detail}", self.parent),
        }
    }
}

/// An internal error for a pair whose rule the caller did not expect.
pub(crate) fn unexpected(b: &Builder<'_>, pair: &Pair<'_, Rule>, context: &str) -> ParseError {
    ParseError::Internal {
        span: b.span(pair),
        detail: format!("`{context}`: unexpected `{:?}`", pair.as_rule()),
    }
}

// ------------------------------------------------------------ top level ----

/// `file`: the whole module.
pub(crate) fn file(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Module, ParseError> {
    let children = b.children(pair);
    let mut items = Vec::new();
    for child in children {
        let item = match child.as_rule() {
            Rule::EOI => break,
            Rule::use_decl => Item::Use(use_decl(b, child)?),
            Rule::source_decl => Item::Source(source_decl(b, child)?),
            Rule::enum_decl => Item::Enum(enum_decl(b, child)?),
            Rule::record_decl => Item::Record(record_decl(b, child)?),
            Rule::fact_decl => Item::Fact(fact_decl(b, child)?),
            Rule::setting_decl => Item::Setting(Box::new(setting_decl(b, child)?)),
            Rule::table_decl => Item::Table(table_decl(b, child)?),
            Rule::definition => Item::Definition(definition(b, child)?),
            Rule::test_decl => Item::Test(test_decl(b, child)?),
            _ => return Err(unexpected(b, &child, "file")),
        };
        items.push(item);
    }
    Ok(Module {
        name: b.file.module.clone(),
        items,
    })
}

/// `use a.b`: the module name as one identifier.
fn use_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Ident, ParseError> {
    let mut children = b.children(pair);
    let path = children.required(Rule::path)?;
    Ok(Spanned::new(path.as_str().to_owned(), b.span(&path)))
}

fn source_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<SourceDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let kind = source_kind(b, children.required(Rule::source_kind)?)?;
    let title = string(b, children.required(Rule::string)?)?.node;
    let note = match children.next_if(Rule::note_clause) {
        Some(note) => Some(note_clause(b, note)?.node),
        None => None,
    };
    Ok(SourceDecl {
        name,
        kind,
        title,
        note,
        span,
    })
}

fn source_kind(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<SourceKind, ParseError> {
    Ok(match pair.as_str() {
        "constitution" => SourceKind::Constitution,
        "statute" => SourceKind::Statute,
        "decree" => SourceKind::Decree,
        "treaty" => SourceKind::Treaty,
        "custom" => SourceKind::Custom,
        "guidance" => SourceKind::Guidance,
        "case_law" => SourceKind::CaseLaw,
        "report" => SourceKind::Report,
        "seed" => SourceKind::Seed,
        _ => return Err(unexpected(b, &pair, "source_kind")),
    })
}

fn enum_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<EnumDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let label = optional_label(b, &mut children)?;
    let mut variants = Vec::new();
    for child in children {
        match child.as_rule() {
            Rule::variant => variants.push(variant(b, child)?),
            _ => return Err(unexpected(b, &child, "enum_decl")),
        }
    }
    Ok(EnumDecl {
        name,
        label,
        variants,
        span,
    })
}

fn variant(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Variant, ParseError> {
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let label = optional_label(b, &mut children)?;
    Ok(Variant { name, label })
}

/// `label`, if the next child is one.
fn optional_label(
    b: &mut Builder<'_>,
    children: &mut Children<'_>,
) -> Result<Option<String>, ParseError> {
    match children.next_if(Rule::label) {
        Some(pair) => {
            let mut inner = b.children(pair);
            Ok(Some(string(b, inner.required(Rule::string)?)?.node))
        }
        None => Ok(None),
    }
}

fn record_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<RecordDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let label = optional_label(b, &mut children)?;
    let mut fields = Vec::new();
    for child in children {
        match child.as_rule() {
            Rule::field => fields.push(field(b, child)?),
            _ => return Err(unexpected(b, &child, "record_decl")),
        }
    }
    Ok(RecordDecl {
        name,
        label,
        fields,
        span,
    })
}

fn field(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Field, ParseError> {
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    let label = optional_label(b, &mut children)?;
    Ok(Field { name, ty, label })
}

fn type_expr(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<TypeExpr, ParseError> {
    let mut children = b.children(pair);
    let inner = children.any()?;
    let rule = inner.as_rule();
    let mut inner_children = b.children(inner);
    let name = ident(b, inner_children.required(Rule::ident)?);
    match rule {
        Rule::set_type => Ok(TypeExpr::SetOf(name)),
        Rule::named_type => Ok(TypeExpr::Named(name)),
        _ => Err(children.disagree(format!("unexpected `{rule:?}`"))),
    }
}

fn fact_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<FactDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    let label = optional_label(b, &mut children)?;
    Ok(FactDecl {
        name,
        ty,
        label,
        span,
    })
}

fn setting_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<SettingDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    let value = super::expr::expr(b, children.required(Rule::expr)?)?;
    let label = optional_label(b, &mut children)?;
    let clauses = clauses(b, children)?;
    Ok(SettingDecl {
        name,
        ty,
        value,
        label,
        clauses,
        span,
    })
}

// ------------------------------------------------------------- tables ----

fn table_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<TableDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let label = optional_label(b, &mut children)?;
    let mut table = TableDecl {
        name,
        label,
        keys: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        span,
    };
    for child in children {
        match child.as_rule() {
            Rule::table_key => table.keys.push(table_key(b, child)?),
            Rule::table_column => table.columns.push(table_column(b, child)?),
            Rule::table_row => table.rows.push(table_row(b, child)?),
            _ => return Err(unexpected(b, &child, "table_decl")),
        }
    }
    Ok(table)
}

fn table_key(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<(Ident, TypeExpr), ParseError> {
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    Ok((name, ty))
}

fn table_column(
    b: &mut Builder<'_>,
    pair: Pair<'_, Rule>,
) -> Result<(Ident, TypeExpr, Option<String>), ParseError> {
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    let label = optional_label(b, &mut children)?;
    Ok((name, ty, label))
}

fn table_row(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<TableRow, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let keys = super::expr::expr_list(b, children.required(Rule::expr_list)?)?;
    let cells = match children.next_if(Rule::row_cells) {
        Some(cells) => row_cells(b, cells)?,
        None => Vec::new(),
    };
    let clauses = clauses(b, children)?;
    Ok(TableRow {
        keys,
        cells,
        clauses,
        span,
    })
}

fn row_cells(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Vec<(Ident, Expr)>, ParseError> {
    let children = b.children(pair);
    let mut cells = Vec::new();
    for cell in children {
        if cell.as_rule() != Rule::row_cell {
            return Err(unexpected(b, &cell, "row_cells"));
        }
        let mut inner = b.children(cell);
        let name = ident(b, inner.required(Rule::ident)?);
        let value = super::expr::expr(b, inner.required(Rule::expr)?)?;
        cells.push((name, value));
    }
    Ok(cells)
}

// -------------------------------------------------------- definitions ----

fn definition(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Definition, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let kind = children.required(Rule::def_kind)?;
    let is_verdict = match kind.as_str() {
        "verdict" => true,
        "definition" => false,
        _ => return Err(unexpected(b, &kind, "def_kind")),
    };
    let name = ident(b, children.required(Rule::ident)?);
    let ty = type_expr(b, children.required(Rule::type_expr)?)?;
    let label = optional_label(b, &mut children)?;
    let mut definition = Definition {
        is_verdict,
        name,
        ty,
        label,
        defaults: Vec::new(),
        rules: Vec::new(),
        span,
    };
    for child in children {
        match child.as_rule() {
            Rule::default_decl => definition.defaults.push(default_decl(b, child)?),
            Rule::rule_decl => definition.rules.push(rule_decl(b, child)?),
            _ => return Err(unexpected(b, &child, "definition")),
        }
    }
    Ok(definition)
}

fn default_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<DefaultDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let value = super::expr::expr(b, children.required(Rule::expr)?)?;
    let clauses = clauses(b, children)?;
    Ok(DefaultDecl {
        value,
        clauses,
        span,
    })
}

fn rule_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<AstRule, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let absolute = children.next_if(Rule::absolute).is_some();
    let head = children.any()?;
    let (name, kind) = match head.as_rule() {
        Rule::base_head => {
            let mut inner = b.children(head);
            (ident(b, inner.required(Rule::ident)?), RuleKind::Base)
        }
        Rule::exception_head => exception_head(b, head)?,
        _ => return Err(unexpected(b, &head, "rule_decl")),
    };
    let value = match children.next_if(Rule::rule_effect) {
        Some(effect) => {
            let mut inner = b.children(effect);
            Some(super::expr::expr(b, inner.required(Rule::expr)?)?)
        }
        None => None,
    };
    let clauses = clauses(b, children)?;
    Ok(AstRule {
        absolute,
        name,
        kind,
        value,
        clauses,
        span,
    })
}

fn exception_head(
    b: &mut Builder<'_>,
    pair: Pair<'_, Rule>,
) -> Result<(Ident, RuleKind), ParseError> {
    let mut children = b.children(pair);
    let name = ident(b, children.required(Rule::ident)?);
    let mode = children.required(Rule::exception_mode)?;
    let targets = ident_list(b, children.required(Rule::ident_list)?)?;
    let kind = match mode.as_str() {
        "overrides" => RuleKind::Overrides(targets),
        "lifts" => RuleKind::Lifts(targets),
        _ => return Err(unexpected(b, &mode, "exception_mode")),
    };
    Ok((name, kind))
}

fn ident_list(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Vec<Ident>, ParseError> {
    let children = b.children(pair);
    let mut names = Vec::new();
    for child in children {
        if child.as_rule() != Rule::ident {
            return Err(unexpected(b, &child, "ident_list"));
        }
        names.push(ident(b, child));
    }
    Ok(names)
}

// ---------------------------------------------------------- pinpoints ----

/// `art 9(1) item 5 "remark", art 20`: the parts of a pinpoint.
fn pinpoint(
    b: &mut Builder<'_>,
    pair: Pair<'_, Rule>,
) -> Result<Spanned<Vec<PinPart>>, ParseError> {
    // A rule's span may run over the whitespace pest skipped looking for an
    // optional element that was not there; spans end at the last child.
    let mut span = b.span(&pair);
    let mut parts = Vec::new();
    for part in b.children(pair) {
        if part.as_rule() != Rule::pin_part {
            return Err(unexpected(b, &part, "pinpoint"));
        }
        let mut part_span = b.span(&part);
        let mut end = part_span.start;
        let mut locators = Vec::new();
        let mut remark = None;
        for child in b.children(part) {
            if child.as_rule() == Rule::string {
                let text = string(b, child)?;
                end = end.max(text.span.end);
                remark = Some(text);
            } else {
                let locator = locator(b, child)?;
                end = end.max(locator.span.end);
                locators.push(locator);
            }
        }
        part_span.end = end;
        span.end = end;
        parts.push(PinPart {
            reference: None,
            locators,
            remark,
            span: part_span,
        });
    }
    Ok(Spanned::new(parts, span))
}

/// One locator: `art 9(1)`, `line 35..39`, `section "…"`.
fn locator(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Locator, ParseError> {
    let span = b.span(&pair);
    let kind = match pair.as_rule() {
        Rule::pin_article => LocatorKind::Article,
        Rule::pin_paragraph => LocatorKind::Paragraph,
        Rule::pin_item => LocatorKind::Item,
        Rule::pin_section => LocatorKind::Section,
        Rule::pin_footnote => LocatorKind::Footnote,
        Rule::pin_line => LocatorKind::Line,
        _ => return Err(unexpected(b, &pair, "pin_part")),
    };
    let mut children = b.children(pair);
    let first = children.any()?;
    let from = match first.as_rule() {
        Rule::string => string(b, first)?,
        Rule::pin_no => Spanned::new(first.as_str().to_owned(), b.span(&first)),
        _ => return Err(unexpected(b, &first, "locator")),
    };
    let mut to = None;
    let mut paragraph = None;
    let mut span = span;
    span.end = from.span.end;
    for child in children {
        span.end = span.end.max(b.span(&child).end);
        match child.as_rule() {
            Rule::pin_to => to = Some(range_end(b, child)?),
            Rule::pin_subpara => {
                let mut inner = b.children(child);
                let no = inner.required(Rule::pin_no)?;
                let no = Spanned::new(no.as_str().to_owned(), b.span(&no));
                let end = match inner.next_if(Rule::pin_to) {
                    Some(p) => Some(range_end(b, p)?),
                    None => None,
                };
                paragraph = Some((no, end));
            }
            _ => return Err(unexpected(b, &child, "locator")),
        }
    }
    Ok(Locator {
        kind,
        from,
        to,
        paragraph,
        span,
    })
}

/// `..9`: the end of a range.
fn range_end(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Spanned<String>, ParseError> {
    let no = b.children(pair).required(Rule::pin_no)?;
    Ok(Spanned::new(no.as_str().to_owned(), b.span(&no)))
}

// ------------------------------------------------------------ clauses ----

/// The tail clauses that remain in `children`, in any order.
fn clauses(b: &mut Builder<'_>, children: Children<'_>) -> Result<Clauses, ParseError> {
    let mut clauses = Clauses::default();
    for clause in children {
        let span = b.span(&clause);
        let rule = clause.as_rule();
        let mut inner = b.children(clause);
        match rule {
            Rule::when_clause => {
                let condition = super::expr::expr(b, inner.required(Rule::expr)?)?;
                clauses.when.push(condition);
            }
            Rule::cite_clause => {
                let source = ident(b, inner.required(Rule::ident)?);
                let pinpoint = match inner.next() {
                    Some(p) if p.as_rule() == Rule::pinpoint => pinpoint(b, p)?,
                    Some(p) if p.as_rule() == Rule::reference => {
                        let mut strings = b.children(p);
                        let reference = string(b, strings.required(Rule::string)?)?;
                        let remark = match strings.next_if(Rule::string) {
                            Some(r) => Some(string(b, r)?),
                            None => None,
                        };
                        let span = remark
                            .as_ref()
                            .map_or(reference.span, |r| reference.span.to(r.span));
                        let part = PinPart {
                            reference: Some(reference),
                            locators: Vec::new(),
                            remark,
                            span,
                        };
                        Spanned::new(vec![part], span)
                    }
                    Some(p) => return Err(unexpected(b, &p, "cite_clause")),
                    None => return Err(inner.disagree("missing the pinpoint".to_owned())),
                };
                clauses.cites.push(Cite { source, pinpoint });
            }
            Rule::provenance_clause => {
                let kind = provenance_kind(b, inner.required(Rule::provenance_kind)?)?;
                clauses.provenance.push(Spanned::new(kind, span));
            }
            Rule::from_clause => {
                let date = date(b, inner.required(Rule::date)?)?;
                clauses.from.push(Spanned::new(date, span));
            }
            Rule::until_clause => {
                let date = date(b, inner.required(Rule::date)?)?;
                clauses.until.push(Spanned::new(date, span));
            }
            Rule::may_clause => {
                let permits = string(b, inner.required(Rule::string)?)?.node;
                let holder = string(b, inner.required(Rule::string)?)?.node;
                clauses
                    .may
                    .push(Spanned::new(May { permits, holder }, span));
            }
            Rule::qualified_clause => {
                let names = ident_list(b, inner.required(Rule::ident_list)?)?;
                clauses.qualified_by.push(names);
            }
            Rule::note_clause => {
                let text = string(b, inner.required(Rule::string)?)?.node;
                clauses.notes.push(Spanned::new(text, span));
            }
            Rule::accept_clause => {
                let kind_pair = inner.required(Rule::accept_kind)?;
                let kind = match kind_pair.as_str() {
                    "overlap" => crate::ir::AcceptKind::Overlap,
                    "gap" => crate::ir::AcceptKind::Gap,
                    "dead" => crate::ir::AcceptKind::Dead,
                    "window" => crate::ir::AcceptKind::Window,
                    _ => return Err(unexpected(b, &kind_pair, "accept_kind")),
                };
                let with = match inner.next_if(Rule::ident_list) {
                    Some(list) => ident_list(b, list)?,
                    None => Vec::new(),
                };
                let reason = string(b, inner.required(Rule::string)?)?.node;
                clauses.accepts.push(crate::ast::Accept {
                    kind,
                    with,
                    reason,
                    span,
                });
            }
            _ => {
                return Err(ParseError::Internal {
                    span,
                    detail: format!("`clauses`: unexpected `{rule:?}`"),
                })
            }
        }
    }
    Ok(clauses)
}

fn provenance_kind(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Provenance, ParseError> {
    Ok(match pair.as_str() {
        "seed" => Provenance::Seed,
        "text" => Provenance::Text,
        "published" => Provenance::Published,
        "unverified" => Provenance::Unverified,
        "reading" => Provenance::Reading,
        _ => return Err(unexpected(b, &pair, "provenance_kind")),
    })
}

/// `note "…"` (also the note of a `source`), spanning the whole clause.
fn note_clause(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Spanned<String>, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let text = string(b, children.required(Rule::string)?)?.node;
    Ok(Spanned::new(text, span))
}

// -------------------------------------------------------------- tests ----

fn test_decl(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<TestDecl, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let name = string(b, children.required(Rule::string)?)?;
    let mut test = TestDecl {
        name,
        as_of: None,
        given: Vec::new(),
        exercise: Vec::new(),
        expect: Vec::new(),
        span,
    };
    for stmt in children {
        let stmt_span = b.span(&stmt);
        let rule = stmt.as_rule();
        let mut inner = b.children(stmt);
        match rule {
            Rule::test_as_of => {
                let date = date(b, inner.required(Rule::date)?)?;
                if let Some(first) = &test.as_of {
                    b.errors.push(ParseError::Duplicate {
                        span: stmt_span,
                        first: first.span,
                        what: format!("`as_of` of test `{}`", test.name.node),
                    });
                } else {
                    test.as_of = Some(Spanned::new(date, stmt_span));
                }
            }
            Rule::test_given => {
                let path = inner.required(Rule::path)?;
                let path_span = b.span(&path);
                let segments = path.as_str().split('.').map(str::to_owned).collect();
                let value = super::expr::expr(b, inner.required(Rule::expr)?)?;
                test.given.push((Spanned::new(segments, path_span), value));
            }
            Rule::test_exercise => {
                let name = ident(b, inner.required(Rule::ident)?);
                let value = super::expr::expr(b, inner.required(Rule::expr)?)?;
                test.exercise.push((name, value));
            }
            Rule::test_expect => {
                let name = ident(b, inner.required(Rule::ident)?);
                let value = inner.any()?;
                let value = match value.as_rule() {
                    Rule::undetermined => None,
                    Rule::expr => Some(super::expr::expr(b, value)?),
                    _ => return Err(unexpected(b, &value, "test_expect")),
                };
                test.expect.push((name, value));
            }
            _ => {
                return Err(ParseError::Internal {
                    span: stmt_span,
                    detail: format!("`test_decl`: unexpected `{rule:?}`"),
                })
            }
        }
    }
    Ok(test)
}

// ------------------------------------------------------------- leaves ----

/// `ident`: the name and its span.
pub(crate) fn ident(b: &Builder<'_>, pair: Pair<'_, Rule>) -> Ident {
    Spanned::new(pair.as_str().to_owned(), b.span(&pair))
}

/// `string`: the unescaped text, spanning the quotes.
pub(crate) fn string(
    b: &mut Builder<'_>,
    pair: Pair<'_, Rule>,
) -> Result<Spanned<String>, ParseError> {
    let span = b.span(&pair);
    let mut children = b.children(pair);
    let body = children.required(Rule::string_body)?;
    let body_start = body.as_span().start();
    let text = literal::string(body.as_str(), span, body_start);
    let text = b.recover(text, String::new())?;
    Ok(Spanned::new(text, span))
}

/// `date`: a calendar date (a placeholder after an error).
pub(crate) fn date(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Date, ParseError> {
    let span = b.span(&pair);
    b.recover(literal::date(pair.as_str(), span), Date::default())
}
