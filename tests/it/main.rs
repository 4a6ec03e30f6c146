//! The one integration-test binary (one link step for every suite).

#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "test helpers fail the test with a message"
)]

mod bad_error_messages;
mod check;
mod cli;
mod common;
mod coverage;
mod diff;
mod doc;
mod docs;
mod eval;
mod fmt;
mod malformed;
mod robust;
mod semantics;
mod whynot;
