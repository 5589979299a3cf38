//! Where each typed value of a document is written, kept beside the values (which the
//! evaluator compares and hashes, and which must not change when a line moves): a
//! verdict, a dangling reference or an editor's "go to evidence" can point at the very
//! field, list item or nested record, not only at the document.

use std::sync::Arc;

use tenet_diagnostics::Span;

/// Where one document is, and where each of its fields is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocLocation {
    /// The whole document: the mapping, the CSV row, or the Markdown front matter.
    pub span: Span,
    /// One entry per schema field, in the schema's order: where its value is written, or
    /// `None` when the document leaves the field out.
    pub fields: Arc<[Option<ValueLocation>]>,
    /// A Markdown document's body, after the front matter.
    pub body: Option<Span>,
}

impl DocLocation {
    /// Where field `index` (in the schema's order) is written.
    pub fn field(&self, index: usize) -> Option<&ValueLocation> {
        self.fields.get(index).and_then(Option::as_ref)
    }
}

/// Where one value is written, and for lists and records, where each part is. Scalars
/// need no allocation, which matters for CSV files of many rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ValueLocation {
    /// A scalar (or a value that stands for itself, such as an empty cell).
    Scalar(Span),
    /// A list: the whole list and each item.
    List {
        /// The whole list.
        span: Span,
        /// Each item, in order.
        items: Arc<[ValueLocation]>,
    },
    /// A record: the whole record and each field, in its type's order (`None` for a
    /// field left out).
    Record {
        /// The whole record.
        span: Span,
        /// Each field, in the record type's order.
        fields: Arc<[Option<ValueLocation>]>,
    },
}

impl ValueLocation {
    /// The span of the whole value.
    pub fn span(&self) -> Span {
        match self {
            ValueLocation::Scalar(span)
            | ValueLocation::List { span, .. }
            | ValueLocation::Record { span, .. } => *span,
        }
    }

    /// Item `index` of a list.
    pub fn item(&self, index: usize) -> Option<&ValueLocation> {
        match self {
            ValueLocation::List { items, .. } => items.get(index),
            _ => None,
        }
    }

    /// Field `index` of a record.
    pub fn field(&self, index: usize) -> Option<&ValueLocation> {
        match self {
            ValueLocation::Record { fields, .. } => fields.get(index).and_then(Option::as_ref),
            _ => None,
        }
    }
}
