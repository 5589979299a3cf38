//! Reusing a large rule's chunks after an evidence edit.
//!
//! A rule over many subjects is evaluated in fixed chunks. After one evidence file
//! changes, the database re-runs every rule that reads the file's kind, but most chunks
//! would give exactly what they gave before: an edit to one monitoring file changes the
//! verdict of the few systems that file mentions. So a long-lived database (the language
//! server, `tenet watch`) keeps, for each chunk, what it read from the evidence:
//!
//! - its subjects, by handle;
//! - every index look-up it made (kind, field or key, value);
//! - the kinds it ranged over whole;
//! - the steps it took.
//!
//! and, for the whole rule, each kind it looked up as it was (a shared handle to that
//! version of the kind's documents).
//!
//! On the next evaluation the documents that changed in each such kind are found by
//! comparing the two versions ([`KindDocs::changed_since`]): the documents both share,
//! handle for handle, at the start and at the end, are skipped without being looked at,
//! and of those in between, the ones equal in every value and written in the same place
//! (a file loaded again gives new handles) do not count. A look-up finds other documents
//! only if a changed document has, or had, the value it looked for. So a chunk is reused
//! when its subjects are the same documents, no kind it ranged over changed, and none of
//! its look-ups is for a value a changed document holds or held; the cost is the changed
//! documents and one probe per look-up, not a look-up again. The memo holds the versions
//! it compares with, so a handle is never compared with a stale one at a recycled address.
//! Evaluation reads evidence only through these look-ups, scans and the subjects
//! themselves (the interpreter's [`Interp::doc`] resolves only references they produced),
//! so a chunk whose reads all hold evaluates to the same results, which are shared with
//! the last run instead (each chunk's results are a run of their own, [`Results`]).
//!
//! Anything else a rule reads (its body, the parameters, today's date, the budget, the
//! schemas) is compared whole: when one differs, nothing is reused.
//!
//! [`Interp::doc`]: crate::interp::Interp::doc
//! [`Results`]: crate::results::Results
//! [`KindDocs::changed_since`]: crate::store::KindDocs::changed_since

use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::Arc;

use jiff::civil::Date;
use rustc_hash::FxHashSet;
use tenet_sema::KindId;
use tenet_sema::ir::LookupField;
use tenet_sema::program::{RuleBody, Schema};

use crate::interp::{Budget, ParamValues};
use crate::results::{Passes, Run};
use crate::store::{Doc, Evidence, IndexKey, KindDocs, lookups_finding};

/// What one evaluation read from the evidence besides its subjects: each index look-up,
/// and each kind it ranged over whole.
#[derive(Debug, Default)]
pub(crate) struct LookupLog {
    lookups: Vec<LookUp>,
    /// Kinds ranged over whole, without an index.
    scanned: Vec<KindId>,
    /// Each look-up's hash, sorted, and the kinds looked up: filled by
    /// [`LookupLog::seal`] once the chunk is evaluated.
    hashes: Vec<u64>,
    kinds: Vec<KindId>,
}

/// One index look-up: documents of a kind whose field (or key) is a value.
type LookUp = (KindId, LookupField, IndexKey);

fn hash_of(lookup: &LookUp) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(lookup)
}

impl LookupLog {
    /// Notes a look-up.
    pub(crate) fn lookup(&mut self, kind: KindId, field: LookupField, key: &IndexKey) {
        self.lookups.push((kind, field, key.clone()));
    }

    /// Notes that every document of `kind` was ranged over.
    pub(crate) fn scan(&mut self, kind: KindId) {
        if !self.scanned.contains(&kind) {
            self.scanned.push(kind);
        }
    }

    /// Sorts out what later checks ask, once the chunk's evaluation is over.
    pub(crate) fn seal(mut self) -> LookupLog {
        self.hashes = self.lookups.iter().map(hash_of).collect();
        self.hashes.sort_unstable();
        self.hashes.dedup();
        self.kinds = self.lookups.iter().map(|l| l.0).collect();
        self.kinds.sort_unstable();
        self.kinds.dedup();
        self
    }

    /// Whether a look-up would find other documents now: one of the changed documents
    /// has (or had) the value it looked for. When fewer look-ups changed than this chunk
    /// made, each is searched for among the chunk's hashes first, and only a hash found
    /// is checked in full.
    fn touches(&self, changed: &Changed) -> bool {
        if changed.lookups.is_empty() {
            return false;
        }
        if changed.hashes.len() < self.hashes.len()
            && !changed.hashes.iter().any(|h| self.hashes.binary_search(h).is_ok())
        {
            return false;
        }
        self.lookups.iter().any(|l| changed.lookups.contains(l))
    }
}

/// Every look-up whose documents an edit changed: each changed document's key and field
/// values, before and after, by kind; and their hashes, sorted.
#[derive(Default)]
struct Changed {
    lookups: FxHashSet<LookUp>,
    hashes: Vec<u64>,
}

/// What one chunk read and how many steps it took: what decides whether it can be reused.
#[derive(Debug)]
pub(crate) struct ChunkReads {
    /// The chunk's subjects, by handle.
    pub subjects: Vec<Doc>,
    /// Everything else it read.
    pub log: LookupLog,
    /// Steps taken.
    pub steps: u64,
    /// Steps left of its share at the end; zero when it may have run out.
    pub steps_left: u64,
}

impl ChunkReads {
    /// Whether evaluating the chunk over `subjects`, after the edits that changed
    /// `changed`, with a share of `share` steps, would read exactly what it read before,
    /// and so give the same results.
    fn holds(&self, subjects: &[Doc], changed: &Changed, share: u64) -> bool {
        // The same documents: the same handles, or, for a file loaded again, documents
        // equal in every value and in where they are written (their citations).
        self.fits(share) && subjects == self.subjects.as_slice() && !self.log.touches(changed)
    }

    /// Whether the same reads under a share of `share` steps take the same course: with the
    /// share it had, always (it stops where it stopped, if it ran out); with another, only
    /// if it did not run out and its steps fit the new share.
    fn fits(&self, share: u64) -> bool {
        let had = self.steps + self.steps_left;
        share == had || (self.steps_left > 0 && self.steps <= share)
    }
}

/// One chunk of the last evaluation: its reads and its results.
#[derive(Debug)]
struct ChunkMemo {
    range: Range<usize>,
    reads: Arc<ChunkReads>,
    results: Run,
}

/// What a rule's evaluation read besides the evidence: when any of it differs, no chunk
/// is reused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RuleInputs {
    pub body: Arc<RuleBody>,
    pub schemas: Arc<[Schema]>,
    pub params: ParamValues,
    pub today: Date,
    pub budget: Budget,
    pub passes: Passes,
}

/// A split rule's last evaluation, kept by a long-lived database so that the next one can
/// reuse the chunks an edit did not reach.
#[derive(Debug)]
pub struct RuleMemo {
    inputs: RuleInputs,
    chunks: Vec<ChunkMemo>,
    /// Every kind some chunk ranged over whole, and every kind some chunk looked up, as
    /// they were; `None` when the evidence does not share its kinds, and then nothing can
    /// be told unchanged.
    scanned: Option<Vec<(KindId, Arc<KindDocs>)>>,
    looked_up: Option<Vec<(KindId, Arc<KindDocs>)>>,
    reused: usize,
}

impl RuleMemo {
    /// How many chunks the evaluation that made this memo took from the one before.
    pub fn chunks_reused(&self) -> usize {
        self.reused
    }
}

/// The last evaluation as the next one consults it: the memo, if its inputs are the
/// current ones and no kind it ranged over whole has changed, and what changed in the
/// kinds it looked up.
pub(crate) struct Previous<'m> {
    memo: Option<&'m RuleMemo>,
    changed: Changed,
}

impl<'m> Previous<'m> {
    pub(crate) fn new(
        memo: Option<&'m RuleMemo>,
        inputs: &RuleInputs,
        evidence: &dyn Evidence,
    ) -> Previous<'m> {
        let memo = memo.filter(|m| {
            m.inputs == *inputs
                && m.looked_up.is_some()
                && m.scanned.as_ref().is_some_and(|scanned| {
                    scanned.iter().all(|(kind, before)| evidence.kind(*kind).docs() == before.docs())
                })
        });
        let mut changed = Changed::default();
        for (kind, before) in memo.and_then(|m| m.looked_up.as_ref()).into_iter().flatten() {
            for doc in evidence.kind(*kind).changed_since(before) {
                changed.lookups.extend(lookups_finding(doc).map(|(field, key)| (*kind, field, key)));
            }
        }
        changed.hashes = changed.lookups.iter().map(hash_of).collect();
        changed.hashes.sort_unstable();
        Previous { memo, changed }
    }

    /// The results of the last evaluation's chunk over `range`, if it would give the same
    /// again, with its reads.
    pub(crate) fn reusable(
        &self,
        range: &Range<usize>,
        subjects: &[Doc],
        share: u64,
    ) -> Option<(Run, Arc<ChunkReads>)> {
        let memo = self.memo?;
        // Chunks are kept in order of their first subject.
        let at = memo.chunks.binary_search_by_key(&range.start, |c| c.range.start).ok()?;
        let chunk = memo.chunks.get(at).filter(|c| c.range == *range)?;
        if !chunk.reads.holds(subjects, &self.changed, share) {
            return None;
        }
        Some((chunk.results.clone(), chunk.reads.clone()))
    }
}

/// One chunk as just evaluated or reused, for the next memo.
pub(crate) struct ChunkOutcome {
    pub range: Range<usize>,
    pub reads: Arc<ChunkReads>,
    pub results: Run,
    pub reused: bool,
}

/// The memo of an evaluation whose chunks were `chunks`, in order.
pub(crate) fn memo_of(inputs: RuleInputs, chunks: Vec<ChunkOutcome>, evidence: &dyn Evidence) -> RuleMemo {
    let looked_up = as_they_are(chunks.iter().flat_map(|c| c.reads.log.kinds.iter().copied()), evidence);
    let scanned = as_they_are(chunks.iter().flat_map(|c| c.reads.log.scanned.iter().copied()), evidence);
    let reused = chunks.iter().filter(|c| c.reused).count();
    let chunks = chunks
        .into_iter()
        .map(|c| ChunkMemo { range: c.range, reads: c.reads, results: c.results })
        .collect();
    RuleMemo { inputs, chunks, scanned, looked_up, reused }
}

/// Each of `kinds` once, with its documents as they are now; `None` when the evidence
/// does not share them.
fn as_they_are(
    kinds: impl Iterator<Item = KindId>,
    evidence: &dyn Evidence,
) -> Option<Vec<(KindId, Arc<KindDocs>)>> {
    let mut kinds: Vec<KindId> = kinds.collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.into_iter().map(|k| Some((k, evidence.shared(k)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(steps: u64, steps_left: u64) -> ChunkReads {
        ChunkReads { subjects: Vec::new(), log: LookupLog::default(), steps, steps_left }
    }

    #[test]
    fn a_chunk_is_reused_under_another_share_only_if_it_did_not_run_out_and_fits() {
        // Took 100 of 150 steps.
        assert!(chunk(100, 50).fits(150));
        assert!(chunk(100, 50).fits(100));
        assert!(chunk(100, 50).fits(1_000));
        assert!(!chunk(100, 50).fits(99));
        // Ran out of its 100 steps: it may have stopped early, so only the same share will do.
        assert!(chunk(100, 0).fits(100));
        assert!(!chunk(100, 0).fits(101));
        assert!(!chunk(100, 0).fits(99));
    }
}
