//! YAML (also Markdown front matter) through saphyr-parser's event stream, which gives
//! every event a position and never recurses, so depth is ours to limit.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};
use tenet_diagnostics::Span;

use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

/// Character index → byte offset, since saphyr counts characters.
pub(crate) struct Offsets {
    bytes: Option<Vec<u32>>,
    base: u32,
}

impl Offsets {
    pub fn new(text: &str, base: usize) -> Offsets {
        let bytes = if text.is_ascii() {
            None
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| (i + base) as u32).collect();
            v.push((text.len() + base) as u32);
            Some(v)
        };
        Offsets { bytes, base: base as u32 }
    }

    pub fn at(&self, char_index: usize) -> u32 {
        match &self.bytes {
            None => self.base + char_index as u32,
            Some(v) => v.get(char_index).copied().or_else(|| v.last().copied()).unwrap_or(self.base),
        }
    }
}

enum Frame {
    Seq { items: Vec<Node>, start: u32, anchor: usize },
    Map { entries: Vec<(String, Span, Node)>, key: Option<(String, Span)>, start: u32, anchor: usize },
}

/// Parses every document of a YAML stream. `base` is where `text` starts in the file
/// (for front matter). Duplicate keys, excessive depth and alias bombs are errors.
pub(crate) fn parse(text: &str, base: usize, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    let offsets = Offsets::new(text, base);
    let span_of = |s: &saphyr_parser::Span| Span::new(offsets.at(s.start.index()), offsets.at(s.end.index()));
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes_made: usize = 0;
    let mut current: Option<Node> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let at = offsets.at(e.marker().index());
                if e.info().contains("recursion limit") {
                    let message = format!("values nest more than {} levels deep", limits.max_depth);
                    return Err(ParseError::new(Span::new(at, at), message));
                }
                let mut err = ParseError::new(Span::new(at, at), format!("invalid YAML: {}", e.info()));
                if text.get(..).is_some_and(|t| line_has_tab_indent(t, e.marker().line())) {
                    err = err.with_help("YAML does not allow tabs for indentation; indent with spaces");
                }
                return Err(err);
            }
        };
        let here = span_of(&span);
        let finished: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                current = None;
                None
            }
            Event::DocumentEnd => {
                docs.push(current.take().unwrap_or_else(|| Node::new(NodeKind::Null, here)));
                if docs.len() > limits.max_documents {
                    return Err(ParseError::new(
                        here,
                        format!("more than {} documents in one file", limits.max_documents),
                    ));
                }
                None
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => {
                    nodes_made += count_nodes(node);
                    if nodes_made > limits.max_nodes {
                        return Err(ParseError::new(here, "aliases expand to too many values")
                            .with_help("an alias repeated inside aliases multiplies the document's size"));
                    }
                    let mut copy = node.clone();
                    copy.span = here;
                    Some((copy, 0))
                }
                None => return Err(ParseError::new(here, "an alias refers to an unknown anchor")),
            },
            Event::Scalar(value, style, anchor, _) => {
                nodes_made += 1;
                let plain = matches!(style, ScalarStyle::Plain);
                Some((Node::new(NodeKind::Text { text: value.into_owned(), plain }, here), anchor))
            }
            Event::SequenceStart(anchor, _) => {
                push_frame(
                    &mut stack,
                    Frame::Seq { items: Vec::new(), start: here.start, anchor },
                    here,
                    limits,
                )?;
                None
            }
            Event::MappingStart(anchor, _) => {
                push_frame(
                    &mut stack,
                    Frame::Map { entries: Vec::new(), key: None, start: here.start, anchor },
                    here,
                    limits,
                )?;
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, start, anchor }) => {
                    nodes_made += 1;
                    Some((Node::new(NodeKind::Seq(items), Span::new(start, here.end.max(start))), anchor))
                }
                _ => return Err(ParseError::new(here, "invalid YAML: unbalanced sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map { entries, start, anchor, .. }) => {
                    nodes_made += 1;
                    Some((Node::new(NodeKind::Map(entries), Span::new(start, here.end.max(start))), anchor))
                }
                _ => return Err(ParseError::new(here, "invalid YAML: unbalanced mapping")),
            },
        };
        if nodes_made > limits.max_nodes {
            return Err(ParseError::new(here, format!("more than {} values in one file", limits.max_nodes)));
        }
        let Some((node, anchor)) = finished else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => current = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let name = match &node.kind {
                        NodeKind::Text { text, .. } => text.clone(),
                        _ => return Err(ParseError::new(node.span, "mapping keys must be plain text")),
                    };
                    if entries.iter().any(|(k, _, _)| *k == name) {
                        return Err(ParseError::new(
                            node.span,
                            format!("the key `{name}` appears twice in this mapping"),
                        )
                        .with_help("keep one of them; YAML tools disagree on which one wins"));
                    }
                    *key = Some((name, node.span));
                }
                Some((name, key_span)) => entries.push((name, key_span, node)),
            },
        }
    }
    if let Some(node) = current.take() {
        docs.push(node);
    }
    Ok(docs)
}

fn push_frame(stack: &mut Vec<Frame>, frame: Frame, here: Span, limits: &Limits) -> Result<(), ParseError> {
    if stack.len() >= limits.max_depth {
        return Err(ParseError::new(here, format!("values nest more than {} levels deep", limits.max_depth)));
    }
    stack.push(frame);
    Ok(())
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(entries) => 1 + entries.iter().map(|(_, _, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    }
}

fn line_has_tab_indent(text: &str, line: usize) -> bool {
    let start = line.saturating_sub(1);
    text.lines()
        .skip(start.saturating_sub(1))
        .take(2)
        .any(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
}
