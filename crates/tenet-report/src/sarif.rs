//! SARIF 2.1.0, as GitHub code scanning reads it: one rule per control, one result per
//! failing, erroring or waived `(control, rule, subject)`, located at the evidence that
//! failed with the control's policy line as a related location; waived results carry a
//! suppression with the waiver's justification.
//!
//! GitHub code scanning rejects a run of more than [`SARIF_MAX_RESULTS`] results, so a
//! larger organisation's log lists the most severe that many and says how many it left
//! out; the other reports list every one.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use tenet_eval::report::{ControlReport, RunReport};
use tenet_eval::{RuleResult, Status};

use crate::{Paths, subject_text};

/// The SARIF log of a run, as one value.
pub fn sarif(report: &RunReport, paths: &Paths) -> Value {
    serde_json::to_value(Log::new(report, paths)).unwrap_or_default()
}

/// Writes the SARIF log of a run to `out`, pretty-printed, building one result at a time:
/// a large organisation's log runs to hundreds of megabytes, which as one value in memory
/// would take gigabytes. Gives the results it listed, for a caller to say what it left
/// out.
pub fn write_sarif(
    report: &RunReport,
    paths: &Paths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<SarifSelection> {
    let log = Log::new(report, paths);
    crate::write_pretty_json(&log, out)?;
    Ok(log.selection)
}

/// The log. Objects are written with their keys in order, as a `serde_json` value would
/// be, so [`sarif`] and [`write_sarif`] give the same text.
struct Log<'a> {
    report: &'a RunReport,
    paths: &'a Paths,
    /// The results its run lists, chosen once.
    selection: SarifSelection,
}

impl<'a> Log<'a> {
    fn new(report: &'a RunReport, paths: &'a Paths) -> Log<'a> {
        Log { report, paths, selection: SarifSelection::of(report) }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SarifSelection {
    /// Results the log would hold without the limit: failing, erroring and waived ones.
    pub results: usize,
    /// How severe a result must be to be listed: a rank at or below this one
    /// ([`rank`]); `None` when every result is.
    cutoff: Option<(u8, usize)>,
}

impl SarifSelection {
    /// Which of `report`'s results its SARIF log lists.
    fn of(report: &RunReport) -> SarifSelection {
        let mut by_rank = [0usize; RANKS];
        for (_, control, r) in sarif_results(report) {
            by_rank[usize::from(rank(control, r))] += 1;
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

/// How severe a result is, for choosing which to list: errors and failures of high and
/// critical controls first, then of medium ones, then of the rest, then waived results,
/// which code scanning shows as closed.
fn rank(control: &ControlReport, r: &RuleResult) -> u8 {
    match (r.status, level(control.severity)) {
        (Status::Waived, _) => 3,
        (Status::Error, _) | (_, "error") => 0,
        (_, "warning") => 1,
        _ => 2,
    }
}

/// Every failing, erroring or waived result, with its control and the control's index
/// among the rules, in report order.
fn sarif_results(report: &RunReport) -> impl Iterator<Item = (usize, &ControlReport, &RuleResult)> {
    report.controls.iter().enumerate().flat_map(|(index, control)| {
        control
            .results
            .iter()
            .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Waived))
            .map(move |r| (index, control, r))
    })
}

/// The log's one run.
struct Run<'a>(&'a Log<'a>);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Log { report, paths, selection } = *self.0;
        let rules: Vec<Value> = report.controls.iter().map(rule).collect();
        let mut invocation = json!({ "executionSuccessful": true });
        let mut properties = json!({ "asOf": report.as_of.to_string() });
        let left_out = selection.left_out();
        if left_out > 0 {
            let text = format!(
                "{} results, of which the {SARIF_MAX_RESULTS} most severe are listed: GitHub code scanning \
                 rejects a run of more. The JSON report lists every result.",
                selection.results
            );
            invocation["toolExecutionNotifications"] =
                json!([{ "level": "warning", "message": { "text": text } }]);
            properties["resultsLeftOut"] = json!(left_out);
        }
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("invocations", &[invocation])?;
        map.serialize_entry("properties", &properties)?;
        map.serialize_entry("results", &Results { report, paths, selection })?;
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

/// One result per failing, erroring or waived `(control, rule, subject)` the selection
/// lists, each built as it is written.
struct Results<'a> {
    report: &'a RunReport,
    paths: &'a Paths,
    selection: SarifSelection,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Results { report, paths, selection } = *self;
        let mut at_cutoff = 0;
        let listed = sarif_results(report).filter(|(_, control, r)| match selection.cutoff {
            None => true,
            Some((cutoff, room)) => {
                let rank = rank(control, r);
                if rank == cutoff {
                    at_cutoff += 1;
                }
                rank < cutoff || (rank == cutoff && at_cutoff <= room)
            }
        });
        serializer.collect_seq(listed.map(|(index, control, r)| result(control, index, r, paths)))
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
    use crate::fixtures::{control, report, result};

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
        let selection = SarifSelection::of(&report);
        assert_eq!((selection.results, selection.left_out()), (27_000, 2_000));
        let log = sarif(&report, &Paths::default());
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
        assert!(write_sarif(&report, &Paths::default(), &mut streamed).is_ok());
        assert_eq!(serde_json::from_slice::<Value>(&streamed).ok(), Some(log));
    }

    #[test]
    fn a_run_within_the_limit_lists_every_result_and_no_notification() {
        let report = report(vec![
            of("LOW", "low", SARIF_MAX_RESULTS - 1, Status::Fail),
            of("W", "low", 1, Status::Waived),
        ]);
        assert_eq!(SarifSelection::of(&report).left_out(), 0);
        let log = sarif(&report, &Paths::default());
        assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(SARIF_MAX_RESULTS));
        assert_eq!(log["runs"][0]["invocations"], json!([{ "executionSuccessful": true }]));
        assert_eq!(log["runs"][0]["properties"], json!({ "asOf": "2026-06-30" }));
    }
}
