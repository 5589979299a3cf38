//! JSON and JSON Lines with byte positions. serde_json forgets where values were, and
//! every citation needs a line, so this is a small strict reader (RFC 8259) with a depth
//! limit checked before each descent: its recursion is bounded by `Limits::max_depth`,
//! never by the input.

use tenet_diagnostics::Span;

use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError, Parsed, Spare, first_time};

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    limits: &'a Limits,
    nodes: usize,
    /// Strings and entry lists to use again, from documents already given away.
    spare: Spare,
}

/// Parses a JSON file: one document, or a top-level array of documents. The items of the
/// array that were read before a syntax error are kept.
pub(crate) fn parse_documents(text: &str, limits: &Limits) -> Parsed {
    let mut r = Reader::new(text, 0, limits);
    r.skip_ws();
    if r.peek() != Some(b'[') {
        return r.one_document();
    }
    let mut docs = Vec::new();
    match r.top_level_array(&mut docs) {
        Ok(()) => Parsed::ok(docs),
        Err(e) => Parsed { docs, errors: vec![e] },
    }
}

/// Parses a JSON file as one value, a top-level array included: where a schema reads
/// documents at a place in the file, the file is one document that has the place or not.
pub(crate) fn parse_whole(text: &str, limits: &Limits) -> Parsed {
    let mut r = Reader::new(text, 0, limits);
    r.skip_ws();
    r.one_document()
}

/// Parses JSON Lines: one document per non-blank line. A bad line is an error of its
/// own; the other lines still load.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn parse_lines(text: &str, limits: &Limits) -> Parsed {
    let mut docs = Vec::new();
    let errors = lines(text, limits, &mut |node, _| docs.push(node));
    Parsed { docs, errors }
}

/// [`parse_lines`], giving each line's document to `each` as soon as it is read, and
/// keeping none, so that its strings and entry lists serve the next line's: the errors,
/// in line order.
pub(crate) fn stream_lines(text: &str, limits: &Limits, each: &mut dyn FnMut(&Node)) -> Vec<ParseError> {
    lines(text, limits, &mut |node, spare| {
        each(&node);
        spare.recycle(node);
    })
}

/// Each non-blank line's document, given to `each` with what it may keep of it.
fn lines(text: &str, limits: &Limits, each: &mut dyn FnMut(Node, &mut Spare)) -> Vec<ParseError> {
    let mut errors = Vec::new();
    let (mut documents, mut offset) = (0, 0);
    let mut spare = Spare::default();
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            if documents >= limits.max_documents {
                let at = Span::from_usize(offset, offset);
                errors.push(ParseError::too_many_documents(at, limits.max_documents));
                break;
            }
            let mut reader = Reader::new(content, offset, limits);
            reader.spare = std::mem::take(&mut spare);
            match reader.whole_value() {
                Ok(node) => {
                    documents += 1;
                    each(node, &mut reader.spare);
                }
                Err(e) => errors.push(e),
            }
            spare = reader.spare;
        }
        offset += line.len();
    }
    errors
}

impl<'a> Reader<'a> {
    /// The rest of the text as one document.
    fn one_document(&mut self) -> Parsed {
        match self.whole_value() {
            Ok(node) => Parsed::ok(vec![node]),
            Err(e) => Parsed::failed(e),
        }
    }

    fn new(text: &'a str, base: usize, limits: &'a Limits) -> Reader<'a> {
        Reader { text, bytes: text.as_bytes(), pos: 0, base, limits, nodes: 0, spare: Spare::default() }
    }

    /// One value and nothing after it.
    fn whole_value(&mut self) -> Result<Node, ParseError> {
        self.skip_ws();
        let node = self.value(0)?;
        self.end()?;
        Ok(node)
    }

    fn end(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.error("unexpected text after the JSON value"));
        }
        Ok(())
    }

    /// A top-level array, each item a document.
    fn top_level_array(&mut self, docs: &mut Vec<Node>) -> Result<(), ParseError> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return self.end();
        }
        loop {
            self.skip_ws();
            if docs.len() >= self.limits.max_documents {
                return Err(ParseError::too_many_documents(self.span(self.pos), self.limits.max_documents));
            }
            docs.push(self.value(1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return self.end();
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn span(&self, start: usize) -> Span {
        Span::from_usize(self.base + start, self.base + self.pos.max(start))
    }

    fn error(&self, message: &str) -> ParseError {
        let at = self.base + self.pos;
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!(", found `{}`", c.escape_debug()),
            None => ", found the end of the file".to_owned(),
        };
        ParseError::new(Span::from_usize(at, at), format!("invalid JSON: {message}{found}"))
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(&format!("more than {} values in one file", self.limits.max_nodes)));
        }
        let start = self.pos;
        match self.peek() {
            Some(b'{' | b'[') if depth >= self.limits.max_depth => {
                Err(ParseError::too_deep(self.span(start), self.limits.max_depth))
            }
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let text = self.string()?;
                Ok(Node::new(NodeKind::Text { text, plain: false }, self.span(start)))
            }
            Some(b't') => self.word("true", NodeKind::Bool(true)),
            Some(b'f') => self.word("false", NodeKind::Bool(false)),
            Some(b'n') => self.word("null", NodeKind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, kind: NodeKind) -> Result<Node, ParseError> {
        let start = self.pos;
        if self.text.get(self.pos..).is_some_and(|s| s.starts_with(word)) {
            self.pos += word.len();
            Ok(Node::new(kind, self.span(start)))
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let invalid = |this: &Self| {
            let end = this
                .text
                .get(this.pos..)
                .unwrap_or_default()
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
                .map_or(this.text.len(), |i| this.pos + i);
            let written = this.text.get(start..end).unwrap_or_default();
            Err(ParseError::new(
                Span::from_usize(this.base + start, this.base + end),
                format!("invalid JSON: `{written}` is not a number"),
            ))
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return invalid(self),
            n if n > 1 && self.bytes.get(int_start) == Some(&b'0') => return invalid(self),
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return invalid(self);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return invalid(self);
            }
        }
        if self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return invalid(self);
        }
        let written = self.text.get(start..self.pos).unwrap_or_default();
        let written = self.spare.string(written);
        Ok(Node::new(NodeKind::Number(written), self.span(start)))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // the opening quote
        let mut out = self.spare.string("");
        loop {
            let Some(b) = self.peek() else { return Err(self.error("unclosed string")) };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.error("unclosed string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape in string"));
                        }
                    }
                }
                b if b < 0x20 => return Err(self.error("control character in string")),
                _ => {
                    // A run of ordinary characters; `"` and `\` are ASCII, so the slice
                    // boundaries are character boundaries.
                    let rest = self.text.get(self.pos..).unwrap_or_default();
                    let end = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
                    out.push_str(rest.get(..end).unwrap_or_default());
                    self.pos += end;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.error("invalid \\u escape"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("invalid \\u escape"));
        }
        let value = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.text.get(self.pos..self.pos + 2) != Some("\\u") {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(NodeKind::Seq(items), self.span(start)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(NodeKind::Seq(items), self.span(start)));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut entries: Vec<(String, Span, Node)> = self.spare.entries();
        let mut seen = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::new(NodeKind::Map(entries), self.span(start)));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key in quotes"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start);
            if !first_time(&entries, &mut seen, &key) {
                return Err(ParseError::new(
                    key_span,
                    format!("the key `{key}` appears twice in this object"),
                )
                .with_help("keep one of them; JSON tools disagree on which one wins"));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push((key, key_span, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::new(NodeKind::Map(entries), self.span(start)));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Result<Node, ParseError> {
        let mut parsed = parse_documents(text, &Limits::default());
        match parsed.errors.pop() {
            Some(e) => Err(e),
            None => Ok(parsed.docs.remove(0)),
        }
    }

    #[test]
    fn objects_keep_key_and_value_spans() {
        let text = r#"{"id": "a", "n": 12.5e-1}"#;
        let node = one(text).unwrap();
        let NodeKind::Map(entries) = &node.kind else { panic!() };
        assert_eq!(&text[entries[0].1.range()], "\"id\"");
        assert_eq!(&text[entries[1].2.span.range()], "12.5e-1");
        assert_eq!(node.span, Span::from_usize(0, text.len()));
    }

    #[test]
    fn a_repeated_key_is_an_error_in_small_and_large_objects() {
        for size in [1, 15, 16, 40] {
            let keys: Vec<String> = (0..size).map(|i| format!("\"k{i}\": {i}")).collect();
            let text = format!("{{{}, \"k0\": 0}}", keys.join(", "));
            let e = one(&text).unwrap_err();
            assert_eq!(e.message, "the key `k0` appears twice in this object", "{size} keys");
            assert_eq!(&text[e.span.range()], "\"k0\"");
            assert_eq!(e.span.start as usize, text.len() - 8, "{size} keys: the second one");
            let fine = format!("{{{}}}", keys.join(", "));
            assert!(one(&fine).is_ok(), "{size} distinct keys");
        }
    }

    #[test]
    fn escapes_and_surrogate_pairs_decode() {
        let node = one(r#""a\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(node.as_text(), Some("a\né😀"));
        assert!(one(r#""\ud83d""#).is_err());
        assert!(one(r#""\uZZZZ""#).is_err());
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for good in ["0", "-0", "12", "1.5", "1e9", "-2.5E+3"] {
            assert!(one(good).is_ok(), "{good}");
        }
        for bad in ["01", "1.", ".5", "-", "1e", "+1", "0x10", "1.2.3", "NaN", "Infinity"] {
            assert!(one(bad).is_err(), "{bad}");
        }
        assert_eq!(one("01").unwrap_err().message, "invalid JSON: `01` is not a number");
    }

    #[test]
    fn trailing_commas_and_trailing_text_are_errors() {
        assert_eq!(
            one(r#"{"a": 1,}"#).unwrap_err().message,
            "invalid JSON: expected a key in quotes, found `}`"
        );
        assert_eq!(
            one("1 2").unwrap_err().message,
            "invalid JSON: unexpected text after the JSON value, found `2`"
        );
    }

    #[test]
    fn a_top_level_array_is_a_list_of_documents_kept_up_to_an_error() {
        let parsed = parse_documents(r#"[{"id": 1}, {"id": 2}, {"id": ]"#, &Limits::default());
        assert_eq!(parsed.docs.len(), 2);
        assert_eq!(parsed.errors[0].message, "invalid JSON: expected a value, found `]`");
        assert!(parse_documents("[]", &Limits::default()).docs.is_empty());
    }

    #[test]
    fn each_json_line_stands_alone() {
        let text = "{\"id\": 1}\n\n{\"id\": oops}\r\n{\"id\": 3}\n";
        let parsed = parse_lines(text, &Limits::default());
        assert_eq!(parsed.docs.len(), 2);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(&text[parsed.docs[1].span.range()], "{\"id\": 3}");
        assert_eq!(parsed.errors[0].span.start, 18);
    }

    #[test]
    fn nesting_and_counts_are_limited() {
        let limits = Limits { max_depth: 8, max_documents: 2, ..Limits::default() };
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_documents(&deep, &limits).errors[0].message, "values nest more than 8 levels deep");
        let many = parse_documents("[1, 2, 3]", &limits);
        assert_eq!(many.errors[0].message, "more than 2 documents in one file");
        assert_eq!(parse_lines("1\n2\n3\n", &limits).errors[0].message, "more than 2 documents in one file");
    }

    #[test]
    fn control_characters_in_strings_are_errors() {
        assert_eq!(
            one("\"a\u{1}b\"").unwrap_err().message,
            "invalid JSON: control character in string, found `\\u{1}`"
        );
    }

    /// A JSON Lines file of `lines` lines: mostly objects of the test schema's fields with
    /// values that type, now and then one that does not, an escape, a nested value, a
    /// field the schema lacks, a key written twice, a blank line, or a line that is not
    /// JSON.
    fn json_lines(seed: &mut u64, lines: usize) -> String {
        let mut next = |n: u64| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed % n
        };
        let mut out = String::new();
        for i in 0..lines {
            let mut fields = Vec::new();
            if next(20) != 0 {
                fields.push(format!("\"id0\": \"item-{i}\""));
            }
            let values = [
                "7",
                "\"7\"",
                "true",
                "null",
                "\"2024-02-29\"",
                "\"a\\\"b\\u00e9\"",
                "[\"x\", 1]",
                "{\"a\": 1}",
                "-0.5e3",
            ];
            let good = [
                ("id1", "7"),
                ("system0", "\"sys-1\""),
                ("approved_on0", "\"2024-02-29\""),
                ("tier0", "true"),
                ("owner0", "[\"a\", \"b\"]"),
            ];
            for (name, good) in good {
                if next(3) != 0 {
                    let value = if next(8) == 0 { values[next(values.len() as u64) as usize] } else { good };
                    fields.push(format!("\"{name}\": {value}"));
                }
            }
            match next(25) {
                0 => fields.push("\"extra\": 1".to_owned()),
                1 => fields.push("\"id1\": 8".to_owned()),
                _ => {}
            }
            match next(30) {
                0 => out.push('\n'),
                1 => out.push_str("{\"id0\": \n"),
                2 => out.push_str("[1, 2]\n"),
                _ => {}
            }
            out.push_str(&format!("{{{}}}\n", fields.join(", ")));
        }
        out
    }

    #[test]
    fn json_lines_load_alike_typed_as_read_or_after() {
        let schemas = crate::tests::item_schemas();
        let few = Limits { max_documents: 5, max_depth: 1, ..Limits::default() };
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let (mut documents, mut diagnostics) = (0, 0);
        for i in 0..3_000 {
            let text = json_lines(&mut seed, 1 + i % 40);
            let limits = if i % 10 == 0 { &few } else { &Limits::default() };
            let (d, e) = crate::load::loadings_agree("e.jsonl", &text, &schemas, limits)
                .unwrap_or_else(|both| panic!("{text:?}\n{both}"));
            documents += d;
            diagnostics += e;
        }
        // Exact, as every run reads the same lines: many type, many do not.
        assert_eq!((documents, diagnostics), (42_857, 25_667));
    }
}
