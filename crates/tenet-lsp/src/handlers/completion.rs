//! `textDocument/completion`.

use tenet_ide::FilePosition;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionParams, CompletionResponse, CompletionTextEdit, Documentation,
    InsertTextFormat, TextEdit,
};

use crate::convert::{FileText, completion_kind, markdown};
use crate::state::Snapshot;

/// What may be written at the cursor. The list is complete: the client filters it as
/// the user types.
pub fn handle(snapshot: &Snapshot, params: CompletionParams) -> Option<CompletionResponse> {
    let p = params.text_document_position;
    let file = FileText::of(snapshot, &p.text_document.uri)?;
    let position = FilePosition { file: file.file, offset: file.offset(p.position) };
    let items = tenet_ide::completions(&snapshot.db, snapshot.workspace, position);
    let map = file.map();
    let items = items
        .into_iter()
        .map(|item| CompletionItem {
            kind: Some(completion_kind(item.kind)),
            detail: item.detail,
            documentation: item.documentation.map(|d| Documentation::MarkupContent(markdown(d))),
            sort_text: Some(format!("{}{}", item.rank, item.label)),
            filter_text: Some(item.label.clone()),
            insert_text_format: Some(if item.snippet {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: map.range(item.replace),
                new_text: item.insert,
            })),
            label: item.label,
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}
