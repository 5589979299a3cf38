//! Evaluation as tracked queries. Each rule is evaluated on its own, reading only its body,
//! the parameters and the kinds it touches (each kind's documents gathered and indexed on
//! their own, in `evidence.rs`). So one changed evidence file re-runs only the rules that
//! read its kinds, and one edited rule re-runs only that rule.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tenet_diagnostics::LineIndex;
use tenet_eval::PolicyLine;
use tenet_eval::report::{RunReport, build_report};
use tenet_eval::{
    Budget, Evidence, KindDocs, ParamValues, Passes, Results, RuleContext, RuleResult, evaluate_rule,
    evaluate_rule_remembering, tailor,
};
use tenet_sema::KindId;
use tenet_sema::program::{ControlId, FileId, RuleBody};

use crate::evidence::{kind_docs, kind_keys, load_all_evidence, schemas};
use crate::queries::checked_files;
use crate::{Database, Db, EvidenceSet, RunSettings, Workspace, program};

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

    fn shared(&self, kind: KindId) -> Option<Arc<KindDocs>> {
        Some(kind_docs(self.db, self.workspace, self.evidence, kind).clone())
    }

    /// As the key check found them, which every run makes before it evaluates.
    fn repeats(&self, kind: KindId) -> Cow<'_, [(u32, u32)]> {
        Cow::Borrowed(kind_keys(self.db, self.workspace, self.evidence, kind).repeats())
    }
}

/// The results of one rule before tailoring, its passing ones listed or only counted
/// (`passes`, which the caller decides knowing the control, so that this query reads
/// nothing of the program but the rule).
#[salsa::tracked(returns(clone))]
pub fn rule_results(
    db: &dyn Db,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    control: Arc<str>,
    rule: Arc<str>,
    passes: Passes,
) -> Results {
    let Some(body) = rule_body(db, workspace, control.clone(), rule.clone()) else {
        return Results::default();
    };
    let view = DbEvidence { db, workspace, evidence };
    let cx = RuleContext {
        schemas: schemas(db, workspace),
        evidence: &view,
        params: run_params(db, workspace, settings),
        today: settings.today(db),
        budget: Budget { steps: settings.step_budget(db) },
        passes,
    };
    let Some(memos) = db.rule_memos() else { return evaluate_rule(&cx, &control, &rule, body) };
    let inputs = (workspace, evidence, settings);
    let previous = memos.get(inputs, &control, &rule);
    let (results, memo) = evaluate_rule_remembering(&cx, &control, &rule, body, previous.as_deref());
    memos.put(inputs, control, rule, memo);
    results
}

/// Runs `job(db, i)` for every `i` below `count` on as many plain threads as rayon has,
/// each with a database clone of its own, and gives each result with its `i`.
///
/// Not on rayon's threads: a rule over a large domain evaluates its chunks on rayon's pool
/// from inside its query, and a rayon worker waiting for them picks up other jobs of its
/// pool, which would start another rule's query on its stack under another database
/// handle, which salsa forbids ("Cannot change database mid-query"). A plain thread waits
/// without picking anything up. A plain thread belongs to no pool, so a large rule's
/// chunks run on rayon's global pool, whatever pool the caller installed: the global pool
/// sets how many threads a check uses (`tenet check --jobs` builds it). A panic in a job
/// (a cancellation, say) reaches the caller with its payload.
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
    let passes = |control: usize| match settings.passes(db) {
        Passes::Counted if !results_may_change(program, ControlId(control as u32)) => Passes::Counted,
        _ => Passes::Listed,
    };
    let jobs: Vec<(usize, Arc<str>, Arc<str>, Passes)> = program
        .controls
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.rules.iter().map(move |r| (i, c.qualified.clone(), r.name.clone(), passes(i))))
        .collect();
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    let evaluate = |db: &Database, job: usize| {
        let (_, control, rule, passes) = &jobs[job];
        let results = rule_results(db, workspace, evidence, settings, control.clone(), rule.clone(), *passes);
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        results
    };
    let mut raw = on_plain_threads(db, total, &evaluate);
    raw.sort_unstable_by_key(|(job, _)| *job);
    let mut per_control: Vec<Vec<Results>> = vec![Vec::new(); program.controls.len()];
    for (job, results) in raw {
        per_control[jobs[job].0].push(results);
    }
    let view = DbEvidence { db, workspace, evidence };
    let cx = tailoring_context(db, workspace, settings, program, &view);
    let line_of_policy = policy_lines(db, workspace);
    let tailored: Vec<(ControlId, Results)> = per_control
        .into_iter()
        .enumerate()
        .map(|(i, parts)| {
            let id = ControlId(i as u32);
            (id, control_results(program, &cx, id, &parts, &line_of_policy))
        })
        .collect();
    build_report(program, settings.today(db), tailored, line_of)
}

/// A control's results from its rules' results, in rule order, with its tailoring
/// (exclusion, `applies when`, waivers) applied. Copied only when tailoring may change
/// them; otherwise the rules' results are joined as they are, run after run.
fn control_results(
    program: &tenet_sema::Program,
    cx: &RuleContext<'_>,
    id: ControlId,
    rules: &[Results],
    line_of: &PolicyLine<'_>,
) -> Results {
    if !has_tailoring(program, id) {
        return Results::from_runs(rules.iter().flat_map(|r| r.runs().iter().cloned()));
    }
    let results: Vec<RuleResult> = rules.iter().flat_map(|r| r.iter().cloned()).collect();
    Results::from(tailor(program, cx, id, results, line_of))
}

/// The line of an offset in one of the program's files, read from the file the checker read.
fn policy_lines(db: &Database, workspace: Workspace) -> impl Fn(FileId, u32) -> u32 + '_ {
    let files = checked_files(db, workspace);
    move |file: FileId, offset: u32| {
        let Some(text) = files.get(file.index()).and_then(|f| std::str::from_utf8(f.bytes(db)).ok()) else {
            return 0;
        };
        LineIndex::new(text).line_col(text, offset).line
    }
}

/// One control's results, given its rules' results in rule order, as a report holds
/// them: what the editor's live results need without building a whole report.
pub fn tailor_control(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    settings: RunSettings,
    control: usize,
    rules: &[Results],
) -> Results {
    let program = program(db, workspace);
    let view = DbEvidence { db, workspace, evidence };
    let cx = tailoring_context(db, workspace, settings, program, &view);
    control_results(program, &cx, ControlId(control as u32), rules, &policy_lines(db, workspace))
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
        passes: Passes::Listed,
    }
}

/// Whether anything after evaluation may change a control's results: tailoring, or a
/// dependent package's override of one of its rules (which the report notes on each of
/// the rule's results). Such a control's results are all listed.
fn results_may_change(program: &tenet_sema::Program, control: ControlId) -> bool {
    has_tailoring(program, control)
        || program
            .controls
            .get(control.index())
            .is_some_and(|c| c.rules.iter().any(|r| r.overridden.is_some()))
}

/// Whether exclusions, an `applies when` or waivers apply to a control.
fn has_tailoring(program: &tenet_sema::Program, control: ControlId) -> bool {
    program.controls.get(control.index()).is_some_and(|c| c.applies.is_some())
        || program.exclusions.iter().any(|e| e.control == control)
        || program.waivers.iter().any(|w| w.control == control)
}
