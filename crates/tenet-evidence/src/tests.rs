//! Loader tests across formats: kinds by glob and by `kind:`, locations of typed values,
//! effective dates, and the whole-set checks.

use std::borrow::Cow;
use std::sync::Arc;

use tenet_eval::KindDocs;

use tenet_sema::program::Schema;
use tenet_sema::value::{SmolStr, Value};
use tenet_sema::{CheckInput, Origin};

use super::*;

const SCHEMAS: &str = r#"
package unit
schema System from "inventory/**/*.yaml", "inventory/*.csv" {
  id: string key
  tier: "low" | "high"
  tags: [string]?
  kind: string?
}
schema Review from "reviews/*.md" {
  id: string key
  systems: [ref System]
  held: datetime effective
}
schema Note {
  id: int key
}
schema Link {
  id: string key
  note: ref Note
}
schema Tag {
  id: string key
}
"#;

fn schemas() -> Vec<Schema> {
    compiled(SCHEMAS)
}

/// The schemas of a package with no errors.
fn compiled(source: &str) -> Vec<Schema> {
    let (ast, errors) = tenet_syntax::parse(source);
    assert!(errors.is_empty(), "{errors:?}");
    let path: Arc<str> = Arc::from("unit.tenet");
    let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
    assert!(program.diagnostics.is_empty(), "{:?}", program.diagnostics);
    program.schemas
}

/// The schema that loadings typed as read and after reading are compared by: some of the
/// keys the YAML generator writes, of several types, so that documents type, fail to,
/// and have fields left over.
pub(crate) fn item_schemas() -> Vec<Schema> {
    compiled(
        "package unit\nschema Item from \"*.yaml\", \"*.jsonl\" {\n  id0: string key\n  id1: int?\n  \
         system0: string?\n  approved_on0: date?\n  tier0: bool?\n  owner0: [string]?\n}\n",
    )
}

fn load(path: &str, text: &str) -> Loaded {
    let schemas = schemas();
    load_file(path, text.as_bytes(), &schemas, &Sources::new(&schemas), &Limits::default())
}

fn kind_name(kind: KindId) -> String {
    schemas()[kind.index()].name.to_string()
}

fn messages(loaded: &Loaded) -> Vec<String> {
    loaded.diagnostics.iter().map(|d| format!("{} {}", d.code.id(), d.message)).collect()
}

#[test]
fn results_can_be_shared_across_threads_and_compared() {
    fn shareable<T: Send + Sync + Clone + PartialEq + 'static>() {}
    shareable::<Loaded>();
    shareable::<Sources>();
    shareable::<DocLocation>();
    shareable::<ValueLocation>();
}

#[test]
fn a_star_stays_in_its_directory_and_two_stars_cross_directories() {
    let schemas = schemas();
    let sources = Sources::new(&schemas);
    assert_eq!(sources.kinds_for("inventory/a.yaml"), [KindId(0)]);
    assert_eq!(sources.kinds_for("inventory/deep/er/a.yaml"), [KindId(0)]);
    assert_eq!(sources.kinds_for("inventory/a.csv"), [KindId(0)]);
    assert!(sources.kinds_for("inventory/old/a.csv").is_empty());
    assert!(sources.kinds_for("reviews/2026/r.md").is_empty());
    assert!(sources.kinds_for("elsewhere/inventory/a.yaml").is_empty());
    assert_eq!(sources, Sources::new(&schemas));
}

#[test]
fn files_no_schema_reads_are_not_evidence() {
    assert_eq!(load("notes/readme.txt", "anything"), Loaded::default());
    let broken_csv = load("elsewhere/table.csv", "a,b\n1,2,3\n\"unclosed");
    assert!(broken_csv.documents.is_empty() && broken_csv.diagnostics.is_empty());
    let plain_markdown = load("elsewhere/notes.md", "# Notes\n");
    assert!(plain_markdown.documents.is_empty() && plain_markdown.diagnostics.is_empty());
    let yaml_without_kind = load("elsewhere/config.yaml", "setting: 1\n");
    assert!(yaml_without_kind.documents.is_empty() && yaml_without_kind.diagnostics.is_empty());
}

#[test]
fn a_kind_field_places_a_document_anywhere() {
    let loaded = load("elsewhere/n.json", r#"[{"kind": "Note", "id": 7}, {"kind": "Note", "id": "x"}]"#);
    assert_eq!(loaded.documents.len(), 1);
    assert_eq!(kind_name(loaded.documents[0].0), "Note");
    assert_eq!(loaded.documents[0].1.key(), Some(&Value::Int(7)));
    assert_eq!(messages(&loaded), ["T0504 `id` must be a whole number, but it is \"x\""]);
    let markdown =
        load("elsewhere/r.md", "---\nkind: Review\nid: r\nsystems: []\nheld: 2026-01-01T00:00:00Z\n---\n");
    assert_eq!(markdown.documents.len(), 1);
}

#[test]
fn a_schema_with_a_kind_field_reads_kind_as_data() {
    let loaded = load("inventory/s.yaml", "id: s\ntier: low\nkind: Review\n");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(kind_name(loaded.documents[0].0), "System");
}

#[test]
fn a_kind_column_places_each_row() {
    let loaded = load("elsewhere/mixed.csv", "kind,id\nNote,1\nNote,2\nNope,3\n");
    assert_eq!(loaded.documents.len(), 2);
    assert_eq!(messages(&loaded), ["T0509 no evidence kind is called `Nope`"]);
}

#[test]
fn every_value_keeps_where_it_is_written() {
    let source = "- id: s1\n  tier: high\n  tags: [a, b]\n";
    let loaded = load("inventory/s.yaml", source);
    let text = loaded.text(source.as_bytes());
    let location = &loaded.locations[0];
    assert_eq!(&text[location.field(0).expect("id").span().range()], "s1");
    assert_eq!(&text[location.field(1).expect("tier").span().range()], "high");
    let tags = location.field(2).expect("tags");
    assert_eq!(&text[tags.span().range()], "[a, b]");
    assert_eq!(&text[tags.item(1).expect("b").span().range()], "b");
    assert!(location.field(3).is_none(), "an absent optional field has no location");
    let key = loaded.key_sites(&schemas()).next().expect("a key site");
    assert_eq!(key.span, location.field(0).expect("id").span());
}

#[test]
fn list_cells_of_a_csv_are_split_and_located() {
    let text = "id,tier,tags\ns1,low,\"alpha; beta\"\n";
    let loaded = load("inventory/s.csv", text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let (_, doc) = &loaded.documents[0];
    assert_eq!(
        doc.fields[2],
        Value::List(Arc::from(vec![Value::String("alpha".into()), Value::String("beta".into())]))
    );
    let tags = loaded.locations[0].field(2).expect("tags");
    assert_eq!(&loaded.text(text.as_bytes())[tags.item(1).expect("beta").span().range()], "beta");
}

#[test]
fn the_effective_date_is_the_marked_field() {
    let text = "---\nid: r1\nsystems: [s1, s2]\nheld: 2026-03-01T09:30:00Z\n---\nBody\n";
    let loaded = load("reviews/r1.md", text);
    let (_, doc) = &loaded.documents[0];
    assert_eq!(doc.effective, Some(jiff::civil::date(2026, 3, 1)));
    assert_eq!(doc.body().map(|b| &**b), Some("Body\n"));
    let sites = loaded.ref_sites(&schemas());
    let sites: Vec<(&str, &str)> = sites.iter().map(|r| (&*r.key, &text[r.span.range()])).collect();
    assert_eq!(sites, [("s1", "s1"), ("s2", "s2")]);
}

#[test]
fn keys_and_references_are_checked_across_files() {
    let schemas = schemas();
    let systems = load("inventory/a.yaml", "- id: s1\n  tier: low\n- id: s1\n  tier: high\n");
    let reviews = load("reviews/r.md", "---\nid: r\nsystems: [s1, s9]\nheld: 2026-01-01T00:00:00Z\n---\n");
    let notes = load("elsewhere/n.yaml", "kind: Review\nid: q\nsystems: [s1]\nheld: 2026-01-01T00:00:00Z\n");
    let files = [("inventory/a.yaml", &systems), ("reviews/r.md", &reviews), ("elsewhere/n.yaml", &notes)];
    let found: Vec<String> = check_across_files(&files, &schemas)
        .iter()
        .map(|d| format!("{} {} {}", d.path, d.code.id(), d.message))
        .collect();
    assert_eq!(
        found,
        [
            "inventory/a.yaml T0507 another System already has the key `s1`",
            "reviews/r.md T0506 no System has the key `s9`",
        ]
    );
    let only_reviews = check_across_files(&[("reviews/r.md", &reviews)], &schemas);
    assert_eq!(
        only_reviews[0].help.as_deref(),
        Some("no System documents were loaded at all: check the `from` globs of schema `System`")
    );
}

#[test]
fn keys_that_are_not_text_are_named_by_the_text_they_show_as() {
    let schemas = schemas();
    let notes = load("notes.yaml", "kind: Note\nid: 5\n---\nkind: Note\nid: 5\n---\nkind: Note\nid: 7\n");
    let links = load(
        "links.yaml",
        "kind: Link\nid: a\nnote: 5\n---\nkind: Link\nid: b\nnote: 05\n---\nkind: Link\nid: c\nnote: 8\n",
    );
    assert!(notes.diagnostics.is_empty() && links.diagnostics.is_empty(), "{notes:?} {links:?}");
    let found: Vec<String> = check_across_files(&[("links.yaml", &links), ("notes.yaml", &notes)], &schemas)
        .iter()
        .map(|d| format!("{} {}..{} {} {}", d.path, d.span.start, d.span.end, d.code.id(), d.message))
        .collect();
    assert_eq!(
        found,
        [
            "notes.yaml 36..37 T0507 another Note already has the key `5`",
            "links.yaml 52..54 T0506 no Note has the key `05`",
            "links.yaml 82..83 T0506 no Note has the key `8`",
        ]
    );
}

#[test]
fn a_kinds_keys_read_from_its_index_are_its_keys_read_from_a_table() {
    let schemas = schemas();
    let systems =
        load("inventory/a.yaml", "- id: s1\n  tier: low\n- id: s2\n  tier: high\n- id: s1\n  tier: high\n");
    let more = load("inventory/b.yaml", "- id: s2\n  tier: low\n- id: s3\n  tier: low\n");
    let notes = load("notes.yaml", "kind: Note\nid: 5\n---\nkind: Note\nid: 7\n---\nkind: Note\nid: 5\n");
    // No reference names a Tag: its table keeps no list of key texts.
    let tags = load("tags.yaml", "kind: Tag\nid: red\n---\nkind: Tag\nid: blue\n---\nkind: Tag\nid: red\n");
    let files = [
        ("inventory/a.yaml", &systems),
        ("inventory/b.yaml", &more),
        ("notes.yaml", &notes),
        ("tags.yaml", &tags),
    ];
    let located =
        |i: usize| files.get(i).map_or_else(|| Cow::Owned(Loaded::default()), |(_, l)| Cow::Borrowed(*l));
    let path_of = |file: u32| files.get(file as usize).map_or("?", |(path, _)| *path);
    let probes: Vec<SmolStr> = ["s1", "s2", "s3", "s4", "5", "05", "7", "8", "five", "red", "blue", "green"]
        .map(SmolStr::new)
        .to_vec();
    let kind_of = |name: &str| KindId(schemas.iter().position(|s| &*s.name == name).expect(name) as u32);
    let (system, note, tag) = (kind_of("System"), kind_of("Note"), kind_of("Tag"));
    for kind in [system, note, tag] {
        let table = KindKeys::new(kind, &files, &schemas, &located);
        let (mut docs, mut places) = (Vec::new(), Vec::new());
        for (file, (_, loaded)) in files.iter().enumerate() {
            for (position, (k, doc)) in loaded.documents.iter().enumerate() {
                if *k == kind {
                    docs.push(doc.clone());
                    places.push((file as u32, position as u32));
                }
            }
        }
        let fields = schemas[kind.index()].record.fields.len();
        let place_of = |i: u32| places[i as usize];
        let index = KindKeys::of_kind(
            kind,
            Arc::new(KindDocs::new(docs, fields)),
            &place_of,
            &path_of,
            &schemas,
            &located,
        );
        let shown = |keys: &KindKeys| -> Vec<String> {
            let mut out: Vec<String> = keys
                .duplicates
                .iter()
                .map(|d| {
                    format!(
                        "{} {}..{} {} ({})",
                        d.path, d.span.start, d.span.end, d.message, d.related[0].path
                    )
                })
                .collect();
            out.sort();
            out.extend(probes.iter().map(|p| format!("{p}: {}", keys.contains(p))));
            out
        };
        assert_eq!(shown(&index), shown(&table), "{}", kind_name(kind));
        assert_eq!(table.duplicates.len(), if kind == system { 2 } else { 1 });
        let found: Vec<bool> = probes.iter().map(|p| table.contains(p)).collect();
        let expected = |keys: &[&str]| probes.iter().map(|p| keys.contains(&p.as_str())).collect::<Vec<_>>();
        let keys: &[&str] = match kind {
            k if k == system => &["s1", "s2", "s3"],
            k if k == note => &["5", "7"],
            _ => &["red", "blue"],
        };
        assert_eq!(found, expected(keys), "{}", kind_name(kind));
    }
}

#[test]
fn diagnostics_come_in_file_order() {
    let loaded = load("inventory/s.yaml", "- id: a\n  tier: mid\n- id: b\n  tier: top\n  colour: red\n");
    let starts: Vec<u32> = loaded.diagnostics.iter().map(|d| d.span.start).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
    assert_eq!(loaded.diagnostics.len(), 3);
}

#[test]
fn the_text_is_the_bytes_unless_decoding_changed_it() {
    let plain = "id: s1\ntier: high\n";
    let loaded = load("inventory/s.yaml", plain);
    assert!(loaded.decoded.is_none(), "UTF-8 as it stands is not copied");
    assert_eq!(loaded.text(plain.as_bytes()), plain);

    let marked = "\u{FEFF}id: s1\ntier: high\n";
    let loaded = load("inventory/s.yaml", marked);
    assert_eq!(loaded.text(marked.as_bytes()), "id: s1\ntier: high\n", "the byte-order mark is dropped");
    let location = &loaded.locations[0];
    assert_eq!(&loaded.text(marked.as_bytes())[location.field(0).expect("id").span().range()], "s1");
}

#[test]
fn fields_type_in_any_order_with_booleans_in_words_and_digits_grouped() {
    let (ast, errors) = tenet_syntax::parse(
        r#"
package unit
schema Flag from "flags/*.yaml" {
  id: string key
  on: bool
  count: int
  state: "true" | "false"
}
"#,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let path: Arc<str> = Arc::from("unit.tenet");
    let schemas =
        tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]).schemas;
    let sources = Sources::new(&schemas);
    // The first document writes its fields in another order than the schema's; the second
    // in the schema's order, with one field more.
    let text = "- count: 1_000\n  on: Yes\n  state: true\n  id: a\n- id: b\n  on: NO\n  count: 7\n  state: false\n  colour: red\n";
    let located = load_file("flags/f.yaml", text.as_bytes(), &schemas, &sources, &Limits::default());
    let unlocated =
        load_file_unlocated("flags/f.yaml", text.as_bytes(), &schemas, &sources, &Limits::default());
    let fields = |loaded: &Loaded| -> Vec<Vec<Value>> {
        loaded.documents.iter().map(|(_, doc)| doc.fields.to_vec()).collect()
    };
    let text_value = |s: &str| Value::string(s);
    assert_eq!(
        fields(&located),
        [
            vec![text_value("a"), Value::Bool(true), Value::Int(1000), text_value("true")],
            vec![text_value("b"), Value::Bool(false), Value::Int(7), text_value("false")],
        ]
    );
    assert_eq!(fields(&unlocated), fields(&located));
    assert_eq!(messages(&located), messages(&unlocated));
    assert_eq!(messages(&located), ["T0508 this Flag has no field `colour`; no rule can read it"]);
    assert_eq!(located.locations.len(), 2);
    assert!(unlocated.locations.is_empty());
    let count = located.locations[0].field(2).expect("count");
    assert_eq!(&text[count.span().range()], "1_000");
}

#[test]
fn a_glob_that_crosses_directories_finds_its_kind_at_any_depth_under_its_prefix() {
    let sources = Sources::new(&schemas());
    let system = vec![KindId(0)];
    assert_eq!(sources.kinds_for("inventory/eu/2026/systems.yaml"), system);
    assert_eq!(sources.kinds_for("inventory/systems.yaml"), system);
    assert_eq!(sources.kinds_for("inventory/systems.csv"), system);
    assert_eq!(sources.kinds_for("inventory/eu/systems.csv"), Vec::<KindId>::new());
    assert_eq!(sources.kinds_for("archive/inventory/systems.yaml"), Vec::<KindId>::new());
    assert_eq!(sources.kinds_for("reviews/r1.md"), vec![KindId(1)]);
}

/// Schemas that read documents at places in their files (`at`).
fn placed_schemas() -> Vec<Schema> {
    compiled(
        r#"
package unit
schema System from "registers/*.json" at "records", "registers/*.yaml" at "data.systems",
  "registers/*.jsonl" at "event.system", "registers/sheets/*" at "records" {
  id: string key
  kind: string?
}
schema Review from "registers/*.yaml" at "reviews", "registers/*.toml" at "reviews" {
  id: string key
}
"#,
    )
}

fn load_placed(path: &str, text: &str) -> Loaded {
    let schemas = placed_schemas();
    load_file(path, text.as_bytes(), &schemas, &Sources::new(&schemas), &Limits::default())
}

/// Each document's kind and key, in order.
fn kinds_and_keys(loaded: &Loaded, schemas: &[Schema]) -> Vec<String> {
    loaded
        .documents
        .iter()
        .map(|(kind, doc)| format!("{} {}", schemas[kind.index()].name, doc.key_text().unwrap_or_default()))
        .collect()
}

#[test]
fn a_glob_with_a_place_reads_the_documents_there_and_nothing_else() {
    let schemas = placed_schemas();
    let register = r#"{"meta": {"n": 2}, "records": [{"id": "a"}, {"id": "b", "kind": "model"}]}"#;
    let loaded = load_placed("registers/export.json", register);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    // `kind` is a field of System, so it is data here too.
    assert_eq!(kinds_and_keys(&loaded, &schemas), ["System a", "System b"]);
    // One file, two kinds, each from its own key, a path two keys deep included.
    let yaml = "data:\n  systems:\n    - id: s1\nreviews:\n  - id: r1\n  - id: r2\n";
    assert_eq!(
        kinds_and_keys(&load_placed("registers/both.yaml", yaml), &schemas),
        ["System s1", "Review r1", "Review r2"]
    );
    // TOML's arrays of tables, and one mapping standing for one document.
    let toml = "title = \"Reviews\"\n\n[[reviews]]\nid = \"t1\"\n\n[[reviews]]\nid = \"t2\"\n";
    assert_eq!(kinds_and_keys(&load_placed("registers/r.toml", toml), &schemas), ["Review t1", "Review t2"]);
    // Also when the array of tables is all the file holds.
    let only = "[[reviews]]\nid = \"t3\"\n\n[[reviews]]\nid = \"t4\"\n";
    let loaded = load_placed("registers/only.toml", only);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(kinds_and_keys(&loaded, &schemas), ["Review t3", "Review t4"]);
    let lines =
        "{\"event\": {\"system\": {\"id\": \"j1\"}}}\n{\"event\": {\"system\": [{\"id\": \"j2\"}]}}\n";
    assert_eq!(
        kinds_and_keys(&load_placed("registers/e.jsonl", lines), &schemas),
        ["System j1", "System j2"]
    );
    // Nothing there, or an empty list, is no documents and no error.
    let empty = load_placed("registers/empty.yaml", "data:\n  systems: []\nreviews:\n");
    assert_eq!((empty.documents.len(), empty.diagnostics.len()), (0, 0));
}

#[test]
fn a_document_without_the_place_is_an_error_at_the_key_that_leads_there() {
    let text = "data:\n  other: 1\nreviews: text\n";
    let loaded = load_placed("registers/wrong.yaml", text);
    assert_eq!(
        messages(&loaded),
        [
            "T0511 `data` has no `systems`, where System documents are read (`at \"data.systems\"`)",
            "T0511 `reviews` is \"text\", not a list of Review documents",
        ]
    );
    let at: Vec<&str> =
        loaded.diagnostics.iter().map(|d| &text[d.span.start as usize..d.span.end as usize]).collect();
    assert_eq!(at, ["data", "reviews"]);
    let list = load_placed("registers/list.json", "[{\"id\": \"a\"}]");
    assert_eq!(
        messages(&list),
        [
            "T0511 the document is a list, not a mapping with `records`, where System documents are read (`at \"records\"`)"
        ]
    );
    // A glob without an extension that reaches a spreadsheet: it has no keys.
    let csv = load_placed("registers/sheets/sheet.csv", "id\na\n");
    assert_eq!(
        messages(&csv),
        ["T0511 System documents are read at `records`, but a CSV file's rows have no keys to find it by"]
    );
}

#[test]
fn each_entry_of_a_mapping_read_at_a_star_is_a_document_named_by_its_key() {
    let schemas = compiled(
        "package unit\nschema Vendor from \"v/*.yaml\" at \"vendors.*\", \"v/*.json\" at \"*\" {\n  id: string key\n  country: string?\n}\n",
    );
    let load = |path: &str, text: &str| {
        load_file(path, text.as_bytes(), &schemas, &Sources::new(&schemas), &Limits::default())
    };
    let text =
        "vendors:\n  lumen:\n    country: NL\n  orbit:\n    id: orbit\n  bare:\n  mirage:\n    id: other\n";
    let loaded = load("v/a.yaml", text);
    assert_eq!(kinds_and_keys(&loaded, &schemas), ["Vendor lumen", "Vendor orbit", "Vendor bare"]);
    assert_eq!(
        messages(&loaded),
        ["T0511 the entry `mirage` writes its `id` as \"other\"; an entry's name is its document's key"]
    );
    // The key is written where the entry's name is, and the document is cited there.
    let located = &loaded.locations[0];
    let key_span = located.field(0).expect("the key").span();
    assert_eq!(&text[key_span.range()], "lumen");
    assert_eq!(loaded.documents[0].1.citation.line, 2);
    // The file itself a mapping of entries; a list there is not one.
    let json = load("v/b.json", r#"{"atlas": {"country": "SE"}, "beacon": {}}"#);
    assert_eq!(kinds_and_keys(&json, &schemas), ["Vendor atlas", "Vendor beacon"]);
    let list = load("v/c.yaml", "vendors:\n  - id: x\n");
    assert_eq!(messages(&list), ["T0511 `vendors.*` is a list, not a mapping of Vendor documents"]);
}

#[test]
fn documents_at_a_place_load_alike_typed_as_read_and_after_reading() {
    let schemas = placed_schemas();
    for (path, text) in [
        ("registers/both.yaml", "data:\n  systems:\n    - id: s1\n    - id: 2\nreviews:\n  - id: r1\n"),
        ("registers/e.jsonl", "{\"event\": {\"system\": {\"id\": \"j1\"}}}\n{\"event\": 1}\n{\"x\": \n"),
    ] {
        assert!(crate::load::loadings_agree(path, text, &schemas, &Limits::default()).is_ok(), "{path}");
    }
}

#[test]
fn a_source_whose_place_names_nothing_reads_no_file() {
    let source = "package unit\nschema S from \"a/*.json\" at \"records..x\", \"b/*.csv\" at \"rows\", \"c/*.json\" {\n  id: string key\n}\n";
    let (ast, _) = tenet_syntax::parse(source);
    let path: Arc<str> = Arc::from("unit.tenet");
    let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
    // The checker reports both (`T0314`); the loader reads neither anywhere.
    assert_eq!(program.diagnostics.iter().map(|d| d.code.id()).collect::<Vec<_>>(), ["T0314", "T0314"]);
    let schemas = program.schemas;
    let sources = Sources::new(&schemas);
    assert!(sources.kinds_for("a/x.json").is_empty() && sources.kinds_for("b/x.csv").is_empty());
    assert_eq!(sources.kinds_for("c/x.json"), [KindId(0)]);
}

#[test]
fn a_file_the_globs_of_two_kinds_select_is_read_as_the_first_and_says_so() {
    let schemas = compiled(
        "package unit\nschema System from \"inventory/**/*.yaml\" {\n  id: string key\n}\n\
         schema Meta from \"inventory/*.yaml\" {\n  id: string key\n}\n\
         schema Extra from \"inventory/a.yaml\" {\n  id: string key\n}\n",
    );
    let sources = Sources::new(&schemas);
    let load = |path: &str| load_file(path, b"- id: a\n", &schemas, &sources, &Limits::default());
    let both = load("inventory/a.yaml");
    assert_eq!(kinds_and_keys(&both, &schemas), ["System a"]);
    assert_eq!(
        messages(&both),
        [
            "T0512 the `from` globs of `System` and of `Meta` and `Extra` select this file: its documents are read as `System`, the first of them, and `Meta` and `Extra` get none of them"
        ]
    );
    let two = load("inventory/b.yaml");
    assert_eq!(
        messages(&two),
        [
            "T0512 the `from` globs of `System` and of `Meta` select this file: its documents are read as `System`, the first of them, and `Meta` gets none of them"
        ]
    );
    assert_eq!(two.diagnostics[0].severity, tenet_diagnostics::Severity::Warning);
    assert!(messages(&load("inventory/deeper/c.yaml")).is_empty(), "only System's glob selects it");
}

#[test]
fn a_key_is_read_without_the_spaces_around_it_as_references_are() {
    let loaded = load("inventory/s.csv", "id,tier\n s1 ,high\n\"s2\t\",low\n");
    let keys: Vec<String> = loaded.documents.iter().filter_map(|(_, d)| d.key_text()).collect();
    assert_eq!(keys, ["s1", "s2"]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
}

#[test]
fn a_field_the_schema_lacks_is_one_warning_a_file_however_many_documents_write_it() {
    let text = "- id: a\n  tier: low\n  notes: 1\n- id: b\n  tier: low\n  notes: 2\n\
                - id: c\n  tier: high\n  notes: 3\n  colour: red\n";
    let loaded = load("inventory/reg.yaml", text);
    assert_eq!(loaded.documents.len(), 3);
    assert_eq!(
        messages(&loaded),
        [
            "T0508 this System has no field `notes`; no rule can read it, here or in the 2 other documents of this file that write it",
            "T0508 this System has no field `colour`; no rule can read it",
        ]
    );
    assert_eq!(support_span(&loaded, 0), text.find("notes").unwrap());
}

/// Where diagnostic `i` starts.
fn support_span(loaded: &Loaded, i: usize) -> usize {
    loaded.diagnostics[i].span.start as usize
}

#[test]
fn whole_numbers_written_as_floats_are_read_and_numbers_out_of_range_say_so() {
    let schemas = compiled(
        "package unit\nschema Metric from \"m/*.yaml\" {\n  id: string key\n  count: int\n  latency: float?\n}\n",
    );
    let sources = Sources::new(&schemas);
    let load = |text: &str| load_file("m/a.yaml", text.as_bytes(), &schemas, &sources, &Limits::default());
    let read = load("- id: a\n  count: 1.0\n- id: b\n  count: 1e2\n");
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let counts: Vec<&Value> = read.documents.iter().map(|(_, d)| &d.fields[1]).collect();
    assert_eq!(counts, [&Value::Int(1), &Value::Int(100)]);
    let refused = load(
        "- id: c\n  count: 1.5\n- id: d\n  count: 99999999999999999999\n- id: e\n  count: 1\n  latency: 1e400\n",
    );
    assert_eq!(
        messages(&refused),
        [
            "T0504 `count` must be a whole number, but it is \"1.5\"",
            "T0504 `count` is 99999999999999999999, beyond the whole numbers Tenet holds (up to 9223372036854775807)",
            "T0504 `latency` is 1e400, beyond the largest number Tenet holds (about 1.8e308)",
        ]
    );
}

#[test]
fn an_empty_key_is_an_error_and_its_document_unread() {
    let loaded = load("inventory/e.yaml", "- id: \"\"\n  tier: low\n- id: ok\n  tier: low\n");
    assert_eq!(messages(&loaded), ["T0503 `id` is empty, but it is this System's key"]);
    assert_eq!(loaded.documents.len(), 1);
    assert_eq!(loaded.unread.len(), 1);
    assert!(loaded.unread[0].1.one_document);
}

#[test]
fn a_date_field_whose_format_is_refused_is_left_empty_without_blaming_each_document() {
    let source = "package unit\nschema Review from \"r/*.csv\" {\n  id: string key\n  held_on: date format \"%Y/%m\"\n  \
                  other: date format \"%d.%m.%Y\"\n}\n";
    let (ast, errors) = tenet_syntax::parse(source);
    assert!(errors.is_empty(), "{errors:?}");
    let path: Arc<str> = Arc::from("unit.tenet");
    let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
    // The policy says what is wrong, once.
    let codes: Vec<&str> = program.diagnostics.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["T0213"]);
    let schemas = program.schemas;
    let text = "id,held_on,other\nr1,2026/05,01.02.2026\nr2,2026/06,03.04.2026\n";
    let loaded = load_file("r/a.csv", text.as_bytes(), &schemas, &Sources::new(&schemas), &Limits::default());
    assert_eq!(messages(&loaded), Vec::<String>::new());
    assert_eq!(loaded.documents.len(), 2);
    let fields: Vec<&[Value]> = loaded.documents.iter().map(|(_, d)| &*d.fields).collect();
    assert_eq!(fields[0][1], Value::None);
    assert_eq!(fields[0][2], Value::Date(jiff::civil::date(2026, 2, 1)));
}

#[test]
fn a_column_without_a_name_warns_at_its_first_value_unless_it_is_empty_throughout() {
    let loaded = load("inventory/s.csv", "id,,tier,\ns1,,low,\ns2,Alice,high,\n");
    assert_eq!(
        messages(&loaded),
        ["T0508 column 2 has no name in the header, so no rule can read its values, such as \"Alice\""]
    );
    let span = loaded.diagnostics[0].span;
    assert_eq!(&"id,,tier,\ns1,,low,\ns2,Alice,high,\n"[span.start as usize..span.end as usize], "Alice");
    assert_eq!(loaded.documents.len(), 2);
    let clean = load("inventory/s.csv", "id,tier,\ns1,low,\ns2,high,\n");
    assert_eq!(messages(&clean), Vec::<String>::new());
}

#[test]
fn a_document_naming_no_kind_is_lost_to_the_kind_it_most_likely_meant() {
    // No glob selects the file: the kind is the one the misspelled name is closest to.
    let loaded = load("misc/x.yaml", "kind: Sytem\nid: s9\ntier: low\n");
    assert_eq!(messages(&loaded), ["T0509 no evidence kind is called `Sytem`"]);
    assert_eq!(loaded.unread.len(), 1);
    let (kind, unread) = &loaded.unread[0];
    assert_eq!(
        (kind_name(*kind).as_str(), unread.key.as_deref(), unread.one_document),
        ("System", Some("s9"), true)
    );
    // A name close to none is lost to the file's kind, and with no such kind, to none.
    let far = load("reviews/r.md", "---\nkind: Quux\nid: r1\n---\n");
    assert_eq!(far.unread.iter().map(|(k, _)| kind_name(*k)).collect::<Vec<_>>(), ["Review"]);
    assert!(load("misc/z.yaml", "kind: Quux\nid: q\n").unread.is_empty());
}
