//! Incrementality, shown by counting query executions rather than by timing.

#![allow(clippy::expect_used, reason = "test set-up fails loudly")]

use salsa::Setter;
use tenet_db::{
    Database, Db, EvidenceSet, FILE_GROUP, MemorySystem, RunSettings, evaluate_workspace, load_workspace,
};

const POLICY: &str = r#"package inc

schema AiSystem {
  id: string key
  name: string
}

schema Review {
  id: string key
  system: ref AiSystem
}

control I.1 "Named" {
  rule named
    for s: AiSystem
    require s.name != ""
}

control I.2 "Reviewed" {
  rule reviewed
    for s: AiSystem
    require some r: Review where r.system == s
}
"#;

fn executed(log: &[String], query: &str) -> usize {
    log.iter().filter(|q| q.starts_with(query)).count()
}

#[test]
fn editing_one_rule_re_evaluates_only_that_rule() {
    let (mut db, log) = Database::with_execution_log();
    let mut system = MemorySystem::new();
    system.write("pack/policy.tenet", POLICY);
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("load");
    let evidence = EvidenceSet::new(&db, Vec::new());
    let settings = RunSettings::new(&db, jiff::civil::date(2026, 6, 30), tenet_eval::DEFAULT_STEP_BUDGET);
    let line_of = |_: &str, _: u32| 1;
    let first = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    assert_eq!(first.controls.len(), 2);
    let cold = log.take();
    assert_eq!(executed(&cold, "rule_results"), 2, "{cold:#?}");

    // Edit the message of I.2's rule: I.1's rule body is unchanged, even though the
    // program is checked again and I.1's position in the file did not move.
    let file = loaded.files[0];
    let edited = POLICY
        .replace("require some r: Review where r.system == s", "require none r: Review where r.system == s");
    file.set_bytes(&mut db).to(edited.into_bytes());
    let second = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    assert_eq!(second.controls.len(), 2);
    let warm = log.take();
    assert_eq!(executed(&warm, "rule_results"), 1, "{warm:#?}");
    // The one re-run was I.2's: its verdict over an empty inventory is still no evidence,
    // and I.1's results are the memoized ones.
    assert_eq!(second.controls[0].results, first.controls[0].results);

    // Inserting a line above both controls shifts every span but changes no rule.
    let shifted = format!(
        "// a comment that moves everything down\n{}",
        POLICY.replace("require some", "require none")
    );
    file.set_bytes(&mut db).to(shifted.into_bytes());
    let _ = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let shifted_log = log.take();
    assert_eq!(executed(&shifted_log, "rule_results"), 0, "{shifted_log:#?}");
}

/// The policy with its kinds read from `systems/` and `reviews/`, over systems a and b and
/// review r1 of a, plus `more` files (path under the evidence root, text).
/// The policy, its schemas reading `systems/*.yaml` and `reviews/*.yaml`, with two systems
/// and a review as evidence, and `more` files written after them.
fn pack_with_evidence(more: &[(&str, &str)]) -> MemorySystem {
    let mut system = MemorySystem::new();
    system.write(
        "pack/policy.tenet",
        POLICY
            .replace("schema AiSystem {", "schema AiSystem from \"systems/*.yaml\" {")
            .replace("schema Review {", "schema Review from \"reviews/*.yaml\" {"),
    );
    system.write("evidence/systems/a.yaml", "id: a\nname: Alpha\n");
    system.write("evidence/systems/b.yaml", "id: b\nname: Beta\n");
    system.write("evidence/reviews/r1.yaml", "id: r1\nsystem: a\n");
    for (path, text) in more {
        system.write(format!("evidence/{path}"), *text);
    }
    system
}

fn with_evidence(
    more: &[(&str, &str)],
) -> (Database, tenet_db::ExecutionLog, tenet_db::WorkspaceFiles, EvidenceSet) {
    let (mut db, log) = Database::with_execution_log();
    let system = pack_with_evidence(more);
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("load");
    let evidence = tenet_db::load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    (db, log, loaded, evidence)
}

#[test]
fn changing_one_evidence_file_reloads_it_and_reruns_only_rules_reading_its_kind() {
    let (mut db, log, loaded, evidence) = with_evidence(&[]);
    // As the language server and `tenet watch` keep it.
    db.long_lived();
    let loads = |db: &Database| db.loaded_files().map_or(0, |l| l.take_loads());
    let settings = RunSettings::new(&db, jiff::civil::date(2026, 6, 30), tenet_eval::DEFAULT_STEP_BUDGET);
    let line_of = |_: &str, _: u32| 1;
    let first = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    assert_eq!(first.summary.results.pass, 3);
    assert_eq!(first.summary.results.fail, 1);
    let cold = log.take();
    assert_eq!(loads(&db), 3);
    assert_eq!(executed(&cold, "load_group"), 1, "{cold:#?}");
    assert_eq!(executed(&cold, "rule_results"), 2, "{cold:#?}");

    // Review r1 now points at b: only that file is re-loaded, only the Review kind is
    // re-gathered, and only the rule that reads reviews (I.2) runs again.
    let review = evidence.files(&db).iter().copied().find(|f| f.path(&db) == "reviews/r1.yaml").expect("r1");
    review.set_bytes(&mut db).to(b"id: r1\nsystem: b\n".as_slice().into());
    let second = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let warm = log.take();
    // The file's group is loaded again, which loads that file alone again.
    assert_eq!(loads(&db), 1);
    assert_eq!(executed(&warm, "load_group"), 1, "{warm:#?}");
    // The file's group sorts its files by kind again; the file still holds only reviews,
    // so the systems' part of the group is equal and the systems are not gathered again.
    assert_eq!(executed(&warm, "group_kinds"), 1, "{warm:#?}");
    assert_eq!(executed(&warm, "kind_docs"), 1, "{warm:#?}");
    assert_eq!(executed(&warm, "rule_results"), 1, "{warm:#?}");
    assert_eq!(second.controls[0].results, first.controls[0].results);
    let reviewed: Vec<(String, tenet_eval::Status)> = second.controls[1]
        .results
        .iter()
        .map(|r| (r.subject.as_ref().map(|s| s.key.to_string()).unwrap_or_default(), r.status))
        .collect();
    assert_eq!(
        reviewed,
        vec![("a".to_owned(), tenet_eval::Status::Fail), ("b".to_owned(), tenet_eval::Status::Pass)]
    );
}

const ORG: &str = r#"package org

use inc

override inc.I.2 rule reviewed because "Reviews are tracked per release." {
  for s: inc.AiSystem
  require some r: inc.Review where r.system == s
}

disable inc.I.1 rule named because "Names come from the CMDB."
"#;

#[test]
fn overrides_re_evaluate_only_the_rule_they_change() {
    let (mut db, log) = Database::with_execution_log();
    let mut system = MemorySystem::new();
    system.write("pack/policy.tenet", POLICY);
    system.write("pack/org.tenet", ORG);
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("load");
    let evidence = EvidenceSet::new(&db, Vec::new());
    let settings = RunSettings::new(&db, jiff::civil::date(2026, 6, 30), tenet_eval::DEFAULT_STEP_BUDGET);
    let line_of = |_: &str, _: u32| 1;
    let first = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let cold = log.take();
    assert_eq!(executed(&cold, "rule_results"), 2, "{cold:#?}");
    let named = &first.controls[0].results;
    assert_eq!(named.len(), 1);
    let named = named.to_vec();
    assert_eq!(named[0].status, tenet_eval::Status::NotApplicable);
    assert_eq!(named[0].message.as_deref(), Some("disabled by `org`: Names come from the CMDB."));
    let file = loaded.files.iter().copied().find(|f| f.path(&db).ends_with("org.tenet")).expect("org");

    // A new justification for the replacing body changes no rule body: nothing is
    // evaluated again, yet the report shows the new justification.
    let reworded = ORG.replace("per release.", "per release and per quarter.");
    file.set_bytes(&mut db).to(reworded.clone().into_bytes());
    let second = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let warm = log.take();
    assert_eq!(executed(&warm, "rule_results"), 0, "{warm:#?}");
    let note = second.controls[1].overrides.first().expect("the override is reported");
    assert_eq!(note.because, "Reviews are tracked per release and per quarter.");

    // Editing the replacing body re-runs that rule only.
    let edited = reworded.replace("require some r", "require none r");
    file.set_bytes(&mut db).to(edited.clone().into_bytes());
    let _ = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let warm = log.take();
    assert_eq!(executed(&warm, "rule_results"), 1, "{warm:#?}");

    // A disabled rule's one result carries the justification, so rewording it re-runs
    // that rule only.
    let edited = edited.replace("from the CMDB.", "from the CMDB, daily.");
    file.set_bytes(&mut db).to(edited.clone().into_bytes());
    let third = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let warm = log.take();
    assert_eq!(executed(&warm, "rule_results"), 1, "{warm:#?}");
    assert_eq!(
        third.controls[0].results.get(0).and_then(|r| r.message.as_deref()),
        Some("disabled by `org`: Names come from the CMDB, daily.")
    );

    // Moving the overrides down the file changes nothing that is evaluated.
    file.set_bytes(&mut db).to(format!("// moved\n\n{edited}").into_bytes());
    let _ = evaluate_workspace(&db, loaded.workspace, evidence, settings, &line_of);
    let moved = log.take();
    assert_eq!(executed(&moved, "rule_results"), 0, "{moved:#?}");
}

#[test]
fn built_in_packs_nothing_uses_are_never_parsed() {
    let (mut db, log) = Database::with_execution_log();
    let mut system = MemorySystem::new();
    system.write("pack/policy.tenet", POLICY);
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("load");
    let program = tenet_db::program(&db, loaded.workspace);
    assert!(program.diagnostics.is_empty(), "{:#?}", program.diagnostics);
    let names: Vec<&str> = program.packages.iter().map(|p| &*p.name).collect();
    assert_eq!(names, ["tenet", "inc"]);
    // The policy file and the prelude's one file, of the workspace's many inputs.
    let parsed = executed(&log.take(), "parse");
    assert_eq!(parsed, 2);
    assert!(loaded.workspace.policy_files(&db).len() > 2);

    // Using a built-in pack brings in its files, and the packs it uses in turn.
    let file = loaded.files[0];
    file.set_bytes(&mut db).to(POLICY.replace("package inc\n", "package inc\nuse iso42001\n").into_bytes());
    let program = tenet_db::program(&db, loaded.workspace);
    let names: Vec<&str> = program.packages.iter().map(|p| &*p.name).collect();
    assert!(
        names.contains(&"iso42001") && names.contains(&"eu_ai_act") && names.contains(&"nist_ai_rmf"),
        "{names:?}"
    );
}

#[test]
fn changing_one_evidence_file_re_checks_only_its_kinds_keys_and_references() {
    re_checks_only_the_kinds_keys_and_references(false);
}

#[test]
fn a_long_lived_database_re_checks_keys_from_the_index_it_carries_over() {
    re_checks_only_the_kinds_keys_and_references(true);
}

fn re_checks_only_the_kinds_keys_and_references(long_lived: bool) {
    let (mut db, log, loaded, evidence) = with_evidence(&[("reviews/r2.yaml", "id: r2\nsystem: b\n")]);
    if long_lived {
        db.long_lived();
    }
    assert!(tenet_db::validate_evidence(&db, loaded.workspace, evidence).is_empty());
    let cold = log.take();
    // AiSystem, Review and the prelude's Attestation; the four files make one group.
    assert_eq!(executed(&cold, "kind_keys"), 3, "{cold:#?}");
    assert_eq!(executed(&cold, "file_group_diagnostics"), 1, "{cold:#?}");

    // r2 now names a system that does not exist: the reviews' keys and references are
    // checked again, the systems' are not.
    let r2 = evidence.files(&db).iter().copied().find(|f| f.path(&db) == "reviews/r2.yaml").expect("r2");
    r2.set_bytes(&mut db).to(b"id: r2\nsystem: z\n".as_slice().into());
    let found: Vec<String> = tenet_db::validate_evidence(&db, loaded.workspace, evidence)
        .iter()
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect();
    assert_eq!(found, ["T0506 reviews/r2.yaml: no AiSystem has the key `z`"]);
    let warm = log.take();
    assert_eq!(executed(&warm, "load_group"), 1, "{warm:#?}");
    assert_eq!(executed(&warm, "kind_keys"), 1, "{warm:#?}");
    assert_eq!(executed(&warm, "file_group_diagnostics"), 1, "{warm:#?}");

    // System b becomes z: only a system file changed, yet the reviews' references are
    // checked again, since the keys they point at changed; r2 is no longer dangling.
    let b = evidence.files(&db).iter().copied().find(|f| f.path(&db) == "systems/b.yaml").expect("b");
    b.set_bytes(&mut db).to(b"id: z\nname: Beta\n".as_slice().into());
    assert!(tenet_db::validate_evidence(&db, loaded.workspace, evidence).is_empty());
    let warm = log.take();
    assert_eq!(executed(&warm, "kind_keys"), 1, "{warm:#?}");

    // A second system `a` is a duplicate of the first, pointing back at it. The database
    // keeps files without their locations; the spans come from loading the files again.
    b.set_bytes(&mut db).to(b"id: a\nname: Beta\n".as_slice().into());
    let found: Vec<String> = tenet_db::validate_evidence(&db, loaded.workspace, evidence)
        .iter()
        .map(|d| {
            let related: Vec<String> = d
                .related
                .iter()
                .map(|r| format!("{} {}..{} {}", r.path, r.span.start, r.span.end, r.message))
                .collect();
            let at = format!("{}..{}", d.span.start, d.span.end);
            format!("{} {} {at}: {} ({})", d.code, d.path, d.message, related.join(", "))
        })
        .collect();
    assert_eq!(
        found,
        [
            "T0506 reviews/r2.yaml 15..16: no AiSystem has the key `z` ()",
            "T0507 systems/b.yaml 4..5: another AiSystem already has the key `a` (systems/a.yaml 4..5 the first document with this key)",
        ]
    );
}

#[test]
fn an_edit_checks_again_only_its_group_and_the_groups_that_refer_to_keys_it_changed() {
    // 100 more reviews and 300 more systems, in groups of `FILE_GROUP` files in path
    // order; the last system is broken.
    let mut more: Vec<(String, String)> = (0..100)
        .map(|i| (format!("reviews/x{i:03}.yaml"), format!("id: x{i}\nsystem: a\n")))
        .chain((0..300).map(|i| (format!("systems/s{i:03}.yaml"), format!("id: s{i}\nname: S{i}\n"))))
        .collect();
    more[399].1 = "id: s299\nname: [S\n".to_owned();
    let more: Vec<(&str, &str)> = more.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (mut db, log, loaded, evidence) = with_evidence(&more);
    let paths = |db: &Database| -> Vec<String> {
        tenet_db::validate_evidence(db, loaded.workspace, evidence)
            .iter()
            .map(|d| d.path.to_string())
            .collect()
    };
    let files = evidence.files(&db).clone();
    let paths_in_order: Vec<String> = files.iter().map(|f| f.path(&db).to_owned()).collect();
    let index_of = |path: &str| paths_in_order.iter().position(|p| p == path).expect(path);
    let group_of = |path: &str| index_of(path) / FILE_GROUP;
    let file = |path: &str| files[index_of(path)];
    assert_eq!(paths(&db), ["systems/s299.yaml"]);
    let cold = log.take();
    assert_eq!(executed(&cold, "file_group_diagnostics"), files.len().div_ceil(FILE_GROUP), "{cold:#?}");

    // A field the schema does not know, in a system, checks its group again and no
    // other: the system keeps its key.
    file("systems/s000.yaml").set_bytes(&mut db).to(b"id: s0\nname: S0\nextra: 1\n".as_slice().into());
    assert_eq!(paths(&db), ["systems/s000.yaml", "systems/s299.yaml"]);
    let warm = log.take();
    assert_eq!(executed(&warm, "file_group_diagnostics"), 1, "{warm:#?}");
    assert_eq!(executed(&warm, "evidence_diagnostics"), 1, "{warm:#?}");

    // A new key for a system no review names: its group, and the groups whose reviews
    // refer to systems (whose keys changed), check their references again.
    file("systems/s100.yaml").set_bytes(&mut db).to(b"id: s100b\nname: S\n".as_slice().into());
    assert_eq!(paths(&db), ["systems/s000.yaml", "systems/s299.yaml"]);
    let mut groups: Vec<usize> =
        paths_in_order.iter().filter(|p| p.starts_with("reviews/")).map(|p| group_of(p)).collect();
    groups.push(group_of("systems/s100.yaml"));
    groups.sort_unstable();
    groups.dedup();
    assert!(groups.len() < files.len().div_ceil(FILE_GROUP) - 1, "{groups:?}");
    let warm = log.take();
    assert_eq!(executed(&warm, "file_group_diagnostics"), groups.len(), "{warm:#?}");
}

/// A database that checks once gathers each kind straight from the loaded files, without
/// the groups' shares: it finds the same duplicates, with the same places, and the same
/// dangling references as one that keeps the shares, over several groups of files.
#[test]
fn a_database_that_checks_once_finds_the_evidence_problems_one_that_lives_on_finds() {
    let mut more: Vec<(String, String)> = (0..70)
        .map(|i| (format!("systems/s{i:03}.yaml"), format!("id: s{i}\nname: S{i}\n")))
        .chain((0..40).map(|i| (format!("reviews/x{i:03}.yaml"), format!("id: x{i}\nsystem: s{}\n", i * 2))))
        .collect();
    // A system's key repeated in another group (so s50 is gone), keys repeated within a
    // file, and references to no system (reviews x036 to x039 name systems past s69).
    more[50].1 = "id: s3\nname: Again\n".to_owned();
    more.push((
        "systems/t.yaml".to_owned(),
        "- id: t1\n  name: T\n- id: t2\n  name: U\n- id: t1\n  name: V\n".to_owned(),
    ));
    more[75].1 = "id: x5\nsystem: zz\n".to_owned();
    more[105].1 = "- id: y1\n  system: s1\n- id: y1\n  system: nowhere\n".to_owned();
    let more: Vec<(&str, &str)> = more.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let found = |setup: &dyn Fn(&mut Database)| -> Vec<String> {
        let (mut db, _, loaded, evidence) = with_evidence(&more);
        setup(&mut db);
        tenet_db::validate_evidence(&db, loaded.workspace, evidence)
            .iter()
            .map(|d| {
                let related: Vec<String> = d
                    .related
                    .iter()
                    .map(|r| format!("{} {}..{}", r.path, r.span.start, r.span.end))
                    .collect();
                format!(
                    "{} {} {}..{}: {} ({})",
                    d.code,
                    d.path,
                    d.span.start,
                    d.span.end,
                    d.message,
                    related.join(", ")
                )
            })
            .collect()
    };
    let once = found(&|db| db.checks_once());
    assert_eq!(once, found(&|_| {}));
    assert_eq!(once, found(&|db| db.long_lived()));
    assert_eq!(
        once,
        [
            "T0506 reviews/x005.yaml 15..17: no AiSystem has the key `zz` ()",
            "T0506 reviews/x025.yaml 16..19: no AiSystem has the key `s50` ()",
            "T0507 reviews/x035.yaml 28..30: another Review already has the key `y1` (reviews/x035.yaml 6..8)",
            "T0506 reviews/x035.yaml 41..48: no AiSystem has the key `nowhere` ()",
            "T0506 reviews/x036.yaml 16..19: no AiSystem has the key `s72` ()",
            "T0506 reviews/x037.yaml 16..19: no AiSystem has the key `s74` ()",
            "T0506 reviews/x038.yaml 16..19: no AiSystem has the key `s76` ()",
            "T0506 reviews/x039.yaml 16..19: no AiSystem has the key `s78` ()",
            "T0507 systems/s050.yaml 4..6: another AiSystem already has the key `s3` (systems/s003.yaml 4..6)",
            "T0507 systems/t.yaml 44..46: another AiSystem already has the key `t1` (systems/t.yaml 6..8)",
        ]
    );
}

/// Files in memory, of which some cannot be read, and directories that cannot be listed.
struct Unreadable {
    files: MemorySystem,
    unreadable_files: Vec<&'static str>,
    unreadable_dirs: Vec<&'static str>,
}

impl tenet_db::System for Unreadable {
    fn read(&self, path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        if self.unreadable_files.iter().any(|p| path == std::path::Path::new(p)) {
            return Err(std::io::ErrorKind::PermissionDenied.into());
        }
        self.files.read(path)
    }
    fn is_dir(&self, path: &std::path::Path) -> bool {
        self.files.is_dir(path)
    }
    fn exists(&self, path: &std::path::Path) -> bool {
        self.files.exists(path)
    }
    fn walk(&self, root: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        self.files.walk(root)
    }
    fn walk_each(
        &self,
        root: &std::path::Path,
        each: &mut dyn FnMut(tenet_db::Found),
    ) -> std::io::Result<()> {
        for dir in &self.unreadable_dirs {
            let why = tenet_db::Unread::Directory("permission denied".into());
            each(tenet_db::Found::Unreadable(dir.into(), why));
        }
        self.files.walk_each(root, each)
    }
}

/// The evidence's diagnostics as `code path: message`.
fn evidence_problems(db: &Database, loaded: &tenet_db::WorkspaceFiles, evidence: EvidenceSet) -> Vec<String> {
    tenet_db::validate_evidence(db, loaded.workspace, evidence)
        .iter()
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect()
}

#[test]
fn a_file_or_directory_that_cannot_be_read_is_reported_where_it_is_and_stops_nothing_else() {
    let mut db = Database::default();
    let files = pack_with_evidence(&[
        ("systems/b.yaml", "id: b\nname: \"\"\n"),
        ("reviews/r2.yaml", "id: r2\nsystem: z\n"),
    ]);
    let system = Unreadable {
        files,
        unreadable_files: vec!["evidence/reviews/r2.yaml"],
        unreadable_dirs: vec!["evidence/private"],
    };
    let loaded = load_workspace(&mut db, &system, "pack".as_ref()).expect("load");
    let evidence = tenet_db::load_evidence_dir(&mut db, &system, "evidence".as_ref()).expect("evidence");
    db.long_lived();
    assert_eq!(
        evidence_problems(&db, &loaded, evidence),
        [
            "T0501 private: cannot read this directory, so no file in it is checked: permission denied",
            "T0501 reviews/r2.yaml: cannot read this file: permission denied",
        ]
    );
    // The rest is evaluated: a is named and reviewed, b is neither.
    let settings = RunSettings::new(&db, jiff::civil::date(2026, 6, 30), tenet_eval::DEFAULT_STEP_BUDGET);
    let statuses = |db: &Database| -> Vec<String> {
        let report = evaluate_workspace(db, loaded.workspace, evidence, settings, &|_, _| 1);
        let mut out: Vec<String> = report
            .controls
            .iter()
            .flat_map(|c| c.results.iter())
            .map(|r| format!("{} {} {:?}", r.rule, r.subject.as_ref().map_or("-", |s| &*s.key), r.status))
            .collect();
        out.sort();
        out
    };
    assert_eq!(statuses(&db), ["named a Pass", "named b Fail", "reviewed a Pass", "reviewed b Fail"]);

    // Once r2 can be read, it is loaded (and names a system that does not exist); once
    // a system's file cannot be read, its system is no longer evaluated, and r1's
    // reference to it dangles.
    let mut inputs = tenet_db::EvidenceInputs::of(&db, evidence);
    assert!(!inputs.write(&mut db, "reviews/r2.yaml".into(), b"id: r2\nsystem: z\n".to_vec()));
    let denied = tenet_db::Unread::File("permission denied".into());
    assert!(!inputs.write_unread(&mut db, "systems/a.yaml".into(), denied));
    assert_eq!(
        evidence_problems(&db, &loaded, evidence),
        [
            "T0501 private: cannot read this directory, so no file in it is checked: permission denied",
            "T0506 reviews/r1.yaml: no AiSystem has the key `a`",
            "T0506 reviews/r2.yaml: no AiSystem has the key `z`",
            "T0501 systems/a.yaml: cannot read this file: permission denied",
        ]
    );
    assert_eq!(statuses(&db), ["named b Fail", "reviewed b Fail"]);

    // Readable again, even as an empty file, it is no longer reported.
    assert!(!inputs.write(&mut db, "systems/a.yaml".into(), Vec::new()));
    let problems = evidence_problems(&db, &loaded, evidence);
    assert!(!problems.iter().any(|p| p.contains("systems/a.yaml")), "{problems:#?}");
}
