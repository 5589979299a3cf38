//! Evidence loading: the files an organisation already keeps (YAML registers, JSON and
//! JSON Lines exports, TOML settings, CSV spreadsheets, Markdown documents with front
//! matter) read into documents typed by the schemas of the policies, with the file, line
//! and column of every document so that each verdict can cite it.
//!
//! **Architecture invariant:** loading one file never fails the run and never panics:
//! whatever is wrong becomes a located diagnostic, the file's good documents are kept,
//! and the other files are unaffected. Limits (size, depth, documents, values) turn
//! hostile input into errors, not exhausted memory or stacks.
//!
//! **API boundary:** one file at a time ([`load_file`]), so the database can re-load only
//! the file that changed; what needs every file (duplicate keys, dangling references) is
//! [`check_across_files`]. No salsa, no I/O.
//!
//! Parsers: YAML through `saphyr-parser`'s event stream (positions on every event, no
//! recursion), TOML through `toml`'s spanned document model, CSV through `csv`, text
//! encodings through `encoding_rs`; JSON through a small reader here, since the usual
//! JSON crates drop positions.

mod formats {
    pub(crate) mod json;
    pub(crate) mod other;
    pub(crate) mod yaml;
}
mod limits;
mod node;
mod typing;

use std::collections::HashMap;
use std::sync::Arc;

use globset::Glob;
use tenet_diagnostics::{Code, Diagnostic, LineIndex, Span};
use tenet_eval::{Citation, Doc};
use tenet_sema::KindId;
use tenet_sema::program::Schema;
use tenet_sema::ty::Ty;
use tenet_sema::value::Value;

pub use limits::Limits;

use crate::node::{Node, NodeKind, ParseError};
use crate::typing::Typer;

/// One evidence file, loaded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    /// Its documents, each with its kind.
    pub documents: Vec<(KindId, Doc)>,
    /// Every document's key, where it is written: for duplicate keys across files.
    pub keys: Vec<KeySite>,
    /// Every reference, where it is written: for references to missing documents.
    pub refs: Vec<RefSite>,
    /// What is wrong with the file.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text as decoded (for showing diagnostics of non-UTF-8 files).
    pub text: Arc<str>,
}

/// Where a document's key is written.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySite {
    /// The kind.
    pub kind: KindId,
    /// The key.
    pub key: String,
    /// Where, in this file.
    pub span: Span,
}

/// Where a reference to another document is written.
#[derive(Debug, Clone, PartialEq)]
pub struct RefSite {
    /// The kind referred to.
    pub target: KindId,
    /// The key referred to.
    pub key: String,
    /// Where, in this file.
    pub span: Span,
}

/// The formats Tenet reads, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
    JsonLines,
    Toml,
    Csv,
    Markdown,
}

fn format_of(path: &str) -> Option<Format> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "yaml" | "yml" => Format::Yaml,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::JsonLines,
        "toml" => Format::Toml,
        "csv" => Format::Csv,
        "md" | "markdown" => Format::Markdown,
        _ => return None,
    })
}

/// The schemas' source globs, compiled once for a whole set of files.
#[derive(Debug, Clone)]
pub struct Sources {
    set: globset::GlobSet,
    /// For each glob in `set`, the kind it belongs to.
    owners: Vec<KindId>,
}

impl Sources {
    /// Compiles the `from` globs of every schema; a glob that does not compile matches
    /// nothing (the checker reports it).
    pub fn new(schemas: &[Schema]) -> Sources {
        let mut builder = globset::GlobSetBuilder::new();
        let mut owners = Vec::new();
        for (i, s) in schemas.iter().enumerate() {
            for g in &s.sources {
                if let Ok(glob) = Glob::new(g) {
                    builder.add(glob);
                    owners.push(KindId(i as u32));
                }
            }
        }
        let set = builder.build().unwrap_or_else(|_| globset::GlobSet::empty());
        Sources { set, owners }
    }

    /// The kinds whose globs match `path`, in program order.
    fn kinds_for(&self, path: &str) -> Vec<KindId> {
        let mut kinds: Vec<KindId> =
            self.set.matches(path).into_iter().filter_map(|i| self.owners.get(i).copied()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

impl PartialEq for Sources {
    fn eq(&self, other: &Sources) -> bool {
        self.owners == other.owners && self.set.len() == other.set.len()
    }
}

/// Loads one file (`path` relative to the evidence root, with `/`). Files that no schema
/// reads and that name no `kind` are not evidence and load to nothing.
pub fn load_file(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources, limits: &Limits) -> Loaded {
    let shown: Arc<str> = Arc::from(path);
    let mut loaded = Loaded::default();
    let Some(format) = format_of(path) else { return loaded };
    let by_glob = sources.kinds_for(path);
    if bytes.len() > limits.max_file_bytes {
        loaded.diagnostics.push(
            Diagnostic::new(
                Code::UNREADABLE_EVIDENCE,
                shown,
                Span::new(0, 0),
                format!(
                    "the file is {} bytes; evidence files may be at most {} bytes",
                    bytes.len(),
                    limits.max_file_bytes
                ),
            )
            .with_help("split the file, or raise the limit"),
        );
        return loaded;
    }
    let declared = by_glob.iter().find_map(|k| schemas.get(k.index()).and_then(|s| s.encoding.clone()));
    let text = match decode(bytes, declared.as_deref(), &by_glob, schemas) {
        Ok(text) => text,
        Err((span, message, help)) => {
            loaded.text = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            // Only files that are evidence at all deserve an error.
            if !by_glob.is_empty()
                || matches!(format, Format::Yaml | Format::Json | Format::JsonLines | Format::Toml)
            {
                let mut d = Diagnostic::new(Code::UNREADABLE_EVIDENCE, shown, span, message);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                loaded.diagnostics.push(d);
            }
            return loaded;
        }
    };
    let index = LineIndex::new(&text);
    let mut cx = Context {
        path: shown.clone(),
        text: &text,
        index: &index,
        schemas,
        by_glob: &by_glob,
        loaded: &mut loaded,
    };
    match format {
        Format::Yaml => match formats::yaml::parse(&text, 0, limits) {
            // A register is often one list of entries: each entry is a document.
            Ok(docs) => docs.iter().for_each(|d| match &d.kind {
                NodeKind::Seq(items) => items.iter().for_each(|item| cx.document(item, None)),
                _ => cx.document(d, None),
            }),
            Err(e) => cx.parse_error(e),
        },
        Format::Json => match formats::json::parse(&text, 0, limits) {
            // A top-level array holds several documents.
            Ok(Node { kind: NodeKind::Seq(items), .. }) => items.iter().for_each(|d| cx.document(d, None)),
            Ok(doc) => cx.document(&doc, None),
            Err(e) => cx.parse_error(e),
        },
        Format::JsonLines => match formats::json::parse_lines(&text, limits) {
            Ok(docs) => docs.iter().for_each(|d| cx.document(d, None)),
            Err(e) => cx.parse_error(e),
        },
        Format::Toml => match formats::other::parse_toml(&text, limits) {
            Ok(docs) => docs.iter().for_each(|d| cx.document(d, None)),
            Err(e) => cx.parse_error(e),
        },
        Format::Csv => cx.csv(limits),
        Format::Markdown => cx.markdown(limits),
    }
    loaded.text = Arc::from(text.as_str());
    loaded
}

type DecodeError = (Span, String, Option<String>);

/// Decodes the bytes: a declared encoding, else UTF-8 (a byte-order mark is dropped).
fn decode(
    bytes: &[u8],
    declared: Option<&str>,
    kinds: &[KindId],
    schemas: &[Schema],
) -> Result<String, DecodeError> {
    if let Some(label) = declared {
        let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes()) else {
            return Err((
                Span::new(0, 0),
                format!("the schema declares an unknown encoding `{label}`"),
                None,
            ));
        };
        let (text, _, had_errors) = encoding.decode(bytes);
        if had_errors {
            return Err((Span::new(0, 0), format!("the file is not valid {}", encoding.name()), None));
        }
        return Ok(text.into_owned());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let at = e.valid_up_to() + 3 * usize::from(bytes.len() != bytes.len());
            let schema = kinds
                .first()
                .and_then(|k| schemas.get(k.index()))
                .map_or("its schema".to_owned(), |s| format!("schema `{}`", s.name));
            Err((
                Span::from_usize(at, at + 1),
                format!(
                    "the file is not UTF-8: byte {at} (0x{:02X}) starts an invalid sequence",
                    bytes.get(at).copied().unwrap_or(0)
                ),
                Some(format!(
                    "save it as UTF-8, or declare its encoding on {schema}, e.g. `encoding \"windows-1252\"` (Excel's CSV export)"
                )),
            ))
        }
    }
}

struct Context<'a> {
    path: Arc<str>,
    text: &'a str,
    index: &'a LineIndex,
    schemas: &'a [Schema],
    by_glob: &'a [KindId],
    loaded: &'a mut Loaded,
}

impl Context<'_> {
    fn parse_error(&mut self, e: ParseError) {
        let mut d = Diagnostic::new(Code::MALFORMED_EVIDENCE, self.path.clone(), e.span, e.message);
        if let Some(help) = e.help {
            d = d.with_help(help);
        }
        self.loaded.diagnostics.push(d);
    }

    fn citation(&self, span: Span) -> Citation {
        let pos = self.index.line_col(self.text, span.start);
        Citation { path: self.path.clone(), line: pos.line, column: pos.column }
    }

    /// The kind of a document: its `kind:` field, else the schema whose globs match.
    fn kind_of(&mut self, node: &Node) -> Option<KindId> {
        if let Some(kind) = node.get("kind") {
            let name = kind.as_text().unwrap_or("").trim().to_owned();
            let found = self.schemas.iter().position(|s| *s.name == *name);
            if let Some(i) = found {
                return Some(KindId(i as u32));
            }
            let names: Vec<&str> = self.schemas.iter().map(|s| &*s.name).collect();
            let mut d = Diagnostic::new(
                Code::UNKNOWN_EVIDENCE_KIND,
                self.path.clone(),
                kind.span,
                format!("no evidence kind is called `{name}`"),
            );
            if let Some(best) = tenet_sema::did_you_mean(&name, names.iter().copied()) {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
            self.loaded.diagnostics.push(d);
            return None;
        }
        self.by_glob.first().copied()
    }

    fn document(&mut self, node: &Node, markdown: Option<&formats::other::Markdown>) {
        let Some(kind) = self.kind_of(node) else { return };
        self.typed(node, kind, markdown, true);
    }

    fn typed(
        &mut self,
        node: &Node,
        kind: KindId,
        markdown: Option<&formats::other::Markdown>,
        warn_unknown: bool,
    ) {
        let Some(schema) = self.schemas.get(kind.index()) else { return };
        let what = format!("this {}", schema.name);
        let mut typer = Typer { path: &self.path, diagnostics: &mut self.loaded.diagnostics, warn_unknown };
        let Some(fields) = typer.record(node, &schema.record, &what) else { return };
        let key = schema.key.and_then(|k| fields.get(k).cloned()).filter(|v| !v.is_none());
        if let (Some(k), Some(key)) = (schema.key, &key) {
            let field = schema.record.fields.get(k);
            let span = field.and_then(|f| node.get(f.source_name())).map_or(node.span, |n| n.span);
            self.loaded.keys.push(KeySite { kind, key: key.to_string(), span });
        }
        for (field, value) in schema.record.fields.iter().zip(fields.iter()) {
            let Ty::Ref(target) = field.ty.non_optional() else { continue };
            if let Value::String(key) = value {
                let span = node.get(field.source_name()).map_or(node.span, |n| n.span);
                self.loaded.refs.push(RefSite { target: *target, key: key.to_string(), span });
            }
        }
        let effective = schema.effective.and_then(|i| match fields.get(i) {
            Some(Value::Date(d)) => Some(*d),
            Some(Value::DateTime(t)) => Some(jiff::tz::TimeZone::UTC.to_datetime(*t).date()),
            _ => None,
        });
        let doc = Doc {
            key,
            fields: Arc::from(fields),
            effective,
            body: markdown.map(|m| m.body.clone()),
            sections: markdown.map_or_else(|| Arc::from(Vec::new()), |m| m.sections.clone()),
            citation: self.citation(node.span),
        };
        self.loaded.documents.push((kind, doc));
    }

    fn csv(&mut self, limits: &Limits) {
        let rows = match formats::other::parse_csv(self.text, limits) {
            Ok(rows) => rows,
            Err(e) => return self.parse_error(e),
        };
        let has_kind_column = rows.header.iter().any(|(h, _)| h == "kind");
        // Columns are checked once, at the header, not once per row.
        if !has_kind_column
            && let Some(kind) = self.by_glob.first().copied()
            && let Some(schema) = self.schemas.get(kind.index())
        {
            let mut missing = false;
            for field in &schema.record.fields {
                let present = rows.header.iter().any(|(h, _)| h == field.source_name());
                if !present && !matches!(field.ty, Ty::Optional(_)) {
                    missing = true;
                    self.loaded.diagnostics.push(
                        Diagnostic::new(
                            Code::MISSING_EVIDENCE_FIELD,
                            self.path.clone(),
                            Span::from_usize(0, self.text.find('\n').unwrap_or(self.text.len())),
                            format!(
                                "the header has no column `{}`, which {} requires",
                                field.source_name(),
                                schema.name
                            ),
                        )
                        .with_help("add the column, or declare the field optional (`?`) in the schema"),
                    );
                }
            }
            // Exports often carry many columns no rule needs: one warning names them all.
            let unknown: Vec<&(String, Span)> = rows
                .header
                .iter()
                .filter(|(h, _)| !schema.record.fields.iter().any(|f| f.source_name() == h))
                .collect();
            if let Some((first, span)) = unknown.first() {
                let message = if unknown.len() == 1 {
                    format!("{} has no field `{first}`; no rule can read this column", schema.name)
                } else {
                    let shown: Vec<String> = unknown.iter().take(3).map(|(h, _)| format!("`{h}`")).collect();
                    format!(
                        "{} of the {} columns are not fields of {} ({}{}); no rule can read them",
                        unknown.len(),
                        rows.header.len(),
                        schema.name,
                        shown.join(", "),
                        if unknown.len() > 3 { ", …" } else { "" }
                    )
                };
                self.loaded.diagnostics.push(Diagnostic::new(
                    Code::UNKNOWN_EVIDENCE_FIELD,
                    self.path.clone(),
                    *span,
                    message,
                ));
            }
            if missing {
                return;
            }
        }
        for row in rows.rows {
            match row {
                Ok(node) => match (has_kind_column, self.by_glob.first().copied()) {
                    (false, Some(kind)) => self.typed(&node, kind, None, false),
                    _ => self.document(&node, None),
                },
                Err(e) => self.parse_error(e),
            }
        }
    }

    fn markdown(&mut self, limits: &Limits) {
        match formats::other::parse_markdown(self.text, limits) {
            Ok(md) => {
                let node = md.front_matter.clone();
                self.document(&node, Some(&md));
            }
            Err(e) => {
                // A Markdown file is evidence only if a schema reads it.
                if !self.by_glob.is_empty() {
                    self.parse_error(e);
                }
            }
        }
    }
}

/// What only the whole set of files shows: two documents of a kind with one key, and
/// references to documents that do not exist.
pub fn check_across_files(files: &[(&str, &Loaded)], schemas: &[Schema]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut first: HashMap<(KindId, &str), (&str, Span)> = HashMap::new();
    for (path, loaded) in files {
        for site in &loaded.keys {
            match first.get(&(site.kind, site.key.as_str())) {
                Some((first_path, first_span)) => {
                    let name = schemas.get(site.kind.index()).map_or("?", |s| &s.name);
                    out.push(
                        Diagnostic::new(
                            Code::DUPLICATE_KEY,
                            Arc::from(*path),
                            site.span,
                            format!("another {name} already has the key `{}`", site.key),
                        )
                        .with_related(
                            Arc::from(*first_path),
                            *first_span,
                            "the first document with this key",
                        ),
                    );
                }
                None => {
                    first.insert((site.kind, site.key.as_str()), (path, site.span));
                }
            }
        }
    }
    for (path, loaded) in files {
        for site in &loaded.refs {
            if first.contains_key(&(site.target, site.key.as_str())) {
                continue;
            }
            let name = schemas.get(site.target.index()).map_or("?", |s| &s.name);
            out.push(
                Diagnostic::new(
                    Code::DANGLING_REF,
                    Arc::from(*path),
                    site.span,
                    format!("no {name} has the key `{}`", site.key),
                )
                .with_help(format!("add the {name} document, or correct the reference")),
            );
        }
    }
    out
}
