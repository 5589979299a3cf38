//! Pack archives: building them reproducibly (the same content gives the same bytes) and
//! extracting them safely (nothing lands outside the destination, nothing is a link, and
//! sizes are bounded before they are written).

use std::io::{Read, Write};
use std::path::{Component, Path};

use flate2::Compression;
use serde::{Deserialize, Serialize};
use tenet_diagnostics::Code;

use crate::content::{self, MAX_BYTES, MAX_FILES, PackFile};
use crate::error::{PackError, Result};
use crate::manifest::Manifest;

/// The file in an archive that lists the hash of every content file.
pub const ARCHIVE_MANIFEST: &str = "tenet-pack.json";

/// What `tenet-pack.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveManifest {
    /// The pack's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The content hash, as in `tenet.lock`.
    pub checksum: String,
    /// Every content file with its sha256 and size.
    pub files: Vec<ArchiveFile>,
}

/// One file listed in `tenet-pack.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFile {
    /// Its path in the pack.
    pub path: String,
    /// sha256 of its normalised bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Builds the `.tar.gz` of a pack: its content files and `tenet-pack.json`, in path order,
/// with fixed times, owners and modes, so that building twice gives the same bytes.
pub fn build(manifest: &Manifest, files: &[PackFile]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&PackFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let files: Vec<PackFile> = sorted.into_iter().cloned().collect();
    let files = files.as_slice();
    let listing = ArchiveManifest {
        name: manifest.name.clone(),
        version: manifest.version.to_string(),
        checksum: content::content_hash(files),
        files: files
            .iter()
            .map(|f| ArchiveFile {
                path: f.path.clone(),
                sha256: content::sha256_hex(&f.bytes),
                size: f.bytes.len() as u64,
            })
            .collect(),
    };
    let mut listing_bytes = serde_json::to_vec_pretty(&listing).unwrap_or_default();
    listing_bytes.push(b'\n');
    let io_error = |e: std::io::Error| {
        PackError::new(Code::PACK_UNAVAILABLE, &manifest.path, format!("cannot build the archive: {e}"))
    };
    let encoder = flate2::GzBuilder::new().mtime(0).write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(encoder);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut entries: Vec<(&str, &[u8])> =
        files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    entries.push((ARCHIVE_MANIFEST, &listing_bytes));
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (path, bytes) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, path, bytes).map_err(io_error)?;
    }
    let encoder = tar.into_inner().map_err(io_error)?;
    encoder.finish().map_err(io_error)
}

/// Files read out of an archive, not yet written anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    /// Every regular file, with its path relative to the pack root.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Reads a `.tar.gz` (or, with `gzip` false, a plain tar as `git archive` writes it) into
/// memory, refusing anything unsafe. An archive whose files all sit in one top-level
/// directory (as release tarballs do) is read from inside it.
pub fn unpack(bytes: &[u8], gzip: bool, origin: &Path) -> Result<Unpacked> {
    let unsafe_entry = |message: String| PackError::new(Code::UNSAFE_ARCHIVE, origin, message);
    let reader: Box<dyn Read> =
        if gzip { Box::new(flate2::read::GzDecoder::new(bytes)) } else { Box::new(bytes) };
    // The decompressed stream is bounded, so a small archive cannot expand without limit.
    let mut archive = tar::Archive::new(reader.take(MAX_BYTES + 16 * 1024 * 1024));
    let mut files = Vec::new();
    let mut total = 0u64;
    let entries = archive.entries().map_err(|e| unsafe_entry(format!("not a tar archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| unsafe_entry(format!("the archive is damaged: {e}")))?;
        let kind = entry.header().entry_type();
        let raw_path = entry
            .path()
            .map_err(|e| unsafe_entry(format!("an entry has an unreadable path: {e}")))?
            .into_owned();
        let shown = raw_path.display().to_string();
        match kind {
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
            tar::EntryType::Directory => {
                safe_relative(&raw_path)
                    .ok_or_else(|| unsafe_entry(format!("`{shown}` points outside the pack")))?;
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            tar::EntryType::Symlink | tar::EntryType::Link => {
                return Err(unsafe_entry(format!("`{shown}` is a link; packs may hold plain files only")));
            }
            other => {
                return Err(unsafe_entry(format!(
                    "`{shown}` is a special file ({other:?}); packs may hold plain files only"
                )));
            }
        }
        let relative = safe_relative(&raw_path)
            .ok_or_else(|| unsafe_entry(format!("`{shown}` points outside the pack")))?;
        if files.len() >= MAX_FILES {
            return Err(unsafe_entry(format!("the archive has more than {MAX_FILES} files")));
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        total = total.saturating_add(size);
        if total > MAX_BYTES {
            return Err(unsafe_entry(format!("the archive's files exceed {} MiB", MAX_BYTES / 1024 / 1024)));
        }
        let mut data = Vec::with_capacity(size.min(MAX_BYTES) as usize);
        entry.read_to_end(&mut data).map_err(|e| unsafe_entry(format!("cannot read `{shown}`: {e}")))?;
        files.push((relative, data));
    }
    strip_common_directory(&mut files);
    Ok(Unpacked { files })
}

/// The path as `/`-joined normal components, or `None` when it is absolute or climbs.
fn safe_relative(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    if parts.iter().any(|p| p.contains('\\') || p.contains(':')) {
        return None;
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn strip_common_directory(files: &mut [(String, Vec<u8>)]) {
    if files.iter().any(|(p, _)| p == crate::manifest::MANIFEST_FILE) {
        return;
    }
    let Some(first) = files.first().and_then(|(p, _)| p.split_once('/')).map(|(d, _)| format!("{d}/")) else {
        return;
    };
    if files.iter().all(|(p, _)| p.starts_with(&first)) {
        for (p, _) in files.iter_mut() {
            *p = p[first.len()..].to_owned();
        }
    }
}

impl Unpacked {
    /// The content files, normalised and sorted, as the hash sees them.
    pub fn content(&self) -> Vec<PackFile> {
        let mut files: Vec<PackFile> = self
            .files
            .iter()
            .filter(|(p, _)| content::is_content(p) && !p.split('/').any(|s| s.starts_with('.')))
            .map(|(p, b)| PackFile { path: p.clone(), bytes: content::normalise(b.clone()) })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Checks the files against the archive's `tenet-pack.json`, when it has one.
    pub fn check_listing(&self, origin: &Path) -> Result<Option<ArchiveManifest>> {
        let Some((_, bytes)) = self.files.iter().find(|(p, _)| p == ARCHIVE_MANIFEST) else {
            return Ok(None);
        };
        let mismatch = |message: String| PackError::new(Code::LOCK_MISMATCH, origin, message);
        let listing: ArchiveManifest = serde_json::from_slice(bytes)
            .map_err(|e| mismatch(format!("`{ARCHIVE_MANIFEST}` cannot be read: {e}")))?;
        let content = self.content();
        for file in &listing.files {
            let Some(found) = content.iter().find(|f| f.path == file.path) else {
                return Err(mismatch(format!(
                    "`{}` is listed in `{ARCHIVE_MANIFEST}` but missing",
                    file.path
                )));
            };
            let actual = content::sha256_hex(&found.bytes);
            if actual != file.sha256 {
                return Err(mismatch(format!(
                    "`{}` does not match `{ARCHIVE_MANIFEST}`: expected sha256 {}, found {actual}",
                    file.path, file.sha256
                )));
            }
        }
        if let Some(extra) = content.iter().find(|f| !listing.files.iter().any(|l| l.path == f.path)) {
            return Err(mismatch(format!(
                "`{}` is in the archive but not in `{ARCHIVE_MANIFEST}`",
                extra.path
            )));
        }
        Ok(Some(listing))
    }

    /// Writes the content files under `dir` (which must not exist yet), through a temporary
    /// directory renamed into place, so a half-written pack is never seen.
    pub fn write_to(&self, dir: &Path) -> Result<()> {
        let io_error = |e: std::io::Error| {
            PackError::new(Code::PACK_UNAVAILABLE, dir, format!("cannot write `{}`: {e}", dir.display()))
        };
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error)?;
        let staging = parent.join(format!(
            ".tmp-{}-{}",
            dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&staging);
        for file in self.content() {
            let target = staging.join(&file.path);
            if let Some(p) = target.parent() {
                std::fs::create_dir_all(p).map_err(io_error)?;
            }
            std::fs::File::create(&target).and_then(|mut f| f.write_all(&file.bytes)).map_err(io_error)?;
        }
        std::fs::create_dir_all(&staging).map_err(io_error)?;
        match std::fs::rename(&staging, dir) {
            Ok(()) => Ok(()),
            // Another process extracted the same content first.
            Err(_) if dir.is_dir() => {
                let _ = std::fs::remove_dir_all(&staging);
                Ok(())
            }
            Err(e) => Err(io_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(path: &str, kind: tar::EntryType, link: Option<&str>) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(if link.is_some() { 0 } else { 3 });
        header.set_mode(0o644);
        {
            let name = header.as_gnu_mut().map(|h| &mut h.name);
            if let Some(name) = name {
                name[..path.len()].copy_from_slice(path.as_bytes());
            }
        }
        if let Some(target) = link {
            let _ = header.set_link_name(target);
        }
        header.set_cksum();
        let data: &[u8] = if link.is_some() { b"" } else { b"abc" };
        let _ = tar.append(&header, data);
        tar.into_inner().unwrap_or_default()
    }

    #[test]
    fn refuses_traversal_absolute_paths_and_links() {
        for (path, kind, link, expected) in [
            ("../evil.tenet", tar::EntryType::Regular, None, "points outside the pack"),
            ("/etc/evil.tenet", tar::EntryType::Regular, None, "points outside the pack"),
            ("a/../../evil.tenet", tar::EntryType::Regular, None, "points outside the pack"),
            ("link.tenet", tar::EntryType::Symlink, Some("/etc/passwd"), "is a link"),
            ("hard.tenet", tar::EntryType::Link, Some("../x"), "is a link"),
            ("fifo", tar::EntryType::Fifo, None, "special file"),
        ] {
            let bytes = tar_with(path, kind, link);
            let error =
                unpack(&bytes, false, Path::new("x.tar")).err().unwrap_or_else(|| unreachable!("{path}"));
            assert_eq!(error.code, Code::UNSAFE_ARCHIVE);
            assert!(error.message.contains(expected), "{path}: {}", error.message);
        }
    }

    #[test]
    fn a_single_top_directory_is_the_pack_root() {
        let mut tar = tar::Builder::new(Vec::new());
        for path in ["pack-1.0.0/tenet.toml", "pack-1.0.0/rules/a.tenet"] {
            let mut header = tar::Header::new_ustar();
            header.set_size(1);
            header.set_mode(0o644);
            header.set_cksum();
            let _ = tar.append_data(&mut header, path, &b"x"[..]);
        }
        let bytes = tar.into_inner().unwrap_or_default();
        let unpacked = unpack(&bytes, false, Path::new("x.tar")).unwrap_or_else(|e| unreachable!("{e}"));
        let paths: Vec<&str> = unpacked.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["tenet.toml", "rules/a.tenet"]);
    }
}
