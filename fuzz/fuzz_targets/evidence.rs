//! Any bytes as any evidence format, with default and with tiny limits: no panic, no
//! stack overflow, every span inside the loaded text (renderers slice it with them),
//! documents typed as they are read equal to those typed after the whole file is read, and
//! each diagnostic rendered from an excerpt of the file as from the whole of it.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use tenet_evidence::{Limits, Sources, load_file, load_file_unlocated};
use tenet_sema::program::Schema;
use tenet_sema::{CheckInput, Origin};

const SCHEMAS: &str = r#"
package fuzz
schema System from "inventory/*.yaml", "inventory/*.json", "inventory/*.jsonl", "inventory/*.toml", "inventory/*.csv", "inventory/*.tsv" {
  id: string key
  tier: "low" | "high"
  deployed: bool
  since: date?
  tags: [string]?
  owner: { name: string, email: string? }?
}
schema Review from "reviews/*.md", "legacy/*.csv" encoding "windows-1252" delimiter ";" decimal "," header 2 {
  id: string key
  systems: [ref System]
  held: datetime effective
  every: duration?
  findings: int?
  score: float?
}
schema Entry from "registers/*.yaml" at "data.entries", "registers/*.json" at "records",
  "registers/*.jsonl" at "event", "registers/*.toml" at "entries", "registers/*.toml" at "more.entries",
  "registers/*" at "records", "registers/*.yml" at "entries.*" none "N/A", "-" {
  id: string key
  kind: string?
  since: date? format "%d/%m/%Y"
  held: [date] format "%d %b %Y"
}
"#;

const PATHS: [&str; 16] = [
    "inventory/f.yaml",
    "inventory/f.json",
    "inventory/f.jsonl",
    "inventory/f.toml",
    "inventory/f.csv",
    "inventory/f.tsv",
    "legacy/f.csv",
    "reviews/f.md",
    "elsewhere/f.yaml",
    "elsewhere/f.csv",
    "registers/f.yaml",
    "registers/f.json",
    "registers/f.jsonl",
    "registers/f.toml",
    "registers/f.csv",
    "registers/f.yml",
];

fn program() -> &'static (Vec<Schema>, Sources) {
    static PROGRAM: OnceLock<(Vec<Schema>, Sources)> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let (ast, _) = tenet_syntax::parse(SCHEMAS);
        let path: Arc<str> = Arc::from("fuzz.tenet");
        let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
        let sources = Sources::new(&program.schemas);
        (program.schemas, sources)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let (schemas, sources) = program();
    let path = PATHS[usize::from(which & 0x7F) % PATHS.len()];
    let limits = if which & 0x80 == 0 {
        Limits::default()
    } else {
        Limits { max_file_bytes: 1 << 16, max_depth: 4, max_documents: 3, max_nodes: 100 }
    };
    let loaded = load_file(path, bytes, schemas, sources, &limits);
    let text = loaded.text(bytes);
    let inside = |span: tenet_diagnostics::Span| text.get(span.range()).is_some();
    for d in &loaded.diagnostics {
        assert!(inside(d.span), "{path}: {:?} for {}", d.span, d.message);
    }
    for location in &loaded.locations {
        assert!(inside(location.span));
        for field in location.fields().flatten() {
            assert!(inside(field.span()));
        }
    }
    for site in loaded.key_sites(schemas) {
        assert!(inside(site.span), "{path}: key site {:?}", site.span);
    }
    for site in loaded.ref_sites(schemas) {
        assert!(inside(site.span), "{path}: reference site {:?}", site.span);
    }
    assert_eq!(loaded.documents.len(), loaded.locations.len());
    // Each diagnostic as people see it: an excerpt of the file renders as the whole file.
    let texts: std::collections::HashMap<String, String> = [(path.to_owned(), text.to_owned())].into();
    if let Err(e) = tenet_diagnostics::render::excerpts_agree(&loaded.diagnostics, &texts) {
        panic!("{path}: {e}");
    }
    // What a database keeps: the same file, all but the locations.
    let unlocated = load_file_unlocated(path, bytes, schemas, sources, &limits);
    assert_eq!(unlocated.documents, loaded.documents, "{path}");
    assert_eq!(unlocated.diagnostics, loaded.diagnostics, "{path}");
    assert!(unlocated.locations.is_empty(), "{path}");
    // The whole-set checks over this one file: no panic, every span inside.
    for d in tenet_evidence::check_across_files(&[(path, &loaded)], schemas) {
        assert!(inside(d.span), "{path}: {:?} for {}", d.span, d.message);
    }
    // A kind's keys read from its key index (what a long-lived database does) are its
    // keys read from a table: the same duplicates, and the same answer for every key and
    // reference written.
    let files = [(path, &loaded)];
    let located = |_: usize| std::borrow::Cow::Borrowed(&loaded);
    let path_of = |_: u32| path;
    let mut probes: Vec<tenet_sema::value::SmolStr> =
        loaded.ref_sites(schemas).into_iter().map(|r| r.key).collect();
    probes.extend(loaded.key_sites(schemas).map(|k| k.key));
    for kind in tenet_sema::KindId::all(schemas.len()) {
        let table = tenet_evidence::KindKeys::new(kind, &files, schemas, &located);
        let (mut docs, mut places) = (Vec::new(), Vec::new());
        for (position, (k, doc)) in loaded.documents.iter().enumerate() {
            if *k == kind {
                docs.push(doc.clone());
                places.push((0u32, position as u32));
            }
        }
        let fields = schemas[kind.index()].record.fields.len();
        let place_of = |i: u32| places[i as usize];
        let docs = Arc::new(tenet_eval::KindDocs::new(docs, fields));
        let index = tenet_evidence::KindKeys::of_kind(kind, docs, &place_of, &path_of, schemas, &located);
        let shown = |keys: &tenet_evidence::KindKeys| {
            let mut out: Vec<String> = keys
                .duplicates
                .iter()
                .map(|d| format!("{:?} {} {:?}", d.span, d.message, d.related))
                .collect();
            out.sort();
            out.extend(probes.iter().map(|p| format!("{p}: {}", keys.contains(p))));
            out
        };
        assert_eq!(shown(&index), shown(&table), "{path}");
    }
    // The documents of a YAML or JSON Lines file typed as its reader gives them are
    // those typed after reading them all.
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Err(both) = tenet_evidence::fuzzing::loadings_agree(path, text, schemas, &limits)
    {
        panic!("{path}: typed as read, and after reading, differ\n{both}");
    }
});
