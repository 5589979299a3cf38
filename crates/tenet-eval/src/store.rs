//! Evidence as the evaluator sees it: per kind, documents with typed fields, where they
//! came from, and indexes by key and by field for equality joins.

use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use rustc_hash::FxHashMap;
use tenet_sema::KindId;
use tenet_sema::ir::LookupField;
use tenet_sema::value::Value;

use crate::results::Citation;

/// One evidence document, typed by its schema: a shared handle, so that gathering a kind's
/// documents from its files, and every result or index that holds one, copies a pointer
/// and not the document.
#[derive(Debug, Clone)]
pub struct Doc(Arc<DocData>);

/// One handle is equal to itself without comparing fields: after an edit, salsa compares
/// a kind's documents with the last revision's to keep what did not change, and most are
/// the same handles.
impl PartialEq for Doc {
    fn eq(&self, other: &Doc) -> bool {
        self.same(other) || *self.0 == *other.0
    }
}

/// What a document holds.
#[derive(Debug, PartialEq)]
pub struct DocData {
    /// Field values in the schema's order; absent optionals are `Value::None`.
    pub fields: Arc<[Value]>,
    /// Which of `fields` is the key, for kinds with a key field.
    pub key_field: Option<u16>,
    /// The date the document speaks for: its `effective` field, or its own date.
    pub effective: Option<Date>,
    /// A Markdown document's body and sections.
    pub markdown: Option<Arc<DocText>>,
    /// Where the document is.
    pub citation: Citation,
}

/// The text of a Markdown document after its front matter.
#[derive(Debug, PartialEq)]
pub struct DocText {
    /// The whole body.
    pub body: Arc<str>,
    /// Its sections: heading and text, in order.
    pub sections: Arc<[(Arc<str>, Arc<str>)]>,
}

impl DocData {
    /// Its key, as written (`None` for kinds without a key field, or no value in it).
    pub fn key(&self) -> Option<&Value> {
        self.fields.get(usize::from(self.key_field?)).filter(|v| !v.is_none())
    }

    /// A Markdown document's body.
    pub fn body(&self) -> Option<&Arc<str>> {
        self.markdown.as_ref().map(|m| &m.body)
    }

    /// A Markdown document's sections (none for other documents).
    pub fn sections(&self) -> &[(Arc<str>, Arc<str>)] {
        self.markdown.as_ref().map_or(&[], |m| &m.sections)
    }
}

impl Doc {
    /// A document holding `data`.
    pub fn new(data: DocData) -> Doc {
        Doc(Arc::new(data))
    }

    /// Whether both are handles to one document (not merely equal ones): how a rule's
    /// chunks tell that what they read is unchanged after an edit.
    pub fn same(&self, other: &Doc) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The key as text, for results and messages.
    pub fn key_text(&self) -> Option<String> {
        self.key().map(Value::to_string)
    }
}

impl std::ops::Deref for Doc {
    type Target = DocData;

    fn deref(&self) -> &DocData {
        &self.0
    }
}

/// A value usable as an index key: what equality joins compare.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexKey {
    /// Strings, enum values and references.
    Str(Arc<str>),
    /// Integers.
    Int(i64),
    /// Booleans.
    Bool(bool),
    /// Dates.
    Date(Date),
}

impl IndexKey {
    /// The key for a value, or `None` for values that are not indexed (floats, lists, none).
    pub fn of(value: &Value) -> Option<IndexKey> {
        match value {
            Value::String(s) => Some(IndexKey::Str(s.clone())),
            Value::Int(i) => Some(IndexKey::Int(*i)),
            Value::Bool(b) => Some(IndexKey::Bool(*b)),
            Value::Date(d) => Some(IndexKey::Date(*d)),
            _ => None,
        }
    }
}

/// The documents of one kind, in a stable order (by file path, then position), with
/// indexes built on first use.
#[derive(Debug, Default)]
pub struct KindDocs {
    docs: Vec<Doc>,
    by_key: OnceLock<FxHashMap<IndexKey, u32>>,
    by_field: Vec<OnceLock<FieldIndex>>,
}

/// The documents of a kind by the value of one field. Each value's positions sit together
/// in one list, in document order, rather than in a list of their own: a kind of a hundred
/// thousand documents then costs two allocations to index, and two to drop, instead of one
/// per value.
#[derive(Debug, Default)]
struct FieldIndex {
    /// Each value's number: values are numbered in order of first appearance.
    numbers: FxHashMap<IndexKey, u32>,
    /// By number, each value's run in `positions`: start and length.
    runs: Vec<(u32, u32)>,
    positions: Vec<u32>,
}

impl FieldIndex {
    fn new(docs: &[Doc], field: usize) -> FieldIndex {
        // First each document's value, numbered in order of first appearance, and how many
        // documents have each; then the positions, each value's run after the last.
        const NONE: u32 = u32::MAX;
        let mut numbers: FxHashMap<IndexKey, u32> =
            FxHashMap::with_capacity_and_hasher(docs.len(), Default::default());
        let mut counts: Vec<u32> = Vec::new();
        let number_of: Vec<u32> = docs
            .iter()
            .map(|d| {
                let Some(key) = d.fields.get(field).and_then(IndexKey::of) else { return NONE };
                let next = counts.len() as u32;
                let n = *numbers.entry(key).or_insert(next);
                if n == next {
                    counts.push(0);
                }
                counts[n as usize] += 1;
                n
            })
            .collect();
        let mut starts: Vec<u32> = Vec::with_capacity(counts.len());
        let mut total = 0u32;
        for count in &counts {
            starts.push(total);
            total += count;
        }
        let mut cursor = starts.clone();
        let mut positions = vec![0u32; total as usize];
        for (i, n) in number_of.iter().enumerate() {
            if let Some(at) = cursor.get_mut(*n as usize) {
                positions[*at as usize] = i as u32;
                *at += 1;
            }
        }
        let runs = starts.into_iter().zip(counts).collect();
        FieldIndex { numbers, runs, positions }
    }

    fn get(&self, key: &IndexKey) -> &[u32] {
        let Some(&(start, len)) = self.numbers.get(key).and_then(|n| self.runs.get(*n as usize)) else {
            return &[];
        };
        self.positions.get(start as usize..(start + len) as usize).unwrap_or(&[])
    }
}

impl KindDocs {
    /// The documents of a kind with `field_count` fields.
    pub fn new(docs: Vec<Doc>, field_count: usize) -> KindDocs {
        KindDocs {
            docs,
            by_key: OnceLock::new(),
            by_field: (0..field_count).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Every document.
    pub fn docs(&self) -> &[Doc] {
        &self.docs
    }

    /// The document with this key (the first, if evidence repeats a key).
    pub fn by_key(&self, key: &IndexKey) -> Option<u32> {
        self.key_index().get(key).copied()
    }

    /// The positions of the documents an index look-up finds: by the kind's key, the first
    /// document with it; by a field, every document whose field holds it. What the
    /// interpreter's joins read, and what a reused chunk's look-ups are replayed with.
    pub fn find(&self, field: LookupField, key: &IndexKey) -> &[u32] {
        match field {
            LookupField::Key => self.key_index().get(key).map_or(&[], std::slice::from_ref),
            LookupField::Field(f) => self.by_field(f, key),
        }
    }

    fn key_index(&self) -> &FxHashMap<IndexKey, u32> {
        self.by_key.get_or_init(|| {
            let mut map = FxHashMap::default();
            for (i, d) in self.docs.iter().enumerate() {
                if let Some(k) = d.key().and_then(IndexKey::of) {
                    map.entry(k).or_insert(i as u32);
                }
            }
            map
        })
    }

    /// The documents whose field `field` equals `key`, or whose list field holds it.
    pub fn by_field(&self, field: u32, key: &IndexKey) -> &[u32] {
        let Some(cell) = self.by_field.get(field as usize) else { return &[] };
        cell.get_or_init(|| FieldIndex::new(&self.docs, field as usize)).get(key)
    }
}

impl PartialEq for KindDocs {
    fn eq(&self, other: &KindDocs) -> bool {
        self.docs == other.docs
    }
}

/// Where the evaluator finds documents.
pub trait Evidence {
    /// The documents of a kind.
    fn kind(&self, kind: KindId) -> &KindDocs;
}

/// Evidence held in memory: what tests and `test` blocks use.
#[derive(Debug, Default)]
pub struct MemoryEvidence {
    kinds: Vec<KindDocs>,
    empty: KindDocs,
}

impl MemoryEvidence {
    /// Evidence with `docs[k]` as the documents of kind `k`; `field_counts[k]` its fields.
    pub fn new(docs: Vec<Vec<Doc>>, field_counts: &[usize]) -> MemoryEvidence {
        let kinds = docs
            .into_iter()
            .enumerate()
            .map(|(k, d)| KindDocs::new(d, field_counts.get(k).copied().unwrap_or(0)))
            .collect();
        MemoryEvidence { kinds, empty: KindDocs::default() }
    }
}

impl Evidence for MemoryEvidence {
    fn kind(&self, kind: KindId) -> &KindDocs {
        self.kinds.get(kind.index()).unwrap_or(&self.empty)
    }
}

/// A Markdown body's sections by ATX heading: each heading's text up to the next heading
/// of the same or a higher level. Headings inside fenced code blocks do not count. Shared
/// by the evidence loader and `test` blocks, so both read sections alike.
pub fn markdown_sections(body: &str) -> Arc<[(Arc<str>, Arc<str>)]> {
    let mut headings: Vec<(usize, String, usize, usize)> = Vec::new();
    let mut in_fence = false;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            let rest = &line[level..];
            if level <= 6 && (rest.starts_with(' ') || rest.trim().is_empty()) {
                let title = rest.trim().trim_end_matches('#').trim().to_owned();
                headings.push((level, title, offset, offset + line.len()));
            }
        }
        offset += line.len();
    }
    let mut out = Vec::new();
    for (i, (level, title, _, content_start)) in headings.iter().enumerate() {
        let end =
            headings[i + 1..].iter().find(|(l, _, _, _)| l <= level).map_or(body.len(), |(_, _, s, _)| *s);
        let text = body.get(*content_start..end.max(*content_start)).unwrap_or("").trim();
        out.push((Arc::from(title.as_str()), Arc::from(text)));
    }
    Arc::from(out)
}
