//! The tracked queries: parse each file, check the program, collect diagnostics.

use std::sync::Arc;

use tenet_diagnostics::Diagnostic;
use tenet_sema::{CheckInput, Program};
use tenet_syntax::SyntaxError;
use tenet_syntax::ast::Ast;

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

/// Checks every file of the workspace together.
#[salsa::tracked(returns(ref))]
pub fn program(db: &dyn Db, workspace: Workspace) -> Program {
    let files = workspace.policy_files(db);
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
    for file in workspace.policy_files(db) {
        let path = file.path(db);
        out.extend(parse(db, *file).errors.iter().map(|e| e.to_diagnostic(path)));
    }
    out.extend(program(db, workspace).diagnostics.iter().cloned());
    Diagnostic::normalize(&mut out);
    out
}

/// Parses every file of the workspace in parallel over database clones, so that the
/// checker, which reads the parses one after another, finds them memoized.
pub fn parse_all(db: &crate::Database, workspace: Workspace) {
    use rayon::prelude::*;
    let files = workspace.policy_files(db).clone();
    files.par_iter().for_each_with(db.clone(), |db, file| {
        let _ = parse(db, *file);
    });
}
