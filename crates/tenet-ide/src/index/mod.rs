//! The semantic index of a file: every name written in it, with the declaration it
//! denotes. Hover, go to definition, references, rename and highlighting are look-ups in it.
//!
//! The checker resolves names to build the typed IR but keeps no record of where each was
//! written; rather than widen its API, the index walks the syntax tree again and resolves
//! names with the checker's rules (`names.rs`), reading the checked [`Program`] for
//! everything else (declarations, types, fields).

mod names;
mod types;
mod walk;

use std::sync::Arc;

use tenet_db::{Db, SourceFile, Workspace, parse, program};
use tenet_diagnostics::Span;
use tenet_sema::{ControlId, FileId, FrameworkId, KindId, PackageId, ParamId, Program};
use tenet_syntax::ast::Ast;

pub(crate) use names::Scopes;
pub(crate) use types::{field_def, fields_of, nested_record};
pub(crate) use walk::Walker;

use crate::files::file_id;

/// A declaration, written once and referred to anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Definition {
    /// A package, by the `package` lines of its files.
    Package(PackageId),
    /// An evidence kind.
    Schema(KindId),
    /// A field of a schema or of a record type inside one.
    Field(DeclKey),
    /// A parameter.
    Param(ParamId),
    /// A control, clause or objective.
    Control(ControlId),
    /// A rule or attestation requirement of a control, by name.
    Rule(ControlId, Arc<str>),
    /// A framework.
    Framework(FrameworkId),
    /// A framework requirement, by id.
    Requirement(FrameworkId, Arc<str>),
    /// A variable bound by `for`, `let`, a quantifier or an aggregate.
    Local(DeclKey),
    /// A built-in function.
    Function(&'static str),
}

/// Identifies a declaration that has no id in the program (fields, variables): the file
/// and the span of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeclKey {
    /// The declaring file.
    pub file: FileId,
    /// The name at the declaration.
    pub span: Span,
}

/// Whether a name declares or uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The declaration itself.
    Declaration,
    /// A use.
    Reference,
}

/// One name written in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Exactly the text that names the declaration (for `pkg.param`, only `param`).
    pub span: Span,
    /// What it names.
    pub definition: Definition,
    /// Declaration or use.
    pub role: Role,
}

/// A variable binding and where it can be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDef {
    /// Its name.
    pub name: Arc<str>,
    /// The name at the binding.
    pub span: Span,
    /// Its type, as far as the index can tell (`Error` when unknown).
    pub ty: tenet_sema::ty::Ty,
    /// Where the variable is in scope.
    pub scope: Span,
    /// How it was bound, for hover: `for`, `let`, `some`, `count`, …
    pub binder: &'static str,
}

/// The names of one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileIndex {
    /// Every name, sorted by position.
    pub occurrences: Vec<Occurrence>,
    /// Every variable binding, in source order.
    pub locals: Vec<LocalDef>,
}

impl FileIndex {
    /// The name at `offset`: the one containing it, or ending right at it (a cursor just
    /// after a word still means the word).
    pub fn at(&self, offset: u32) -> Option<&Occurrence> {
        let inside = self.occurrences.iter().find(|o| o.span.start <= offset && offset < o.span.end);
        inside.or_else(|| self.occurrences.iter().find(|o| o.span.end == offset && !o.span.is_empty()))
    }

    /// The variables in scope at `offset`, innermost last.
    pub fn locals_at(&self, offset: u32) -> Vec<&LocalDef> {
        self.locals.iter().filter(|l| l.scope.start <= offset && offset <= l.scope.end).collect()
    }

    /// The binding of a variable.
    pub fn local(&self, key: DeclKey) -> Option<&LocalDef> {
        self.locals.iter().find(|l| l.span == key.span)
    }
}

/// The package tables of the workspace's program, built once per revision.
#[salsa::tracked(returns(ref))]
pub(crate) fn scopes(db: &dyn Db, workspace: Workspace) -> Scopes {
    let program = program(db, workspace);
    let asts: Vec<&Ast> = tenet_db::checked_files(db, workspace).iter().map(|f| &parse(db, *f).ast).collect();
    Scopes::new(program, &asts)
}

/// The index of one file of the workspace (empty for a file outside it).
#[salsa::tracked(returns(ref))]
pub fn file_index(db: &dyn Db, workspace: Workspace, file: SourceFile) -> FileIndex {
    let Some(id) = file_id(db, workspace, file) else { return FileIndex::default() };
    let program = program(db, workspace);
    index_ast(program, scopes(db, workspace), id, &parse(db, file).ast)
}

/// Indexes a syntax tree as if it were the file `file` of the program: the completion of
/// an incomplete line indexes a patched copy of the file this way.
pub(crate) fn index_ast(program: &Program, scopes: &Scopes, file: FileId, ast: &Ast) -> FileIndex {
    let mut walker = Walker::new(program, scopes, file);
    walker.file(ast);
    walker.finish()
}
