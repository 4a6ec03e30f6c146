//! Resolving and typing expressions: AST expressions → IR expressions.
//!
//! Typing is bidirectional in one small way: an *expected* type flows into a
//! bare enum value (`protected`), a set literal and an integer literal, so a
//! drafter writes `default not_protected` rather than `Protection.not_protected`.

use super::declare::{Context, Decl};
use super::error::CheckError;
use crate::ast::{self, BinaryOp, ExprKind as A, UnaryOp};
use crate::ir::{ArithOp, Builtin, CmpOp, DefId, Expr, ExprKind as I, Type};
use crate::source::Span;
use crate::suggest::did_you_mean_help;
use crate::value::{Duration, Money, Value};
use rust_decimal::Decimal;

/// `1 key`, `2 keys`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn is_numeric(t: Type) -> bool {
    matches!(t, Type::Integer | Type::Decimal)
}

fn is_ordered(t: Type) -> bool {
    matches!(
        t,
        Type::Integer | Type::Decimal | Type::Money | Type::Date | Type::Duration
    )
}

impl Context {
    fn type_name(&self, t: Type) -> String {
        let name = self.program.type_name(t);
        match t {
            Type::Enum(_) => format!("a `{name}` value"),
            Type::Set(_) | Type::Record(_) => format!("a `{name}`"),
            Type::Integer => "an integer".into(),
            Type::Money => "an amount of money".into(),
            Type::Text => "text".into(),
            _ => format!("a {name}"),
        }
    }

    /// Reports a mismatch unless `expr` has type `ty` (an integer is accepted
    /// where a decimal is expected).
    pub(crate) fn expect_type(&mut self, expr: &Expr, ty: Type) -> bool {
        if expr.ty == ty || (expr.ty == Type::Integer && ty == Type::Decimal) {
            return true;
        }
        let help = match (expr.ty, ty) {
            (Type::Integer | Type::Decimal, Type::Money) => {
                Some("write money with its currency, for example `KRW 1_000_000`".to_string())
            }
            (_, Type::Enum(e)) => {
                let values: Vec<String> = self
                    .program
                    .enums
                    .get(e.index())
                    .map(|e| e.variants.iter().map(|v| format!("`{}`", v.0)).collect())
                    .unwrap_or_default();
                let quoted = if expr.ty == Type::Text {
                    "write the value without quotes: "
                } else {
                    ""
                };
                Some(format!("{quoted}the values are {}", values.join(", ")))
            }
            (Type::Bool, _) | (_, Type::Bool) if ty == Type::Bool => Some(
                "conditions must be true or false: compare the value, for example `x == …`"
                    .to_string(),
            ),
            _ => None,
        };
        self.error(CheckError::TypeMismatch {
            expected: self.type_name(ty),
            found: self.type_name(expr.ty),
            span: expr.span,
            help,
        });
        false
    }

    /// Lowers an expression read from definition `current` (if any).
    pub(crate) fn lower_expr(
        &mut self,
        module: &str,
        current: Option<DefId>,
        expr: &ast::Expr,
        expected: Option<Type>,
    ) -> Option<Expr> {
        let span = expr.span;
        let mk = |kind, ty| Some(Expr { kind, ty, span });
        match &expr.node {
            A::Bool(b) => mk(I::Const(Value::Bool(*b)), Type::Bool),
            A::Integer(i) => {
                if expected == Some(Type::Decimal) {
                    mk(I::Const(Value::Decimal(Decimal::from(*i))), Type::Decimal)
                } else {
                    mk(I::Const(Value::Integer(*i)), Type::Integer)
                }
            }
            A::Decimal(d) => mk(I::Const(Value::Decimal(*d)), Type::Decimal),
            A::Money(amount, currency) => {
                if let Some(problem) = crate::currency::problem(currency) {
                    self.error(CheckError::UnknownName {
                        kind: "currency",
                        name: currency.clone(),
                        span,
                        help: Some(problem),
                    });
                }
                let bytes = currency.as_bytes();
                let code = [
                    bytes.first().copied().unwrap_or(b'?'),
                    bytes.get(1).copied().unwrap_or(b'?'),
                    bytes.get(2).copied().unwrap_or(b'?'),
                ];
                mk(
                    I::Const(Value::Money(Money {
                        amount: *amount,
                        currency: code,
                    })),
                    Type::Money,
                )
            }
            A::Date(d) => mk(I::Const(Value::Date(*d)), Type::Date),
            A::Duration(n, unit) => {
                let d = match unit {
                    ast::DurationUnit::Days => Duration {
                        months: 0,
                        days: *n,
                    },
                    ast::DurationUnit::Weeks => Duration {
                        months: 0,
                        days: n.saturating_mul(7),
                    },
                    ast::DurationUnit::Months => Duration {
                        months: *n,
                        days: 0,
                    },
                    ast::DurationUnit::Years => Duration {
                        months: n.saturating_mul(12),
                        days: 0,
                    },
                };
                mk(I::Const(Value::Duration(d)), Type::Duration)
            }
            A::Text(t) => mk(I::Const(Value::Text(t.as_str().into())), Type::Text),
            A::AsOf => mk(I::AsOf, Type::Date),
            A::Path(segments) => self.lower_path(module, current, segments, span, expected),
            A::Set(items) => {
                let elem = match expected {
                    Some(Type::Set(e)) => Some(e),
                    _ => None,
                };
                let mut elem = elem;
                let mut lowered = Vec::new();
                for item in items {
                    let e = self.lower_expr(module, current, item, elem.map(Type::Enum))?;
                    match (elem, e.ty) {
                        (None, Type::Enum(id)) => elem = Some(id),
                        (Some(id), _) => {
                            self.expect_type(&e, Type::Enum(id));
                        }
                        (None, _) => {
                            self.error(CheckError::TypeMismatch {
                                expected: "an enum value".into(),
                                found: self.type_name(e.ty),
                                span: e.span,
                                help: Some("sets hold values of one enum".into()),
                            });
                            return None;
                        }
                    }
                    lowered.push(e);
                }
                match elem {
                    Some(e) => mk(I::Set(lowered), Type::Set(e)),
                    None => {
                        self.error(CheckError::UnknownSetType { span });
                        None
                    }
                }
            }
            A::Unary(UnaryOp::Not, inner) => {
                let e = self.lower_expr(module, current, inner, Some(Type::Bool))?;
                self.expect_type(&e, Type::Bool);
                mk(I::Not(Box::new(e)), Type::Bool)
            }
            A::Unary(UnaryOp::Neg, inner) => {
                let e = self.lower_expr(module, current, inner, expected)?;
                if !matches!(
                    e.ty,
                    Type::Integer | Type::Decimal | Type::Money | Type::Duration
                ) {
                    self.error(CheckError::TypeMismatch {
                        expected: "a number, money or a duration".into(),
                        found: self.type_name(e.ty),
                        span: e.span,
                        help: None,
                    });
                    return None;
                }
                let ty = e.ty;
                mk(I::Neg(Box::new(e)), ty)
            }
            A::Binary(op, left, right) => {
                self.lower_binary(module, current, *op, left, right, span, expected)
            }
            A::If(c, a, b) => {
                let c = self.lower_expr(module, current, c, Some(Type::Bool))?;
                self.expect_type(&c, Type::Bool);
                let a = self.lower_expr(module, current, a, expected)?;
                let b = self.lower_expr(module, current, b, expected.or(Some(a.ty)))?;
                let ty = if a.ty == Type::Integer && b.ty == Type::Decimal {
                    Type::Decimal
                } else {
                    a.ty
                };
                self.expect_type(&b, ty);
                mk(I::If(Box::new(c), Box::new(a), Box::new(b)), ty)
            }
            A::Call(name, args) => self.lower_call(module, current, name, args, span, expected),
            A::Lookup(table, keys, column) => {
                let (id, keys) = self.lower_table_keys(module, current, table, keys, span)?;
                let Some(column) = column else {
                    self.error(CheckError::TypeMismatch {
                        expected: "a column".into(),
                        found: "a table row".into(),
                        span,
                        help: Some(format!(
                            "read a column (`{}[…].COLUMN`) or test the row with `exists`",
                            table.node
                        )),
                    });
                    return None;
                };
                let columns = self
                    .program
                    .tables
                    .get(id.index())
                    .map(|t| t.columns.clone())
                    .unwrap_or_default();
                match columns.iter().position(|(c, _, _)| *c == column.node) {
                    Some(i) => {
                        let ty = columns.get(i).map_or(Type::Bool, |c| c.1);
                        mk(I::Lookup(id, keys, i), ty)
                    }
                    None => {
                        let help =
                            did_you_mean_help(&column.node, columns.iter().map(|c| c.0.as_str()));
                        self.error(CheckError::UnknownName {
                            kind: "column",
                            name: column.node.clone(),
                            span: column.span,
                            help,
                        });
                        None
                    }
                }
            }
            A::Exists(table, keys) => {
                let (id, keys) = self.lower_table_keys(module, current, table, keys, span)?;
                mk(I::Exists(id, keys), Type::Bool)
            }
        }
    }

    fn lower_table_keys(
        &mut self,
        module: &str,
        current: Option<DefId>,
        table: &ast::Ident,
        keys: &[ast::Expr],
        span: Span,
    ) -> Option<(crate::ir::TableId, Vec<Expr>)> {
        let Decl::Table(id) =
            self.lookup(module, table, "table", |d| matches!(d, Decl::Table(_)))?
        else {
            return None;
        };
        let key_types: Vec<Type> = self
            .program
            .tables
            .get(id.index())
            .map(|t| t.keys.iter().map(|k| k.1).collect())
            .unwrap_or_default();
        if key_types.len() != keys.len() {
            let key_names: Vec<String> = self
                .program
                .tables
                .get(id.index())
                .map(|t| t.keys.iter().map(|k| format!("`{}`", k.0)).collect())
                .unwrap_or_default();
            self.error(CheckError::Arity {
                name: table.node.clone(),
                expected: plural(key_types.len(), "key"),
                found: keys.len(),
                span,
                help: format!(
                    "give one value for each key of `{}`, in order: {}",
                    table.node,
                    key_names.join(", ")
                ),
            });
            return None;
        }
        let mut lowered = Vec::new();
        for (k, ty) in keys.iter().zip(key_types) {
            let e = self.lower_expr(module, current, k, Some(ty))?;
            self.expect_type(&e, ty);
            lowered.push(e);
        }
        Some((id, lowered))
    }

    /// "`State` has the values `china`, `laos`": help where an enum value
    /// is unknown and none is close.
    fn enum_values_help(&self, e: crate::ir::EnumId) -> Option<String> {
        let e = self.program.enums.get(e.index())?;
        let names: Vec<String> = e.variants.iter().map(|v| v.0.clone()).collect();
        Some(format!(
            "`{}` has the values {}",
            e.name,
            super::declare::list(names.iter())
        ))
    }

    fn variant_candidates(&self) -> Vec<String> {
        self.program
            .enums
            .iter()
            .flat_map(|e| e.variants.iter().map(|v| v.0.clone()))
            .collect()
    }

    fn lower_path(
        &mut self,
        module: &str,
        current: Option<DefId>,
        segments: &[ast::Ident],
        span: Span,
        expected: Option<Type>,
    ) -> Option<Expr> {
        let first = segments.first()?;
        let mk = |kind, ty| Some(Expr { kind, ty, span });
        // A bare value of the expected enum wins over everything else.
        if segments.len() == 1 {
            if let Some(Type::Enum(e) | Type::Set(e)) = expected {
                if let Some(v) = self.variant_index(e, &first.node) {
                    return mk(I::Const(Value::Enum(e, v)), Type::Enum(e));
                }
            }
        }
        match self.names.get(&first.node).map(|e| e.decl) {
            Some(Decl::Fact(_)) | Some(Decl::Def(_)) => {}
            Some(Decl::Enum(e)) if segments.len() == 2 => {
                let variant = segments.get(1)?;
                return match self.variant_index(e, &variant.node) {
                    Some(v) => mk(I::Const(Value::Enum(e, v)), Type::Enum(e)),
                    None => {
                        let names: Vec<String> = self
                            .program
                            .enums
                            .get(e.index())
                            .map(|e| e.variants.iter().map(|v| v.0.clone()).collect())
                            .unwrap_or_default();
                        let help =
                            did_you_mean_help(&variant.node, names.iter().map(String::as_str))
                                .or_else(|| self.enum_values_help(e));
                        self.error(CheckError::UnknownName {
                            kind: "enum value",
                            name: variant.node.clone(),
                            span: variant.span,
                            help,
                        });
                        None
                    }
                };
            }
            Some(Decl::Enum(_)) if segments.len() > 2 => {
                let field = segments.get(2)?;
                self.error(CheckError::UnknownName {
                    kind: "field",
                    name: field.node.clone(),
                    span: field.span,
                    help: Some(format!(
                        "`{}.{}` is an enum value and has no fields",
                        first.node,
                        segments.get(1).map_or("", |s| s.node.as_str())
                    )),
                });
                return None;
            }
            None if segments.len() == 1 => {
                // A bare enum value with no expected type: unique across enums?
                let owners: Vec<(crate::ir::EnumId, u32)> = self
                    .program
                    .enums
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| {
                        let v = e.variants.iter().position(|v| v.0 == first.node)?;
                        Some((
                            crate::ir::EnumId(u32::try_from(i).ok()?),
                            u32::try_from(v).ok()?,
                        ))
                    })
                    .collect();
                match owners.as_slice() {
                    [(e, v)] => return mk(I::Const(Value::Enum(*e, *v)), Type::Enum(*e)),
                    [] => {}
                    many => {
                        let enums: Vec<String> = many
                            .iter()
                            .filter_map(|(e, _)| {
                                self.program
                                    .enums
                                    .get(e.index())
                                    .map(|e| format!("`{}`", e.name))
                            })
                            .collect();
                        let example = self
                            .program
                            .enums
                            .get(many.first().map_or(0, |(e, _)| e.index()))
                            .map_or(String::new(), |e| format!("{}.{}", e.name, first.node));
                        self.error(CheckError::AmbiguousVariant {
                            name: first.node.clone(),
                            enums: enums.join(", "),
                            example,
                            span: first.span,
                        });
                        return None;
                    }
                }
                let mut candidates: Vec<String> = self
                    .names
                    .iter()
                    .filter(|(_, e)| matches!(e.decl, Decl::Fact(_) | Decl::Def(_)))
                    .map(|(n, _)| n.clone())
                    .collect();
                candidates.extend(self.variant_candidates());
                let help = did_you_mean_help(&first.node, candidates.iter().map(String::as_str))
                    .or_else(|| {
                        // Far from every name, where an enum value is
                        // expected: list that enum's values.
                        let (Type::Enum(e) | Type::Set(e)) = expected? else {
                            return None;
                        };
                        self.enum_values_help(e)
                    });
                self.error(CheckError::UnknownName {
                    kind: "name",
                    name: first.node.clone(),
                    span: first.span,
                    help,
                });
                return None;
            }
            _ => {}
        }
        let decl = self.lookup(module, first, "fact or definition", |d| {
            matches!(d, Decl::Fact(_) | Decl::Def(_))
        })?;
        match decl {
            Decl::Def(id) => {
                if segments.len() > 1 {
                    self.error(CheckError::UnknownName {
                        kind: "field",
                        name: segments.get(1).map_or(String::new(), |s| s.node.clone()),
                        span,
                        help: Some(format!(
                            "`{}` is a definition and has no fields",
                            first.node
                        )),
                    });
                    return None;
                }
                self.defs_read.insert(id);
                if let Some(cur) = current {
                    self.def_edges.push((cur, id, span));
                }
                let ty = self
                    .program
                    .definitions
                    .get(id.index())
                    .map_or(Type::Bool, |d| d.ty);
                mk(I::Def(id), ty)
            }
            Decl::Fact(index) => {
                let root = self.program.fact_roots.get(index)?.clone();
                self.facts_read.insert(index);
                let mut ty = root.ty;
                let mut path = root.name.clone();
                for seg in segments.iter().skip(1) {
                    let Type::Record(r) = ty else {
                        self.error(CheckError::UnknownName {
                            kind: "field",
                            name: seg.node.clone(),
                            span: seg.span,
                            help: Some(format!(
                                "`{path}` is {} and has no fields",
                                self.type_name(ty)
                            )),
                        });
                        return None;
                    };
                    let fields = self
                        .program
                        .records
                        .get(r.index())
                        .map(|r| r.fields.clone())
                        .unwrap_or_default();
                    match fields.iter().find(|f| f.0 == seg.node) {
                        Some(f) => {
                            ty = f.1;
                            path = format!("{path}.{}", seg.node);
                        }
                        None => {
                            let help =
                                did_you_mean_help(&seg.node, fields.iter().map(|f| f.0.as_str()))
                                    .or_else(|| {
                                        Some(format!(
                                            "`{path}` has the fields {}",
                                            super::declare::list(fields.iter().map(|f| &f.0))
                                        ))
                                    });
                            self.error(CheckError::UnknownName {
                                kind: "field",
                                name: seg.node.clone(),
                                span: seg.span,
                                help,
                            });
                            return None;
                        }
                    }
                }
                if let Type::Record(r) = ty {
                    let fields = self
                        .program
                        .records
                        .get(r.index())
                        .map(|r| r.fields.clone())
                        .unwrap_or_default();
                    self.error(CheckError::RecordValue {
                        name: path.clone(),
                        span,
                        help: format!(
                            "read one of its fields: {}",
                            fields
                                .iter()
                                .map(|f| format!("`{path}.{}`", f.0))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                    return None;
                }
                let slot = *self.fact_paths.get(&path)?;
                mk(I::Fact(slot), ty)
            }
            _ => None,
        }
    }

    fn variant_index(&self, e: crate::ir::EnumId, name: &str) -> Option<u32> {
        self.program
            .enums
            .get(e.index())?
            .variants
            .iter()
            .position(|v| v.0 == name)
            .and_then(|i| u32::try_from(i).ok())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; the arguments are the expression's parts"
    )]
    fn lower_binary(
        &mut self,
        module: &str,
        current: Option<DefId>,
        op: BinaryOp,
        left: &ast::Expr,
        right: &ast::Expr,
        span: Span,
        expected: Option<Type>,
    ) -> Option<Expr> {
        let mk = |kind, ty| Some(Expr { kind, ty, span });
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.lower_expr(module, current, left, Some(Type::Bool));
                let r = self.lower_expr(module, current, right, Some(Type::Bool));
                let (l, r) = (l?, r?);
                self.expect_type(&l, Type::Bool);
                self.expect_type(&r, Type::Bool);
                let kind = if op == BinaryOp::And {
                    I::And(Box::new(l), Box::new(r))
                } else {
                    I::Or(Box::new(l), Box::new(r))
                };
                mk(kind, Type::Bool)
            }
            BinaryOp::In => {
                let l = self.lower_expr(module, current, left, None)?;
                let Type::Enum(e) = l.ty else {
                    self.error(CheckError::BadOperands {
                        op: "in",
                        left: self.type_name(l.ty),
                        right: "a set".into(),
                        span,
                        help: Some("`in` tests whether an enum value is in a set".into()),
                    });
                    return None;
                };
                let r = self.lower_expr(module, current, right, Some(Type::Set(e)))?;
                self.expect_type(&r, Type::Set(e));
                mk(I::In(Box::new(l), Box::new(r)), Type::Bool)
            }
            BinaryOp::Contains | BinaryOp::HasAny | BinaryOp::HasAll => {
                let l = self.lower_expr(module, current, left, None)?;
                let Type::Set(e) = l.ty else {
                    self.error(CheckError::BadOperands {
                        op: op.as_str(),
                        left: self.type_name(l.ty),
                        right: "…".into(),
                        span,
                        help: Some(format!("`{}` needs a set on its left", op.as_str())),
                    });
                    return None;
                };
                if op == BinaryOp::Contains {
                    let r = self.lower_expr(module, current, right, Some(Type::Enum(e)))?;
                    self.expect_type(&r, Type::Enum(e));
                    return mk(I::In(Box::new(r), Box::new(l)), Type::Bool);
                }
                let r = self.lower_expr(module, current, right, Some(Type::Set(e)))?;
                self.expect_type(&r, Type::Set(e));
                let kind = if op == BinaryOp::HasAny {
                    I::HasAny(Box::new(l), Box::new(r))
                } else {
                    I::HasAll(Box::new(l), Box::new(r))
                };
                mk(kind, Type::Bool)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let l = self.lower_expr(module, current, left, None)?;
                let hint = if l.ty == Type::Integer {
                    None
                } else {
                    Some(l.ty)
                };
                let r = self.lower_expr(module, current, right, hint)?;
                let cmp = match op {
                    BinaryOp::Eq => CmpOp::Eq,
                    BinaryOp::Ne => CmpOp::Ne,
                    BinaryOp::Lt => CmpOp::Lt,
                    BinaryOp::Le => CmpOp::Le,
                    BinaryOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let same = l.ty == r.ty || (is_numeric(l.ty) && is_numeric(r.ty));
                let ordered_ok = matches!(cmp, CmpOp::Eq | CmpOp::Ne) || is_ordered(l.ty);
                if !same || !ordered_ok {
                    self.error(CheckError::BadOperands {
                        op: op.as_str(),
                        left: self.type_name(l.ty),
                        right: self.type_name(r.ty),
                        span,
                        help: if same {
                            Some("only numbers, money, dates and durations are ordered".into())
                        } else {
                            Some("compare values of the same type".into())
                        },
                    });
                    return None;
                }
                mk(I::Cmp(cmp, Box::new(l), Box::new(r)), Type::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let hint = expected.filter(|t| matches!(t, Type::Decimal | Type::Money));
                let l =
                    self.lower_expr(module, current, left, hint.filter(|t| *t == Type::Decimal))?;
                let r =
                    self.lower_expr(module, current, right, hint.filter(|t| *t == Type::Decimal))?;
                let arith = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let ty = arith_type(arith, l.ty, r.ty);
                match ty {
                    Some(ty) => mk(I::Arith(arith, Box::new(l), Box::new(r)), ty),
                    None => {
                        self.error(CheckError::BadOperands {
                            op: op.as_str(),
                            left: self.type_name(l.ty),
                            right: self.type_name(r.ty),
                            span,
help: Some(match (arith, l.ty, r.ty) {
                                (
                                    ArithOp::Add | ArithOp::Sub,
                                    Type::Money,
                                    Type::Integer | Type::Decimal,
                                )
                                | (
                                    ArithOp::Add | ArithOp::Sub,
                                    Type::Integer | Type::Decimal,
                                    Type::Money,
                                ) => "write the number as money, with its currency: for example `KRW 1_000_000`".into(),
                                _ => "arithmetic takes numbers; money with numbers or money; dates with durations".into(),
                            }),
                        });
                        None
                    }
                }
            }
        }
    }

    fn lower_call(
        &mut self,
        module: &str,
        current: Option<DefId>,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        expected: Option<Type>,
    ) -> Option<Expr> {
        let Some((_, builtin)) = Builtin::ALL.iter().find(|(n, _)| *n == name.node) else {
            let help =
                did_you_mean_help(&name.node, Builtin::ALL.iter().map(|(n, _)| *n)).or_else(|| {
                    Some(format!(
                        "the built-in functions are {}",
                        Builtin::ALL
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                });
            self.error(CheckError::UnknownName {
                kind: "function",
                name: name.node.clone(),
                span: name.span,
                help,
            });
            return None;
        };
        let builtin = *builtin;
        let arity_ok = match builtin {
            Builtin::Min | Builtin::Max => args.len() >= 2,
            Builtin::Clamp => args.len() == 3,
            Builtin::Round
            | Builtin::Floor
            | Builtin::Ceil
            | Builtin::YearsBetween
            | Builtin::DaysBetween => args.len() == 2,
            Builtin::Count => args.len() == 1,
        };
        if !arity_ok {
            let expected_args = match builtin {
                Builtin::Min | Builtin::Max => "at least 2 arguments",
                Builtin::Clamp => "3 arguments (value, floor, cap)",
                Builtin::Round | Builtin::Floor | Builtin::Ceil => {
                    "2 arguments (value, decimal places)"
                }
                Builtin::YearsBetween | Builtin::DaysBetween => "2 arguments (from date, to date)",
                Builtin::Count => "1 argument (a set)",
            };
            self.error(CheckError::Arity {
                name: name.node.clone(),
                expected: expected_args.into(),
                found: args.len(),
                span,
                help: "docs/language.md lists the built-in functions and their arguments".into(),
            });
            return None;
        }
        let mut lowered = Vec::new();
        let hint = expected.filter(|t| matches!(t, Type::Decimal));
        let rounding = matches!(builtin, Builtin::Round | Builtin::Floor | Builtin::Ceil);
        for (i, a) in args.iter().enumerate() {
            // The number of decimal places is a whole number, whatever the
            // type of the value rounded.
            let hint = if rounding && i == 1 { None } else { hint };
            lowered.push(self.lower_expr(module, current, a, hint)?);
        }
        let first_ty = lowered.first().map_or(Type::Bool, |e| e.ty);
        let ty = match builtin {
            Builtin::Min | Builtin::Max | Builtin::Clamp => {
                let mut ty = first_ty;
                for e in &lowered {
                    if e.ty == Type::Decimal && ty == Type::Integer {
                        ty = Type::Decimal;
                    }
                }
                if !is_ordered(ty) {
                    self.expect_type(lowered.first()?, Type::Decimal);
                    return None;
                }
                for e in lowered.iter().skip(1) {
                    self.expect_type(e, ty);
                }
                ty
            }
            Builtin::Round | Builtin::Floor | Builtin::Ceil => {
                let value = lowered.first()?;
                if !matches!(value.ty, Type::Decimal | Type::Money | Type::Integer) {
                    self.expect_type(value, Type::Decimal);
                    return None;
                }
                let places = lowered.get(1)?;
                self.expect_type(places, Type::Integer);
                if crate::ir::constant(places).is_none() {
                    self.error(CheckError::NotConstant {
                        what: "the number of decimal places",
                        span: places.span,
                    });
                }
                value.ty
            }
            Builtin::YearsBetween | Builtin::DaysBetween => {
                for e in &lowered {
                    self.expect_type(e, Type::Date);
                }
                Type::Integer
            }
            Builtin::Count => {
                let set = lowered.first()?;
                if !matches!(set.ty, Type::Set(_)) {
                    self.error(CheckError::TypeMismatch {
                        expected: "a set".into(),
                        found: self.type_name(set.ty),
                        span: set.span,
                        help: None,
                    });
                    return None;
                }
                Type::Integer
            }
        };
        Some(Expr {
            kind: I::Call(builtin, lowered),
            ty,
            span,
        })
    }
}

/// The result type of arithmetic, or `None` if the operands do not combine.
fn arith_type(op: ArithOp, l: Type, r: Type) -> Option<Type> {
    use Type::*;
    match (op, l, r) {
        (_, Integer, Integer) if op != ArithOp::Div => Some(Integer),
        (ArithOp::Div, Integer, Integer) => Some(Decimal),
        (_, Integer | Decimal, Integer | Decimal) => Some(Decimal),
        (ArithOp::Add | ArithOp::Sub, Money, Money) => Some(Money),
        (ArithOp::Mul, Money, Integer | Decimal) | (ArithOp::Mul, Integer | Decimal, Money) => {
            Some(Money)
        }
        (ArithOp::Div, Money, Integer | Decimal) => Some(Money),
        (ArithOp::Div, Money, Money) => Some(Decimal),
        (ArithOp::Add | ArithOp::Sub, Date, Duration) => Some(Date),
        (ArithOp::Add, Duration, Date) => Some(Date),
        (ArithOp::Sub, Date, Date) => Some(Duration),
        (ArithOp::Add | ArithOp::Sub, Duration, Duration) => Some(Duration),
        (ArithOp::Mul, Duration, Integer) | (ArithOp::Mul, Integer, Duration) => Some(Duration),
        _ => None,
    }
}
