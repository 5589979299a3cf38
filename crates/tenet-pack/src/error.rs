//! Errors of pack management, each with a code and, where it has one, the place in the
//! manifest or lockfile that it is about, so the CLI shows them like any other diagnostic.

use std::path::{Path, PathBuf};

use tenet_diagnostics::{Code, Diagnostic, Span};

/// A pack error: what went wrong, where, and what to do about it. Boxed, so results stay
/// small on the happy path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError(Box<PackErrorDetails>);

/// What a [`PackError`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackErrorDetails {
    /// The diagnostic code.
    pub code: Code,
    /// One lowercase sentence.
    pub message: String,
    /// The file it is about (a manifest, a lockfile or an archive).
    pub path: PathBuf,
    /// Where in that file, when known.
    pub span: Option<Span>,
    /// Advice.
    pub help: Option<String>,
    /// Further lines, such as requirement chains.
    pub notes: Vec<String>,
}

impl std::ops::Deref for PackError {
    type Target = PackErrorDetails;

    fn deref(&self) -> &PackErrorDetails {
        &self.0
    }
}

impl PackError {
    /// An error about a file.
    pub fn new(code: Code, path: impl Into<PathBuf>, message: impl Into<String>) -> PackError {
        PackError(Box::new(PackErrorDetails {
            code,
            message: message.into(),
            path: path.into(),
            span: None,
            help: None,
            notes: Vec::new(),
        }))
    }

    /// Points at a place in the file.
    pub fn at(mut self, span: Option<Span>) -> PackError {
        self.0.span = span.or(self.0.span);
        self
    }

    /// Adds advice.
    pub fn with_help(mut self, help: impl Into<String>) -> PackError {
        self.0.help = Some(help.into());
        self
    }

    /// Adds a line of context.
    pub fn with_note(mut self, note: impl Into<String>) -> PackError {
        self.0.notes.push(note.into());
        self
    }

    /// The error as a diagnostic; notes become part of the message so every output format
    /// carries them.
    pub fn to_diagnostic(&self, shown: impl Fn(&Path) -> String) -> Diagnostic {
        let mut message = self.message.clone();
        for note in &self.notes {
            message.push_str("\n  ");
            message.push_str(note);
        }
        let mut d = Diagnostic::new(self.code, shown(&self.path), self.span.unwrap_or_default(), message);
        if let Some(help) = &self.help {
            d = d.with_help(help.clone());
        }
        d
    }
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackError {}

/// Most operations stop at the first error.
pub type Result<T, E = PackError> = std::result::Result<T, E>;
