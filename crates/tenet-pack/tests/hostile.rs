//! Hostile input for the pack loaders: random bytes and mutated archives never panic, and
//! whatever extraction accepts stays inside the pack. (The `pack` fuzz target explores the
//! same properties with coverage guidance.)
#![allow(clippy::expect_used, reason = "set-up failures in tests should fail loudly")]

use std::path::Path;

use proptest::prelude::*;
use tenet_pack::{Manifest, build_archive, unpack};

fn inside(path: &str) -> bool {
    !path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty())
}

fn sample_archive() -> Vec<u8> {
    let manifest =
        Manifest::parse(Path::new("tenet.toml"), "[package]\nname = \"acme.x\"\nversion = \"1.0.0\"\n")
            .expect("manifest");
    let files = vec![
        tenet_pack::PackFile {
            path: "tenet.toml".into(),
            bytes: b"[package]\nname = \"acme.x\"\nversion = \"1.0.0\"\n".to_vec(),
        },
        tenet_pack::PackFile { path: "rules/a.tenet".into(), bytes: b"package acme.x\n".to_vec() },
    ];
    build_archive(&manifest, &files).expect("archive")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for gzip in [true, false] {
            if let Ok(unpacked) = unpack(&bytes, gzip, Path::new("x.tar.gz")) {
                prop_assert!(unpacked.files.iter().all(|(p, _)| inside(p)));
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Manifest::parse(Path::new("tenet.toml"), &text) && let Some(span) = e.span {
            prop_assert!(span.start <= span.end && span.end as usize <= text.len());
        }
    }

    #[test]
    fn a_mutated_archive_is_refused_or_stays_inside(at in 0usize..4096, byte in any::<u8>()) {
        let mut archive = sample_archive();
        let position = at % archive.len();
        archive[position] = byte;
        if let Ok(unpacked) = unpack(&archive, true, Path::new("x.tar.gz")) {
            prop_assert!(unpacked.files.iter().all(|(p, _)| inside(p)));
            // A changed file is caught by the archive's own listing when the gzip layer
            // still decodes it.
            let _ = unpacked.check_listing(Path::new("x.tar.gz"));
        }
    }
}

#[test]
fn a_built_archive_lists_its_files_in_order_and_round_trips() {
    let archive = sample_archive();
    let unpacked = unpack(&archive, true, Path::new("x.tar.gz")).expect("unpack");
    let listing = unpacked.check_listing(Path::new("x.tar.gz")).expect("listing").expect("has a listing");
    assert_eq!(listing.name, "acme.x");
    assert_eq!(
        listing.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["rules/a.tenet", "tenet.toml"]
    );
    assert_eq!(tenet_pack::content_hash(&unpacked.content()), listing.checksum);
}
