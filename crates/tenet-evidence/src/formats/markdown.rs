//! Markdown documents: YAML front matter between `---` lines holds the fields; the body
//! after it is kept as text, which the evaluator splits into sections by heading for
//! rules that read prose ("the model card has a Limitations section").

use std::sync::Arc;

use tenet_diagnostics::Span;

use crate::formats::yaml;
use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

/// A Markdown document, split.
#[derive(Debug)]
pub(crate) struct Markdown {
    /// The front matter, parsed as YAML.
    pub front_matter: Node,
    /// The text after the front matter.
    pub body: Arc<str>,
    /// Where the body is.
    pub body_span: Span,
}

/// Splits and parses a Markdown document.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Markdown, ParseError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text.get(..first_line_end).map(str::trim_end) != Some("---") {
        return Err(ParseError::new(Span::new(0, 0), "the Markdown file has no front matter").with_help(
            "start the file with a `---` line, the document's fields in YAML, and another `---` line",
        ));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut close: Option<(usize, usize)> = None;
    for line in text.get(yaml_start..).unwrap_or_default().split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(ParseError::new(Span::from_usize(0, first_line_end), "the front matter is never closed")
            .with_help("end the front matter with a line holding only `---`"));
    };
    let mut parsed = yaml::parse(text.get(yaml_start..yaml_end).unwrap_or_default(), yaml_start, limits);
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
    fn yaml_errors_in_front_matter_are_located_in_the_file() {
        let err = parse("---\nid: [x\n---\n", &Limits::default()).unwrap_err();
        assert!(err.span.start >= 4, "{err:?}");
    }
}
