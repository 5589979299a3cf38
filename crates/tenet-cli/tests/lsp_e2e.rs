//! `tenet lsp` end to end: the real binary, driven by a real Node client built on the
//! libraries VS Code uses (`crates/tenet-lsp/tests/client`), as an editor drives it. The
//! client types a whole control one character at a time, deletes and retypes part of it,
//! saves and closes; every diagnostics notification it received must be exactly what
//! `tenet check` says about the text of the version it is labelled with.
//!
//! Skipped, with a message, when `node` is not installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly on anything unexpected"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BASE: &str = r#"/// What every Acme pack builds on.
package base

/// The Demo Act, for tests.
framework demo_act "Demo Act" {
  requirement "Art. 1" "Subject matter"
  requirement "Art. 2" "Scope"
}

/// An AI system in the inventory.
schema AiSystem from "inventory/*.yaml" {
  id: string key
  name: string
  owner: string?
  risk_tier: "minimal" | "limited" | "high"
  deployed: bool
}
"#;

const AIMS: &str = r#"package acme

use base

control A.1 "Every deployed system has an owner" {
  maps demo_act "Art. 1"

  rule owned
    for s: AiSystem where s.deployed
    require s.owner != none
    else "{s.name} has no owner"
}

control A.2 "Systems are counted" {
  require count(x: AiSystem) >= 0
}
"#;

/// Typed into `aims.tenet` before `control A.2`, one character at a time.
const TYPED: &str = r#"control A.3 "Typed in the editor" {
  objective "Each high-risk system is reviewed."
  severity medium
  maps demo_act "Art. 2"

  rule typed
    for s: AiSystem where s.risk_tier == "high"
    require s.owner != none and s.deployed
    else "{s.name} é😀 is not reviewed"
}

"#;

fn client_sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenet-lsp/tests/client")
}

/// The client, with its packages installed, in a directory under the target directory.
fn installed_client() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-client");
    std::fs::create_dir_all(&dir).expect("create the client directory");
    let lock = std::fs::read(client_sources().join("package-lock.json")).expect("read the lock file");
    let fresh = std::fs::read(dir.join("package-lock.json")).ok().as_ref() != Some(&lock)
        || !dir.join("node_modules/vscode-languageserver-protocol").exists();
    for name in ["package.json", "package-lock.json", "edit_session.js"] {
        std::fs::copy(client_sources().join(name), dir.join(name)).expect("copy the client");
    }
    if fresh {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    }
    dir
}

fn node_available() -> bool {
    Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// The byte offset of an LSP position (UTF-16 characters) in `text`.
fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// What `tenet check` reports in `aims.tenet` when it holds `text`: code, start, message.
fn check(text: &str) -> Vec<(String, usize, String)> {
    let mut system = tenet_db::MemorySystem::new();
    system.write("ws/base.tenet", BASE);
    system.write("ws/aims.tenet", text);
    let mut db = tenet_db::Database::default();
    let loaded = tenet_db::load_workspace(&mut db, &system, "ws".as_ref()).expect("load");
    tenet_db::diagnostics(&db, loaded.workspace)
        .iter()
        .filter(|d| d.path.ends_with("aims.tenet"))
        .map(|d| (d.code.id().to_owned(), d.span.start as usize, d.message.clone()))
        .collect()
}

/// The same, read from published LSP diagnostics.
fn published(text: &str, diagnostics: &Value) -> Vec<(String, usize, String)> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap().split("\nhelp: ").next().unwrap().to_owned();
            (d["code"].as_str().unwrap().to_owned(), offset_of(text, &d["range"]["start"]), message)
        })
        .collect()
}

#[test]
fn an_editing_session_never_sees_stale_or_wrong_diagnostics() {
    if !node_available() {
        eprintln!("skipped: `node` is not installed, so the real LSP client cannot run");
        return;
    }
    let client = installed_client();
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::write(workspace.path().join("base.tenet"), BASE).unwrap();
    std::fs::write(workspace.path().join("aims.tenet"), AIMS).unwrap();
    let snippet = workspace.path().join("typed.txt");
    std::fs::write(&snippet, TYPED).unwrap();

    let out = Command::new("node")
        .arg(client.join("edit_session.js"))
        .arg(workspace.path().join("aims.tenet"))
        .arg("control A.2 \"Systems are counted\" {")
        .arg(&snippet)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_tenet"))
        .args(["lsp", "--stdio"])
        .output()
        .expect("run the client");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client failed ({}): {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "the server panicked: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the client's report is JSON");

    for capability in ["hoverProvider", "completionProvider", "definitionProvider", "semanticTokensProvider"]
    {
        assert!(report["capabilities"].as_array().unwrap().iter().any(|c| c == capability), "{capability}");
    }
    let texts = report["texts"].as_object().unwrap();
    let last = report["lastVersion"].as_i64().unwrap();
    assert!(last > 200, "a whole control was typed: {last} versions");
    let publishes = report["publishes"].as_array().unwrap();
    let versioned: Vec<&Value> = publishes.iter().filter(|p| !p["version"].is_null()).collect();

    // Versions only go forward, and the last publish while open is for the last version.
    let versions: Vec<i64> = versioned.iter().map(|p| p["version"].as_i64().unwrap()).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "versions go backwards: {versions:?}");
    assert_eq!(versions.last(), Some(&last));

    // Every publish says exactly what `tenet check` says about its version's text.
    let mut with_errors = 0;
    for p in &versioned {
        let version = p["version"].as_i64().unwrap().to_string();
        let text = texts[&version].as_str().unwrap();
        let expected = check(text);
        with_errors += usize::from(!expected.is_empty());
        assert_eq!(published(text, &p["diagnostics"]), expected, "version {version}");
    }
    assert!(with_errors > 0, "some intermediate text had errors, and they were published");
    let final_text = texts[&last.to_string()].as_str().unwrap();
    assert_eq!(check(final_text), vec![], "the typed control checks clean");
    assert_eq!(report["closed"], serde_json::json!([]), "after close, the saved file is clean");

    // The session's requests on the typed control.
    let symbols: Vec<&str> =
        report["symbols"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(symbols, vec!["acme", "base", "A.1", "A.3", "A.2"]);
    assert!(report["hover"]["contents"]["value"].as_str().unwrap().contains("schema AiSystem"));
    let completion: Vec<&str> =
        report["completion"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert!(completion.contains(&"owner") && completion.contains(&"risk_tier"), "{completion:?}");
    assert_eq!(report["lenses"].as_array().unwrap().len(), 3);
}

#[test]
fn the_shared_reference_client_gets_diagnostics_hover_and_symbols() {
    if !node_available() {
        eprintln!("skipped: `node` is not installed, so the real LSP client cannot run");
        return;
    }
    // The project's shared reference client, run from where it is kept.
    let reference =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-clients/lsp/lsp_client.js");
    if !reference.exists() {
        eprintln!("skipped: the shared reference client is not on this machine ({})", reference.display());
        return;
    }
    let client = installed_client();
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::write(workspace.path().join("base.tenet"), BASE).unwrap();
    let file = workspace.path().join("aims.tenet");
    std::fs::write(&file, AIMS.replace("s.owner != none", "s.ownr != none")).unwrap();
    // It resolves its packages next to itself; ours are installed in the client directory.
    let out = Command::new("node")
        .env("NODE_PATH", client.join("node_modules"))
        .arg(&reference)
        .args(["--symbols", "--hover", "8:12", "--timeout", "20000"])
        .arg(&file)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_tenet"))
        .args(["lsp", "--stdio"])
        .output()
        .expect("run the client");
    assert!(out.status.success(), "client failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["server"]["name"], "tenet");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "T0102");
    assert!(
        report["hover"]["contents"]["value"].as_str().unwrap().contains("AiSystem"),
        "{}",
        report["hover"]
    );
    assert_eq!(report["symbols"].as_array().unwrap().len(), 4);
}
