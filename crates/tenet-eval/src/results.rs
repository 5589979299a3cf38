//! The result model: what a run decides, rule by rule and subject by subject. It is a
//! versioned contract (see `tenet check --format json`), so fields are added, never
//! repurposed.

use std::sync::Arc;

use serde::Serialize;

/// The outcome of one rule for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// It does not.
    Fail,
    /// It could not be decided: a broken rule, an evaluation error, bad evidence.
    Error,
    /// It fails, under a waiver that has not expired.
    Waived,
    /// The control or rule does not apply (an exclusion, or `applies when`).
    NotApplicable,
    /// There is nothing to judge: the rule's domain is empty.
    NoEvidence,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::Waived,
        Status::NotApplicable,
        Status::NoEvidence,
    ];

    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Waived => "waived",
            Status::NotApplicable => "not_applicable",
            Status::NoEvidence => "no_evidence",
        }
    }
}

/// A place in an evidence file (or a policy file, for results about the policy itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Citation {
    /// The file, relative to the evidence root.
    pub path: Arc<str>,
    /// One-based line.
    pub line: u32,
    /// One-based column.
    pub column: u32,
}

/// The document a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SubjectRef {
    /// Its evidence kind.
    pub kind: Arc<str>,
    /// Its key: shared with the document's key, so results do not copy it.
    pub key: Arc<str>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// The control's qualified id.
    pub control: Arc<str>,
    /// The rule's name (`default` for a control's unnamed rule).
    pub rule: Arc<str>,
    /// The subject, for rules with `for`.
    pub subject: Option<SubjectRef>,
    /// The verdict.
    pub status: Status,
    /// Why, in words.
    pub message: Option<Arc<str>>,
    /// The subject's own place first, then every document the verdict read, in order.
    pub citations: Arc<[Citation]>,
    /// Documents read beyond those listed in `citations`.
    pub more_citations: usize,
    /// Set when a dependent package replaced or disabled the rule (added by the report;
    /// evaluation leaves it empty). Omitted from JSON when unset.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Arc<OverrideNote>>,
}

/// A rule a dependent package replaced (`override`) or disabled (`disable`), as reports
/// show it next to the rule's results and in the Statement of Applicability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OverrideNote {
    /// The rule's name in its control.
    pub rule: Arc<str>,
    /// `replace` or `disable`.
    pub action: &'static str,
    /// The package that overrode it.
    pub package: Arc<str>,
    /// The justification.
    pub because: String,
    /// The policy file of the `override` or `disable`.
    pub file: Arc<str>,
    /// Its one-based line.
    pub line: u32,
}

impl OverrideNote {
    /// `replaced by `pkg`` or `disabled by `pkg``.
    pub fn by(&self) -> String {
        let verb = if self.action == "disable" { "disabled" } else { "replaced" };
        format!("{verb} by `{}`", self.package)
    }
}
