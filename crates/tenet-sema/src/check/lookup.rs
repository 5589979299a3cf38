//! Name look-up across packages. Unqualified names are searched in the package itself,
//! then in the packages it uses directly; qualified names (`pkg.name`) may name any package
//! the current one reaches.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tenet_diagnostics::{Code, Span};
use tenet_syntax::ast;

use super::Checker;
use crate::program::*;
use crate::suggest::did_you_mean;

/// The outcome of an unqualified look-up.
pub(super) enum Found<T> {
    One(T),
    Ambiguous(Vec<PackageId>),
    Nothing,
}

impl Checker<'_> {
    /// The package itself, then the packages it uses directly.
    pub(super) fn visible(&self, package: PackageId) -> Vec<PackageId> {
        let mut out = vec![package];
        if let Some(p) = self.program.packages.get(package.index()) {
            out.extend(p.uses.iter().copied());
        }
        out
    }

    fn find<T: Copy>(&self, package: PackageId, name: &str, table: &[FxHashMap<Arc<str>, T>]) -> Found<T> {
        if let Some(found) = table.get(package.index()).and_then(|t| t.get(name)) {
            return Found::One(*found);
        }
        let mut hits: Vec<(PackageId, T)> = Vec::new();
        for p in self.visible(package).into_iter().skip(1) {
            if let Some(found) = table.get(p.index()).and_then(|t| t.get(name)) {
                hits.push((p, *found));
            }
        }
        match hits.as_slice() {
            [] => Found::Nothing,
            [(_, one)] => Found::One(*one),
            many => Found::Ambiguous(many.iter().map(|(p, _)| *p).collect()),
        }
    }

    fn names_in<T>(&self, package: PackageId, table: &[FxHashMap<Arc<str>, T>]) -> Vec<Arc<str>> {
        let mut names: Vec<Arc<str>> = self
            .visible(package)
            .into_iter()
            .filter_map(|p| table.get(p.index()))
            .flat_map(|t| t.keys().cloned())
            .collect();
        names.sort();
        names
    }

    /// Resolves an evidence kind by name, reporting unknown or ambiguous names.
    pub(super) fn resolve_kind(
        &mut self,
        package: PackageId,
        file: FileId,
        name: &ast::Name,
    ) -> Option<KindId> {
        self.resolve_kind_as(package, file, &name.text, name.span, Code::UNKNOWN_SCHEMA)
    }

    pub(super) fn resolve_kind_as(
        &mut self,
        package: PackageId,
        file: FileId,
        name: &str,
        span: Span,
        code: Code,
    ) -> Option<KindId> {
        if let Some((target, rest)) = self.split_qualified(package, name) {
            if let Some(kind) = self.kinds.get(target.index()).and_then(|t| t.get(rest)) {
                return Some(*kind);
            }
            let names = self.names_in(target, &self.kinds);
            let mut d = self.diag(
                code,
                file,
                span,
                format!("package `{}` has no evidence kind `{rest}`", self.package_name(target)),
            );
            if let Some(best) = did_you_mean(rest, names.iter().map(|n| &**n)) {
                let fixed = format!("{}.{best}", &name[..name.len() - rest.len() - 1]);
                d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                    format!("replace with `{fixed}`"),
                    span,
                    fixed.clone(),
                );
            }
            self.report(d);
            return None;
        }
        match self.find(package, name, &self.kinds) {
            Found::One(k) => Some(k),
            Found::Ambiguous(packages) => {
                self.ambiguous("evidence kind", name, file, span, &packages);
                None
            }
            Found::Nothing => {
                let names = self.names_in(package, &self.kinds);
                let mut d = self.diag(code, file, span, format!("no evidence kind named `{name}`"));
                if let Some(best) = did_you_mean(name, names.iter().map(|n| &**n)) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        span,
                        best.to_owned(),
                    );
                } else {
                    d = d.with_help("declare it with `schema`, or `use` the package that declares it");
                }
                self.report(d);
                None
            }
        }
    }

    fn ambiguous(&mut self, what: &str, name: &str, file: FileId, span: Span, packages: &[PackageId]) {
        let names: Vec<String> = packages.iter().map(|p| format!("`{}`", self.package_name(*p))).collect();
        let first = packages.first().map_or("pkg".to_owned(), |p| self.package_name(*p).to_owned());
        let d = self
            .diag(
                Code::AMBIGUOUS_NAME,
                file,
                span,
                format!("{what} `{name}` is declared by {}", names.join(" and ")),
            )
            .with_help(format!("qualify it, as in `{first}.{name}`"));
        self.report(d);
    }

    /// A parameter by unqualified name, without reporting.
    pub(super) fn find_param(&self, package: PackageId, name: &str) -> Found<ParamId> {
        self.find(package, name, &self.params)
    }

    /// Parameters visible unqualified, for suggestions.
    pub(super) fn param_names(&self, package: PackageId) -> Vec<Arc<str>> {
        self.names_in(package, &self.params)
    }

    /// Splits `path` into the longest package prefix the package can name and the rest.
    pub(super) fn split_qualified<'p>(
        &self,
        package: PackageId,
        path: &'p str,
    ) -> Option<(PackageId, &'p str)> {
        let mut candidates: Vec<(Arc<str>, PackageId)> = Vec::new();
        candidates.push((Arc::from(self.package_name(package)), package));
        if let Some(aliases) = self.aliases.get(package.index()) {
            candidates.extend(aliases.iter().cloned());
        }
        if let Some(reach) = self.reach.get(package.index()) {
            for p in reach {
                candidates.push((Arc::from(self.package_name(*p)), *p));
            }
        }
        candidates
            .into_iter()
            .filter_map(|(name, p)| {
                let rest = path.strip_prefix(&*name)?.strip_prefix('.')?;
                (!rest.is_empty()).then_some((name.len(), p, rest))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, p, rest)| (p, rest))
    }

    /// True when `name` is a package the current package can qualify names with.
    pub(super) fn is_package_name(&self, package: PackageId, name: &str) -> Option<PackageId> {
        if self.package_name(package) == name {
            return Some(package);
        }
        if let Some(p) = self.aliases.get(package.index()).and_then(|a| a.iter().find(|(n, _)| &**n == name))
        {
            return Some(p.1);
        }
        self.reach.get(package.index())?.iter().copied().find(|p| self.package_name(*p) == name)
    }

    /// The parameter written `text` or `pkg.text` in `package`, when it names exactly one.
    pub(super) fn param_path(&self, package: PackageId, text: &str) -> Option<ParamId> {
        match self.split_qualified(package, text) {
            Some((target, rest)) => self.params.get(target.index()).and_then(|t| t.get(rest)).copied(),
            None => match self.find_param(package, text) {
                Found::One(p) => Some(p),
                Found::Ambiguous(_) | Found::Nothing => None,
            },
        }
    }

    /// Resolves a parameter written `name` or `pkg.name`, reporting failures.
    pub(super) fn resolve_param_path(
        &mut self,
        package: PackageId,
        file: FileId,
        name: &ast::Name,
    ) -> Option<ParamId> {
        if let Some(p) = self.param_path(package, &name.text) {
            return Some(p);
        }
        if let Some((target, rest)) = self.split_qualified(package, &name.text) {
            let names = self.names_in(target, &self.params);
            let mut d = self.diag(
                Code::UNKNOWN_PARAM,
                file,
                name.span,
                format!("package `{}` has no parameter `{rest}`", self.package_name(target)),
            );
            if let Some(best) = did_you_mean(rest, names.iter().map(|n| &**n)) {
                let fixed = format!("{}.{best}", &name.text[..name.text.len() - rest.len() - 1]);
                d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                    format!("replace with `{fixed}`"),
                    name.span,
                    fixed.clone(),
                );
            }
            self.report(d);
            return None;
        }
        match self.find_param(package, &name.text) {
            Found::One(p) => Some(p),
            Found::Ambiguous(packages) => {
                self.ambiguous("parameter", &name.text, file, name.span, &packages);
                None
            }
            Found::Nothing => {
                let names = self.param_names(package);
                let mut d = self.diag(
                    Code::UNKNOWN_PARAM,
                    file,
                    name.span,
                    format!("no parameter named `{}`", name.text),
                );
                if let Some(best) = did_you_mean(&name.text, names.iter().map(|n| &**n)) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        name.span,
                        best.to_owned(),
                    );
                }
                self.report(d);
                None
            }
        }
    }

    /// Resolves a control written `id` (this package) or `pkg.id`, reporting failures.
    pub(super) fn resolve_control(
        &mut self,
        package: PackageId,
        file: FileId,
        name: &ast::Name,
    ) -> Option<ControlId> {
        let (target, local) =
            self.split_qualified(package, &name.text).unwrap_or((package, name.text.as_str()));
        if let Some(found) = self.controls.get(target.index()).and_then(|t| t.get(local)) {
            return Some(*found);
        }
        if target == package {
            // An unqualified id may belong to a used package.
            let mut hits: Vec<ControlId> = Vec::new();
            for p in self.visible(package).into_iter().skip(1) {
                if let Some(c) = self.controls.get(p.index()).and_then(|t| t.get(local)) {
                    hits.push(*c);
                }
            }
            if let [one] = hits.as_slice() {
                return Some(*one);
            }
        }
        let candidates: Vec<Arc<str>> = self.controls.get(target.index()).map_or_else(Vec::new, |t| {
            let mut v: Vec<Arc<str>> = t.keys().cloned().collect();
            v.sort();
            v
        });
        let mut d = self.diag(
            Code::UNKNOWN_CONTROL,
            file,
            name.span,
            format!("package `{}` has no control `{local}`", self.package_name(target)),
        );
        if let Some(best) = did_you_mean(local, candidates.iter().map(|n| &**n)) {
            let fixed = format!("{}{best}", &name.text[..name.text.len() - local.len()]);
            d = d.with_help(format!("did you mean `{fixed}`?")).with_suggestion(
                format!("replace with `{fixed}`"),
                name.span,
                fixed.clone(),
            );
        } else if target == package {
            d = d.with_help(
                "qualify controls of other packages with the package name, as in `iso42001.A.5.2`",
            );
        }
        self.report(d);
        None
    }

    /// A framework visible by unqualified name.
    pub(super) fn find_framework(&self, package: PackageId, name: &str) -> Found<FrameworkId> {
        self.find(package, name, &self.frameworks)
    }

    /// Frameworks visible unqualified, for suggestions.
    pub(super) fn framework_names(&self, package: PackageId) -> Vec<Arc<str>> {
        self.names_in(package, &self.frameworks)
    }

    /// The control with a local id in a package.
    pub(super) fn control_in(&self, package: PackageId, local: &str) -> Option<ControlId> {
        self.controls.get(package.index()).and_then(|t| t.get(local)).copied()
    }

    /// The controls a crosswalk's left side names: the control with that id, or else the
    /// group it heads (`A.5` names `A.5.2`, `A.5.3`, …; clause `4` names `4.1` … `4.4`),
    /// since sources map whole clauses and Annex A objectives as well as single controls.
    pub(super) fn controls_named(&self, package: PackageId, id: &str) -> Vec<ControlId> {
        if let Some(c) = self.control_in(package, id) {
            return vec![c];
        }
        let prefix = format!("{id}.");
        let mut group: Vec<(Arc<str>, ControlId)> = self
            .controls
            .get(package.index())
            .map(|t| t.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        group.sort();
        group.into_iter().map(|(_, c)| c).collect()
    }

    /// The rule `name` of a control (waivers and test expectations may name one),
    /// reporting a rule the control does not have; `Err` once reported.
    pub(super) fn resolve_rule(
        &mut self,
        control: ControlId,
        file: FileId,
        name: Option<&ast::Name>,
    ) -> Result<Option<Arc<str>>, ()> {
        let Some(r) = name else { return Ok(None) };
        let c = &self.program.controls[control.index()];
        if c.rules.iter().any(|x| *x.name == *r.text) {
            return Ok(Some(Arc::from(r.text.as_str())));
        }
        let names: Vec<Arc<str>> = c.rules.iter().map(|x| x.name.clone()).collect();
        let qualified = c.qualified.clone();
        let mut d = self.diag(
            Code::UNKNOWN_RULE,
            file,
            r.span,
            format!("control `{qualified}` has no rule `{}`", r.text),
        );
        if let Some(best) = did_you_mean(&r.text, names.iter().map(|n| &**n)) {
            d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                format!("replace with `{best}`"),
                r.span,
                best.to_owned(),
            );
        }
        self.report(d);
        Err(())
    }

    /// Control ids of a package, sorted, for suggestions.
    pub(super) fn control_ids(&self, package: PackageId) -> Vec<Arc<str>> {
        let mut v: Vec<Arc<str>> =
            self.controls.get(package.index()).map_or_else(Vec::new, |t| t.keys().cloned().collect());
        v.sort();
        v
    }
}
