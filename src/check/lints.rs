//! Pass 7: warnings. The program is usable, but something is probably a mistake.

use super::declare::{Context, Decl};
use super::error::Warning;
use crate::ast;
use crate::ir::ExprKind;
use crate::value::Value;

pub(crate) fn lint(cx: &Context, _modules: &[ast::Module]) -> Vec<Warning> {
    let mut out = Vec::new();
    for (name, entry) in &cx.names {
        match entry.decl {
            Decl::Fact(i) if !cx.facts_read.contains(&i) => out.push(Warning::UnusedFact {
                name: name.clone(),
                span: entry.span,
            }),
            Decl::Def(d) => {
                let is_verdict = cx
                    .program
                    .definitions
                    .get(d.index())
                    .is_some_and(|d| d.is_verdict);
                if !is_verdict && !cx.defs_read.contains(&d) {
                    out.push(Warning::UnusedDefinition {
                        name: name.clone(),
                        span: entry.span,
                    });
                }
            }
            Decl::Source(s) if !cx.sources_cited.contains(&s) => out.push(Warning::UnusedSource {
                name: name.clone(),
                span: entry.span,
            }),
            _ => {}
        }
    }
    for rule in &cx.program.rules {
        if let (Some(from), Some(until)) = (rule.meta.from, rule.meta.until) {
            if until <= from {
                out.push(Warning::NeverApplies {
                    name: rule.name.clone(),
                    reason: format!("it is in force until {until}, which is not after {from}"),
                    span: rule.name_span,
                    help: "`until` must be later than `from`".into(),
                });
            }
        }
        if let Some(when) = &rule.when {
            if let ExprKind::Const(Value::Bool(false)) = when.kind {
                out.push(Warning::NeverApplies {
                    name: rule.name.clone(),
                    reason: "its condition is `false`".into(),
                    span: when.span,
                    help: "remove the rule, or write the condition it was meant to have".into(),
                });
            }
        }
        if rule.meta.provenance.is_none() {
            out.push(Warning::MissingProvenance {
                what: "rule",
                name: rule.name.clone(),
                span: rule.name_span,
            });
        }
    }
    for def in &cx.program.definitions {
        if let Some(d) = &def.default {
            if d.meta.provenance.is_none() {
                out.push(Warning::MissingProvenance {
                    what: "default of",
                    name: def.name.clone(),
                    span: d.span,
                });
            }
        }
    }
    out.sort_by_key(|w| (w.span().file, w.span().start));
    out
}
