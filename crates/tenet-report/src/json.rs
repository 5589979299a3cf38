//! Pretty-printed JSON written to a stream without a call through the stream for each of
//! its pieces.
//!
//! `serde_json` writes a pretty document a few bytes at a time (a quote, a key, two
//! spaces of indent). Through a `&mut dyn Write` each piece is a call that cannot be
//! inlined: a large organisation's JSON report, some 170 MB, spent more time in those
//! calls than in everything else it did. Here the pieces gather in a buffer of known type
//! and reach the stream in blocks.

use std::io::Write;

use serde::Serialize;

/// Bytes a block reaches the stream in.
const BLOCK: usize = 1 << 16;

/// `value` as pretty-printed JSON (two spaces of indent, as `serde_json::to_writer_pretty`
/// writes it) and a final line break, written to `out` in blocks: the same bytes,
/// never the whole document in memory.
pub fn write_pretty_json(value: &impl Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    let mut blocks = Blocks { buffer: Vec::with_capacity(BLOCK), out };
    serde_json::to_writer_pretty(&mut blocks, value)?;
    blocks.buffer.push(b'\n');
    blocks.flush()
}

/// A buffer of known type, so that `serde_json`'s many small writes are inlined copies,
/// handing each full block to the stream.
struct Blocks<'o> {
    buffer: Vec<u8>,
    out: &'o mut dyn Write,
}

impl Write for Blocks<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        // Most pieces are a few bytes (two spaces of indent, a quote): copied as a loop
        // the compiler writes out, where `extend_from_slice` calls `memmove` for each.
        if bytes.len() <= 16 {
            self.buffer.extend(bytes.iter().copied());
        } else {
            self.buffer.extend_from_slice(bytes);
        }
        if self.buffer.len() >= BLOCK {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that takes at most a few bytes per call, as a pipe may.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let n = bytes.len().min(7);
            self.0.extend_from_slice(&bytes[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn blocks_are_the_bytes_serde_json_writes_with_a_final_line_break() {
        // Larger than several blocks, with nesting, escapes and text that is not ASCII.
        let rows: Vec<serde_json::Value> = (0..20_000)
            .map(|i| serde_json::json!({ "id": format!("sys-{i:06}"), "note": "a \"quoted\"\nline · ü", "tags": [i, i * 2] }))
            .collect();
        let value = serde_json::json!({ "schema_version": 1, "rows": rows, "empty": [], "none": null });
        let mut expected = serde_json::to_vec_pretty(&value).unwrap_or_default();
        expected.push(b'\n');
        assert!(expected.len() > 4 * BLOCK);
        let mut out = Trickle(Vec::new());
        assert!(write_pretty_json(&value, &mut out).is_ok());
        assert_eq!(out.0, expected);
    }

    /// A stream that fails once it has taken some bytes, as a full disk does.
    struct Full(usize);

    impl Write for Full {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.0 + bytes.len() > BLOCK {
                return Err(std::io::Error::other("no space left on device"));
            }
            self.0 += bytes.len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_stream_is_an_error_not_a_short_document() {
        let value: Vec<u64> = (0..100_000).collect();
        let error = write_pretty_json(&value, &mut Full(0)).err().map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("no space left on device"));
    }
}
