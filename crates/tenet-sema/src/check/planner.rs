//! Join planning: an equality in a quantifier's filter between a field of the bound
//! document and something that does not depend on it becomes an index look-up, so that
//! `some a: Assessment where a.system == s` costs one hash probe per subject, not a scan.

use crate::ir::{BinOp, Expr, ExprKind, Lookup, LookupField, VarId};
use crate::program::{KindId, Program};
use crate::ty::Ty;

/// The look-up for a filter, if one of its conjuncts is an indexable equality.
pub(super) fn plan(program: &Program, var: VarId, kind: KindId, filter: &Expr) -> Option<Lookup> {
    let conjuncts: Vec<&Expr> = match &filter.kind {
        ExprKind::And(items) => items.iter().collect(),
        _ => vec![filter],
    };
    let schema = program.schemas.get(kind.index())?;
    for (position, c) in conjuncts.into_iter().enumerate() {
        let ExprKind::Binary { op: BinOp::Eq, lhs, rhs } = &c.kind else { continue };
        for (indexed, other) in [(lhs, rhs), (rhs, lhs)] {
            let Some(field) = indexed_field(indexed, var, schema) else { continue };
            if mentions(other, var) {
                continue;
            }
            return Some(Lookup { field, key: other.clone(), settles: position });
        }
    }
    None
}

/// The field of the bound document this side reads, when an index can serve it.
fn indexed_field(e: &Expr, var: VarId, schema: &crate::program::Schema) -> Option<LookupField> {
    match &e.kind {
        ExprKind::KeyOf(inner) if matches!(inner.kind, ExprKind::Var(v) if v == var) => {
            schema.key.map(|_| LookupField::Key)
        }
        ExprKind::Field { base, index, through: None } if matches!(base.kind, ExprKind::Var(v) if v == var) =>
        {
            let def = schema.record.fields.get(*index as usize)?;
            let indexable = matches!(
                def.ty.non_optional(),
                Ty::String | Ty::Enum(_) | Ty::Ref(_) | Ty::Int | Ty::Bool | Ty::Date
            );
            if !indexable {
                return None;
            }
            Some(if schema.key == Some(*index as usize) {
                LookupField::Key
            } else {
                LookupField::Field(*index)
            })
        }
        _ => None,
    }
}

/// True when the expression reads the variable.
fn mentions(e: &Expr, var: VarId) -> bool {
    let mut found = false;
    e.walk(&mut |x| {
        if matches!(x.kind, ExprKind::Var(v) if v == var) {
            found = true;
        }
    });
    found
}
