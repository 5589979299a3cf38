//! The server's settings: the workspace root from `initialize`, the evidence roots from
//! the client's `initializationOptions` or the workspace's `tenet.toml`, and how long to
//! wait for typing to pause before checking.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tower_lsp_server::ls_types::InitializeParams;

/// How long edits must pause before a burst of them is checked. An edit after a pause is
/// checked at once; only a quick succession waits, so one keystroke is answered as fast as
/// the check runs and a burst costs one check.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// What the server was started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The workspace root, whose `.tenet` files are checked with the open documents.
    pub root: Option<PathBuf>,
    /// Directories of evidence, absolute. Stored for live results.
    pub evidence_roots: Vec<PathBuf>,
    /// See [`DEFAULT_DEBOUNCE`].
    pub debounce: Duration,
    /// True when the client can watch files for the server (`**/*.tenet`, `tenet.lock` and
    /// `tenet.toml` are registered after `initialized`, so files created or deleted on disk
    /// join or leave the workspace, and a new lock brings in the packs it names).
    pub watch_files: bool,
    /// True when the client takes watch patterns relative to a base directory (LSP 3.17),
    /// which is how the evidence roots are watched, wherever they are.
    pub relative_patterns: bool,
    /// True when the client can be asked to ask for code lenses again
    /// (`workspace/codeLens/refresh`): evidence that changed on disk changes the live
    /// counts of documents that did not change.
    pub lens_refresh: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            root: None,
            evidence_roots: Vec::new(),
            debounce: DEFAULT_DEBOUNCE,
            watch_files: false,
            relative_patterns: false,
            lens_refresh: false,
        }
    }
}

/// `initializationOptions`, as the editor extension sends them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitializationOptions {
    #[serde(default)]
    evidence_roots: Option<Vec<String>>,
    #[serde(default)]
    diagnostics_delay_ms: Option<u64>,
}

/// The parts of `tenet.toml` the server reads: `[evidence] roots = [...]` (or a top-level
/// `evidence_roots`). The manifest's other tables belong to the pack tooling.
#[derive(Debug, Default, Deserialize)]
struct Manifest {
    #[serde(default)]
    evidence: Option<EvidenceTable>,
    #[serde(default)]
    evidence_roots: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct EvidenceTable {
    #[serde(default)]
    roots: Option<Vec<String>>,
}

impl Config {
    /// The settings `initialize` implies. Malformed options or manifests are ignored
    /// (the defaults apply); the editor still gets a working server.
    pub fn from_initialize(params: &InitializeParams) -> Config {
        let root = workspace_root(params);
        let options: InitializationOptions = params
            .initialization_options
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let debounce = options.diagnostics_delay_ms.map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
        // An empty list is what an editor sends for a setting left alone: the manifest's
        // roots apply then.
        let listed = options
            .evidence_roots
            .filter(|roots| !roots.is_empty())
            .or_else(|| root.as_deref().and_then(manifest_roots))
            .unwrap_or_default();
        let base = root.clone().unwrap_or_default();
        let evidence_roots = listed.into_iter().map(|r| base.join(r)).collect();
        let workspace = params.capabilities.workspace.as_ref();
        let watching = workspace.and_then(|w| w.did_change_watched_files.as_ref());
        let watch_files = watching.and_then(|w| w.dynamic_registration).unwrap_or(false);
        let relative_patterns = watching.and_then(|w| w.relative_pattern_support).unwrap_or(false);
        let lens_refresh =
            workspace.and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support).unwrap_or(false);
        Config { root, evidence_roots, debounce, watch_files, relative_patterns, lens_refresh }
    }
}

/// The first workspace folder, or the root URI, when it is a directory on disk.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let folder = params.workspace_folders.as_ref().and_then(|f| f.first()).map(|f| f.uri.clone());
    #[expect(deprecated, reason = "clients that send no workspace folders still send rootUri")]
    let uri = folder.or_else(|| params.root_uri.clone())?;
    if uri.scheme().as_str() != "file" {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    path.is_dir().then_some(path)
}

fn manifest_roots(root: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(root.join("tenet.toml")).ok()?;
    let manifest: Manifest = toml::from_str(&text).ok()?;
    manifest.evidence.and_then(|e| e.roots).or(manifest.evidence_roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: serde_json::Value) -> InitializeParams {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn options_give_evidence_roots_and_delay() {
        let dir = tempfile::tempdir().unwrap();
        let uri = tower_lsp_server::ls_types::Uri::from_file_path(dir.path()).unwrap();
        let config = Config::from_initialize(&params(json!({
            "capabilities": {},
            "rootUri": uri.as_str(),
            "initializationOptions": {"evidenceRoots": ["ev"], "diagnosticsDelayMs": 5},
        })));
        assert_eq!(config.root.as_deref(), Some(dir.path()));
        assert_eq!(config.evidence_roots, vec![dir.path().join("ev")]);
        assert_eq!(config.debounce, Duration::from_millis(5));
    }

    #[test]
    fn the_manifest_gives_evidence_roots_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tenet.toml"), "[evidence]\nroots = [\"evidence\"]\n").unwrap();
        let uri = tower_lsp_server::ls_types::Uri::from_file_path(dir.path()).unwrap();
        let config = Config::from_initialize(&params(json!({
            "capabilities": {},
            "workspaceFolders": [{"uri": uri.as_str(), "name": "w"}],
            "initializationOptions": {"unrelated": true},
        })));
        assert_eq!(config.evidence_roots, vec![dir.path().join("evidence")]);
        assert_eq!(config.debounce, DEFAULT_DEBOUNCE);
        // The VS Code extension sends its setting's default, an empty list.
        let config = Config::from_initialize(&params(json!({
            "capabilities": {},
            "workspaceFolders": [{"uri": uri.as_str(), "name": "w"}],
            "initializationOptions": {"evidenceRoots": []},
        })));
        assert_eq!(config.evidence_roots, vec![dir.path().join("evidence")]);
    }

    #[test]
    fn the_client_capabilities_say_how_files_are_watched_and_lenses_refreshed() {
        let config = Config::from_initialize(&params(json!({
            "capabilities": {"workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
                "codeLens": {"refreshSupport": true},
            }},
        })));
        assert!(config.watch_files && config.relative_patterns && config.lens_refresh, "{config:?}");
        let bare = Config::from_initialize(&params(json!({"capabilities": {}})));
        assert!(!bare.watch_files && !bare.relative_patterns && !bare.lens_refresh, "{bare:?}");
    }
}
