//! `tenet.toml`: what a pack is (name, version, who wrote it, which Tenet it needs) and what
//! it depends on. Reading it checks every value, and each error points into the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use semver::{Version, VersionReq};
use serde::Deserialize;
use tenet_diagnostics::{Code, Span};
use toml::Spanned;

use crate::error::{PackError, Result};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "tenet.toml";

/// Package names that belong to the packs built into Tenet.
pub const BUILT_IN: &[&str] = &["iso42001", "eu_ai_act", "nist_ai_rmf", "tenet"];

/// A pack's manifest, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its text, for diagnostics.
    pub text: String,
    /// The pack's dotted name; its files declare this package or packages under it.
    pub name: String,
    /// Where the name is.
    pub name_span: Option<Span>,
    /// The pack's version.
    pub version: Version,
    /// One line on what it is.
    pub description: Option<String>,
    /// SPDX licence expression.
    pub license: Option<String>,
    /// Who maintains it.
    pub authors: Vec<String>,
    /// The Tenet versions it works with.
    pub tenet: Option<VersionReq>,
    /// Its dependencies, by name.
    pub dependencies: Vec<Dependency>,
    /// Evidence directories, relative to the manifest.
    pub evidence_roots: Vec<String>,
}

/// One entry of `[dependencies]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The pack's name.
    pub name: String,
    /// The versions accepted; `None` accepts any.
    pub version: Option<VersionReq>,
    /// Where it comes from.
    pub source: SourceSpec,
    /// Where the entry is in the manifest.
    pub span: Option<Span>,
}

/// Where a dependency comes from, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceSpec {
    /// A directory, relative to the manifest that names it.
    Path(PathBuf),
    /// A git repository.
    Git {
        /// Its URL (or a local path).
        url: String,
        /// Which commit.
        pin: GitPin,
    },
    /// A `.tar.gz` archive, by local path or URL, with the sha256 of its bytes.
    Archive {
        /// A path relative to the manifest, or an `http(s)://` or `file://` URL.
        location: String,
        /// Lowercase hex sha256 of the archive file.
        sha256: String,
    },
}

/// Which commit of a git dependency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GitPin {
    /// A tag.
    Tag(String),
    /// A commit id (full or abbreviated).
    Rev(String),
    /// The tip of a branch.
    Branch(String),
    /// The highest tag whose version satisfies the requirement, else the default branch.
    Latest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    package: Option<Spanned<RawPackage>>,
    dependencies: Option<BTreeMap<Spanned<String>, Spanned<RawDependency>>>,
    evidence: Option<RawEvidence>,
    evidence_roots: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    name: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    description: Option<String>,
    license: Option<String>,
    authors: Option<Vec<String>>,
    tenet: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    roots: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDependency {
    version: Option<Spanned<String>>,
    path: Option<String>,
    git: Option<String>,
    tag: Option<String>,
    rev: Option<String>,
    branch: Option<String>,
    archive: Option<String>,
    url: Option<String>,
    sha256: Option<Spanned<String>>,
}

fn span_of<T>(s: &Spanned<T>) -> Option<Span> {
    Some(Span::from_usize(s.span().start, s.span().end))
}

/// True for a dotted name of lowercase ASCII segments, as `package` lines use.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|segment| {
            let mut chars = segment.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

impl Manifest {
    /// Reads the manifest in `dir`.
    pub fn read_dir(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            PackError::new(Code::INVALID_MANIFEST, &path, format!("cannot read `{}`: {e}", path.display()))
        })?;
        Manifest::parse(&path, &text)
    }

    /// Checks a manifest's text.
    pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
        let invalid = |message: String, span: Option<Span>| {
            PackError::new(Code::INVALID_MANIFEST, path, message).at(span)
        };
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let span = e.span().map(|r| Span::from_usize(r.start, r.end));
            invalid(e.message().trim_end().to_owned(), span)
        })?;
        let package = raw.package.ok_or_else(|| {
            invalid("the manifest has no `[package]` table".into(), None)
                .with_help("add `[package]` with a `name` and a `version`")
        })?;
        let package_span = span_of(&package);
        let package = package.into_inner();
        let name = package.name.ok_or_else(|| invalid("`[package]` has no `name`".into(), package_span))?;
        let name_span = span_of(&name);
        let name = name.into_inner();
        if !is_valid_name(&name) {
            return Err(invalid(format!("`{name}` is not a pack name"), name_span)
                .with_help("names are lowercase words joined by dots, as in `acme.baseline`"));
        }
        if BUILT_IN.contains(&name.split('.').next().unwrap_or_default()) {
            return Err(invalid(format!("`{name}` belongs to a pack built into Tenet"), name_span)
                .with_help("choose a name of your own, such as your organisation's"));
        }
        let version =
            package.version.ok_or_else(|| invalid("`[package]` has no `version`".into(), package_span))?;
        let version = Version::parse(version.get_ref()).map_err(|e| {
            invalid(format!("`{}` is not a semver version: {e}", version.get_ref()), span_of(&version))
        })?;
        let tenet = match package.tenet {
            Some(req) => Some(VersionReq::parse(req.get_ref()).map_err(|e| {
                invalid(format!("`{}` is not a version requirement: {e}", req.get_ref()), span_of(&req))
            })?),
            None => None,
        };
        let mut dependencies = Vec::new();
        for (dep_name, entry) in raw.dependencies.unwrap_or_default() {
            let span = span_of(&entry).or_else(|| span_of(&dep_name));
            let dep_name_text = dep_name.get_ref().clone();
            if !is_valid_name(&dep_name_text) {
                return Err(invalid(format!("`{dep_name_text}` is not a pack name"), span_of(&dep_name)));
            }
            if BUILT_IN.contains(&dep_name_text.as_str()) {
                return Err(invalid(
                    format!("`{dep_name_text}` is built into Tenet and needs no dependency"),
                    span_of(&dep_name),
                )
                .with_help("remove this entry; `use` the package directly"));
            }
            if dep_name_text == name {
                return Err(invalid(format!("the pack `{name}` depends on itself"), span_of(&dep_name)));
            }
            dependencies.push(dependency(path, dep_name_text, entry.into_inner(), span)?);
        }
        let evidence_roots = raw.evidence.and_then(|e| e.roots).or(raw.evidence_roots).unwrap_or_default();
        Ok(Manifest {
            path: path.to_path_buf(),
            text: text.to_owned(),
            name,
            name_span,
            version,
            description: package.description,
            license: package.license,
            authors: package.authors.unwrap_or_default(),
            tenet,
            dependencies,
            evidence_roots,
        })
    }

    /// The directory the manifest is in: relative paths in it start here.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The span of a dependency's entry, for errors about it.
    pub fn dependency_span(&self, name: &str) -> Option<Span> {
        self.dependencies.iter().find(|d| d.name == name).and_then(|d| d.span)
    }

    /// Checks the `tenet` requirement against this build of Tenet.
    pub fn check_tenet_version(&self, tenet: &Version) -> Result<()> {
        match &self.tenet {
            Some(req) if !req.matches(tenet) => Err(PackError::new(
                Code::INVALID_MANIFEST,
                &self.path,
                format!("the pack `{}` needs Tenet {req}, and this is Tenet {tenet}", self.name),
            )),
            _ => Ok(()),
        }
    }
}

fn dependency(path: &Path, name: String, raw: RawDependency, span: Option<Span>) -> Result<Dependency> {
    let invalid = |message: String| PackError::new(Code::INVALID_MANIFEST, path, message).at(span);
    let version = match &raw.version {
        Some(v) => Some(VersionReq::parse(v.get_ref()).map_err(|e| {
            PackError::new(
                Code::INVALID_MANIFEST,
                path,
                format!("`{}` is not a version requirement: {e}", v.get_ref()),
            )
            .at(span_of(v))
        })?),
        None => None,
    };
    let sources = [raw.path.is_some(), raw.git.is_some(), raw.archive.is_some() || raw.url.is_some()];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err(invalid(format!(
            "the dependency `{name}` needs exactly one of `path`, `git`, or `archive`/`url`"
        ))
        .with_help(
            "for example `{ git = \"https://git.example.org/acme/baseline.git\", tag = \"v1.2.0\" }`",
        ));
    }
    let pins = [&raw.tag, &raw.rev, &raw.branch].iter().filter(|p| p.is_some()).count();
    if raw.git.is_none() && pins > 0 {
        return Err(invalid(format!(
            "`tag`, `rev` and `branch` of `{name}` only apply to `git` dependencies"
        )));
    }
    if raw.archive.is_none() && raw.url.is_none() && raw.sha256.is_some() {
        return Err(invalid(format!("`sha256` of `{name}` only applies to archives")));
    }
    let source = if let Some(dir) = raw.path {
        SourceSpec::Path(PathBuf::from(dir))
    } else if let Some(url) = raw.git {
        if pins > 1 {
            return Err(invalid(format!("the dependency `{name}` may name one of `tag`, `rev` or `branch`")));
        }
        let pin = match (raw.tag, raw.rev, raw.branch) {
            (Some(tag), _, _) => GitPin::Tag(tag),
            (_, Some(rev), _) => GitPin::Rev(rev),
            (_, _, Some(branch)) => GitPin::Branch(branch),
            _ => GitPin::Latest,
        };
        SourceSpec::Git { url, pin }
    } else {
        if raw.archive.is_some() && raw.url.is_some() {
            return Err(invalid(format!("the dependency `{name}` may name `archive` or `url`, not both")));
        }
        let location = raw.archive.or(raw.url).unwrap_or_default();
        let sha256 = raw.sha256.ok_or_else(|| {
            invalid(format!("the archive dependency `{name}` needs a `sha256`"))
                .with_help("`tenet pack add` computes it; an archive is trusted only by its hash")
        })?;
        let hex = sha256.get_ref().trim_start_matches("sha256:").to_ascii_lowercase();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PackError::new(
                Code::INVALID_MANIFEST,
                path,
                format!("`{}` is not a sha256 (64 hexadecimal digits)", sha256.get_ref()),
            )
            .at(span_of(&sha256)));
        }
        SourceSpec::Archive { location, sha256: hex }
    };
    Ok(Dependency { name, version, source, span })
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::Path(path) => write!(f, "path {}", path.display()),
            SourceSpec::Git { url, pin } => match pin {
                GitPin::Tag(tag) => write!(f, "git {url} tag {tag}"),
                GitPin::Rev(rev) => write!(f, "git {url} rev {rev}"),
                GitPin::Branch(branch) => write!(f, "git {url} branch {branch}"),
                GitPin::Latest => write!(f, "git {url}"),
            },
            SourceSpec::Archive { location, .. } => write!(f, "archive {location}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(Path::new("tenet.toml"), text)
    }

    #[test]
    fn reads_every_source_kind() {
        let m = parse(
            r#"
[package]
name = "acme.unit"
version = "1.2.3"
tenet = "^0.1"
authors = ["A"]

[dependencies]
"acme.baseline" = { path = "../baseline", version = "^1.0" }
"sector.health" = { git = "https://git.example.org/health.git", tag = "v2.0.0" }
"consult.pack" = { archive = "packs/consult-1.0.0.tar.gz", sha256 = "AB01000000000000000000000000000000000000000000000000000000000000" }
"#,
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(m.name, "acme.unit");
        assert_eq!(m.version, Version::new(1, 2, 3));
        let sources: Vec<String> =
            m.dependencies.iter().map(|d| format!("{} {}", d.name, d.source)).collect();
        assert_eq!(
            sources,
            [
                "acme.baseline path ../baseline",
                "consult.pack archive packs/consult-1.0.0.tar.gz",
                "sector.health git https://git.example.org/health.git tag v2.0.0",
            ]
        );
    }

    #[test]
    fn errors_point_into_the_file() {
        let text = "[package]\nname = \"acme\"\nversion = \"1.0\"\n";
        let e = parse(text).err().unwrap_or_else(|| unreachable!());
        assert_eq!(e.code, Code::INVALID_MANIFEST);
        let span = e.span.unwrap_or_default();
        assert_eq!(&text[span.start as usize..span.end as usize], "\"1.0\"");
        assert!(e.message.starts_with("`1.0` is not a semver version"), "{}", e.message);
    }

    #[test]
    fn rejects_ambiguous_and_unpinned_archives() {
        let two = parse(
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\n[dependencies]\nb = { path = \"x\", git = \"y\" }\n",
        );
        assert!(two.is_err_and(|e| e.message.contains("exactly one of")));
        let unhashed = parse(
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\n[dependencies]\nb = { archive = \"b.tar.gz\" }\n",
        );
        assert!(unhashed.is_err_and(|e| e.message.contains("needs a `sha256`")));
        let built_in = parse("[package]\nname = \"iso42001.mine\"\nversion = \"1.0.0\"\n");
        assert!(built_in.is_err_and(|e| e.message.contains("built into Tenet")));
    }
}
