//! refuge: a declarative rules engine for refugee-protection law.

pub mod ast;
pub mod policies;
pub mod source;
pub mod syntax;
