//! Static analysis: where the rules of a definition collide, leave a hole,
//! can never act, or follow one another in time with an overlap or a gap,
//! decided for every case before any case runs.
//!
//! The program is encoded once as a boolean circuit (`encode.rs`, over the
//! fixed-width arithmetic of `bits.rs` and the SAT solver of `sat.rs`), in
//! the evaluator's own semantics: default logic with exceptions, in-force
//! dates, discretions and three-valued unknowns. Each question is one call
//! of the solver under assumptions:
//!
//! | finding | question | code |
//! |---|---|---|
//! | overlap | can two rules of equal standing both be active with different values? | `refuge::analysis::overlap` |
//! | gap | with every fact known, can no rule apply to a definition without a default? | `refuge::analysis::gap` |
//! | dead rule | can the rule never be active? | `refuge::analysis::dead_rule` |
//! | window overlap | can a rule whose force ends and one whose force begins both be active in the days they share? | `refuge::analysis::window_overlap` |
//! | window gap | between a rule whose force ends and one whose force begins later, can a case both cover fall in the days neither is in force? | `refuge::analysis::window_gap` |
//!
//! A "yes" comes with a model: a complete case and a date. It is turned into
//! a case and checked by the evaluator itself ([`crate::Engine`]); then
//! every fact that the finding does not need is removed, one at a time,
//! again checked by the evaluator, and the numbers left are moved as near
//! zero (dates: the case's date) as the evaluator still shows the finding,
//! which leaves a small, readable witness that `refuge eval` reproduces.
//!
//! `REFUGE_ANALYSIS_TIMINGS=1` prints, per definition, the time taken, the
//! part spent in the solver and in witnesses, and the questions asked. (Searching complete cases loses nothing: the
//! evaluator's logic is monotone, so a rule active with some facts missing
//! is active in every completion.) Where the encoding had to stand a fresh
//! value in for a construct it cannot express exactly and the evaluator
//! does not confirm the model, the finding says "could not decide" and why.
//!
//! A finding the drafters have weighed is accepted in the policy with an
//! `accept` clause (`docs/language.md`), which the analysis reads.

mod bits;
mod calendar;
mod encode;
mod finding;
mod sat;
mod witness;

pub use finding::{Finding, FindingKind};

use crate::ir::{DefId, Program, RuleId};
use encode::{day_number, Encoder};
use finding::Accepts;
use std::time::{Duration, Instant};
use witness::Check;

/// What the analysis found.
#[derive(Debug)]
pub struct Analysis {
    /// The findings, by definition then rule, each with its witness.
    pub findings: Vec<Finding>,
    /// `accept` clauses that matched no finding (stale).
    pub stale_accepts: Vec<finding::StaleAccept>,
    /// How many questions were put to the solver.
    pub questions: usize,
    /// Decimal places money and decimal facts range over.
    pub scale: u32,
    /// How long it took.
    pub elapsed: Duration,
}

impl Analysis {
    /// The findings not accepted in the policy.
    pub fn unaccepted(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.accepted.is_none())
    }
}

/// Analyses every definition of a program.
pub fn analyse(program: &Program) -> Analysis {
    let start = Instant::now();
    let timings = std::env::var_os("REFUGE_ANALYSIS_TIMINGS").is_some();
    let mut run = Run {
        enc: Encoder::new(program),
        engine: crate::Engine::new(program),
        program,
        findings: Vec::new(),
        questions: 0,
        solving: Duration::ZERO,
        witnessing: Duration::ZERO,
    };
    for (i, def) in program.definitions.iter().enumerate() {
        if let Ok(i) = u32::try_from(i) {
            let (t0, q0, s0, w0) = (Instant::now(), run.questions, run.solving, run.witnessing);
            run.definition(DefId(i));
            if timings {
                eprintln!(
                    "timing: {:>8.1} ms  solve {:>8.1} ms  witness {:>8.1} ms  {:>3} questions  {}",
                    t0.elapsed().as_secs_f64() * 1e3,
                    (run.solving - s0).as_secs_f64() * 1e3,
                    (run.witnessing - w0).as_secs_f64() * 1e3,
                    run.questions - q0,
                    def.name
                );
            }
        }
    }
    let accepts = Accepts::of(program);
    let mut findings = run.findings;
    let stale_accepts = accepts.apply(program, &mut findings);
    Analysis {
        findings,
        stale_accepts,
        questions: run.questions,
        scale: run.enc.scale,
        elapsed: start.elapsed(),
    }
}

struct Run<'p> {
    enc: Encoder<'p>,
    /// The evaluator, which checks and shrinks every witness.
    engine: crate::Engine<'p>,
    program: &'p Program,
    findings: Vec<Finding>,
    questions: usize,
    solving: Duration,
    witnessing: Duration,
}

impl Run<'_> {
    fn ask(&mut self, assumptions: &[sat::L]) -> bool {
        self.questions += 1;
        let start = Instant::now();
        let answer = self.enc.sat.solve(assumptions);
        self.solving += start.elapsed();
        answer
    }

    fn definition(&mut self, id: DefId) {
        let program = self.program;
        let Some(def) = program.definitions.get(id.index()) else {
            return;
        };
        let enc = self.enc.definition(id);
        let no_error = !enc.error;
        let targets = |a: RuleId, b: RuleId| {
            let rule = |r: RuleId| program.rules.get(r.index());
            rule(a).is_some_and(|r| r.kind.targets().contains(&b))
                || rule(b).is_some_and(|r| r.kind.targets().contains(&a))
        };

        // Dead rules.
        for r in &enc.rules {
            if !self.ask(&[no_error, r.active.t]) {
                let defeated = self.ask(&[no_error, r.applicable.t]);
                let kind = FindingKind::DeadRule { defeated };
                let check = if defeated {
                    Check::Defeated(r.rule)
                } else {
                    Check::None
                };
                let found = self.found(id, kind, vec![r.rule], check, &enc.inexact);
                self.findings.push(found);
            }
        }

        // Windows: a rule whose force ends and one whose force begins.
        let mut window_pairs = Vec::new();
        for a in &enc.rules {
            for b in &enc.rules {
                let (Some(ra), Some(rb)) = (
                    program.rules.get(a.rule.index()),
                    program.rules.get(b.rule.index()),
                ) else {
                    continue;
                };
                let (Some(end), Some(begin)) = (ra.meta.until, rb.meta.from) else {
                    continue;
                };
                if a.rule == b.rule
                    || end == begin
                    || ra.value.is_none()
                    || rb.value.is_none()
                    || targets(a.rule, b.rule)
                    || ra.meta.from.is_some_and(|f| f >= begin)
                {
                    continue;
                }
                let (lo, hi) = if begin < end {
                    (begin, end)
                } else {
                    (end, begin)
                };
                let inside = self.enc.as_of_between(day_number(lo), day_number(hi));
                if begin < end {
                    let both = [no_error, inside, a.active.t, b.active.t];
                    if self.ask(&both) {
                        window_pairs.push((a.rule, b.rule));
                        let check = Check::BothActive(a.rule, b.rule);
                        let found = self.found(
                            id,
                            FindingKind::WindowOverlap { end, begin },
                            vec![a.rule, b.rule],
                            check,
                            &enc.inexact,
                        );
                        self.findings.push(found);
                    }
                } else {
                    let both = [no_error, inside, a.condition.t, b.condition.t];
                    if self.ask(&both) {
                        let check = Check::Hole {
                            before: a.rule,
                            after: b.rule,
                            end,
                            begin,
                        };
                        let found = self.found(
                            id,
                            FindingKind::WindowGap { end, begin },
                            vec![a.rule, b.rule],
                            check,
                            &enc.inexact,
                        );
                        self.findings.push(found);
                    }
                }
            }
        }

        // Overlaps: two value-giving rules of equal standing.
        let giving: Vec<&encode::RuleEnc> =
            enc.rules.iter().filter(|r| r.value.is_some()).collect();
        for (i, a) in giving.iter().enumerate() {
            for b in giving.iter().skip(i + 1) {
                if targets(a.rule, b.rule)
                    || window_pairs.contains(&(a.rule, b.rule))
                    || window_pairs.contains(&(b.rule, a.rule))
                    || same_constant(program, a.rule, b.rule)
                {
                    continue;
                }
                let (Some(va), Some(vb)) = (&a.value, &b.value) else {
                    continue;
                };
                let same = self.enc.eq_val(&va.val, &vb.val);
                let others: Vec<_> = giving
                    .iter()
                    .filter(|r| r.rule != a.rule && r.rule != b.rule)
                    .map(|r| !r.active.t)
                    .collect();
                let mut question =
                    vec![no_error, a.active.t, b.active.t, va.known, vb.known, !same];
                let alone = {
                    let mut q = question.clone();
                    q.extend(others);
                    self.ask(&q)
                };
                if alone || {
                    question.truncate(6);
                    self.ask(&question)
                } {
                    let check = Check::Conflict(a.rule, b.rule);
                    let found = self.found(
                        id,
                        FindingKind::Overlap,
                        vec![a.rule, b.rule],
                        check,
                        &enc.inexact,
                    );
                    self.findings.push(found);
                }
            }
        }

        // Gaps: no default, and no rule applies with every fact known.
        if def.default.is_none() && self.ask(&[no_error, enc.no_rule]) {
            let found = self.found(
                id,
                FindingKind::Gap,
                Vec::new(),
                Check::NoRule,
                &enc.inexact,
            );
            self.findings.push(found);
        }
    }

    /// A finding from the last model: its witness, checked and shrunk by the
    /// evaluator.
    fn found(
        &mut self,
        def: DefId,
        kind: FindingKind,
        rules: Vec<RuleId>,
        check: Check,
        inexact: &[encode::Inexact],
    ) -> Finding {
        let start = Instant::now();
        let finding = self.found_untimed(def, kind, rules, check, inexact);
        self.witnessing += start.elapsed();
        finding
    }

    fn found_untimed(
        &mut self,
        def: DefId,
        kind: FindingKind,
        rules: Vec<RuleId>,
        check: Check,
        inexact: &[encode::Inexact],
    ) -> Finding {
        let witness = match check {
            Check::None => None,
            _ => Some(witness::from_model(&self.enc)),
        };
        let (witness, undecided) = match witness {
            None => (None, None),
            Some(case) => match witness::shrink(&self.engine, def, case, &check, self.enc.scale) {
                Some(w) => (Some(w), None),
                None => {
                    let why = if inexact.is_empty() {
                        "the evaluator does not confirm the solver's case".to_owned()
                    } else {
                        let mut whats: Vec<String> = Vec::new();
                        for i in inexact {
                            if !whats.contains(&i.what) {
                                whats.push(i.what.clone());
                            }
                        }
                        whats.join("; ")
                    };
                    (None, Some((why, inexact.first().map(|i| i.span))))
                }
            },
        };
        Finding::new(self.program, def, kind, rules, witness, undecided)
    }
}

/// Both rules give the same constant: they can never disagree.
fn same_constant(program: &Program, a: RuleId, b: RuleId) -> bool {
    let value = |r: RuleId| {
        program
            .rules
            .get(r.index())
            .and_then(|r| r.value.as_ref())
            .and_then(crate::ir::constant)
    };
    matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
}
