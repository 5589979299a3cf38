//! Literate semantic tests: each folder under `tests/semantics/` is a policy, its
//! evidence and the results expected (`expected.txt`), at the date named on the policy's
//! first line (`// as-of: YYYY-MM-DD`). Every `.tenet` file of the folder is loaded, so a
//! case may declare several packages (a `lib.tenet` that `policy.tenet` uses). One case per
//! construct and status, and the edges auditors ask about. `TENET_BLESS=1` rewrites the
//! expectations.
#![allow(clippy::expect_used, reason = "test set-up fails loudly")]

use std::fmt::Write;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use tenet_db::{
    Database, OsSystem, RunSettings, diagnostics, evaluate_workspace, evidence_diagnostics,
    load_evidence_dir, load_workspace,
};
use tenet_eval::report::RunReport;
use tenet_eval::{Passes, RuleResult, Status};
use tenet_sema::program::ControlId;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/semantics");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    cases.sort();
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Trial::test(name, move || run_case(&case))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// A run that counts passes (`tenet check`'s report for people) decides as one that lists
/// them: the same statuses and counts, and the same results but the passing ones, except
/// in a control tailoring or an override may change, which lists every result.
fn passes_counted_as_listed(
    db: &Database,
    workspace: tenet_db::Workspace,
    listed: &RunReport,
    counted: &RunReport,
) -> Result<(), Failed> {
    let program = tenet_db::program(db, workspace);
    if listed.summary != counted.summary || listed.controls.len() != counted.controls.len() {
        return Err(format!("summaries differ: {:?} and {:?}", listed.summary, counted.summary).into());
    }
    for (i, (l, c)) in listed.controls.iter().zip(&counted.controls).enumerate() {
        let id = ControlId(i as u32);
        let control = &program.controls[i];
        let may_change = control.applies.is_some()
            || program.exclusions.iter().any(|e| e.control == id)
            || program.waivers.iter().any(|w| w.control == id)
            || control.rules.iter().any(|r| r.overridden.is_some());
        let expected: Vec<&RuleResult> =
            l.results.iter().filter(|r| may_change || r.status != Status::Pass).collect();
        let got: Vec<&RuleResult> = c.results.iter().collect();
        if l.status != c.status || l.results.counts() != c.results.counts() || expected != got {
            return Err(format!("control {} counting passes: {:?} against {:?}", l.id, got, expected).into());
        }
    }
    Ok(())
}

fn run_case(case: &Path) -> Result<(), Failed> {
    let policy = case.join("policy.tenet");
    let text = std::fs::read_to_string(&policy).map_err(|e| e.to_string())?;
    let as_of = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// as-of: "))
        .and_then(|d| d.trim().parse::<jiff::civil::Date>().ok())
        .ok_or("policy.tenet must start with `// as-of: YYYY-MM-DD`")?;
    let mut db = Database::default();
    let loaded = load_workspace(&mut db, &OsSystem, case).map_err(|e| e.to_string())?;
    let evidence =
        load_evidence_dir(&mut db, &OsSystem, &case.join("evidence")).map_err(|e| e.to_string())?;
    let settings = RunSettings::new(&db, as_of, tenet_eval::DEFAULT_STEP_BUDGET);
    let mut out = String::new();
    for d in diagnostics(&db, loaded.workspace)
        .iter()
        .chain(evidence_diagnostics(&db, loaded.workspace, evidence).iter())
    {
        // A policy file is named from the case, as results name it.
        let path = d.path.strip_prefix(&format!("{}/", case.display())).unwrap_or(&d.path);
        let _ = writeln!(out, "diagnostic {} {path}: {}", d.code.id(), d.message);
    }
    let line_of = |path: &str, offset: u32| -> u32 {
        let text = std::fs::read(path).unwrap_or_default();
        let before = text.get(..offset as usize).unwrap_or_default();
        before.iter().filter(|b| **b == b'\n').count() as u32 + 1
    };
    let report = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let counting =
        RunSettings::builder(as_of, tenet_eval::DEFAULT_STEP_BUDGET).passes(Passes::Counted).new(&db);
    let counted = evaluate_workspace(&db, loaded.workspace, evidence, counting, &line_of);
    passes_counted_as_listed(&db, loaded.workspace, &report, &counted)?;
    for c in &report.controls {
        let _ = writeln!(out, "{} {} => {}", c.kind, c.local_id, c.status.as_str());
        for r in c.results.iter() {
            let subject = r.subject.as_ref().map(|s| format!(" [{} {}]", s.kind, s.key)).unwrap_or_default();
            // A policy file is named as the case's loading named it: shown from the case.
            let case_dir = format!("{}/", case.display());
            let message =
                r.message.as_deref().map(|m| format!(": {}", m.replace(&case_dir, ""))).unwrap_or_default();
            let _ = writeln!(out, "  rule {}{subject} {}{message}", r.rule, r.status.as_str());
            if let Some(o) = &r.overridden {
                let file = o.file.rsplit('/').next().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    override {} by {} at {file}:{}: {}",
                    o.action, o.package, o.line, o.because
                );
            }
            for cite in r.citations.iter() {
                let _ = writeln!(out, "    cites {}:{}:{}", cite.path, cite.line, cite.column);
            }
            if r.more_citations > 0 {
                let _ = writeln!(out, "    and {} more", r.more_citations);
            }
        }
    }
    let expected_path = case.join("expected.txt");
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if expected == out {
        return Ok(());
    }
    if std::env::var_os("TENET_BLESS").is_some() {
        std::fs::write(&expected_path, &out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&expected, &out)
        .unified_diff()
        .header("expected", "actual")
        .to_string();
    Err(diff.into())
}
