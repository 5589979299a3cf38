//! `test` blocks: inline evidence checked against its schema, expectations checked against
//! the controls and rules they name.

use tenet_diagnostics::Code;
use tenet_syntax::ast::{self, Item, TestStmt};

use super::Checker;
use super::exprs::Scope;
use crate::program::*;

impl Checker<'_> {
    pub(super) fn check_tests(&mut self) {
        let mut names: Vec<(PackageId, String, FileId, tenet_diagnostics::Span)> = Vec::new();
        for (package, file, item) in self.items() {
            let Item::Test(t) = item else { continue };
            if let Some((_, _, first_file, first_span)) =
                names.iter().find(|(p, n, _, _)| *p == package && *n == t.name.value)
            {
                let first = (*first_file, *first_span);
                self.duplicate("test", &t.name.value, file, t.name.span, first);
                continue;
            }
            names.push((package, t.name.value.clone(), file, t.name.span));
            let case = self.test_case(package, file, t);
            self.program.tests.push(case);
        }
    }

    fn test_case(&mut self, package: PackageId, file: FileId, t: &ast::Test) -> TestCase {
        let mut case = TestCase {
            name: t.name.value.clone(),
            package,
            today: None,
            sets: Vec::new(),
            givens: Vec::new(),
            expects: Vec::new(),
            file,
            span: t.name.span,
            origin: t.span.start,
        };
        for stmt in &t.stmts {
            match stmt {
                TestStmt::Today(d, span) => {
                    if case.today.is_some() {
                        self.error(Code::DUPLICATE, file, *span, "a test has one `today`");
                    }
                    case.today = Some(d.date);
                }
                TestStmt::Set(s) => {
                    let Some(param) = self.resolve_param_path(package, file, &s.target) else { continue };
                    let ty = self.program.params[param.index()].ty.clone();
                    let mut cx = Scope::constant(package, file, t.span.start);
                    let value = self.value_of_type(&mut cx, &s.value, &ty, &format!("`{}`", s.target.text));
                    case.sets.push((param, value));
                }
                TestStmt::Given(g) => {
                    let Some(kind) = self.resolve_kind(package, file, &g.kind) else { continue };
                    let record = self.program.schemas[kind.index()].record.clone();
                    let mut cx = Scope::constant(package, file, t.span.start);
                    let owner = format!("`{}`", g.kind.text);
                    let fields = self.record_fields(&mut cx, &g.fields, &record.fields, g.kind.span, &owner);
                    let body = g.body.as_ref().map(|b| b.value.clone());
                    case.givens.push(GivenDoc { kind, fields, body, span: g.span });
                }
                TestStmt::Expect(e) => {
                    let Some(control) = self.resolve_control(package, file, &e.control) else { continue };
                    let Ok(rule) = self.resolve_rule(control, file, e.rule.as_ref()) else { continue };
                    case.expects.push(Expectation {
                        control,
                        rule,
                        status: e.status,
                        subject: e.subject.as_ref().map(|s| s.value.clone()),
                        message: e.message.as_ref().map(|m| m.value.clone()),
                        span: e.span,
                    });
                }
            }
        }
        // Expectations that failed to resolve are reported already; this is for tests
        // that never had one.
        if !t.stmts.iter().any(|s| matches!(s, TestStmt::Expect(_))) {
            let d = self
                .diag(Code::INCOMPLETE, file, t.name.span, "a test without `expect` checks nothing")
                .with_help("add `expect control status`, such as `expect A.5.2 fails for \"key\"`");
            self.report(d);
        }
        case
    }
}
