//! How a schema says its files are written, checked where it says it: the text encoding,
//! and for CSV files the delimiter and the decimal mark. The loader reads with what the
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
