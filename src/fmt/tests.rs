//! The formatter, specified by example: what the canonical layout is, and
//! that formatting keeps comments, keeps blank-line groups, never changes
//! meaning and changes nothing the second time.

use super::{check_soundness, format, FormatError, MAX_WIDTH};
use crate::source::{FileId, SourceFile};
use crate::syntax::tokens::tokens;
use crate::syntax::{parse, Token};

// ---------------------------------------------------------------- helpers ----

fn source(text: &str) -> SourceFile {
    SourceFile {
        id: FileId(3),
        name: "test.policy".to_owned(),
        module: "kr.test".to_owned(),
        text: text.to_owned(),
    }
}

/// Formats a policy that must format, and checks that formatting the result
/// changes nothing.
fn formats(text: &str) -> String {
    let once = match format(&source(text)) {
        Ok(once) => once,
        Err(error) => panic!("expected the policy to format, got {error:?}\n{text}"),
    };
    let twice = format(&source(&once)).expect("formatted text formats");
    assert_eq!(twice, once, "formatting twice changed the text");
    once
}

/// The comments of a text, in order.
fn comments(text: &str) -> Vec<&str> {
    tokens(text)
        .into_iter()
        .filter(|(token, _)| *token == Token::Comment)
        .filter_map(|(_, range)| text.get(range))
        .map(str::trim_end)
        .collect()
}

/// A policy with a little of everything, laid out carelessly.
const MESSY: &str = r#"# Header comment.   


use   kr.sources
source  act:statute "The Act"   note "a note"
enum Colour{red "Red",green,blue,}
enum Letter { alpha "the first letter of the Greek alphabet", beta "the second letter", gamma "third" }
record Person {age:integer "age",
   name : text # trailing on name
}
fact person:Person
fact colours :set of Colour"favourite colours"
setting opt : bool = false "an option" cite act "s. 1" provenance reading



verdict v:bool "the verdict"{

  default false cite act "s. 2" provenance reading
  # About the rule.
  rule r = true when person.age>=18 and colours has   any{red,green,} cite act "s. 3"
     provenance seed # trailing
  absolute rule r2 when not(person.age<-1) and min(1,2)+3*4/2-  -1 == 5 cite act "s. 4" provenance text


  exception e overrides r,r2=false when
      person.age < 18
      or person.age > 99 # old
      cite act "s. 5" provenance reading qualified by x,
        y
  rule r3 = if exists t[red] then t [red] . amount*50% else KRW 0 when as_of - 10 years > 2002-01-01
    or c in {red} or colours contains blue may "x" by "y" cite act "s. 7"
  exception e2 lifts r3 when max(1, 2,3) == 3 and "a" != "b" cite act "s. 8"

}
table t{key c:Colour column amount:money "how much"
row red{amount:KRW   1_000} from 2002-01-01 cite act "s. 6" provenance unverified
row green,blue {amount : KRW 2, } until 2003-01-01
}
test "a test"{as_of 2003-01-01 given person.age=20 given colours={red} exercise r2=true expect v=true expect v = undetermined}
# The end.
"#;

// ------------------------------------------------------ canonical layout ----

#[test]
fn a_messy_policy_becomes_the_canonical_one() {
    insta::assert_snapshot!(formats(MESSY), @r#"
    # Header comment.

    use kr.sources
    source act : statute "The Act"
      note "a note"
    enum Colour { red "Red", green, blue }
    enum Letter {
      alpha "the first letter of the Greek alphabet",
      beta "the second letter",
      gamma "third",
    }
    record Person {
      age : integer "age",
      name : text, # trailing on name
    }
    fact person : Person
    fact colours : set of Colour "favourite colours"
    setting opt : bool = false
      "an option"
      cite act "s. 1"
      provenance reading

    verdict v : bool "the verdict" {
      default false
        cite act "s. 2"
        provenance reading
      # About the rule.
      rule r = true
        when person.age >= 18 and colours has any {red, green}
        cite act "s. 3"
        provenance seed # trailing
      absolute rule r2
        when not (person.age < -1) and min(1, 2) + 3 * 4 / 2 - -1 == 5
        cite act "s. 4"
        provenance text

      exception e overrides r, r2 = false
        when person.age < 18
          or person.age > 99 # old
        cite act "s. 5"
        provenance reading
        qualified by x,
          y
      rule r3 = if exists t[red] then t[red].amount * 50% else KRW 0
        when as_of - 10 years > 2002-01-01
          or c in {red} or colours contains blue
        may "x" by "y"
        cite act "s. 7"
      exception e2 lifts r3
        when max(1, 2, 3) == 3 and "a" != "b"
        cite act "s. 8"
    }
    table t {
      key c : Colour
      column amount : money "how much"
      row red { amount: KRW 1_000 }
        from 2002-01-01
        cite act "s. 6"
        provenance unverified
      row green, blue { amount: KRW 2 }
        until 2003-01-01
    }
    test "a test" {
      as_of 2003-01-01
      given person.age = 20
      given colours = {red}
      exercise r2 = true
      expect v = true
      expect v = undetermined
    }
    # The end.
    "#);
}

#[test]
fn tail_clauses_go_on_their_own_lines_under_the_rule() {
    let text = "verdict v : bool {\n  default false cite a \"1\" provenance reading\n  rule r when x cite a \"2\" provenance seed from 2002-01-01 until 2003-01-01 may \"do\" by \"minister\" note \"n\"\n}\n";
    insta::assert_snapshot!(formats(text), @r#"
    verdict v : bool {
      default false
        cite a "1"
        provenance reading
      rule r
        when x
        cite a "2"
        provenance seed
        from 2002-01-01
        until 2003-01-01
        may "do" by "minister"
        note "n"
    }
    "#);
}

#[test]
fn a_set_value_has_no_spaces_inside_its_braces_and_a_declaration_body_has() {
    let formatted = formats(
        "enum E { a, b }\nfact s : set of E\nverdict v : bool {\n  rule r when s has all { a , b, } and s != { } cite x \"1\"\n}\n",
    );
    assert!(formatted.starts_with("enum E { a, b }\n"), "{formatted}");
    assert!(
        formatted.contains("when s has all {a, b} and s != {}\n"),
        "{formatted}"
    );
}

#[test]
fn a_body_written_on_lines_stays_on_lines_and_gains_trailing_commas() {
    let formatted = formats("enum E {\n  a,\n  b\n}\n");
    assert_eq!(formatted, "enum E {\n  a,\n  b,\n}\n");
}

#[test]
fn a_body_on_one_line_is_broken_only_when_too_wide() {
    let fits = format!(
        "enum E {{ {} }}\n",
        "a".repeat(MAX_WIDTH - "enum E {  }".len())
    );
    assert_eq!(formats(&fits), fits);
    let too_wide = format!(
        "enum E {{ {} }}\n",
        "a".repeat(MAX_WIDTH + 1 - "enum E {  }".len())
    );
    assert_eq!(
        formats(&too_wide),
        format!("enum E {{\n  {},\n}}\n", "a".repeat(MAX_WIDTH - 10))
    );
}

#[test]
fn a_line_break_next_to_an_operator_is_kept_and_others_are_dropped() {
    let text = "verdict v : bool {\n  rule r when\n a\n and\n b or c\n cite\n x\n \"1\"\n}\n";
    insta::assert_snapshot!(formats(text), @r#"
    verdict v : bool {
      rule r
        when a
          and
          b or c
        cite x "1"
    }
    "#);
}

#[test]
fn a_long_when_stays_on_one_line() {
    let condition = (0..30)
        .map(|i| format!("fact_{i}"))
        .collect::<Vec<_>>()
        .join(" and ");
    let text =
        format!("verdict v : bool {{\n  rule r\n    when {condition}\n    cite x \"1\"\n}}\n");
    assert_eq!(formats(&text), text);
}

#[test]
fn strings_are_never_changed() {
    let text =
        "source s : report \"  two  spaces, a \\\"quote\\\", a # hash\n and a line break \"\n";
    assert_eq!(formats(text), text);
}

#[test]
fn money_and_durations_have_one_space_inside() {
    let formatted =
        formats("setting m : money = KRW     5_000\nsetting d : duration = 10   years\n");
    assert_eq!(
        formatted,
        "setting m : money = KRW 5_000\nsetting d : duration = 10 years\n"
    );
}

#[test]
fn the_file_ends_with_one_newline_and_has_no_trailing_whitespace() {
    let formatted = formats("fact a : bool   \r\n\r\n\r\nfact b : bool # note   \n\n\n\n");
    assert_eq!(formatted, "fact a : bool\n\nfact b : bool # note\n");
    assert_eq!(formats(""), "");
    assert_eq!(formats("\n\n  \n"), "");
}

// -------------------------------------------------------------- comments ----

#[test]
fn every_comment_survives_in_order() {
    assert_eq!(comments(&formats(MESSY)), comments(MESSY));
}

#[test]
fn own_line_comments_keep_their_line_and_take_the_indentation_of_what_follows() {
    let text = "# top\nverdict v : bool {\n# first member\n  rule r when a # after a\n# between clauses\n  cite x \"1\"\n      # last in the block\n}\n# end\n";
    insta::assert_snapshot!(formats(text), @r#"
    # top
    verdict v : bool {
      # first member
      rule r
        when a # after a
        # between clauses
        cite x "1"
      # last in the block
    }
    # end
    "#);
}

#[test]
fn a_comment_inside_a_line_pushes_the_rest_onto_a_continuation_line() {
    let text = "verdict v : bool {\n  rule r = # why\n    true\n    when a and # first\n    b\n    cite x \"1\"\n}\nfact s : set of E\nsetting t : set of E = {a, # one\n b}\n";
    insta::assert_snapshot!(formats(text), @r#"
    verdict v : bool {
      rule r = # why
          true
        when a and # first
          b
        cite x "1"
    }
    fact s : set of E
    setting t : set of E = {a, # one
        b}
    "#);
}

#[test]
fn a_comment_before_a_comma_moves_after_it() {
    let formatted = formats("enum E {\n  a # first\n  , b\n}\n");
    assert_eq!(formatted, "enum E {\n  a, # first\n  b,\n}\n");
    let formatted = formats("enum E {\n  a \"A\" # last\n}\n");
    assert_eq!(formatted, "enum E {\n  a \"A\", # last\n}\n");
}

// ---------------------------------------------------------- blank lines ----

#[test]
fn blank_line_groups_survive_and_runs_collapse_to_one() {
    let text = "use kr.sources\n\n\n\nfact a : bool\nfact b : bool\n\n# about c\n\nfact c : bool\nverdict v : bool {\n\n\n  default false\n    cite x \"1\"\n\n  rule r\n    when a\n\n    cite x \"2\"\n\n}\n";
    insta::assert_snapshot!(formats(text), @r#"
    use kr.sources

    fact a : bool
    fact b : bool

    # about c

    fact c : bool
    verdict v : bool {
      default false
        cite x "1"

      rule r
        when a

        cite x "2"
    }
    "#);
}

#[test]
fn no_blank_line_inside_an_expression() {
    let formatted =
        formats("verdict v : bool {\n  rule r\n    when a\n\n      and b\n    cite x \"1\"\n}\n");
    assert!(
        formatted.contains("    when a\n      and b\n"),
        "{formatted}"
    );
}

// ------------------------------------------------- soundness and errors ----

#[test]
fn a_file_that_does_not_parse_is_an_error_with_its_parse_errors() {
    let error = format(&source("verdict v : bool { foo }")).expect_err("does not parse");
    let FormatError::Parse(errors) = &error else {
        panic!("expected parse errors, got {error:?}")
    };
    assert_eq!(
        miette::Diagnostic::code(&error).map(|c| c.to_string()),
        Some("refuge::parse::syntax".to_owned())
    );
    assert!(errors.first().is_some());
}

#[test]
fn output_that_means_something_else_is_refused() {
    let file = source("fact a : bool\nfact b : bool\n");
    let original = parse(&file).expect("parses");
    let error = check_soundness(
        &file,
        &original,
        "fact a : bool\nfact c : bool\n".to_owned(),
    )
    .expect_err("meaning changed");
    let FormatError::Unsound { span, detail } = &error else {
        panic!("expected unsound, got {error:?}")
    };
    assert_eq!(detail, "declaration 2 differs");
    assert_eq!(span.range().start, 14, "the span starts at `fact b`");
    assert_eq!(
        miette::Diagnostic::code(&error).map(|c| c.to_string()),
        Some("refuge::fmt::unsound".to_owned())
    );
    assert_eq!(
        miette::Diagnostic::help(&error).map(|h| h.to_string()),
        Some("please report this: the formatter would change the meaning".to_owned())
    );
    let error = check_soundness(&file, &original, "fact a : bool\nfact".to_owned())
        .expect_err("does not parse");
    assert!(
        error
            .to_string()
            .contains("the formatted text does not parse"),
        "{error}"
    );
}

#[test]
fn meaning_and_layout_survive_a_comment_after_any_token() {
    for (index, text) in with_each_token_followed_by(MESSY, " # inserted\n").enumerate() {
        if parse(&source(&text)).is_err() {
            continue; // a comment cannot split `a.b`, `KRW 1`, `has any` or `10 years`
        }
        let formatted = formats(&text);
        assert_eq!(
            comments(&formatted),
            comments(&text),
            "comments lost or moved (insertion {index}):\n{formatted}"
        );
    }
}

#[test]
fn meaning_and_layout_survive_a_line_break_or_blank_line_after_any_token() {
    for separator in ["\n", "\n\n"] {
        let variants: Vec<String> = with_each_token_followed_by(MESSY, separator).collect();
        let mut formatted = 0;
        for text in &variants {
            // A break cannot split a lexeme the grammar reads whole (`a.b`,
            // `KRW 1`, `10 years`): those variants are not policies.
            if parse(&source(text)).is_ok() {
                formats(text);
                formatted += 1;
            }
        }
        // Guard against the loop silently testing nothing: most insertion
        // points are between whole lexemes.
        assert!(
            formatted * 10 >= variants.len() * 8,
            "only {formatted} of {} variants with {separator:?} parse",
            variants.len()
        );
    }
}

/// `text` with `insert` after one significant token, for each token in turn.
fn with_each_token_followed_by<'a>(
    text: &'a str,
    insert: &'a str,
) -> impl Iterator<Item = String> + 'a {
    tokens(text)
        .into_iter()
        .filter(|(token, _)| !token.is_trivia())
        .map(move |(_, range)| format!("{}{insert}{}", &text[..range.end], &text[range.end..]))
}

#[test]
fn pinpoints_are_glued_where_the_grammar_reads_one_lexeme_and_stay_idempotent() {
    let messy = "source a : statute \"A\"\nverdict v : bool {\n  default false cite a art   9 ( 1 ) item 4 \"deleted\" ,art 1A(2),\n      art 7 .. 9 provenance reading\n  rule r cite a section \"S\" line 35 ..39, para 80..82, footnote 6 line 38 cite a \"Ch. IV.9\"   \"China\" provenance seed\n}\n";
    let once = formats(messy);
    assert_eq!(
        once,
        "source a : statute \"A\"\nverdict v : bool {\n  default false\n    cite a art 9(1) item 4 \"deleted\", art 1A(2),\n      art 7..9\n    provenance reading\n  rule r\n    cite a section \"S\" line 35..39, para 80..82, footnote 6 line 38\n    cite a \"Ch. IV.9\" \"China\"\n    provenance seed\n}\n"
    );
    assert_eq!(formats(&once), once);
}

#[test]
fn line_width_is_measured_in_terminal_columns() {
    // Twenty Hangul syllables take forty columns on a terminal: the enum
    // below is 60 characters but 100+ columns wide on one line, so its
    // variants go on lines of their own; the same in ASCII letters fits.
    let policy = |word: &str| format!("enum E {{ a \"{word}\", b \"{word}\" }}\n");
    let wide = formats(&policy(&"보호".repeat(12)));
    let narrow = formats(&policy(&"ab".repeat(12)));
    assert_eq!(narrow.lines().count(), 1, "{narrow}");
    assert_eq!(wide.lines().count(), 4, "{wide}");
    for out in [&wide, &narrow] {
        for line in out.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= MAX_WIDTH,
                "{out}"
            );
        }
    }
}

#[test]
fn numbers_and_dates_glued_to_a_word_are_formatted_as_the_grammar_reads_them() {
    // Found by fuzzing (fuzz/fmt): `0or` is the number 0 and the operator
    // `or`; the formatter lexed it as one pinpoint-style number and wrote
    // `s < 0or d . m`, which does not parse.
    for (text, want) in [
        (
            "verdict a : B \"\" {\n  rule w = s<0or d.m\n}\n",
            "rule w = s < 0 or d.m",
        ),
        (
            "verdict a : B \"\" {\n  rule w = if s then 1else 2\n}\n",
            "rule w = if s then 1 else 2",
        ),
        (
            "verdict a : B \"\" {\n  rule w = 1\n    cite src art 1A\n}\n",
            "cite src art 1A",
        ),
        // Found by fuzzing too: a "date" glued to a word is a subtraction
        // for the grammar (`date` ends at a word boundary).
        (
            "verdict n : l {\n  rule a when l > 2001-05-40cite r \"\"\n}\n",
            "when l > 2001 - 05 - 40\n    cite r \"\"",
        ),
        (
            "verdict n : l {\n  rule a when l > 2001-05-401\n}\n",
            "when l > 2001 - 05 - 401",
        ),
    ] {
        let formatted = formats(text);
        assert!(formatted.contains(want), "{formatted}");
    }
}
