//! Resolution: from the root manifest to one version of every pack it reaches. Each pack
//! name gets one source and the highest version that satisfies every requirement on it;
//! requirements that no version satisfies are reported with the chains that made them, and
//! cycles with the packs that form them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use semver::{Version, VersionReq};
use tenet_diagnostics::{Code, Span};

use crate::content;
use crate::error::{PackError, Result};
use crate::fetch::{Fetcher, is_url};
use crate::git;
use crate::lock::{LockedPack, Lockfile};
use crate::manifest::{GitPin, Manifest, SourceSpec};

/// One resolved pack.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPack {
    /// Its manifest, read from its files.
    pub manifest: Manifest,
    /// Where its files are.
    pub dir: PathBuf,
    /// Its source as the lockfile writes it.
    pub source: String,
    /// A git commit or an archive's hash.
    pub revision: Option<String>,
    /// The content hash.
    pub checksum: String,
}

impl ResolvedPack {
    /// The entry in the lockfile.
    pub fn locked(&self) -> LockedPack {
        LockedPack {
            name: self.manifest.name.clone(),
            version: self.manifest.version.to_string(),
            source: self.source.clone(),
            revision: self.revision.clone(),
            checksum: self.checksum.clone(),
            dependencies: self.manifest.dependencies.iter().map(|d| d.name.clone()).collect(),
        }
    }
}

/// A source with relative paths made absolute, comparable across manifests.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An absolute directory.
    Path(PathBuf),
    /// A normalised git URL and a pin.
    Git(String, GitPin),
    /// An absolute path or URL, and the archive's sha256.
    Archive(String, String),
}

impl Source {
    /// Makes a manifest's source absolute, against the manifest's directory.
    pub fn of(spec: &SourceSpec, base: &Path) -> Source {
        match spec {
            SourceSpec::Path(p) => Source::Path(absolute(base, p)),
            SourceSpec::Git { url, pin } => Source::Git(git::normalise_url(url, base), pin.clone()),
            SourceSpec::Archive { location, sha256 } => {
                let location = if is_url(location) {
                    location.clone()
                } else {
                    absolute(base, Path::new(location)).display().to_string()
                };
                Source::Archive(location, sha256.clone())
            }
        }
    }

    /// Two sources of the same place (a git URL with different pins is one place).
    fn place(&self) -> String {
        match self {
            Source::Path(p) => format!("path {}", p.display()),
            Source::Git(url, _) => format!("git {url}"),
            Source::Archive(location, sha) => format!("archive {location} sha256 {sha}"),
        }
    }

    /// The lockfile's form; paths are relative to the project.
    pub fn lock_text(&self, project: &Path) -> String {
        match self {
            Source::Path(p) => format!("path+{}", relative(project, p)),
            Source::Git(url, pin) => {
                // A repository on this machine is written relative to the project, so the
                // lock does not depend on where the project is checked out.
                let url = if git::is_remote(url) { url.clone() } else { relative(project, Path::new(url)) };
                match pin {
                    GitPin::Tag(t) => format!("git+{url}?tag={t}"),
                    GitPin::Rev(r) => format!("git+{url}?rev={r}"),
                    GitPin::Branch(b) => format!("git+{url}?branch={b}"),
                    GitPin::Latest => format!("git+{url}"),
                }
            }
            Source::Archive(location, _) => {
                let shown =
                    if is_url(location) { location.clone() } else { relative(project, Path::new(location)) };
                format!("archive+{shown}")
            }
        }
    }
}

/// `path` made absolute against `base`, with `.` and `..` resolved by their text, so a
/// source that no longer exists on disk (vendored, removed) still has one spelling.
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    let joined = base.join(path);
    if let Ok(real) = std::fs::canonicalize(&joined) {
        return real;
    }
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to `from`, with `/`; both should be absolute.
pub fn relative(from: &Path, to: &Path) -> String {
    let from = std::fs::canonicalize(from).unwrap_or_else(|_| from.to_path_buf());
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.display().to_string();
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), from.len() - common).collect();
    parts.extend(to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_owned() } else { parts.join("/") }
}

/// A requirement on a pack, with the chain of packs that led to it.
#[derive(Debug, Clone)]
struct Request {
    req: Option<VersionReq>,
    source: Source,
    chain: Vec<String>,
    manifest: PathBuf,
    span: Option<Span>,
}

impl Request {
    fn describe(&self, name: &str) -> String {
        let req = self.req.as_ref().map(|r| r.to_string()).unwrap_or_else(|| "*".into());
        let pin = match &self.source {
            Source::Git(_, GitPin::Tag(t)) => format!(" (tag {t})"),
            Source::Git(_, GitPin::Rev(r)) => format!(" (rev {r})"),
            Source::Git(_, GitPin::Branch(b)) => format!(" (branch {b})"),
            _ => String::new(),
        };
        format!("{} → {name} {req}{pin}", self.chain.join(" → "))
    }

    fn error(&self, code: Code, message: String) -> PackError {
        PackError::new(code, &self.manifest, message).at(self.span)
    }
}

/// What to keep from an existing lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Keep every locked version that still satisfies the manifests.
    All,
    /// Re-resolve these packs to their newest versions, keep the others.
    AllBut(BTreeSet<String>),
    /// Re-resolve everything.
    Nothing,
}

/// Resolves the packs the root manifest reaches.
pub fn resolve(
    root: &Manifest,
    lock: Option<&Lockfile>,
    keep: &Keep,
    fetcher: &Fetcher,
) -> Result<Vec<ResolvedPack>> {
    let project = root.dir().to_path_buf();
    let project = std::fs::canonicalize(&project).unwrap_or(project);
    let mut selected: BTreeMap<String, ResolvedPack> = BTreeMap::new();
    for _round in 0..64 {
        let requests = gather(root, &selected)?;
        let mut next = BTreeMap::new();
        for (name, requests) in &requests {
            let kept = match keep {
                Keep::All => lock.and_then(|l| l.get(name)),
                Keep::AllBut(names) if !names.contains(name) => lock.and_then(|l| l.get(name)),
                _ => None,
            };
            let fresh = !matches!(keep, Keep::All) && kept.is_none();
            let pack = match selected.get(name) {
                Some(previous) if still_fits(previous, requests, &project) => previous.clone(),
                _ => select(name, requests, kept, fresh, fetcher, &project)?,
            };
            next.insert(name.clone(), pack);
        }
        let same = next.len() == selected.len()
            && next.iter().all(|(n, p)| {
                selected.get(n).is_some_and(|q| q.source == p.source && q.checksum == p.checksum)
            });
        selected = next;
        if same {
            check_cycles(root, &selected)?;
            return Ok(selected.into_values().collect());
        }
    }
    Err(PackError::new(
        Code::DEPENDENCY_CONFLICT,
        &root.path,
        "the dependencies do not settle on one set of versions",
    ))
}

/// Every requirement reachable from the root through the packs selected so far.
fn gather(
    root: &Manifest,
    selected: &BTreeMap<String, ResolvedPack>,
) -> Result<BTreeMap<String, Vec<Request>>> {
    let mut requests: BTreeMap<String, Vec<Request>> = BTreeMap::new();
    let mut queue =
        std::collections::VecDeque::from([(root, vec![format!("{} {}", root.name, root.version)], true)]);
    let mut visited = BTreeSet::new();
    while let Some((manifest, chain, is_root)) = queue.pop_front() {
        for dep in &manifest.dependencies {
            if dep.name == root.name {
                return Err(PackError::new(
                    Code::DEPENDENCY_CYCLE,
                    &manifest.path,
                    format!(
                        "the packs depend on each other in a cycle: {} → {}",
                        chain.join(" → "),
                        root.name
                    ),
                )
                .at(dep.span));
            }
            if !is_root && matches!(dep.source, SourceSpec::Path(_)) && !is_local(selected, &manifest.name) {
                return Err(PackError::new(
                    Code::INVALID_MANIFEST,
                    &manifest.path,
                    format!("the fetched pack `{}` depends on `{}` by path", manifest.name, dep.name),
                )
                .with_help(
                    "a pack fetched from git or an archive must name its dependencies by git or archive",
                ));
            }
            requests.entry(dep.name.clone()).or_default().push(Request {
                req: dep.version.clone(),
                source: Source::of(&dep.source, manifest.dir()),
                chain: chain.clone(),
                manifest: manifest.path.clone(),
                span: dep.span,
            });
            if let Some(pack) = selected.get(&dep.name)
                && visited.insert(dep.name.clone())
            {
                let mut next = chain.clone();
                next.push(format!("{} {}", dep.name, pack.manifest.version));
                queue.push_back((&pack.manifest, next, false));
            }
        }
    }
    Ok(requests)
}

fn is_local(selected: &BTreeMap<String, ResolvedPack>, name: &str) -> bool {
    selected.get(name).is_some_and(|p| p.source.starts_with("path+"))
}

fn still_fits(pack: &ResolvedPack, requests: &[Request], project: &Path) -> bool {
    requests.iter().all(|r| {
        r.req.as_ref().is_none_or(|req| req.matches(&pack.manifest.version))
            && r.source.lock_text(project) == pack.source
    })
}

/// Picks the one pack that satisfies every request on `name`.
fn select(
    name: &str,
    requests: &[Request],
    kept: Option<&LockedPack>,
    fresh: bool,
    fetcher: &Fetcher,
    project: &Path,
) -> Result<ResolvedPack> {
    let first = &requests[0];
    if let Some(other) = requests.iter().find(|r| r.source.place() != first.source.place()) {
        return Err(first
            .error(Code::DEPENDENCY_CONFLICT, format!("`{name}` is required from two different sources"))
            .with_note(format!("{} from {}", first.describe(name), first.source.place()))
            .with_note(format!("{} from {}", other.describe(name), other.source.place()))
            .with_help("depend on the same path, repository or archive from both"));
    }
    let (dir, revision) = match &first.source {
        Source::Path(dir) => {
            if !dir.join(crate::manifest::MANIFEST_FILE).is_file() {
                return Err(first.error(
                    Code::PACK_UNAVAILABLE,
                    format!("`{}` holds no pack (no tenet.toml)", dir.display()),
                ));
            }
            (dir.clone(), None)
        }
        Source::Archive(location, sha) => {
            if let Some(other) = requests.iter().find(|r| r.source != first.source) {
                return Err(first
                    .error(
                        Code::DEPENDENCY_CONFLICT,
                        format!("`{name}` is pinned to two different archive hashes"),
                    )
                    .with_note(first.describe(name))
                    .with_note(other.describe(name)));
            }
            (
                fetcher.archive(location, sha, &first.manifest, true).map_err(|e| e.at(first.span))?,
                Some(format!("sha256:{sha}")),
            )
        }
        Source::Git(url, _) => select_git(name, url, requests, kept, fresh, fetcher, project)?,
    };
    let manifest = crate::manifest::Manifest::read_dir(&dir)?;
    if manifest.name != name {
        return Err(first.error(
            Code::PACK_UNAVAILABLE,
            format!("{} holds the pack `{}`, not `{name}`", first.source.place(), manifest.name),
        ));
    }
    manifest.check_tenet_version(&crate::tenet_version())?;
    if let Some(unmet) =
        requests.iter().find(|r| r.req.as_ref().is_some_and(|req| !req.matches(&manifest.version)))
    {
        let mut e = unmet.error(
            Code::DEPENDENCY_CONFLICT,
            format!("`{name}` {} does not satisfy every requirement on it", manifest.version),
        );
        for r in requests {
            e = e.with_note(r.describe(name));
        }
        return Err(
            e.with_help("loosen one of the requirements, or pin a version that satisfies all of them")
        );
    }
    let files = content::collect(&dir)?;
    Ok(ResolvedPack {
        source: first.source.lock_text(project),
        revision,
        checksum: content::content_hash(&files),
        dir,
        manifest,
    })
}

fn select_git(
    name: &str,
    url: &str,
    requests: &[Request],
    kept: Option<&LockedPack>,
    fresh: bool,
    fetcher: &Fetcher,
    project: &Path,
) -> Result<(PathBuf, Option<String>)> {
    let first = &requests[0];
    let pins: BTreeSet<&GitPin> = requests
        .iter()
        .filter_map(|r| match &r.source {
            Source::Git(_, GitPin::Latest) => None,
            Source::Git(_, pin) => Some(pin),
            _ => None,
        })
        .collect();
    if pins.len() > 1 {
        let mut e =
            first.error(Code::DEPENDENCY_CONFLICT, format!("`{name}` is pinned to two different commits"));
        for r in requests {
            e = e.with_note(r.describe(name));
        }
        return Err(e.with_help("pin one tag in both, or use `version` requirements without a pin"));
    }
    // A kept lock entry is used as it is when its source still matches.
    let wanted = requests
        .iter()
        .find(|r| !matches!(r.source, Source::Git(_, GitPin::Latest)))
        .unwrap_or(first)
        .source
        .lock_text(project);
    if let Some(locked) = kept
        && locked.source == wanted
        && let Some(commit) = &locked.revision
        && let Ok(version) = Version::parse(&locked.version)
        && requests.iter().all(|r| r.req.as_ref().is_none_or(|req| req.matches(&version)))
    {
        let dir = fetcher.git_commit(url, commit, &first.manifest, true)?;
        return Ok((dir, Some(commit.clone())));
    }
    let db = fetcher.git_db(url, fresh, &first.manifest).map_err(|e| e.at(first.span))?;
    let reference = match pins.iter().next() {
        Some(GitPin::Tag(t)) => format!("refs/tags/{t}"),
        Some(GitPin::Branch(b)) => format!("refs/heads/{b}"),
        Some(GitPin::Rev(r)) => r.clone(),
        Some(GitPin::Latest) | None => {
            let tags = git::version_tags(&db);
            let fits = |v: &Version| requests.iter().all(|r| r.req.as_ref().is_none_or(|req| req.matches(v)));
            match tags.iter().find(|(v, _)| fits(v)) {
                Some((_, tag)) => format!("refs/tags/{tag}"),
                None if tags.is_empty() => "refs/tenet/head".to_owned(),
                None => {
                    let mut e = first.error(
                        Code::DEPENDENCY_CONFLICT,
                        format!("no version of `{name}` satisfies every requirement"),
                    );
                    for r in requests {
                        e = e.with_note(r.describe(name));
                    }
                    let available: Vec<String> = tags.iter().map(|(v, _)| v.to_string()).collect();
                    return Err(e.with_note(format!("available: {}", available.join(", "))));
                }
            }
        }
    };
    let commit = git::resolve(&db, &reference)
        .map_err(|e| first.error(Code::PACK_UNAVAILABLE, format!("`{url}`: {e}")))?;
    let dir = git::checkout(fetcher.cache, &db, &commit, &first.manifest, true)?;
    Ok((dir, Some(commit)))
}

/// Reports the first cycle among the selected packs.
fn check_cycles(root: &Manifest, selected: &BTreeMap<String, ResolvedPack>) -> Result<()> {
    let deps = |name: &str| -> Vec<String> {
        if name == root.name {
            return root.dependencies.iter().map(|d| d.name.clone()).collect();
        }
        selected
            .get(name)
            .map(|p| p.manifest.dependencies.iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default()
    };
    let label = |name: &str| match selected.get(name) {
        Some(p) => format!("{name} {}", p.manifest.version),
        None => format!("{name} {}", root.version),
    };
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut names: Vec<String> = vec![root.name.clone()];
    names.extend(selected.keys().cloned());
    for start in names {
        if done.contains(&start) {
            continue;
        }
        // Iterative depth-first search with the current path on a stack.
        let mut path: Vec<(String, Vec<String>)> = vec![(start.clone(), deps(&start))];
        while let Some((node, pending)) = path.last_mut() {
            let node = node.clone();
            match pending.pop() {
                Some(next) => {
                    if let Some(at) = path.iter().position(|(n, _)| *n == next) {
                        let mut cycle: Vec<String> = path[at..].iter().map(|(n, _)| label(n)).collect();
                        cycle.push(next.clone());
                        let culprit = selected.get(&node).map(|p| &p.manifest).unwrap_or(root);
                        return Err(PackError::new(
                            Code::DEPENDENCY_CYCLE,
                            &culprit.path,
                            format!("the packs depend on each other in a cycle: {}", cycle.join(" → ")),
                        )
                        .at(culprit.dependency_span(&next))
                        .with_help("move what both need into a pack that both depend on"));
                    }
                    if !done.contains(&next) {
                        let next_deps = deps(&next);
                        path.push((next, next_deps));
                    }
                }
                None => {
                    done.insert(node);
                    path.pop();
                }
            }
        }
    }
    Ok(())
}
