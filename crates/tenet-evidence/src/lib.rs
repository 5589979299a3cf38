//! Evidence loading: the files an organisation already keeps (YAML registers, JSON and
//! JSON Lines exports, TOML settings, CSV spreadsheets, Markdown documents with front
//! matter) read into documents typed by the schemas of the policies, with the file, line
//! and column of every document and the byte span of every value, so that each verdict
//! and each diagnostic can cite it.
//!
//! **Architecture invariant:** loading one file never fails the run and never panics:
//! whatever is wrong becomes a located diagnostic, the file's good documents are kept,
//! and the other files are unaffected. Limits (size, depth, documents, values, alias
//! expansion) turn hostile input into errors, not exhausted memory or stacks; no parser
//! here recurses deeper than [`Limits::max_depth`].
//!
//! **API boundary:** one file at a time ([`load_file`]), so the database can re-load only
//! the file that changed; what needs every file (duplicate keys, dangling references) is
//! [`check_across_files`]. No salsa, no LSP, no I/O: the caller reads the bytes.
//!
//! Every format is first read into a located tree of mappings, sequences and scalars
//! (`node.rs`), then typed by the schema (`typing.rs`), so that a plain `no` is text for
//! a string field and `false` for a boolean, and every format reports the same errors
//! the same way. Parsers, chosen because they give positions:
//! - YAML: `saphyr-parser`'s event stream (the maintained successor of `yaml-rust`):
//!   every event carries a position, it handles multi-document streams and anchors, and
//!   it never recurses, so depth is ours to limit. (`serde_yaml` is unmaintained, and
//!   deserializing into values loses positions.) saphyr reads about 20 MB a second, so
//!   the YAML most evidence is written in (one document of block mappings and lists of
//!   one-line scalars) is read by a small block reader here
//!   (`formats/yaml_block.rs`) into the same nodes, about four times as fast; it declines
//!   anything else, and every error, to saphyr.
//! - JSON and JSON Lines: a small strict reader here (RFC 8259). `serde_json` drops
//!   positions and silently keeps the last of two duplicate keys; the spanned layer over
//!   it (`json-spanned-value`) still depends on indexmap 1. The reader here locates every
//!   key and value, reports duplicate keys, and bounds its recursion by our depth limit.
//! - TOML: `toml`'s `DeTable`, which keeps the span of every key and value and guards
//!   its own recursion.
//! - CSV: the `csv` crate (record positions; cell spans are re-scanned from them).
//! - Encodings: `encoding_rs` (the WHATWG labels, e.g. `windows-1252`).
//! - Globs: `globset`, all of a program's `from` globs compiled into one matcher.

mod across;
mod decode;
mod formats {
    pub(crate) mod csv;
    pub(crate) mod json;
    pub(crate) mod markdown;
    pub(crate) mod toml;
    pub(crate) mod yaml;
    pub(crate) mod yaml_block;
}
mod limits;
mod load;
mod location;
mod node;
mod sites;
mod sources;
mod typing;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_eval::{Doc, UnreadDoc};
use tenet_sema::KindId;
use tenet_sema::program::Schema;
use tenet_sema::value::SmolStr;

pub use across::{KindKeys, Located, Place, check_across_files, dangling_refs};
pub use limits::Limits;
pub use location::{DocLocation, ValueLocation};
pub use sources::{Sources, reads};

/// One evidence file, loaded: what the evaluator needs of it, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    /// Its documents, each with its kind, in file order.
    pub documents: Vec<(KindId, Doc)>,
    /// Where each document and each of its values is written: `locations[i]` belongs to
    /// `documents[i]`. Kept apart from the documents so that the values the evaluator
    /// indexes do not change when only positions do. Empty when loaded with
    /// [`load_file_unlocated`].
    pub locations: Vec<DocLocation>,
    /// What is wrong with the file, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// What of the file could not be read as its kind's schema says, each with its kind:
    /// documents that did not type, rows and lines that could not be read, and the rest of
    /// the file after an error that stopped its reading. Rules over the kind report them.
    pub unread: Vec<(KindId, UnreadDoc)>,
    /// The file's text as decoded, when it is not the file's bytes as they stand (another
    /// encoding, a byte-order mark dropped, bytes that are not UTF-8 shown replaced);
    /// `None` when the bytes are the text. Diagnostics' and locations' spans are byte
    /// offsets into [`Loaded::text`].
    pub decoded: Option<Arc<str>>,
}

impl Loaded {
    /// A file with nothing in it, for callers that must hand out a loading by reference.
    pub const EMPTY: Loaded = Loaded {
        documents: Vec::new(),
        locations: Vec::new(),
        diagnostics: Vec::new(),
        unread: Vec::new(),
        decoded: None,
    };

    /// The text spans point into, given the file's `bytes` (what it was loaded from).
    pub fn text<'a>(&'a self, bytes: &'a [u8]) -> &'a str {
        match &self.decoded {
            Some(text) => text,
            None => std::str::from_utf8(bytes).unwrap_or_default(),
        }
    }

    /// The documents of `kind`, each with its position among the file's documents, in
    /// file order.
    pub fn of_kind(&self, kind: KindId) -> impl Iterator<Item = (u32, &Doc)> {
        self.documents
            .iter()
            .enumerate()
            .filter(move |(_, (k, _))| *k == kind)
            .map(|(i, (_, doc))| (i as u32, doc))
    }

    /// What of `kind` the file holds that could not be read.
    pub fn unread_of(&self, kind: KindId) -> impl Iterator<Item = &UnreadDoc> {
        self.unread.iter().filter(move |(k, _)| *k == kind).map(|(_, unread)| unread)
    }

    /// Each document with its kind and its location, for callers that cite values.
    pub fn located(&self) -> impl Iterator<Item = (KindId, &Doc, Option<&DocLocation>)> {
        self.documents.iter().enumerate().map(|(i, (kind, doc))| (*kind, doc, self.locations.get(i)))
    }
}

/// Where a document's key is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeySite {
    /// The kind.
    pub kind: KindId,
    /// The key, as the document's value holds it.
    pub key: SmolStr,
    /// Where, in this file.
    pub span: Span,
}

/// Where a reference to another document is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefSite {
    /// The kind of the document the reference is written in.
    pub from: KindId,
    /// The kind referred to.
    pub target: KindId,
    /// The key referred to, as the document's value holds it.
    pub key: SmolStr,
    /// Where, in this file.
    pub span: Span,
}

/// Loads one evidence file. `path` is relative to the evidence root, with `/`; it picks
/// the format (by extension), the schemas (by their `from` globs in `sources`) and is the
/// path diagnostics name. `schemas` are the program's, so that schema `i` is `KindId(i)`.
///
/// A document's kind is its `kind:` field when it has one (naming a schema), else the
/// first schema whose globs match. Files of unknown formats, and files that no glob
/// reaches and no document of which names a kind, are not evidence and load to nothing.
pub fn load_file(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources, limits: &Limits) -> Loaded {
    guarded(path, bytes, || load::load(path, bytes, schemas, sources, limits, true, load::Reading::Streamed))
}

/// [`load_file`] without [`Loaded::locations`]: what a database keeps for every file. A
/// large organisation's locations take a tenth of its memory, and only a diagnostic about
/// a duplicate key or a dangling reference needs them, for which the file is loaded again
/// with [`load_file`] (see [`Located`]).
pub fn load_file_unlocated(
    path: &str,
    bytes: &[u8],
    schemas: &[Schema],
    sources: &Sources,
    limits: &Limits,
) -> Loaded {
    guarded(path, bytes, || load::load(path, bytes, schemas, sources, limits, false, load::Reading::Streamed))
}

/// Runs `load` for the file at `path` with `bytes`. The parsers are written not to panic;
/// should a dependency still do so, the file becomes an error of its own rather than the
/// end of the run.
fn guarded(path: &str, bytes: &[u8], load: impl FnOnce() -> Loaded) -> Loaded {
    catch_unwind(AssertUnwindSafe(load)).unwrap_or_else(|_| Loaded {
        diagnostics: vec![
            Diagnostic::new(
                Code::MALFORMED_EVIDENCE,
                Arc::from(path),
                Span::new(0, 0),
                "Tenet failed while reading this file",
            )
            .with_help("this is a bug in Tenet; please report it with the file if you can share it"),
        ],
        decoded: Some(Arc::from(String::from_utf8_lossy(bytes).as_ref())),
        ..Loaded::default()
    })
}

/// Entry points for the fuzz targets, which must reach readers the public API wraps.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    use crate::limits::Limits;

    /// Reads `text` with the YAML block reader and with saphyr's events: `Err` with both
    /// readings when the block reader accepted it and saphyr refused it or read it
    /// otherwise. `Ok` says whether the block reader accepted it.
    pub fn yaml_readers_agree(text: &str, base: usize, limits: &Limits) -> Result<bool, String> {
        crate::formats::yaml_block::readers_agree(text, base, limits)
    }

    /// Loads `text` as file `path`, with each document typed as its reader gives it and
    /// with every document read first: `Err` with both loadings when they differ, else how
    /// many documents and diagnostics it has.
    pub fn loadings_agree(
        path: &str,
        text: &str,
        schemas: &[tenet_sema::program::Schema],
        limits: &Limits,
    ) -> Result<(usize, usize), String> {
        crate::load::loadings_agree(path, text, schemas, limits)
    }
}

#[cfg(test)]
mod tests;
