//! refuge: a declarative rules engine for refugee-protection law, whose
//! verdicts are explained with citations.
//!
//! ```text
//!  SourceMap ──syntax::parse──▶ ast::Module ──check::check──▶ ir::Program
//!                                                                 │
//!  case file ──case::load_case(&Program)──▶ Case ──Engine::evaluate──▶ explain::Evaluation
//!                                                                 │
//!                                     explain::{to_text, to_markdown}, Evaluation::to_json
//! ```
//!
//! `compile` runs the front end in one call; an [`Engine`] evaluates many
//! cases against one compiled [`Program`] with no global state.
//! `docs/architecture.md` has the stage table.
//!
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod analysis;
pub mod ast;
pub mod case;
pub mod check;
pub mod cli;
pub mod compile;
pub mod coverage;
pub mod diagnostic;
pub mod diff;
pub mod doc;
pub mod eval;
pub mod explain;
pub mod fmt;
pub mod ir;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod policies;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod testing;
pub mod value;
pub mod whynot;

pub use case::Case;
pub use compile::{compile, Compiled, Diagnostics};
pub use eval::{Engine, EvalError, Options};
pub use explain::{Evaluation, Explained, Outcome};
pub use ir::Program;
pub use source::SourceMap;
