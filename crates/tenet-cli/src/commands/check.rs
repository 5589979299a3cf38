//! `tenet check PATH [--evidence DIR]`: compile the packs under a path, report every
//! problem, and with evidence, evaluate every control and report the results.

use std::io::Write;

use tenet_db::{
    Database, OsSystem, RunSettings, diagnostics, load_all_evidence_with_progress,
    load_evidence_dir_with_progress, program, waiver_diagnostics,
};
use tenet_diagnostics::{Diagnostic, LineIndex, LocatedDiagnostic, Severity};
use tenet_eval::report::RunReport;
use tenet_eval::{RuleResult, Status};

use crate::cli::{CheckArgs, ErrorFormat, FailOn, ReportFormat, ReportTarget};
use crate::exit::Exit;
use crate::output::{
    SourceTexts, count, evidence_diagnostics, evidence_path, invocation_error, print_diagnostics,
};
use crate::progress::{Progress, bar, megabytes, thousands};

/// Runs the command.
pub fn run(args: &CheckArgs) -> Exit {
    if let Some(message) = unwritable_output(args) {
        invocation_error(&message);
        return Exit::Errors;
    }
    if let Some(jobs) = args.jobs {
        // Only the first call in a process can configure the global pool.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global();
    }
    // What a long run is doing, on stderr, only for a person watching.
    let progress = Progress::new();
    let mut db = Database::default();
    db.checks_once();
    let packs = match crate::commands::packs::load(&mut db, &args.path) {
        Ok(loaded) => loaded,
        Err(e) => {
            invocation_error(&e.to_string());
            return Exit::Errors;
        }
    };
    // Without `--evidence`: the manifest's evidence root, or the pack directory's own
    // `evidence/` folder.
    let evidence_dir = match &args.evidence {
        Some(dir) => Some(dir.clone()),
        None => match crate::commands::packs::default_evidence(&packs, &args.path) {
            Ok(dir) => dir,
            Err(exit) => return exit,
        },
    };
    let crate::commands::packs::Loaded {
        files: loaded,
        diagnostics: pack_diagnostics,
        texts: pack_texts,
        ..
    } = packs;
    if loaded.files.is_empty() {
        invocation_error(&format!("no `.tenet` files under `{}`", args.path.display()));
        return Exit::Errors;
    }
    let evidence = match &evidence_dir {
        Some(dir) => match load_evidence_dir_with_progress(&mut db, &OsSystem, dir, &|files| {
            progress.update(|| format!("reading evidence: {} files", thousands(files)))
        }) {
            Ok(set) => Some((dir, set)),
            Err(e) => {
                invocation_error(&format!("evidence: {e}"));
                return Exit::Errors;
            }
        },
        None => None,
    };
    tenet_db::parse_all(&db, loaded.workspace);
    let mut texts: SourceTexts = pack_texts;
    let mut all: Vec<Diagnostic> = pack_diagnostics;
    all.extend(diagnostics(&db, loaded.workspace).iter().cloned());
    if let Some((dir, set)) = &evidence {
        load_all_evidence_with_progress(&db, loaded.workspace, *set, &|done, total| {
            progress.update(|| {
                format!("loading evidence: {}{}/{} MB", bar(done, total), megabytes(done), megabytes(total))
            })
        });
        all.extend(evidence_diagnostics(&db, loaded.workspace, *set, dir, &mut texts));
        all.extend(waiver_diagnostics(&db, loaded.workspace, *set).iter().cloned());
    }
    progress.clear();
    print_diagnostics(&args.diagnostics, &all, &texts);
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.iter().filter(|d| d.severity == Severity::Warning).count();

    // Without evidence, a check of the policies alone: its summary on stderr, and the
    // report files asked for, which then hold the diagnostics and no control's results
    // (a CI job that lints policies uploads its SARIF all the same).
    let set = evidence.as_ref().map(|(_, set)| *set);
    let reports_asked = !args.format.is_empty() || args.output.is_some();
    if set.is_none() {
        if args.diagnostics.error_format == ErrorFormat::Human {
            let program = program(&db, loaded.workspace);
            let packages =
                program.packages.iter().filter(|p| p.origin == tenet_sema::Origin::Workspace).count();
            eprintln!(
                "checked {} in {}: {}, {}",
                count(loaded.files.len(), "file", "files"),
                count(packages, "package", "packages"),
                count(errors, "error", "errors"),
                count(warnings, "warning", "warnings"),
            );
        }
        if !reports_asked {
            return if errors > 0 { Exit::Errors } else { Exit::Clean };
        }
    }

    let today = crate::commands::today(args.as_of);
    let targets = if args.format.is_empty() {
        vec![ReportTarget { format: ReportFormat::Text, path: None }]
    } else {
        args.format.clone()
    };
    // A report for people shows what did not pass and counts what did: unless another
    // output lists every result, passing ones are counted, never made.
    let passes = if !args.all && targets.iter().all(|t| t.format == ReportFormat::Text) {
        tenet_eval::Passes::Counted
    } else {
        tenet_eval::Passes::Listed
    };
    let settings = RunSettings::builder(today, args.step_budget).passes(passes).new(&db);
    let indexes: std::cell::RefCell<std::collections::HashMap<String, LineIndex>> = Default::default();
    let line_of = |path: &str, offset: u32| -> u32 {
        let Some(text) = texts.text_of(path) else { return 0 };
        let mut indexes = indexes.borrow_mut();
        let index = indexes.entry(path.to_owned()).or_insert_with(|| LineIndex::new(text));
        index.line_col(text, offset).line
    };
    let report = match set {
        Some(set) => tenet_db::evaluate_workspace_with_progress(
            &db,
            loaded.workspace,
            set,
            settings,
            &line_of,
            &|done, total| {
                progress.update(|| format!("evaluating rules: {}{done}/{total}", bar(done, total)))
            },
        ),
        None => tenet_eval::report::build_report(program(&db, loaded.workspace), today, Vec::new(), &line_of),
    };
    progress.clear();
    let root = evidence_dir.as_deref().unwrap_or(std::path::Path::new("."));
    let paths = tenet_report::Paths {
        evidence_root: evidence_dir.as_deref().map(tenet_db::display_path).unwrap_or_default(),
    };
    // Every report carries the diagnostics, placed as the terminal and the JSON report
    // place them: worked out once, and only for a report that needs them so.
    let located = std::cell::OnceCell::new();
    let located = || located.get_or_init(|| tenet_diagnostics::render::located(&all, &texts));
    for target in &targets {
        let path = target.path.as_deref().or(args.output.as_deref());
        let mut sarif = None;
        // Streamed to their file: a large organisation's report runs to hundreds of
        // megabytes. Markdown, bounded in size for a pull-request comment, is rendered
        // whole, then written.
        let written = match target.format {
            ReportFormat::Json => write_output(path, |out| json_report(&report, &all, &texts, out)),
            ReportFormat::Sarif => write_output(path, |out| {
                sarif = Some(tenet_report::write_sarif(&report, located(), &paths, out)?);
                Ok(())
            }),
            ReportFormat::Oscal => {
                write_output(path, |out| tenet_report::write_oscal(&report, located(), &paths, out))
            }
            ReportFormat::Junit => {
                write_output(path, |out| tenet_report::write_junit(&report, located(), &paths, out))
            }
            ReportFormat::Html => write_output(path, |out| html_report(&report, located(), &paths, out)),
            ReportFormat::Text => write_output(path, |out| text_report(&report, args.all, root, out)),
            ReportFormat::Markdown => {
                let rendered = tenet_report::markdown(&report, located(), &paths);
                write_output(path, |out| out.write_all(rendered.as_bytes()))
            }
        };
        if let Err(e) = written {
            invocation_error(&e);
            return Exit::Errors;
        }
        if let Some(selection) = sarif.filter(|s| s.left_out() > 0) {
            eprintln!(
                "warning: the SARIF log lists the {} most severe of {} results, since GitHub code scanning rejects a run of more; the JSON report lists every one",
                tenet_report::SARIF_MAX_RESULTS,
                selection.results
            );
        }
    }
    if let Some(path) = &args.write_baseline
        && let Err(e) = baseline::write(path, &report, &baseline::findings(&report))
    {
        invocation_error(&e);
        return Exit::Errors;
    }
    if let Some(path) = &args.baseline {
        let findings = baseline::findings(&report);
        let known = match baseline::read(path) {
            Ok(known) => known,
            Err(e) => {
                invocation_error(&e);
                return Exit::Errors;
            }
        };
        let new: Vec<&baseline::Finding> = findings.iter().filter(|f| !known.contains(*f)).collect();
        eprintln!(
            "baseline: {} of {} findings are recorded in `{}`; {} new",
            findings.len() - new.len(),
            findings.len(),
            path.display(),
            new.len()
        );
        for f in &new {
            eprintln!("  new: {} rule {} {} {}", f.control, f.rule, f.subject, f.status);
        }
        let new_errors = new.iter().any(|f| f.status == "error");
        let exit = if errors > 0 || new_errors {
            Exit::Errors
        } else if new.is_empty() {
            Exit::Clean
        } else {
            Exit::Findings
        };
        drop(new);
        drop(findings);
        leave_to_exit(db, report);
        return exit;
    }
    let results = &report.summary.results;
    let counted_failures = report
        .controls
        .iter()
        .filter(|c| args.severity_threshold.admits(c.severity))
        .map(|c| c.results.counts().fail)
        .sum::<usize>();
    let exit = if errors > 0 || results.error > 0 {
        Exit::Errors
    } else if (args.fail_on != FailOn::Error && counted_failures > 0)
        || (args.fail_on == FailOn::Warning && warnings > 0)
    {
        Exit::Findings
    } else {
        Exit::Clean
    };
    leave_to_exit(db, report);
    exit
}

/// Leaves the database and the report to the end of the process instead of freeing them
/// one value at a time: the process ends right after, and a large organisation's
/// documents and results are millions of allocations.
fn leave_to_exit(db: Database, report: RunReport) {
    std::mem::forget(db);
    std::mem::forget(report);
}

/// The HTML audit report, with the requirements of the EU AI Act and the NIST AI RMF.
fn html_report(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &tenet_report::Paths,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let frameworks: Vec<(String, Vec<tenet_report::RequirementRow>)> = ["eu_ai_act", "nist_ai_rmf"]
        .iter()
        .map(|name| {
            let catalog = crate::commands::frameworks::catalog(name);
            (name.to_string(), tenet_report::framework_rows(report, name, &catalog))
        })
        .collect();
    tenet_report::write_html(report, diagnostics, paths, &frameworks, out)
}

/// A report path whose directory does not exist, said before any work: a large check
/// takes a while, and its report would otherwise be lost at the end.
fn unwritable_output(args: &CheckArgs) -> Option<String> {
    let paths = args.format.iter().filter_map(|t| t.path.as_deref()).chain(args.output.as_deref());
    paths.into_iter().find_map(|path| {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        (!dir.is_dir()).then(|| {
            format!("cannot write `{}`: the directory `{}` does not exist", path.display(), dir.display())
        })
    })
}

/// Writes a report to `path`, or to standard output, through a buffer.
fn write_output(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let into = |out: &mut dyn Write| {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
        write(&mut buffered)?;
        buffered.flush()
    };
    match path {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut file| into(&mut file))
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            into(&mut std::io::stdout().lock()).map_err(|e| format!("cannot write to standard output: {e}"))
        }
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Waived => "waived",
        Status::NotApplicable => "n/a",
        Status::NoEvidence => "no evidence",
    }
}

/// Text for people: controls grouped by package, clauses before controls before
/// objectives; each failure with its message and citations; a summary line per status.
/// Written to `sink` as it is rendered: a large organisation's failures run to hundreds
/// of thousands of lines, which are never held whole.
fn text_report(
    report: &RunReport,
    all: bool,
    evidence_root: &std::path::Path,
    sink: &mut dyn Write,
) -> std::io::Result<()> {
    // Headings and summaries gather here; each control's results go straight to `sink`.
    let mut out = String::new();
    out.push_str(&format!("tenet {} · as of {}\n", report.tenet_version, report.as_of));
    let mut packages: Vec<&str> = report.controls.iter().map(|c| &*c.package).collect();
    packages.dedup();
    packages.sort_by_key(|p| !report.controls.iter().any(|c| &*c.package == *p && c.workspace));
    let mut seen = std::collections::BTreeSet::new();
    for package in packages {
        if !seen.insert(package) {
            continue;
        }
        out.push_str(&format!("\n{package}\n"));
        for kind in ["clause", "control", "objective"] {
            for c in report.controls.iter().filter(|c| &*c.package == package && c.kind == kind) {
                let title = format!("{kind} {} {}", c.local_id, c.title);
                out.push_str(&format!("  {:<84} {}\n", truncate(&title, 84), mark(c.status)));
                if let Some(why) = &c.exclusion {
                    let by = c
                        .exclusion_by
                        .as_ref()
                        .map(|e| format!(" ({} at {}:{})", e.package, e.file, e.line))
                        .unwrap_or_default();
                    out.push_str(&format!("      not applicable{by}: {why}\n"));
                    continue;
                }
                // Overridden rules are always named, with who overrode them and why.
                for o in &c.overrides {
                    out.push_str(&format!(
                        "      rule {} {} at {}:{}: {}\n",
                        o.rule,
                        o.by(),
                        o.file,
                        o.line,
                        o.because
                    ));
                }
                sink.write_all(out.as_bytes())?;
                out.clear();
                c.results.render_blocks(
                    |block| render_results(block, all, evidence_root),
                    |lines| sink.write_all(lines.as_bytes()),
                )?;
            }
        }
    }
    if !report.settings.is_empty() {
        // Where each tailored value came from: the `set` in force, and the `set`s of the
        // packs it replaced.
        out.push_str("\nsettings\n");
        for setting in &report.settings {
            out.push_str(&format!(
                "  {} = {} (default {})\n",
                setting.parameter, setting.value, setting.default
            ));
            let line = |verb: &str, source: &tenet_eval::report::SettingSource| {
                let because = source.because.as_deref().map(|b| format!(": {b}")).unwrap_or_default();
                format!("      {verb} by {} at {}:{}{because}\n", source.package, source.file, source.line)
            };
            out.push_str(&line("set", &setting.set_by));
            for replaced in &setting.replaces {
                out.push_str(&line(&format!("replaces {}, set", replaced.value), replaced));
            }
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "\ncontrols: {} pass, {} fail, {} error, {} waived, {} not applicable, {} no evidence\n",
        s.controls.pass,
        s.controls.fail,
        s.controls.error,
        s.controls.waived,
        s.controls.not_applicable,
        s.controls.no_evidence
    ));
    out.push_str(&format!(
        "results:  {} pass, {} fail, {} error, {} waived, {} not applicable, {} no evidence\n",
        s.results.pass,
        s.results.fail,
        s.results.error,
        s.results.waived,
        s.results.not_applicable,
        s.results.no_evidence
    ));
    sink.write_all(out.as_bytes())
}

/// The lines of a block of one control's results: those that failed, erred or were waived
/// (every one with `--all`), each with its first citations. Written piece by piece rather
/// than through `format!`: a large organisation's report is hundreds of thousands of these
/// lines, and formatting machinery cost more than the rest of writing them.
fn render_results(results: &[RuleResult], all: bool, evidence_root: &std::path::Path) -> String {
    let shown = |r: &&RuleResult| all || matches!(r.status, Status::Fail | Status::Error | Status::Waived);
    let mut out = String::with_capacity(results.iter().filter(shown).count() * 128);
    let mut numbers = itoa::Buffer::new();
    // A block's citations point into few files: each file's shown path is worked out once,
    // and found again by where its shared path is held, which hashes one word.
    let mut paths: rustc_hash::FxHashMap<*const str, String> = Default::default();
    for r in results.iter().filter(shown) {
        out.push_str("    ");
        out.push_str(mark(r.status));
        out.push_str(" rule ");
        out.push_str(&r.rule);
        out.push_str(match r.overridden.as_deref() {
            Some(o) if o.action == "disable" => " (disabled)",
            Some(_) => " (replaced)",
            None => "",
        });
        if let Some(s) = &r.subject {
            out.push(' ');
            out.push_str(&s.kind);
            out.push_str(" `");
            out.push_str(&s.key);
            out.push('`');
        }
        if let Some(message) = r.message.as_deref() {
            out.push_str(": ");
            out.push_str(message);
        }
        out.push('\n');
        // The JSON report lists every citation; people read the first few.
        let (first, more) = r.first_citations(tenet_report::SHOWN_CITATIONS);
        for cite in first {
            let path = paths
                .entry(std::sync::Arc::as_ptr(&cite.path))
                .or_insert_with(|| evidence_path(evidence_root, &cite.path));
            out.push_str("        at ");
            out.push_str(path);
            out.push(':');
            out.push_str(numbers.format(cite.line));
            out.push(':');
            out.push_str(numbers.format(cite.column));
            out.push('\n');
        }
        if more > 0 {
            out.push_str("        … and ");
            out.push_str(numbers.format(more));
            out.push_str(" more documents\n");
        }
    }
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// What the versioned JSON report holds beside the run's report: the diagnostics of
/// policies and evidence.
#[derive(serde::Serialize)]
struct JsonDiagnostics {
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<serde_json::Value>,
}

/// Writes the JSON report straight to `out`, never holding it as one value in memory.
fn json_report(
    report: &RunReport,
    diagnostics: &[Diagnostic],
    texts: &SourceTexts,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut rendered = tenet_diagnostics::render::json(diagnostics, texts);
    let diagnostics = rendered.get_mut("diagnostics").map(serde_json::Value::take);
    tenet_report::write_report_json(report, &JsonDiagnostics { diagnostics }, out)
}

/// Baselines: the findings (failures and errors) of a run, recorded so that a team can
/// adopt Tenet on an imperfect organisation and block only regressions. A finding is
/// identified by control, rule, subject and status, never by message or line numbers,
/// which change with unrelated edits.
mod baseline {
    use std::collections::BTreeSet;
    use std::path::Path;

    use serde_json::json;
    use tenet_eval::Status;
    use tenet_eval::report::RunReport;

    /// One finding.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    pub struct Finding {
        pub control: String,
        pub rule: String,
        pub subject: String,
        pub status: String,
    }

    pub fn findings(report: &RunReport) -> Vec<Finding> {
        let mut out: Vec<Finding> = report
            .controls
            .iter()
            .flat_map(|c| c.results.iter())
            .filter(|r| matches!(r.status, Status::Fail | Status::Error))
            .map(|r| Finding {
                control: r.control.to_string(),
                rule: r.rule.to_string(),
                subject: r.subject.as_ref().map(|s| format!("{} {}", s.kind, s.key)).unwrap_or_default(),
                status: r.status.as_str().to_owned(),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    pub fn write(path: &Path, report: &RunReport, findings: &[Finding]) -> Result<(), String> {
        let list: Vec<serde_json::Value> = findings
            .iter()
            .map(
                |f| json!({ "control": f.control, "rule": f.rule, "subject": f.subject, "status": f.status }),
            )
            .collect();
        let value =
            json!({ "schema_version": 1, "recorded_as_of": report.as_of.to_string(), "findings": list });
        let text = format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default());
        std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    }

    pub fn read(path: &Path) -> Result<BTreeSet<Finding>, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not a Tenet baseline: {e}", path.display()))?;
        if value["schema_version"] != 1 {
            return Err(format!("`{}` is not a version 1 Tenet baseline", path.display()));
        }
        let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(value["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| Finding {
                control: text(f, "control"),
                rule: text(f, "rule"),
                subject: text(f, "subject"),
                status: text(f, "status"),
            })
            .collect())
    }
}
