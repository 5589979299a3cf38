//! The comments of a file, found by the lexer, waiting to be placed by the printer.

use tenet_diagnostics::Span;

use crate::format::blank_line_before;
use crate::lexer::{TokenKind, tokenize};

/// A comment and how it sat in the source.
pub(crate) struct Comment {
    /// The text, trailing whitespace removed.
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
    /// A blank line before it.
    pub blank_before: bool,
    pub span: Span,
}

/// The comments not yet placed, in source order.
pub(crate) struct Comments {
    pending: Vec<Comment>,
    next: usize,
}

impl Comments {
    pub(crate) fn new(source: &str) -> Comments {
        let pending = tokenize(source)
            .into_iter()
            .filter(|t| matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment))
            .map(|t| {
                let start = t.span.start as usize;
                let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
                let own_line = source[line_start..start].trim().is_empty();
                Comment {
                    text: t.text(source).trim_end().to_owned(),
                    own_line,
                    blank_before: own_line && blank_line_before(source, t.span.start),
                    span: t.span,
                }
            })
            .collect();
        Comments { pending, next: 0 }
    }

    /// True when a comment waits before `offset`.
    pub(crate) fn has_before(&self, offset: u32) -> bool {
        self.pending.get(self.next).is_some_and(|c| c.span.start < offset)
    }

    /// True when the next waiting comment before `offset` ends a line of code.
    pub(crate) fn trailing_before(&self, offset: u32) -> bool {
        self.pending.get(self.next).is_some_and(|c| c.span.start < offset && !c.own_line)
    }

    /// The next comment if it starts before `offset`.
    pub(crate) fn next_before(&mut self, offset: u32) -> Option<Comment> {
        if !self.has_before(offset) {
            return None;
        }
        let comment = self.pending.get_mut(self.next)?;
        self.next += 1;
        Some(Comment {
            text: std::mem::take(&mut comment.text),
            own_line: comment.own_line,
            blank_before: comment.blank_before,
            span: comment.span,
        })
    }
}
