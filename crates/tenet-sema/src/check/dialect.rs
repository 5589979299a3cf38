//! How a schema says its files are written, checked where it says it: the text encoding,
//! and for CSV files the delimiter, the decimal mark and the line of the header. The loader reads with what the
//! checker accepts, so a clause no file can be read with is an error here, once, rather
//! than at every file.

use tenet_diagnostics::Code;
use tenet_syntax::ast;

use super::Checker;
use crate::FileId;

impl Checker<'_> {
    /// A schema's `encoding` must be a label the loader can decode with (WHATWG's, as
    /// `encoding_rs` knows them), or every file of the kind would fail to load.
    pub(super) fn check_encoding(&mut self, file: FileId, encoding: &ast::Str) {
        if encoding_rs::Encoding::for_label(encoding.value.trim().as_bytes()).is_some() {
            return;
        }
        let message = format!("`{}` is not an encoding Tenet knows", encoding.value.escape_debug());
        let d = self.diag(Code::UNKNOWN_ENCODING, file, encoding.span, message).with_help(
            "use a WHATWG encoding label: `windows-1252` (what Excel saves CSV in), `iso-8859-15`, `utf-16le`, `shift_jis`",
        );
        self.report(d);
    }

    /// A schema's `delimiter`, when it is one character that can separate cells and the
    /// schema's globs may select CSV files, which are all it applies to.
    pub(super) fn delimiter(&mut self, file: FileId, schema: &ast::Schema, written: &ast::Str) -> Option<u8> {
        let fault = match crate::sources::delimiter_fault(&written.value) {
            Some(fault) => Some((
                match written.value.as_str() {
                    "" => format!("an empty text cannot separate cells: {fault}"),
                    value => format!("`{}` cannot separate cells: {fault}", value.escape_debug()),
                },
                "write the one character between a row's cells: `delimiter \";\"`, `delimiter \"\\t\"` for tabs, `delimiter \"|\"`".to_owned(),
            )),
            None => self.delimiter_unused(schema),
        };
        let Some((message, help)) = fault else {
            return written.value.bytes().next();
        };
        let d = self.diag(Code::INVALID_CSV_DIALECT, file, written.span, message).with_help(help);
        self.report(d);
        None
    }

    /// Why a schema's delimiter would be read nowhere: none of its globs selects CSV
    /// files.
    fn delimiter_unused(&self, schema: &ast::Schema) -> Option<(String, String)> {
        read_nowhere(schema, "delimiter", &["CSV"], |globs| {
            let name = &schema.name.text;
            if globs.iter().any(|g| crate::sources::may_select(g, "TSV")) {
                (
                    format!("`{name}` reads TSV files, whose cells are separated by tabs"),
                    "remove the delimiter, or read the files as `.csv` with it".to_owned(),
                )
            } else {
                (
                    format!("a delimiter separates the cells of CSV files, but `{name}` reads none"),
                    "remove the delimiter, or select the kind's `.csv` files in `from`".to_owned(),
                )
            }
        })
    }

    /// Whether a schema's `decimal` makes the comma its CSV files' decimal mark: it must
    /// say `","` or `"."`, on a schema whose globs may select CSV or TSV files.
    pub(super) fn decimal_comma(&mut self, file: FileId, schema: &ast::Schema, written: &ast::Str) -> bool {
        let fault = if matches!(written.value.as_str(), "," | ".") {
            read_nowhere(schema, "decimal mark", &["CSV", "TSV"], |_| {
                (
                    format!(
                        "a decimal mark reads the numbers of CSV and TSV files, but `{}` reads none",
                        schema.name.text
                    ),
                    "remove it: YAML, JSON and TOML write numbers with a point".to_owned(),
                )
            })
        } else {
            Some((
                format!("`{}` is not a decimal mark", written.value.escape_debug()),
                "write `decimal \",\"` for numbers such as 0,85; a point is the default".to_owned(),
            ))
        };
        let Some((message, help)) = fault else {
            return written.value == ",";
        };
        let d = self.diag(Code::INVALID_CSV_DIALECT, file, written.span, message).with_help(help);
        self.report(d);
        false
    }

    /// The line a schema's `header` puts its CSV and TSV files' header on: a line number
    /// from 1, on a schema whose globs may select such files.
    pub(super) fn header_line(
        &mut self,
        file: FileId,
        schema: &ast::Schema,
        written: &ast::LineNumber,
    ) -> Option<u32> {
        let line = written.digits.parse::<u32>().ok().filter(|line| *line >= 1);
        let fault = match line {
            Some(_) => read_nowhere(schema, "header line", &["CSV", "TSV"], |_| {
                (
                    format!(
                        "a header line says where a CSV or TSV file's columns are named, but `{}` reads no such files",
                        schema.name.text
                    ),
                    "remove it: YAML, JSON and TOML files name their fields where they write them".to_owned(),
                )
            }),
            None => Some((
                format!("`{}` is not a line of a file", written.digits),
                "lines are counted from 1: `header 3` reads the header on the third line, below two of title"
                    .to_owned(),
            )),
        };
        let Some((message, help)) = fault else {
            return line;
        };
        let d = self.diag(Code::INVALID_CSV_DIALECT, file, written.span, message).with_help(help);
        self.report(d);
        None
    }
}

/// Why a schema's CSV clause (`what`: "delimiter", "decimal mark"), which applies to its
/// files of `formats`, would be read nowhere: the schema reads no files of its own, or
/// none of its globs may select such files, which `otherwise` words from the globs.
fn read_nowhere(
    schema: &ast::Schema,
    what: &str,
    formats: &[&str],
    otherwise: impl FnOnce(&[&str]) -> (String, String),
) -> Option<(String, String)> {
    let globs: Vec<&str> = schema.sources.iter().map(|s| s.glob.value.as_str()).collect();
    if globs.iter().any(|g| formats.iter().any(|format| crate::sources::may_select(g, format))) {
        return None;
    }
    if globs.is_empty() {
        return Some((
            format!("`{}` reads no files of its own, so no CSV file takes its {what}", schema.name.text),
            format!(
                "a {what} applies to the {} files the schema's `from` globs select",
                formats.join(" and ")
            ),
        ));
    }
    Some(otherwise(&globs))
}
