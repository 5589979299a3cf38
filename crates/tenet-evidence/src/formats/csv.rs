//! CSV through the `csv` crate: a header row, then one document per row, the cells
//! separated by a comma or the schema's delimiter (a tab in a TSV file). The crate gives
//! each record's byte position; the cells' own spans come from re-scanning the record
//! with the same RFC 4180 rules, so an error in a cell points at that cell, also inside
//! quoted cells that span several lines.

use std::collections::HashSet;

use tenet_diagnostics::Span;

use crate::limits::Limits;
use crate::node::{Node, NodeKind, ParseError};

/// A CSV file: its header and its rows. A ragged row is an error of its own; the other
/// rows still load.
#[derive(Debug)]
pub(crate) struct Table {
    /// Column names (trimmed) and where they are written.
    pub header: Vec<(String, Span)>,
    /// One mapping from column name to cell per row, or why the row cannot be read.
    pub rows: Vec<Result<Node, ParseError>>,
    /// Columns whose name an earlier column already has, and where they are. Real
    /// exports repeat names ("If Other, please explain."); that matters only when a
    /// field reads such a column.
    pub repeated: Vec<(String, Span)>,
    /// What separates the cells: the file's own `sep=` line's, else the one asked for.
    pub delimiter: u8,
}

/// The delimiter a first line `sep=;` declares, which Excel writes and reads so that a
/// file opens alike in every locale.
fn declared_delimiter(text: &str) -> Option<u8> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.get(..text.find(['\n', '\r']).unwrap_or(text.len()))?;
    let declared = line.get(..4).filter(|sep| sep.eq_ignore_ascii_case("sep="))?;
    let delimiter = line.get(declared.len()..)?;
    tenet_sema::sources::delimiter_fault(delimiter).is_none().then(|| delimiter.bytes().next()).flatten()
}

/// Parses `text` as CSV with a header row, its cells separated by `delimiter`, or by the
/// one its first line declares (`sep=;`). The header is the first row, or the row on line
/// `header_line` when the schema says so (`header 3`, below a title); rows above it are
/// not read.
pub(crate) fn parse(
    text: &str,
    delimiter: u8,
    header_line: Option<u32>,
    limits: &Limits,
) -> Result<Table, ParseError> {
    let declared = declared_delimiter(text);
    let delimiter = declared.unwrap_or(delimiter);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    if declared.is_some() {
        records.next();
    }
    let header_record = match header_line {
        None => match records.next() {
            Some(Ok(r)) => r,
            Some(Err(e)) => return Err(csv_error(&e, text)),
            None => {
                return Err(ParseError::new(Span::new(0, 0), "the CSV file is empty: it needs a header row")
                    .with_help(
                        "the first row names the columns, as the schema's fields or their `as` names",
                    ));
            }
        },
        Some(line) => header_on_line(text, &mut records, line)?,
    };
    let start = record_start(&header_record);
    let spans = match cell_spans(text, start, header_record.len(), delimiter) {
        (_, Some(open)) => return Err(unclosed_quote(text, open)),
        (spans, None) => spans,
    };
    let mut header = Vec::with_capacity(header_record.len());
    let mut repeated = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (name, span) in header_record.iter().zip(spans) {
        let name = name.trim().trim_start_matches('\u{feff}').to_owned();
        if !seen.insert(name.clone()) {
            repeated.push((name.clone(), span));
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
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() >= limits.max_documents {
            let at = Span::from_usize(record_start(&record), record_start(&record));
            return Err(ParseError::too_many_documents(at, limits.max_documents));
        }
        rows.push(row(text, &record, &header, delimiter));
    }
    Ok(Table { header, rows, repeated, delimiter })
}

/// The record that starts on line `line` (from 1), the rows above it passed over, or an
/// error at that line when no row starts there.
fn header_on_line(
    text: &str,
    records: &mut csv::StringRecordsIter<'_, &[u8]>,
    line: u32,
) -> Result<csv::StringRecord, ParseError> {
    let line_start = line_starts(text).nth((line as usize).saturating_sub(1));
    let at = Span::from_usize(line_start.unwrap_or(text.len()), line_start.unwrap_or(text.len()));
    let help = format!(
        "the schema reads the header on line {line} (`header {line}`): put the header there, or change the line it names"
    );
    if let Some(target) = line_start {
        for record in records {
            let record = record.map_err(|e| csv_error(&e, text))?;
            let starts = record_begins(text, &record);
            if starts < target {
                continue;
            }
            if starts == target {
                return Ok(record);
            }
            break;
        }
    }
    let message = match line_start {
        None => format!("the file has no line {line}, where its header is"),
        Some(_) => format!("no row starts on line {line}, where the file's header is"),
    };
    Err(ParseError::new(at, message).with_help(help))
}

/// Where each line of `text` starts: line 1 at 0, then after each line feed.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).filter(move |i| *i < text.len())
}

fn row(
    text: &str,
    record: &csv::StringRecord,
    header: &[(String, Span)],
    delimiter: u8,
) -> Result<Node, ParseError> {
    let start = record_start(record);
    let (spans, unclosed) = cell_spans(text, start, record.len(), delimiter);
    if let Some(open) = unclosed {
        return Err(unclosed_quote(text, open));
    }
    let row_span = match (spans.first(), spans.last()) {
        (Some(first), Some(last)) => first.cover(*last),
        _ => Span::from_usize(start, start),
    };
    // Trailing empty cells beyond the header (`a,b,c,,`) are what spreadsheets write.
    let extra_cells_empty = record.iter().skip(header.len()).all(|c| c.trim().is_empty());
    if record.len() < header.len() || !extra_cells_empty {
        let help = if record.len() < header.len() {
            let empty = match delimiter {
                b'\t' => "two tabs side by side".to_owned(),
                d => format!("`a{0}{0}c`", char::from(d)),
            };
            format!(
                "give every column a cell, an empty one where there is no value ({empty}); a cell with a line break must be quoted"
            )
        } else if record
            .iter()
            .any(|cell| cell.trim_start().starts_with('"') && cell.starts_with(char::is_whitespace))
        {
            "remove the space before the quote: a cell is quoted only when the quote is its first character"
                .to_owned()
        } else {
            format!("a cell with {} must be quoted", delimiter_name(delimiter))
        };
        return Err(ParseError::new(
            row_span,
            format!(
                "this row has {}, but the header has {}",
                counted(record.len(), "cell", "cells"),
                counted(header.len(), "column", "columns")
            ),
        )
        .with_help(help));
    }
    let entries = header
        .iter()
        .zip(record.iter().zip(spans))
        .map(|((name, _), (cell, span))| {
            let kind = if cell.trim().is_empty() {
                NodeKind::Null
            } else {
                NodeKind::Text { text: cell.to_owned(), plain: true }
            };
            (name.clone(), span, Node::new(kind, span))
        })
        .collect();
    Ok(Node::new(NodeKind::Map(entries), row_span))
}

/// A delimiter in words, for messages: "a comma", "a tab", "`|`".
pub(crate) fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "a comma".to_owned(),
        b';' => "a semicolon".to_owned(),
        b'\t' => "a tab".to_owned(),
        b' ' => "a space".to_owned(),
        other => format!("`{}`", char::from(other)),
    }
}

/// The delimiter a header row's columns are more likely separated by than `used`, which
/// it was read with and which gave `read` of the names `wanted` (the schema's columns),
/// judged by how many of them a split at each gives: a spreadsheet saved where the
/// decimal mark is a comma separates cells with semicolons, and such a header read at
/// commas is one column. The split ignores quotes, which only costs a suggestion.
pub(crate) fn likely_delimiter(
    header_line: &str,
    used: u8,
    read: usize,
    wanted: &dyn Fn(&str) -> bool,
) -> Option<u8> {
    let found = |delimiter: u8| {
        header_line
            .split(char::from(delimiter))
            .filter(|name| wanted(name.trim_start_matches('\u{feff}').trim().trim_matches('"').trim()))
            .count()
    };
    [b',', b';', b'\t', b'|']
        .into_iter()
        .filter(|d| *d != used)
        .map(|d| (found(d), d))
        .filter(|(count, _)| *count > read)
        .max_by_key(|(count, _)| *count)
        .map(|(_, d)| d)
}

/// Rows past the header as read that [`header_elsewhere`] reads for the schema's columns.
pub(crate) const HEADER_SEARCH: usize = 20;

/// Where the header seems to be when the row read as the header lacks the schema's
/// columns: the start of the first of the file's first `rows` rows that names every one of
/// `required`. Spreadsheets made by hand often carry a title and a blank
/// line above the header, and such a file read from its first row lacks every column.
pub(crate) fn header_elsewhere(text: &str, delimiter: u8, required: &[&str], rows: usize) -> Option<usize> {
    if required.is_empty() {
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let record = reader.records().take(rows).map_while(Result::ok).find(|record| {
        required
            .iter()
            .all(|name| record.iter().any(|cell| cell.trim().trim_start_matches('\u{feff}') == *name))
    })?;
    Some(record_begins(text, &record))
}

/// Where a record's first cell begins: after `\r\n` the crate may place a record at its
/// `\n`, and records never start with a line break, since blank lines are skipped.
fn record_begins(text: &str, record: &csv::StringRecord) -> usize {
    let mut start = record_start(record);
    while let Some(b'\r' | b'\n') = text.as_bytes().get(start) {
        start += 1;
    }
    start
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn record_start(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
}

/// The spans of the `count` cells of the record that starts at byte `start`, read as the
/// csv crate reads them: `delimiter` separates, a `"` at the start of a cell quotes it,
/// `""` is a quote inside quotes, and a line break outside quotes ends the record.
fn cell_spans(text: &str, start: usize, count: usize, delimiter: u8) -> (Vec<Span>, Option<usize>) {
    let bytes = text.as_bytes();
    let mut spans = Vec::with_capacity(count);
    let mut unclosed = None;
    let mut i = start.min(bytes.len());
    // After `\r\n` the crate may place a record at its `\n`; records never start with a
    // line break, since blank lines are skipped.
    while let Some(b'\r' | b'\n') = bytes.get(i) {
        i += 1;
    }
    while spans.len() < count {
        let cell_start = i;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            let mut closed = false;
            while let Some(&b) = bytes.get(i) {
                i += 1;
                if b == b'"' {
                    if bytes.get(i) == Some(&b'"') {
                        i += 1;
                    } else {
                        closed = true;
                        break;
                    }
                }
            }
            if !closed {
                unclosed = Some(cell_start);
            }
        }
        while let Some(&b) = bytes.get(i) {
            if b == delimiter || matches!(b, b'\n' | b'\r') {
                break;
            }
            i += 1;
        }
        spans.push(Span::from_usize(cell_start, i));
        if bytes.get(i) == Some(&delimiter) {
            i += 1;
        } else {
            // The record ended early by our reading; the remaining cells sit at its end.
            spans.resize(count, Span::from_usize(i, i));
        }
    }
    (spans, unclosed)
}

/// A quoted cell that the file ends inside, its quote at `open`: `csv` reads every line
/// after it into the cell, so the rows written there would be lost without a word.
fn unclosed_quote(text: &str, open: usize) -> ParseError {
    let after = text.get(open..).unwrap_or("").trim_end_matches(['\r', '\n']);
    let message = match after.matches('\n').count() {
        0 => "this quoted cell is never closed: the file ends inside it".to_owned(),
        1 => "this quoted cell is never closed, so the line after it is read into it".to_owned(),
        lines => format!("this quoted cell is never closed, so the {lines} lines after it are read into it"),
    };
    ParseError::new(Span::from_usize(open, open + 1), message).with_help(
        "close the cell with a quote where it ends; a quote inside a quoted cell is written twice (`\"\"`)",
    )
}

fn csv_error(e: &csv::Error, text: &str) -> ParseError {
    let at = e.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(text.len());
    ParseError::new(Span::from_usize(at, at), format!("invalid CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_commas(text: &str, limits: &Limits) -> Result<Table, ParseError> {
        parse(text, b',', None, limits)
    }

    fn cells(text: &str, row: usize) -> Vec<String> {
        let table = parse(text, b',', None, &Limits::default()).unwrap();
        let node = table.rows[row].as_ref().unwrap();
        let NodeKind::Map(entries) = &node.kind else { panic!() };
        entries.iter().map(|(_, span, _)| text[span.range()].to_owned()).collect()
    }

    #[test]
    fn a_quote_the_file_ends_inside_is_an_error_not_a_cell() {
        let header = parse_commas("id,\"name\nx,y\n", &Limits::default()).expect_err("an error");
        assert_eq!(
            (header.span, header.message.as_str()),
            (Span::new(3, 4), "this quoted cell is never closed, so the line after it is read into it")
        );
        let table = parse_commas("id,name\n1,\"one\n2,two\n3,three\n", &Limits::default()).expect("a table");
        let Err(e) = &table.rows[0] else { panic!("the row is an error") };
        assert_eq!(e.span, Span::new(10, 11));
        assert_eq!(e.message, "this quoted cell is never closed, so the 2 lines after it are read into it");
        let closed = parse_commas("id,name\n1,\"one\"\n", &Limits::default()).expect("a table");
        assert!(closed.rows[0].is_ok());
    }

    #[test]
    fn every_cell_has_its_own_span() {
        let text = "a,b,c\n1,\"two, too\",3\n";
        assert_eq!(cells(text, 0), ["1", "\"two, too\"", "3"]);
    }

    #[test]
    fn quoted_cells_may_span_lines_and_escape_quotes() {
        let text = "a,b\r\n\"line one\nline \"\"two\"\"\",x\r\ny,z\r\n";
        assert_eq!(cells(text, 0), ["\"line one\nline \"\"two\"\"\"", "x"]);
        assert_eq!(cells(text, 1), ["y", "z"]);
        let table = parse(text, b',', None, &Limits::default()).unwrap();
        let first = table.rows[0].as_ref().unwrap();
        assert_eq!(first.get("a").unwrap().as_text(), Some("line one\nline \"two\""));
    }

    #[test]
    fn header_spans_cover_quoted_names() {
        let text = "\"Is it rights-impacting, safety-impacting?\",Agency\nx,y\n";
        let table = parse(text, b',', None, &Limits::default()).unwrap();
        assert_eq!(table.header[0].0, "Is it rights-impacting, safety-impacting?");
        assert_eq!(&text[table.header[1].1.range()], "Agency");
    }

    #[test]
    fn empty_cells_are_null_and_blank_rows_are_skipped() {
        let table = parse_commas("a,b\n1,\n,\n", &Limits::default()).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert!(table.rows[0].as_ref().unwrap().get("b").unwrap().is_null());
    }

    #[test]
    fn ragged_rows_are_errors_but_trailing_empty_cells_are_not() {
        let table = parse_commas("a,b\n1,2,3\n1\n1,2,,\n", &Limits::default()).unwrap();
        let messages: Vec<String> =
            table.rows.iter().map(|r| r.as_ref().err().map_or("ok".into(), |e| e.message.clone())).collect();
        assert_eq!(
            messages,
            [
                "this row has 3 cells, but the header has 2 columns",
                "this row has 1 cell, but the header has 2 columns",
                "ok"
            ]
        );
    }

    #[test]
    fn repeated_columns_are_noted() {
        let table = parse_commas("id,name,id,,\n1,x,2,,\n", &Limits::default()).unwrap();
        assert_eq!(table.repeated, [("id".to_owned(), Span::new(8, 10)), (String::new(), Span::new(12, 12))]);
        assert_eq!(table.rows[0].as_ref().unwrap().get("id").unwrap().as_text(), Some("1"));
    }

    #[test]
    fn cells_are_separated_by_the_delimiter_given_and_quoted_ones_may_hold_it() {
        let text = "id;score;note\r\nsys-1;0,85;\"a; b\"\r\n";
        let table = parse(text, b';', None, &Limits::default()).unwrap();
        let header: Vec<&str> = table.header.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(header, ["id", "score", "note"]);
        let row = table.rows[0].as_ref().unwrap();
        assert_eq!(row.get("score").unwrap().as_text(), Some("0,85"));
        assert_eq!(row.get("note").unwrap().as_text(), Some("a; b"));
        let NodeKind::Map(entries) = &row.kind else { panic!() };
        let written: Vec<&str> = entries.iter().map(|(_, span, _)| &text[span.range()]).collect();
        assert_eq!(written, ["sys-1", "0,85", "\"a; b\""]);
        let tabs = parse("a\tb\n1\t2,3\n", b'\t', None, &Limits::default()).unwrap();
        assert_eq!(tabs.rows[0].as_ref().unwrap().get("b").unwrap().as_text(), Some("2,3"));
    }

    #[test]
    fn a_ragged_row_names_the_delimiter_in_its_help() {
        let table = parse("a;b\n1;2;3\n", b';', None, &Limits::default()).unwrap();
        let error = table.rows[0].as_ref().unwrap_err();
        assert_eq!(error.help.as_deref(), Some("a cell with a semicolon must be quoted"));
        let short = parse("a\tb\tc\n1\t2\n", b'\t', None, &Limits::default()).unwrap();
        assert_eq!(
            short.rows[0].as_ref().unwrap_err().help.as_deref(),
            Some(
                "give every column a cell, an empty one where there is no value (two tabs side by side); a cell with a line break must be quoted"
            )
        );
    }

    #[test]
    fn a_header_split_at_another_delimiter_is_noticed_when_more_columns_are_wanted() {
        let wanted = |name: &str| ["id", "person", "completed_on"].contains(&name);
        assert_eq!(likely_delimiter("id;person;completed_on", b',', 0, &wanted), Some(b';'));
        assert_eq!(likely_delimiter("\u{feff}\"id\"\t\"person\"", b',', 0, &wanted), Some(b'\t'));
        assert_eq!(likely_delimiter("id,person", b';', 0, &wanted), Some(b','));
        // A split that finds no more than the header as read suggests nothing: a header
        // that is right, one no split makes better, and one whose quoted names hold the
        // delimiter, which a split breaks.
        assert_eq!(likely_delimiter("id,person,completed_on", b',', 3, &wanted), None);
        assert_eq!(likely_delimiter("ident;who", b',', 0, &wanted), None);
        let quoted = |name: &str| ["id", "rights, safety or neither?", "a;b"].contains(&name);
        assert_eq!(likely_delimiter("id,\"rights, safety or neither?\",a;b", b',', 2, &quoted), None);
    }

    #[test]
    fn a_first_line_sep_declares_the_delimiter_whatever_was_asked() {
        let text = "\u{feff}sep=;\r\nid;score\r\nsys-1;0,85\r\n";
        let table = parse_commas(text, &Limits::default()).unwrap();
        assert_eq!(table.delimiter, b';');
        assert_eq!(&text[table.header[0].1.range()], "id");
        let row = table.rows[0].as_ref().unwrap();
        assert_eq!(row.get("score").unwrap().as_text(), Some("0,85"));
        assert_eq!(parse("SEP=\t\na\tb\n1\t2\n", b';', None, &Limits::default()).unwrap().delimiter, b'\t');
        // Not a declaration: more after the character, a character that cannot separate.
        for text in ["sep=;;\na\n", "sep=x\na\n", "sep=\na\n", "separator=;\na\n"] {
            let table = parse_commas(text, &Limits::default()).unwrap();
            assert_eq!(table.delimiter, b',', "{text:?}");
            assert_eq!(table.rows.len(), 1, "{text:?}");
        }
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert_eq!(
            parse_commas("", &Limits::default()).unwrap_err().message,
            "the CSV file is empty: it needs a header row"
        );
    }

    #[test]
    fn rows_are_limited() {
        let limits = Limits { max_documents: 2, ..Limits::default() };
        assert_eq!(
            parse_commas("a\n1\n2\n3\n", &limits).unwrap_err().message,
            "more than 2 documents in one file"
        );
    }

    #[test]
    fn a_header_below_a_title_is_found_by_the_columns_it_names() {
        let required = ["id", "person"];
        // Each start found, with its line as citations count it.
        let at = |text: &str, delimiter: u8, required: &[&str]| {
            header_elsewhere(text, delimiter, required, HEADER_SEARCH).map(|start| {
                let line = tenet_diagnostics::LineIndex::new(text).line_col(text, start as u32).line;
                (start, line as usize)
            })
        };
        let find = |text: &str, required: &[&str]| at(text, b',', required);
        // A title and a row of empty cells above the header: found on line 3, from `id`.
        let text = "Register,,\n,,\nid,person,notes\nx,y,z\n";
        assert_eq!(find(text, &required), Some((text.find("id,").unwrap_or(0), 3)));
        // Line breaks of two bytes, blank lines between, quoted names.
        let text = "\"Register, 2026\",,\r\n\r\n\r\n\"id\",\"person\"\r\nx,y\r\n";
        assert_eq!(find(text, &required), Some((text.find("\"id\"").unwrap_or(0), 4)));
        // A row that names only some of the columns is not the header.
        assert_eq!(find("Register\nid,notes\nx,y\n", &required), None);
        // Nor is a row past the rows searched.
        let far = format!("Register\n{}id,person\n", "a,b\n".repeat(HEADER_SEARCH - 1));
        assert_eq!(find(&far, &required), None);
        let near = format!("Register\n{}id,person\n", "a,b\n".repeat(HEADER_SEARCH - 2));
        assert_eq!(find(&near, &required).map(|(_, line)| line), Some(HEADER_SEARCH));
        // Above a header declared too low, too.
        assert_eq!(find("Register\nid,person\nx,y\n", &required), Some((9, 2)));
        // A schema that requires no column finds no header.
        assert_eq!(find(text, &[]), None);
        // Read with the file's delimiter.
        let text = "Register;;\nid;person\n";
        assert_eq!(at(text, b';', &required), Some((11, 2)));
        assert_eq!(at(text, b',', &required), None);
    }

    #[test]
    fn a_header_declared_on_a_line_is_read_there_and_the_rows_above_are_not() {
        let limits = Limits::default();
        let parsed = |text: &str, line: u32| parse(text, b',', Some(line), &limits);
        // A title, a blank line, then the header on line 3; lines are counted as written.
        let table = parsed("Register,,\n\nid,person\nx,y\n", 3).unwrap();
        assert_eq!(table.header.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>(), ["id", "person"]);
        assert_eq!(table.header[0].1, Span::new(12, 14));
        assert_eq!(table.rows.len(), 1);
        // With two-byte line breaks and a quoted title across two lines.
        let text = "\"Register\r\n2026\"\r\nid,person\r\nx,y\r\n";
        assert_eq!(parsed(text, 3).unwrap().header[0].1, Span::new(18, 20));
        // Line 2 is inside the title's quotes: no row starts there.
        let error = parsed(text, 2).err().map(|e| (e.message, e.span));
        assert_eq!(
            error,
            Some(("no row starts on line 2, where the file's header is".to_owned(), Span::new(11, 11)))
        );
        // Line 2 is blank.
        let error = parsed("Register\n\nid,person\n", 2).err().map(|e| e.message);
        assert_eq!(error.as_deref(), Some("no row starts on line 2, where the file's header is"));
        // The file is shorter.
        let error = parsed("Register\nid,person\n", 5).err().map(|e| (e.message, e.span));
        assert_eq!(
            error,
            Some(("the file has no line 5, where its header is".to_owned(), Span::new(19, 19)))
        );
        // After Excel's `sep=` line, lines are still counted from the file's first.
        let table = parse("sep=;\nRegister\nid;person\nx;y\n", b',', Some(3), &limits).unwrap();
        assert_eq!((table.delimiter, table.header.len(), table.rows.len()), (b';', 2, 1));
    }
}
