//! `refuge doc`: the policy set as static, lawyer-readable pages.
//!
//! [`build`] turns a compiled [`Program`](crate::ir::Program), its
//! [`SourceMap`](crate::source::SourceMap) and a [`Coverage`](crate::coverage::Coverage)
//! into a [`Site`]: an index of every source grouped by kind, and one page per
//! source listing its cited articles in natural order (`Art. 2` before
//! `Art. 10`). Under each article come the rules citing it, each with its own
//! policy text, what it does to other rules (exceptions, `absolute`,
//! `qualified by`, discretions), its dates in force, provenance, notes,
//! citations and the tests and cases that made it fire.
//!
//! [`to_html`] and [`to_markdown`] render a [`Site`] as files (name and
//! content); both are pure, so the output is deterministic. The HTML has one
//! inline style block, no JavaScript and no external assets. Every rule has
//! the anchor `rule-NAME` on each page it appears on; links to a rule go to
//! its *home* page, the source of its first citation (or the index, for a rule
//! citing nothing).

mod html;
mod markdown;
mod model;
#[cfg(test)]
mod tests;

pub use html::to_html;
pub use markdown::to_markdown;
pub use model::{
    build, Article, ArticleRule, Line, Link, Piece, RuleView, Site, SourcePage, KIND_ORDER,
};
