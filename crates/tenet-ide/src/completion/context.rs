//! What the cursor is in, read from tokens: the file being typed rarely parses, but its
//! tokens always exist. The lexer never fails, so every question here has an answer.

use tenet_diagnostics::Span;
use tenet_syntax::lexer::{Token, TokenKind, tokenize};

/// The tokens of a file around a cursor.
pub(crate) struct Tokens<'a> {
    pub text: &'a str,
    tokens: Vec<Token>,
    pub offset: u32,
}

/// Words that begin a top-level item at the start of a line, as the parser's recovery
/// cuts files.
const ITEM_STARTS: &[&str] = &[
    "package",
    "use",
    "schema",
    "param",
    "set",
    "control",
    "clause",
    "objective",
    "not_applicable",
    "waive",
    "override",
    "disable",
    "framework",
    "crosswalk",
    "test",
];

/// Where the cursor is inside a string literal.
pub(crate) struct InString {
    /// The index of the opening quote's token.
    pub open: usize,
    /// The string's contents so far, replaced by a completion.
    pub replace: Span,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(text: &'a str, offset: u32) -> Tokens<'a> {
        let mut at = (offset as usize).min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        Tokens { text, tokens: tokenize(text), offset: at as u32 }
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Token> {
        self.tokens.get(index)
    }

    pub(crate) fn text_of(&self, index: usize) -> &str {
        self.tokens.get(index).map_or("", |t| t.text(self.text))
    }

    /// The index of the token containing the cursor, or ending at it.
    fn at_cursor(&self) -> Option<usize> {
        self.tokens.iter().position(|t| t.span.start < self.offset && self.offset <= t.span.end)
    }

    /// True in a comment, where nothing is completed.
    pub(crate) fn in_comment(&self) -> bool {
        self.at_cursor().and_then(|i| self.tokens.get(i)).is_some_and(|t| {
            matches!(t.kind, TokenKind::LineComment | TokenKind::DocComment | TokenKind::BlockComment)
                && !(t.kind == TokenKind::BlockComment
                    && self.text.get(t.span.range()).is_some_and(|s| s.ends_with("*/"))
                    && t.span.end == self.offset)
        })
    }

    /// The string the cursor is in, if any.
    pub(crate) fn in_string(&self) -> Option<InString> {
        let i = self.at_cursor()?;
        let token = self.tokens.get(i)?;
        let open = match token.kind {
            TokenKind::StringOpen => i,
            TokenKind::StringText => i.checked_sub(1)?,
            _ => return None,
        };
        let open_token = self.tokens.get(open).filter(|t| t.kind == TokenKind::StringOpen)?;
        // The contents run to the closing quote, or to the end of the line when unclosed.
        let start = open_token.span.end;
        let end = self
            .tokens
            .iter()
            .skip(open + 1)
            .take_while(|t| matches!(t.kind, TokenKind::StringText | TokenKind::StringClose))
            .find(|t| t.kind == TokenKind::StringClose)
            .map_or_else(|| self.line_end(start), |t| t.span.start);
        (self.offset >= start && self.offset <= end)
            .then_some(InString { open, replace: Span::new(start, end) })
    }

    fn line_end(&self, from: u32) -> u32 {
        let rest = self.text.get(from as usize..).unwrap_or_default();
        from + rest.find('\n').unwrap_or(rest.len()) as u32
    }

    /// The word being typed (possibly empty) and the span it covers.
    pub(crate) fn word(&self) -> Span {
        let bytes = self.text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut start = self.offset as usize;
        while start > 0 && bytes.get(start - 1).copied().is_some_and(is_word) {
            start -= 1;
        }
        let mut end = self.offset as usize;
        while bytes.get(end).copied().is_some_and(is_word) {
            end += 1;
        }
        Span::from_usize(start, end)
    }

    /// A control id being typed, such as `iso42001.A.5.` (letters, digits, `.`, `_`, `-`).
    pub(crate) fn id_word(&self) -> Span {
        let bytes = self.text.as_bytes();
        let is_id = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        let mut start = self.offset as usize;
        while start > 0 && bytes.get(start - 1).copied().is_some_and(is_id) {
            start -= 1;
        }
        let mut end = self.offset as usize;
        while bytes.get(end).copied().is_some_and(is_id) {
            end += 1;
        }
        Span::from_usize(start, end)
    }

    /// Indexes of the meaningful tokens that end at or before `before`, nearest first.
    pub(crate) fn previous(&self, before: u32) -> impl Iterator<Item = usize> + '_ {
        (0..self.tokens.len())
            .rev()
            .filter(move |i| self.tokens.get(*i).is_some_and(|t| t.span.end <= before && !t.is_trivia()))
    }

    /// The texts of the `n` meaningful tokens before `before`, nearest first.
    pub(crate) fn previous_texts(&self, before: u32, n: usize) -> Vec<&str> {
        self.previous(before).take(n).map(|i| self.text_of(i)).collect()
    }

    /// The text of the line of `at`, up to `at`.
    pub(crate) fn text_of_line_before(&self, at: u32) -> &'a str {
        let before = self.text.get(..at as usize).unwrap_or_default();
        before.rsplit('\n').next().unwrap_or_default()
    }

    /// True when nothing but spaces precedes `at` on its line.
    pub(crate) fn starts_line(&self, at: u32) -> bool {
        let before = self.text.get(..at as usize).unwrap_or_default();
        before.rsplit('\n').next().unwrap_or_default().trim().is_empty()
    }

    /// The top-level item around `at`: its first keyword, and where it starts.
    pub(crate) fn item_at(&self, at: u32) -> Option<(&'a str, u32)> {
        let before = self.text.get(..at as usize)?;
        let mut line_start = before.len();
        loop {
            let start = before.get(..line_start)?.rfind('\n').map_or(0, |i| i + 1);
            let line = self.text.get(start..)?;
            let word_len = line.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            let word = line.get(..word_len)?;
            if ITEM_STARTS.contains(&word) && start + word_len <= at as usize {
                return Some((word, start as u32));
            }
            if start == 0 {
                return None;
            }
            line_start = start - 1;
        }
    }

    /// How many `{` are open between `from` and `to` (interpolation braces excluded).
    pub(crate) fn depth(&self, from: u32, to: u32) -> usize {
        self.open_braces(from, to).len()
    }

    /// The `{` tokens still open at `to`, outermost first.
    pub(crate) fn open_braces(&self, from: u32, to: u32) -> Vec<usize> {
        let mut open = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            if t.span.start < from || t.span.end > to || t.kind != TokenKind::Punct {
                continue;
            }
            match t.text(self.text) {
                "{" => open.push(i),
                "}" => {
                    open.pop();
                }
                _ => {}
            }
        }
        open
    }

    /// The dotted chain of words ending right before `end` (`s.system.owner`), if any.
    /// Its parts touch; what precedes `end` may be separated from it by spaces.
    pub(crate) fn chain_before(&self, end: u32) -> Vec<&'a str> {
        let mut words = Vec::new();
        let mut expect_word = true;
        let mut next_start: Option<u32> = None;
        for i in self.previous(end) {
            let Some(t) = self.tokens.get(i) else { break };
            if next_start.is_some_and(|s| s != t.span.end) {
                break;
            }
            let text = t.text(self.text);
            match (expect_word, t.kind) {
                (true, TokenKind::Word) => words.push(text),
                (false, TokenKind::Punct) if text == "." => {}
                _ => break,
            }
            expect_word = !expect_word;
            next_start = Some(t.span.start);
        }
        if expect_word && !words.is_empty() {
            // The chain began with a dot (`(x).y`): not a chain of names.
            words.clear();
        }
        words.reverse();
        words
    }

    /// Textual bindings before `at` within `[from, at)`: `for x: Kind`, `some x: Kind`,
    /// `count(x: Kind`, `x in …` and `let x = …`, as (variable, kind if written).
    pub(crate) fn bindings_before(&self, from: u32, at: u32) -> Vec<(&'a str, Option<String>)> {
        let meaningful: Vec<&Token> = self
            .tokens
            .iter()
            .filter(|t| t.span.start >= from && t.span.end <= at && !t.is_trivia())
            .collect();
        let mut out = Vec::new();
        for (i, t) in meaningful.iter().enumerate() {
            let word = t.text(self.text);
            let binder = matches!(word, "for" | "some" | "all" | "none" | "let" | "(");
            if !binder {
                continue;
            }
            let (Some(var), Some(sep)) = (meaningful.get(i + 1), meaningful.get(i + 2)) else { continue };
            if var.kind != TokenKind::Word {
                continue;
            }
            let var_text = var.text(self.text);
            match sep.text(self.text) {
                ":" => {
                    let kind = self.type_name_from(&meaningful, i + 3);
                    out.push((var_text, kind));
                }
                "in" if word != "let" => out.push((var_text, None)),
                "=" if word == "let" => out.push((var_text, None)),
                _ => {}
            }
        }
        out
    }

    /// A type name written as words joined by dots, starting at `meaningful[start]`.
    fn type_name_from(&self, meaningful: &[&Token], start: usize) -> Option<String> {
        let mut name = String::new();
        let mut expect_word = true;
        for t in meaningful.iter().skip(start) {
            let text = t.text(self.text);
            match (expect_word, t.kind) {
                (true, TokenKind::Word) => name.push_str(text),
                (false, TokenKind::Punct) if text == "." => name.push('.'),
                _ => break,
            }
            expect_word = !expect_word;
        }
        let name = name.trim_end_matches('.').to_owned();
        (!name.is_empty()).then_some(name)
    }
}
