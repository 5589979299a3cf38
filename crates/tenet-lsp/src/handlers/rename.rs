//! `textDocument/prepareRename` and `textDocument/rename`. A refusal is an error whose
//! message the editor shows ("this parameter is declared in a built-in pack…").

use tenet_ide::FilePosition;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    PrepareRenameResponse, RenameParams, TextDocumentPositionParams, WorkspaceEdit,
};

use crate::convert::{FileText, workspace_edit};
use crate::state::Snapshot;

fn refused(reason: impl std::fmt::Display) -> Error {
    Error { code: ErrorCode::InvalidRequest, message: reason.to_string().into(), data: None }
}

/// The name a rename at the cursor would change.
pub fn prepare(
    snapshot: &Snapshot,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(file) = FileText::of(snapshot, &params.text_document.uri) else { return Ok(None) };
    let position = FilePosition { file: file.file, offset: file.offset(params.position) };
    let (span, placeholder) =
        tenet_ide::prepare_rename(&snapshot.db, snapshot.workspace, position).map_err(refused)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { range: file.range(span), placeholder }))
}

/// The edits of a rename, across the workspace.
pub fn rename(snapshot: &Snapshot, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let p = params.text_document_position;
    let Some(file) = FileText::of(snapshot, &p.text_document.uri) else { return Ok(None) };
    let position = FilePosition { file: file.file, offset: file.offset(p.position) };
    let change =
        tenet_ide::rename(&snapshot.db, snapshot.workspace, position, &params.new_name).map_err(refused)?;
    Ok(Some(workspace_edit(snapshot, &change)))
}
