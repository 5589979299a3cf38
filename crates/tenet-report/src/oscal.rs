//! OSCAL 1.1 assessment results: an observation per evidence document the run cited, and a
//! finding per control with its state, targeted at the control's id. Each error diagnostic
//! (a policy or evidence file Tenet could not use as written) is an observation of its
//! own, of type `finding`, with its code and place: it concerns no one control, which a
//! finding must target, and an assessor reading the results must see it. UUIDs are
//! derived from content (name-based, version 5 layout), so the same run gives the same
//! bytes.

use std::collections::{BTreeSet, HashSet};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};
use tenet_diagnostics::LocatedDiagnostic;
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

/// Where Tenet's own properties are defined.
const NS: &str = "https://example.invalid/tenet";

/// The OSCAL assessment-results document of a run and its diagnostics, as one value.
pub fn oscal(report: &RunReport, diagnostics: &[LocatedDiagnostic], paths: &Paths) -> Value {
    serde_json::to_value(Document::new(report, diagnostics, paths)).unwrap_or_default()
}

/// Writes the OSCAL assessment-results document of a run and its diagnostics to `out`,
/// pretty-printed, making one observation at a time: a large organisation cites tens of
/// thousands of files.
pub fn write_oscal(
    report: &RunReport,
    diagnostics: &[LocatedDiagnostic],
    paths: &Paths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    crate::write_pretty_json(&Document::new(report, diagnostics, paths), out)
}

/// The document. Objects are written with their keys in order, as a `serde_json` value
/// would be, so [`oscal`] and [`write_oscal`] give the same text.
struct Document<'a> {
    report: &'a RunReport,
    paths: &'a Paths,
    /// Every cited file, as cited: prefixed with the evidence root only when written (the
    /// prefix is the same for all, so the order is the same either way).
    files: BTreeSet<&'a str>,
    /// The error diagnostics, each with its UUID; one of each, since two the same would
    /// share a UUID.
    errors: Vec<(String, &'a LocatedDiagnostic)>,
    moment: String,
}

impl<'a> Document<'a> {
    fn new(report: &'a RunReport, diagnostics: &'a [LocatedDiagnostic], paths: &'a Paths) -> Document<'a> {
        let files = report
            .controls
            .iter()
            .flat_map(|c| c.results.iter())
            .flat_map(|r| r.citations.iter())
            .map(|k| &*k.path)
            .collect();
        let mut seen = HashSet::new();
        let errors = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| (uuid(&format!("diagnostic:{}|{}|{}", d.code, d.place, d.message)), d))
            .filter(|(id, _)| seen.insert(id.clone()))
            .collect();
        Document { report, paths, files, errors, moment: format!("{}T00:00:00Z", report.as_of) }
    }

    /// One finding per applicable control.
    fn findings(&self) -> Vec<Value> {
        let paths = self.paths;
        self.report
            .controls
            .iter()
            .filter(|c| c.status != Status::NotApplicable)
            .map(|c| {
                let state = if c.status == Status::Pass { "satisfied" } else { "not-satisfied" };
                let cited: BTreeSet<&str> = c.results.iter().flat_map(|r| r.citations.iter()).map(|k| &*k.path).collect();
                let related: Vec<Value> = cited
                    .iter()
                    .map(|p| json!({ "observation-uuid": uuid(&format!("observation:{}", paths.evidence(p))) }))
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
                    "props": [{ "name": "tenet-status", "ns": NS, "value": c.status.as_str() }],
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
            .collect()
    }

    /// The observation of an error diagnostic: its code and severity as properties, its
    /// message and help as the description, its file and related places as the evidence.
    fn diagnostic_observation(&self, id: &str, d: &LocatedDiagnostic) -> Value {
        let mut description = format!("{} at {}: {}.", d.code, d.place, d.message);
        if let Some(help) = &d.help {
            description.push_str(&format!(" Help: {help}"));
        }
        let at = |place: &tenet_diagnostics::Place| {
            format!("line {}, column {}", place.start.line, place.start.column)
        };
        let evidence = std::iter::once(json!({
            "href": &*d.place.path,
            "description": format!("The file Tenet could not use as written, at {}.", at(&d.place)),
        }))
        .chain(d.related.iter().map(|r| {
            json!({ "href": &*r.place.path, "description": format!("{}, at {}.", r.message, at(&r.place)) })
        }));
        json!({
            "uuid": id,
            "title": format!("{} {}", d.code, d.code.title()),
            "description": description,
            "props": [
                { "name": "tenet-diagnostic", "ns": NS, "value": d.code.id() },
                { "name": "tenet-severity", "ns": NS, "value": d.severity.as_str() },
            ],
            "methods": ["TEST"],
            "types": ["finding"],
            "relevant-evidence": evidence.collect::<Vec<Value>>(),
            "collected": self.moment,
        })
    }

    /// The observation of one cited evidence file.
    fn observation(&self, cited: &str) -> Value {
        let path = self.paths.evidence(cited);
        json!({
            "uuid": uuid(&format!("observation:{path}")),
            "description": format!("Evidence document {path}, read by Tenet."),
            "methods": ["TEST"],
            "types": ["finding"],
            "relevant-evidence": [{ "href": path, "description": "The evidence file." }],
            "collected": self.moment,
        })
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("assessment-results", &AssessmentResults(self))?;
        map.end()
    }
}

/// `assessment-results`, its keys in order.
struct AssessmentResults<'d>(&'d Document<'d>);

impl Serialize for AssessmentResults<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("import-ap", &json!({ "href": "#tenet-assessment-plan" }))?;
        map.serialize_entry(
            "metadata",
            &json!({
                "title": "Tenet assessment results",
                "last-modified": doc.moment,
                "version": doc.report.tenet_version,
                "oscal-version": OSCAL_VERSION,
            }),
        )?;
        map.serialize_entry("results", &[AssessmentResult(doc)])?;
        map.serialize_entry("uuid", &uuid(&format!("assessment-results:{}", doc.report.as_of)))?;
        map.end()
    }
}

/// The one result, its keys in order, its observations made as they are written.
struct AssessmentResult<'d>(&'d Document<'d>);

impl Serialize for AssessmentResult<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let as_of = doc.report.as_of;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("description", "Controls evaluated by Tenet over the organisation's evidence.")?;
        map.serialize_entry("findings", &doc.findings())?;
        if !doc.files.is_empty() || !doc.errors.is_empty() {
            map.serialize_entry("observations", &Observations(doc))?;
        }
        map.serialize_entry("reviewed-controls", &json!({ "control-selections": [{ "include-all": {} }] }))?;
        map.serialize_entry("start", &doc.moment)?;
        map.serialize_entry("title", &format!("Tenet check as of {as_of}"))?;
        map.serialize_entry("uuid", &uuid(&format!("result:{as_of}")))?;
        map.end()
    }
}

/// One observation per error diagnostic, then one per cited file.
struct Observations<'d>(&'d Document<'d>);

impl Serialize for Observations<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let doc = self.0;
        let errors = doc.errors.iter().map(|(id, d)| doc.diagnostic_observation(id, d));
        serializer.collect_seq(errors.chain(doc.files.iter().map(|f| doc.observation(f))))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixtures::{diagnostics, report};

    #[test]
    fn each_error_diagnostic_is_an_observation_with_its_code_and_place() {
        let mut diagnostics = diagnostics();
        // An exact repeat is one observation: the UUID is the diagnostic's content.
        diagnostics.push(diagnostics[0].clone());
        let report = report(Vec::new());
        let document = oscal(&report, &diagnostics, &Paths::default());
        let observations = &document["assessment-results"]["results"][0]["observations"];
        assert_eq!(observations.as_array().map(Vec::len), Some(2));
        let id = uuid(
            "diagnostic:T0505|evidence/inv/x.csv:4:8|`risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\"",
        );
        assert_eq!(
            observations[0],
            json!({
                "uuid": id,
                "title": "T0505 value not allowed",
                "description": "T0505 at evidence/inv/x.csv:4:8: `risk_tier` is \"hihg\", which is not one of \"minimal\", \"high\". Help: did you mean \"high\"?",
                "props": [
                    { "name": "tenet-diagnostic", "ns": NS, "value": "T0505" },
                    { "name": "tenet-severity", "ns": NS, "value": "error" },
                ],
                "methods": ["TEST"],
                "types": ["finding"],
                "relevant-evidence": [{
                    "href": "evidence/inv/x.csv",
                    "description": "The file Tenet could not use as written, at line 4, column 8.",
                }],
                "collected": "2026-06-30T00:00:00Z",
            })
        );
        assert_eq!(
            observations[1]["relevant-evidence"][1],
            json!({ "href": "evidence/inv/x.csv", "description": "the first document with key `s1`, at line 2, column 1." })
        );
        // The same input gives the same bytes.
        assert_eq!(oscal(&report, &diagnostics, &Paths::default()), document);
    }
}
