//! Packs end to end: real git repositories and archives in temporary directories, the
//! `tenet` binary driven as a user drives it, a private cache per test.
#![allow(clippy::expect_used, reason = "set-up failures in tests should fail loudly")]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A scratch world: a directory for repositories and projects, and a cache of its own.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read")
    }

    /// Runs `tenet` in `cwd` (relative to the world) with the world's cache.
    fn tenet(&self, cwd: &str, args: &[&str]) -> Output {
        self.tenet_with_cache(cwd, args, "cache")
    }

    fn tenet_with_cache(&self, cwd: &str, args: &[&str], cache: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tenet"))
            .args(args)
            .current_dir(self.path(cwd))
            .env("NO_COLOR", "1")
            .env("TENET_CACHE_DIR", self.path(cache))
            .env_remove("TENET_OFFLINE")
            .output()
            .expect("run tenet")
    }

    fn git(&self, repo: &str, args: &[&str]) {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=Tenet Tests",
                "-c",
                "user.email=tests@tenet.invalid",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.path(repo))
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A git repository holding a pack, with one commit and tag per version.
    fn pack_repo(&self, repo: &str, name: &str, versions: &[&str], body: &str) {
        std::fs::create_dir_all(self.path(repo)).expect("mkdir");
        self.git(repo, &["init", "-q"]);
        for version in versions {
            self.write(&format!("{repo}/tenet.toml"), &manifest(name, version, ""));
            self.write(&format!("{repo}/pack.tenet"), &format!("package {name}\n\nuse iso42001\n{body}"));
            self.git(repo, &["add", "-A"]);
            self.git(repo, &["commit", "-qm", &format!("release {version}")]);
            self.git(repo, &["tag", &format!("v{version}")]);
        }
    }
}

fn manifest(name: &str, version: &str, dependencies: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n\n[dependencies]\n{dependencies}")
}

/// Standard error with the renderer's line wrapping undone, so messages read whole.
fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).replace("\n  │ ", " ")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output));
}

const UNIT: &str = "package acme.unit\n\nuse iso42001\nuse acme.baseline\n";

/// A unit that needs `acme.baseline` by `unit_req` directly and through `acme.sector`,
/// which needs it by `sector_req`; both from the `baseline` repository.
fn two_chains(world: &World, unit_req: &str, sector_req: &str) {
    world.write(
        "sector/tenet.toml",
        &manifest(
            "acme.sector",
            "0.3.0",
            &format!("\"acme.baseline\" = {{ git = \"../baseline\", version = \"{sector_req}\" }}\n"),
        ),
    );
    world.write("sector/sector.tenet", "package acme.sector\n");
    world.write(
        "unit/tenet.toml",
        &manifest(
            "acme.unit",
            "1.0.0",
            &format!(
                "\"acme.baseline\" = {{ git = \"../baseline\", version = \"{unit_req}\" }}\n\"acme.sector\" = {{ path = \"../sector\" }}\n"
            ),
        ),
    );
    world.write("unit/unit.tenet", UNIT);
}

fn unit_project(world: &World) {
    world.write("unit/tenet.toml", &manifest("acme.unit", "1.0.0", ""));
    world.write("unit/unit.tenet", UNIT);
}

/// The unit, depending on `baseline/` by path.
fn unit_on_path_baseline(world: &World) {
    world.write(
        "unit/tenet.toml",
        &manifest("acme.unit", "1.0.0", "\"acme.baseline\" = { path = \"../baseline\" }\n"),
    );
    world.write("unit/unit.tenet", UNIT);
}

/// A one-file baseline in `baseline/`, and the unit depending on it by path.
fn path_baseline_and_unit(world: &World) {
    world.write("baseline/tenet.toml", &manifest("acme.baseline", "1.0.0", ""));
    world.write("baseline/b.tenet", "package acme.baseline\n");
    unit_on_path_baseline(world);
}

#[test]
fn add_locks_the_highest_matching_tag_and_update_moves_to_a_new_one() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0"], "");
    unit_project(&world);
    let out = world.tenet("unit", &["pack", "add", "acme.baseline", "--git", "../baseline", "--req", "^1.0"]);
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        "Added `acme.baseline` in tenet.toml\n   Locking acme.baseline v1.0.0 (git+../baseline)\n"
    );
    assert!(
        world
            .read("unit/tenet.toml")
            .contains("\"acme.baseline\" = { git = \"../baseline\", version = \"^1.0\" }")
    );
    let lock = world.read("unit/tenet.lock");
    assert!(
        lock.contains(
            "name = \"acme.baseline\"\nversion = \"1.0.0\"\nsource = \"git+../baseline\"\nrevision = \""
        ),
        "{lock}"
    );
    assert_exit(&world.tenet("unit", &["check", "."]), 0);

    // A new release does not move a locked project until it asks.
    world.write("baseline/tenet.toml", &manifest("acme.baseline", "1.1.0", ""));
    world.git("baseline", &["commit", "-qam", "release 1.1.0"]);
    world.git("baseline", &["tag", "v1.1.0"]);
    world.write("baseline/tenet.toml", &manifest("acme.baseline", "2.0.0", ""));
    world.git("baseline", &["commit", "-qam", "release 2.0.0"]);
    world.git("baseline", &["tag", "v2.0.0"]);
    assert_eq!(world.read("unit/tenet.lock"), lock);
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        "  Updating acme.baseline v1.0.0 (git+../baseline) -> v1.1.0 (git+../baseline)\n",
        "2.0.0 is outside ^1.0"
    );
    let out = world.tenet("unit", &["pack", "tree"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().nth(1), Some("└── acme.baseline v1.1.0 (^1.0) git+../baseline"));
}

#[test]
fn two_requirements_no_version_satisfies_are_a_conflict_with_both_chains() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0", "1.4.0", "2.0.0"], "");
    two_chains(&world, "^1.2", "^2.0");
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0602]"), "{err}");
    assert!(err.contains("no version of `acme.baseline` satisfies every requirement"), "{err}");
    assert!(
        err.contains("acme.unit 1.0.0 → acme.baseline >=1.2.0, <2.0.0")
            || err.contains("acme.unit 1.0.0 → acme.baseline ^1.2"),
        "{err}"
    );
    assert!(err.contains("acme.unit 1.0.0 → acme.sector 0.3.0 → acme.baseline ^2.0"), "{err}");
    assert!(err.contains("available: 2.0.0, 1.4.0, 1.0.0"), "{err}");
    assert!(!world.path("unit/tenet.lock").exists());
}

#[test]
fn a_cycle_is_reported_with_the_packs_that_form_it() {
    let world = World::new();
    world.write("a/tenet.toml", &manifest("acme.a", "1.0.0", "\"acme.b\" = { path = \"../b\" }\n"));
    world.write("a/a.tenet", "package acme.a\n");
    world.write("b/tenet.toml", &manifest("acme.b", "1.0.0", "\"acme.a\" = { path = \"../a\" }\n"));
    world.write("b/b.tenet", "package acme.b\n");
    world.write("unit/tenet.toml", &manifest("acme.unit", "1.0.0", "\"acme.a\" = { path = \"../a\" }\n"));
    world.write("unit/unit.tenet", "package acme.unit\n");
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0603]"), "{err}");
    assert!(
        err.contains("the packs depend on each other in a cycle: acme.a 1.0.0 → acme.b 1.0.0 → acme.a"),
        "{err}"
    );

    // A dependency that depends back on the project is a cycle too.
    world.write("b/tenet.toml", &manifest("acme.b", "1.0.0", "\"acme.unit\" = { path = \"../unit\" }\n"));
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("cycle: acme.unit 1.0.0 → acme.a 1.0.0 → acme.b 1.0.0 → acme.unit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn archives_are_reproducible_pinned_by_hash_and_a_tampered_one_is_refused() {
    let world = World::new();
    world.write("baseline/tenet.toml", &manifest("acme.baseline", "1.0.0", ""));
    world.write("baseline/rules/baseline.tenet", "package acme.baseline\n\nuse iso42001\n");
    let first = world.tenet("baseline", &["pack", "build"]);
    assert_exit(&first, 0);
    assert_eq!(stdout(&first), "dist/acme.baseline-1.0.0.tar.gz\n");
    let bytes = std::fs::read(world.path("baseline/dist/acme.baseline-1.0.0.tar.gz")).expect("archive");
    let second = world.tenet("baseline", &["pack", "build", "--output", "../again.tar.gz"]);
    assert_exit(&second, 0);
    assert_eq!(
        std::fs::read(world.path("again.tar.gz")).expect("archive"),
        bytes,
        "same content, same bytes"
    );
    let verified =
        world.tenet("baseline", &["pack", "verify", "--archive", "dist/acme.baseline-1.0.0.tar.gz"]);
    assert_exit(&verified, 0);
    assert!(
        stdout(&verified).starts_with("verified acme.baseline v1.0.0: 2 files, content sha256:"),
        "{}",
        stdout(&verified)
    );

    unit_project(&world);
    let out = world.tenet(
        "unit",
        &["pack", "add", "acme.baseline", "--archive", "../baseline/dist/acme.baseline-1.0.0.tar.gz"],
    );
    assert_exit(&out, 0);
    assert!(
        world
            .read("unit/tenet.lock")
            .contains("source = \"archive+../baseline/dist/acme.baseline-1.0.0.tar.gz\"")
    );
    assert_exit(&world.tenet("unit", &["check", "."]), 0);

    // The publisher's archive is replaced by one with other content: a fresh machine (an
    // empty cache) refuses it by its hash.
    world.write("baseline/rules/baseline.tenet", "package acme.baseline\n\nuse iso42001\n// changed\n");
    assert_exit(&world.tenet("baseline", &["pack", "build"]), 0);
    let out = world.tenet_with_cache("unit", &["check", "."], "fresh-cache");
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0604]"), "{err}");
    assert!(err.contains("does not match its sha256: expected"), "{err}");
}

/// A `.tar.gz` with one entry whose name is written raw, as an attacker would.
fn evil_archive(name: &str) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_size(4);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    if let Some(gnu) = header.as_gnu_mut() {
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
    }
    header.set_cksum();
    let mut builder =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
    builder.append(&header, &b"evil"[..]).expect("append");
    builder.into_inner().expect("tar").finish().expect("gzip")
}

#[test]
fn an_archive_that_escapes_the_pack_is_refused_and_writes_nothing() {
    let world = World::new();
    unit_project(&world);
    std::fs::write(world.path("evil.tar.gz"), evil_archive("../../escaped.tenet")).expect("write");
    let out = world.tenet("unit", &["pack", "add", "acme.evil", "--archive", "../evil.tar.gz"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0607]"), "{err}");
    assert!(err.contains("`../../escaped.tenet` points outside the pack"), "{err}");
    assert!(!world.path("escaped.tenet").exists() && !world.path("cache/escaped.tenet").exists());
    assert!(
        !world.read("unit/tenet.toml").contains("acme.evil"),
        "a failed add leaves the manifest as it was"
    );
}

#[test]
fn vendored_packs_check_without_cache_network_or_source() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0"], "");
    unit_project(&world);
    assert_exit(
        &world.tenet("unit", &["pack", "add", "acme.baseline", "--git", "../baseline", "--tag", "v1.0.0"]),
        0,
    );
    let out = world.tenet("unit", &["pack", "vendor"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).starts_with("  Vendored acme.baseline v1.0.0\n1 pack in .tenet/vendor"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(world.path("baseline")).expect("remove the repository");
    std::fs::remove_dir_all(world.path("cache")).expect("remove the cache");
    let out = world.tenet("unit", &["check", ".", "--offline"]);
    assert_exit(&out, 0);
    let out = world.tenet("unit", &["pack", "verify", "--offline"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("verified acme.baseline v1.0.0 sha256:"), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("(vendor)\n"));

    // A vendored file edited by hand no longer matches the lock.
    let vendored = world.path("unit/.tenet/vendor/acme.baseline/pack.tenet");
    let text = std::fs::read_to_string(&vendored).expect("vendored file");
    std::fs::write(&vendored, format!("{text}\nnot_applicable iso42001.A.6.2.6 because \"quietly\"\n"))
        .expect("edit");
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error[T0604]")
            && err.contains("the pack `acme.baseline` 1.0.0 does not match `tenet.lock`"),
        "{err}"
    );
}

#[test]
fn offline_commands_never_fetch() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0"], "");
    unit_project(&world);
    let out = world.tenet("unit", &["pack", "add", "acme.baseline", "--git", "../baseline", "--offline"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("is not in the cache, and the network is off"), "{}", stderr(&out));
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
}

#[test]
fn the_lock_must_cover_the_manifest() {
    let world = World::new();
    path_baseline_and_unit(&world);
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("error[T0605]"), "{}", stderr(&out));
    assert!(stderr(&out).contains("the manifest has dependencies and there is no `tenet.lock`"));
    assert_exit(&world.tenet("unit", &["pack", "fetch"]), 0);
    assert_exit(&world.tenet("unit", &["check", "."]), 0);
    // A path dependency changed after locking is a mismatch naming both hashes.
    world.write("baseline/b.tenet", "package acme.baseline\n// edited\n");
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("locked: sha256:") && err.contains("found:  sha256:"), "{err}");
    assert!(err.contains("run `tenet pack update acme.baseline`"), "{err}");
}

/// `tenet watch` shows what loading the packs found, as `tenet check` does.
#[test]
fn watch_shows_pack_problems() {
    let world = World::new();
    path_baseline_and_unit(&world);
    world.write("unit/evidence/.kept", "");
    let out = world
        .tenet("unit", &["watch", ".", "--evidence", "evidence", "--as-of", "2026-06-30", "--runs", "1"]);
    assert_exit(&out, 0);
    let shown = stdout(&out);
    let (summary, problems) = shown.split_once('\n').expect("a summary line");
    assert!(summary.ends_with("; 2 errors in policies or evidence"), "{shown}");
    assert_eq!(
        problems,
        "  tenet.toml:1:1: error T0605 the manifest has dependencies and there is no `tenet.lock`\n  \
         unit.tenet:4:5: error T0108 no package named `acme.baseline`\n"
    );
}

#[test]
fn a_dependency_cannot_replace_a_built_in_pack() {
    let world = World::new();
    path_baseline_and_unit(&world);
    world.write("baseline/sneaky.tenet", "package iso42001\n");
    assert_exit(&world.tenet("unit", &["pack", "update"]), 0);
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0608]"), "{err}");
    assert!(
        err.contains("the pack `acme.baseline` declares the package `iso42001`, which is outside it"),
        "{err}"
    );
}

#[test]
fn manifest_errors_point_into_the_manifest() {
    let world = World::new();
    world.write("unit/tenet.toml", "[package]\nname = \"acme.unit\"\nversion = \"1\"\n");
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("error[T0601]"), "{err}");
    assert!(err.contains("`1` is not a semver version"), "{err}");
    assert!(err.contains("[tenet.toml:3:11]"), "{err}");
}

#[test]
fn init_writes_a_manifest_and_a_pack_that_compiles() {
    let world = World::new();
    std::fs::create_dir_all(world.path("group-baseline")).expect("mkdir");
    let out = world.tenet("group-baseline", &["pack", "init", "--name", "acme.group"]);
    assert_exit(&out, 0);
    assert!(
        world
            .read("group-baseline/tenet.toml")
            .starts_with("[package]\nname = \"acme.group\"\nversion = \"0.1.0\"\n")
    );
    assert_eq!(
        world.read("group-baseline/group.tenet"),
        "/// acme.group: policy shared as a pack.\npackage acme.group\n\nuse iso42001\n"
    );
    assert_exit(&world.tenet("group-baseline", &["check", "."]), 0);
    assert_exit(&world.tenet("group-baseline", &["pack", "init"]), 2);
}

#[test]
fn compatible_requirements_from_two_chains_unify_on_one_version() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0", "1.2.0", "1.4.0", "2.0.0"], "");
    two_chains(&world, "^1.0", ">=1.2, <1.4");
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        "   Locking acme.baseline v1.2.0 (git+../baseline)\n   Locking acme.sector v0.3.0 (path+../sector)\n"
    );
    let tree = world.tenet("unit", &["pack", "tree"]);
    assert_exit(&tree, 0);
    assert_eq!(
        stdout(&tree),
        "acme.unit v1.0.0 (.)\n├── acme.baseline v1.2.0 (^1.0) git+../baseline\n└── acme.sector v0.3.0 path+../sector\n    └── acme.baseline v1.2.0 (>=1.2, <1.4) git+../baseline (*)\n"
    );
}

/// Runs `tenet` from the repository root with a private cache.
fn tenet_in_repository(args: &[&str]) -> Output {
    let cache = tempfile::tempdir().expect("cache");
    Command::new(env!("CARGO_BIN_EXE_tenet"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("NO_COLOR", "1")
        .env("TENET_CACHE_DIR", cache.path())
        .output()
        .expect("run tenet")
}

/// The two-level example: the business unit's check says where every setting came from,
/// names each override with its justification, and the lock verifies.
#[test]
fn the_business_unit_example_shows_where_each_setting_came_from() {
    let out = tenet_in_repository(&["check", "policies/business-unit", "--as-of", "2026-11-24"]);
    assert_exit(&out, 1);
    assert_eq!(stderr(&out), "");
    insta::assert_snapshot!("business_unit_check", stdout(&out));

    let tree = tenet_in_repository(&["pack", "tree", "--overrides", "-p", "policies/business-unit"]);
    assert_exit(&tree, 0);
    insta::assert_snapshot!("business_unit_tree", stdout(&tree));

    let verify = tenet_in_repository(&["pack", "verify", "-p", "policies/business-unit"]);
    assert_exit(&verify, 0);
    assert!(stdout(&verify).starts_with("verified meridian.group v1.3.0 sha256:"), "{}", stdout(&verify));
}

#[test]
fn check_reads_the_evidence_root_the_manifest_names() {
    let world = World::new();
    world.write(
        "unit/tenet.toml",
        "[package]\nname = \"acme.unit\"\nversion = \"1.0.0\"\n\n[evidence]\nroots = [\"../records\"]\n",
    );
    world.write(
        "unit/unit.tenet",
        "package acme.unit\n\nuse iso42001\n\nobjective owned \"Systems have owners\" {\n  rule owned\n    for s: iso42001.AiSystem\n    require s.owner != none\n    else \"{s.name} has no owner\"\n}\n",
    );
    world.write(
        "records/inventory/systems.yaml",
        "- id: a\n  name: Alpha\n  purpose: p\n  risk_tier: minimal\n  lifecycle_stage: design\n  deployed: false\n  customer_facing: false\n",
    );
    let out = world.tenet("unit", &["check", ".", "--as-of", "2026-11-24", "--format", "json"]);
    assert_exit(&out, 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let owned = report["controls"]
        .as_array()
        .and_then(|controls| controls.iter().find(|c| c["id"] == "acme.unit.owned"))
        .expect("the objective");
    assert_eq!(owned["results"][0]["message"], "Alpha has no owner");
    assert_eq!(owned["results"][0]["citations"][0]["path"], "inventory/systems.yaml");
}

/// A declared evidence root that is not there is said; when no declared root is, the run
/// is refused rather than passing as a check of the policies alone, which would let a CI
/// checkout that lost its evidence go green.
#[test]
fn a_missing_evidence_root_is_said_and_none_refuses_the_run() {
    let world = World::new();
    let manifest = |roots: &str| {
        format!("[package]\nname = \"acme.unit\"\nversion = \"1.0.0\"\n\n[evidence]\nroots = [{roots}]\n")
    };
    world.write("unit/tenet.toml", &manifest("\"../gone\""));
    world.write("unit/unit.tenet", "package acme.unit\n");
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out)
            .contains("error: tenet.toml names the evidence root `../gone`, which is not a directory"),
        "{}",
        stderr(&out)
    );
    world.write("unit/tenet.toml", &manifest("\"../gone\", \"../records\""));
    world.write("records/notes.yaml", "[]\n");
    let out = world.tenet("unit", &["check", "."]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains(
            "names the evidence root `../gone`, which is not a directory; this check reads `../records`"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_repository_with_a_link_out_of_the_pack_is_refused() {
    let world = World::new();
    world.pack_repo("baseline", "acme.baseline", &["1.0.0"], "");
    std::os::unix::fs::symlink("/etc/passwd", world.path("baseline/secrets.tenet")).expect("symlink");
    world.git("baseline", &["add", "-A"]);
    world.git("baseline", &["commit", "-qm", "a link out"]);
    world.git("baseline", &["tag", "v1.0.1"]);
    unit_project(&world);
    let out =
        world.tenet("unit", &["pack", "add", "acme.baseline", "--git", "../baseline", "--tag", "v1.0.1"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error[T0607]")
            && err.contains("`secrets.tenet` is a link; packs may hold plain files only"),
        "{err}"
    );
    assert!(!world.path("unit/tenet.lock").exists());

    // A path dependency with the same link is refused when it is hashed.
    unit_on_path_baseline(&world);
    let out = world.tenet("unit", &["pack", "update"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("`secrets.tenet` is a link; a pack's files must be inside it"),
        "{}",
        stderr(&out)
    );
}
