//! `textDocument/hover`.

use tenet_ide::FilePosition;
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams};

use crate::convert::{FileText, markdown};
use crate::state::Snapshot;

/// Markdown about the name under the cursor.
pub fn handle(snapshot: &Snapshot, params: HoverParams) -> Option<Hover> {
    let p = params.text_document_position_params;
    let file = FileText::of(snapshot, &p.text_document.uri)?;
    let position = FilePosition { file: file.file, offset: file.offset(p.position) };
    let found = tenet_ide::hover(&snapshot.db, snapshot.workspace, position)?;
    Some(Hover {
        contents: HoverContents::Markup(markdown(found.markdown)),
        range: Some(file.range(found.span)),
    })
}
