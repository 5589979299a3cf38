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
    /// Where each schema field's value is written, in the schema's order.
    fields: FieldLocations,
    /// A Markdown document's body, after the front matter.
    pub body: Option<Span>,
}

/// Field locations, compact for the usual document whose fields are all scalars: one
/// span per field (a quarter of the general form), since a large organisation holds
/// hundreds of thousands of documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FieldLocations {
    /// Every field a scalar or absent; absent fields hold [`ABSENT`].
    Scalars(Arc<[Span]>),
    /// Some field a list or a record.
    Nested(Arc<[Option<ValueLocation>]>),
}

/// Marks an absent field among [`FieldLocations::Scalars`]: no text spans it.
const ABSENT: Span = Span { start: u32::MAX, end: u32::MAX };

impl DocLocation {
    /// A document at `span` whose fields (in the schema's order) are written at `fields`
    /// (`None` for a field the document leaves out).
    pub fn new(span: Span, fields: Vec<Option<ValueLocation>>, body: Option<Span>) -> DocLocation {
        let scalar = |l: &Option<ValueLocation>| match l {
            None => Some(ABSENT),
            Some(ValueLocation::Scalar(span)) if *span != ABSENT => Some(*span),
            Some(_) => None,
        };
        let fields = match fields.iter().map(scalar).collect::<Option<Vec<Span>>>() {
            Some(spans) => FieldLocations::Scalars(Arc::from(spans)),
            None => FieldLocations::Nested(Arc::from(fields)),
        };
        DocLocation { span, fields, body }
    }

    /// Where field `index` (in the schema's order) is written.
    pub fn field(&self, index: usize) -> Option<ValueLocation> {
        match &self.fields {
            FieldLocations::Scalars(spans) => {
                spans.get(index).filter(|s| **s != ABSENT).map(|s| ValueLocation::Scalar(*s))
            }
            FieldLocations::Nested(fields) => fields.get(index).cloned().flatten(),
        }
    }

    /// Where each field is written, in the schema's order.
    pub fn fields(&self) -> impl Iterator<Item = Option<ValueLocation>> + '_ {
        let count = match &self.fields {
            FieldLocations::Scalars(spans) => spans.len(),
            FieldLocations::Nested(fields) => fields.len(),
        };
        (0..count).map(|i| self.field(i))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(start: u32, end: u32) -> Option<ValueLocation> {
        Some(ValueLocation::Scalar(Span::new(start, end)))
    }

    #[test]
    fn scalar_fields_are_kept_as_spans_and_read_back_alike() {
        let fields = vec![scalar(0, 2), None, scalar(5, 9)];
        let location = DocLocation::new(Span::new(0, 9), fields.clone(), None);
        assert!(matches!(location.fields, FieldLocations::Scalars(_)));
        assert_eq!(location.fields().collect::<Vec<_>>(), fields);
        assert_eq!(location.field(1), None);
        assert_eq!(location.field(3), None, "past the last field");
    }

    #[test]
    fn a_list_or_record_field_keeps_the_general_form() {
        let list = Some(ValueLocation::List {
            span: Span::new(3, 9),
            items: Arc::from(vec![ValueLocation::Scalar(Span::new(4, 5))]),
        });
        let fields = vec![scalar(0, 2), list.clone(), None];
        let location = DocLocation::new(Span::new(0, 9), fields.clone(), None);
        assert!(matches!(location.fields, FieldLocations::Nested(_)));
        assert_eq!(location.fields().collect::<Vec<_>>(), fields);
        assert_eq!(
            location.field(1).and_then(|l| l.item(0).cloned()),
            Some(ValueLocation::Scalar(Span::new(4, 5)))
        );
    }

    #[test]
    fn a_span_equal_to_the_absent_mark_is_not_taken_for_absence() {
        let fields = vec![Some(ValueLocation::Scalar(ABSENT))];
        let location = DocLocation::new(Span::new(0, 0), fields.clone(), None);
        assert_eq!(location.fields().collect::<Vec<_>>(), fields);
    }
}
