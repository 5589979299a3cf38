//! A forgiving tokenizer that never fails: it finds comments for the formatter, measures
//! nesting before the parser recurses, and gives editors token classes. The grammar in
//! `grammar/tenet.pest` remains the one definition of what is valid; this only has to agree
//! with it on where comments, strings and words begin and end.

use tenet_diagnostics::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Spaces, tabs and line breaks.
    Whitespace,
    /// `// …`
    LineComment,
    /// `/* … */`
    BlockComment,
    /// `/// …`
    DocComment,
    /// A word: identifier or keyword.
    Word,
    /// Digits, with any `.`, `-`, `:` or `T` that make them a number, date or time.
    Number,
    /// The opening quote of a string.
    StringOpen,
    /// Text inside a string.
    StringText,
    /// The closing quote of a string.
    StringClose,
    /// `{` opening an interpolation in a message.
    InterpolationOpen,
    /// `}` closing an interpolation.
    InterpolationClose,
    /// An operator or punctuation mark.
    Punct,
    /// A character the language does not use.
    Unknown,
}

/// A token: its kind and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl Token {
    /// The token's text.
    pub fn text(self, source: &str) -> &str {
        source.get(self.span.range()).unwrap_or("")
    }

    /// True for whitespace and comments, which carry no meaning.
    pub fn is_trivia(self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment)
    }
}

/// Splits `text` into tokens covering it entirely, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    Lexer { text, bytes: text.as_bytes(), pos: 0, tokens: Vec::new(), interpolations: Vec::new() }.run()
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    /// For each open interpolation, the depth of `{` opened inside it.
    interpolations: Vec<u32>,
}

impl Lexer<'_> {
    fn run(mut self) -> Vec<Token> {
        while self.pos < self.bytes.len() {
            self.code_token();
        }
        self.tokens
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token { kind, span: Span::from_usize(start, self.pos) });
    }

    fn peek(&self, offset: usize) -> u8 {
        self.bytes.get(self.pos + offset).copied().unwrap_or(0)
    }

    /// The previous token that is not trivia, to tell messages (after `else`) from strings.
    fn previous_word(&self) -> Option<&str> {
        self.tokens
            .iter()
            .rev()
            .find(|t| !t.is_trivia())
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.text))
    }

    fn code_token(&mut self) {
        let start = self.pos;
        let b = self.peek(0);
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                while matches!(self.peek(0), b' ' | b'\t' | b'\r' | b'\n') {
                    self.pos += 1;
                }
                self.push(TokenKind::Whitespace, start);
            }
            b'/' if self.peek(1) == b'/' => {
                let doc = self.peek(2) == b'/' && self.peek(3) != b'/';
                while self.pos < self.bytes.len() && self.peek(0) != b'\n' {
                    self.pos += 1;
                }
                self.push(if doc { TokenKind::DocComment } else { TokenKind::LineComment }, start);
            }
            b'/' if self.peek(1) == b'*' => {
                self.pos += 2;
                while self.pos < self.bytes.len() && !(self.peek(0) == b'*' && self.peek(1) == b'/') {
                    self.pos += 1;
                }
                self.pos = (self.pos + 2).min(self.bytes.len());
                self.push(TokenKind::BlockComment, start);
            }
            b'"' => {
                let message = self.previous_word() == Some("else");
                self.pos += 1;
                self.push(TokenKind::StringOpen, start);
                self.string_body(message);
            }
            b'{' => {
                if let Some(depth) = self.interpolations.last_mut() {
                    *depth += 1;
                }
                self.pos += 1;
                self.push(TokenKind::Punct, start);
            }
            b'}' => {
                self.pos += 1;
                match self.interpolations.last_mut() {
                    Some(0) => {
                        self.interpolations.pop();
                        self.push(TokenKind::InterpolationClose, start);
                        self.string_body(true);
                    }
                    Some(depth) => {
                        *depth -= 1;
                        self.push(TokenKind::Punct, start);
                    }
                    None => self.push(TokenKind::Punct, start),
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                    self.pos += 1;
                }
                self.push(TokenKind::Word, start);
            }
            b if b.is_ascii_digit() => {
                while self.peek(0).is_ascii_alphanumeric()
                    || matches!(self.peek(0), b'.' | b':')
                    || (self.peek(0) == b'-' && self.peek(1).is_ascii_digit())
                {
                    self.pos += 1;
                }
                self.push(TokenKind::Number, start);
            }
            _ => {
                let two = [b, self.peek(1)];
                let len = match &two {
                    b"==" | b"!=" | b"<=" | b">=" | b"??" | b"->" => 2,
                    _ => 1,
                };
                if b.is_ascii() {
                    self.pos += len;
                    let known = b"()[]{},.:;=<>!?+-*/|".contains(&b);
                    self.push(if known { TokenKind::Punct } else { TokenKind::Unknown }, start);
                } else {
                    self.pos +=
                        self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
                    self.push(TokenKind::Unknown, start);
                }
            }
        }
    }

    /// Scans string text up to the closing quote, an interpolation, or the end of the line
    /// (strings are one line long, so an unclosed one costs only its line).
    fn string_body(&mut self, message: bool) {
        let start = self.pos;
        loop {
            match self.peek(0) {
                b'\n' => {
                    if self.pos > start {
                        self.push(TokenKind::StringText, start);
                    }
                    return;
                }
                0 if self.pos >= self.bytes.len() => {
                    if self.pos > start {
                        self.push(TokenKind::StringText, start);
                    }
                    return;
                }
                b'\\' => self.pos = (self.pos + 2).min(self.bytes.len()),
                b'"' => {
                    if self.pos > start {
                        self.push(TokenKind::StringText, start);
                    }
                    let quote = self.pos;
                    self.pos += 1;
                    self.push(TokenKind::StringClose, quote);
                    return;
                }
                b'{' | b'}' if message && self.peek(1) == self.peek(0) => self.pos += 2,
                b'{' if message => {
                    if self.pos > start {
                        self.push(TokenKind::StringText, start);
                    }
                    let open = self.pos;
                    self.pos += 1;
                    self.push(TokenKind::InterpolationOpen, open);
                    self.interpolations.push(0);
                    return;
                }
                _ => {
                    self.pos +=
                        self.text.get(self.pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text).into_iter().filter(|t| !t.is_trivia()).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn tokens_cover_the_input() {
        let text = "rule a // c\n require x.y >= 12 months else \"{x.name} is {{late}}\" /* b */";
        let tokens = tokenize(text);
        let mut end = 0;
        for t in &tokens {
            assert_eq!(t.span.start, end);
            end = t.span.end;
        }
        assert_eq!(end as usize, text.len());
    }

    #[test]
    fn messages_interpolate_and_strings_do_not() {
        assert_eq!(
            kinds("else \"{a}b\""),
            vec![
                (TokenKind::Word, "else"),
                (TokenKind::StringOpen, "\""),
                (TokenKind::InterpolationOpen, "{"),
                (TokenKind::Word, "a"),
                (TokenKind::InterpolationClose, "}"),
                (TokenKind::StringText, "b"),
                (TokenKind::StringClose, "\""),
            ]
        );
        assert_eq!(
            kinds("from \"{a}\""),
            vec![
                (TokenKind::Word, "from"),
                (TokenKind::StringOpen, "\""),
                (TokenKind::StringText, "{a}"),
                (TokenKind::StringClose, "\""),
            ]
        );
    }

    #[test]
    fn doc_comments_are_not_plain_comments() {
        let t = tokenize("/// doc\n//// banner\n// plain");
        let k: Vec<_> = t.iter().filter(|t| t.kind != TokenKind::Whitespace).map(|t| t.kind).collect();
        assert_eq!(k, vec![TokenKind::DocComment, TokenKind::LineComment, TokenKind::LineComment]);
    }

    #[test]
    fn unterminated_input_never_panics() {
        for text in ["\"abc", "else \"{a", "/* open", "\u{e9}\u{1F600}", "else \"{ {", "\\"] {
            let tokens = tokenize(text);
            assert_eq!(tokens.last().map(|t| t.span.end as usize), Some(text.len()), "{text:?}");
        }
    }
}
