//! From the editor features' plain types to LSP's: offsets to UTF-16 ranges, files to
//! URIs, kinds to LSP's enumerations. The only place where both worlds meet.

use std::collections::HashMap;

use tenet_db::SourceFile;
use tenet_diagnostics::Span;
use tenet_ide::{CompletionKind, SourceChange, SymbolKind};
use tower_lsp_server::ls_types::{self as lsp, Location, Uri, WorkspaceEdit};

use crate::position::LineMap;
use crate::state::Snapshot;

/// A file's text and line map, for converting several positions in it.
pub struct FileText {
    /// The file.
    pub file: SourceFile,
    text: std::sync::Arc<str>,
}

impl FileText {
    /// The file a URI names, with its text.
    pub fn of(snapshot: &Snapshot, uri: &Uri) -> Option<FileText> {
        let file = snapshot.file(uri)?;
        Some(FileText { file, text: snapshot.text(file) })
    }

    /// The text of a file.
    pub fn for_file(snapshot: &Snapshot, file: SourceFile) -> FileText {
        FileText { file, text: snapshot.text(file) }
    }

    /// The line map of the text.
    pub fn map(&self) -> LineMap<'_> {
        LineMap::new(&self.text)
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: lsp::Position) -> u32 {
        self.map().offset(position)
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> lsp::Range {
        self.map().range(span)
    }
}

/// The location of a span in a file.
pub fn location(snapshot: &Snapshot, file: SourceFile, span: Span) -> Option<Location> {
    let uri = snapshot.uri(file)?;
    Some(Location { uri, range: FileText::for_file(snapshot, file).range(span) })
}

/// Edits across files as a workspace edit.
pub fn workspace_edit(snapshot: &Snapshot, change: &SourceChange) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (file, edits) in &change.files {
        let Some(uri) = snapshot.uri(*file) else { continue };
        let text = FileText::for_file(snapshot, *file);
        let map = text.map();
        changes.entry(uri).or_default().extend(
            edits.iter().map(|e| lsp::TextEdit { range: map.range(e.span), new_text: e.new_text.clone() }),
        );
    }
    WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None }
}

/// The LSP kind of a symbol.
pub fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Package | SymbolKind::Use => lsp::SymbolKind::PACKAGE,
        SymbolKind::Schema => lsp::SymbolKind::STRUCT,
        SymbolKind::Field => lsp::SymbolKind::FIELD,
        SymbolKind::Param => lsp::SymbolKind::CONSTANT,
        SymbolKind::Setting => lsp::SymbolKind::PROPERTY,
        SymbolKind::Control | SymbolKind::Clause | SymbolKind::Objective => lsp::SymbolKind::CLASS,
        SymbolKind::Rule => lsp::SymbolKind::METHOD,
        SymbolKind::Attestation => lsp::SymbolKind::EVENT,
        SymbolKind::Framework => lsp::SymbolKind::INTERFACE,
        SymbolKind::Requirement => lsp::SymbolKind::ENUM_MEMBER,
        SymbolKind::Crosswalk => lsp::SymbolKind::MODULE,
        SymbolKind::Test => lsp::SymbolKind::FUNCTION,
        SymbolKind::Exclusion | SymbolKind::Waiver | SymbolKind::Override => lsp::SymbolKind::KEY,
    }
}

/// The LSP kind of a completion.
pub fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
        CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Parameter => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Schema => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Control => lsp::CompletionItemKind::CLASS,
        CompletionKind::Rule => lsp::CompletionItemKind::METHOD,
        CompletionKind::Framework => lsp::CompletionItemKind::INTERFACE,
        CompletionKind::Requirement | CompletionKind::EnumMember => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Package => lsp::CompletionItemKind::MODULE,
    }
}

/// Markdown content.
pub fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }
}
