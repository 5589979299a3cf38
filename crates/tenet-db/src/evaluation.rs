//! Evidence and evaluation as tracked queries. Each evidence file is loaded on its own;
//! each kind's documents are gathered (and indexed) on their own; each rule is evaluated
//! on its own, reading only its body, the parameters and the kinds it touches. So one
//! changed evidence file re-loads that file and re-runs only the rules that read its
//! kinds, and one edited rule re-runs only that rule.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tenet_diagnostics::Diagnostic;
use tenet_diagnostics::Span;
use tenet_eval::report::{RunReport, build_report};
use tenet_eval::{
    Budget, Evidence, KindDocs, ParamValues, RuleContext, RuleResult, evaluate_rule,
    evaluate_rule_remembering, tailor,
};
use tenet_evidence::KindKeys;
use tenet_sema::KindId;
use tenet_sema::program::{ControlId, FileId, RuleBody, Schema};
use tenet_sema::ty::{FieldDef, RecordTy, Ty};

use crate::database::Preloaded;
use crate::{Database, Db, EvidenceFile, EvidenceSet, RunSettings, Workspace, program};

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

/// Loads one evidence file.
#[salsa::tracked(returns(ref))]
pub fn load_evidence(db: &dyn Db, workspace: Workspace, file: EvidenceFile) -> LoadedEvidence {
    crate::evidence_loading::load(
        file.path(db),
        file.bytes(db),
        schemas(db, workspace),
        evidence_sources(db, workspace),
    )
}

/// The kinds of the documents in one evidence file. Small and usually unchanged by an
/// edit, so that a kind's documents depend only on the files that hold that kind: editing
/// a monitoring file re-gathers the monitoring documents and nothing else.
#[salsa::tracked(returns(ref))]
pub fn file_kinds(db: &dyn Db, workspace: Workspace, file: EvidenceFile) -> Vec<KindId> {
    let mut kinds: Vec<KindId> =
        load_evidence(db, workspace, file).documents.iter().map(|(k, _)| *k).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// For each kind (by id), the evidence files that hold documents of it, in path order.
/// Equal across edits that do not move a kind into or out of a file, so a kind's documents
/// are re-gathered, and re-validated, only when one of its own files changes.
#[salsa::tracked(returns(ref))]
pub fn files_by_kind(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet) -> Vec<Vec<EvidenceFile>> {
    let mut by_kind: Vec<Vec<EvidenceFile>> = vec![Vec::new(); schemas(db, workspace).len()];
    for file in evidence.files(db) {
        for kind in file_kinds(db, workspace, *file) {
            if let Some(files) = by_kind.get_mut(kind.index()) {
                files.push(*file);
            }
        }
    }
    by_kind
}

/// The documents of one kind across every evidence file, in path order, with indexes.
#[salsa::tracked(returns(ref))]
pub fn kind_docs(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> KindDocs {
    let fields = schemas(db, workspace).get(kind.index()).map_or(0, |s| s.record.fields.len());
    let mut docs = Vec::new();
    for file in files_of_kind(db, workspace, evidence, kind) {
        docs.extend(
            load_evidence(db, workspace, *file)
                .documents
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, d)| d.clone()),
        );
    }
    KindDocs::new(docs, fields)
}

/// The files holding `kind`, in path order.
fn files_of_kind(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> &[EvidenceFile] {
    files_by_kind(db, workspace, evidence).get(kind.index()).map_or(&[][..], Vec::as_slice)
}

/// Each file with its path and what loading it gave.
fn loaded<'db>(
    db: &'db dyn Db,
    workspace: Workspace,
    files: &[EvidenceFile],
) -> Vec<(&'db str, &'db LoadedEvidence)> {
    files.iter().map(|f| (f.path(db), load_evidence(db, workspace, *f))).collect()
}

/// File `i` of `files` loaded again with its locations, for a diagnostic that must say
/// where a key or reference is written (the database keeps files without them).
fn located<'db>(
    db: &'db dyn Db,
    workspace: Workspace,
    files: &'db [EvidenceFile],
) -> impl Fn(usize) -> Cow<'db, LoadedEvidence> {
    move |i| {
        let Some(file) = files.get(i) else { return Cow::Owned(LoadedEvidence::default()) };
        let (schemas, sources) = (schemas(db, workspace), evidence_sources(db, workspace));
        Cow::Owned(crate::evidence_loading::load_located(file.path(db), file.bytes(db), schemas, sources))
    }
}

/// The keys of one kind's documents and the documents that repeat one. Depends only on
/// the kind's own files.
#[salsa::tracked(returns(ref))]
pub fn kind_keys(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet, kind: KindId) -> KindKeys {
    let files = files_of_kind(db, workspace, evidence, kind);
    KindKeys::new(kind, &loaded(db, workspace, files), schemas(db, workspace), &located(db, workspace, files))
}

/// The references written in one kind's documents that name no document. Depends on the
/// kind's own files and the keys of the kinds they refer to.
#[salsa::tracked(returns(ref))]
pub fn dangling_refs(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    kind: KindId,
) -> Vec<Diagnostic> {
    let keys = |target: KindId| kind_keys(db, workspace, evidence, target);
    let files = files_of_kind(db, workspace, evidence, kind);
    tenet_evidence::dangling_refs(
        kind,
        &loaded(db, workspace, files),
        &keys,
        schemas(db, workspace),
        &located(db, workspace, files),
    )
}

/// Diagnostics about the evidence: each file's, then what only the whole set shows
/// (duplicate keys across files, references to missing documents), kind by kind.
#[salsa::tracked(returns(ref))]
pub fn evidence_diagnostics(db: &dyn Db, workspace: Workspace, evidence: EvidenceSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let groups = evidence.files(db).len().div_ceil(FILE_GROUP);
    for group in 0..groups {
        out.extend(file_group_diagnostics(db, workspace, evidence, group as u32).iter().cloned());
    }
    for kind in KindId::all(schemas(db, workspace).len()) {
        out.extend(kind_keys(db, workspace, evidence, kind).duplicates.iter().cloned());
        out.extend(dangling_refs(db, workspace, evidence, kind).iter().cloned());
    }
    Diagnostic::normalize(&mut out);
    out
}

/// Files per group in [`file_group_diagnostics`].
const FILE_GROUP: usize = 256;

/// The diagnostics of the files in one group of [`FILE_GROUP`] consecutive evidence files.
/// After an edit, only the edited file's group gathers its files' diagnostics again, and
/// [`evidence_diagnostics`] joins a few hundred groups rather than every file's.
#[salsa::tracked(returns(ref))]
pub fn file_group_diagnostics(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    group: u32,
) -> Vec<Diagnostic> {
    let files = evidence.files(db);
    let start = (group as usize * FILE_GROUP).min(files.len());
    let end = (start + FILE_GROUP).min(files.len());
    files[start..end]
        .iter()
        .flat_map(|file| load_evidence(db, workspace, *file).diagnostics.iter().cloned())
        .collect()
}

/// [`evidence_diagnostics`], with the work spread over threads first: every file loaded,
/// then each kind's keys, then each kind's references. What the CLI and the language
/// server call, since the query alone would load a cold organisation on one thread.
pub fn validate_evidence(db: &Database, workspace: Workspace, evidence: EvidenceSet) -> &Vec<Diagnostic> {
    load_all_evidence(db, workspace, evidence);
    let kinds: Vec<KindId> = KindId::all(schemas(db, workspace).len()).collect();
    kinds.par_iter().for_each_with(db.clone(), |db, kind| {
        let _ = kind_keys(db, workspace, evidence, *kind);
    });
    kinds.par_iter().for_each_with(db.clone(), |db, kind| {
        let _ = dangling_refs(db, workspace, evidence, *kind);
    });
    evidence_diagnostics(db, workspace, evidence)
}

/// A rule's checked body, by control and rule name. Its value is equal across edits that
/// do not touch the rule, which is what keeps other rules' evaluations valid.
#[salsa::tracked(returns(ref))]
pub fn rule_body(
    db: &dyn Db,
    workspace: Workspace,
    control: Arc<str>,
    rule: Arc<str>,
) -> Option<Arc<RuleBody>> {
    let program = program(db, workspace);
    let c = program.controls.iter().find(|c| c.qualified == control)?;
    c.rules.iter().find(|r| r.name == rule).map(|r| r.body.clone())
}

/// Parameter values for a run.
#[salsa::tracked(returns(ref))]
pub fn run_params(db: &dyn Db, workspace: Workspace, settings: RunSettings) -> ParamValues {
    tenet_eval::param_values(program(db, workspace), settings.today(db), &[])
}

/// Evidence as the evaluator reads it: through the `kind_docs` query, so each read is a
/// tracked dependency of the rule being evaluated.
struct DbEvidence<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
}

impl Evidence for DbEvidence<'_> {
    fn kind(&self, kind: KindId) -> &KindDocs {
        kind_docs(self.db, self.workspace, self.evidence, kind)
    }
}

/// The results of one rule before tailoring.
#[salsa::tracked(returns(clone))]
pub fn rule_results(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    control: Arc<str>,
    rule: Arc<str>,
) -> Arc<[RuleResult]> {
    let Some(body) = rule_body(db, workspace, control.clone(), rule.clone()) else {
        return Arc::from(Vec::new());
    };
    let view = DbEvidence { db, workspace, evidence };
    let cx = RuleContext {
        schemas: schemas(db, workspace),
        evidence: &view,
        params: run_params(db, workspace, settings),
        today: settings.today(db),
        budget: Budget { steps: settings.step_budget(db) },
    };
    let Some(memos) = db.rule_memos() else { return Arc::from(evaluate_rule(&cx, &control, &rule, body)) };
    let inputs = (workspace, evidence, settings);
    let previous = memos.get(inputs, &control, &rule);
    let (results, memo) = evaluate_rule_remembering(&cx, &control, &rule, body, previous.as_deref());
    memos.put(inputs, control, rule, memo);
    results
}

/// Loads every evidence file in parallel over database clones, so that evaluation finds
/// them memoized. Parsing evidence is most of a cold run's work.
///
/// Once a database has loaded an evidence set in full, later calls under the same schemas
/// return at once: the files an edit changed are loaded on demand by the queries that read
/// them, which for the few files of an edit costs less than visiting every file's memo
/// again (16 ms for 46,970 files). A schema change makes every file load again, so that is
/// done in parallel again.
pub fn load_all_evidence(db: &Database, workspace: Workspace, evidence: EvidenceSet) {
    let schemas = schemas(db, workspace);
    let done = |p: &Option<Preloaded>| {
        p.as_ref()
            .is_some_and(|p| p.workspace == workspace && p.evidence == evidence && p.schemas == *schemas)
    };
    if db.preloaded.lock().is_ok_and(|p| done(&p)) {
        return;
    }
    let files = evidence.files(db).clone();
    let _ = evidence_sources(db, workspace);
    files.par_iter().for_each_with(db.clone(), |db, file| {
        let _ = load_evidence(db, workspace, *file);
    });
    if let Ok(mut p) = db.preloaded.lock() {
        *p = Some(Preloaded { workspace, evidence, schemas: schemas.clone() });
    }
}

/// Runs `job(db, i)` for every `i` below `count` on as many plain threads as rayon has,
/// each with a database clone of its own, and gives each result with its `i`.
///
/// Not on rayon's threads: a rule over a large domain evaluates its chunks on rayon's pool
/// from inside its query, and a rayon worker waiting for them picks up other jobs of its
/// pool, which would start another rule's query on its stack under another database
/// handle, which salsa forbids ("Cannot change database mid-query"). A plain thread waits
/// without picking anything up. A panic in a job (a cancellation, say) reaches the caller
/// with its payload.
fn on_plain_threads<T: Send>(
    db: &Database,
    count: usize,
    job: &(dyn Fn(&Database, usize) -> T + Sync),
) -> Vec<(usize, T)> {
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let db = db.clone();
                let next = &next;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return out;
                        }
                        out.push((i, job(&db, i)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for worker in workers {
            match worker.join() {
                Ok(done) => all.extend(done),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    })
}

/// Evaluates every rule of every control, in parallel over database clones, applies
/// tailoring and builds the report. Deterministic: results come out in program order
/// whatever the thread count.
pub fn evaluate_workspace(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    line_of: &dyn Fn(&str, u32) -> u32,
) -> RunReport {
    evaluate_workspace_with_progress(db, workspace, evidence, settings, line_of, &|_, _| {})
}

/// [`evaluate_workspace`], calling `progress(rules done, rules in all)` as rules finish
/// (from any thread), for a progress bar on long runs.
pub fn evaluate_workspace_with_progress(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    line_of: &dyn Fn(&str, u32) -> u32,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> RunReport {
    load_all_evidence(db, workspace, evidence);
    let program = program(db, workspace);
    let jobs: Vec<(usize, Arc<str>, Arc<str>)> = program
        .controls
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.rules.iter().map(move |r| (i, c.qualified.clone(), r.name.clone())))
        .collect();
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    let evaluate = |db: &Database, job: usize| {
        let (_, control, rule) = &jobs[job];
        let results = rule_results(db, workspace, evidence, settings, control.clone(), rule.clone());
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        results
    };
    let mut raw = on_plain_threads(db, total, &evaluate);
    raw.sort_unstable_by_key(|(job, _)| *job);
    let mut per_control: Vec<Vec<Arc<[RuleResult]>>> = vec![Vec::new(); program.controls.len()];
    for (job, results) in raw {
        per_control[jobs[job].0].push(results);
    }
    let view = DbEvidence { db, workspace, evidence };
    let cx = tailoring_context(db, workspace, settings, program, &view);
    let tailored: Vec<(ControlId, Arc<[RuleResult]>)> = per_control
        .into_iter()
        .enumerate()
        .map(|(i, mut parts)| {
            let id = ControlId(i as u32);
            // A control's results are copied only when tailoring may change them or when
            // several rules' results are joined; otherwise the memo is shared.
            if parts.len() == 1 && !has_tailoring(program, id) {
                return (id, parts.pop().unwrap_or_else(|| Arc::from(Vec::new())));
            }
            let results: Vec<RuleResult> = parts.iter().flat_map(|p| p.iter().cloned()).collect();
            (id, Arc::from(tailor(program, &cx, id, results)))
        })
        .collect();
    build_report(program, settings.today(db), tailored, line_of)
}

/// Applies one control's tailoring (exclusion, `applies when`, waivers) to its results:
/// what the editor's live results need without building a whole report.
pub fn tailor_control(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    control: usize,
    results: Vec<RuleResult>,
) -> Vec<RuleResult> {
    let program = program(db, workspace);
    let view = DbEvidence { db, workspace, evidence };
    let cx = tailoring_context(db, workspace, settings, program, &view);
    tailor(program, &cx, ControlId(control as u32), results)
}

/// What tailoring reads: the whole program's schemas (conditions may read any kind), the
/// parameters and the run's date and budget.
fn tailoring_context<'a>(
    db: &'a Database,
    workspace: Workspace,
    settings: RunSettings,
    program: &'a tenet_sema::Program,
    evidence: &'a DbEvidence<'a>,
) -> RuleContext<'a> {
    RuleContext {
        schemas: &program.schemas,
        evidence,
        params: run_params(db, workspace, settings),
        today: settings.today(db),
        budget: Budget { steps: settings.step_budget(db) },
    }
}

/// Whether exclusions, an `applies when` or waivers apply to a control.
fn has_tailoring(program: &tenet_sema::Program, control: ControlId) -> bool {
    program.controls.get(control.index()).is_some_and(|c| c.applies.is_some())
        || program.exclusions.iter().any(|e| e.control == control)
        || program.waivers.iter().any(|w| w.control == control)
}
