//! Real documents, not ones written for the tests: the US federal AI use case inventory
//! of 2024 (both releases, as kept in `policies/us-federal-inventory/evidence/`; one is
//! UTF-8 with a byte-order mark, the other Windows-1252 with question wording as column
//! names), Hugging Face model cards (`tests/data/model-cards/`, see its README), and a UK
//! transparency register whose records sit under a key (`tests/data/registers/`).
#![allow(clippy::expect_used, clippy::panic, reason = "test set-up fails loudly")]

mod support;

use std::path::{Path, PathBuf};

use tenet_evidence::{Limits, Loaded, Sources, ValueLocation, load_file};
use tenet_sema::program::Schema;
use tenet_sema::value::Value;

fn inventory(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../policies/us-federal-inventory/evidence/inventory")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(path: &str, bytes: &[u8], schemas: &[Schema]) -> Loaded {
    load_file(path, bytes, schemas, &Sources::new(schemas), &Limits::default())
}

fn schema<'a>(schemas: &'a [Schema], name: &str) -> &'a Schema {
    schemas.iter().find(|s| &*s.name == name).expect("schema")
}

fn field<'a>(
    schema: &Schema,
    loaded: &'a Loaded,
    doc: usize,
    name: &str,
) -> (&'a Value, Option<ValueLocation>) {
    let (i, _) = schema.record.field(name).expect("field");
    let (_, d) = &loaded.documents[doc];
    (&d.fields[i], loaded.locations[doc].field(i))
}

const FIRST_RELEASE: &str = r#"
package real
schema UseCase from "inventory/2024_consolidated_ai_inventory_raw.csv" {
  name: string key as "2_use_case_name"
  agency: string as "3_agency"
  stage: string? as "16_dev_stage"
  impact_type: "Neither" | "Both" | "Rights-Impacting" | "Safety-impacting"? as "17_impact_type"
  implemented: string? as "20_date_implemented"
}
"#;

#[test]
fn the_first_release_loads_with_its_byte_order_mark_and_real_quirks() {
    let schemas = support::schemas(FIRST_RELEASE);
    let bytes = inventory("2024_consolidated_ai_inventory_raw.csv");
    let loaded = load("inventory/2024_consolidated_ai_inventory_raw.csv", &bytes, &schemas);
    let text = loaded.text(&bytes);
    // Five rows write `Safety-Impacting` with a capital I: each is an error at its cell,
    // with the spelling the schema allows as help; the other rows load.
    let enum_errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.code.id() == "T0505").collect();
    assert_eq!(enum_errors.len(), 5);
    for d in &enum_errors {
        assert_eq!(support::underlined(text, d), "Safety-Impacting");
        assert_eq!(d.help.as_deref(), Some("did you mean \"Safety-impacting\"?"));
    }
    assert_eq!(loaded.documents.len(), 1757 - 5);
    // The columns no field reads are one warning, at the first of them.
    let unread: Vec<_> = loaded.diagnostics.iter().filter(|d| d.code.id() == "T0508").collect();
    assert_eq!(unread.len(), 1);
    assert!(
        unread[0].message.starts_with(
            "57 of the 62 columns are not fields of UseCase (`3_abr`, `4_bureau`, `8_topic_area`, …)"
        ),
        "{}",
        unread[0].message
    );
    assert_eq!(loaded.diagnostics.len(), 6, "{:#?}", loaded.diagnostics);
    // `Rights-Impacting` followed by a line break inside quotes is the enum value, and its
    // location is the quoted cell across two lines.
    let schema = schema(&schemas, "UseCase");
    let rights = (0..loaded.documents.len())
        .find(|&i| matches!(field(schema, &loaded, i, "impact_type").0, Value::String(s) if &**s == "Rights-Impacting"))
        .expect("a rights-impacting use");
    let (_, at) = field(schema, &loaded, rights, "impact_type");
    assert_eq!(&text[at.expect("located").span().range()], "\"Rights-Impacting\n\"");
    // The byte-order mark is gone from the text, so the first header is found by name.
    assert!(text.starts_with("2_use_case_name,"));
    let (name, at) = field(schema, &loaded, 0, "name");
    assert_eq!(loaded.documents[0].1.citation.line, 2);
    assert_eq!(Some(text[at.expect("located").span().range()].to_owned()), as_written(name));
}

/// A string value as a CSV cell writes it.
fn as_written(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.contains([',', '"', '\n']) => Some(format!("\"{}\"", s.replace('"', "\"\""))),
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn second_release(encoding: &str) -> String {
    format!(
        r#"
package real
schema UseCaseV2 from "inventory/2024_consolidated_ai_inventory_raw_v2.csv" {encoding} {{
  name: string as "Use Case Name"
  agency: string as "Agency"
  outputs: string? as "Describe the AI system’s outputs."
  impact_type: string? as "Is the AI use case rights-impacting, safety-impacting, both, or neither?"
}}
"#
    )
}

#[test]
fn the_windows_1252_release_needs_its_encoding_declared() {
    let bytes = inventory("2024_consolidated_ai_inventory_raw_v2.csv");
    let path = "inventory/2024_consolidated_ai_inventory_raw_v2.csv";

    let undeclared = load(path, &bytes, &support::schemas(&second_release("")));
    assert!(undeclared.documents.is_empty());
    assert_eq!(undeclared.diagnostics.len(), 1, "{:#?}", undeclared.diagnostics);
    let d = &undeclared.diagnostics[0];
    assert_eq!(d.code.id(), "T0501");
    // The first curly apostrophe of the header, in `Describe the AI system’s outputs.`
    let shown = support::show(d, undeclared.text(&bytes));
    assert!(shown.starts_with("1:"), "{shown}");
    assert!(d.message.ends_with("(0x92) starts an invalid sequence"), "{}", d.message);
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("schema `UseCaseV2`") && h.contains("encoding \"windows-1252\""))
    );

    // Declared, it loads; the header repeats "If Other, please explain." eight times,
    // which is no error while no field reads that column.
    let schemas = support::schemas(&second_release("encoding \"windows-1252\""));
    let declared = load(path, &bytes, &schemas);
    let errors: Vec<_> = declared.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(declared.documents.len(), 2133);
    // The header with the curly apostrophe was matched: most rows describe their outputs.
    let v2 = schema(&schemas, "UseCaseV2");
    let described = (0..declared.documents.len())
        .filter(|&i| matches!(field(v2, &declared, i, "outputs").0, Value::String(_)))
        .count();
    assert!(described > 1000, "{described}");
}

const MODEL_CARD: &str = r#"
package real
schema ModelCard from "models/*.md" {
  license: [string]
  language: [string]?
  datasets: [string]?
  tags: [string]?
  evaluations: [{
    name: string,
    results: [{ task: { name: string, type: string, args: string? },
                dataset: { name: string, type: string, args: string? },
                metrics: [{ name: string, type: string, value: float }] }]
  }]? as "model-index"
}
"#;

fn card(name: &str) -> (String, Vec<u8>) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/model-cards").join(name);
    (format!("models/{name}"), std::fs::read(path).expect("card"))
}

#[test]
fn a_real_model_card_loads_with_its_front_matter_body_and_sections() {
    let schemas = support::schemas(MODEL_CARD);
    let schema = schema(&schemas, "ModelCard");
    let (path, bytes) = card("distilbert-base-cased_README.md");
    let loaded = load(&path, &bytes, &schemas);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(loaded.documents.len(), 1);
    let (_, doc) = &loaded.documents[0];
    let strings = |v: &Value| match v {
        Value::List(items) => items.iter().map(ToString::to_string).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    // `license: apache-2.0` is one item of a list field; `datasets` is a YAML list.
    assert_eq!(strings(field(schema, &loaded, 0, "license").0), ["apache-2.0"]);
    let (datasets, at) = field(schema, &loaded, 0, "datasets");
    assert_eq!(strings(datasets), ["bookcorpus", "wikipedia"]);
    let second = at.as_ref().and_then(|l| l.item(1)).expect("item location").span();
    assert_eq!(&loaded.text(&bytes)[second.range()], "wikipedia");
    let body = doc.body().map(|b| &**b).expect("body");
    assert!(body.starts_with("\n# Model Card for DistilBERT base model (cased)"));
    assert_eq!(&loaded.text(&bytes)[loaded.locations[0].body.expect("body span").range()], body);
    let titles: Vec<&str> = doc.sections().iter().map(|(t, _)| &**t).collect();
    assert!(titles.contains(&"Limitations and bias"), "{titles:?}");
    assert!(titles.contains(&"Evaluation results"), "{titles:?}");
    // `# ...` comments inside the fenced Python examples are not headings.
    assert!(!titles.iter().any(|t| t.contains("import") || t.starts_with(">>>")), "{titles:?}");
}

#[test]
fn a_card_whose_license_is_a_list_and_one_with_a_model_index() {
    let schemas = support::schemas(MODEL_CARD);
    let schema = schema(&schemas, "ModelCard");
    let (path, bytes) = card("keras-io_ocr-for-captcha_README.md");
    let keras = load(&path, &bytes, &schemas);
    assert!(keras.diagnostics.is_empty(), "{:#?}", keras.diagnostics);
    assert!(matches!(field(schema, &keras, 0, "license").0, Value::List(l) if l.len() == 1));

    let (path, bytes) = card("Helsinki-NLP_opus-mt-tc-big-en-fr_README.md");
    let helsinki = load(&path, &bytes, &schemas);
    assert!(helsinki.diagnostics.is_empty(), "{:#?}", helsinki.diagnostics);
    let (evaluations, at) = field(schema, &helsinki, 0, "evaluations");
    let Value::List(evaluations) = evaluations else { panic!("{evaluations:?}") };
    let Value::Record(first) = &evaluations[0] else { panic!() };
    let Value::List(results) = &first[1] else { panic!() };
    assert!(results.len() > 5, "{}", results.len());
    // The first BLEU score, followed through nested records and lists to where it is written.
    let value_at = at
        .as_ref()
        .and_then(|l| l.item(0))
        .and_then(|l| l.field(1))
        .and_then(|l| l.item(0))
        .and_then(|l| l.field(2))
        .and_then(|l| l.item(0))
        .and_then(|l| l.field(2))
        .expect("nested location");
    assert_eq!(&helsinki.text(&bytes)[value_at.span().range()], "52.2");
}

const REGISTER: &str = r#"
package real
schema TransparencyRecord from "registers/uk_atrs_*.json" at "records" {
  url: string key
  publishing_body: string
  tool_name: string
  published: datetime
  description: string
  listed_organisations: [string]
}
"#;

#[test]
fn a_register_that_wraps_its_records_loads_them_from_under_their_key() {
    let schemas = support::schemas(REGISTER);
    let name = "uk_atrs_records_published_2024.json";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/registers").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let loaded = load(&format!("registers/{name}"), &bytes, &schemas);
    let text = loaded.text(&bytes);
    // The export's `meta` is not a record, so nothing in it is reported; each record's
    // `title`, which the schema leaves out, is one warning. Every record loads.
    let warned: Vec<String> =
        loaded.diagnostics.iter().map(|d| format!("{} {}", d.code.id(), d.message)).collect();
    // One warning for the field, not one a record.
    assert_eq!(
        warned,
        [
            "T0508 this TransparencyRecord has no field `title`; no rule can read it, here or in the 22 other documents of this file that write it"
        ]
    );
    assert_eq!(loaded.documents.len(), 23);
    let schema = schema(&schemas, "TransparencyRecord");
    let (tool, at) = field(schema, &loaded, 0, "tool_name");
    assert_eq!(as_written(tool).as_deref(), Some("Pension Calculator"));
    let Some(ValueLocation::Scalar(span)) = at else { panic!("{at:?}") };
    assert_eq!(&text[span.start as usize..span.end as usize], "\"Pension Calculator\"");
    let (organisations, _) = field(schema, &loaded, 0, "listed_organisations");
    assert!(matches!(organisations, Value::List(items) if items.len() == 3), "{organisations:?}");
    // Each record is cited at its own line in the file.
    let (_, first) = &loaded.documents[0];
    assert_eq!((first.citation.line, first.citation.column), (10, 3));
}

#[test]
fn the_inventorys_us_dates_read_with_the_format_the_schema_declares() {
    let schemas = support::schemas(
        r#"
package real
schema UseCase from "inventory/2024_consolidated_ai_inventory_raw.csv" {
  name: string key as "2_use_case_name"
  initiated: date? as "18_date_initiated" format "%m/%d/%Y"
}
"#,
    );
    let bytes = inventory("2024_consolidated_ai_inventory_raw.csv");
    let loaded = load("inventory/2024_consolidated_ai_inventory_raw.csv", &bytes, &schemas);
    let text = loaded.text(&bytes);
    // 1,191 rows write a month, a day and a year, one or two digits each, and 514 leave the
    // cell blank; the other 52 write something else (`N/A` 17 times, `24-Nov`, `Q4FY25`,
    // `2022-08 (estimated)`, …), each an error at its cell that names the format.
    let wrong: Vec<_> = loaded.diagnostics.iter().filter(|d| d.code.id() == "T0504").collect();
    assert_eq!(wrong.len(), 52);
    assert!(wrong.iter().all(|d| d.message.contains("a date written as `%m/%d/%Y`")), "{:?}", wrong[0]);
    let not_applicable = wrong.iter().filter(|d| support::underlined(text, d) == "N/A").count();
    assert_eq!(not_applicable, 17);
    assert_eq!(loaded.documents.len(), 1757 - 52);
    let schema = schema(&schemas, "UseCase");
    assert_eq!(field(schema, &loaded, 0, "initiated").0, &Value::Date(jiff::civil::date(2023, 7, 1)));
    let dated =
        (0..loaded.documents.len()).filter(|&i| field(schema, &loaded, i, "initiated").0 != &Value::None);
    assert_eq!(dated.count(), 1191);
    // Said to mean no value, `N/A` and `Unknown` are empty cells: 18 fewer errors.
    let schemas = support::schemas(
        r#"
package real
schema UseCase from "inventory/2024_consolidated_ai_inventory_raw.csv" none "N/A", "unknown" {
  name: string key as "2_use_case_name"
  initiated: date? as "18_date_initiated" format "%m/%d/%Y"
}
"#,
    );
    let loaded = load("inventory/2024_consolidated_ai_inventory_raw.csv", &bytes, &schemas);
    let wrong = loaded.diagnostics.iter().filter(|d| d.code.id() == "T0504").count();
    assert_eq!((wrong, loaded.documents.len()), (52 - 18, 1757 - 34));
}
