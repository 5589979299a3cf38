//! What changed between two reports of the same checks: what `tenet watch` prints after
//! each edit. Results are shared runs, and a re-check keeps the runs of the chunks and
//! rules an edit did not reach, so the runs two reports share are passed over unread and
//! comparing costs what the edit changed, not the whole report.

use std::collections::{HashMap, HashSet};

use crate::report::RunReport;
use crate::results::{NO_RESULTS, Results, RuleResult, Run, SubjectRef};

/// How one result differs between two reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change<'r> {
    /// The result is in both, with another status now.
    Status {
        /// As it was.
        before: &'r RuleResult,
        /// As it is.
        now: &'r RuleResult,
    },
    /// A result the earlier report did not have.
    New(&'r RuleResult),
    /// A result the later report no longer has.
    Gone(&'r RuleResult),
}

/// One changed result, with the id of its control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResultChange<'r> {
    /// The control's qualified id.
    pub control: &'r str,
    /// What changed.
    pub change: Change<'r>,
}

/// A result as changes match it within its control: its rule and its subject.
type ResultKey<'r> = (&'r str, Option<&'r SubjectRef>);

fn key(r: &RuleResult) -> ResultKey<'_> {
    (&r.rule, r.subject.as_ref())
}

impl RunReport {
    /// The results whose status differs from `before`'s, those new and those gone (a
    /// result is its control, rule and subject; a new message alone is no change). In
    /// order of control, then rule, then within a rule the changed and new results before
    /// those gone, each by subject.
    pub fn changes_since<'r>(&'r self, before: &'r RunReport) -> Vec<ResultChange<'r>> {
        let earlier: HashMap<&str, &Results> = before.controls.iter().map(|c| (&*c.id, &c.results)).collect();
        let mut changes = Vec::new();
        for control in &self.controls {
            let old = earlier.get(&*control.id).copied().unwrap_or(&NO_RESULTS);
            changes_in(&control.id, old, &control.results, &mut changes);
        }
        let current: HashSet<&str> = self.controls.iter().map(|c| &*c.id).collect();
        for control in before.controls.iter().filter(|c| !current.contains(&*c.id)) {
            changes_in(&control.id, &control.results, &NO_RESULTS, &mut changes);
        }
        let order = |c: &ResultChange<'r>| {
            let (rank, r) = match c.change {
                Change::Status { now, .. } | Change::New(now) => (0, now),
                Change::Gone(before) => (1, before),
            };
            (c.control, &*r.rule, rank, r.subject.as_ref())
        };
        changes.sort_by(|a, b| order(a).cmp(&order(b)));
        changes
    }
}

/// The changes within one control, from `old` to `new`.
fn changes_in<'r>(control: &'r str, old: &'r Results, new: &'r Results, changes: &mut Vec<ResultChange<'r>>) {
    // Runs that are the same place for place hold the same results in both: only the
    // others are read.
    let (old_runs, new_runs): (Vec<&Run>, Vec<&Run>) = if old.runs().len() == new.runs().len() {
        old.runs().iter().zip(new.runs()).filter(|(a, b)| a != b).unzip()
    } else {
        (old.runs().iter().collect(), new.runs().iter().collect())
    };
    let earlier: HashMap<ResultKey<'r>, &'r RuleResult> =
        old_runs.iter().flat_map(|run| run.results()).map(|r| (key(r), r)).collect();
    let mut seen: HashSet<ResultKey<'r>> = HashSet::new();
    for now in new_runs.iter().flat_map(|run| run.results()) {
        seen.insert(key(now));
        let change = match earlier.get(&key(now)) {
            Some(before) if before.status == now.status => continue,
            Some(before) => Change::Status { before, now },
            None => Change::New(now),
        };
        changes.push(ResultChange { control, change });
    }
    for before in old_runs.iter().flat_map(|run| run.results()).filter(|r| !seen.contains(&key(r))) {
        changes.push(ResultChange { control, change: Change::Gone(before) });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::report::{ControlReport, RunReport, Summary};
    use crate::results::Status;

    fn result(rule: &str, key: &str, status: Status) -> RuleResult {
        RuleResult {
            control: Arc::from("p.C.1"),
            rule: Arc::from(rule),
            subject: Some(SubjectRef { kind: Arc::from("AiSystem"), key: key.into() }),
            status,
            message: None,
            citations: Default::default(),
            more_citations: 0,
            overridden: None,
        }
    }

    fn report(controls: Vec<(&str, Vec<Run>)>) -> RunReport {
        let control = |(id, runs): (&str, Vec<Run>)| ControlReport {
            id: Arc::from(id),
            local_id: Arc::from(id.trim_start_matches("p.")),
            package: Arc::from("p"),
            kind: "control",
            title: String::new(),
            objective: None,
            doc: None,
            severity: "medium",
            workspace: true,
            status: Status::Pass,
            exclusion: None,
            exclusion_by: None,
            declared_at: (Arc::from("p.tenet"), 1),
            mappings: Vec::new(),
            overrides: Vec::new(),
            results: Results::from_runs(runs),
        };
        RunReport {
            schema_version: 1,
            tenet_version: "test",
            as_of: jiff::civil::date(2026, 1, 1),
            summary: Summary::default(),
            controls: controls.into_iter().map(control).collect(),
            settings: Vec::new(),
        }
    }

    /// Each change as `control rule subject: what`.
    fn shown(changes: &[ResultChange<'_>]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                let (what, r) = match c.change {
                    Change::Status { before, now } => {
                        (format!("{} → {}", before.status.as_str(), now.status.as_str()), now)
                    }
                    Change::New(r) => (format!("new {}", r.status.as_str()), r),
                    Change::Gone(r) => ("gone".to_owned(), r),
                };
                let key = r.subject.as_ref().map(|s| s.key.to_string()).unwrap_or_default();
                format!("{} {} {key}: {what}", c.control, r.rule)
            })
            .collect()
    }

    #[test]
    fn statuses_that_changed_new_results_and_gone_ones_are_listed_in_order() {
        let kept = Run::new(vec![result("a", "s1", Status::Pass), result("a", "s2", Status::Fail)]);
        let before = report(vec![
            (
                "p.C.1",
                vec![
                    kept.clone(),
                    Run::new(vec![result("a", "s3", Status::Pass), result("a", "s4", Status::Pass)]),
                ],
            ),
            ("p.C.2", vec![Run::new(vec![result("b", "s1", Status::Pass)])]),
            ("p.C.3", vec![Run::new(vec![result("c", "s1", Status::Fail)])]),
        ]);
        let now = report(vec![
            (
                "p.C.1",
                vec![kept, Run::new(vec![result("a", "s3", Status::Fail), result("a", "s5", Status::Pass)])],
            ),
            ("p.C.2", vec![Run::new(vec![result("b", "s1", Status::Pass)])]),
            ("p.C.4", vec![Run::new(vec![result("d", "s1", Status::Error)])]),
        ]);
        assert_eq!(
            shown(&now.changes_since(&before)),
            [
                "p.C.1 a s3: pass → fail",
                "p.C.1 a s5: new pass",
                "p.C.1 a s4: gone",
                "p.C.3 c s1: gone",
                "p.C.4 d s1: new error",
            ]
        );
        assert!(now.changes_since(&now).is_empty());
    }

    #[test]
    fn a_result_that_moved_to_another_run_is_matched_by_rule_and_subject() {
        // A subject added at the front shifts every chunk's subjects: no run is the same.
        let before = report(vec![(
            "p.C.1",
            vec![
                Run::new(vec![result("a", "s1", Status::Pass), result("a", "s2", Status::Pass)]),
                Run::new(vec![result("a", "s3", Status::Fail)]),
            ],
        )]);
        let now = report(vec![(
            "p.C.1",
            vec![
                Run::new(vec![result("a", "s0", Status::Pass), result("a", "s1", Status::Pass)]),
                Run::new(vec![result("a", "s2", Status::Pass), result("a", "s3", Status::Pass)]),
            ],
        )]);
        assert_eq!(shown(&now.changes_since(&before)), ["p.C.1 a s0: new pass", "p.C.1 a s3: fail → pass"]);
    }
}
