//! Loading never panics and never points outside the text, whatever the bytes: every
//! corpus file is mutated many times (deterministically from a seed, so a failure
//! reproduces) and loaded as each format. A panic inside the loader would surface as its
//! "failed while reading" diagnostic; spans must lie on character boundaries of the
//! loaded text, since every renderer slices the text with them.
//!
//! The same check runs under `cargo fuzz` (`fuzz/fuzz_targets/evidence.rs`) for longer;
//! `TENET_FUZZ_ROUNDS` and `TENET_FUZZ_SEED` run this one longer or differently.
#![allow(clippy::expect_used, clippy::panic, reason = "test set-up fails loudly")]

mod support;

use std::path::Path;

use tenet_diagnostics::Span;
use tenet_evidence::{Limits, Loaded, Sources, ValueLocation, check_across_files, load_file};
use tenet_sema::program::Schema;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const SPECIAL: &[&[u8]] = &[
    b"\"",
    b"'",
    b",",
    b"\n",
    b"\r\n",
    b"\t",
    b":",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"---\n",
    b"&a ",
    b"*a",
    b"<<: ",
    b"\\u",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xE9",
    b"\x92",
    b"\0",
    b"#",
    b"=",
    b"[[x]]\n",
    b"...\n",
    b"kind: ",
    b"2026-02-30",
    b"-0x",
    b"!!str ",
    b"? ",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 => out.truncate(at),
            1 => {
                let special = SPECIAL[rng.below(SPECIAL.len())];
                out.splice(at..at, special.iter().copied());
            }
            2 if at < out.len() => {
                out.remove(at);
            }
            3 if at < out.len() => out[at] = (rng.next() & 0xFF) as u8,
            _ => {
                let end = (at + rng.below(16)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
        }
    }
    out
}

fn check_spans(loaded: &Loaded, bytes: &[u8], schemas: &[Schema], what: &str) {
    let text = loaded.text(bytes);
    let ok = |span: Span| text.get(span.range()).is_some();
    for d in &loaded.diagnostics {
        assert!(!d.message.contains("failed while reading"), "{what}: the loader panicked");
        assert!(ok(d.span), "{what}: diagnostic span {:?} outside the text: {}", d.span, d.message);
    }
    fn value(loc: &ValueLocation, ok: &dyn Fn(Span) -> bool, what: &str) {
        assert!(ok(loc.span()), "{what}: value span {:?}", loc.span());
        let mut i = 0;
        while let Some(item) = loc.item(i).or_else(|| loc.field(i)) {
            value(item, ok, what);
            i += 1;
        }
    }
    for location in &loaded.locations {
        assert!(ok(location.span), "{what}: document span");
        location.fields().flatten().for_each(|l| value(&l, &ok, what));
    }
    let keys = loaded.key_sites(schemas).map(|k| k.span);
    for site in keys.chain(loaded.ref_sites(schemas).iter().map(|r| r.span)) {
        assert!(ok(site), "{what}: key or reference span");
    }
    assert_eq!(loaded.documents.len(), loaded.locations.len(), "{what}");
}

#[test]
fn mutated_corpus_files_never_panic_or_point_outside_the_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let schemas = support::schemas(&std::fs::read_to_string(root.join("schema.tenet")).expect("schema"));
    let sources = Sources::new(&schemas);
    let mut inputs = Vec::new();
    let mut dirs = vec![root.join("evidence")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_none_or(|e| e != "expected") {
                inputs.push(std::fs::read(&path).expect("read"));
            }
        }
    }
    inputs.sort();
    // Small limits reach the limit paths too.
    let limits =
        [Limits::default(), Limits { max_depth: 3, max_documents: 2, max_nodes: 50, max_file_bytes: 400 }];
    let paths = [
        "inventory/m.yaml",
        "inventory/m.json",
        "inventory/m.jsonl",
        "inventory/m.toml",
        "training/m.csv",
        "legacy/m.csv",
        "assessments/m.md",
        "reviews/m.yaml",
        "elsewhere/m.csv",
    ];
    let rounds: usize = std::env::var("TENET_FUZZ_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(100);
    let seed: u64 =
        std::env::var("TENET_FUZZ_SEED").ok().and_then(|r| r.parse().ok()).unwrap_or(0x5EED_1234_ABCD_0042);
    let mut rng = Rng(seed | 1);
    let mut loaded_all = Vec::new();
    for (n, input) in inputs.iter().enumerate() {
        for round in 0..rounds {
            let bytes = mutate(&mut rng, input);
            let path = paths[rng.below(paths.len())];
            let limits = &limits[round % limits.len()];
            let loaded = load_file(path, &bytes, &schemas, &sources, limits);
            check_spans(&loaded, &bytes, &schemas, &format!("input {n}, round {round}, {path}"));
            if round == 0 {
                loaded_all.push((path, loaded));
            }
        }
    }
    let pairs: Vec<(&str, &Loaded)> = loaded_all.iter().map(|(p, l)| (*p, l)).collect();
    check_across_files(&pairs, &schemas);
}
