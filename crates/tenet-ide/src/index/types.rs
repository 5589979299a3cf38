//! Just enough typing to resolve `x.field`: the type of a variable, a parameter, a field
//! and the few expressions a `let` or an `in` domain is usually bound to. Anything else
//! is `Ty::Error`, which resolves no field; the checker remains the judge of types.

use tenet_sema::Program;
use tenet_sema::ty::{FieldDef, RecordTy, Ty};
use tenet_syntax::ast::{AggregateKind, BinaryOp, Expr, ExprKind, Literal};

/// The fields a value of type `ty` has: a document's, a referenced document's (read
/// through the reference) or a record's.
pub(crate) fn fields_of<'p>(program: &'p Program, ty: &'p Ty) -> Option<&'p RecordTy> {
    match ty.non_optional() {
        Ty::Doc(k) | Ty::Ref(k) => program.schemas.get(k.index()).map(|s| &*s.record),
        Ty::Record(r) => Some(r),
        _ => None,
    }
}

/// The record type written inside a field's type (`{ … }` or `[{ … }]`), which belongs
/// to the schema declaring the field. References are not followed: they lead to other
/// schemas, possibly back to this one.
pub(crate) fn nested_record(ty: &Ty) -> Option<&RecordTy> {
    match ty.non_optional() {
        Ty::Record(r) => Some(r),
        Ty::List(element) => match element.non_optional() {
            Ty::Record(r) => Some(r),
            _ => None,
        },
        _ => None,
    }
}

/// The field `name` of a value of type `ty`.
pub(crate) fn field_def<'p>(program: &'p Program, ty: &'p Ty, name: &str) -> Option<&'p FieldDef> {
    fields_of(program, ty)?.field(name).map(|(_, f)| f)
}

/// The type of a built-in function's result, by name.
fn function_result(name: &str, args: &[Ty]) -> Ty {
    match name {
        "len" | "year" | "month" | "days_between" | "count" => Ty::Int,
        "lower" | "upper" | "trim" | "key" | "path" => Ty::String,
        "contains" | "starts_with" | "ends_with" | "has_section" => Ty::Bool,
        "start_of_year" | "start_of_month" | "date" => Ty::Date,
        "effective" => Ty::Date.optional(),
        "section" | "body" => Ty::String.optional(),
        "sum" | "min" | "max" => match args.first().map(Ty::non_optional) {
            Some(Ty::List(element)) => (**element).clone(),
            _ => Ty::Error,
        },
        _ => Ty::Error,
    }
}

/// The type of `e`, given the types of names (variables and parameters).
pub(crate) fn type_of(program: &Program, e: &Expr, name: &dyn Fn(&str) -> Ty) -> Ty {
    match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Bool(_) => Ty::Bool,
            Literal::None => Ty::None,
            Literal::Today | Literal::Date(_) => Ty::Date,
            Literal::Int(_) => Ty::Int,
            Literal::Float(_) => Ty::Float,
            Literal::String(_) => Ty::String,
            Literal::DateTime(_) => Ty::DateTime,
            Literal::Duration(..) => Ty::Duration,
        },
        ExprKind::Name(n) => name(n),
        ExprKind::Field { base, field } => {
            let base_ty = type_of(program, base, name);
            match field_def(program, &base_ty, &field.text) {
                Some(def) if base_ty.is_optional() || matches!(base_ty, Ty::Ref(_)) => {
                    def.ty.clone().optional()
                }
                Some(def) => def.ty.clone(),
                None => Ty::Error,
            }
        }
        ExprKind::Paren(inner) => type_of(program, inner, name),
        ExprKind::Unary { op: tenet_syntax::ast::UnaryOp::Not, .. } | ExprKind::Logic { .. } => Ty::Bool,
        ExprKind::Unary { operand, .. } => type_of(program, operand, name),
        ExprKind::Binary { op, lhs, rhs } => match op {
            op if op.is_comparison() || *op == BinaryOp::Implies => Ty::Bool,
            BinaryOp::Coalesce => type_of(program, rhs, name),
            _ => type_of(program, lhs, name),
        },
        ExprKind::Call { func, args } => {
            let args: Vec<Ty> = args.iter().map(|a| type_of(program, a, name)).collect();
            function_result(&func.text, &args)
        }
        ExprKind::Quantifier { .. } => Ty::Bool,
        ExprKind::Aggregate { kind: AggregateKind::Count, .. } => Ty::Int,
        ExprKind::Aggregate { .. } => Ty::Error,
        ExprKind::List(items) => match items.first() {
            Some(first) => Ty::List(std::sync::Arc::new(type_of(program, first, name))),
            None => Ty::Error,
        },
        ExprKind::Record(_) => Ty::Error,
    }
}

/// The element type of a list type.
pub(crate) fn element_of(ty: &Ty) -> Ty {
    match ty.non_optional() {
        Ty::List(element) => (**element).clone(),
        _ => Ty::Error,
    }
}
