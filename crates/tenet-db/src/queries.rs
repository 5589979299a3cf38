//! The tracked queries: parse each file, check the program, collect diagnostics.

use std::collections::BTreeSet;
use std::sync::Arc;

use tenet_diagnostics::Diagnostic;
use tenet_sema::{CheckInput, Origin, Program};
use tenet_syntax::SyntaxError;
use tenet_syntax::ast::{Ast, Item};

use crate::{Db, SourceFile, Workspace};

/// A parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The items that parsed.
    pub ast: Ast,
    /// Its syntax errors.
    pub errors: Vec<SyntaxError>,
}

/// Parses one file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parsed {
    let (ast, errors) = tenet_syntax::parse_bytes(file.bytes(db));
    Parsed { ast, errors }
}

/// The built-in pack a file belongs to, by its first directory (`<stdlib>/iso42001/…`).
fn built_in_pack(path: &str) -> &str {
    let relative = path.strip_prefix(tenet_stdlib::PATH_PREFIX).unwrap_or(path);
    relative.split('/').next().unwrap_or_default()
}

/// The packs a file's `use` lines reach, by their first name (`iso42001` for
/// `iso42001.x`).
fn used_packs(parsed: &Parsed, into: &mut BTreeSet<String>) {
    for item in &parsed.ast.items {
        if let Item::Use(u) = item {
            into.insert(u.path.text.split('.').next().unwrap_or_default().to_owned());
        }
    }
}

/// The files the checker reads: every file of the workspace and of its dependencies, and
/// the files of the built-in packs they reach through `use` (the prelude `tenet` always).
/// A built-in pack nothing reaches is neither parsed nor checked.
#[salsa::tracked(returns(ref))]
pub fn checked_files(db: &dyn Db, workspace: Workspace) -> Vec<SourceFile> {
    let files = workspace.policy_files(db);
    let built_in = |f: &SourceFile| f.origin(db) == Origin::Stdlib;
    let mut chosen: Vec<bool> = files.iter().map(|f| !built_in(f)).collect();
    let mut needed: BTreeSet<String> = BTreeSet::from([tenet_sema::PRELUDE.to_owned()]);
    let mut frontier: Vec<SourceFile> = files.iter().filter(|f| !built_in(f)).copied().collect();
    while !frontier.is_empty() {
        for file in frontier.drain(..) {
            used_packs(parse(db, file), &mut needed);
        }
        for (i, file) in files.iter().enumerate() {
            if !chosen[i] && needed.contains(built_in_pack(file.path(db))) {
                chosen[i] = true;
                frontier.push(*file);
            }
        }
    }
    files.iter().zip(chosen).filter_map(|(f, chosen)| chosen.then_some(*f)).collect()
}

/// Checks the workspace's files (and the built-in packs they reach) together.
#[salsa::tracked(returns(ref))]
pub fn program(db: &dyn Db, workspace: Workspace) -> Program {
    let files = checked_files(db, workspace);
    let paths: Vec<Arc<str>> = files.iter().map(|f| Arc::from(f.path(db))).collect();
    let inputs: Vec<CheckInput<'_>> = files
        .iter()
        .zip(&paths)
        .map(|(f, path)| CheckInput { path, origin: f.origin(db), ast: &parse(db, *f).ast })
        .collect();
    tenet_sema::check(&inputs)
}

/// Every diagnostic of the workspace's policies: syntax errors and the checker's findings,
/// sorted.
#[salsa::tracked(returns(ref))]
pub fn diagnostics(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for file in checked_files(db, workspace) {
        let path = file.path(db);
        out.extend(parse(db, *file).errors.iter().map(|e| e.to_diagnostic(path)));
    }
    out.extend(program(db, workspace).diagnostics.iter().cloned());
    Diagnostic::normalize(&mut out);
    out
}

/// Parses, in parallel over database clones, every file the checker will read: the
/// workspace's first, then the built-in packs they reach, wave by wave, so that
/// `checked_files` and the checker find every parse memoized.
pub fn parse_all(db: &crate::Database, workspace: Workspace) {
    use rayon::prelude::*;
    let files = workspace.policy_files(db).clone();
    let parse_in_parallel = |wave: &[SourceFile]| {
        wave.par_iter().for_each_with(db.clone(), |db, file| {
            let _ = parse(db, *file);
        });
    };
    let mut wave: Vec<SourceFile> =
        files.iter().filter(|f| f.origin(db) != Origin::Stdlib).copied().collect();
    let mut needed: BTreeSet<String> = BTreeSet::from([tenet_sema::PRELUDE.to_owned()]);
    let mut parsed: BTreeSet<usize> = BTreeSet::new();
    while !wave.is_empty() {
        parse_in_parallel(&wave);
        for file in &wave {
            used_packs(parse(db, *file), &mut needed);
        }
        wave = files
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                f.origin(db) == Origin::Stdlib
                    && needed.contains(built_in_pack(f.path(db)))
                    && parsed.insert(*i)
            })
            .map(|(_, f)| *f)
            .collect();
    }
}
