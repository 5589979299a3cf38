//! `tenet evidence template` for kinds read from TOML or JSON: one document as its files
//! hold it, at the place the schema's `at` names (a register's list, or a mapping of
//! entries named by their keys). TOML carries each field's notes as comments, as the YAML
//! template does; JSON has no comments, so its notes are left to the YAML template and to
//! `tenet schema export`.

use serde_json::Value as Json;
use tenet_sema::program::{Program, Schema};
use tenet_sema::ty::{FieldDef, Ty};

use super::evidence::{date_as_written, field_notes};

/// One document's sample: values with each field's notes.
enum Sample {
    Scalar(Json),
    List(Vec<Sample>),
    Record(Vec<(String, Vec<String>, Sample)>),
}

impl Sample {
    fn of_fields(
        program: &Program,
        fields: &[FieldDef],
        today: jiff::civil::Date,
        skip: Option<&str>,
    ) -> Sample {
        Sample::Record(
            fields
                .iter()
                .filter(|f| Some(f.source_name()) != skip)
                .map(|f| {
                    // The field's doc comment, then its notes on one line, as the YAML template has them.
                    let doc = f.doc.iter().flat_map(|d| d.lines().map(str::to_owned));
                    let notes: Vec<String> = doc.chain([field_notes(program, f).join("; ")]).collect();
                    (f.source_name().to_owned(), notes, Sample::of(program, f, &f.ty, today))
                })
                .collect(),
        )
    }

    fn of(program: &Program, field: &FieldDef, ty: &Ty, today: jiff::civil::Date) -> Sample {
        let scalar = |v: Json| Sample::Scalar(v);
        match ty.non_optional() {
            Ty::Record(record) => Sample::of_fields(program, &record.fields, today, None),
            Ty::List(element) => Sample::List(vec![Sample::of(program, field, element, today)]),
            Ty::Int => scalar(Json::from(0)),
            Ty::Float => scalar(Json::from(0.5)),
            Ty::Bool => scalar(Json::from(false)),
            Ty::Date => scalar(Json::from(date_as_written(field, today))),
            Ty::DateTime => scalar(Json::from(format!("{today}T00:00:00Z"))),
            Ty::Duration => scalar(Json::from("12 months")),
            Ty::Enum(values) => {
                scalar(Json::from(values.first().map(ToString::to_string).unwrap_or_default()))
            }
            _ => scalar(Json::from("")),
        }
    }

    /// The sample as JSON text in the schema's field order (a JSON map would sort them):
    /// indented by two spaces a level, or on one line.
    fn write_json(&self, out: &mut String, depth: Option<usize>) {
        let (open_line, close_line, separator) = match depth {
            Some(d) => (format!("\n{}", "  ".repeat(d + 1)), format!("\n{}", "  ".repeat(d)), ": "),
            None => (String::new(), String::new(), ":"),
        };
        let inner = depth.map(|d| d + 1);
        match self {
            Sample::Scalar(v) => out.push_str(&v.to_string()),
            Sample::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { "," } else { "" });
                    out.push_str(&open_line);
                    item.write_json(out, inner);
                }
                out.push_str(&close_line);
                out.push(']');
            }
            Sample::Record(fields) => {
                out.push('{');
                for (i, (name, _, value)) in fields.iter().enumerate() {
                    out.push_str(if i > 0 { "," } else { "" });
                    out.push_str(&open_line);
                    out.push_str(&Json::from(name.as_str()).to_string());
                    out.push_str(separator);
                    value.write_json(out, inner);
                }
                out.push_str(&close_line);
                out.push('}');
            }
        }
    }
}

/// The document of `schema` at the place its first source's `at` names: inside the keys
/// that lead there, as a list of one (a register) or, after a last key `*`, as an entry
/// named by a sample key, which then stands for the key field.
fn placed(program: &Program, schema: &Schema, today: jiff::civil::Date) -> (Vec<String>, bool, Sample) {
    let at: Vec<String> = schema.sources.first().map(|s| s.at.to_vec()).unwrap_or_default();
    let key = schema.key.and_then(|k| schema.record.fields.get(k)).map(FieldDef::source_name);
    match at.split_last() {
        Some((last, before)) if last == tenet_sema::sources::ENTRIES => {
            (before.to_vec(), true, Sample::of_fields(program, &schema.record.fields, today, key))
        }
        _ => (at, false, Sample::of_fields(program, &schema.record.fields, today, None)),
    }
}

/// The JSON template: indented, or one line for a kind read from JSON Lines.
pub fn json_template(program: &Program, schema: &Schema, today: jiff::civil::Date, one_line: bool) -> String {
    let (at, entries, document) = placed(program, schema, today);
    let mut value = match entries {
        true => Sample::Record(vec![(format!("<{}>", key_name(schema)), Vec::new(), document)]),
        false if at.is_empty() => document,
        false => Sample::List(vec![document]),
    };
    for key in at.iter().rev() {
        value = Sample::Record(vec![(key.clone(), Vec::new(), value)]);
    }
    let mut out = String::new();
    value.write_json(&mut out, if one_line { None } else { Some(0) });
    out.push('\n');
    out
}

/// The TOML template, each field's notes in a comment above it: a register's documents
/// as an array of tables (`[[systems]]`), entries as tables named by their keys.
pub fn toml_template(program: &Program, schema: &Schema, today: jiff::civil::Date) -> String {
    let (at, entries, document) = placed(program, schema, today);
    let mut head = String::new();
    if let Some(doc) = &schema.doc {
        for line in doc.lines() {
            head.push_str(&format!("# {line}\n"));
        }
    }
    let sources: Vec<String> = schema.sources.iter().map(tenet_sema::program::Source::written).collect();
    if !sources.is_empty() {
        head.push_str(&format!("# Tenet reads this kind from: {}\n", sources.join(", ")));
    }
    if !head.is_empty() {
        head.push('\n');
    }
    let Sample::Record(fields) = document else { return head };
    let table = toml_table(&fields);
    // Built from the inside out: the documents at their place, then each key that leads
    // there as an implicit table.
    let mut place = match (entries, at.is_empty()) {
        (true, _) => {
            let mut named = toml_edit::Table::new();
            named.set_implicit(true);
            named.insert(&format!("<{}>", key_name(schema)), toml_edit::Item::Table(table));
            named
        }
        (false, true) => table,
        (false, false) => {
            // A register's list: the document as the one table of an array of tables.
            let mut list = toml_edit::ArrayOfTables::new();
            list.push(table);
            let mut holder = toml_edit::Table::new();
            holder.set_implicit(true);
            holder.insert(at.last().map_or("", String::as_str), toml_edit::Item::ArrayOfTables(list));
            holder
        }
    };
    let leading = if entries || at.is_empty() { &at[..] } else { &at[..at.len() - 1] };
    for key in leading.iter().rev() {
        let mut outer = toml_edit::Table::new();
        outer.set_implicit(true);
        outer.insert(key, toml_edit::Item::Table(place));
        place = outer;
    }
    let root = toml_edit::DocumentMut::from(place);
    format!("{head}{root}")
}

/// The name a `*` register's entries are named by: the key field's.
fn key_name(schema: &Schema) -> String {
    schema
        .key
        .and_then(|k| schema.record.fields.get(k))
        .map_or_else(|| "key".to_owned(), |f| f.source_name().to_owned())
}

/// A table of `fields`, each key with its notes as a comment: values first, then records
/// as sub-tables and lists of records as arrays of tables, as TOML requires.
fn toml_table(fields: &[(String, Vec<String>, Sample)]) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    for (name, notes, value) in fields {
        let item = match value {
            Sample::Record(inner) => toml_edit::Item::Table(toml_table(inner)),
            Sample::List(items)
                if items.iter().all(|i| matches!(i, Sample::Record(_))) && !items.is_empty() =>
            {
                let mut list = toml_edit::ArrayOfTables::new();
                for item in items {
                    if let Sample::Record(inner) = item {
                        list.push(toml_table(inner));
                    }
                }
                toml_edit::Item::ArrayOfTables(list)
            }
            other => toml_edit::value(toml_value(other)),
        };
        table.insert(name, item);
        let comment: String = notes.iter().map(|n| format!("# {n}\n")).collect();
        match table.get_mut(name) {
            // A table's comment goes above its header; a value's above its key.
            Some(toml_edit::Item::Table(t)) => t.decor_mut().set_prefix(comment),
            Some(toml_edit::Item::ArrayOfTables(list)) => {
                if let Some(first) = list.get_mut(0) {
                    first.decor_mut().set_prefix(comment);
                }
            }
            _ => {
                if let Some(mut key) = table.key_mut(name) {
                    key.leaf_decor_mut().set_prefix(comment);
                }
            }
        }
    }
    table
}

fn toml_value(sample: &Sample) -> toml_edit::Value {
    match sample {
        Sample::Scalar(Json::Bool(b)) => toml_edit::Value::from(*b),
        Sample::Scalar(Json::Number(n)) => match n.as_i64() {
            Some(i) => toml_edit::Value::from(i),
            None => toml_edit::Value::from(n.as_f64().unwrap_or_default()),
        },
        Sample::Scalar(Json::String(s)) => toml_edit::Value::from(s.as_str()),
        Sample::Scalar(_) => toml_edit::Value::from(""),
        Sample::List(items) => toml_edit::Value::Array(items.iter().map(toml_value).collect()),
        Sample::Record(fields) => {
            let mut inline = toml_edit::InlineTable::new();
            for (name, _, value) in fields {
                inline.insert(name, toml_value(value));
            }
            toml_edit::Value::InlineTable(inline)
        }
    }
}
