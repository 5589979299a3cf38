//! `textDocument/references`.

use tenet_ide::FilePosition;
use tower_lsp_server::ls_types::{Location, ReferenceParams};

use crate::convert::{FileText, location};
use crate::state::Snapshot;

/// Every place that names the declaration under the cursor.
pub fn handle(snapshot: &Snapshot, params: ReferenceParams) -> Option<Vec<Location>> {
    let p = params.text_document_position;
    let file = FileText::of(snapshot, &p.text_document.uri)?;
    let position = FilePosition { file: file.file, offset: file.offset(p.position) };
    let found = tenet_ide::references(
        &snapshot.db,
        snapshot.workspace,
        position,
        params.context.include_declaration,
    )?;
    Some(found.into_iter().filter_map(|r| location(snapshot, r.file, r.span)).collect())
}
