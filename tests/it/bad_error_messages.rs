//! The backlog of weak diagnostics (PRQL's `bad_error_messages.rs`).
//!
//! Each test renders one fixture of `tests/fixtures/check/` whose message,
//! label or help falls short of the rules in STYLE §6 (lowercase, no final
//! period, user text in backticks, a label at the exact span, a useful help).
//! The doc comment says what is wrong; the snapshot in
//! `snapshots/bad_error_messages/` shows the complaint, the source and today's
//! rendering. When a diagnostic is fixed, its snapshot here changes: delete
//! the test and its snapshot (the fixture's own snapshot in `snapshots/check/`
//! keeps covering it), and drop any cascade code from the fixture's header.

use crate::check::{assert_rendering, Fixture};

/// Snapshots the fixture's rendering with the complaint above the source.
fn backlog(name: &str, complaint: &str) {
    let fixture = Fixture::named(name);
    let rendered = fixture.diagnose().rendered;
    let description = format!("WHAT IS WRONG: {complaint}\n\n{}", fixture.source_text());
    assert_rendering("bad_error_messages", &fixture, description, &rendered);
}

/// At the end of the file the label is empty, so no line is marked; the help
/// lists the clauses of a rule instead of saying a `}` is missing (the
/// "add the missing `}`" help exists but loses to the clause group).
#[test]
fn missing_closing_brace() {
    backlog(
        "01_missing_closing_brace",
        "no mark at the end of file; the help lists rule clauses instead of saying a `}` is missing",
    );
}

/// A keyword one letter off gets the generic "see docs/language.md" help
/// The string opened on line 9 swallows text up to the next quote, and the
/// error lands on line 12 (`Art`) with a help about clauses; nothing points
/// at the string that lacks its closing quote.
#[test]
fn unterminated_string() {
    backlog(
        "04_unterminated_string",
        "reported three lines below the real cause; should point at the string missing its closing `\"`",
    );
}

/// `escape_debug` doubles the backslash: the message shows `\\'` for the
/// escape `\'` the drafter wrote.
#[test]
fn bad_escape() {
    backlog(
        "06_bad_escape",
        "the escape is shown as `\\\\'` instead of `\\'`; the help could say an apostrophe needs no escape",
    );
}

/// A record that contains itself is reported as a cycle of *definitions*,
/// labelled "`person.spouse` reads `person.spouse` here" on the fact, with
/// help about definitions; it should name the record `Person` and point at
/// the field `spouse : Person`.
#[test]
fn record_contains_itself() {
    backlog(
        "36_record_contains_itself",
        "called a cycle of definitions; label on the fact instead of the field `spouse : Person`; help about definitions",
    );
}

/// After "table `parties` has no column `reservations`" (with its
/// did-you-mean) the label says "in this row" where it should say "no such
/// column" (the cascading second error for the same typo is fixed).
#[test]
fn row_with_unknown_column() {
    backlog(
        "48_row_with_unknown_column",
        "label `in this row` on a misspelled cell name",
    );
}
