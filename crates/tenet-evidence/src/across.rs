//! What only the whole set of loaded files shows: two documents of a kind with one key,
//! and references to documents that do not exist. Kept apart from loading so that
//! loading stays per file (and per-file results stay cached when another file changes),
//! and split by kind, so that a change to one kind's files re-checks that kind's keys
//! and the references its documents make, and nothing else.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rustc_hash::{FxBuildHasher, FxHashMap};
use tenet_diagnostics::{Code, Diagnostic};
use tenet_sema::KindId;
use tenet_sema::program::Schema;

use tenet_eval::{IndexKey, KindDocs};
use tenet_sema::ir::LookupField;
use tenet_sema::ty::Ty;
use tenet_sema::value::{SmolStr, Value};

use crate::Loaded;
use crate::sites::each_ref;

/// The keys of one kind's documents, and a diagnostic for each document that repeats
/// one (pointing back at the first).
#[derive(Debug, Default, PartialEq)]
pub struct KindKeys {
    keys: Keys,
    /// How many documents the kind has, keyed or not.
    documents: usize,
    /// Each document whose key an earlier document already has.
    pub duplicates: Vec<Diagnostic>,
    /// The same documents by position among the kind's: each with the position of the
    /// first document that has its key. What the evaluator reads, to report a subject whose
    /// key two documents claim as an error rather than judge each as if it were the one.
    repeats: Vec<(u32, u32)>,
}

/// Where a kind's keys are looked up.
#[derive(Debug)]
enum Keys {
    /// The position among `docs` of the first document with each key, found by the hash of
    /// the key's text: the cheapest to build, for a check that builds it once. Positions,
    /// not keys: four bytes a key keep a large kind's table in cache, where a table of the
    /// keys themselves took eight times the room. For a kind that references name,
    /// `texts` holds each document's key text in document order (empty for a document
    /// without one), which is what a reference's probe compares with: one read in a list,
    /// where reading the document's own key chases two pointers to places far apart. A
    /// kind no reference names is probed only to find repeated keys, rarely compared, and
    /// keeps no list.
    Table { docs: Arc<KindDocs>, first: HashTable<u32>, texts: Vec<SmolStr> },
    /// The kind's key index, shared with the evaluator's joins ([`KindDocs`]), which a
    /// long-lived database carries over an edit, so that re-checking a kind's keys costs
    /// the documents the edit changed; and how the key is typed, since references name it
    /// as text.
    Index { docs: Arc<KindDocs>, key_ty: Option<Ty> },
}

impl Default for Keys {
    fn default() -> Keys {
        Keys::Table { docs: Arc::default(), first: HashTable::new(), texts: Vec::new() }
    }
}

/// Tables are equal when they hold the same documents: the table follows from them.
impl PartialEq for Keys {
    fn eq(&self, other: &Keys) -> bool {
        match (self, other) {
            (Keys::Table { docs: a, .. }, Keys::Table { docs: b, .. }) => a == b,
            (Keys::Index { docs: a, key_ty: x }, Keys::Index { docs: b, key_ty: y }) => a == b && x == y,
            _ => false,
        }
    }
}

/// The text document `position`'s key shows as, which is what references write: from
/// `texts` when it holds the kind's keys, else from the document.
fn key_text_at(texts: &[SmolStr], docs: &KindDocs, position: u32) -> Option<SmolStr> {
    if texts.is_empty() {
        return docs.docs().get(position as usize)?.key().map(Value::key_text);
    }
    texts.get(position as usize).cloned()
}

/// Whether a field of some schema refers to `kind`'s documents.
fn referenced(kind: KindId, schemas: &[Schema]) -> bool {
    fn refers(ty: &Ty, kind: KindId) -> bool {
        match ty {
            Ty::Ref(k) => *k == kind,
            Ty::List(t) | Ty::Optional(t) => refers(t, kind),
            Ty::Record(r) => r.fields.iter().any(|f| refers(&f.ty, kind)),
            _ => false,
        }
    }
    schemas.iter().any(|s| s.record.fields.iter().any(|f| refers(&f.ty, kind)))
}

/// The hash a key's text is found by in [`Keys::Table`].
fn text_hash(text: &str) -> u64 {
    FxBuildHasher.hash_one(text)
}

/// A document: its file (an index into the files given) and its position among that
/// file's documents.
pub type Place = (u32, u32);

/// Gives file `i` (an index into the files given) with its locations, for the rare
/// diagnostic that must say where a key or reference is written: a file loaded without
/// them ([`load_file_unlocated`](crate::load_file_unlocated)) is loaded again, one loaded
/// with them is given as it is.
pub type Located<'f> = dyn Fn(usize) -> Cow<'f, Loaded> + 'f;

/// Each file `located` gives for the indexes asked, asked once each.
struct LocatedFiles<'l, 'f> {
    located: &'l Located<'f>,
    files: FxHashMap<usize, Cow<'f, Loaded>>,
}

impl<'f> LocatedFiles<'_, 'f> {
    fn get(&mut self, i: usize) -> &Loaded {
        self.files.entry(i).or_insert_with(|| (self.located)(i))
    }
}

impl KindKeys {
    /// The keys of `kind` over `files` (path and loaded file), in the order given;
    /// `located` gives a file with its locations for a duplicate's diagnostic.
    pub fn new(
        kind: KindId,
        files: &[(&str, &Loaded)],
        schemas: &[Schema],
        located: &Located<'_>,
    ) -> KindKeys {
        let docs: Vec<_> =
            files.iter().flat_map(|(_, loaded)| loaded.of_kind(kind)).map(|(_, d)| d.clone()).collect();
        let fields = schemas.get(kind.index()).map_or(0, |s| s.record.fields.len());
        KindKeys::of_files(kind, Arc::new(KindDocs::new(docs, fields)), files, schemas, located)
    }

    /// The keys of `kind`'s documents `docs`, which are those of `files` (path and loaded
    /// file) in the order given, in a table made for the purpose ([`KindKeys::of_documents`]).
    /// A document's place, asked for only where a key repeats, is found in its file.
    pub fn of_files(
        kind: KindId,
        docs: Arc<KindDocs>,
        files: &[(&str, &Loaded)],
        schemas: &[Schema],
        located: &Located<'_>,
    ) -> KindKeys {
        // Where each file's documents start among the kind's.
        let mut starts = Vec::with_capacity(files.len());
        let mut start = 0u32;
        for (_, loaded) in files {
            starts.push(start);
            start += loaded.of_kind(kind).count() as u32;
        }
        let place_of = |i: u32| {
            let file = starts.partition_point(|s| *s <= i).saturating_sub(1);
            let (Some(first), Some((_, loaded))) = (starts.get(file), files.get(file)) else {
                return (u32::MAX, 0);
            };
            loaded.of_kind(kind).nth((i - first) as usize).map_or((u32::MAX, 0), |(p, _)| (file as u32, p))
        };
        let path_of = |file: u32| files.get(file as usize).map_or("?", |(path, _)| *path);
        KindKeys::of_documents(kind, docs, &place_of, &path_of, schemas, located)
    }

    /// The keys of `kind`'s documents `docs`, in a table made for the purpose; `place_of`
    /// gives each document's place (by its position among `docs`): its file (an index that
    /// `path_of` and `located` know) and its position among that file's documents. What a
    /// check that builds the keys once uses.
    pub fn of_documents<'p>(
        kind: KindId,
        docs: Arc<KindDocs>,
        place_of: &dyn Fn(u32) -> Place,
        path_of: &dyn Fn(u32) -> &'p str,
        schemas: &[Schema],
        located: &Located<'_>,
    ) -> KindKeys {
        // Sized up front: growing a table of every key of a large kind costs more than
        // filling it.
        let mut first: HashTable<u32> = HashTable::with_capacity(docs.docs().len());
        // The text each document's key shows as, which is what references write.
        let listed = referenced(kind, schemas);
        let mut texts: Vec<SmolStr> = Vec::with_capacity(if listed { docs.docs().len() } else { 0 });
        // Each repeated key: where it is repeated and where it was first written.
        let mut repeated: Vec<(SmolStr, u32, u32)> = Vec::new();
        for (here, doc) in docs.docs().iter().enumerate() {
            let Some(key) = doc.key() else {
                if listed {
                    texts.push(SmolStr::default());
                }
                continue;
            };
            let text = key.key_text();
            // One hash and one probe per key: most keys are new.
            let same = |at: &u32| key_text_at(&texts, &docs, *at).is_some_and(|k| k == text);
            let rehash = |at: &u32| key_text_at(&texts, &docs, *at).map_or(0, |k| text_hash(&k));
            match first.entry(text_hash(&text), same, rehash) {
                Entry::Occupied(at) => repeated.push((text.clone(), here as u32, *at.get())),
                Entry::Vacant(slot) => {
                    slot.insert(here as u32);
                }
            }
            if listed {
                texts.push(text);
            }
        }
        let mut duplicates = Duplicates::new(kind, schemas, path_of, located);
        for (key, here, at) in &repeated {
            duplicates.add(key, place_of(*here), place_of(*at));
        }
        let repeats = repeated.into_iter().map(|(_, here, at)| (here, at)).collect();
        let documents = docs.docs().len();
        KindKeys {
            keys: Keys::Table { docs, first, texts },
            documents,
            duplicates: duplicates.found,
            repeats,
        }
    }

    /// The keys of `kind`'s documents `docs`, read from their key index; `place_of` gives
    /// each document's place (by its position among `docs`): its file (an index that
    /// `path_of` and `located` know) and its position among that file's documents. What a
    /// long-lived database uses, since it carries the index over an edit.
    pub fn of_kind<'p>(
        kind: KindId,
        docs: Arc<KindDocs>,
        place_of: &dyn Fn(u32) -> Place,
        path_of: &dyn Fn(u32) -> &'p str,
        schemas: &[Schema],
        located: &Located<'_>,
    ) -> KindKeys {
        let key_ty = schemas
            .get(kind.index())
            .and_then(|s| s.record.fields.get(s.key?))
            .map(|f| f.ty.non_optional().clone());
        let mut duplicates = Duplicates::new(kind, schemas, path_of, located);
        let repeats = docs.repeats();
        for (here, first) in &repeats {
            let key = docs.docs().get(*first as usize).and_then(|d| d.key()).map(Value::key_text);
            duplicates.add(key.as_deref().unwrap_or("?"), place_of(*here), place_of(*first));
        }
        let documents = docs.docs().len();
        KindKeys { keys: Keys::Index { docs, key_ty }, documents, duplicates: duplicates.found, repeats }
    }

    /// Each document whose key an earlier one has, with that first document: positions
    /// among the kind's documents, in the order of the repeats.
    pub fn repeats(&self) -> &[(u32, u32)] {
        &self.repeats
    }

    /// Whether a document of the kind has this key, as a reference writes it.
    pub fn contains(&self, key: &SmolStr) -> bool {
        let (docs, key_ty) = match &self.keys {
            Keys::Table { docs, first, texts } => {
                let same = |at: &u32| key_text_at(texts, docs, *at).is_some_and(|k| k == *key);
                return first.find(text_hash(key), same).is_some();
            }
            Keys::Index { docs, key_ty } => (docs, key_ty),
        };
        // A key that is not text is named by the text it shows as, and only by that.
        let typed = match key_ty {
            Some(Ty::Int) => key.parse().ok().map(Value::Int),
            Some(Ty::Bool) => key.parse().ok().map(Value::Bool),
            Some(Ty::Date) => key.parse().ok().map(Value::Date),
            _ => None,
        };
        let key = match typed {
            Some(value) if value.key_text() == *key => IndexKey::of(&value),
            Some(_) => None,
            None => Some(IndexKey::Str(key.clone())),
        };
        key.is_some_and(|k| !docs.find(LookupField::Key, &k).is_empty())
    }
}

/// The diagnostics of a kind's repeated keys, each pointing back at the first document
/// with the key; spans are worked out from the files loaded again with their locations.
struct Duplicates<'a, 'p, 'l, 'f> {
    kind: KindId,
    schemas: &'a [Schema],
    path_of: &'a dyn Fn(u32) -> &'p str,
    located: LocatedFiles<'l, 'f>,
    found: Vec<Diagnostic>,
}

impl<'a, 'p, 'l, 'f> Duplicates<'a, 'p, 'l, 'f> {
    fn new(
        kind: KindId,
        schemas: &'a [Schema],
        path_of: &'a dyn Fn(u32) -> &'p str,
        located: &'l Located<'f>,
    ) -> Self {
        Duplicates {
            kind,
            schemas,
            path_of,
            located: LocatedFiles { located, files: FxHashMap::default() },
            found: Vec::new(),
        }
    }

    /// The document at `here` repeats the key of the one at `first`.
    fn add(&mut self, key: &str, here: Place, first: Place) {
        let schemas = self.schemas;
        let mut span_of =
            |(file, position): Place| self.located.get(file as usize).key_span(position as usize, schemas);
        let (here_span, first_span) = (span_of(here), span_of(first));
        let path_of = self.path_of;
        self.found.push(
            Diagnostic::new(
                Code::DUPLICATE_KEY,
                Arc::from(path_of(here.0)),
                here_span,
                format!("another {} already has the key `{key}`", kind_name(schemas, self.kind)),
            )
            .with_related(
                Arc::from(path_of(first.0)),
                first_span,
                "the first document with this key",
            ),
        );
    }
}

/// References written in `kind`'s documents, over `files` (path and loaded file), that
/// name no document: `keys(target)` gives the keys of each kind referred to, `located` a
/// file with its locations for a dangling reference's diagnostic.
pub fn dangling_refs<'k>(
    kind: KindId,
    files: &[(&str, &Loaded)],
    keys: &dyn Fn(KindId) -> &'k KindKeys,
    schemas: &[Schema],
    located: &Located<'_>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Asked once per kind referred to, not once per reference: `keys` may be a query.
    let mut targets: Vec<Option<&KindKeys>> = vec![None; schemas.len()];
    let mut keys_of = |target: KindId| match targets.get_mut(target.index()) {
        Some(cached) => *cached.get_or_insert_with(|| keys(target)),
        None => keys(target),
    };
    for (i, (path, loaded)) in files.iter().enumerate() {
        // Most files name only documents that exist: checked on the values alone, and
        // only a file with a dangling reference has its references' places worked out.
        let all_found = loaded.of_kind(kind).all(|(_, doc)| {
            schemas.get(kind.index()).is_none_or(|schema| {
                schema.record.fields.iter().zip(doc.fields.iter()).all(|(f, v)| {
                    each_ref(v, &f.ty, None, &mut |target, key, _| keys_of(target).contains(key))
                })
            })
        });
        if all_found {
            continue;
        }
        for site in located(i).ref_sites(schemas).into_iter().filter(|r| r.from == kind) {
            let target_keys = keys_of(site.target);
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
/// references, over `files` (path and loaded file, with locations) in the order given:
/// the per-kind checks over the whole set at once, for callers without a database.
pub fn check_across_files(files: &[(&str, &Loaded)], schemas: &[Schema]) -> Vec<Diagnostic> {
    let kinds: Vec<KindId> = KindId::all(schemas.len()).collect();
    let located =
        |i: usize| files.get(i).map_or_else(|| Cow::Owned(Loaded::default()), |(_, l)| Cow::Borrowed(*l));
    let keys: Vec<KindKeys> = kinds.iter().map(|k| KindKeys::new(*k, files, schemas, &located)).collect();
    let empty = KindKeys::default();
    let keys_of = |k: KindId| keys.get(k.index()).unwrap_or(&empty);
    let mut out: Vec<Diagnostic> = keys.iter().flat_map(|k| k.duplicates.iter().cloned()).collect();
    for kind in &kinds {
        out.extend(dangling_refs(*kind, files, &keys_of, schemas, &located));
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
