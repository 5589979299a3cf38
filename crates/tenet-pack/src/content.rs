//! A pack's content: the manifest and the `.tenet` files, and the hash that identifies
//! them. The hash is over normalised content (paths with `/`, sorted; CRLF as LF), so a
//! checkout on Windows and one on Linux of the same commit lock to the same hash.

use std::path::Path;

use sha2::{Digest, Sha256};
use tenet_diagnostics::Code;

use crate::error::{PackError, Result};
use crate::manifest::MANIFEST_FILE;

/// Most files a pack may hold.
pub const MAX_FILES: usize = 10_000;
/// Most bytes a pack's files may hold together.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Its path in the pack, with `/`.
    pub path: String,
    /// Its normalised bytes.
    pub bytes: Vec<u8>,
}

/// True for the files that make up a pack's content.
pub fn is_content(path: &str) -> bool {
    path == MANIFEST_FILE || path.ends_with(".tenet")
}

fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Reads a pack's content files from a directory, sorted by path. Links are refused: a
/// pack's content is what is inside it.
pub fn collect(dir: &Path) -> Result<Vec<PackFile>> {
    let unsafe_content = |message: String| PackError::new(Code::UNSAFE_ARCHIVE, dir, message);
    let mut files = Vec::new();
    let mut total = 0u64;
    let walker = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skipped_dir(&e.file_name().to_string_lossy()))
    }) {
        let entry = entry.map_err(|e| {
            PackError::new(Code::PACK_UNAVAILABLE, dir, format!("cannot read `{}`: {e}", dir.display()))
        })?;
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let shown =
            relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !is_content(&shown) {
            continue;
        }
        if entry.path_is_symlink() {
            return Err(unsafe_content(format!("`{shown}` is a link; a pack's files must be inside it")));
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if files.len() >= MAX_FILES {
            return Err(unsafe_content(format!("the pack has more than {MAX_FILES} files")));
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            PackError::new(Code::PACK_UNAVAILABLE, entry.path(), format!("cannot read `{shown}`: {e}"))
        })?;
        total += bytes.len() as u64;
        if total > MAX_BYTES {
            return Err(unsafe_content(format!("the pack's files exceed {} MiB", MAX_BYTES / 1024 / 1024)));
        }
        files.push(PackFile { path: shown, bytes: normalise(bytes) });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// CRLF line ends as LF.
pub fn normalise(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.windows(2).any(|w| w == b"\r\n") {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        if b == b'\r' && iter.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

/// The content hash, `sha256:` and 64 hex digits. Each file is framed by its path and
/// length, so moving bytes between files changes the hash.
pub fn content_hash(files: &[PackFile]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"tenet-pack-content-v1\n");
    for file in files {
        hasher.update(file.path.as_bytes());
        hasher.update(b"\0");
        hasher.update((file.bytes.len() as u64).to_le_bytes());
        hasher.update(&file.bytes);
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// The sha256 of bytes, as 64 hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_do_not_change_the_hash_but_content_does() {
        let unix =
            vec![PackFile { path: "a.tenet".into(), bytes: normalise(b"package a\nuse b\n".to_vec()) }];
        let windows =
            vec![PackFile { path: "a.tenet".into(), bytes: normalise(b"package a\r\nuse b\r\n".to_vec()) }];
        assert_eq!(content_hash(&unix), content_hash(&windows));
        let moved = vec![
            PackFile { path: "a.tenet".into(), bytes: b"package a\n".to_vec() },
            PackFile { path: "b.tenet".into(), bytes: b"use b\n".to_vec() },
        ];
        assert_ne!(content_hash(&unix), content_hash(&moved));
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
