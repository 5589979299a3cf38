//! Editor features of Tenet — hover, completion, go to definition, references, rename,
//! symbols, folding, highlighting, formatting, quick fixes and code lenses — as pure
//! functions of the database and a byte offset.
//!
//! Every feature reads the same salsa queries as `tenet check` (`parse`, `program`,
//! `diagnostics`), so what the editor shows and what CI decides cannot disagree. A small
//! semantic index per file ([`index`]) records where each name is declared and used; most
//! features are a look-up in it.
//!
//! **Architecture invariant:** nothing here panics on any input, and every result is
//! positioned by byte offsets into a [`SourceFile`]'s bytes.
//!
//! **API boundary:** no LSP types and no line/column arithmetic: the language server
//! translates offsets to UTF-16 positions, and files to URIs.

mod builtins;
mod completion;
mod definition;
mod files;
mod fixes;
mod folding;
mod formatting;
mod highlight;
mod hover;
pub mod index;
mod lenses;
mod references;
mod rename;
mod symbols;

pub use completion::{CompletionItem, CompletionKind, completions};
pub use definition::{NavigationTarget, definition};
pub use files::{file_id, source_file, source_text};
pub use fixes::{Fix, fixes};
pub use folding::{Fold, FoldKind, folding_ranges};
pub use formatting::format_edits;
pub use highlight::{HighlightKind, HighlightModifier, HighlightToken, highlight};
pub use hover::{HoverResult, hover};
pub use lenses::{CodeLens, ControlCounts, code_lenses};
pub use references::{Reference, references};
pub use rename::{RenameError, prepare_rename, rename};
pub use symbols::{Symbol, SymbolKind, WorkspaceSymbol, document_symbols, workspace_symbols};

use tenet_db::SourceFile;
use tenet_diagnostics::Span;

/// Replace `span` with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    /// What to replace (empty to insert).
    pub span: Span,
    /// The new text.
    pub new_text: String,
}

/// Edits across files, as a rename or a fix makes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceChange {
    /// Each file's edits, none overlapping, in order.
    pub files: Vec<(SourceFile, Vec<TextEdit>)>,
}

/// A place in a file: the file and a byte offset into its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilePosition {
    /// The file.
    pub file: SourceFile,
    /// A byte offset; offsets past the end are treated as the end.
    pub offset: u32,
}
