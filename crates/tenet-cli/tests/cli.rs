//! The `tenet` binary driven as a user drives it: arguments in, exit code and output out.
#![allow(clippy::expect_used, reason = "set-up failures in tests should fail loudly")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `tenet` in the fixtures directory, so paths in output are short and stable.
fn tenet(args: &[&str]) -> Output {
    tenet_in(&fixtures(), args)
}

/// `tenet args…` run in `dir`, without colour.
fn tenet_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tenet")
}

/// The repository's root, where the example organisation's paths start.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_of_a_clean_pack_exits_zero() {
    let out = tenet(&["check", "clean"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "checked 1 file in 1 package: 0 errors, 0 warnings\n");
}

/// A check of the policies alone writes the reports asked for, holding the diagnostics
/// and no control's results: a CI job that lints policies uploads its SARIF all the same.
#[test]
fn a_check_without_evidence_writes_its_reports_with_the_diagnostics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = |name: &str| dir.path().join(name).display().to_string();
    for (pack, code, diagnostics) in [("broken", 2, true), ("clean", 0, false)] {
        let sarif = format!("sarif={}", target(&format!("{pack}.sarif")));
        let json = format!("json={}", target(&format!("{pack}.json")));
        let out = tenet(&["check", pack, "--format", &sarif, "--format", &json]);
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        let read = |name: &str| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(target(name)).expect("written")).expect("JSON")
        };
        let log = read(&format!("{pack}.sarif"));
        let results = log["runs"][0]["results"].as_array().expect("results");
        let report = read(&format!("{pack}.json"));
        assert_eq!(report["controls"], serde_json::json!([]));
        let listed = report["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(results.len(), listed.len());
        assert_eq!(!listed.is_empty(), diagnostics, "{listed:?}");
    }
}

#[test]
fn check_reports_every_error_for_people() {
    let out = tenet(&["check", "broken", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("check_human", stderr(&out));
}

#[test]
fn check_short_format_is_one_line_per_diagnostic() {
    let out = tenet(&["check", "broken", "--error-format", "short"]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("check_short", stderr(&out));
}

#[test]
fn check_json_format_is_versioned() {
    let out = tenet(&["check", "broken", "--error-format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON on stderr");
    assert_eq!(value["schema_version"], 1);
    insta::assert_json_snapshot!("check_json", value);
}

#[test]
fn check_of_a_missing_path_is_an_invocation_error() {
    let out = tenet(&["check", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: `no-such-dir` does not exist\n");
}

/// Globs are relative to the evidence directory: a file given in its place would match
/// none of them, and every rule would find no evidence without a word.
#[test]
fn evidence_given_as_a_file_is_an_invocation_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_under(dir.path(), "policy/p.tenet", EDGE_POLICY);
    write_under(dir.path(), "evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    let out = tenet_in(dir.path(), &["check", "policy", "--evidence", "evidence/systems/a.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: evidence: `evidence/systems/a.yaml` is a file; give the directory that holds the evidence, \
         which the schemas' `from` globs are relative to\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_arguments_exit_two() {
    let out = tenet(&["check", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fmt_check_reports_files_that_would_change_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("messy.tenet");
    let messy = "package   p\nparam x:int=1\n";
    std::fs::write(&path, messy).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["fmt", "--check"])
        .arg(&path)
        .output()
        .expect("run tenet");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), messy);

    let out = Command::new(env!("CARGO_BIN_EXE_tenet")).arg("fmt").arg(&path).output().expect("run tenet");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "package p\n\nparam x: int = 1\n");

    let out =
        Command::new(env!("CARGO_BIN_EXE_tenet")).args(["fmt", "--check"]).arg(&path).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn fmt_stdin_writes_to_stdout() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["fmt", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run tenet");
    child.stdin.take().expect("stdin").write_all(b"package   p\n").expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "package p\n");
}

#[test]
fn fmt_refuses_a_file_with_syntax_errors_and_leaves_it_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.tenet");
    std::fs::write(&path, "package p\nparam x: = 1\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["fmt", "--error-format", "short"])
        .arg(&path)
        .output()
        .expect("run tenet");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(": T0001 expected a type"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "package p\nparam x: = 1\n");
}

fn check_org(extra: &[&str]) -> Output {
    let mut args = vec!["check", "org/policy", "--evidence", "org/evidence", "--as-of", "2026-11-24"];
    args.extend_from_slice(extra);
    tenet(&args)
}

#[test]
fn check_with_evidence_reports_results_and_citations() {
    let out = check_org(&["--error-format", "short"]);
    // A malformed evidence file makes the run an error; the other files' results stand.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    insta::assert_snapshot!("check_org_text", String::from_utf8_lossy(&out.stdout));
    insta::assert_snapshot!("check_org_diagnostics", stderr(&out));
}

#[test]
fn the_json_report_is_identical_with_one_or_two_threads_and_across_runs() {
    let one = check_org(&["--format", "json", "--jobs", "1"]);
    let two = check_org(&["--format", "json", "--jobs", "2"]);
    let again = check_org(&["--format", "json", "--jobs", "2"]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(two.stdout, again.stdout);
    let value: serde_json::Value = serde_json::from_slice(&one.stdout).expect("JSON report");
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["as_of"], "2026-11-24");
    assert_eq!(value["summary"]["results"]["fail"], 3);
}

/// A file over the size limit is refused with a diagnostic that shows where it is and a
/// few hundred characters of it, not its 70 MB line; a file Tenet does not read (a
/// model's weights) is passed over without a word; a schema's glob that selects only
/// such files is a warning.
#[test]
fn large_and_foreign_files_under_the_evidence_cost_no_more_than_their_diagnostics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package demo\n\nschema Note from \"models/*.txt\" {\n  id: string key\n}\n\n\
         schema Card from \"models/*.json\" {\n  id: string key\n  license: string\n}\n\n\
         control C.1 \"Cards are licensed\" {\n  rule licensed\n    for c: Card\n    require c.license != \"\"\n}\n",
    );
    write_under(root, "evidence/models/card.json", "{\"id\": \"card-1\", \"license\": \"mit\"}\n");
    write_under(root, "evidence/models/note.txt", "id: note-1\n");
    write_under(root, "evidence/models/weights.bin", &"\0".repeat(1 << 20));
    write_under(root, "evidence/models/huge.json", &format!("[{}]", "1,".repeat(35 * 1024 * 1024)));
    let out = tenet_in(root, &["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.len() < 4_000, "{} bytes of diagnostics", err.len());
    assert!(err.contains("warning[T0313]") && err.contains("`models/*.txt` selects `.txt` files"), "{err}");
    assert!(err.contains("error[T0501]") && err.contains("[evidence/models/huge.json:1:1]"), "{err}");
    assert!(!err.contains("weights.bin") && !err.contains("note.txt"), "{err}");
    assert_eq!(err.matches("error[").count() + err.matches("warning[").count(), 2, "{err}");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("results:  1 pass, 0 fail"), "{report}");
}

/// An evidence file's diagnostics point into its text as decoded: after a byte-order mark
/// is dropped, or a declared encoding read, the snippet, the line and the column are those
/// of the text, not of the bytes.
#[test]
fn diagnostics_in_decoded_evidence_point_where_the_text_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package demo\n\nschema Card from \"cards/*.yaml\" {\n  id: string key\n  count: int\n}\n\n\
         schema Sale from \"sales/*.csv\" encoding \"windows-1252\" {\n  id: string key\n  count: int\n}\n",
    );
    std::fs::create_dir_all(root.join("evidence/cards")).expect("mkdir");
    std::fs::create_dir_all(root.join("evidence/sales")).expect("mkdir");
    std::fs::write(root.join("evidence/cards/a.yaml"), b"\xef\xbb\xbfid: card-1\ncount: many\n")
        .expect("write");
    std::fs::write(root.join("evidence/sales/s.csv"), b"id,count\r\ncaf\xe9,lots\r\n").expect("write");
    let run = |format: &str| {
        let args =
            ["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24", "--error-format", format];
        tenet_in(root, &args)
    };
    let human = stderr(&run("human"));
    assert!(
        human.contains("[evidence/cards/a.yaml:2:8]\n 1 │ id: card-1\n 2 │ count: many\n   ·        ────"),
        "{human}"
    );
    // Columns count characters, in every format: `lots` is the sixth of `café,lots`.
    assert!(
        human.contains("[evidence/sales/s.csv:2:6]\n 1 │ id,count\n 2 │ café,lots\n   ·      ────"),
        "{human}"
    );
    let short = stderr(&run("short"));
    assert!(short.contains("evidence/cards/a.yaml:2:8: T0504"), "{short}");
    assert!(short.contains("evidence/sales/s.csv:2:6: T0504"), "{short}");
}

/// A diagnostic's related place in another evidence file is shown as its own is: named
/// under the evidence directory, with its lines, in every format. And a CSV file with a
/// title above its header is one error that points at the header, not one per column.
#[test]
fn related_places_in_evidence_are_shown_and_a_header_below_a_title_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package demo\n\nschema Card from \"cards/*.yaml\" {\n  id: string key\n}\n\n\
         schema Training from \"training/*.csv\" {\n  id: string key\n  person: string\n  notes: string?\n}\n",
    );
    write_under(root, "evidence/cards/a.yaml", "id: card-1\n");
    write_under(root, "evidence/cards/b.yaml", "# copied\nid: card-1\n");
    write_under(
        root,
        "evidence/training/t.csv",
        "Training register (exported 2026-05-01),,\n,,\nid,person,notes\ntr-1,alice,\n",
    );
    let run = |format: &str| {
        let args =
            ["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24", "--error-format", format];
        tenet_in(root, &args)
    };
    let out = run("human");
    assert_eq!(out.status.code(), Some(2));
    let human = stderr(&out);
    let duplicate = "  × another Card already has the key `card-1`
   ╭─[evidence/cards/b.yaml:2:5]
 1 │ # copied
 2 │ id: card-1
   ·     ──────
   ╰────

Advice: 
  ☞ the first document with this key
   ╭─[evidence/cards/a.yaml:1:5]
 1 │ id: card-1
   ·     ──────
   ╰────
";
    assert!(human.contains(duplicate), "{human}");
    let title = "  × this row is read as the header, but Training's columns are named on line 3
   ╭─[evidence/training/t.csv:1:1]
 1 │ Training register (exported 2026-05-01),,
   · ─────────────────────────────────────────
 2 │ ,,
   ╰────
  help: declare `header 3` on schema Training, or remove the rows above line 3: a CSV file's
        header is its first row

Advice: 
  ☞ Training's columns
   ╭─[evidence/training/t.csv:3:1]
 2 │ ,,
 3 │ id,person,notes
   · ───────────────
 4 │ tr-1,alice,
   ╰────
";
    assert!(human.contains(title), "{human}");
    assert_eq!(human.matches("error[").count(), 2, "one error for the title, none per column: {human}");
    let json: serde_json::Value = serde_json::from_str(&stderr(&run("json"))).expect("JSON diagnostics");
    let related: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["related"].as_array().into_iter().flatten())
        .map(|r| {
            let at = &r["location"];
            (at["path"].as_str().unwrap_or("").to_owned(), at["start"]["line"].as_u64().unwrap_or(0))
        })
        .collect();
    assert_eq!(related, [("evidence/cards/a.yaml".to_owned(), 1), ("evidence/training/t.csv".to_owned(), 3)]);
}

/// Evidence gathered by links is evidence: a linked directory's files and a linked file
/// are checked under the names the links give them. A link to nothing where an evidence
/// file would be is an error; one to nothing with no extension (it may have been a
/// directory), and one that leads back to a directory that holds it, are warnings; an
/// editor's lock file (a hidden link to nothing) and a link to weights that are not there
/// are passed over, as the weights would be. Each is reported where it is, and the rest is
/// checked.
#[cfg(unix)]
#[test]
fn evidence_reached_through_links_is_checked_and_broken_links_are_reported() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package demo\n\nschema Card from \"models/**/*.yaml\" {\n  id: string key\n  license: string\n}\n\n\
         control C.1 \"Cards are licensed\" {\n  rule licensed\n    for c: Card\n    require c.license == \"mit\"\n}\n",
    );
    write_under(root, "kept-elsewhere/cards/a.yaml", "id: card-a\nlicense: mit\n");
    write_under(root, "kept-elsewhere/cards/b.yaml", "id: card-b\nlicense: gpl\n");
    write_under(root, "kept-elsewhere/c.yaml", "id: card-c\nlicense: mit\n");
    std::fs::create_dir_all(root.join("evidence/models")).expect("mkdir");
    let models = root.join("evidence/models");
    symlink(root.join("kept-elsewhere/cards"), models.join("cards")).expect("link a directory");
    symlink(root.join("kept-elsewhere/c.yaml"), models.join("c.yaml")).expect("link a file");
    symlink("gone.yaml", models.join("d.yaml")).expect("link to a missing file");
    symlink("../archive", models.join("archive")).expect("link to a missing directory");
    symlink("..", models.join("up")).expect("link back");
    symlink("nobody@host.1234", models.join(".#a.yaml")).expect("an editor's lock");
    symlink("/mnt/models/weights.bin", models.join("weights.bin")).expect("weights not mounted here");
    let out = tenet_in(
        root,
        &["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24", "--error-format", "short"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err,
        "evidence/models/archive:1:1: T0510 this is a link to `../archive`, which does not exist: \
         any evidence it stood for is not checked\n\
         evidence/models/d.yaml:1:1: T0501 this is a link to `gone.yaml`, which does not exist\n\
         evidence/models/up:1:1: T0510 this link leads back to the evidence directory, which holds it, \
         so it is not followed\n"
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("results:  2 pass, 1 fail"), "{report}");
    assert!(
        report.contains("Card `card-b`") && report.contains("evidence/models/cards/b.yaml:1:1"),
        "{report}"
    );
}

/// Writes `text` to `path` under `root`, whole at once (written aside, then renamed), so
/// that a `tenet watch` looking meanwhile never sees it half written.
fn write_under(root: &Path, path: &str, text: &str) {
    let (aside, path) = (root.join("aside"), root.join(path));
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&aside, text).expect("write");
    std::fs::rename(aside, path).expect("rename");
}

/// The policy of `tests/large-organisation`, over 5,000 systems (every seventh not
/// deployed) and a review for every system but each third: enough subjects that each
/// rule's domain is split into chunks. The costly rule scans every review for each
/// system, so a small budget runs out part way through each chunk.
fn write_large_organisation(root: &Path) {
    let write = |path: &str, text: &str| write_under(root, path, text);
    write("policy/policy.tenet", include_str!("../../../tests/large-organisation/policy.tenet"));
    for file in 0..5 {
        let (mut yaml, mut jsonl) = (String::new(), String::new());
        for n in file * 1000..(file + 1) * 1000 {
            yaml.push_str(&format!("- id: sys-{n:05}\n  deployed: {}\n", n % 7 != 0));
            if n % 3 != 0 {
                jsonl.push_str(&format!("{{\"id\": \"rev-{n:05}\", \"system\": \"sys-{n:05}\"}}\n"));
            }
        }
        write(&format!("evidence/systems/part-{file}.yaml"), &yaml);
        write(&format!("evidence/reviews/part-{file}.jsonl"), &jsonl);
    }
}

/// Each process builds rayon's global pool with `--jobs` threads, and a split rule's
/// chunks run there; so only separate processes compare one thread with two.
#[test]
fn a_split_domain_reports_identically_with_one_or_two_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_large_organisation(dir.path());
    let check = |jobs: &str| {
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(["check", "policy", "--evidence", "evidence", "--as-of", "2026-06-30"])
            .args(["--format", "json", "--step-budget", "1000000", "--jobs", jobs])
            .current_dir(dir.path())
            .output()
            .expect("run tenet")
    };
    let (one, two, again) = (check("1"), check("2"), check("2"));
    // A rule that ran out of budget is an error result, so the run exits 2.
    assert_eq!(one.status.code(), Some(2), "{}", stderr(&one));
    assert!(one.stdout == two.stdout, "the reports differ between one and two threads");
    assert!(two.stdout == again.stdout, "the reports differ between two runs");
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).expect("JSON report");
    let statuses = |control: usize| -> Vec<String> {
        let results = report["controls"][control]["results"].as_array().expect("results");
        results.iter().map(|r| r["status"].as_str().unwrap_or_default().to_owned()).collect()
    };
    let reviewed = statuses(0);
    let deployed = (0..5000).filter(|n| n % 7 != 0);
    let expected: Vec<&str> = deployed.map(|n| if n % 3 == 0 { "fail" } else { "pass" }).collect();
    assert_eq!(reviewed, expected);
    // The costly rule's budget runs out inside every chunk of 1,024 subjects: each chunk's
    // first subjects pass and the rest err, so the comparison covers where each stops.
    let costly = statuses(1);
    assert_eq!(costly.len(), 5000);
    for chunk in costly.chunks(1024) {
        let passed = chunk.iter().take_while(|s| *s == "pass").count();
        assert!(passed > 0 && passed < chunk.len(), "no cut-off inside a chunk: {passed} of {}", chunk.len());
        assert!(chunk[passed..].iter().all(|s| s == "error"), "after the cut-off, every subject errs");
    }
}

/// A one-rule policy over `systems/*.yaml`: a system reviewed within the year passes.
const EDGE_POLICY: &str = "package edge\n\nschema AiSystem from \"systems/*.yaml\" {\n  id: string key\n  reviewed: date\n}\n\n\
                           control E.1 \"Reviewed\" {\n  rule recent\n    for s: AiSystem\n    require s.reviewed + 1 year >= today\n}\n";

/// What a running watch prints, read a run at a time.
struct Transcript {
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    seen: Vec<String>,
}

impl Transcript {
    fn new(stdout: std::process::ChildStdout) -> Transcript {
        Transcript { lines: std::io::BufRead::lines(std::io::BufReader::new(stdout)), seen: Vec::new() }
    }

    /// Reads up to the next run's summary: a run prints all of its lines before the next
    /// one looks for changes.
    fn next_run(&mut self) {
        for line in self.lines.by_ref() {
            let line = line.expect("a line");
            let summary = line.starts_with("checked in ") || line.starts_with("re-checked in ");
            self.seen.push(line);
            if summary {
                return;
            }
        }
    }

    /// Everything the watch printed, once it has ended with success, each run's time shown
    /// as `N ms`.
    fn finish(mut self, ended: std::thread::JoinHandle<std::process::ExitStatus>) -> String {
        self.seen.extend(self.lines.map(|l| l.expect("a line")));
        assert!(ended.join().expect("the watch's status").success(), "{:?}", self.seen);
        let shown: Vec<String> = self
            .seen
            .iter()
            .map(|l| {
                match l.split_once(" in ").and_then(|(head, rest)| Some((head, rest.split_once(" ms")?.1))) {
                    Some((head, rest)) => format!("{head} in N ms{rest}"),
                    None => l.clone(),
                }
            })
            .collect();
        shown.join("\n")
    }
}

/// `tenet watch POLICY --evidence evidence` in `dir` for `runs` runs: its output, and its
/// exit status once it ends. Prompted by file notifications, or with `polled`, looking
/// every 50 ms. A watch that misses a change waits forever, so it is stopped after a
/// minute: the test then fails on what it printed instead of hanging.
fn watch(
    dir: &Path,
    (policy, as_of): (&str, &str),
    runs: usize,
    polled: bool,
) -> (std::process::ChildStdout, std::thread::JoinHandle<std::process::ExitStatus>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["watch", policy, "--evidence", "evidence", "--as-of", as_of, "--poll-ms", "50"])
        .args(["--runs", &runs.to_string()])
        .args(polled.then_some("--poll"))
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run tenet watch");
    let stdout = child.stdout.take().expect("stdout");
    let ended = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("the watch's status") {
                return status;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    (stdout, ended)
}

/// Polling (`--poll`), as on a network file system.
#[test]
fn watch_re_checks_after_an_evidence_edit_and_reports_what_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = |from: &Path, to: &Path| {
        for entry in
            walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file())
        {
            let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    };
    copy(&fixtures().join("org"), dir.path());
    let (mut stdout, ended) = watch(dir.path(), ("policy", "2026-11-24"), 2, true);
    std::thread::sleep(std::time::Duration::from_millis(700));
    let inventory = dir.path().join("evidence/inventory/systems.yaml");
    let text = std::fs::read_to_string(&inventory)
        .expect("read")
        .replace("name: Appointment scheduler\n", "name: Appointment scheduler\n  owner: Operations\n");
    std::fs::write(&inventory, text).expect("write");
    let mut shown = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut shown).expect("read");
    assert!(ended.join().expect("the watch's status").success(), "{shown}");
    let stdout = shown;
    assert!(stdout.starts_with("checked in "), "{stdout}");
    assert!(stdout.contains("changed: evidence/inventory/systems.yaml\n"), "{stdout}");
    assert!(stdout.contains("fail → pass  meridian.MH.1 rule owned AiSystem `scheduler`"), "{stdout}");
}

/// On a terminal, a run that takes more than half a second says what it is doing on one
/// line of stderr, rewritten in place and erased before anything else is written. Run
/// under `script`, which gives the command a terminal. Only the evaluation is slow enough
/// here (one thread, rules that spend two million steps each) to show its line for certain;
/// reading and loading show theirs the same way on a large evidence set.
#[test]
fn a_long_run_on_a_terminal_shows_what_it_is_doing_and_erases_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_large_organisation(dir.path());
    let tenet = env!("CARGO_BIN_EXE_tenet");
    let command = format!(
        "{tenet} check policy --evidence evidence --as-of 2026-06-30 --step-budget 2000000 --jobs 1 > report.txt"
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .output()
        .expect("`script` (Debian's essential bsdutils) runs a command on a terminal");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let terminal = String::from_utf8_lossy(&out.stdout).into_owned();
    let updates: Vec<&str> = terminal.split("\r\x1b[2K").collect();
    // Nothing before the first update, and the line is erased at the end.
    assert_eq!(updates.first(), Some(&""), "{terminal:?}");
    assert_eq!(updates.last(), Some(&""), "{terminal:?}");
    let lines = &updates[1..updates.len() - 1];
    assert!(lines.iter().any(|l| l.starts_with("evaluating rules: ")), "{terminal:?}");
    assert!(
        lines.iter().all(|l| l.starts_with("reading evidence: ")
            || l.starts_with("loading evidence: ")
            || l.starts_with("evaluating rules: ")),
        "{terminal:?}"
    );
    // The report itself is untouched by it.
    let report = std::fs::read_to_string(dir.path().join("report.txt")).expect("report");
    assert!(report.starts_with("tenet "), "{report}");
    assert!(!report.contains('\r'));
}

/// A notification names the path it is about; a directory moved in or removed names only
/// the directory, and the watch then looks at every file, so the files in it are seen.
/// A file that comes and goes between two looks (an editor's temporary file) is no change.
#[test]
fn watch_sees_the_files_of_directories_that_come_and_go() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| write_under(dir.path(), path, text);
    write("policy/p.tenet", EDGE_POLICY);
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    write("outside/systems/b.yaml", "id: b\nreviewed: 2025-01-31\n");
    let (stdout, ended) = watch(dir.path(), ("policy", "2025-03-01"), 4, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    // A directory of evidence moved in whole.
    std::fs::rename(dir.path().join("outside/systems"), dir.path().join("evidence/more")).expect("move in");
    transcript.next_run();
    // A temporary file that comes and goes, then a real edit.
    write("evidence/systems/.a.yaml.swp", "swap");
    std::fs::write(dir.path().join("evidence/systems/a.yaml~"), "id: a\n").expect("write");
    std::fs::remove_file(dir.path().join("evidence/systems/a.yaml~")).expect("remove");
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2025-01-01\n");
    transcript.next_run();
    // The directory removed whole.
    std::fs::remove_dir_all(dir.path().join("evidence/more")).expect("remove");
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 0 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence

changed: evidence/more/b.yaml (new)
re-checked in N ms: no result changed; 0 errors in policies or evidence

changed: evidence/systems/a.yaml
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  fail → pass  edge.E.1 rule recent AiSystem `a`

changed: evidence/more/b.yaml (removed)
re-checked in N ms: no result changed; 0 errors in policies or evidence"
    );
}

/// A link to nothing is reported as a check reports it; made to lead to a file, it is that
/// file, and the problem is gone; removed, the file leaves.
#[cfg(unix)]
#[test]
fn watch_reports_a_link_to_nothing_until_it_leads_to_a_file() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| write_under(dir.path(), path, text);
    write("policy/p.tenet", EDGE_POLICY);
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    write("kept/b.yaml", "id: b\nreviewed: 2025-02-01\n");
    let link = dir.path().join("evidence/systems/b.yaml");
    symlink("../../kept/gone.yaml", &link).expect("link");
    let (stdout, ended) = watch(dir.path(), ("policy", "2025-03-01"), 3, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    // The link made again, to a file that is there: the new link is renamed over the old.
    let aside = dir.path().join("evidence/systems/.b.yaml.new");
    symlink("../../kept/b.yaml", &aside).expect("link");
    std::fs::rename(&aside, &link).expect("rename");
    transcript.next_run();
    std::fs::remove_file(&link).expect("remove");
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 0 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 1 error in policies or evidence
  evidence/systems/b.yaml:1:1: error T0501 this is a link to `../../kept/gone.yaml`, which does not exist

changed: evidence/systems/b.yaml
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  new pass  edge.E.1 rule recent AiSystem `b`
  fixed  evidence/systems/b.yaml: T0501 this is a link to `../../kept/gone.yaml`, which does not exist

changed: evidence/systems/b.yaml (removed)
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  gone  edge.E.1 rule recent AiSystem `b`"
    );
}

/// A file linked into the evidence from elsewhere, edited where it is kept: no
/// notification under the evidence directory names it, yet the watch, following the
/// link's target, re-checks.
#[cfg(unix)]
#[test]
fn watch_sees_a_linked_file_edited_where_it_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| write_under(dir.path(), path, text);
    write("policy/p.tenet", EDGE_POLICY);
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2025-02-01\n");
    write("kept/b.yaml", "id: b\nreviewed: 2024-02-29\n");
    std::os::unix::fs::symlink("../../kept/b.yaml", dir.path().join("evidence/systems/b.yaml"))
        .expect("link");
    let (stdout, ended) = watch(dir.path(), ("policy", "2025-03-01"), 2, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    // Edited in place, as an editor that writes over the file does.
    std::fs::write(dir.path().join("kept/b.yaml"), "id: b\nreviewed: 2025-01-01\n").expect("write");
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 1 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence

changed: evidence/systems/b.yaml
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  fail → pass  edge.E.1 rule recent AiSystem `b`"
    );
}

/// The evidence directory removed and made again (as a tool that writes it afresh does):
/// the watch sees the files of the new one, and goes on seeing them.
#[test]
fn watch_follows_an_evidence_directory_removed_and_made_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| write_under(dir.path(), path, text);
    write("policy/p.tenet", EDGE_POLICY);
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    let (stdout, ended) = watch(dir.path(), ("policy", "2025-03-01"), 4, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    std::fs::remove_dir_all(dir.path().join("evidence")).expect("remove");
    transcript.next_run();
    write("evidence/systems/b.yaml", "id: b\nreviewed: 2025-02-01\n");
    transcript.next_run();
    write("evidence/systems/c.yaml", "id: c\nreviewed: 2024-02-01\n");
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 0 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence

changed: evidence/systems/a.yaml (removed)
re-checked in N ms: 2 results changed; 0 errors in policies or evidence
  new no_evidence  edge.E.1 rule recent: no AiSystem documents
  gone  edge.E.1 rule recent AiSystem `a`

changed: evidence/systems/b.yaml (new)
re-checked in N ms: 2 results changed; 0 errors in policies or evidence
  new pass  edge.E.1 rule recent AiSystem `b`
  gone  edge.E.1 rule recent

changed: evidence/systems/c.yaml (new)
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  new fail  edge.E.1 rule recent AiSystem `c`: `c` does not satisfy edge.E.1 rule recent"
    );
}

/// A policy given as one file is watched through its directory, so that an editor's save
/// (a new file renamed over the old one) is seen every time, not only the first.
#[test]
fn watch_follows_a_policy_file_saved_by_renaming_over_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = EDGE_POLICY;
    write_under(dir.path(), "p.tenet", policy);
    write_under(dir.path(), "evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    let (stdout, ended) = watch(dir.path(), ("p.tenet", "2025-03-01"), 3, false);
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut summaries = Vec::new();
    let mut next_summary = |summaries: &mut Vec<String>| {
        let line = lines.by_ref().map(|l| l.expect("a line")).find(|l| l.contains("checked in "));
        summaries.push(
            line.unwrap_or_default().split_once(" ms: ").map(|(_, s)| s.to_owned()).unwrap_or_default(),
        );
    };
    next_summary(&mut summaries);
    for (from, to) in [("1 year", "2 years"), ("2 years", "1 year")] {
        let text = std::fs::read_to_string(dir.path().join("p.tenet")).expect("read");
        write_under(dir.path(), "p.tenet", &text.replace(from, to));
        next_summary(&mut summaries);
    }
    assert!(ended.join().expect("the watch's status").success(), "{summaries:?}");
    assert_eq!(
        summaries,
        [
            "0 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence",
            "1 result changed; 0 errors in policies or evidence",
            "1 result changed; 0 errors in policies or evidence",
        ]
    );
}

/// A policy directory named as `./policy` (as a shell completes it): an edit to one of its
/// files is taken in, though the workspace names that file `policy/p.tenet`.
#[test]
fn watch_takes_in_policy_edits_under_a_path_that_starts_with_a_dot() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_under(dir.path(), "policy/p.tenet", EDGE_POLICY);
    write_under(dir.path(), "evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    let (stdout, ended) = watch(dir.path(), ("./policy", "2025-03-01"), 2, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    write_under(dir.path(), "policy/p.tenet", &EDGE_POLICY.replace("1 year", "2 years"));
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 0 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence

changed: policy/p.tenet
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  fail → pass  edge.E.1 rule recent AiSystem `a`"
    );
}

/// `tenet watch` takes `--step-budget` as `tenet check` does, and its first run lists the
/// problems in policies or evidence with their severity.
#[test]
fn watch_runs_under_the_step_budget_given_and_lists_problems_with_their_severity() {
    let watch_once = |budget: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args([
                "watch",
                "org/policy",
                "--evidence",
                "org/evidence",
                "--as-of",
                "2026-11-24",
                "--runs",
                "1",
            ])
            .args(["--step-budget", budget])
            .current_dir(fixtures())
            .output()
            .expect("run tenet watch");
        assert!(out.status.success(), "{}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let (summary, problems) = stdout.split_once('\n').expect("a summary line");
        let summary = summary.split_once(" ms: ").expect("a time").1.to_owned();
        (summary, problems.to_owned())
    };
    let (default, problems) = watch_once("50000000");
    assert_eq!(
        default,
        "2 pass, 3 fail, 1 error, 0 waived, 0 not applicable, 0 no evidence; 1 error in policies or evidence"
    );
    assert_eq!(
        problems,
        "  org/evidence/assessments/impact/bad.md:4:14: error T0504 `approved_on` must be a date (YYYY-MM-DD), but it is \"2026-13-02\"\n  \
         org/evidence/inventory/systems.yaml:7:3: warning T0508 this AiSystem has no field `affected_groups`; no rule can read it\n"
    );
    let (starved, _) = watch_once("20");
    assert_eq!(
        starved,
        "2 pass, 2 fail, 3 error, 0 waived, 0 not applicable, 0 no evidence; 1 error in policies or evidence"
    );
}

/// `tenet watch` names the files that came and went, and the problems that appeared or
/// were fixed, besides the results that changed. Prompted by file notifications.
#[test]
fn watch_names_new_and_removed_files_and_problems_found_and_fixed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| write_under(dir.path(), path, text);
    let policy = EDGE_POLICY;
    write("policy/p.tenet", policy);
    write("evidence/systems/a.yaml", "id: a\nreviewed: 2024-02-29\n");
    write("evidence/systems/b.yaml", "id: b\nreviewed: 2025-01-31\n");
    let (stdout, ended) = watch(dir.path(), ("policy", "2025-03-01"), 6, false);
    let mut transcript = Transcript::new(stdout);
    transcript.next_run();
    write("evidence/systems/tabs.yaml", "id: t\nreviewed: 2025-01-01\n\tnote: x\n");
    transcript.next_run();
    std::fs::remove_file(dir.path().join("evidence/systems/a.yaml")).expect("remove");
    transcript.next_run();
    write("policy/p.tenet", &policy.replace("s.reviewed + 1 year", "s.reviewd + 1 year"));
    transcript.next_run();
    write("policy/p.tenet", policy);
    transcript.next_run();
    std::fs::remove_file(dir.path().join("evidence/systems/tabs.yaml")).expect("remove");
    transcript.next_run();
    assert_eq!(
        transcript.finish(ended),
        "checked in N ms: 1 pass, 1 fail, 0 error, 0 waived, 0 not applicable, 0 no evidence; 0 errors in policies or evidence

changed: evidence/systems/tabs.yaml (new)
re-checked in N ms: 1 result changed; 1 error in policies or evidence
  new error  edge.E.1 rule recent AiSystem `systems/tabs.yaml:3`: AiSystem documents of this file could not be read: invalid YAML: while scanning a plain scalar, found a tab
  new problem  evidence/systems/tabs.yaml:3:1: error T0502 invalid YAML: while scanning a plain scalar, found a tab

changed: evidence/systems/a.yaml (removed)
re-checked in N ms: 1 result changed; 1 error in policies or evidence
  gone  edge.E.1 rule recent AiSystem `a`

changed: policy/p.tenet
re-checked in N ms: 3 results changed; 2 errors in policies or evidence
  new error  edge.E.1 rule recent: the rule has errors in the policy; see the diagnostics
  gone  edge.E.1 rule recent AiSystem `b`
  gone  edge.E.1 rule recent AiSystem `systems/tabs.yaml:3`
  new problem  policy/p.tenet:11:15: error T0102 `AiSystem` has no field `reviewd`

changed: policy/p.tenet
re-checked in N ms: 3 results changed; 1 error in policies or evidence
  new pass  edge.E.1 rule recent AiSystem `b`
  new error  edge.E.1 rule recent AiSystem `systems/tabs.yaml:3`: AiSystem documents of this file could not be read: invalid YAML: while scanning a plain scalar, found a tab
  gone  edge.E.1 rule recent
  fixed  policy/p.tenet: T0102 `AiSystem` has no field `reviewd`

changed: evidence/systems/tabs.yaml (removed)
re-checked in N ms: 1 result changed; 0 errors in policies or evidence
  gone  edge.E.1 rule recent AiSystem `systems/tabs.yaml:3`
  fixed  evidence/systems/tabs.yaml: T0502 invalid YAML: while scanning a plain scalar, found a tab"
    );
}

/// The federal inventory pack on the real 2024 inventory (both releases, one of them
/// Windows-1252). The expected counts were computed independently from the CSV files.
#[test]
fn the_federal_inventory_pack_runs_on_the_real_inventory() {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/us-federal-inventory");
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["check", "--as-of", "2026-11-24", "--format", "json", "--error-format", "short"])
        .arg(&pack)
        .output()
        .expect("run tenet");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Only the two "columns no rule reads" warnings: every row decodes and types.
    assert_eq!(stderr(&out).matches(": T0508 ").count(), 2, "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut counts = Vec::new();
    for control in report["controls"].as_array().expect("controls") {
        for rule in ["first_release", "complete_release"] {
            let results: Vec<&serde_json::Value> = control["results"]
                .as_array()
                .expect("results")
                .iter()
                .filter(|r| r["rule"] == rule)
                .collect();
            let fails = results.iter().filter(|r| r["status"] == "fail").count();
            counts.push((control["local_id"].as_str().unwrap_or("").to_owned(), rule, results.len(), fails));
        }
    }
    let expected = [
        ("FED.1", "first_release", 154, 120),
        ("FED.1", "complete_release", 269, 235),
        ("FED.2", "first_release", 154, 124),
        ("FED.2", "complete_release", 269, 239),
        ("FED.3", "first_release", 154, 120),
        ("FED.3", "complete_release", 269, 235),
        ("FED.4", "first_release", 154, 132),
        ("FED.4", "complete_release", 269, 247),
    ];
    let expected: Vec<(String, &str, usize, usize)> =
        expected.iter().map(|(c, r, n, f)| ((*c).to_owned(), *r, *n, *f)).collect();
    assert_eq!(counts, expected);
}

#[test]
fn init_creates_a_repository_that_checks_and_templates_for_every_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("acme-health");
    let out = Command::new(env!("CARGO_BIN_EXE_tenet")).arg("init").arg(&root).output().expect("run tenet");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pack = std::fs::read_to_string(root.join("aims.tenet")).expect("pack");
    assert!(pack.starts_with("/// acme_health's AI management system"), "{pack}");
    assert!(root.join("tenet.toml").exists());
    assert!(root.join("evidence/inventory/ai-system.yaml.template").exists());
    assert!(root.join("evidence/training/training-record.csv.template").exists());
    assert!(root.join("evidence/assessments/impact/impact-assessment.md.template").exists());
    // The new pack compiles, and its evidence (templates only) yields no evidence or failures.
    let out = Command::new(env!("CARGO_BIN_EXE_tenet")).arg("check").arg(&root).output().expect("run tenet");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A second init refuses to overwrite.
    let again = Command::new(env!("CARGO_BIN_EXE_tenet")).arg("init").arg(&root).output().expect("run tenet");
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn evidence_template_documents_each_field() {
    let out = tenet(&["evidence", "template", "iso42001.Incident", "--as-of", "2026-11-24"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("template_incident", String::from_utf8_lossy(&out.stdout));
    let out = tenet(&["evidence", "template", "Incidnet"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: no evidence kind named `Incidnet`; did you mean `Incident`?\n");
}

#[test]
fn a_rule_over_its_step_budget_is_an_error_result_not_a_hang() {
    let out = check_org(&["--format", "json", "--step-budget", "20"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let messages: Vec<&str> = report["controls"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["results"].as_array().into_iter().flatten())
        .filter(|r| r["status"] == "error")
        .filter_map(|r| r["message"].as_str())
        .collect();
    assert!(!messages.is_empty());
    // Every error is the budget's, but the assessment whose date is no date, which every
    // rule reading assessments reports whatever its budget.
    let unread = "this ImpactAssessment could not be read, and the rule reads ImpactAssessment documents: `approved_on` must be a date";
    assert!(
        messages
            .iter()
            .all(|m| m.starts_with("the rule exceeded its budget of 20 evaluation steps")
                || m.starts_with(unread)),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.starts_with("the rule exceeded its budget")), "{messages:?}");
}

#[test]
fn ci_formats_are_written_side_by_side_and_match_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("tenet.sarif");
    let junit = dir.path().join("junit.xml");
    let out = check_org(&[
        "--format",
        &format!("sarif={}", sarif.display()),
        "--format",
        &format!("junit={}", junit.display()),
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    insta::assert_snapshot!("org_markdown", String::from_utf8_lossy(&out.stdout));
    insta::assert_snapshot!("org_junit", std::fs::read_to_string(&junit).expect("junit"));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("JSON");
    insta::assert_json_snapshot!("org_sarif", log);
}

/// The SARIF log validates against the SARIF 2.1.0 JSON schema (vendored in tests/data),
/// checked by Python's `jsonschema`, the reference validator.
#[test]
fn the_sarif_log_validates_against_the_sarif_2_1_0_schema() {
    let has_validator =
        Command::new("python3").args(["-c", "import jsonschema"]).status().is_ok_and(|s| s.success());
    assert!(has_validator, "python3 with the jsonschema package is needed (pip install jsonschema)");
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("tenet.sarif");
    let _ = check_org(&["--format", &format!("sarif={}", sarif.display())]);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nlog=json.load(open(sys.argv[2]))\njsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)\nprint('valid')";
    let out =
        Command::new("python3").args(["-c", script]).arg(&schema).arg(&sarif).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "valid\n");
}

/// A run that exits 2 because evidence is broken says so in every report: a pull-request
/// comment, code scanning, a CI test view, the audit page and the assessment results each
/// name the diagnostic at the place the terminal and the JSON report give, and none reads
/// as clean.
#[test]
fn every_report_format_carries_the_diagnostics_of_broken_evidence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package c1\n\nschema AiSystem from \"inv/*.csv\" {\n  id: string key\n  name: string\n  \
         risk_tier: \"minimal\" | \"limited\" | \"high\"\n  reviewed_on: date\n}\n\n\
         control C.1 \"Systems are reviewed\" {\n  rule reviewed\n    for s: AiSystem\n    \
         require s.reviewed_on >= 2026-01-01\n}\n",
    );
    write_under(
        root,
        "evidence/inv/x.csv",
        "id,name,risk_tier,reviewed_on\ns1,\"Scorer\nsecond line\",hihg,2026-02-01\ns2,Ranker,high,2026-02-31\n",
    );
    let mut args = vec!["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24"];
    let targets: Vec<String> = ["sarif", "junit", "markdown", "html", "oscal", "json"]
        .iter()
        .map(|format| format!("{format}={}", root.join(format!("report.{format}")).display()))
        .collect();
    for target in &targets {
        args.extend(["--format", target]);
    }
    let out = tenet_in(root, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let read = |format: &str| std::fs::read_to_string(root.join(format!("report.{format}"))).expect("report");

    // The JSON report's place, which every other format gives.
    let json: serde_json::Value = serde_json::from_str(&read("json")).expect("JSON");
    let location = &json["diagnostics"][0]["location"];
    assert_eq!(json["diagnostics"][0]["code"], "T0505");
    assert_eq!(
        (&location["path"], &location["start"]["line"], &location["start"]["column"]),
        (&serde_json::json!("evidence/inv/x.csv"), &serde_json::json!(3), &serde_json::json!(14))
    );

    let sarif: serde_json::Value = serde_json::from_str(&read("sarif")).expect("SARIF is JSON");
    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let first = &run["results"][0];
    assert_eq!(first["ruleId"], "T0505");
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": { "uri": "evidence/inv/x.csv" },
            "region": { "startLine": 3, "startColumn": 14, "endLine": 3, "endColumn": 18 },
        })
    );
    assert_eq!(run["results"][1]["ruleId"], "T0504");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(rules, ["c1.C.1", "T0504", "T0505"]);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nlog=json.load(open(sys.argv[2]))\njsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)\nprint('valid')";
    let valid = Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(root.join("report.sarif"))
        .output()
        .expect("python3");
    assert!(valid.status.success(), "{}", String::from_utf8_lossy(&valid.stderr));

    let junit = read("junit");
    assert!(
        junit.contains("<testsuites name=\"tenet check (as of 2026-11-24)\" tests=\"4\" failures=\"0\" errors=\"4\" skipped=\"0\">"),
        "{junit}"
    );
    assert!(
        junit.contains(
            "    <testcase classname=\"evidence/inv/x.csv\" name=\"T0505 evidence/inv/x.csv:3:14\">\n      <error message=\"`risk_tier` is &quot;hihg&quot;, which is not one of &quot;minimal&quot;, &quot;limited&quot;, &quot;high&quot;\" type=\"T0505\">evidence/inv/x.csv:3:14: error T0505"
        ),
        "{junit}"
    );

    let markdown = read("markdown");
    assert!(
        markdown.starts_with("## Tenet: 2 errors in the policies or evidence; 1 of 1 controls fail\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "- **error** `T0505` [evidence/inv/x.csv:3:14](evidence/inv/x.csv#L3): `risk_tier` is \"hihg\", which is not one of \"minimal\", \"limited\", \"high\" — did you mean \"high\"?\n"
        ),
        "{markdown}"
    );

    let html = read("html");
    assert!(html.contains("<span data-count=\"diagnostics-error\">2</span> errors"), "{html}");
    assert!(html.contains("<td>T0505</td><td class=\"cites\">evidence/inv/x.csv:3:14</td>"), "{html}");

    let oscal: serde_json::Value = serde_json::from_str(&read("oscal")).expect("OSCAL is JSON");
    let observations = &oscal["assessment-results"]["results"][0]["observations"];
    assert_eq!(observations[0]["title"], "T0505 value not allowed");
    assert_eq!(observations[0]["relevant-evidence"][0]["href"], "evidence/inv/x.csv");
    assert_eq!(observations[1]["title"], "T0504 wrong type in evidence");
    // compliance-trestle, which rejects invalid assessment results, reads it.
    let copy = root.join("oscal.json");
    std::fs::copy(root.join("report.oscal"), &copy).expect("copy");
    let script = "import pathlib,sys\nfrom trestle.oscal.assessment_results import AssessmentResults\nar=AssessmentResults.oscal_read(pathlib.Path(sys.argv[1]))\nprint(len(ar.results[0].observations))";
    let read = Command::new("python3").args(["-c", script]).arg(&copy).output().expect("python3");
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    // The two problems, and the control's results, each a system that could not be read.
    assert_eq!(String::from_utf8_lossy(&read.stdout), "3\n");
}

#[test]
fn a_baseline_blocks_only_new_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = dir.path().join("baseline.json");
    let out = check_org(&["--write-baseline", &baseline.display().to_string(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline")).expect("JSON");
    // Three failures, and the assessment that could not be read.
    assert_eq!(recorded["findings"].as_array().map(Vec::len), Some(4));
    // With every finding recorded, nothing is new: the malformed evidence file still makes it exit 2.
    let out = check_org(&["--baseline", &baseline.display().to_string(), "--format", "json"]);
    assert!(stderr(&out).contains("baseline: 4 of 4 findings are recorded"), "{}", stderr(&out));
    // Drop one recorded finding: it becomes new.
    let mut trimmed = recorded.clone();
    trimmed["findings"].as_array_mut().expect("list").remove(0);
    std::fs::write(&baseline, trimmed.to_string()).expect("write");
    let out = check_org(&["--baseline", &baseline.display().to_string(), "--format", "json"]);
    assert!(stderr(&out).contains("baseline: 3 of 4 findings are recorded"), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("  new: meridian.A.5.2 rule high_risk_systems_are_assessed AiSystem scorer fail"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn soa_lists_all_38_annex_a_controls_and_framework_reports_derive_statuses() {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/example");
    let soa = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["soa", "--as-of", "2026-11-24", "--format", "json"])
        .arg(&pack)
        .output()
        .expect("run tenet");
    assert_eq!(soa.status.code(), Some(0), "{}", stderr(&soa));
    let statement: serde_json::Value = serde_json::from_slice(&soa.stdout).expect("JSON");
    assert_eq!(
        (&statement["schema_version"], &statement["as_of"]),
        (&serde_json::json!(1), &serde_json::json!("2026-11-24"))
    );
    let rows = statement["controls"].as_array().expect("rows");
    assert_eq!(rows.len(), 38);
    let excluded: Vec<&str> =
        rows.iter().filter(|r| r["applicable"] == false).filter_map(|r| r["control"].as_str()).collect();
    assert_eq!(excluded, ["A.4.4", "A.10.4"]);
    let report = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["report", "--framework", "eu_ai_act", "--as-of", "2026-11-24", "--format", "json"])
        .arg(&pack)
        .output()
        .expect("run tenet");
    let statuses: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(
        (&statuses["as_of"], &statuses["framework"]),
        (&serde_json::json!("2026-11-24"), &serde_json::json!("eu_ai_act"))
    );
    let rows = statuses["requirements"].as_array().expect("rows");
    assert_eq!(rows.len(), 126);
    let csv = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["soa", "--as-of", "2026-11-24", "--format", "csv"])
        .arg(&pack)
        .output()
        .expect("run tenet");
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.lines().next().is_some_and(|h| h.ends_with(",excluded_by,as_of")), "{csv}");
    assert!(csv.lines().nth(1).is_some_and(|row| row.ends_with(",\"2026-11-24\"")), "{csv}");
    let art4 = rows.iter().find(|r| r["id"] == "Art. 4").expect("Art. 4");
    assert_eq!(art4["status"], "failing");
    let art1 = rows.iter().find(|r| r["id"] == "Art. 1").expect("Art. 1");
    assert_eq!(art1["status"], "not_covered");
}

/// Every report format on the example organisation at a fixed date: the snapshots are the
/// reviewable record of what each format says.
#[test]
fn every_format_on_the_example_organisation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args: Vec<String> = vec!["check".into(), "--as-of".into(), "2026-11-24".into()];
    for format in ["text", "json", "sarif", "junit", "markdown", "oscal", "html"] {
        args.push("--format".into());
        args.push(format!("{format}={}", dir.path().join(format).display()));
    }
    // Run from the repository root, so that paths in the reports are the repository's.
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(&args)
        .arg("policies/example")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("run tenet");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for format in ["text", "json", "sarif", "junit", "markdown", "oscal", "html"] {
        let text = std::fs::read_to_string(dir.path().join(format)).expect("report");
        insta::assert_snapshot!(format!("example_{format}"), text);
    }
}

/// The text report alone, as `tenet check` prints it by default, counts passing results
/// instead of making them; beside other formats it lists them. Both read the same: the
/// snapshot is the one `every_format_on_the_example_organisation` writes.
#[test]
fn the_text_report_alone_reads_as_it_does_beside_other_formats() {
    let out = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["check", "--as-of", "2026-11-24", "policies/example"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("NO_COLOR", "1")
        .output()
        .expect("run tenet");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("example_text", String::from_utf8_lossy(&out.stdout));
}

/// The OSCAL output loads in compliance-trestle, a real OSCAL implementation that rejects
/// invalid assessment results.
#[test]
fn the_oscal_output_is_valid_assessment_results() {
    let has_trestle = Command::new("python3")
        .args(["-c", "import trestle.oscal.assessment_results"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(has_trestle, "python3 with compliance-trestle is needed (pip install compliance-trestle)");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("oscal.json");
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/example");
    let _ = Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(["check", "--as-of", "2026-11-24", "--format", &format!("oscal={}", file.display())])
        .arg(&pack)
        .output()
        .expect("run tenet");
    let script = "import pathlib,sys\nfrom trestle.oscal.assessment_results import AssessmentResults\nar=AssessmentResults.oscal_read(pathlib.Path(sys.argv[1]))\nprint(len(ar.results[0].findings))";
    let out = Command::new("python3").args(["-c", script]).arg(&file).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "70\n");
}

#[test]
fn fail_on_and_severity_threshold_decide_the_exit_code() {
    let code = |extra: &[&str]| {
        let mut args =
            vec!["check", "policies/example", "--as-of", "2026-11-24", "--format", "json=/dev/null"];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(&args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .output()
            .expect("run tenet")
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "error"]), Some(0));
    // Critical controls fail too (A.5.2, 6.1.2 …), so the threshold keeps the run failing.
    assert_eq!(code(&["--severity-threshold", "critical"]), Some(1));
}

/// A report names files the same way whether the packs and evidence were given relative
/// to the current directory or in full: the same bytes, on any machine.
#[test]
fn a_path_given_in_full_is_reported_as_from_the_current_directory() {
    let root = repository().canonicalize().expect("the repository");
    let json = |pack: &str, evidence: &str| {
        let out = tenet_in(
            &root,
            &["check", pack, "--evidence", evidence, "--as-of", "2026-11-24", "--format", "json"],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        out.stdout
    };
    let full = |rest: &str| root.join(rest).display().to_string();
    let relative = json("policies/example", "policies/example/evidence");
    assert!(String::from_utf8_lossy(&relative).contains("\"policies/example/meridian.tenet\""));
    assert!(relative == json(&full("policies/example"), &full("policies/example/evidence")));
}

/// The statement for a terminal is text, not the Markdown table; the framework report
/// writes CSV and Markdown when asked, where it wrote its text for both.
#[test]
fn soa_text_and_framework_csv_and_markdown() {
    let run = |args: &[&str]| tenet_in(&repository(), args);
    let soa = run(&["soa", "policies/example", "--as-of", "2026-11-24", "--format", "text"]);
    assert_eq!(soa.status.code(), Some(0), "{}", stderr(&soa));
    insta::assert_snapshot!("example_soa_text", String::from_utf8_lossy(&soa.stdout));
    let framework = |format: &str| {
        let out = run(&[
            "report",
            "policies/example",
            "--framework",
            "nist_ai_rmf",
            "--as-of",
            "2026-11-24",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let csv = framework("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(header, ["requirement", "title", "status", "controls", "as_of"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let json: serde_json::Value = serde_json::from_str(&framework("json")).expect("JSON");
    let requirements = json["requirements"].as_array().expect("requirements");
    assert_eq!(rows.len(), requirements.len());
    for (row, requirement) in rows.iter().zip(requirements) {
        assert_eq!(row.get(0), requirement["id"].as_str());
        assert_eq!(row.get(2), requirement["status"].as_str());
        assert_eq!(row.get(4), Some("2026-11-24"));
    }
    let markdown = framework("markdown");
    assert!(
        markdown.starts_with("# nist_ai_rmf requirements as of 2026-11-24\n\n| requirement |"),
        "{markdown}"
    );
    assert_eq!(markdown.lines().filter(|l| l.starts_with("| ")).count(), requirements.len() + 1);
}

/// Evidence that cannot be read is reported by `soa` and `report` as by `check`: its
/// diagnostics on stderr and exit code 2, with the statement still written.
#[test]
fn soa_and_framework_reports_name_broken_evidence() {
    let evidence = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(evidence.path().join("inventory")).expect("dir");
    std::fs::write(evidence.path().join("inventory/ai-systems.yaml"), "- id: [unclosed\n").expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(args)
            .arg("--evidence")
            .arg(evidence.path())
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .output()
            .expect("run tenet")
    };
    for args in [
        &["soa", "policies/example", "--as-of", "2026-11-24", "--format", "text"][..],
        &["report", "policies/example", "--framework", "eu_ai_act", "--as-of", "2026-11-24"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("T0502"), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("ai-systems.yaml"), "{args:?}: {}", stderr(&out));
        assert!(!out.stdout.is_empty(), "{args:?}: the statement is still written");
    }
    // A control whose evidence could not be read is neither implemented nor not.
    let soa = run(&["soa", "policies/example", "--as-of", "2026-11-24", "--format", "text"]);
    let text = String::from_utf8_lossy(&soa.stdout);
    assert!(text.contains("A.3.2    applicable  undetermined     AI roles and responsibilities\n"), "{text}");
}

#[test]
fn soa_and_framework_reports_render_as_html() {
    let run = |args: &[&str]| tenet_in(&repository(), args);
    let soa = run(&["soa", "policies/example", "--as-of", "2026-11-24", "--format", "html"]);
    let soa = String::from_utf8_lossy(&soa.stdout);
    assert!(soa.starts_with("<!DOCTYPE html>"));
    assert_eq!(soa.matches("<tr>").count(), 39, "a header row and 38 controls");
    let report = run(&[
        "report",
        "policies/example",
        "--framework",
        "eu_ai_act",
        "--as-of",
        "2026-11-24",
        "--format",
        "html",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&report.stdout).matches("<tr>").count(),
        127,
        "a header row and 126 requirements"
    );
}

/// A unit's `override` and `disable` of the group's rules: the text report names each
/// overridden rule with who overrode it and why, marks its results, and the SARIF log
/// carries the override and still validates.
#[test]
fn overridden_rules_are_marked_with_their_justification() {
    let check = |more: &[&str]| {
        let mut args =
            vec!["check", "overrides/policy", "--evidence", "overrides/evidence", "--as-of", "2026-11-24"];
        args.extend_from_slice(more);
        tenet(&args)
    };
    let out = check(&["--all"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("check_overrides_text", String::from_utf8_lossy(&out.stdout));

    let json = check(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let control = &report["controls"][0];
    assert_eq!(control["overrides"].as_array().map(Vec::len), Some(2));
    let disabled = &control["results"][2];
    assert_eq!(disabled["status"], "not_applicable");
    assert_eq!(disabled["override"]["action"], "disable");
    assert_eq!(disabled["override"]["package"], "unit");
    assert_eq!(disabled["override"]["file"], "overrides/policy/unit.tenet");
    assert_eq!(disabled["override"]["line"], 12);

    let has_validator =
        Command::new("python3").args(["-c", "import jsonschema"]).status().is_ok_and(|s| s.success());
    assert!(has_validator, "python3 with the jsonschema package is needed (pip install jsonschema)");
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("tenet.sarif");
    let _ = check(&["--format", &format!("sarif={}", sarif.display())]);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("SARIF is JSON");
    assert_eq!(log["runs"][0]["results"][0]["properties"]["override"]["action"], "replace");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nlog=json.load(open(sys.argv[2]))\njsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)\nprint('valid')";
    let out =
        Command::new("python3").args(["-c", script]).arg(&schema).arg(&sarif).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn schema_export_describes_a_register_read_at_a_place_by_a_schema_of_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/semantics/places/policy.tenet");
    let out = tenet(&[
        "schema",
        "export",
        "--out",
        &dir.path().display().to_string(),
        &policy.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(file)).expect(file)).expect("JSON")
    };
    let index = read("index.json");
    let review =
        index["schemas"].as_array().expect("kinds").iter().find(|k| k["kind"] == "Review").expect("Review");
    // Its only glob reads documents under `reviews`: no file is one Review document.
    assert_eq!(review["sources"], serde_json::json!([]));
    assert_eq!(
        review["registers"],
        serde_json::json!([{ "glob": "inventory/*.yaml", "at": "reviews", "schema": "Review.at.reviews.schema.json" }])
    );
    let register = read("Review.at.reviews.schema.json");
    assert_eq!(register["required"], serde_json::json!(["reviews"]));
    assert_eq!(register["properties"]["reviews"]["anyOf"][0]["items"]["$ref"], "#/$defs/document");
    assert_eq!(register["$defs"]["document"]["required"], serde_json::json!(["system", "reviewed_on"]));
    // Two keys deep: a mapping with `event` holding a mapping with `system`.
    let events = read("AiSystem.at.event.system.schema.json");
    assert_eq!(events["properties"]["event"]["required"], serde_json::json!(["system"]));
    // Entries named by their keys: each entry's value is a document that need not write it.
    let vendors = read("Vendor.at.vendors.each.schema.json");
    let entries = &vendors["properties"]["vendors"]["anyOf"][0];
    assert_eq!(entries["additionalProperties"]["$ref"], "#/$defs/document");
    assert_eq!(vendors["$defs"]["document"]["required"], serde_json::json!(["country"]));
}

#[test]
fn an_evidence_template_writes_dates_in_the_fields_own_format() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/semantics/date-formats");
    let out = tenet_in(&case, &["evidence", "template", "Review", "--as-of", "2026-06-30"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("held_on")).collect();
    assert_eq!(
        lines,
        [
            "held_on: \"30.06.2026\"  # date; the date this document speaks for; written as `%d.%m.%Y`",
            "sessions:  # list of date; written as `%d %b %Y`",
            "  - \"30 Jun 2026\"",
        ]
    );
}

#[test]
fn a_csv_kind_s_template_is_a_header_and_a_row_in_its_dialect() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/semantics/csv-dialects");
    let template = |kind: &str, extra: &[&str]| {
        let mut args = vec!["evidence", "template", kind, "--as-of", "2026-06-30"];
        args.extend(extra);
        let out = tenet_in(&case, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        template("Training", &[]),
        "Person;Schulung;Abgeschlossen am;Stunden\n<person>;<course>;30.06.2026;0,5\n"
    );
    assert_eq!(template("Incident", &[]), "id\tsystem\tseverity\n<id>\t<system>\tlow\n");
    assert_eq!(template("Vendor", &[]), "id,assessed_on\n<id>,2026-06-30\n");
    // A header on line 3 comes below a title and a blank line.
    assert_eq!(template("Roster", &[]), "Roster\n\nperson,role\n<person>,<role>\n");
    // The templates read back as the kinds' documents.
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = std::fs::read_to_string(case.join("policy.tenet")).expect("policy");
    std::fs::write(dir.path().join("policy.tenet"), policy).expect("write policy");
    std::fs::create_dir_all(dir.path().join("evidence/incidents")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("evidence/rosters")).expect("mkdir");
    std::fs::write(dir.path().join("evidence/incidents/t.tsv"), template("Incident", &[])).expect("write");
    std::fs::write(dir.path().join("evidence/rosters/t.csv"), template("Roster", &[])).expect("write");
    let out =
        tenet_in(dir.path(), &["check", "policy.tenet", "--evidence", "evidence", "--as-of", "2026-06-30"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("results:  2 pass, 0 fail, 0 error"), "{text}{}", stderr(&out));
    // YAML on request, whatever the sources.
    assert!(template("Training", &["--format", "yaml"]).contains("kind: Training\n"));
}

/// A kind read only from TOML or JSON gets its template in that format, at the place its
/// `at` names, and each template, its key filled in, reads back as one document of its
/// kind with no diagnostic.
#[test]
fn toml_and_json_kinds_templates_read_back_as_their_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = r#"package tt

/// A system in the lab's register.
schema LabSystem from "lab/*.toml" at "systems" {
  /// The system's id.
  id: string key
  tier: "low" | "high"
  reviewed: date format "%d.%m.%Y"
  owner: { name: string, email: string? }
  tags: [string]?
  checks: [{ name: string, passed: bool }]
}

schema Entry from "entries/*.toml" at "register.*" {
  id: string key
  score: float
}

schema Plain from "plain/*.toml" {
  id: string key
  n: int
}

schema Event from "events/*.jsonl" {
  id: string key
  at: datetime
}

schema Rec from "recs/*.json" at "data.records" {
  id: string key
  ok: bool
}

control T.1 "Every kind's template reads back" {
  rule lab
    for s: LabSystem
    require s.id == "lab-1" and s.owner.email == "" and len(s.checks) == 1
  rule entry
    for e: Entry
    require e.id == "<id>" and e.score == 0.5
  rule plain
    for p: Plain
    require p.n == 0
  rule event
    for e: Event
    require e.id == "e-1"
  rule rec
    for r: Rec
    require not r.ok
}
"#;
    std::fs::write(dir.path().join("policy.tenet"), policy).expect("write policy");
    let template = |kind: &str| {
        let out = tenet_in(dir.path(), &["evidence", "template", kind, "--as-of", "2026-06-30"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lab = template("LabSystem");
    assert!(lab.starts_with("# A system in the lab's register.\n# Tenet reads this kind from: \"lab/*.toml\" at \"systems\"\n\n[[systems]]\n# The system's id.\n# string; key: unique across all documents of this kind\nid = \"\"\n"), "{lab}");
    assert!(lab.contains("# date; written as `%d.%m.%Y`\nreviewed = \"30.06.2026\"\n"), "{lab}");
    assert!(lab.contains("[systems.owner]\n") && lab.contains("[[systems.checks]]\n"), "{lab}");
    assert_eq!(
        template("Entry"),
        "# Tenet reads this kind from: \"entries/*.toml\" at \"register.*\"\n\n[register.\"<id>\"]\n# number\nscore = 0.5\n"
    );
    assert_eq!(template("Event"), "{\"id\":\"\",\"at\":\"2026-06-30T00:00:00Z\"}\n");
    assert_eq!(
        template("Rec"),
        "{\n  \"data\": {\n    \"records\": [\n      {\n        \"id\": \"\",\n        \"ok\": false\n      }\n    ]\n  }\n}\n"
    );
    let write = |path: &str, text: String| {
        let path = dir.path().join("evidence").join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write evidence");
    };
    write("lab/t.toml", lab.replacen("id = \"\"", "id = \"lab-1\"", 1));
    write("entries/t.toml", template("Entry"));
    write("plain/t.toml", template("Plain").replacen("id = \"\"", "id = \"p-1\"", 1));
    write("events/t.jsonl", template("Event").replacen("\"id\":\"\"", "\"id\":\"e-1\"", 1));
    write("recs/t.json", template("Rec").replacen("\"id\": \"\"", "\"id\": \"r-1\"", 1));
    let out =
        tenet_in(dir.path(), &["check", "policy.tenet", "--evidence", "evidence", "--as-of", "2026-06-30"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("results:  5 pass, 0 fail, 0 error"), "{text}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_diagnostic_quoting_a_script_without_line_break_data_prints_only_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = "package my\n\nschema AiSystem from \"inventory/*.yaml\" {\n  id: string key\n  tier: \"low\" | \"high\"\n}\n";
    std::fs::write(dir.path().join("policy.tenet"), policy).expect("write policy");
    std::fs::create_dir_all(dir.path().join("evidence/inventory")).expect("mkdir");
    // Myanmar, Thai, Lao and Khmer, which the line breaker under miette has no data for.
    let tier = ["မြန်မာစာ", "ภาษาไทย", "ພາສາລາວ", "ភាសាខ្មែរ"].repeat(4).join(" ");
    let evidence = format!("- id: a\n  tier: \"{tier}\"\n");
    std::fs::write(dir.path().join("evidence/inventory/a.yaml"), evidence).expect("write evidence");
    let out = tenet_in(dir.path(), &["check", "policy.tenet", "--evidence", "evidence"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("T0505"), "{all}");
    assert!(!all.contains("ICU4X"), "{all}");
}

#[test]
fn a_report_into_a_directory_that_does_not_exist_is_refused_before_any_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("reports/2026/check.json");
    let places = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/semantics/places");
    let target = format!("json={}", missing.display());
    for args in
        [vec!["--format", "json", "--output", missing.to_str().expect("UTF-8")], vec!["--format", &target]]
    {
        let mut all = vec!["check", "policy.tenet", "--evidence", "evidence"];
        all.extend(args);
        let out = tenet_in(&places, &all);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert_eq!(
            stderr(&out),
            format!(
                "error: cannot write `{}`: the directory `{}` does not exist\n",
                missing.display(),
                dir.path().join("reports/2026").display()
            )
        );
    }
}

/// A waiver for a subject the evidence does not have waives nothing, and says so where it
/// is written, with the key it may have meant.
#[test]
fn a_waiver_for_a_subject_with_no_evidence_is_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(
        root,
        "policy/p.tenet",
        "package w\n\nschema AiSystem from \"inv/*.yaml\" {\n  id: string key\n  owner: string?\n}\n\n\
         control W.1 \"Systems have owners\" {\n  rule owned\n    for s: AiSystem\n    require s.owner != none\n}\n\n\
         waive W.1 for AiSystem \"scorr\" until 2027-01-31\n  approved_by \"CISO\" because \"Migration.\"\n",
    );
    write_under(root, "evidence/inv/a.yaml", "- id: scorer\n- id: ranker\n  owner: Bo\n");
    let out = tenet_in(
        root,
        &["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24", "--error-format", "short"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).lines().next(),
        Some(
            "policy/p.tenet:14:1: T0514 this waiver is for AiSystem \"scorr\", but no AiSystem in the evidence has that key: it waives nothing"
        ),
        "{}",
        stderr(&out)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("FAIL rule owned AiSystem `scorer`"), "{report}");
    let human = tenet_in(root, &["check", "policy", "--evidence", "evidence", "--as-of", "2026-11-24"]);
    assert!(stderr(&human).contains("help: did you mean \"scorer\"?"), "{}", stderr(&human));
}
