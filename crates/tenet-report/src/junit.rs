//! JUnit XML: a test suite per control, a test case per `(rule, subject)`; failures carry
//! the message and the citations, errors are errors, and results that do not apply, are
//! waived or have no evidence are skipped with the reason.

use std::fmt::Write;

use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::{Paths, subject_text, xml};

/// The JUnit XML of a run, written to `out` as it is rendered: a large organisation's log
/// runs to tens of megabytes, which need not be held whole.
pub fn write_junit(report: &RunReport, paths: &Paths, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut sink = IoSink { out: std::io::BufWriter::new(out), error: None };
    if render(report, paths, &mut sink).is_err() {
        return Err(sink
            .error
            .unwrap_or_else(|| std::io::Error::other("the JUnit log could not be rendered")));
    }
    std::io::Write::flush(&mut sink.out)
}

/// Text written through to an `io::Write`, keeping the first error, which `fmt::Write`
/// cannot carry.
struct IoSink<'a> {
    out: std::io::BufWriter<&'a mut dyn std::io::Write>,
    error: Option<std::io::Error>,
}

impl Write for IoSink<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        std::io::Write::write_all(&mut self.out, text.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

fn render(report: &RunReport, paths: &Paths, out: &mut dyn Write) -> std::fmt::Result {
    let tests: usize = report.controls.iter().map(|c| c.results.len()).sum();
    let s = &report.summary.results;
    out.write_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<testsuites name=\"tenet check (as of {})\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        report.as_of,
        s.fail,
        s.error,
        s.waived + s.not_applicable + s.no_evidence
    )?;
    for c in &report.controls {
        let counts = c.results.counts();
        let count = |status: Status| counts.get(status);
        let skipped = count(Status::Waived) + count(Status::NotApplicable) + count(Status::NoEvidence);
        writeln!(
            out,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{skipped}\">",
            xml(&c.id),
            xml(&c.title),
            c.results.len(),
            count(Status::Fail),
            count(Status::Error)
        )?;
        for r in c.results.iter() {
            let subject = subject_text(r);
            let name =
                if subject.is_empty() { r.rule.to_string() } else { format!("{} [{subject}]", r.rule) };
            write!(out, "    <testcase classname=\"{}\" name=\"{}\"", xml(&c.id), xml(&name))?;
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
                writeln!(out, ">{properties}")?;
            }
            let open = if properties.is_empty() { ">\n" } else { "" };
            match r.status {
                Status::Pass if properties.is_empty() => out.write_str("/>\n")?,
                Status::Pass => out.write_str("    </testcase>\n")?,
                Status::Fail | Status::Error => {
                    let tag = if r.status == Status::Fail { "failure" } else { "error" };
                    writeln!(
                        out,
                        "{open}      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
                        xml(&message),
                        r.status.as_str(),
                        xml(&citations.join("\n"))
                    )?;
                }
                Status::Waived | Status::NotApplicable | Status::NoEvidence => {
                    writeln!(
                        out,
                        "{open}      <skipped message=\"{}: {}\"/>\n    </testcase>",
                        r.status.as_str(),
                        xml(&message)
                    )?;
                }
            }
        }
        out.write_str("  </testsuite>\n")?;
    }
    out.write_str("</testsuites>\n")
}
