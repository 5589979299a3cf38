//! A project: the root manifest, its lockfile and its vendored packs. This is what the CLI
//! works with: resolve and lock, load and verify.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tenet_diagnostics::Code;

use crate::content::{self, PackFile};
use crate::error::{PackError, Result};
use crate::fetch::{Fetcher, is_url};
use crate::lock::{LOCK_FILE, LockedPack, Lockfile, entry_span};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::resolve::{self, Keep, ResolvedPack, Source};

/// Where vendored packs live, relative to the project.
pub const VENDOR_DIR: &str = ".tenet/vendor";

/// A project with a manifest.
#[derive(Debug, Clone)]
pub struct Project {
    /// The root manifest.
    pub manifest: Manifest,
    /// The lockfile, when there is one, with its text.
    pub lock: Option<(Lockfile, String)>,
}

/// A locked pack read from disk and verified.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// Its lock entry.
    pub locked: LockedPack,
    /// Where its files were read from.
    pub dir: PathBuf,
    /// Its content files.
    pub files: Vec<PackFile>,
    /// Where it was found.
    pub found_in: FoundIn,
}

/// Where a locked pack's files were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundIn {
    /// The project's `.tenet/vendor/NAME`.
    Vendor,
    /// The directory a path dependency names.
    Path,
    /// The cache outside the project.
    Cache,
}

impl std::fmt::Display for FoundIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FoundIn::Vendor => "vendor",
            FoundIn::Path => "path",
            FoundIn::Cache => "cache",
        })
    }
}

impl LoadedPack {
    /// True for a path dependency whose directory is inside `dir`: such a pack is already
    /// part of a workspace read from `dir`, and is not copied when vendoring.
    pub fn is_path_inside(&self, dir: &Path) -> bool {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        self.found_in == FoundIn::Path && std::fs::canonicalize(&self.dir).is_ok_and(|d| d.starts_with(&dir))
    }

    /// Its `.tenet` files, without the manifest.
    pub fn policy_files(&self) -> impl Iterator<Item = &PackFile> {
        self.files.iter().filter(|f| f.path.ends_with(".tenet"))
    }
}

/// One line of what a resolution changed in the lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockChange {
    /// The pack.
    pub name: String,
    /// Version and source before, if it was locked.
    pub before: Option<String>,
    /// Version and source after, if it is still locked.
    pub after: Option<String>,
}

impl std::fmt::Display for LockChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.before, &self.after) {
            (None, Some(after)) => write!(f, "   Locking {} {after}", self.name),
            (Some(before), None) => write!(f, "  Removing {} {before}", self.name),
            (Some(before), Some(after)) => write!(f, "  Updating {} {before} -> {after}", self.name),
            (None, None) => Ok(()),
        }
    }
}

impl Project {
    /// The project whose manifest is in `dir`, if it has one.
    pub fn open(dir: &Path) -> Result<Option<Project>> {
        if !dir.join(MANIFEST_FILE).is_file() {
            return Ok(None);
        }
        let manifest = Manifest::read_dir(dir)?;
        let lock = Lockfile::read(&dir.join(LOCK_FILE))?;
        Ok(Some(Project { manifest, lock }))
    }

    /// The project at `path` (a directory, or a file in it) or in a directory above it.
    pub fn discover(path: &Path) -> Result<Option<Project>> {
        let start = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().unwrap_or(Path::new(".")).to_path_buf()
        };
        let start = std::fs::canonicalize(&start).unwrap_or(start);
        for dir in start.ancestors() {
            if dir.join(MANIFEST_FILE).is_file() {
                // Keep the path the user gave when the manifest is right there.
                let shown =
                    if dir == start && path.is_dir() { path.to_path_buf() } else { dir.to_path_buf() };
                return Project::open(&shown);
            }
        }
        Ok(None)
    }

    /// The project's directory.
    pub fn dir(&self) -> &Path {
        self.manifest.dir()
    }

    /// The lockfile's path.
    pub fn lock_path(&self) -> PathBuf {
        self.dir().join(LOCK_FILE)
    }

    fn canonical_dir(&self) -> PathBuf {
        std::fs::canonicalize(self.dir()).unwrap_or_else(|_| self.dir().to_path_buf())
    }

    /// Resolves the dependencies, keeping what `keep` says from the current lock.
    pub fn resolve(&self, keep: &Keep, fetcher: &Fetcher) -> Result<Vec<ResolvedPack>> {
        resolve::resolve(&self.manifest, self.lock.as_ref().map(|(l, _)| l), keep, fetcher)
    }

    /// Writes the lockfile for a resolution and says what changed.
    pub fn write_lock(&mut self, packs: &[ResolvedPack]) -> Result<Vec<LockChange>> {
        let lock = Lockfile { version: 1, packs: packs.iter().map(ResolvedPack::locked).collect() };
        let text = lock.render();
        let old = self.lock.as_ref().map(|(l, _)| l.clone()).unwrap_or_default();
        let path = self.lock_path();
        let unchanged = self.lock.as_ref().is_some_and(|(_, t)| *t == text);
        if !unchanged {
            std::fs::write(&path, &text).map_err(|e| {
                PackError::new(
                    Code::LOCK_OUT_OF_DATE,
                    &path,
                    format!("cannot write `{}`: {e}", path.display()),
                )
            })?;
        }
        let describe = |p: &LockedPack| format!("v{} ({})", p.version, p.source);
        let mut names: BTreeSet<&str> = old.packs.iter().map(|p| p.name.as_str()).collect();
        names.extend(lock.packs.iter().map(|p| p.name.as_str()));
        let changes = names
            .into_iter()
            .filter_map(|name| {
                let before = old.get(name);
                let after = lock.get(name);
                let same = matches!((before, after), (Some(b), Some(a)) if b.version == a.version && b.source == a.source && b.checksum == a.checksum);
                // Same version from the same place with other content: say so, by hash.
                let content_only = matches!((before, after), (Some(b), Some(a)) if b.version == a.version && b.source == a.source);
                let show = |p: &LockedPack| {
                    if content_only { format!("{} {}", describe(p), short(&p.checksum)) } else { describe(p) }
                };
                (!same).then(|| LockChange { name: name.to_owned(), before: before.map(show), after: after.map(show) })
            })
            .collect();
        self.lock = Some((lock, text));
        Ok(changes)
    }

    /// Checks that the lock covers the manifest, then reads and verifies every locked pack,
    /// without the network unless the fetcher allows it. Every problem is reported, not
    /// only the first.
    pub fn load_locked(&self, fetcher: &Fetcher) -> std::result::Result<Vec<LoadedPack>, Vec<PackError>> {
        if self.manifest.dependencies.is_empty() && self.lock.is_none() {
            return Ok(Vec::new());
        }
        let Some((lock, lock_text)) = &self.lock else {
            return Err(vec![
                PackError::new(
                    Code::LOCK_OUT_OF_DATE,
                    &self.manifest.path,
                    "the manifest has dependencies and there is no `tenet.lock`",
                )
                .with_help("run `tenet pack update` to resolve and lock them, and commit `tenet.lock`"),
            ]);
        };
        let lock_path = self.lock_path();
        let project = self.canonical_dir();
        let mut errors = Vec::new();
        for dep in &self.manifest.dependencies {
            let wanted = Source::of(&dep.source, self.dir()).lock_text(&project);
            match lock.get(&dep.name) {
                Some(locked) if locked_source_matches(&wanted, &locked.source) => {
                    let version = semver::Version::parse(&locked.version).ok();
                    if let (Some(req), Some(version)) = (&dep.version, &version)
                        && !req.matches(version)
                    {
                        errors.push(out_of_date(
                            &self.manifest,
                            &dep.name,
                            format!(
                                "`tenet.lock` has `{}` {version}, which does not satisfy {req}",
                                dep.name
                            ),
                        ));
                    }
                }
                Some(locked) => errors.push(out_of_date(
                    &self.manifest,
                    &dep.name,
                    format!(
                        "`{}` comes from `{wanted}` in the manifest and from `{}` in `tenet.lock`",
                        dep.name, locked.source
                    ),
                )),
                None => errors.push(out_of_date(
                    &self.manifest,
                    &dep.name,
                    format!("`{}` is not in `tenet.lock`", dep.name),
                )),
            }
        }
        let mut loaded = Vec::new();
        for locked in &lock.packs {
            match self.load_one(locked, fetcher, &project, false) {
                Ok((mut dir, found_in)) => {
                    let span = entry_span(lock_text, &locked.name);
                    let mut collected = content::collect(&dir);
                    // A cached copy that was changed on disk is extracted again from the
                    // repository or archive it came from, which are checked by their hashes.
                    if found_in == FoundIn::Cache
                        && collected
                            .as_ref()
                            .is_ok_and(|files| content::content_hash(files) != locked.checksum)
                        && let Ok((again, _)) = self.load_one(locked, fetcher, &project, true)
                    {
                        dir = again;
                        collected = content::collect(&dir);
                    }
                    match collected {
                        Ok(files) => {
                            let actual = content::content_hash(&files);
                            if actual != locked.checksum {
                                errors.push(
                                    PackError::new(
                                        Code::LOCK_MISMATCH,
                                        &lock_path,
                                        format!(
                                            "the pack `{}` {} does not match `tenet.lock`",
                                            locked.name, locked.version
                                        ),
                                    )
                                    .at(span)
                                    .with_note(format!("locked: {}", locked.checksum))
                                    .with_note(format!("found:  {actual} in {}", dir.display()))
                                    .with_help(format!(
                                        "if the change is intended, review it and run `tenet pack update {}`",
                                        locked.name
                                    )),
                                );
                                continue;
                            }
                            for needed in pack_dependencies(&files) {
                                if lock.get(&needed).is_none() {
                                    errors.push(
                                        PackError::new(
                                            Code::LOCK_OUT_OF_DATE,
                                            &lock_path,
                                            format!(
                                                "`{}` depends on `{needed}`, which is not in `tenet.lock`",
                                                locked.name
                                            ),
                                        )
                                        .at(span)
                                        .with_help("run `tenet pack update`"),
                                    );
                                }
                            }
                            loaded.push(LoadedPack { locked: locked.clone(), dir, files, found_in });
                        }
                        Err(e) => errors.push(e.at(span)),
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() { Ok(loaded) } else { Err(errors) }
    }

    fn load_one(
        &self,
        locked: &LockedPack,
        fetcher: &Fetcher,
        project: &Path,
        fresh: bool,
    ) -> Result<(PathBuf, FoundIn)> {
        let vendored = self.dir().join(VENDOR_DIR).join(&locked.name);
        if vendored.is_dir() {
            return Ok((vendored, FoundIn::Vendor));
        }
        let lock_path = self.lock_path();
        let span = self.lock.as_ref().and_then(|(_, t)| entry_span(t, &locked.name));
        let bad = || {
            PackError::new(
                Code::LOCK_OUT_OF_DATE,
                &lock_path,
                format!("`{}` has a source Tenet cannot read: `{}`", locked.name, locked.source),
            )
            .at(span)
        };
        if let Some(path) = locked.source.strip_prefix("path+") {
            let dir = crate::resolve::absolute(project, Path::new(path));
            return if dir.is_dir() {
                Ok((dir, FoundIn::Path))
            } else {
                Err(PackError::new(
                    Code::PACK_UNAVAILABLE,
                    &lock_path,
                    format!("the pack `{}` is not at `{}`", locked.name, dir.display()),
                )
                .at(span))
            };
        }
        if let Some(rest) = locked.source.strip_prefix("git+") {
            let url = rest.rsplit_once('?').map(|(u, _)| u).unwrap_or(rest);
            let url = crate::git::normalise_url(url, project);
            let commit = locked.revision.as_deref().ok_or_else(bad)?;
            return fetcher
                .git_commit(&url, commit, &lock_path, fresh)
                .map(|d| (d, FoundIn::Cache))
                .map_err(|e| e.at(span));
        }
        if let Some(location) = locked.source.strip_prefix("archive+") {
            let sha = locked.revision.as_deref().and_then(|r| r.strip_prefix("sha256:")).ok_or_else(bad)?;
            let location = if is_url(location) {
                location.to_owned()
            } else {
                crate::resolve::absolute(project, Path::new(location)).display().to_string()
            };
            return fetcher
                .archive(&location, sha, &lock_path, fresh)
                .map(|d| (d, FoundIn::Cache))
                .map_err(|e| e.at(span));
        }
        Err(bad())
    }

    /// Copies every locked pack that is not a directory of this project into
    /// `.tenet/vendor/NAME`, so checks need neither the network nor the cache.
    pub fn vendor(&self, fetcher: &Fetcher) -> std::result::Result<Vec<String>, Vec<PackError>> {
        let vendor = self.dir().join(VENDOR_DIR);
        // Verify what would be copied first; a stale vendored copy is replaced.
        let _ = std::fs::remove_dir_all(&vendor);
        let packs = self.load_locked(fetcher)?;
        let mut done = Vec::new();
        for pack in packs {
            if pack.is_path_inside(self.dir()) {
                continue;
            }
            let target = vendor.join(&pack.locked.name);
            for file in &pack.files {
                let path = target.join(&file.path);
                let written = path
                    .parent()
                    .map(std::fs::create_dir_all)
                    .unwrap_or(Ok(()))
                    .and_then(|()| std::fs::write(&path, &file.bytes));
                if let Err(e) = written {
                    return Err(vec![PackError::new(
                        Code::PACK_UNAVAILABLE,
                        &path,
                        format!("cannot write `{}`: {e}", path.display()),
                    )]);
                }
            }
            done.push(format!("{} v{}", pack.locked.name, pack.locked.version));
        }
        Ok(done)
    }
}

/// `sha256:` and the first 12 hex digits, enough to tell two contents apart in a message.
fn short(checksum: &str) -> String {
    checksum.get(..19).unwrap_or(checksum).to_owned()
}

fn out_of_date(manifest: &Manifest, name: &str, message: String) -> PackError {
    PackError::new(Code::LOCK_OUT_OF_DATE, &manifest.path, message)
        .at(manifest.dependency_span(name))
        .with_help(format!("run `tenet pack update {name}` and commit `tenet.lock`"))
}

/// An unpinned git dependency matches a lock entry for any tag of the same repository.
fn locked_source_matches(wanted: &str, locked: &str) -> bool {
    wanted == locked
        || (wanted.starts_with("git+")
            && !wanted.contains('?')
            && locked.split_once('?').is_some_and(|(u, _)| u == wanted))
}

/// The dependency names in a pack's own manifest.
fn pack_dependencies(files: &[PackFile]) -> Vec<String> {
    files
        .iter()
        .find(|f| f.path == MANIFEST_FILE)
        .and_then(|f| Manifest::parse(Path::new(MANIFEST_FILE), &String::from_utf8_lossy(&f.bytes)).ok())
        .map(|m| m.dependencies.into_iter().map(|d| d.name).collect())
        .unwrap_or_default()
}
