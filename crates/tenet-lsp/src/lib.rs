//! The Tenet language server: diagnostics as you type, hover, completion, navigation,
//! rename, symbols, folding, highlighting, formatting, quick fixes and code lenses, over
//! the same salsa database as `tenet check`, so the editor and CI cannot disagree.
//!
//! The server only translates: LSP positions (UTF-16) to byte offsets ([`position`]), URIs
//! to database paths ([`uri`]), and `tenet_ide`'s answers back to LSP types. Open
//! documents override the disk ([`documents`]); requests run on database snapshots that a
//! newer edit cancels ([`state`]); diagnostics are debounced and never stale
//! ([`diagnostics`]).
//!
//! Custom protocol: the request `tenet/virtualText` (`{uri}` → text or null) serves the
//! built-in packs as read-only `tenet-stdlib:` documents; the command `tenet.showFailing`
//! (argument: a control's qualified id) lists a control's failing results; the
//! initialization options `{evidenceRoots: [...], diagnosticsDelayMs: n}` configure the
//! server.
//!
//! **API boundary:** the only crate that knows LSP. No feature logic lives here.

pub mod config;
mod convert;
pub mod diagnostics;
pub mod documents;
mod handlers;
pub mod live;
pub mod position;
mod server;
pub mod state;
pub mod uri;

pub use handlers::virtual_text::{METHOD as VIRTUAL_TEXT, VirtualTextParams};
pub use server::Server;

use tower_lsp_server::{ClientSocket, LspService};

/// The service with Tenet's custom requests, and the socket of its messages to the client.
pub fn service() -> (LspService<Server>, ClientSocket) {
    LspService::build(Server::new).custom_method(VIRTUAL_TEXT, Server::virtual_text).finish()
}

/// Serves LSP on standard input and output until the client sends `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (service, socket) = service();
        tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    Ok(())
}
