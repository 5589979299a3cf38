//! TOML (through toml's spanned document model), CSV (header row, one document per row)
//! and Markdown (YAML front matter, the body, and its sections by heading).

use std::sync::Arc;

use tenet_diagnostics::Span;
use toml::de::{DeTable, DeValue};

use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

/// One TOML document: a table, or an array of tables under `[[documents]]`-style keys is
/// read as one document per table when the top level holds only such an array.
pub(crate) fn parse_toml(text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    let table = DeTable::parse(text).map_err(|e| {
        let span = e.span().map_or(Span::new(0, 0), |r| Span::from_usize(r.start, r.end));
        ParseError::new(span, format!("invalid TOML: {}", e.message().trim()))
    })?;
    let span = Span::from_usize(table.span().start, table.span().end);
    let root = toml_table(table.get_ref(), span, 0, limits)?;
    // `[[document]]` arrays at the top level hold several documents.
    if let NodeKind::Map(entries) = &root.kind
        && let [(_, _, Node { kind: NodeKind::Seq(items), .. })] = entries.as_slice()
        && items.iter().all(|i| matches!(i.kind, NodeKind::Map(_)))
    {
        return Ok(items.clone());
    }
    Ok(vec![root])
}

fn toml_table(table: &DeTable<'_>, span: Span, depth: usize, limits: &Limits) -> Result<Node, ParseError> {
    if depth > limits.max_depth {
        return Err(ParseError::new(span, format!("values nest more than {} levels deep", limits.max_depth)));
    }
    let mut entries = Vec::new();
    for (key, value) in table {
        let key_span = Span::from_usize(key.span().start, key.span().end);
        let value_span = Span::from_usize(value.span().start, value.span().end);
        entries.push((
            key.get_ref().to_string(),
            key_span,
            toml_value(value.get_ref(), value_span, depth + 1, limits)?,
        ));
    }
    Ok(Node::new(NodeKind::Map(entries), span))
}

fn toml_value(value: &DeValue<'_>, span: Span, depth: usize, limits: &Limits) -> Result<Node, ParseError> {
    Ok(match value {
        DeValue::String(s) => Node::new(NodeKind::Text { text: s.to_string(), plain: false }, span),
        DeValue::Integer(i) => {
            let text = if i.radix() == 10 {
                i.as_str().replace('_', "")
            } else {
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .map_or_else(|_| i.as_str().to_owned(), |v| v.to_string())
            };
            Node::new(NodeKind::Number(text), span)
        }
        DeValue::Float(f) => Node::new(NodeKind::Number(f.as_str().replace('_', "")), span),
        DeValue::Boolean(b) => Node::new(NodeKind::Bool(*b), span),
        DeValue::Datetime(d) => Node::new(NodeKind::Text { text: d.to_string(), plain: true }, span),
        DeValue::Array(items) => {
            if depth > limits.max_depth {
                return Err(ParseError::new(
                    span,
                    format!("values nest more than {} levels deep", limits.max_depth),
                ));
            }
            let mut out = Vec::new();
            for item in items.iter() {
                let s = Span::from_usize(item.span().start, item.span().end);
                out.push(toml_value(item.get_ref(), s, depth + 1, limits)?);
            }
            Node::new(NodeKind::Seq(out), span)
        }
        DeValue::Table(t) => toml_table(t, span, depth, limits)?,
    })
}

/// A CSV file: one document per row, keyed by the header. Ragged rows are errors of
/// their row; the other rows still load.
pub(crate) struct CsvRows {
    pub header: Vec<(String, Span)>,
    pub rows: Vec<Result<Node, ParseError>>,
}

pub(crate) fn parse_csv(text: &str, limits: &Limits) -> Result<CsvRows, ParseError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header_record = match records.next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(csv_error(&e, text)),
        None => return Err(ParseError::new(Span::new(0, 0), "the CSV file is empty: it needs a header row")),
    };
    let header_line_end = text.find('\n').unwrap_or(text.len());
    let header_span = Span::from_usize(0, header_line_end);
    let mut header = Vec::new();
    let mut search_from = 0;
    for name in header_record.iter() {
        let name = name.trim().trim_start_matches('\u{feff}').to_owned();
        let at =
            text[search_from..header_line_end.max(search_from)].find(name.as_str()).map(|i| i + search_from);
        let span = at.map_or(header_span, |i| Span::from_usize(i, i + name.len()));
        if let Some(i) = at {
            search_from = i + name.len();
        }
        header.push((name, span));
    }
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(Err(csv_error(&e, text)));
                continue;
            }
        };
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line_end = text[start.min(text.len())..].find('\n').map_or(text.len(), |i| start + i);
        let row_span = Span::from_usize(start, line_end.max(start));
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            rows.push(Err(ParseError::new(
                row_span,
                format!("this row has {} cells, but the header has {} columns", record.len(), header.len()),
            )
            .with_help("a cell with a comma or a line break must be quoted")));
            continue;
        }
        let entries = header
            .iter()
            .zip(record.iter())
            .map(|((name, _), cell)| {
                let node = if cell.trim().is_empty() {
                    Node::new(NodeKind::Null, row_span)
                } else {
                    Node::new(NodeKind::Text { text: cell.to_owned(), plain: true }, row_span)
                };
                (name.clone(), row_span, node)
            })
            .collect();
        rows.push(Ok(Node::new(NodeKind::Map(entries), row_span)));
        if rows.len() > limits.max_documents {
            return Err(ParseError::new(
                row_span,
                format!("more than {} rows in one file", limits.max_documents),
            ));
        }
    }
    Ok(CsvRows { header, rows })
}

fn csv_error(e: &csv::Error, text: &str) -> ParseError {
    let at = e.position().map_or(0, |p| p.byte() as usize).min(text.len());
    ParseError::new(Span::from_usize(at, at), format!("invalid CSV: {e}"))
}

/// A Markdown document: its front matter (parsed as YAML), its body and sections.
pub(crate) struct Markdown {
    pub front_matter: Node,
    pub body: Arc<str>,
    pub sections: Arc<[(Arc<str>, Arc<str>)]>,
}

pub(crate) fn parse_markdown(text: &str, limits: &Limits) -> Result<Markdown, ParseError> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "---" {
        return Err(ParseError::new(Span::new(0, 0), "the Markdown file has no front matter").with_help(
            "start the file with a `---` line, the document's fields in YAML, and another `---` line",
        ));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut close: Option<(usize, usize)> = None;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(ParseError::new(Span::from_usize(0, first_line_end), "the front matter is never closed")
            .with_help("end the front matter with a line holding only `---`"));
    };
    let docs = crate::formats::yaml::parse(&text[yaml_start..yaml_end], yaml_start, limits)?;
    let front_matter = docs
        .into_iter()
        .next()
        .unwrap_or_else(|| Node::new(NodeKind::Map(Vec::new()), Span::from_usize(0, 3)));
    let body = &text[body_start.min(text.len())..];
    Ok(Markdown { front_matter, body: Arc::from(body), sections: sections(body) })
}

fn sections(body: &str) -> Arc<[(Arc<str>, Arc<str>)]> {
    tenet_eval::markdown_sections(body)
}
