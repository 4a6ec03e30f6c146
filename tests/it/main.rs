//! The one integration-test binary (one link step for every suite).

#![allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail the test with a message; JSON is read by path"
)]

mod absolute;
mod analysis;
mod api;
mod bad_error_messages;
mod batch;
mod boundary;
mod case_schema;
mod check;
mod cli;
mod common;
mod coverage;
mod diff;
mod doc;
mod docs;
mod editor_grammar;
mod engine;
mod eval;
mod fmt;
mod lsp;
mod malformed;
mod mutants;
mod paths;
mod replay;
mod robust;
mod schema;
mod semantics;
#[cfg(feature = "serve")]
mod serve;
mod whynot;
