//! Pretty-printed JSON written to a stream without a call through the stream for each of
//! its pieces.
//!
//! `serde_json` writes a pretty document a few bytes at a time (a quote, a key, two
//! spaces of indent). Through a `&mut dyn Write` each piece is a call that cannot be
//! inlined: a large organisation's JSON report, some 170 MB, spent more time in those
//! calls than in everything else it did. Here the pieces gather in a buffer of known type
//! and reach the stream in blocks.
//!
//! A run's report is mostly its results, so [`write_report_json`] renders those in blocks
//! on every core and writes them in order into the rest, which `serde_json` writes as
//! always: the bytes are those of serialising the whole report on one thread.

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;
use tenet_eval::report::RunReport;
use tenet_eval::{Results, RuleResult};

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
        gather(&mut self.buffer, bytes);
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

/// `bytes` added to `buffer`. Most of the pieces `serde_json` writes are a few bytes (two
/// spaces of indent, a quote): those are copied by a loop the compiler writes out, where
/// `extend_from_slice` calls `memmove` for each.
#[inline]
fn gather(buffer: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= 16 {
        buffer.extend(bytes.iter().copied());
    } else {
        buffer.extend_from_slice(bytes);
    }
}

/// Where a control's results go in the pretty text of a report whose controls hold none:
/// a key of an object in the top-level `controls` list (six spaces in), which pretty JSON
/// writes on a line of its own and no string can hold, since a string's line breaks are
/// escaped.
const RESULTS_SLOT: &[u8] = b"\n      \"results\": []";

/// How far in a control's results are written: one level inside its `results` list.
const RESULT_INDENT: &[u8] = b"        ";

/// The JSON report of a run, with the fields of `beside` after the report's, pretty-printed
/// as [`write_pretty_json`] writes it, with each control's results rendered in blocks on
/// rayon's threads. A report of a large organisation holds hundreds of thousands of
/// results; written one by one on one thread, they took longer than the check that found
/// them.
pub fn write_report_json(
    report: &RunReport,
    beside: &impl Serialize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let text = skeleton(report, beside)?;
    let Some(slots) = results_slots(&text, report.controls.len()) else {
        // A place that looks like a control's results, where none is: the same bytes, on
        // one thread.
        return write_pretty_json(&Beside { report, beside }, out);
    };
    // Rendered blocks' buffers, written and emptied, for the next blocks: a block's text
    // is most of a megabyte, made on one thread and written on another, and an allocator
    // takes back such memory from another thread late, so a buffer made afresh for each
    // block left a large report's run holding about 90 MiB more.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::default();
    let mut written = 0;
    for (control, slot) in report.controls.iter().zip(slots) {
        // Up to and with `"results": `, then the list.
        let list = slot + RESULTS_SLOT.len() - 2;
        out.write_all(&text[written..list])?;
        if control.results.is_empty() {
            out.write_all(b"[]")?;
        } else {
            out.write_all(b"[")?;
            let mut first = true;
            let render = |block: &[RuleResult]| {
                let mut items = spare.lock().ok().and_then(|mut s| s.pop()).unwrap_or_default();
                result_items(block, &mut items).map(|()| items)
            };
            control.results.render_blocks(render, |items| {
                let items = items?;
                // Each item is written after a comma, save the list's first.
                let from = usize::from(std::mem::take(&mut first));
                out.write_all(&items[from..])?;
                if let Ok(mut spare) = spare.lock() {
                    spare.push(items);
                }
                Ok::<(), std::io::Error>(())
            })?;
            out.write_all(b"\n      ]")?;
        }
        written = slot + RESULTS_SLOT.len();
    }
    out.write_all(&text[written..])?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The pretty text of the report and `beside` with no control's results: what is written
/// around them.
fn skeleton(report: &RunReport, beside: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut skeleton = report.clone();
    for control in &mut skeleton.controls {
        control.results = Results::default();
    }
    serde_json::to_vec_pretty(&Beside { report: &skeleton, beside })
}

/// A report's fields, then those of what the caller writes beside it.
#[derive(Serialize)]
struct Beside<'a, T: Serialize> {
    #[serde(flatten)]
    report: &'a RunReport,
    #[serde(flatten)]
    beside: &'a T,
}

/// Where each of `controls` controls' empty results list is in `text`, in order; `None`
/// unless there is exactly one for each.
fn results_slots(text: &[u8], controls: usize) -> Option<Vec<usize>> {
    let slots: Vec<usize> = text
        .windows(RESULTS_SLOT.len())
        .enumerate()
        .filter(|(_, w)| *w == RESULTS_SLOT)
        .map(|(i, _)| i)
        .collect();
    (slots.len() == controls).then_some(slots)
}

/// A block of results as items of a control's `results` list, in `items` (emptied first):
/// each after a comma and a line break, indented as the list's items are.
fn result_items(block: &[RuleResult], items: &mut Vec<u8>) -> std::io::Result<()> {
    items.clear();
    for result in block {
        items.extend_from_slice(b",\n");
        items.extend_from_slice(RESULT_INDENT);
        serde_json::to_writer_pretty(Indented(items), result)?;
    }
    Ok(())
}

/// Pretty JSON written `RESULT_INDENT` further in: each line it starts is indented. Its
/// line breaks all end pieces of their own (a string's are escaped), so each piece that
/// ends with one is followed by the indent.
struct Indented<'v>(&'v mut Vec<u8>);

impl Write for Indented<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        gather(self.0, bytes);
        if bytes.last() == Some(&b'\n') {
            self.0.extend_from_slice(RESULT_INDENT);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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

    /// What the CLI writes beside the report.
    #[derive(Serialize)]
    struct Diagnostics {
        #[serde(skip_serializing_if = "Option::is_none")]
        diagnostics: Option<serde_json::Value>,
    }

    /// The bytes of the report and `beside`, serialised whole on one thread.
    fn serialised_whole(report: &RunReport, beside: &Diagnostics) -> Vec<u8> {
        let mut expected = serde_json::to_vec_pretty(&Beside { report, beside }).unwrap_or_default();
        expected.push(b'\n');
        expected
    }

    /// A report with results in several runs and blocks, one of them with messages across
    /// lines and many citations, a control with none, one excluded, one overridden, and a
    /// setting after the controls.
    fn varied_report() -> RunReport {
        use std::sync::Arc;

        use tenet_eval::report::{ExclusionSource, SettingReport, SettingSource};
        use tenet_eval::{Citation, OverrideNote, Run};

        use crate::fixtures::{control, report, result};

        let lines = |mut r: RuleResult| {
            r.message = Some(Arc::from("first line\nsecond · line\t\"quoted\" \\ end"));
            r.citations =
                (1..=4).map(|line| Citation { path: Arc::from("a/b.yaml"), line, column: 2 }).collect();
            r.more_citations = 3;
            r
        };
        let runs = [
            Run::new((0..1_500).map(result).collect()),
            Run::new((1_500..2_600).map(|i| lines(result(i))).collect()),
        ];
        let mut excluded = control("C.2", Results::default());
        excluded.exclusion = Some("no \"customers\"\non a second line".to_owned());
        excluded.exclusion_by =
            Some(ExclusionSource { package: Arc::from("acme"), file: Arc::from("acme.tenet"), line: 4 });
        let note = Arc::new(OverrideNote {
            rule: Arc::from("r"),
            action: "disable",
            package: Arc::from("acme"),
            because: "Not ours".to_owned(),
            file: Arc::from("acme.tenet"),
            line: 9,
        });
        let mut disabled = result(7);
        disabled.overridden = Some(note.clone());
        let mut overridden = control("C.3", Results::from(vec![disabled]));
        overridden.overrides = vec![note];
        let source = SettingSource {
            package: Arc::from("acme"),
            file: Arc::from("acme.tenet"),
            line: 2,
            value: "6 months".to_owned(),
            because: None,
        };
        let mut report = report(vec![control("C.1", Results::from_runs(runs)), excluded, overridden]);
        report.settings = vec![SettingReport {
            parameter: "t.interval".to_owned(),
            value: "6 months".to_owned(),
            default: "12 months".to_owned(),
            set_by: source,
            replaces: Vec::new(),
        }];
        report
    }

    #[test]
    fn a_report_with_results_rendered_in_blocks_is_the_report_serialised_whole() {
        let report = varied_report();
        let beside = Diagnostics {
            diagnostics: Some(serde_json::json!([{ "code": "T0501", "message": "\"results\": []" }])),
        };
        // The results are rendered in blocks, not the report serialised whole.
        let text = skeleton(&report, &beside).unwrap_or_default();
        assert_eq!(results_slots(&text, report.controls.len()).map(|s| s.len()), Some(3));
        let mut out = Trickle(Vec::new());
        assert!(write_report_json(&report, &beside, &mut out).is_ok());
        assert_eq!(
            String::from_utf8_lossy(&out.0),
            String::from_utf8_lossy(&serialised_whole(&report, &beside))
        );
        // Every result is there, in order.
        let value: serde_json::Value = serde_json::from_slice(&out.0).unwrap_or_default();
        let keys: Vec<&str> = value["controls"][0]["results"]
            .as_array()
            .map(|rs| rs.iter().filter_map(|r| r["subject"]["key"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(keys, (0..2_600).map(|i| format!("s{i:04}")).collect::<Vec<_>>());
        assert_eq!(value["controls"][1]["results"], serde_json::json!([]));
    }

    #[test]
    fn a_report_with_another_list_like_a_controls_results_is_serialised_whole() {
        // Objects beside the report, as deep as a control, with a `results` key of their
        // own: one place too many for the controls, so the report is written on one
        // thread, byte for byte the same.
        let report = varied_report();
        let beside = Diagnostics { diagnostics: Some(serde_json::json!([{ "results": [] }])) };
        let whole = serialised_whole(&report, &beside);
        assert_eq!(results_slots(&whole, report.controls.len()), None);
        let mut out = Vec::new();
        assert!(write_report_json(&report, &beside, &mut out).is_ok());
        assert_eq!(out, whole);
    }

    #[test]
    fn a_failing_stream_stops_a_report() {
        let error = write_report_json(&varied_report(), &Diagnostics { diagnostics: None }, &mut Full(0))
            .err()
            .map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("no space left on device"));
    }
}
