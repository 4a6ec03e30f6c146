//! The built-in policies: every `policies/**/*.policy` file, embedded at build
//! time by `build.rs`, so `refuge eval CASE` works with no other path.

/// `(path relative to policies/, text)` for every built-in policy file, sorted by path.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
