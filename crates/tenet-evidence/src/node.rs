//! The located document tree every format is read into before typing: mappings,
//! sequences and scalars, each with its byte range in the (decoded) file text.
//!
//! Scalars stay text, with a note of whether they were quoted, until the schema says what
//! they should be: `no` is a string where the schema wants a string and `false` where it
//! wants a boolean, and `1.10` is not silently `1.1`.

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
}
