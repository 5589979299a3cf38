//! YAML (also Markdown front matter) through saphyr-parser's event stream, which gives
//! every event a position and never recurses, so depth is ours to limit. Anchors, aliases
//! and merge keys (`<<: *base`) are resolved here; duplicate keys are errors, since YAML
//! tools disagree on which one wins.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use tenet_diagnostics::Span;

use crate::formats::yaml_block;
use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError, Parsed, first_time};

/// Character index → byte offset, since saphyr counts characters.
struct Offsets {
    bytes: Option<Vec<u32>>,
    base: u32,
}

impl Offsets {
    fn new(text: &str, base: usize) -> Offsets {
        let at = |i: usize| u32::try_from(i.saturating_add(base)).unwrap_or(u32::MAX);
        let bytes = if text.is_ascii() {
            None
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| at(i)).collect();
            v.push(at(text.len()));
            Some(v)
        };
        Offsets { bytes, base: at(0) }
    }

    fn at(&self, char_index: usize) -> u32 {
        match &self.bytes {
            None => self.base.saturating_add(u32::try_from(char_index).unwrap_or(u32::MAX)),
            Some(v) => v.get(char_index).copied().or_else(|| v.last().copied()).unwrap_or(self.base),
        }
    }
}

/// A key waiting for its value; `merge` for a plain `<<`.
struct PendingKey {
    name: String,
    span: Span,
    merge: bool,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: u32,
        anchor: usize,
    },
    Map {
        entries: Vec<(String, Span, Node)>,
        /// The keys of a large mapping, for finding a repeated one; small mappings (most
        /// of them) are scanned instead.
        seen: Option<HashSet<String>>,
        key: Option<PendingKey>,
        merges: Vec<Node>,
        start: u32,
        anchor: usize,
    },
}

/// Parses every document of a YAML stream. `base` is where `text` starts in the file
/// (for front matter). Duplicate keys, excessive depth and alias bombs are errors; the
/// documents completed before an error, and the completed entries of a top-level list,
/// are kept.
pub(crate) fn parse(text: &str, base: usize, limits: &Limits) -> Parsed {
    match yaml_block::parse(text, base, limits) {
        Some(docs) => Parsed::ok(docs),
        None => parse_events(text, base, limits),
    }
}

/// [`parse`] through saphyr's events: any YAML, and every error.
pub(crate) fn parse_events(text: &str, base: usize, limits: &Limits) -> Parsed {
    let mut state = State {
        offsets: Offsets::new(text, base),
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes_made: 0,
        current: None,
        limits,
    };
    for item in Parser::new_from_str(text) {
        let step = match item {
            Ok((event, span)) => state.event(event, &span),
            Err(e) => Err(scan_error(&state.offsets, text, &e, limits)),
        };
        if let Err(error) = step {
            return state.salvage(error);
        }
    }
    if let Some(node) = state.current.take() {
        state.docs.push(node);
    }
    Parsed::ok(state.docs)
}

struct State<'a> {
    offsets: Offsets,
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes_made: usize,
    current: Option<Node>,
    limits: &'a Limits,
}

impl State<'_> {
    fn event(&mut self, event: Event<'_>, span: &saphyr_parser::Span) -> Result<(), ParseError> {
        let here = Span::new(self.offsets.at(span.start.index()), self.offsets.at(span.end.index()));
        let finished: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                self.current = None;
                None
            }
            Event::DocumentEnd => {
                self.docs.push(self.current.take().unwrap_or_else(|| Node::new(NodeKind::Null, here)));
                if self.docs.len() > self.limits.max_documents {
                    return Err(ParseError::too_many_documents(here, self.limits.max_documents));
                }
                None
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id) else {
                    return Err(ParseError::new(here, "an alias refers to an unknown anchor"));
                };
                self.nodes_made = self.nodes_made.saturating_add(node.count());
                if self.nodes_made > self.limits.max_nodes {
                    return Err(ParseError::new(here, "aliases expand to too many values")
                        .with_help("an alias repeated inside aliases multiplies the document's size"));
                }
                let mut copy = node.clone();
                copy.span = here;
                Some((copy, 0))
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.nodes_made = self.nodes_made.saturating_add(1);
                // `!!str 2024-01-01` is text even where the schema would read a date.
                let plain = matches!(style, ScalarStyle::Plain) && !tag.as_deref().is_some_and(is_str_tag);
                Some((Node::new(NodeKind::Text { text: value.into_owned(), plain }, here), anchor))
            }
            Event::SequenceStart(anchor, _) => {
                self.push(Frame::Seq { items: Vec::new(), start: here.start, anchor }, here)?;
                None
            }
            Event::MappingStart(anchor, _) => {
                let frame = Frame::Map {
                    entries: Vec::new(),
                    seen: None,
                    key: None,
                    merges: Vec::new(),
                    start: here.start,
                    anchor,
                };
                self.push(frame, here)?;
                None
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { items, start, anchor }) => {
                    self.nodes_made = self.nodes_made.saturating_add(1);
                    Some((Node::new(NodeKind::Seq(items), Span::new(start, here.end)), anchor))
                }
                _ => return Err(ParseError::new(here, "invalid YAML: unbalanced sequence")),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map { entries, merges, start, anchor, .. }) => {
                    self.nodes_made = self.nodes_made.saturating_add(1);
                    let entries = merge(entries, merges)?;
                    Some((Node::new(NodeKind::Map(entries), Span::new(start, here.end)), anchor))
                }
                _ => return Err(ParseError::new(here, "invalid YAML: unbalanced mapping")),
            },
        };
        if self.nodes_made > self.limits.max_nodes {
            return Err(ParseError::new(
                here,
                format!("more than {} values in one file", self.limits.max_nodes),
            ));
        }
        let Some((node, anchor)) = finished else { return Ok(()) };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.place(node)
    }

    fn push(&mut self, frame: Frame, here: Span) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::too_deep(here, self.limits.max_depth));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Puts a finished node where it belongs: a document, a list item, a key or a value.
    fn place(&mut self, node: Node) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            None => self.current = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, seen, key, merges, .. }) => match key.take() {
                None => {
                    let span = node.span;
                    let (name, plain) = match node.kind {
                        NodeKind::Text { text, plain } => (text, plain),
                        _ => return Err(ParseError::new(span, "mapping keys must be plain text")),
                    };
                    let merge = plain && name == "<<";
                    if !merge && !first_time(entries, seen, &name) {
                        return Err(ParseError::new(
                            span,
                            format!("the key `{name}` appears twice in this mapping"),
                        )
                        .with_help("keep one of them; YAML tools disagree on which one wins"));
                    }
                    *key = Some(PendingKey { name, span, merge });
                }
                Some(PendingKey { merge: true, .. }) => merges.push(node),
                Some(PendingKey { name, span, merge: false }) => entries.push((name, span, node)),
            },
        }
        Ok(())
    }

    /// The documents completed before `error`, and the completed entries of a top-level
    /// list (a register), with the error.
    fn salvage(mut self, error: ParseError) -> Parsed {
        if let Some(node) = self.current.take() {
            self.docs.push(node);
        } else if let Some(Frame::Seq { items, start, .. }) = self.stack.into_iter().next()
            && let Some(last) = items.last()
        {
            let span = Span::new(start, last.span.end);
            self.docs.push(Node::new(NodeKind::Seq(items), span));
        }
        Parsed { docs: self.docs, errors: vec![error] }
    }
}

fn is_str_tag(tag: &Tag) -> bool {
    tag.is_yaml_core_schema() && tag.suffix == "str"
}

/// Applies merge keys: keys written in the mapping win, then earlier merged mappings win
/// over later ones (YAML's merge key type).
fn merge(
    mut entries: Vec<(String, Span, Node)>,
    merges: Vec<Node>,
) -> Result<Vec<(String, Span, Node)>, ParseError> {
    if merges.is_empty() {
        return Ok(entries);
    }
    let mut seen: HashSet<String> = entries.iter().map(|(k, _, _)| k.clone()).collect();
    for source in merges {
        let maps: Vec<Node> = match source.kind {
            NodeKind::Map(_) => vec![source],
            NodeKind::Seq(items) if items.iter().all(|i| matches!(i.kind, NodeKind::Map(_))) => items,
            _ => {
                return Err(ParseError::new(source.span, "`<<` merges a mapping or a list of mappings")
                    .with_help("write `<<: *anchor` where the anchor is on a mapping"));
            }
        };
        for map in maps {
            let NodeKind::Map(from) = map.kind else { continue };
            for (name, span, value) in from {
                if seen.insert(name.clone()) {
                    entries.push((name, span, value));
                }
            }
        }
    }
    Ok(entries)
}

fn scan_error(offsets: &Offsets, text: &str, e: &saphyr_parser::ScanError, limits: &Limits) -> ParseError {
    let at = offsets.at(e.marker().index());
    let here = Span::new(at, at);
    if e.info().contains("recursion limit") {
        return ParseError::too_deep(here, limits.max_depth);
    }
    let message = format!("invalid YAML: {}", e.info());
    // Pointed at the tab itself: saphyr points at the scalar before it.
    if let Some(tab) = indenting_tab(text, e.marker().line()) {
        let at = offsets.base.saturating_add(u32::try_from(tab).unwrap_or(u32::MAX));
        return ParseError::new(Span::new(at, at.saturating_add(1)), message)
            .with_help("YAML does not allow tabs for indentation; indent with spaces");
    }
    ParseError::new(here, message)
}

/// The byte offset of the first tab that indents line `line` (one-based) or the next one:
/// where saphyr reports a tab it often points at the end of the line before.
fn indenting_tab(text: &str, line: usize) -> Option<usize> {
    let mut start = 0;
    for (number, l) in text.split_inclusive('\n').enumerate() {
        if number + 1 >= line
            && let Some(tab) = l.bytes().take_while(|b| matches!(b, b' ' | b'\t')).position(|b| b == b'\t')
        {
            return Some(start + tab);
        }
        if number >= line {
            return None;
        }
        start += l.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Vec<Node> {
        let parsed = parse(text, 0, &Limits::default());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.docs
    }

    fn keys(node: &Node) -> Vec<&str> {
        match &node.kind {
            NodeKind::Map(entries) => entries.iter().map(|(k, _, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn every_document_of_a_stream_is_read_with_its_span() {
        let text = "id: a\n---\nid: b\n...\n";
        let docs = parse_ok(text);
        assert_eq!(docs.len(), 2);
        let b = docs[1].get("id").unwrap();
        assert_eq!(&text[b.span.range()], "b");
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let text = "name: Café\nid: x\n";
        let docs = parse_ok(text);
        let id = docs[0].get("id").unwrap();
        assert_eq!(&text[id.span.range()], "x");
    }

    #[test]
    fn front_matter_spans_are_shifted_by_the_base() {
        let parsed = parse("id: x\n", 4, &Limits::default());
        assert_eq!(parsed.docs[0].get("id").unwrap().span, Span::new(8, 9));
    }

    #[test]
    fn quoted_and_tagged_scalars_are_not_plain() {
        let docs = parse_ok("a: no\nb: 'no'\nc: !!str no\n");
        let plain = |k: &str| matches!(docs[0].get(k).unwrap().kind, NodeKind::Text { plain: true, .. });
        assert!(plain("a"));
        assert!(!plain("b"));
        assert!(!plain("c"));
    }

    #[test]
    fn aliases_copy_the_anchored_value() {
        let docs = parse_ok("a: &x [1, 2]\nb: *x\n");
        assert!(matches!(&docs[0].get("b").unwrap().kind, NodeKind::Seq(items) if items.len() == 2));
    }

    #[test]
    fn merge_keys_fill_in_without_overriding() {
        let text = "base: &b {owner: ops, tier: high}\nsys:\n  <<: *b\n  tier: low\n  id: s1\n";
        let docs = parse_ok(text);
        let sys = docs[0].get("sys").unwrap();
        assert_eq!(keys(sys), ["tier", "id", "owner"]);
        assert_eq!(sys.get("tier").unwrap().as_text(), Some("low"));
        let owner = sys.get("owner").unwrap();
        assert_eq!(&text[owner.span.range()], "ops", "merged values keep where they were written");
    }

    #[test]
    fn merging_a_scalar_is_an_error() {
        let parsed = parse("a: &x 1\nb:\n  <<: *x\n", 0, &Limits::default());
        assert_eq!(parsed.errors[0].message, "`<<` merges a mapping or a list of mappings");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let parsed = parse("a: 1\na: 2\n", 0, &Limits::default());
        assert_eq!(parsed.errors[0].message, "the key `a` appears twice in this mapping");
        assert_eq!(parsed.errors[0].span, Span::new(5, 6));
    }

    #[test]
    fn completed_entries_of_a_register_survive_a_later_error() {
        let text = "- id: a\n- id: b\n- id: \"c\n";
        let parsed = parse(text, 0, &Limits::default());
        assert_eq!(parsed.errors.len(), 1);
        assert!(matches!(&parsed.docs[0].kind, NodeKind::Seq(items) if items.len() == 2));
    }

    #[test]
    fn completed_documents_survive_an_error_in_a_later_one() {
        let parsed = parse("id: a\n---\nid: [b\n", 0, &Limits::default());
        assert_eq!(parsed.docs.len(), 1);
        assert_eq!(parsed.errors.len(), 1);
    }

    #[test]
    fn a_tab_is_pointed_at_with_a_hint() {
        let text = "id: t\nname: x\n\trisk: high\n";
        let parsed = parse(text, 0, &Limits::default());
        assert_eq!(&text[parsed.errors[0].span.range()], "\t");
        assert_eq!(parsed.errors[0].span.start, 14);
        assert_eq!(
            parsed.errors[0].help.as_deref(),
            Some("YAML does not allow tabs for indentation; indent with spaces")
        );
        // A tab on the line before the error's is not what it is about.
        let text = "x: [1,\n  \t2]\ny: ]\nz: 1\n";
        let parsed = parse(text, 0, &Limits::default());
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].help.is_none(), "{:?}", parsed.errors[0]);
        // In front matter, where the text starts further into the file.
        let parsed = parse("id: t\nname: x\n\trisk: high\n", 4, &Limits::default());
        assert_eq!(parsed.errors[0].span, Span::new(18, 19));
    }

    #[test]
    fn deep_flow_and_block_nesting_stop_at_the_limit() {
        let limits = Limits { max_depth: 16, ..Limits::default() };
        let flow = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(parse(&flow, 0, &limits).errors[0].message, "values nest more than 16 levels deep");
        let block: String = (0..1000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(parse(&block, 0, &limits).errors[0].message, "values nest more than 16 levels deep");
    }

    #[test]
    fn document_count_is_limited() {
        let limits = Limits { max_documents: 3, ..Limits::default() };
        let text = "a: 1\n---\n".repeat(10);
        assert_eq!(parse(&text, 0, &limits).errors[0].message, "more than 3 documents in one file");
    }
}
