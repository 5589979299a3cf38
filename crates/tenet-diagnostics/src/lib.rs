//! The one diagnostic type that every layer of Tenet produces, and (behind the `render`
//! feature) the renderers the command line uses.
//!
//! Diagnostics are plain data: queries return them, the CLI renders them for a terminal, a
//! log or a machine, and the language server converts them to LSP diagnostics. Keeping them
//! free of any renderer means the compiler never decides how an error looks.

mod codes;
mod diagnostic;
mod located;
mod span;

#[cfg(feature = "render")]
pub mod render;

pub use codes::{ALL_CODES, Code};
pub use diagnostic::{Diagnostic, Label, Related, Severity, Suggestion};
pub use located::{LocatedDiagnostic, Place, RelatedPlace};
pub use span::{LineCol, LineCursor, LineIndex, Span};
