//! The built-in functions: their names, arities and types.

use tenet_diagnostics::{Code, Span};
use tenet_syntax::ast;

use super::Checker;
use super::exprs::{Scope, ordering_family};
use crate::ir::{Builtin, Expr, ExprKind};
use crate::suggest::did_you_mean;
use crate::ty::Ty;

/// Every function name, for suggestions and completion.
pub const FUNCTION_NAMES: &[&str] = &[
    "len",
    "lower",
    "upper",
    "trim",
    "contains",
    "starts_with",
    "ends_with",
    "start_of_year",
    "start_of_month",
    "year",
    "month",
    "date",
    "days_between",
    "effective",
    "section",
    "has_section",
    "body",
    "key",
    "path",
    "count",
    "sum",
    "min",
    "max",
];

/// What an argument must be.
#[derive(Clone, Copy)]
enum Arg {
    Text,
    Date,
    DateTime,
    Document,
    List,
    TextOrList,
}

impl Checker<'_> {
    pub(super) fn call(&mut self, cx: &mut Scope, func: &ast::Name, args: Vec<Expr>, at: Span) -> Expr {
        let span = cx.rel(at);
        let (builtin, params): (Builtin, &[Arg]) = match func.text.as_str() {
            "len" => (Builtin::Len, &[Arg::TextOrList]),
            "lower" => (Builtin::Lower, &[Arg::Text]),
            "upper" => (Builtin::Upper, &[Arg::Text]),
            "trim" => (Builtin::Trim, &[Arg::Text]),
            "contains" => (Builtin::Contains, &[Arg::Text, Arg::Text]),
            "starts_with" => (Builtin::StartsWith, &[Arg::Text, Arg::Text]),
            "ends_with" => (Builtin::EndsWith, &[Arg::Text, Arg::Text]),
            "start_of_year" => (Builtin::StartOfYear, &[Arg::Date]),
            "start_of_month" => (Builtin::StartOfMonth, &[Arg::Date]),
            "year" => (Builtin::Year, &[Arg::Date]),
            "month" => (Builtin::Month, &[Arg::Date]),
            "date" => (Builtin::DateOf, &[Arg::DateTime]),
            "days_between" => (Builtin::DaysBetween, &[Arg::Date, Arg::Date]),
            "effective" => (Builtin::Effective, &[Arg::Document]),
            "section" => (Builtin::Section, &[Arg::Document, Arg::Text]),
            "has_section" => (Builtin::HasSection, &[Arg::Document, Arg::Text]),
            "body" => (Builtin::Body, &[Arg::Document]),
            "key" => (Builtin::Key, &[Arg::Document]),
            "path" => (Builtin::Path, &[Arg::Document]),
            "count" => (Builtin::CountList, &[Arg::List]),
            "sum" => (Builtin::SumList, &[Arg::List]),
            "min" => (Builtin::MinList, &[Arg::List]),
            "max" => (Builtin::MaxList, &[Arg::List]),
            other => {
                let mut d = self.diag(
                    Code::UNKNOWN_FUNCTION,
                    cx.file,
                    func.span,
                    format!("no function named `{other}`"),
                );
                if let Some(best) = did_you_mean(other, FUNCTION_NAMES.iter().copied()) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        func.span,
                        best.to_owned(),
                    );
                } else {
                    d = d.with_help(format!("the functions are {}", FUNCTION_NAMES.join(", ")));
                }
                self.report(d);
                return Expr { kind: ExprKind::Const(crate::value::Value::None), ty: Ty::Error, span };
            }
        };
        if args.len() != params.len() {
            let d = self.diag(
                Code::ARGUMENT_COUNT,
                cx.file,
                at,
                format!(
                    "`{}` takes {} argument{}, but {} {} given",
                    func.text,
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" },
                ),
            );
            self.report(d);
            return Expr { kind: ExprKind::Const(crate::value::Value::None), ty: Ty::Error, span };
        }
        let mut optional = false;
        let mut ok = true;
        for (arg, param) in args.iter().zip(params) {
            let ty = arg.ty.non_optional();
            optional |= arg.ty.is_optional();
            let fits = match param {
                Arg::Text => ty.is_stringish(),
                Arg::Date => matches!(ty, Ty::Date),
                Arg::DateTime => matches!(ty, Ty::DateTime),
                Arg::Document => matches!(ty, Ty::Doc(_)),
                Arg::List => matches!(ty, Ty::List(_)),
                Arg::TextOrList => ty.is_stringish() || matches!(ty, Ty::List(_)),
            };
            if !fits && *ty != Ty::Error {
                ok = false;
                let wanted = match param {
                    Arg::Text => "a string",
                    Arg::Date => "a date",
                    Arg::DateTime => "a datetime",
                    Arg::Document => "an evidence document",
                    Arg::List => "a list",
                    Arg::TextOrList => "a string or a list",
                };
                let d = self.diag(
                    Code::TYPE_MISMATCH,
                    cx.file,
                    arg.span.shifted(cx.origin),
                    format!("`{}` takes {wanted} here, not `{}`", func.text, arg.ty.display(&self.program)),
                );
                self.report(d);
            }
        }
        if !ok {
            return Expr { kind: ExprKind::Const(crate::value::Value::None), ty: Ty::Error, span };
        }
        let element = args.first().and_then(|a| match a.ty.non_optional() {
            Ty::List(e) => Some((**e).clone()),
            _ => None,
        });
        let ty = match builtin {
            Builtin::Len | Builtin::Year | Builtin::Month | Builtin::DaysBetween | Builtin::CountList => {
                Ty::Int
            }
            Builtin::Lower | Builtin::Upper | Builtin::Trim => Ty::String,
            Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith | Builtin::HasSection => Ty::Bool,
            Builtin::StartOfYear | Builtin::StartOfMonth | Builtin::DateOf => Ty::Date,
            Builtin::Effective => Ty::Date.optional(),
            Builtin::Section | Builtin::Body => Ty::String.optional(),
            Builtin::Key | Builtin::Path => Ty::String,
            Builtin::SumList => match element.as_ref().map(Ty::non_optional) {
                Some(t @ (Ty::Int | Ty::Float | Ty::Duration | Ty::Error)) => t.clone(),
                other => {
                    let shown = other.map_or("?".to_owned(), |t| t.display(&self.program));
                    self.error(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        at,
                        format!("`sum` adds numbers or durations, not `{shown}`"),
                    );
                    Ty::Error
                }
            },
            Builtin::MinList | Builtin::MaxList => match element.as_ref() {
                Some(t) if ordering_family(t.non_optional()).is_some() => t.non_optional().clone().optional(),
                other => {
                    let shown = other.map_or("?".to_owned(), |t| t.display(&self.program));
                    self.error(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        at,
                        format!("`{}` needs values that can be ordered, not `{shown}`", func.text),
                    );
                    Ty::Error
                }
            },
        };
        let ty = if optional && !matches!(builtin, Builtin::Effective | Builtin::Section | Builtin::Body) {
            ty.optional()
        } else {
            ty
        };
        Expr { kind: ExprKind::Call { func: builtin, args }, ty, span }
    }
}
