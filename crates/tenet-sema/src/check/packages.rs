//! Assembling packages from files, resolving `use`, and ordering packages so that each
//! comes after the packages it uses. Import cycles are diagnostics, found by an explicit
//! walk, never by recursion that could loop.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_syntax::ast::{Ast, Item};

use crate::program::{FileId, Origin, Package, PackageId};
use crate::suggest::did_you_mean;

/// The package that every package uses implicitly: it declares the `Attestation` kind.
pub const PRELUDE: &str = "tenet";

/// A `use` line, before resolution.
pub(crate) struct UseLine {
    pub target: Arc<str>,
    pub alias: Option<Arc<str>>,
    pub file: FileId,
    pub span: Span,
}

/// A package as found in the files, before ids are assigned.
pub(crate) struct FoundPackage {
    pub origin: Origin,
    pub files: Vec<FileId>,
    pub uses: Vec<UseLine>,
    pub doc: Option<String>,
}

/// The outcome of assembling packages.
pub(crate) struct Packages {
    /// Packages in dependency order.
    pub packages: Vec<Package>,
    /// Aliases each package gives to the packages it uses.
    pub aliases: Vec<Vec<(Arc<str>, PackageId)>>,
    /// For each package, every package it uses directly or indirectly.
    pub reach: Vec<BTreeSet<PackageId>>,
}

/// Groups files into packages, resolves `use` lines, drops packages nothing reaches and
/// orders the rest.
pub(crate) fn assemble(files: &[(Arc<str>, Origin, &Ast)], diagnostics: &mut Vec<Diagnostic>) -> Packages {
    let mut found: BTreeMap<Arc<str>, FoundPackage> = BTreeMap::new();
    for (index, (path, origin, ast)) in files.iter().enumerate() {
        let file = FileId(index as u32);
        let Some(name) = package_name(path, ast, diagnostics) else { continue };
        if let Some(existing) = found.get(&name)
            && existing.origin != *origin
        {
            // A workspace package replaces a built-in one of the same name.
            if *origin == Origin::Stdlib {
                continue;
            }
            if existing.origin == Origin::Stdlib {
                found.remove(&name);
            }
        }
        let entry = found.entry(name.clone()).or_insert_with(|| FoundPackage {
            origin: *origin,
            files: Vec::new(),
            uses: Vec::new(),
            doc: None,
        });
        entry.files.push(file);
        for item in &ast.items {
            match item {
                Item::Use(u) => entry.uses.push(UseLine {
                    target: Arc::from(u.path.text.as_str()),
                    alias: u.alias.as_ref().map(|a| Arc::from(a.text.as_str())),
                    file,
                    span: u.path.span,
                }),
                Item::Package(p) => {
                    if let Some(doc) = &p.doc {
                        entry.doc = Some(doc.text());
                    }
                }
                _ => {}
            }
        }
    }

    // Resolve `use` lines to package names; unknown packages are reported and dropped.
    let names: Vec<Arc<str>> = found.keys().cloned().collect();
    let mut edges: BTreeMap<Arc<str>, Vec<UseEdge>> = BTreeMap::new();
    for (name, package) in &found {
        let mut targets = Vec::new();
        for u in &package.uses {
            let path = &files[u.file.index()].0;
            if u.target == *name {
                diagnostics.push(
                    Diagnostic::new(
                        Code::REDUNDANT_USE,
                        path.clone(),
                        u.span,
                        format!("package `{name}` uses itself"),
                    )
                    .with_help("remove this line"),
                );
                continue;
            }
            if !found.contains_key(&u.target) {
                let mut d = Diagnostic::new(
                    Code::UNKNOWN_PACKAGE,
                    path.clone(),
                    u.span,
                    format!("no package named `{}`", u.target),
                );
                if let Some(best) = did_you_mean(&u.target, names.iter().map(|n| &**n)) {
                    d = d.with_help(format!("did you mean `{best}`?")).with_suggestion(
                        format!("replace with `{best}`"),
                        u.span,
                        best.to_owned(),
                    );
                } else {
                    d = d.with_help("packages come from the files being checked, their dependencies, or the packs built into Tenet (`iso42001`, `eu_ai_act`, `nist_ai_rmf`)");
                }
                diagnostics.push(d);
                continue;
            }
            if targets.iter().any(|(t, _, _, _): &(Arc<str>, _, _, _)| *t == u.target) {
                diagnostics.push(Diagnostic::new(
                    Code::REDUNDANT_USE,
                    path.clone(),
                    u.span,
                    format!("package `{}` is already used", u.target),
                ));
                continue;
            }
            targets.push((u.target.clone(), u.alias.clone(), u.file, u.span));
        }
        if **name != *PRELUDE && found.contains_key(PRELUDE) && !targets.iter().any(|t| &*t.0 == PRELUDE) {
            targets.push((Arc::from(PRELUDE), None, FileId(u32::MAX), Span::default()));
        }
        edges.insert(name.clone(), targets);
    }

    // Break cycles: a depth-first walk in name order reports each back edge once.
    let mut state: BTreeMap<Arc<str>, u8> = BTreeMap::new(); // 1 = on stack, 2 = done
    let mut order: Vec<Arc<str>> = Vec::new();
    for root in names.iter() {
        if state.contains_key(root) {
            continue;
        }
        // Iterative DFS: (node, next edge index).
        let mut stack: Vec<(Arc<str>, usize)> = vec![(root.clone(), 0)];
        state.insert(root.clone(), 1);
        while let Some((node, next)) = stack.last().cloned() {
            let targets = edges.get(&node).cloned().unwrap_or_default();
            if let Some((target, _, file, span)) = targets.get(next).cloned() {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state.get(&target) {
                    None => {
                        state.insert(target.clone(), 1);
                        stack.push((target, 0));
                    }
                    Some(1) => {
                        let start = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[start..].iter().map(|(n, _)| format!("`{n}`")).collect();
                        cycle.push(format!("`{target}`"));
                        if let Some((path, _, _)) = files.get(file.index()) {
                            diagnostics.push(
                                Diagnostic::new(
                                    Code::IMPORT_CYCLE,
                                    path.clone(),
                                    span,
                                    format!("import cycle: {}", cycle.join(" uses ")),
                                )
                                .with_help("move what the packages share into a package that both use"),
                            );
                        }
                        if let Some(list) = edges.get_mut(&node) {
                            list.retain(|(t, _, _, s)| !(*t == target && *s == span));
                        }
                        if let Some(top) = stack.last_mut() {
                            top.1 -= 1;
                        }
                    }
                    Some(_) => {}
                }
            } else {
                state.insert(node.clone(), 2);
                order.push(node);
                stack.pop();
            }
        }
    }

    // Keep the packages the workspace reaches (everything when only built-in packs are given).
    let roots: Vec<&Arc<str>> =
        found.iter().filter(|(_, p)| p.origin == Origin::Workspace).map(|(n, _)| n).collect();
    let roots: Vec<&Arc<str>> = if roots.is_empty() { found.keys().collect() } else { roots };
    let mut reachable: BTreeSet<Arc<str>> = BTreeSet::new();
    let mut queue: Vec<Arc<str>> = roots.into_iter().cloned().collect();
    while let Some(n) = queue.pop() {
        if reachable.insert(n.clone()) {
            for (t, _, _, _) in edges.get(&n).into_iter().flatten() {
                queue.push(t.clone());
            }
        }
    }
    let order: Vec<Arc<str>> = order.into_iter().filter(|n| reachable.contains(n)).collect();
    let id_of: BTreeMap<Arc<str>, PackageId> =
        order.iter().enumerate().map(|(i, n)| (n.clone(), PackageId(i as u32))).collect();

    let mut packages = Vec::new();
    let mut aliases = Vec::new();
    for name in &order {
        let Some(fp) = found.remove(name) else { continue };
        let targets = edges.get(name).cloned().unwrap_or_default();
        let uses: Vec<PackageId> = targets.iter().filter_map(|(t, _, _, _)| id_of.get(t).copied()).collect();
        let mut names_here = Vec::new();
        for (t, alias, _, _) in &targets {
            if let Some(id) = id_of.get(t) {
                names_here.push((t.clone(), *id));
                if let Some(a) = alias {
                    names_here.push((a.clone(), *id));
                }
            }
        }
        aliases.push(names_here);
        packages.push(Package { name: name.clone(), origin: fp.origin, files: fp.files, uses, doc: fp.doc });
    }
    let mut reach: Vec<BTreeSet<PackageId>> = vec![BTreeSet::new(); packages.len()];
    for (i, p) in packages.iter().enumerate() {
        // Dependencies come first, so their closures are complete.
        let mut set = BTreeSet::new();
        for u in &p.uses {
            set.insert(*u);
            if let Some(r) = reach.get(u.index()) {
                set.extend(r.iter().copied());
            }
        }
        if let Some(slot) = reach.get_mut(i) {
            *slot = set;
        }
    }
    Packages { packages, aliases, reach }
}

/// The package a file declares, or a diagnostic when its first item is not `package`.
fn package_name(path: &Arc<str>, ast: &Ast, diagnostics: &mut Vec<Diagnostic>) -> Option<Arc<str>> {
    let mut name = None;
    for (i, item) in ast.items.iter().enumerate() {
        if let Item::Package(p) = item {
            if i == 0 {
                name = Some(Arc::from(p.path.text.as_str()));
            } else {
                diagnostics.push(
                    Diagnostic::new(
                        Code::PACKAGE_DECLARATION,
                        path.clone(),
                        p.span,
                        if name.is_some() {
                            "a file belongs to one package; this is a second `package` line"
                        } else {
                            "`package` must be the first declaration of the file"
                        },
                    )
                    .with_help("move each package into its own file"),
                );
            }
        }
    }
    if name.is_none()
        && let Some(first) = ast.items.first()
        && !matches!(first, Item::Package(_))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::PACKAGE_DECLARATION,
                path.clone(),
                Span::new(first.span().start, first.span().start),
                "the file does not start with a `package` line",
            )
            .with_help("start the file with `package name`; its declarations are ignored until then"),
        );
    }
    name
}

/// A resolved `use`: target package, alias, and where the line is.
type UseEdge = (Arc<str>, Option<Arc<str>>, FileId, Span);
