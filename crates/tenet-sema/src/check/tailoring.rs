//! Tailoring and cross-references: `set`, `not_applicable`, `waive`, and crosswalks.

use std::sync::Arc;

use tenet_diagnostics::Code;
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

impl Checker<'_> {
    pub(super) fn check_tailoring(&mut self) {
        let mut sets: Vec<PendingSet> = Vec::new();
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
                            continue;
                        }
                        sets.push(pending);
                    }
                }
                Item::Exclusion(e) => self.check_exclusion(package, file, e),
                Item::Waiver(w) => self.check_waiver(package, file, w),
                _ => {}
            }
        }
        self.apply_sets(sets);
        self.check_param_cycles();
        self.check_tailoring_conflicts();
    }

    fn check_set(&mut self, package: PackageId, file: FileId, s: &ast::SetParam) -> Option<PendingSet> {
        let param = self.resolve_param_path(package, file, &s.target)?;
        let ty = self.program.params[param.index()].ty.clone();
        let mut cx = Scope::constant(package, file, s.span.start);
        let before = self.error_count();
        let value = self.value_of_type(&mut cx, &s.value, &ty, &format!("`{}`", s.target.text));
        if self.error_count() > before {
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
                }
            }
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
                Some((kind, s.key.value.clone()))
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
            if let Some(e) = exclusions.iter().find(|e| e.control == w.control) {
                let q = self.program.controls[w.control.index()].qualified.clone();
                let d = self
                    .diag(
                        Code::CONFLICTING_TAILORING,
                        w.file,
                        w.span,
                        format!("`{q}` is declared not applicable, so this waiver has nothing to waive"),
                    )
                    .with_related(self.path(e.file), e.span, "declared not applicable here");
                self.report(d);
            }
        }
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
