//! The walk over a syntax tree that records each name with what it denotes. Variables are
//! scoped as the checker scopes them: `for` and `let` to the rest of their rule, a
//! quantifier's variable to its `where` and `satisfy`, an aggregate's to the aggregate.

use std::sync::Arc;

use tenet_diagnostics::Span;
use tenet_sema::ty::{RecordTy, Ty};
use tenet_sema::{ControlId, FileId, KindId, PackageId, ParamId, Program};
use tenet_syntax::ast::{
    self, Ast, AttestProp, Binding, Control, CrosswalkMember, Domain, Expr, ExprKind, FrameworkMember, Item,
    Member, MessagePart, Name, RecordField, TestStmt, TypeExpr, TypeKind,
};

use super::types::{element_of, field_def, type_of};
use super::{DeclKey, Definition, FileIndex, LocalDef, Occurrence, Role, Scopes};
use crate::builtins::function_named;

/// Walks one file's tree, collecting its [`FileIndex`].
pub(crate) struct Walker<'a> {
    program: &'a Program,
    scopes: &'a Scopes,
    file: FileId,
    package: Option<PackageId>,
    /// Indexes into `index.locals` of the variables in scope, innermost last.
    in_scope: Vec<usize>,
    index: FileIndex,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(program: &'a Program, scopes: &'a Scopes, file: FileId) -> Walker<'a> {
        Walker {
            program,
            scopes,
            file,
            package: scopes.package_of(file),
            in_scope: Vec::new(),
            index: FileIndex::default(),
        }
    }

    pub(crate) fn finish(mut self) -> FileIndex {
        self.index.occurrences.sort_by_key(|o| (o.span.start, o.span.end));
        self.index.occurrences.dedup();
        self.index
    }

    fn push(&mut self, span: Span, definition: Definition, role: Role) {
        self.index.occurrences.push(Occurrence { span, definition, role });
    }

    fn reference(&mut self, span: Span, definition: Definition) {
        self.push(span, definition, Role::Reference);
    }

    /// Records the declaration the checker registered at `span`, and returns it.
    fn declared(&mut self, span: Span) -> Option<Definition> {
        let definition = self.scopes.declared_at(self.file, span)?.clone();
        self.push(span, definition.clone(), Role::Declaration);
        Some(definition)
    }

    pub(crate) fn file(&mut self, ast: &Ast) {
        for item in &ast.items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Package(p) => {
                if let Some(package) = self.package {
                    self.push(p.path.span, Definition::Package(package), Role::Declaration);
                }
            }
            Item::Use(u) => {
                if let Some(target) = self.package_by_name(&u.path.text) {
                    self.reference(u.path.span, Definition::Package(target));
                    if let Some(alias) = &u.alias {
                        self.reference(alias.span, Definition::Package(target));
                    }
                }
            }
            Item::Schema(s) => {
                self.declared(s.name.span);
                self.fields(&s.fields);
            }
            Item::Param(p) => {
                self.declared(p.name.span);
                self.type_expr(&p.ty);
                self.expr(&p.default);
            }
            Item::Set(s) => {
                self.param_path(&s.target);
                self.expr(&s.value);
            }
            Item::Control(c) => self.control(c),
            Item::Exclusion(e) => {
                self.control_ref(&e.control);
            }
            Item::Waiver(w) => {
                let control = self.control_ref(&w.control);
                if let (Some(control), Some(rule)) = (control, &w.rule) {
                    self.rule_ref(control, rule);
                }
                if let Some(subject) = &w.subject {
                    self.kind_ref(&subject.kind);
                }
            }
            Item::Override(o) => {
                if let Some(control) = self.control_ref(&o.control) {
                    self.rule_ref(control, &o.rule);
                }
                self.rule(&o.body);
            }
            Item::Disable(d) => {
                if let Some(control) = self.control_ref(&d.control) {
                    self.rule_ref(control, &d.rule);
                }
            }
            Item::Framework(f) => {
                self.declared(f.name.span);
                for member in &f.members {
                    if let FrameworkMember::Requirement(r) = member {
                        self.declared(r.id.span);
                    }
                }
            }
            Item::Crosswalk(c) => self.crosswalk(c),
            Item::Test(t) => self.test(t),
        }
    }

    fn package_by_name(&self, name: &str) -> Option<PackageId> {
        self.program.packages.iter().position(|p| &*p.name == name).map(|i| PackageId(i as u32))
    }

    fn fields(&mut self, fields: &[ast::Field]) {
        for field in fields {
            self.push(
                field.name.span,
                Definition::Field(DeclKey { file: self.file, span: field.name.span }),
                Role::Declaration,
            );
            self.type_expr(&field.ty);
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        match &ty.kind {
            TypeKind::Ref(name) => {
                self.kind_ref(name);
            }
            TypeKind::List(inner) => self.type_expr(inner),
            TypeKind::Record(fields) => self.fields(fields),
            TypeKind::Prim(_) | TypeKind::Enum(_) => {}
        }
    }

    /// The span of the part of `name` after a package prefix of `prefix` bytes (and its dot),
    /// recording the prefix as a use of the package.
    fn after_prefix(&mut self, name: &Name, prefix: usize, package: PackageId) -> Span {
        let start = name.span.start.saturating_add(prefix as u32);
        self.reference(Span::new(name.span.start, start), Definition::Package(package));
        Span::new(start.saturating_add(1), name.span.end)
    }

    fn kind_ref(&mut self, name: &Name) -> Option<KindId> {
        let package = self.package?;
        let kind = self.scopes.kind(self.program, package, &name.text)?;
        let span = match self.scopes.split_qualified(package, &name.text) {
            Some((target, rest)) => self.after_prefix(name, name.text.len() - rest.len() - 1, target),
            None => name.span,
        };
        self.reference(span, Definition::Schema(kind));
        Some(kind)
    }

    fn param_path(&mut self, name: &Name) -> Option<ParamId> {
        let package = self.package?;
        if let Some((target, rest)) = self.scopes.split_qualified(package, &name.text)
            && let Some(param) = self.scopes.param_in(target, rest)
        {
            let span = self.after_prefix(name, name.text.len() - rest.len() - 1, target);
            self.reference(span, Definition::Param(param));
            return Some(param);
        }
        let param = self.scopes.param(self.program, package, &name.text)?;
        self.reference(name.span, Definition::Param(param));
        Some(param)
    }

    fn control_ref(&mut self, name: &Name) -> Option<ControlId> {
        let package = self.package?;
        let (control, prefix) = self.scopes.control(self.program, package, &name.text)?;
        let span = if prefix > 0 {
            let target = self.program.controls.get(control.index()).map_or(package, |c| c.package);
            self.after_prefix(name, prefix - 1, target)
        } else {
            name.span
        };
        self.reference(span, Definition::Control(control));
        Some(control)
    }

    fn rule_ref(&mut self, control: ControlId, rule: &Name) {
        let known = self
            .program
            .controls
            .get(control.index())
            .and_then(|c| c.rules.iter().find(|r| *r.name == *rule.text))
            .map(|r| r.name.clone());
        if let Some(name) = known {
            self.reference(rule.span, Definition::Rule(control, name));
        }
    }

    fn control(&mut self, c: &Control) {
        self.declared(c.id.span);
        for member in &c.members {
            match member {
                Member::Intent(_) | Member::Severity(_) => {}
                Member::Maps(m) => {
                    for target in &m.targets {
                        self.map_target(target);
                    }
                }
                Member::Applies(a) => self.expr(&a.condition),
                Member::Attest(a) => {
                    self.declared(a.name.span);
                    for prop in &a.props {
                        match prop {
                            AttestProp::About(kind, _) => {
                                self.kind_ref(kind);
                            }
                            AttestProp::Within(e, _) => self.expr(e),
                            AttestProp::By(..) => {}
                        }
                    }
                }
                Member::Rule(r) => self.rule(r),
            }
        }
    }

    fn map_target(&mut self, target: &ast::MapTarget) {
        let Some(package) = self.package else { return };
        if let Some(framework) = self.scopes.framework(self.program, package, &target.framework.text) {
            self.reference(target.framework.span, Definition::Framework(framework));
            let Some(f) = self.program.frameworks.get(framework.index()) else { return };
            for id in &target.ids {
                if let Some(r) = f.requirement(&id.value) {
                    self.reference(id.span, Definition::Requirement(framework, r.id.clone()));
                }
            }
        } else if let Some(other) = self.scopes.package_named(package, &target.framework.text) {
            self.reference(target.framework.span, Definition::Package(other));
            for id in &target.ids {
                if let Some(control) = self.scopes.control_in(other, &id.value) {
                    self.reference(id.span, Definition::Control(control));
                }
            }
        }
    }

    fn rule(&mut self, r: &ast::Rule) {
        if let Some(name) = &r.name {
            self.declared(name.span);
        }
        let mark = self.in_scope.len();
        let end = r.span.end;
        if let Some(subject) = &r.subject {
            self.binding(&subject.binding, Span::new(subject.binding.span.end, end), "for");
            if let Some(filter) = &subject.filter {
                self.expr(filter);
            }
        }
        if let Some(applies) = &r.applies {
            self.expr(applies);
        }
        for l in &r.lets {
            self.expr(&l.value);
            let ty = self.type_of(&l.value);
            self.bind(&l.name, ty, Span::new(l.span.end, end), "let");
        }
        self.expr(&r.require);
        if let Some(message) = &r.message {
            self.message(&message.parts);
        }
        self.in_scope.truncate(mark);
    }

    fn message(&mut self, parts: &[MessagePart]) {
        for part in parts {
            if let MessagePart::Expr(e) = part {
                self.expr(e);
            }
        }
    }

    fn crosswalk(&mut self, c: &ast::Crosswalk) {
        let Some(package) = self.package else { return };
        let from = self.scopes.package_named(package, &c.from.text);
        if let Some(from) = from {
            self.reference(c.from.span, Definition::Package(from));
        }
        let framework = self.scopes.framework(self.program, package, &c.to.text);
        if let Some(framework) = framework {
            self.reference(c.to.span, Definition::Framework(framework));
        }
        for member in &c.members {
            let CrosswalkMember::Pair(pair) = member else { continue };
            if let Some(control) = from.and_then(|p| self.scopes.control_in(p, &pair.control.text)) {
                self.reference(pair.control.span, Definition::Control(control));
            }
            let Some(f) = framework.and_then(|f| self.program.frameworks.get(f.index()).map(|x| (f, x)))
            else {
                continue;
            };
            for id in &pair.requirements {
                if let Some(r) = f.1.requirement(&id.value) {
                    self.reference(id.span, Definition::Requirement(f.0, r.id.clone()));
                }
            }
        }
    }

    fn test(&mut self, t: &ast::Test) {
        for stmt in &t.stmts {
            match stmt {
                TestStmt::Today(..) => {}
                TestStmt::Set(s) => {
                    self.param_path(&s.target);
                    self.expr(&s.value);
                }
                TestStmt::Given(g) => {
                    let kind = self.kind_ref(&g.kind);
                    let record =
                        kind.and_then(|k| self.program.schemas.get(k.index())).map(|s| s.record.clone());
                    self.record_fields(&g.fields, record.as_deref());
                }
                TestStmt::Expect(e) => {
                    let control = self.control_ref(&e.control);
                    if let (Some(control), Some(rule)) = (control, &e.rule) {
                        self.rule_ref(control, rule);
                    }
                }
            }
        }
    }

    /// `{ field: value, … }` of a known record type: each field name refers to its field.
    fn record_fields(&mut self, fields: &[RecordField], record: Option<&RecordTy>) {
        for f in fields {
            let def = record.and_then(|r| r.field(&f.name.text)).map(|(_, d)| d.clone());
            if let Some(def) = &def {
                self.reference(f.name.span, Definition::Field(DeclKey { file: def.file, span: def.span }));
            }
            let nested = def.as_ref().and_then(|d| match d.ty.non_optional() {
                Ty::Record(r) => Some(r.clone()),
                Ty::List(e) => match e.non_optional() {
                    Ty::Record(r) => Some(r.clone()),
                    _ => None,
                },
                _ => None,
            });
            match (&f.value.kind, nested) {
                (ExprKind::Record(inner), Some(r)) => self.record_fields(inner, Some(&r)),
                (ExprKind::List(items), Some(r)) => {
                    for item in items {
                        match &item.kind {
                            ExprKind::Record(inner) => self.record_fields(inner, Some(&r)),
                            _ => self.expr(item),
                        }
                    }
                }
                _ => self.expr(&f.value),
            }
        }
    }

    fn bind(&mut self, name: &Name, ty: Ty, scope: Span, binder: &'static str) {
        let span = name.span;
        self.push(span, Definition::Local(DeclKey { file: self.file, span }), Role::Declaration);
        self.index.locals.push(LocalDef { name: Arc::from(name.text.as_str()), span, ty, scope, binder });
        self.in_scope.push(self.index.locals.len() - 1);
    }

    /// Binds a `for`, quantifier or aggregate variable; its domain is read in the outer scope.
    fn binding(&mut self, binding: &Binding, scope: Span, binder: &'static str) {
        let ty = match &binding.domain {
            Domain::Kind(kind) => self.kind_ref(kind).map_or(Ty::Error, Ty::Doc),
            Domain::List(list) => {
                self.expr(list);
                element_of(&self.type_of(list))
            }
        };
        self.bind(&binding.var, ty, scope, binder);
    }

    fn local(&self, name: &str) -> Option<&LocalDef> {
        self.in_scope.iter().rev().filter_map(|i| self.index.locals.get(*i)).find(|l| &*l.name == name)
    }

    fn type_of(&self, e: &Expr) -> Ty {
        let lookup = |name: &str| -> Ty {
            if let Some(local) = self.local(name) {
                return local.ty.clone();
            }
            self.package
                .and_then(|p| self.scopes.param(self.program, p, name))
                .and_then(|p| self.program.params.get(p.index()))
                .map_or(Ty::Error, |p| p.ty.clone())
        };
        type_of(self.program, e, &lookup)
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Name(name) => self.name(name, e.span),
            ExprKind::Field { base, field } => {
                if self.qualified_param(e) {
                    return;
                }
                self.expr(base);
                let ty = self.type_of(base);
                if let Some(def) = field_def(self.program, &ty, &field.text) {
                    let key = DeclKey { file: def.file, span: def.span };
                    self.reference(field.span, Definition::Field(key));
                }
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Logic { operands, .. } => {
                for o in operands {
                    self.expr(o);
                }
            }
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Call { func, args } => {
                if let Some(f) = function_named(&func.text) {
                    self.reference(func.span, Definition::Function(f.name));
                }
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Quantifier { kind, binding, filter, predicate } => {
                let mark = self.in_scope.len();
                self.binding(binding, Span::new(binding.span.end, e.span.end), kind.as_str());
                if let Some(f) = filter {
                    self.expr(f);
                }
                if let Some(p) = predicate {
                    self.expr(p);
                }
                self.in_scope.truncate(mark);
            }
            ExprKind::Aggregate { kind, value, binding, filter } => {
                if let Some(f) = function_named(kind.as_str()) {
                    let end = e.span.start.saturating_add(f.name.len() as u32);
                    self.reference(Span::new(e.span.start, end), Definition::Function(f.name));
                }
                let mark = self.in_scope.len();
                self.binding(binding, e.span, kind.as_str());
                if let Some(v) = value {
                    self.expr(v);
                }
                if let Some(f) = filter {
                    self.expr(f);
                }
                self.in_scope.truncate(mark);
            }
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i);
                }
            }
            ExprKind::Record(fields) => {
                for f in fields {
                    self.expr(&f.value);
                }
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) {
        if let Some(local) = self.local(name) {
            let key = DeclKey { file: self.file, span: local.span };
            self.reference(span, Definition::Local(key));
            return;
        }
        let Some(package) = self.package else { return };
        if let Some(param) = self.scopes.param(self.program, package, name) {
            self.reference(span, Definition::Param(param));
        } else if let Some(p) = self.scopes.package_named(package, name) {
            self.reference(span, Definition::Package(p));
        }
    }

    /// `pkg.param` (or `pkg.sub.param`) followed by any fields: true when `e` is one.
    fn qualified_param(&mut self, e: &Expr) -> bool {
        let Some(package) = self.package else { return false };
        let mut segments: Vec<&Name> = Vec::new();
        let mut root = e;
        while let ExprKind::Field { base, field } = &root.kind {
            segments.push(field);
            root = base;
        }
        let ExprKind::Name(root_name) = &root.kind else { return false };
        if self.local(root_name).is_some() || self.scopes.param(self.program, package, root_name).is_some() {
            return false;
        }
        segments.reverse();
        let texts: Vec<&str> =
            std::iter::once(root_name.as_str()).chain(segments.iter().map(|s| s.text.as_str())).collect();
        for split in (1..texts.len()).rev() {
            let path = texts.get(..split).unwrap_or_default().join(".");
            let Some(target) = self.scopes.package_named(package, &path) else { continue };
            let prefix_end = match split {
                1 => root.span.end,
                _ => segments.get(split - 2).map_or(root.span.end, |s| s.span.end),
            };
            self.reference(Span::new(root.span.start, prefix_end), Definition::Package(target));
            let (Some(name), Some(segment)) = (texts.get(split), segments.get(split - 1)) else {
                return true;
            };
            let Some(param) = self.scopes.param_in(target, name) else { return true };
            self.reference(segment.span, Definition::Param(param));
            let mut ty = self.program.params.get(param.index()).map_or(Ty::Error, |p| p.ty.clone());
            for field in segments.iter().skip(split) {
                let Some(def) = field_def(self.program, &ty, &field.text) else { break };
                self.reference(field.span, Definition::Field(DeclKey { file: def.file, span: def.span }));
                ty = def.ty.clone();
            }
            return true;
        }
        false
    }
}
