//! The syntax layer stays free of the database and the editor: it must build and be
//! usable (by fuzzers, by other tools) without salsa or any LSP crate.
#![allow(clippy::expect_used, reason = "set-up failures in tests should fail loudly")]

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

#[test]
fn tenet_syntax_depends_on_neither_salsa_nor_lsp() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let metadata = |offline: bool| {
        let mut command = Command::new(&cargo);
        command
            .args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if offline {
            command.arg("--offline");
        }
        command.output().expect("run cargo metadata")
    };
    // Metadata needs every platform's packages; a build only fetched this platform's, so
    // on a fresh machine the rest come from the registry once.
    let mut output = metadata(true);
    if !output.status.success() {
        output = metadata(false);
    }
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");

    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap_or(""), p["name"].as_str().unwrap_or("")))
        .collect();
    let nodes: HashMap<&str, Vec<(&str, bool)>> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve graph")
        .iter()
        .map(|n| {
            let deps = n["deps"]
                .as_array()
                .map(|deps| {
                    deps.iter()
                        .map(|d| {
                            let normal = d["dep_kinds"]
                                .as_array()
                                .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
                            (d["pkg"].as_str().unwrap_or(""), normal)
                        })
                        .collect()
                })
                .unwrap_or_default();
            (n["id"].as_str().unwrap_or(""), deps)
        })
        .collect();

    let root =
        names.iter().find(|(_, name)| **name == "tenet-syntax").map(|(id, _)| *id).expect("tenet-syntax");
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for (dep, normal) in nodes.get(id).into_iter().flatten() {
            if *normal && seen.insert(names.get(dep).copied().unwrap_or(dep)) {
                stack.push(dep);
            }
        }
    }
    let forbidden =
        ["salsa", "tower-lsp-server", "tower-lsp", "lsp-types", "ls-types", "tokio", "tenet-db", "tenet-lsp"];
    let found: Vec<&&str> = forbidden.iter().filter(|f| seen.contains(**f)).collect();
    assert!(found.is_empty(), "tenet-syntax depends on {found:?} (all: {seen:?})");
    assert!(seen.contains("pest"), "the walk found pest among {seen:?}");
}
