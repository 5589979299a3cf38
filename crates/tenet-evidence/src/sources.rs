//! Which schemas read a file: the `from` globs of every schema, compiled once into one
//! `globset` matcher, and the file formats by extension.
//!
//! Globs are matched against the path relative to the evidence root, with `/` between
//! directories: `*` stays within a directory and `**` crosses directories, as in a
//! shell, so `assessments/*.md` does not reach `assessments/archive/old.md`.

use std::sync::Arc;

use globset::{GlobSet, GlobSetBuilder};
use tenet_sema::KindId;
use tenet_sema::program::Schema;
use tenet_sema::sources::GLOB_SPECIAL;

/// The schemas' source globs, compiled once for a whole set of files.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The globs of the shape `dir/*.ext`, matched by their text around the star.
    simple: Vec<SimpleGlob>,
    /// The other globs, compiled into one matcher.
    set: GlobSet,
    /// For each glob in `set`, the kind it belongs to and where in its files the kind's
    /// documents are.
    set_owners: Vec<(KindId, At)>,
    /// For each glob in `set`, the text before its first special character, which every
    /// path it matches starts with: a path that starts with none of them is not asked of
    /// the matcher (the built-in attestation schema's `attestations/**/*.md` would
    /// otherwise run a regular expression over every evidence file).
    set_prefixes: Vec<String>,
    /// Every glob as written, with its `at` and its kind, for equality.
    written: Vec<(String, At, KindId)>,
}

/// The mapping keys leading from a document of a file to the kind's documents (a schema's
/// `at`); `None` for the file's documents themselves, which is what almost every glob
/// reads, and costs nothing to hand out for every file.
pub(crate) type At = Option<Arc<[String]>>;

/// A kind whose glob matches a file, and where in the file its documents are.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Match {
    pub kind: KindId,
    pub at: At,
}

/// A glob with one `*` and no other special character: what almost every schema writes
/// (`inventory/*.yaml`). Matching it is comparing the text before and after the star, and
/// seeing that what the star stands for stays within a directory, which is what `globset`
/// does with a regular expression, at a tenth of the cost, for every evidence file.
#[derive(Debug, Clone)]
struct SimpleGlob {
    before: String,
    after: String,
    kind: KindId,
    at: At,
}

impl SimpleGlob {
    /// The glob's parts, when it has this shape.
    fn of(glob: &str, kind: KindId, at: &At) -> Option<SimpleGlob> {
        let (before, after) = glob.split_once('*')?;
        if before.contains(GLOB_SPECIAL) || after.contains(GLOB_SPECIAL) {
            return None;
        }
        Some(SimpleGlob { before: before.to_owned(), after: after.to_owned(), kind, at: at.clone() })
    }

    fn matches(&self, path: &str) -> bool {
        path.len() >= self.before.len() + self.after.len()
            && path.starts_with(&self.before)
            && path.ends_with(&self.after)
            && path
                .get(self.before.len()..path.len() - self.after.len())
                .is_some_and(|star| !star.contains('/'))
    }
}

impl Sources {
    /// Compiles the `from` globs of every schema (schema `i` is `KindId(i)`). A glob that
    /// does not compile matches nothing; the policy checker reports it (`T0312`).
    pub fn new(schemas: &[Schema]) -> Sources {
        let mut builder = GlobSetBuilder::new();
        let mut set_owners = Vec::new();
        let mut set_prefixes = Vec::new();
        let mut simple = Vec::new();
        let mut written = Vec::new();
        for (i, s) in schemas.iter().enumerate() {
            let kind = KindId(u32::try_from(i).unwrap_or(u32::MAX));
            for source in &s.sources {
                let g = &source.glob;
                let Ok(glob) = tenet_sema::sources::source_glob(g) else { continue };
                if tenet_sema::sources::place_fault(g, &source.at).is_some() {
                    continue;
                }
                let at: At = (!source.at.is_empty()).then(|| source.at.clone());
                written.push((g.clone(), at.clone(), kind));
                match SimpleGlob::of(g, kind, &at) {
                    Some(s) => simple.push(s),
                    None => {
                        builder.add(glob);
                        set_owners.push((kind, at));
                        set_prefixes.push(literal_prefix(g).to_owned());
                    }
                }
            }
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Sources { simple, set, set_owners, set_prefixes, written }
    }

    /// The kinds whose globs match `path`, in program order.
    pub fn kinds_for(&self, path: &str) -> Vec<KindId> {
        let mut kinds: Vec<KindId> = self.matches(path).into_iter().map(|m| m.kind).collect();
        kinds.dedup();
        kinds
    }

    /// The kinds whose globs match `path`, each with where its documents are in the file,
    /// in program order.
    pub(crate) fn matches(&self, path: &str) -> Vec<Match> {
        let mut matches: Vec<Match> = self
            .simple
            .iter()
            .filter(|g| g.matches(path))
            .map(|g| Match { kind: g.kind, at: g.at.clone() })
            .collect();
        if self.set_prefixes.iter().any(|p| path.starts_with(p.as_str())) {
            matches.extend(
                self.set
                    .matches(path)
                    .into_iter()
                    .filter_map(|i| self.set_owners.get(i))
                    .map(|(kind, at)| Match { kind: *kind, at: at.clone() }),
            );
        }
        matches.sort();
        matches.dedup();
        matches
    }
}

/// The text of `glob` before its first character with a meaning in globs.
fn literal_prefix(glob: &str) -> &str {
    glob.find(GLOB_SPECIAL).map_or(glob, |at| &glob[..at])
}

impl PartialEq for Sources {
    fn eq(&self, other: &Sources) -> bool {
        self.written == other.written
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
    /// CSV separated by tabs.
    Tsv,
    Markdown,
}

/// Whether Tenet reads a file at `path` (relative, with `/` between directories) as
/// evidence at all, by its extension: other files under an evidence root (a model's
/// weights, images, archives) are neither read nor kept.
pub fn reads(path: &str) -> bool {
    Format::of(path).is_some()
}

impl Format {
    /// The format of `path`, from its extension (any case); `None` for files Tenet does
    /// not read. The extensions are the checker's (`tenet_sema::sources`).
    pub fn of(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "toml" => Format::Toml,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
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

    /// Every string of up to `max` characters of `alphabet`, the empty one included.
    fn all(alphabet: &[char], max: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            out.extend(last.iter().cloned());
        }
        out
    }

    #[test]
    fn the_loader_reads_the_extensions_the_checker_names_and_no_other() {
        for (extension, _) in tenet_sema::sources::EVIDENCE_EXTENSIONS {
            assert!(reads(&format!("dir/file.{extension}")), "{extension}");
            assert!(reads(&format!("dir/file.{}", extension.to_uppercase())), "{extension}");
        }
        for other in ["txt", "bin", "png", "parquet", "safetensors", "yaml.bak", "xml", "xlsx"] {
            assert!(!reads(&format!("dir/file.{other}")), "{other}");
            assert!(!tenet_sema::sources::reads_extension(other.rsplit('.').next().unwrap_or(other)));
        }
        assert!(!reads("dir/yaml") && !reads("dir.yaml/README"));
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(Format::of("a/b.YML"), Some(Format::Yaml));
        assert_eq!(Format::of("logs/x.ndjson"), Some(Format::JsonLines));
        assert_eq!(Format::of("exports/x.TSV"), Some(Format::Tsv));
        assert_eq!(Format::of("notes.txt"), None);
        assert_eq!(Format::of("dir.yaml/README"), None);
    }

    /// Every glob of up to five characters with one star, over letters, dots and
    /// slashes, against every such path: matching by the text around the star agrees with
    /// `globset` on each.
    #[test]
    fn a_glob_with_one_star_matches_exactly_the_paths_globset_matches() {
        let paths = all(&['a', '.', '/'], 5);
        let mut globs = 0;
        for glob in all(&['a', '.', '/', '*'], 5).into_iter().filter(|g| g.matches('*').count() == 1) {
            let simple = SimpleGlob::of(&glob, KindId(0), &None).expect("one star and nothing else special");
            let Ok(compiled) = tenet_sema::sources::source_glob(&glob) else { continue };
            let matcher = compiled.compile_matcher();
            for path in &paths {
                assert_eq!(simple.matches(path), matcher.is_match(path), "glob `{glob}`, path `{path}`");
            }
            globs += 1;
        }
        assert!(globs > 400, "{globs} globs compared");
    }

    /// Every glob of up to five characters over letters, slashes and the characters globs
    /// give a meaning to, against every path of up to five characters: a path a glob
    /// matches starts with the glob's text before its first special character, which is
    /// what lets `kinds_for` skip the matcher for other paths.
    #[test]
    fn a_path_a_glob_matches_starts_with_the_glob_s_literal_prefix() {
        let paths = all(&['a', 'b', '/', '.'], 5);
        let mut compared = 0;
        for glob in all(&['a', '/', '*', '?', '[', ']', '{', '}', ',', '\\'], 5) {
            let Ok(compiled) = tenet_sema::sources::source_glob(&glob) else { continue };
            let matcher = compiled.compile_matcher();
            let prefix = literal_prefix(&glob);
            for path in paths.iter().filter(|p| matcher.is_match(p.as_str())) {
                assert!(path.starts_with(prefix), "glob `{glob}` matches `{path}`, not after `{prefix}`");
                compared += 1;
            }
        }
        assert!(compared > 10_000, "{compared} matches compared");
    }
}
