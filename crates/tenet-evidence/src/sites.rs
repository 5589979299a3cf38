//! Where keys and references are written, derived from a loaded file's documents and
//! their locations when the whole-set checks need them, rather than stored beside every
//! document: a large organisation has hundreds of thousands of each.

use tenet_diagnostics::Span;
use tenet_sema::KindId;
use tenet_sema::program::Schema;
use tenet_sema::ty::Ty;
use tenet_sema::value::{SmolStr, Value};

use crate::location::ValueLocation;
use crate::{KeySite, Loaded, RefSite};

impl Loaded {
    /// Where each keyed document writes its key, in file order.
    pub fn key_sites<'a>(&'a self, schemas: &'a [Schema]) -> impl Iterator<Item = KeySite> + 'a {
        self.documents.iter().enumerate().filter_map(|(position, (kind, doc))| {
            let key = doc.key()?.key_text();
            Some(KeySite { kind: *kind, key, span: self.key_span(position, schemas) })
        })
    }

    /// Where document `position` writes its key: the key's value, or the whole document
    /// when the key's place is not known.
    pub fn key_span(&self, position: usize, schemas: &[Schema]) -> Span {
        let Some(location) = self.locations.get(position) else { return Span::default() };
        let field = self.documents.get(position).and_then(|(kind, _)| schemas.get(kind.index())?.key);
        field.and_then(|f| location.field(f)).map_or(location.span, |value| value.span())
    }

    /// Every reference the documents make, also inside lists and records, in file order.
    pub fn ref_sites(&self, schemas: &[Schema]) -> Vec<RefSite> {
        let mut out = Vec::new();
        for (kind, doc, location) in self.located() {
            let Some(schema) = schemas.get(kind.index()) else { continue };
            let fallback = location.map(|l| l.span).unwrap_or_default();
            for (i, (field, value)) in schema.record.fields.iter().zip(doc.fields.iter()).enumerate() {
                let at = location.and_then(|l| l.field(i));
                each_ref(value, &field.ty, at.as_ref(), &mut |target, key, at| {
                    let span = at.map_or(fallback, |l| l.span());
                    out.push(RefSite { from: kind, target, key: key.clone(), span });
                    true
                });
            }
        }
        out
    }
}

/// What [`each_ref`] gives each reference to: the kind it refers to, its key, where it is
/// written (when known); it returns whether to go on.
pub(crate) type RefVisitor<'v> = dyn FnMut(KindId, &SmolStr, Option<&ValueLocation>) -> bool + 'v;

/// Every reference in a typed value, also inside lists and records, given to `each` in
/// order with the kind it refers to, its key and where it is written (when `at` says),
/// for as long as `each` returns true; false when `each` stopped the walk. Reference sites
/// and the dangling-reference check both walk values this way.
pub(crate) fn each_ref(
    value: &Value,
    ty: &Ty,
    at: Option<&ValueLocation>,
    each: &mut RefVisitor<'_>,
) -> bool {
    match (ty.non_optional(), value) {
        (Ty::Ref(target), Value::String(key)) => each(*target, key, at),
        (Ty::List(element), Value::List(items)) => items
            .iter()
            .enumerate()
            .all(|(i, item)| each_ref(item, element, at.and_then(|l| l.item(i)), each)),
        (Ty::Record(record), Value::Record(values)) => record
            .fields
            .iter()
            .zip(values.iter())
            .enumerate()
            .all(|(i, (field, v))| each_ref(v, &field.ty, at.and_then(|l| l.field(i)), each)),
        _ => true,
    }
}
