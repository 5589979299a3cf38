//! `textDocument/codeAction`: quick fixes for the diagnostics under the cursor
//! (the checker's "did you mean" edits, a message after a bare `else`) and assists.

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
};

use crate::convert::{FileText, workspace_edit};
use crate::diagnostics::to_lsp;
use crate::state::Snapshot;

/// The fixes for the range.
pub fn handle(snapshot: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    let map = file.map();
    let range = map.span(params.range);
    let fixes = tenet_ide::fixes(&snapshot.db, snapshot.workspace, file.file, range);
    let actions = fixes
        .into_iter()
        .map(|fix| {
            let kind = if fix.diagnostic.is_some() {
                CodeActionKind::QUICKFIX
            } else {
                CodeActionKind::REFACTOR_REWRITE
            };
            CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(kind),
                diagnostics: fix
                    .diagnostic
                    .map(|d| vec![to_lsp(snapshot, &d, &params.text_document.uri, &map)]),
                edit: Some(workspace_edit(snapshot, &fix.change)),
                command: None,
                is_preferred: fix.preferred.then_some(true),
                disabled: None,
                data: None,
            })
        })
        .collect();
    Some(actions)
}
