//! Boolean circuits over a SAT solver (batsat, MiniSat 2.2 in Rust).
//!
//! Gates are Tseitin-encoded once and shared (structural hashing), and
//! constants fold away, so a condition that reads only constants costs no
//! clause. The solver is incremental: the whole program is encoded once and
//! every question is a call with assumptions.

use batsat::interface::SolverInterface;
use batsat::{lbool, BasicSolver, Lit};
use std::collections::HashMap;

/// A literal of the circuit.
pub(crate) type L = Lit;

/// The solver and the gate cache.
pub(crate) struct Sat {
    solver: BasicSolver,
    truth: Lit,
    ands: HashMap<(Lit, Lit), Lit>,
    xors: HashMap<(Lit, Lit), Lit>,
}

impl Sat {
    /// An empty circuit with the constant `true`.
    pub(crate) fn new() -> Self {
        let mut solver = BasicSolver::default();
        let truth = Lit::new(solver.new_var_default(), true);
        solver.add_clause_reuse(&mut vec![truth]);
        Sat {
            solver,
            truth,
            ands: HashMap::new(),
            xors: HashMap::new(),
        }
    }

    /// The constant `true`.
    pub(crate) fn t(&self) -> L {
        self.truth
    }

    /// The constant `false`.
    pub(crate) fn f(&self) -> L {
        !self.truth
    }

    /// A constant.
    pub(crate) fn constant(&self, b: bool) -> L {
        if b {
            self.t()
        } else {
            self.f()
        }
    }

    /// True when `l` is a constant (`Some(value)`).
    pub(crate) fn value_of_constant(&self, l: L) -> Option<bool> {
        if l == self.t() {
            Some(true)
        } else if l == self.f() {
            Some(false)
        } else {
            None
        }
    }

    /// A fresh, unconstrained literal.
    pub(crate) fn fresh(&mut self) -> L {
        Lit::new(self.solver.new_var_default(), true)
    }

    /// The output of a gate: never a decision of the solver, as its inputs
    /// decide it by propagation (so a model assigns it all the same).
    fn gate(&mut self) -> L {
        Lit::new(self.solver.new_var(lbool::UNDEF, false), true)
    }

    /// Adds a clause (a disjunction that must hold).
    pub(crate) fn clause(&mut self, lits: &[L]) {
        if lits.contains(&self.t()) {
            return;
        }
        let mut clause: Vec<Lit> = lits.iter().copied().filter(|&l| l != self.f()).collect();
        self.solver.add_clause_reuse(&mut clause);
    }

    /// Requires `l`.
    pub(crate) fn require(&mut self, l: L) {
        self.clause(&[l]);
    }

    /// `a ∧ b`.
    pub(crate) fn and2(&mut self, a: L, b: L) -> L {
        let (t, f) = (self.t(), self.f());
        if a == f || b == f || a == !b {
            return f;
        }
        if a == t || a == b {
            return b;
        }
        if b == t {
            return a;
        }
        let key = if a < b { (a, b) } else { (b, a) };
        if let Some(&g) = self.ands.get(&key) {
            return g;
        }
        let g = self.gate();
        self.solver.add_clause_reuse(&mut vec![!g, a]);
        self.solver.add_clause_reuse(&mut vec![!g, b]);
        self.solver.add_clause_reuse(&mut vec![g, !a, !b]);
        self.ands.insert(key, g);
        g
    }

    /// `a ∨ b`.
    pub(crate) fn or2(&mut self, a: L, b: L) -> L {
        !self.and2(!a, !b)
    }

    /// The conjunction of `lits` (`true` if empty).
    pub(crate) fn and(&mut self, lits: &[L]) -> L {
        lits.iter().fold(self.t(), |acc, &l| self.and2(acc, l))
    }

    /// The disjunction of `lits` (`false` if empty).
    pub(crate) fn or(&mut self, lits: &[L]) -> L {
        lits.iter().fold(self.f(), |acc, &l| self.or2(acc, l))
    }

    /// `a → b`.
    pub(crate) fn implies(&mut self, a: L, b: L) -> L {
        self.or2(!a, b)
    }

    /// `a ⊕ b`.
    pub(crate) fn xor2(&mut self, a: L, b: L) -> L {
        let (t, f) = (self.t(), self.f());
        if a == f {
            return b;
        }
        if b == f {
            return a;
        }
        if a == t {
            return !b;
        }
        if b == t {
            return !a;
        }
        if a == b {
            return f;
        }
        if a == !b {
            return t;
        }
        // Normalise signs so `a ⊕ b` and `¬a ⊕ ¬b` share a gate.
        let (mut a, mut b, mut flip) = (a, b, false);
        if !a.sign() {
            a = !a;
            flip = !flip;
        }
        if !b.sign() {
            b = !b;
            flip = !flip;
        }
        let key = if a < b { (a, b) } else { (b, a) };
        let g = match self.xors.get(&key) {
            Some(&g) => g,
            None => {
                let g = self.gate();
                self.solver.add_clause_reuse(&mut vec![!g, a, b]);
                self.solver.add_clause_reuse(&mut vec![!g, !a, !b]);
                self.solver.add_clause_reuse(&mut vec![g, !a, b]);
                self.solver.add_clause_reuse(&mut vec![g, a, !b]);
                self.xors.insert(key, g);
                g
            }
        };
        if flip {
            !g
        } else {
            g
        }
    }

    /// `a ↔ b`.
    pub(crate) fn iff(&mut self, a: L, b: L) -> L {
        !self.xor2(a, b)
    }

    /// `if c then a else b`.
    pub(crate) fn ite(&mut self, c: L, a: L, b: L) -> L {
        if a == b {
            return a;
        }
        match self.value_of_constant(c) {
            Some(true) => a,
            Some(false) => b,
            None => {
                let x = self.and2(c, a);
                let y = self.and2(!c, b);
                self.or2(x, y)
            }
        }
    }

    /// At most one of `lits` holds (pairwise; enums are small).
    pub(crate) fn at_most_one(&mut self, lits: &[L]) {
        for (i, &a) in lits.iter().enumerate() {
            for &b in lits.iter().skip(i + 1) {
                self.clause(&[!a, !b]);
            }
        }
    }

    /// Solves under assumptions: `true` when satisfiable (the model is then
    /// readable with [`Sat::value`]).
    pub(crate) fn solve(&mut self, assumptions: &[L]) -> bool {
        if assumptions.contains(&self.f()) {
            return false;
        }
        let assumptions: Vec<Lit> = assumptions
            .iter()
            .copied()
            .filter(|&l| l != self.t())
            .collect();
        self.solver.solve_limited(&assumptions) == lbool::TRUE
    }

    /// The value of `l` in the last model.
    pub(crate) fn value(&self, l: L) -> bool {
        if let Some(b) = self.value_of_constant(l) {
            return b;
        }
        self.solver.value_lit(l) == lbool::TRUE
    }
}
