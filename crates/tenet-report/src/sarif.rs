//! SARIF 2.1.0, as GitHub code scanning reads it: one rule per control, one result per
//! failing, erroring or waived `(control, rule, subject)`, located at the evidence that
//! failed with the control's policy line as a related location; waived results carry a
//! suppression with the waiver's justification.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use tenet_eval::report::{ControlReport, RunReport};
use tenet_eval::{RuleResult, Status};

use crate::{Paths, subject_text};

/// The SARIF log of a run, as one value.
pub fn sarif(report: &RunReport, paths: &Paths) -> Value {
    serde_json::to_value(Log { report, paths }).unwrap_or_default()
}

/// Writes the SARIF log of a run to `out`, pretty-printed, building one result at a time:
/// a large organisation's log runs to hundreds of megabytes, which as one value in memory
/// would take gigabytes.
pub fn write_sarif(report: &RunReport, paths: &Paths, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::write_pretty_json(&Log { report, paths }, out)
}

/// The log. Objects are written with their keys in order, as a `serde_json` value would
/// be, so [`sarif`] and [`write_sarif`] give the same text.
struct Log<'a> {
    report: &'a RunReport,
    paths: &'a Paths,
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

/// The log's one run.
struct Run<'a>(&'a Log<'a>);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Log { report, paths } = *self.0;
        let rules: Vec<Value> = report.controls.iter().map(rule).collect();
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("invocations", &json!([{ "executionSuccessful": true }]))?;
        map.serialize_entry("properties", &json!({ "asOf": report.as_of.to_string() }))?;
        map.serialize_entry("results", &Results { report, paths })?;
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

/// One result per failing, erroring or waived `(control, rule, subject)`, each built as
/// it is written.
struct Results<'a> {
    report: &'a RunReport,
    paths: &'a Paths,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Results { report, paths } = *self;
        serializer.collect_seq(report.controls.iter().enumerate().flat_map(|(index, control)| {
            control
                .results
                .iter()
                .filter(|r| matches!(r.status, Status::Fail | Status::Error | Status::Waived))
                .map(move |r| result(control, index, r, paths))
        }))
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
