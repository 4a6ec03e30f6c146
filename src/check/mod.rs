//! Checking: AST → IR, or every error found.
//!
//! The passes run in order over all modules of a policy set:
//!
//! 1. **declare** (`declare.rs`): every top-level name goes into one global
//!    table; duplicates are errors. Each module's scope is itself plus the
//!    modules it `use`s.
//! 2. **types**: enums, records and facts get resolved types; record facts are
//!    flattened into one fact slot per leaf field (`person.age`).
//! 3. **tables**: rows are typed and evaluated to constants.
//! 4. **definitions** (`rules.rs`): every rule's condition and value is resolved
//!    and typed (`expr.rs`), exception targets are resolved, absolute and
//!    qualified rules are enforced, citations checked.
//! 5. **graphs** (`graph.rs`): cycles between definitions and between
//!    exceptions; each definition gets an evaluation order.
//! 6. **tests**: test blocks are typed against the schema.
//! 7. **lints** (`lints.rs`): warnings.
//!
//! The checker keeps going after an error so that one run reports them all.

mod declare;
mod error;
mod expr;
mod graph;
mod lints;
pub(crate) mod pinpoint;
mod rules;

pub use error::{CheckError, Related, Warning};

use crate::ast;
use crate::ir::Program;

/// The result of a successful check: the program and its warnings.
#[derive(Debug)]
pub struct Checked {
    /// The compiled program.
    pub program: Program,
    /// Warnings (the program is usable).
    pub warnings: Vec<Warning>,
}

/// Every error found, with the warnings found alongside.
#[derive(Debug)]
pub struct CheckFailure {
    /// At least one error.
    pub errors: Vec<CheckError>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Checks a policy set and lowers it to the IR.
pub fn check(modules: &[ast::Module]) -> Result<Checked, CheckFailure> {
    let mut cx = declare::Context::default();
    cx.declare(modules);
    cx.resolve_types(modules);
    cx.lower_tables(modules);
    cx.lower_definitions(modules);
    cx.check_graphs();
    cx.lower_tests(modules);
    let mut warnings = lints::lint(&cx, modules);
    if !cx.errors.is_empty() {
        // An expression that failed to check was not lowered, so the names it
        // reads were never recorded as read: "never used" warnings would be
        // false alarms caused by the errors. Keep the other warnings.
        warnings.retain(|w| {
            !matches!(
                w,
                Warning::UnusedFact { .. }
                    | Warning::UnusedDefinition { .. }
                    | Warning::UnusedSource { .. }
            )
        });
    }
    if cx.errors.is_empty() {
        Ok(Checked {
            program: cx.program,
            warnings,
        })
    } else {
        Err(CheckFailure {
            errors: cx.errors,
            warnings,
        })
    }
}
