//! `tenet watch PATH --evidence DIR`: check, then re-check whenever a policy or evidence
//! file changes, through the same database, so a re-check costs only what the change
//! touches. Each run prints what changed since the previous one.
//!
//! Changes are found by polling file sizes and modification times: it needs no platform
//! notification service, works on network file systems, and costs a `stat` per file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use salsa::Setter;
use tenet_db::{
    Database, EvidenceFile, EvidenceSet, OsSystem, RunSettings, System, diagnostics, display_path,
    evaluate_workspace, load_evidence_dir, validate_evidence,
};
use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::cli::WatchArgs;
use crate::exit::Exit;
use crate::output::invocation_error;

type Stamp = (u64, Option<SystemTime>);

fn stamps(root: &Path) -> BTreeMap<PathBuf, Stamp> {
    let mut out = BTreeMap::new();
    if let Ok(paths) = OsSystem.walk(root) {
        for p in paths {
            if let Ok(meta) = std::fs::metadata(&p) {
                out.insert(p, (meta.len(), meta.modified().ok()));
            }
        }
    } else if let Ok(meta) = std::fs::metadata(root) {
        out.insert(root.to_path_buf(), (meta.len(), meta.modified().ok()));
    }
    out
}

/// Runs the command until interrupted (or for `--runs` runs, for tests and scripts).
pub fn run(args: &WatchArgs) -> Exit {
    let mut db = Database::default();
    db.long_lived();
    let loaded = match crate::commands::packs::load(&mut db, &args.path) {
        Ok(l) => l.files,
        Err(e) => {
            invocation_error(&e.to_string());
            return Exit::Errors;
        }
    };
    let evidence = match load_evidence_dir(&mut db, &OsSystem, &args.evidence) {
        Ok(e) => e,
        Err(e) => {
            invocation_error(&format!("evidence: {e}"));
            return Exit::Errors;
        }
    };
    let today = crate::commands::today(args.as_of);
    let settings = RunSettings::new(&db, today, tenet_eval::DEFAULT_STEP_BUDGET);
    let mut policy_stamps = stamps(&args.path);
    let mut evidence_stamps = stamps(&args.evidence);
    let mut previous = check(&db, &loaded, evidence, settings, None);
    let mut runs = 1;
    loop {
        if args.runs.is_some_and(|max| runs >= max) {
            return Exit::Clean;
        }
        std::thread::sleep(Duration::from_millis(args.poll_ms));
        let now_policy = stamps(&args.path);
        let now_evidence = stamps(&args.evidence);
        if now_policy == policy_stamps && now_evidence == evidence_stamps {
            continue;
        }
        let mut changed: Vec<String> = Vec::new();
        // Policy files: update the bytes of files that changed. New or removed policy
        // files change the package structure, so they reload the workspace input.
        let same_policy_files = now_policy.keys().eq(policy_stamps.keys());
        // A new lock or manifest may bring other packs: reload as for new files.
        let packs_changed = now_policy.iter().any(|(path, stamp)| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name == tenet_pack::LOCK_FILE || name == tenet_pack::MANIFEST_FILE)
                && policy_stamps.get(path) != Some(stamp)
        });
        if same_policy_files && !packs_changed {
            for file in &loaded.files {
                let path = PathBuf::from(file.path(&db));
                if now_policy.get(&path) != policy_stamps.get(&path)
                    && let Ok(bytes) = std::fs::read(&path)
                {
                    changed.push(display_path(&path));
                    file.set_bytes(&mut db).to(bytes);
                }
            }
        } else {
            let what = if packs_changed { "packs changed" } else { "files added or removed" };
            changed.push(format!("{} ({what})", display_path(&args.path)));
            let Ok(reloaded) = crate::commands::packs::load(&mut db, &args.path).map(|l| l.files) else {
                continue;
            };
            let files = reloaded.workspace.policy_files(&db).clone();
            loaded.workspace.set_policy_files(&mut db).to(files);
        }
        // Evidence files: set changed bytes; rebuild the set when files come or go.
        let by_path: HashMap<String, EvidenceFile> =
            evidence.files(&db).iter().map(|f| (f.path(&db).to_owned(), *f)).collect();
        let mut files: Vec<EvidenceFile> = Vec::new();
        let mut set_changed = false;
        for (path, stamp) in &now_evidence {
            let rel = display_path(path.strip_prefix(&args.evidence).unwrap_or(path));
            match by_path.get(&rel) {
                Some(file) => {
                    if evidence_stamps.get(path) != Some(stamp)
                        && let Ok(bytes) = std::fs::read(path)
                    {
                        changed.push(display_path(path));
                        file.set_bytes(&mut db).to(bytes.into());
                    }
                    files.push(*file);
                }
                None => {
                    changed.push(format!("{} (new)", display_path(path)));
                    let bytes = std::fs::read(path).unwrap_or_default();
                    files.push(EvidenceFile::new(&db, rel, bytes.into()));
                    set_changed = true;
                }
            }
        }
        if set_changed || files.len() != by_path.len() {
            if files.len() < by_path.len() {
                changed.push("evidence files removed".to_owned());
            }
            files.sort_by(|a, b| a.path(&db).cmp(b.path(&db)));
            evidence.set_files(&mut db).to(files);
        }
        policy_stamps = now_policy;
        evidence_stamps = now_evidence;
        println!("\nchanged: {}", changed.join(", "));
        previous = check(&db, &loaded, evidence, settings, Some(&previous));
        runs += 1;
    }
}

type Outcomes = BTreeMap<(String, String, String), (Status, Option<Arc<str>>)>;

fn outcomes(report: &RunReport) -> Outcomes {
    let mut out = BTreeMap::new();
    for c in &report.controls {
        for r in c.results.iter() {
            let subject = r.subject.as_ref().map(|s| format!("{} `{}`", s.kind, s.key)).unwrap_or_default();
            out.insert((c.id.to_string(), r.rule.to_string(), subject), (r.status, r.message.clone()));
        }
    }
    out
}

/// One run: diagnostics, then either the summary (first run) or what changed.
fn check(
    db: &Database,
    loaded: &tenet_db::WorkspaceFiles,
    evidence: EvidenceSet,
    settings: RunSettings,
    previous: Option<&Outcomes>,
) -> Outcomes {
    let started = std::time::Instant::now();
    let errors = diagnostics(db, loaded.workspace)
        .iter()
        .chain(validate_evidence(db, loaded.workspace, evidence).iter())
        .filter(|d| d.is_error())
        .count();
    let report = evaluate_workspace(db, loaded.workspace, evidence, settings, &|_, _| 0);
    let now = outcomes(&report);
    let elapsed = started.elapsed();
    match previous {
        None => {
            let s = &report.summary.results;
            println!(
                "checked in {} ms: {} pass, {} fail, {} error, {} waived, {} not applicable, {} no evidence; {errors} errors in policies or evidence",
                elapsed.as_millis(),
                s.pass,
                s.fail,
                s.error,
                s.waived,
                s.not_applicable,
                s.no_evidence
            );
        }
        Some(before) => {
            let mut lines = Vec::new();
            for (key, (status, message)) in &now {
                match before.get(key) {
                    Some((old, _)) if old == status => {}
                    Some((old, _)) => lines.push(format!(
                        "  {} → {}  {} rule {} {}{}",
                        old.as_str(),
                        status.as_str(),
                        key.0,
                        key.1,
                        key.2,
                        suffix(message)
                    )),
                    None => lines.push(format!(
                        "  new {}  {} rule {} {}{}",
                        status.as_str(),
                        key.0,
                        key.1,
                        key.2,
                        suffix(message)
                    )),
                }
            }
            for key in before.keys().filter(|k| !now.contains_key(*k)) {
                lines.push(format!("  gone  {} rule {} {}", key.0, key.1, key.2));
            }
            if lines.is_empty() {
                println!(
                    "re-checked in {} ms: no result changed; {errors} errors in policies or evidence",
                    elapsed.as_millis()
                );
            } else {
                println!(
                    "re-checked in {} ms: {} results changed; {errors} errors in policies or evidence",
                    elapsed.as_millis(),
                    lines.len()
                );
                for l in lines {
                    println!("{l}");
                }
            }
        }
    }
    now
}

fn suffix(message: &Option<Arc<str>>) -> String {
    message.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
}
