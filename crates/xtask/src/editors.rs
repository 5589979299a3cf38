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
    )
}

fn ensure_chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    step("install Debian's chromium", Command::new("apt-get").args(["install", "-y", "chromium"]))
}
