//! `tenet.lock`: every resolved pack with its source, exact revision and content hash.
//! Written in name order with one layout, so it diffs well and two runs write the same
//! bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tenet_diagnostics::{Code, Span};

use crate::error::{PackError, Result};

/// The lockfile's name.
pub const LOCK_FILE: &str = "tenet.lock";

const HEADER: &str = "# tenet.lock: written by `tenet pack`; commit it.\n# `tenet check` verifies every pack below against its checksum before it reads a rule.\n";

/// The lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lockfile {
    /// The format's version.
    pub version: u32,
    /// Every pack, by name.
    #[serde(default, rename = "pack")]
    pub packs: Vec<LockedPack>,
}

/// One resolved pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedPack {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where it comes from: `path+DIR`, `git+URL?tag=T`, `archive+LOCATION`.
    pub source: String,
    /// The exact commit of a git pack, or `sha256:` of an archive's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The sha256 of its normalised content.
    pub checksum: String,
    /// The packs it depends on directly.
    #[serde(default)]
    pub dependencies: Vec<String>,
}

impl Lockfile {
    /// Reads the lockfile at `path`; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<(Lockfile, String)>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(PackError::new(
                    Code::LOCK_OUT_OF_DATE,
                    path,
                    format!("cannot read `{}`: {e}", path.display()),
                ));
            }
        };
        let lock: Lockfile = toml::from_str(&text).map_err(|e| {
            PackError::new(
                Code::LOCK_OUT_OF_DATE,
                path,
                format!("the lockfile cannot be read: {}", e.message().trim_end()),
            )
            .at(e.span().map(|r| Span::from_usize(r.start, r.end)))
            .with_help("restore it from version control, or run `tenet pack update` to write a new one")
        })?;
        if lock.version != 1 {
            return Err(PackError::new(
                Code::LOCK_OUT_OF_DATE,
                path,
                format!("lockfile version {} is not supported", lock.version),
            ));
        }
        Ok(Some((lock, text)))
    }

    /// The text to write.
    pub fn render(&self) -> String {
        let mut sorted = self.clone();
        sorted.version = 1;
        sorted.packs.sort_by(|a, b| a.name.cmp(&b.name));
        for pack in &mut sorted.packs {
            pack.dependencies.sort();
        }
        format!("{HEADER}{}", toml::to_string(&sorted).unwrap_or_default())
    }

    /// The entry for a pack.
    pub fn get(&self, name: &str) -> Option<&LockedPack> {
        self.packs.iter().find(|p| p.name == name)
    }
}

/// Where a pack's entry is in the lockfile's text, for errors about it.
pub fn entry_span(text: &str, name: &str) -> Option<Span> {
    let needle = format!("name = \"{name}\"");
    text.find(&needle).map(|start| Span::from_usize(start, start + needle.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_and_reads_back() {
        let lock = Lockfile {
            version: 1,
            packs: vec![
                LockedPack {
                    name: "b".into(),
                    version: "1.0.0".into(),
                    source: "git+https://example.org/b.git?tag=v1.0.0".into(),
                    revision: Some("0123".into()),
                    checksum: "sha256:00".into(),
                    dependencies: vec!["z".into(), "a".into()],
                },
                LockedPack {
                    name: "a".into(),
                    version: "2.0.0".into(),
                    source: "path+../a".into(),
                    revision: None,
                    checksum: "sha256:11".into(),
                    dependencies: vec![],
                },
            ],
        };
        let text = lock.render();
        assert_eq!(
            text,
            "# tenet.lock: written by `tenet pack`; commit it.\n# `tenet check` verifies every pack below against its checksum before it reads a rule.\nversion = 1\n\n[[pack]]\nname = \"a\"\nversion = \"2.0.0\"\nsource = \"path+../a\"\nchecksum = \"sha256:11\"\ndependencies = []\n\n[[pack]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"git+https://example.org/b.git?tag=v1.0.0\"\nrevision = \"0123\"\nchecksum = \"sha256:00\"\ndependencies = [\"a\", \"z\"]\n"
        );
        let back: Lockfile = toml::from_str(&text).unwrap_or_default();
        assert_eq!(back.packs.len(), 2);
        assert_eq!(
            entry_span(&text, "b").map(|s| &text[s.start as usize..s.end as usize]),
            Some("name = \"b\"")
        );
    }
}
