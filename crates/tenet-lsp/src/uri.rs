//! URIs to the paths the database names files by, and back. Files on disk are `file:`
//! URIs; the built-in packs, embedded in the binary, are read-only documents under the
//! `tenet-stdlib:` scheme (`tenet-stdlib:/iso42001/annex_a.tenet`), whose text the client
//! asks for with the `tenet/virtualText` request.

use std::str::FromStr;

use tenet_stdlib::PATH_PREFIX;
use tower_lsp_server::ls_types::Uri;

/// The scheme of the built-in packs' documents.
pub const STDLIB_SCHEME: &str = "tenet-stdlib";

/// The database path of the document at `uri`: an absolute path with `/` separators for
/// files, `<stdlib>/…` for the built-in packs, the URI itself for unsaved (`untitled:`)
/// buffers. `None` for schemes the server does not serve.
pub fn path_of(uri: &Uri) -> Option<String> {
    match uri.scheme().as_str() {
        "file" => uri.to_file_path().map(|p| tenet_db::display_path(&p)),
        STDLIB_SCHEME => {
            let path = uri.path().decode().to_string_lossy().into_owned();
            Some(format!("{PATH_PREFIX}{}", path.trim_start_matches('/')))
        }
        "untitled" => Some(uri.as_str().to_owned()),
        _ => None,
    }
}

/// The URI of a database path.
pub fn uri_of(path: &str) -> Option<Uri> {
    if let Some(rest) = path.strip_prefix(PATH_PREFIX) {
        return Uri::from_str(&format!("{STDLIB_SCHEME}:/{rest}")).ok();
    }
    if path.starts_with("untitled:") {
        return Uri::from_str(path).ok();
    }
    Uri::from_file_path(path)
}

/// True for the built-in packs, which are never edited.
pub fn is_stdlib(path: &str) -> bool {
    path.starts_with(PATH_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_paths_round_trip() {
        let uri = uri_of("<stdlib>/tenet/attestation.tenet").unwrap();
        assert_eq!(uri.as_str(), "tenet-stdlib:/tenet/attestation.tenet");
        assert_eq!(path_of(&uri).as_deref(), Some("<stdlib>/tenet/attestation.tenet"));
    }

    #[test]
    fn file_paths_round_trip_with_non_ascii_names() {
        let uri = uri_of("/tmp/pol icies/é.tenet").unwrap();
        assert_eq!(path_of(&uri).as_deref(), Some("/tmp/pol icies/é.tenet"));
    }

    #[test]
    fn other_schemes_are_not_served() {
        assert_eq!(path_of(&Uri::from_str("https://example.invalid/a.tenet").unwrap()), None);
    }
}
