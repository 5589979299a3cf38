//! Code lenses over controls: how many rules each has and, once results are available,
//! how many pass, fail or lack evidence. Counting results is not this crate's business —
//! the caller passes a function that knows them ([`ControlCounts`]), so the evaluator can
//! be plugged in without touching the lenses.

use tenet_db::{Db, SourceFile, Workspace, program};
use tenet_diagnostics::Span;
use tenet_sema::RuleKind;

use crate::files::file_id;

/// Live results of one control, summed over its rules and subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ControlCounts {
    /// Results that pass.
    pub pass: u32,
    /// Results that fail.
    pub fail: u32,
    /// Results that could not be decided.
    pub error: u32,
    /// Failures under a current waiver.
    pub waived: u32,
    /// Results that do not apply.
    pub not_applicable: u32,
    /// Rules whose domain is empty.
    pub no_evidence: u32,
}

impl ControlCounts {
    /// The lens text: `✓ 3 passed · ✗ 1 failed · 2 without evidence`, leaving out zeros.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.pass, "✓ {} passed"),
            (self.fail, "✗ {} failed"),
            (self.error, if self.error == 1 { "{} error" } else { "{} errors" }),
            (self.waived, "{} waived"),
            (self.not_applicable, "{} not applicable"),
            (self.no_evidence, "{} without evidence"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, template)| template.replace("{}", &n.to_string()))
        .collect();
        if parts.is_empty() { "no results".to_owned() } else { parts.join(" · ") }
    }
}

/// A lens above a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    /// The control's id, where the lens sits.
    pub span: Span,
    /// The control's qualified id, the argument of the lens's command.
    pub control: String,
    /// What the lens says.
    pub title: String,
    /// The live counts, when the caller had them.
    pub counts: Option<ControlCounts>,
}

/// One lens per control, clause and objective of `file`. `counts` gives a control's live
/// results by qualified id, or `None` when there are none (yet): the lens then shows the
/// control's rule count.
pub fn code_lenses(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    counts: &dyn Fn(&str) -> Option<ControlCounts>,
) -> Vec<CodeLens> {
    let Some(id) = file_id(db, workspace, file) else { return Vec::new() };
    let program = program(db, workspace);
    program
        .controls
        .iter()
        .filter(|c| c.file == id)
        .map(|c| {
            let rules = c.rules.iter().filter(|r| matches!(r.body.kind, RuleKind::Check(_))).count();
            let attestations =
                c.rules.iter().filter(|r| matches!(r.body.kind, RuleKind::Attestation(_))).count();
            let mut title = plural(rules, "rule", "rules");
            if attestations > 0 {
                title = format!("{title} · {}", plural(attestations, "attestation", "attestations"));
            }
            let live = counts(&c.qualified);
            if let Some(live) = live {
                title = format!("{} · {title}", live.summary());
            }
            CodeLens { span: c.span, control: c.qualified.to_string(), title, counts: live }
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::ControlCounts;

    #[test]
    fn a_summary_leaves_out_zeros_and_counts_errors_in_the_singular_and_plural() {
        let counts = |pass, fail, error| ControlCounts { pass, fail, error, ..ControlCounts::default() };
        assert_eq!(counts(3, 1, 0).summary(), "✓ 3 passed · ✗ 1 failed");
        assert_eq!(counts(0, 0, 1).summary(), "1 error");
        assert_eq!(counts(1, 0, 2).summary(), "✓ 1 passed · 2 errors");
        assert_eq!(
            ControlCounts { waived: 1, no_evidence: 2, ..ControlCounts::default() }.summary(),
            "1 waived · 2 without evidence"
        );
        assert_eq!(ControlCounts::default().summary(), "no results");
    }
}
