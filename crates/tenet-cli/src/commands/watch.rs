//! `tenet watch PATH --evidence DIR`: check, then re-check whenever a policy or evidence
//! file changes, through the same database, so a re-check costs only what the change
//! touches. Each run prints what changed since the previous one: the files, the results,
//! and the problems in policies or evidence that appeared or were fixed (the first run
//! prints every problem).
//!
//! Changes are found by polling file sizes and modification times: it needs no platform
//! notification service, works on network file systems, and costs a `stat` per file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use salsa::Setter;
use tenet_db::{
    Database, EvidenceFile, EvidenceSet, OsSystem, RunSettings, System, diagnostics, display_path,
    evaluate_workspace, load_evidence_dir, validate_evidence,
};
use tenet_diagnostics::{Diagnostic, render};
use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::cli::WatchArgs;
use crate::exit::Exit;
use crate::output::{SourceTexts, count, invocation_error};

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
    let mut previous = check(&db, &loaded, (evidence, &args.evidence), settings, None);
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
            if packs_changed {
                changed.push(format!("{} (packs changed)", display_path(&args.path)));
            }
            changed.extend(comings_and_goings(&policy_stamps, &now_policy));
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
                    let bytes = std::fs::read(path).unwrap_or_default();
                    files.push(EvidenceFile::new(&db, rel, bytes.into()));
                    set_changed = true;
                }
            }
        }
        if set_changed || files.len() != by_path.len() {
            changed.extend(comings_and_goings(&evidence_stamps, &now_evidence));
            files.sort_by(|a, b| a.path(&db).cmp(b.path(&db)));
            evidence.set_files(&mut db).to(files);
        }
        policy_stamps = now_policy;
        evidence_stamps = now_evidence;
        println!("\nchanged: {}", changed.join(", "));
        previous = check(&db, &loaded, (evidence, &args.evidence), settings, Some(&previous));
        runs += 1;
    }
}

/// The files that came (`new`) or went (`removed`) between two looks at a directory.
fn comings_and_goings(before: &BTreeMap<PathBuf, Stamp>, now: &BTreeMap<PathBuf, Stamp>) -> Vec<String> {
    let came = now.keys().filter(|p| !before.contains_key(*p)).map(|p| format!("{} (new)", display_path(p)));
    let went =
        before.keys().filter(|p| !now.contains_key(*p)).map(|p| format!("{} (removed)", display_path(p)));
    came.chain(went).collect()
}

type Outcomes = BTreeMap<(String, String, String), (Status, Option<Arc<str>>)>;

/// What one run found: each result's status, and each diagnostic about the policies or
/// the evidence, by what it says (so that an edit that only moves it is no news), with the
/// line it is shown as.
struct Run {
    outcomes: Outcomes,
    problems: BTreeMap<(String, String, String), String>,
}

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

/// The diagnostics about the policies and the evidence, each as a `short` line (path,
/// line, column, code, message), evidence files named as the user would open them.
fn problems(
    db: &Database,
    loaded: &tenet_db::WorkspaceFiles,
    (evidence, dir): (EvidenceSet, &Path),
) -> (BTreeMap<(String, String, String), String>, usize) {
    let mut all: Vec<Diagnostic> = diagnostics(db, loaded.workspace).to_vec();
    let policy_count = all.len();
    all.extend(validate_evidence(db, loaded.workspace, evidence).iter().cloned());
    let errors = all.iter().filter(|d| d.is_error()).count();
    // Only the files a diagnostic points into need their text, for lines and columns.
    let named: HashSet<&str> = all.iter().map(|d| &*d.path).collect();
    let mut texts = SourceTexts::default();
    for file in loaded.files.iter().filter(|f| named.contains(f.path(db))) {
        texts.add(file.path(db), file.bytes(db));
    }
    for file in evidence.files(db).iter().filter(|f| named.contains(f.path(db))) {
        texts.add(&display_path(&dir.join(file.path(db))), file.bytes(db));
    }
    for d in &mut all[policy_count..] {
        d.path = display_path(&dir.join(&*d.path)).into();
    }
    let lines = render::short(&all, &texts);
    let problems = all
        .iter()
        .zip(lines.lines())
        .map(|(d, line)| ((d.path.to_string(), d.code.to_string(), d.message.clone()), line.to_owned()))
        .collect();
    (problems, errors)
}

/// One run: the summary and every problem (first run), or what changed since `previous`.
fn check(
    db: &Database,
    loaded: &tenet_db::WorkspaceFiles,
    evidence: (EvidenceSet, &Path),
    settings: RunSettings,
    previous: Option<&Run>,
) -> Run {
    let started = std::time::Instant::now();
    let (problems, errors) = problems(db, loaded, evidence);
    let report = evaluate_workspace(db, loaded.workspace, evidence.0, settings, &|_, _| 0);
    let now = outcomes(&report);
    let elapsed = started.elapsed();
    let found = format!("{} in policies or evidence", count(errors, "error", "errors"));
    match previous {
        None => {
            let s = &report.summary.results;
            println!(
                "checked in {} ms: {} pass, {} fail, {} error, {} waived, {} not applicable, {} no evidence; {found}",
                elapsed.as_millis(),
                s.pass,
                s.fail,
                s.error,
                s.waived,
                s.not_applicable,
                s.no_evidence
            );
            for line in problems.values() {
                println!("  {line}");
            }
        }
        Some(before) => {
            let mut lines = Vec::new();
            for (key, (status, message)) in &now {
                match before.outcomes.get(key) {
                    Some((old, _)) if old == status => {}
                    Some((old, _)) => lines.push(format!(
                        "  {} → {}  {}{}",
                        old.as_str(),
                        status.as_str(),
                        named(key),
                        suffix(message)
                    )),
                    None => {
                        lines.push(format!("  new {}  {}{}", status.as_str(), named(key), suffix(message)))
                    }
                }
            }
            for key in before.outcomes.keys().filter(|k| !now.contains_key(*k)) {
                lines.push(format!("  gone  {}", named(key)));
            }
            let results = if lines.is_empty() {
                "no result changed".to_owned()
            } else {
                format!("{} changed", count(lines.len(), "result", "results"))
            };
            println!("re-checked in {} ms: {results}; {found}", elapsed.as_millis());
            for l in lines {
                println!("{l}");
            }
            for (key, line) in &problems {
                if !before.problems.contains_key(key) {
                    println!("  new problem  {line}");
                }
            }
            for ((path, code, message), _) in
                before.problems.iter().filter(|(k, _)| !problems.contains_key(*k))
            {
                println!("  fixed  {path}: {code} {message}");
            }
        }
    }
    Run { outcomes: now, problems }
}

/// A result's control, rule and subject (a rule without subjects has none).
fn named((control, rule, subject): &(String, String, String)) -> String {
    if subject.is_empty() {
        format!("{control} rule {rule}")
    } else {
        format!("{control} rule {rule} {subject}")
    }
}

fn suffix(message: &Option<Arc<str>>) -> String {
    message.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
}
