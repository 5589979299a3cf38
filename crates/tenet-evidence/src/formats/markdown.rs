//! Markdown documents: front matter holds the fields, in YAML between `---` lines or in
//! TOML between `+++` lines (as Hugo writes it); the body after it is kept as text, which
//! the evaluator splits into sections by heading for rules that read prose ("the model
//! card has a Limitations section").

use std::sync::Arc;

use tenet_diagnostics::Span;

use crate::formats::{toml, yaml};
use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

/// A Markdown document, split.
#[derive(Debug)]
pub(crate) struct Markdown {
    /// The front matter, parsed as YAML or TOML.
    pub front_matter: Node,
    /// The text after the front matter.
    pub body: Arc<str>,
    /// Where the body is.
    pub body_span: Span,
}

/// Splits and parses a Markdown document.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Markdown, ParseError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let first_line = text.get(..first_line_end).map(str::trim_end);
    let (marker, closers): (&str, &[&str]) = match first_line {
        Some("---") => ("---", &["---", "..."]),
        Some("+++") => ("+++", &["+++"]),
        _ => return Err(no_front_matter(text)),
    };
    let start = (first_line_end + 1).min(text.len());
    let mut offset = start;
    let mut close: Option<(usize, usize)> = None;
    for line in text.get(start..).unwrap_or_default().split_inclusive('\n') {
        if closers.contains(&line.trim_end()) {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((end, body_start)) = close else {
        return Err(ParseError::new(Span::from_usize(0, first_line_end), "the front matter is never closed")
            .with_help(format!("end the front matter with a line holding only `{marker}`")));
    };
    let front = text.get(start..end).unwrap_or_default();
    let mut parsed = if marker == "+++" {
        let mut parsed = toml::parse(front, limits, false);
        parsed.docs = parsed.docs.into_iter().map(|node| node.shifted(start)).collect();
        for error in &mut parsed.errors {
            error.span = Span::new(error.span.start + start as u32, error.span.end + start as u32);
        }
        parsed
    } else {
        yaml::parse(front, start, limits)
    };
    if let Some(error) = parsed.errors.pop() {
        return Err(error);
    }
    let front_matter = match parsed.docs.into_iter().next() {
        Some(node) if !node.is_null() => node,
        // Empty front matter: a document with no fields, at the opening `---`.
        _ => Node::new(NodeKind::Map(Vec::new()), Span::from_usize(0, first_line_end)),
    };
    let body = text.get(body_start..).unwrap_or_default();
    Ok(Markdown { front_matter, body: Arc::from(body), body_span: Span::from_usize(body_start, text.len()) })
}

/// Why a file without a `---` or `+++` first line has no front matter Tenet reads, at the
/// line that comes closest: a `---` line below blank lines, which no site generator reads
/// as front matter either.
fn no_front_matter(text: &str) -> ParseError {
    const HELP: &str =
        "start the file with a `---` line, the document's fields in YAML, and another `---` line";
    let blank = text.len() - text.trim_start_matches(['\n', '\r', ' ', '\t']).len();
    let rest = &text[blank..];
    if blank > 0 && rest.lines().next().map(str::trim_end) == Some("---") {
        let at = blank + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        return ParseError::new(
            Span::from_usize(at, at + 3),
            "the front matter must start on the file's first line",
        )
        .with_help("remove the blank lines above the `---` line");
    }
    ParseError::new(Span::new(0, 0), "the Markdown file has no front matter").with_help(HELP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_split() {
        let text = "---\nid: mc-1\n---\n# Model\nIntro.\n## Limitations\nSome.\n";
        let md = parse(text, &Limits::default()).unwrap();
        let id = md.front_matter.get("id").unwrap();
        assert_eq!(&text[id.span.range()], "mc-1");
        assert_eq!(&*md.body, "# Model\nIntro.\n## Limitations\nSome.\n");
        assert_eq!(&text[md.body_span.range()], &*md.body);
    }

    #[test]
    fn windows_line_endings_and_a_dots_terminator_are_accepted() {
        let md = parse("---\r\nid: x\r\n...\r\nBody\r\n", &Limits::default()).unwrap();
        assert_eq!(md.front_matter.get("id").unwrap().as_text(), Some("x"));
        assert_eq!(&*md.body, "Body\r\n");
    }

    #[test]
    fn empty_front_matter_is_a_document_without_fields() {
        let md = parse("---\n---\ntext", &Limits::default()).unwrap();
        assert_eq!(md.front_matter.kind, NodeKind::Map(Vec::new()));
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_an_error() {
        assert_eq!(
            parse("# Title\n", &Limits::default()).unwrap_err().message,
            "the Markdown file has no front matter"
        );
        assert_eq!(
            parse("---\nid: x\n", &Limits::default()).unwrap_err().message,
            "the front matter is never closed"
        );
    }

    #[test]
    fn toml_front_matter_is_read_in_place() {
        let text = "+++\nid = \"mc-1\"\nowners = [\"a\", \"b\"]\n+++\n# Limitations\n";
        let md = parse(text, &Limits::default()).unwrap();
        let NodeKind::Map(entries) = &md.front_matter.kind else { panic!("{:?}", md.front_matter) };
        let placed: Vec<(&str, &str)> = entries
            .iter()
            .map(|(_, key, value)| {
                (
                    &text[key.start as usize..key.end as usize],
                    &text[value.span.start as usize..value.span.end as usize],
                )
            })
            .collect();
        assert_eq!(placed, [("id", "\"mc-1\""), ("owners", "[\"a\", \"b\"]")]);
        assert_eq!(&*md.body, "# Limitations\n");
        // Errors are placed in the file too, and an unclosed block names its marker.
        let broken = "+++\nid = \n+++\n";
        let error = parse(broken, &Limits::default()).unwrap_err();
        assert!(error.message.starts_with("invalid TOML"), "{}", error.message);
        assert!(error.span.start >= 4, "{:?}", error.span);
        let unclosed = parse("+++\nid = \"x\"\n", &Limits::default()).unwrap_err();
        assert_eq!(unclosed.help.as_deref(), Some("end the front matter with a line holding only `+++`"));
    }

    #[test]
    fn blank_lines_above_front_matter_are_named() {
        let below = parse("\n\n---\nid: x\n---\n", &Limits::default()).unwrap_err();
        assert_eq!(
            (below.message.as_str(), below.span),
            ("the front matter must start on the file's first line", Span::new(2, 5))
        );
    }

    #[test]
    fn yaml_errors_in_front_matter_are_located_in_the_file() {
        let err = parse("---\nid: [x\n---\n", &Limits::default()).unwrap_err();
        assert!(err.span.start >= 4, "{err:?}");
    }
}
