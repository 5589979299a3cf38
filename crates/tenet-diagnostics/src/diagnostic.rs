//! The diagnostic record itself.

use std::sync::Arc;

use serde::Serialize;

use crate::{Code, Span};

/// How serious a diagnostic is; errors make `tenet check` exit with code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy or evidence cannot be used as written.
    Error,
    /// Probably a mistake, but the run goes on.
    Warning,
    /// Worth knowing; never changes an exit code.
    Info,
}

impl Severity {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A secondary label in the same file as the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    /// What the label underlines.
    pub span: Span,
    /// What it says there.
    pub message: String,
}

/// A place in another file (or another place in the same one) that explains the
/// diagnostic, such as the first definition of a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Related {
    /// The file, as the diagnostic's `path` is written.
    pub path: Arc<str>,
    /// The place in that file.
    pub span: Span,
    /// What it says there.
    pub message: String,
}

/// A machine-applicable fix: replace `span` with `replacement`. Editors offer these as
/// quick fixes; the terminal shows their title as help.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Suggestion {
    /// A short imperative title, such as "replace with `risk_tier`".
    pub title: String,
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// One finding about a policy or evidence file, located by byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// The stable code (`T0102`), for documentation, filtering and baselines.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// One lowercase sentence without a final period; user input in backticks.
    pub message: String,
    /// The file the diagnostic is in, as it is shown to people.
    pub path: Arc<str>,
    /// The primary location.
    pub span: Span,
    /// Text of the primary label, when the message alone does not say what is underlined.
    pub label: Option<String>,
    /// Further labels in the same file.
    pub labels: Vec<Label>,
    /// Places elsewhere that explain this one.
    pub related: Vec<Related>,
    /// Advice on how to fix it, when known.
    pub help: Option<String>,
    /// Fixes an editor can apply.
    pub suggestions: Vec<Suggestion>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, path: impl Into<Arc<str>>, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            path: path.into(),
            span,
            label: None,
            labels: Vec::new(),
            related: Vec::new(),
            help: None,
            suggestions: Vec::new(),
        }
    }

    /// Sets the primary label's text.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label in the same file.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, path: impl Into<Arc<str>>, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related { path: path.into(), span, message: message.into() });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a machine-applicable fix.
    pub fn with_suggestion(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.suggestions.push(Suggestion { title: title.into(), span, replacement: replacement.into() });
        self
    }

    /// Overrides the severity given by the code.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are shown in: by file, then position, then code.
    pub fn sort_key(&self) -> (&str, u32, u32, &'static str, &str) {
        (&self.path, self.span.start, self.span.end, self.code.id(), &self.message)
    }
}

impl Diagnostic {
    /// Sorts diagnostics into their display order and drops exact duplicates, so that
    /// every output is deterministic whatever order the compiler found them in.
    pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
    }
}
