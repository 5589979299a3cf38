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
    let first_line = text.get(..first_line_end).map(str::trim_end);
    if first_line != Some("---") {
        return Err(no_front_matter(text, first_line));
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

/// Why a file whose first line is `first_line` has no front matter Tenet reads, at the
/// line that comes closest: TOML front matter (`+++`, as Hugo writes it), or a `---` line
/// below blank lines, which no site generator reads as front matter either.
fn no_front_matter(text: &str, first_line: Option<&str>) -> ParseError {
    const HELP: &str =
        "start the file with a `---` line, the document's fields in YAML, and another `---` line";
    if first_line == Some("+++") {
        return ParseError::new(
            Span::new(0, 3),
            "this front matter is TOML (`+++`), and Tenet reads front matter in YAML",
        )
        .with_help("write the fields in YAML between `---` lines: `id: mc-1` for `id = \"mc-1\"`");
    }
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
    fn toml_front_matter_and_blank_lines_above_it_are_named() {
        let toml = parse("+++\nid = \"x\"\n+++\n", &Limits::default()).unwrap_err();
        assert_eq!(toml.message, "this front matter is TOML (`+++`), and Tenet reads front matter in YAML");
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
