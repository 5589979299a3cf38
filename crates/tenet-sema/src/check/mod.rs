//! The checker: from parsed files to a [`Program`], with every problem it can find reported
//! at once. It runs in phases (packages, declarations, types, bodies, tailoring, tests) so
//! that a body can refer to any declaration in scope, wherever it is written.

pub(crate) mod controls;
mod decls;
mod dialect;
mod exprs;
mod functions;
mod lookup;
pub(crate) mod packages;
mod params;
mod planner;
mod tailoring;
mod testcases;
mod types;

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_syntax::ast::{self, Ast};

use crate::program::*;

/// One parsed policy file given to the checker.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// Its path as shown in diagnostics.
    pub path: &'a Arc<str>,
    /// Where it comes from.
    pub origin: Origin,
    /// Its syntax tree.
    pub ast: &'a Ast,
}

/// Checks a set of parsed files and builds the program they declare.
pub fn check(inputs: &[CheckInput<'_>]) -> Program {
    let files: Vec<(Arc<str>, Origin, &Ast)> =
        inputs.iter().map(|i| (i.path.clone(), i.origin, i.ast)).collect();
    let mut diagnostics = Vec::new();
    let assembled = packages::assemble(&files, &mut diagnostics);
    let mut checker = Checker::new(&files, assembled, diagnostics);
    checker.collect_declarations();
    checker.resolve_schemas();
    checker.check_params();
    checker.check_controls();
    checker.check_crosswalks();
    checker.check_tailoring();
    checker.check_tests();
    checker.finish()
}

pub(crate) struct Checker<'a> {
    files: &'a [(Arc<str>, Origin, &'a Ast)],
    program: Program,
    diagnostics: Vec<Diagnostic>,
    aliases: Vec<Vec<(Arc<str>, PackageId)>>,
    reach: Vec<BTreeSet<PackageId>>,
    kinds: Vec<FxHashMap<Arc<str>, KindId>>,
    params: Vec<FxHashMap<Arc<str>, ParamId>>,
    controls: Vec<FxHashMap<Arc<str>, ControlId>>,
    frameworks: Vec<FxHashMap<Arc<str>, FrameworkId>>,
    schema_asts: Vec<&'a ast::Schema>,
    param_asts: Vec<&'a ast::Param>,
    control_asts: Vec<&'a ast::Control>,
}

impl<'a> Checker<'a> {
    fn new(
        files: &'a [(Arc<str>, Origin, &'a Ast)],
        assembled: packages::Packages,
        diagnostics: Vec<Diagnostic>,
    ) -> Checker<'a> {
        let count = assembled.packages.len();
        let program = Program {
            files: files
                .iter()
                .map(|(path, origin, _)| SourceFileInfo { path: path.clone(), origin: *origin })
                .collect(),
            packages: assembled.packages,
            ..Program::default()
        };
        Checker {
            files,
            program,
            diagnostics,
            aliases: assembled.aliases,
            reach: assembled.reach,
            kinds: vec![FxHashMap::default(); count],
            params: vec![FxHashMap::default(); count],
            controls: vec![FxHashMap::default(); count],
            frameworks: vec![FxHashMap::default(); count],
            schema_asts: Vec::new(),
            param_asts: Vec::new(),
            control_asts: Vec::new(),
        }
    }

    /// Every item of every package in scope, with its package and file, in a fixed order.
    fn items(&self) -> Vec<(PackageId, FileId, &'a ast::Item)> {
        let mut out = Vec::new();
        for (p, package) in self.program.packages.iter().enumerate() {
            for file in &package.files {
                if let Some((_, _, ast)) = self.files.get(file.index()) {
                    for item in &ast.items {
                        out.push((PackageId(p as u32), *file, item));
                    }
                }
            }
        }
        out
    }

    fn path(&self, file: FileId) -> Arc<str> {
        self.program.path(file).clone()
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A diagnostic in `file`, not yet reported (add help, then [`Checker::report`]).
    fn diag(&self, code: Code, file: FileId, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.path(file), span, message)
    }

    /// Reports a diagnostic that needs no help text.
    fn error(&mut self, code: Code, file: FileId, span: Span, message: impl Into<String>) {
        let d = self.diag(code, file, span, message);
        self.report(d);
    }

    /// Reports a duplicate declaration, pointing at the first one.
    fn duplicate(&mut self, what: &str, name: &str, file: FileId, span: Span, first: (FileId, Span)) {
        let d = self
            .diag(Code::DUPLICATE, file, span, format!("{what} `{name}` is declared twice"))
            .with_related(self.path(first.0), first.1, "first declared here");
        self.report(d);
    }

    fn package_name(&self, package: PackageId) -> &str {
        self.program.packages.get(package.index()).map_or("?", |p| &p.name)
    }

    fn finish(mut self) -> Program {
        Diagnostic::normalize(&mut self.diagnostics);
        self.program.diagnostics = self.diagnostics;
        self.program
    }
}

/// A doc comment's text.
fn doc_text(doc: &Option<ast::Doc>) -> Option<String> {
    doc.as_ref().map(|d| d.text())
}
