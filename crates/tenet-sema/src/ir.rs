//! The typed intermediate representation that rules compile to and the evaluator runs.
//! Names are resolved to ids, fields to indexes, and equality joins carry a look-up plan,
//! so evaluation never searches by name.
//!
//! **Architecture invariant:** spans in the IR are relative to the `origin` of the item that
//! owns them (a rule, a parameter, a test). Editing one rule shifts the absolute positions
//! of the rules after it but leaves their IR equal, so incremental evaluation re-runs only
//! the rule that changed.

use std::sync::Arc;

use tenet_diagnostics::Span;

use crate::program::{KindId, ParamId};
use crate::ty::Ty;
use crate::value::Value;

pub use tenet_syntax::ast::{AggregateKind, QuantifierKind};

/// A local variable: an index into the rule's frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u16);

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Ty,
    /// Where it is, relative to the owner's origin.
    pub span: Span,
}

/// The shapes of typed expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// The date of the run.
    Today,
    /// A local variable.
    Var(VarId),
    /// A parameter's effective value.
    Param(ParamId),
    /// A field of a document or record, by index. When `through` is set, the base is a
    /// reference to a document of that kind, looked up by key first.
    Field {
        /// The document, record or reference.
        base: Box<Expr>,
        /// The field's index.
        index: u32,
        /// The kind to dereference through, when the base is a reference.
        through: Option<KindId>,
    },
    /// The key of a document, so that a reference can be compared with a document.
    KeyOf(Box<Expr>),
    /// `not x`
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `a and b and …`, evaluated left to right, stopping at the first false.
    And(Vec<Expr>),
    /// `a or b or …`, evaluated left to right, stopping at the first true.
    Or(Vec<Expr>),
    /// `x matches "re"`
    Matches {
        /// The string tested.
        subject: Box<Expr>,
        /// The pattern.
        pattern: PatternExpr,
    },
    /// A built-in function.
    Call {
        /// Which function.
        func: Builtin,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `some` / `all` / `none` over a domain.
    Quantifier {
        /// Which quantifier.
        kind: QuantifierKind,
        /// The bound variable.
        var: VarId,
        /// What it ranges over.
        domain: Domain,
        /// Which elements count.
        filter: Option<Box<Expr>>,
        /// What counted elements must satisfy.
        predicate: Option<Box<Expr>>,
        /// An index look-up that yields a superset of the elements the filter keeps.
        lookup: Option<Lookup>,
    },
    /// `count` / `sum` / `min` / `max` over a domain.
    Aggregate {
        /// Which aggregate.
        kind: AggregateKind,
        /// The bound variable.
        var: VarId,
        /// What it ranges over.
        domain: Domain,
        /// The value aggregated (absent for `count`).
        value: Option<Box<Expr>>,
        /// Which elements count.
        filter: Option<Box<Expr>>,
        /// An index look-up that yields a superset of the elements the filter keeps.
        lookup: Option<Lookup>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// A record literal: values in the order of its type's fields.
    Record(Vec<Expr>),
}

/// Binary operators, with `and`/`or` kept apart as n-ary forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `implies`
    Implies,
}

/// What a quantified variable ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Every document of a kind.
    Kind(KindId),
    /// The elements of a list.
    List(Box<Expr>),
}

/// An equality join compiled to an index look-up: the documents of the domain's kind whose
/// field `field` (or key) equals `key`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The field indexed.
    pub field: LookupField,
    /// The value looked up, computed outside the quantifier.
    pub key: Box<Expr>,
    /// The filter's conjunct the look-up came from: its position in a conjunction, `0` for
    /// a filter that is the equality itself. Every document found satisfies it, since an
    /// index holds the values it indexes (strings, enum values, references, integers,
    /// booleans, dates; keys are strings or integers) as `==` compares them; so it is not
    /// evaluated again for each document found, only noted as reading it.
    pub settles: usize,
}

/// Which field an index is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LookupField {
    /// The kind's key.
    Key,
    /// A top-level field, by index.
    Field(u32),
}

/// A regular expression: compiled when it is a literal, computed otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum PatternExpr {
    /// A literal pattern, compiled once by the checker.
    Literal(Pattern),
    /// A pattern computed at run time.
    Dynamic(Box<Expr>),
}

/// A compiled regular expression, compared by its source.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub source: Arc<str>,
    /// The compiled matcher.
    pub regex: Arc<regex::Regex>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

/// The built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `len(list | string) -> int`
    Len,
    /// `lower(string) -> string`
    Lower,
    /// `upper(string) -> string`
    Upper,
    /// `trim(string) -> string`
    Trim,
    /// `contains(string, string) -> bool`
    Contains,
    /// `starts_with(string, string) -> bool`
    StartsWith,
    /// `ends_with(string, string) -> bool`
    EndsWith,
    /// `start_of_year(date) -> date`
    StartOfYear,
    /// `start_of_month(date) -> date`
    StartOfMonth,
    /// `year(date) -> int`
    Year,
    /// `month(date) -> int`
    Month,
    /// `date(datetime) -> date`
    DateOf,
    /// `days_between(date, date) -> int`
    DaysBetween,
    /// `effective(document) -> date?`: the document's effective date.
    Effective,
    /// `section(document, heading) -> string?`: a Markdown section's text.
    Section,
    /// `has_section(document, heading) -> bool`
    HasSection,
    /// `body(document) -> string?`: a Markdown document's body.
    Body,
    /// `key(document) -> string`
    Key,
    /// `path(document) -> string`: the file the document came from.
    Path,
    /// `count(list) -> int`
    CountList,
    /// `sum(list) -> number`
    SumList,
    /// `min(list) -> T?`
    MinList,
    /// `max(list) -> T?`
    MaxList,
}

impl Expr {
    /// Folds every list and record literal whose items are all constants into one constant,
    /// innermost first. A rule evaluates its expressions once per subject, and a literal
    /// list (`x in ["a", "b"]`) would otherwise be built afresh for each. Run after
    /// checking, which reads the literal items and their spans.
    pub fn fold_constants(&mut self) {
        self.rewrite_innermost_first(&mut Expr::fold_literal);
    }

    /// Calls `f` on every sub-expression and then on this one, innermost first: `f` sees
    /// an expression after its operands have been rewritten, so a fold can build on folds.
    pub fn rewrite_innermost_first(&mut self, f: &mut impl FnMut(&mut Expr)) {
        self.each_child_mut(&mut |child| child.rewrite_innermost_first(f));
        f(self);
    }

    /// A list or record literal whose items are all constants, as one constant: for
    /// [`Expr::fold_constants`], and for an evaluator that has made more items constant.
    pub fn fold_literal(&mut self) {
        let (ExprKind::List(items) | ExprKind::Record(items)) = &mut self.kind else { return };
        if !items.iter().all(|i| matches!(i.kind, ExprKind::Const(_))) {
            return;
        }
        let values: Arc<[Value]> = items
            .drain(..)
            .map(|i| match i.kind {
                ExprKind::Const(v) => v,
                _ => Value::None,
            })
            .collect();
        self.kind = ExprKind::Const(match self.kind {
            ExprKind::Record(_) => Value::Record(values),
            _ => Value::List(values),
        });
    }

    /// Calls `f` on each direct sub-expression, mutably.
    fn each_child_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        match &mut self.kind {
            ExprKind::Const(_) | ExprKind::Today | ExprKind::Var(_) | ExprKind::Param(_) => {}
            ExprKind::Field { base: e, .. } | ExprKind::KeyOf(e) | ExprKind::Not(e) | ExprKind::Neg(e) => {
                f(e)
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                f(lhs);
                f(rhs);
            }
            ExprKind::And(items) | ExprKind::Or(items) | ExprKind::List(items) | ExprKind::Record(items) => {
                items.iter_mut().for_each(f)
            }
            ExprKind::Call { args, .. } => args.iter_mut().for_each(f),
            ExprKind::Matches { subject, pattern } => {
                f(subject);
                if let PatternExpr::Dynamic(p) = pattern {
                    f(p);
                }
            }
            // A quantifier's predicate and an aggregate's value are visited alike.
            ExprKind::Quantifier { domain, filter, predicate: other, lookup, .. }
            | ExprKind::Aggregate { domain, filter, value: other, lookup, .. } => {
                if let Domain::List(l) = domain {
                    f(l);
                }
                if let Some(l) = lookup {
                    f(&mut l.key);
                }
                filter.iter_mut().chain(other.iter_mut()).for_each(|e| f(e));
            }
        }
    }

    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Const(_) | ExprKind::Today | ExprKind::Var(_) | ExprKind::Param(_) => {}
            ExprKind::Field { base: e, .. } | ExprKind::KeyOf(e) | ExprKind::Not(e) | ExprKind::Neg(e) => {
                e.walk(f)
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::And(items) | ExprKind::Or(items) | ExprKind::List(items) | ExprKind::Record(items) => {
                items.iter().for_each(|e| e.walk(f))
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Matches { subject, pattern } => {
                subject.walk(f);
                if let PatternExpr::Dynamic(p) = pattern {
                    p.walk(f);
                }
            }
            ExprKind::Quantifier { domain, filter, predicate, lookup, .. } => {
                if let Domain::List(l) = domain {
                    l.walk(f);
                }
                if let Some(l) = lookup {
                    l.key.walk(f);
                }
                filter.iter().chain(predicate.iter()).for_each(|e| e.walk(f));
            }
            ExprKind::Aggregate { domain, value, filter, lookup, .. } => {
                if let Domain::List(l) = domain {
                    l.walk(f);
                }
                if let Some(l) = lookup {
                    l.key.walk(f);
                }
                value.iter().chain(filter.iter()).for_each(|e| e.walk(f));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: ExprKind) -> Expr {
        Expr { kind, ty: Ty::Error, span: Span::new(0, 0) }
    }

    fn text(s: &str) -> Expr {
        at(ExprKind::Const(Value::string(s)))
    }

    #[test]
    fn constant_lists_fold_innermost_first_and_lists_with_a_variable_stay() {
        // `x in [["a"], ["b", "c"]]`: the inner lists fold, then the outer one.
        let nested = at(ExprKind::List(vec![
            at(ExprKind::List(vec![text("a")])),
            at(ExprKind::List(vec![text("b"), text("c")])),
        ]));
        let mut e = at(ExprKind::Binary {
            op: BinOp::In,
            lhs: Box::new(at(ExprKind::Var(VarId(0)))),
            rhs: Box::new(nested),
        });
        e.fold_constants();
        let ExprKind::Binary { lhs, rhs, .. } = &e.kind else { panic!("not a binary") };
        assert_eq!(lhs.kind, ExprKind::Var(VarId(0)));
        let inner = |items: &[&str]| Value::List(items.iter().map(|s| Value::string(s)).collect());
        assert_eq!(rhs.kind, ExprKind::Const(Value::List(Arc::from([inner(&["a"]), inner(&["b", "c"])]))));

        // A list holding a variable is evaluated each time; its constant items still fold.
        let mut mixed =
            at(ExprKind::List(vec![at(ExprKind::Var(VarId(1))), at(ExprKind::Record(vec![text("d")]))]));
        mixed.fold_constants();
        let ExprKind::List(items) = &mixed.kind else { panic!("folded a list that holds a variable") };
        assert_eq!(items[0].kind, ExprKind::Var(VarId(1)));
        assert_eq!(items[1].kind, ExprKind::Const(Value::Record(Arc::from([Value::string("d")]))));
    }
}
