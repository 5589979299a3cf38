//! The report of a run: every control with its metadata, its results and an overall
//! status, plus the date and counts. Every output format (text, JSON, SARIF, JUnit,
//! Markdown, HTML, OSCAL) renders this one model, so they cannot disagree.

use std::sync::Arc;

use jiff::civil::Date;
use serde::{Serialize, Serializer};
use tenet_sema::Origin;
use tenet_sema::program::{ControlId, Program};

pub use crate::results::StatusCounts;
use crate::results::{OverrideNote, Results, RuleResult, Status};

/// Version of the JSON report; raised whenever a field changes meaning.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// One run's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// The report format's version.
    pub schema_version: u32,
    /// The Tenet version that produced it.
    pub tenet_version: &'static str,
    /// The date the run was evaluated as of (`today`).
    #[serde(serialize_with = "date_text")]
    pub as_of: Date,
    /// Counts of results and controls by status.
    pub summary: Summary,
    /// Controls in declaration order, built-in packs after the workspace's.
    pub controls: Vec<ControlReport>,
    /// Every parameter some package `set`, with where its value came from. Omitted from
    /// JSON when nothing was set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<SettingReport>,
}

/// A parameter's effective value and the `set` that gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingReport {
    /// Qualified name (`iso42001.impact_review_interval`).
    pub parameter: String,
    /// The value in force.
    pub value: String,
    /// The declared default.
    pub default: String,
    /// The `set` in force.
    pub set_by: SettingSource,
    /// `set`s of packages the winner depends on, which it replaced (nearest first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<SettingSource>,
}

/// One `set`: which package, where, why, and the value it gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingSource {
    /// The package.
    pub package: Arc<str>,
    /// Its policy file.
    pub file: Arc<str>,
    /// One-based line of the `set`.
    pub line: u32,
    /// The value it gave.
    pub value: String,
    /// Its justification.
    pub because: Option<String>,
}

/// Who declared a control not applicable, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExclusionSource {
    /// The package.
    pub package: Arc<str>,
    /// Its policy file.
    pub file: Arc<str>,
    /// One-based line.
    pub line: u32,
}

fn settings(program: &Program, as_of: Date, line_of: &dyn Fn(&str, u32) -> u32) -> Vec<SettingReport> {
    let text = |expr: &tenet_sema::ir::Expr| {
        crate::evaluate_constant(program, expr, as_of)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("(cannot evaluate: {e})"))
    };
    let package_name = |id: tenet_sema::program::PackageId| {
        program.packages.get(id.index()).map_or_else(|| Arc::from("?"), |p| p.name.clone())
    };
    let source = |setting: &tenet_sema::program::Setting, value: String| {
        let file = program.path(setting.file).clone();
        SettingSource {
            package: package_name(setting.package),
            line: line_of(&file, setting.span.start),
            file,
            value,
            because: setting.because.clone(),
        }
    };
    let mut out: Vec<SettingReport> = program
        .params
        .iter()
        .filter_map(|p| {
            let set_by = p.set_by.as_ref()?;
            let value = text(&p.value);
            let mut replaced: Vec<&(tenet_sema::program::Setting, tenet_sema::ir::Expr)> =
                p.replaced_sets.iter().collect();
            // Nearest first: a package that uses more of the others comes before them.
            replaced.sort_by_key(|(s, _)| std::cmp::Reverse(s.package.index()));
            Some(SettingReport {
                parameter: format!("{}.{}", package_name(p.package), p.name),
                default: text(&p.default),
                set_by: source(set_by, value.clone()),
                value,
                replaces: replaced.into_iter().map(|(s, e)| source(s, text(e))).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.parameter.cmp(&b.parameter));
    out
}

/// Counts by status.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summary {
    /// Results by status.
    pub results: StatusCounts,
    /// Controls by overall status.
    pub controls: StatusCounts,
}

/// A control, clause or objective with its results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlReport {
    /// Qualified id (`iso42001.A.5.2`).
    pub id: Arc<str>,
    /// Id within its package (`A.5.2`).
    pub local_id: Arc<str>,
    /// Its package.
    pub package: Arc<str>,
    /// `control`, `clause` or `objective`.
    pub kind: &'static str,
    /// Its title.
    pub title: String,
    /// What it is for.
    pub objective: Option<String>,
    /// Its doc comment.
    pub doc: Option<String>,
    /// `low` to `critical`.
    pub severity: &'static str,
    /// True for the packs being checked, false for built-in and dependency packs.
    pub workspace: bool,
    /// The overall status.
    pub status: Status,
    /// The exclusion's justification, when declared not applicable.
    pub exclusion: Option<String>,
    /// Who declared it not applicable, when the control is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion_by: Option<ExclusionSource>,
    /// Where it is declared: policy file and one-based line.
    pub declared_at: (Arc<str>, u32),
    /// Framework requirements it maps to.
    pub mappings: Vec<MappingReport>,
    /// Its rules that a dependent package replaced or disabled, with the justification.
    /// Omitted from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Arc<OverrideNote>>,
    /// Its results, shared with the database's memo when tailoring changed nothing, so a
    /// re-check does not copy every result of every control.
    pub results: Results,
}

/// A mapping from a control to a framework requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingReport {
    /// The framework's name.
    pub framework: Arc<str>,
    /// The requirement's id.
    pub requirement: Arc<str>,
    /// `equal`, `subset`, `superset`, `intersects`, `related` or `unknown`.
    pub relationship: &'static str,
}

fn date_text<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// The overall status of a control from the counts of its results: an error or a failure
/// anywhere decides; a control is passing only when every applicable result passes.
pub fn control_status(counts: &StatusCounts) -> Status {
    let total: usize = Status::ALL.iter().map(|s| counts.get(*s)).sum();
    if total == 0 {
        return Status::NoEvidence;
    }
    if total == counts.not_applicable {
        return Status::NotApplicable;
    }
    [Status::Error, Status::Fail, Status::NoEvidence, Status::Waived]
        .into_iter()
        .find(|s| counts.get(*s) > 0)
        .unwrap_or(Status::Pass)
}

/// The overrides of a control's rules, in the order of its rules.
fn override_notes(
    program: &Program,
    control: ControlId,
    line_of: &dyn Fn(&str, u32) -> u32,
) -> Vec<Arc<OverrideNote>> {
    let Some(c) = program.controls.get(control.index()) else { return Vec::new() };
    c.rules
        .iter()
        .filter_map(|r| r.overridden.as_ref())
        .map(|o| {
            let file = program.path(o.file).clone();
            Arc::new(OverrideNote {
                rule: o.rule.clone(),
                action: o.action.as_str(),
                package: program
                    .packages
                    .get(o.package.index())
                    .map_or_else(|| Arc::from("?"), |p| p.name.clone()),
                because: o.because.clone(),
                line: line_of(&file, o.target.start),
                file,
            })
        })
        .collect()
}

/// Builds the report from each control's tailored results; `line_of` turns a policy
/// file and byte offset into a one-based line.
pub fn build_report(
    program: &Program,
    as_of: Date,
    results: Vec<(ControlId, Results)>,
    line_of: &dyn Fn(&str, u32) -> u32,
) -> RunReport {
    let mut summary = Summary::default();
    let mut controls = Vec::with_capacity(results.len());
    for (id, results) in results {
        let Some(c) = program.controls.get(id.index()) else { continue };
        let overrides = override_notes(program, id, line_of);
        let results = if overrides.is_empty() {
            results
        } else {
            Results::from(
                results
                    .iter()
                    .map(|r| RuleResult {
                        overridden: overrides.iter().find(|o| o.rule == r.rule).cloned(),
                        ..r.clone()
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let package = program.packages.get(c.package.index());
        // A control's status follows from its counts, which its runs hold.
        let counts = results.counts();
        let status = control_status(&counts);
        summary.controls.add(status);
        summary.results.add_all(&counts);
        let path = program.path(c.file).clone();
        let line = line_of(&path, c.span.start);
        let mappings = program
            .mappings
            .iter()
            .filter(|m| m.control == id)
            .map(|m| MappingReport {
                framework: program
                    .frameworks
                    .get(m.framework.index())
                    .map_or_else(|| Arc::from("?"), |f| f.name.clone()),
                requirement: m.requirement.clone(),
                relationship: m.relationship.as_str(),
            })
            .collect();
        controls.push(ControlReport {
            id: c.qualified.clone(),
            local_id: c.local_id.clone(),
            package: package.map_or_else(|| Arc::from("?"), |p| p.name.clone()),
            kind: c.kind.as_str(),
            title: c.title.clone(),
            objective: c.intent.clone(),
            doc: c.doc.clone(),
            severity: c.severity.as_str(),
            workspace: package.is_some_and(|p| p.origin == Origin::Workspace),
            status,
            exclusion: program.exclusions.iter().find(|e| e.control == id).map(|e| e.because.clone()),
            exclusion_by: program.exclusions.iter().find(|e| e.control == id).map(|e| {
                let file = program.path(e.file).clone();
                ExclusionSource {
                    package: program
                        .packages
                        .get(e.package.index())
                        .map_or_else(|| Arc::from("?"), |p| p.name.clone()),
                    line: line_of(&file, e.span.start),
                    file,
                }
            }),
            declared_at: (path, line),
            mappings,
            overrides,
            results,
        });
    }
    RunReport {
        schema_version: REPORT_SCHEMA_VERSION,
        tenet_version: env!("CARGO_PKG_VERSION"),
        as_of,
        summary,
        controls,
        settings: settings(program, as_of, line_of),
    }
}
