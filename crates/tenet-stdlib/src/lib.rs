//! The packs that ship inside the `tenet` binary (`tenet`, `iso42001`, `eu_ai_act`,
//! `nist_ai_rmf`), embedded at build time from the repository's `stdlib/` directory (their
//! `tests/` directories stay in the repository, for `tenet test stdlib`).

include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// The prefix under which embedded files are shown, so they are never mistaken for files
/// on disk.
pub const PATH_PREFIX: &str = "<stdlib>/";

/// The embedded files, with paths as diagnostics show them (`<stdlib>/iso42001/…`).
pub fn files() -> impl Iterator<Item = (String, &'static str)> {
    FILES.iter().map(|(path, text)| (format!("{PATH_PREFIX}{path}"), *text))
}

/// The text of an embedded file, by its shown path.
pub fn text(path: &str) -> Option<&'static str> {
    let relative = path.strip_prefix(PATH_PREFIX)?;
    FILES.iter().find(|(p, _)| *p == relative).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_prelude_is_embedded() {
        assert!(
            super::text("<stdlib>/tenet/attestation.tenet").is_some_and(|t| t.contains("schema Attestation"))
        );
    }
}
