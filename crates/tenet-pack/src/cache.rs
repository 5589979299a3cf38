//! The cache directory, outside any project: git repositories, checkouts of exact commits
//! and extracted archives, each keyed by what identifies it (a URL hash, a commit id, an
//! archive's sha256), so entries never need invalidation.

use std::path::{Path, PathBuf};

use crate::content::sha256_hex;

/// Where fetched packs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// `$TENET_CACHE_DIR`, else `$XDG_CACHE_HOME/tenet`, else `~/.cache/tenet`.
    pub fn from_env() -> Cache {
        let root = std::env::var_os("TENET_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("tenet")))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("tenet")))
            .unwrap_or_else(|| std::env::temp_dir().join("tenet-cache"));
        Cache { root }
    }

    /// A cache at a given directory.
    pub fn at(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The cache's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bare repository that mirrors a git URL.
    pub fn git_db(&self, url: &str) -> PathBuf {
        self.root.join("git").join("db").join(&sha256_hex(url.as_bytes())[..20])
    }

    /// The extracted content of one commit.
    pub fn git_checkout(&self, commit: &str) -> PathBuf {
        self.root.join("git").join("checkouts").join(commit)
    }

    /// A downloaded archive, by its sha256.
    pub fn archive_file(&self, sha256: &str) -> PathBuf {
        self.root.join("archives").join(format!("{sha256}.tar.gz"))
    }

    /// An extracted archive, by its sha256.
    pub fn archive_dir(&self, sha256: &str) -> PathBuf {
        self.root.join("archives").join(sha256)
    }
}
