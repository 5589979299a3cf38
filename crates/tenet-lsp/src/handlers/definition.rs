//! `textDocument/definition`. Declarations of the built-in packs are `tenet-stdlib:`
//! documents, whose text the client fetches with `tenet/virtualText`.

use tenet_ide::FilePosition;
use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse};

use crate::convert::{FileText, location};
use crate::state::Snapshot;

/// Where the name under the cursor is declared.
pub fn handle(snapshot: &Snapshot, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let p = params.text_document_position_params;
    let file = FileText::of(snapshot, &p.text_document.uri)?;
    let position = FilePosition { file: file.file, offset: file.offset(p.position) };
    let target = tenet_ide::definition(&snapshot.db, snapshot.workspace, position)?;
    location(snapshot, target.file, target.focus).map(GotoDefinitionResponse::Scalar)
}
