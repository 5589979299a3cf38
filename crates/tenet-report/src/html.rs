//! The audit report: one self-contained HTML file (inline CSS, SVG and script; nothing is
//! fetched) that shows the posture at a glance, the problems found in the policies and
//! evidence, then every control with its rules, results, citations and waivers,
//! filterable by status and searchable, and readable printed to PDF. An auditor reading
//! the verdicts sees first what could not be read to reach them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tenet_diagnostics::{LocatedDiagnostic, Severity};
use tenet_eval::report::{ControlReport, RunReport};
use tenet_eval::{RuleResult, Status};

use crate::frameworks::{RequirementRow, RequirementStatus};
use crate::{Paths, subject_text, xml};

const STATUS_COLOURS: [(Status, &str); 6] = [
    (Status::Pass, "#2e7d32"),
    (Status::Fail, "#c62828"),
    (Status::Error, "#6a1b9a"),
    (Status::Waived, "#ef6c00"),
    (Status::NotApplicable, "#9e9e9e"),
    (Status::NoEvidence, "#546e7a"),
];

/// The HTML report of a run and its diagnostics. `frameworks` holds each framework's name
/// and requirement rows.
pub fn html(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    frameworks: &[(String, Vec<RequirementRow>)],
) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and the page is UTF-8 throughout.
    let _ = write_html(report, diagnostics, paths, frameworks, &mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`html`], written to `out` control by control: a large organisation's page runs to a
/// hundred megabytes, which is never held whole. Each control's rows are rendered in
/// blocks on rayon's threads and written in order.
pub fn write_html(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    frameworks: &[(String, Vec<RequirementRow>)],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(head(report, diagnostics, frameworks).as_bytes())?;
    for c in &report.controls {
        out.write_all(control_head(c).as_bytes())?;
        if !c.results.is_empty() {
            out.write_all(b"<table class=\"results\"><tr><th>status</th><th>rule</th><th>subject</th><th>message</th><th>evidence</th></tr>")?;
            c.results
                .render_blocks(|block| result_rows(block, paths), |rows| out.write_all(rows.as_bytes()))?;
            out.write_all(b"</table>\n")?;
        }
        out.write_all(b"</article>\n")?;
    }
    write!(out, "</section>\n<script>{SCRIPT}</script>\n</body></html>\n")
}

/// The page up to the first control: title, posture, charts, diagnostics and filters.
fn head(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    frameworks: &[(String, Vec<RequirementRow>)],
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tenet audit report, as of {}</title>\n<style>{CSS}</style></head><body>\n",
        report.as_of
    );
    let _ = writeln!(
        out,
        "<header><h1>AI management system: audit report</h1><p>Evaluated as of <b>{}</b> by Tenet {}. {} controls, {} results.</p></header>",
        report.as_of,
        report.tenet_version,
        report.controls.len(),
        report.controls.iter().map(|c| c.results.len()).sum::<usize>()
    );
    let errors = crate::errors(diagnostics);
    if errors > 0 {
        let _ = writeln!(
            out,
            "<p class=\"alert\">{} in the policies or evidence: the controls were evaluated without what could not be read.</p>",
            if errors == 1 { "1 error".to_owned() } else { format!("{errors} errors") }
        );
    }
    // Summary counts, with data attributes the tests read.
    out.push_str("<section id=\"summary\"><h2>Posture</h2><table class=\"counts\"><tr><th></th>");
    for (status, _) in STATUS_COLOURS {
        let _ = write!(out, "<th>{}</th>", label(status));
    }
    out.push_str("</tr>");
    for (name, counts) in [("controls", &report.summary.controls), ("results", &report.summary.results)] {
        let _ = write!(out, "<tr><th>{name}</th>");
        for (status, _) in STATUS_COLOURS {
            let _ = write!(out, "<td data-count=\"{name}-{}\">{}</td>", status.as_str(), counts.get(status));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>\n");
    let warnings = diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
    let problems = if diagnostics.is_empty() {
        "Problems in the policies and evidence".to_owned()
    } else {
        "<a href=\"#diagnostics\">Problems in the policies and evidence</a>".to_owned()
    };
    let _ = writeln!(
        out,
        "<p class=\"problems\">{problems}: <span data-count=\"diagnostics-error\">{errors}</span> errors, <span data-count=\"diagnostics-warning\">{warnings}</span> warnings</p>"
    );
    out.push_str(&group_chart(report, "Clauses 4 to 10", |id| !id.starts_with("A.")));
    out.push_str(&group_chart(report, "Annex A objectives", |id| id.starts_with("A.")));
    for (name, rows) in frameworks {
        out.push_str(&framework_chart(name, rows));
    }
    out.push_str("</section>\n");
    out.push_str(&diagnostics_section(diagnostics));
    // Filters.
    out.push_str("<section id=\"controls\"><h2>Controls</h2><div class=\"filters no-print\">");
    for (status, colour) in STATUS_COLOURS {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" data-filter=\"{}\" checked> <span class=\"dot\" style=\"background:{colour}\"></span>{}</label> ",
            status.as_str(),
            label(status)
        );
    }
    out.push_str(
        "<input type=\"search\" id=\"search\" placeholder=\"Search controls, subjects, messages\"></div>\n",
    );
    out
}

/// A control's heading, objective, exclusion, overrides and mappings.
fn control_head(c: &ControlReport) -> String {
    let mut out = String::new();
    let search = format!("{} {} {}", c.id, c.title, c.objective.clone().unwrap_or_default()).to_lowercase();
    let _ = writeln!(
        out,
        "<article class=\"control\" data-status=\"{}\" data-search=\"{}\"><h3><span class=\"badge {}\">{}</span> {} <span class=\"title\">{}</span> <span class=\"severity\">{}</span></h3>",
        c.status.as_str(),
        xml(&search),
        c.status.as_str(),
        label(c.status),
        xml(&c.id),
        xml(&c.title),
        c.severity
    );
    if let Some(objective) = &c.objective {
        let _ = writeln!(out, "<p class=\"objective\">{}</p>", xml(objective));
    }
    if let Some(why) = &c.exclusion {
        let by = c
            .exclusion_by
            .as_ref()
            .map(|e| format!(" (declared by {} at {}:{})", xml(&e.package), xml(&e.file), e.line))
            .unwrap_or_default();
        let _ = writeln!(out, "<p class=\"exclusion\">Not applicable{by}: {}</p>", xml(why));
    }
    for o in &c.overrides {
        let _ = writeln!(
            out,
            "<p class=\"override\">Rule {} {} ({}:{}): {}</p>",
            xml(&o.rule),
            xml(&o.by()),
            xml(&o.file),
            o.line,
            xml(&o.because)
        );
    }
    if !c.mappings.is_empty() {
        let maps: Vec<String> = c
            .mappings
            .iter()
            .map(|m| format!("{} {} ({})", m.framework, m.requirement, m.relationship))
            .collect();
        let _ = writeln!(out, "<p class=\"maps\">Maps to {}</p>", xml(&maps.join(", ")));
    }
    out
}

/// A table of the diagnostics, when there are any: severity, code, place, message, help
/// and related places.
fn diagnostics_section(diagnostics: &[LocatedDiagnostic]) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section id=\"diagnostics\"><h2>Problems in the policies and evidence</h2><table class=\"diagnostics\"><tr><th>severity</th><th>code</th><th>place</th><th>message</th></tr>",
    );
    for d in diagnostics {
        let help = d
            .help
            .as_deref()
            .map(|h| format!("<br><span class=\"help\">help: {}</span>", xml(h)))
            .unwrap_or_default();
        let related: String = d
            .related
            .iter()
            .map(|r| {
                format!(
                    "<br><span class=\"related\">{}: {}</span>",
                    xml(&r.place.to_string()),
                    xml(&r.message)
                )
            })
            .collect();
        let severity = d.severity.as_str();
        let _ = write!(
            out,
            "<tr class=\"diagnostic\" data-severity=\"{severity}\"><td><span class=\"badge {severity}\">{severity}</span></td><td>{}</td><td class=\"cites\">{}</td><td>{}{help}{related}</td></tr>",
            d.code,
            xml(&d.place.to_string()),
            xml(&d.message)
        );
    }
    out.push_str("</table></section>\n");
    out
}

/// One table row per result, with its first citations.
fn result_rows(results: &[RuleResult], paths: &Paths) -> String {
    let mut out = String::new();
    for r in results {
        let (first, more) = r.first_citations(crate::SHOWN_CITATIONS);
        let cites: Vec<String> =
            first.iter().map(|k| format!("{}:{}", xml(&paths.evidence(&k.path)), k.line)).collect();
        let more = if more > 0 { format!("<br>… and {more} more") } else { String::new() };
        let (subject, message) = (subject_text(r), r.message.as_deref().unwrap_or(""));
        let _ = write!(
            out,
            "<tr class=\"result\" data-status=\"{}\" data-search=\"{}\"><td><span class=\"badge {}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td class=\"cites\">{}{more}</td></tr>",
            r.status.as_str(),
            xml(&format!("{} {subject} {message}", r.rule).to_lowercase()),
            r.status.as_str(),
            label(r.status),
            xml(&match r.overridden.as_deref() {
                Some(o) => format!("{} ({})", r.rule, o.by()),
                None => r.rule.to_string(),
            }),
            xml(&subject),
            xml(message),
            cites.join("<br>")
        );
    }
    out
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Waived => "waived",
        Status::NotApplicable => "not applicable",
        Status::NoEvidence => "no evidence",
    }
}

/// A stacked bar per group (clause number or Annex A objective) of control statuses.
fn group_chart(report: &RunReport, title: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut groups: BTreeMap<(u32, String), BTreeMap<&'static str, usize>> = BTreeMap::new();
    for c in report.controls.iter().filter(|c| &*c.package == "iso42001" && keep(&c.local_id)) {
        let group: String = if c.local_id.starts_with("A.") {
            c.local_id.split('.').take(2).collect::<Vec<_>>().join(".")
        } else {
            c.local_id.split('.').next().unwrap_or("").to_owned()
        };
        let order: u32 = group.trim_start_matches("A.").parse().unwrap_or(0);
        *groups.entry((order, group)).or_default().entry(c.status.as_str()).or_default() += 1;
    }
    if groups.is_empty() {
        return String::new();
    }
    let rows: Vec<BarRow> = groups
        .into_iter()
        .map(|((_, name), counts)| {
            let segments = STATUS_COLOURS
                .iter()
                .map(|(s, colour)| (label(*s), counts.get(s.as_str()).copied().unwrap_or(0), *colour))
                .collect();
            (name, segments)
        })
        .collect();
    bars(title, &rows)
}

fn framework_chart(name: &str, rows: &[RequirementRow]) -> String {
    let statuses = [
        (RequirementStatus::Met, "met", "#2e7d32"),
        (RequirementStatus::Partial, "partial", "#f9a825"),
        (RequirementStatus::Failing, "failing", "#c62828"),
        (RequirementStatus::Undetermined, "undetermined", "#6a1b9a"),
        (RequirementStatus::NotAssessed, "not assessed", "#546e7a"),
        (RequirementStatus::NotCovered, "not covered", "#bdbdbd"),
    ];
    let segments: Vec<(&'static str, usize, &'static str)> = statuses
        .iter()
        .map(|(s, label, colour)| (*label, rows.iter().filter(|r| r.status == *s).count(), *colour))
        .collect();
    bars(&format!("{name}: requirements by status"), &[(format!("{} requirements", rows.len()), segments)])
}

/// A chart row: its label and its segments (label, count, colour).
type BarRow = (String, Vec<(&'static str, usize, &'static str)>);

/// Horizontal stacked bars in SVG, one row each, with a legend of counts.
fn bars(title: &str, rows: &[BarRow]) -> String {
    let width = 520.0_f64;
    let row_height = 22;
    let height = rows.len() * row_height + 8;
    let mut out = format!(
        "<figure class=\"chart\"><figcaption>{}</figcaption><svg role=\"img\" viewBox=\"0 0 700 {height}\" width=\"700\" height=\"{height}\">",
        xml(title)
    );
    for (i, (name, segments)) in rows.iter().enumerate() {
        let total: usize = segments.iter().map(|s| s.1).sum();
        let y = i * row_height + 4;
        let _ = write!(out, "<text x=\"0\" y=\"{}\" class=\"axis\">{}</text>", y + 14, xml(name));
        let mut x = 150.0;
        for (label, count, colour) in segments {
            if *count == 0 || total == 0 {
                continue;
            }
            let w = width * (*count as f64) / (total as f64);
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{colour}\"><title>{label}: {count}</title></rect>"
            );
            x += w;
        }
    }
    out.push_str("</svg><p class=\"legend\">");
    let mut totals: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (_, segments) in rows {
        for (label, count, colour) in segments {
            let e = totals.entry(label).or_insert((0, colour));
            e.0 += count;
        }
    }
    for (label, (count, colour)) in totals {
        let _ = write!(out, "<span class=\"dot\" style=\"background:{colour}\"></span>{label} {count} ");
    }
    out.push_str("</p></figure>\n");
    out
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}\
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem}\
table{border-collapse:collapse}td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
.counts td{text-align:right}.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;color:#fff;font-size:.8rem}\
.pass{background:#2e7d32}.fail{background:#c62828}.error{background:#6a1b9a}.waived{background:#ef6c00}\
.not_applicable{background:#9e9e9e}.no_evidence{background:#546e7a}.warning{background:#f9a825}.info{background:#546e7a}\
.alert{border-left:.3rem solid #6a1b9a;padding:.3rem .6rem;background:#f3e5f5}.help,.related{color:#555}\
.dot{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;margin:0 .25rem 0 .6rem;vertical-align:middle}\
.control{border:1px solid #e0e0e0;border-radius:.4rem;padding:.4rem .8rem;margin:.6rem 0;break-inside:avoid}\
.control h3{font-size:1rem;margin:.2rem 0}.severity{color:#666;font-weight:normal;font-size:.85rem}\
.objective,.maps,.exclusion,.override{color:#555;margin:.2rem 0}.cites{font-family:ui-monospace,monospace;font-size:.8rem}\
.results{width:100%;margin-top:.4rem}.filters{position:sticky;top:0;background:#fff;padding:.5rem 0;z-index:1}\
#search{margin-left:1rem;padding:.2rem .4rem;width:18rem}.axis{font-size:12px}.chart{margin:1rem 0}\
.hidden{display:none}@media print{.no-print{display:none}.control{page-break-inside:avoid}body{margin:0}}";

const SCRIPT: &str = "(function(){\
const boxes=[...document.querySelectorAll('input[data-filter]')];\
const search=document.getElementById('search');\
function apply(){\
const shown=new Set(boxes.filter(b=>b.checked).map(b=>b.dataset.filter));\
const q=search.value.trim().toLowerCase();\
document.querySelectorAll('article.control').forEach(c=>{\
let visible=0;\
c.querySelectorAll('tr.result').forEach(r=>{\
const ok=shown.has(r.dataset.status)&&(!q||r.dataset.search.includes(q)||c.dataset.search.includes(q));\
r.classList.toggle('hidden',!ok);if(ok)visible++;});\
const own=shown.has(c.dataset.status)&&(!q||c.dataset.search.includes(q));\
c.classList.toggle('hidden',!(visible>0||(own&&c.querySelectorAll('tr.result').length===0)));});}\
boxes.forEach(b=>b.addEventListener('change',apply));search.addEventListener('input',apply);apply();})();";

#[cfg(test)]
mod tests {
    use tenet_eval::{Results, Run};

    use super::{html, write_html};
    use crate::Paths;
    use crate::fixtures::{control, diagnostics, report, result};

    #[test]
    fn rows_rendered_in_blocks_come_out_in_result_order() {
        // 2,500 results in two runs: three blocks of rows, the first run's last block short.
        let runs =
            [Run::new((0..1_500).map(result).collect()), Run::new((1_500..2_500).map(result).collect())];
        let report = report(vec![control("C.1", Results::from_runs(runs))]);
        let paths = Paths { evidence_root: "evidence".to_owned() };
        let page = html(&report, &[], &paths, &[]);
        let mut streamed = Vec::new();
        write_html(&report, &[], &paths, &[], &mut streamed).expect("written to memory");
        assert_eq!(page.as_bytes(), streamed.as_slice());
        let keys: Vec<&str> =
            page.split("<td>System ").skip(1).filter_map(|row| row.split('<').next()).collect();
        let expected: Vec<String> = (0..2_500).map(|i| format!("s{i:04}")).collect();
        assert_eq!(keys, expected);
        assert_eq!(page.matches("<tr class=\"result\"").count(), 2_500);
        assert!(page.contains("s0003 &lt;fails&gt; &amp; &quot;why&quot;"), "messages are escaped");
        assert!(
            page.contains("evidence/systems/s.yaml:2500"),
            "citations name the file under the evidence root"
        );
        assert!(page.ends_with("</body></html>\n"));
    }

    #[test]
    fn diagnostics_are_counted_in_the_posture_and_listed_before_the_controls() {
        let report = report(vec![control("C.1", Results::from(vec![result(0)]))]);
        let page = html(&report, &diagnostics(), &Paths::default(), &[]);
        assert!(page.contains(
            "<p class=\"alert\">2 errors in the policies or evidence: the controls were evaluated without what could not be read.</p>"
        ));
        assert!(page.contains(
            "<p class=\"problems\"><a href=\"#diagnostics\">Problems in the policies and evidence</a>: <span data-count=\"diagnostics-error\">2</span> errors, <span data-count=\"diagnostics-warning\">1</span> warnings</p>"
        ));
        let section = "<section id=\"diagnostics\"><h2>Problems in the policies and evidence</h2><table class=\"diagnostics\"><tr><th>severity</th><th>code</th><th>place</th><th>message</th></tr>\
            <tr class=\"diagnostic\" data-severity=\"error\"><td><span class=\"badge error\">error</span></td><td>T0505</td><td class=\"cites\">evidence/inv/x.csv:4:8</td><td>`risk_tier` is &quot;hihg&quot;, which is not one of &quot;minimal&quot;, &quot;high&quot;<br><span class=\"help\">help: did you mean &quot;high&quot;?</span></td></tr>\
            <tr class=\"diagnostic\" data-severity=\"error\"><td><span class=\"badge error\">error</span></td><td>T0507</td><td class=\"cites\">evidence/inv/y.csv:2:1</td><td>`s1` is the key of another document<br><span class=\"related\">evidence/inv/x.csv:2:1: the first document with key `s1`</span></td></tr>\
            <tr class=\"diagnostic\" data-severity=\"warning\"><td><span class=\"badge warning\">warning</span></td><td>T0508</td><td class=\"cites\">evidence/inv/x.csv:1:9</td><td>`owner &lt;x&gt;` &amp; co is not a field of `AiSystem`</td></tr>\
            </table></section>\n<section id=\"controls\">";
        assert!(page.contains(section), "{page}");
    }

    #[test]
    fn a_clean_run_says_it_found_no_problems_and_has_no_section_for_them() {
        let page = html(&report(Vec::new()), &[], &Paths::default(), &[]);
        assert!(page.contains("<p class=\"problems\">Problems in the policies and evidence: <span data-count=\"diagnostics-error\">0</span> errors, <span data-count=\"diagnostics-warning\">0</span> warnings</p>"));
        assert!(!page.contains("id=\"diagnostics\"") && !page.contains("class=\"alert\""));
    }
}
