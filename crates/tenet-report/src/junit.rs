//! JUnit XML: a test suite per control, a test case per `(rule, subject)`; failures carry
//! the message and the citations, errors are errors, and results that do not apply, are
//! waived or have no evidence are skipped with the reason.

use std::fmt::Write as _;

use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::{Paths, subject_text, xml};

/// The JUnit XML of a run.
pub fn junit(report: &RunReport, paths: &Paths) -> String {
    let tests: usize = report.controls.iter().map(|c| c.results.len()).sum();
    let s = &report.summary.results;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tenet check (as of {})\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        report.as_of,
        s.fail,
        s.error,
        s.waived + s.not_applicable + s.no_evidence
    );
    for c in &report.controls {
        let count = |status: Status| c.results.iter().filter(|r| r.status == status).count();
        let skipped = count(Status::Waived) + count(Status::NotApplicable) + count(Status::NoEvidence);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{skipped}\">",
            xml(&c.id),
            xml(&c.title),
            c.results.len(),
            count(Status::Fail),
            count(Status::Error)
        );
        for r in c.results.iter() {
            let subject = subject_text(r);
            let name =
                if subject.is_empty() { r.rule.to_string() } else { format!("{} [{subject}]", r.rule) };
            let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", xml(&c.id), xml(&name));
            let message = r.message.clone().unwrap_or_default();
            let citations: Vec<String> = r
                .citations
                .iter()
                .map(|k| format!("{}:{}:{}", paths.evidence(&k.path), k.line, k.column))
                .collect();
            // An overridden rule says so on each of its test cases, with the justification.
            let properties = r
                .overridden
                .as_deref()
                .map(|o| {
                    format!(
                        "\n      <properties><property name=\"tenet.override\" value=\"{}\"/></properties>",
                        xml(&format!("{} at {}:{}: {}", o.by(), o.file, o.line, o.because))
                    )
                })
                .unwrap_or_default();
            if !properties.is_empty() {
                out.push('>');
                out.push_str(&properties);
                out.push('\n');
            }
            let open = if properties.is_empty() { ">\n" } else { "" };
            match r.status {
                Status::Pass if properties.is_empty() => out.push_str("/>\n"),
                Status::Pass => out.push_str("    </testcase>\n"),
                Status::Fail | Status::Error => {
                    let tag = if r.status == Status::Fail { "failure" } else { "error" };
                    let _ = writeln!(
                        out,
                        "{open}      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
                        xml(&message),
                        r.status.as_str(),
                        xml(&citations.join("\n"))
                    );
                }
                Status::Waived | Status::NotApplicable | Status::NoEvidence => {
                    let _ = writeln!(
                        out,
                        "{open}      <skipped message=\"{}: {}\"/>\n    </testcase>",
                        r.status.as_str(),
                        xml(&message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
