//! `cargo xtask test`: every test the project has, in the order that fails fastest.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the whole suite; extra arguments go to the cargo test runner.
pub fn run(extra: &[String]) -> Result<(), String> {
    let root = workspace_root();
    // The SARIF test validates with Python's reference `jsonschema` package, the OSCAL test
    // with compliance-trestle.
    for (module, package) in
        [("jsonschema", "jsonschema"), ("trestle.oscal.assessment_results", "compliance-trestle")]
    {
        let import = format!("import {module}");
        let present = Command::new("python3").args(["-c", &import]).status().is_ok_and(|s| s.success());
        if !present {
            let name = format!("install {package} from PyPI");
            step(&name, Command::new("python3").args(["-m", "pip", "install", package]))?;
        }
    }
    step("cargo tests", cargo(&root).args(["test", "--workspace", "--all-targets"]).args(extra))?;
    step("doc tests", cargo(&root).args(["test", "--workspace", "--doc"]))?;
    // The fuzz targets live outside the workspace (running them needs nightly); checking
    // them here keeps them compiling as the loaders' API changes.
    step(
        "the fuzz targets compile",
        cargo(&root).args([
            "check",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
            "--target-dir",
            "target",
        ]),
    )?;
    step("build the tenet binary", cargo(&root).args(["build", "--release", "--package", "tenet-cli"]))?;
    let tenet = root.join("target/release/tenet");
    step(
        "formatting of stdlib/ and policies/",
        Command::new(&tenet).args(["fmt", "--check", "stdlib", "policies"]).current_dir(&root),
    )?;
    step(
        "catalogs match the reference data",
        cargo(&root).args(["run", "--quiet", "--package", "xtask", "--", "gen-catalogs", "--check"]),
    )?;
    step(
        "tests of the built-in packs, with full rule coverage",
        Command::new(&tenet).args(["test", "stdlib", "--min-coverage", "100"]).current_dir(&root),
    )?;
    for pack in [
        "policies/example",
        "policies/us-federal-inventory",
        "policies/group-baseline",
        "policies/business-unit",
    ] {
        step(&format!("tests of {pack}"), Command::new(&tenet).args(["test", pack]).current_dir(&root))?;
    }
    // The README's main job runs and finds the example's deliberate gaps (exit 1), and
    // nothing worse (exit 2).
    let status = Command::new(&tenet)
        .args(["check", "policies/example", "--format", "json", "--output"])
        .arg(root.join("target/example-report.json"))
        .current_dir(&root)
        .status()
        .map_err(|e| format!("the main job could not start: {e}"))?;
    if status.code() != Some(1) {
        return Err(format!("`tenet check policies/example` should report findings (exit 1), got {status}"));
    }
    eprintln!("xtask: == the main job reports findings as expected");
    crate::editors::run(&root)
}

/// The workspace root: this crate lives at `crates/xtask`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// Runs one step, announcing it, and turns a failure into an error naming the step.
pub fn step(name: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: == {name}");
    let status = command.status().map_err(|e| format!("{name}: could not start: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}
