//! `tenet soa` and `tenet report --framework`: the Statement of Applicability and a
//! framework's requirements, from the same evaluation as `tenet check`.

use std::fmt::Write as _;

use tenet_db::{
    Database, OsSystem, RunSettings, diagnostics, evaluate_workspace, load_evidence_dir, load_workspace,
    program, waiver_diagnostics,
};
use tenet_diagnostics::Diagnostic;
use tenet_eval::report::RunReport;

use crate::cli::{FrameworkArgs, SoaArgs, ViewFormat};
use crate::exit::Exit;
use crate::output::{SourceTexts, evidence_diagnostics, invocation_error, print_diagnostics};

/// Evaluates the packs under `path` over their evidence, printing the policies' and the
/// evidence's diagnostics on stderr as `tenet check` does; the last value says whether any
/// was an error, which the command's exit code then says too (the statement is still
/// written: it shows the controls that evidence made errors).
fn evaluate(
    path: &std::path::Path,
    evidence: Option<&std::path::Path>,
    as_of: Option<jiff::civil::Date>,
) -> Result<(RunReport, String, bool), Exit> {
    let mut db = Database::default();
    db.checks_once();
    let diagnostic_args = crate::cli::DiagnosticArgs {
        error_format: crate::cli::ErrorFormat::Human,
        color: crate::cli::ColorChoice::Auto,
    };
    let packs = crate::commands::packs::load_or_exit(&mut db, path, &diagnostic_args)?;
    let dir = match evidence {
        Some(dir) => Some(dir.to_path_buf()),
        None => crate::commands::packs::default_evidence(&packs, path)?,
    };
    let crate::commands::packs::Loaded { files: loaded, diagnostics: pack_diagnostics, texts, .. } = packs;
    let Some(dir) = dir else {
        invocation_error("no evidence: pass --evidence DIR");
        return Err(Exit::Errors);
    };
    let set = load_evidence_dir(&mut db, &OsSystem, &dir).map_err(|e| {
        invocation_error(&format!("evidence: {e}"));
        Exit::Errors
    })?;
    let mut texts: SourceTexts = texts;
    let mut all: Vec<Diagnostic> = pack_diagnostics;
    all.extend(diagnostics(&db, loaded.workspace).iter().cloned());
    all.extend(evidence_diagnostics(&db, loaded.workspace, set, &dir, &mut texts));
    all.extend(waiver_diagnostics(&db, loaded.workspace, set).iter().cloned());
    print_diagnostics(&diagnostic_args, &all, &texts);
    let errors = all.iter().any(Diagnostic::is_error);
    let settings = RunSettings::new(&db, crate::commands::today(as_of), tenet_eval::DEFAULT_STEP_BUDGET);
    let report = evaluate_workspace(&db, loaded.workspace, set, settings, &|_, _| 0);
    Ok((report, tenet_db::display_path(&dir), errors))
}

/// The version of the JSON that `tenet soa` and `tenet report` write: an object that
/// records the date the run speaks for beside its rows.
const VIEW_SCHEMA_VERSION: u32 = 1;

/// `tenet soa`
pub fn soa(args: &SoaArgs) -> Exit {
    let (report, root, errors) = match evaluate(&args.path, args.evidence.as_deref(), args.as_of) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let rows =
        tenet_report::statement_of_applicability(&report, &tenet_report::Paths { evidence_root: root });
    let text = match args.format {
        // The date the statement speaks for, as every report records it: a run is
        // reproducible from it.
        ViewFormat::Json => {
            let statement = serde_json::json!({
                "schema_version": VIEW_SCHEMA_VERSION,
                "as_of": report.as_of.to_string(),
                "controls": rows,
            });
            format!("{}\n", serde_json::to_string_pretty(&statement).unwrap_or_default())
        }
        ViewFormat::Csv => {
            let mut out = String::from(
                "control,title,applicable,justification,implementation,evidence,overrides,excluded_by,as_of\n",
            );
            for r in &rows {
                let cells = [
                    r.control.clone(),
                    r.title.clone(),
                    r.applicable.to_string(),
                    r.justification.clone(),
                    r.implementation.to_owned(),
                    r.evidence.join("; "),
                    r.overrides.join("; "),
                    r.excluded_by.clone().unwrap_or_default(),
                    report.as_of.to_string(),
                ];
                out.push_str(&csv_line(&cells));
            }
            out
        }
        ViewFormat::Html => {
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.control.clone(),
                        r.title.clone(),
                        if r.applicable { "yes".into() } else { "no".into() },
                        justification(r),
                        r.implementation.to_owned(),
                        r.evidence.join("\n"),
                        r.overrides.join("\n"),
                    ]
                })
                .collect();
            html_table(
                &format!("Statement of Applicability (ISO/IEC 42001 Annex A), as of {}", report.as_of),
                &[
                    "control",
                    "title",
                    "applicable",
                    "justification",
                    "implementation",
                    "evidence",
                    "overrides",
                ],
                &body,
            )
        }
        ViewFormat::Text => soa_text(&rows, report.as_of),
        ViewFormat::Markdown => {
            let mut out = format!(
                "# Statement of Applicability (ISO/IEC 42001 Annex A), as of {}\n\n| control | title | applicable | justification | implementation | evidence | overrides |\n|---|---|---|---|---|---|---|\n",
                report.as_of
            );
            for r in &rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    r.control,
                    r.title,
                    if r.applicable { "yes" } else { "no" },
                    justification(r).replace('|', "\\|"),
                    r.implementation,
                    r.evidence.iter().take(3).cloned().collect::<Vec<_>>().join("<br>"),
                    r.overrides.join("<br>").replace('|', "\\|")
                );
            }
            out
        }
    };
    print!("{text}");
    if rows.is_empty() {
        invocation_error(
            "the packs do not use `iso42001`, so the statement has no Annex A control (add `use iso42001`)",
        );
        return Exit::Errors;
    }
    match (errors, rows.len() == ANNEX_A_CONTROLS) {
        (true, _) => Exit::Errors,
        (false, true) => Exit::Clean,
        (false, false) => Exit::Findings,
    }
}

/// The controls of ISO/IEC 42001 Annex A: a statement that lists fewer leaves some out.
const ANNEX_A_CONTROLS: usize = 38;

/// Evidence files a row of the text statement names before it counts the rest.
const TEXT_EVIDENCE_SHOWN: usize = 3;

/// The statement for a terminal: a line per control (id, applicability, implementation,
/// title), and under it what an auditor asks of that line: why an excluded control is
/// excluded and by whom, the evidence behind the others, and any rule a package replaced.
/// Ends with the counts by implementation.
fn soa_text(rows: &[tenet_report::SoaRow], as_of: jiff::civil::Date) -> String {
    let mut out = format!("Statement of Applicability (ISO/IEC 42001 Annex A), as of {as_of}\n\n");
    let id_width = rows.iter().map(|r| r.control.len()).max().unwrap_or(0);
    let implementation_width = rows.iter().map(|r| r.implementation.len()).max().unwrap_or(0);
    let indent = " ".repeat(id_width + 2);
    for r in rows {
        // An excluded control's implementation is its exclusion, said once.
        let (applicable, implementation) =
            if r.applicable { ("applicable", r.implementation) } else { ("excluded  ", "") };
        let _ = writeln!(
            out,
            "{:<id_width$}  {applicable}  {implementation:<implementation_width$}  {}",
            r.control, r.title
        );
        if !r.applicable {
            let _ = writeln!(out, "{indent}because: {}", justification(r));
        }
        if let Some((first, rest)) = r.evidence.split_first() {
            let shown = rest.iter().take(TEXT_EVIDENCE_SHOWN - 1);
            let more = rest.len().saturating_sub(TEXT_EVIDENCE_SHOWN - 1);
            let _ = writeln!(out, "{indent}evidence: {first}");
            for e in shown {
                let _ = writeln!(out, "{indent}          {e}");
            }
            if more > 0 {
                let _ = writeln!(out, "{indent}          and {more} more");
            }
        }
        for o in &r.overrides {
            let _ = writeln!(out, "{indent}{o}");
        }
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in rows {
        *counts.entry(r.implementation).or_default() += 1;
    }
    let counted: Vec<String> = counts.iter().map(|(what, n)| format!("{n} {what}")).collect();
    let _ = writeln!(out, "\n{} controls: {}", rows.len(), counted.join(", "));
    out
}

/// `tenet report --framework`
pub fn framework(args: &FrameworkArgs) -> Exit {
    let requirements = catalog(&args.framework);
    if requirements.is_empty() {
        invocation_error(&format!("no framework named `{}` (try eu_ai_act or nist_ai_rmf)", args.framework));
        return Exit::Errors;
    }
    let (report, _, errors) = match evaluate(&args.path, args.evidence.as_deref(), args.as_of) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let rows = tenet_report::framework_rows(&report, &args.framework, &requirements);
    let text = match args.format {
        ViewFormat::Json => {
            let statuses = serde_json::json!({
                "schema_version": VIEW_SCHEMA_VERSION,
                "as_of": report.as_of.to_string(),
                "framework": args.framework,
                "requirements": rows,
            });
            format!("{}\n", serde_json::to_string_pretty(&statuses).unwrap_or_default())
        }
        ViewFormat::Html => {
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| vec![r.id.clone(), r.title.clone(), status_text(r.status), r.controls.join("\n")])
                .collect();
            html_table(
                &format!("{} requirements as of {}", args.framework, report.as_of),
                &["requirement", "title", "status", "controls"],
                &body,
            )
        }
        ViewFormat::Csv => {
            let mut out = String::from("requirement,title,status,controls,as_of\n");
            for r in &rows {
                let cells = [
                    r.id.clone(),
                    r.title.clone(),
                    status_text(r.status),
                    r.controls.join("; "),
                    report.as_of.to_string(),
                ];
                out.push_str(&csv_line(&cells));
            }
            out
        }
        ViewFormat::Markdown => {
            let mut out = format!(
                "# {} requirements as of {}\n\n| requirement | title | status | controls |\n|---|---|---|---|\n",
                args.framework, report.as_of
            );
            for r in &rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    r.id.replace('|', "\\|"),
                    r.title.replace('|', "\\|"),
                    status_text(r.status),
                    r.controls.join("<br>").replace('|', "\\|")
                );
            }
            out
        }
        ViewFormat::Text => {
            let count = |s: tenet_report::RequirementStatus| rows.iter().filter(|r| r.status == s).count();
            use tenet_report::RequirementStatus as S;
            let mut out = format!(
                "{} as of {}: {} met, {} partial, {} failing, {} undetermined, {} not assessed, {} not covered\n\n",
                args.framework,
                report.as_of,
                count(S::Met),
                count(S::Partial),
                count(S::Failing),
                count(S::Undetermined),
                count(S::NotAssessed),
                count(S::NotCovered)
            );
            for r in &rows {
                let _ = writeln!(out, "{:<14} {} {}", status_text(r.status), r.id, r.title);
                for c in &r.controls {
                    let _ = writeln!(out, "               {c}");
                }
            }
            out
        }
    };
    print!("{text}");
    if errors { Exit::Errors } else { Exit::Clean }
}

/// A requirement's status as the JSON writes it: `not_assessed`.
fn status_text(status: tenet_report::RequirementStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// One line of CSV, every cell quoted.
fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
    format!("{}\n", quoted.join(","))
}

/// A built-in framework's requirements (id, title), whether or not the packs use it.
pub fn catalog(framework: &str) -> Vec<(String, String)> {
    let mut db = Database::default();
    let mut probe = tenet_db::MemorySystem::new();
    probe.write("catalog/probe.tenet", format!("package probe\nuse {framework}\n"));
    load_workspace(&mut db, &probe, std::path::Path::new("catalog"))
        .ok()
        .and_then(|l| {
            let p = program(&db, l.workspace);
            p.frameworks
                .iter()
                .find(|f| *f.name == *framework)
                .map(|f| f.requirements.iter().map(|r| (r.id.to_string(), r.title.clone())).collect())
        })
        .unwrap_or_default()
}

/// A self-contained HTML page holding one table.
fn html_table(title: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let escape =
        |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', "<br>");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>body{{font:14px system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}}</style></head><body><h1>{0}</h1><table><tr>",
        escape(title)
    );
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></body></html>\n");
    out
}

/// A row's justification, naming the package that excluded the control when one did.
fn justification(row: &tenet_report::SoaRow) -> String {
    match &row.excluded_by {
        Some(package) => format!("{} (declared by {package})", row.justification),
        None => row.justification.clone(),
    }
}
