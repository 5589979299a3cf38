//! Evaluating one rule: its subjects, its `applies when`, its `let`s and `require`, or an
//! attestation requirement, into results with messages and citations.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::civil::Date;
use rayon::prelude::*;
use tenet_sema::KindId;
use tenet_sema::ir::{Domain, Expr, ExprKind, LookupField};
use tenet_sema::program::{AttestationRule, CheckRule, MessagePart, RuleBody, RuleKind, Schema};
use tenet_sema::value::{DocRef, SmolStr, Value};

use crate::interp::{Budget, EvalError, Interp, ParamValues, kind_name};
use crate::results::{Citation, Citations, Passes, Results, RuleResult, Run, Status, SubjectRef};
use crate::reuse::{ChunkOutcome, ChunkReads, LookupLog, Previous, RuleInputs, RuleMemo, memo_of};
use crate::store::{Doc, Evidence, KindDocs};

/// Citations listed per result; the rest are counted in `more_citations`.
const MAX_CITATIONS: usize = 64;

/// A rule over at least this many subjects is split into chunks evaluated in parallel.
const SPLIT_AT: usize = 2048;
/// Subjects per chunk of a split domain. Fixed, so that results (and budget shares) do
/// not depend on the number of threads.
const CHUNK: usize = 1024;

/// Everything a rule's evaluation reads besides the rule itself.
#[derive(Clone, Copy)]
pub struct RuleContext<'a> {
    /// The program's evidence kinds (rules read nothing else of the program, so that
    /// editing one rule does not invalidate the evaluation of the others).
    pub schemas: &'a [Schema],
    /// The evidence.
    pub evidence: &'a dyn Evidence,
    /// Parameter values for this run.
    pub params: &'a ParamValues,
    /// The date of the run.
    pub today: Date,
    /// The step budget per rule.
    pub budget: Budget,
    /// Whether passing results are listed, or only counted.
    pub passes: Passes,
}

/// Evaluates one rule of a control. Control-level tailoring (exclusions, `applies when`,
/// waivers) is applied afterwards by [`tailor`](crate::tailor).
pub fn evaluate_rule(cx: &RuleContext<'_>, control: &Arc<str>, rule: &Arc<str>, body: &RuleBody) -> Results {
    evaluate_rule_with(cx, control, rule, body, None)
}

/// [`evaluate_rule`] for a database that lives across edits: the chunks of a large domain
/// whose reads `previous` shows unchanged are taken from it rather than evaluated again
/// (see `reuse.rs`), and the memo returned is what the next evaluation consults. The
/// results are exactly those of [`evaluate_rule`]; the memo is `None` for rules not split
/// into chunks.
pub fn evaluate_rule_remembering(
    cx: &RuleContext<'_>,
    control: &Arc<str>,
    rule: &Arc<str>,
    body: &Arc<RuleBody>,
    previous: Option<&RuleMemo>,
) -> (Results, Option<RuleMemo>) {
    let inputs = RuleInputs {
        body: body.clone(),
        schemas: Arc::from(cx.schemas),
        params: cx.params.clone(),
        today: cx.today,
        budget: cx.budget,
        passes: cx.passes,
    };
    let mut memory = Memory { previous: Previous::new(previous, &inputs, cx.evidence), chunks: None };
    let results = evaluate_rule_with(cx, control, rule, body, Some(&mut memory));
    let memo = memory.chunks.map(|chunks| memo_of(inputs, chunks, cx.evidence));
    (results, memo)
}

/// A remembering evaluation's state: the last memo going in, each chunk coming out.
struct Memory<'m> {
    previous: Previous<'m>,
    chunks: Option<Vec<ChunkOutcome>>,
}

fn evaluate_rule_with(
    cx: &RuleContext<'_>,
    control: &Arc<str>,
    rule: &Arc<str>,
    body: &RuleBody,
    memory: Option<&mut Memory<'_>>,
) -> Results {
    let result = &ResultMaker { control: control.clone(), rule: rule.clone() };
    if body.broken {
        let message = "the rule has errors in the policy; see the diagnostics".to_owned();
        return Results::from(vec![result.make(None, Status::Error, Some(message), (Vec::new(), 0))]);
    }
    match &body.kind {
        RuleKind::Check(check) => {
            let results = evaluate_check(cx, body, &bound_to_run(cx, check), result, memory);
            with_unread(cx, body, check, result, results)
        }
        RuleKind::Attestation(attest) => alone(cx, evaluate_attestation(cx, attest, result)),
        RuleKind::Condition(_) => Results::default(),
        RuleKind::Disabled(d) => {
            let message = format!("disabled by `{}`: {}", d.package, d.because);
            Results::from(vec![result.make(None, Status::NotApplicable, Some(message), (Vec::new(), 0))])
        }
    }
}

/// `results`, and an error for each piece of evidence the rule reads that could not be
/// read (a document with a wrong value, the rest of a file after a syntax error), and for
/// each key of its subjects that several documents claim: a rule cannot vouch for what it
/// did not see, nor judge a subject it cannot tell from another, so evidence lost to a
/// typo or a copied row leaves the control in error, naming it, rather than passing
/// without it or judging one document as if it were the other. (A subject that follows a
/// reference to a key several documents claim is an error of its own: [`Subjects::run`].)
/// The subject's kind comes first. A rule whose domain is empty has only these errors,
/// not "no evidence".
fn with_unread(
    cx: &RuleContext<'_>,
    body: &RuleBody,
    check: &CheckRule,
    result: &ResultMaker,
    results: Results,
) -> Results {
    let subject_kind = check.subject.as_ref().map(|s| s.kind);
    let others = body.kinds_read.iter().copied().filter(|k| Some(*k) != subject_kind);
    let mut errors = Vec::new();
    for kind in subject_kind.into_iter().chain(others) {
        let name = kind_name(cx.schemas, kind);
        let is_subject = Some(kind) == subject_kind;
        for unread in cx.evidence.kind(kind).unread() {
            let message = match (unread.one_document, is_subject) {
                (true, true) => format!("this {name} could not be checked: {}", unread.reason),
                (true, false) => {
                    format!(
                        "this {name} could not be read, and the rule reads {name} documents: {}",
                        unread.reason
                    )
                }
                (false, _) => format!("{name} documents of this file could not be read: {}", unread.reason),
            };
            let key = unread.key.clone().unwrap_or_else(|| {
                SmolStr::from(format!("{}:{}", unread.citation.path, unread.citation.line))
            });
            let subject = SubjectRef { kind: Arc::from(name), key };
            errors.push(result.make(
                Some(subject),
                Status::Error,
                Some(message),
                (vec![unread.citation.clone()], 0),
            ));
        }
        if is_subject {
            errors.extend(shared_keys(cx, kind, result));
        }
    }
    if errors.is_empty() {
        return results;
    }
    let no_evidence = results.len() == 1
        && results.get(0).is_some_and(|r| r.status == Status::NoEvidence && r.subject.is_none());
    let runs = if no_evidence { Vec::new() } else { results.runs().to_vec() };
    Results::from_runs(runs.into_iter().chain([Run::new(errors)]))
}

/// An error for each key of the subjects' `kind` that several documents have, citing each
/// of them: the documents are not judged one by one ([`Subjects::shared_keys`]).
fn shared_keys(cx: &RuleContext<'_>, kind: KindId, result: &ResultMaker) -> Vec<RuleResult> {
    let repeats = cx.evidence.repeats(kind);
    if repeats.is_empty() {
        return Vec::new();
    }
    let docs = cx.evidence.kind(kind).docs();
    let mut by_first: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
    for (here, first) in repeats.iter() {
        by_first.entry(*first).or_default().push(*here);
    }
    let name = kind_name(cx.schemas, kind);
    by_first
        .into_iter()
        .filter_map(|(first, repeated)| {
            let doc = docs.get(first as usize)?;
            let key = subject_key(doc, first as usize);
            let count = repeated.len() + 1;
            let message = format!(
                "{count} {name} documents have the key `{key}`, so which one this {name} is cannot be told"
            );
            let cited: Vec<Citation> = std::iter::once(first)
                .chain(repeated)
                .filter_map(|at| docs.get(at as usize).map(|d| d.citation.clone()))
                .collect();
            let more = cited.len().saturating_sub(MAX_CITATIONS);
            let shown: Vec<Citation> = cited.into_iter().take(MAX_CITATIONS).collect();
            let subject = SubjectRef { kind: Arc::from(name), key };
            Some(result.make(Some(subject), Status::Error, Some(message), (shown, more)))
        })
        .collect()
}

/// The rule with what the run fixes worked out once: `today`, the parameters, the
/// operators over them (`today - impact_interval`) and the literals of them, which every
/// subject would otherwise compute again. An operation that fails is left as it is, to
/// fail for each subject as it would have.
fn bound_to_run(cx: &RuleContext<'_>, check: &CheckRule) -> CheckRule {
    let mut bound = check.clone();
    let unlimited = Budget { steps: u64::MAX };
    let mut interp = Interp::new(cx.schemas, cx.evidence, cx.params, cx.today, unlimited, 0);
    let mut fold = |e: &mut Expr| {
        let constant = |e: &Expr| matches!(e.kind, ExprKind::Const(_));
        let fixed = match &e.kind {
            ExprKind::Today | ExprKind::Param(_) => true,
            ExprKind::Binary { lhs, rhs, .. } => constant(lhs) && constant(rhs),
            ExprKind::Neg(operand) | ExprKind::Not(operand) => constant(operand),
            ExprKind::List(_) | ExprKind::Record(_) => return e.fold_literal(),
            _ => false,
        };
        if fixed && let Ok(value) = interp.eval(e) {
            e.kind = ExprKind::Const(value);
        }
    };
    bound.each_expr_mut(|e| e.rewrite_innermost_first(&mut fold));
    bound
}

/// Makes a rule's results. Each chunk of a split domain works with a copy of its own
/// ([`ResultMaker::own_copy`]): threads filling results side by side then do not contend
/// on one shared count of the control's and the rule's names.
struct ResultMaker {
    control: Arc<str>,
    rule: Arc<str>,
}

impl ResultMaker {
    fn make(
        &self,
        subject: Option<SubjectRef>,
        status: Status,
        message: Option<String>,
        citations: (impl Into<Citations>, usize),
    ) -> RuleResult {
        RuleResult {
            control: self.control.clone(),
            rule: self.rule.clone(),
            subject,
            status,
            message: message.map(Arc::from),
            citations: citations.0.into(),
            more_citations: u32::try_from(citations.1).unwrap_or(u32::MAX),
            overridden: None,
        }
    }

    fn own_copy(&self) -> ResultMaker {
        ResultMaker { control: Arc::from(&*self.control), rule: Arc::from(&*self.rule) }
    }
}

/// A rule's one result (a rule without subjects, an attestation): listed, or counted
/// when it passes and the run counts passes.
fn alone(cx: &RuleContext<'_>, result: RuleResult) -> Results {
    if result.status == Status::Pass && cx.passes == Passes::Counted {
        return Results::from_runs([Run::with_counted_passes(Vec::new(), 1)]);
    }
    Results::from(vec![result])
}

fn evaluate_check(
    cx: &RuleContext<'_>,
    body: &RuleBody,
    check: &CheckRule,
    result: &ResultMaker,
    memory: Option<&mut Memory<'_>>,
) -> Results {
    let mut interp = Interp::new(cx.schemas, cx.evidence, cx.params, cx.today, cx.budget, body.locals.len());
    let Some(subject) = &check.subject else {
        let outcome = judge(&mut interp, check, &body.label, None);
        // A verdict over documents two of which claim one key (an inventory listing a
        // system twice, counted twice) is an error, as a subject's is.
        let outcome = match shared_read(&mut interp, &shared_in(cx, &body.kinds_read)) {
            Some(why) => (Status::Error, Some(why)),
            None => outcome,
        };
        let citations = citations(&mut interp, None);
        let (mut status, message) = outcome;
        let no_documents = !body.kinds_read.is_empty()
            && body.kinds_read.iter().all(|k| cx.evidence.kind(*k).docs().is_empty());
        if status == Status::Pass && no_documents {
            status = Status::NoEvidence;
            let kinds: Vec<&str> = body.kinds_read.iter().map(|k| kind_name(cx.schemas, *k)).collect();
            return Results::from(vec![result.make(
                None,
                status,
                Some(format!("no {} evidence: the rule holds only vacuously", kinds.join(", "))),
                citations,
            )]);
        }
        return alone(cx, result.make(None, status, message, citations));
    };

    let kind_name: Arc<str> = Arc::from(kind_name(cx.schemas, subject.kind));
    let docs = cx.evidence.kind(subject.kind).docs();
    let mut shared_keys = positions_sharing_keys(&cx.evidence.repeats(subject.kind));
    // A document with the key of one that could not be read is not judged either: which
    // of the two is the subject cannot be told, and the unread one is already its error.
    let unread = cx.evidence.kind(subject.kind).unread();
    if unread.iter().any(|u| u.key.is_some()) {
        let lost: std::collections::HashSet<&str> = unread.iter().filter_map(|u| u.key.as_deref()).collect();
        shared_keys.extend(docs.iter().enumerate().filter_map(|(i, doc)| {
            let key = doc.key()?.key_text();
            lost.contains(key.as_str()).then_some(i as u32)
        }));
        shared_keys.sort_unstable();
        shared_keys.dedup();
    }
    let shared_refs = shared_in(cx, &body.kinds_read);
    // Which documents go unjudged, and which verdicts are errors, depends on documents
    // other than those a chunk read: a chunk is reused only where no key of a kind the
    // rule reads is shared, so that no reused chunk holds a verdict that is now an error.
    let memory = if shared_keys.is_empty() && shared_refs.is_empty() { memory } else { None };
    let scope = Subjects {
        body,
        check,
        subject,
        kind_name: &kind_name,
        docs,
        shared_keys: &shared_keys,
        shared_refs: &shared_refs,
        passes: cx.passes,
    };
    // Every subject in one piece, over `evidence`.
    let in_one_piece = |evidence: &dyn Evidence| {
        let (schemas, params, today, budget) = (cx.schemas, cx.params, cx.today, cx.budget);
        let range = 0..docs.len();
        Results::from_runs([scope
            .evaluate(schemas, evidence, params, today, budget, budget.steps, range, result, false)
            .0])
    };
    let prefetched = Prefetched::new(cx, &body.kinds_read, subject.kind);
    let fast = if docs.len() >= SPLIT_AT {
        evaluate_split(cx, &prefetched, &scope, result, memory)
    } else {
        // One piece, still over prefetched evidence: the interpreter's many reads then
        // cost a look-up in a short list rather than a query each.
        let out = in_one_piece(&prefetched);
        (!prefetched.missed.load(Ordering::Relaxed)).then_some(out)
    };
    let out = fast.unwrap_or_else(|| in_one_piece(cx.evidence));
    if out.is_empty() {
        let what = if docs.is_empty() {
            format!("no {kind_name} documents")
        } else {
            format!("none of the {} {kind_name} documents match the rule's `where`", docs.len())
        };
        return Results::from(vec![result.make(None, Status::NoEvidence, Some(what), files_of(docs))]);
    }
    out
}

/// The files `docs` come from, each cited at its first document, capped: what a rule whose
/// `where` left no subject read, so that an auditor sees which evidence it looked through.
fn files_of(docs: &[Doc]) -> (Vec<Citation>, usize) {
    let mut cited: Vec<Citation> = Vec::new();
    let mut more = 0;
    let mut last: Option<&Arc<str>> = None;
    // A kind's documents are in file order, so a file's come together.
    for doc in docs {
        if last == Some(&doc.citation.path) {
            continue;
        }
        last = Some(&doc.citation.path);
        if cited.len() == MAX_CITATIONS {
            more += 1;
        } else {
            cited.push(doc.citation.clone());
        }
    }
    (cited, more)
}

/// The index look-ups a rule's expressions make: a quantifier's planned look-up, and a
/// reference followed to its document by key.
fn lookups(check: &CheckRule) -> Vec<(KindId, LookupField)> {
    let mut out = Vec::new();
    let mut note = |e: &Expr| match &e.kind {
        ExprKind::Quantifier { domain: Domain::Kind(kind), lookup: Some(lookup), .. }
        | ExprKind::Aggregate { domain: Domain::Kind(kind), lookup: Some(lookup), .. } => {
            out.push((*kind, lookup.field));
        }
        ExprKind::Field { through: Some(kind), .. } => out.push((*kind, LookupField::Key)),
        _ => {}
    };
    let messages = check.message.iter().flat_map(|m| &m.parts).filter_map(|part| match part {
        MessagePart::Expr(e) => Some(e),
        MessagePart::Text(_) => None,
    });
    let filter = check.subject.as_ref().and_then(|s| s.filter.as_ref());
    let exprs = filter.into_iter().chain(&check.applies).chain(check.lets.iter().map(|(_, e)| e));
    for e in exprs.chain(std::iter::once(&check.require)).chain(messages) {
        e.walk(&mut note);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The positions of the documents that have a key another also has, in order.
fn positions_sharing_keys(repeats: &[(u32, u32)]) -> Vec<u32> {
    let mut positions: Vec<u32> = repeats.iter().flat_map(|(here, first)| [*here, *first]).collect();
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// A rule's domain: what each chunk of subjects is evaluated with.
struct Subjects<'s> {
    body: &'s RuleBody,
    check: &'s CheckRule,
    subject: &'s tenet_sema::program::Subject,
    kind_name: &'s Arc<str>,
    docs: &'s [Doc],
    /// The positions of documents whose key another document has, or one that could not
    /// be read: not judged, since the subject their key names is any of them;
    /// [`shared_keys`] and the unread document's error report each such key.
    shared_keys: &'s [u32],
    /// By kind, the positions of documents whose key another has, in the kinds the rule
    /// reads: a subject whose verdict read one is an error ([`shared_read`]).
    shared_refs: &'s [(KindId, Vec<u32>)],
    passes: Passes,
}

impl Subjects<'_> {
    /// Evaluates the subjects in `range`, in order, under `budget` (`whole` is the rule's
    /// budget, which messages state when `budget` is a share of it); with `remember`, also
    /// what the chunk read, so that it can be reused.
    #[allow(clippy::too_many_arguments, reason = "the pieces of a rule context, which is not Sync")]
    fn evaluate(
        &self,
        schemas: &[Schema],
        evidence: &dyn Evidence,
        params: &ParamValues,
        today: Date,
        budget: Budget,
        whole: u64,
        range: Range<usize>,
        result: &ResultMaker,
        remember: bool,
    ) -> (Run, Option<ChunkReads>) {
        let mut interp = Interp::new(schemas, evidence, params, today, budget, self.body.locals.len());
        interp.report_budget_as(whole);
        if !remember {
            return (self.run(&mut interp, range, result), None);
        }
        interp.log = Some(LookupLog::default());
        let subjects = self.docs.get(range.clone()).unwrap_or(&[]).to_vec();
        let results = self.run(&mut interp, range, result);
        let reads = ChunkReads {
            subjects,
            log: interp.log.take().unwrap_or_default().seal(),
            steps: budget.steps - interp.steps_left(),
            steps_left: interp.steps_left(),
        };
        (results, Some(reads))
    }

    /// Evaluates the subjects in `range` with `interp`.
    fn run(&self, interp: &mut Interp<'_>, range: Range<usize>, result: &ResultMaker) -> Run {
        let Subjects { body, check, subject, kind_name, docs, shared_keys, shared_refs, passes } = *self;
        let mut passes_counted = 0;
        let result = &result.own_copy();
        let kind_name: Arc<str> = Arc::from(&**kind_name);
        // At most one result per subject: sized once, so results are not moved as it grows.
        let mut out = Vec::with_capacity(range.len());
        for index in range {
            let Some(doc) = docs.get(index) else { continue };
            if !shared_keys.is_empty() && shared_keys.binary_search(&(index as u32)).is_ok() {
                continue;
            }
            let r = DocRef { kind: subject.kind.0, index: index as u32 };
            interp.reads.clear();
            let var = subject.var.0 as usize;
            for (slot, value) in interp.locals.iter_mut().enumerate() {
                *value = if slot == var { Value::Doc(r) } else { Value::None };
            }
            if var >= interp.locals.len() {
                interp.set_local(subject.var, Value::Doc(r));
            }
            // Named only in results, so made only for a subject that has one.
            let subject_ref = || Some(SubjectRef { kind: kind_name.clone(), key: subject_key(doc, index) });
            // A subject stopped by its `where` (on an error) or its `applies when`.
            let stopped = |status: Status, message: String, interp: &mut Interp<'_>| {
                result.make(subject_ref(), status, Some(message), citations(interp, Some(r)))
            };
            if let Some(filter) = &subject.filter {
                match interp.truth(filter) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => {
                        out.push(stopped(Status::Error, error_message(&e), interp));
                        continue;
                    }
                }
            }
            if let Some(applies) = &check.applies {
                let stop = match interp.truth(applies) {
                    Ok(true) => None,
                    Ok(false) => Some((
                        Status::NotApplicable,
                        "the rule's `applies when` is false for this subject".to_owned(),
                    )),
                    Err(e) => Some((Status::Error, error_message(&e))),
                };
                if let Some((status, message)) = stop {
                    out.push(stopped(status, message, interp));
                    continue;
                }
            }
            let judged = judge(interp, check, &body.label, Some(r));
            let (status, message) = match shared_read(interp, shared_refs) {
                Some(why) => (Status::Error, Some(why)),
                None => judged,
            };
            if status == Status::Pass && passes == Passes::Counted {
                passes_counted += 1;
                continue;
            }
            out.push(result.make(subject_ref(), status, message, citations(interp, Some(r))));
        }
        Run::with_counted_passes(out, passes_counted)
    }
}

/// Evidence prefetched for evaluating a rule's subjects: the kinds the rule reads, fetched
/// once by the rule's own thread (so the database records them), then read by the
/// interpreter, and by a split domain's workers, which never call back into the database.
/// A kind outside the set is noted and the result thrown away, never answered with
/// nothing: the rule then runs over the evidence as given.
struct Prefetched<'e> {
    kinds: Vec<(KindId, &'e KindDocs)>,
    missed: AtomicBool,
    empty: KindDocs,
}

impl<'e> Prefetched<'e> {
    /// The kinds a rule declares it reads, and its subjects' kind, fetched from `cx`.
    fn new(cx: &RuleContext<'e>, kinds_read: &[KindId], subject: KindId) -> Prefetched<'e> {
        let mut kinds: Vec<KindId> = kinds_read.to_vec();
        kinds.push(subject);
        kinds.sort_unstable();
        kinds.dedup();
        Prefetched {
            kinds: kinds.iter().map(|k| (*k, cx.evidence.kind(*k))).collect(),
            missed: AtomicBool::new(false),
            empty: KindDocs::default(),
        }
    }
}

impl Evidence for Prefetched<'_> {
    fn kind(&self, kind: KindId) -> &KindDocs {
        match self.kinds.iter().find(|(k, _)| *k == kind) {
            Some((_, docs)) => docs,
            None => {
                self.missed.store(true, Ordering::Relaxed);
                &self.empty
            }
        }
    }
}

/// Evaluates a large domain in fixed chunks in parallel. Each chunk gets its share of the
/// rule's step budget, so a runaway rule still stops after about the budget in all, and
/// results come out in subject order whatever the thread count. `None` when the rule read
/// a kind it did not declare (then the caller evaluates it in one piece).
fn evaluate_split(
    cx: &RuleContext<'_>,
    prefetched: &Prefetched<'_>,
    scope: &Subjects<'_>,
    result: &ResultMaker,
    memory: Option<&mut Memory<'_>>,
) -> Option<Results> {
    let total = scope.docs.len();
    let (schemas, params, today, budget) = (cx.schemas, cx.params, cx.today, cx.budget);
    let chunks: Vec<Range<usize>> =
        (0..total).step_by(CHUNK).map(|start| start..(start + CHUNK).min(total)).collect();
    let previous = memory.as_ref().map(|m| &m.previous);
    // On this thread, one after another: each index is built on every thread when this
    // one is not the pool's (see `FieldIndex::new`).
    for (kind, field) in lookups(scope.check) {
        if let Some((_, docs)) = prefetched.kinds.iter().find(|(k, _)| *k == kind) {
            docs.prepare(field);
        }
    }
    let parts: Vec<(Run, Option<ChunkOutcome>)> = chunks
        .into_par_iter()
        .map(|range| {
            let share = (u128::from(budget.steps) * range.len() as u128).div_ceil(total as u128);
            let share = Budget { steps: u64::try_from(share).unwrap_or(u64::MAX) };
            let subjects = scope.docs.get(range.clone()).unwrap_or(&[]);
            if let Some((results, reads)) = previous.and_then(|p| p.reusable(&range, subjects, share.steps)) {
                let outcome = ChunkOutcome { range, reads, results: results.clone(), reused: true };
                return (results, Some(outcome));
            }
            let remember = previous.is_some();
            let (results, reads) = scope.evaluate(
                schemas,
                prefetched,
                params,
                today,
                share,
                budget.steps,
                range.clone(),
                result,
                remember,
            );
            let outcome = reads.map(|reads| ChunkOutcome {
                range,
                reads: Arc::new(reads),
                results: results.clone(),
                reused: false,
            });
            (results, outcome)
        })
        .collect();
    if prefetched.missed.load(Ordering::Relaxed) {
        return None;
    }
    // Each chunk's results stay a run of their own: joining them would copy every result.
    let mut runs = Vec::with_capacity(parts.len());
    let mut outcomes = Vec::with_capacity(parts.len());
    for (run, outcome) in parts {
        runs.push(run);
        outcomes.extend(outcome);
    }
    if let Some(memory) = memory {
        memory.chunks = Some(outcomes);
    }
    Some(Results::from_runs(runs))
}

/// `let`s, then `require`: pass, fail with the rule's message, or error.
fn judge(
    interp: &mut Interp<'_>,
    check: &CheckRule,
    label: &str,
    subject: Option<DocRef>,
) -> (Status, Option<String>) {
    for (var, expr) in &check.lets {
        match interp.eval(expr) {
            Ok(v) => interp.set_local(*var, v),
            Err(e) => return (Status::Error, Some(error_message(&e))),
        }
    }
    match interp.truth(&check.require) {
        Ok(true) => (Status::Pass, None),
        Ok(false) => {
            let message = match &check.message {
                Some(m) => render_message(interp, &m.parts),
                None => default_message(interp, label, subject),
            };
            (Status::Fail, Some(message))
        }
        Err(e) => (Status::Error, Some(error_message(&e))),
    }
}

/// The most characters of one value a message shows: a message is read in a terminal or a
/// pull request, and a field may hold a whole document's text.
const SHOWN_VALUE_CHARS: usize = 500;

fn render_message(interp: &mut Interp<'_>, parts: &[MessagePart]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            MessagePart::Text(t) => out.push_str(t),
            MessagePart::Expr(e) => match interp.eval(e) {
                Ok(v) => push_shortened(&mut out, &interp.display(&v)),
                Err(_) => out.push_str("(?)"),
            },
        }
    }
    out
}

/// `value`, or its first [`SHOWN_VALUE_CHARS`] characters and how many more there are.
fn push_shortened(out: &mut String, value: &str) {
    match value.char_indices().nth(SHOWN_VALUE_CHARS) {
        None => out.push_str(value),
        Some((cut, _)) => {
            let more = value[cut..].chars().count();
            out.push_str(&value[..cut]);
            out.push_str(&format!("… ({more} more characters)"));
        }
    }
}

fn default_message(interp: &Interp<'_>, label: &str, subject: Option<DocRef>) -> String {
    match subject.and_then(|r| interp.doc(r)).and_then(|d| d.key()) {
        Some(key) => format!("`{key}` does not satisfy {label}"),
        None => format!("{label} does not hold"),
    }
}

fn error_message(e: &EvalError) -> String {
    e.message.clone()
}

/// By kind, among `kinds`, the positions of documents whose key another document has:
/// empty, and found at no cost, where no key repeats.
fn shared_in(cx: &RuleContext<'_>, kinds: &[KindId]) -> Vec<(KindId, Vec<u32>)> {
    kinds
        .iter()
        .filter_map(|kind| {
            let positions = positions_sharing_keys(&cx.evidence.repeats(*kind));
            (!positions.is_empty()).then_some((*kind, positions))
        })
        .collect()
}

/// Why a verdict that read a document whose key another document has is an error: a
/// reference that found it took the first with the key and may have meant another, and a
/// count or a quantifier over the kind saw one thing twice, or two versions of it. `None`
/// when it read none, as almost every verdict.
fn shared_read(interp: &mut Interp<'_>, shared: &[(KindId, Vec<u32>)]) -> Option<String> {
    if shared.is_empty() {
        return None;
    }
    let read = interp.reads.iter().copied().find(|r| {
        shared.iter().any(|(kind, positions)| kind.0 == r.kind && positions.binary_search(&r.index).is_ok())
    })?;
    let name = kind_name(interp.schemas, KindId(read.kind));
    let key = interp.doc(read).map(|d| subject_key(d, read.index as usize)).unwrap_or_default();
    Some(format!(
        "it reads {name} `{key}`, and more than one {name} document has that key, so what it read cannot be told"
    ))
}

fn subject_key(doc: &Doc, index: usize) -> SmolStr {
    doc.key().map(Value::key_text).unwrap_or_else(|| {
        SmolStr::from(format!("{}:{}", doc.citation.path, doc.citation.line.max(index as u32)))
    })
}

/// The subject first, then every document read, in evidence order, each place once,
/// capped; one or two held in the result itself ([`Citations`]), since every result has its
/// own.
fn citations(interp: &mut Interp<'_>, subject: Option<DocRef>) -> (Citations, usize) {
    let mut reads = std::mem::take(&mut interp.reads);
    reads.retain(|r| Some(*r) != subject);
    reads.sort_unstable();
    reads.dedup();
    let mut cited = std::mem::take(&mut interp.cited);
    cited.clear();
    // Places differ by line and column far more often than by file: compared in that order.
    let same = |a: &Citation, b: &Citation| a.line == b.line && a.column == b.column && a.path == b.path;
    for r in subject.into_iter().chain(reads.iter().copied()) {
        if let Some(doc) = interp.doc(r)
            && !cited.iter().any(|c| same(&c.citation, &doc.citation))
        {
            cited.push(doc);
        }
    }
    let more = cited.len().saturating_sub(MAX_CITATIONS);
    let shown: Citations = cited.iter().take(MAX_CITATIONS).map(|d| d.citation.clone()).collect();
    interp.reads = reads;
    interp.cited = cited;
    (shown, more)
}

/// An attestation holds when some statement for this control and requirement is signed
/// by one of the roles, recently enough, about existing evidence of the right kind.
fn evaluate_attestation(cx: &RuleContext<'_>, rule: &AttestationRule, result: &ResultMaker) -> RuleResult {
    let schema = cx.schemas.get(rule.kind.index());
    let field = |name: &str| schema.and_then(|s| s.record.field(name)).map(|(i, _)| i);
    let (Some(f_control), Some(f_attestation), Some(f_role), Some(f_signed_on), Some(f_signed_by)) =
        (field("control"), field("attestation"), field("role"), field("signed_on"), field("signed_by"))
    else {
        return result.make(
            None,
            Status::Error,
            Some("the Attestation schema lacks a required field".into()),
            (vec![], 0),
        );
    };
    let f_evidence = field("evidence");
    let mut interp = Interp::new(cx.schemas, cx.evidence, cx.params, cx.today, cx.budget, 0);
    let oldest = match &rule.within {
        Some(within) => match interp.eval(within) {
            Ok(Value::Duration(d)) => d.negated().add_to_date(cx.today),
            Ok(_) => None,
            Err(e) => return result.make(None, Status::Error, Some(error_message(&e)), (vec![], 0)),
        },
        None => None,
    };
    let text = |doc: &Doc, i: usize| match doc.fields.get(i) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    let docs = cx.evidence.kind(rule.kind).docs();
    let mut problems: Vec<String> = Vec::new();
    let mut cited = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        let control = text(doc, f_control);
        if (control != *rule.control && control != *rule.control_local)
            || text(doc, f_attestation) != *rule.name
        {
            continue;
        }
        cited.push(DocRef { kind: rule.kind.0, index: index as u32 });
        let signer = text(doc, f_signed_by);
        let role = text(doc, f_role);
        if !rule.roles.is_empty() && !rule.roles.iter().any(|r| r.eq_ignore_ascii_case(&role)) {
            problems.push(format!(
                "signed by {signer} as {role}, but must be signed by one of: {}",
                rule.roles.join(", ")
            ));
            continue;
        }
        let signed_on = match doc.fields.get(f_signed_on) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        if let (Some(oldest), Some(signed_on)) = (oldest, signed_on)
            && signed_on < oldest
        {
            problems.push(format!("signed by {signer} on {signed_on}, before {oldest}: too old"));
            continue;
        }
        if let Some(about) = rule.about {
            let refs: Vec<String> = match f_evidence.and_then(|i| doc.fields.get(i)) {
                Some(Value::List(items)) => items.iter().map(Value::to_string).collect(),
                _ => Vec::new(),
            };
            let found = refs.iter().find_map(|key| {
                let k = crate::store::IndexKey::Str(SmolStr::new(key));
                cx.evidence.kind(about).by_key(&k).map(|i| DocRef { kind: about.0, index: i })
            });
            match found {
                Some(r) => cited.push(r),
                None => {
                    problems.push(format!(
                        "signed by {signer}, but names no existing {} document as its evidence",
                        kind_name(cx.schemas, about)
                    ));
                    continue;
                }
            }
        }
        interp.reads.extend(cited.iter().copied());
        return result.make(None, Status::Pass, None, citations(&mut interp, None));
    }
    interp.reads.extend(cited.iter().copied());
    let what = rule.title.clone().unwrap_or_else(|| rule.name.to_string());
    let message = if problems.is_empty() {
        format!("no signed attestation `{}` ({what}) for {}", rule.name, rule.control)
    } else {
        format!("no valid attestation `{}` ({what}): {}", rule.name, problems.join("; "))
    };
    result.make(None, Status::Fail, Some(message), citations(&mut interp, None))
}

/// Evaluates a control's `applies when`: `Ok(false)` means every rule is not applicable.
pub(crate) fn condition_holds(cx: &RuleContext<'_>, body: &RuleBody) -> Result<bool, String> {
    let RuleKind::Condition(expr) = &body.kind else { return Ok(true) };
    if body.broken {
        return Err("the control's `applies when` has errors in the policy".to_owned());
    }
    let mut interp = Interp::new(cx.schemas, cx.evidence, cx.params, cx.today, cx.budget, body.locals.len());
    interp.truth(expr).map_err(|e| e.message)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tenet_sema::program::RuleKind;
    use tenet_sema::{CheckInput, KindId, Origin};

    use super::{LookupField, lookups};

    fn checked(source: &str) -> tenet_sema::Program {
        let (ast, errors) = tenet_syntax::parse(source);
        assert!(errors.is_empty(), "{errors:?}");
        let path: Arc<str> = Arc::from("t.tenet");
        let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
        assert!(program.diagnostics.is_empty(), "{:?}", program.diagnostics);
        program
    }

    #[test]
    fn a_where_that_leaves_nothing_cites_each_file_once_and_counts_those_past_the_cap() {
        use crate::results::Citation;
        use crate::store::{Doc, DocData};
        let doc = |file: usize, line: u32| {
            Doc::new(DocData {
                fields: Box::new([]),
                key_field: None,
                effective: None,
                markdown: None,
                citation: Citation { path: Arc::from(format!("f{file:03}.yaml")), line, column: 1 },
            })
        };
        let docs: Vec<Doc> = (0..70).flat_map(|f| [doc(f, 1), doc(f, 5)]).collect();
        let (cited, more) = super::files_of(&docs);
        assert_eq!((cited.len(), more), (super::MAX_CITATIONS, 70 - super::MAX_CITATIONS));
        assert!(cited.iter().enumerate().all(|(f, c)| *c.path == *format!("f{f:03}.yaml") && c.line == 1));
        assert_eq!(super::files_of(&[]), (Vec::new(), 0));
    }

    #[test]
    fn a_long_value_is_shortened_in_a_message() {
        let mut out = String::from("note: ");
        super::push_shortened(&mut out, &"é".repeat(502));
        assert_eq!(out, format!("note: {}… (2 more characters)", "é".repeat(500)));
        let mut short = String::new();
        super::push_shortened(&mut short, "fits");
        assert_eq!(short, "fits");
    }

    #[test]
    fn what_the_run_fixes_is_worked_out_once_and_what_a_subject_reads_is_left() {
        use tenet_sema::ir::{BinOp, ExprKind};
        use tenet_sema::value::Value;

        let program = checked(
            r#"
package t
param interval: duration = 1 month
param floor: int = 3
schema System from "s/*.yaml" {
  id: string key
  checked_on: date
  level: int
}
control X.1 "Systems are checked" {
  rule recent
    for s: System
    require s.checked_on >= today - interval and s.level > -floor and s.checked_on <= today + 99999 years
      and s.level in [floor, 4]
}
"#,
        );
        let today = jiff::civil::date(2024, 3, 31);
        let params = crate::interp::param_values(&program, today, &[]);
        let evidence = crate::store::MemoryEvidence::default();
        let cx = super::RuleContext {
            schemas: &program.schemas,
            evidence: &evidence,
            params: &params,
            today,
            budget: super::Budget::default(),
            passes: crate::Passes::Listed,
        };
        let RuleKind::Check(check) = &program.controls[0].rules[0].body.kind else { panic!("a check rule") };
        let bound = super::bound_to_run(&cx, check);
        let ExprKind::And(parts) = &bound.require.kind else { panic!("an `and`: {:?}", bound.require.kind) };
        let right = |e: &tenet_sema::ir::Expr| match &e.kind {
            ExprKind::Binary { op, lhs, rhs } => (*op, lhs.kind.clone(), rhs.kind.clone()),
            other => panic!("a comparison: {other:?}"),
        };
        // `today - interval`, a month before the last of March, is the end of February.
        let (op, lhs, rhs) = right(&parts[0]);
        assert_eq!(op, BinOp::Ge);
        assert!(matches!(lhs, ExprKind::Field { .. }), "the subject's field is read per subject");
        assert_eq!(rhs, ExprKind::Const(Value::Date(jiff::civil::date(2024, 2, 29))));
        let (_, _, rhs) = right(&parts[1]);
        assert_eq!(rhs, ExprKind::Const(Value::Int(-3)));
        // A date out of range fails: left to fail for each subject, as it did.
        let (_, _, rhs) = right(&parts[2]);
        assert!(matches!(rhs, ExprKind::Binary { op: BinOp::Add, .. }), "{rhs:?}");
        // A list of parameters is one constant list.
        let (_, _, rhs) = right(&parts[3]);
        assert_eq!(rhs, ExprKind::Const(Value::List(std::sync::Arc::from([Value::Int(3), Value::Int(4)]))));
        // The rule itself is untouched.
        assert!(matches!(&check.require.kind, ExprKind::And(parts) if matches!(
            &parts[0].kind, ExprKind::Binary { rhs, .. } if matches!(rhs.kind, ExprKind::Binary { .. })
        )));
    }

    #[test]
    fn a_rules_lookups_are_its_planned_joins_and_the_references_it_follows() {
        let program = checked(
            r#"
package t
schema System from "s/*.yaml" {
  id: string key
  name: string
}
schema Card from "c/*.yaml" {
  id: string key
  system: ref System
}
schema Check from "m/*.yaml" {
  id: string key
  card: ref Card
  ok: bool
}
control X.1 "Cards of named systems are checked" {
  rule checked
    for c: Card where c.system.name != ""
    require some m: Check where m.card == c satisfy m.ok
}
"#,
        );
        let body = &program.controls[0].rules[0].body;
        let RuleKind::Check(check) = &body.kind else { panic!("a check rule") };
        // `c.system.name` follows the reference to System by key; `m.card == c` is looked
        // up in Check's index on `card` (its second field).
        assert_eq!(lookups(check), [(KindId(0), LookupField::Key), (KindId(2), LookupField::Field(1))]);
    }

    #[test]
    fn a_look_up_settles_the_equality_it_came_from() {
        let program = checked(
            r#"
package t
schema System from "s/*.yaml" {
  id: string key
}
schema Review from "r/*.yaml" {
  id: string key
  system: ref System
  approved: bool
}
control X.1 "Systems are reviewed" {
  rule reviewed
    for s: System
    require some a: Review where a.approved and a.system == s
  rule seen
    for s: System
    require some a: Review where a.system == s
}
"#,
        );
        let settles = |rule: usize| {
            let RuleKind::Check(check) = &program.controls[0].rules[rule].body.kind else {
                panic!("a check rule")
            };
            let mut found = Vec::new();
            check.require.walk(&mut |e| {
                if let tenet_sema::ir::ExprKind::Quantifier { lookup: Some(l), .. } = &e.kind {
                    found.push((l.field, l.settles));
                }
            });
            found
        };
        // The second conjunct, and a filter that is the equality itself.
        assert_eq!(settles(0), [(LookupField::Field(1), 1)]);
        assert_eq!(settles(1), [(LookupField::Field(1), 0)]);
    }
}
