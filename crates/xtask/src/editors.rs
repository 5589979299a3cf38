//! The editor part of `cargo xtask test`: builds the VS Code extension with npm, runs the
//! grammar tests, packages and inspects the `.vsix`, then drives a real VS Code
//! (code-server, from the npm registry) with Debian's headless Chromium. What is missing
//! is installed first: npm packages with `npm ci`, Chromium with apt.

use std::path::Path;
use std::process::Command;

use crate::test::step;

/// Runs every editor test.
pub fn run(root: &Path) -> Result<(), String> {
    let vscode = root.join("editors/vscode");
    ensure_chromium()?;
    step(
        "extension: npm ci",
        Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&vscode),
    )?;
    step("extension: type check", Command::new("npx").args(["tsc", "--noEmit"]).current_dir(&vscode))?;
    step("extension: unit tests", Command::new("npm").args(["run", "test:unit"]).current_dir(&vscode))?;
    step("extension: bundle", Command::new("npm").args(["run", "compile"]).current_dir(&vscode))?;
    step("extension: grammar tests", Command::new("npm").args(["run", "test:grammar"]).current_dir(&vscode))?;
    step("extension: package the .vsix", Command::new("npm").args(["run", "package"]).current_dir(&vscode))?;
    step("extension: check the .vsix", Command::new("npm").args(["run", "check-vsix"]).current_dir(&vscode))?;
    step(
        "extension: end to end in code-server with headless Chromium",
        Command::new("bash")
            .arg(vscode.join("test/e2e/run.sh"))
            .env("TENET_BIN", root.join("target/release/tenet"))
            .current_dir(root),
    )?;
    html_report(root)
}

/// The HTML audit report of the example organisation, checked in headless Chromium: no
/// console errors, counts equal to the JSON report's, filtering and search work.
fn html_report(root: &Path) -> Result<(), String> {
    let out = root.join("target/html-report");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let html = out.join("report.html");
    let json = out.join("report.json");
    let _ = Command::new(root.join("target/release/tenet"))
        .args(["check", "policies/example", "--as-of", "2026-11-24", "--format"])
        .arg(format!("html={}", html.display()))
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .current_dir(root)
        .status()
        .map_err(|e| format!("tenet could not start: {e}"))?;
    step(
        "HTML report in headless Chromium",
        Command::new("node")
            .arg(root.join("crates/tenet-report/tests/html/check.js"))
            .arg(&html)
            .arg(&json)
            .arg(&out)
            .env("PLAYWRIGHT", root.join("editors/vscode/test/e2e/node_modules/playwright-core"))
            .current_dir(root),
    )
}

fn ensure_chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    step("install Debian's chromium", Command::new("apt-get").args(["install", "-y", "chromium"]))
}
