//! `tenet watch PATH --evidence DIR`: check, then re-check whenever a policy or evidence
//! file changes, through the same database, so a re-check costs only what the change
//! touches. Each run prints what changed since the previous one: the files, the results,
//! and the problems in policies or evidence that appeared or were fixed (the first run
//! prints every problem).
//!
//! What changed is found by comparing files' sizes and modification times with the last
//! look (`looks.rs`): the files the system's file notifications name (`notice.rs`), or
//! every file, with `--poll` or where there are no notifications, after an interval.

mod looks;
mod notice;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use salsa::Setter;
use tenet_db::{
    Database, EvidenceInputs, EvidenceSet, OsSystem, RunSettings, diagnostics, display_path,
    evaluate_workspace, load_evidence_dir,
};
use tenet_diagnostics::{Diagnostic, render};
use tenet_eval::report::RunReport;
use tenet_eval::{Change, ResultChange, RuleResult};

use self::looks::{Changes, LastLook, Place};
use self::notice::{Notice, Noticed};
use crate::cli::WatchArgs;
use crate::exit::Exit;
use crate::output::{SourceTexts, count, evidence_diagnostics, invocation_error};

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
    let mut notice =
        Notice::new(&[&args.path, &args.evidence], Duration::from_millis(args.poll_ms), args.poll);
    let mut policy_look = LastLook::new(&args.path, |_| true);
    let mut evidence_look = LastLook::new(&args.evidence, tenet_db::is_evidence_file);
    notice.follow_links(policy_look.links().chain(evidence_look.links()));
    // The evidence inputs by path, kept from run to run, so that a change costs what it
    // touches: at 46,970 files, making this map each run took longer than the re-check.
    let mut inputs = EvidenceInputs::of(&db, evidence);
    let mut previous = check(&db, &loaded, (evidence, &args.evidence), settings, &packs, None);
    // Files a look found changed whose change could not be taken in (the packs failed to
    // load): looked at again with the next notification's.
    let mut unsettled: Vec<PathBuf> = Vec::new();
    let mut runs = 1;
    loop {
        if args.runs.is_some_and(|max| runs >= max) {
            return Exit::Clean;
        }
        // Without `--as-of`, results are as of today, and a new day is a change.
        let tomorrow = args.as_of.is_none().then(|| Instant::now() + tenet_db::until_tomorrow_utc());
        let (policy_changes, evidence_changes) = match notice.wait(tomorrow) {
            Noticed::Paths(mut paths) => {
                paths.append(&mut unsettled);
                match (policy_look.look_at(&paths), evidence_look.look_at(&paths)) {
                    (Some(policy), Some(evidence)) => (policy, evidence),
                    _ => (policy_look.look_at_all(), evidence_look.look_at_all()),
                }
            }
            Noticed::Anything => {
                unsettled.clear();
                (policy_look.look_at_all(), evidence_look.look_at_all())
            }
            Noticed::Nothing => (Changes::new(), Changes::new()),
        };
        let today = crate::commands::today(args.as_of);
        let new_day = tenet_db::move_to_date(&mut db, settings, today);
        if policy_changes.is_empty() && evidence_changes.is_empty() && !new_day {
            continue;
        }
        let mut changed: Vec<String> = Vec::new();
        if new_day {
            changed.push(format!("the date ({today})"));
        }
        // Policy files: update the bytes of files that changed. New or removed policy
        // files change the package structure, so they reload the workspace input.
        let came_or_went =
            policy_changes.iter().any(|(path, stamp)| stamp.is_none() || !policy_look.holds(path));
        // A new lock or manifest may bring other packs: reload as for new files.
        let packs_changed = policy_changes.iter().any(|(path, _)| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name == tenet_pack::LOCK_FILE || name == tenet_pack::MANIFEST_FILE
        });
        if !came_or_went && !packs_changed {
            // Named as the workspace names its files (`./policy/p.tenet` is `policy/p.tenet`).
            let touched: HashMap<String, &PathBuf> =
                policy_changes.iter().map(|(path, _)| (display_path(path), path)).collect();
            for file in &loaded.files {
                if let Some(path) = touched.get(file.path(&db))
                    && let Ok(bytes) = std::fs::read(path)
                {
                    changed.push(display_path(path));
                    file.set_bytes(&mut db).to(bytes);
                }
            }
        } else {
            if packs_changed {
                changed.push(format!("{} (packs changed)", display_path(&args.path)));
            }
            changed.extend(comings_and_goings(&policy_look, &policy_changes));
            let reloaded = match crate::commands::packs::load(&mut db, &args.path) {
                Ok(loaded) => {
                    packs = PackProblems { diagnostics: loaded.diagnostics, texts: loaded.texts };
                    loaded.files
                }
                // Said, and tried again at the next change, with these changes.
                Err(e) => {
                    println!("\nchanged: {}", changed.join(", "));
                    invocation_error(&e.to_string());
                    unsettled
                        .extend(policy_changes.into_iter().chain(evidence_changes).map(|(path, _)| path));
                    continue;
                }
            };
            let files = reloaded.workspace.policy_files(&db).clone();
            loaded.workspace.set_policy_files(&mut db).to(files);
        }
        // Evidence files: set changed bytes; rebuild the set when files come or go.
        let mut edited: Vec<&PathBuf> = Vec::new();
        for (path, seen) in &evidence_changes {
            let shown = display_path(path.strip_prefix(&args.evidence).unwrap_or(path));
            // A place that cannot be read is reported where it is, as a check reports it,
            // and what it held before is no longer evaluated.
            let known = match seen {
                Some(Place::File(_) | Place::Linked(_)) => !inputs.read(&mut db, &OsSystem, path, shown),
                Some(Place::Unreadable(why)) => {
                    !inputs.write_unread(&mut db, shown, why.clone().relative_to(&args.evidence))
                }
                // Every file gone is a change of its own: this one alone leaves.
                None => {
                    inputs.remove_under(&shown, &|p| p != shown);
                    false
                }
            };
            if known {
                edited.push(path);
            }
        }
        edited.sort();
        changed.extend(edited.into_iter().map(|p| display_path(p)));
        if inputs.settle(&mut db) {
            changed.extend(comings_and_goings(&evidence_look, &evidence_changes));
        }
        // Link targets are followed again only when a look saw a link come or change: the
        // looks hold every file, and a re-check should cost what its edit touched. A link
        // that went leaves its target followed, whose notifications then name nothing.
        let links_changed = policy_changes
            .iter()
            .chain(&evidence_changes)
            .any(|(_, place)| matches!(place, Some(Place::Linked(_))));
        policy_look.update(&policy_changes);
        evidence_look.update(&evidence_changes);
        if links_changed {
            notice.follow_links(policy_look.links().chain(evidence_look.links()));
        }
        println!("\nchanged: {}", changed.join(", "));
        previous = check(&db, &loaded, (evidence, &args.evidence), settings, &packs, Some(&previous));
        runs += 1;
    }
}

/// The files that came (`new`) or went (`removed`) since the last look, in order of path.
fn comings_and_goings(last: &LastLook, changes: &Changes) -> Vec<String> {
    let mut came: Vec<&PathBuf> =
        changes.iter().filter(|(path, stamp)| stamp.is_some() && !last.holds(path)).map(|(p, _)| p).collect();
    let mut went: Vec<&PathBuf> =
        changes.iter().filter(|(_, stamp)| stamp.is_none()).map(|(p, _)| p).collect();
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
    all.extend(tenet_db::waiver_diagnostics(db, loaded.workspace, evidence).iter().cloned());
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
