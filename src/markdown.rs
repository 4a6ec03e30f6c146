//! Markdown escaping, one set of rules for every Markdown the crate writes
//! (the policy docs, evaluation memos, impact reports, coverage tables).
//!
//! [`escape`] makes user text (labels, titles, notes, values) literal in
//! prose, headings and table cells; [`code`] puts a name or value in a code
//! span verbatim, whatever backticks it holds.

/// Escapes user text for inline Markdown (prose, a heading, a table cell).
///
/// Escapes `\`, `` ` ``, `*`, `[`, `]`, `<`, `|`, `~` and `&` everywhere;
/// `#` at the end (where a heading would drop it) and at the start, `>` at
/// the start (a quotation); and `_` only where it could open or close
/// emphasis (next to a non-alphanumeric character), so identifiers like
/// `rok_act` stay readable in the raw text. Line breaks become spaces.
pub fn escape(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let before = i
                    .checked_sub(1)
                    .and_then(|j| chars.get(j))
                    .is_some_and(|b| b.is_alphanumeric());
                let after = chars.get(i + 1).is_some_and(|a| a.is_alphanumeric());
                if !(before && after) {
                    out.push('\\');
                }
                out.push('_');
            }
            '#' if i == 0
                || chars
                    .get(i + 1..)
                    .is_some_and(|rest| rest.iter().all(|r| *r == '#')) =>
            {
                out.push('\\');
                out.push('#');
            }
            '>' if i == 0 => out.push_str("\\>"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A code span holding `s` verbatim (on one line), whatever backticks it
/// contains; `*empty*` for the empty string.
pub fn code(s: &str) -> String {
    if s.is_empty() {
        return "*empty*".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    let one_line = s.replace(['\n', '\r'], " ");
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{code, escape};

    #[test]
    fn markup_in_user_text_is_literal() {
        assert_eq!(
            escape("a *b* [c](d) <e> | f"),
            r"a \*b\* \[c\](d) \<e> \| f"
        );
        assert_eq!(escape("`x` ~~y~~ &amp;"), r"\`x\` \~\~y\~\~ \&amp;");
        assert_eq!(escape("# title #"), r"\# title \#");
        assert_eq!(escape("> quoted, 1 > 0"), r"\> quoted, 1 > 0");
        assert_eq!(escape("line\nbreak"), "line break");
    }

    #[test]
    fn underscores_inside_names_stay_readable() {
        assert_eq!(escape("rok_act"), "rok_act");
        assert_eq!(escape("_emphasis_ here"), r"\_emphasis\_ here");
    }

    #[test]
    fn code_spans_keep_backticks() {
        assert_eq!(code("name"), "`name`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a`"), "`` `a` ``");
        assert_eq!(code(""), "*empty*");
    }
}
