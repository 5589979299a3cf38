//! The variables in scope at the cursor, and the type of a dotted chain such as
//! `s.system.owner`.
//!
//! A line being typed seldom parses (`where s.` has no field yet, a rule has no `require`
//! yet), so the file is parsed again with a placeholder at the cursor — and, if that is not
//! enough, a placeholder `require` after it — and indexed like any file. When even that
//! fails, bindings are read from the tokens (`for x: Kind`, `some x: Kind`, `let x = …`).

use std::sync::Arc;

use tenet_sema::ty::Ty;
use tenet_sema::{FileId, PackageId, Program};

use super::context::Tokens;
use crate::index::{Scopes, field_def, index_ast};

/// What a placeholder inserted at the cursor is called: a name nobody writes.
pub(crate) const PLACEHOLDER: &str = "tenet__completion";

/// The variables visible at the cursor, innermost last.
pub(crate) struct Scope {
    pub package: Option<PackageId>,
    pub locals: Vec<(Arc<str>, Ty, &'static str)>,
}

/// What a dotted chain denotes.
pub(crate) enum Chain {
    /// A value of this type: its fields complete.
    Value(Ty),
    /// A package: its parameters and kinds complete.
    Package(PackageId),
    /// Nothing known.
    Unknown,
}

/// The patches tried, in order: each is inserted at the cursor.
const PATCHES: &[&str] = &["", "\nrequire true\n", "\"", "\"\nrequire true\n", ")\nrequire true\n"];

impl Scope {
    pub(crate) fn at(program: &Program, scopes: &Scopes, file: FileId, tokens: &Tokens<'_>) -> Scope {
        let package = scopes.package_of(file);
        let offset = tokens.offset;
        let before = tokens.text.get(..offset as usize).unwrap_or_default();
        let after = tokens.text.get(offset as usize..).unwrap_or_default();
        for patch in PATCHES {
            let patched = format!("{before}{PLACEHOLDER}{patch}{after}");
            let (ast, _) = tenet_syntax::parse(&patched);
            if !ast.items.iter().any(|i| i.span().start < offset && offset < i.span().end) {
                continue;
            }
            let index = index_ast(program, scopes, file, &ast);
            let locals = index
                .locals_at(offset)
                .into_iter()
                .filter(|l| !l.name.starts_with(PLACEHOLDER))
                .map(|l| (l.name.clone(), l.ty.clone(), l.binder))
                .collect();
            return Scope { package, locals };
        }
        let from = tokens.item_at(offset).map_or(0, |(_, start)| start);
        let locals = tokens
            .bindings_before(from, offset)
            .into_iter()
            .map(|(var, kind)| {
                let ty = kind
                    .zip(package)
                    .and_then(|(k, p)| scopes.kind(program, p, &k))
                    .map_or(Ty::Error, Ty::Doc);
                (Arc::from(var), ty, "for")
            })
            .collect();
        Scope { package, locals }
    }

    /// The innermost variable called `name`.
    pub(crate) fn local(&self, name: &str) -> Option<&Ty> {
        self.locals.iter().rev().find(|(n, _, _)| &**n == name).map(|(_, t, _)| t)
    }

    /// What `words` (a dotted chain) denotes.
    pub(crate) fn chain(&self, program: &Program, scopes: &Scopes, words: &[&str]) -> Chain {
        let Some((root, rest)) = words.split_first() else { return Chain::Unknown };
        let param_ty = |package: PackageId, name: &str, qualified: bool| {
            let p =
                if qualified { scopes.param_in(package, name) } else { scopes.param(program, package, name) };
            p.and_then(|p| program.params.get(p.index())).map(|p| p.ty.clone())
        };
        let start = self.local(root).cloned().map(|ty| (ty, rest)).or_else(|| {
            let package = self.package?;
            param_ty(package, root, false).map(|ty| (ty, rest))
        });
        let (mut ty, fields) = match start {
            Some(found) => found,
            None => {
                let Some(package) = self.package else { return Chain::Unknown };
                // The longest prefix that names a package, then a parameter of it.
                let split = (1..=words.len()).rev().find_map(|n| {
                    let path = words.get(..n)?.join(".");
                    scopes.package_named(package, &path).map(|p| (n, p))
                });
                let Some((n, target)) = split else { return Chain::Unknown };
                let Some((param, fields)) = words.get(n..).and_then(|r| r.split_first()) else {
                    return Chain::Package(target);
                };
                match param_ty(target, param, true) {
                    Some(ty) => (ty, fields),
                    None => return Chain::Unknown,
                }
            }
        };
        for field in fields {
            match field_def(program, &ty, field) {
                Some(def) => ty = def.ty.clone(),
                None => return Chain::Unknown,
            }
        }
        Chain::Value(ty)
    }
}
