//! refuge: a declarative rules engine for refugee-protection law, whose
//! verdicts are explained with citations.
//!
//! The stable API is at the root of the crate: a [`Policy`] (a compiled
//! policy set, built once) makes [`Case`]s (from a case file's text, a
//! `serde_json::Value`, or fact by fact by dotted path) and evaluates them
//! into an [`Evaluation`] (each verdict's [`Outcome`], the decisive facts,
//! the law applied, and the text, Markdown and JSON renderings) or, on the
//! fast path, into [`Outcomes`]. Names are the newtypes of [`id`] and
//! errors those of [`err`], each carrying the CLI's diagnostics.
//!
//! ```
//! let policy = refuge::Policy::builtin()?;
//! let mut case = policy.case();
//! case.set("defector.application", "overseas_mission")?.as_of("2003-01-15")?;
//! let evaluation = policy.evaluate(&case)?;
//! println!("{}", evaluation.to_text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The modules hidden from these docs are the compiler's internals (parser,
//! checker, evaluator, renderers) used by the `refuge` command; they change
//! without notice. `docs/architecture.md` describes them.
//!
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod api;
pub use api::*;

#[doc(hidden)]
pub mod analysis;
#[doc(hidden)]
pub mod ast;
#[doc(hidden)]
pub mod batch;
#[doc(hidden)]
pub mod case;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod compile;
#[cfg(feature = "tools")]
#[doc(hidden)]
pub mod coverage;
#[doc(hidden)]
pub mod currency;
#[doc(hidden)]
pub mod diagnostic;
#[cfg(feature = "tools")]
#[doc(hidden)]
pub mod diff;
#[cfg(feature = "tools")]
#[doc(hidden)]
pub mod doc;
#[doc(hidden)]
#[allow(
    rustdoc::broken_intra_doc_links,
    rustdoc::private_intra_doc_links,
    reason = "two links in src/eval/ (Derivation::rules, plan) point at private items; the module is the lead's to edit, and hidden from these docs"
)]
pub mod eval;
#[doc(hidden)]
pub mod explain;
#[cfg(feature = "tools")]
#[doc(hidden)]
pub mod fmt;
#[doc(hidden)]
pub mod ids;
#[doc(hidden)]
pub mod ir;
#[cfg(feature = "lsp")]
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod markdown;
#[cfg(feature = "tools")]
#[doc(hidden)]
pub mod mutation;
#[doc(hidden)]
pub mod policies;
#[doc(hidden)]
pub mod schema;
#[cfg(feature = "serve")]
#[doc(hidden)]
pub mod serve;
#[doc(hidden)]
pub mod source;
#[doc(hidden)]
pub mod suggest;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod testing;
#[doc(hidden)]
pub mod value;
#[doc(hidden)]
pub mod whynot;

// The internal entry points the CLI, the tests and the playground use; not
// part of the stable API (which is `api`, above).
#[doc(hidden)]
pub use compile::{compile, Compiled, Diagnostics};
#[doc(hidden)]
pub use eval::{Engine, EvalError, Options};
#[doc(hidden)]
pub use explain::Explained;
#[doc(hidden)]
pub use ir::Program;
#[doc(hidden)]
pub use source::SourceMap;
