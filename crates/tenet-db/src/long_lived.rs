//! What a long-lived database keeps beside salsa's memos, because a query cannot see its
//! own previous value: each evidence file's last loading ([`LoadedFiles`]), so that a group
//! of files whose one file changed loads that file alone again, and each kind's last
//! documents ([`LastKinds`]), so that the next version's indexes are carried over rather
//! than built again.
//!
//! Why beside salsa: a file per query would give salsa one memo per file to make sure of
//! after every edit (46,970 of them, about 8 ms, for one changed file); a group per query
//! makes that a few thousand, but salsa cannot hand the group's query its previous value.
//! This cache does: a file's loading is reused only when its bytes are the very same
//! allocation (`Arc::ptr_eq`: the input was not set since), its path is the same, and the
//! workspace and schemas are those it was loaded under; so what the query returns is what
//! loading would give.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tenet_eval::KindDocs;
use tenet_evidence::Loaded;
use tenet_sema::KindId;
use tenet_sema::program::Schema;

use crate::{EvidenceFile, EvidenceSet, FileBytes, Workspace};

/// The cache: what each file's loading gave, under one workspace and its schemas.
#[derive(Default)]
pub struct LoadedFiles {
    inner: Mutex<Inner>,
    loads: AtomicUsize,
}

#[derive(Default)]
struct Inner {
    /// The workspace and schemas every entry was loaded under.
    under: Option<(Workspace, Vec<Schema>)>,
    files: FxHashMap<EvidenceFile, Entry>,
}

/// One file's last loading and what it was loaded from.
struct Entry {
    bytes: FileBytes,
    path: Box<str>,
    loaded: Arc<Loaded>,
}

/// A file to load: the input, its bytes and its path.
pub(crate) type FileToLoad<'a> = (EvidenceFile, &'a FileBytes, &'a str);

impl LoadedFiles {
    /// Each file of `files` loaded: from the cache where its bytes and path are those
    /// cached under this workspace and schemas, by `load` otherwise (outside the lock, so
    /// groups load in parallel). Entries of other workspaces or schemas are dropped.
    pub(crate) fn load(
        &self,
        workspace: Workspace,
        schemas: &[Schema],
        files: &[FileToLoad<'_>],
        load: &dyn Fn(&FileToLoad<'_>) -> Loaded,
    ) -> Vec<Arc<Loaded>> {
        let mut found: Vec<Option<Arc<Loaded>>> = match self.inner.lock() {
            Ok(mut inner) => {
                let same = inner.under.as_ref().is_some_and(|(w, s)| *w == workspace && s == schemas);
                if !same {
                    inner.under = Some((workspace, schemas.to_vec()));
                    inner.files.clear();
                }
                files
                    .iter()
                    .map(|(file, bytes, path)| {
                        let entry = inner.files.get(file)?;
                        (entry.bytes.same(bytes) && &*entry.path == *path).then(|| entry.loaded.clone())
                    })
                    .collect()
            }
            Err(_) => vec![None; files.len()],
        };
        let mut fresh = Vec::new();
        self.loads.fetch_add(found.iter().filter(|f| f.is_none()).count(), Ordering::Relaxed);
        for (slot, file) in found.iter_mut().zip(files) {
            if slot.is_none() {
                let loaded = Arc::new(load(file));
                fresh.push((
                    file.0,
                    Entry { bytes: file.1.clone(), path: file.2.into(), loaded: loaded.clone() },
                ));
                *slot = Some(loaded);
            }
        }
        if !fresh.is_empty()
            && let Ok(mut inner) = self.inner.lock()
            && inner.under.as_ref().is_some_and(|(w, s)| *w == workspace && s == schemas)
        {
            inner.files.extend(fresh);
        }
        found.into_iter().flatten().collect()
    }

    /// How many files were loaded (not found here) since the last call: what tests
    /// assert, so that a cache that never hits cannot pass for one that works.
    pub fn take_loads(&self) -> usize {
        self.loads.swap(0, Ordering::Relaxed)
    }
}

/// Each kind's last documents, by workspace, evidence set and kind: what the next
/// version of the kind's documents carries its indexes over from
/// ([`KindDocs::following`]). One version per kind, whatever it was gathered for.
#[derive(Default)]
pub struct LastKinds {
    kinds: Mutex<FxHashMap<KindId, (GatheredFor, Arc<KindDocs>)>>,
}

/// What a kind's documents were gathered for.
type GatheredFor = (Workspace, EvidenceSet);

impl LastKinds {
    /// The kind's last documents, if they were gathered for this workspace and evidence.
    pub(crate) fn get(
        &self,
        workspace: Workspace,
        evidence: EvidenceSet,
        kind: KindId,
    ) -> Option<Arc<KindDocs>> {
        let kinds = self.kinds.lock().ok()?;
        let (over, docs) = kinds.get(&kind)?;
        (*over == (workspace, evidence)).then(|| docs.clone())
    }

    /// Keeps `docs` as the kind's last documents.
    pub(crate) fn put(&self, workspace: Workspace, evidence: EvidenceSet, kind: KindId, docs: Arc<KindDocs>) {
        if let Ok(mut kinds) = self.kinds.lock() {
            kinds.insert(kind, ((workspace, evidence), docs));
        }
    }
}
