//! Byte ranges into a source text, and the mapping from offsets to lines and columns.

use serde::Serialize;

/// A byte range `start..end` in one source text.
///
/// Every syntax node and every diagnostic carries one; lines and columns are derived only
/// when something is shown to a person, so offsets stay cheap to store and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`; `end` is raised to `start` if it is smaller.
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end: end.max(start) }
    }

    /// A span from `usize` offsets, saturating at `u32::MAX` (files are limited far below).
    pub fn from_usize(start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span::new(clamp(start), clamp(end))
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// True for a zero-width span (a position).
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// True when `offset` lies inside the span or at its end.
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// This span moved by `delta` bytes, as when a span relative to an item is made
    /// absolute within its file.
    pub fn shifted(self, delta: u32) -> Span {
        Span::new(self.start.saturating_add(delta), self.end.saturating_add(delta))
    }

    /// The span as a `usize` range, for slicing the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A one-based line and column; the column counts Unicode scalar values, as editors and
/// compilers show them to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    /// One-based line number.
    pub line: u32,
    /// One-based column in characters.
    pub column: u32,
}

/// Offsets-to-lines for one text: built once per text, then each look-up is a binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    inner: line_index::LineIndex,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        LineIndex { inner: line_index::LineIndex::new(text) }
    }

    /// The line and character column of a byte offset; offsets past the end or inside a
    /// multi-byte character are moved back to the nearest valid position.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let lc = self.inner.line_col(line_index::TextSize::from(offset as u32));
        let line_start = offset - lc.col as usize;
        let column = text.get(line_start..offset).map_or(0, |s| s.chars().count());
        LineCol { line: lc.line + 1, column: column as u32 + 1 }
    }

    /// The underlying index, for callers that need UTF-16 positions (the language server).
    pub fn raw(&self) -> &line_index::LineIndex {
        &self.inner
    }
}
