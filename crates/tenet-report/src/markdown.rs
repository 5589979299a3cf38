//! Markdown for a pull-request comment: the counts, then each failing control with its
//! failures and a link to the evidence; the full list of controls is collapsed. The text
//! stays under GitHub's comment limit: detail is cut, never the summary.

use std::fmt::Write as _;

use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::{Paths, subject_text};

/// GitHub refuses comments longer than 65,536 characters; this leaves room for a header.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// Overridden rules listed in full; the rest are counted.
const MAX_OVERRIDES: usize = 50;

/// The Markdown summary of a run.
pub fn markdown(report: &RunReport, paths: &Paths) -> String {
    let s = &report.summary;
    let mut out = format!(
        "## Tenet: {} of {} controls fail\n\n",
        s.controls.fail + s.controls.error,
        report.controls.len()
    );
    let _ = writeln!(out, "As of {} · Tenet {}\n", report.as_of, report.tenet_version);
    out.push_str(
        "| | pass | fail | error | waived | not applicable | no evidence |\n|---|---|---|---|---|---|---|\n",
    );
    for (name, c) in [("controls", &s.controls), ("results", &s.results)] {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            c.pass, c.fail, c.error, c.waived, c.not_applicable, c.no_evidence
        );
    }
    // Overridden rules change what the verdicts mean, so each is listed with its reason.
    let overrides: Vec<_> =
        report.controls.iter().flat_map(|c| c.overrides.iter().map(move |o| (c, o))).collect();
    if !overrides.is_empty() {
        out.push_str("\n### Overridden rules\n\n");
        for (c, o) in overrides.iter().take(MAX_OVERRIDES) {
            let _ = writeln!(
                out,
                "- {} rule `{}` {} ({}:{}): {}",
                c.id,
                o.rule,
                o.by(),
                o.file,
                o.line,
                o.because
            );
        }
        if overrides.len() > MAX_OVERRIDES {
            let _ = writeln!(out, "- … and {} more", overrides.len() - MAX_OVERRIDES);
        }
    }
    let mut detail = String::new();
    for c in report.controls.iter().filter(|c| matches!(c.status, Status::Fail | Status::Error)) {
        let _ = writeln!(detail, "\n### {} {} ({})\n", c.id, c.title, c.severity);
        for r in c.results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Error)) {
            let subject = subject_text(r);
            let at = r
                .citations
                .first()
                .map(|k| {
                    let path = paths.evidence(&k.path);
                    format!(" ([{path}:{}]({path}#L{}))", k.line, k.line)
                })
                .unwrap_or_default();
            let who = if subject.is_empty() { String::new() } else { format!(" `{subject}`") };
            let overridden = r.overridden.as_ref().map(|o| format!(" ({})", o.by())).unwrap_or_default();
            let _ = writeln!(
                detail,
                "- **{}** rule `{}`{overridden}{who}: {}{at}",
                r.status.as_str(),
                r.rule,
                r.message.as_deref().unwrap_or("does not hold")
            );
        }
    }
    let mut all =
        String::from("\n<details><summary>Every control</summary>\n\n| control | status |\n|---|---|\n");
    for c in &report.controls {
        let _ = writeln!(all, "| {} {} | {} |", c.id, c.title.replace('|', "\\\\|"), c.status.as_str());
    }
    all.push_str("\n</details>\n");
    let budget = MARKDOWN_LIMIT.saturating_sub(out.len() + all.len() + 200);
    if detail.len() > budget {
        let cut = detail.char_indices().map(|(i, _)| i).take_while(|i| *i <= budget).last().unwrap_or(0);
        detail.truncate(cut);
        detail.push_str("\n\n… more failures are in the full report (`tenet check --format json`).\n");
    }
    out.push_str(&detail);
    if out.len() + all.len() <= MARKDOWN_LIMIT {
        out.push_str(&all);
    }
    out
}
