//! `tenet test PATH`: run the `test` blocks of the packs under a path, report each with
//! the difference between expected and actual results, and the rules no test exercises.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;
use tenet_db::{Database, diagnostics, program};
use tenet_eval::{Budget, TestOutcome, run_test};
use tenet_sema::{Origin, Program};

use crate::cli::{TestArgs, TestFormat};
use crate::exit::Exit;
use crate::output::{SourceTexts, print_diagnostics};

/// Runs the command.
pub fn run(args: &TestArgs) -> Exit {
    let mut db = Database::default();
    let loaded = match crate::commands::packs::load_or_exit(&mut db, &args.path, &args.diagnostics) {
        Ok(loaded) => loaded.files,
        Err(exit) => return exit,
    };
    tenet_db::parse_all(&db, loaded.workspace);
    let diags = diagnostics(&db, loaded.workspace);
    if diags.iter().any(|d| d.is_error()) {
        let mut texts = SourceTexts::default();
        for file in &loaded.files {
            texts.add(file.path(&db), file.bytes(&db));
        }
        print_diagnostics(&args.diagnostics, diags, &texts);
        return Exit::Errors;
    }
    let program = program(&db, loaded.workspace);
    let today = crate::commands::today(args.as_of);
    let budget = Budget::default();
    let tests: Vec<&tenet_sema::TestCase> = program
        .tests
        .iter()
        .filter(|t| program.packages.get(t.package.index()).is_some_and(|p| p.origin == Origin::Workspace))
        .collect();
    let outcomes: Vec<TestOutcome> = tests.par_iter().map(|t| run_test(program, t, today, budget)).collect();
    let coverage = Coverage::of(program, &outcomes);
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let text = match args.format {
        TestFormat::Text => text_report(&outcomes, &coverage),
        TestFormat::Json => json_report(&outcomes, &coverage),
        TestFormat::Junit => junit_report(&outcomes),
    };
    print!("{text}");
    let below = args.min_coverage.is_some_and(|min| coverage.percent() < min);
    if below && args.format == TestFormat::Text {
        eprintln!(
            "error: rule coverage {:.1}% is below the required {:.1}%",
            coverage.percent(),
            args.min_coverage.unwrap_or_default()
        );
    }
    if failed > 0 || below { Exit::Findings } else { Exit::Clean }
}

/// Which rules of the workspace's packages some test's expectations looked at.
struct Coverage {
    total: Vec<(Arc<str>, Arc<str>)>,
    covered: BTreeSet<(Arc<str>, Arc<str>)>,
}

impl Coverage {
    fn of(program: &Program, outcomes: &[TestOutcome]) -> Coverage {
        let total: Vec<(Arc<str>, Arc<str>)> = program
            .controls
            .iter()
            .filter(|c| {
                program.packages.get(c.package.index()).is_some_and(|p| p.origin == Origin::Workspace)
            })
            .flat_map(|c| c.rules.iter().map(|r| (c.qualified.clone(), r.name.clone())))
            .collect();
        let covered =
            outcomes.iter().flat_map(|o| o.covered.iter().cloned()).filter(|p| total.contains(p)).collect();
        Coverage { total, covered }
    }

    fn percent(&self) -> f64 {
        if self.total.is_empty() {
            100.0
        } else {
            100.0 * self.covered.len() as f64 / self.total.len() as f64
        }
    }

    fn uncovered(&self) -> Vec<String> {
        self.total
            .iter()
            .filter(|p| !self.covered.contains(*p))
            .map(|(c, r)| format!("{c} rule {r}"))
            .collect()
    }
}

fn text_report(outcomes: &[TestOutcome], coverage: &Coverage) -> String {
    let mut out = String::new();
    for o in outcomes {
        let verdict = if o.passed() { "ok" } else { "FAILED" };
        out.push_str(&format!("test {} :: {} ... {verdict}\n", o.package, o.name));
        for f in &o.failures {
            out.push_str(&format!("    {f}\n"));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let uncovered = coverage.uncovered();
    out.push_str(&format!(
        "\nrule coverage: {} of {} rules ({:.1}%)\n",
        coverage.covered.len(),
        coverage.total.len(),
        coverage.percent()
    ));
    for u in uncovered.iter().take(20) {
        out.push_str(&format!("    not exercised: {u}\n"));
    }
    if uncovered.len() > 20 {
        out.push_str(&format!("    … and {} more\n", uncovered.len() - 20));
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    out.push_str(&format!("test result: {verdict}. {} passed; {failed} failed\n", outcomes.len() - failed));
    out
}

fn json_report(outcomes: &[TestOutcome], coverage: &Coverage) -> String {
    let tests: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            json!({
                "package": &*o.package,
                "name": o.name,
                "passed": o.passed(),
                "failures": o.failures,
            })
        })
        .collect();
    let value = json!({
        "schema_version": 1,
        "tests": tests,
        "coverage": {
            "covered": coverage.covered.len(),
            "total": coverage.total.len(),
            "percent": (coverage.percent() * 10.0).round() / 10.0,
            "uncovered": coverage.uncovered(),
        }
    });
    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
}

fn junit_report(outcomes: &[TestOutcome]) -> String {
    let mut packages: Vec<&str> = outcomes.iter().map(|o| &*o.package).collect();
    packages.dedup();
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"tenet test\" tests=\"{}\" failures=\"{failed}\">\n",
        outcomes.len()
    ));
    for package in packages {
        let mine: Vec<&TestOutcome> = outcomes.iter().filter(|o| &*o.package == package).collect();
        let f = mine.iter().filter(|o| !o.passed()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\">\n",
            xml(package),
            mine.len()
        ));
        for o in mine {
            out.push_str(&format!("    <testcase classname=\"{}\" name=\"{}\"", xml(package), xml(&o.name)));
            if o.passed() {
                out.push_str("/>\n");
            } else {
                out.push_str(">\n");
                let text = o.failures.join("\n");
                let first = o.failures.first().map(String::as_str).unwrap_or("failed");
                out.push_str(&format!(
                    "      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(first),
                    xml(&text)
                ));
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
