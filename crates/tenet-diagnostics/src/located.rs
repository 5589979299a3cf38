//! Diagnostics with their places worked out in lines and columns, for the reports that
//! show them without the source texts: SARIF, JUnit, Markdown, HTML and OSCAL are written
//! from the run's report, and re-reading files there would be slow and could disagree
//! with what the terminal showed.

use std::sync::Arc;

use crate::{Code, Diagnostic, LineCol, Severity, Span};

/// A range in a file as people and CI services name it: the path, and the one-based line
/// and character column of its start and of the character after its end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    /// The file, as the diagnostic names it.
    pub path: Arc<str>,
    /// Where the range starts.
    pub start: LineCol,
    /// Where the character after it is: equal to `start` for a position.
    pub end: LineCol,
}

/// A place elsewhere that explains a diagnostic, such as the first document with a key
/// that another repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelatedPlace {
    /// The place.
    pub place: Place,
    /// What it says there.
    pub message: String,
}

/// What a report shows of a diagnostic: its code, severity, message and help, and its
/// places in lines and columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocatedDiagnostic {
    /// The stable code (`T0505`).
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// One lowercase sentence without a final period.
    pub message: String,
    /// The primary place.
    pub place: Place,
    /// Advice on how to fix it: the diagnostic's help, or its first fix's title, as the
    /// terminal shows it.
    pub help: Option<String>,
    /// Places elsewhere that explain it.
    pub related: Vec<RelatedPlace>,
}

impl LocatedDiagnostic {
    /// `diagnostic` with each offset turned into a line and column by `position`, which
    /// is given the path of the file the offset is in.
    pub fn new(diagnostic: &Diagnostic, mut position: impl FnMut(&str, u32) -> LineCol) -> LocatedDiagnostic {
        let mut place = |path: &Arc<str>, span: Span| Place {
            path: path.clone(),
            start: position(path, span.start),
            end: position(path, span.end),
        };
        LocatedDiagnostic {
            code: diagnostic.code,
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            place: place(&diagnostic.path, diagnostic.span),
            help: diagnostic.help.clone().or_else(|| diagnostic.suggestions.first().map(|s| s.title.clone())),
            related: diagnostic
                .related
                .iter()
                .map(|r| RelatedPlace { place: place(&r.path, r.span), message: r.message.clone() })
                .collect(),
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Place {
    /// `path:line:column`, as compilers and editors name a place.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.start.line, self.start.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_is_located_and_help_falls_back_to_the_first_fix() {
        let d = Diagnostic::new(Code::DUPLICATE_KEY, "b.yaml", Span::new(10, 14), "`a` is repeated")
            .with_related("a.yaml", Span::new(0, 2), "first here")
            .with_suggestion("rename it", Span::new(10, 14), "b");
        // A stand-in index: line = offset / 10 + 1, column = offset % 10 + 1.
        let located = LocatedDiagnostic::new(&d, |_, offset| LineCol {
            line: offset / 10 + 1,
            column: offset % 10 + 1,
        });
        assert_eq!(located.place.to_string(), "b.yaml:2:1");
        assert_eq!(located.place.end, LineCol { line: 2, column: 5 });
        assert_eq!(located.help.as_deref(), Some("rename it"));
        assert_eq!(located.related.len(), 1);
        assert_eq!(located.related[0].place.to_string(), "a.yaml:1:1");
        assert_eq!(located.related[0].message, "first here");
        assert!(located.is_error());
    }
}
