//! Publishing diagnostics: the same `tenet_db::diagnostics` query as `tenet check`, for
//! every file of the workspace, after each change.
//!
//! An edit after a pause is checked at once; edits in quick succession wait until typing
//! pauses ([`crate::config::DEFAULT_DEBOUNCE`]). A check runs on a snapshot, so the next
//! edit cancels it; and results are published only while no newer text has arrived, each
//! carrying the version of the text it was computed from. Runs publish one at a time and
//! only for the latest generation, so what a file shows never goes back to older text.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tenet_diagnostics::{Code, Diagnostic, Severity, Span};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticTag, Location, NumberOrString, Uri,
};

use crate::position::LineMap;
use crate::state::{Snapshot, State, lock};

/// What was last published for a file.
#[derive(Debug, Clone, PartialEq)]
struct Published {
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

/// The diagnostics of one run, per file.
struct Batch {
    generation: u64,
    files: Vec<FileDiagnostics>,
}

struct FileDiagnostics {
    path: String,
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

/// Schedules runs and publishes their results.
#[derive(Default)]
pub struct Publisher {
    last_change: Mutex<Option<Instant>>,
    published: tokio::sync::Mutex<HashMap<String, Published>>,
}

impl Publisher {
    /// Called after every change: checks at once after a pause, or when `debounce` has
    /// passed without another change.
    pub fn schedule(self: &Arc<Self>, state: &Arc<State>, client: &Client, debounce: Duration) {
        let generation = lock(&state.documents).generation();
        let delay = {
            let now = Instant::now();
            let mut last = lock(&self.last_change);
            let recent = last.is_some_and(|t| now.duration_since(t) < debounce);
            *last = Some(now);
            if recent { debounce } else { Duration::ZERO }
        };
        let (publisher, state, client) = (self.clone(), state.clone(), client.clone());
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if lock(&state.documents).generation() != generation {
                return; // a newer change has its own run
            }
            let run_state = state.clone();
            let computed = tokio::task::spawn_blocking(move || {
                let snapshot = run_state.snapshot()?;
                salsa::Cancelled::catch(AssertUnwindSafe(|| compute(&snapshot))).ok()
            })
            .await;
            if let Ok(Some(batch)) = computed {
                publisher.publish(&state, &client, batch).await;
            }
        });
    }

    async fn publish(&self, state: &State, client: &Client, batch: Batch) {
        let mut published = self.published.lock().await;
        let mut current: HashSet<String> = HashSet::with_capacity(batch.files.len());
        for file in batch.files {
            // Newer text exists: what is left of this run is stale.
            if lock(&state.documents).generation() != batch.generation {
                return;
            }
            current.insert(file.path.clone());
            let previous = published.get(&file.path);
            let next = Published { version: file.version, diagnostics: file.diagnostics };
            let changed = match previous {
                Some(p) => *p != next,
                None => next.version.is_some() || !next.diagnostics.is_empty(),
            };
            if changed {
                client.publish_diagnostics(file.uri, next.diagnostics.clone(), next.version).await;
                published.insert(file.path, next);
            }
        }
        // Files that left the workspace keep no diagnostics.
        let gone: Vec<String> = published.keys().filter(|p| !current.contains(*p)).cloned().collect();
        for path in gone {
            if let Some(p) = published.remove(&path)
                && !p.diagnostics.is_empty()
                && let Some(uri) = crate::uri::uri_of(&path)
            {
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
}

/// Runs the query and converts its results, file by file.
fn compute(snapshot: &Snapshot) -> Batch {
    let all = tenet_db::diagnostics(&snapshot.db, snapshot.workspace);
    // Waivers whose subject the evidence does not have are marked where they are written.
    let waivers =
        snapshot.evidence.map(|(set, _)| tenet_db::waiver_diagnostics(&snapshot.db, snapshot.workspace, set));
    let mut by_path: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in all.iter().chain(waivers.into_iter().flatten()) {
        by_path.entry(&d.path).or_default().push(d);
    }
    let mut files = Vec::new();
    for (path, file) in snapshot.workspace_paths() {
        let Some(uri) = snapshot.uri_of_path(path) else { continue };
        // Most files have nothing to report: their text is not even indexed by line.
        let diagnostics = match by_path.get(path.as_str()) {
            Some(ds) => {
                let text = snapshot.text(*file);
                let map = LineMap::new(&text);
                ds.iter().map(|d| to_lsp(snapshot, d, &uri, &map)).collect()
            }
            None => Vec::new(),
        };
        files.push(FileDiagnostics { path: path.clone(), uri, version: snapshot.version(path), diagnostics });
    }
    files.extend(evidence_files(snapshot));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Batch { generation: snapshot.generation, files }
}

/// Evidence documents that break their schema, marked in the evidence files themselves
/// (the same `evidence_diagnostics` query as `tenet check --evidence`). Only files with
/// diagnostics are listed: [`Publisher::publish`] clears a file that had some and has none
/// now, and a large evidence set is tens of thousands of files, most of them clean, which
/// are then neither indexed by line nor matched against every diagnostic.
fn evidence_files(snapshot: &Snapshot) -> Vec<FileDiagnostics> {
    let (Some((set, _)), Some(root)) = (snapshot.evidence, snapshot.evidence_root.as_ref()) else {
        return Vec::new();
    };
    let all = tenet_db::validate_evidence(&snapshot.db, snapshot.workspace, set);
    let mut by_path: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in all {
        by_path.entry(&d.path).or_default().push(d);
    }
    let files = set.files(&snapshot.db);
    // The evidence files diagnostics point into besides their own (the first document with
    // a repeated key), by their path under the root: related places are evidence files
    // too, not policy files.
    let related: HashSet<&str> = all.iter().flat_map(|d| d.related.iter().map(|r| &*r.path)).collect();
    let mut texts: Vec<(&str, Uri, String)> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let relative = file.path(&snapshot.db);
        if !related.contains(relative) {
            continue;
        }
        let Some(uri) = crate::uri::uri_of(&tenet_db::display_path(&root.join(relative))) else { continue };
        let loaded = tenet_db::loaded_file(&snapshot.db, snapshot.workspace, set, index);
        texts.push((relative, uri, loaded.text(file.bytes(&snapshot.db)).to_owned()));
    }
    // Each file's lines indexed once: a copied register repeats thousands of keys.
    let places: HashMap<&str, (&Uri, LineMap<'_>)> =
        texts.iter().map(|(path, uri, text)| (*path, (uri, LineMap::new(text)))).collect();
    let place = |path: &str, span: Span| {
        let (uri, map) = places.get(path)?;
        Some(Location { uri: (*uri).clone(), range: map.range(span) })
    };
    let mut out = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let relative = file.path(&snapshot.db);
        let Some(ours) = by_path.get(relative) else { continue };
        let shown = tenet_db::display_path(&root.join(relative));
        let Some(uri) = crate::uri::uri_of(&shown) else { continue };
        let loaded = tenet_db::loaded_file(&snapshot.db, snapshot.workspace, set, index);
        let map = LineMap::new(loaded.text(file.bytes(&snapshot.db)));
        let diagnostics = ours.iter().map(|d| diagnostic(d, &uri, &map, &place)).collect();
        out.push(FileDiagnostics { path: shown, uri, version: None, diagnostics });
    }
    out
}

/// One diagnostic as LSP shows it: the message, then its help on a line of its own.
pub fn to_lsp(snapshot: &Snapshot, d: &Diagnostic, uri: &Uri, map: &LineMap<'_>) -> lsp::Diagnostic {
    let place = |path: &str, span: Span| {
        let file = snapshot.file_at(path)?;
        let uri = snapshot.uri(file)?;
        Some(Location { uri, range: LineMap::new(&snapshot.text(file)).range(span) })
    };
    diagnostic(d, uri, map, &place)
}

/// A diagnostic of the file at `uri` (whose lines `map` knows) as LSP shows it, with its
/// related places where `place` finds them.
fn diagnostic(
    d: &Diagnostic,
    uri: &Uri,
    map: &LineMap<'_>,
    place: &dyn Fn(&str, Span) -> Option<Location>,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: map.range(l.span) },
            message: l.message.clone(),
        })
        .collect();
    for r in &d.related {
        let Some(location) = place(&r.path, r.span) else { continue };
        related.push(DiagnosticRelatedInformation { location, message: r.message.clone() });
    }
    lsp::Diagnostic {
        range: map.range(d.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.id().to_owned())),
        code_description: None,
        source: Some("tenet".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (d.code == Code::UNUSED).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}
