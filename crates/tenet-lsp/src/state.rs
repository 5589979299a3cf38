//! The salsa database behind the server, and the snapshots requests read.
//!
//! The database is not `Sync`, and a write waits until every clone of it is dropped
//! (cancelling the queries they run). So it lives behind a mutex in a [`Host`]; a request
//! locks it only to bring the inputs up to date with the open documents and to clone it,
//! then runs on the clone — a [`Snapshot`] — with the lock released. A clone never locks
//! the host, so a write can always finish: there is no deadlock.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use salsa::{Durability, Setter};
use tenet_db::{Database, OsSystem, SourceFile, System, Workspace, display_path, is_evidence_file};
use tenet_db::{EvidenceInputs, EvidenceSet, RunSettings, Unread, evidence_found};
use tenet_sema::Origin;
use tower_lsp_server::ls_types::Uri;

use crate::config::Config;
use crate::documents::{Documents, Pending};
use crate::uri::{is_stdlib, uri_of};

/// Locks a mutex, recovering it if a panicking thread poisoned it: every state behind
/// one is consistent between statements, and the server must go on.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which database file is which path, and back.
#[derive(Debug, Default)]
pub struct FileTable {
    by_path: HashMap<String, SourceFile>,
    by_file: HashMap<SourceFile, String>,
}

impl FileTable {
    /// The file at a path.
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.by_path.get(path).copied()
    }

    /// The path of a file.
    pub fn path(&self, file: SourceFile) -> Option<&str> {
        self.by_file.get(&file).map(String::as_str)
    }

    /// Every file with its path.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &SourceFile)> {
        self.by_path.iter()
    }
}

/// The database and the files it holds.
pub struct Host {
    db: Database,
    workspace: Workspace,
    /// The workspace's own files (open documents included), by path.
    files: BTreeMap<String, SourceFile>,
    stdlib: Vec<(String, SourceFile)>,
    /// The verified files of the project's locked dependency packs.
    dependencies: Vec<(String, SourceFile)>,
    root: Option<PathBuf>,
    /// The document generation the inputs reflect.
    applied: u64,
    table: Arc<FileTable>,
    /// The open documents' URIs and versions at `applied`.
    open: Arc<HashMap<String, (Uri, i32)>>,
    /// The evidence live results are evaluated over, when the workspace has some.
    evidence: Option<(EvidenceSet, RunSettings)>,
    /// The directory the evidence was loaded from.
    evidence_root: Option<PathBuf>,
    /// The directories evidence may be in, the first that exists being loaded: one made
    /// after the server started is loaded when a file appears in it.
    evidence_roots: Vec<PathBuf>,
    /// The evidence inputs by their path under the root, so that a file that changes on
    /// disk changes its input, and only what reads it is checked again.
    evidence_inputs: Option<EvidenceInputs>,
    /// What `today` is: the date in UTC, as `tenet check` takes it (a test sets its own).
    clock: Clock,
}

/// Gives the current date.
pub type Clock = Arc<dyn Fn() -> jiff::civil::Date + Send + Sync>;

impl Host {
    /// Loads the evidence under the first evidence root that exists, evaluated as of
    /// today, so that lenses can show live results.
    pub fn load_evidence(&mut self, roots: &[PathBuf]) {
        self.evidence_roots = roots.to_vec();
        let Some(root) = roots.iter().find(|r| r.is_dir()) else { return };
        if let Ok(set) = tenet_db::load_evidence_dir(&mut self.db, &OsSystem, root) {
            let settings = RunSettings::new(&self.db, (self.clock)(), tenet_eval::DEFAULT_STEP_BUDGET);
            self.evidence_inputs = Some(EvidenceInputs::of(&self.db, set));
            self.evidence = Some((set, settings));
            self.evidence_root = Some(root.clone());
        }
    }

    /// Evaluates as of the new day once the date has changed: a server left running
    /// overnight would otherwise show yesterday's results (a waiver that expired at
    /// midnight as still waived, a review that fell due as still in time).
    fn follow_the_date(&mut self) {
        if let Some((_, settings)) = self.evidence {
            tenet_db::move_to_date(&mut self.db, settings, (self.clock)());
        }
    }

    /// Takes in evidence files that changed on disk (`paths`, absolute; those outside the
    /// evidence root are not evidence): a file's input gets its new bytes, a new file joins
    /// the set, a directory named (the root among them) has its files read again and
    /// those no longer in it leave, and a file or directory that is gone leaves the set
    /// with every file it held.
    fn evidence_changed(&mut self, paths: &[String]) {
        let (Some(inputs), Some(root)) = (self.evidence_inputs.as_mut(), self.evidence_root.as_ref()) else {
            let roots = self.evidence_roots.clone();
            if paths.iter().any(|p| roots.iter().any(|root| Path::new(p).starts_with(root))) {
                self.load_evidence(&roots);
            }
            return;
        };
        let db = &mut self.db;
        // A file that cannot be read is reported where it is, as a check reports it.
        for path in paths {
            let path = Path::new(path);
            let Ok(relative) = path.strip_prefix(root) else { continue };
            if relative.components().any(|c| OsSystem::skips(&c.as_os_str().to_string_lossy())) {
                continue;
            }
            // The root itself is named `""`, and everything is under it.
            let shown = if relative.as_os_str().is_empty() { String::new() } else { display_path(relative) };
            if path.is_dir() {
                // A directory that came, or was replaced: its files now, and none other.
                let mut found = std::collections::HashSet::new();
                let walked = OsSystem.walk_each(path, &mut |place| {
                    let Some((at, why)) = evidence_found(place, root) else { return };
                    let shown = display_path(at.strip_prefix(root).unwrap_or(&at));
                    found.insert(shown.clone());
                    match why {
                        None => inputs.read(db, &OsSystem, &at, shown),
                        Some(why) => inputs.write_unread(db, shown, why),
                    };
                });
                if let Err(e) = walked
                    && !shown.is_empty()
                {
                    // The directory itself cannot be listed: it stands for what it held.
                    found.insert(shown.clone());
                    inputs.write_unread(db, shown.clone(), Unread::Directory(e.to_string()));
                }
                inputs.remove_under(&shown, &|p| found.contains(p));
            } else if path.exists() {
                // A file that is not evidence (a model's weights written beside its card)
                // is not read.
                if is_evidence_file(path) {
                    inputs.read(db, &OsSystem, path, shown);
                }
            } else if let Some(why) = std::fs::read_link(path)
                .ok()
                .map(Unread::BrokenLink)
                .filter(|why| why.may_hold(path, is_evidence_file))
            {
                // A link to nothing, reported as a check reports it.
                inputs.remove_under(&shown, &|p| p == shown);
                inputs.write_unread(db, shown, why);
            } else {
                inputs.remove_under(&shown, &|_| false);
            }
        }
        inputs.settle(db);
    }

    /// Loads the `.tenet` files under `root` (if any) and the built-in packs.
    pub fn load(root: Option<&Path>) -> Host {
        let mut db = Database::default();
        db.long_lived();
        let mut files = BTreeMap::new();
        if let Some(root) = root {
            for path in OsSystem.walk(root).unwrap_or_default() {
                if path.extension().is_some_and(|e| e == "tenet")
                    && let Ok(bytes) = OsSystem.read(&path)
                {
                    let shown = display_path(&path);
                    files.insert(shown.clone(), SourceFile::new(&db, shown, bytes, Origin::Workspace));
                }
            }
        }
        let stdlib: Vec<(String, SourceFile)> = tenet_stdlib::files()
            .map(|(path, text)| {
                let file = SourceFile::builder(path.clone(), text.as_bytes().to_vec(), Origin::Stdlib)
                    .durability(Durability::HIGH)
                    .new(&db);
                (path, file)
            })
            .collect();
        let dependencies = root.map(|root| dependency_packs(&db, root)).unwrap_or_default();
        let workspace = Workspace::new(&db, Vec::new());
        let mut host = Host {
            db,
            workspace,
            files,
            stdlib,
            dependencies,
            root: root.map(Path::to_path_buf),
            applied: 0,
            table: Arc::default(),
            open: Arc::default(),
            evidence: None,
            evidence_root: None,
            evidence_roots: Vec::new(),
            evidence_inputs: None,
            clock: Arc::new(tenet_db::today_utc),
        };
        host.files_changed();
        host
    }

    /// Brings the inputs up to date with the documents, then clones the database.
    pub fn snapshot(&mut self, documents: &Mutex<Documents>) -> Snapshot {
        let pending = {
            let mut docs = lock(documents);
            let pending = docs.pending(self.applied);
            if pending.generation != self.applied {
                self.open = Arc::new(
                    docs.iter().map(|(path, d)| (path.clone(), (d.uri.clone(), d.version))).collect(),
                );
            }
            pending
        };
        if pending.generation != self.applied {
            self.apply(pending);
        }
        self.follow_the_date();
        Snapshot {
            db: self.db.clone(),
            workspace: self.workspace,
            generation: self.applied,
            table: self.table.clone(),
            open: self.open.clone(),
            evidence: self.evidence,
            evidence_root: self.evidence_root.clone(),
        }
    }

    fn apply(&mut self, pending: Pending) {
        let mut added_or_removed = false;
        for (path, text) in pending.texts {
            added_or_removed |= self.set(&path, Some(text.into_bytes()));
        }
        for path in pending.closed {
            let on_disk = self.read_disk(&path);
            added_or_removed |= self.set(&path, on_disk);
        }
        self.evidence_changed(&pending.on_disk);
        for path in pending.on_disk {
            // A new lock or manifest may bring other packs: verify and load them again.
            if path.ends_with(tenet_pack::LOCK_FILE) || path.ends_with(tenet_pack::MANIFEST_FILE) {
                if let Some(root) = self.root.clone() {
                    self.dependencies = dependency_packs(&self.db, &root);
                }
                added_or_removed = true;
                continue;
            }
            if self.open.contains_key(&path) {
                continue;
            }
            let on_disk = self.read_disk(&path);
            added_or_removed |= self.set(&path, on_disk);
        }
        if added_or_removed {
            self.files_changed();
        }
        self.applied = pending.generation;
    }

    /// Gives `path` these contents (`None` removes it); true when the set of files changed.
    fn set(&mut self, path: &str, bytes: Option<Vec<u8>>) -> bool {
        if is_stdlib(path) {
            return false;
        }
        match (self.files.get(path).copied(), bytes) {
            (Some(file), Some(bytes)) => {
                if file.bytes(&self.db) != bytes.as_slice() {
                    file.set_bytes(&mut self.db).to(bytes);
                }
                false
            }
            (Some(_), None) => {
                self.files.remove(path);
                true
            }
            (None, Some(bytes)) => {
                let file = SourceFile::new(&self.db, path.to_owned(), bytes, Origin::Workspace);
                self.files.insert(path.to_owned(), file);
                true
            }
            (None, None) => false,
        }
    }

    /// The contents of a workspace file on disk; `None` when it is gone, or not one of
    /// the workspace's `.tenet` files (a document opened from elsewhere leaves with its tab).
    fn read_disk(&self, path: &str) -> Option<Vec<u8>> {
        let p = Path::new(path);
        let inside = self.root.as_deref().is_some_and(|root| p.starts_with(root));
        if !inside || p.extension().is_none_or(|e| e != "tenet") {
            return None;
        }
        OsSystem.read(p).ok()
    }

    fn files_changed(&mut self) {
        let mut all: Vec<SourceFile> = self.files.values().copied().collect();
        all.extend(self.dependencies.iter().map(|(_, f)| *f));
        all.extend(self.stdlib.iter().map(|(_, f)| *f));
        self.workspace.set_policy_files(&mut self.db).to(all);
        let mut table = FileTable::default();
        let fixed = self.dependencies.iter().chain(self.stdlib.iter()).map(|(p, f)| (p, f));
        for (path, file) in self.files.iter().chain(fixed) {
            table.by_path.insert(path.clone(), *file);
            table.by_file.insert(*file, path.clone());
        }
        self.table = Arc::new(table);
    }
}

/// A consistent view of the database for one request or one diagnostics run.
#[derive(Clone)]
pub struct Snapshot {
    /// A clone of the database: queries on it are cancelled by the next write.
    pub db: Database,
    /// The workspace input.
    pub workspace: Workspace,
    /// The document generation the view reflects.
    pub generation: u64,
    table: Arc<FileTable>,
    open: Arc<HashMap<String, (Uri, i32)>>,
    /// The evidence and run settings for live results.
    pub evidence: Option<(EvidenceSet, RunSettings)>,
    /// The directory the evidence was loaded from.
    pub evidence_root: Option<PathBuf>,
}

impl Snapshot {
    /// The file a URI names.
    pub fn file(&self, uri: &Uri) -> Option<SourceFile> {
        self.table.file(&crate::uri::path_of(uri)?)
    }

    /// The database path of a file.
    pub fn path(&self, file: SourceFile) -> Option<&str> {
        self.table.path(file)
    }

    /// The file at a database path.
    pub fn file_at(&self, path: &str) -> Option<SourceFile> {
        self.table.file(path)
    }

    /// The URI of a file: the client's own for an open document.
    pub fn uri(&self, file: SourceFile) -> Option<Uri> {
        self.uri_of_path(self.path(file)?)
    }

    /// The URI of a database path.
    pub fn uri_of_path(&self, path: &str) -> Option<Uri> {
        match self.open.get(path) {
            Some((uri, _)) => Some(uri.clone()),
            None => uri_of(path),
        }
    }

    /// The version of an open document, at this snapshot's generation.
    pub fn version(&self, path: &str) -> Option<i32> {
        self.open.get(path).map(|(_, v)| *v)
    }

    /// The workspace's files, stdlib excluded.
    pub fn workspace_paths(&self) -> impl Iterator<Item = (&String, &SourceFile)> {
        self.table.iter().filter(|(p, _)| !is_stdlib(p))
    }

    /// A file's text.
    pub fn text(&self, file: SourceFile) -> Arc<str> {
        tenet_ide::source_text(&self.db, file)
    }
}

/// Everything the server shares between requests.
#[derive(Default)]
pub struct State {
    /// Set by `initialize`.
    pub config: OnceLock<Config>,
    /// The open documents.
    pub documents: Mutex<Documents>,
    /// The database, once `initialize` has loaded the workspace.
    pub host: Mutex<Option<Host>>,
}

impl State {
    /// A snapshot reflecting every change received so far; `None` before `initialize`.
    pub fn snapshot(&self) -> Option<Snapshot> {
        let mut host = lock(&self.host);
        Some(host.as_mut()?.snapshot(&self.documents))
    }
}

/// The files of the project's locked dependency packs, verified against `tenet.lock`
/// without the network, as `tenet check` loads them; a pack that fails verification is
/// left out (the CLI reports why), so the editor never shows unverified policy.
fn dependency_packs(db: &Database, root: &Path) -> Vec<(String, SourceFile)> {
    let Ok(Some(project)) = tenet_pack::Project::discover(root) else { return Vec::new() };
    let cache = tenet_pack::Cache::from_env();
    let fetcher = tenet_pack::Fetcher::new(&cache, false);
    let Ok(loaded) = project.load_locked(&fetcher) else { return Vec::new() };
    let packs: Vec<tenet_db::DependencyPack> = loaded
        .iter()
        .filter(|p| !p.is_path_inside(root))
        .map(|p| tenet_db::DependencyPack {
            name: p.locked.name.clone(),
            files: p.policy_files().map(|f| (display_path(&p.dir.join(&f.path)), f.bytes.clone())).collect(),
        })
        .collect();
    let (files, _) = tenet_db::dependency_files(db, &packs);
    files.into_iter().map(|f| (f.path(db).to_owned(), f)).collect()
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;
    use std::str::FromStr;
    use std::sync::mpsc;

    use salsa::Database as _;
    use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

    use super::*;

    #[test]
    fn open_documents_override_the_disk_and_closing_brings_it_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.tenet"), "package disk\n").unwrap();
        let path = display_path(&dir.path().join("a.tenet"));
        let docs = Mutex::new(Documents::default());
        let mut host = Host::load(Some(dir.path()));
        let file = host.snapshot(&docs).file_at(&path).unwrap();
        let uri = Uri::from_file_path(dir.path().join("a.tenet")).unwrap();
        lock(&docs).open(path.clone(), uri, "package editor\n".into(), 3);
        {
            // A snapshot must be dropped before the next write, or the write waits forever.
            let snapshot = host.snapshot(&docs);
            assert_eq!(&*snapshot.text(file), "package editor\n");
            assert_eq!(snapshot.version(&path), Some(3));
        }
        lock(&docs).close(&path);
        let snapshot = host.snapshot(&docs);
        assert_eq!(&*snapshot.text(file), "package disk\n");
        assert_eq!(snapshot.version(&path), None);
    }

    #[test]
    fn live_results_move_to_the_new_day_when_the_date_changes() {
        let dir = tempfile::tempdir().unwrap();
        let policy = "package edge\n\nschema AiSystem from \"systems/*.yaml\" {\n  id: string key\n  reviewed: date\n}\n\n\
                      control E.1 \"Reviewed\" {\n  rule recent\n    for s: AiSystem\n    require s.reviewed + 1 year >= today\n}\n";
        std::fs::write(dir.path().join("p.tenet"), policy).unwrap();
        std::fs::create_dir_all(dir.path().join("evidence/systems")).unwrap();
        std::fs::write(dir.path().join("evidence/systems/a.yaml"), "id: a\nreviewed: 2024-02-29\n").unwrap();
        let date = Arc::new(Mutex::new(jiff::civil::date(2025, 2, 28)));
        let docs = Mutex::new(Documents::default());
        let mut host = Host::load(Some(dir.path()));
        let now = date.clone();
        host.clock = Arc::new(move || *lock(&now));
        host.load_evidence(&[dir.path().join("evidence")]);
        let live = crate::live::Live::default();
        let counts = |host: &mut Host| {
            let snapshot = host.snapshot(&docs);
            let counts = live.control_counts(&snapshot, "edge.E.1").unwrap();
            (counts.pass, counts.fail)
        };
        assert_eq!(counts(&mut host), (1, 0), "reviewed 2024-02-29, due 2025-02-28");
        *lock(&date) = jiff::civil::date(2025, 3, 1);
        assert_eq!(counts(&mut host), (0, 1), "a day later, overdue");
    }

    #[test]
    fn a_newer_edit_cancels_work_on_older_snapshots_without_deadlock() {
        let docs = Mutex::new(Documents::default());
        let mut host = Host::load(None);
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        lock(&docs).open("untitled:Untitled-1".into(), uri, "package x\n".into(), 1);
        let snapshot = host.snapshot(&docs);
        let (started, running) = mpsc::channel();
        let worker = std::thread::spawn(move || {
            salsa::Cancelled::catch(AssertUnwindSafe(|| {
                let _ = started.send(());
                loop {
                    let _ = tenet_db::diagnostics(&snapshot.db, snapshot.workspace);
                    snapshot.db.unwind_if_revision_cancelled();
                    std::thread::yield_now();
                }
            }))
        });
        running.recv().unwrap();
        let change =
            TextDocumentContentChangeEvent { range: None, range_length: None, text: "package y\n".into() };
        lock(&docs).change("untitled:Untitled-1", 2, vec![change]);
        // The write waits for the worker's clone, which unwinds at its next query.
        let newer = host.snapshot(&docs);
        assert!(worker.join().unwrap().is_err(), "the older snapshot's work was cancelled");
        assert_eq!(newer.version("untitled:Untitled-1"), Some(2));
    }
}
