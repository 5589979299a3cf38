//! Which schemas read a file: the `from` globs of every schema, compiled once into one
//! `globset` matcher, and the file formats by extension.
//!
//! Globs are matched against the path relative to the evidence root, with `/` between
//! directories: `*` stays within a directory and `**` crosses directories, as in a
//! shell, so `assessments/*.md` does not reach `assessments/archive/old.md`.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use tenet_sema::KindId;
use tenet_sema::program::Schema;

/// The schemas' source globs, compiled once for a whole set of files.
#[derive(Debug, Clone)]
pub struct Sources {
    set: GlobSet,
    /// For each glob in `set`, the kind it belongs to.
    owners: Vec<KindId>,
    /// The globs as written, for equality.
    written: Vec<String>,
}

impl Sources {
    /// Compiles the `from` globs of every schema (schema `i` is `KindId(i)`). A glob that
    /// does not compile matches nothing; the policy checker reports it.
    pub fn new(schemas: &[Schema]) -> Sources {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        let mut written = Vec::new();
        for (i, s) in schemas.iter().enumerate() {
            for g in &s.sources {
                let Ok(glob) = GlobBuilder::new(g).literal_separator(true).backslash_escape(true).build()
                else {
                    continue;
                };
                builder.add(glob);
                owners.push(KindId(u32::try_from(i).unwrap_or(u32::MAX)));
                written.push(g.clone());
            }
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Sources { set, owners, written }
    }

    /// The kinds whose globs match `path`, in program order.
    pub fn kinds_for(&self, path: &str) -> Vec<KindId> {
        let mut kinds: Vec<KindId> =
            self.set.matches(path).into_iter().filter_map(|i| self.owners.get(i).copied()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

impl PartialEq for Sources {
    fn eq(&self, other: &Sources) -> bool {
        self.owners == other.owners && self.written == other.written
    }
}

/// The formats Tenet reads, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Yaml,
    Json,
    JsonLines,
    Toml,
    Csv,
    Markdown,
}

impl Format {
    /// The format of `path`, from its extension (any case); `None` for files Tenet does
    /// not read.
    pub fn of(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "toml" => Format::Toml,
            "csv" => Format::Csv,
            "md" | "markdown" => Format::Markdown,
            _ => return None,
        })
    }

    /// Formats whose documents may name their kind (`kind:`) and so are evidence even
    /// where no schema's glob reaches them.
    pub fn self_describing(self) -> bool {
        matches!(self, Format::Yaml | Format::Json | Format::JsonLines | Format::Toml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(Format::of("a/b.YML"), Some(Format::Yaml));
        assert_eq!(Format::of("logs/x.ndjson"), Some(Format::JsonLines));
        assert_eq!(Format::of("notes.txt"), None);
        assert_eq!(Format::of("dir.yaml/README"), None);
    }
}
