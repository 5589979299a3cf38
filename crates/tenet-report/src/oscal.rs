//! OSCAL 1.1 assessment results: an observation per evidence document the run cited, and a
//! finding per control with its state, targeted at the control's id. UUIDs are derived
//! from content (name-based, version 5 layout), so the same run gives the same bytes.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tenet_eval::Status;
use tenet_eval::report::RunReport;

use crate::Paths;

/// The OSCAL version the output follows.
pub const OSCAL_VERSION: &str = "1.1.2";

/// A name-based UUID: two FNV-1a hashes of the name laid out as a version 5 UUID.
fn uuid(name: &str) -> String {
    let hash =
        |seed: u64| name.bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    let hi = hash(0xcbf2_9ce4_8422_2325);
    let lo = hash(0x84222325_cbf29ce4);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_5000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// The OSCAL assessment-results document of a run.
pub fn oscal(report: &RunReport, paths: &Paths) -> Value {
    let moment = format!("{}T00:00:00Z", report.as_of);
    // One observation per cited evidence file.
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &report.controls {
        for r in c.results.iter() {
            for k in &r.citations {
                files.entry(paths.evidence(&k.path)).or_default().push(c.id.to_string());
            }
        }
    }
    let observations: Vec<Value> = files
        .keys()
        .map(|path| {
            json!({
                "uuid": uuid(&format!("observation:{path}")),
                "description": format!("Evidence document {path}, read by Tenet."),
                "methods": ["TEST"],
                "types": ["finding"],
                "relevant-evidence": [{ "href": path, "description": "The evidence file." }],
                "collected": moment,
            })
        })
        .collect();
    let findings: Vec<Value> = report
        .controls
        .iter()
        .filter(|c| c.status != Status::NotApplicable)
        .map(|c| {
            let state = if c.status == Status::Pass { "satisfied" } else { "not-satisfied" };
            let mut cited: Vec<String> =
                c.results.iter().flat_map(|r| r.citations.iter().map(|k| paths.evidence(&k.path))).collect();
            cited.sort();
            cited.dedup();
            let related: Vec<Value> = cited
                .iter()
                .map(|p| json!({ "observation-uuid": uuid(&format!("observation:{p}")) }))
                .collect();
            let failures = c.results.iter().filter(|r| r.status == Status::Fail).count();
            let mut finding = json!({
                "uuid": uuid(&format!("finding:{}", c.id)),
                "title": format!("{} {}", c.local_id, c.title),
                "description": format!(
                    "Tenet status {} ({} results, {} failing).",
                    c.status.as_str(),
                    c.results.len(),
                    failures
                ),
                "target": {
                    "type": "objective-id",
                    "target-id": c.id.to_lowercase(),
                    "status": { "state": state },
                },
                "props": [{ "name": "tenet-status", "ns": "https://example.invalid/tenet", "value": c.status.as_str() }],
            });
            if !related.is_empty() {
                finding["related-observations"] = Value::Array(related);
            }
            // Rules a dependent package replaced or disabled are named with the reason.
            if !c.overrides.is_empty() {
                let lines: Vec<String> = c
                    .overrides
                    .iter()
                    .map(|o| format!("Rule `{}` {} at {}:{}: {}", o.rule, o.by(), o.file, o.line, o.because))
                    .collect();
                finding["remarks"] = Value::String(lines.join("\n\n"));
            }
            finding
        })
        .collect();
    let mut result = json!({
        "uuid": uuid(&format!("result:{}", report.as_of)),
        "title": format!("Tenet check as of {}", report.as_of),
        "description": "Controls evaluated by Tenet over the organisation's evidence.",
        "start": moment,
        "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
        "findings": findings,
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("assessment-results:{}", report.as_of)),
            "metadata": {
                "title": "Tenet assessment results",
                "last-modified": moment,
                "version": report.tenet_version,
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": { "href": "#tenet-assessment-plan" },
            "results": [result],
        }
    })
}
