//! JUnit XML: a test suite per control, a test case per `(rule, subject)`; failures carry
//! the message and the citations, errors are errors, and results that do not apply, are
//! waived or have no evidence are skipped with the reason. Before them, a suite of the
//! run's diagnostics: each error an erroring test case, as a broken file fails the build,
//! each warning a skipped one, which CI test viewers show without failing it.

use std::fmt::Write;

use tenet_diagnostics::LocatedDiagnostic;
use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::{Paths, subject_text, xml};

/// The JUnit XML of a run and its diagnostics, written to `out` as it is rendered: a large
/// organisation's log runs to tens of megabytes, which need not be held whole.
pub fn write_junit(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut sink = IoSink { out: std::io::BufWriter::new(out), error: None };
    if render(report, diagnostics, paths, &mut sink).is_err() {
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

fn render(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    out: &mut dyn Write,
) -> std::fmt::Result {
    let tests: usize = report.controls.iter().map(|c| c.results.len()).sum::<usize>() + diagnostics.len();
    let s = &report.summary.results;
    let errors = crate::errors(diagnostics);
    out.write_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<testsuites name=\"tenet check (as of {})\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        report.as_of,
        s.fail,
        s.error + errors,
        s.waived + s.not_applicable + s.no_evidence + diagnostics.len() - errors
    )?;
    diagnostics_suite(diagnostics, out)?;
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

/// The suite of the run's diagnostics, when it has any: a test case per diagnostic, named
/// by its code and place and grouped by its file.
fn diagnostics_suite(diagnostics: &[LocatedDiagnostic], out: &mut dyn Write) -> std::fmt::Result {
    if diagnostics.is_empty() {
        return Ok(());
    }
    let errors = crate::errors(diagnostics);
    writeln!(
        out,
        "  <testsuite name=\"diagnostics: problems in the policies and evidence\" tests=\"{}\" failures=\"0\" errors=\"{errors}\" skipped=\"{}\">",
        diagnostics.len(),
        diagnostics.len() - errors
    )?;
    for d in diagnostics {
        writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\">",
            xml(&d.place.path),
            xml(&format!("{} {}", d.code, d.place))
        )?;
        let line = format!("{}: {} {} {}", d.place, d.severity.as_str(), d.code, d.message);
        if d.is_error() {
            let mut text = line;
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            for r in &d.related {
                text.push_str(&format!("\n{}: {}", r.place, r.message));
            }
            writeln!(
                out,
                "      <error message=\"{}\" type=\"{}\">{}</error>",
                xml(&d.message),
                d.code,
                xml(&text)
            )?;
        } else {
            writeln!(out, "      <skipped message=\"{}\"/>", xml(&line))?;
        }
        out.write_str("    </testcase>\n")?;
    }
    out.write_str("  </testsuite>\n")
}

#[cfg(test)]
mod tests {
    use tenet_eval::Results;

    use super::write_junit;
    use crate::Paths;
    use crate::fixtures::{control, diagnostics, report, result};

    #[test]
    fn diagnostics_are_a_suite_of_their_own_counted_in_the_totals() {
        let mut report = report(vec![control("C.1", Results::from(vec![result(0)]))]);
        report.summary.results.fail = 1;
        let mut out = Vec::new();
        assert!(write_junit(&report, &diagnostics(), &Paths::default(), &mut out).is_ok());
        let text = String::from_utf8_lossy(&out);
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="tenet check (as of 2026-06-30)" tests="4" failures="1" errors="2" skipped="1">
  <testsuite name="diagnostics: problems in the policies and evidence" tests="3" failures="0" errors="2" skipped="1">
    <testcase classname="evidence/inv/x.csv" name="T0505 evidence/inv/x.csv:4:8">
      <error message="`risk_tier` is &quot;hihg&quot;, which is not one of &quot;minimal&quot;, &quot;high&quot;" type="T0505">evidence/inv/x.csv:4:8: error T0505 `risk_tier` is &quot;hihg&quot;, which is not one of &quot;minimal&quot;, &quot;high&quot;
help: did you mean &quot;high&quot;?</error>
    </testcase>
    <testcase classname="evidence/inv/y.csv" name="T0507 evidence/inv/y.csv:2:1">
      <error message="`s1` is the key of another document" type="T0507">evidence/inv/y.csv:2:1: error T0507 `s1` is the key of another document
evidence/inv/x.csv:2:1: the first document with key `s1`</error>
    </testcase>
    <testcase classname="evidence/inv/x.csv" name="T0508 evidence/inv/x.csv:1:9">
      <skipped message="evidence/inv/x.csv:1:9: warning T0508 `owner &lt;x&gt;` &amp; co is not a field of `AiSystem`"/>
    </testcase>
  </testsuite>
  <testsuite name="t.C.1 Every system passes" tests="1" failures="1" errors="0" skipped="0">
"#;
        assert!(text.starts_with(expected), "{text}");
    }
}
