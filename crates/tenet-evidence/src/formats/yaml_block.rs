//! A fast reader for the YAML that evidence is mostly written in: one document of block
//! mappings and sequences whose scalars each sit on one line.
//! saphyr's scanner reads about 20 MB a second and took 42 % of a large check's CPU; this
//! reads such a document into the very nodes saphyr's events build (`yaml.rs`), spans
//! included, about four times as fast (`tenet-bench --child by-format`).
//!
//! It only ever declines: at anything outside that subset (flow collections, anchors,
//! aliases, tags, block and multi-line scalars, escapes, merge keys, several documents,
//! tabs, a carriage return but before a line feed, characters YAML may read as other
//! than text) and at anything
//! that is not valid YAML (a repeated key, a bad indent, a value where none may be), it
//! returns `None` and saphyr reads the file from the start. So every error, and every construct it does not know,
//! is saphyr's to report, and a file declined late costs one extra pass over what was
//! read. The tests compare the two readers over generated documents and edge cases.
//!
//! The loader takes a file's documents as they are read ([`stream`]): each item of a list
//! at the top is typed as soon as it is read, and its strings serve the next item's.
//!
//! Spans follow saphyr's events exactly:
//! - a plain scalar spans its text, trailing spaces trimmed;
//! - a quoted scalar spans its quotes and the rest of its line (spaces, a comment);
//! - an empty value is an empty plain scalar at its key's `:`, or after a bare `-` and
//!   its spaces;
//! - a collection starts at its first key or `-` (a sequence written at its key's indent
//!   starts after its first `-` and spaces) and ends where the next token starts: the
//!   first character of the next line with content (comments and blank lines skipped),
//!   or the end.

use std::collections::HashSet;

use tenet_diagnostics::Span;

use crate::limits::Limits;
use crate::node::{Node, NodeKind, Spare, first_time};

/// Reads `text` when it is a single block document of the subset; `None` otherwise.
/// `base` is where `text` starts in the file (for front matter).
pub(crate) fn parse(text: &str, base: usize, limits: &Limits) -> Option<Vec<Node>> {
    read(text, base, limits, None).map(|root| vec![root])
}

/// [`parse`], giving each of the file's documents to `each` as soon as it is read, and
/// keeping none: the items of a list at the top one by one (as the loader takes them,
/// each a document), else the one document. A list's items are not kept, and the strings
/// and entry lists of each are used again for the next, so a file of many small documents
/// costs no allocation for each. `None` when [`parse`] declines, which may be after some
/// documents were given: the caller then throws away what it made of them.
pub(crate) fn stream(text: &str, base: usize, limits: &Limits, each: &mut dyn FnMut(&Node)) -> Option<()> {
    let root = read(text, base, limits, Some(each))?;
    // A top-level list's items have been given; anything else is the one document.
    if !matches!(root.kind, NodeKind::Seq(_)) {
        each(&root);
    }
    Some(())
}

/// The document of `text`, its top-level list's items each given to `stream` instead of
/// kept when there is one.
fn read(text: &str, base: usize, limits: &Limits, stream: Option<&mut dyn FnMut(&Node)>) -> Option<Node> {
    let bytes = text.as_bytes();
    if limits.max_documents == 0 || u32::try_from(base.checked_add(bytes.len())?).is_err() || !readable(text)
    {
        return None;
    }
    let mut reader = Reader { text, bytes, base, limits, nodes: 0, stream, spare: Spare::default() };
    // One leading `---` alone on its line opens the document; any other marker declines.
    let mut first = reader.next_content(0, true)??;
    if first.col == 0 && reader.marker_at(first.at) {
        if reader.bytes.get(first.at..first.at + 3) != Some(b"---") || !reader.rest_is_blank(first.at + 3) {
            return None;
        }
        first = reader.next_content(reader.next_line(reader.line_end(first.at)), false)??;
    }
    let (root, next) = reader.block(first, 0)?;
    // The root must end the text: anything after it at a lesser indent is not YAML.
    if next.is_some() {
        return None;
    }
    Some(root)
}

/// Line breaks (`\n`, `\r\n`), printable ASCII, and the characters beyond ASCII that
/// YAML only ever reads as text: a byte order mark, line and paragraph separators,
/// control and non-characters, tabs and a lone `\r` are left to saphyr.
fn readable(text: &str) -> bool {
    let printable = |b: u8| b == b'\n' || (b' '..=b'~').contains(&b);
    // Whole chunks without an early exit, which the compiler turns into vector code.
    let bytes = text.as_bytes();
    let ascii = bytes.chunks(64).all(|chunk| chunk.iter().fold(true, |ok, &b| ok & printable(b)));
    let crlf_only = || !bytes.ends_with(b"\r") && bytes.windows(2).all(|w| w[0] != b'\r' || w[1] == b'\n');
    ascii
        || text.chars().all(|c| match c {
            '\r' => true,
            '\0'..='\u{7f}' => u8::try_from(c).is_ok_and(printable),
            '\u{2028}' | '\u{2029}' | '\u{feff}' => false,
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. => true,
            _ => false,
        }) && crlf_only()
}

/// The first character of a line with content, and its column.
#[derive(Clone, Copy, Debug)]
struct Content {
    at: usize,
    col: usize,
}

/// One reading: the text, and the nodes made so far against the limits.
struct Reader<'a, 's> {
    text: &'a str,
    /// `text`'s bytes: structure is ASCII, so slices cut next to it fall on characters.
    bytes: &'a [u8],
    /// Where `text` starts in its file: added to every span.
    base: usize,
    limits: &'a Limits,
    /// Nodes made so far, counted as `yaml.rs` counts them (keys included).
    nodes: usize,
    /// Where a top-level list's items go as they are read, when they are not kept.
    stream: Option<&'s mut dyn FnMut(&Node)>,
    /// What given items leave to be used again.
    spare: Spare,
}

/// A collection or scalar read, with the next line's content (`None` at the end).
type Read = (Node, Option<Content>);

impl Reader<'_, '_> {
    /// The byte at `i`; past the end, a line feed, which ends whatever was being read.
    fn byte(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(b'\n')
    }

    /// Where the content of the line holding `from` ends: at its `\n`, the `\r` of its
    /// `\r\n`, or the end.
    fn line_end(&self, from: usize) -> usize {
        let rest = self.bytes.get(from..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'\n') {
            Some(p) if p > 0 && rest[p - 1] == b'\r' => from + p - 1,
            Some(p) => from + p,
            None => self.bytes.len(),
        }
    }

    /// Where the line after the one whose content ends at `end` starts.
    fn next_line(&self, end: usize) -> usize {
        if self.byte(end) == b'\r' { end + 2 } else { end + 1 }
    }

    /// Whether `i` holds a space or a line break, or is past the end: what must follow a
    /// `-` that opens an item or a `:` that ends a key.
    fn space_or_break(&self, i: usize) -> bool {
        matches!(self.byte(i), b' ' | b'\n' | b'\r')
    }

    /// The byte before `i`, a line feed at the start.
    fn before(&self, i: usize) -> u8 {
        i.checked_sub(1).map_or(b'\n', |j| self.byte(j))
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::from_usize(self.base + start, self.base + end)
    }

    /// Whether `at` opens `---` or `...`: a document marker, or close enough to one to
    /// leave to saphyr.
    fn marker_at(&self, at: usize) -> bool {
        matches!(self.bytes.get(at..at + 3), Some(b"---" | b"..."))
    }

    fn rest_is_blank(&self, from: usize) -> bool {
        let end = self.line_end(from);
        self.bytes.get(from..end).is_some_and(|rest| rest.iter().all(|&b| b == b' '))
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    }

    /// The next line with content from `line_start`, skipping blank and comment lines:
    /// `Some(None)` at the end. A document marker at the start of a line is not content
    /// this reader handles unless `markers` says so: the reading then declines (`None`).
    fn next_content(&self, mut line_start: usize, markers: bool) -> Option<Option<Content>> {
        loop {
            let at = self.skip_spaces(line_start);
            if at >= self.bytes.len() {
                return Some(None);
            }
            match self.bytes[at] {
                b'\n' => line_start = at + 1,
                b'\r' => line_start = at + 2,
                b'#' => line_start = self.next_line(self.line_end(at)),
                _ if at == line_start && !markers && self.marker_at(at) => return None,
                _ => return Some(Some(Content { at, col: at - line_start })),
            }
        }
    }

    /// Where a collection ended by `next` ends: where the next token starts.
    fn end_at(&self, next: Option<Content>) -> usize {
        next.map_or(self.bytes.len(), |c| c.at)
    }

    fn is_entry(&self, at: usize) -> bool {
        self.byte(at) == b'-' && self.space_or_break(at + 1)
    }

    /// Counts one more node; `None` past the limit, which saphyr's reading reports.
    fn count(&mut self) -> Option<()> {
        self.nodes = self.nodes.saturating_add(1);
        (self.nodes <= self.limits.max_nodes).then_some(())
    }

    /// A collection starting at `first`: a sequence if it opens with `- `, else a mapping.
    fn block(&mut self, first: Content, depth: usize) -> Option<Read> {
        if self.is_entry(first.at) { self.sequence(first, depth, false) } else { self.mapping(first, depth) }
    }

    /// A key at `at` up to the line's end: the key's end and its `:`. Declines a key
    /// that is quoted or opens with an indicator, holds a comment, ends in spaces, or is
    /// longer than YAML's 1,024 characters for a key on one line.
    fn key(&self, at: usize, line_end: usize) -> Option<usize> {
        if starts_with_indicator(self.byte(at)) {
            return None;
        }
        let mut i = at;
        while i < line_end {
            match self.bytes[i] {
                b':' if self.space_or_break(i + 1) => {
                    return (self.before(i) != b' ' && i - at <= 1024).then_some(i);
                }
                b'#' if self.before(i) == b' ' => return None,
                _ => i += 1,
            }
        }
        None
    }

    fn mapping(&mut self, first: Content, depth: usize) -> Option<Read> {
        if depth >= self.limits.max_depth {
            return None;
        }
        let col = first.col;
        let mut entries: Vec<(String, Span, Node)> = self.spare.entries();
        let mut seen: Option<HashSet<String>> = None;
        let mut at = first.at;
        loop {
            let line_end = self.line_end(at);
            let colon = self.key(at, line_end)?;
            let name = self.text.get(at..colon)?;
            if name == "<<" || !first_time(&entries, &mut seen, name) {
                return None;
            }
            self.count()?;
            let key_span = self.span(at, colon);
            let value_at = self.skip_spaces(colon + 1);
            let following = self.next_content(self.next_line(line_end), false)?;
            let (value, next) = if value_at < line_end && self.bytes[value_at] != b'#' {
                (self.scalar(value_at, line_end)?, following)
            } else {
                match following {
                    Some(child) if child.col > col => self.block(child, depth + 1)?,
                    Some(child) if child.col == col && self.is_entry(child.at) => {
                        self.sequence(child, depth + 1, true)?
                    }
                    next => {
                        self.count()?;
                        (empty(self.span(colon, colon)), next)
                    }
                }
            };
            let name = self.spare.string(name);
            entries.push((name, key_span, value));
            match next {
                Some(c) if c.col == col && !self.is_entry(c.at) => at = c.at,
                Some(c) if c.col < col => return self.close(first.at, NodeKind::Map(entries), next),
                None => return self.close(first.at, NodeKind::Map(entries), None),
                Some(_) => return None,
            }
        }
    }

    /// A collection from `start`, ended by `next`: its node, counted, spanning up to
    /// where `next` starts.
    fn close(&mut self, start: usize, kind: NodeKind, next: Option<Content>) -> Option<Read> {
        self.count()?;
        let span = self.span(start, self.end_at(next));
        Some((Node::new(kind, span), next))
    }

    /// A sequence of `- ` entries at `first`'s column. `at_key_indent` for one written at
    /// the indent of the key it belongs to: it ends at the next key, and starts after its
    /// first `-` rather than at it.
    fn sequence(&mut self, first: Content, depth: usize, at_key_indent: bool) -> Option<Read> {
        if depth >= self.limits.max_depth {
            return None;
        }
        let col = first.col;
        let mut items: Vec<Node> = Vec::new();
        let mut at = first.at;
        let mut line_start_of_item = first.at - col;
        // saphyr starts a sequence at its key's indent after its first `-` and spaces.
        let start = if at_key_indent { self.skip_spaces(at + 1) } else { at };
        loop {
            let line_end = self.line_end(at);
            let item_at = self.skip_spaces(at + 1);
            let (item, next) = if item_at >= line_end {
                match self.next_content(self.next_line(line_end), false)? {
                    Some(child) if child.col > col => self.block(child, depth + 1)?,
                    next => {
                        self.count()?;
                        (empty(self.span(item_at, item_at)), next)
                    }
                }
            } else if self.bytes[item_at] == b'#' || self.is_entry(item_at) {
                return None;
            } else if self.key(item_at, line_end).is_some() {
                let content = Content { at: item_at, col: item_at - line_start_of_item };
                self.mapping(content, depth + 1)?
            } else {
                let item = self.scalar(item_at, line_end)?;
                (item, self.next_content(self.next_line(line_end), false)?)
            };
            match self.stream.as_mut() {
                Some(each) if depth == 0 => {
                    each(&item);
                    self.spare.recycle(item);
                }
                _ => items.push(item),
            }
            match next {
                Some(c) if c.col == col && self.is_entry(c.at) => {
                    at = c.at;
                    line_start_of_item = c.at - c.col;
                }
                Some(c) if c.col < col || (c.col == col && at_key_indent) => {
                    return self.close(start, NodeKind::Seq(items), next);
                }
                None => return self.close(start, NodeKind::Seq(items), None),
                Some(_) => return None,
            }
        }
    }

    /// A scalar from `at` to the line's end: quoted, or plain.
    fn scalar(&mut self, at: usize, line_end: usize) -> Option<Node> {
        self.count()?;
        match self.bytes[at] {
            b'\'' => self.single_quoted(at, line_end),
            b'"' => self.double_quoted(at, line_end),
            b'-' if !self.space_or_break(at + 1) => self.plain(at, line_end),
            first if starts_with_indicator(first) => None,
            _ => self.plain(at, line_end),
        }
    }

    /// A plain scalar: up to a comment or the line's end, trailing spaces trimmed. Declines
    /// `: ` or a final `:` in it (a second key on the line, which YAML refuses).
    fn plain(&mut self, at: usize, line_end: usize) -> Option<Node> {
        let mut end = at;
        let mut i = at;
        while i < line_end {
            match self.bytes[i] {
                b'#' if self.before(i) == b' ' => break,
                b':' if self.space_or_break(i + 1) => return None,
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        let text = self.spare.string(self.text.get(at..end)?);
        Some(Node::new(NodeKind::Text { text, plain: true }, self.span(at, end)))
    }

    /// `'…'` on one line, `''` standing for a quote.
    fn single_quoted(&mut self, at: usize, line_end: usize) -> Option<Node> {
        let mut text = self.spare.string("");
        let mut from = at + 1;
        loop {
            let rest = self.bytes.get(from..line_end)?;
            let quote = from + rest.iter().position(|&b| b == b'\'')?;
            text.push_str(self.text.get(from..quote)?);
            if quote + 1 < line_end && self.byte(quote + 1) == b'\'' {
                text.push('\'');
                from = quote + 2;
            } else {
                return self.quoted(at, quote + 1, line_end, text);
            }
        }
    }

    /// `"…"` on one line without escapes.
    fn double_quoted(&mut self, at: usize, line_end: usize) -> Option<Node> {
        let rest = self.bytes.get(at + 1..line_end)?;
        let close = at + 1 + rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if self.bytes[close] == b'\\' {
            return None;
        }
        let text = self.spare.string(self.text.get(at + 1..close)?);
        self.quoted(at, close + 1, line_end, text)
    }

    /// A quoted scalar closed before `after`: only spaces and a comment may follow it on
    /// the line, and its span takes them in.
    fn quoted(&self, at: usize, after: usize, line_end: usize, text: String) -> Option<Node> {
        let next = self.skip_spaces(after);
        if next < line_end && !(self.bytes[next] == b'#' && next > after) {
            return None;
        }
        Some(Node::new(NodeKind::Text { text, plain: false }, self.span(at, line_end)))
    }
}

/// Reads `text` with this reader and with saphyr's events: `Err` with both readings when
/// this reader accepted it and saphyr refused it or read it otherwise; `Ok` says whether
/// this reader accepted it. What the tests and the `yaml` fuzz target assert.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn readers_agree(text: &str, base: usize, limits: &Limits) -> Result<bool, String> {
    let Some(fast) = parse(text, base, limits) else { return Ok(false) };
    let events = crate::formats::yaml::parse_events(text, base, limits);
    if events.errors.is_empty() && fast == events.docs {
        Ok(true)
    } else {
        Err(format!("block reader: {fast:?}\nsaphyr: {:?} {:?}", events.docs, events.errors))
    }
}

/// The empty plain scalar saphyr gives a key or `-` with no value.
fn empty(span: Span) -> Node {
    Node::new(NodeKind::Text { text: String::new(), plain: true }, span)
}

/// YAML's indicators, which may not open a plain scalar here: flow collections, anchors,
/// aliases, tags, block scalars, directives, comments, quotes, reserved characters, and
/// `-`, `?` and `:` (which may open one in YAML before certain characters, left to saphyr).
fn starts_with_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` both ways; when this reader accepts it, saphyr must read it without
    /// error into the same nodes. Whether this reader accepted it.
    fn agrees(text: &str, base: usize, limits: &Limits) -> bool {
        readers_agree(text, base, limits).unwrap_or_else(|readings| panic!("{text:?}\n{readings}"))
    }

    #[test]
    fn the_subset_reads_as_saphyr_reads_it() {
        let accepted = [
            "a: x\nb:\n  c: \"q\"\n  d: 's'   # c\ne:\n- 1\n- k: v\n  l:\nf:\n\n# end\n",
            "b:\n  - x\n  - y  \nc: 1",
            "- a: 1\n  b: 2 # c\n-   z\n-\n  q: 1\n- \n-\n",
            "---\na: x   \n",
            "# top\n\n---  \na: \"x y\"  \n",
            "k:\n  - a\n  -\n  - b: 1\n    c: 2\n\n",
            "e:\n- k: v\n  j: 2\nf: 1",
            "e:\n-\n- x\n",
            "e:\n-   \n  # c\n- x # y\nz:\n",
            "a:\n  b:\n    c: 1\n  d: 2\n# x\n",
            "a: x\n  # c\nb: 2\n",
            "a:   # c\n  # d\nb: 1\n",
            "a: -5\nb: a#b\nc: http://x:y\nd: a, b ]c\ne: --x\n",
            "a: 'it''s'\nb: ''\nc: \"\"\n",
            "  a: 1\n  b: 2\n",
            "a:\n-\n  b: 1\n- c\n",
            "-   k: v\n    j: w\n- x\n",
            "a: b   \n   \n",
            "a: 1\n# only a comment after\n   ",
            "null: ~\n1: 2\n",
            "a: \"x\"",
            "a:",
            "-",
            "name: Café — naïve\nowner: '名前 ''x'''\n",
            "- name: 'Zoë'  # ü\n  note: \"ő\"\n",
            "ключ: значение\n",
            "a: x \r\nb: \"q\" \r\nc:\r\n- \r\n-\r\n  d: 1\r\n\r\n  # c\r\ne: 's' # c\r\n",
            "---\r\n- k: v\r\n  l:\r\n",
        ];
        let refused = [
            "",
            "# nothing\n",
            "just text\n",
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: \"x\\ny\"\n",
            "a: 'multi\n  line'\n",
            "a: plain\n  continued\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "a: b: c\n",
            "a: b:\n",
            "a\t: 1\n",
            "a: 1\rb: 2\n",
            "a: 1\r",
            "a: x\u{2028}y\n",
            "a: \u{85}\n",
            "\u{feff}a: 1\n",
            "'a': 1\n",
            "a : 1\n",
            "- # c\n",
            "- - x\n",
            "a: 1\n - b\n",
            "- a\nb: 1\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 'x' y\n",
            "a: 'x'#y\n",
            "%YAML 1.2\n---\na: 1\n",
            "--- a: 1\n",
            "? a\n: 1\n",
            "a: @x\n",
        ];
        for text in accepted {
            assert!(agrees(text, 0, &Limits::default()), "declined {text:?}");
            assert!(agrees(text, 11, &Limits::default()), "declined {text:?} in front matter");
        }
        for text in refused {
            assert!(!agrees(text, 0, &Limits::default()), "accepted {text:?}");
        }
    }

    #[test]
    fn limits_are_left_to_saphyr_to_report() {
        let deep: String = (0..20).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>()
            + &" ".repeat(20)
            + "k: 1\n";
        assert!(agrees(&deep, 0, &Limits::default()));
        assert!(!agrees(&deep, 0, &Limits { max_depth: 16, ..Limits::default() }));
        let wide = "a: 1\nb: 2\nc: 3\n";
        // Three keys, three values and the mapping.
        assert!(agrees(wide, 0, &Limits { max_nodes: 7, ..Limits::default() }));
        assert!(!agrees(wide, 0, &Limits { max_nodes: 6, ..Limits::default() }));
        assert!(!agrees(wide, 0, &Limits { max_documents: 0, ..Limits::default() }));
    }

    /// xorshift64*: the same documents on every run, no dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    /// Keys mostly as evidence writes them, now and then what they must not be mistaken
    /// for; values that are the exception (`value` picks the common ones).
    const KEYS: &[&str] = &[
        "id",
        "system",
        "owner",
        "owner name",
        "k-1",
        "x_y",
        "http://h",
        "a#b",
        "approved_on",
        "tier",
        "~",
        "null",
        "1",
        "a b",
        "<<",
        "a :b",
        "-k",
        "?k",
        "'q'",
        "\"dq\"",
        "k ",
        "é",
        "[k]",
        "...",
        "k:x",
        "a\tb",
        "a #b",
    ];
    const VALUES: &[&str] = &[
        "no",
        "~",
        "null",
        "a#b",
        "a #c",
        "http://x:y",
        "x  ",
        "a, b",
        "a]b",
        "--x",
        "'q'",
        "'it''s'",
        "''",
        "\"dq\"",
        "\"\"",
        "'x' # c",
        "\"x\"   #c",
        "b: c",
        "x:",
        "'a' b",
        "\"a\\nb\"",
        "[1, 2]",
        "{a: 1}",
        "&a x",
        "*a",
        "!!str x",
        "|",
        ">",
        "@x",
        "%x",
        "`x",
        "?x",
        ":x",
        "-",
        "- x",
        "---",
        "...",
        "#c",
        "café",
        "'open",
        "\"open",
        "a\tb",
        "x\r",
        "x:y",
        "a  b",
        "é: x",
        "–",
        "\u{1}",
        "\u{feff}x",
        "x\u{2028}y",
        "\u{85}",
    ];

    fn comment_or_blank(rng: &mut Rng, out: &mut String) {
        match rng.below(12) {
            0 => out.push('\n'),
            1 => out.push_str(&format!("{}# note\n", " ".repeat(rng.below(6)))),
            2 => out.push_str(&format!("{}\n", " ".repeat(rng.below(4)))),
            _ => {}
        }
    }

    fn value(rng: &mut Rng) -> String {
        if rng.chance(85) {
            let plain = [
                "x",
                "sys-001",
                "-5",
                "1.5",
                "2024-01-31",
                "true",
                "Ops team",
                "'q'",
                "\"dq\"",
                "Café",
                "'naïve — ok'",
                "名前",
                "\"ü\"",
                "a\u{a0}b",
                "'😀'",
            ];
            rng.pick(&plain).to_owned()
        } else {
            rng.pick(VALUES).to_owned()
        }
    }

    fn key(rng: &mut Rng) -> String {
        if rng.chance(90) {
            format!("{}{}", rng.pick(&KEYS[..10]), rng.below(4))
        } else {
            rng.pick(KEYS).to_owned()
        }
    }

    /// A collection at column `col`; `open` is how its first line begins (`- ` or not).
    fn block(rng: &mut Rng, col: usize, depth: usize, out: &mut String, first_inline: bool) {
        let seq = rng.chance(35);
        let n = 1 + rng.below(4);
        for i in 0..n {
            if i > 0 || !first_inline {
                out.push_str(&" ".repeat(col));
            }
            if seq {
                out.push('-');
                let after = 1 + rng.below(3);
                entry(rng, col, col + 1 + after, depth, out, Some(after));
            } else {
                let k = key(rng);
                out.push_str(&k);
                out.push(':');
                entry(rng, col, col + k.len() + 2, depth, out, None);
            }
            comment_or_blank(rng, out);
        }
    }

    /// What follows a key's `:` or an item's `-`: a value on the line, a collection
    /// below, or nothing. `dash` is the spaces after a `-`.
    fn entry(
        rng: &mut Rng,
        col: usize,
        inline_col: usize,
        depth: usize,
        out: &mut String,
        dash: Option<usize>,
    ) {
        match rng.below(10) {
            0..=4 => {
                out.push_str(&" ".repeat(dash.unwrap_or(1 + usize::from(rng.chance(10)))));
                out.push_str(&value(rng));
                if rng.chance(10) {
                    out.push_str(" # why");
                }
                out.push('\n');
            }
            5 | 6 if depth < 5 => {
                if rng.chance(15) {
                    out.push_str("  # below");
                }
                out.push('\n');
                comment_or_blank(rng, out);
                // Deeper, at the same column (a list under a key), or shallower.
                let step = match rng.below(12) {
                    0 if dash.is_none() => 0,
                    1 => 1,
                    _ => 2,
                };
                let child = col + step;
                if step == 0 {
                    for _ in 0..1 + rng.below(3) {
                        out.push_str(&" ".repeat(col));
                        out.push('-');
                        let after = 1 + rng.below(2);
                        entry(rng, col, col + 1 + after, depth + 1, out, Some(after));
                    }
                } else {
                    block(rng, child, depth + 1, out, false);
                }
            }
            7 if dash.is_some() && depth < 5 => {
                // A mapping opened on the item's line.
                out.push_str(&" ".repeat(dash.unwrap_or(1)));
                block_mapping_inline(rng, inline_col, depth + 1, out);
            }
            _ => {
                if rng.chance(20) {
                    out.push(' ');
                }
                out.push('\n');
            }
        }
    }

    fn block_mapping_inline(rng: &mut Rng, col: usize, depth: usize, out: &mut String) {
        for i in 0..1 + rng.below(3) {
            if i > 0 {
                let wobble = if rng.chance(5) { col + 1 } else { col };
                out.push_str(&" ".repeat(wobble));
            }
            let k = key(rng);
            out.push_str(&k);
            out.push(':');
            entry(rng, col, col + k.len() + 2, depth, out, None);
        }
    }

    fn document(rng: &mut Rng) -> String {
        let mut out = String::new();
        if rng.chance(10) {
            out.push_str("# a register\n");
        }
        if rng.chance(10) {
            out.push_str("---\n");
        }
        block(rng, 0, 0, &mut out, false);
        if rng.chance(20) {
            out.pop();
        }
        if rng.chance(3) {
            out.push_str("---\nb: 1\n");
        }
        if rng.chance(10) { out.replace('\n', "\r\n") } else { out }
    }

    #[test]
    fn generated_documents_read_as_saphyr_reads_them() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let tight = Limits { max_depth: 3, max_nodes: 30, ..Limits::default() };
        let (mut accepted, total) = (0, 20_000);
        for i in 0..total {
            let text = document(&mut rng);
            let limits = if i % 10 == 0 { &tight } else { &Limits::default() };
            if agrees(&text, i % 3, limits) {
                accepted += 1;
            }
        }
        // Most of them are plain block YAML, so most are read here: the comparison is
        // not vacuous. Every run reads the same documents, so the count is exact.
        assert_eq!(accepted, 12_927, "{accepted} of {total} accepted");
    }

    /// Loads `text` typing each document as it is read and reading all first; the two
    /// must be equal. How many documents and diagnostics it has.
    fn loads_alike(text: &str, schemas: &[tenet_sema::program::Schema], limits: &Limits) -> (usize, usize) {
        crate::load::loadings_agree("e.yaml", text, schemas, limits)
            .unwrap_or_else(|both| panic!("{text:?}\n{both}"))
    }

    #[test]
    fn generated_documents_load_alike_typed_as_read_or_after() {
        let schemas = crate::tests::item_schemas();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let tight = Limits { max_depth: 3, max_nodes: 30, ..Limits::default() };
        let (mut documents, mut diagnostics) = (0, 0);
        for i in 0..20_000 {
            let text = document(&mut rng);
            let limits = if i % 10 == 0 { &tight } else { &Limits::default() };
            let (d, e) = loads_alike(&text, &schemas, limits);
            documents += d;
            diagnostics += e;
        }
        // Exact, as every run reads the same documents: some type, most do not.
        assert_eq!((documents, diagnostics), (301, 59_058));
    }

    /// A register: a list of documents, mostly of the schema's fields with values that
    /// type, now and then one that does not, a field the schema lacks, a key written twice,
    /// or a line at the end that the block reader declines after giving every document.
    fn register(rng: &mut Rng) -> String {
        let mut out = String::new();
        for i in 0..1 + rng.below(30) {
            let mut fields: Vec<(&str, String)> = Vec::new();
            if rng.chance(95) {
                fields.push(("id0", format!("item-{i}")));
            }
            for (name, good) in
                [("id1", "7"), ("system0", "sys-1"), ("approved_on0", "2024-02-29"), ("tier0", "yes")]
            {
                if rng.chance(60) {
                    fields.push((name, if rng.chance(90) { good.to_owned() } else { value(rng) }));
                }
            }
            if rng.chance(5) {
                fields.push(("extra", "x".to_owned()));
            }
            if rng.chance(2) {
                fields.push(("id1", "8".to_owned()));
            }
            if rng.chance(10) {
                fields.reverse();
            }
            for (j, (name, value)) in fields.iter().enumerate() {
                out.push_str(if j == 0 { "- " } else { "  " });
                out.push_str(&format!("{name}: {value}\n"));
            }
            if rng.chance(5) {
                out.push_str("  owner0:\n  - a\n  - b\n");
            }
            if fields.is_empty() {
                out.push_str("- x\n");
            }
        }
        if rng.chance(5) {
            out.push_str(rng.pick(&["- [flow]\n", "- \tx\n", "x: 1\n", "- |\n  block\n"]));
        }
        out
    }

    #[test]
    fn registers_load_alike_typed_as_read_or_after() {
        let schemas = crate::tests::item_schemas();
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let (mut documents, mut diagnostics) = (0, 0);
        for _ in 0..5_000 {
            let (d, e) = loads_alike(&register(&mut rng), &schemas, &Limits::default());
            documents += d;
            diagnostics += e;
        }
        assert_eq!((documents, diagnostics), (50_188, 16_838));
    }
}
