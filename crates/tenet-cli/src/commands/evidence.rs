//! Evidence authoring aids derived from schemas: `tenet evidence template KIND` prints a
//! filled-in skeleton with each field's documentation, and `tenet schema export` writes a
//! JSON Schema per kind so editors can complete and validate evidence files.

use std::fmt::Write;
use std::path::Path;

use serde_json::{Map, Value as Json, json};
use tenet_db::{Database, OsSystem, load_workspace, program};
use tenet_sema::program::{Program, Schema};
use tenet_sema::ty::{FieldDef, Ty};

use crate::cli::{SchemaExportArgs, TemplateArgs, TemplateFormat};
use crate::exit::Exit;
use crate::output::invocation_error;

fn load_program(path: Option<&Path>) -> Result<(Database, tenet_db::WorkspaceFiles), Exit> {
    let mut db = Database::default();
    let root = path.map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
    let root = if root.exists() { root } else { Path::new(".").to_path_buf() };
    match load_workspace(&mut db, &OsSystem, &root) {
        Ok(loaded) => Ok((db, loaded)),
        Err(e) => {
            invocation_error(&e.to_string());
            Err(Exit::Errors)
        }
    }
}

/// `tenet evidence template KIND`
pub fn template(args: &TemplateArgs) -> Exit {
    let (db, loaded) = match load_program(args.path.as_deref()) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let program = program(&db, loaded.workspace);
    // Kinds of built-in packs the workspace does not use are still worth a template.
    let mut builtin_db = Database::default();
    let mut probe = tenet_db::MemorySystem::new();
    probe.write("builtin/probe.tenet", "package probe\nuse iso42001\n");
    let builtin = load_workspace(&mut builtin_db, &probe, Path::new("builtin")).ok();
    let builtin_program = builtin.as_ref().map(|b| tenet_db::program(&builtin_db, b.workspace));
    let (program, schema) = match find_schema(program, &args.kind) {
        Some(schema) => (program, Some(schema)),
        None => match builtin_program {
            Some(p) => (p, find_schema(p, &args.kind)),
            None => (program, None),
        },
    };
    let Some(schema) = schema else {
        let names: Vec<&str> = program.schemas.iter().map(|s| &*s.name).collect();
        let hint = tenet_sema::did_you_mean(&args.kind, names.iter().copied())
            .map(|b| format!("; did you mean `{b}`?"))
            .unwrap_or_default();
        invocation_error(&format!("no evidence kind named `{}`{hint}", args.kind));
        return Exit::Errors;
    };
    let format = args.format.unwrap_or_else(|| {
        let extension = |s: &tenet_sema::program::Source| {
            tenet_sema::sources::format_of_glob(&s.glob).unwrap_or_default()
        };
        // A kind read only from one format gets a template in it.
        let all = |formats: &[&str]| {
            !schema.sources.is_empty() && schema.sources.iter().all(|s| formats.contains(&extension(s)))
        };
        if schema.sources.iter().any(|s| extension(s) == "Markdown") {
            TemplateFormat::Markdown
        } else if all(&["CSV", "TSV"]) {
            TemplateFormat::Csv
        } else if all(&["TOML"]) {
            TemplateFormat::Toml
        } else if all(&["JSON Lines"]) {
            TemplateFormat::Jsonl
        } else if all(&["JSON", "JSON Lines"]) {
            TemplateFormat::Json
        } else {
            TemplateFormat::Yaml
        }
    });
    print!("{}", render_template(program, schema, format, crate::commands::today(args.as_of)));
    Exit::Clean
}

/// A kind by plain or qualified name (`AiSystem`, `iso42001.AiSystem`).
fn find_schema<'p>(program: &'p Program, name: &str) -> Option<&'p Schema> {
    program.schemas.iter().find(|s| {
        *s.name == *name
            || program
                .packages
                .get(s.package.index())
                .is_some_and(|p| format!("{}.{}", p.name, s.name) == name)
    })
}

/// The skeleton of one document of `schema`: YAML, Markdown with front matter, or a CSV
/// header and row.
pub fn render_template(
    program: &Program,
    schema: &Schema,
    format: TemplateFormat,
    today: jiff::civil::Date,
) -> String {
    match format {
        TemplateFormat::Csv => return csv_template(schema, today),
        TemplateFormat::Toml => return super::structured_template::toml_template(program, schema, today),
        TemplateFormat::Json | TemplateFormat::Jsonl => {
            let one_line = format == TemplateFormat::Jsonl;
            return super::structured_template::json_template(program, schema, today, one_line);
        }
        TemplateFormat::Yaml | TemplateFormat::Markdown => {}
    }
    let mut yaml = String::new();
    if let Some(doc) = &schema.doc {
        for line in doc.lines() {
            let _ = writeln!(yaml, "# {line}");
        }
    }
    if !schema.sources.is_empty() {
        let sources: Vec<String> = schema
            .sources
            .iter()
            .map(|s| {
                if s.at.is_empty() { s.glob.clone() } else { format!("{} at \"{}\"", s.glob, s.at.join(".")) }
            })
            .collect();
        let _ = writeln!(yaml, "# Tenet reads this kind from: {}", sources.join(", "));
    }
    let _ = writeln!(yaml, "kind: {}", schema.name);
    for field in &schema.record.fields {
        field_lines(program, field, 0, today, &mut yaml);
    }
    match format {
        TemplateFormat::Yaml
        | TemplateFormat::Csv
        | TemplateFormat::Toml
        | TemplateFormat::Json
        | TemplateFormat::Jsonl => yaml,
        TemplateFormat::Markdown => {
            format!(
                "---\n{yaml}---\n\n# {}\n\nWrite the document here; rules can read its sections by heading.\n",
                schema.name
            )
        }
    }
}

/// What a template says of a field beside its sample: its type, whether it is the key,
/// the effective date or optional, and how its dates are written.
pub(crate) fn field_notes(program: &Program, field: &FieldDef) -> Vec<String> {
    let optional = matches!(field.ty, Ty::Optional(_));
    let mut notes = vec![match &field.date_format {
        // The field's own format is noted below, in place of the usual one.
        Some(_) => type_name(program, &field.ty).replace("date (YYYY-MM-DD)", "date"),
        None => type_name(program, &field.ty),
    }];
    if field.key {
        notes.push("key: unique across all documents of this kind".to_owned());
    }
    if field.effective {
        notes.push("the date this document speaks for".to_owned());
    }
    if optional {
        notes.push("optional".to_owned());
    }
    if let Some(format) = &field.date_format {
        notes.push(format!("written as `{format}`"));
    }
    notes
}

fn field_lines(
    program: &Program,
    field: &FieldDef,
    indent: usize,
    today: jiff::civil::Date,
    out: &mut String,
) {
    let pad = " ".repeat(indent);
    if let Some(doc) = &field.doc {
        for line in doc.lines() {
            let _ = writeln!(out, "{pad}# {line}");
        }
    }
    let notes = field_notes(program, field);
    // A date in the field's own format, when it has one.
    let example = |ty: &Ty| match (&field.date_format, ty.non_optional()) {
        (Some(_), Ty::Date) => format!("\"{}\"", date_as_written(field, today)),
        _ => sample(ty, today),
    };
    let name = yaml_key(field.source_name());
    match field.ty.non_optional() {
        Ty::Record(record) => {
            let _ = writeln!(out, "{pad}{name}:  # {}", notes.join("; "));
            for f in &record.fields {
                field_lines(program, f, indent + 2, today, out);
            }
        }
        Ty::List(element) => {
            let _ = writeln!(out, "{pad}{name}:  # {}", notes.join("; "));
            match &**element {
                Ty::Record(record) => {
                    let mut first = true;
                    for f in &record.fields {
                        let mut line = String::new();
                        field_lines(program, f, indent + 4, today, &mut line);
                        for l in line.lines() {
                            if first && !l.trim_start().starts_with('#') {
                                let _ = writeln!(out, "{pad}  - {}", l.trim_start());
                                first = false;
                            } else {
                                let _ = writeln!(out, "{l}");
                            }
                        }
                    }
                }
                other => {
                    let _ = writeln!(out, "{pad}  - {}", example(other));
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{name}: {}  # {}", example(other), notes.join("; "));
        }
    }
}

/// A header row of the kind's column names and one example row, as its CSV files are read:
/// cells separated by its delimiter (a tab when it reads only TSV files), dates in each
/// field's format, numbers with its decimal mark, the header on the line its `header`
/// names (below the kind's name as a title). A spreadsheet opens it as the kind's table;
/// CSV has no comments, so the YAML template is where the fields are explained.
pub fn csv_template(schema: &Schema, today: jiff::civil::Date) -> String {
    let tsv_only = !schema.sources.is_empty()
        && schema.sources.iter().all(|s| tenet_sema::sources::format_of_glob(&s.glob) == Some("TSV"));
    let delimiter = if tsv_only { '\t' } else { schema.delimiter.map_or(',', char::from) };
    let cell = |text: &str| {
        if text.contains([delimiter, '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let example = |field: &FieldDef, ty: &Ty| -> String {
        match ty.non_optional() {
            Ty::Date => date_as_written(field, today),
            Ty::DateTime => format!("{today}T00:00:00Z"),
            Ty::Bool => "false".to_owned(),
            Ty::Int => "0".to_owned(),
            Ty::Float if schema.decimal_comma => "0,5".to_owned(),
            Ty::Float => "0.5".to_owned(),
            Ty::Duration => "12 months".to_owned(),
            Ty::Enum(values) => values.first().map(ToString::to_string).unwrap_or_default(),
            _ => format!("<{}>", field.name),
        }
    };
    let fields = &schema.record.fields;
    let header: Vec<String> = fields.iter().map(|f| cell(f.source_name())).collect();
    let row: Vec<String> = fields
        .iter()
        .map(|f| match f.ty.non_optional() {
            // A list's items are separated by `;` within its cell.
            Ty::List(element) => cell(&format!("{0};{0}", example(f, element))),
            ty => cell(&example(f, ty)),
        })
        .collect();
    let separator = delimiter.to_string();
    // Above a header on a later line: a title, then blank lines.
    let above = match schema.header_line {
        Some(line) if line > 1 => format!("{}\n{}", cell(&schema.name), "\n".repeat(line as usize - 2)),
        _ => String::new(),
    };
    format!("{above}{}\n{}\n", header.join(&separator), row.join(&separator))
}

/// `date` as evidence writes `field`'s dates: in the field's own format, or `YYYY-MM-DD`.
pub(crate) fn date_as_written(field: &FieldDef, date: jiff::civil::Date) -> String {
    match &field.date_format {
        Some(format) => jiff::fmt::strtime::format(&**format, date).unwrap_or_default(),
        None => date.to_string(),
    }
}

fn yaml_key(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\\\""))
    }
}

fn sample(ty: &Ty, today: jiff::civil::Date) -> String {
    match ty.non_optional() {
        Ty::String => "\"\"".to_owned(),
        Ty::Int => "0".to_owned(),
        Ty::Float => "0.0".to_owned(),
        Ty::Bool => "false".to_owned(),
        Ty::Date => today.to_string(),
        Ty::DateTime => format!("{today}T00:00:00Z"),
        Ty::Duration => "\"12 months\"".to_owned(),
        Ty::Enum(values) => values.first().map_or_else(String::new, |v| format!("\"{v}\"")),
        Ty::Ref(_) => "\"\"".to_owned(),
        Ty::List(_) => "[]".to_owned(),
        _ => "\"\"".to_owned(),
    }
}

fn type_name(program: &Program, ty: &Ty) -> String {
    match ty.non_optional() {
        Ty::Enum(values) => {
            let shown: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("one of {}", shown.join(", "))
        }
        Ty::Ref(kind) => format!("the key of a {} document", program.kind_name(*kind)),
        Ty::List(e) => format!("list of {}", type_name(program, e)),
        Ty::Record(_) => "record".to_owned(),
        Ty::String => "string".to_owned(),
        Ty::Int => "integer".to_owned(),
        Ty::Float => "number".to_owned(),
        Ty::Bool => "true or false".to_owned(),
        Ty::Date => "date (YYYY-MM-DD)".to_owned(),
        Ty::DateTime => "date and time (RFC 3339)".to_owned(),
        Ty::Duration => "duration such as \"12 months\"".to_owned(),
        _ => "value".to_owned(),
    }
}

/// `tenet schema export`
pub fn export(args: &SchemaExportArgs) -> Exit {
    let (db, loaded) = match load_program(args.path.as_deref()) {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let program = program(&db, loaded.workspace);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        invocation_error(&format!("cannot create `{}`: {e}", args.out.display()));
        return Exit::Errors;
    }
    let mut index = Vec::new();
    let write = |file: &str, schema: &Json| {
        let text = format!("{}\n", serde_json::to_string_pretty(schema).unwrap_or_default());
        std::fs::write(args.out.join(file), text).map_err(|e| format!("cannot write `{file}`: {e}"))
    };
    for schema in &program.schemas {
        let file = format!("{}.schema.json", schema.name);
        let document = json_schema(program, schema);
        if let Err(e) = write(&file, &document) {
            invocation_error(&e);
            return Exit::Errors;
        }
        // `sources`: the globs whose files are the kind's documents. A glob that reads them
        // at a place in its files (`at`) gets a schema of that file: the keys leading to
        // the list of documents.
        let globs: Vec<&str> = schema.sources.iter().filter(|s| s.at.is_empty()).map(|s| &*s.glob).collect();
        let mut entry = json!({ "kind": &*schema.name, "schema": file, "sources": globs });
        let mut registers = Vec::new();
        for source in schema.sources.iter().filter(|s| !s.at.is_empty()) {
            let at = source.at.join(".");
            // A file name any system takes: `*` and characters paths give meaning to replaced.
            let named: String = at
                .replace(tenet_sema::sources::ENTRIES, "each")
                .chars()
                .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
                .collect();
            let file = format!("{}.at.{named}.schema.json", schema.name);
            let key = schema.key.and_then(|k| schema.record.fields.get(k)).map(FieldDef::source_name);
            if let Err(e) = write(&file, &register_schema(&document, &source.at, key)) {
                invocation_error(&e);
                return Exit::Errors;
            }
            registers.push(json!({ "glob": &source.glob, "at": at, "schema": file }));
        }
        if !registers.is_empty() {
            entry["registers"] = registers.into();
        }
        index.push(entry);
    }
    let text =
        format!("{}\n", serde_json::to_string_pretty(&json!({ "schemas": index })).unwrap_or_default());
    if let Err(e) = std::fs::write(args.out.join("index.json"), text) {
        invocation_error(&format!("cannot write the index: {e}"));
        return Exit::Errors;
    }
    eprintln!("wrote {} schemas to {}", program.schemas.len(), args.out.display());
    Exit::Clean
}

/// A JSON Schema (draft 2020-12) for documents of one kind. Unknown fields are allowed,
/// as Tenet only warns about them.
pub fn json_schema(program: &Program, schema: &Schema) -> Json {
    let mut root = record_schema(program, &schema.record.fields);
    if let Some(map) = root.as_object_mut() {
        map.insert("$schema".to_owned(), json!("https://json-schema.org/draft/2020-12/schema"));
        map.insert("title".to_owned(), json!(&*schema.name));
        if let Some(doc) = &schema.doc {
            map.insert("description".to_owned(), json!(doc));
        }
        if let Some(props) = map.get_mut("properties").and_then(Json::as_object_mut) {
            props.insert("kind".to_owned(), json!({ "const": &*schema.name }));
        }
    }
    root
}

/// A JSON Schema of a file that holds a kind's documents at `at`: a mapping with each key
/// in turn, the last holding a list of documents, one document, or nothing, as the loader
/// reads it; or, for a last key `*`, a mapping whose entries are documents, each named by
/// its key, so that the key field (`key`) need not be written.
fn register_schema(document: &Json, at: &[String], key: Option<&str>) -> Json {
    let mut document = document.clone();
    let title = document.as_object_mut().and_then(|map| {
        map.remove("$schema");
        map.get("title").and_then(Json::as_str).map(str::to_owned)
    });
    let one = json!({ "$ref": "#/$defs/document" });
    let (at, mut inner) = match at.split_last() {
        Some((last, before)) if last == tenet_sema::sources::ENTRIES => {
            if let (Some(required), Some(key)) =
                (document.get_mut("required").and_then(Json::as_array_mut), key)
            {
                required.retain(|r| r != key);
            }
            (
                before,
                json!({ "anyOf": [{ "type": "object", "additionalProperties": one }, { "type": "null" }] }),
            )
        }
        _ => (at, json!({ "anyOf": [{ "type": "array", "items": one }, one, { "type": "null" }] })),
    };
    for key in at.iter().rev() {
        inner = json!({ "type": "object", "properties": { key: inner }, "required": [key] });
    }
    if let Some(map) = inner.as_object_mut() {
        map.insert("$schema".to_owned(), json!("https://json-schema.org/draft/2020-12/schema"));
        map.insert("title".to_owned(), json!(format!("{} register", title.unwrap_or_default())));
        map.insert("$defs".to_owned(), json!({ "document": document }));
    }
    inner
}

fn record_schema(program: &Program, fields: &[FieldDef]) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in fields {
        let mut s = match (&f.date_format, f.ty.non_optional()) {
            // Dates in a format of the schema's own are text to JSON Schema.
            (Some(_), Ty::Date) => json!({ "type": "string" }),
            (Some(_), Ty::List(element)) if matches!(element.non_optional(), Ty::Date) => {
                json!({ "type": "array", "items": { "type": "string" } })
            }
            (_, ty) => type_schema(program, ty),
        };
        if let (Some(doc), Some(map)) = (&f.doc, s.as_object_mut()) {
            map.insert("description".to_owned(), json!(doc));
        }
        properties.insert(f.source_name().to_owned(), s);
        if !matches!(f.ty, Ty::Optional(_)) {
            required.push(json!(f.source_name()));
        }
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

fn type_schema(program: &Program, ty: &Ty) -> Json {
    match ty {
        Ty::String => json!({ "type": "string" }),
        Ty::Int => json!({ "type": "integer" }),
        Ty::Float => json!({ "type": "number" }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Date => json!({ "type": "string", "format": "date" }),
        Ty::DateTime => json!({ "type": "string", "format": "date-time" }),
        Ty::Duration => {
            json!({ "type": "string", "pattern": "^[0-9]+ ?(year|month|week|day|hour|minute)s?$" })
        }
        Ty::Enum(values) => json!({ "enum": values.iter().map(|v| &**v).collect::<Vec<_>>() }),
        Ty::Ref(kind) => {
            json!({ "type": ["string", "integer"], "description": format!("the key of a {} document", program.kind_name(*kind)) })
        }
        Ty::List(e) => json!({ "type": "array", "items": type_schema(program, e.non_optional()) }),
        Ty::Record(r) => record_schema(program, &r.fields),
        Ty::Optional(inner) => type_schema(program, inner),
        _ => json!({}),
    }
}
