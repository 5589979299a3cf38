//! Markdown for a pull-request comment: the counts, the problems found in the policies
//! and evidence, then each failing control with its failures and a link to the evidence;
//! the full list of controls is collapsed. A run with error diagnostics says so in its
//! headline: its verdicts were reached without what could not be read. The text stays
//! under GitHub's comment limit: detail is cut, never the summary.

use std::fmt::Write as _;

use tenet_diagnostics::LocatedDiagnostic;
use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::{Paths, subject_text};

/// GitHub refuses comments longer than 65,536 characters; this leaves room for a header.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// Overridden rules listed in full; the rest are counted.
const MAX_OVERRIDES: usize = 50;

/// Diagnostics listed in full; the rest are counted.
const MAX_DIAGNOSTICS: usize = 50;

/// Bytes the listed diagnostics may take, however long their messages: a quarter of the
/// comment, so that the failures keep room.
const DIAGNOSTICS_BUDGET: usize = MARKDOWN_LIMIT / 4;

/// The Markdown summary of a run and its diagnostics.
pub fn markdown(report: &RunReport, diagnostics: &[LocatedDiagnostic], paths: &Paths) -> String {
    let s = &report.summary;
    let failing =
        format!("{} of {} controls fail", s.controls.fail + s.controls.error, report.controls.len());
    let mut out = match crate::errors(diagnostics) {
        0 => format!("## Tenet: {failing}\n\n"),
        1 => format!("## Tenet: 1 error in the policies or evidence; {failing}\n\n"),
        errors => format!("## Tenet: {errors} errors in the policies or evidence; {failing}\n\n"),
    };
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
    out.push_str(&diagnostics_section(diagnostics));
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

/// The diagnostics, errors first, each with its code, a link to its line and its help, up
/// to [`MAX_DIAGNOSTICS`] of them in [`DIAGNOSTICS_BUDGET`] bytes; the rest are counted.
fn diagnostics_section(diagnostics: &[LocatedDiagnostic]) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n### Problems in the policies and evidence\n\n");
    let errors_first =
        diagnostics.iter().filter(|d| d.is_error()).chain(diagnostics.iter().filter(|d| !d.is_error()));
    let mut listed = 0;
    for d in errors_first.take(MAX_DIAGNOSTICS) {
        let path = &d.place.path;
        let help = d.help.as_deref().map(|h| format!(" — {h}")).unwrap_or_default();
        let line = format!(
            "- **{}** `{}` [{}]({path}#L{}): {}{help}\n",
            d.severity.as_str(),
            d.code,
            d.place,
            d.place.start.line,
            d.message
        );
        if out.len() + line.len() > DIAGNOSTICS_BUDGET {
            continue;
        }
        out.push_str(&line);
        listed += 1;
    }
    if listed < diagnostics.len() {
        let _ = writeln!(
            out,
            "- … and {} more: the JSON report (`tenet check --format json`) lists every one",
            diagnostics.len() - listed
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use tenet_eval::Results;

    use super::*;
    use crate::fixtures::{control, diagnostics, report, result};

    #[test]
    fn error_diagnostics_lead_the_headline_and_are_listed_errors_first() {
        let mut report = report(vec![control("C.1", Results::from(vec![result(1)]))]);
        report.controls[0].status = Status::Pass;
        report.summary.controls.pass = 1;
        report.summary.results.pass = 1;
        let mut diagnostics = diagnostics();
        diagnostics.rotate_right(1);
        let text = markdown(&report, &diagnostics, &Paths::default());
        let expected = "## Tenet: 2 errors in the policies or evidence; 0 of 1 controls fail\n\n\
            As of 2026-06-30 · Tenet test\n\n\
            | | pass | fail | error | waived | not applicable | no evidence |\n|---|---|---|---|---|---|---|\n\
            | controls | 1 | 0 | 0 | 0 | 0 | 0 |\n\
            | results | 1 | 0 | 0 | 0 | 0 | 0 |\n\
            \n### Problems in the policies and evidence\n\n\
            - **error** `T0505` [evidence/inv/x.csv:4:8](evidence/inv/x.csv#L4): `risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\" — did you mean \"high\"?\n\
            - **error** `T0507` [evidence/inv/y.csv:2:1](evidence/inv/y.csv#L2): `s1` is the key of another document\n\
            - **warning** `T0508` [evidence/inv/x.csv:1:9](evidence/inv/x.csv#L1): `owner <x>` & co is not a field of `AiSystem`\n\
            \n<details><summary>Every control</summary>\n\n| control | status |\n|---|---|\n\
            | t.C.1 Every system passes | pass |\n\n</details>\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_run_with_only_warnings_keeps_its_headline() {
        let warnings: Vec<LocatedDiagnostic> = diagnostics().into_iter().filter(|d| !d.is_error()).collect();
        let text = markdown(&report(Vec::new()), &warnings, &Paths::default());
        assert!(text.starts_with("## Tenet: 0 of 0 controls fail\n\n"), "{text}");
        assert!(text.contains("- **warning** `T0508`"), "{text}");
    }

    #[test]
    fn many_diagnostics_are_bounded_and_counted() {
        let many: Vec<LocatedDiagnostic> = diagnostics().into_iter().cycle().take(1_000).collect();
        let text = markdown(&report(Vec::new()), &many, &Paths::default());
        assert_eq!(text.matches("\n- **").count(), MAX_DIAGNOSTICS);
        assert!(
            text.contains(
                "- … and 950 more: the JSON report (`tenet check --format json`) lists every one\n"
            )
        );
        let mut long = diagnostics();
        long[0].message = "x".repeat(DIAGNOSTICS_BUDGET);
        let text = markdown(&report(Vec::new()), &long, &Paths::default());
        assert!(text.len() < 2_000, "{} bytes", text.len());
        assert!(text.contains("- **error** `T0507`") && text.contains("- … and 1 more"), "{text}");
    }
}
