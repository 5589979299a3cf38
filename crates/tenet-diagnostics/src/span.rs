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
        let offset = char_at_or_before(text, offset as usize);
        let lc = self.inner.line_col(line_index::TextSize::from(offset as u32));
        line_col(text, lc.line as usize, offset - lc.col as usize, offset)
    }

    /// The underlying index, for callers that need UTF-16 positions (the language server).
    pub fn raw(&self) -> &line_index::LineIndex {
        &self.inner
    }
}

/// Offsets-to-lines for offsets asked mostly in order, as a loader cites the documents of
/// a file: each look-up counts the line breaks since the one before, so a text's lines are
/// counted once, up to its last offset asked, and no index of its line starts is built.
/// Gives what [`LineIndex::line_col`] gives, in any order.
#[derive(Debug, Clone)]
pub struct LineCursor<'t> {
    text: &'t str,
    /// Where the last count stopped, and the line breaks before it.
    at: usize,
    breaks: usize,
}

impl<'t> LineCursor<'t> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'t str) -> LineCursor<'t> {
        LineCursor { text, at: 0, breaks: 0 }
    }

    /// The line and character column of a byte offset, as [`LineIndex::line_col`]; an
    /// offset before the last one asked counts again from the start.
    pub fn line_col(&mut self, offset: u32) -> LineCol {
        let offset = char_at_or_before(self.text, offset as usize);
        let bytes = self.text.as_bytes();
        if offset < self.at {
            (self.at, self.breaks) = (0, 0);
        }
        self.breaks += memchr::memchr_iter(b'\n', &bytes[self.at..offset]).count();
        self.at = offset;
        let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
        line_col(self.text, self.breaks, line_start, offset)
    }
}

/// `offset` within `text`, moved back to the start of the character it falls in.
pub(crate) fn char_at_or_before(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The one-based position of `offset` on the line starting at `line_start`, which has
/// `breaks` line breaks before it.
fn line_col(text: &str, breaks: usize, line_start: usize, offset: usize) -> LineCol {
    let column = text.get(line_start..offset).map_or(0, |s| s.chars().count());
    let number = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
    LineCol { line: number(breaks), column: number(column) }
}

#[cfg(test)]
mod tests {
    use super::{LineCursor, LineIndex};

    #[test]
    fn the_line_cursor_counts_as_a_line_index_does_in_any_order() {
        for text in ["", "a", "a\nb\n", "\n\n", "id: é\r\nname: 名前 x\n- 😀: y\nlast", "ü\n\u{2028}\n"]
        {
            let index = LineIndex::new(text);
            let offsets: Vec<u32> = (0..=text.len() as u32 + 2).collect();
            let mut cursor = LineCursor::new(text);
            // Forwards, as documents come, then backwards and every other way.
            for &o in offsets.iter().chain(offsets.iter().rev()).chain(offsets.iter().step_by(3)) {
                assert_eq!(cursor.line_col(o), index.line_col(text, o), "{text:?} at {o}");
            }
        }
    }
}
