//! One file from bytes to typed documents: limits, decoding, the format's parser, the
//! kind of each document, then typing by its schema. Every problem on the way is a
//! diagnostic of this file; nothing here fails. YAML and JSON Lines documents are typed
//! one by one as their readers give them, which keeps none of their nodes; the tests and
//! a fuzz target hold that to typing them after the whole file is read.

use std::borrow::Cow;
use std::sync::Arc;

use tenet_diagnostics::{Code, Diagnostic, LineCol, LineCursor, Span};
use tenet_eval::{Citation, Doc, DocText, UnreadDoc};
use tenet_sema::KindId;
use tenet_sema::program::Schema;
use tenet_sema::ty::Ty;
use tenet_sema::value::{SmolStr, Value};

use crate::Loaded;
use crate::decode::{Decoded, decode};
use crate::formats::markdown::Markdown;
use crate::formats::{csv, json, markdown, toml, yaml, yaml_block};
use crate::limits::Limits;
use crate::location::DocLocation;
use crate::node::{Node, NodeKind, ParseError, Parsed};
use crate::sources::{Format, Match, Sources};
use crate::typing::Typer;

/// How a YAML or JSON Lines file's documents are read: each typed as its reader gives
/// it, or all read before any is typed, which the tests compare the first with.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Reading {
    Streamed,
    #[cfg(any(test, feature = "fuzzing"))]
    Whole,
}

/// Loads `text` as file `path` as the loader does, typing each document as its reader
/// gives it, and by reading every document first: `Err` with both loadings when they
/// differ, with and without locations, else how many documents and diagnostics the
/// loading has. What the tests and the `evidence` fuzz target assert.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn loadings_agree(
    path: &str,
    text: &str,
    schemas: &[Schema],
    limits: &Limits,
) -> Result<(usize, usize), String> {
    let sources = Sources::new(schemas);
    let mut counts = (0, 0);
    for locate in [false, true] {
        let load = |reading| load(path, text.as_bytes(), schemas, &sources, limits, locate, reading);
        let (streamed, whole) = (load(Reading::Streamed), load(Reading::Whole));
        if streamed != whole {
            return Err(format!("streamed: {streamed:?}\nwhole: {whole:?}"));
        }
        counts = (streamed.documents.len(), streamed.diagnostics.len());
    }
    Ok(counts)
}

pub(crate) fn load(
    path: &str,
    bytes: &[u8],
    schemas: &[Schema],
    sources: &Sources,
    limits: &Limits,
    locate: bool,
    reading: Reading,
) -> Loaded {
    let shown: Arc<str> = Arc::from(path);
    let mut loaded = Loaded::default();
    let Some(format) = Format::of(path) else { return loaded };
    // The kinds whose globs read the file's documents, and those that read documents at a
    // place in it (`at`).
    let matches = sources.matches(path);
    let mut by_glob: Vec<KindId> = matches.iter().filter(|m| m.at.is_none()).map(|m| m.kind).collect();
    by_glob.dedup();
    let placed: Vec<Match> = matches.into_iter().filter(|m| m.at.is_some()).collect();
    // Only files that are evidence at all deserve an error before they are parsed.
    let evidence = !by_glob.is_empty() || !placed.is_empty() || format.self_describing();
    if bytes.len() > limits.max_file_bytes {
        if evidence {
            loaded.diagnostics.push(
                Diagnostic::new(
                    Code::UNREADABLE_EVIDENCE,
                    shown,
                    Span::new(0, 0),
                    format!(
                        "the file is larger than {} bytes, the most an evidence file may hold",
                        limits.max_file_bytes
                    ),
                )
                .with_help("split it into smaller files, which one glob can select together"),
            );
            lost_whole(&mut loaded, &by_glob, &placed, LineCol { line: 1, column: 1 });
        }
        return loaded;
    }
    if by_glob.len() > 1 {
        loaded.diagnostics.push(overlapping_sources(&shown, &by_glob, schemas));
    }
    let reading_kinds = || by_glob.iter().chain(placed.iter().map(|m| &m.kind));
    let schema = reading_kinds().find_map(|k| schemas.get(k.index()));
    let declared = reading_kinds().find_map(|k| schemas.get(k.index()).and_then(|s| s.encoding.as_deref()));
    let text = match decode(bytes, declared, schema.map(|s| &*s.name)) {
        Ok(Decoded { text, utf8_not: None }) => text,
        Ok(Decoded { text, utf8_not: Some(encoding) }) => {
            loaded.diagnostics.push(utf8_not_declared(&shown, &text, encoding, schema));
            text
        }
        Err(e) => {
            if evidence {
                let at = LineCursor::new(&e.lossy).line_col(e.span.start);
                let mut d = Diagnostic::new(Code::UNREADABLE_EVIDENCE, shown, e.span, e.message);
                if let Some(help) = e.help {
                    d = d.with_help(help);
                }
                loaded.diagnostics.push(d);
                lost_whole(&mut loaded, &by_glob, &placed, at);
            }
            loaded.decoded = Some(Arc::from(e.lossy));
            return loaded;
        }
    };
    let mut cx = Context {
        path: shown,
        text: &text,
        lines: LineCursor::new(&text),
        schemas,
        by_glob: &by_glob,
        placed: &placed,
        locate,
        tabular: matches!(format, Format::Csv | Format::Tsv),
        kind_is_data: by_glob
            .first()
            .and_then(|k| schemas.get(k.index()))
            .is_some_and(|s| s.record.fields.iter().any(|f| f.source_name() == "kind")),
        loaded: &mut loaded,
        unread_spans: Vec::new(),
    };
    match format {
        // A place in a document is found once the document is read whole.
        Format::Yaml if reading == Reading::Streamed && placed.is_empty() => cx.yaml(limits),
        Format::Yaml => cx.documents(yaml::parse(&text, 0, limits)),
        Format::Json if placed.is_empty() => cx.documents(json::parse_documents(&text, limits)),
        Format::Json => cx.documents(json::parse_whole(&text, limits)),
        #[cfg(any(test, feature = "fuzzing"))]
        Format::JsonLines if reading == Reading::Whole => cx.lines(json::parse_lines(&text, limits)),
        Format::JsonLines => cx.json_lines(limits),
        // A file read at a place is one document, whatever its top level holds.
        Format::Toml => cx.documents(toml::parse(&text, limits, placed.is_empty())),
        Format::Csv => {
            let delimiter = reading_kinds().find_map(|k| schemas.get(k.index()).and_then(|s| s.delimiter));
            let header = reading_kinds().find_map(|k| schemas.get(k.index()).and_then(|s| s.header_line));
            cx.csv(delimiter.unwrap_or(b','), header, limits);
            cx.keyless("a CSV file's rows have");
        }
        Format::Tsv => {
            let header = reading_kinds().find_map(|k| schemas.get(k.index()).and_then(|s| s.header_line));
            cx.csv(b'\t', header, limits);
            cx.keyless("a TSV file's rows have");
        }
        Format::Markdown => {
            cx.markdown(limits);
            cx.keyless("a Markdown file has");
        }
    }
    cx.lost_beyond_documents(&by_glob);
    fold_unknown_fields(&mut loaded.diagnostics);
    // Stable, so a document's diagnostics stay in field order.
    loaded.diagnostics.sort_by_key(|d| d.span.start);
    // Most files are UTF-8 as they stand: their bytes are their text, kept once.
    loaded.decoded = match text {
        Cow::Borrowed(t) if t.len() == bytes.len() => None,
        other => Some(Arc::from(other)),
    };
    loaded
}

/// How far a file's loading had got, to go back to.
struct Mark {
    documents: usize,
    locations: usize,
    diagnostics: usize,
    unread: usize,
}

impl Mark {
    fn of(loaded: &Loaded) -> Mark {
        Mark {
            documents: loaded.documents.len(),
            locations: loaded.locations.len(),
            diagnostics: loaded.diagnostics.len(),
            unread: loaded.unread.len(),
        }
    }

    /// Drops what `loaded` gained since the mark.
    fn back(&self, loaded: &mut Loaded) {
        loaded.documents.truncate(self.documents);
        loaded.locations.truncate(self.locations);
        loaded.diagnostics.truncate(self.diagnostics);
        loaded.unread.truncate(self.unread);
    }
}

/// One warning for each field a file's documents write that their schema lacks, at its
/// first document, counting the others: a register of a thousand entries, each with the
/// same extra fields, would otherwise bury its errors under a thousand warnings a field.
fn fold_unknown_fields(diagnostics: &mut Vec<Diagnostic>) {
    let unknown = |d: &Diagnostic| d.code == Code::UNKNOWN_EVIDENCE_FIELD;
    if diagnostics.iter().filter(|d| unknown(d)).nth(1).is_none() {
        return;
    }
    let mut first: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    let mut keep = Vec::with_capacity(diagnostics.len());
    for (i, d) in diagnostics.iter().enumerate() {
        let repeated = unknown(d) && {
            let seen = first.entry(d.message.clone()).or_insert((i, 0));
            seen.1 += 1;
            seen.1 > 1
        };
        keep.push(!repeated);
    }
    for (index, count) in first.into_values().filter(|(_, count)| *count > 1) {
        if let Some(d) = diagnostics.get_mut(index) {
            let others = count - 1;
            let documents = if others == 1 { "document" } else { "documents" };
            d.message = format!(
                "{}, here or in the {others} other {documents} of this file that write it",
                d.message
            );
        }
    }
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
}

/// The key of a document `schema` could not read, as written (trimmed, when not empty):
/// what names it in the errors of the rules that report it lost.
fn written_key(schema: &Schema, node: &Node) -> Option<SmolStr> {
    let field = schema.record.fields.get(schema.key?)?;
    let text = node.get(field.source_name())?.as_text()?.trim();
    (!text.is_empty()).then(|| SmolStr::from(text))
}

/// The kind a file's documents are read as without a `kind:` field: its globs', else the
/// first of those that read documents at a place in it.
fn file_kind(by_glob: &[KindId], placed: &[Match]) -> Option<KindId> {
    by_glob.first().or(placed.first().map(|m| &m.kind)).copied()
}

/// A file of which nothing could be read (too large, or not text in its encoding): its
/// kind's rules report it, from `at`, with the diagnostic just given.
fn lost_whole(loaded: &mut Loaded, by_glob: &[KindId], placed: &[Match], at: LineCol) {
    let (Some(kind), Some(d)) = (file_kind(by_glob, placed), loaded.diagnostics.last()) else { return };
    let citation = Citation { path: d.path.clone(), line: at.line, column: at.column };
    let unread =
        UnreadDoc { key: None, citation, reason: Arc::from(d.message.as_str()), one_document: false };
    loaded.unread.push((kind, unread));
}

/// The warning for a file the globs of several kinds select (`kinds`, in the program's
/// order): its documents go to the first, and the others silently had none.
fn overlapping_sources(path: &Arc<str>, kinds: &[KindId], schemas: &[Schema]) -> Diagnostic {
    let names: Vec<String> =
        kinds.iter().filter_map(|k| schemas.get(k.index())).map(|s| format!("`{}`", s.name)).collect();
    let (first, rest) = names.split_first().map_or(("?", &[][..]), |(f, r)| (f.as_str(), r));
    let others = match rest {
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    Diagnostic::new(
        Code::OVERLAPPING_SOURCES,
        path.clone(),
        Span::new(0, 0),
        format!(
            "the `from` globs of {first} and of {others} select this file: its documents are read as {first}, the first of them, and {others} {} none of them",
            if rest.len() == 1 { "gets" } else { "get" }
        ),
    )
    .with_help("narrow the globs so that one kind selects the file, or give each document a `kind:` naming its schema")
}

/// The warning for a file in UTF-8 that `schema` says is in `encoding`, at its first
/// letter beyond ASCII, the first that reads otherwise.
fn utf8_not_declared(path: &Arc<str>, text: &str, encoding: &str, schema: Option<&Schema>) -> Diagnostic {
    let (at, letter) = text.char_indices().find(|(_, c)| !c.is_ascii()).unwrap_or((0, ' '));
    let schema = schema.map_or("its schema".to_owned(), |s| format!("schema `{}`", s.name));
    Diagnostic::new(
        Code::UTF8_NOT_DECLARED_ENCODING,
        path.clone(),
        Span::from_usize(at, at + letter.len_utf8()),
        format!("this file is UTF-8, not {encoding} as {schema} declares, so it is read as UTF-8"),
    )
    .with_help(format!(
        "read as {encoding}, `{letter}` would have been two other letters; to say what the file is, save it with a UTF-8 byte-order mark"
    ))
}

struct Context<'a> {
    path: Arc<str>,
    text: &'a str,
    lines: LineCursor<'a>,
    schemas: &'a [Schema],
    by_glob: &'a [KindId],
    /// The kinds whose globs read documents at a place in the file.
    placed: &'a [Match],
    /// Whether to keep where each document and value is written.
    locate: bool,
    /// Whether the file is a CSV or TSV file, whose numbers a schema may write with a
    /// decimal comma.
    tabular: bool,
    /// Whether the glob's schema has a field called `kind`, which is then data, not the
    /// name of a schema; worked out once per file rather than once per document.
    kind_is_data: bool,
    loaded: &'a mut Loaded,
    /// Where the documents and rows in `loaded.unread` are written, and their errors: an
    /// error within none of these stopped the file's reading
    /// ([`Context::lost_beyond_documents`]).
    unread_spans: Vec<Span>,
}

/// The columns `schema` requires: its fields that are not optional, by the names the files
/// give them.
fn required_columns(schema: &Schema) -> impl Iterator<Item = &str> {
    schema.record.fields.iter().filter(|f| !matches!(f.ty, Ty::Optional(_))).map(|f| f.source_name())
}

/// Whether `header` lacks a column `schema` requires: a header that has them all is not
/// looked at again for another delimiter or a header further down.
fn lacks_required(schema: &Schema, header: &[(String, Span)]) -> bool {
    required_columns(schema).any(|name| !header.iter().any(|(h, _)| h == name))
}

impl Context<'_> {
    fn parse_error(&mut self, e: ParseError) {
        let mut d = Diagnostic::new(Code::MALFORMED_EVIDENCE, self.path.clone(), e.span, e.message);
        if let Some(help) = e.help {
            d = d.with_help(help);
        }
        self.loaded.diagnostics.push(d);
    }

    /// Evidence of `kind` that could not be read, starting at `at`: one document (its key
    /// when it could be read), or the file's documents from there on. Rules over the kind
    /// report it.
    fn unread(&mut self, kind: KindId, key: Option<SmolStr>, at: Span, reason: &str, one_document: bool) {
        let unread = UnreadDoc { key, citation: self.citation(at), reason: Arc::from(reason), one_document };
        self.loaded.unread.push((kind, unread));
    }

    /// A row of a CSV file or a line of a JSON Lines file that could not be read: one
    /// document of the file's kind lost, and said so.
    fn lost_row(&mut self, e: ParseError) {
        if let Some(kind) = self.glob_kind() {
            self.unread(kind, None, e.span, &e.message, true);
            self.unread_spans.push(e.span);
        }
        self.parse_error(e);
    }

    /// A document of `kind` that did not type: its key as written, if it has one, and the
    /// first error typing it gave (from diagnostic `before` on).
    fn untyped(&mut self, node: &Node, kind: KindId, schema: &Schema, before: usize) {
        let new = self.loaded.diagnostics.get(before..).unwrap_or_default();
        let Some(reason) = new.iter().find(|d| d.is_error()).map(|d| d.message.clone()) else { return };
        self.unread(kind, written_key(schema, node), node.span, &reason, true);
        // The document's own errors are this loss, wherever they point.
        let spans = self.loaded.diagnostics.get(before..).unwrap_or_default().iter().map(|d| d.span);
        self.unread_spans.extend(spans.chain([node.span]));
    }

    /// After the file is read: the first error that is in no document or row already
    /// reported as unread stopped the file's reading there (a syntax error, a header that
    /// is not the schema's, documents not where the schema reads them), and the file's
    /// documents of its kind from there on are lost.
    fn lost_beyond_documents(&mut self, by_glob: &[KindId]) {
        let Some(kind) = file_kind(by_glob, self.placed) else { return };
        let within =
            |span: Span, spans: &[Span]| spans.iter().any(|s| s.start <= span.start && span.end <= s.end);
        let first = self
            .loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .find(|d| !within(d.span, &self.unread_spans))
            .map(|d| (d.span, d.message.clone()));
        if let Some((span, reason)) = first {
            self.unread(kind, None, span, &reason, false);
        }
    }

    fn citation(&mut self, span: Span) -> Citation {
        let at = self.lines.line_col(span.start);
        Citation { path: self.path.clone(), line: at.line, column: at.column }
    }

    /// The kind the globs give this file.
    fn glob_kind(&self) -> Option<KindId> {
        self.by_glob.first().copied()
    }

    /// The kind of a document: its `kind:` field, else the schema whose globs match.
    fn kind_of(&mut self, node: &Node) -> Option<KindId> {
        self.kind_or(node, self.glob_kind(), self.kind_is_data)
    }

    /// The kind of a document: its `kind:` field (unless `kind` is a field of the data),
    /// else `default`.
    fn kind_or(&mut self, node: &Node, default: Option<KindId>, kind_is_data: bool) -> Option<KindId> {
        let named = if kind_is_data { None } else { node.get("kind").filter(|k| !k.is_null()) };
        let Some(kind) = named else { return default };
        let Some(name) = kind.as_text().map(str::trim) else {
            self.loaded.diagnostics.push(Diagnostic::new(
                Code::UNKNOWN_EVIDENCE_KIND,
                self.path.clone(),
                kind.span,
                format!("`kind` must name an evidence kind, but it is {}", kind.describe()),
            ));
            return None;
        };
        // The kind the file's globs give, when it has that name (two packages may each
        // declare an `Incident`), else the first of that name.
        if let Some(kind) =
            self.by_glob.iter().find(|k| self.schemas.get(k.index()).is_some_and(|s| *s.name == *name))
        {
            return Some(*kind);
        }
        if let Some(i) = self.schemas.iter().position(|s| *s.name == *name) {
            return Some(KindId(u32::try_from(i).unwrap_or(u32::MAX)));
        }
        let message = format!("no evidence kind is called `{name}`");
        let mut d = Diagnostic::new(Code::UNKNOWN_EVIDENCE_KIND, self.path.clone(), kind.span, &message);
        let best = tenet_sema::did_you_mean(name, self.schemas.iter().map(|s| &*s.name));
        if let Some(best) = best {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        self.loaded.diagnostics.push(d);
        // The document is lost to the kind it most likely meant (the one its name is
        // closest to, else the file's), whose rules then say so rather than pass without it.
        let meant =
            best.and_then(|b| self.schemas.iter().position(|s| *s.name == *b)).map(|i| KindId(i as u32));
        if let Some(meant) = meant.or(default) {
            let key = self.schemas.get(meant.index()).and_then(|schema| written_key(schema, node));
            self.unread(meant, key, node.span, &message, true);
            self.unread_spans.push(node.span);
        }
        None
    }

    /// The documents of a YAML, JSON, JSON Lines or TOML file. A top-level list (a
    /// register) holds one document per entry; empty YAML documents (a trailing `---`)
    /// hold none.
    fn documents(&mut self, parsed: Parsed) {
        self.documents_then(parsed, Self::parse_error);
    }

    /// A JSON Lines file read whole: its documents, and each line that could not be read
    /// one document lost, as [`Context::json_lines`] has them.
    #[cfg(any(test, feature = "fuzzing"))]
    fn lines(&mut self, parsed: Parsed) {
        self.documents_then(parsed, Self::lost_row);
    }

    /// The documents of `parsed`, then each of its errors through `error`.
    fn documents_then(&mut self, parsed: Parsed, error: fn(&mut Self, ParseError)) {
        parsed.docs.iter().for_each(|doc| {
            self.documents_of(doc);
            self.placed(doc);
        });
        parsed.errors.into_iter().for_each(|e| error(self, e));
    }

    /// The documents each `at` of the globs that read the file finds in `doc`.
    fn placed(&mut self, doc: &Node) {
        let placed = self.placed;
        for m in placed {
            self.at(doc, m);
        }
    }

    /// The documents of `m`'s kind at its place in `doc`: the list there, each item a
    /// document, or the one mapping there; with a last key `*`, each entry of the mapping
    /// there, its key the document's key. A document without the place, or with something
    /// else there, is an error at it; an empty document has no documents.
    fn at(&mut self, doc: &Node, m: &Match) {
        let schemas = self.schemas;
        let (Some(schema), Some(keys)) = (schemas.get(m.kind.index()), &m.at) else { return };
        if doc.is_null() {
            return;
        }
        // The place and the messages are worded only for an error: a JSON Lines file with a
        // place asks for it on every line.
        let place = || keys.join(".");
        let reads = || format!("where {} documents are read (`at \"{}\"`)", schema.name, place());
        let (path, entries) = match keys.split_last() {
            Some((last, before)) if last == tenet_sema::sources::ENTRIES => (before, true),
            _ => (&keys[..], false),
        };
        // Errors point at the key that led to the node, or at the document's start: a
        // register's whole mapping would show every line of the file.
        let (mut node, mut at) = (doc, Span::new(doc.span.start, doc.span.start));
        for (depth, key) in path.iter().enumerate() {
            let entry = match &node.kind {
                NodeKind::Map(entries) => entries.iter().find(|(k, _, _)| k == key),
                _ => None,
            };
            if let Some((_, key_span, next)) = entry {
                (node, at) = (next, *key_span);
                continue;
            }
            let what = match depth {
                0 => "the document".to_owned(),
                _ => format!("`{}`", path[..depth].join(".")),
            };
            let message = match &node.kind {
                NodeKind::Map(_) => format!("{what} has no `{key}`, {}", reads()),
                _ => format!("{what} is {}, not a mapping with `{key}`, {}", node.describe(), reads()),
            };
            self.place_error(m.kind, None, at, message);
            return;
        }
        let kind_is_data = schema.record.fields.iter().any(|f| f.source_name() == "kind");
        let document = |cx: &mut Self, node: &Node| {
            if let Some(kind) = cx.kind_or(node, Some(m.kind), kind_is_data) {
                cx.typed(node, kind, None, true);
            }
        };
        match &node.kind {
            NodeKind::Map(named) if entries => {
                for (name, name_span, value) in named {
                    if let Some(entry) = self.named_entry(m.kind, schema, name, *name_span, value) {
                        document(self, &entry);
                    }
                }
            }
            NodeKind::Seq(items) if !entries => items.iter().for_each(|item| document(self, item)),
            NodeKind::Map(_) => document(self, node),
            _ if node.is_null() => {}
            _ => {
                let shape = if entries { "a mapping of" } else { "a list of" };
                let message =
                    format!("`{}` is {}, not {shape} {} documents", place(), node.describe(), schema.name);
                self.place_error(m.kind, None, at, message);
            }
        }
    }

    /// An entry of a mapping whose entries are documents (`at "systems.*"`), as the
    /// document it stands for: its fields, with its name as the key field's value, written
    /// where the name is. A document that writes its key otherwise is an error at it.
    fn named_entry(
        &mut self,
        of: KindId,
        schema: &Schema,
        name: &str,
        name_span: Span,
        value: &Node,
    ) -> Option<Node> {
        let span = name_span.cover(value.span);
        let key_name = schema.key.and_then(|k| schema.record.fields.get(k)).map(|f| f.source_name());
        // An entry with nothing under its name is a document of its key alone.
        let no_fields = NodeKind::Map(Vec::new());
        let kind = if value.is_null() { &no_fields } else { &value.kind };
        let (NodeKind::Map(fields), Some(key_name)) = (kind, key_name) else {
            // Not a mapping of fields: typing says so, at the value.
            return Some(Node::new(value.kind.clone(), span));
        };
        match fields.iter().find(|(k, _, _)| k == key_name) {
            Some((_, _, written)) if written.as_text().map(str::trim) != Some(name) => {
                let message = format!(
                    "the entry `{name}` writes its `{key_name}` as {}; an entry's name is its document's key",
                    written.describe()
                );
                self.place_error(of, Some((name, span)), written.span, message);
                None
            }
            Some(_) => Some(Node::new(kind.clone(), span)),
            None => {
                let key = Node::new(NodeKind::Text { text: name.to_owned(), plain: true }, name_span);
                let mut fields = fields.clone();
                fields.insert(0, (key_name.to_owned(), name_span, key));
                Some(Node::new(NodeKind::Map(fields), span))
            }
        }
    }

    /// Documents of `kind` not where the schema reads them: an entry (its name and span)
    /// that is one document lost, or a place with none of them to read.
    fn place_error(&mut self, kind: KindId, entry: Option<(&str, Span)>, span: Span, message: String) {
        let (key, lost) = entry.map_or((None, span), |(name, span)| (Some(SmolStr::from(name)), span));
        self.unread(kind, key, span, &message, entry.is_some());
        self.unread_spans.push(lost);
        self.loaded.diagnostics.push(
            Diagnostic::new(Code::EVIDENCE_PLACE, self.path.clone(), span, message)
                .with_help("check the file against the schema's `at`: the keys, separated by dots, that lead to its documents"),
        );
    }

    /// One error for each glob that reads documents at a place in a file whose format has
    /// no places: a glob such as `registers/*` that also matches CSV or Markdown files.
    /// `format_has` says what the file is (`"a Markdown file has"`).
    fn keyless(&mut self, format_has: &str) {
        let (placed, schemas) = (self.placed, self.schemas);
        for m in placed {
            let Some(schema) = schemas.get(m.kind.index()) else { continue };
            let message = format!(
                "{} documents are read at `{}`, but {format_has} no keys to find it by",
                schema.name,
                m.at.as_deref().unwrap_or_default().join(".")
            );
            self.loaded.diagnostics.push(
                Diagnostic::new(Code::EVIDENCE_PLACE, self.path.clone(), Span::new(0, 0), message)
                    .with_help("narrow the schema's glob to the YAML, JSON, JSON Lines or TOML files that hold its documents"),
            );
        }
    }

    /// What a format's document holds: a list's items are each a document, and nothing
    /// is none.
    fn documents_of(&mut self, doc: &Node) {
        match &doc.kind {
            NodeKind::Seq(items) => items.iter().for_each(|item| self.document(item, None, true)),
            _ if doc.is_null() => {}
            _ => self.document(doc, None, true),
        }
    }

    /// A YAML file's documents, each typed as soon as the block reader has read it; when
    /// it declines, what was made of the documents it gave is dropped and saphyr reads
    /// the file.
    fn yaml(&mut self, limits: &Limits) {
        let text = self.text;
        let (before, spans) = (Mark::of(self.loaded), self.unread_spans.len());
        if yaml_block::stream(text, 0, limits, &mut |doc| self.document(doc, None, true)).is_none() {
            before.back(self.loaded);
            self.unread_spans.truncate(spans);
            self.documents(yaml::parse_events(text, 0, limits));
        }
    }

    /// A JSON Lines file's documents, each typed as soon as it is read; then the lines
    /// that could not be read.
    fn json_lines(&mut self, limits: &Limits) {
        let text = self.text;
        let errors = json::stream_lines(text, limits, &mut |doc| {
            self.documents_of(doc);
            self.placed(doc);
        });
        errors.into_iter().for_each(|e| self.lost_row(e));
    }

    fn document(&mut self, node: &Node, markdown: Option<&Markdown>, warn_unknown: bool) {
        let Some(kind) = self.kind_of(node) else { return };
        self.typed(node, kind, markdown, warn_unknown);
    }

    fn typed(&mut self, node: &Node, kind: KindId, markdown: Option<&Markdown>, warn_unknown: bool) {
        let schemas = self.schemas;
        let Some(schema) = schemas.get(kind.index()) else { return };
        let mut typer = Typer {
            path: &self.path,
            diagnostics: &mut self.loaded.diagnostics,
            warn_unknown,
            locate: self.locate,
            none: &schema.none,
            tabular: self.tabular,
            decimal_comma: schema.decimal_comma && self.tabular,
        };
        // Named in messages only, so formatted only for them.
        let what = format_args!("this {}", schema.name);
        let before = typer.diagnostics.len();
        let Some(typed) = typer.record(node, &schema.record, &what) else {
            return self.untyped(node, kind, schema, before);
        };
        let (mut values, locations) = (typed.values, typed.locations);
        let key = schema.key.and_then(|k| Some((schema.record.fields.get(k)?, values.get_mut(k)?)));
        if let Some((field, Value::String(key))) = key {
            // A key names its document wherever it is written, as references name it: a
            // cell's stray spaces are not part of it (references are read trimmed too).
            if key.trim().len() != key.len() {
                *key = SmolStr::from(key.trim());
            }
            // An empty key names nothing: no reference can find the document, and every
            // other document with an empty key would repeat it.
            if key.is_empty() {
                let name = field.source_name();
                let at = node.get(name).map_or(node.span, |value| value.span);
                let message = format!("`{name}` is empty, but it is this {}'s key", schema.name);
                let d = Diagnostic::new(Code::MISSING_EVIDENCE_FIELD, self.path.clone(), at, message)
                    .with_help("give the document a key that names it, as references to it will");
                self.loaded.diagnostics.push(d);
                return self.untyped(node, kind, schema, before);
            }
        }
        let citation = self.citation(node.span);
        let text = markdown.map(|m| Arc::new(DocText::new(m.body.clone())));
        let doc = Doc::of_schema(schema, values, text, citation);
        self.loaded.documents.push((kind, doc));
        if self.locate {
            self.loaded.locations.push(DocLocation::new(node.span, locations, markdown.map(|m| m.body_span)));
        }
    }

    fn csv(&mut self, delimiter: u8, header_line: Option<u32>, limits: &Limits) {
        let table = match csv::parse(self.text, delimiter, header_line, limits) {
            Ok(table) => table,
            Err(e) => {
                if let Some(kind) = self.glob_kind() {
                    let found = header_line.and_then(|_| self.columns_elsewhere(kind, delimiter));
                    match found {
                        Some((start, line)) => self.header_missed(e, kind, start, line),
                        None => self.parse_error(e),
                    }
                }
                return;
            }
        };
        let kind_column = !self.kind_is_data && table.header.iter().any(|(h, _)| h == "kind");
        let Some(glob_kind) = self.glob_kind().filter(|_| !kind_column) else {
            // Rows name their kinds, or the file is not evidence.
            if kind_column {
                for row in table.rows {
                    match row {
                        Ok(node) => self.document(&node, None, false),
                        Err(e) => self.parse_error(e),
                    }
                }
            }
            return;
        };
        if !self.header_fits(glob_kind, &table.header, &table.repeated, table.delimiter) {
            return;
        }
        self.unnamed_columns(glob_kind, &table.header, &table.rows);
        for row in table.rows {
            match row {
                Ok(node) => self.typed(&node, glob_kind, None, false),
                Err(e) => self.lost_row(e),
            }
        }
    }

    /// A warning for each column the header gives no name that some row writes a value
    /// in, at the first such value: no field can read it, and a column whose name was
    /// deleted in a spreadsheet otherwise loses its values without a word. Columns empty
    /// all the way down (the trailing `,` spreadsheets write) are left alone.
    fn unnamed_columns(
        &mut self,
        kind: KindId,
        header: &[(String, Span)],
        rows: &[Result<Node, ParseError>],
    ) {
        let Some(schema) = self.schemas.get(kind.index()) else { return };
        for (column, _) in header.iter().enumerate().filter(|(_, (name, _))| name.is_empty()) {
            let first = rows.iter().filter_map(|row| row.as_ref().ok()).find_map(|row| match &row.kind {
                NodeKind::Map(cells) => cells.get(column).filter(|(_, _, cell)| !cell.is_null()),
                _ => None,
            });
            let Some((_, span, cell)) = first else { continue };
            let value: String = cell.as_text().unwrap_or_default().chars().take(60).collect();
            self.loaded.diagnostics.push(
                Diagnostic::new(
                    Code::UNKNOWN_EVIDENCE_FIELD,
                    self.path.clone(),
                    *span,
                    format!(
                        "column {} has no name in the header, so no rule can read its values, such as \"{value}\"",
                        column + 1
                    ),
                )
                .with_help(format!(
                    "name the column in the header row as a field of {}, or remove it",
                    schema.name
                )),
            );
        }
    }

    /// Checks a CSV header against the schema once, instead of once per row: a header
    /// that reads better at another delimiter is one error, a missing column is an error
    /// (either way no row is read), so is a column a field reads that the header names
    /// twice; columns the schema lacks are one warning.
    fn header_fits(
        &mut self,
        kind: KindId,
        header: &[(String, Span)],
        repeated: &[(String, Span)],
        delimiter: u8,
    ) -> bool {
        let Some(schema) = self.schemas.get(kind.index()) else { return false };
        let header_span = match (header.first(), header.last()) {
            (Some((_, first)), Some((_, last))) => first.cover(*last),
            _ => Span::new(0, 0),
        };
        if lacks_required(schema, header) {
            if let Some(likely) = self.likely_delimiter(schema, header, header_span, delimiter) {
                self.wrong_delimiter(schema, header_span, delimiter, likely);
                return false;
            }
            if let Some((start, line)) = self.columns_elsewhere(kind, delimiter) {
                self.header_elsewhere(schema, header_span, start, line);
                return false;
            }
        }
        for (name, span) in repeated {
            if let Some(field) = schema.record.fields.iter().find(|f| f.source_name() == name) {
                self.loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::MALFORMED_EVIDENCE,
                        self.path.clone(),
                        *span,
                        format!(
                            "the header has the column `{name}` twice, so field `{}` is ambiguous",
                            field.name
                        ),
                    )
                    .with_help("rename one of the columns; until then the first one is read"),
                );
            }
        }
        let mut fits = true;
        for field in &schema.record.fields {
            let present = header.iter().any(|(h, _)| h == field.source_name());
            if !present && !matches!(field.ty, Ty::Optional(_)) {
                fits = false;
                let names = header.iter().map(|(h, _)| h.as_str());
                let help = match tenet_sema::did_you_mean(field.source_name(), names) {
                    Some(best) => {
                        format!(
                            "a column is called `{best}`: rename it, or write `as \"{best}\"` after the field"
                        )
                    }
                    None => "add the column, or declare the field optional (`?`) in the schema".to_owned(),
                };
                self.loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::MISSING_EVIDENCE_FIELD,
                        self.path.clone(),
                        header_span,
                        format!(
                            "the header has no column `{}`, which {} requires",
                            field.source_name(),
                            schema.name
                        ),
                    )
                    .with_help(help),
                );
            }
        }
        // Exports often carry many columns no rule needs: one warning names them all.
        let unknown: Vec<&(String, Span)> = header
            .iter()
            .filter(|(h, _)| !h.is_empty() && !schema.record.fields.iter().any(|f| f.source_name() == h))
            .collect();
        if let Some((first, span)) = unknown.first() {
            let message = if unknown.len() == 1 {
                format!("{} has no field `{first}`; no rule can read this column", schema.name)
            } else {
                let shown: Vec<String> = unknown.iter().take(3).map(|(h, _)| format!("`{h}`")).collect();
                format!(
                    "{} of the {} columns are not fields of {} ({}{}); no rule can read them",
                    unknown.len(),
                    header.len(),
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
        fits
    }

    /// The delimiter a header that lacks a column the schema requires, read at
    /// `delimiter`, seems written with instead.
    fn likely_delimiter(
        &self,
        schema: &Schema,
        header: &[(String, Span)],
        at: Span,
        delimiter: u8,
    ) -> Option<u8> {
        let fields = &schema.record.fields;
        let wanted = |name: &str| fields.iter().any(|f| f.source_name() == name);
        let read = header.iter().filter(|(h, _)| wanted(h)).count();
        csv::likely_delimiter(self.text.get(at.range())?, delimiter, read, &wanted)
    }

    /// Where the row naming every column `kind` requires is, within reach of the header's
    /// place: its start, and its line as citations count it.
    fn columns_elsewhere(&mut self, kind: KindId, delimiter: u8) -> Option<(usize, u32)> {
        let schema = self.schemas.get(kind.index())?;
        let required: Vec<&str> = required_columns(schema).collect();
        let rows = csv::HEADER_SEARCH + schema.header_line.map_or(1, |line| line as usize);
        let start = csv::header_elsewhere(self.text, delimiter, &required, rows)?;
        Some((start, self.lines.line_col(u32::try_from(start).ok()?).line))
    }

    /// A file with no row on the line the schema's `header` names, whose columns are named
    /// on another line: the error, with the `header` to declare.
    fn header_missed(&mut self, e: ParseError, kind: KindId, start: usize, line: u32) {
        let Some(schema) = self.schemas.get(kind.index()) else { return self.parse_error(e) };
        let help = format!("{}'s columns are named on line {line}: make it `header {line}`", schema.name);
        self.header_error(schema, e.span, e.message, help, start);
    }

    /// A row read as the header that is not one, with the header elsewhere: below a title
    /// (a note, a blank row of cells), or not on the line the schema's `header` names. One
    /// error at the row read, pointing at the one starting at `start` on `line`, in place
    /// of an error for each column.
    fn header_elsewhere(&mut self, schema: &Schema, read: Span, start: usize, line: u32) {
        let message =
            format!("this row is read as the header, but {}'s columns are named on line {line}", schema.name);
        let help = match schema.header_line {
            Some(declared) => format!(
                "schema {} reads the header on line {declared} (`header {declared}`): make it `header {line}`",
                schema.name
            ),
            None => format!(
                "declare `header {line}` on schema {}, or remove the rows above line {line}: a CSV file's header is its first row",
                schema.name
            ),
        };
        self.header_error(schema, read, message, help, start);
    }

    /// An error about where a file's header is, at `at`, with the row that names the
    /// schema's columns, starting at `start`, as its related place.
    fn header_error(&mut self, schema: &Schema, at: Span, message: String, help: String, start: usize) {
        let end = self
            .text
            .get(start..)
            .and_then(|rest| rest.find(['\r', '\n']))
            .map_or(self.text.len(), |n| start + n);
        let columns = Span::from_usize(start, end);
        self.loaded.diagnostics.push(
            Diagnostic::new(Code::MALFORMED_EVIDENCE, self.path.clone(), at, message)
                .with_help(help)
                .with_related(self.path.clone(), columns, format!("{}'s columns", schema.name)),
        );
    }

    /// A header whose columns are separated by another character than the one the file
    /// is read with: one error, which says what to declare, in place of an error for
    /// each column the header then lacks.
    fn wrong_delimiter(&mut self, schema: &Schema, header: Span, used: u8, likely: u8) {
        let message = format!(
            "this header's columns are separated by {}, but {} files are read with {} between cells",
            csv::delimiter_name(likely),
            schema.name,
            csv::delimiter_name(used)
        );
        let written = tenet_syntax::string_literal(&char::from(likely).to_string());
        let help = if Format::of(&self.path) == Some(Format::Tsv) {
            format!(
                "a `.tsv` file's cells are separated by tabs: save it with tabs, or as `.csv` with `delimiter {written}` on schema {}",
                schema.name
            )
        } else if schema.delimiter.is_some() {
            let declared = tenet_syntax::string_literal(&char::from(used).to_string());
            format!(
                "schema {} declares `delimiter {declared}`: save the file with {} between cells",
                schema.name,
                csv::delimiter_name(used)
            )
        } else {
            let after = if schema.encoding.is_some() { "its `encoding`" } else { "its `from` globs" };
            format!("declare it on schema {}, after {after}: `delimiter {written}`", schema.name)
        };
        self.loaded.diagnostics.push(
            Diagnostic::new(Code::MALFORMED_EVIDENCE, self.path.clone(), header, message).with_help(help),
        );
    }

    fn markdown(&mut self, limits: &Limits) {
        match markdown::parse(self.text, limits) {
            Ok(md) => self.document(&md.front_matter, Some(&md), true),
            // A Markdown file without front matter is evidence only if a schema reads it.
            Err(e) => {
                if self.glob_kind().is_some() {
                    self.parse_error(e);
                }
            }
        }
    }
}
