//! `textDocument/documentSymbol`: the outline.

use tower_lsp_server::ls_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse};

use crate::convert::{FileText, symbol_kind};
use crate::position::LineMap;
use crate::state::Snapshot;

/// The file's declarations, nested.
pub fn handle(snapshot: &Snapshot, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    let symbols = tenet_ide::document_symbols(&snapshot.db, file.file);
    let map = file.map();
    Some(DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| convert(&map, s)).collect()))
}

fn convert(map: &LineMap<'_>, s: tenet_ide::Symbol) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = s.children.into_iter().map(|c| convert(map, c)).collect();
    #[expect(deprecated, reason = "the field is required by the type; `tags` replaces it")]
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: map.range(s.full),
        selection_range: map.range(s.focus),
        children: (!children.is_empty()).then_some(children),
    }
}
