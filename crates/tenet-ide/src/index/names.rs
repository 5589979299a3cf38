//! Name look-up with the checker's rules: an unqualified name is searched in its own
//! package, then in the packages it uses directly (a name two of them declare resolves to
//! nothing); a qualified name `pkg.name` may name any package the current one reaches, by
//! its name or a `use … as` alias.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tenet_diagnostics::Span;
use tenet_sema::{ControlId, FileId, FrameworkId, KindId, PackageId, ParamId, Program};
use tenet_syntax::ast::{Ast, Item};

use super::Definition;

/// One table per package, from a name to what it names.
type Table<T> = Vec<HashMap<Arc<str>, T>>;

/// The names each package declares and the packages it can see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Scopes {
    file_package: Vec<Option<PackageId>>,
    kinds: Table<KindId>,
    params: Table<ParamId>,
    controls: Table<ControlId>,
    frameworks: Table<FrameworkId>,
    /// The names a package may qualify with: its own, those of packages it uses (and
    /// their aliases), and those it reaches.
    qualifiers: Vec<Vec<(Arc<str>, PackageId)>>,
    /// Declarations by their file and the start of their name.
    declarations: HashMap<(FileId, u32), Definition>,
}

/// The outcome of an unqualified look-up.
fn find_in<T: Copy>(table: &Table<T>, visible: &[PackageId], name: &str) -> Option<T> {
    let (own, used) = visible.split_first()?;
    if let Some(found) = table.get(own.index()).and_then(|t| t.get(name)) {
        return Some(*found);
    }
    let hits: Vec<T> =
        used.iter().filter_map(|p| table.get(p.index()).and_then(|t| t.get(name))).copied().collect();
    match hits.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn table<T: Copy>(count: usize, entries: impl Iterator<Item = (PackageId, Arc<str>, T)>) -> Table<T> {
    let mut out: Table<T> = vec![HashMap::new(); count];
    for (package, name, value) in entries {
        if let Some(t) = out.get_mut(package.index()) {
            t.entry(name).or_insert(value);
        }
    }
    out
}

impl Scopes {
    /// Builds the tables of a checked program; `asts` are its files' trees, by file id,
    /// read for `use … as` aliases, which the program does not keep.
    pub(crate) fn new(program: &Program, asts: &[&Ast]) -> Scopes {
        let count = program.packages.len();
        let mut file_package = vec![None; program.files.len()];
        for (p, package) in program.packages.iter().enumerate() {
            for file in &package.files {
                if let Some(slot) = file_package.get_mut(file.index()) {
                    *slot = Some(PackageId(p as u32));
                }
            }
        }
        let ids = |i: usize| i as u32;
        let kinds = table(
            count,
            program.schemas.iter().enumerate().map(|(i, s)| (s.package, s.name.clone(), KindId(ids(i)))),
        );
        let params = table(
            count,
            program.params.iter().enumerate().map(|(i, p)| (p.package, p.name.clone(), ParamId(ids(i)))),
        );
        let controls = table(
            count,
            program
                .controls
                .iter()
                .enumerate()
                .map(|(i, c)| (c.package, c.local_id.clone(), ControlId(ids(i)))),
        );
        let frameworks = table(
            count,
            program
                .frameworks
                .iter()
                .enumerate()
                .map(|(i, f)| (f.package, f.name.clone(), FrameworkId(ids(i)))),
        );

        let by_name: HashMap<&str, PackageId> =
            program.packages.iter().enumerate().map(|(i, p)| (&*p.name, PackageId(ids(i)))).collect();
        let mut qualifiers = Vec::with_capacity(count);
        let mut reach: Vec<BTreeSet<PackageId>> = vec![BTreeSet::new(); count];
        // Packages come after those they use, so each closure is complete when read.
        for (i, package) in program.packages.iter().enumerate() {
            let mut set = BTreeSet::new();
            for u in &package.uses {
                set.insert(*u);
                set.extend(reach.get(u.index()).into_iter().flatten().copied());
            }
            let mut names: Vec<(Arc<str>, PackageId)> = vec![(package.name.clone(), PackageId(ids(i)))];
            for file in &package.files {
                for item in asts.get(file.index()).map(|a| a.items.as_slice()).unwrap_or_default() {
                    if let Item::Use(u) = item
                        && let Some(target) = by_name.get(u.path.text.as_str())
                        && let Some(alias) = &u.alias
                    {
                        names.push((Arc::from(alias.text.as_str()), *target));
                    }
                }
            }
            names.extend(
                set.iter().filter_map(|p| program.packages.get(p.index()).map(|q| (q.name.clone(), *p))),
            );
            qualifiers.push(names);
            if let Some(slot) = reach.get_mut(i) {
                *slot = set;
            }
        }

        let mut declarations = HashMap::new();
        for (i, s) in program.schemas.iter().enumerate() {
            declarations.insert((s.file, s.span.start), Definition::Schema(KindId(ids(i))));
        }
        for (i, p) in program.params.iter().enumerate() {
            declarations.insert((p.file, p.span.start), Definition::Param(ParamId(ids(i))));
        }
        for (i, c) in program.controls.iter().enumerate() {
            declarations.insert((c.file, c.span.start), Definition::Control(ControlId(ids(i))));
            for rule in &c.rules {
                declarations.insert(
                    (c.file, rule.span.start),
                    Definition::Rule(ControlId(ids(i)), rule.name.clone()),
                );
            }
        }
        for (i, f) in program.frameworks.iter().enumerate() {
            declarations.insert((f.file, f.span.start), Definition::Framework(FrameworkId(ids(i))));
            for r in &f.requirements {
                declarations.insert(
                    (r.file, r.span.start),
                    Definition::Requirement(FrameworkId(ids(i)), r.id.clone()),
                );
            }
        }
        Scopes { file_package, kinds, params, controls, frameworks, qualifiers, declarations }
    }

    /// The package a file belongs to.
    pub(crate) fn package_of(&self, file: FileId) -> Option<PackageId> {
        self.file_package.get(file.index()).copied().flatten()
    }

    /// What the checker recorded as declared at `span` of `file`.
    pub(crate) fn declared_at(&self, file: FileId, span: Span) -> Option<&Definition> {
        self.declarations.get(&(file, span.start))
    }

    /// The package itself, then those it uses directly.
    pub(crate) fn visible(&self, program: &Program, package: PackageId) -> Vec<PackageId> {
        let mut out = vec![package];
        if let Some(p) = program.packages.get(package.index()) {
            out.extend(p.uses.iter().copied());
        }
        out
    }

    pub(crate) fn kind(&self, program: &Program, package: PackageId, name: &str) -> Option<KindId> {
        if let Some((target, rest)) = self.split_qualified(package, name) {
            return self.kinds.get(target.index()).and_then(|t| t.get(rest)).copied();
        }
        find_in(&self.kinds, &self.visible(program, package), name)
    }

    pub(crate) fn param(&self, program: &Program, package: PackageId, name: &str) -> Option<ParamId> {
        find_in(&self.params, &self.visible(program, package), name)
    }

    pub(crate) fn param_in(&self, package: PackageId, name: &str) -> Option<ParamId> {
        self.params.get(package.index()).and_then(|t| t.get(name)).copied()
    }

    pub(crate) fn framework(&self, program: &Program, package: PackageId, name: &str) -> Option<FrameworkId> {
        find_in(&self.frameworks, &self.visible(program, package), name)
    }

    pub(crate) fn control_in(&self, package: PackageId, local: &str) -> Option<ControlId> {
        self.controls.get(package.index()).and_then(|t| t.get(local)).copied()
    }

    /// A control written `id` (this package, or one used package that declares it) or
    /// `pkg.id`, with the length of the package prefix written (0 when unqualified).
    pub(crate) fn control(
        &self,
        program: &Program,
        package: PackageId,
        text: &str,
    ) -> Option<(ControlId, usize)> {
        if let Some((target, local)) = self.split_qualified(package, text)
            && let Some(c) = self.control_in(target, local)
        {
            return Some((c, text.len() - local.len()));
        }
        find_in(&self.controls, &self.visible(program, package), text).map(|c| (c, 0))
    }

    /// A package the current package can name, by name or alias.
    pub(crate) fn package_named(&self, package: PackageId, name: &str) -> Option<PackageId> {
        self.qualifiers.get(package.index())?.iter().find(|(n, _)| &**n == name).map(|(_, p)| *p)
    }

    /// Splits `path` into the longest package prefix the package can name and the rest.
    pub(crate) fn split_qualified<'p>(
        &self,
        package: PackageId,
        path: &'p str,
    ) -> Option<(PackageId, &'p str)> {
        self.qualifiers
            .get(package.index())?
            .iter()
            .filter_map(|(name, p)| {
                let rest = path.strip_prefix(&**name)?.strip_prefix('.')?;
                (!rest.is_empty()).then_some((name.len(), *p, rest))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, p, rest)| (p, rest))
    }

    /// The names the package can qualify with, each once.
    pub(crate) fn qualifier_names(&self, package: PackageId) -> Vec<(Arc<str>, PackageId)> {
        let mut out: Vec<(Arc<str>, PackageId)> =
            self.qualifiers.get(package.index()).cloned().unwrap_or_default();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// Evidence kinds visible unqualified.
    pub(crate) fn kinds_visible(&self, program: &Program, package: PackageId) -> Vec<(Arc<str>, KindId)> {
        Self::entries(&self.kinds, &self.visible(program, package))
    }

    /// Parameters visible unqualified.
    pub(crate) fn params_visible(&self, program: &Program, package: PackageId) -> Vec<(Arc<str>, ParamId)> {
        Self::entries(&self.params, &self.visible(program, package))
    }

    /// Frameworks visible unqualified.
    pub(crate) fn frameworks_visible(
        &self,
        program: &Program,
        package: PackageId,
    ) -> Vec<(Arc<str>, FrameworkId)> {
        Self::entries(&self.frameworks, &self.visible(program, package))
    }

    /// Parameters declared by one package.
    pub(crate) fn params_of(&self, package: PackageId) -> Vec<(Arc<str>, ParamId)> {
        Self::entries(&self.params, &[package])
    }

    fn entries<T: Copy>(table: &Table<T>, packages: &[PackageId]) -> Vec<(Arc<str>, T)> {
        let mut out: Vec<(Arc<str>, T)> = packages
            .iter()
            .filter_map(|p| table.get(p.index()))
            .flat_map(|t| t.iter().map(|(n, v)| (n.clone(), *v)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }
}
