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

/// A rule's or a control's results, in order, held as shared runs: a large rule's chunks
/// each give a run, and a control joins its rules' runs. Joining, and reusing a chunk
/// after an edit, then copies handles rather than every result. Reads as one list.
#[derive(Debug, Clone, Default)]
pub struct Results {
    runs: Vec<Arc<[RuleResult]>>,
}

impl Results {
    /// Results made of `runs`, one after another (empty runs are left out).
    pub fn from_runs(runs: impl IntoIterator<Item = Arc<[RuleResult]>>) -> Results {
        Results { runs: runs.into_iter().filter(|r| !r.is_empty()).collect() }
    }

    /// Every result, in order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleResult> + Clone {
        self.runs.iter().flat_map(|run| run.iter())
    }

    /// How many results there are.
    pub fn len(&self) -> usize {
        self.runs.iter().map(|r| r.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The result at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&RuleResult> {
        let mut index = index;
        for run in &self.runs {
            match run.get(index) {
                Some(r) => return Some(r),
                None => index -= run.len(),
            }
        }
        None
    }

    /// The runs, for joining results without copying them.
    pub fn runs(&self) -> &[Arc<[RuleResult]>] {
        &self.runs
    }

    /// Every result, copied into a list of its own.
    pub fn to_vec(&self) -> Vec<RuleResult> {
        self.iter().cloned().collect()
    }
}

impl From<Vec<RuleResult>> for Results {
    fn from(results: Vec<RuleResult>) -> Results {
        Results::from_runs([Arc::from(results)])
    }
}

/// Equal when the results are, one for one; runs that are the same handle are not
/// compared result by result.
impl PartialEq for Results {
    fn eq(&self, other: &Results) -> bool {
        let same_runs = self.runs.len() == other.runs.len()
            && self.runs.iter().zip(&other.runs).all(|(a, b)| a.len() == b.len());
        if same_runs {
            return self.runs.iter().zip(&other.runs).all(|(a, b)| Arc::ptr_eq(a, b) || a == b);
        }
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Serialize for Results {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(key: &str, status: Status) -> RuleResult {
        RuleResult {
            control: Arc::from("C.1"),
            rule: Arc::from("r"),
            subject: Some(SubjectRef { kind: Arc::from("AiSystem"), key: Arc::from(key) }),
            status,
            message: None,
            citations: Arc::from(Vec::new()),
            more_citations: 0,
            overridden: None,
        }
    }

    #[test]
    fn results_in_runs_read_as_one_list() {
        let (a, b, c) = (result("a", Status::Pass), result("b", Status::Fail), result("c", Status::Pass));
        let runs = Results::from_runs([
            Arc::from(vec![a.clone()]),
            Arc::from(Vec::new()),
            Arc::from(vec![b.clone(), c.clone()]),
        ]);
        let whole = Results::from(vec![a.clone(), b.clone(), c.clone()]);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs.runs().len(), 2, "an empty run is left out");
        assert_eq!(runs.get(2), Some(&c));
        assert_eq!(runs.get(3), None);
        assert_eq!(runs, whole, "equal across other run boundaries");
        assert_ne!(runs, Results::from(vec![a, c.clone(), b]));
        assert_eq!(
            serde_json::to_string(&runs).expect("json"),
            serde_json::to_string(&whole.to_vec()).expect("json")
        );
        assert!(Results::from_runs([Arc::from(Vec::new())]).is_empty());
    }
}
