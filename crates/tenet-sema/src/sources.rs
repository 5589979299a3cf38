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
pub const EVIDENCE_EXTENSIONS: [(&str, &str); 10] = [
    ("yaml", "YAML"),
    ("yml", "YAML"),
    ("json", "JSON"),
    ("jsonl", "JSON Lines"),
    ("ndjson", "JSON Lines"),
    ("toml", "TOML"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
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

/// The format of every file `glob` selects, when its last part writes out an extension
/// Tenet reads (`inventory/*.yaml` is `"YAML"`).
pub fn format_of_glob(glob: &str) -> Option<&'static str> {
    literal_extension(glob).and_then(format_of_extension)
}

/// What makes an `at` name no place in a glob's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceFault {
    /// A key in the dotted path is empty (`records..x`, `.records`).
    EmptyKey,
    /// The glob selects files of a format without keys: `"CSV"`, `"TSV"` or `"Markdown"`.
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
    format_of_glob(glob)
        .filter(|format| matches!(*format, "CSV" | "TSV" | "Markdown"))
        .map(PlaceFault::Keyless)
}

/// Whether `glob` may select files of `format` (`"CSV"`), which a schema's CSV dialect
/// applies to: it writes out one of the format's extensions, or no extension at all
/// (`exports/*`, `*.{csv,json}`).
pub fn may_select(glob: &str, format: &str) -> bool {
    literal_extension(glob).is_none_or(|extension| format_of_extension(extension) == Some(format))
}

/// What keeps `written` from separating a CSV file's cells, if anything: it must be one
/// ASCII character that is not a letter, a digit, a quote or a line break.
pub fn delimiter_fault(written: &str) -> Option<&'static str> {
    let mut chars = written.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Some("a delimiter is one character");
    };
    match c {
        _ if !c.is_ascii() => Some("a delimiter is an ASCII character"),
        _ if c.is_ascii_alphanumeric() => Some("letters and digits are the cells' own text"),
        '"' => Some("a quote encloses a cell that holds the delimiter"),
        '\n' | '\r' => Some("a line break ends a row"),
        _ => None,
    }
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
    fn a_delimiter_is_one_ascii_character_that_is_not_text_a_quote_or_a_line_break() {
        for good in [",", ";", "\t", "|", " ", ":", "^"] {
            assert_eq!(delimiter_fault(good), None, "{good:?}");
        }
        for (bad, fault) in [
            ("", "a delimiter is one character"),
            (";;", "a delimiter is one character"),
            ("§", "a delimiter is an ASCII character"),
            ("x", "letters and digits are the cells' own text"),
            ("0", "letters and digits are the cells' own text"),
            ("\"", "a quote encloses a cell that holds the delimiter"),
            ("\n", "a line break ends a row"),
            ("\r", "a line break ends a row"),
        ] {
            assert_eq!(delimiter_fault(bad), Some(fault), "{bad:?}");
        }
    }

    #[test]
    fn a_glob_may_select_csv_files_when_it_names_them_or_no_extension() {
        for glob in ["exports/*.csv", "x/**/*.CSV", "exports/*", "*.{csv,json}"] {
            assert!(may_select(glob, "CSV"), "{glob}");
        }
        for glob in ["exports/*.tsv", "inventory/*.yaml", "notes/*.md", "exports/*.csv.bak"] {
            assert!(!may_select(glob, "CSV"), "{glob}");
        }
        assert!(may_select("exports/*.TSV", "TSV") && may_select("exports/*", "TSV"));
        assert_eq!(format_of_glob("inventory/**/*.yml"), Some("YAML"));
        assert_eq!(format_of_glob("exports/*"), None);
        assert_eq!(format_of_glob("exports/*.bak"), None);
    }

    #[test]
    fn extensions_are_read_in_any_case_and_others_not_at_all() {
        assert!(reads_extension("yaml") && reads_extension("YML") && reads_extension("Markdown"));
        assert!(!reads_extension("txt") && !reads_extension("bin") && !reads_extension(""));
    }
}
