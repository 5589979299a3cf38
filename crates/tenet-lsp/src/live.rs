//! Live results in the editor: the lenses over controls and the `tenet.showFailing`
//! command read a control's results through [`Live`], computed by the same per-rule
//! queries as `tenet check` over the evidence under the first evidence root that exists
//! (`initializationOptions.evidenceRoots` or the `tenet.toml` roots), kept up to date with
//! the disk ([`crate::state::Host`]), so the editor and CI cannot disagree. Without
//! evidence, lenses show each control's rule count.

use std::path::PathBuf;

use serde::Serialize;
use tenet_ide::ControlCounts;

use crate::state::Snapshot;

/// The command a control's lens runs, with the control's qualified id as argument.
pub const SHOW_FAILING: &str = "tenet.showFailing";

/// How many failing results `tenet.showFailing` lists at most (it counts them all).
pub const FAILING_LISTED: usize = 100;

/// One failing result, as `tenet.showFailing` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingResult {
    /// The rule.
    pub rule: String,
    /// The subject's kind and key, when the rule has subjects.
    pub subject: Option<String>,
    /// Why it fails.
    pub message: Option<String>,
}

/// Where live results come from.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The directories of evidence, absolute.
    pub evidence_roots: Vec<PathBuf>,
}

impl Live {
    /// The tailored results of one control over the snapshot's evidence, from the same
    /// per-rule queries `tenet check` uses, so the editor and CI agree. Shared with the
    /// database's memo when no tailoring applies, so a lens over a large domain copies
    /// nothing.
    fn results(snapshot: &Snapshot, control: &str) -> Option<tenet_eval::Results> {
        let (evidence, settings) = snapshot.evidence?;
        let db = &snapshot.db;
        let program = tenet_db::program(db, snapshot.workspace);
        let index = program.controls.iter().position(|c| &*c.qualified == control)?;
        let c = &program.controls[index];
        let rules: Vec<tenet_eval::Results> = c
            .rules
            .iter()
            .map(|rule| {
                tenet_db::rule_results(
                    db,
                    snapshot.workspace,
                    evidence,
                    settings,
                    c.qualified.clone(),
                    rule.name.clone(),
                    tenet_eval::Passes::Listed,
                )
            })
            .collect();
        Some(tenet_db::tailor_control(db, snapshot.workspace, evidence, settings, index, &rules))
    }

    /// The live counts of a control, by qualified id; `None` when the workspace has no
    /// evidence. Counted once per run of results, not result by result.
    pub fn control_counts(&self, snapshot: &Snapshot, control: &str) -> Option<ControlCounts> {
        let counts = Live::results(snapshot, control)?.counts();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Some(ControlCounts {
            pass: count(counts.pass),
            fail: count(counts.fail),
            error: count(counts.error),
            waived: count(counts.waived),
            not_applicable: count(counts.not_applicable),
            no_evidence: count(counts.no_evidence),
        })
    }

    /// The first [`FAILING_LISTED`] failing results of a control, in rule and subject order,
    /// and how many fail in all, for `tenet.showFailing`; `None` when the workspace has no
    /// evidence. A control over a large domain can fail for tens of thousands of subjects,
    /// which a reply to a click need not carry.
    pub fn failing(&self, snapshot: &Snapshot, control: &str) -> Option<(Vec<FailingResult>, usize)> {
        let results = Live::results(snapshot, control)?;
        let counts = results.counts();
        let failing = results
            .iter()
            .filter(|r| matches!(r.status, tenet_eval::Status::Fail | tenet_eval::Status::Error))
            .take(FAILING_LISTED)
            .map(|r| FailingResult {
                rule: r.rule.to_string(),
                subject: r.subject.as_ref().map(|s| format!("{} {}", s.kind, s.key)),
                message: r.message.as_ref().map(|m| m.to_string()),
            })
            .collect();
        Some((failing, counts.fail + counts.error))
    }
}
