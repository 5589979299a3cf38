//! The expression interpreter: typed IR in, values out, under a step budget, recording
//! which documents it read so that results can cite them.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::civil::Date;
use tenet_diagnostics::Span;
use tenet_sema::KindId;
use tenet_sema::ir::{
    AggregateKind, BinOp, Builtin, Domain, Expr, ExprKind, Lookup, LookupField, PatternExpr, QuantifierKind,
};
use tenet_sema::program::{ParamId, Program, Schema};
use tenet_sema::ty::Ty;
use tenet_sema::value::{DocRef, Duration, SmolStr, Value};

use crate::reuse::LookupLog;
use crate::store::{Doc, Evidence, IndexKey, KindDocs};

/// Steps a rule may take before it is stopped: enough for joins over a hundred thousand
/// documents through indexes, far too few for an unindexed cross product of that size.
pub const DEFAULT_STEP_BUDGET: u64 = 50_000_000;

/// How much work one rule may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Expression steps.
    pub steps: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { steps: DEFAULT_STEP_BUDGET }
    }
}

/// Why an expression could not be evaluated; the span is relative to the rule's origin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EvalError {
    pub message: String,
    pub span: Span,
}

type Eval<T> = Result<T, EvalError>;

fn fail<T>(span: Span, message: impl Into<String>) -> Eval<T> {
    Err(EvalError { message: message.into(), span })
}

/// The effective value of every parameter, computed once per run (and per test, whose
/// `set` lines override them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamValues {
    values: Vec<Result<Value, String>>,
}

impl ParamValues {
    /// A parameter's value, or why it has none.
    pub fn get(&self, id: ParamId) -> Result<&Value, &str> {
        match self.values.get(id.index()) {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(e),
            None => Err("unknown parameter"),
        }
    }
}

/// Evaluates every parameter's value as of `today`, with `overrides` replacing the
/// values of some (a test's `set` lines).
pub fn param_values(program: &Program, today: Date, overrides: &[(ParamId, Expr)]) -> ParamValues {
    let count = program.params.len();
    let mut state: Vec<ParamState> = vec![ParamState::Pending; count];
    let empty = crate::store::MemoryEvidence::default();
    for id in 0..count {
        evaluate_param(program, today, overrides, &empty, &mut state, ParamId(id as u32));
    }
    let values = state
        .into_iter()
        .zip(&program.params)
        .map(|(s, p)| match s {
            ParamState::Done(v) => v,
            ParamState::Pending | ParamState::Running => {
                Err(format!("parameter `{}` has no value: it depends on itself", p.name))
            }
        })
        .collect();
    ParamValues { values }
}

#[derive(Clone)]
enum ParamState {
    Pending,
    Running,
    Done(Result<Value, String>),
}

fn evaluate_param(
    program: &Program,
    today: Date,
    overrides: &[(ParamId, Expr)],
    evidence: &dyn Evidence,
    state: &mut Vec<ParamState>,
    id: ParamId,
) {
    if !matches!(state.get(id.index()), Some(ParamState::Pending)) {
        return;
    }
    let Some(param) = program.params.get(id.index()) else { return };
    let overridden = overrides.iter().find(|(p, _)| *p == id);
    if let (None, Some((file, _))) = (overridden, param.broken_set) {
        // The default is not what the policy meant: a `set` of it has errors.
        let why = format!(
            "parameter `{}` has no value: it is set in {} by a `set` with errors; see the diagnostics",
            param.name,
            program.path(file)
        );
        state[id.index()] = ParamState::Done(Err(why));
        return;
    }
    let expr = overridden.map_or(&param.value, |(_, e)| e);
    // Evaluate what it reads first; the checker has ruled out cycles.
    state[id.index()] = ParamState::Running;
    let mut deps = Vec::new();
    expr.walk(&mut |e| {
        if let ExprKind::Param(p) = e.kind {
            deps.push(p);
        }
    });
    for dep in deps {
        evaluate_param(program, today, overrides, evidence, state, dep);
    }
    let known = ParamValues {
        values: state
            .iter()
            .map(|s| match s {
                ParamState::Done(v) => v.clone(),
                _ => Err("not yet computed".to_owned()),
            })
            .collect(),
    };
    let mut interp = Interp::new(&program.schemas, evidence, &known, today, Budget::default(), 0);
    // Why it has none names it, so that a chain of parameters reads as one.
    let value =
        interp.eval(expr).map_err(|e| format!("parameter `{}` has no value: {}", param.name, e.message));
    state[id.index()] = ParamState::Done(value);
}

/// The interpreter's state for one rule (or one parameter).
pub(crate) struct Interp<'a> {
    pub schemas: &'a [Schema],
    pub evidence: &'a dyn Evidence,
    params: &'a ParamValues,
    today: Date,
    pub locals: Vec<Value>,
    steps_left: u64,
    budget: u64,
    /// Documents whose fields the evaluation read, in the order read, a document read
    /// twice in a row noted once; [`Interp::read`] adds to it. A list rather than a set:
    /// most subjects read a handful of documents, and the citations sort and dedup them.
    pub reads: Vec<DocRef>,
    /// The documents a result cites, worked out from `reads` for each result; kept between
    /// results so that its room is reused.
    pub cited: Vec<&'a Doc>,
    /// Every look-up and scan of the evidence, when a chunk's reads are remembered.
    pub log: Option<LookupLog>,
    /// The kind [`Interp::doc`] last read from, with its documents.
    last_kind: std::cell::Cell<Option<(u32, &'a KindDocs)>>,
}

/// What a quantifier or aggregate ranges over.
enum Elements<'a> {
    /// The documents of a kind an index look-up found, by position.
    Found { kind: u32, indexes: &'a [u32] },
    /// Every document of a kind.
    Every { kind: u32, count: u32 },
    /// The elements of a list.
    List(Arc<[Value]>),
}

impl Elements<'_> {
    fn len(&self) -> usize {
        match self {
            Elements::Found { indexes, .. } => indexes.len(),
            Elements::Every { count, .. } => *count as usize,
            Elements::List(items) => items.len(),
        }
    }

    /// The element at `position` (below [`Elements::len`]).
    fn get(&self, position: usize) -> Value {
        match self {
            Elements::Found { kind, indexes } => indexes
                .get(position)
                .map_or(Value::None, |index| Value::Doc(DocRef { kind: *kind, index: *index })),
            Elements::Every { kind, .. } => Value::Doc(DocRef { kind: *kind, index: position as u32 }),
            Elements::List(items) => items.get(position).cloned().unwrap_or(Value::None),
        }
    }
}

impl<'a> Interp<'a> {
    pub fn new(
        schemas: &'a [Schema],
        evidence: &'a dyn Evidence,
        params: &'a ParamValues,
        today: Date,
        budget: Budget,
        locals: usize,
    ) -> Interp<'a> {
        Interp {
            schemas,
            evidence,
            params,
            today,
            locals: vec![Value::None; locals],
            steps_left: budget.steps,
            budget: budget.steps,
            reads: Vec::new(),
            cited: Vec::new(),
            log: None,
            last_kind: std::cell::Cell::new(None),
        }
    }

    /// Notes that the evaluation read a document.
    fn read(&mut self, r: DocRef) {
        if self.reads.last() == Some(&r) {
            return;
        }
        // A subject that reads many documents back and forth (a cross product) would
        // otherwise note them again and again: the list is deduplicated before it grows.
        if self.reads.len() >= 1024 && self.reads.len() == self.reads.capacity() {
            self.reads.sort_unstable();
            self.reads.dedup();
        }
        self.reads.push(r);
    }

    /// Steps left of the budget.
    pub fn steps_left(&self) -> u64 {
        self.steps_left
    }

    fn step(&mut self, span: Span) -> Eval<()> {
        if self.steps_left == 0 {
            return fail(
                span,
                format!(
                    "the rule exceeded its budget of {} evaluation steps; look for a join that is not \
                     on a key or field equality",
                    self.budget
                ),
            );
        }
        self.steps_left -= 1;
        Ok(())
    }

    /// States the rule's whole budget in the exhaustion message when this interpreter
    /// runs on a share of it (a chunk of a split domain).
    pub fn report_budget_as(&mut self, total: u64) {
        self.budget = total;
    }

    pub fn doc(&self, r: DocRef) -> Option<&'a Doc> {
        // Reads mostly follow one another within a kind: the last kind asked for is kept.
        let docs = match self.last_kind.get() {
            Some((kind, docs)) if kind == r.kind => docs,
            _ => {
                let docs = self.evidence.kind(KindId(r.kind));
                self.last_kind.set(Some((r.kind, docs)));
                docs
            }
        };
        docs.docs().get(r.index as usize)
    }

    /// Binds `var` to `value`, making room for it if the rule has not had that many locals.
    pub(crate) fn set_local(&mut self, var: tenet_sema::ir::VarId, value: Value) {
        let slot = var.0 as usize;
        if slot >= self.locals.len() {
            self.locals.resize(slot + 1, Value::None);
        }
        self.locals[slot] = value;
    }

    /// Evaluates a condition: `none` counts as false.
    pub fn truth(&mut self, e: &Expr) -> Eval<bool> {
        let truth = |value: &Value| match value {
            Value::Bool(b) => Ok(*b),
            Value::None => Ok(false),
            other => fail(e.span, format!("expected a boolean, found {}", describe(other))),
        };
        // A bound document's boolean field (`s.deployed`), read where the document holds it.
        // `operand` reads fields so too, but conditions read through it, and its `Cow`, took
        // about 5% more of evaluation.
        if let ExprKind::Field { base, index, through: None } = &e.kind
            && matches!(base.kind, ExprKind::Var(_))
        {
            self.step(e.span)?;
            return match self.bound_doc(base)? {
                Some(r) => self.doc_field(r, *index).map_or(Ok(false), truth),
                None => {
                    let base_value = self.eval(base)?;
                    truth(&self.field(&base_value, *index, None, e.span)?)
                }
            };
        }
        truth(&self.eval(e)?)
    }

    pub fn eval(&mut self, e: &Expr) -> Eval<Value> {
        self.step(e.span)?;
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Today => Ok(Value::Date(self.today)),
            ExprKind::Var(v) => Ok(self.locals.get(v.0 as usize).cloned().unwrap_or(Value::None)),
            ExprKind::Param(p) => match self.params.get(*p) {
                Ok(v) => Ok(v.clone()),
                // `why` names the parameter and says why it has no value.
                Err(why) => fail(e.span, why.to_owned()),
            },
            ExprKind::Field { base, index, through } => {
                if through.is_none()
                    && let Some(r) = self.bound_doc(base)?
                {
                    return Ok(self.doc_field(r, *index).cloned().unwrap_or(Value::None));
                }
                let base_value = self.eval(base)?;
                self.field(&base_value, *index, *through, e.span)
            }
            ExprKind::KeyOf(inner) => self.key_of(inner),
            ExprKind::Not(inner) => match self.eval(inner)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                Value::None => Ok(Value::Bool(true)),
                other => fail(e.span, format!("`not` needs a boolean, found {}", describe(&other))),
            },
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Value::Int(i) => i.checked_neg().map(Value::Int).map_or_else(|| overflow(e.span), Ok),
                Value::Float(x) => Ok(Value::Float(-x)),
                Value::Duration(d) => Ok(Value::Duration(d.negated())),
                Value::None => Ok(Value::None),
                other => fail(e.span, format!("cannot negate {}", describe(&other))),
            },
            ExprKind::And(items) => {
                for item in items {
                    if !self.truth(item)? {
                        return Ok(Value::Bool(false));
                    }
                }
                Ok(Value::Bool(true))
            }
            ExprKind::Or(items) => {
                for item in items {
                    if self.truth(item)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e),
            ExprKind::Matches { subject, pattern } => {
                let Value::String(text) = self.eval(subject)? else { return Ok(Value::Bool(false)) };
                match pattern {
                    PatternExpr::Literal(p) => Ok(Value::Bool(p.regex.is_match(&text))),
                    PatternExpr::Dynamic(p) => match self.eval(p)? {
                        Value::String(source) => match regex::Regex::new(&source) {
                            Ok(re) => Ok(Value::Bool(re.is_match(&text))),
                            Err(err) => fail(p.span, format!("invalid regular expression `{source}`: {err}")),
                        },
                        _ => Ok(Value::Bool(false)),
                    },
                }
            }
            // Built-ins take one or two arguments but for a few: those are evaluated onto
            // the stack, since a call runs once per subject.
            ExprKind::Call { func, args } => match args.as_slice() {
                [] => self.call(*func, &[], e),
                [a] => {
                    let a = self.eval(a)?;
                    self.call(*func, std::slice::from_ref(&a), e)
                }
                [a, b] => {
                    let values = [self.eval(a)?, self.eval(b)?];
                    self.call(*func, &values, e)
                }
                _ => {
                    let values = args.iter().map(|a| self.eval(a)).collect::<Eval<Vec<Value>>>()?;
                    self.call(*func, &values, e)
                }
            },
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for i in items {
                    values.push(self.eval(i)?);
                }
                Ok(Value::List(Arc::from(values)))
            }
            ExprKind::Record(items) => {
                let mut values = Vec::with_capacity(items.len());
                for i in items {
                    values.push(self.eval(i)?);
                }
                Ok(Value::Record(Arc::from(values)))
            }
            ExprKind::Quantifier { kind, var, domain, filter, predicate, lookup } => {
                let elements = self.domain(domain, lookup.as_ref())?;
                let settled = lookup.as_ref().map(|l| l.settles);
                for position in 0..elements.len() {
                    self.step(e.span)?;
                    let element = elements.get(position);
                    let found = element.as_doc();
                    self.set_local(*var, element);
                    if let Some(f) = filter
                        && !self.filter_holds(f, settled, found)?
                    {
                        continue;
                    }
                    let holds = match predicate {
                        Some(p) => self.truth(p)?,
                        None => true,
                    };
                    match kind {
                        QuantifierKind::Some if holds => return Ok(Value::Bool(true)),
                        QuantifierKind::All if !holds => return Ok(Value::Bool(false)),
                        QuantifierKind::None if holds => return Ok(Value::Bool(false)),
                        _ => {}
                    }
                }
                Ok(Value::Bool(!matches!(kind, QuantifierKind::Some)))
            }
            ExprKind::Aggregate { kind, var, domain, value, filter, lookup } => {
                let elements = self.domain(domain, lookup.as_ref())?;
                let settled = lookup.as_ref().map(|l| l.settles);
                let mut acc = Aggregator::new(*kind, &e.ty);
                for position in 0..elements.len() {
                    self.step(e.span)?;
                    let element = elements.get(position);
                    let found = element.as_doc();
                    self.set_local(*var, element);
                    if let Some(f) = filter
                        && !self.filter_holds(f, settled, found)?
                    {
                        continue;
                    }
                    let v = match value {
                        Some(v) => self.eval(v)?,
                        None => Value::Bool(true),
                    };
                    acc.add(v, e.span)?;
                }
                Ok(acc.finish())
            }
        }
    }

    /// Whether an element of a quantifier's or aggregate's domain passes its filter. The
    /// conjunct the domain's index look-up `settled` holds for every element found: it is
    /// not evaluated again, only noted as reading the element, as evaluating it would.
    fn filter_holds(&mut self, filter: &Expr, settled: Option<usize>, element: Option<DocRef>) -> Eval<bool> {
        let Some(settled) = settled else { return self.truth(filter) };
        let note_read = |interp: &mut Interp<'_>| {
            if let Some(r) = element {
                interp.read(r);
            }
        };
        self.step(filter.span)?;
        let ExprKind::And(conjuncts) = &filter.kind else {
            note_read(self);
            return Ok(true);
        };
        for (position, conjunct) in conjuncts.iter().enumerate() {
            if position == settled {
                note_read(self);
            } else if !self.truth(conjunct)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The elements a quantifier or aggregate ranges over: through an index when the
    /// checker planned one, else every document or list element. Borrowed from the
    /// evidence or shared with the list, never copied: a rule evaluates its quantifier
    /// once per subject.
    fn domain(&mut self, domain: &Domain, lookup: Option<&Lookup>) -> Eval<Elements<'a>> {
        match domain {
            Domain::Kind(kind) => {
                let docs = self.evidence.kind(*kind);
                if let Some(lookup) = lookup {
                    let Some(key) = self.lookup_key(&lookup.key)? else {
                        return Ok(Elements::Found { kind: kind.0, indexes: &[] });
                    };
                    let indexes = docs.find(lookup.field, &key);
                    if let Some(log) = &mut self.log {
                        log.lookup(*kind, lookup.field, &key);
                    }
                    return Ok(Elements::Found { kind: kind.0, indexes });
                }
                if let Some(log) = &mut self.log {
                    log.scan(*kind);
                }
                let count = u32::try_from(docs.docs().len()).unwrap_or(u32::MAX);
                Ok(Elements::Every { kind: kind.0, count })
            }
            Domain::List(list) => match self.eval(list)? {
                Value::List(items) => Ok(Elements::List(items)),
                Value::None => Ok(Elements::List(Arc::from([]))),
                other => fail(list.span, format!("expected a list, found {}", describe(&other))),
            },
        }
    }

    /// The key an index look-up is for: what `e` evaluates to, as an index holds it. A join
    /// on a bound document (`a.system == s`) looks up that document's key, which is read
    /// where the document holds it rather than copied out first (the same steps).
    fn lookup_key(&mut self, e: &Expr) -> Eval<Option<IndexKey>> {
        let ExprKind::KeyOf(inner) = &e.kind else { return Ok(IndexKey::of(&self.eval(e)?)) };
        self.step(e.span)?;
        if let Some(r) = self.bound_doc(inner)? {
            return Ok(self.doc(r).and_then(|d| d.key()).and_then(IndexKey::of));
        }
        Ok(IndexKey::of(&self.key_of(inner)?))
    }

    /// `key(inner)`: a document's key, anything else as it is.
    fn key_of(&mut self, inner: &Expr) -> Eval<Value> {
        Ok(match self.eval(inner)? {
            Value::Doc(r) => self.doc(r).and_then(|d| d.key().cloned()).unwrap_or(Value::None),
            other => other,
        })
    }

    /// The document `base` holds when it is a variable bound to one: a field read through a
    /// variable is the commonest expression of all, and is read here without copying the
    /// variable's value first. The same step as evaluating the variable.
    fn bound_doc(&mut self, base: &Expr) -> Eval<Option<DocRef>> {
        let ExprKind::Var(v) = base.kind else { return Ok(None) };
        let Some(Value::Doc(r)) = self.locals.get(v.0 as usize) else { return Ok(None) };
        let r = *r;
        self.step(base.span)?;
        Ok(Some(r))
    }

    /// Field `index` of document `r`, where the evidence holds it, noted as read.
    fn doc_field(&mut self, r: DocRef, index: u32) -> Option<&'a Value> {
        self.read(r);
        self.doc(r).and_then(|d| d.fields.get(index as usize))
    }

    fn field(&mut self, base: &Value, index: u32, through: Option<KindId>, span: Span) -> Eval<Value> {
        match (base, through) {
            (Value::None, _) => Ok(Value::None),
            (Value::Doc(r), _) => Ok(self.doc_field(*r, index).cloned().unwrap_or(Value::None)),
            (Value::Record(fields), None) => Ok(fields.get(index as usize).cloned().unwrap_or(Value::None)),
            (key, Some(kind)) => {
                let Some(k) = IndexKey::of(key) else { return Ok(Value::None) };
                let docs = self.evidence.kind(kind);
                let hits = docs.find(LookupField::Key, &k);
                if let Some(log) = &mut self.log {
                    log.lookup(kind, LookupField::Key, &k);
                }
                match hits.first().copied() {
                    Some(i) => {
                        let r = DocRef { kind: kind.0, index: i };
                        self.field(&Value::Doc(r), index, None, span)
                    }
                    None => fail(
                        span,
                        format!(
                            "the reference `{key}` matches no {} document",
                            kind_name(self.schemas, kind)
                        ),
                    ),
                }
            }
            (other, None) => fail(span, format!("{} has no fields", describe(other))),
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, e: &Expr) -> Eval<Value> {
        match op {
            BinOp::Implies => {
                if !self.truth(lhs)? {
                    return Ok(Value::Bool(true));
                }
                return Ok(Value::Bool(self.truth(rhs)?));
            }
            BinOp::Coalesce => {
                let l = self.eval(lhs)?;
                return if l.is_none() { self.eval(rhs) } else { Ok(l) };
            }
            _ => {}
        }
        let l = self.operand(lhs)?;
        let r = self.operand(rhs)?;
        let l = self.comparable(l);
        let r = self.comparable(r);
        let span = e.span;
        match op {
            BinOp::Eq => Ok(Value::Bool(equal(&l, &r))),
            BinOp::Ne => Ok(Value::Bool(!equal(&l, &r))),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // Ordering against `none` is false: an absent date is not recent.
                let Some(ord) = compare(&l, &r) else { return Ok(Value::Bool(false)) };
                Ok(Value::Bool(match op {
                    BinOp::Lt => ord == Ordering::Less,
                    BinOp::Le => ord != Ordering::Greater,
                    BinOp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }))
            }
            BinOp::In | BinOp::NotIn => {
                let found = match &*r {
                    Value::List(items) => items.iter().any(|i| equal(&l, &self.comparable(Cow::Borrowed(i)))),
                    Value::None => false,
                    other => return fail(rhs.span, format!("`in` needs a list, found {}", describe(other))),
                };
                Ok(Value::Bool(found == (op == BinOp::In)))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                arithmetic(op, l.into_owned(), r.into_owned(), span)
            }
            BinOp::Implies | BinOp::Coalesce => Ok(Value::None),
        }
    }

    /// An operand of a binary operator, as [`Interp::eval`] gives it (the same steps, the
    /// same reads), except that a constant and a document's field are borrowed where they
    /// are written (the program, the evidence) rather than copied: comparing then leaves
    /// alone the reference counts of values that every thread shares, such as a schema's
    /// enum values and a rule's literals.
    fn operand<'e>(&mut self, e: &'e Expr) -> Eval<Cow<'e, Value>>
    where
        'a: 'e,
    {
        match &e.kind {
            ExprKind::Const(v) => {
                self.step(e.span)?;
                Ok(Cow::Borrowed(v))
            }
            ExprKind::Field { base, index, through: None } => {
                self.step(e.span)?;
                if let Some(r) = self.bound_doc(base)? {
                    return Ok(self.doc_field(r, *index).map_or(Cow::Owned(Value::None), Cow::Borrowed));
                }
                match self.eval(base)? {
                    Value::Doc(r) => {
                        Ok(self.doc_field(r, *index).map_or(Cow::Owned(Value::None), Cow::Borrowed))
                    }
                    other => self.field(&other, *index, None, e.span).map(Cow::Owned),
                }
            }
            _ => self.eval(e).map(Cow::Owned),
        }
    }

    /// Documents compare by key, so that `a.system == s` works on either side; the key is
    /// borrowed from the document, and anything else is compared as it is.
    fn comparable<'e>(&self, v: Cow<'e, Value>) -> Cow<'e, Value>
    where
        'a: 'e,
    {
        match &*v {
            Value::Doc(r) => self.doc(*r).and_then(|d| d.key()).map_or(v, Cow::Borrowed),
            _ => v,
        }
    }

    fn call(&mut self, func: Builtin, args: &[Value], e: &Expr) -> Eval<Value> {
        let span = e.span;
        let text = |i: usize| match args.get(i) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let date = |i: usize| match args.get(i) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        let doc = |i: usize| match args.get(i) {
            Some(Value::Doc(r)) => Some(*r),
            _ => None,
        };
        let none_if_missing = |v: Option<Value>| v.unwrap_or(Value::None);
        Ok(match func {
            Builtin::Len => match args.first() {
                Some(Value::String(s)) => Value::Int(s.chars().count() as i64),
                Some(Value::List(l)) => Value::Int(l.len() as i64),
                _ => Value::None,
            },
            Builtin::CountList => match args.first() {
                Some(Value::List(l)) => Value::Int(l.len() as i64),
                _ => Value::Int(0),
            },
            Builtin::Lower => {
                none_if_missing(text(0).map(|s| recased(s, u8::is_ascii_uppercase, str::to_lowercase)))
            }
            Builtin::Upper => {
                none_if_missing(text(0).map(|s| recased(s, u8::is_ascii_lowercase, str::to_uppercase)))
            }
            Builtin::Trim => {
                none_if_missing(text(0).map(|s| {
                    if s.trim().len() == s.len() { Value::String(s) } else { Value::string(s.trim()) }
                }))
            }
            Builtin::Contains => {
                Value::Bool(matches!((text(0), text(1)), (Some(a), Some(b)) if a.contains(&*b)))
            }
            Builtin::StartsWith => {
                Value::Bool(matches!((text(0), text(1)), (Some(a), Some(b)) if a.starts_with(&*b)))
            }
            Builtin::EndsWith => {
                Value::Bool(matches!((text(0), text(1)), (Some(a), Some(b)) if a.ends_with(&*b)))
            }
            Builtin::StartOfYear => none_if_missing(date(0).map(|d| Value::Date(d.first_of_year()))),
            Builtin::StartOfMonth => none_if_missing(date(0).map(|d| Value::Date(d.first_of_month()))),
            Builtin::Year => none_if_missing(date(0).map(|d| Value::Int(i64::from(d.year())))),
            Builtin::Month => none_if_missing(date(0).map(|d| Value::Int(i64::from(d.month())))),
            Builtin::DateOf => match args.first() {
                Some(Value::DateTime(t)) => Value::Date(jiff::tz::TimeZone::UTC.to_datetime(*t).date()),
                _ => Value::None,
            },
            Builtin::DaysBetween => match (date(0), date(1)) {
                (Some(a), Some(b)) => match a.until((jiff::Unit::Day, b)) {
                    Ok(span) => Value::Int(i64::from(span.get_days())),
                    Err(err) => return fail(span, format!("cannot count days between {a} and {b}: {err}")),
                },
                _ => Value::None,
            },
            Builtin::Effective => none_if_missing(doc(0).and_then(|r| {
                self.read(r);
                self.doc(r)?.effective.map(Value::Date)
            })),
            Builtin::Section => {
                let heading = text(1);
                none_if_missing(doc(0).and_then(|r| {
                    self.read(r);
                    let heading = heading?;
                    let d = self.doc(r)?;
                    d.sections()
                        .iter()
                        .find(|(h, _)| h.trim().eq_ignore_ascii_case(heading.trim()))
                        .map(|(_, body)| Value::shared_string(body))
                }))
            }
            Builtin::HasSection => {
                let heading = text(1);
                Value::Bool(doc(0).is_some_and(|r| {
                    self.read(r);
                    let Some(heading) = heading.as_deref() else { return false };
                    self.doc(r).is_some_and(|d| {
                        d.sections().iter().any(|(h, _)| h.trim().eq_ignore_ascii_case(heading.trim()))
                    })
                }))
            }
            Builtin::Body => none_if_missing(doc(0).and_then(|r| {
                self.read(r);
                self.doc(r)?.body().map(Value::shared_string)
            })),
            Builtin::Key => none_if_missing(doc(0).and_then(|r| self.doc(r)?.key().cloned())),
            Builtin::Path => {
                none_if_missing(doc(0).and_then(|r| Some(Value::shared_string(&self.doc(r)?.citation.path))))
            }
            Builtin::SumList | Builtin::MinList | Builtin::MaxList => {
                let kind = match func {
                    Builtin::SumList => AggregateKind::Sum,
                    Builtin::MinList => AggregateKind::Min,
                    _ => AggregateKind::Max,
                };
                let mut acc = Aggregator::new(kind, &e.ty);
                if let Some(Value::List(items)) = args.first() {
                    for item in items.iter() {
                        acc.add(item.clone(), span)?;
                    }
                }
                acc.finish()
            }
        })
    }

    /// A value as a message shows it: documents by their key.
    pub fn display(&self, v: &Value) -> String {
        match v {
            Value::Doc(r) => self.doc(*r).and_then(Doc::key_text).unwrap_or_else(|| v.to_string()),
            Value::List(items) => items.iter().map(|i| self.display(i)).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        }
    }
}

fn overflow<T>(span: Span) -> Eval<T> {
    fail(span, "arithmetic overflow")
}

fn describe(v: &Value) -> String {
    match v {
        Value::None => "none".to_owned(),
        Value::Bool(_) => "a boolean".to_owned(),
        Value::Int(_) => "an int".to_owned(),
        Value::Float(_) => "a float".to_owned(),
        Value::String(_) => "a string".to_owned(),
        Value::Date(_) => "a date".to_owned(),
        Value::DateTime(_) => "a datetime".to_owned(),
        Value::Duration(_) => "a duration".to_owned(),
        Value::List(_) => "a list".to_owned(),
        Value::Record(_) => "a record".to_owned(),
        Value::Doc(_) => "a document".to_owned(),
    }
}

/// Two numbers' order, where numbers a few units apart in a double's last place are
/// equal: arithmetic on decimal fractions, which binary cannot hold exactly, then equals
/// the decimal it stands for (`0.07 * 100 == 7`, `0.1 + 0.2 == 0.3`), as an auditor reads
/// it. The margin is relative, about one part in 10^15, far below any written precision.
fn number_order(x: f64, y: f64) -> Option<Ordering> {
    if (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs()) {
        return Some(Ordering::Equal);
    }
    x.partial_cmp(&y)
}

/// Equality: numbers compare across int and float, decimal fractions as written
/// ([`number_order`]); `none` equals only `none`.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            number_order(*x as f64, *y) == Some(Ordering::Equal)
        }
        (Value::Float(x), Value::Float(y)) => number_order(*x, *y) == Some(Ordering::Equal),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| equal(a, b))
        }
        _ => a == b,
    }
}

/// Ordering, where it is defined; `None` for `none` and values of different types.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => number_order(*x, *y),
        (Value::Int(x), Value::Float(y)) => number_order(*x as f64, *y),
        (Value::Float(x), Value::Int(y)) => number_order(*x, *y as f64),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::DateTime(y)) => Some(x.cmp(&jiff::tz::TimeZone::UTC.to_datetime(*y).date())),
        (Value::DateTime(x), Value::Date(y)) => Some(jiff::tz::TimeZone::UTC.to_datetime(*x).date().cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(duration_order(*x, *y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `s` in another case: `s` itself when it is ASCII with no byte `changes` (so `recase`
/// would leave it as it is), else `recase(s)`.
fn recased(s: SmolStr, changes: fn(&u8) -> bool, recase: fn(&str) -> String) -> Value {
    if s.is_ascii() && !s.as_bytes().iter().any(changes) {
        Value::String(s)
    } else {
        Value::string(&recase(&s))
    }
}

/// Durations order exactly when they use the same units, and by average length (a month
/// of 30.436875 days, the Gregorian mean) when they mix months with days.
fn duration_order(a: Duration, b: Duration) -> Ordering {
    if (a.days, a.seconds) == (b.days, b.seconds) {
        return a.months.cmp(&b.months);
    }
    if a.months == b.months {
        let seconds = |d: Duration| i128::from(d.days) * 86_400 + i128::from(d.seconds);
        return seconds(a).cmp(&seconds(b));
    }
    let length = |d: Duration| {
        f64::from(d.months) * 30.436875 * 86_400.0 + f64::from(d.days) * 86_400.0 + d.seconds as f64
    };
    length(a).partial_cmp(&length(b)).unwrap_or(Ordering::Equal)
}

/// An arithmetic operator as written.
fn symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        _ => "?",
    }
}

fn arithmetic(op: BinOp, l: Value, r: Value, span: Span) -> Eval<Value> {
    use Value::*;
    let result = match (op, l, r) {
        (_, None, _) | (_, _, None) => Some(Value::None),
        (BinOp::Add, Int(a), Int(b)) => a.checked_add(b).map(Int),
        (BinOp::Sub, Int(a), Int(b)) => a.checked_sub(b).map(Int),
        (BinOp::Mul, Int(a), Int(b)) => a.checked_mul(b).map(Int),
        (BinOp::Div, Int(_), Int(0)) => return fail(span, "division by zero"),
        (BinOp::Div, Int(a), Int(b)) => Some(Float(a as f64 / b as f64)),
        (op, Int(a), Float(b)) => float_op(op, a as f64, b, span)?,
        (op, Float(a), Int(b)) => float_op(op, a, b as f64, span)?,
        (op, Float(a), Float(b)) => float_op(op, a, b, span)?,
        (BinOp::Add, Date(d), Duration(x)) | (BinOp::Add, Duration(x), Date(d)) => x.add_to_date(d).map(Date),
        (BinOp::Sub, Date(d), Duration(x)) => x.negated().add_to_date(d).map(Date),
        (BinOp::Add, DateTime(t), Duration(x)) | (BinOp::Add, Duration(x), DateTime(t)) => {
            x.add_to_timestamp(t).map(DateTime)
        }
        (BinOp::Sub, DateTime(t), Duration(x)) => x.negated().add_to_timestamp(t).map(DateTime),
        // The days from one date to another, and the seconds between two instants.
        (BinOp::Sub, Date(a), Date(b)) => b.until(a).ok().map(|span| {
            Duration(tenet_sema::value::Duration { days: span.get_days(), ..Default::default() })
        }),
        (BinOp::Sub, DateTime(a), DateTime(b)) => Some(Duration(tenet_sema::value::Duration {
            seconds: a.duration_since(b).as_secs(),
            ..Default::default()
        })),
        (BinOp::Add, Duration(a), Duration(b)) => a.checked_add(b).map(Duration),
        (BinOp::Sub, Duration(a), Duration(b)) => a.checked_add(b.negated()).map(Duration),
        (BinOp::Mul, Duration(a), Int(n)) | (BinOp::Mul, Int(n), Duration(a)) => {
            a.checked_mul(n).map(Duration)
        }
        (BinOp::Add, String(a), String(b)) => Some(String(smol_str::format_smolstr!("{a}{b}"))),
        (op, a, b) => {
            return fail(
                span,
                format!("cannot apply `{}` to {} and {}", symbol(op), describe(&a), describe(&b)),
            );
        }
    };
    result.map_or_else(|| fail(span, "the result is out of range"), Ok)
}

fn float_op(op: BinOp, a: f64, b: f64, span: Span) -> Eval<Option<Value>> {
    // A sum or difference smaller than the rounding of its operands is nothing but that
    // rounding: zero, as the decimals it stands for give (`0.3 - 0.1 - 0.2` is 0, where
    // binary gives -2.8e-17, which no margin relative to zero could take for it).
    let cancelled = |v: f64| if v.abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs()) { 0.0 } else { v };
    let v = match op {
        BinOp::Add => cancelled(a + b),
        BinOp::Sub => cancelled(a - b),
        BinOp::Mul => a * b,
        BinOp::Div if b == 0.0 => return fail(span, "division by zero"),
        BinOp::Div => a / b,
        _ => return fail(span, "not an arithmetic operator"),
    };
    Ok(Some(Value::Float(v)))
}

/// Running state of `count`, `sum`, `min`, `max`.
struct Aggregator {
    kind: AggregateKind,
    float: bool,
    count: i64,
    int_sum: i64,
    float_sum: f64,
    best: Option<Value>,
}

impl Aggregator {
    fn new(kind: AggregateKind, ty: &Ty) -> Aggregator {
        let float = matches!(ty.non_optional(), Ty::Float);
        Aggregator { kind, float, count: 0, int_sum: 0, float_sum: 0.0, best: None }
    }

    fn add(&mut self, v: Value, span: Span) -> Eval<()> {
        match self.kind {
            AggregateKind::Count => self.count += 1,
            AggregateKind::Sum => match v {
                Value::Int(i) => {
                    self.int_sum = self.int_sum.checked_add(i).map_or_else(|| overflow(span), Ok)?;
                    self.float_sum += i as f64;
                }
                Value::Float(x) => self.float_sum += x,
                _ => {}
            },
            AggregateKind::Min | AggregateKind::Max => {
                if v.is_none() {
                    return Ok(());
                }
                let replace = match &self.best {
                    None => true,
                    Some(best) => {
                        let ord = compare(&v, best);
                        if self.kind == AggregateKind::Min {
                            ord == Some(Ordering::Less)
                        } else {
                            ord == Some(Ordering::Greater)
                        }
                    }
                };
                if replace {
                    self.best = Some(v);
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Value {
        match self.kind {
            AggregateKind::Count => Value::Int(self.count),
            AggregateKind::Sum if self.float => Value::Float(self.float_sum),
            AggregateKind::Sum => Value::Int(self.int_sum),
            AggregateKind::Min | AggregateKind::Max => self.best.unwrap_or(Value::None),
        }
    }
}

/// A kind's name, for messages.
pub(crate) fn kind_name(schemas: &[Schema], kind: KindId) -> &str {
    schemas.get(kind.index()).map_or("?", |s| &s.name)
}
