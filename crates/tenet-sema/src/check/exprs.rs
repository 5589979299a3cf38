//! Checking expressions: names resolved, types computed, operators checked, and the
//! typed IR built. Each error is reported once; the expression then has type `Error`, which
//! every operator accepts silently.

use std::collections::BTreeSet;
use std::sync::Arc;

use tenet_diagnostics::{Code, Span};
use tenet_syntax::ast::{self, BinaryOp, DurationUnit, ExprKind as A, Literal, LogicOp, UnaryOp};

use super::Checker;
use super::lookup::Found;
use crate::ir::{self, BinOp, Domain, Expr, ExprKind, PatternExpr, VarId};
use crate::program::*;
use crate::suggest::did_you_mean;
use crate::ty::Ty;
use crate::value::{Duration, Value};

/// Where an expression is checked: its package and file, the variables in scope, and what
/// it has read so far.
pub(super) struct Scope {
    pub package: PackageId,
    pub file: FileId,
    /// Offset that IR spans are made relative to.
    pub origin: u32,
    locals: Vec<(Arc<str>, VarId, Ty)>,
    /// Names of the variable slots, by index.
    pub slots: Vec<Arc<str>>,
    /// Evidence kinds read.
    pub kinds_read: BTreeSet<KindId>,
    /// Parameters read.
    pub params_read: BTreeSet<ParamId>,
    /// True where only constants are allowed (parameter values).
    pub constant: bool,
    in_message: bool,
}

impl Scope {
    pub(super) fn new(package: PackageId, file: FileId, origin: u32) -> Scope {
        Scope {
            package,
            file,
            origin,
            locals: Vec::new(),
            slots: Vec::new(),
            kinds_read: BTreeSet::new(),
            params_read: BTreeSet::new(),
            constant: false,
            in_message: false,
        }
    }

    pub(super) fn constant(package: PackageId, file: FileId, origin: u32) -> Scope {
        Scope { constant: true, ..Scope::new(package, file, origin) }
    }

    /// A span relative to the origin.
    pub(super) fn rel(&self, span: Span) -> Span {
        Span::new(span.start.saturating_sub(self.origin), span.end.saturating_sub(self.origin))
    }

    pub(super) fn lookup(&self, name: &str) -> Option<(VarId, Ty)> {
        self.locals.iter().rev().find(|(n, _, _)| &**n == name).map(|(_, v, t)| (*v, t.clone()))
    }

    fn local_names(&self) -> Vec<Arc<str>> {
        self.locals.iter().map(|(n, _, _)| n.clone()).collect()
    }
}

fn mk(kind: ExprKind, ty: Ty, span: Span) -> Expr {
    Expr { kind, ty, span }
}

fn error_expr(span: Span) -> Expr {
    mk(ExprKind::Const(Value::None), Ty::Error, span)
}

/// The string constant an expression is, if it is one.
pub(super) fn string_const(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Const(Value::String(s)) => Some(s),
        _ => None,
    }
}

impl Checker<'_> {
    /// Reports a string literal compared with or given to an enum that does not hold it;
    /// the message lists the allowed values so that even one-line output is actionable.
    fn report_enum_value(&mut self, file: FileId, span: Span, literal: &str, values: &[Arc<str>]) {
        let allowed: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        let mut d = self
            .diag(
                Code::ENUM_VALUE,
                file,
                span,
                format!("\"{literal}\" is not one of the allowed values: {}", allowed.join(", ")),
            )
            .with_label("not an allowed value");
        if let Some(best) = did_you_mean(literal, values.iter().map(|v| &**v)) {
            d = d.with_help(format!("did you mean \"{best}\"?")).with_suggestion(
                format!("replace with \"{best}\""),
                span,
                format!("\"{best}\""),
            );
        }
        self.report(d);
    }

    /// Binds a variable, warning when it hides another.
    pub(super) fn bind(&mut self, cx: &mut Scope, name: &ast::Name, ty: Ty) -> VarId {
        if cx.lookup(&name.text).is_some() {
            let d = self
                .diag(
                    Code::SHADOWED,
                    cx.file,
                    name.span,
                    format!("`{}` hides a variable of the same name", name.text),
                )
                .with_help("rename one of them");
            self.report(d);
        }
        let var = VarId(cx.slots.len() as u16);
        let name: Arc<str> = Arc::from(name.text.as_str());
        cx.slots.push(name.clone());
        cx.locals.push((name, var, ty));
        var
    }

    pub(super) fn unbind(&mut self, cx: &mut Scope) {
        cx.locals.pop();
    }

    /// Checks a condition: it must be a boolean (an optional boolean counts `none` as false).
    pub(super) fn condition(&mut self, cx: &mut Scope, e: &ast::Expr, what: &str) -> Expr {
        let out = self.expr(cx, e);
        if !matches!(out.ty.non_optional(), Ty::Bool | Ty::Error) {
            let d = self
                .diag(
                    Code::NOT_BOOLEAN,
                    cx.file,
                    e.span,
                    format!("{what} needs a boolean, but this is `{}`", out.ty.display(&self.program)),
                )
                .with_help("compare it with something, as in `x == value` or `x != none`");
            self.report(d);
            return error_expr(out.span);
        }
        out
    }

    /// Checks an expression.
    pub(super) fn expr(&mut self, cx: &mut Scope, e: &ast::Expr) -> Expr {
        let span = cx.rel(e.span);
        match &e.kind {
            A::Literal(l) => self.literal(cx, l, e.span),
            A::Name(name) => self.name(cx, name, e.span),
            A::Field { base, field } => {
                if let Some(param) = self.qualified_param(cx, e) {
                    return param;
                }
                let base = self.expr(cx, base);
                self.field(cx, base, field, span)
            }
            A::Unary { op: UnaryOp::Not, operand } => {
                let operand = self.condition(cx, operand, "`not`");
                mk(ExprKind::Not(Box::new(operand)), Ty::Bool, span)
            }
            A::Unary { op: UnaryOp::Neg, operand } => {
                let operand = self.expr(cx, operand);
                let ty = operand.ty.clone();
                if !matches!(ty.non_optional(), Ty::Int | Ty::Float | Ty::Duration | Ty::Error) {
                    self.error(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        e.span,
                        format!("cannot negate `{}`", ty.display(&self.program)),
                    );
                    return error_expr(span);
                }
                mk(ExprKind::Neg(Box::new(operand)), ty, span)
            }
            A::Binary { op, lhs, rhs } => self.binary(cx, *op, lhs, rhs, e.span),
            A::Logic { op, operands } => {
                let what = match op {
                    LogicOp::And => "`and`",
                    LogicOp::Or => "`or`",
                };
                let items: Vec<Expr> = operands.iter().map(|o| self.condition(cx, o, what)).collect();
                let kind = match op {
                    LogicOp::And => ExprKind::And(items),
                    LogicOp::Or => ExprKind::Or(items),
                };
                mk(kind, Ty::Bool, span)
            }
            A::Paren(inner) => {
                let mut out = self.expr(cx, inner);
                out.span = span;
                out
            }
            A::Call { func, args } => {
                let args: Vec<Expr> = args.iter().map(|a| self.expr(cx, a)).collect();
                self.call(cx, func, args, e.span)
            }
            A::Quantifier { kind, binding, filter, predicate } => {
                self.quantifier(cx, *kind, binding, filter.as_deref(), predicate.as_deref(), e.span)
            }
            A::Aggregate { kind, value, binding, filter } => {
                self.aggregate(cx, *kind, value.as_deref(), binding, filter.as_deref(), e.span)
            }
            A::List(items) => {
                let items: Vec<Expr> = items.iter().map(|i| self.expr(cx, i)).collect();
                let mut element = None;
                for item in &items {
                    element = match element {
                        None => Some(item.ty.clone()),
                        Some(prev) => match unify(&prev, &item.ty) {
                            Some(t) => Some(t),
                            None => {
                                let d = self.diag(Code::TYPE_MISMATCH, cx.file, item.span.shifted(cx.origin), format!(
                                    "a list holds one type: this is `{}`, the elements before it are `{}`",
                                    item.ty.display(&self.program),
                                    prev.display(&self.program)
                                ));
                                self.report(d);
                                Some(Ty::Error)
                            }
                        },
                    };
                }
                mk(ExprKind::List(items), Ty::List(Arc::new(element.unwrap_or(Ty::Error))), span)
            }
            A::Record(_) => {
                let d = self
                    .diag(Code::TYPE_MISMATCH, cx.file, e.span, "a record literal needs a known type here")
                    .with_help(
                        "records are written in `given` documents and in values of record-typed parameters",
                    );
                self.report(d);
                error_expr(span)
            }
        }
    }

    fn literal(&mut self, cx: &mut Scope, l: &Literal, at: Span) -> Expr {
        let span = cx.rel(at);
        let (value, ty) = match l {
            Literal::Bool(b) => (Value::Bool(*b), Ty::Bool),
            Literal::None => (Value::None, Ty::None),
            Literal::Today => return mk(ExprKind::Today, Ty::Date, span),
            Literal::Int(i) => (Value::Int(*i), Ty::Int),
            Literal::Float(f) => (Value::Float(f.parse().unwrap_or(0.0)), Ty::Float),
            Literal::String(s) => (Value::string(s), Ty::String),
            Literal::Date(d) => (Value::Date(*d), Ty::Date),
            Literal::DateTime(t) => match t.parse() {
                Ok(ts) => (Value::DateTime(ts), Ty::DateTime),
                Err(_) => return error_expr(span),
            },
            Literal::Duration(n, unit) => {
                // A literal too large for a duration saturates; moving a date by it fails
                // where it is used, as a date out of range.
                let d = match unit {
                    DurationUnit::Minutes => Duration::of_seconds(n.saturating_mul(60)),
                    DurationUnit::Hours => Duration::of_seconds(n.saturating_mul(3600)),
                    DurationUnit::Days => Duration::saturating_days(*n),
                    DurationUnit::Weeks => Duration::saturating_days(n.saturating_mul(7)),
                    DurationUnit::Months => Duration::saturating_months(*n),
                    DurationUnit::Years => Duration::saturating_months(n.saturating_mul(12)),
                };
                (Value::Duration(d), Ty::Duration)
            }
        };
        mk(ExprKind::Const(value), ty, span)
    }

    fn name(&mut self, cx: &mut Scope, name: &str, at: Span) -> Expr {
        let span = cx.rel(at);
        if let Some((var, ty)) = cx.lookup(name) {
            return mk(ExprKind::Var(var), ty, span);
        }
        match self.find_param(cx.package, name) {
            Found::One(p) => return self.param_expr(cx, p, span),
            Found::Ambiguous(packages) => {
                let names: Vec<String> =
                    packages.iter().map(|p| format!("`{}`", self.package_name(*p))).collect();
                let d = self
                    .diag(
                        Code::AMBIGUOUS_NAME,
                        cx.file,
                        at,
                        format!("parameter `{name}` is declared by {}", names.join(" and ")),
                    )
                    .with_help("qualify it with its package name");
                self.report(d);
                return error_expr(span);
            }
            Found::Nothing => {}
        }
        let code = if cx.in_message { Code::UNKNOWN_INTERPOLATION } else { Code::UNKNOWN_NAME };
        let mut d = self.diag(code, cx.file, at, format!("unknown name `{name}`"));
        if self.is_package_name(cx.package, name).is_some() {
            d.message = format!("`{name}` is a package, not a value");
            d = d.with_help(format!("name a parameter in it, as in `{name}.parameter_name`"));
        } else if self.program.kind_by_name(name).is_some() {
            d.message = format!("`{name}` is an evidence kind, not a value");
            d = d.with_help(format!("bind a variable to its documents, as in `some x: {name} where …`"));
        } else {
            let mut candidates = cx.local_names();
            candidates.extend(self.param_names(cx.package));
            if let Some(best) = did_you_mean(name, candidates.iter().map(|n| &**n)) {
                d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                    format!("replace with `{best}`"),
                    at,
                    best.to_owned(),
                );
            } else if cx.constant {
                d = d.with_help("parameter values may use literals and other parameters");
            } else {
                d = d.with_help("variables come from `for`, `let` and quantifiers; parameters from `param`");
            }
        }
        self.report(d);
        error_expr(span)
    }

    fn param_expr(&mut self, cx: &mut Scope, p: ParamId, span: Span) -> Expr {
        cx.params_read.insert(p);
        let ty = self.program.params.get(p.index()).map_or(Ty::Error, |p| p.ty.clone());
        mk(ExprKind::Param(p), ty, span)
    }

    /// `pkg.param` or `pkg.sub.param`, with any fields after the parameter.
    fn qualified_param(&mut self, cx: &mut Scope, e: &ast::Expr) -> Option<Expr> {
        let mut segments: Vec<&ast::Name> = Vec::new();
        let mut root = e;
        while let A::Field { base, field } = &root.kind {
            segments.push(field);
            root = base;
        }
        let A::Name(root_name) = &root.kind else { return None };
        if cx.lookup(root_name).is_some() || !matches!(self.find_param(cx.package, root_name), Found::Nothing)
        {
            return None;
        }
        segments.reverse();
        let texts: Vec<&str> =
            std::iter::once(root_name.as_str()).chain(segments.iter().map(|s| s.text.as_str())).collect();
        for split in (1..texts.len()).rev() {
            let package_path = texts[..split].join(".");
            let Some(package) = self.is_package_name(cx.package, &package_path) else { continue };
            let param_name = texts[split];
            let param_segment = segments[split - 1];
            let Some(p) = self.params.get(package.index()).and_then(|t| t.get(param_name)).copied() else {
                let names: Vec<Arc<str>> = self.params.get(package.index()).map_or_else(Vec::new, |t| {
                    let mut v: Vec<Arc<str>> = t.keys().cloned().collect();
                    v.sort();
                    v
                });
                let code = if cx.in_message { Code::UNKNOWN_INTERPOLATION } else { Code::UNKNOWN_NAME };
                let mut d = self.diag(
                    code,
                    cx.file,
                    param_segment.span,
                    format!("package `{package_path}` has no parameter `{param_name}`"),
                );
                if let Some(best) = did_you_mean(param_name, names.iter().map(|n| &**n)) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        param_segment.span,
                        best.to_owned(),
                    );
                }
                self.report(d);
                return Some(error_expr(cx.rel(e.span)));
            };
            let start = root.span;
            let mut out = self.param_expr(cx, p, cx.rel(start.cover(param_segment.span)));
            for field in &segments[split..] {
                let span = cx.rel(start.cover(field.span));
                out = self.field(cx, out, field, span);
            }
            return Some(out);
        }
        None
    }

    fn field(&mut self, cx: &mut Scope, base: Expr, field: &ast::Name, span: Span) -> Expr {
        let optional = base.ty.is_optional();
        let (record, through, owner) = match base.ty.non_optional() {
            Ty::Error => return error_expr(span),
            Ty::Doc(k) => {
                let s = &self.program.schemas[k.index()];
                (s.record.clone(), None, s.name.to_string())
            }
            Ty::Ref(k) => {
                let s = &self.program.schemas[k.index()];
                cx.kinds_read.insert(*k);
                (s.record.clone(), Some(*k), s.name.to_string())
            }
            Ty::Record(r) => (r.clone(), None, "this record".to_owned()),
            other => {
                let d = self
                    .diag(
                        Code::NOT_A_RECORD,
                        cx.file,
                        field.span,
                        format!("`{}` has no fields", other.display(&self.program)),
                    )
                    .with_label(format!("`.{}` reads a field", field.text));
                self.report(d);
                return error_expr(span);
            }
        };
        match record.field(&field.text) {
            Some((_, def)) if def.refused_format => {
                let d = self
                    .diag(
                        Code::INVALID_DATE_FORMAT,
                        cx.file,
                        field.span,
                        format!(
                            "`{}` cannot be read from evidence: its `format` cannot read a date",
                            field.text
                        ),
                    )
                    .with_related(self.path(def.file), def.span, "the field and its format");
                self.report(d);
                error_expr(span)
            }
            Some((index, def)) => {
                // A reference may dangle, so a field read through it may be absent.
                let ty =
                    if optional || through.is_some() { def.ty.clone().optional() } else { def.ty.clone() };
                mk(ExprKind::Field { base: Box::new(base), index: index as u32, through }, ty, span)
            }
            None => {
                let owner = if owner == "this record" { owner } else { format!("`{owner}`") };
                let mut d = self.diag(
                    Code::UNKNOWN_FIELD,
                    cx.file,
                    field.span,
                    format!("{owner} has no field `{}`", field.text),
                );
                if let Some(best) = did_you_mean(&field.text, record.fields.iter().map(|f| &*f.name)) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        field.span,
                        best.to_owned(),
                    );
                } else {
                    let names: Vec<String> = record.fields.iter().map(|f| format!("`{}`", f.name)).collect();
                    d = d.with_help(format!("its fields are {}", names.join(", ")));
                }
                self.report(d);
                error_expr(span)
            }
        }
    }

    fn binary(&mut self, cx: &mut Scope, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, at: Span) -> Expr {
        let span = cx.rel(at);
        if op == BinaryOp::Implies {
            let l = self.condition(cx, lhs, "`implies`");
            let r = self.condition(cx, rhs, "`implies`");
            return mk(
                ExprKind::Binary { op: BinOp::Implies, lhs: Box::new(l), rhs: Box::new(r) },
                Ty::Bool,
                span,
            );
        }
        let l = self.expr(cx, lhs);
        let r = self.expr(cx, rhs);
        if op == BinaryOp::Matches {
            return self.matches(cx, l, r, rhs.span, span);
        }
        if l.ty == Ty::Error || r.ty == Ty::Error {
            let ty = if op.is_comparison() { Ty::Bool } else { Ty::Error };
            return mk(ExprKind::Binary { op: bin_op(op), lhs: Box::new(l), rhs: Box::new(r) }, ty, span);
        }
        match op {
            BinaryOp::Eq | BinaryOp::Ne => {
                let (l, r) = self.equality(cx, l, r, at);
                mk(ExprKind::Binary { op: bin_op(op), lhs: Box::new(l), rhs: Box::new(r) }, Ty::Bool, span)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                if ordering_family(l.ty.non_optional()) != ordering_family(r.ty.non_optional())
                    || ordering_family(l.ty.non_optional()).is_none()
                {
                    self.mismatch(
                        cx,
                        &format!("cannot compare `{{}}` with `{{}}` using `{}`", op.as_str()),
                        &l,
                        &r,
                        at,
                    );
                }
                mk(ExprKind::Binary { op: bin_op(op), lhs: Box::new(l), rhs: Box::new(r) }, Ty::Bool, span)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let element = match r.ty.non_optional() {
                    Ty::List(e) => Some((**e).clone()),
                    _ => None,
                };
                match element {
                    None => {
                        let mut d = self.diag(
                            Code::NOT_A_LIST,
                            cx.file,
                            rhs.span,
                            format!(
                                "`{}` needs a list on its right, not `{}`",
                                op.as_str(),
                                r.ty.display(&self.program)
                            ),
                        );
                        if r.ty.non_optional().is_stringish() {
                            d = d.with_help("to find text in a string, use `contains(text, part)`");
                        }
                        self.report(d);
                    }
                    Some(element) => {
                        if !eq_comparable(l.ty.non_optional(), element.non_optional()) && element != Ty::Error
                        {
                            self.mismatch(
                                cx,
                                "cannot look for `{}` in a list of `{}`",
                                &l,
                                &mk(ExprKind::Const(Value::None), element.clone(), r.span),
                                at,
                            );
                        }
                        self.check_enum_literals(cx, &l, &r);
                    }
                }
                mk(ExprKind::Binary { op: bin_op(op), lhs: Box::new(l), rhs: Box::new(r) }, Ty::Bool, span)
            }
            BinaryOp::Coalesce => {
                let inner = l.ty.non_optional().clone();
                let ty = match unify(&inner, &r.ty) {
                    Some(t) => t,
                    None => {
                        self.mismatch(
                            cx,
                            "`??` gives a default of the same type: `{}` and `{}` differ",
                            &l,
                            &r,
                            at,
                        );
                        Ty::Error
                    }
                };
                mk(ExprKind::Binary { op: BinOp::Coalesce, lhs: Box::new(l), rhs: Box::new(r) }, ty, span)
            }
            _ => {
                let optional = l.ty.is_optional() || r.ty.is_optional();
                let ty = match arithmetic(op, l.ty.non_optional(), r.ty.non_optional()) {
                    Some(t) => t,
                    None => {
                        let verb = match op {
                            BinaryOp::Add => "add",
                            BinaryOp::Sub => "subtract",
                            BinaryOp::Mul => "multiply",
                            _ => "divide",
                        };
                        let message = match op {
                            BinaryOp::Sub => "cannot subtract `{}` from `{}`".to_string(),
                            _ => format!("cannot {verb} `{{}}` and `{{}}`"),
                        };
                        let (first, second) = if op == BinaryOp::Sub { (&r, &l) } else { (&l, &r) };
                        self.mismatch(cx, &message, first, second, at);
                        Ty::Error
                    }
                };
                let ty = if optional { ty.optional() } else { ty };
                mk(ExprKind::Binary { op: bin_op(op), lhs: Box::new(l), rhs: Box::new(r) }, ty, span)
            }
        }
    }

    /// Reports a type mismatch; `template` has two `{}` for the operand types.
    fn mismatch(&mut self, cx: &mut Scope, template: &str, l: &Expr, r: &Expr, at: Span) {
        let lt = l.ty.display(&self.program);
        let rt = r.ty.display(&self.program);
        let message = template.replacen("{}", &lt, 1).replacen("{}", &rt, 1);
        let mut d = self.diag(Code::TYPE_MISMATCH, cx.file, at, message);
        let is_date = |t: &Ty| matches!(t.non_optional(), Ty::Date | Ty::DateTime);
        if (is_date(&l.ty) && r.ty.non_optional().is_stringish())
            || (is_date(&r.ty) && l.ty.non_optional().is_stringish())
        {
            d = d.with_help("write dates without quotes, as in `2024-01-31`");
        } else if is_date(&l.ty) && is_date(&r.ty) && l.ty.non_optional() != r.ty.non_optional() {
            d = d.with_help("turn the datetime into a date with `date(x)`");
        } else if matches!(l.ty.non_optional(), Ty::Date) && matches!(r.ty.non_optional(), Ty::Date) {
            d = d.with_help("subtract two dates to get a duration, or add a duration such as `30 days`");
        } else if matches!(l.ty.non_optional(), Ty::Duration) || matches!(r.ty.non_optional(), Ty::Duration) {
            d = d.with_help("durations add to dates and to durations, and multiply by whole numbers");
        }
        self.report(d);
    }

    /// Checks `==`/`!=` operands, checks enum literals, and makes references comparable with
    /// documents by comparing keys.
    fn equality(&mut self, cx: &mut Scope, l: Expr, r: Expr, at: Span) -> (Expr, Expr) {
        if l.ty == Ty::None || r.ty == Ty::None {
            return (l, r);
        }
        let (lt, rt) = (l.ty.non_optional().clone(), r.ty.non_optional().clone());
        if !eq_comparable(&lt, &rt) {
            self.mismatch(cx, "cannot compare `{}` with `{}`", &l, &r, at);
            return (l, r);
        }
        self.check_enum_literals(cx, &l, &r);
        let key_of = |e: Expr| {
            let span = e.span;
            mk(ExprKind::KeyOf(Box::new(e)), Ty::String, span)
        };
        match (&lt, &rt) {
            (Ty::Doc(a), Ty::Doc(b)) if a == b => (l, r),
            (Ty::Doc(_), _) => (key_of(l), r),
            (_, Ty::Doc(_)) => (l, key_of(r)),
            _ => (l, r),
        }
    }

    /// A string literal compared with (or looked for in) an enum must be one of its values.
    fn check_enum_literals(&mut self, cx: &mut Scope, l: &Expr, r: &Expr) {
        let enum_of = |t: &Ty| match t.non_optional() {
            Ty::Enum(values) => Some(values.clone()),
            Ty::List(inner) => match inner.non_optional() {
                Ty::Enum(values) => Some(values.clone()),
                _ => None,
            },
            _ => None,
        };
        let literals = |e: &Expr| -> Vec<(String, Span)> {
            match &e.kind {
                ExprKind::Const(Value::String(s)) => vec![(s.to_string(), e.span)],
                ExprKind::List(items) => {
                    items.iter().filter_map(|i| string_const(i).map(|s| (s.to_owned(), i.span))).collect()
                }
                _ => Vec::new(),
            }
        };
        for (enum_side, literal_side) in [(l, r), (r, l)] {
            let Some(values) = enum_of(&enum_side.ty) else { continue };
            for (literal, span) in literals(literal_side) {
                if values.iter().any(|v| **v == *literal) {
                    continue;
                }
                self.report_enum_value(cx.file, span.shifted(cx.origin), &literal, &values);
            }
        }
    }

    fn matches(&mut self, cx: &mut Scope, l: Expr, r: Expr, pattern_at: Span, span: Span) -> Expr {
        if !matches!(l.ty.non_optional(), Ty::String | Ty::Enum(_) | Ty::Error) {
            self.mismatch(cx, "`matches` tests a string, not `{}`", &l, &r, pattern_at);
        }
        let pattern = match string_const(&r) {
            Some(source) => match regex::Regex::new(source) {
                Ok(regex) => {
                    PatternExpr::Literal(ir::Pattern { source: Arc::from(source), regex: Arc::new(regex) })
                }
                Err(e) => {
                    let detail = e.to_string();
                    let last = detail.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim();
                    let d = self
                        .diag(Code::INVALID_REGEX, cx.file, pattern_at, format!("invalid regular expression: {}", last.trim_start_matches("error: ")))
                        .with_help("patterns use the syntax of the Rust `regex` crate (no look-around or back-references)");
                    self.report(d);
                    return error_expr(span);
                }
            },
            None => {
                if !matches!(r.ty.non_optional(), Ty::String | Ty::Error) {
                    self.error(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        pattern_at,
                        "`matches` needs a pattern string on its right",
                    );
                }
                PatternExpr::Dynamic(Box::new(r))
            }
        };
        mk(ExprKind::Matches { subject: Box::new(l), pattern }, Ty::Bool, span)
    }

    /// The domain of a binding and the type of its variable.
    pub(super) fn domain(&mut self, cx: &mut Scope, domain: &ast::Domain) -> Option<(Domain, Ty)> {
        match domain {
            ast::Domain::Kind(kind) => {
                if cx.constant {
                    self.error(
                        Code::NOT_CONSTANT,
                        cx.file,
                        kind.span,
                        "a parameter's value cannot read evidence",
                    );
                    return None;
                }
                let k = self.resolve_kind(cx.package, cx.file, kind)?;
                cx.kinds_read.insert(k);
                Some((Domain::Kind(k), Ty::Doc(k)))
            }
            ast::Domain::List(e) => {
                let list = self.expr(cx, e);
                match list.ty.non_optional().clone() {
                    Ty::List(element) => Some((Domain::List(Box::new(list)), (*element).clone())),
                    Ty::Error => None,
                    other => {
                        let d = self.diag(
                            Code::NOT_A_LIST,
                            cx.file,
                            e.span,
                            format!("`in` ranges over a list, not `{}`", other.display(&self.program)),
                        );
                        self.report(d);
                        None
                    }
                }
            }
        }
    }

    fn quantifier(
        &mut self,
        cx: &mut Scope,
        kind: ast::QuantifierKind,
        binding: &ast::Binding,
        filter: Option<&ast::Expr>,
        predicate: Option<&ast::Expr>,
        at: Span,
    ) -> Expr {
        let span = cx.rel(at);
        if kind == ast::QuantifierKind::All && predicate.is_none() {
            let d = self
                .diag(Code::INCOMPLETE_QUANTIFIER, cx.file, at, "`all` needs `satisfy` to say what every element must satisfy")
                .with_help("write `all x: Kind where which_ones satisfy condition`, or `all x: Kind satisfy condition`");
            self.report(d);
        }
        let domain = self.domain(cx, &binding.domain);
        let var_ty = domain.as_ref().map_or(Ty::Error, |(_, t)| t.clone());
        let var = self.bind(cx, &binding.var, var_ty);
        let filter = filter.map(|f| self.condition(cx, f, "`where`"));
        let predicate = predicate.map(|p| self.condition(cx, p, "`satisfy`"));
        self.unbind(cx);
        let Some((domain, _)) = domain else { return error_expr(span) };
        let lookup = match (&domain, &filter) {
            (Domain::Kind(k), Some(f)) => super::planner::plan(&self.program, var, *k, f),
            _ => None,
        };
        mk(
            ExprKind::Quantifier {
                kind,
                var,
                domain,
                filter: filter.map(Box::new),
                predicate: predicate.map(Box::new),
                lookup,
            },
            Ty::Bool,
            span,
        )
    }

    fn aggregate(
        &mut self,
        cx: &mut Scope,
        kind: ast::AggregateKind,
        value: Option<&ast::Expr>,
        binding: &ast::Binding,
        filter: Option<&ast::Expr>,
        at: Span,
    ) -> Expr {
        let span = cx.rel(at);
        match (kind, value) {
            (ast::AggregateKind::Count, Some(v)) => {
                let d = self
                    .diag(
                        Code::INCOMPLETE_QUANTIFIER,
                        cx.file,
                        v.span,
                        "`count` counts elements and takes no value",
                    )
                    .with_help("write `count(x: Kind where condition)`");
                self.report(d);
            }
            (ast::AggregateKind::Count, None) => {}
            (_, None) => {
                let d = self
                    .diag(
                        Code::INCOMPLETE_QUANTIFIER,
                        cx.file,
                        at,
                        format!("`{}` needs the value to aggregate", kind.as_str()),
                    )
                    .with_help(format!("write `{}(x.field for x: Kind where condition)`", kind.as_str()));
                self.report(d);
            }
            _ => {}
        }
        let domain = self.domain(cx, &binding.domain);
        let var_ty = domain.as_ref().map_or(Ty::Error, |(_, t)| t.clone());
        let var = self.bind(cx, &binding.var, var_ty);
        let value = value.map(|v| self.expr(cx, v));
        let filter = filter.map(|f| self.condition(cx, f, "`where`"));
        self.unbind(cx);
        let ty = match (kind, &value) {
            (ast::AggregateKind::Count, _) => Ty::Int,
            (_, None) => Ty::Error,
            (ast::AggregateKind::Sum, Some(v)) => match v.ty.non_optional() {
                t @ (Ty::Int | Ty::Float | Ty::Duration | Ty::Error) => t.clone(),
                other => {
                    let d = self.diag(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        v.span.shifted(cx.origin),
                        format!("`sum` adds numbers or durations, not `{}`", other.display(&self.program)),
                    );
                    self.report(d);
                    Ty::Error
                }
            },
            (_, Some(v)) => match ordering_family(v.ty.non_optional()) {
                Some(_) => v.ty.non_optional().clone().optional(),
                None if v.ty == Ty::Error => Ty::Error,
                None => {
                    let d = self.diag(
                        Code::TYPE_MISMATCH,
                        cx.file,
                        v.span.shifted(cx.origin),
                        format!(
                            "`{}` needs values that can be ordered, not `{}`",
                            kind.as_str(),
                            v.ty.display(&self.program)
                        ),
                    );
                    self.report(d);
                    Ty::Error
                }
            },
        };
        let Some((domain, _)) = domain else { return error_expr(span) };
        let lookup = match (&domain, &filter) {
            (Domain::Kind(k), Some(f)) => super::planner::plan(&self.program, var, *k, f),
            _ => None,
        };
        mk(
            ExprKind::Aggregate {
                kind,
                var,
                domain,
                value: value.map(Box::new),
                filter: filter.map(Box::new),
                lookup,
            },
            ty,
            span,
        )
    }

    /// Checks an interpolated message.
    pub(super) fn message(&mut self, cx: &mut Scope, m: &ast::Message) -> crate::program::Message {
        cx.in_message = true;
        let parts = m
            .parts
            .iter()
            .map(|p| match p {
                ast::MessagePart::Text(t) => crate::program::MessagePart::Text(t.clone()),
                ast::MessagePart::Expr(e) => crate::program::MessagePart::Expr(self.expr(cx, e)),
            })
            .collect();
        cx.in_message = false;
        crate::program::Message { parts }
    }

    /// Checks a value against an expected type (parameter values, `set`, `given` fields):
    /// string literals must be enum values, integers widen to floats, strings name
    /// referenced documents, and records are checked field by field.
    pub(super) fn value_of_type(&mut self, cx: &mut Scope, e: &ast::Expr, expected: &Ty, what: &str) -> Expr {
        if let (A::Record(fields), Ty::Record(record)) = (&e.kind, expected.non_optional()) {
            let record = record.clone();
            let values = self.record_fields(cx, fields, &record.fields, e.span, "this record");
            let values = values
                .into_iter()
                .map(|v| v.unwrap_or_else(|| mk(ExprKind::Const(Value::None), Ty::None, cx.rel(e.span))))
                .collect();
            return mk(ExprKind::Record(values), expected.clone(), cx.rel(e.span));
        }
        if let (A::List(items), Ty::List(element)) = (&e.kind, expected.non_optional()) {
            let element = (**element).clone();
            let items: Vec<Expr> = items.iter().map(|i| self.value_of_type(cx, i, &element, what)).collect();
            return mk(ExprKind::List(items), Ty::List(Arc::new(element)), cx.rel(e.span));
        }
        let value = self.expr(cx, e);
        if value.ty == Ty::Error || *expected == Ty::Error {
            return value;
        }
        if let (Some(literal), Ty::Enum(values)) = (string_const(&value), expected.non_optional()) {
            if !values.iter().any(|v| **v == *literal) {
                self.report_enum_value(cx.file, e.span, literal, values);
            }
            return mk(value.kind, expected.non_optional().clone(), value.span);
        }
        if assignable(&value.ty, expected) {
            return value;
        }
        let d = self.diag(
            Code::TYPE_MISMATCH,
            cx.file,
            e.span,
            format!(
                "{what} must be `{}`, but this is `{}`",
                expected.display(&self.program),
                value.ty.display(&self.program)
            ),
        );
        let d = if matches!(expected.non_optional(), Ty::Date) && value.ty.is_stringish() {
            d.with_help("write dates without quotes, as in `2024-01-31`")
        } else {
            d
        };
        self.report(d);
        error_expr(value.span)
    }

    /// Checks `name: value` pairs against record fields: unknown fields, wrong types and
    /// missing required fields are reported. Returns the values in field order.
    pub(super) fn record_fields(
        &mut self,
        cx: &mut Scope,
        given: &[ast::RecordField],
        fields: &[crate::ty::FieldDef],
        at: Span,
        owner: &str,
    ) -> Vec<Option<Expr>> {
        let mut values: Vec<Option<Expr>> = vec![None; fields.len()];
        for f in given {
            match fields.iter().position(|d| *d.name == *f.name.text) {
                Some(i) => {
                    if values[i].is_some() {
                        self.error(
                            Code::DUPLICATE,
                            cx.file,
                            f.name.span,
                            format!("field `{}` is given twice", f.name.text),
                        );
                        continue;
                    }
                    let ty = fields[i].ty.clone();
                    values[i] =
                        Some(self.value_of_type(cx, &f.value, &ty, &format!("field `{}`", f.name.text)));
                }
                None => {
                    let mut d = self.diag(
                        Code::UNKNOWN_FIELD,
                        cx.file,
                        f.name.span,
                        format!("{owner} has no field `{}`", f.name.text),
                    );
                    if let Some(best) = did_you_mean(&f.name.text, fields.iter().map(|d| &*d.name)) {
                        d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                            format!("replace with `{best}`"),
                            f.name.span,
                            best.to_owned(),
                        );
                    }
                    self.report(d);
                }
            }
        }
        let missing: Vec<String> = fields
            .iter()
            .zip(&values)
            .filter(|(d, v)| v.is_none() && !d.ty.is_optional())
            .map(|(d, _)| format!("`{}`", d.name))
            .collect();
        if !missing.is_empty() {
            let d = self
                .diag(Code::MISSING_FIELD, cx.file, at, format!("{owner} is missing {}", missing.join(", ")))
                .with_help("give every field that is not optional (`?`)");
            self.report(d);
        }
        values
    }
}

fn bin_op(op: BinaryOp) -> BinOp {
    match op {
        BinaryOp::Implies => BinOp::Implies,
        BinaryOp::Eq => BinOp::Eq,
        BinaryOp::Ne => BinOp::Ne,
        BinaryOp::Lt => BinOp::Lt,
        BinaryOp::Le => BinOp::Le,
        BinaryOp::Gt => BinOp::Gt,
        BinaryOp::Ge => BinOp::Ge,
        BinaryOp::In => BinOp::In,
        BinaryOp::NotIn => BinOp::NotIn,
        BinaryOp::Matches => BinOp::Eq,
        BinaryOp::Coalesce => BinOp::Coalesce,
        BinaryOp::Add => BinOp::Add,
        BinaryOp::Sub => BinOp::Sub,
        BinaryOp::Mul => BinOp::Mul,
        BinaryOp::Div => BinOp::Div,
    }
}

/// Which values can be ordered against each other.
pub(super) fn ordering_family(t: &Ty) -> Option<u8> {
    match t {
        Ty::Int | Ty::Float => Some(0),
        Ty::String | Ty::Enum(_) => Some(1),
        Ty::Date => Some(2),
        Ty::DateTime => Some(3),
        Ty::Duration => Some(4),
        Ty::Error => Some(5),
        _ => None,
    }
}

/// Whether `==` between these (non-optional) types can ever be true.
pub(super) fn eq_comparable(a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (Ty::Error, _) | (_, Ty::Error) | (Ty::None, _) | (_, Ty::None) => true,
        (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => true,
        (Ty::String | Ty::Enum(_), Ty::String | Ty::Enum(_)) => true,
        (Ty::Ref(x), Ty::Ref(y))
        | (Ty::Ref(x), Ty::Doc(y))
        | (Ty::Doc(x), Ty::Ref(y))
        | (Ty::Doc(x), Ty::Doc(y)) => x == y,
        (Ty::Ref(_) | Ty::Doc(_), Ty::String) | (Ty::String, Ty::Ref(_) | Ty::Doc(_)) => true,
        (Ty::List(x), Ty::List(y)) => eq_comparable(x.non_optional(), y.non_optional()),
        (x, y) => x == y,
    }
}

/// The type of an arithmetic operation on non-optional operands.
fn arithmetic(op: BinaryOp, l: &Ty, r: &Ty) -> Option<Ty> {
    use Ty::*;
    match (op, l, r) {
        (_, Error, _) | (_, _, Error) => Some(Error),
        (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, Int, Int) => Some(Int),
        (BinaryOp::Div, Int | Float, Int | Float) => Some(Float),
        (_, Int | Float, Int | Float) => Some(Float),
        (BinaryOp::Add, Date, Duration)
        | (BinaryOp::Add, Duration, Date)
        | (BinaryOp::Sub, Date, Duration) => Some(Date),
        (BinaryOp::Add, DateTime, Duration)
        | (BinaryOp::Add, Duration, DateTime)
        | (BinaryOp::Sub, DateTime, Duration) => Some(DateTime),
        (BinaryOp::Sub, Date, Date) | (BinaryOp::Sub, DateTime, DateTime) => Some(Duration),
        (BinaryOp::Add | BinaryOp::Sub, Duration, Duration) => Some(Duration),
        (BinaryOp::Mul, Duration, Int) | (BinaryOp::Mul, Int, Duration) => Some(Duration),
        (BinaryOp::Add, String | Enum(_), String | Enum(_)) => Some(String),
        _ => Option::None,
    }
}

/// The common type of two values (list elements, `??` operands), if any.
pub(super) fn unify(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Error, t) | (t, Ty::Error) => Some(t.clone()),
        (Ty::None, t) | (t, Ty::None) => Some(t.clone().optional()),
        (Ty::Optional(x), y) | (y, Ty::Optional(x)) => unify(x, y.non_optional()).map(Ty::optional),
        (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => Some(Ty::Float),
        (Ty::Enum(x), Ty::Enum(y)) if x == y => Some(a.clone()),
        (Ty::String | Ty::Enum(_), Ty::String | Ty::Enum(_)) => Some(Ty::String),
        (Ty::Ref(k), Ty::String) | (Ty::String, Ty::Ref(k)) => Some(Ty::Ref(*k)),
        // `[]` has no element type of its own: it takes the other side's.
        (Ty::List(x), Ty::List(y)) => unify(x, y).map(|t| Ty::List(Arc::new(t))),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

/// Whether a value of type `value` may be stored where `expected` is declared.
pub(super) fn assignable(value: &Ty, expected: &Ty) -> bool {
    match (value, expected) {
        (Ty::Error, _) | (_, Ty::Error) => true,
        (Ty::None, Ty::Optional(_)) => true,
        (v, Ty::Optional(e)) => assignable(v.non_optional(), e),
        (Ty::Optional(_), _) => false,
        (Ty::Int, Ty::Float) => true,
        (Ty::String | Ty::Enum(_), Ty::Ref(_)) => true,
        (Ty::Enum(_), Ty::String) => true,
        (Ty::Enum(x), Ty::Enum(y)) => x.iter().all(|v| y.contains(v)),
        (Ty::List(x), Ty::List(y)) => assignable(x, y),
        (x, y) => x == y,
    }
}
