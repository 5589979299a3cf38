//! `tenet/virtualText`: the text of a document the client cannot read from disk — the
//! built-in packs, under `tenet-stdlib:` URIs, which go to definition leads to. An editor
//! extension serves them as read-only documents of that scheme.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::Uri;

use crate::state::Snapshot;
use crate::uri::path_of;

/// The request's name.
pub const METHOD: &str = "tenet/virtualText";

/// The request's parameters.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VirtualTextParams {
    /// The document.
    pub uri: Uri,
}

/// The text of the document, or `None` when the server does not know it.
pub fn handle(snapshot: &Snapshot, params: &VirtualTextParams) -> Option<String> {
    let path = path_of(&params.uri)?;
    if let Some(text) = tenet_stdlib::text(&path) {
        return Some(text.to_owned());
    }
    snapshot.file_at(&path).map(|f| snapshot.text(f).to_string())
}
