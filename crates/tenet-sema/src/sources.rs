//! What a schema's `from` globs may say: how a glob is read, and which files Tenet reads as
//! evidence at all. The checker holds globs to these rules, and the evidence loader
//! matches files with the same ones, so a glob the checker accepts matches what it says.

/// A `from` glob compiled as evidence paths are matched: `*` and `?` stay within a
/// directory, `**` crosses directories, and `\` escapes a special character.
pub fn source_glob(glob: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(glob).literal_separator(true).backslash_escape(true).build()
}

/// The characters that mean something in a glob.
pub const GLOB_SPECIAL: [char; 7] = ['*', '?', '[', ']', '{', '}', '\\'];

/// The extensions (in lower case) of the files Tenet reads as evidence, with the format
/// each is read as. Any other file under an evidence root is neither read nor kept.
pub const EVIDENCE_EXTENSIONS: [(&str, &str); 9] = [
    ("yaml", "YAML"),
    ("yml", "YAML"),
    ("json", "JSON"),
    ("jsonl", "JSON Lines"),
    ("ndjson", "JSON Lines"),
    ("toml", "TOML"),
    ("csv", "CSV"),
    ("md", "Markdown"),
    ("markdown", "Markdown"),
];

/// The extension every file `glob` matches ends in, when the glob writes one out
/// literally in its last part (`inventory/*.yaml`): `None` for a glob whose last part has
/// no extension or one with special characters in it (`*.{yaml,json}`).
pub fn literal_extension(glob: &str) -> Option<&str> {
    let name = glob.rsplit('/').next().unwrap_or(glob);
    let (_, extension) = name.rsplit_once('.')?;
    (!extension.is_empty() && !extension.contains(GLOB_SPECIAL)).then_some(extension)
}

/// The format Tenet reads files with this extension (any case) as, such as `"CSV"`.
pub fn format_of_extension(extension: &str) -> Option<&'static str> {
    EVIDENCE_EXTENSIONS.iter().find(|(e, _)| e.eq_ignore_ascii_case(extension)).map(|(_, format)| *format)
}

/// What makes an `at` name no place in a glob's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceFault {
    /// A key in the dotted path is empty (`records..x`, `.records`).
    EmptyKey,
    /// The glob selects files of a format without keys: `"CSV"` or `"Markdown"`.
    Keyless(&'static str),
    /// `*` (each entry a document) anywhere but last.
    EntriesNotLast,
}

/// The last key of an `at` that makes each entry of the mapping there a document, named
/// by its key: `at "systems.*"` reads `systems: {triage: {…}, scorer: {…}}`.
pub const ENTRIES: &str = "*";

/// What is wrong with reading documents at `at` (its keys) in the files `glob` selects,
/// if anything. The checker reports it (`T0314`), and the loader reads such a source
/// nowhere, as it does a glob that does not compile.
pub fn place_fault(glob: &str, at: &[String]) -> Option<PlaceFault> {
    if at.is_empty() {
        return None;
    }
    if at.iter().any(String::is_empty) {
        return Some(PlaceFault::EmptyKey);
    }
    if at.iter().rev().skip(1).any(|k| k == ENTRIES) {
        return Some(PlaceFault::EntriesNotLast);
    }
    literal_extension(glob)
        .and_then(format_of_extension)
        .filter(|format| matches!(*format, "CSV" | "Markdown"))
        .map(PlaceFault::Keyless)
}

/// Whether Tenet reads files with this extension (any case) as evidence.
pub fn reads_extension(extension: &str) -> bool {
    EVIDENCE_EXTENSIONS.iter().any(|(e, _)| e.eq_ignore_ascii_case(extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_names_its_files_extension_only_when_it_writes_it_out() {
        for (glob, extension) in [
            ("inventory/*.yaml", Some("yaml")),
            ("notes/**/*.TXT", Some("TXT")),
            ("a.b/*.csv", Some("csv")),
            ("cards/*.yaml.bak", Some("bak")),
            ("models/*", None),
            ("a.b/*", None),
            ("*.{yaml,json}", None),
            ("*.y?ml", None),
            ("*.", None),
            ("**", None),
        ] {
            assert_eq!(literal_extension(glob), extension, "{glob}");
        }
    }

    #[test]
    fn extensions_are_read_in_any_case_and_others_not_at_all() {
        assert!(reads_extension("yaml") && reads_extension("YML") && reads_extension("Markdown"));
        assert!(!reads_extension("txt") && !reads_extension("bin") && !reads_extension(""));
    }
}
