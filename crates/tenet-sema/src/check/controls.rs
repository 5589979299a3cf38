//! Controls, clauses and objectives: their members, rules, attestation requirements and
//! mappings.

use std::sync::Arc;

use tenet_diagnostics::Code;
use tenet_syntax::ast::{self, AttestProp, Member, Relationship};

use super::exprs::Scope;
use super::lookup::Found;
use super::packages::PRELUDE;
use super::{Checker, doc_text};
use crate::ir::ExprKind;
use crate::program::*;
use crate::suggest::did_you_mean;
use crate::ty::Ty;

/// The name of the built-in evidence kind for signed statements.
pub const ATTESTATION_KIND: &str = "Attestation";

impl Checker<'_> {
    pub(super) fn check_controls(&mut self) {
        for index in 0..self.control_asts.len() {
            let ast = self.control_asts[index];
            let id = ControlId(index as u32);
            let (package, file, qualified) = {
                let c = &self.program.controls[index];
                (c.package, c.file, c.qualified.clone())
            };
            let mut intent: Option<&ast::Str> = None;
            let mut severity: Option<&ast::SeverityDecl> = None;
            let mut applies = None;
            let mut rules: Vec<Rule> = Vec::new();
            for member in &ast.members {
                match member {
                    Member::Intent(s) => match intent {
                        Some(first) => {
                            self.duplicate("objective", "objective", file, s.span, (file, first.span))
                        }
                        None => intent = Some(s),
                    },
                    Member::Severity(s) => match severity {
                        Some(first) => {
                            self.duplicate("severity", "severity", file, s.span, (file, first.span))
                        }
                        None => severity = Some(s),
                    },
                    Member::Maps(m) => self.control_maps(package, file, id, m),
                    Member::Applies(a) => {
                        if applies.is_some() {
                            self.error(Code::DUPLICATE, file, a.span, "a control has one `applies when`");
                            continue;
                        }
                        let mut cx = Scope::new(package, file, a.span.start);
                        let condition = self.condition(&mut cx, &a.condition, "`applies when`");
                        applies = Some(Arc::new(RuleBody {
                            label: Arc::from(format!("{qualified} applies when")),
                            kind: RuleKind::Condition(condition),
                            locals: cx.slots,
                            kinds_read: cx.kinds_read.into_iter().collect(),
                            params_read: cx.params_read.into_iter().collect(),
                            broken: false,
                        }));
                    }
                    Member::Attest(a) => {
                        if let Some(rule) = self.attestation(package, file, &qualified, ast, a) {
                            self.push_rule(&mut rules, rule, file);
                        }
                    }
                    Member::Rule(r) => {
                        let rule = self.rule(package, file, &qualified, r);
                        self.push_rule(&mut rules, rule, file);
                    }
                }
            }
            if rules.is_empty() {
                let c = &self.program.controls[index];
                let d = self
                    .diag(
                        Code::NO_RULES,
                        file,
                        c.span,
                        format!("{} `{}` has no rules", c.kind.as_str(), c.local_id),
                    )
                    .with_help("add a `rule` or an `attest` requirement; until then it reports no evidence");
                self.report(d);
            }
            let c = &mut self.program.controls[index];
            c.intent = intent.map(|s| s.value.clone());
            c.severity = severity.map_or(ast::SeverityLevel::Medium, |s| s.level);
            c.applies = applies;
            c.rules = rules;
        }
    }

    fn push_rule(&mut self, rules: &mut Vec<Rule>, rule: Rule, file: FileId) {
        if let Some(first) = rules.iter().find(|r| r.name == rule.name) {
            if &*rule.name == "default" {
                let d = self
                    .diag(Code::DUPLICATE, file, rule.span, "a control has at most one unnamed rule")
                    .with_related(self.path(file), first.span, "the first unnamed rule")
                    .with_help("name this rule, as in `rule has_owner require …`, so results can cite it");
                self.report(d);
            } else {
                self.duplicate("rule", &rule.name, file, rule.span, (file, first.span));
            }
            return;
        }
        rules.push(rule);
    }

    fn rule(&mut self, package: PackageId, file: FileId, qualified: &str, r: &ast::Rule) -> Rule {
        let name: Arc<str> = Arc::from(r.name.as_ref().map_or("default", |n| n.text.as_str()));
        let body = self.rule_body(package, file, qualified, &name, r);
        Rule {
            name,
            doc: doc_text(&r.doc),
            body,
            origin: r.span.start,
            span: r.name.as_ref().map_or(r.require.span, |n| n.span),
            overridden: None,
        }
    }

    /// Checks a rule's body (what follows its name) in `package`'s scope, with spans
    /// relative to the body's start. An `override` checks its replacing body here too: in
    /// the overriding package's scope, under the label of the rule it replaces.
    pub(super) fn rule_body(
        &mut self,
        package: PackageId,
        file: FileId,
        qualified: &str,
        name: &str,
        r: &ast::Rule,
    ) -> Arc<RuleBody> {
        let errors_before = self.error_count();
        let mut cx = Scope::new(package, file, r.span.start);
        let subject = r.subject.as_ref().and_then(|f| {
            let kind = match &f.binding.domain {
                ast::Domain::Kind(k) => self.resolve_kind(package, file, k),
                ast::Domain::List(e) => {
                    let d = self
                        .diag(Code::NOT_A_LIST, file, e.span, "a rule's subjects are evidence documents")
                        .with_help(
                            "write `for x: Kind where …`; use a quantifier inside `require` for lists",
                        );
                    self.report(d);
                    None
                }
            };
            let var = self.bind(&mut cx, &f.binding.var, kind.map_or(Ty::Error, Ty::Doc));
            let filter = f.filter.as_ref().map(|w| self.condition(&mut cx, w, "`where`"));
            let kind = kind?;
            cx.kinds_read.insert(kind);
            Some(Subject { var, kind, filter, span: cx.rel(f.span) })
        });
        let applies = r.applies.as_ref().map(|a| self.condition(&mut cx, a, "`applies when`"));
        let mut lets = Vec::new();
        for l in &r.lets {
            let value = self.expr(&mut cx, &l.value);
            let var = self.bind(&mut cx, &l.name, value.ty.clone());
            lets.push((var, value, l.name.span));
        }
        let require = self.condition(&mut cx, &r.require, "`require`");
        let message = r.message.as_ref().map(|m| self.message(&mut cx, m));
        self.report_unused_lets(file, &lets, &require, message.as_ref());
        let label: Arc<str> = Arc::from(format!("{qualified} rule {name}"));
        let broken = self.error_count() > errors_before;
        let mut check = CheckRule {
            subject,
            applies,
            lets: lets.into_iter().map(|(v, e, _)| (v, e)).collect(),
            require,
            message,
        };
        check.fold_constants();
        Arc::new(RuleBody {
            label,
            kind: RuleKind::Check(check),
            locals: cx.slots,
            kinds_read: cx.kinds_read.into_iter().collect(),
            params_read: cx.params_read.into_iter().collect(),
            broken,
        })
    }

    fn report_unused_lets(
        &mut self,
        file: FileId,
        lets: &[(crate::ir::VarId, crate::ir::Expr, tenet_diagnostics::Span)],
        require: &crate::ir::Expr,
        message: Option<&Message>,
    ) {
        let mut used = std::collections::BTreeSet::new();
        let mut note = |e: &crate::ir::Expr| {
            e.walk(&mut |x| {
                if let ExprKind::Var(v) = x.kind {
                    used.insert(v);
                }
            })
        };
        note(require);
        for (_, e, _) in lets {
            note(e);
        }
        if let Some(m) = message {
            for p in &m.parts {
                if let MessagePart::Expr(e) = p {
                    note(e);
                }
            }
        }
        for (var, _, span) in lets {
            if !used.contains(var) {
                self.error(Code::UNUSED, file, *span, "this `let` binding is never used");
            }
        }
    }

    fn attestation(
        &mut self,
        package: PackageId,
        file: FileId,
        qualified: &str,
        control: &ast::Control,
        a: &ast::Attestation,
    ) -> Option<Rule> {
        let errors_before = self.error_count();
        let kind = self.attestation_kind();
        let Some(kind) = kind else {
            let d = self
                .diag(Code::UNKNOWN_SCHEMA, file, a.name.span, format!(
                    "attestations need the `{ATTESTATION_KIND}` evidence kind of package `{PRELUDE}`"
                ))
                .with_help("the built-in packs declare it; check that they are not replaced by a package of the same name");
            self.report(d);
            return None;
        };
        let mut cx = Scope::new(package, file, a.span.start);
        cx.kinds_read.insert(kind);
        let mut roles: Option<Vec<String>> = None;
        let mut within = None;
        let mut about = None;
        for prop in &a.props {
            match prop {
                AttestProp::By(list, span) => {
                    if roles.is_some() {
                        self.error(Code::DUPLICATE, file, *span, "`by` is given twice");
                    }
                    roles = Some(list.iter().map(|s| s.value.clone()).collect());
                }
                AttestProp::Within(e, span) => {
                    if within.is_some() {
                        self.error(Code::DUPLICATE, file, *span, "`within` is given twice");
                    }
                    let value = self.expr(&mut cx, e);
                    if !matches!(value.ty, Ty::Duration | Ty::Error) {
                        let d = self.diag(
                            Code::TYPE_MISMATCH,
                            file,
                            e.span,
                            format!("`within` takes a duration, not `{}`", value.ty.display(&self.program)),
                        );
                        self.report(d);
                    }
                    within = Some(value);
                }
                AttestProp::About(k, span) => {
                    if about.is_some() {
                        self.error(Code::DUPLICATE, file, *span, "`about` is given twice");
                    }
                    about = self.resolve_kind(package, file, k);
                    if let Some(k) = about {
                        cx.kinds_read.insert(k);
                    }
                }
            }
        }
        let name: Arc<str> = Arc::from(a.name.text.as_str());
        let broken = self.error_count() > errors_before;
        Some(Rule {
            name: name.clone(),
            doc: doc_text(&a.doc),
            body: Arc::new(RuleBody {
                label: Arc::from(format!("{qualified} attestation {name}")),
                kind: RuleKind::Attestation(AttestationRule {
                    control: Arc::from(qualified),
                    control_local: Arc::from(control.id.text.as_str()),
                    name,
                    title: a.title.as_ref().map(|t| t.value.clone()),
                    roles: roles.unwrap_or_default(),
                    within,
                    about,
                    kind,
                }),
                locals: cx.slots,
                kinds_read: cx.kinds_read.into_iter().collect(),
                params_read: cx.params_read.into_iter().collect(),
                broken,
            }),
            origin: a.span.start,
            span: a.name.span,
            overridden: None,
        })
    }

    /// The `Attestation` kind of the prelude package.
    fn attestation_kind(&self) -> Option<KindId> {
        let prelude = self.program.packages.iter().position(|p| &*p.name == PRELUDE)?;
        self.kinds.get(prelude)?.get(ATTESTATION_KIND).copied()
    }

    fn control_maps(&mut self, package: PackageId, file: FileId, control: ControlId, maps: &ast::Maps) {
        for target in &maps.targets {
            let relationship = target.relationship.unwrap_or(Relationship::Unknown);
            match self.find_framework(package, &target.framework.text) {
                Found::One(framework) => {
                    for id in &target.ids {
                        if self.check_requirement(file, framework, id) {
                            self.program.mappings.push(Mapping {
                                control,
                                framework,
                                requirement: Arc::from(id.value.as_str()),
                                relationship,
                                source: MappingSource::Control,
                                reviewed: None,
                                file,
                                span: id.span,
                            });
                        }
                    }
                }
                Found::Ambiguous(_) => {
                    self.error(
                        Code::AMBIGUOUS_NAME,
                        file,
                        target.framework.span,
                        format!("two used packages declare a framework `{}`", target.framework.text),
                    );
                }
                Found::Nothing => {
                    if let Some(other) = self.is_package_name(package, &target.framework.text) {
                        for id in &target.ids {
                            match self.control_in(other, &id.value) {
                                Some(to) => self.program.contributions.push(Contribution {
                                    from: control,
                                    to,
                                    relationship,
                                }),
                                None => {
                                    let ids = self.control_ids(other);
                                    let mut d = self.diag(
                                        Code::UNKNOWN_CONTROL,
                                        file,
                                        id.span,
                                        format!(
                                            "package `{}` has no control `{}`",
                                            target.framework.text, id.value
                                        ),
                                    );
                                    if let Some(best) = did_you_mean(&id.value, ids.iter().map(|n| &**n)) {
                                        d = d.with_help(format!("did you mean \"{best}\"?")).with_suggestion(
                                            format!("replace with \"{best}\""),
                                            id.span,
                                            format!("\"{best}\""),
                                        );
                                    }
                                    self.report(d);
                                }
                            }
                        }
                        continue;
                    }
                    let names = self.framework_names(package);
                    let mut d = self.diag(
                        Code::UNKNOWN_FRAMEWORK,
                        file,
                        target.framework.span,
                        format!("no framework named `{}`", target.framework.text),
                    );
                    if let Some(best) = did_you_mean(&target.framework.text, names.iter().map(|n| &**n)) {
                        d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                            format!("replace with `{best}`"),
                            target.framework.span,
                            best.to_owned(),
                        );
                    } else {
                        d = d.with_help(format!(
                            "`use {}` to map to the framework it declares",
                            target.framework.text
                        ));
                    }
                    self.report(d);
                }
            }
        }
    }

    /// Reports a requirement id the framework does not declare; true when it exists.
    pub(super) fn check_requirement(&mut self, file: FileId, framework: FrameworkId, id: &ast::Str) -> bool {
        let Some(f) = self.program.frameworks.get(framework.index()) else { return false };
        if f.requirement(&id.value).is_some() {
            return true;
        }
        let name = f.name.clone();
        let best = did_you_mean(&id.value, f.requirements.iter().map(|r| &*r.id)).map(str::to_owned);
        let mut d = self.diag(
            Code::UNKNOWN_REQUIREMENT,
            file,
            id.span,
            format!("framework `{name}` has no requirement \"{}\"", id.value),
        );
        if let Some(best) = best {
            d = d.with_help(format!("did you mean \"{best}\"?")).with_suggestion(
                format!("replace with \"{best}\""),
                id.span,
                format!("\"{best}\""),
            );
        }
        self.report(d);
        false
    }

    pub(super) fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}
