//! Live results in the editor: the lenses over controls and the `tenet.showFailing`
//! command read a control's results through [`Live`], computed by the same per-rule
//! queries as `tenet check` over the evidence found at initialisation
//! (`initializationOptions.evidenceRoots` or the `tenet.toml` roots), so the editor and CI
//! cannot disagree. Without evidence, lenses show each control's rule count.

use std::path::PathBuf;

use serde::Serialize;
use tenet_ide::ControlCounts;

use crate::state::Snapshot;

/// The command a control's lens runs, with the control's qualified id as argument.
pub const SHOW_FAILING: &str = "tenet.showFailing";

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
    /// per-rule queries `tenet check` uses, so the editor and CI agree.
    fn results(snapshot: &Snapshot, control: &str) -> Option<Vec<tenet_eval::RuleResult>> {
        let (evidence, settings) = snapshot.evidence?;
        let db = &snapshot.db;
        let program = tenet_db::program(db, snapshot.workspace);
        let index = program.controls.iter().position(|c| &*c.qualified == control)?;
        let c = &program.controls[index];
        let mut results = Vec::new();
        for rule in &c.rules {
            let rule_results = tenet_db::rule_results(
                db,
                snapshot.workspace,
                evidence,
                settings,
                c.qualified.clone(),
                rule.name.clone(),
                tenet_eval::Passes::Listed,
            );
            results.extend(rule_results.iter().cloned());
        }
        Some(tenet_db::tailor_control(db, snapshot.workspace, evidence, settings, index, results))
    }

    /// The live counts of a control, by qualified id; `None` when the workspace has no
    /// evidence.
    pub fn control_counts(&self, snapshot: &Snapshot, control: &str) -> Option<ControlCounts> {
        let results = Live::results(snapshot, control)?;
        let mut counts = ControlCounts::default();
        for r in &results {
            let slot = match r.status {
                tenet_eval::Status::Pass => &mut counts.pass,
                tenet_eval::Status::Fail => &mut counts.fail,
                tenet_eval::Status::Error => &mut counts.error,
                tenet_eval::Status::Waived => &mut counts.waived,
                tenet_eval::Status::NotApplicable => &mut counts.not_applicable,
                tenet_eval::Status::NoEvidence => &mut counts.no_evidence,
            };
            *slot += 1;
        }
        Some(counts)
    }

    /// The failing results of a control, for `tenet.showFailing`; `None` when the
    /// workspace has no evidence.
    pub fn failing(&self, snapshot: &Snapshot, control: &str) -> Option<Vec<FailingResult>> {
        let results = Live::results(snapshot, control)?;
        Some(
            results
                .into_iter()
                .filter(|r| matches!(r.status, tenet_eval::Status::Fail | tenet_eval::Status::Error))
                .map(|r| FailingResult {
                    rule: r.rule.to_string(),
                    subject: r.subject.map(|s| format!("{} {}", s.kind, s.key)),
                    message: r.message.map(|m| m.to_string()),
                })
                .collect(),
        )
    }
}
