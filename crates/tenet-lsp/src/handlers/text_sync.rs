//! `didOpen`, `didChange`, `didSave`, `didClose` and `didChangeWatchedFiles`: they update
//! the document store at once (so they apply in the order received) and schedule a check.
//! The database reads the store when it next needs to.

use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams,
};

use crate::documents::Documents;
use crate::uri::path_of;

/// Records an opened document; false when its URI is not one the server serves.
pub fn open(documents: &mut Documents, params: DidOpenTextDocumentParams) -> bool {
    let doc = params.text_document;
    let Some(path) = path_of(&doc.uri) else { return false };
    documents.open(path, doc.uri, doc.text, doc.version);
    true
}

/// Applies edits to an open document.
pub fn change(documents: &mut Documents, params: DidChangeTextDocumentParams) -> bool {
    let Some(path) = path_of(&params.text_document.uri) else { return false };
    documents.change(&path, params.text_document.version, params.content_changes)
}

/// Records a closed document: its file on disk (if any) applies again.
pub fn close(documents: &mut Documents, params: DidCloseTextDocumentParams) -> bool {
    let Some(path) = path_of(&params.text_document.uri) else { return false };
    documents.close(&path);
    true
}

/// Records files created, changed or deleted on disk.
pub fn watched(documents: &mut Documents, params: DidChangeWatchedFilesParams) -> bool {
    let mut any = false;
    for change in params.changes {
        if let Some(path) = path_of(&change.uri) {
            documents.changed_on_disk(path);
            any = true;
        }
    }
    any
}
