//! Tailoring and cross-references: `set`, `not_applicable`, `waive`, `override`,
//! `disable`, and crosswalks.

use std::sync::Arc;

use tenet_diagnostics::{Code, Span};
use tenet_syntax::ast::{self, ControlKind, CrosswalkMember, Item, Relationship};

use super::Checker;
use super::decls::metadata_text;
use super::exprs::Scope;
use super::lookup::Found;
use crate::program::*;
use crate::suggest::did_you_mean;

/// A `set` waiting to be applied.
struct PendingSet {
    param: ParamId,
    value: crate::ir::Expr,
    setting: Setting,
}

/// An `override` or `disable` waiting to be applied: the override and the rule's new body.
struct PendingOverride {
    over: RuleOverride,
    body: Arc<RuleBody>,
}

/// What an `override` or a `disable` says, whichever it is.
struct OverrideDecl<'a> {
    control: &'a ast::Name,
    rule: &'a ast::Name,
    because: &'a ast::Str,
    /// The replacing body; `None` for `disable`.
    body: Option<&'a ast::Rule>,
    span: Span,
}

impl Checker<'_> {
    pub(super) fn check_tailoring(&mut self) {
        self.note_broken_sets();
        let mut sets: Vec<PendingSet> = Vec::new();
        let mut overrides: Vec<PendingOverride> = Vec::new();
        for (package, file, item) in self.items() {
            match item {
                Item::Set(s) => {
                    if let Some(pending) = self.check_set(package, file, s) {
                        if let Some(first) =
                            sets.iter().find(|p| p.param == pending.param && p.setting.package == package)
                        {
                            let first = (first.setting.file, first.setting.span);
                            let d = self
                                .diag(
                                    Code::DUPLICATE_SET,
                                    file,
                                    s.target.span,
                                    format!(
                                        "parameter `{}` is set twice in package `{}`",
                                        s.target.text,
                                        self.package_name(package)
                                    ),
                                )
                                .with_related(self.path(first.0), first.1, "first set here");
                            self.report(d);
                            // Which of the two the author meant cannot be told.
                            self.program.params[pending.param.index()]
                                .broken_set
                                .get_or_insert((file, s.target.span));
                            continue;
                        }
                        sets.push(pending);
                    }
                }
                Item::Exclusion(e) => self.check_exclusion(package, file, e),
                Item::Waiver(w) => self.check_waiver(package, file, w),
                Item::Override(o) => {
                    let decl = OverrideDecl {
                        control: &o.control,
                        rule: &o.rule,
                        because: &o.because,
                        body: Some(&o.body),
                        span: o.span,
                    };
                    self.add_override(&mut overrides, package, file, &decl);
                }
                Item::Disable(d) => {
                    let decl = OverrideDecl {
                        control: &d.control,
                        rule: &d.rule,
                        because: &d.because,
                        body: None,
                        span: d.span,
                    };
                    self.add_override(&mut overrides, package, file, &decl);
                }
                _ => {}
            }
        }
        self.apply_sets(sets);
        self.apply_overrides(overrides);
        self.check_param_cycles();
        self.check_tailoring_conflicts();
    }

    /// Marks each parameter a `set` that did not parse names (`Ast::broken_sets`), when
    /// the name finds one; the syntax error is already reported.
    fn note_broken_sets(&mut self) {
        let mut found = Vec::new();
        for (p, package) in self.program.packages.iter().enumerate() {
            for file in &package.files {
                let Some((_, _, ast)) = self.files.get(file.index()) else { continue };
                for name in &ast.broken_sets {
                    found.push((PackageId(p as u32), *file, name));
                }
            }
        }
        for (package, file, name) in found {
            if let Some(param) = self.param_path(package, &name.text) {
                self.program.params[param.index()].broken_set.get_or_insert((file, name.span));
            }
        }
    }

    fn check_set(&mut self, package: PackageId, file: FileId, s: &ast::SetParam) -> Option<PendingSet> {
        let param = self.resolve_param_path(package, file, &s.target)?;
        let ty = self.program.params[param.index()].ty.clone();
        let mut cx = Scope::constant(package, file, s.span.start);
        let before = self.error_count();
        let value = self.value_of_type(&mut cx, &s.value, &ty, &format!("`{}`", s.target.text));
        if self.error_count() > before {
            self.program.params[param.index()].broken_set.get_or_insert((file, s.span));
            // Rewrite the generic mismatch into the `set` code users look up.
            if let Some(last) = self.diagnostics.last_mut()
                && last.code == Code::TYPE_MISMATCH
            {
                last.code = Code::SET_TYPE;
            }
            return None;
        }
        Some(PendingSet {
            param,
            value,
            setting: Setting {
                package,
                because: s.because.as_ref().map(|b| b.value.clone()),
                file,
                span: s.span,
                origin: s.span.start,
            },
        })
    }

    /// Each parameter takes the value set by the package that depends on every other
    /// package setting it; two unrelated packages setting one parameter is a conflict.
    fn apply_sets(&mut self, sets: Vec<PendingSet>) {
        let mut by_param: std::collections::BTreeMap<ParamId, Vec<PendingSet>> = Default::default();
        for s in sets {
            by_param.entry(s.param).or_default().push(s);
        }
        for (param, candidates) in by_param {
            let winner = candidates.iter().position(|c| {
                candidates.iter().all(|o| {
                    o.setting.package == c.setting.package
                        || self
                            .reach
                            .get(c.setting.package.index())
                            .is_some_and(|r| r.contains(&o.setting.package))
                })
            });
            match winner {
                Some(i) => {
                    let chosen = &candidates[i];
                    let p = &mut self.program.params[param.index()];
                    p.value = chosen.value.clone();
                    p.set_by = Some(chosen.setting.clone());
                    p.replaced_sets = candidates
                        .iter()
                        .enumerate()
                        .filter(|(n, _)| *n != i)
                        .map(|(_, c)| (c.setting.clone(), c.value.clone()))
                        .collect();
                }
                None => {
                    let (a, b) = (&candidates[0].setting, &candidates[1].setting);
                    let name = self.program.params[param.index()].name.clone();
                    let d = self
                        .diag(
                            Code::DUPLICATE_SET,
                            b.file,
                            b.span,
                            format!(
                                "parameter `{name}` is set by `{}` and by `{}`, and neither uses the other",
                                self.package_name(a.package),
                                self.package_name(b.package)
                            ),
                        )
                        .with_related(self.path(a.file), a.span, "also set here")
                        .with_help("set it in the package that uses both, so one value wins");
                    self.report(d);
                    // Neither value holds, and nor does the default both meant to replace.
                    self.program.params[param.index()].broken_set.get_or_insert((b.file, b.span));
                }
            }
        }
    }

    /// Checks an `override` or `disable` and queues it, unless the same package already
    /// overrides the rule.
    fn add_override(
        &mut self,
        pending: &mut Vec<PendingOverride>,
        package: PackageId,
        file: FileId,
        decl: &OverrideDecl<'_>,
    ) {
        let Some(candidate) = self.check_override(package, file, decl) else { return };
        let over = &candidate.over;
        if let Some(first) = pending
            .iter()
            .map(|p| &p.over)
            .find(|p| p.control == over.control && p.rule == over.rule && p.package == package)
        {
            let q = self.program.controls[over.control.index()].qualified.clone();
            let d = self
                .diag(
                    Code::CONFLICTING_TAILORING,
                    file,
                    decl.rule.span,
                    format!(
                        "rule `{}` of `{q}` is overridden twice in package `{}`",
                        over.rule,
                        self.package_name(package)
                    ),
                )
                .with_related(self.path(first.file), first.span, "first overridden here")
                .with_help("keep one `override` or `disable` per rule; the first one applies");
            self.report(d);
            return;
        }
        pending.push(candidate);
    }

    fn check_override(
        &mut self,
        package: PackageId,
        file: FileId,
        decl: &OverrideDecl<'_>,
    ) -> Option<PendingOverride> {
        let (keyword, action) = match decl.body {
            Some(_) => ("override", OverrideAction::Replace),
            None => ("disable", OverrideAction::Disable),
        };
        let control = self.resolve_control(package, file, decl.control)?;
        let (owner, qualified) = {
            let c = &self.program.controls[control.index()];
            (c.package, c.qualified.clone())
        };
        // The replacing body is checked even when the rule cannot be overridden, so that
        // its own errors show at once.
        let body = decl.body.map(|r| self.rule_body(package, file, &qualified, &decl.rule.text, r));
        if owner == package {
            let d = self
                .diag(
                    Code::OVERRIDE_OWN_RULE,
                    file,
                    decl.control.span,
                    format!(
                        "`{qualified}` is a control of package `{}` itself; `{keyword}` tailors rules of used packages",
                        self.package_name(package)
                    ),
                )
                .with_help("edit the rule instead");
            self.report(d);
            return None;
        }
        let rule = self.resolve_rule(control, file, Some(decl.rule)).ok().flatten()?;
        if decl.because.value.trim().is_empty() {
            let what = match action {
                OverrideAction::Replace => "an override needs a justification",
                OverrideAction::Disable => "disabling a rule needs a justification",
            };
            let d = self
                .diag(Code::INCOMPLETE, file, decl.because.span, what)
                .with_help("reports and the Statement of Applicability show why next to the rule's results");
            self.report(d);
        }
        let body = body.unwrap_or_else(|| {
            Arc::new(RuleBody {
                label: Arc::from(format!("{qualified} rule {rule}")),
                kind: RuleKind::Disabled(DisabledRule {
                    package: Arc::from(self.package_name(package)),
                    because: decl.because.value.clone(),
                }),
                locals: Vec::new(),
                kinds_read: Vec::new(),
                params_read: Vec::new(),
                broken: false,
            })
        });
        Some(PendingOverride {
            over: RuleOverride {
                control,
                rule,
                action,
                because: decl.because.value.clone(),
                package,
                file,
                span: decl.span,
                target: decl.control.span,
                origin: decl.body.map_or(decl.span.start, |r| r.span.start),
            },
            body,
        })
    }

    /// Each rule takes the override of the package that reaches every other package
    /// overriding it, as with `set`; when two packages override a rule and neither uses
    /// the other, neither override applies.
    fn apply_overrides(&mut self, pending: Vec<PendingOverride>) {
        let mut by_rule: std::collections::BTreeMap<(ControlId, Arc<str>), Vec<usize>> = Default::default();
        for (i, p) in pending.iter().enumerate() {
            by_rule.entry((p.over.control, p.over.rule.clone())).or_default().push(i);
        }
        let reaches = |a: PackageId, b: PackageId| self.reach.get(a.index()).is_some_and(|r| r.contains(&b));
        let mut winners: Vec<usize> = Vec::new();
        let mut conflicts: Vec<(usize, usize)> = Vec::new();
        for candidates in by_rule.values() {
            let package = |i: usize| pending[i].over.package;
            let winner = candidates.iter().copied().find(|c| {
                candidates.iter().all(|o| package(*o) == package(*c) || reaches(package(*c), package(*o)))
            });
            match winner {
                Some(w) => winners.push(w),
                None => {
                    let unrelated = candidates.iter().enumerate().find_map(|(n, a)| {
                        candidates[n + 1..]
                            .iter()
                            .find(|b| {
                                !reaches(package(*a), package(**b)) && !reaches(package(**b), package(*a))
                            })
                            .map(|b| (*a, *b))
                    });
                    if let Some(pair) = unrelated {
                        conflicts.push(pair);
                    }
                }
            }
        }
        for (a, b) in conflicts {
            let (a, b) = (&pending[a].over, &pending[b].over);
            let q = self.program.controls[b.control.index()].qualified.clone();
            let d = self
                .diag(
                    Code::CONFLICTING_TAILORING,
                    b.file,
                    b.span,
                    format!(
                        "rule `{}` of `{q}` is overridden by `{}` and by `{}`, and neither uses the other",
                        b.rule,
                        self.package_name(a.package),
                        self.package_name(b.package)
                    ),
                )
                .with_related(self.path(a.file), a.span, "also overridden here")
                .with_help(
                    "override it in the package that uses both, so one override wins; until then neither applies",
                )
                // Which policy is in force would be ambiguous: an error, as for `set`.
                .with_severity(tenet_diagnostics::Severity::Error);
            self.report(d);
        }
        winners.sort_unstable();
        for w in winners {
            let PendingOverride { over, body } = &pending[w];
            let Some(rule) = self
                .program
                .controls
                .get_mut(over.control.index())
                .and_then(|c| c.rules.iter_mut().find(|r| r.name == over.rule))
            else {
                continue;
            };
            rule.body = body.clone();
            rule.overridden = Some(over.clone());
            self.program.overrides.push(over.clone());
        }
    }

    fn check_exclusion(&mut self, package: PackageId, file: FileId, e: &ast::Exclusion) {
        let Some(control) = self.resolve_control(package, file, &e.control) else { return };
        let c = &self.program.controls[control.index()];
        if c.kind != ControlKind::Control {
            let d = self
                .diag(
                    Code::MANDATORY_CLAUSE,
                    file,
                    e.control.span,
                    format!("{} `{}` cannot be declared not applicable", c.kind.as_str(), c.qualified),
                )
                .with_help(match c.kind {
                    ControlKind::Clause => {
                        "clauses of the management system always apply; only controls can be excluded"
                    }
                    _ => "an organisation's own objectives are removed by deleting them, not excluded",
                });
            self.report(d);
            return;
        }
        if e.because.value.trim().is_empty() {
            let d = self
                .diag(Code::INCOMPLETE, file, e.because.span, "an exclusion needs a justification")
                .with_help("the Statement of Applicability shows why each excluded control does not apply");
            self.report(d);
        }
        self.program.exclusions.push(Exclusion {
            control,
            because: e.because.value.clone(),
            package,
            file,
            span: e.span,
        });
    }

    fn check_waiver(&mut self, package: PackageId, file: FileId, w: &ast::Waiver) {
        let Some(control) = self.resolve_control(package, file, &w.control) else { return };
        let Ok(rule) = self.resolve_rule(control, file, w.rule.as_ref()) else { return };
        let subject = match &w.subject {
            Some(s) => {
                let Some(kind) = self.resolve_kind(package, file, &s.kind) else { return };
                // As evidence keys are read: trimmed and composed.
                Some((kind, crate::value::composed(s.key.value.trim()).into_owned()))
            }
            None => None,
        };
        for (text, what) in [(&w.because, "a justification"), (&w.approved_by, "an approver")] {
            if text.value.trim().is_empty() {
                let d = self
                    .diag(Code::INCOMPLETE, file, text.span, format!("a waiver needs {what}"))
                    .with_help("auditors read who accepted the risk and why next to every waived result");
                self.report(d);
            }
        }
        self.program.waivers.push(Waiver {
            control,
            rule,
            subject,
            until: w.until.date,
            approved_by: w.approved_by.value.clone(),
            because: w.because.value.clone(),
            package,
            file,
            span: w.span,
        });
    }

    fn check_tailoring_conflicts(&mut self) {
        let mut seen: Vec<ControlId> = Vec::new();
        let exclusions = self.program.exclusions.clone();
        for e in &exclusions {
            if seen.contains(&e.control) {
                let q = self.program.controls[e.control.index()].qualified.clone();
                self.error(
                    Code::CONFLICTING_TAILORING,
                    e.file,
                    e.span,
                    format!("`{q}` is declared not applicable twice"),
                );
            }
            seen.push(e.control);
        }
        let waivers = self.program.waivers.clone();
        for w in &waivers {
            self.report_excluded(&exclusions, w.control, w.file, w.span, |q| {
                format!("`{q}` is declared not applicable, so this waiver has nothing to waive")
            });
        }
        let overrides = self.program.overrides.clone();
        for o in &overrides {
            self.report_excluded(&exclusions, o.control, o.file, o.span, |q| {
                format!(
                    "`{q}` is declared not applicable, so overriding its rule `{}` changes nothing",
                    o.rule
                )
            });
        }
    }

    /// A tailoring of `control` at `span` that its exclusion makes moot: an error naming
    /// the control (`message` is given its qualified id) and pointing at the exclusion.
    fn report_excluded(
        &mut self,
        exclusions: &[Exclusion],
        control: ControlId,
        file: FileId,
        span: Span,
        message: impl FnOnce(&str) -> String,
    ) {
        let Some(e) = exclusions.iter().find(|e| e.control == control) else { return };
        let q = self.program.controls[control.index()].qualified.clone();
        let d = self.diag(Code::CONFLICTING_TAILORING, file, span, message(&q)).with_related(
            self.path(e.file),
            e.span,
            "declared not applicable here",
        );
        self.report(d);
    }

    pub(super) fn check_crosswalks(&mut self) {
        for (package, file, item) in self.items() {
            let Item::Crosswalk(c) = item else { continue };
            let Some(from) = self.is_package_name(package, &c.from.text) else {
                let d = self
                    .diag(
                        Code::UNKNOWN_PACKAGE,
                        file,
                        c.from.span,
                        format!("no package named `{}` in scope", c.from.text),
                    )
                    .with_help("`use` the package whose controls the crosswalk maps");
                self.report(d);
                continue;
            };
            let framework = match self.find_framework(package, &c.to.text) {
                Found::One(f) => f,
                _ => {
                    let names = self.framework_names(package);
                    let mut d = self.diag(
                        Code::UNKNOWN_FRAMEWORK,
                        file,
                        c.to.span,
                        format!("no framework named `{}`", c.to.text),
                    );
                    if let Some(best) = did_you_mean(&c.to.text, names.iter().map(|n| &**n)) {
                        d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                            format!("replace with `{best}`"),
                            c.to.span,
                            best.to_owned(),
                        );
                    }
                    self.report(d);
                    continue;
                }
            };
            let source = c.members.iter().find_map(|m| match m {
                CrosswalkMember::Metadata(meta) if meta.key.text == "source" => {
                    Some(metadata_text(&meta.value))
                }
                _ => None,
            });
            let name: Arc<str> = Arc::from(c.name.text.as_str());
            for member in &c.members {
                let CrosswalkMember::Pair(pair) = member else { continue };
                let controls = self.controls_named(from, &pair.control.text);
                if controls.is_empty() {
                    let ids = self.control_ids(from);
                    let mut d = self.diag(
                        Code::UNKNOWN_CONTROL,
                        file,
                        pair.control.span,
                        format!("package `{}` has no control `{}`", c.from.text, pair.control.text),
                    );
                    if let Some(best) = did_you_mean(&pair.control.text, ids.iter().map(|n| &**n)) {
                        d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                            format!("replace with `{best}`"),
                            pair.control.span,
                            best.to_owned(),
                        );
                    }
                    self.report(d);
                    continue;
                }
                for requirement in &pair.requirements {
                    if !self.check_requirement(file, framework, requirement) {
                        continue;
                    }
                    for control in controls.iter().copied() {
                        self.program.mappings.push(Mapping {
                            control,
                            framework,
                            requirement: Arc::from(requirement.value.as_str()),
                            relationship: pair.relationship.unwrap_or(Relationship::Unknown),
                            source: MappingSource::Crosswalk { name: name.clone(), source: source.clone() },
                            reviewed: pair.reviewed.as_ref().map(|r| (r.confidence, r.because.value.clone())),
                            file,
                            span: requirement.span,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::program::{OverrideAction, Program, RuleKind};
    use crate::{CheckInput, Origin, check};

    fn program(files: &[(&str, &str)]) -> Program {
        let parsed: Vec<(Arc<str>, tenet_syntax::ast::Ast)> =
            files.iter().map(|(path, text)| (Arc::from(*path), tenet_syntax::parse(text).0)).collect();
        let inputs: Vec<CheckInput<'_>> =
            parsed.iter().map(|(path, ast)| CheckInput { path, origin: Origin::Workspace, ast }).collect();
        check(&inputs)
    }

    const BASE: &str = "package base\ncontrol C.1 \"c\" {\n  rule r\n    require true\n}\n";

    /// The package of the override in force on `base.C.1 rule r`, and its action.
    fn in_force(p: &Program) -> Option<(&str, OverrideAction)> {
        let c = p.controls.iter().find(|c| &*c.qualified == "base.C.1")?;
        let o = c.rules.first()?.overridden.as_ref()?;
        Some((&p.packages[o.package.index()].name, o.action))
    }

    #[test]
    fn the_package_that_reaches_the_other_wins() {
        let p = program(&[
            ("base.tenet", BASE),
            ("unit.tenet", "package unit\nuse base\ndisable base.C.1 rule r because \"Unit.\"\n"),
            (
                "group.tenet",
                "package group\nuse unit\nuse base\noverride base.C.1 rule r because \"Group.\" {\n  require false\n}\n",
            ),
        ]);
        assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
        assert_eq!(in_force(&p), Some(("group", OverrideAction::Replace)));
        assert_eq!(p.overrides.len(), 1);
        let rule = &p.controls[0].rules[0];
        assert!(matches!(rule.body.kind, RuleKind::Check(_)));
        assert_eq!(&*rule.body.label, "base.C.1 rule r");
    }

    #[test]
    fn unrelated_packages_override_nothing() {
        let p = program(&[
            ("base.tenet", BASE),
            ("a.tenet", "package a\nuse base\ndisable base.C.1 rule r because \"A.\"\n"),
            ("b.tenet", "package b\nuse base\ndisable base.C.1 rule r because \"B.\"\n"),
        ]);
        assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
        assert_eq!(p.diagnostics[0].severity, tenet_diagnostics::Severity::Error);
        assert_eq!(in_force(&p), None);
        assert!(p.overrides.is_empty());
    }

    #[test]
    fn a_disabled_rule_keeps_its_name_and_says_who_disabled_it() {
        let p = program(&[
            ("base.tenet", BASE),
            ("unit.tenet", "package unit\nuse base\ndisable base.C.1 rule r because \"Done elsewhere.\"\n"),
        ]);
        let rule = &p.controls[0].rules[0];
        assert_eq!(&*rule.name, "r");
        match &rule.body.kind {
            RuleKind::Disabled(d) => {
                assert_eq!(&*d.package, "unit");
                assert_eq!(d.because, "Done elsewhere.");
            }
            other => panic!("expected a disabled body, got {other:?}"),
        }
    }
}
