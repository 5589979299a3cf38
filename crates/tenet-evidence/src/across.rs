//! What only the whole set of loaded files shows: two documents of a kind with one key,
//! and references to documents that do not exist. Kept apart from loading so that
//! loading stays per file (and per-file results stay cached when another file changes).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_sema::KindId;
use tenet_sema::program::Schema;

use crate::Loaded;

/// Duplicate keys (each after the first, pointing back at the first) and dangling
/// references, over `files` (path and loaded file) in the order given.
pub fn check_across_files(files: &[(&str, &Loaded)], schemas: &[Schema]) -> Vec<Diagnostic> {
    let name = |kind: KindId| schemas.get(kind.index()).map_or("?", |s| &*s.name);
    let mut out = Vec::new();
    // Sized up front: growing a table of every key in the organisation costs more than
    // filling it.
    let keys = files.iter().map(|(_, loaded)| loaded.keys.len()).sum();
    let mut first: FxHashMap<(KindId, &str), (&str, Span)> =
        FxHashMap::with_capacity_and_hasher(keys, Default::default());
    let mut documents_of = vec![0usize; schemas.len()];
    for (path, loaded) in files {
        for (kind, _) in &loaded.documents {
            if let Some(count) = documents_of.get_mut(kind.index()) {
                *count += 1;
            }
        }
        for site in &loaded.keys {
            match first.get(&(site.kind, &*site.key)) {
                Some((first_path, first_span)) => out.push(
                    Diagnostic::new(
                        Code::DUPLICATE_KEY,
                        Arc::from(*path),
                        site.span,
                        format!("another {} already has the key `{}`", name(site.kind), site.key),
                    )
                    .with_related(
                        Arc::from(*first_path),
                        *first_span,
                        "the first document with this key",
                    ),
                ),
                None => {
                    first.insert((site.kind, &*site.key), (path, site.span));
                }
            }
        }
    }
    for (path, loaded) in files {
        for site in &loaded.refs {
            if first.contains_key(&(site.target, &*site.key)) {
                continue;
            }
            let target = name(site.target);
            let help = if documents_of.get(site.target.index()).copied().unwrap_or(0) == 0 {
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
