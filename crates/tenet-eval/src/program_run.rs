//! Running whole programs: every control's rules, tailored, in declaration order; and
//! `test` blocks, whose inline evidence and expectations make policies testable without
//! any file.

use std::sync::Arc;

use jiff::civil::Date;
use tenet_sema::ir::Expr;
use tenet_sema::program::{ControlId, Program, TestCase};
use tenet_sema::value::Value;
use tenet_syntax::ast::ExpectStatus;

use crate::interp::{Budget, Interp, param_values};
use crate::report::control_status;
use crate::results::{Citation, RuleResult, Status, StatusCounts};
use crate::rules::{RuleContext, evaluate_rule};
use crate::store::{Doc, DocText, Evidence, MemoryEvidence};
use crate::tailoring::tailor;

/// Evaluates every rule of one control and applies its tailoring.
pub fn evaluate_control(program: &Program, cx: &RuleContext<'_>, control: ControlId) -> Vec<RuleResult> {
    let Some(c) = program.controls.get(control.index()) else { return Vec::new() };
    let mut results = Vec::new();
    for rule in &c.rules {
        results.extend(evaluate_rule(cx, &c.qualified, &rule.name, &rule.body).iter().cloned());
    }
    // A test's program is its own file, whose text the evaluator does not hold: waivers
    // are named by file.
    tailor(program, cx, control, results, &|_, _| 0)
}

/// The outcome of one `test` block.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// The package that declares it.
    pub package: Arc<str>,
    /// One line per expectation that did not hold: what was expected, what happened.
    pub failures: Vec<String>,
    /// The `(control, rule)` pairs whose results the test's expectations checked.
    pub covered: Vec<(Arc<str>, Arc<str>)>,
}

impl TestOutcome {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs one test block: its evidence is only what it `given`s, its date its `today` (or
/// `default_today`), its parameters the program's with its `set`s applied.
pub fn run_test(program: &Program, test: &TestCase, default_today: Date, budget: Budget) -> TestOutcome {
    let today = test.today.unwrap_or(default_today);
    let params = param_values(program, today, &test.sets);
    let package =
        program.packages.get(test.package.index()).map_or_else(|| Arc::from("?"), |p| p.name.clone());
    let mut outcome =
        TestOutcome { name: test.name.clone(), package, failures: Vec::new(), covered: Vec::new() };

    // Build the inline evidence: each given's fields evaluated as constants.
    let mut docs: Vec<Vec<Doc>> = vec![Vec::new(); program.schemas.len()];
    let empty = MemoryEvidence::default();
    for (n, given) in test.givens.iter().enumerate() {
        let Some(schema) = program.schemas.get(given.kind.index()) else { continue };
        let mut interp = Interp::new(&program.schemas, &empty, &params, today, budget, 0);
        let mut fields = Vec::with_capacity(given.fields.len());
        for field in &given.fields {
            let value = match field {
                Some(expr) => match interp.eval(expr) {
                    Ok(v) => v,
                    Err(e) => {
                        outcome.failures.push(format!("given {} #{}: {}", schema.name, n + 1, e.message));
                        Value::None
                    }
                },
                None => Value::None,
            };
            fields.push(value);
        }
        let path = program.path(test.file).clone();
        let markdown = given.body.as_deref().map(|body| Arc::new(DocText::new(Arc::from(body))));
        let citation = Citation { path, line: 0, column: 0 };
        docs[given.kind.index()].push(Doc::of_schema(schema, fields, markdown, citation));
    }
    let counts: Vec<usize> = program.schemas.iter().map(|s| s.record.fields.len()).collect();
    let evidence = MemoryEvidence::new(docs, &counts);
    let cx = RuleContext {
        schemas: &program.schemas,
        evidence: &evidence as &dyn Evidence,
        params: &params,
        today,
        budget,
        passes: crate::Passes::Listed,
    };

    let mut by_control: Vec<(ControlId, Vec<RuleResult>)> = Vec::new();
    for expect in &test.expects {
        if !by_control.iter().any(|(c, _)| *c == expect.control) {
            by_control.push((expect.control, evaluate_control(program, &cx, expect.control)));
        }
        let Some((_, results)) = by_control.iter().find(|(c, _)| *c == expect.control) else { continue };
        let qualified = program.controls.get(expect.control.index()).map_or("?", |c| &c.qualified);
        let selected: Vec<&RuleResult> = results
            .iter()
            .filter(|r| expect.rule.as_ref().is_none_or(|rule| *rule == r.rule))
            .filter(|r| match &expect.subject {
                Some(key) => r.subject.as_ref().is_some_and(|s| *s.key == **key),
                None => true,
            })
            .collect();
        for r in &selected {
            let pair = (r.control.clone(), r.rule.clone());
            if !outcome.covered.contains(&pair) {
                outcome.covered.push(pair);
            }
        }
        let wanted = expected_status(expect.status);
        let what = describe_target(qualified, expect.rule.as_deref(), expect.subject.as_deref());
        if selected.is_empty() {
            outcome.failures.push(format!("expected {what} to be {}, but it has no result", wanted.as_str()));
            continue;
        }
        // What is expected of a control, a rule or a subject is the status `tenet check`
        // reports for the results selected, decided as a control's is: an error anywhere
        // over a failure, a failure over missing evidence, over a waiver, over a pass.
        let mut counts = StatusCounts::default();
        selected.iter().for_each(|r| counts.add(r.status));
        let status = control_status(&counts);
        if status != wanted {
            let actual: Vec<String> = selected.iter().map(|r| show_result(r)).collect();
            outcome.failures.push(format!(
                "expected {what} to be {}, but it is {}: {}",
                wanted.as_str(),
                status.as_str(),
                actual.join("; ")
            ));
            continue;
        }
        if let Some(text) = &expect.message {
            let matching = selected
                .iter()
                .filter(|r| r.status == wanted)
                .any(|r| r.message.as_deref().is_some_and(|m| m.contains(text.as_str())));
            if !matching {
                let messages: Vec<String> =
                    selected.iter().filter_map(|r| r.message.clone()).map(|m| format!("\"{m}\"")).collect();
                outcome.failures.push(format!(
                    "expected a message of {what} containing \"{text}\", but got {}",
                    if messages.is_empty() { "no message".to_owned() } else { messages.join(", ") }
                ));
            }
        }
    }
    outcome
}

fn expected_status(status: ExpectStatus) -> Status {
    match status {
        ExpectStatus::Passes => Status::Pass,
        ExpectStatus::Fails => Status::Fail,
        ExpectStatus::Errors => Status::Error,
        ExpectStatus::Waived => Status::Waived,
        ExpectStatus::NotApplicable => Status::NotApplicable,
        ExpectStatus::NoEvidence => Status::NoEvidence,
    }
}

fn describe_target(control: &str, rule: Option<&str>, subject: Option<&str>) -> String {
    let mut out = control.to_owned();
    if let Some(rule) = rule {
        out.push_str(&format!(" rule {rule}"));
    }
    if let Some(subject) = subject {
        out.push_str(&format!(" for \"{subject}\""));
    }
    out
}

fn show_result(r: &RuleResult) -> String {
    let mut out = format!("{} {}", r.rule, r.status.as_str());
    if let Some(s) = &r.subject {
        out.push_str(&format!(" for \"{}\"", s.key));
    }
    if let Some(m) = &r.message {
        out.push_str(&format!(" (\"{m}\")"));
    }
    out
}

/// Evaluates one constant expression (a parameter's value, a `given` field) as of `today`.
pub fn evaluate_constant(program: &Program, expr: &Expr, today: Date) -> Result<Value, String> {
    let params = param_values(program, today, &[]);
    let empty = MemoryEvidence::default();
    let mut interp = Interp::new(&program.schemas, &empty, &params, today, Budget::default(), 0);
    interp.eval(expr).map_err(|e| e.message)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tenet_sema::{CheckInput, Origin};

    use super::run_test;
    use crate::interp::Budget;

    /// The failures of each of the program's tests, in order.
    fn failures(source: &str) -> Vec<Vec<String>> {
        let (ast, errors) = tenet_syntax::parse(source);
        assert!(errors.is_empty(), "{errors:?}");
        let path: Arc<str> = Arc::from("t.tenet");
        let program = tenet_sema::check(&[CheckInput { path: &path, origin: Origin::Workspace, ast: &ast }]);
        assert!(program.diagnostics.is_empty(), "{:?}", program.diagnostics);
        let today = jiff::civil::date(2025, 6, 1);
        program.tests.iter().map(|t| run_test(&program, t, today, Budget::default()).failures).collect()
    }

    #[test]
    fn an_expectation_is_held_to_the_status_check_reports() {
        let failures = failures(
            r#"
package t
schema S from "s/*.yaml" {
  id: string key
  a: int
  b: int
}
schema T from "t/*.yaml" {
  id: string key
}
control M.1 "A failure and an error" {
  rule r1
    for s: S
    require s.a > 0
  rule r2
    for s: S
    require 10 / s.b > 1
}
control M.2 "A pass and no evidence" {
  rule r1
    for s: S
    require s.a > 0
  rule r2
    for t: T
    require t.id != ""
}
test "the error decides" {
  given S { id: "s1", a: 0, b: 0 }
  expect M.1 errors
  expect M.1 fails
  expect M.1 rule r1 fails
}
test "missing evidence decides over a pass" {
  given S { id: "s1", a: 1, b: 1 }
  expect M.2 no_evidence
  expect M.2 passes
  expect M.2 rule r1 passes
}
"#,
        );
        assert_eq!(
            failures,
            [
                vec![
                    "expected t.M.1 to be fail, but it is error: r1 fail for \"s1\" (\"`s1` does not satisfy t.M.1 rule r1\"); r2 error for \"s1\" (\"division by zero\")"
                        .to_owned()
                ],
                vec!["expected t.M.2 to be pass, but it is no_evidence: r1 pass for \"s1\"; r2 no_evidence (\"no T documents\")".to_owned()],
            ]
        );
    }
}
