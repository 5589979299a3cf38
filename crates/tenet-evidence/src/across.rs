//! What only the whole set of loaded files shows: two documents of a kind with one key,
//! and references to documents that do not exist. Kept apart from loading so that
//! loading stays per file (and per-file results stay cached when another file changes),
//! and split by kind, so that a change to one kind's files re-checks that kind's keys
//! and the references its documents make, and nothing else.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_sema::KindId;
use tenet_sema::program::Schema;

use crate::Loaded;

/// The keys of one kind's documents: where each was first written, and a diagnostic for
/// each later document that repeats one (pointing back at the first).
#[derive(Debug, Default, PartialEq)]
pub struct KindKeys {
    /// The paths of the files holding the kind, as given.
    paths: Vec<Arc<str>>,
    /// Each key: the file (an index into `paths`) and the place it was first written.
    first: FxHashMap<Arc<str>, (u32, Span)>,
    /// How many documents the kind has, keyed or not.
    documents: usize,
    /// Each document whose key an earlier document already has.
    pub duplicates: Vec<Diagnostic>,
}

impl KindKeys {
    /// The keys of `kind` over `files` (path and loaded file), in the order given.
    pub fn new(kind: KindId, files: &[(&str, &Loaded)], schemas: &[Schema]) -> KindKeys {
        // Sized up front: growing a table of every key of a large kind costs more than
        // filling it.
        let keys = files.iter().map(|(_, l)| l.documents.iter().filter(|(k, _)| *k == kind).count()).sum();
        let mut out = KindKeys {
            paths: Vec::with_capacity(files.len()),
            first: FxHashMap::with_capacity_and_hasher(keys, Default::default()),
            documents: 0,
            duplicates: Vec::new(),
        };
        for (index, (path, loaded)) in files.iter().enumerate() {
            let path: Arc<str> = Arc::from(*path);
            out.documents += loaded.documents.iter().filter(|(k, _)| *k == kind).count();
            for site in loaded.key_sites(schemas).filter(|k| k.kind == kind) {
                match out.first.get(&site.key) {
                    Some((file, first_span)) => {
                        let first_path =
                            out.paths.get(*file as usize).cloned().unwrap_or_else(|| path.clone());
                        out.duplicates.push(
                            Diagnostic::new(
                                Code::DUPLICATE_KEY,
                                path.clone(),
                                site.span,
                                format!(
                                    "another {} already has the key `{}`",
                                    kind_name(schemas, kind),
                                    site.key
                                ),
                            )
                            .with_related(
                                first_path,
                                *first_span,
                                "the first document with this key",
                            ),
                        );
                    }
                    None => {
                        out.first.insert(site.key, (index as u32, site.span));
                    }
                }
            }
            out.paths.push(path);
        }
        out
    }

    /// Whether a document of the kind has this key.
    pub fn contains(&self, key: &str) -> bool {
        self.first.contains_key(key)
    }
}

/// References written in `kind`'s documents, over `files` (path and loaded file), that
/// name no document: `keys(target)` gives the keys of each kind referred to.
pub fn dangling_refs<'k>(
    kind: KindId,
    files: &[(&str, &Loaded)],
    keys: &dyn Fn(KindId) -> &'k KindKeys,
    schemas: &[Schema],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (path, loaded) in files {
        for site in loaded.ref_sites(schemas).into_iter().filter(|r| r.from == kind) {
            let target_keys = keys(site.target);
            if target_keys.contains(&site.key) {
                continue;
            }
            let target = kind_name(schemas, site.target);
            let help = if target_keys.documents == 0 {
                format!(
                    "no {target} documents were loaded at all: check the `from` globs of schema `{target}`"
                )
            } else {
                format!("add the {target} document, or correct the reference")
            };
            out.push(
                Diagnostic::new(
                    Code::DANGLING_REF,
                    Arc::from(*path),
                    site.span,
                    format!("no {target} has the key `{}`", site.key),
                )
                .with_help(help),
            );
        }
    }
    out
}

/// Duplicate keys (each after the first, pointing back at the first) and dangling
/// references, over `files` (path and loaded file) in the order given: the per-kind
/// checks over the whole set at once, for callers without a database.
pub fn check_across_files(files: &[(&str, &Loaded)], schemas: &[Schema]) -> Vec<Diagnostic> {
    let kinds: Vec<KindId> = (0..schemas.len()).map(|k| KindId(k as u32)).collect();
    let keys: Vec<KindKeys> = kinds.iter().map(|k| KindKeys::new(*k, files, schemas)).collect();
    let empty = KindKeys::default();
    let keys_of = |k: KindId| keys.get(k.index()).unwrap_or(&empty);
    let mut out: Vec<Diagnostic> = keys.iter().flat_map(|k| k.duplicates.iter().cloned()).collect();
    for kind in &kinds {
        out.extend(dangling_refs(*kind, files, &keys_of, schemas));
    }
    // Duplicates, then references, each in the order of the files given and of place.
    let order: FxHashMap<&str, usize> = files.iter().enumerate().map(|(i, (p, _))| (*p, i)).collect();
    out.sort_by_key(|d| {
        (d.code == Code::DANGLING_REF, order.get(&*d.path).copied().unwrap_or(usize::MAX), d.span.start)
    });
    out
}

fn kind_name(schemas: &[Schema], kind: KindId) -> &str {
    schemas.get(kind.index()).map_or("?", |s| &*s.name)
}
