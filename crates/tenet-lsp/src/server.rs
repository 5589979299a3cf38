//! The language server: `tower_lsp_server::LanguageServer` over the shared state. Each
//! request is a one-line hand-off to its handler, run off the async runtime on a database
//! snapshot; notifications update the documents and schedule a check.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::config::Config;
use crate::diagnostics::Publisher;
use crate::handlers;
use crate::handlers::virtual_text::VirtualTextParams;
use crate::live::Live;
use crate::state::{Host, Snapshot, State, lock};

/// The Tenet language server.
pub struct Server {
    client: Client,
    state: Arc<State>,
    publisher: Arc<Publisher>,
}

impl Server {
    /// A server that talks to `client`.
    pub fn new(client: Client) -> Server {
        Server { client, state: Arc::default(), publisher: Arc::default() }
    }

    fn config(&self) -> Config {
        self.state.config.get().cloned().unwrap_or_default()
    }

    fn live(&self) -> Live {
        Live { evidence_roots: self.config().evidence_roots }
    }

    /// Runs `f` on a snapshot, off the async runtime. A newer edit cancels it
    /// (`ContentModified`, so the client asks again); a panic becomes an internal error
    /// of this request, and the server goes on.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> T + Send + 'static,
    {
        let state = self.state.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let snapshot = state.snapshot()?;
            Some(salsa::Cancelled::catch(AssertUnwindSafe(|| f(&snapshot))))
        })
        .await;
        match outcome {
            Ok(Some(Ok(value))) => Ok(value),
            Ok(Some(Err(_cancelled))) => Err(Error::content_modified()),
            Ok(None) => Err(Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32002),
                message: "the server is not initialized".into(),
                data: None,
            }),
            Err(e) => {
                let mut error = Error::internal_error();
                error.message = format!("the request failed: {e}").into();
                Err(error)
            }
        }
    }

    /// Schedules a check after a change.
    fn changed(&self) {
        self.publisher.schedule(&self.state, &self.client, self.config().debounce);
    }

    /// `tenet/virtualText`: the text of a `tenet-stdlib:` document.
    pub async fn virtual_text(&self, params: VirtualTextParams) -> Result<Option<String>> {
        self.read(move |s| handlers::virtual_text::handle(s, &params)).await
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let config = Config::from_initialize(&params);
        let root = config.root.clone();
        let evidence_roots = config.evidence_roots.clone();
        let _ = self.state.config.set(config);
        let state = self.state.clone();
        // Reading the workspace from disk is blocking work.
        tokio::task::spawn_blocking(move || {
            let mut host = Host::load(root.as_deref());
            host.load_evidence(&evidence_roots);
            *lock(&state.host) = Some(host);
        })
        .await
        .map_err(|_| Error::internal_error())?;
        Ok(handlers::initialize::result())
    }

    async fn initialized(&self, _: InitializedParams) {
        self.changed();
        let config = self.config();
        // Live results are as of the date in UTC: when it turns, the editor asks for the
        // lenses again, and the request evaluates as of the new day.
        if config.lens_refresh && !config.evidence_roots.is_empty() {
            let client = self.client.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(tenet_db::until_tomorrow_utc()).await;
                    if client.code_lens_refresh().await.is_err() {
                        break;
                    }
                }
            });
        }
        if config.watch_files {
            let mut watchers = vec![
                json!({"globPattern": "**/*.tenet"}),
                json!({"globPattern": "**/tenet.lock"}),
                json!({"globPattern": "**/tenet.toml"}),
            ];
            // Every file under the evidence roots, which may lie outside the workspace.
            for root in &config.evidence_roots {
                let Some(uri) = crate::uri::uri_of(&root.to_string_lossy()) else { continue };
                watchers.push(if config.relative_patterns {
                    json!({"globPattern": {"baseUri": uri.as_str(), "pattern": "**/*"}})
                } else {
                    json!({"globPattern": format!("{}/**/*", root.display())})
                });
            }
            let watchers = json!({ "watchers": watchers });
            let registration = Registration {
                id: "tenet-watch-policies".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: Some(watchers),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                self.client
                    .log_message(MessageType::WARNING, format!("cannot watch `.tenet` files: {e}"))
                    .await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        if handlers::text_sync::open(&mut lock(&self.state.documents), params) {
            self.changed();
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        if handlers::text_sync::change(&mut lock(&self.state.documents), params) {
            self.changed();
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // The open document already holds the saved text.
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if handlers::text_sync::close(&mut lock(&self.state.documents), params) {
            self.changed();
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let config = self.config();
        let evidence = params.changes.iter().any(|change| {
            crate::uri::path_of(&change.uri).is_some_and(|path| {
                config.evidence_roots.iter().any(|root| Path::new(&path).starts_with(root))
            })
        });
        if handlers::text_sync::watched(&mut lock(&self.state.documents), params) {
            self.changed();
        }
        // Lenses count results over the evidence: the editor asks for them again, and the
        // request takes the change in.
        if evidence && config.lens_refresh {
            let client = self.client.clone();
            tokio::spawn(async move { client.code_lens_refresh().await });
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.read(move |s| handlers::hover::handle(s, params)).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.read(move |s| handlers::completion::handle(s, params)).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.read(move |s| handlers::definition::handle(s, params)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.read(move |s| handlers::references::handle(s, params)).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.read(move |s| handlers::rename::prepare(s, params)).await?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.read(move |s| handlers::rename::rename(s, params)).await?
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.read(move |s| handlers::document_symbol::handle(s, params)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.read(move |s| handlers::workspace_symbol::handle(s, params)).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.read(move |s| handlers::folding_range::handle(s, params)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.read(move |s| handlers::semantic_tokens::handle(s, params)).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.read(move |s| handlers::formatting::handle(s, params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.read(move |s| handlers::code_action::handle(s, params)).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let live = self.live();
        self.read(move |s| handlers::code_lens::handle(s, &live, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let live = self.live();
        let outcome = self.read(move |s| handlers::execute_command::handle(s, &live, params)).await??;
        self.client.show_message(MessageType::INFO, outcome.message).await;
        Ok(Some(outcome.value))
    }
}
