//! Colours policy snippets in diagnostics: a miette [`Highlighter`] over the
//! lossless token stream of [`super::tokens`].

use super::tokens::{tokens, TokenClass};
use miette::highlighters::{Highlighter, HighlighterState};
use miette::SpanContents;
use owo_colors::{Style, Styled};

/// Highlights `.policy` text in miette's graphical reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicyHighlighter;

impl Highlighter for PolicyHighlighter {
    fn start_highlighter_state<'h>(
        &'h self,
        _source: &dyn SpanContents<'_>,
    ) -> Box<dyn HighlighterState + 'h> {
        Box::new(LineState)
    }
}

/// Lines are lexed one at a time: a policy token never spans lines except
/// an unterminated string, which the lexer marks as such anyway.
struct LineState;

impl HighlighterState for LineState {
    fn highlight_line<'s>(&mut self, line: &'s str) -> Vec<Styled<&'s str>> {
        tokens(line)
            .into_iter()
            .map(|(token, range)| style(token.class()).style(line.get(range).unwrap_or("")))
            .collect()
    }
}

fn style(class: TokenClass) -> Style {
    match class {
        TokenClass::Keyword => Style::new().magenta().bold(),
        TokenClass::Literal => Style::new().cyan(),
        TokenClass::String => Style::new().green(),
        TokenClass::Comment => Style::new().bright_black(),
        TokenClass::Error => Style::new().red(),
        _ => Style::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_of_a_line_is_kept_and_keywords_are_coloured() {
        let line = r#"  rule granted = protected when applied cite act "Art. 7(1)" # note"#;
        let styled = LineState.highlight_line(line);
        let plain: String = styled.iter().map(|s| *s.inner()).collect();
        assert_eq!(plain, line);
        let coloured: String = styled.iter().map(|s| s.to_string()).collect();
        assert!(coloured.contains("\u{1b}[35;1mrule"), "{coloured:?}");
    }
}
