//! The one integration-test binary (one link step for every suite).

mod bad_error_messages;
mod check;
mod docs;
mod eval;
mod semantics;
