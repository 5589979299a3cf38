//! Framework views of a run: the Statement of Applicability for ISO/IEC 42001 Annex A, and
//! each requirement of a framework (EU AI Act, NIST AI RMF) with a status derived through
//! the mappings. A requirement is met only through `equal` or `superset` mappings whose
//! controls pass; other relationships can make it partial, never met.

use std::collections::BTreeSet;

use serde::Serialize;
use tenet_eval::Status;
use tenet_eval::report::{ControlReport, RunReport};

/// One row of the Statement of Applicability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoaRow {
    /// The Annex A control, `A.5.2`.
    pub control: String,
    /// Its title.
    pub title: String,
    /// Whether it applies.
    pub applicable: bool,
    /// Why it is excluded (or the objective, when it applies).
    pub justification: String,
    /// `implemented`, `not implemented`, `waived`, `undetermined` (its evidence or rules have
    /// errors, so the statement cannot say either way), `not assessed` or `excluded`.
    pub implementation: &'static str,
    /// Evidence files the results cite.
    pub evidence: Vec<String>,
    /// The control's rules that a dependent package replaced or disabled, each with its
    /// justification: `rule r replaced by `pkg`: why`.
    pub overrides: Vec<String>,
    /// The package that declared the control not applicable, when it is excluded: with
    /// packs shared across an organisation, an exclusion may come from a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_by: Option<String>,
}

/// The Statement of Applicability: every Annex A control of the `iso42001` pack.
pub fn statement_of_applicability(report: &RunReport, paths: &crate::Paths) -> Vec<SoaRow> {
    report
        .controls
        .iter()
        .filter(|c| &*c.package == "iso42001" && c.local_id.starts_with("A."))
        .map(|c| {
            let evidence: BTreeSet<String> =
                c.results.iter().flat_map(|r| r.citations.iter().map(|k| paths.evidence(&k.path))).collect();
            let implementation = match (c.exclusion.is_some(), c.status) {
                (true, _) => "excluded",
                (_, Status::Pass) => "implemented",
                (_, Status::Fail) => "not implemented",
                // Evidence that could not be read proves neither way.
                (_, Status::Error) => "undetermined",
                (_, Status::Waived) => "waived",
                (_, Status::NoEvidence | Status::NotApplicable) => "not assessed",
            };
            SoaRow {
                control: c.local_id.to_string(),
                title: c.title.clone(),
                applicable: c.exclusion.is_none(),
                justification: c.exclusion.clone().or_else(|| c.objective.clone()).unwrap_or_default(),
                excluded_by: c.exclusion_by.as_ref().map(|e| e.package.to_string()),
                implementation,
                evidence: evidence.into_iter().collect(),
                overrides: c
                    .overrides
                    .iter()
                    .map(|o| format!("rule {} {}: {}", o.rule, o.by(), o.because))
                    .collect(),
            }
        })
        .collect()
}

/// The derived status of one framework requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    /// An `equal` or `superset` mapping's control passes, and no mapped control fails.
    Met,
    /// Some mapped control passes, but only through weaker relationships.
    Partial,
    /// A mapped control fails.
    Failing,
    /// A mapped control is in error (its evidence or rules could not be read) and none
    /// fails: the requirement can be called neither met nor failing.
    Undetermined,
    /// Controls map to it, but none has a verdict (no evidence, not applicable).
    NotAssessed,
    /// No control maps to it.
    NotCovered,
}

/// One requirement with the controls behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementRow {
    /// Its id, `Art. 27`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The derived status.
    pub status: RequirementStatus,
    /// `control (relationship): status` for each mapped control.
    pub controls: Vec<String>,
}

/// The requirements of `framework` (id and title, in catalog order) with derived statuses.
pub fn framework_rows(
    report: &RunReport,
    framework: &str,
    requirements: &[(String, String)],
) -> Vec<RequirementRow> {
    requirements
        .iter()
        .map(|(id, title)| {
            let mapped: Vec<(&ControlReport, &str)> = report
                .controls
                .iter()
                .flat_map(|c| {
                    c.mappings
                        .iter()
                        .filter(|m| &*m.framework == framework && &*m.requirement == id.as_str())
                        .map(move |m| (c, m.relationship))
                })
                .collect();
            let strong = |rel: &str| matches!(rel, "equal" | "superset");
            let status = if mapped.is_empty() {
                RequirementStatus::NotCovered
            } else if mapped.iter().any(|(c, _)| c.status == Status::Fail) {
                RequirementStatus::Failing
            } else if mapped.iter().any(|(c, _)| c.status == Status::Error) {
                RequirementStatus::Undetermined
            } else if mapped.iter().any(|(c, rel)| strong(rel) && c.status == Status::Pass) {
                RequirementStatus::Met
            } else if mapped.iter().any(|(c, _)| matches!(c.status, Status::Pass | Status::Waived)) {
                RequirementStatus::Partial
            } else {
                RequirementStatus::NotAssessed
            };
            let mut controls: Vec<String> =
                mapped.iter().map(|(c, rel)| format!("{} ({rel}): {}", c.id, c.status.as_str())).collect();
            controls.dedup();
            RequirementRow { id: id.clone(), title: title.clone(), status, controls }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tenet_eval::Results;
    use tenet_eval::report::MappingReport;

    use super::*;
    use crate::fixtures::{control, report};

    #[test]
    fn a_requirement_is_failing_on_a_failure_and_undetermined_on_an_error_alone() {
        let mapped = |id: &str, status: Status, requirement: &str| {
            let mut c = control(id, Results::default());
            c.status = status;
            c.mappings = vec![MappingReport {
                framework: Arc::from("f"),
                requirement: Arc::from(requirement),
                relationship: "equal",
            }];
            c
        };
        let run = report(vec![
            mapped("A", Status::Pass, "R1"),
            mapped("B", Status::Error, "R1"),
            mapped("C", Status::Fail, "R2"),
            mapped("D", Status::Error, "R2"),
            mapped("E", Status::Pass, "R3"),
        ]);
        let requirements: Vec<(String, String)> =
            ["R1", "R2", "R3", "R4"].iter().map(|r| (r.to_string(), String::new())).collect();
        let statuses: Vec<RequirementStatus> =
            framework_rows(&run, "f", &requirements).iter().map(|r| r.status).collect();
        use RequirementStatus as S;
        assert_eq!(statuses, [S::Undetermined, S::Failing, S::Met, S::NotCovered]);
        let soa_row = statement_of_applicability(
            &report(vec![ControlReport {
                package: Arc::from("iso42001"),
                ..mapped("A.1.1", Status::Error, "R1")
            }]),
            &crate::Paths::default(),
        );
        assert_eq!(soa_row[0].implementation, "undetermined");
    }
}
