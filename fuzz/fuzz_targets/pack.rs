//! Any bytes as a pack archive (gzip or plain tar), a manifest and a lockfile: no panic,
//! and whatever an archive yields is a relative path inside the pack.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for gzip in [true, false] {
        if let Ok(unpacked) = tenet_pack::unpack(data, gzip, Path::new("fuzz.tar.gz")) {
            for (path, _) in &unpacked.files {
                assert!(!path.starts_with('/') && !path.split('/').any(|p| p == ".." || p.is_empty()), "{path}");
            }
            let _ = unpacked.check_listing(Path::new("fuzz.tar.gz"));
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Err(e) = tenet_pack::Manifest::parse(Path::new("tenet.toml"), &text)
        && let Some(span) = e.span
    {
        assert!(span.end as usize <= text.len() && span.start <= span.end);
    }
    let _ = toml::from_str::<tenet_pack::Lockfile>(&text);
});
