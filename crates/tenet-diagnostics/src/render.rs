//! Renderers: for people (miette's graphical report), for editors and grep (one line per
//! diagnostic), and for machines (versioned JSON).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceSpan,
    SpanContents,
};
use serde_json::{Value, json};

use crate::span::char_at_or_before;
use crate::{Diagnostic, LineCol, LineIndex, LocatedDiagnostic, Severity, Span};

/// Where renderers get the text a diagnostic points into.
pub trait Sources {
    /// The text of the file at `path`, as diagnostics name it.
    fn text(&self, path: &str) -> Option<&str>;
}

impl Sources for std::collections::HashMap<String, String> {
    fn text(&self, path: &str) -> Option<&str> {
        self.get(path).map(String::as_str)
    }
}

/// Version of the JSON diagnostics format; raised whenever a field changes meaning.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Renders each diagnostic as miette's graphical report with source snippets.
pub fn human(diagnostics: &[Diagnostic], sources: &dyn Sources, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let mut breaks = Breaks::default();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources, &mut breaks);
        // Rendering into a String cannot fail; a failure would only lose decoration.
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&diagnostic.message);
        }
        out.push('\n');
    }
    out
}

/// Renders one line per diagnostic: `path:line:col: code message`.
pub fn short(diagnostics: &[Diagnostic], sources: &dyn Sources) -> String {
    short_lines(diagnostics, sources, false)
}

/// [`short`] with each line's severity before its code, `path:line:col: warning code
/// message`: for a listing that mixes errors and warnings and has no colour to tell them
/// apart (what `tenet watch` prints).
pub fn short_with_severity(diagnostics: &[Diagnostic], sources: &dyn Sources) -> String {
    short_lines(diagnostics, sources, true)
}

fn short_lines(diagnostics: &[Diagnostic], sources: &dyn Sources, severity: bool) -> String {
    let mut out = String::new();
    let mut index = Indexes::default();
    for d in diagnostics {
        let pos = index.position(sources, &d.path, d.span.start);
        let severity = if severity { format!("{} ", d.severity.as_str()) } else { String::new() };
        out.push_str(&format!("{}:{}:{}: {severity}{} {}\n", d.path, pos.0, pos.1, d.code, d.message));
    }
    out
}

/// Renders the diagnostics as a JSON document: `{schema_version, diagnostics: [...]}`.
pub fn json(diagnostics: &[Diagnostic], sources: &dyn Sources) -> Value {
    let mut index = Indexes::default();
    let list: Vec<Value> = diagnostics.iter().map(|d| diagnostic_json(d, sources, &mut index)).collect();
    json!({ "schema_version": JSON_SCHEMA_VERSION, "diagnostics": list })
}

/// The diagnostics with their places in lines and columns, counted as [`json`] counts
/// them, for the reports that are written without the source texts.
pub fn located(diagnostics: &[Diagnostic], sources: &dyn Sources) -> Vec<LocatedDiagnostic> {
    let mut index = Indexes::default();
    diagnostics
        .iter()
        .map(|d| {
            LocatedDiagnostic::new(d, |path, offset| {
                let (line, column) = index.position(sources, path, offset);
                LineCol { line, column }
            })
        })
        .collect()
}

/// One diagnostic as JSON, with one-based lines and character columns.
pub fn diagnostic_json(d: &Diagnostic, sources: &dyn Sources, index: &mut Indexes) -> Value {
    let mut location = |path: &str, span: Span| {
        let start = index.position(sources, path, span.start);
        let end = index.position(sources, path, span.end);
        json!({
            "path": path,
            "start": { "offset": span.start, "line": start.0, "column": start.1 },
            "end": { "offset": span.end, "line": end.0, "column": end.1 },
        })
    };
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| json!({ "location": location(&d.path, l.span), "message": l.message }))
        .collect();
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| json!({ "location": location(&r.path, r.span), "message": r.message }))
        .collect();
    let suggestions: Vec<Value> = d
        .suggestions
        .iter()
        .map(|s| json!({ "title": s.title, "location": location(&d.path, s.span), "replacement": s.replacement }))
        .collect();
    json!({
        "code": d.code.id(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "location": location(&d.path, d.span),
        "label": d.label,
        "labels": labels,
        "related": related,
        "help": d.help,
        "suggestions": suggestions,
    })
}

/// Line indexes built on demand, one per file, for a batch of diagnostics.
#[derive(Default)]
pub struct Indexes {
    built: std::collections::HashMap<String, LineIndex>,
}

impl Indexes {
    /// One-based line and character column of `offset` in `path` (1:1 when the text is
    /// unavailable).
    pub fn position(&mut self, sources: &dyn Sources, path: &str, offset: u32) -> (u32, u32) {
        let Some(text) = sources.text(path) else { return (1, 1) };
        let index = self.built.entry(path.to_owned()).or_insert_with(|| LineIndex::new(text));
        let lc = index.line_col(text, offset);
        (lc.line, lc.column)
    }
}

/// A diagnostic seen through miette's eyes, for the graphical renderer.
struct Report {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &dyn Sources, breaks: &mut Breaks) -> Report {
        let text = sources.text(&d.path);
        let mut labels = Vec::new();
        let mut help = d.help.clone();
        if let Some(text) = text {
            let primary = visible_span(text, d.span);
            labels.push(LabeledSpan::new_primary_with_span(d.label.clone(), primary));
            for l in &d.labels {
                labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), visible_span(text, l.span)));
            }
        }
        let spans: Vec<SourceSpan> = labels.iter().map(|l| *l.inner()).collect();
        if help.is_none()
            && let Some(s) = d.suggestions.first()
        {
            help = Some(s.title.clone());
        }
        let related = d
            .related
            .iter()
            .map(|r| {
                let text = sources.text(&r.path);
                let span = text.map(|t| visible_span(t, r.span));
                Report {
                    message: r.message.clone(),
                    code: "",
                    severity: Severity::Info,
                    help: None,
                    source: text.zip(span).map(|(t, span)| Excerpt::around(&r.path, t, &[span], breaks)),
                    labels: span
                        .map(|span| vec![LabeledSpan::new_primary_with_span(None, span)])
                        .unwrap_or_default(),
                    related: Vec::new(),
                }
            })
            .collect();
        Report {
            message: d.message.clone(),
            code: d.code.id(),
            severity: d.severity,
            help,
            source: text.map(|t| Excerpt::around(&d.path, t, &spans, breaks)),
            labels,
            related,
        }
    }
}

/// The part of a file a report shows: the lines of its spans and two lines either side,
/// cut to [`Excerpt::REACH`] bytes before the first span and after the last. A report then
/// copies and scans that part, not the file: a diagnostic at the start of a 100 MB file on
/// one line (minified JSON, a file over the size limit) shows a few hundred characters of
/// it, not the whole line, and a file with many diagnostics is not copied for each.
struct Excerpt {
    name: String,
    text: String,
    /// Where `text` starts in the file.
    start: usize,
    /// The zero-based line of the file `text` starts on, counted as miette counts lines
    /// (`\n`, `\r\n` or a lone `\r`).
    line: usize,
    /// The zero-based character column `text` starts at on that line.
    column: usize,
    /// Whether a line was cut at the reach: the excerpt then shows less than the file.
    #[cfg(any(test, feature = "fuzzing"))]
    cut: bool,
}

impl Excerpt {
    /// How far an excerpt reaches before its first span and after its last.
    const REACH: usize = 240;

    fn around(name: &str, text: &str, spans: &[SourceSpan], breaks: &mut Breaks) -> Excerpt {
        let bytes = text.as_bytes();
        let first = spans.iter().map(|s| s.offset()).min().unwrap_or(0).min(text.len());
        let last = spans.iter().map(|s| s.offset() + s.len()).max().unwrap_or(0).clamp(first, text.len());
        // Back to the start of the first span's line and two lines more, forward to the end
        // of the last span's line and two lines more, neither beyond the reach.
        let mut from = memchr::memrchr(b'\n', &bytes[..first]).map_or(0, |i| i + 1);
        for _ in 0..2 {
            if from == 0 {
                break;
            }
            from = memchr::memrchr(b'\n', &bytes[..from - 1]).map_or(0, |i| i + 1);
        }
        let mut to = last;
        for _ in 0..3 {
            match memchr::memchr(b'\n', &bytes[to..]) {
                Some(i) => to += i + 1,
                None => {
                    to = text.len();
                    break;
                }
            }
        }
        let start = char_at_or_before(text, from.max(first.saturating_sub(Self::REACH)));
        let end = char_at_or_before(text, to.min(last.saturating_add(Self::REACH)));
        let (line, column) = breaks.line_col(name, text, start);
        Excerpt {
            name: name.to_owned(),
            text: text[start..end].to_owned(),
            start,
            line,
            column,
            #[cfg(any(test, feature = "fuzzing"))]
            cut: start != from || end != to,
        }
    }
}

/// Where each file's lines break, as miette counts them (`\n`, `\r\n` or a lone `\r`),
/// found once per file for a batch of reports: a file with thousands of diagnostics is
/// scanned once, not once for each.
#[derive(Default)]
struct Breaks {
    /// For each file, the offset of each line break (of the `\n` of a `\r\n`).
    by_path: std::collections::HashMap<String, Vec<usize>>,
}

impl Breaks {
    /// The zero-based line of `text` (the file at `path`) that `offset` is on, and its
    /// character column there.
    fn line_col(&mut self, path: &str, text: &str, offset: usize) -> (usize, usize) {
        let breaks = self.by_path.entry(path.to_owned()).or_insert_with(|| {
            let bytes = text.as_bytes();
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
                .collect()
        });
        let line = breaks.partition_point(|&b| b < offset);
        let start = line.checked_sub(1).and_then(|l| breaks.get(l)).map_or(0, |b| b + 1);
        (line, text.get(start..offset).map_or(0, |before| before.chars().count()))
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span.offset().checked_sub(self.start).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(offset.into(), span.len());
        let inner = self.text.as_bytes().read_span(&local, context_lines_before, context_lines_after)?;
        // Columns in characters, as the other renderers and the editor count them (miette
        // counts bytes): from the start of the line the data starts on.
        let data_start = inner.span().offset();
        let before = self.text.get(..data_start).unwrap_or_default();
        let column = match before.rfind(['\n', '\r']) {
            Some(line_start) => before[line_start + 1..].chars().count(),
            None => self.column + before.chars().count(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + self.start).into(), inner.span().len()),
            inner.line() + self.line,
            column,
            inner.line_count(),
        )))
    }
}

/// Renders each diagnostic as [`human`] does, and again with the whole of each file as
/// its excerpt (what a report showed before excerpts): `Err` with both renderings where
/// they differ, in whole when no line was cut at the reach, and in where they place the
/// report (`[path:line:column]`) when one was. What the tests and the `evidence` fuzz
/// target assert.
#[cfg(any(test, feature = "fuzzing"))]
pub fn excerpts_agree(diagnostics: &[Diagnostic], sources: &dyn Sources) -> Result<(), String> {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let whole = |path: &str| Excerpt {
        name: path.to_owned(),
        text: sources.text(path).unwrap_or_default().to_owned(),
        start: 0,
        line: 0,
        column: 0,
        cut: false,
    };
    let mut breaks = Breaks::default();
    for d in diagnostics {
        let excerpted = Report::new(d, sources, &mut breaks);
        let mut complete = Report::new(d, sources, &mut breaks);
        complete.source = complete.source.as_ref().map(|_| whole(&d.path));
        for (related, r) in complete.related.iter_mut().zip(&d.related) {
            related.source = related.source.as_ref().map(|_| whole(&r.path));
        }
        let (mut a, mut b) = (String::new(), String::new());
        handler.render_report(&mut a, &excerpted).map_err(|e| e.to_string())?;
        handler.render_report(&mut b, &complete).map_err(|e| e.to_string())?;
        let cut =
            excerpted.source.iter().chain(excerpted.related.iter().flat_map(|r| &r.source)).any(|e| e.cut);
        // Where each report places itself: the `╭─[path:line:column]` lines, in order. Only
        // the frame's own lines: a source line may hold `─[` itself.
        let places = |out: &str| -> Vec<String> {
            out.lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with("╭─[") || l.starts_with("├─["))
                .map(str::to_owned)
                .collect()
        };
        // A report with a file places itself at least once, or the comparison says nothing.
        let unplaced = excerpted.source.is_some() && places(&a).is_empty();
        if (!cut && a != b) || places(&a) != places(&b) || unplaced {
            return Err(format!("with an excerpt:\n{a}\nwith the whole file:\n{b}"));
        }
    }
    Ok(())
}

/// Moves a span that points past the end of the text, or at trailing whitespace, back onto
/// the last visible character, so that "input ends here" errors still draw a label.
fn visible_span(text: &str, span: Span) -> SourceSpan {
    let len = text.len();
    let mut start = (span.start as usize).min(len);
    let mut end = (span.end as usize).min(len).max(start);
    if start == end && text[start..].trim().is_empty() {
        let trimmed = text.trim_end().len();
        if trimmed > 0 && trimmed <= start {
            let last = text[..trimmed].char_indices().next_back().map_or(0, |(i, _)| i);
            start = last;
            end = trimmed;
        }
    }
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // `error[T0102]`: the severity in words (not only as a glyph) and the code to look up.
        (!self.code.is_empty())
            .then(|| Box::new(format!("{}[{}]", self.severity.as_str(), self.code)) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::{Code, Severity, Span};

    #[test]
    fn short_lines_with_and_without_severity() {
        let sources: HashMap<String, String> = [("a.yaml".to_owned(), "id: a\n\tx: 1\n".to_owned())].into();
        let diagnostics = [
            Diagnostic::new(Code::MALFORMED_EVIDENCE, "a.yaml", Span::new(6, 7), "found a tab"),
            Diagnostic::new(Code::MALFORMED_EVIDENCE, "a.yaml", Span::new(0, 2), "odd")
                .with_severity(Severity::Warning),
        ];
        assert_eq!(short(&diagnostics, &sources), "a.yaml:2:1: T0502 found a tab\na.yaml:1:1: T0502 odd\n");
        assert_eq!(
            short_with_severity(&diagnostics, &sources),
            "a.yaml:2:1: error T0502 found a tab\na.yaml:1:1: warning T0502 odd\n"
        );
    }

    #[test]
    fn located_places_are_those_the_json_gives() {
        let sources: HashMap<String, String> = [
            ("a.csv".to_owned(), "id,name\nx,\"é\nb\",hihg\n".to_owned()),
            ("b.yaml".to_owned(), "id: x\n".to_owned()),
        ]
        .into();
        let d = Diagnostic::new(Code::EVIDENCE_ENUM, "a.csv", Span::new(17, 21), "not one of")
            .with_help("did you mean \"high\"?")
            .with_related("b.yaml", Span::new(4, 5), "also here");
        let located = located(std::slice::from_ref(&d), &sources);
        let json = json(std::slice::from_ref(&d), &sources);
        let at = |v: &Value| (v["line"].as_u64(), v["column"].as_u64());
        let place = &located[0].place;
        let wide = |lc: crate::LineCol| (Some(u64::from(lc.line)), Some(u64::from(lc.column)));
        assert_eq!(wide(place.start), at(&json["diagnostics"][0]["location"]["start"]));
        assert_eq!(wide(place.end), at(&json["diagnostics"][0]["location"]["end"]));
        assert_eq!(place.to_string(), "a.csv:3:4");
        assert_eq!(located[0].related[0].place.to_string(), "b.yaml:1:5");
        assert_eq!(located[0].help.as_deref(), Some("did you mean \"high\"?"));
    }

    #[test]
    fn an_excerpt_renders_as_the_whole_file_renders() {
        let texts = [
            "one\ntwo\nthree\nfour\nfive\nsix\nseven\n",
            "a: 1\r\nb: 2\r\n\r\nc: 3\r\nd: 4",
            "lone\rreturn\nthen\r\nmixed\n\n\nend",
            "é: ünïcode\n  ✓: ok\n# ß\nlast",
            "",
            "\n\n\n",
            "1\n2\r3\n4\r\n5\r6\n7\n8\r\n9\n10\r11\n12\n",
        ];
        let mut compared = 0;
        for text in texts {
            let sources: HashMap<String, String> =
                [("f".to_owned(), text.to_owned()), ("g".to_owned(), texts[0].to_owned())].into();
            let len = text.len() as u32;
            for start in (0..=len).filter(|i| text.is_char_boundary(*i as usize)) {
                for end in [start, (start + 3).min(len), len]
                    .into_iter()
                    .filter(|i| text.is_char_boundary(*i as usize))
                {
                    let d = Diagnostic::new(Code::MALFORMED_EVIDENCE, "f", Span::new(start, end), "here")
                        .with_label("this")
                        .with_secondary(Span::new(len / 2, len / 2), "and this")
                        .with_related("g", Span::new(start.min(30), start.min(30) + 1), "there");
                    let alone = Diagnostic::new(Code::MALFORMED_EVIDENCE, "f", Span::new(start, end), "here");
                    if let Err(e) = excerpts_agree(std::slice::from_ref(&alone), &sources) {
                        panic!("{text:?} {start}..{end}:\n{e}");
                    }
                    compared += 1;
                    if !text.is_char_boundary((len / 2) as usize) {
                        continue;
                    }
                    if let Err(e) = excerpts_agree(std::slice::from_ref(&d), &sources) {
                        panic!("{text:?} {start}..{end}:\n{e}");
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 200, "{compared} renderings compared");
    }

    /// A long line cut at the reach that itself holds `─[`, as miette frames a place: the
    /// comparison reads the frame, not the source line (a case the `evidence` fuzz target
    /// found in a file of replacement characters).
    #[test]
    fn a_cut_line_holding_the_frame_s_own_characters_is_not_taken_for_a_place() {
        let text = format!("[en─[{}\t[ddde", "\u{fffd}".repeat(90));
        let sources: HashMap<String, String> = [("f.yml".to_owned(), text)].into();
        let d = Diagnostic::new(Code::UNREADABLE_EVIDENCE, "f.yml", Span::new(8, 9), "not UTF-8");
        assert_eq!(excerpts_agree(&[d], &sources), Ok(()));
    }

    #[test]
    fn a_report_is_placed_at_the_line_and_character_column_the_short_form_gives() {
        let text = "é: ünïcode\n  ✓: ok\r\n# ß ✓ ß\nlast ✓ line";
        let sources: HashMap<String, String> = [("f".to_owned(), text.to_owned())].into();
        let mut placed = 0;
        for (at, _) in text.char_indices().filter(|(_, c)| !matches!(c, '\r' | '\n')) {
            let d =
                Diagnostic::new(Code::MALFORMED_EVIDENCE, "f", Span::new(at as u32, at as u32 + 1), "here");
            let short = short(std::slice::from_ref(&d), &sources);
            let place = short.split(": ").next().expect("a place");
            assert!(human(&[d], &sources, false).contains(&format!("[{place}]")), "{place}");
            placed += 1;
        }
        assert_eq!(placed, 35);
    }

    #[test]
    fn a_long_line_shows_only_around_its_span() {
        let line = "x".repeat(1_000_000);
        let sources: HashMap<String, String> = [("big.json".to_owned(), line)].into();
        for (at, place) in
            [(0u32, "[big.json:1:1]"), (500_000, "[big.json:1:500001]"), (999_999, "[big.json:1:1000000]")]
        {
            let d = Diagnostic::new(Code::MALFORMED_EVIDENCE, "big.json", Span::new(at, at + 1), "here");
            let out = human(&[d], &sources, false);
            assert!(out.contains(place), "{out}");
            assert!(out.len() < 2 * Excerpt::REACH + 400, "{} bytes shown", out.len());
            // The underline sits under the character the span names: as far in as the
            // excerpt starts before it.
            let shown = out.lines().find(|l| l.contains("xxx")).expect("a source line");
            let marks = out.lines().find(|l| l.trim_start().starts_with('·')).expect("an underline");
            let lead = Excerpt::REACH.min(at as usize);
            let x_at = shown.find('x').expect("x") + lead;
            let mark_at = marks
                .char_indices()
                .find(|(_, c)| *c == '▲' || *c == '─')
                .map(|(i, _)| marks[..i].chars().count());
            assert_eq!(mark_at, Some(shown[..x_at].chars().count()), "{out}");
        }
    }
}
