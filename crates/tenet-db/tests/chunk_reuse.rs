//! A long-lived database reuses the chunks of a large rule that an edit did not reach.
//! Reuse must never change a verdict: after each of a long run of random edits (evidence
//! values, documents added and removed, subjects shifted, today's date, the budget, the
//! policy), the report of the reusing database is compared with that of a fresh one.

#![allow(clippy::expect_used, reason = "test set-up fails loudly")]

use std::fmt::Write;

use salsa::Setter;
use tenet_db::{
    Database, Db, MemorySystem, RunSettings, evaluate_workspace, load_evidence_dir, load_workspace,
};
use tenet_eval::report::RunReport;

const POLICY: &str = r#"package reuse

schema AiSystem from "systems/*.yaml" {
  id: string key
  deployed: bool
  tier: "low" | "high"
}

schema Review from "reviews/*.jsonl" {
  id: string key
  system: ref AiSystem
  on: date
}

schema Freeze from "freezes/*.yaml" {
  id: string key
  active: bool
}

param review_interval: duration = 90 days

control R.1 "Deployed systems are reviewed" {
  rule reviewed
    for s: AiSystem where s.deployed
    require some r: Review where r.system == s and r.on >= today - review_interval
    else "{s.id} has no review since {today - review_interval}"
}

control R.2 "Reviews are of deployed or low-risk systems" {
  rule of_deployed
    for r: Review
    require r.system.deployed or r.system.tier == "low"
    else "{r.id} reviews {r.system.id}"
}

control R.3 "No freeze is active for high-risk systems" {
  rule unfrozen
    for s: AiSystem where s.tier == "high"
    require none f: Freeze where f.active
}
"#;

/// The evidence as the test edits it.
struct Organisation {
    /// Per file: id, deployed, tier.
    systems: Vec<Vec<(String, bool, &'static str)>>,
    /// Per file: id, system, date.
    reviews: Vec<Vec<(String, String, String)>>,
    /// Id, active.
    freezes: Vec<(String, bool)>,
    interval: &'static str,
}

impl Organisation {
    /// 5,000 systems in five files, a review for two systems in three, two freezes.
    fn new() -> Organisation {
        let systems = (0..5)
            .map(|f| {
                (f * 1000..(f + 1) * 1000)
                    .map(|n| (format!("sys-{n:05}"), n % 7 != 0, if n % 5 == 0 { "high" } else { "low" }))
                    .collect()
            })
            .collect();
        let reviews = (0..5)
            .map(|f| {
                (f * 1000..(f + 1) * 1000)
                    .filter(|n| n % 3 != 0)
                    .map(|n| (format!("rev-{n:05}"), format!("sys-{n:05}"), date(n)))
                    .collect()
            })
            .collect();
        let freezes = vec![("fr-1".to_owned(), false), ("fr-2".to_owned(), false)];
        Organisation { systems, reviews, freezes, interval: "90 days" }
    }

    fn files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for (i, entries) in self.systems.iter().enumerate() {
            let mut yaml = String::new();
            for (id, deployed, tier) in entries {
                let _ = writeln!(yaml, "- id: {id}\n  deployed: {deployed}\n  tier: {tier}");
            }
            files
                .push((format!("systems/part-{i}.yaml"), if yaml.is_empty() { "[]\n".into() } else { yaml }));
        }
        for (i, entries) in self.reviews.iter().enumerate() {
            let mut jsonl = String::new();
            for (id, system, on) in entries {
                let _ = writeln!(jsonl, "{{\"id\": \"{id}\", \"system\": \"{system}\", \"on\": \"{on}\"}}");
            }
            files.push((format!("reviews/part-{i}.jsonl"), jsonl));
        }
        let mut yaml = String::new();
        for (id, active) in &self.freezes {
            let _ = writeln!(yaml, "- id: {id}\n  active: {active}");
        }
        files.push(("freezes/all.yaml".to_owned(), yaml));
        files
    }

    fn policy(&self) -> String {
        POLICY.replace("90 days", self.interval)
    }

    fn system(&self) -> MemorySystem {
        let mut system = MemorySystem::new();
        system.write("pack/policy.tenet", self.policy());
        for (path, text) in self.files() {
            system.write(format!("evidence/{path}"), text);
        }
        system
    }
}

/// A date in the first half of 2026, spread by `n`.
fn date(n: usize) -> String {
    let day = jiff::civil::date(2026, 1, 1).checked_add(jiff::Span::new().days((n * 37 % 180) as i64));
    day.expect("a date in 2026").to_string()
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Random(u64);

impl Random {
    /// A file and a position in it, with the file's entries; the position may be
    /// past the end when the file is empty.
    fn entry_of<'o, T>(&mut self, files: &'o mut [Vec<T>]) -> (usize, usize, &'o mut Vec<T>) {
        let file = self.below(files.len());
        let entries = &mut files[file];
        let i = self.below(entries.len());
        (file, i, entries)
    }

    /// Removes a random entry of a random file (none when the file is empty), and says
    /// which, as "{what} {i} of file {file} removed".
    fn remove_entry<T>(&mut self, files: &mut [Vec<T>], what: &str) -> String {
        let (file, i, entries) = self.entry_of(files);
        if i < entries.len() {
            entries.remove(i);
        }
        format!("{what} {i} of file {file} removed")
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// The report of a database that has never seen an earlier state.
fn fresh(org: &Organisation, today: jiff::civil::Date, budget: u64) -> RunReport {
    let mut db = Database::default();
    let system = org.system();
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("policy");
    let evidence = load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    let settings = RunSettings::new(&db, today, budget);
    evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 1)
}

/// Where two reports first differ, for a failure message.
fn first_difference(a: &RunReport, b: &RunReport) -> String {
    for (ca, cb) in a.controls.iter().zip(&b.controls) {
        for (ra, rb) in ca.results.iter().zip(cb.results.iter()) {
            if ra != rb {
                return format!("{ra:#?}\nwhere a fresh database gives\n{rb:#?}");
            }
        }
        if ca != cb {
            return format!("control {}: {} results against {}", ca.id, ca.results.len(), cb.results.len());
        }
    }
    "the summaries differ".to_owned()
}

#[test]
fn reusing_chunks_gives_the_report_of_a_fresh_database_after_every_edit() {
    let mut org = Organisation::new();
    let mut db = Database::default();
    db.long_lived();
    let system = org.system();
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("policy");
    let evidence = load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    let mut today = jiff::civil::date(2026, 6, 30);
    let mut budget = tenet_eval::DEFAULT_STEP_BUDGET;
    let settings = RunSettings::new(&db, today, budget);
    let first = evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 1);
    assert_eq!(first, fresh(&org, today, budget));
    let reused = |db: &Database| db.rule_memos().expect("reuse is on").take_chunks_reused();
    assert_eq!(reused(&db), 0, "nothing to reuse on a first run");

    let mut random = Random(0x5eed_cafe_f00d);
    let mut reused_after_one_review = Vec::new();
    // The file a system (or a review) was copied into, under the key of another: the copy
    // stays for one step, and the step after it removes it before its own edit.
    let mut copied: Option<usize> = None;
    let mut copied_review: Option<usize> = None;
    let mut copies = 0usize;
    for step in 0..60 {
        // A rule over systems reuses no chunk while a key is shared, nor on the step after,
        // which has no memo of it.
        let shared_lately = copied.is_some() || copied_review.is_some();
        if let Some(into) = copied.take() {
            org.systems[into].pop();
        }
        if let Some(into) = copied_review.take() {
            org.reviews[into].pop();
        }
        let edit = random.below(11);
        let what = match edit {
            0 | 1 => {
                let (file, i, entries) = random.entry_of(&mut org.reviews);
                if let Some(entry) = entries.get_mut(i) {
                    let on: jiff::civil::Date = entry.2.parse().expect("a date");
                    entry.2 = on.tomorrow().expect("a date").to_string();
                }
                format!("review {i} of file {file} re-dated")
            }
            2 => random.remove_entry(&mut org.reviews, "review"),
            3 => {
                let file = random.below(5);
                let system = format!("sys-{:05}", random.below(5200));
                org.reviews[file].push((format!("rev-new-{step}"), system.clone(), date(step)));
                format!("a review of {system} added to file {file}")
            }
            4 => {
                let (file, i, entries) = random.entry_of(&mut org.systems);
                if let Some(entry) = entries.get_mut(i) {
                    entry.1 = !entry.1;
                }
                format!("system {i} of file {file} deployed or withdrawn")
            }
            5 => {
                let file = random.below(5);
                let tier = if random.below(2) == 0 { "low" } else { "high" };
                org.systems[file].insert(0, (format!("sys-new-{step}"), true, tier));
                format!("a system inserted at the start of file {file}")
            }
            6 => random.remove_entry(&mut org.systems, "system"),
            7 => {
                let i = random.below(2);
                org.freezes[i].1 = !org.freezes[i].1;
                format!("freeze {i} toggled")
            }
            8 => {
                today = today.checked_add(jiff::Span::new().days(random.below(5) as i64 - 2)).expect("date");
                budget = [tenet_eval::DEFAULT_STEP_BUDGET, 60_000, 8_000][random.below(3)];
                settings.set_today(&mut db).to(today);
                settings.set_step_budget(&mut db).to(budget);
                format!("today is {today}, the budget {budget}")
            }
            9 => {
                org.interval = if org.interval == "90 days" { "60 days" } else { "90 days" };
                loaded.files[0].set_bytes(&mut db).to(org.policy().into_bytes());
                format!("the review interval is {}", org.interval)
            }
            _ => {
                copies += 1;
                // Under the whole budget, so that no verdict is an error for that reason.
                budget = tenet_eval::DEFAULT_STEP_BUDGET;
                settings.set_step_budget(&mut db).to(budget);
                if copies.is_multiple_of(2) {
                    // A review under another's key, of another system: the verdicts that
                    // read the first are errors though nothing they look up changed, and
                    // no chunk of a rule that reads reviews is reused.
                    let (file, i, entries) = random.entry_of(&mut org.reviews);
                    let Some(mut entry) = entries.get(i).cloned() else { continue };
                    entry.1 = format!("sys-{:05}", random.below(5000));
                    let into = (file + 1) % org.reviews.len();
                    org.reviews[into].push(entry.clone());
                    copied_review = Some(into);
                    format!("review {} copied into file {into}, of {}", entry.0, entry.1)
                } else {
                    // A key two documents have: its subject is an error, and the chunks of
                    // every rule over systems are evaluated again, not reused.
                    let (file, i, entries) = random.entry_of(&mut org.systems);
                    let Some(entry) = entries.get(i).cloned() else { continue };
                    let into = (file + 1) % org.systems.len();
                    org.systems[into].push(entry.clone());
                    copied = Some(into);
                    format!("system {} copied into file {into}", entry.0)
                }
            }
        };
        // Every evidence file whose text changed is set again, as `tenet watch` does.
        for (path, text) in org.files() {
            let file = evidence.files(&db).iter().copied().find(|f| *f.path(&db) == *path).expect("file");
            if **file.bytes(&db) != *text.as_bytes() {
                file.set_bytes(&mut db).to(text.into_bytes().into());
            }
        }
        let warm = evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 1);
        let reused = reused(&db);
        let expected = fresh(&org, today, budget);
        assert!(warm == expected, "step {step} ({what}): {}", first_difference(&warm, &expected));
        if edit <= 1 && budget == tenet_eval::DEFAULT_STEP_BUDGET && !shared_lately {
            reused_after_one_review.push(reused);
        }
    }
    // A re-dated review changes what one system's chunk of R.1 (five chunks or more) reads
    // and one chunk of R.2's subjects (four or more): each evaluates that one chunk again
    // and reuses the others, since the file's other reviews are equal to what they were
    // and are written where they were. R.3 does not read reviews and is not evaluated.
    assert!(!reused_after_one_review.is_empty(), "the edits include re-dated reviews");
    assert!(
        reused_after_one_review.iter().all(|n| *n >= 7),
        "chunks reused after one review changed: {reused_after_one_review:?}"
    );
}

#[test]
fn a_rule_keeps_one_memo_whatever_it_was_evaluated_over() {
    let org = Organisation::new();
    let mut db = Database::default();
    db.long_lived();
    let system = org.system();
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("policy");
    let first = load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    let settings = RunSettings::new(&db, jiff::civil::date(2026, 6, 30), tenet_eval::DEFAULT_STEP_BUDGET);
    let before = evaluate_workspace(&db, loaded.workspace, first, settings, &|_, _| 1);
    let memos = |db: &Database| db.rule_memos().expect("reuse is on").len();
    assert_eq!(memos(&db), 3, "each of the three rules is split into chunks");

    // The evidence loaded again, as a server does when its settings change: the memos of
    // the first set are replaced, not kept beside the new ones, and nothing is reused
    // across the two sets.
    let second = load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    let after = evaluate_workspace(&db, loaded.workspace, second, settings, &|_, _| 1);
    assert_eq!(after, before);
    assert_eq!(memos(&db), 3);
    assert_eq!(db.rule_memos().expect("reuse is on").take_chunks_reused(), 0);
}

#[test]
fn two_checks_side_by_side_never_cross_databases() {
    // Two checks at once in one process, as a language server may run them, each with
    // rules split into chunks: a thread waiting for one rule's chunks must never take up a
    // query of the other check, which salsa would refuse ("Cannot change database
    // mid-query").
    let org = Organisation::new();
    let today = jiff::civil::date(2026, 6, 30);
    let expected = fresh(&org, today, tenet_eval::DEFAULT_STEP_BUDGET);
    std::thread::scope(|scope| {
        let checks: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    (0..4).map(|_| fresh(&org, today, tenet_eval::DEFAULT_STEP_BUDGET)).collect::<Vec<_>>()
                })
            })
            .collect();
        for check in checks {
            for report in check.join().expect("no check panics") {
                assert!(report == expected, "{}", first_difference(&report, &expected));
            }
        }
    });
}
