//! Large domains are split into chunks evaluated in parallel: the results are exactly what
//! the rule says, in subject order, and a runaway rule still stops within its budget.
//! That one and two threads give identical reports is shown by running the `tenet` binary
//! with `--jobs 1` and `--jobs 2` (`tenet-cli`'s `cli.rs`): a split rule's chunks run on
//! rayon's global pool, which a process builds once.
//!
//! The runs use a budget of a million steps, not the default: the runaway rule spends
//! whatever budget it is given, and a chunk's share of a million runs out in the middle of
//! the costly rule's chunks.

#![allow(clippy::expect_used, reason = "test set-up fails loudly")]

use std::fmt::Write;

use tenet_db::{Database, MemorySystem, RunSettings, evaluate_workspace, load_evidence_dir, load_workspace};
use tenet_eval::report::RunReport;
use tenet_eval::{Passes, Status};

/// Reviewed systems, a costly rule and a runaway one (controls 0, 1 and 2).
const POLICY: &str = include_str!("../../../tests/large-organisation/policy.tenet");

/// 5,000 systems (every seventh not deployed), a review for every system but each third.
fn organisation() -> MemorySystem {
    let mut system = MemorySystem::new();
    system.write("pack/policy.tenet", POLICY);
    for file in 0..5 {
        let mut yaml = String::new();
        let mut jsonl = String::new();
        for n in file * 1000..(file + 1) * 1000 {
            let _ = writeln!(yaml, "- id: sys-{n:05}\n  deployed: {}", n % 7 != 0);
            if n % 3 != 0 {
                let _ = writeln!(jsonl, "{{\"id\": \"rev-{n:05}\", \"system\": \"sys-{n:05}\"}}");
            }
        }
        system.write(format!("evidence/systems/part-{file}.yaml"), yaml);
        system.write(format!("evidence/reviews/part-{file}.jsonl"), jsonl);
    }
    system
}

/// A budget the runaway rule spends at once and the costly rule part way through each chunk.
const BUDGET: u64 = 1_000_000;

fn run() -> RunReport {
    run_listing(Passes::Listed)
}

fn run_listing(passes: Passes) -> RunReport {
    let mut db = Database::default();
    let system = organisation();
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("policy");
    let evidence = load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    let settings = RunSettings::builder(jiff::civil::date(2026, 6, 30), BUDGET).passes(passes).new(&db);
    evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 1)
}

#[test]
fn a_split_domain_gives_every_subject_its_result_in_order() {
    let report = run();
    let reviewed = &report.controls[0].results;
    let expected: Vec<(String, Status)> = (0..5000)
        .filter(|n| n % 7 != 0)
        .map(|n| (format!("sys-{n:05}"), if n % 3 == 0 { Status::Fail } else { Status::Pass }))
        .collect();
    let actual: Vec<(String, Status)> = reviewed
        .iter()
        .map(|r| (r.subject.as_ref().map(|s| s.key.to_string()).unwrap_or_default(), r.status))
        .collect();
    assert_eq!(actual.len(), expected.len());
    assert_eq!(actual, expected);
    let failure = reviewed.iter().find(|r| r.status == Status::Fail).expect("a failure");
    assert_eq!(failure.message.as_deref(), Some("sys-00003 has no review"));
}

#[test]
fn a_runaway_rule_over_a_split_domain_stops_within_its_budget() {
    let report = run();
    let cross = &report.controls[2].results;
    assert_eq!(cross.len(), 5000);
    assert!(cross.iter().all(|r| r.status == Status::Error), "every subject errs once the budget is spent");
    let message = cross.get(0).and_then(|r| r.message.as_deref()).unwrap_or_default();
    // The message states the rule's budget, not the share of one chunk.
    assert!(message.contains("exceeded its budget of 1000000 evaluation steps"), "{message}");
}

#[test]
fn a_split_domain_that_counts_passes_lists_its_other_results_in_order() {
    let report = run_listing(Passes::Counted);
    let reviewed = &report.controls[0].results;
    let failing: Vec<String> =
        (0..5000).filter(|n| n % 7 != 0 && n % 3 == 0).map(|n| format!("sys-{n:05}")).collect();
    let passing = (0..5000).filter(|n| n % 7 != 0 && n % 3 != 0).count();
    let listed: Vec<String> =
        reviewed.iter().map(|r| r.subject.as_ref().map(|s| s.key.to_string()).unwrap_or_default()).collect();
    assert_eq!(listed, failing);
    assert!(reviewed.iter().all(|r| r.status == Status::Fail));
    let counts = reviewed.counts();
    assert_eq!((counts.pass, counts.fail, counts.total()), (passing, failing.len(), passing + failing.len()));
    // A rule whose every subject errs lists them all.
    let cross = &report.controls[2].results;
    assert_eq!((cross.len(), cross.counts().error), (5000, 5000));
    // A rule whose budget runs out part way lists its errors and counts its passes.
    let listing = run();
    let costly = &report.controls[1].results;
    assert!(costly.iter().all(|r| r.status == Status::Error));
    assert!(costly.counts().pass > 0, "the costly rule's budget runs out before any subject passes");
    assert_eq!(costly.counts(), listing.controls[1].results.counts());
    assert_eq!(costly.len(), listing.controls[1].results.counts().error);
    assert_eq!(report.summary, listing.summary);
}
