//! `textDocument/codeLens`: a lens over each control, with its rule count and, when the
//! workspace has evidence ([`crate::live`]), its live pass/fail counts. Clicking one runs
//! `tenet.showFailing` for the control.

use tower_lsp_server::ls_types::{CodeLens, CodeLensParams, Command};

use crate::convert::FileText;
use crate::live::{Live, SHOW_FAILING};
use crate::state::Snapshot;

/// The lenses of a document.
pub fn handle(snapshot: &Snapshot, live: &Live, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    let counts = |control: &str| live.control_counts(snapshot, control);
    let lenses = tenet_ide::code_lenses(&snapshot.db, snapshot.workspace, file.file, &counts);
    let map = file.map();
    Some(
        lenses
            .into_iter()
            .map(|lens| CodeLens {
                range: map.range(lens.span),
                command: Some(Command {
                    title: lens.title,
                    command: SHOW_FAILING.to_owned(),
                    arguments: Some(vec![serde_json::Value::String(lens.control)]),
                }),
                data: None,
            })
            .collect(),
    )
}
