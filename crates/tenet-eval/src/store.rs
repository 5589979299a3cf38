//! Evidence as the evaluator sees it: per kind, documents with typed fields, where they
//! came from, and indexes by key and by field for equality joins.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use tenet_sema::KindId;
use tenet_sema::ir::LookupField;
use tenet_sema::program::Schema;
use tenet_sema::value::{SmolStr, Value};

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
    /// Field values in the schema's order; absent optionals are `Value::None`. Boxed, not
    /// shared: the document is already behind a shared handle, and a box takes the typed
    /// values' list as it is, where a shared slice would copy it.
    pub fields: Box<[Value]>,
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
#[derive(Debug)]
pub struct DocText {
    /// The whole body.
    pub body: Arc<str>,
    /// Its sections, split from the body when a rule first reads one: most documents'
    /// sections are never read, and splitting every body would copy it.
    sections: OnceLock<Arc<Sections>>,
}

/// A Markdown body's sections: heading and text, in order.
type Sections = [(Arc<str>, Arc<str>)];

impl DocText {
    /// A body whose sections are split when first read.
    pub fn new(body: Arc<str>) -> DocText {
        DocText { body, sections: OnceLock::new() }
    }

    /// Its sections: heading and text, in order (see [`markdown_sections`]).
    pub fn sections(&self) -> &[(Arc<str>, Arc<str>)] {
        self.sections.get_or_init(|| markdown_sections(&self.body))
    }
}

/// The sections follow from the body, so whether they have been split yet is no difference.
impl PartialEq for DocText {
    fn eq(&self, other: &DocText) -> bool {
        self.body == other.body
    }
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
        self.markdown.as_ref().map_or(&[], |m| m.sections())
    }
}

impl Doc {
    /// A document holding `data`.
    pub fn new(data: DocData) -> Doc {
        Doc(Arc::new(data))
    }

    /// A document of `schema` holding `fields` in the schema's order: which field is its
    /// key, and the date it speaks for (its `effective` field, a date and time counting as
    /// its day in UTC), follow from the schema. One constructor for loaded evidence and a
    /// test's givens, so that a rule reads both alike.
    pub fn of_schema(
        schema: &Schema,
        fields: Vec<Value>,
        markdown: Option<Arc<DocText>>,
        citation: Citation,
    ) -> Doc {
        let effective = schema.effective.and_then(|i| match fields.get(i) {
            Some(Value::Date(d)) => Some(*d),
            Some(Value::DateTime(t)) => Some(jiff::tz::TimeZone::UTC.to_datetime(*t).date()),
            _ => None,
        });
        Doc::new(DocData {
            key_field: schema.key.and_then(|k| u16::try_from(k).ok()),
            effective,
            fields: fields.into_boxed_slice(),
            markdown,
            citation,
        })
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
    Str(SmolStr),
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

/// Evidence of a kind that could not be read as its schema says: a document with a value
/// of the wrong type or a required field missing, or the part of a file past an error that
/// stopped its reading. Rules over the kind report each as an error, so that evidence lost
/// to a typo leaves its controls in error rather than passing without it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadDoc {
    /// The document's key as written, when it could be read.
    pub key: Option<SmolStr>,
    /// Where the document, or the part of the file lost, starts.
    pub citation: Citation,
    /// What is wrong, as the diagnostic there says.
    pub reason: Arc<str>,
    /// Whether it is one document; else the documents from here on in its file, uncounted.
    pub one_document: bool,
}

/// The documents of one kind, in a stable order (by file path, then position), with
/// indexes built on first use, and what of the kind could not be read.
#[derive(Debug, Default)]
pub struct KindDocs {
    docs: Vec<Doc>,
    by_key: OnceLock<FieldIndex>,
    by_field: Vec<OnceLock<FieldIndex>>,
    unread: Vec<UnreadDoc>,
}

/// What an index is over: a field, or the kind's key.
#[derive(Clone, Copy)]
enum Indexed {
    Key,
    Field(usize),
}

impl Indexed {
    fn value(self, doc: &Doc) -> Option<IndexKey> {
        match self {
            // A key of a type joins do not index (a float, a date-time) is still a key:
            // held as the text it shows as, which is how references name it.
            Indexed::Key => doc.key().map(|k| IndexKey::of(k).unwrap_or_else(|| IndexKey::Str(k.key_text()))),
            Indexed::Field(f) => doc.fields.get(f).and_then(IndexKey::of),
        }
    }
}

/// Every look-up that finds `doc`: by its key, and by each of its fields' values.
pub(crate) fn lookups_finding(doc: &Doc) -> impl Iterator<Item = (LookupField, IndexKey)> + '_ {
    let key = Indexed::Key.value(doc).map(|k| (LookupField::Key, k));
    let fields = (0..doc.fields.len())
        .filter_map(|f| Some((LookupField::Field(f as u32), Indexed::Field(f).value(doc)?)));
    key.into_iter().chain(fields)
}

/// Documents a thread reads the values of at least, when an index is built on several.
const INDEX_BLOCK: usize = 4096;

/// No value: a document the index does not hold.
const NO_VALUE: u32 = u32::MAX;

/// Values numbered from `first`, in order of first appearance: each value's number is
/// found by the value's hash in a table of numbers, four bytes a slot, and compared with
/// the value kept by number. The table of a hundred thousand values then stays in cache,
/// and the values sit in the order documents first hold them, which is mostly the order
/// joins look them up in (registers that refer to one another are kept in the same
/// order): successive look-ups compare values side by side, not scattered over a table.
#[derive(Debug, Clone, Default)]
struct Numbering {
    first: u32,
    table: HashTable<u32>,
    values: Vec<IndexKey>,
}

impl Numbering {
    fn with_capacity(first: u32, capacity: usize) -> Numbering {
        Numbering { first, table: HashTable::with_capacity(capacity), values: Vec::with_capacity(capacity) }
    }

    fn hash(key: &IndexKey) -> u64 {
        FxBuildHasher.hash_one(key)
    }

    /// How many values it numbers.
    fn len(&self) -> usize {
        self.values.len()
    }

    /// The number of `key`, if it has one.
    fn get(&self, key: &IndexKey) -> Option<u32> {
        let Numbering { first, table, values } = self;
        let same = |n: &u32| n.checked_sub(*first).and_then(|i| values.get(i as usize)) == Some(key);
        table.find(Numbering::hash(key), same).copied()
    }

    /// The number of `key`, given the next number when it has none.
    fn number(&mut self, key: IndexKey) -> u32 {
        let hash = Numbering::hash(&key);
        self.number_hashed(key, hash)
    }

    /// [`Numbering::number`] of a key whose hash is `hash`.
    fn number_hashed(&mut self, key: IndexKey, hash: u64) -> u32 {
        let Numbering { first, table, values } = self;
        let first = *first;
        let value_of = |n: &u32| n.checked_sub(first).and_then(|i| values.get(i as usize));
        let same = |n: &u32| value_of(n) == Some(&key);
        let rehash = |n: &u32| value_of(n).map_or(0, Numbering::hash);
        match table.entry(hash, same, rehash) {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(slot) => {
                let n = first + values.len() as u32;
                slot.insert(n);
                values.push(key);
                n
            }
        }
    }
}

/// The documents of a kind by the value of one field. Each value's positions sit together
/// in one list, in document order, rather than in a list of their own: a kind of a hundred
/// thousand documents then costs two allocations to index, and two to drop, instead of one
/// per value. Values are numbered; the numbering is shared with the index it follows
/// after an edit ([`FieldIndex::following`]), so that re-indexing a large kind hashes
/// only the documents that changed.
#[derive(Debug, Default)]
struct FieldIndex {
    /// Each value's number, in order of first appearance, shared between versions.
    numbers: Arc<Numbering>,
    /// Numbers of values `numbers` does not have, given since it was made (numbered on
    /// from the last of `numbers`).
    more: Numbering,
    /// Each document's value's number, or [`NO_VALUE`].
    number_of: Vec<u32>,
    /// By number, each value's run in `positions`: start and length.
    runs: Vec<(u32, u32)>,
    positions: Vec<u32>,
}

impl FieldIndex {
    fn new(docs: &[Doc], indexed: Indexed) -> FieldIndex {
        let mut numbers = Numbering::with_capacity(0, docs.len());
        // Each document's value and its hash are read on every thread, in blocks: reading
        // a large kind's documents is most of the work, and a rule waits for its indexes
        // before any of its subjects is evaluated. Numbering them stays in document order.
        // Only from a thread outside the pool: a thread of the pool waiting here may take up
        // other work of the pool, which may ask for this very index (still being built on
        // its stack) or start a query under another database handle.
        let keyed_one = |d: &Doc| {
            indexed.value(d).map(|key| {
                let hash = Numbering::hash(&key);
                (key, hash)
            })
        };
        let keyed: Vec<Option<(IndexKey, u64)>> = if rayon::current_thread_index().is_none() {
            docs.par_iter().with_min_len(INDEX_BLOCK).map(keyed_one).collect()
        } else {
            docs.iter().map(keyed_one).collect()
        };
        let number_of: Vec<u32> = keyed
            .into_iter()
            .map(|k| k.map_or(NO_VALUE, |(key, hash)| numbers.number_hashed(key, hash)))
            .collect();
        let counts = held(&number_of, numbers.len());
        let more = Numbering::with_capacity(numbers.len() as u32, 0);
        FieldIndex::with_numbers(Arc::new(numbers), more, number_of, &counts)
    }

    /// The index of `docs`, which are `before`'s documents with those between `delta`'s
    /// common prefix and suffix replaced: the numbering is carried over and only the
    /// documents in between are looked at. Built afresh instead when values no document
    /// holds any more have piled up.
    fn following(&self, delta: &Delta, docs: &[Doc], indexed: Indexed) -> FieldIndex {
        let mut more = self.more.clone();
        let mut number_of = Vec::with_capacity(docs.len());
        number_of.extend_from_slice(self.number_of.get(..delta.prefix).unwrap_or(&[]));
        for doc in docs.get(delta.prefix..delta.new_suffix).unwrap_or(&[]) {
            let Some(key) = indexed.value(doc) else {
                number_of.push(NO_VALUE);
                continue;
            };
            let n = match self.numbers.get(&key) {
                Some(n) => n,
                None => more.number(key),
            };
            number_of.push(n);
        }
        number_of.extend_from_slice(self.number_of.get(delta.old_suffix..).unwrap_or(&[]));
        let counts = held(&number_of, self.numbers.len() + more.len());
        // Numbers of values no document holds any more stay until the next fresh build.
        let unheld = counts.iter().filter(|count| **count == 0).count();
        if unheld > 64 && unheld * 4 > counts.len() || more.len() * 4 > self.numbers.len() + 64 {
            return FieldIndex::new(docs, indexed);
        }
        FieldIndex::with_numbers(self.numbers.clone(), more, number_of, &counts)
    }

    /// Lays out each value's positions, given each document's value's number and how many
    /// documents hold each number ([`held`]).
    fn with_numbers(
        numbers: Arc<Numbering>,
        more: Numbering,
        number_of: Vec<u32>,
        counts: &[u32],
    ) -> FieldIndex {
        let mut runs: Vec<(u32, u32)> = Vec::with_capacity(counts.len());
        let mut total = 0u32;
        for count in counts {
            runs.push((total, *count));
            total += count;
        }
        let mut cursor: Vec<u32> = runs.iter().map(|(start, _)| *start).collect();
        let mut positions = vec![0u32; total as usize];
        for (i, n) in number_of.iter().enumerate() {
            if let Some(at) = cursor.get_mut(*n as usize) {
                positions[*at as usize] = i as u32;
                *at += 1;
            }
        }
        FieldIndex { numbers, more, number_of, runs, positions }
    }

    fn get(&self, key: &IndexKey) -> &[u32] {
        let number = self.numbers.get(key).or_else(|| self.more.get(key));
        let Some(&(start, len)) = number.and_then(|n| self.runs.get(n as usize)) else {
            return &[];
        };
        self.positions.get(start as usize..(start + len) as usize).unwrap_or(&[])
    }
}

/// How many documents hold each of `values` numbers, given each document's number.
fn held(number_of: &[u32], values: usize) -> Vec<u32> {
    let mut counts = vec![0u32; values];
    for n in number_of {
        if let Some(count) = counts.get_mut(*n as usize) {
            *count += 1;
        }
    }
    counts
}

/// Where two versions of a kind's documents differ: they share the first `prefix`
/// documents and every document from `old_suffix` (in the old) and `new_suffix` (in the
/// new) on, handle for handle.
#[derive(Debug, Clone, Copy)]
struct Delta {
    prefix: usize,
    old_suffix: usize,
    new_suffix: usize,
}

impl Delta {
    fn between(old: &[Doc], new: &[Doc]) -> Delta {
        let prefix = old.iter().zip(new).take_while(|(a, b)| a.same(b)).count();
        let suffix =
            old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a.same(b)).count();
        Delta { prefix, old_suffix: old.len() - suffix, new_suffix: new.len() - suffix }
    }
}

impl KindDocs {
    /// The documents of a kind with `field_count` fields.
    pub fn new(docs: Vec<Doc>, field_count: usize) -> KindDocs {
        KindDocs {
            docs,
            by_key: OnceLock::new(),
            by_field: (0..field_count).map(|_| OnceLock::new()).collect(),
            unread: Vec::new(),
        }
    }

    /// These documents, with `unread` the evidence of the kind that could not be read.
    pub fn with_unread(mut self, unread: Vec<UnreadDoc>) -> KindDocs {
        self.unread = unread;
        self
    }

    /// The evidence of the kind that could not be read, in path order.
    pub fn unread(&self) -> &[UnreadDoc] {
        &self.unread
    }

    /// The documents of a kind after an edit, `before` being the same kind's documents
    /// before it: every index `before` had built is built at once, from `before`'s, looking
    /// only at the documents that are not the same handles as before. What a long-lived
    /// database does, so that one edited file does not re-index a kind of a hundred
    /// thousand documents.
    pub fn following(before: &KindDocs, docs: Vec<Doc>, field_count: usize) -> KindDocs {
        let out = KindDocs::new(docs, field_count);
        let delta = Delta::between(&before.docs, &out.docs);
        if let Some(index) = before.by_key.get() {
            let _ = out.by_key.set(index.following(&delta, &out.docs, Indexed::Key));
        }
        for (field, (cell, index)) in out.by_field.iter().zip(&before.by_field).enumerate() {
            if let Some(index) = index.get() {
                let _ = cell.set(index.following(&delta, &out.docs, Indexed::Field(field)));
            }
        }
        out
    }

    /// Every document.
    pub fn docs(&self) -> &[Doc] {
        &self.docs
    }

    /// The documents that differ between `before` and this version of a kind: those of
    /// either that the other does not have at the same place in the order, as the same
    /// handle or as an equal document written in the same place. One edited file among a
    /// hundred thousand documents gives its own few documents, whatever it shifted.
    pub(crate) fn changed_since<'a>(&'a self, before: &'a KindDocs) -> impl Iterator<Item = &'a Doc> {
        let delta = Delta::between(&before.docs, &self.docs);
        let old = before.docs.get(delta.prefix..delta.old_suffix).unwrap_or(&[]);
        let new = self.docs.get(delta.prefix..delta.new_suffix).unwrap_or(&[]);
        // A file loaded again gives new handles to documents that may be equal.
        let equal = |(a, b): (&Doc, &Doc)| a == b;
        let head = old.iter().zip(new).take_while(|p| equal(*p)).count();
        let (old, new) = (&old[head..], &new[head..]);
        let tail = old.iter().rev().zip(new.iter().rev()).take_while(|p| equal(*p)).count();
        old[..old.len() - tail].iter().chain(&new[..new.len() - tail])
    }

    /// The document with this key (the first, if evidence repeats a key).
    pub fn by_key(&self, key: &IndexKey) -> Option<u32> {
        self.key_index().get(key).first().copied()
    }

    /// The positions of the documents an index look-up finds: by the kind's key, the first
    /// document with it; by a field, every document whose field holds it. What the
    /// interpreter's joins read.
    pub fn find(&self, field: LookupField, key: &IndexKey) -> &[u32] {
        match field {
            LookupField::Key => self.key_index().get(key).get(..1).unwrap_or(&[]),
            LookupField::Field(f) => self.by_field(f, key),
        }
    }

    /// The positions of the documents that share a key with another, key by key, each
    /// list in document order: the first holds the key, the rest repeat it.
    pub fn repeated_keys(&self) -> impl Iterator<Item = &[u32]> {
        let index = self.key_index();
        index
            .runs
            .iter()
            .filter(|(_, len)| *len > 1)
            .filter_map(|(start, len)| index.positions.get(*start as usize..(start + len) as usize))
    }

    /// Each document whose key an earlier one has, with the position of that first
    /// document, in the order of the repeats: [`KindDocs::repeated_keys`] as pairs.
    pub fn repeats(&self) -> Vec<(u32, u32)> {
        let mut repeats: Vec<(u32, u32)> = self
            .repeated_keys()
            .filter_map(|same| same.split_first())
            .flat_map(|(first, rest)| rest.iter().map(move |here| (*here, *first)))
            .collect();
        repeats.sort_unstable();
        repeats
    }

    fn key_index(&self) -> &FieldIndex {
        self.by_key.get_or_init(|| FieldIndex::new(&self.docs, Indexed::Key))
    }

    /// Builds the index a look-up on `field` reads, unless it is built. A rule whose
    /// subjects are evaluated in chunks on several threads builds its indexes first, on its
    /// own thread, rather than have one chunk build each while the others wait for it.
    pub fn prepare(&self, field: LookupField) {
        match field {
            LookupField::Key => {
                let _ = self.key_index();
            }
            LookupField::Field(f) => {
                let _ = self.field_index(f);
            }
        }
    }

    fn field_index(&self, field: u32) -> Option<&FieldIndex> {
        let cell = self.by_field.get(field as usize)?;
        Some(cell.get_or_init(|| FieldIndex::new(&self.docs, Indexed::Field(field as usize))))
    }

    /// The documents whose field `field` equals `key`, or whose list field holds it.
    pub fn by_field(&self, field: u32, key: &IndexKey) -> &[u32] {
        self.field_index(field).map_or(&[], |index| index.get(key))
    }
}

impl PartialEq for KindDocs {
    fn eq(&self, other: &KindDocs) -> bool {
        self.docs == other.docs && self.unread == other.unread
    }
}

/// Where the evaluator finds documents.
pub trait Evidence {
    /// The documents of a kind.
    fn kind(&self, kind: KindId) -> &KindDocs;

    /// The documents of a kind as a shared handle, where the evidence keeps them so: what a
    /// rule's memo holds to tell, on the next evaluation, which documents an edit changed.
    /// `None` where it does not, and then no chunk is reused.
    fn shared(&self, kind: KindId) -> Option<Arc<KindDocs>> {
        let _ = kind;
        None
    }

    /// Each document of a kind whose key an earlier one has, with the position of that
    /// first document, in the order of the repeats. Found by the kind's key index unless the
    /// evidence knows them already (a database finds them when it checks the keys).
    fn repeats(&self, kind: KindId) -> Cow<'_, [(u32, u32)]> {
        Cow::Owned(self.kind(kind).repeats())
    }
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

/// A Markdown body's sections: each heading's text up to the next heading of the same or
/// a higher level. Headings are ATX (`## Limitations`, indented up to three spaces, a tab
/// or a space after the marks) or setext (a line underlined with `===` or `---`), as model
/// card templates and hand-written cards use both; their text is read without the
/// emphasis a heading is sometimes wrapped in (`## **Limitations**`). Headings inside
/// fenced code blocks do not count.
fn markdown_sections(body: &str) -> Arc<Sections> {
    let mut headings: Vec<(usize, String, usize, usize)> = Vec::new();
    let mut in_fence = false;
    let mut offset = 0;
    // The line before, when it could be a setext heading's text: (its text, where it starts).
    let mut paragraph: Option<(&str, usize)> = None;
    for line in body.split_inclusive('\n') {
        let (start, end) = (offset, offset + line.len());
        offset = end;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            paragraph = None;
            continue;
        }
        if in_fence || indent > 3 {
            paragraph = None;
            continue;
        }
        if let Some(level) = atx_level(trimmed) {
            let title = trimmed[level..].trim().trim_end_matches('#').trim();
            headings.push((level, heading_text(title), start, end));
            paragraph = None;
            continue;
        }
        let marks = trimmed.trim_end();
        let underline =
            !marks.is_empty() && (marks.bytes().all(|b| b == b'=') || marks.bytes().all(|b| b == b'-'));
        match paragraph {
            Some((text, text_start)) if underline => {
                let level = if marks.starts_with('=') { 1 } else { 2 };
                headings.push((level, heading_text(text), text_start, end));
                paragraph = None;
            }
            _ => paragraph = (!marks.is_empty() && !underline).then_some((marks, start)),
        }
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

/// The level of an ATX heading line (`## …`), without its indent: one to six marks, then a
/// space, a tab or the end of the line.
fn atx_level(line: &str) -> Option<usize> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && (rest.starts_with([' ', '\t']) || rest.trim().is_empty())).then_some(level)
}

/// A heading's text without the emphasis wrapped round all of it (`**Limitations**`).
fn heading_text(text: &str) -> String {
    let mut text = text.trim();
    loop {
        let inner = ["**", "__", "*", "_"].iter().find_map(|mark| {
            text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark)).filter(|t| !t.trim().is_empty())
        });
        match inner {
            Some(inner) => text = inner.trim(),
            None => return text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_split_when_first_read_and_do_not_change_equality() {
        let body: Arc<str> =
            Arc::from("# Model\nIntro.\n## Limitations\nSome.\n```\n# not a heading\n```\n# Use\nMore.\n");
        let (read, unread) = (DocText::new(body.clone()), DocText::new(body));
        let sections: Vec<(&str, &str)> = read.sections().iter().map(|(h, t)| (&**h, &**t)).collect();
        assert_eq!(
            sections,
            [
                ("Model", "Intro.\n## Limitations\nSome.\n```\n# not a heading\n```"),
                ("Limitations", "Some.\n```\n# not a heading\n```"),
                ("Use", "More."),
            ]
        );
        assert_eq!(read, unread);
        assert_ne!(read, DocText::new(Arc::from("# Model\n")));
    }

    #[test]
    fn setext_headings_emphasis_and_a_tab_after_the_marks_are_headings_too() {
        let body = "Model card\n==========\nIntro.\n\nLimitations\n---\nSome.\n\n---\n\n## **Intended use**\nUse it.\n\
                    #\tContact\nus@example.org\n    # indented code, not a heading\n#hashtag\n";
        let sections: Vec<(String, String)> =
            markdown_sections(body).iter().map(|(h, t)| (h.to_string(), t.to_string())).collect();
        let titles: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(titles, ["Model card", "Limitations", "Intended use", "Contact"]);
        // A rule (`---` after a blank line) is no heading, and a section runs to the next
        // heading of its level or higher.
        assert_eq!(sections[1].1, "Some.\n\n---");
        assert_eq!(sections[3].1, "us@example.org\n    # indented code, not a heading\n#hashtag");
    }

    fn doc(id: &str, system: &str) -> Doc {
        Doc::new(DocData {
            fields: Box::from([Value::string(id), Value::string(system)]),
            key_field: Some(0),
            effective: None,
            markdown: None,
            citation: Citation { path: Arc::from("f"), line: 1, column: 1 },
        })
    }

    /// Every look-up of `docs` by key and by field 1, over every value either version
    /// holds and one neither does.
    fn look_ups(docs: &KindDocs, values: &[String]) -> Vec<(Vec<u32>, Vec<u32>)> {
        values
            .iter()
            .map(|v| {
                let key = IndexKey::Str(SmolStr::new(v));
                (docs.find(LookupField::Key, &key).to_vec(), docs.find(LookupField::Field(1), &key).to_vec())
            })
            .collect()
    }

    #[test]
    fn an_index_that_follows_an_edit_finds_what_a_fresh_one_finds() {
        // A small linear congruential generator: the same edits on every run.
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n.max(1)
        };
        let mut docs: Vec<Doc> = (0..200).map(|i| doc(&format!("d{i}"), &format!("s{}", i % 37))).collect();
        let mut before = KindDocs::new(docs.clone(), 2);
        let mut values: Vec<String> =
            (0..60).map(|i| format!("s{i}")).chain((0..260).map(|i| format!("d{i}"))).collect();
        values.push("nothing".to_owned());
        let _ = look_ups(&before, &values);
        for round in 0..300 {
            // Replace, insert or remove a run of documents, as reloading a file does.
            let at = next(docs.len());
            let len = next(6);
            let fresh: Vec<Doc> = (0..next(6))
                .map(|i| doc(&format!("d{}", next(260)), &format!("s{}", next(60 + i))))
                .collect();
            let end = (at + len).min(docs.len());
            docs.splice(at..end, fresh);
            let after = KindDocs::following(&before, docs.clone(), 2);
            let expected = KindDocs::new(docs.clone(), 2);
            assert_eq!(look_ups(&after, &values), look_ups(&expected, &values), "round {round}");
            before = after;
        }
    }

    #[test]
    fn only_indexes_already_built_are_carried_over() {
        let docs: Vec<Doc> = (0..10).map(|i| doc(&format!("d{i}"), "s")).collect();
        let before = KindDocs::new(docs.clone(), 2);
        let _ = before.by_field(1, &IndexKey::Str(SmolStr::new("s")));
        let after = KindDocs::following(&before, docs, 2);
        assert!(after.by_field[1].get().is_some());
        assert!(after.by_field[0].get().is_none());
        assert!(after.by_key.get().is_none());
    }
}
