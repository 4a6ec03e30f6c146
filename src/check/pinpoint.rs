//! Pinpoints: the parts of a `cite` (AST) become an [`ir::Pinpoint`],
//! validated on the way: each locator once per part, ranges forwards, an
//! `item` only of an article, paragraph or section, and line, footnote and
//! article numbers that are numbers.

use super::CheckError;
use crate::ast::{self, LocatorKind};
use crate::ir::{Lines, Numbering, Pin, Pinpoint};
use crate::source::Spanned;

/// The IR pinpoint of a `cite`'s parts; problems go to `errors`, and the
/// pinpoint is still built from what could be read.
pub(crate) fn lower(parts: &[ast::PinPart], errors: &mut Vec<CheckError>) -> Pinpoint {
    Pinpoint::new(parts.iter().map(|p| lower_part(p, errors)).collect())
}

fn lower_part(part: &ast::PinPart, errors: &mut Vec<CheckError>) -> Pin {
    let mut pin = Pin {
        reference: part.reference.as_ref().map(|r| r.node.clone()),
        remark: part.remark.as_ref().map(|r| r.node.clone()),
        ..Pin::default()
    };
    for locator in &part.locators {
        let twice = |what: &'static str, errors: &mut Vec<CheckError>| {
            errors.push(CheckError::PinpointLocatorTwice {
                what,
                span: locator.span,
            });
        };
        match locator.kind {
            LocatorKind::Article => {
                if pin.article.is_some() {
                    twice("an article", errors);
                    continue;
                }
                check_article_number(&locator.from, errors);
                if let Some(to) = &locator.to {
                    check_article_number(to, errors);
                }
                pin.article = Some(numbering(
                    &locator.from,
                    locator.to.as_ref(),
                    locator,
                    errors,
                ));
                if let Some((from, to)) = &locator.paragraph {
                    if pin.paragraph.is_some() {
                        twice("a paragraph", errors);
                    } else {
                        pin.paragraph = Some(numbering(from, to.as_ref(), locator, errors));
                    }
                }
            }
            LocatorKind::Paragraph => {
                if pin.paragraph.is_some() {
                    twice("a paragraph", errors);
                    continue;
                }
                pin.paragraph = Some(numbering(
                    &locator.from,
                    locator.to.as_ref(),
                    locator,
                    errors,
                ));
            }
            LocatorKind::Item => {
                if pin.item.is_some() {
                    twice("an item", errors);
                    continue;
                }
                pin.item = Some(numbering(
                    &locator.from,
                    locator.to.as_ref(),
                    locator,
                    errors,
                ));
            }
            LocatorKind::Section => {
                if pin.section.is_some() {
                    twice("a section", errors);
                    continue;
                }
                pin.section = Some(locator.from.node.clone());
            }
            LocatorKind::Footnote => {
                if pin.footnote.is_some() {
                    twice("a footnote", errors);
                    continue;
                }
                line_number(&locator.from, "a footnote number", errors);
                pin.footnote = Some(locator.from.node.clone());
            }
            LocatorKind::Line => {
                if pin.lines.is_some() {
                    twice("lines", errors);
                    continue;
                }
                let from = line_number(&locator.from, "a line number", errors);
                let to = match &locator.to {
                    Some(to) => line_number(to, "a line number", errors),
                    None => from,
                };
                if let (Some(from), Some(to)) = (from, to) {
                    if to < from {
                        errors.push(CheckError::PinpointRangeBackwards {
                            from: locator.from.node.clone(),
                            to: locator
                                .to
                                .as_ref()
                                .map_or_else(String::new, |t| t.node.clone()),
                            span: locator.span,
                        });
                    }
                    pin.lines = Some(Lines {
                        from: from.min(to),
                        to: from.max(to),
                    });
                }
            }
        }
    }
    if let Some(item) = &pin.item {
        if pin.article.is_none() && pin.paragraph.is_none() && pin.section.is_none() {
            let span = part
                .locators
                .iter()
                .find(|l| l.kind == LocatorKind::Item)
                .map_or(part.span, |l| l.span);
            errors.push(CheckError::PinpointItemAlone {
                item: item.to_string(),
                span,
            });
        }
    }
    pin
}

/// A number or range; a range of plain numbers must run forwards.
fn numbering(
    from: &Spanned<String>,
    to: Option<&Spanned<String>>,
    locator: &ast::Locator,
    errors: &mut Vec<CheckError>,
) -> Numbering {
    if let Some(to) = to {
        if let (Ok(a), Ok(b)) = (from.node.parse::<u64>(), to.node.parse::<u64>()) {
            if b < a {
                errors.push(CheckError::PinpointRangeBackwards {
                    from: from.node.clone(),
                    to: to.node.clone(),
                    span: locator.span,
                });
            }
        }
    }
    Numbering {
        from: from.node.clone(),
        to: to.map(|t| t.node.clone()),
    }
}

/// An article is numbered `9`, `1A`, `16bis` or in Roman numerals, `VIII`.
fn check_article_number(number: &Spanned<String>, errors: &mut Vec<CheckError>) {
    let text = number.node.as_str();
    let arabic = text.starts_with(|c: char| c.is_ascii_digit());
    let roman = !text.is_empty() && text.chars().all(|c| "IVXLCDM".contains(c));
    if !arabic && !roman {
        errors.push(CheckError::PinpointBadNumber {
            text: text.to_owned(),
            what: "an article number",
            help: "an article is numbered like `9`, `1A` or, in Roman numerals, `VIII`",
            span: number.span,
        });
    }
}

/// A line or footnote number: 1, 2, 3, ….
fn line_number(
    number: &Spanned<String>,
    what: &'static str,
    errors: &mut Vec<CheckError>,
) -> Option<u32> {
    match number.node.parse::<u32>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errors.push(CheckError::PinpointBadNumber {
                text: number.node.clone(),
                what,
                help: "lines and footnotes are numbered 1, 2, 3, …; a range is `line 35..39`",
                span: number.span,
            });
            None
        }
    }
}
