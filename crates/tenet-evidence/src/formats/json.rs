//! JSON and JSON Lines with byte positions. serde_json forgets where values were, and
//! every citation needs a line, so this is a small strict reader (RFC 8259) with a depth
//! limit checked before each descent.

use tenet_diagnostics::Span;

use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    limits: &'a Limits,
    nodes: usize,
}

/// Parses one JSON document (`base` is where `text` starts in the file).
pub(crate) fn parse(text: &str, base: usize, limits: &Limits) -> Result<Node, ParseError> {
    let mut r = Reader { text, bytes: text.as_bytes(), pos: 0, base, limits, nodes: 0 };
    r.skip_ws();
    let node = r.value(0)?;
    r.skip_ws();
    if r.pos < r.bytes.len() {
        return Err(r.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

/// Parses JSON Lines: one document per non-blank line.
pub(crate) fn parse_lines(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    let mut docs = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if !trimmed.trim().is_empty() {
            docs.push(parse(trimmed, offset, limits)?);
            if docs.len() > limits.max_documents {
                let at = (offset) as u32;
                return Err(ParseError::new(
                    Span::new(at, at),
                    format!("more than {} documents in one file", limits.max_documents),
                ));
            }
        }
        offset += line.len();
    }
    Ok(docs)
}

impl Reader<'_> {
    fn span(&self, start: usize) -> Span {
        Span::from_usize(self.base + start, self.base + self.pos.max(start))
    }

    fn error(&self, message: &str) -> ParseError {
        let at = self.base + self.pos;
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!(", found `{c}`"),
            None => ", found the end of the file".to_owned(),
        };
        ParseError::new(Span::from_usize(at, at), format!("invalid JSON: {message}{found}"))
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn count(&mut self) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(&format!("more than {} values in one file", self.limits.max_nodes)));
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        self.count()?;
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') | Some(b'[') if depth >= self.limits.max_depth => Err(ParseError::new(
                self.span(start),
                format!("values nest more than {} levels deep", self.limits.max_depth),
            )),
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

    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if text.parse::<f64>().is_err() {
            return Err(ParseError::new(self.span(start), format!("invalid JSON: `{text}` is not a number")));
        }
        Ok(Node::new(NodeKind::Number(text.to_owned()), self.span(start)))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else { return Err(self.error("unclosed string")) };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
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
                        _ => return Err(self.error("invalid escape in string")),
                    }
                }
                b if b < 0x20 => return Err(self.error("control character in string")),
                _ => {
                    let rest = &self.text[self.pos..];
                    let end = rest.find(['"', '\\']).unwrap_or(rest.len());
                    let chunk = &rest[..end];
                    if let Some(bad) = chunk.bytes().position(|c| c < 0x20) {
                        self.pos += bad;
                        return Err(self.error("control character in string"));
                    }
                    out.push_str(chunk);
                    self.pos += end;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.error("invalid \\u escape"))?;
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
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::new(NodeKind::Seq(items), self.span(start)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
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
        let mut entries: Vec<(String, Span, Node)> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::new(NodeKind::Map(entries), self.span(start)));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a key in quotes"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start);
            if entries.iter().any(|(k, _, _)| *k == key) {
                return Err(ParseError::new(
                    key_span,
                    format!("the key `{key}` appears twice in this object"),
                )
                .with_help("keep one of them; JSON tools disagree on which one wins"));
            }
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            entries.push((key, key_span, value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
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
