//! Getting a pack's files onto disk: a path is read where it is; a git commit and an
//! archive are extracted into the cache. Only here does Tenet reach the network, and only
//! when the caller allows it.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tenet_diagnostics::Code;

use crate::archive;
use crate::cache::Cache;
use crate::content::{MAX_BYTES, sha256_hex};
use crate::error::{PackError, Result};
use crate::git;

/// Fetches packs, remembering which repositories it already fetched in this run.
#[derive(Debug)]
pub struct Fetcher<'a> {
    /// The cache.
    pub cache: &'a Cache,
    /// Whether the network may be used.
    pub network: bool,
    fetched: RefCell<BTreeSet<String>>,
}

/// True for an `http(s)://` or `file://` location.
pub fn is_url(location: &str) -> bool {
    location.starts_with("https://") || location.starts_with("http://") || location.starts_with("file://")
}

impl<'a> Fetcher<'a> {
    /// A fetcher over a cache.
    pub fn new(cache: &'a Cache, network: bool) -> Fetcher<'a> {
        Fetcher { cache, network, fetched: RefCell::new(BTreeSet::new()) }
    }

    /// The mirror of a git URL; `fresh` asks for a fetch (once per run) when the network is
    /// allowed, otherwise the cached mirror is used as it is.
    pub fn git_db(&self, url: &str, fresh: bool, origin: &Path) -> Result<PathBuf> {
        let cached = self.cache.git_db(url);
        let have = cached.join("HEAD").exists();
        let fetch = self.network && (!have || (fresh && !self.fetched.borrow().contains(url)));
        let db = git::mirror(self.cache, url, fetch, origin)?;
        if fetch {
            self.fetched.borrow_mut().insert(url.to_owned());
        }
        Ok(db)
    }

    /// The directory of a git commit, fetching the repository if the commit is missing and
    /// the network is allowed; `fresh` extracts it again from the repository.
    pub fn git_commit(&self, url: &str, commit: &str, origin: &Path, fresh: bool) -> Result<PathBuf> {
        let dir = self.cache.git_checkout(commit);
        if dir.is_dir() && !fresh {
            return Ok(dir);
        }
        let mut db = self.git_db(url, false, origin)?;
        // The mirror is fetched again only when it lacks the commit.
        let resolved = match git::resolve(&db, commit) {
            Ok(resolved) => Ok(resolved),
            Err(_) => {
                db = self.git_db(url, true, origin)?;
                git::resolve(&db, commit)
            }
        };
        let commit = resolved.map_err(|e| {
            PackError::new(Code::PACK_UNAVAILABLE, origin, format!("`{url}`: {e}"))
                .with_help("the commit may have been removed from the repository")
        })?;
        git::checkout(self.cache, &db, &commit, origin, fresh)
    }

    /// The extracted directory of an archive, checked against its sha256 before anything is
    /// extracted. `location` is an absolute path or a URL; `fresh` extracts it again.
    pub fn archive(&self, location: &str, sha256: &str, origin: &Path, fresh: bool) -> Result<PathBuf> {
        let dir = self.cache.archive_dir(sha256);
        if dir.is_dir() {
            if !fresh {
                return Ok(dir);
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        let cached = self.cache.archive_file(sha256);
        let bytes = if cached.is_file() {
            read(&cached, origin)?
        } else if let Some(path) = location.strip_prefix("file://") {
            read(Path::new(path), origin)?
        } else if is_url(location) {
            if !self.network {
                return Err(PackError::new(
                    Code::PACK_UNAVAILABLE,
                    origin,
                    format!("`{location}` is not in the cache, and the network is off"),
                )
                .with_help("run `tenet pack fetch` while online, or vendor the dependencies"));
            }
            download(location, &cached, origin)?
        } else {
            read(Path::new(location), origin)?
        };
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(PackError::new(
                Code::LOCK_MISMATCH,
                origin,
                format!(
                    "the archive `{location}` does not match its sha256: expected {sha256}, found {actual}"
                ),
            )
            .with_help(
                "the archive changed after it was pinned; if the new one is trusted, pin its new hash",
            ));
        }
        let unpacked = archive::unpack(&bytes, true, Path::new(location))?;
        unpacked.check_listing(Path::new(location))?;
        if !cached.is_file()
            && let Some(parent) = cached.parent()
        {
            let _ = std::fs::create_dir_all(parent);
            let _ = std::fs::write(&cached, &bytes);
        }
        unpacked.write_to(&dir)?;
        Ok(dir)
    }
}

fn read(path: &Path, origin: &Path) -> Result<Vec<u8>> {
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_BYTES);
    if too_big {
        return Err(PackError::new(
            Code::UNSAFE_ARCHIVE,
            origin,
            format!("`{}` is larger than {} MiB", path.display(), MAX_BYTES / 1024 / 1024),
        ));
    }
    std::fs::read(path).map_err(|e| {
        PackError::new(Code::PACK_UNAVAILABLE, origin, format!("cannot read `{}`: {e}", path.display()))
    })
}

/// Downloads with `curl`, bounded in size, into the cache.
fn download(url: &str, target: &Path, origin: &Path) -> Result<Vec<u8>> {
    let unavailable = |message: String| PackError::new(Code::PACK_UNAVAILABLE, origin, message);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| unavailable(format!("cannot create `{}`: {e}", parent.display())))?;
    }
    let partial = target.with_extension("part");
    let output = Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--proto",
            "=https,http",
            "--max-filesize",
        ])
        .arg(MAX_BYTES.to_string())
        .arg("--output")
        .arg(&partial)
        .arg(url)
        .output()
        .map_err(|e| unavailable(format!("cannot run `curl` to download `{url}`: {e}")))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(unavailable(format!(
            "cannot download `{url}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let bytes = read(&partial, origin)?;
    let _ = std::fs::remove_file(&partial);
    Ok(bytes)
}
