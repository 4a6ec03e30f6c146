//! Byte offsets ↔ LSP positions (lines and UTF-16 columns), and miette
//! diagnostics → LSP diagnostics.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Url,
};

pub use crate::source::LineIndex;

/// Offsets ↔ LSP positions over the line index shared with the rest of the
/// crate.
impl LineIndex {
    /// The position of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let (line, start) = self.line_of(offset);
        let prefix = text.get(start..offset).unwrap_or("");
        let col = prefix.encode_utf16().count();
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }

    /// The byte offset of a position (clamped to its line and the text).
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(start) = self.line_start(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_start(position.line as usize + 1)
            .unwrap_or(text.len());
        let line = text.get(start..end).unwrap_or("");
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= position.character {
                return start + i;
            }
            units += u32::try_from(c.len_utf16()).unwrap_or(2);
        }
        end.min(text.len())
    }

    /// The range of a byte range.
    pub fn range(&self, text: &str, range: std::ops::Range<usize>) -> Range {
        Range::new(
            self.position(text, range.start),
            self.position(text, range.end),
        )
    }
}

/// A diagnostic's primary byte range: its first label, else `fallback`.
fn primary(d: &dyn miette::Diagnostic, fallback: std::ops::Range<usize>) -> std::ops::Range<usize> {
    d.labels()
        .and_then(|mut labels| labels.next())
        .map_or(fallback, |l| l.offset()..l.offset() + l.len())
}

/// The replacement a "did you mean `x`?" help line proposes.
pub fn suggestion(help: &str) -> Option<String> {
    let rest = help.split("did you mean `").nth(1)?;
    let name = rest.split('`').next()?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// A file's text and line index, to place a span.
pub struct Placed<'a> {
    /// The file's URI.
    pub uri: &'a Url,
    /// Its text.
    pub text: &'a str,
    /// Its lines.
    pub lines: &'a LineIndex,
}

/// Converts a miette diagnostic whose spans are in `file`; `related` are
/// locations in any file (already placed).
pub fn diagnostic(
    d: &dyn miette::Diagnostic,
    file: &Placed<'_>,
    fallback: std::ops::Range<usize>,
    mut related: Vec<DiagnosticRelatedInformation>,
) -> Diagnostic {
    let range = file.lines.range(file.text, primary(d, fallback));
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => DiagnosticSeverity::WARNING,
        Some(miette::Severity::Advice) => DiagnosticSeverity::HINT,
        Some(miette::Severity::Error) | None => DiagnosticSeverity::ERROR,
    };
    let help = d.help().map(|h| h.to_string());
    let mut message = d.to_string();
    if let Some(h) = &help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    // Further labels of the same diagnostic are related locations too.
    if let Some(labels) = d.labels() {
        for label in labels.skip(1) {
            related.push(DiagnosticRelatedInformation {
                location: Location::new(
                    file.uri.clone(),
                    file.lines
                        .range(file.text, label.offset()..label.offset() + label.len()),
                ),
                message: label.label().unwrap_or("here").to_owned(),
            });
        }
    }
    let data = help
        .as_deref()
        .and_then(suggestion)
        .map(|s| serde_json::json!({ "replacement": s }));
    Diagnostic {
        range,
        severity: Some(severity),
        code: d.code().map(|c| NumberOrString::String(c.to_string())),
        code_description: None,
        source: Some("refuge".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "ab\nç€😀x\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        let p = lines.position(text, x);
        assert_eq!(p, Position::new(1, 4));
        assert_eq!(lines.offset(text, p), x);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text, 999), Position::new(2, 0));
    }

    #[test]
    fn suggestion_reads_the_help_line() {
        assert_eq!(
            suggestion("did you mean `protection`?").as_deref(),
            Some("protection")
        );
        assert_eq!(suggestion("add a cite clause"), None);
    }
}
