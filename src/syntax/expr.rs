//! Expressions: the one operator-precedence table, and the converters for
//! operands.
//!
//! The grammar reads an expression as a flat list `prefix* operand (infix
//! prefix* operand)*`; [`PRATT`] gives it its shape. From loosest to
//! tightest:
//!
//! | level | operators | |
//! |---|---|---|
//! | 1 | `or` | left |
//! | 2 | `and` | left |
//! | 3 | `not` | prefix |
//! | 4 | `==` `!=` `<` `<=` `>` `>=` `in` `contains` `has any` `has all` | left |
//! | 5 | `+` `-` | left |
//! | 6 | `*` `/` | left |
//! | 7 | `-` | prefix |
//!
//! So `not a == b` is `not (a == b)`, `a or b and c` is `a or (b and c)` and
//! `-a * b` is `(-a) * b`. Comparisons are not meant to chain; `a < b < c`
//! parses as `(a < b) < c` and the checker rejects it as a type error.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::error::ParseError;
use super::grammar::Rule;
use super::literal;
use super::to_ast::{self, unexpected, Builder};
use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::source::{FileId, Span, Spanned};

/// The precedence table: later lines bind tighter.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_has_any, Assoc::Left)
            | Op::infix(Rule::op_has_all, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// `expr`: operands and operators, shaped by [`PRATT`].
pub(crate) fn expr(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
    let file = b.file.id;
    PRATT
        .map_primary(|operand| self::operand(b, operand))
        .map_prefix(move |op, rhs| {
            let rhs = rhs?;
            let op_span = span_in(file, &op);
            let unary = match op.as_rule() {
                Rule::op_not => UnaryOp::Not,
                Rule::op_neg => UnaryOp::Neg,
                rule => {
                    return Err(ParseError::Internal {
                        span: op_span,
                        detail: format!("`expr`: `{rule:?}` is not a prefix operator"),
                    })
                }
            };
            let span = op_span.to(rhs.span);
            Ok(Spanned::new(ExprKind::Unary(unary, Box::new(rhs)), span))
        })
        .map_infix(move |lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let Some(binary) = binary_op(op.as_rule()) else {
                return Err(ParseError::Internal {
                    span: span_in(file, &op),
                    detail: format!("`expr`: `{:?}` is not an infix operator", op.as_rule()),
                });
            };
            let span = lhs.span.to(rhs.span);
            Ok(Spanned::new(
                ExprKind::Binary(binary, Box::new(lhs), Box::new(rhs)),
                span,
            ))
        })
        .parse(pair.into_inner())
}

/// The span of an operator pair.
fn span_in(file: FileId, pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(file, span.start(), span.end())
}

/// The operator of an infix rule.
fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_contains => BinaryOp::Contains,
        Rule::op_has_any => BinaryOp::HasAny,
        Rule::op_has_all => BinaryOp::HasAll,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        _ => return None,
    })
}

/// `expr_list`: the expressions of a row key, lookup or `exists`.
pub(crate) fn expr_list(
    b: &mut Builder<'_>,
    pair: Pair<'_, Rule>,
) -> Result<Vec<Expr>, ParseError> {
    let children = b.children(pair);
    children.map(|child| expr(b, child)).collect()
}

/// One operand: a literal, name, call, lookup, set, `if`, `exists`, `as_of`
/// or a parenthesised expression.
fn operand(b: &mut Builder<'_>, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
    let span = b.span(&pair);
    let kind = match pair.as_rule() {
        // `( expr )`: the parentheses leave no trace but the shape.
        Rule::expr => return expr(b, pair),
        Rule::path => path(b, pair),
        Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
        Rule::number => b.recover(literal::number(pair.as_str(), span), ExprKind::Integer(0))?,
        Rule::percent => {
            let number = b.children(pair).required(Rule::number)?;
            let value = b.recover(literal::percent(number.as_str(), span), Default::default())?;
            ExprKind::Decimal(value)
        }
        Rule::money => {
            let mut children = b.children(pair);
            let currency = children.required(Rule::currency)?;
            let number = children.required(Rule::number)?;
            let (amount, code) = b.recover(
                literal::money(currency.as_str(), number.as_str(), span),
                Default::default(),
            )?;
            ExprKind::Money(amount, code)
        }
        Rule::date => ExprKind::Date(to_ast::date(b, pair)?),
        Rule::duration => {
            let mut children = b.children(pair);
            let number = children.required(Rule::number)?;
            let unit = children.required(Rule::duration_unit)?;
            let result = literal::duration(number.as_str(), unit.as_str(), span);
            let (count, unit) = b.recover(result, (0, crate::ast::DurationUnit::Days))?;
            ExprKind::Duration(count, unit)
        }
        Rule::string => ExprKind::Text(to_ast::string(b, pair)?.node),
        Rule::as_of_expr => ExprKind::AsOf,
        Rule::set_literal => {
            let children = b.children(pair);
            let elements = children
                .map(|child| expr(b, child))
                .collect::<Result<_, _>>()?;
            ExprKind::Set(elements)
        }
        Rule::if_expr => {
            let mut children = b.children(pair);
            let condition = expr(b, children.required(Rule::expr)?)?;
            let then = expr(b, children.required(Rule::expr)?)?;
            let otherwise = expr(b, children.required(Rule::expr)?)?;
            ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise))
        }
        Rule::exists_expr => {
            let mut children = b.children(pair);
            let table = to_ast::ident(b, children.required(Rule::ident)?);
            let keys = expr_list(b, children.required(Rule::expr_list)?)?;
            ExprKind::Exists(table, keys)
        }
        Rule::call => {
            let mut children = b.children(pair);
            let function = to_ast::ident(b, children.required(Rule::ident)?);
            let args = children
                .map(|child| expr(b, child))
                .collect::<Result<_, _>>()?;
            ExprKind::Call(function, args)
        }
        Rule::lookup => {
            let mut children = b.children(pair);
            let table = to_ast::ident(b, children.required(Rule::ident)?);
            let keys = expr_list(b, children.required(Rule::expr_list)?)?;
            let column = children
                .next_if(Rule::ident)
                .map(|column| to_ast::ident(b, column));
            ExprKind::Lookup(table, keys, column)
        }
        _ => return Err(unexpected(b, &pair, "operand")),
    };
    Ok(Spanned::new(kind, span))
}

/// `path`: the dotted segments, each with its own span.
fn path(b: &Builder<'_>, pair: Pair<'_, Rule>) -> ExprKind {
    let segments = pair
        .into_inner()
        .map(|segment| to_ast::ident(b, segment))
        .collect();
    ExprKind::Path(segments)
}
