//! Renderers: for people (miette's graphical report), for editors and grep (one line per
//! diagnostic), and for machines (versioned JSON).

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::{Value, json};

use crate::{Diagnostic, LineIndex, Severity, Span};

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
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources);
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
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &dyn Sources) -> Report {
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
                Report {
                    message: r.message.clone(),
                    code: "",
                    severity: Severity::Info,
                    help: None,
                    source: text.map(|t| NamedSource::new(&r.path, t.to_owned())),
                    labels: text
                        .map(|t| vec![LabeledSpan::new_primary_with_span(None, visible_span(t, r.span))])
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
            source: text.map(|t| NamedSource::new(&d.path, t.to_owned())),
            labels,
            related,
        }
    }
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
}
