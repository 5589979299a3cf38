//! `textDocument/formatting` with the canonical formatter (`tenet fmt`).

use tower_lsp_server::ls_types::{DocumentFormattingParams, TextEdit};

use crate::convert::FileText;
use crate::state::Snapshot;

/// The edits that format the document; none for a file with syntax errors, which the
/// formatter leaves alone.
pub fn handle(snapshot: &Snapshot, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    if snapshot.path(file.file).is_some_and(crate::uri::is_stdlib) {
        return None; // the built-in packs are read-only
    }
    let edits = tenet_ide::format_edits(&snapshot.db, file.file)?;
    let map = file.map();
    Some(edits.into_iter().map(|e| TextEdit { range: map.range(e.span), new_text: e.new_text }).collect())
}
