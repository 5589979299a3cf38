//! `workspace/symbol`: declarations of every file, by fuzzy name.

use tower_lsp_server::ls_types::{SymbolInformation, WorkspaceSymbolParams, WorkspaceSymbolResponse};

use crate::convert::{location, symbol_kind};
use crate::state::Snapshot;

/// The declarations whose names match the query.
pub fn handle(snapshot: &Snapshot, params: WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let found = tenet_ide::workspace_symbols(&snapshot.db, snapshot.workspace, &params.query);
    let symbols = found
        .into_iter()
        .filter_map(|w| {
            let location = location(snapshot, w.file, w.symbol.focus)?;
            #[expect(deprecated, reason = "the field is required by the type; `tags` replaces it")]
            Some(SymbolInformation {
                name: w.symbol.name,
                kind: symbol_kind(w.symbol.kind),
                tags: None,
                deprecated: None,
                location,
                container_name: w.container,
            })
        })
        .collect();
    Some(WorkspaceSymbolResponse::Flat(symbols))
}
