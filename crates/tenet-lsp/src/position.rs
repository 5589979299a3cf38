//! Byte offsets to LSP positions and back. LSP counts a line's characters in UTF-16 code
//! units (`é` is one, `😀` is two), Tenet in bytes (`é` is two, `😀` is four); every
//! conversion clamps, so a position from a client that is out of date lands somewhere
//! valid instead of failing.

use tenet_diagnostics::Span;
use tower_lsp_server::ls_types::{Position, Range};

/// The line starts of one text, for converting positions in it.
#[derive(Debug, Clone)]
pub struct LineMap<'a> {
    text: &'a str,
    /// Byte offset of each line's first character; the first is 0.
    starts: Vec<u32>,
}

impl<'a> LineMap<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineMap<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| (i + 1) as u32));
        LineMap { text, starts }
    }

    /// The position of a byte offset; offsets past the end, or inside a character, move
    /// back to the nearest character boundary.
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s as usize <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0) as usize;
        let character: usize =
            self.text.get(start..offset).map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a position. A line past the end means the end of the text; a
    /// character past the end of its line means the end of the line; a character in the
    /// middle of a surrogate pair means the start of that character.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(start) = self.starts.get(position.line as usize).map(|s| *s as usize) else {
            return self.text.len() as u32;
        };
        let line = self.text.get(start..).unwrap_or_default();
        let line = line.split('\n').next().unwrap_or_default();
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > position.character {
                return (start + i) as u32;
            }
            units = next;
        }
        (start + line.len()) as u32
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end) }
    }

    /// The span of a range (ends before starts are swapped).
    pub fn span(&self, range: Range) -> Span {
        let (a, b) = (self.offset(range.start), self.offset(range.end));
        Span::new(a.min(b), a.max(b))
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte span of line `line`, without its line break.
    pub fn line_span(&self, line: u32) -> Option<Span> {
        let start = *self.starts.get(line as usize)?;
        let end = self.starts.get(line as usize + 1).map_or(self.text.len() as u32, |next| next - 1);
        Some(Span::new(start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn non_ascii_lines_count_utf16_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let text = "ab\nxé😀y\n";
        let map = LineMap::new(text);
        let y = text.find('y').unwrap() as u32;
        assert_eq!(map.position(y), pos(1, 4));
        assert_eq!(map.offset(pos(1, 4)), y);
        let smile = text.find('😀').unwrap() as u32;
        assert_eq!(map.position(smile), pos(1, 2));
        // Inside the surrogate pair: the character's start.
        assert_eq!(map.offset(pos(1, 3)), smile);
        // Inside a UTF-8 sequence: back to the boundary.
        assert_eq!(map.position(smile + 1), pos(1, 2));
    }

    #[test]
    fn positions_out_of_range_are_clamped() {
        let text = "ab\r\ncd";
        let map = LineMap::new(text);
        assert_eq!(map.offset(pos(0, 99)), 2, "the end of the line, before \\r\\n");
        assert_eq!(map.offset(pos(9, 0)), text.len() as u32);
        assert_eq!(map.position(999), pos(1, 2));
        assert_eq!(map.span(Range { start: pos(1, 1), end: pos(0, 1) }), Span::new(1, 5));
    }

    #[test]
    fn empty_text_has_one_line() {
        let map = LineMap::new("");
        assert_eq!(map.position(0), pos(0, 0));
        assert_eq!(map.offset(pos(3, 3)), 0);
        assert_eq!(map.line_count(), 1);
    }
}
