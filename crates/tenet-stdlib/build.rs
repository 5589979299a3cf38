//! Embeds every file under the repository's `stdlib/` directory into the binary, so that
//! `use iso42001` works without any set-up. The packs' `tests/` directories are left out:
//! `tenet test stdlib` runs them from the repository, and every check would otherwise parse
//! and check their 140 test blocks for nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../stdlib");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Every embedded file: its path under `stdlib/` and its text.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (relative, absolute) in &files {
        println!("cargo:rerun-if-changed={}", absolute.display());
        let _ = writeln!(out, "    ({relative:?}, include_str!({:?})),", absolute.display().to_string());
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("stdlib_files.rs"), out) {
        println!("cargo:warning=could not write the embedded stdlib list: {e}");
    }
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "tests") {
                continue;
            }
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "tenet")
            && let Ok(relative) = path.strip_prefix(root)
        {
            let relative =
                relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.push((relative, path.clone()));
        }
    }
}
