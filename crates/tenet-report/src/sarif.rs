//! SARIF 2.1.0, as GitHub code scanning reads it: one rule per control, one result per
//! failing, erroring or waived `(control, rule, subject)`, located at the evidence that
//! failed with the control's policy line as a related location; waived results carry a
//! suppression with the waiver's justification.

use serde_json::{Value, json};
use tenet_eval::report::{ControlReport, RunReport};
use tenet_eval::{RuleResult, Status};

use crate::{Paths, subject_text};

/// The SARIF log of a run.
pub fn sarif(report: &RunReport, paths: &Paths) -> Value {
    let rules: Vec<Value> = report.controls.iter().map(rule).collect();
    let mut results = Vec::new();
    for (index, control) in report.controls.iter().enumerate() {
        for r in control.results.iter() {
            if matches!(r.status, Status::Fail | Status::Error | Status::Waived) {
                results.push(result(control, index, r, paths));
            }
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tenet",
                "version": report.tenet_version,
                "informationUri": "https://example.invalid/tenet",
                "rules": rules,
            }},
            "invocations": [{ "executionSuccessful": true }],
            "results": results,
            "properties": { "asOf": report.as_of.to_string() },
        }],
    })
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
        (Some(m), _) => m.clone(),
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
