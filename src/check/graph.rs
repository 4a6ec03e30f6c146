//! Pass 5: cycles between definitions and between exceptions, and each
//! definition's evaluation order (every exception before the rules it targets).

use super::declare::Context;
use super::error::{CheckError, Related};
use crate::ir::{DefId, RuleId};
use crate::source::Span;
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mark {
    New,
    Active,
    Done,
}

impl Context {
    pub(crate) fn check_graphs(&mut self) {
        self.check_definition_cycles();
        self.order_rules();
    }

    fn check_definition_cycles(&mut self) {
        let n = self.program.definitions.len();
        let mut edges: BTreeMap<DefId, Vec<(DefId, Span)>> = BTreeMap::new();
        for (from, to, span) in &self.def_edges {
            edges.entry(*from).or_default().push((*to, *span));
        }
        let mut marks = vec![Mark::New; n];
        let mut stack: Vec<(DefId, Span)> = Vec::new();
        let mut found = Vec::new();
        for start in 0..n {
            let id = DefId(u32::try_from(start).unwrap_or(u32::MAX));
            visit(id, &edges, &mut marks, &mut stack, &mut found);
        }
        for cycle in found {
            let name = |d: DefId| {
                self.program
                    .definitions
                    .get(d.index())
                    .map_or("?".to_string(), |d| d.name.clone())
            };
            let mut path: Vec<String> = cycle
                .iter()
                .map(|(d, _)| format!("`{}`", name(*d)))
                .collect();
            if let Some(first) = path.first().cloned() {
                path.push(first);
            }
            let Some(((first, span), rest)) = cycle.split_first() else {
                continue;
            };
            let next = |i: usize| cycle.get(i + 1).map_or(*first, |(d, _)| *d);
            let second = next(0);
            let edges = rest
                .iter()
                .enumerate()
                .map(|(i, (d, span))| {
                    Related::new(
                        format!("`{}` reads `{}` here", name(*d), name(next(i + 1))),
                        *span,
                    )
                })
                .collect();
            self.error(CheckError::Cycle {
                path: path.join(" → "),
                span: *span,
                first: name(*first),
                second: name(second),
                edges,
            });
        }
    }

    /// Topological order of each definition's rules (exceptions first); reports cycles.
    fn order_rules(&mut self) {
        for d in 0..self.program.definitions.len() {
            let Some(rules) = self.program.definitions.get(d).map(|d| d.rules.clone()) else {
                continue;
            };
            let mut order = Vec::new();
            let mut marks: BTreeMap<RuleId, Mark> = rules.iter().map(|r| (*r, Mark::New)).collect();
            let mut cycle = None;
            for r in &rules {
                self.order_visit(*r, &mut marks, &mut order, &mut Vec::new(), &mut cycle);
            }
            if let Some((path, span)) = cycle {
                self.error(CheckError::ExceptionCycle { path, span });
            }
            if let Some(def) = self.program.definitions.get_mut(d) {
                def.order = order;
            }
        }
    }

    fn order_visit(
        &self,
        rule: RuleId,
        marks: &mut BTreeMap<RuleId, Mark>,
        order: &mut Vec<RuleId>,
        path: &mut Vec<RuleId>,
        cycle: &mut Option<(String, Span)>,
    ) {
        match marks.get(&rule) {
            Some(Mark::Done) | None => return,
            Some(Mark::Active) => {
                if cycle.is_none() {
                    let names: Vec<String> = path
                        .iter()
                        .chain(std::iter::once(&rule))
                        .filter_map(|r| {
                            self.program
                                .rules
                                .get(r.index())
                                .map(|r| format!("`{}`", r.name))
                        })
                        .collect();
                    let span = self
                        .program
                        .rules
                        .get(rule.index())
                        .map(|r| r.name_span)
                        .unwrap_or_default();
                    *cycle = Some((names.join(" → "), span));
                }
                return;
            }
            Some(Mark::New) => {}
        }
        marks.insert(rule, Mark::Active);
        path.push(rule);
        // Exceptions of this rule must be evaluated before it.
        let exceptions = self
            .program
            .rules
            .get(rule.index())
            .map(|r| r.exceptions.clone())
            .unwrap_or_default();
        for e in exceptions {
            self.order_visit(e, marks, order, path, cycle);
        }
        path.pop();
        marks.insert(rule, Mark::Done);
        order.push(rule);
    }
}

fn visit(
    id: DefId,
    edges: &BTreeMap<DefId, Vec<(DefId, Span)>>,
    marks: &mut [Mark],
    stack: &mut Vec<(DefId, Span)>,
    found: &mut Vec<Vec<(DefId, Span)>>,
) {
    if marks.get(id.index()) != Some(&Mark::New) {
        return;
    }
    if let Some(m) = marks.get_mut(id.index()) {
        *m = Mark::Active;
    }
    for (to, span) in edges.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
        match marks.get(to.index()) {
            Some(Mark::Active) => {
                // Each entry `(d, s)`: `d` reads the next definition at `s`.
                let start = stack.iter().position(|(d, _)| d == to);
                let mut cycle: Vec<(DefId, Span)> = start
                    .and_then(|i| stack.get(i..))
                    .map(<[_]>::to_vec)
                    .unwrap_or_default();
                cycle.push((id, *span));
                found.push(cycle);
            }
            Some(Mark::New) => {
                stack.push((id, *span));
                visit(*to, edges, marks, stack, found);
                stack.pop();
            }
            _ => {}
        }
    }
    if let Some(m) = marks.get_mut(id.index()) {
        *m = Mark::Done;
    }
}
