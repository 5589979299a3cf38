//! SARIF 2.1.0, as GitHub code scanning reads it: one rule per control, one result per
//! failing, erroring or waived `(control, rule, subject)`, located at the evidence that
//! failed with the control's policy line as a related location; waived results carry a
//! suppression with the waiver's justification. Each diagnostic is a result too, ahead of
//! the controls' ones, under a rule per code it uses (`T0505`), located at its range; an
//! error among them makes the run's execution unsuccessful, since its verdicts were
//! reached without what could not be read.
//!
//! GitHub code scanning rejects a run of more than [`SARIF_MAX_RESULTS`] results, so a
//! larger organisation's log lists the most severe that many and says how many it left
//! out; the other reports list every one.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use tenet_diagnostics::{Code, LocatedDiagnostic, Place, Severity};
use tenet_eval::report::{ControlReport, RunReport};
use tenet_eval::{RuleResult, Status};

use crate::{Paths, subject_text};

/// The SARIF log of a run and its diagnostics, as one value.
pub fn sarif(report: &RunReport, diagnostics: &[LocatedDiagnostic], paths: &Paths) -> Value {
    serde_json::to_value(Log::new(report, diagnostics, paths)).unwrap_or_default()
}

/// Writes the SARIF log of a run to `out`, pretty-printed, building one result at a time:
/// a large organisation's log runs to hundreds of megabytes, which as one value in memory
/// would take gigabytes. Gives the results it listed, for a caller to say what it left
/// out.
pub fn write_sarif(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<SarifSelection> {
    let log = Log::new(report, diagnostics, paths);
    crate::write_pretty_json(&log, out)?;
    Ok(log.selection)
}

/// The log. Objects are written with their keys in order, as a `serde_json` value would
/// be, so [`sarif`] and [`write_sarif`] give the same text.
struct Log<'a> {
    report: &'a RunReport,
    diagnostics: &'a [LocatedDiagnostic],
    paths: &'a Paths,
    /// The codes the diagnostics use, in order: each is a rule after the controls'.
    codes: Vec<Code>,
    /// The results its run lists, chosen once.
    selection: SarifSelection,
}

impl<'a> Log<'a> {
    fn new(report: &'a RunReport, diagnostics: &'a [LocatedDiagnostic], paths: &'a Paths) -> Log<'a> {
        let mut codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        codes.sort();
        codes.dedup();
        let mut log = Log { report, diagnostics, paths, codes, selection: SarifSelection::default() };
        log.selection = SarifSelection::of(log.entries());
        log
    }

    /// Every result the log would hold without the limit, in order: the diagnostics, then
    /// each failing, erroring or waived result in report order.
    fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        let diagnostics = self.diagnostics.iter().map(|d| {
            let code_index = self.codes.binary_search(&d.code).unwrap_or_default();
            Entry::Diagnostic(self.report.controls.len() + code_index, d)
        });
        let results = self.report.controls.iter().enumerate().flat_map(|(index, control)| {
            control
                .results
                .iter()
                .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Waived))
                .map(move |r| Entry::Result(index, control, r))
        });
        diagnostics.chain(results)
    }
}

/// One result of the log, with the index of its rule among the rules.
#[derive(Clone, Copy)]
enum Entry<'a> {
    /// A diagnostic, under the rule of its code.
    Diagnostic(usize, &'a LocatedDiagnostic),
    /// A control's failing, erroring or waived result, under the control's rule.
    Result(usize, &'a ControlReport, &'a RuleResult),
}

impl Entry<'_> {
    /// How severe the result is, for choosing which to list: error diagnostics, and errors
    /// and failures of high and critical controls first, then warnings and failures of
    /// medium ones, then the rest, then waived results, which code scanning shows as
    /// closed.
    fn rank(self) -> u8 {
        let level = match self {
            Entry::Diagnostic(_, d) => diagnostic_level(d.severity),
            Entry::Result(_, _, r) if r.status == Status::Waived => return 3,
            Entry::Result(_, _, r) if r.status == Status::Error => "error",
            Entry::Result(_, control, _) => level(control.severity),
        };
        match level {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        }
    }

    fn to_value(self, paths: &Paths) -> Value {
        match self {
            Entry::Diagnostic(index, d) => diagnostic_result(d, index),
            Entry::Result(index, control, r) => result(control, index, r, paths),
        }
    }
}

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        map.serialize_entry("runs", &[Run(self)])?;
        map.serialize_entry("version", "2.1.0")?;
        map.end()
    }
}

/// Results a SARIF run may hold: GitHub code scanning rejects an upload with more in a run
/// (and shows the 5,000 most severe of those it takes).
pub const SARIF_MAX_RESULTS: usize = 25_000;

/// The results a run's log lists: all of them, or the [`SARIF_MAX_RESULTS`] most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SarifSelection {
    /// Results the log would hold without the limit: diagnostics, and failing, erroring
    /// and waived results.
    pub results: usize,
    /// How severe a result must be to be listed: a rank at or below this one
    /// ([`Entry::rank`]); `None` when every result is.
    cutoff: Option<(u8, usize)>,
}

impl SarifSelection {
    /// Which of a log's `entries` it lists.
    fn of<'a>(entries: impl Iterator<Item = Entry<'a>>) -> SarifSelection {
        let mut by_rank = [0usize; RANKS];
        for entry in entries {
            by_rank[usize::from(entry.rank())] += 1;
        }
        let results = by_rank.iter().sum();
        let mut cutoff = None;
        let mut listed = 0;
        for (at, count) in by_rank.iter().enumerate() {
            if listed + count > SARIF_MAX_RESULTS {
                // This rank's first results in report order, up to the limit.
                cutoff = Some((at as u8, SARIF_MAX_RESULTS - listed));
                break;
            }
            listed += count;
        }
        SarifSelection { results, cutoff }
    }

    /// Results left out of the log.
    pub fn left_out(&self) -> usize {
        self.results.saturating_sub(SARIF_MAX_RESULTS)
    }
}

/// Ranks of severity, most severe first.
const RANKS: usize = 4;

/// The log's one run.
struct Run<'a>(&'a Log<'a>);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let log = self.0;
        let Log { report, diagnostics, selection, .. } = *log;
        let rules: Vec<Value> =
            report.controls.iter().map(rule).chain(log.codes.iter().map(|c| diagnostic_rule(*c))).collect();
        let errors = crate::errors(diagnostics);
        let mut invocation = json!({ "executionSuccessful": errors == 0 });
        let mut notifications = Vec::new();
        if errors > 0 {
            let text = format!(
                "{} in the policies or evidence, listed as results: the controls were evaluated \
                 without what could not be read.",
                if errors == 1 { "1 error".to_owned() } else { format!("{errors} errors") }
            );
            notifications.push(json!({ "level": "error", "message": { "text": text } }));
        }
        let mut properties = json!({ "asOf": report.as_of.to_string() });
        let left_out = selection.left_out();
        if left_out > 0 {
            let text = format!(
                "{} results, of which the {SARIF_MAX_RESULTS} most severe are listed: GitHub code scanning \
                 rejects a run of more. The JSON report lists every result.",
                selection.results
            );
            notifications.push(json!({ "level": "warning", "message": { "text": text } }));
            properties["resultsLeftOut"] = json!(left_out);
        }
        if !notifications.is_empty() {
            invocation["toolExecutionNotifications"] = Value::Array(notifications);
        }
        let mut map = serializer.serialize_map(Some(5))?;
        // Columns count characters, as the terminal and the JSON report count them.
        map.serialize_entry("columnKind", "unicodeCodePoints")?;
        map.serialize_entry("invocations", &[invocation])?;
        map.serialize_entry("properties", &properties)?;
        map.serialize_entry("results", &Results(log))?;
        map.serialize_entry(
            "tool",
            &json!({ "driver": {
                "informationUri": "https://example.invalid/tenet",
                "name": "tenet",
                "rules": rules,
                "version": report.tenet_version,
            }}),
        )?;
        map.end()
    }
}

/// One result per diagnostic and per failing, erroring or waived `(control, rule,
/// subject)` the selection lists, each built as it is written.
struct Results<'a>(&'a Log<'a>);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let log = self.0;
        let mut at_cutoff = 0;
        let listed = log.entries().filter(|entry| match log.selection.cutoff {
            None => true,
            Some((cutoff, room)) => {
                let rank = entry.rank();
                if rank == cutoff {
                    at_cutoff += 1;
                }
                rank < cutoff || (rank == cutoff && at_cutoff <= room)
            }
        });
        serializer.collect_seq(listed.map(|entry| entry.to_value(log.paths)))
    }
}

fn rule(c: &ControlReport) -> Value {
    let description = c.objective.clone().or_else(|| c.doc.clone()).unwrap_or_else(|| c.title.clone());
    let mappings: Vec<String> = c
        .mappings
        .iter()
        .map(|m| format!("{} {} ({})", m.framework, m.requirement, m.relationship))
        .collect();
    let mut help = format!("{} {}: {}", c.kind, c.id, description);
    if !mappings.is_empty() {
        help.push_str(&format!("\nMaps to: {}", mappings.join(", ")));
    }
    help.push_str(&format!("\nRun `tenet explain {}` for its rules and parameters.", c.id));
    json!({
        "id": &*c.id,
        "name": c.title,
        "shortDescription": { "text": c.title },
        "fullDescription": { "text": description },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(c.severity) },
        "properties": { "severity": c.severity, "kind": c.kind, "package": &*c.package },
    })
}

fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "note",
    }
}

fn diagnostic_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule of a diagnostic code: its title, and what it means and how to fix it.
fn diagnostic_rule(code: Code) -> Value {
    json!({
        "id": code.id(),
        "name": code.title(),
        "shortDescription": { "text": code.title() },
        "fullDescription": { "text": code.explanation() },
        "help": { "text": code.explanation() },
        "defaultConfiguration": { "level": diagnostic_level(code.severity()) },
        "properties": { "kind": "diagnostic" },
    })
}

/// A diagnostic as a result, at its range, with its help after its message (code scanning
/// shows a result's message, and the rule's help only once per code).
fn diagnostic_result(d: &LocatedDiagnostic, index: usize) -> Value {
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let mut value = json!({
        "ruleId": d.code.id(),
        "ruleIndex": index,
        "level": diagnostic_level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": range(&d.place) }],
        "partialFingerprints": { "tenetDiagnostic/v1": format!("{}|{}|{}", d.code, d.place.path, d.message) },
        "properties": { "severity": d.severity.as_str() },
    });
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| json!({ "id": id, "message": { "text": r.message }, "physicalLocation": range(&r.place) }))
            .collect();
        value["relatedLocations"] = Value::Array(related);
    }
    value
}

/// A place as a SARIF physical location: its file, and its region from start to the
/// character after its end.
fn range(place: &Place) -> Value {
    json!({
        "artifactLocation": { "uri": &*place.path },
        "region": {
            "startLine": place.start.line.max(1),
            "startColumn": place.start.column.max(1),
            "endLine": place.end.line.max(1),
            "endColumn": place.end.column.max(1),
        },
    })
}

fn result(c: &ControlReport, index: usize, r: &RuleResult, paths: &Paths) -> Value {
    let policy = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": &*c.declared_at.0 },
            "region": { "startLine": c.declared_at.1.max(1) },
        },
    });
    let location = match r.citations.first() {
        Some(cite) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": paths.evidence(&cite.path) },
                "region": { "startLine": cite.line.max(1), "startColumn": cite.column.max(1) },
            },
        }),
        None => policy.clone(),
    };
    let subject = subject_text(r);
    let text = match (&r.message, subject.is_empty()) {
        (Some(m), _) => m.to_string(),
        (None, false) => format!("{} fails rule {} for {subject}", c.id, r.rule),
        (None, true) => format!("{} fails rule {}", c.id, r.rule),
    };
    let mut related = vec![json!({
        "id": 0,
        "message": { "text": format!("{} {} is declared here", c.kind, c.id) },
        "physicalLocation": policy["physicalLocation"].clone(),
    })];
    for (i, cite) in r.citations.iter().enumerate().skip(1) {
        related.push(json!({
            "id": i,
            "message": { "text": "evidence the verdict read" },
            "physicalLocation": {
                "artifactLocation": { "uri": paths.evidence(&cite.path) },
                "region": { "startLine": cite.line.max(1) },
            },
        }));
    }
    let mut value = json!({
        "ruleId": &*c.id,
        "ruleIndex": index,
        "level": if r.status == Status::Error { "error" } else { level(c.severity) },
        "message": { "text": text },
        "locations": [location],
        "relatedLocations": related,
        "partialFingerprints": { "tenetResult/v1": format!("{}|{}|{}", c.id, r.rule, subject) },
        "properties": { "status": r.status.as_str(), "rule": &*r.rule },
    });
    if let Some(o) = r.overridden.as_deref() {
        value["properties"]["override"] = json!({
            "action": o.action, "package": &*o.package, "because": o.because, "file": &*o.file, "line": o.line,
        });
        if let Some(list) = value["relatedLocations"].as_array_mut() {
            let id = list.len();
            list.push(json!({
                "id": id,
                "message": { "text": format!("rule {} {} here: {}", o.rule, o.by(), o.because) },
                "physicalLocation": {
                    "artifactLocation": { "uri": &*o.file },
                    "region": { "startLine": o.line.max(1) },
                },
            }));
        }
    }
    if r.status == Status::Waived {
        value["suppressions"] =
            json!([{ "kind": "external", "justification": r.message.clone().unwrap_or_default() }]);
    }
    value
}

#[cfg(test)]
mod tests {
    use tenet_eval::{Results, Status};

    use super::*;
    use crate::fixtures::{control, diagnostics, report, result};

    /// A control of `severity` whose `count` results all have `status`.
    fn of(local_id: &str, severity: &'static str, count: usize, status: Status) -> ControlReport {
        let mut c = control(
            local_id,
            Results::from((0..count).map(|i| RuleResult { status, ..result(i) }).collect::<Vec<_>>()),
        );
        c.severity = severity;
        c
    }

    #[test]
    fn a_run_over_github_s_limit_lists_the_most_severe_and_says_how_many_it_left_out() {
        let report = report(vec![
            of("LOW", "low", 20_000, Status::Fail),
            of("WAIVED", "high", 1_000, Status::Waived),
            of("HIGH", "high", 6_000, Status::Fail),
        ]);
        let selection = Log::new(&report, &[], &Paths::default()).selection;
        assert_eq!((selection.results, selection.left_out()), (27_000, 2_000));
        let log = sarif(&report, &[], &Paths::default());
        let run = &log["runs"][0];
        let results = run["results"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert_eq!(results.len(), SARIF_MAX_RESULTS);
        let listed = |rule: &str| results.iter().filter(|r| r["ruleId"] == rule).count();
        // Every high one, the first of the low ones in report order, no waived one.
        assert_eq!((listed("t.HIGH"), listed("t.LOW"), listed("t.WAIVED")), (6_000, 19_000, 0));
        assert_eq!(results[0]["ruleId"], "t.LOW");
        assert_eq!(results[0]["ruleIndex"], 0);
        assert_eq!(results[18_999]["partialFingerprints"]["tenetResult/v1"], "t.LOW|r|System s18999");
        assert_eq!(results[19_000]["ruleId"], "t.HIGH");
        assert_eq!(results[19_000]["ruleIndex"], 2);
        assert_eq!(run["properties"]["resultsLeftOut"], 2_000);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
            "27000 results, of which the 25000 most severe are listed: GitHub code scanning rejects a run of \
             more. The JSON report lists every result."
        );
        // The streamed log is the same.
        let mut streamed = Vec::new();
        assert!(write_sarif(&report, &[], &Paths::default(), &mut streamed).is_ok());
        assert_eq!(serde_json::from_slice::<Value>(&streamed).ok(), Some(log));
    }

    #[test]
    fn a_run_within_the_limit_lists_every_result_and_no_notification() {
        let report = report(vec![
            of("LOW", "low", SARIF_MAX_RESULTS - 1, Status::Fail),
            of("W", "low", 1, Status::Waived),
        ]);
        assert_eq!(Log::new(&report, &[], &Paths::default()).selection.left_out(), 0);
        let log = sarif(&report, &[], &Paths::default());
        assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(SARIF_MAX_RESULTS));
        assert_eq!(log["runs"][0]["invocations"], json!([{ "executionSuccessful": true }]));
        assert_eq!(log["runs"][0]["properties"], json!({ "asOf": "2026-06-30" }));
    }

    #[test]
    fn each_diagnostic_is_a_result_under_a_rule_of_its_code_and_errors_make_the_run_unsuccessful() {
        let report = report(vec![of("HIGH", "high", 1, Status::Fail)]);
        let log = sarif(&report, &diagnostics(), &Paths::default());
        let run = &log["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(rules, ["t.HIGH", "T0505", "T0507", "T0508"]);
        let rule = &run["tool"]["driver"]["rules"][1];
        assert_eq!(rule["shortDescription"]["text"], "value not allowed");
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(run["tool"]["driver"]["rules"][3]["defaultConfiguration"]["level"], "warning");
        let ids: Vec<&str> =
            run["results"].as_array().into_iter().flatten().filter_map(|r| r["ruleId"].as_str()).collect();
        assert_eq!(ids, ["T0505", "T0507", "T0508", "t.HIGH"]);
        assert_eq!(
            run["results"][0],
            json!({
                "ruleId": "T0505",
                "ruleIndex": 1,
                "level": "error",
                "message": { "text": "`risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\"\nhelp: did you mean \"high\"?" },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": "evidence/inv/x.csv" },
                    "region": { "startLine": 4, "startColumn": 8, "endLine": 4, "endColumn": 12 },
                }}],
                "partialFingerprints": { "tenetDiagnostic/v1": "T0505|evidence/inv/x.csv|`risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\"" },
                "properties": { "severity": "error" },
            })
        );
        assert_eq!(
            run["results"][1]["relatedLocations"],
            json!([{
                "id": 0,
                "message": { "text": "the first document with key `s1`" },
                "physicalLocation": {
                    "artifactLocation": { "uri": "evidence/inv/x.csv" },
                    "region": { "startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 3 },
                },
            }])
        );
        assert_eq!(
            (run["results"][2]["level"].as_str(), run["results"][2]["ruleIndex"].as_u64()),
            (Some("warning"), Some(3))
        );
        assert_eq!(
            run["invocations"],
            json!([{
                "executionSuccessful": false,
                "toolExecutionNotifications": [{ "level": "error", "message": { "text":
                    "2 errors in the policies or evidence, listed as results: the controls were evaluated without what could not be read."
                } }],
            }])
        );
    }

    #[test]
    fn a_run_with_only_warnings_executed_successfully() {
        let warnings: Vec<LocatedDiagnostic> = diagnostics().into_iter().filter(|d| !d.is_error()).collect();
        let log = sarif(&report(Vec::new()), &warnings, &Paths::default());
        assert_eq!(log["runs"][0]["invocations"], json!([{ "executionSuccessful": true }]));
        assert_eq!(log["runs"][0]["results"][0]["ruleId"], "T0508");
    }

    #[test]
    fn error_diagnostics_are_among_the_most_severe_when_a_run_is_over_the_limit() {
        let report = report(vec![of("LOW", "low", SARIF_MAX_RESULTS, Status::Fail)]);
        let diagnostics = diagnostics();
        let selection = Log::new(&report, &diagnostics, &Paths::default()).selection;
        assert_eq!((selection.results, selection.left_out()), (SARIF_MAX_RESULTS + 3, 3));
        let log = sarif(&report, &diagnostics, &Paths::default());
        let results = log["runs"][0]["results"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert_eq!(results.len(), SARIF_MAX_RESULTS);
        let ids: Vec<&str> = results[..4].iter().filter_map(|r| r["ruleId"].as_str()).collect();
        assert_eq!(ids, ["T0505", "T0507", "T0508", "t.LOW"]);
        let notes: Vec<&str> = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["level"].as_str())
            .collect();
        assert_eq!(notes, ["error", "warning"]);
    }
}
