//! Git dependencies through the `git` command: one bare mirror per URL in the cache,
//! fetched only when the network is allowed; a commit's files are taken with `git archive`
//! and go through the same safe extraction as any archive.

use std::path::{Path, PathBuf};
use std::process::Command;

use semver::Version;
use tenet_diagnostics::Code;

use crate::archive;
use crate::cache::Cache;
use crate::error::{PackError, Result};

/// Runs git with prompts disabled; the error carries git's own words.
fn git(args: &[&str], dir: Option<&Path>) -> std::result::Result<Vec<u8>, String> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.arg("--git-dir").arg(dir);
    }
    command.args(args).env("GIT_TERMINAL_PROMPT", "0").env("GIT_ASKPASS", "true");
    let output = command.output().map_err(|e| format!("cannot run `git`: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("git failed").trim().to_owned())
    }
}

/// A git URL as the mirror is keyed: local paths made absolute.
pub fn normalise_url(url: &str, base: &Path) -> String {
    if is_remote(url) {
        return url.trim_end_matches('/').to_owned();
    }
    crate::resolve::absolute(base, Path::new(url)).display().to_string()
}

/// True for a URL (`https://…`, `ssh://…`, `git@host:…`), false for a local path.
pub fn is_remote(url: &str) -> bool {
    url.contains("://") || (url.contains('@') && url.contains(':'))
}

/// The mirror of a repository, fetched when `network` allows.
pub fn mirror(cache: &Cache, url: &str, network: bool, origin: &Path) -> Result<PathBuf> {
    let db = cache.git_db(url);
    let unavailable = |message: String| PackError::new(Code::PACK_UNAVAILABLE, origin, message);
    if !network {
        return if db.join("HEAD").exists() {
            Ok(db)
        } else {
            Err(unavailable(format!("`{url}` is not in the cache, and the network is off"))
                .with_help("run `tenet pack fetch` while online, or vendor the dependencies"))
        };
    }
    if !db.join("HEAD").exists() {
        std::fs::create_dir_all(&db)
            .map_err(|e| unavailable(format!("cannot create `{}`: {e}", db.display())))?;
        git(&["init", "--bare", "--quiet"], Some(&db))
            .map_err(|e| unavailable(format!("cannot create a mirror of `{url}`: {e}")))?;
    }
    git(
        &[
            "fetch",
            "--quiet",
            "--prune",
            "--force",
            "--tags",
            url,
            "+refs/heads/*:refs/heads/*",
            "+HEAD:refs/tenet/head",
        ],
        Some(&db),
    )
    .map_err(|e| unavailable(format!("cannot fetch `{url}`: {e}")))?;
    Ok(db)
}

/// Tags that read as versions (`v1.2.0` or `1.2.0`), highest first.
pub fn version_tags(db: &Path) -> Vec<(Version, String)> {
    let Ok(out) = git(&["tag", "--list"], Some(db)) else { return Vec::new() };
    let mut tags: Vec<(Version, String)> = String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|tag| {
            Version::parse(tag.trim().trim_start_matches('v')).ok().map(|v| (v, tag.trim().to_owned()))
        })
        .collect();
    tags.sort_by(|a, b| b.cmp(a));
    tags
}

/// The commit a tag, branch, revision or `HEAD` names.
pub fn resolve(db: &Path, reference: &str) -> std::result::Result<String, String> {
    let out = git(&["rev-parse", "--verify", "--quiet", &format!("{reference}^{{commit}}")], Some(db))
        .map_err(|_| format!("`{reference}` names no commit"))?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

/// The files of a commit, extracted into the cache; with `fresh`, extracted again even when
/// a copy is there, so a copy changed on disk is never trusted for a new lock.
pub fn checkout(cache: &Cache, db: &Path, commit: &str, origin: &Path, fresh: bool) -> Result<PathBuf> {
    let dir = cache.git_checkout(commit);
    if dir.is_dir() {
        if !fresh {
            return Ok(dir);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let tar = git(&["archive", "--format=tar", commit], Some(db)).map_err(|e| {
        PackError::new(Code::PACK_UNAVAILABLE, origin, format!("cannot read commit {commit}: {e}"))
    })?;
    let unpacked = archive::unpack(&tar, false, origin)?;
    unpacked.write_to(&dir)?;
    Ok(dir)
}
