//! The formats CI systems read, rendered from the one report model
//! ([`RunReport`](tenet_eval::report::RunReport)), so that they cannot disagree with each
//! other or with `tenet check`'s own text and JSON.
//!
//! Every format also carries the run's diagnostics (problems in the policies and in the
//! evidence), as that format's readers expect: a run that exits 2 because evidence is
//! broken never reads as clean in a pull-request comment or a code-scanning tab. They come
//! [located](tenet_diagnostics::LocatedDiagnostic), lines and columns worked out as the
//! terminal and the JSON report show them, so no renderer reads a source file.
//!
//! Paths: citations are relative to the evidence root; renderers prefix them with
//! [`Paths::evidence_root`] so that code-scanning services and pull-request comments can
//! link to the files in the repository. Diagnostics name their files as the terminal
//! shows them, evidence files already under the evidence root, so their paths are used
//! as they are.

mod frameworks;
mod html;
mod json;
mod junit;
mod markdown;
mod oscal;
mod sarif;

use tenet_diagnostics::LocatedDiagnostic;

pub use frameworks::{RequirementRow, RequirementStatus, SoaRow, framework_rows, statement_of_applicability};
pub use html::{html, write_html};
pub use json::{write_pretty_json, write_report_json};
pub use junit::write_junit;
pub use markdown::{MARKDOWN_LIMIT, markdown};
pub use oscal::{OSCAL_VERSION, oscal, write_oscal};
pub use sarif::{SARIF_MAX_RESULTS, SarifSelection, sarif, write_sarif};

/// Citations the text and HTML reports show per result before `… and N more`; the
/// machine-readable reports (JSON, SARIF, OSCAL, JUnit) list every citation a result holds.
pub const SHOWN_CITATIONS: usize = 5;

/// Where the files a report names are, relative to the repository root.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// The evidence directory, `/`-separated, without a trailing slash (`""` for none).
    pub evidence_root: String,
}

impl Paths {
    /// An evidence citation's path as the repository names it.
    pub fn evidence(&self, path: &str) -> String {
        if self.evidence_root.is_empty() { path.to_owned() } else { format!("{}/{path}", self.evidence_root) }
    }
}

/// Escapes text for XML attributes and content.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// Error diagnostics among `diagnostics`: what makes a run exit 2 whatever its verdicts.
pub(crate) fn errors(diagnostics: &[LocatedDiagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

/// `kind key` of a result's subject, or the empty string.
pub(crate) fn subject_text(r: &tenet_eval::RuleResult) -> String {
    r.subject.as_ref().map(|s| format!("{} {}", s.kind, s.key)).unwrap_or_default()
}

/// Reports for the renderers' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::sync::Arc;

    use tenet_diagnostics::{Code, LineCol, LocatedDiagnostic, Place, RelatedPlace, Severity};
    use tenet_eval::report::{ControlReport, RunReport, Summary};
    use tenet_eval::{Citation, Results, RuleResult, Status, SubjectRef};

    /// Result `i` of control `t.C.1`: every third fails, with a message that must be
    /// escaped in any format.
    pub fn result(i: usize) -> RuleResult {
        RuleResult {
            control: Arc::from("t.C.1"),
            rule: Arc::from("r"),
            subject: Some(SubjectRef { kind: Arc::from("System"), key: format!("s{i:04}").into() }),
            status: if i.is_multiple_of(3) { Status::Fail } else { Status::Pass },
            message: (i.is_multiple_of(3)).then(|| Arc::from(format!("s{i:04} <fails> & \"why\""))),
            citations: vec![Citation { path: Arc::from("systems/s.yaml"), line: i as u32 + 1, column: 3 }]
                .into(),
            more_citations: 0,
            overridden: None,
        }
    }

    /// A failing control `t.{local_id}` holding `results`.
    pub fn control(local_id: &str, results: Results) -> ControlReport {
        ControlReport {
            id: Arc::from(format!("t.{local_id}")),
            local_id: Arc::from(local_id),
            package: Arc::from("t"),
            kind: "control",
            title: "Every system passes".to_owned(),
            objective: None,
            doc: None,
            severity: "high",
            workspace: true,
            status: Status::Fail,
            exclusion: None,
            exclusion_by: None,
            declared_at: (Arc::from("t.tenet"), 1),
            mappings: Vec::new(),
            overrides: Vec::new(),
            results,
        }
    }

    /// The diagnostics of a run with broken evidence: an error with help, an error with a
    /// related place in another file, and a warning whose message must be escaped.
    pub fn diagnostics() -> Vec<LocatedDiagnostic> {
        let place = |path: &str, line, column, end| Place {
            path: Arc::from(path),
            start: LineCol { line, column },
            end: LineCol { line, column: end },
        };
        vec![
            LocatedDiagnostic {
                code: Code::EVIDENCE_ENUM,
                severity: Severity::Error,
                message: "`risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\"".to_owned(),
                place: place("evidence/inv/x.csv", 4, 8, 12),
                help: Some("did you mean \"high\"?".to_owned()),
                related: Vec::new(),
            },
            LocatedDiagnostic {
                code: Code::DUPLICATE_KEY,
                severity: Severity::Error,
                message: "`s1` is the key of another document".to_owned(),
                place: place("evidence/inv/y.csv", 2, 1, 3),
                help: None,
                related: vec![RelatedPlace {
                    place: place("evidence/inv/x.csv", 2, 1, 3),
                    message: "the first document with key `s1`".to_owned(),
                }],
            },
            LocatedDiagnostic {
                code: Code::UNKNOWN_EVIDENCE_FIELD,
                severity: Severity::Warning,
                message: "`owner <x>` & co is not a field of `AiSystem`".to_owned(),
                place: place("evidence/inv/x.csv", 1, 9, 14),
                help: None,
                related: Vec::new(),
            },
        ]
    }

    /// A report of `controls` as of 2026-06-30.
    pub fn report(controls: Vec<ControlReport>) -> RunReport {
        RunReport {
            schema_version: 1,
            tenet_version: "test",
            as_of: jiff::civil::date(2026, 6, 30),
            summary: Summary::default(),
            controls,
            settings: Vec::new(),
        }
    }
}
