//! Evidence as tracked queries. Each evidence file is loaded on its own; files are taken in
//! groups of [`FILE_GROUP`] consecutive files, and what a kind needs from the whole set
//! (its documents, its keys) is joined from the groups, never from every file directly.
//!
//! Why groups: a query that read each of 46,970 files would hold an edge to each, and
//! what it computes would be redone whole for one edited file. A group's query reads its
//! files; a kind's query reads its groups. So the references of one group's documents are
//! checked again after an edit to that group, and the documents of a kind are joined from
//! a few thousand parts rather than gathered again from every file.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tenet_diagnostics::{Diagnostic, Span};
use tenet_eval::{Doc, KindDocs, UnreadDoc};
use tenet_evidence::KindKeys;
use tenet_sema::KindId;
use tenet_sema::program::{FileId, Schema};
use tenet_sema::ty::{FieldDef, RecordTy, Ty};

use crate::database::Preloaded;
use crate::long_lived::FileToLoad;
use crate::{Database, Db, EvidenceFile, EvidenceSet, Workspace, program};

/// The program's evidence kinds, separated from the rest of the program so that editing a
/// rule does not invalidate evidence loading.
#[salsa::tracked(returns(ref))]
pub fn schemas(db: &dyn Db, workspace: Workspace) -> Vec<Schema> {
    program(db, workspace).schemas.iter().map(position_free).collect()
}

/// A schema without where it is written (positions, files, docs): what evaluation reads,
/// so that moving a schema in its file invalidates nothing.
fn position_free(schema: &Schema) -> Schema {
    Schema {
        doc: None,
        file: FileId(0),
        span: Span::default(),
        record: Arc::new(record_position_free(&schema.record)),
        ..schema.clone()
    }
}

fn record_position_free(record: &RecordTy) -> RecordTy {
    RecordTy {
        fields: record
            .fields
            .iter()
            .map(|f| FieldDef {
                doc: None,
                file: FileId(0),
                span: Span::default(),
                ty: ty_position_free(&f.ty),
                ..f.clone()
            })
            .collect(),
    }
}

fn ty_position_free(ty: &Ty) -> Ty {
    match ty {
        Ty::Record(r) => Ty::Record(Arc::new(record_position_free(r))),
        Ty::List(e) => Ty::List(Arc::new(ty_position_free(e))),
        Ty::Optional(e) => Ty::Optional(Arc::new(ty_position_free(e))),
        other => other.clone(),
    }
}

/// One evidence file, loaded and validated against the schemas.
pub use tenet_evidence::Loaded as LoadedEvidence;

/// The schemas' source globs, compiled once.
#[salsa::tracked(returns(ref))]
pub fn evidence_sources(db: &dyn Db, workspace: Workspace) -> tenet_evidence::Sources {
    tenet_evidence::Sources::new(schemas(db, workspace))
}

/// Evidence files per group: small enough that an edit re-checks few files' documents
/// again, large enough that a kind of 46,970 files is a few thousand groups.
pub const FILE_GROUP: usize = 32;

/// The files of group `group`: [`FILE_GROUP`] consecutive files of the set, in path order.
fn group_files(db: &dyn Db, evidence: EvidenceSet, group: u32) -> &[EvidenceFile] {
    let files = evidence.files(db);
    let start = (group as usize * FILE_GROUP).min(files.len());
    let end = (start + FILE_GROUP).min(files.len());
    &files[start..end]
}

/// How many groups the set's files make.
fn group_count(db: &dyn Db, evidence: EvidenceSet) -> u32 {
    evidence.files(db).len().div_ceil(FILE_GROUP) as u32
}

/// The files of one group, loaded, in the group's order. A long-lived database loads
/// only the files whose bytes changed again ([`LoadedFiles`](crate::LoadedFiles)).
#[salsa::tracked(returns(ref))]
pub fn load_group(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
) -> Vec<Arc<LoadedEvidence>> {
    let (schemas, sources) = (schemas(db, workspace), evidence_sources(db, workspace));
    // Every file's bytes and path are read, cached or not: they are what the memo depends on.
    let files: Vec<FileToLoad<'_>> =
        group_files(db, evidence, group).iter().map(|f| (*f, f.bytes(db), f.path(db))).collect();
    let load =
        |(_, bytes, path): &FileToLoad<'_>| crate::evidence_loading::load(path, bytes, schemas, sources);
    match db.loaded_files() {
        Some(cache) => cache.load(workspace, schemas, &files, &load),
        None => files.iter().map(|file| Arc::new(load(file))).collect(),
    }
}

/// What loading evidence file `index` (of the set's files, in path order) gave.
pub fn loaded_file(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    index: usize,
) -> &LoadedEvidence {
    static EMPTY: LoadedEvidence = LoadedEvidence::EMPTY;
    let group = load_group(db, workspace, evidence, (index / FILE_GROUP) as u32);
    group.get(index % FILE_GROUP).map_or(&EMPTY, |l| &**l)
}

/// For each kind (by id), the files of one group that hold documents of it (their indexes
/// in the group), in path order. Equal across edits that do not move a kind into or out of
/// a file.
#[salsa::tracked(returns(ref))]
pub fn group_kinds(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, group: u32) -> Vec<Vec<u32>> {
    let mut by_kind: Vec<Vec<u32>> = vec![Vec::new(); schemas(db, workspace).len()];
    for (index, loaded) in load_group(db, workspace, evidence, group).iter().enumerate() {
        // A file of which some of a kind could not be read holds that kind too: its rules
        // report what was lost.
        let kinds =
            loaded.documents.iter().map(|(kind, _)| kind).chain(loaded.unread.iter().map(|(kind, _)| kind));
        for kind in kinds {
            if let Some(files) = by_kind.get_mut(kind.index())
                && files.last() != Some(&(index as u32))
            {
                files.push(index as u32);
            }
        }
    }
    by_kind
}

/// The indexes (in group `group`) of the files holding `kind`.
fn group_files_of_kind(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
    kind: KindId,
) -> &[u32] {
    group_kinds(db, workspace, evidence, group).get(kind.index()).map_or(&[][..], Vec::as_slice)
}

/// The files of group `group` holding `kind`, in path order.
fn group_files_holding(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
    kind: KindId,
) -> impl Iterator<Item = (u32, EvidenceFile)> {
    let in_group = group_files(db, evidence, group);
    let indexes = group_files_of_kind(db, workspace, evidence, group, kind);
    indexes.iter().filter_map(|i| Some((*i, *in_group.get(*i as usize)?)))
}

/// For each kind (by id), the groups that hold documents of it, in order. Equal across
/// edits that do not move a kind into or out of a group.
#[salsa::tracked(returns(ref))]
pub fn kind_groups(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet) -> Vec<Vec<u32>> {
    let mut by_kind: Vec<Vec<u32>> = vec![Vec::new(); schemas(db, workspace).len()];
    for group in 0..group_count(db, evidence) {
        for (kind, files) in group_kinds(db, workspace, evidence, group).iter().enumerate() {
            if !files.is_empty()
                && let Some(groups) = by_kind.get_mut(kind)
            {
                groups.push(group);
            }
        }
    }
    by_kind
}

/// One group's documents of one kind, in path order, each with its place.
#[derive(Debug, Default, PartialEq)]
pub struct GroupDocs {
    /// The documents.
    pub docs: Vec<Doc>,
    /// What of the kind the group's files hold that could not be read.
    pub unread: Vec<UnreadDoc>,
    /// Each document's file (an index into the group's files of the kind, as
    /// [`group_kinds`] gives them) and its position among that file's documents.
    pub places: Vec<tenet_evidence::Place>,
}

/// One group's documents of one kind: what a kind's documents and keys are joined from.
#[salsa::tracked(returns(ref))]
pub fn group_kind_docs(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
    kind: KindId,
) -> GroupDocs {
    let mut out = GroupDocs::default();
    let loaded = load_group(db, workspace, evidence, group);
    for (i, index) in group_files_of_kind(db, workspace, evidence, group, kind).iter().enumerate() {
        let Some(file) = loaded.get(*index as usize) else { continue };
        for (position, doc) in file.of_kind(kind) {
            out.docs.push(doc.clone());
            out.places.push((i as u32, position));
        }
        out.unread.extend(file.unread_of(kind).cloned());
    }
    out
}

/// The groups holding `kind`, in order.
fn groups_of_kind(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> &[u32] {
    kind_groups(db, workspace, evidence).get(kind.index()).map_or(&[][..], Vec::as_slice)
}

/// The documents of one kind across every evidence file, in path order, with indexes. In a
/// long-lived database, the indexes the kind's last documents had are carried over
/// ([`KindDocs::following`]).
///
/// They are joined from each group's share ([`group_kind_docs`]), which an edit elsewhere
/// leaves as it was; a database that checks once ([`Database::checks_once`]), seeing no
/// edit, takes them straight from the loaded files, sharing each document once rather
/// than twice.
#[salsa::tracked(returns(ref))]
pub fn kind_docs(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> Arc<KindDocs> {
    let fields = schemas(db, workspace).get(kind.index()).map_or(0, |s| s.record.fields.len());
    if db.checks_once() {
        let files = kind_files(db, workspace, evidence, kind);
        let mut docs = Vec::with_capacity(files.iter().map(|(_, loaded)| loaded.of_kind(kind).count()).sum());
        let mut unread = Vec::new();
        for (_, loaded) in &files {
            docs.extend(loaded.of_kind(kind).map(|(_, doc)| doc.clone()));
            unread.extend(loaded.unread_of(kind).cloned());
        }
        return Arc::new(KindDocs::new(docs, fields).with_unread(unread));
    }
    let groups = groups_of_kind(db, workspace, evidence, kind);
    let parts: Vec<&GroupDocs> =
        groups.iter().map(|g| group_kind_docs(db, workspace, evidence, *g, kind)).collect();
    let mut docs = Vec::with_capacity(parts.iter().map(|p| p.docs.len()).sum());
    let mut unread = Vec::new();
    for part in parts {
        docs.extend(part.docs.iter().cloned());
        unread.extend(part.unread.iter().cloned());
    }
    let Some(last) = db.last_kinds() else {
        return Arc::new(KindDocs::new(docs, fields).with_unread(unread));
    };
    let docs = Arc::new(
        match last.get(workspace, evidence, kind) {
            Some(before) => KindDocs::following(&before, docs, fields),
            None => KindDocs::new(docs, fields),
        }
        .with_unread(unread),
    );
    last.put(workspace, evidence, kind, docs.clone());
    docs
}

/// The files holding `kind`, group after group in path order, each with its loading.
fn kind_files(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    kind: KindId,
) -> Vec<(EvidenceFile, &LoadedEvidence)> {
    let mut files = Vec::new();
    for group in groups_of_kind(db, workspace, evidence, kind) {
        let loaded = load_group(db, workspace, evidence, *group);
        for (index, file) in group_files_holding(db, workspace, evidence, *group, kind) {
            if let Some(loaded) = loaded.get(index as usize) {
                files.push((file, &**loaded));
            }
        }
    }
    files
}

/// File `i` of `files` loaded again with its locations, for a diagnostic that must say
/// where a key or reference is written (the database keeps files without them).
fn located<'a>(
    db: &'a dyn Db,
    workspace: Workspace,
    files: &'a [EvidenceFile],
) -> impl Fn(usize) -> Cow<'a, LoadedEvidence> {
    move |i| {
        let Some(file) = files.get(i) else { return Cow::Owned(LoadedEvidence::default()) };
        let (schemas, sources) = (schemas(db, workspace), evidence_sources(db, workspace));
        Cow::Owned(crate::evidence_loading::load_located(file.path(db), file.bytes(db), schemas, sources))
    }
}

/// The keys of one kind's documents and the documents that repeat one. Depends only on the
/// kind's own groups. A long-lived database reads them from the kind's key index, which it
/// carries over an edit ([`kind_docs`]); a one-off check builds a table of positions once,
/// which costs less than an index.
#[salsa::tracked(returns(ref))]
pub fn kind_keys(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> KindKeys {
    if db.checks_once() {
        return kind_keys_once(db, workspace, evidence, kind);
    }
    // The kind's files, group after group, so that a place's file is an index into them,
    // and where each group's documents start among the kind's.
    let mut files: Vec<EvidenceFile> = Vec::new();
    let mut parts: Vec<(u32, u32, &GroupDocs)> = Vec::new();
    let mut start = 0u32;
    for group in groups_of_kind(db, workspace, evidence, kind) {
        let part = group_kind_docs(db, workspace, evidence, *group, kind);
        parts.push((start, files.len() as u32, part));
        start += part.docs.len() as u32;
        files.extend(group_files_holding(db, workspace, evidence, *group, kind).map(|(_, f)| f));
    }
    let path_of = |file: u32| files.get(file as usize).map_or("?", |f| f.path(db));
    let (schemas, located) = (schemas(db, workspace), located(db, workspace, &files));
    let place_of = |i: u32| {
        let at = parts.partition_point(|(start, _, _)| *start <= i).saturating_sub(1);
        let Some((start, first_file, part)) = parts.get(at) else { return (u32::MAX, 0) };
        part.places
            .get((i - start) as usize)
            .map_or((u32::MAX, 0), |(file, position)| (first_file + file, *position))
    };
    let docs = kind_docs(db, workspace, evidence, kind).clone();
    if db.last_kinds().is_none() {
        return KindKeys::of_documents(kind, docs, &place_of, &path_of, schemas, &located);
    }
    KindKeys::of_kind(kind, docs, &place_of, &path_of, schemas, &located)
}

/// [`kind_keys`] for a database that checks once: a table of positions built once over
/// the kind's documents, whose places are found in the loaded files [`kind_docs`] took the
/// documents from.
fn kind_keys_once(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> KindKeys {
    let files = kind_files(db, workspace, evidence, kind);
    let with_paths: Vec<(&str, &LoadedEvidence)> =
        files.iter().map(|(f, loaded)| (f.path(db), *loaded)).collect();
    let paths: Vec<EvidenceFile> = files.iter().map(|(file, _)| *file).collect();
    let (schemas, located) = (schemas(db, workspace), located(db, workspace, &paths));
    let docs = kind_docs(db, workspace, evidence, kind).clone();
    KindKeys::of_files(kind, docs, &with_paths, schemas, &located)
}

/// Diagnostics about the evidence: each group's, then the duplicate keys that only a whole
/// kind shows.
#[salsa::tracked(returns(ref))]
pub fn evidence_diagnostics(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for group in 0..group_count(db, evidence) {
        out.extend(file_group_diagnostics(db, workspace, evidence, group).iter().cloned());
    }
    for kind in KindId::all(schemas(db, workspace).len()) {
        out.extend(kind_keys(db, workspace, evidence, kind).duplicates.iter().cloned());
    }
    Diagnostic::normalize(&mut out);
    out
}

/// The diagnostics of one group's files: each file's own, and the references its
/// documents make that name no document. After an edit, only the edited file's group is
/// checked again, and the groups whose documents refer to a kind whose keys changed.
#[salsa::tracked(returns(ref))]
pub fn file_group_diagnostics(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
) -> Vec<Diagnostic> {
    let loaded = load_group(db, workspace, evidence, group);
    let mut out: Vec<Diagnostic> = loaded.iter().flat_map(|l| l.diagnostics.iter().cloned()).collect();
    let keys = |target: KindId| kind_keys(db, workspace, evidence, target);
    let schemas = schemas(db, workspace);
    for kind in KindId::all(schemas.len()) {
        let (indexes, of_kind): (Vec<u32>, Vec<EvidenceFile>) =
            group_files_holding(db, workspace, evidence, group, kind).unzip();
        if of_kind.is_empty() {
            continue;
        }
        let with_paths: Vec<(&str, &LoadedEvidence)> = indexes
            .iter()
            .zip(&of_kind)
            .filter_map(|(i, f)| Some((f.path(db), &**loaded.get(*i as usize)?)))
            .collect();
        out.extend(tenet_evidence::dangling_refs(
            kind,
            &with_paths,
            &keys,
            schemas,
            &located(db, workspace, &of_kind),
        ));
    }
    out
}

/// [`evidence_diagnostics`], with the work spread over threads first: every file loaded,
/// then each kind's keys, then each group's diagnostics. What the CLI and the language
/// server call, since the query alone would load a cold organisation on one thread.
pub fn validate_evidence(db: &Database, workspace: Workspace, evidence: EvidenceSet) -> &Vec<Diagnostic> {
    load_all_evidence(db, workspace, evidence);
    // Which kinds each group holds, group by group in parallel; and unless the database
    // checks once, each group's share of each kind: the largest kind's keys would
    // otherwise gather all its groups on one thread.
    let shares = !db.checks_once();
    let order = groups_in_load_order(db, workspace, evidence);
    // How many documents each kind has, counted on the way, so that the kinds' keys are
    // built largest first: one thread is then not left alone with a large kind at the end.
    let sizes: Vec<AtomicUsize> =
        KindId::all(schemas(db, workspace).len()).map(|_| AtomicUsize::new(0)).collect();
    in_order(db, &order, &|db, group| {
        let loaded = load_group(db, workspace, evidence, group);
        for (kind, files) in group_kinds(db, workspace, evidence, group).iter().enumerate() {
            if files.is_empty() {
                continue;
            }
            let id = KindId(kind as u32);
            // A group's share is a memo that an edit elsewhere leaves as it is, so counting
            // its documents does not go through every file's documents again.
            let count: usize = if shares {
                group_kind_docs(db, workspace, evidence, group, id).docs.len()
            } else {
                files.iter().filter_map(|i| loaded.get(*i as usize)).map(|l| l.of_kind(id).count()).sum()
            };
            if let Some(size) = sizes.get(kind) {
                size.fetch_add(count, Ordering::Relaxed);
            }
        }
    });
    let mut kinds: Vec<KindId> = KindId::all(sizes.len()).collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(sizes.get(k.index()).map_or(0, |s| s.load(Ordering::Relaxed))));
    in_order(db, &kinds, &|db, kind| {
        let _ = kind_keys(db, workspace, evidence, kind);
    });
    in_order(db, &order, &|db, group| {
        let _ = file_group_diagnostics(db, workspace, evidence, group);
    });
    evidence_diagnostics(db, workspace, evidence)
}

/// Runs `job` for every item of `items` in parallel over database clones, each thread
/// taking the next item from a shared counter, so that items given largest first end
/// together; and no job waits inside a query for work that could start another query on
/// its stack (salsa forbids a second database handle mid-query).
fn in_order<T: Copy + Sync>(db: &Database, items: &[T], job: &(dyn Fn(&Database, T) + Sync)) {
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().clamp(1, items.len().max(1));
    (0..threads).into_par_iter().with_max_len(1).for_each_with(db.clone(), |db, _| {
        while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
            job(db, *item);
        }
    });
}

/// The set's groups by their size in bytes, largest first (ties in path order), the order
/// they are loaded and checked in ([`in_order`]). A group of large YAML registers costs a
/// hundred times one of small Markdown files, and such groups sit together (files are in
/// path order): in path order, one thread would be left loading the last large groups
/// while the other waited. Largest first, the last groups taken are the smallest, and the
/// threads end together.
fn groups_largest_first(db: &Database, evidence: EvidenceSet) -> Vec<u32> {
    sized_groups_largest_first(db, evidence).into_iter().map(|(_, group)| group).collect()
}

/// The order the groups were loaded in ([`load_all_evidence`]), while there are as many
/// groups; else [`groups_largest_first`] again. Sizing the groups reads every file's bytes,
/// which at 46,970 files is a millisecond or two of each re-check after an edit that has
/// moved no group's turn by much.
fn groups_in_load_order(db: &Database, workspace: Workspace, evidence: EvidenceSet) -> Vec<u32> {
    let count = group_count(db, evidence) as usize;
    let Ok(mut preloaded) = db.preloaded.lock() else { return groups_largest_first(db, evidence) };
    match preloaded.as_mut().filter(|p| p.workspace == workspace && p.evidence == evidence) {
        Some(p) if p.order.len() == count => p.order.clone(),
        // Files came or went: the groups are sized again, and that order kept.
        Some(p) => {
            p.order = groups_largest_first(db, evidence);
            p.order.clone()
        }
        None => groups_largest_first(db, evidence),
    }
}

/// [`groups_largest_first`], each group with its size in bytes.
fn sized_groups_largest_first(db: &Database, evidence: EvidenceSet) -> Vec<(usize, u32)> {
    let mut sized: Vec<(usize, u32)> = evidence
        .files(db)
        .chunks(FILE_GROUP)
        .enumerate()
        .map(|(group, files)| (files.iter().map(|f| f.bytes(db).len()).sum(), group as u32))
        .collect();
    sized.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    sized
}

/// Loads every evidence file in parallel over database clones, so that evaluation finds
/// them memoized. Parsing evidence is most of a cold run's work.
///
/// Once a database has loaded an evidence set in full, later calls under the same schemas
/// return at once: the files an edit changed are loaded on demand by the queries that read
/// them, which for the few files of an edit costs less than visiting every file's memo
/// again. A schema change makes every file load again, so that is done in parallel again.
pub fn load_all_evidence(db: &Database, workspace: Workspace, evidence: EvidenceSet) {
    load_all_evidence_with_progress(db, workspace, evidence, &|_, _| {});
}

/// [`load_all_evidence`], calling `progress(bytes loaded, bytes in all)` as groups of
/// files are loaded (from any thread), for a progress line on long runs. Bytes, not files:
/// the largest groups go first, so files would race ahead at the end.
pub fn load_all_evidence_with_progress(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    progress: &(dyn Fn(usize, usize) + Sync),
) {
    let schemas = schemas(db, workspace);
    let done = |p: &Option<Preloaded>| {
        p.as_ref()
            .is_some_and(|p| p.workspace == workspace && p.evidence == evidence && p.schemas == *schemas)
    };
    if db.preloaded.lock().is_ok_and(|p| done(&p)) {
        return;
    }
    let _ = evidence_sources(db, workspace);
    let groups = sized_groups_largest_first(db, evidence);
    let (total, loaded) = (groups.iter().map(|(bytes, _)| bytes).sum(), AtomicUsize::new(0));
    in_order(db, &groups, &|db, (bytes, group)| {
        let _ = load_group(db, workspace, evidence, group);
        progress(loaded.fetch_add(bytes, Ordering::Relaxed) + bytes, total);
    });
    if let Ok(mut p) = db.preloaded.lock() {
        let order = groups.iter().map(|(_, group)| *group).collect();
        *p = Some(Preloaded { workspace, evidence, schemas: schemas.clone(), order });
    }
}

/// A warning at each waiver whose subject no document of its kind is: a key mistyped, or a
/// system renamed or retired, leaves a waiver that waives nothing while an auditor reads
/// it as in force. A document of the kind that could not be read but whose key was
/// (`UnreadDoc::key`) counts as there.
#[salsa::tracked(returns(ref))]
pub fn waiver_diagnostics(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet) -> Vec<Diagnostic> {
    let program = program(db, workspace);
    let mut out = Vec::new();
    for waiver in &program.waivers {
        let Some((kind, key)) = &waiver.subject else { continue };
        let docs = kind_docs(db, workspace, evidence, *kind);
        let written = |k: &tenet_sema::value::Value| *k.key_text() == **key;
        let there = docs.docs().iter().any(|d| d.key().is_some_and(written))
            || docs.unread().iter().any(|u| u.key.as_deref() == Some(key.as_str()));
        if there {
            continue;
        }
        let name = program.kind_name(*kind);
        let mut d = Diagnostic::new(
            tenet_diagnostics::Code::WAIVER_FOR_NOTHING,
            program.path(waiver.file).clone(),
            waiver.span,
            format!(
                "this waiver is for {name} \"{key}\", but no {name} in the evidence has that key: it waives nothing"
            ),
        );
        let keys = docs.docs().iter().filter_map(|d| d.key().map(|k| k.key_text()));
        let keys: Vec<tenet_sema::value::SmolStr> = keys.collect();
        if let Some(best) = tenet_sema::did_you_mean(key, keys.iter().map(|k| k.as_str())) {
            d = d.with_help(format!("did you mean \"{best}\"?"));
        } else {
            d = d.with_help("correct the key, or remove the waiver if the subject is gone");
        }
        out.push(d);
    }
    out
}
