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
/// rather than "did you mean `default`?".
#[test]
fn misspelled_keyword() {
    backlog(
        "02_misspelled_keyword",
        "no did-you-mean for a misspelled keyword (`defualt` → `default`)",
    );
}

/// The help says `&&` is not part of the language but not what to write.
#[test]
fn c_style_operator() {
    backlog(
        "03_bad_operator",
        "the help should say to write `and` for `&&` (and `or` for `||`, `not` for `!`)",
    );
}

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

/// `rok_act` is declared (as a source), yet the message says "unknown" and
/// the label "not declared anywhere in the policy set".
#[test]
fn source_where_a_fact_belongs() {
    backlog(
        "17_source_used_as_fact",
        "says `unknown` and `not declared anywhere` about a name that is declared, as a source",
    );
}

/// A read that fails (here: missing `use`) does not count as a read, so the
/// facts it names are reported as never read, although they are. The same
/// cascade follows any failed expression (fixtures 15, 21, 25, 33, 34, 47,
/// 50 list `refuge::lint::unused_fact` for it).
#[test]
fn missing_use_cascades_into_unused_facts() {
    backlog(
        "20_missing_use",
        "cascading `fact … is never read` warnings for facts that are read, by a file lacking `use`",
    );
}

/// The "first declared here" location is in `intl.policy`, but it is
/// rendered against `kr.policy`'s text: "Failed to read contents for label
/// … OutOfBounds". Related locations also print as a separate `Error:`.
#[test]
fn duplicate_name_in_two_files() {
    backlog(
        "22_duplicate_across_files",
        "the related location in the other file fails to render (OutOfBounds) and is headed `Error:`",
    );
}

/// The absolute rule is a related note, but it prints as a second `Error:`
/// block, as if there were two errors (also in 23 and 37).
#[test]
fn related_location_headed_error() {
    backlog(
        "40_exception_to_absolute_rule",
        "the related location `cat_art3 is marked absolute here` is headed `Error:` like a second error",
    );
}

/// Enum values are not global, yet the help says "names are global to a
/// policy set"; and nothing points at the first `murder`.
#[test]
fn duplicate_enum_value() {
    backlog(
        "24_duplicate_enum_value",
        "wrong help for an enum value (they are not global) and no pointer to the first occurrence",
    );
}

/// Two `when` clauses almost always mean both conditions; "keep one" loses
/// one of them. The unread fact of the second `when` then cascades.
#[test]
fn two_when_clauses() {
    backlog(
        "25_two_when_clauses",
        "the help should say to join the conditions with `and`; the dropped condition's fact cascades into `unused_fact`",
    );
}

/// "a money" is not English, and the help is generic where the fix is
/// known: give the number a currency.
#[test]
fn money_plus_integer() {
    backlog(
        "30_money_plus_integer",
        "`a money` is ungrammatical; the help should say `write money with its currency, for example KRW 1_000_000`",
    );
}

/// No help: the drafter quoted an enum value (`"not_protected"`); the help
/// should name the unquoted value or list the enum's values.
#[test]
fn enum_value_written_as_text() {
    backlog(
        "32_value_of_wrong_type",
        "no help line; should suggest `not_protected` without quotes or list the values of `Protection`",
    );
}

/// No help: a test expects `true` of an enum verdict; the help should list
/// the enum's values.
#[test]
fn test_expects_bool_of_an_enum() {
    backlog(
        "54_test_expects_wrong_type",
        "no help line; should list the values of `Protection`",
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

/// The label shows the type name bare and capitalised: `Protection
/// definition` instead of "a `Protection` definition".
#[test]
fn rule_without_value_label() {
    backlog(
        "44_rule_without_value",
        "label `Protection definition`: the type name is not in backticks",
    );
}

/// "row has 1 keys": the plural is not agreed.
#[test]
fn row_key_count_plural() {
    backlog("46_row_with_wrong_key_count", "`1 keys`: plural not agreed");
}

/// A table lookup gets the help of a function call ("see the list of
/// built-in functions") and the label "called here"; it should name the
/// table's keys (`state`, `treaty`). The unread key fact cascades.
#[test]
fn lookup_with_wrong_key_count() {
    backlog(
        "47_lookup_with_wrong_key_count",
        "help about built-in functions for a table lookup; should list the keys `state`, `treaty`",
    );
}

/// After "table `parties` has no column `reservations`" (with its
/// did-you-mean) comes a second error, "row gives no value for column
/// `reservation`", for the same typo; the first label says "in this row"
/// where it should say "no such column".
#[test]
fn row_with_unknown_column() {
    backlog(
        "48_row_with_unknown_column",
        "a second, cascading error for the same typo; label `in this row` on the cell name",
    );
}
