//! The located document tree every format is read into before typing: mappings,
//! sequences and scalars, each with its byte range in the (decoded) file text.
//!
//! Scalars stay text, with a note of whether they were quoted, until the schema says what
//! they should be: `no` is a string where the schema wants a string and `false` where it
//! wants a boolean, and `1.10` is not silently `1.1`.

use std::collections::HashSet;

use tenet_diagnostics::Span;

/// A node of a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// The shapes of nodes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    /// An explicit null (`null`, `~`, an empty YAML value, an empty CSV cell).
    Null,
    /// A boolean from a format that has them natively (JSON, TOML).
    Bool(bool),
    /// A number from a format that has them natively, as written.
    Number(String),
    /// Text; `plain` when it was not quoted (YAML plain scalars, CSV cells), so it may
    /// still be read as a number, a boolean or a date.
    Text { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order: key, the key's span, value.
    Map(Vec<(String, Span, Node)>),
}

impl Node {
    /// The node with every span moved `by` bytes later: a node parsed from a part of a
    /// file (Markdown's TOML front matter) placed in the whole file.
    pub fn shifted(mut self, by: usize) -> Node {
        fn shift(node: &mut Node, by: u32) {
            node.span = Span::new(node.span.start + by, node.span.end + by);
            match &mut node.kind {
                NodeKind::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
                NodeKind::Map(entries) => {
                    for (_, key, value) in entries {
                        *key = Span::new(key.start + by, key.end + by);
                        shift(value, by);
                    }
                }
                _ => {}
            }
        }
        shift(&mut self, u32::try_from(by).unwrap_or(u32::MAX));
        self
    }

    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node { kind, span }
    }

    /// The value of key `name` in a mapping.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _, _)| k == name).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar, for `kind:` fields and messages.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Text { text, .. } | NodeKind::Number(text) => Some(text),
            _ => None,
        }
    }

    /// True for null, and for plain text that YAML reads as null.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Null => true,
            NodeKind::Text { text, plain: true } => {
                matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// Nodes in this tree, aliases counted at every use: what an alias bomb inflates.
    pub fn count(&self) -> usize {
        // Iterative, so that counting cannot recurse as deep as the tree.
        let mut total = 0usize;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            total = total.saturating_add(1);
            match &node.kind {
                NodeKind::Seq(items) => stack.extend(items.iter()),
                NodeKind::Map(entries) => stack.extend(entries.iter().map(|(_, _, v)| v)),
                _ => {}
            }
        }
        total
    }

    /// What it is, in words, for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "nothing".to_owned(),
            NodeKind::Bool(b) => format!("`{b}`"),
            NodeKind::Number(n) => format!("the number `{n}`"),
            NodeKind::Text { text, .. } => {
                let shown: String = text.chars().take(40).collect();
                let ellipsis = if text.chars().count() > 40 { "…" } else { "" };
                format!("\"{shown}{ellipsis}\"")
            }
            NodeKind::Seq(_) => "a list".to_owned(),
            NodeKind::Map(_) => "a mapping".to_owned(),
        }
    }
}

/// The strings and entry lists of documents already given away, emptied, for the next
/// ones: a reader that hands each document over as it reads it ([`yaml_block::stream`],
/// [`json::stream_lines`]) makes a file of many small documents with no allocation for
/// each.
///
/// [`yaml_block::stream`]: crate::formats::yaml_block::stream
/// [`json::stream_lines`]: crate::formats::json::stream_lines
#[derive(Default)]
pub(crate) struct Spare {
    strings: Vec<String>,
    entries: Vec<Vec<(String, Span, Node)>>,
}

impl Spare {
    /// `text` as an owned string, in a spare one when there is one.
    pub fn string(&mut self, text: &str) -> String {
        match self.strings.pop() {
            Some(mut spare) => {
                spare.clear();
                spare.push_str(text);
                spare
            }
            None => text.to_owned(),
        }
    }

    /// An empty list of a mapping's entries.
    pub fn entries(&mut self) -> Vec<(String, Span, Node)> {
        self.entries.pop().unwrap_or_default()
    }

    /// Keeps what a document given away holds for the next: its keys and scalars, and
    /// its list of entries.
    pub fn recycle(&mut self, document: Node) {
        if let NodeKind::Map(mut entries) = document.kind {
            for (key, _, value) in entries.drain(..) {
                self.strings.push(key);
                if let NodeKind::Text { text, .. } | NodeKind::Number(text) = value.kind {
                    self.strings.push(text);
                }
            }
            self.entries.push(entries);
        }
    }
}

/// Whether `name` is not yet a key of a mapping with `entries`, for the formats that make
/// a repeated key an error. Most mappings are small and are scanned; a large one keeps its
/// keys in `seen`, made the first time it is needed.
pub(crate) fn first_time(
    entries: &[(String, Span, Node)],
    seen: &mut Option<HashSet<String>>,
    name: &str,
) -> bool {
    const SCANNED: usize = 16;
    if seen.is_none() && entries.len() < SCANNED {
        return !entries.iter().any(|(k, _, _)| k == name);
    }
    let set = seen.get_or_insert_with(|| entries.iter().map(|(k, _, _)| k.clone()).collect());
    set.insert(name.to_owned())
}

/// A parse failure, located.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParseError {
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl ParseError {
    pub fn new(span: Span, message: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), span, help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> ParseError {
        self.help = Some(help.into());
        self
    }

    /// The error every format gives for nesting past the limit.
    pub fn too_deep(span: Span, max_depth: usize) -> ParseError {
        ParseError::new(span, format!("values nest more than {max_depth} levels deep"))
            .with_help("evidence this deep is almost always generated by mistake; flatten it")
    }

    /// The error every format gives for too many documents in one file.
    pub fn too_many_documents(span: Span, max_documents: usize) -> ParseError {
        ParseError::new(span, format!("more than {max_documents} documents in one file"))
            .with_help("split the file, or raise the document limit")
    }
}

/// What a parser made of a file: the documents it completed, and what went wrong. A
/// syntax error ends parsing, but the documents before it are kept, so one bad entry of
/// a register costs only itself and what follows it.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub docs: Vec<Node>,
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// Everything parsed, nothing wrong.
    pub fn ok(docs: Vec<Node>) -> Parsed {
        Parsed { docs, errors: Vec::new() }
    }

    /// Nothing usable, one error.
    pub fn failed(error: ParseError) -> Parsed {
        Parsed { docs: Vec::new(), errors: vec![error] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Node {
        Node::new(NodeKind::Text { text: t.to_owned(), plain: true }, Span::new(0, 0))
    }

    #[test]
    fn plain_nulls_are_null_but_quoted_ones_are_text() {
        assert!(text("~").is_null());
        assert!(text("").is_null());
        assert!(!Node::new(NodeKind::Text { text: "null".into(), plain: false }, Span::new(0, 0)).is_null());
    }

    #[test]
    fn first_time_finds_a_repeat_whether_scanned_or_kept_in_a_set() {
        let mut entries = Vec::new();
        let mut seen = None;
        for i in 0..40 {
            let name = format!("k{i}");
            assert!(first_time(&entries, &mut seen, &name), "{name} is new");
            entries.push((name, Span::new(0, 0), text("v")));
            assert!(!first_time(&entries, &mut seen, "k0"), "k0 is a repeat after {} keys", i + 1);
            assert!(!first_time(&entries, &mut seen, &format!("k{i}")), "k{i} is a repeat");
        }
        // Small mappings are only scanned; the set is made once the mapping grows.
        assert!(seen.is_some());
    }

    #[test]
    fn count_is_iterative_and_counts_every_node() {
        let mut node = text("x");
        for _ in 0..1_000 {
            node = Node::new(NodeKind::Seq(vec![node]), Span::new(0, 0));
        }
        assert_eq!(node.count(), 1_001);
    }

    #[test]
    fn long_text_is_shortened_in_messages() {
        let long = "a".repeat(100);
        assert_eq!(text(&long).describe(), format!("\"{}…\"", "a".repeat(40)));
    }
}
