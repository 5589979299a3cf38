//! `tenet watch PATH --evidence DIR`: check, then re-check whenever a policy or evidence
//! file changes, through the same database, so a re-check costs only what the change
//! touches. Each run prints what changed since the previous one: the files, the results,
//! and the problems in policies or evidence that appeared or were fixed (the first run
//! prints every problem).
//!
//! What changed is found by comparing files' sizes and modification times with the last
//! look: the files the system's file notifications name (`notice.rs`), or every file, with
//! `--poll` or where there are no notifications, after an interval.

mod notice;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use salsa::Setter;
use tenet_db::{
    Database, EvidenceFile, EvidenceSet, OsSystem, RunSettings, diagnostics, display_path,
    evaluate_workspace, load_evidence_dir,
};
use tenet_diagnostics::{Diagnostic, render};
use tenet_eval::report::RunReport;
use tenet_eval::{Change, ResultChange, RuleResult};

use self::notice::{Notice, Noticed};
use crate::cli::WatchArgs;
use crate::exit::Exit;
use crate::output::{SourceTexts, count, evidence_diagnostics, invocation_error};

type Stamp = (u64, Option<SystemTime>);

/// Every file's size and modification time, by path. Hashed, not ordered: at 46,970
/// evidence files, ordering the paths took longer than reading the stamps. Only what
/// changed is put in order, for showing.
type Stamps = HashMap<PathBuf, Stamp>;

fn stamps(root: &Path) -> Stamps {
    let mut out = HashMap::new();
    let walked = OsSystem.walk_metadata(root, &mut |path, metadata| {
        out.insert(path, (metadata.len(), metadata.modified().ok()));
    });
    if walked.is_err()
        && let Ok(metadata) = std::fs::metadata(root)
    {
        out.insert(root.to_path_buf(), (metadata.len(), metadata.modified().ok()));
    }
    out
}

/// `before`, with the stamps of the notified `paths` under `root` looked at again: a file
/// gets its new stamp, one that is gone (or is no longer a plain file) loses it, and a
/// path the walk passes over is left alone. `None` when that cannot be worked out from the
/// paths alone (a directory came, went or was renamed, or a path could not be looked at):
/// then every file is looked at again.
fn restamped(before: &Stamps, root: &Path, paths: &[PathBuf]) -> Option<Stamps> {
    // Notifications name paths under the current directory joined to the path watched.
    let base = if root.is_absolute() { root.to_path_buf() } else { std::env::current_dir().ok()?.join(root) };
    let mut now = before.clone();
    for path in paths {
        let Ok(relative) = path.strip_prefix(&base) else { continue };
        if relative.components().any(|c| OsSystem::skips(&c.as_os_str().to_string_lossy())) {
            continue;
        }
        let key = if relative.as_os_str().is_empty() { root.to_path_buf() } else { root.join(relative) };
        match std::fs::symlink_metadata(&key) {
            Ok(metadata) if metadata.is_file() => {
                now.insert(key, (metadata.len(), metadata.modified().ok()));
            }
            Ok(metadata) if metadata.is_dir() => return None,
            Ok(_) => {
                now.remove(&key);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A file that is gone, or a file that came and went (an editor's temporary
                // one); unless it was a directory, whose files are gone with it.
                if now.remove(&key).is_none() && before.keys().any(|k| k.starts_with(&key)) {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
    Some(now)
}

/// Runs the command until interrupted (or for `--runs` runs, for tests and scripts).
pub fn run(args: &WatchArgs) -> Exit {
    let mut db = Database::default();
    db.long_lived();
    let (loaded, mut packs) = match crate::commands::packs::load(&mut db, &args.path) {
        Ok(l) => (l.files, PackProblems { diagnostics: l.diagnostics, texts: l.texts }),
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
    let settings = RunSettings::new(&db, today, args.step_budget);
    // Watching starts before the first look, so that no change falls between the two.
    let notice = Notice::new(&[&args.path, &args.evidence], Duration::from_millis(args.poll_ms), args.poll);
    let mut policy_stamps = stamps(&args.path);
    let mut evidence_stamps = stamps(&args.evidence);
    let mut previous = check(&db, &loaded, (evidence, &args.evidence), settings, &packs, None);
    let mut runs = 1;
    loop {
        if args.runs.is_some_and(|max| runs >= max) {
            return Exit::Clean;
        }
        let (now_policy, now_evidence) = match notice.wait() {
            Noticed::Paths(paths) => match (
                restamped(&policy_stamps, &args.path, &paths),
                restamped(&evidence_stamps, &args.evidence, &paths),
            ) {
                (Some(policy), Some(evidence)) => (policy, evidence),
                _ => (stamps(&args.path), stamps(&args.evidence)),
            },
            Noticed::Anything => (stamps(&args.path), stamps(&args.evidence)),
        };
        if now_policy == policy_stamps && now_evidence == evidence_stamps {
            continue;
        }
        let mut changed: Vec<String> = Vec::new();
        // Policy files: update the bytes of files that changed. New or removed policy
        // files change the package structure, so they reload the workspace input.
        let same_policy_files = now_policy.len() == policy_stamps.len()
            && now_policy.keys().all(|p| policy_stamps.contains_key(p));
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
            let reloaded = match crate::commands::packs::load(&mut db, &args.path) {
                Ok(loaded) => {
                    packs = PackProblems { diagnostics: loaded.diagnostics, texts: loaded.texts };
                    loaded.files
                }
                // Said, and tried again at the next change (the stamps stay as they were).
                Err(e) => {
                    println!("\nchanged: {}", changed.join(", "));
                    invocation_error(&e.to_string());
                    continue;
                }
            };
            let files = reloaded.workspace.policy_files(&db).clone();
            loaded.workspace.set_policy_files(&mut db).to(files);
        }
        // Evidence files: set changed bytes; rebuild the set when files come or go.
        let by_path: HashMap<String, EvidenceFile> =
            evidence.files(&db).iter().map(|f| (f.path(&db).to_owned(), *f)).collect();
        let mut files: Vec<EvidenceFile> = Vec::new();
        let mut set_changed = false;
        let mut edited: Vec<&PathBuf> = Vec::new();
        for (path, stamp) in &now_evidence {
            let rel = display_path(path.strip_prefix(&args.evidence).unwrap_or(path));
            match by_path.get(&rel) {
                Some(file) => {
                    if evidence_stamps.get(path) != Some(stamp)
                        && let Ok(bytes) = std::fs::read(path)
                    {
                        edited.push(path);
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
        edited.sort();
        changed.extend(edited.into_iter().map(|p| display_path(p)));
        if set_changed || files.len() != by_path.len() {
            changed.extend(comings_and_goings(&evidence_stamps, &now_evidence));
            files.sort_by(|a, b| a.path(&db).cmp(b.path(&db)));
            evidence.set_files(&mut db).to(files);
        }
        policy_stamps = now_policy;
        evidence_stamps = now_evidence;
        println!("\nchanged: {}", changed.join(", "));
        previous = check(&db, &loaded, (evidence, &args.evidence), settings, &packs, Some(&previous));
        runs += 1;
    }
}

/// The files that came (`new`) or went (`removed`) between two looks at a directory, in
/// order of path.
fn comings_and_goings(before: &Stamps, now: &Stamps) -> Vec<String> {
    let mut came: Vec<&PathBuf> = now.keys().filter(|p| !before.contains_key(*p)).collect();
    let mut went: Vec<&PathBuf> = before.keys().filter(|p| !now.contains_key(*p)).collect();
    came.sort();
    went.sort();
    let came = came.into_iter().map(|p| format!("{} (new)", display_path(p)));
    came.chain(went.into_iter().map(|p| format!("{} (removed)", display_path(p)))).collect()
}

/// What one run found: the report (whose results are shared runs, so that keeping it costs
/// little and comparing it with the next passes over unchanged chunks), and each
/// diagnostic about the policies or the evidence, by what it says (so that an edit that
/// only moves it is no news), with the line it is shown as.
struct Seen {
    report: RunReport,
    problems: Problems,
}

/// One line for each result that changed, is new, or is gone since `before`.
fn changed_results(before: &RunReport, now: &RunReport) -> Vec<String> {
    now.changes_since(before)
        .into_iter()
        .map(|ResultChange { control, change }| match change {
            Change::Status { before, now } => format!(
                "  {} → {}  {}{}",
                before.status.as_str(),
                now.status.as_str(),
                named(control, now),
                suffix(&now.message)
            ),
            Change::New(r) => {
                format!("  new {}  {}{}", r.status.as_str(), named(control, r), suffix(&r.message))
            }
            Change::Gone(r) => format!("  gone  {}", named(control, r)),
        })
        .collect()
}

/// A result's subject as shown: its kind and key (a rule without subjects has none).
fn subject(r: &RuleResult) -> String {
    r.subject.as_ref().map(|s| format!("{} `{}`", s.kind, s.key)).unwrap_or_default()
}

/// A result's control, rule and subject.
fn named(control: &str, r: &RuleResult) -> String {
    match subject(r) {
        s if s.is_empty() => format!("{control} rule {}", r.rule),
        s => format!("{control} rule {} {s}", r.rule),
    }
}

/// A problem as runs compare it: its file, code and message (not where in the file, so
/// that an edit above it is no news), with the line it is shown as.
type Problems = BTreeMap<(String, String, String), String>;

/// What loading the packs found (lock mismatches, missing packs), with the texts those
/// diagnostics point into: found when the workspace is loaded, not by a query.
struct PackProblems {
    diagnostics: Vec<Diagnostic>,
    texts: SourceTexts,
}

/// The diagnostics about the packs, the policies and the evidence, each as a `short` line
/// with its severity (path, line, column, severity, code, message), evidence files named as
/// the user would open them; and how many are errors.
fn problems(
    db: &Database,
    loaded: &tenet_db::WorkspaceFiles,
    (evidence, dir): (EvidenceSet, &Path),
    packs: &PackProblems,
) -> (Problems, usize) {
    let mut all: Vec<Diagnostic> = diagnostics(db, loaded.workspace).to_vec();
    // Only the policy files a diagnostic points into need their text, for lines and columns.
    let named: HashSet<&str> = all.iter().map(|d| &*d.path).collect();
    let mut texts = SourceTexts::default();
    for file in loaded.files.iter().filter(|f| named.contains(f.path(db))) {
        texts.add(file.path(db), file.bytes(db));
    }
    all.extend(evidence_diagnostics(db, loaded.workspace, evidence, dir, &mut texts));
    let errors = all.iter().chain(&packs.diagnostics).filter(|d| d.is_error()).count();
    let mut problems = shown(&all, &texts);
    problems.extend(shown(&packs.diagnostics, &packs.texts));
    (problems, errors)
}

/// Each diagnostic's line: `path:line:column: warning T0508 …`, the short form with the
/// severity.
fn shown(diagnostics: &[Diagnostic], texts: &SourceTexts) -> Problems {
    let lines = render::short_with_severity(diagnostics, texts);
    diagnostics
        .iter()
        .zip(lines.lines())
        .map(|(d, line)| ((d.path.to_string(), d.code.to_string(), d.message.clone()), line.to_owned()))
        .collect()
}

/// One run: the summary and every problem (first run), or what changed since `previous`.
fn check(
    db: &Database,
    loaded: &tenet_db::WorkspaceFiles,
    evidence: (EvidenceSet, &Path),
    settings: RunSettings,
    packs: &PackProblems,
    previous: Option<&Seen>,
) -> Seen {
    let started = std::time::Instant::now();
    let (problems, errors) = problems(db, loaded, evidence, packs);
    let report = evaluate_workspace(db, loaded.workspace, evidence.0, settings, &|_, _| 0);
    let found = format!("{} in policies or evidence", count(errors, "error", "errors"));
    match previous {
        None => {
            let s = &report.summary.results;
            println!(
                "checked in {} ms: {} pass, {} fail, {} error, {} waived, {} not applicable, {} no evidence; {found}",
                started.elapsed().as_millis(),
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
            let lines = changed_results(&before.report, &report);
            let results = if lines.is_empty() {
                "no result changed".to_owned()
            } else {
                format!("{} changed", count(lines.len(), "result", "results"))
            };
            println!("re-checked in {} ms: {results}; {found}", started.elapsed().as_millis());
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
    Seen { report, problems }
}

fn suffix(message: &Option<Arc<str>>) -> String {
    message.as_ref().map(|m| format!(": {m}")).unwrap_or_default()
}
