//! A synthetic organisation of N AI systems with every kind of evidence the benchmark's
//! rules read, written as a company would keep it: YAML registers in files of 500
//! entries, one Markdown impact assessment per high-risk system, model cards as YAML,
//! training records as CSV, monitoring as JSON Lines, incidents as JSON. About one
//! system in twelve has a gap, so both engines find real violations.
//!
//! Deterministic: the same N gives the same bytes (a linear congruential sequence).

use std::fmt::Write as _;
use std::path::Path;

/// The date the benchmark runs as of.
pub const AS_OF: &str = "2026-06-30";

/// The benchmark's policy, equivalent to `rego/bench.rego`.
pub const POLICY: &str = r#"package bench

schema AiSystem from "inventory/*.yaml" {
  id: string key
  name: string
  owner: string?
  risk_tier: "minimal" | "limited" | "high" | "prohibited"
  deployed: bool
}

schema ImpactAssessment from "assessments/*.md" {
  id: string key
  system: ref AiSystem
  approved_on: date effective
}

schema Monitoring from "monitoring/*.jsonl" {
  id: string key
  system: ref AiSystem
  checked_on: date
}

schema ModelCard from "models/*.yaml" {
  id: string key
  system: ref AiSystem
  license: string
}

schema Person from "people/*.yaml" {
  id: string key
  ai_role: bool
}

schema Training from "training/*.csv" {
  id: string key
  person: ref Person
  completed_on: date
}

schema Incident from "incidents/*.json" {
  id: string key
  system: ref AiSystem
  severity: "low" | "medium" | "high"
  closed_on: date?
}

param impact_interval: duration = 12 months
param monitoring_interval: duration = 90 days
param training_interval: duration = 12 months

control B.1 "Deployed high-risk systems have a current impact assessment" {
  rule impact_assessed
    for s: AiSystem where s.deployed and s.risk_tier == "high"
    require some a: ImpactAssessment where a.system == s and a.approved_on >= today - impact_interval
}

control B.2 "Deployed systems have an owner" {
  rule owned
    for s: AiSystem where s.deployed
    require s.owner != none
}

control B.3 "Deployed systems are monitored" {
  rule monitored
    for s: AiSystem where s.deployed
    require some m: Monitoring where m.system == s and m.checked_on >= today - monitoring_interval
}

control B.4 "Model licences are on the allow list" {
  rule licensed
    for c: ModelCard
    require lower(c.license) in ["apache-2.0", "mit", "cc-by-4.0", "openrail"]
}

control B.5 "People in AI roles are trained" {
  rule trained
    for p: Person where p.ai_role
    require some t: Training where t.person == p and t.completed_on >= today - training_interval
}

control B.6 "High-severity incidents are closed" {
  rule incident_closed
    for i: Incident where i.severity == "high"
    require i.closed_on != none
}
"#;

/// The cut-off dates the Rego rules compare against (Tenet computes them from `today`).
pub const CUTOFFS: &str = r#"{"impact": "2025-06-30", "monitoring": "2026-04-01", "training": "2025-06-30"}"#;

struct Random(u64);

impl Random {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn date(days_ago: u64) -> String {
    let base = jiff::civil::date(2026, 6, 30);
    let span = jiff::Span::new().days(-(days_ago as i64));
    base.checked_add(span).map_or_else(|_| "2026-01-01".to_owned(), |d| d.to_string())
}

/// Writes the organisation under `dir` (`policy/`, `evidence/`) and its JSON export for
/// Rego (`input.json`). Returns the number of evidence files.
pub fn write_org(dir: &Path, n: usize) -> std::io::Result<usize> {
    let policy = dir.join("policy");
    let evidence = dir.join("evidence");
    for sub in ["inventory", "assessments", "monitoring", "models", "people", "training", "incidents"] {
        std::fs::create_dir_all(evidence.join(sub))?;
    }
    std::fs::create_dir_all(&policy)?;
    std::fs::write(policy.join("bench.tenet"), POLICY)?;
    let mut rng = Random(n as u64);
    let mut files = 0;
    let tiers = ["minimal", "limited", "high", "high"];
    let licenses = ["apache-2.0", "MIT", "cc-by-4.0", "openrail", "proprietary"];
    let mut json_systems = Vec::with_capacity(n);
    let mut json_assess = Vec::new();
    let mut json_monitor = Vec::new();
    let mut json_cards = Vec::new();
    let mut json_people = Vec::new();
    let mut json_training = Vec::new();
    let mut json_incidents = Vec::new();

    for chunk_start in (0..n).step_by(500) {
        let mut inventory = String::from("# AI system inventory\n");
        let mut cards = String::new();
        let mut people = String::new();
        let mut monitoring = String::new();
        let mut training = String::from("id,person,completed_on\n");
        let mut incidents = Vec::new();
        for i in chunk_start..(chunk_start + 500).min(n) {
            let id = format!("sys-{i:06}");
            let tier = tiers[rng.next(4) as usize];
            let deployed = rng.next(10) < 8;
            let owned = rng.next(25) != 0;
            let _ = writeln!(
                inventory,
                "- id: {id}\n  name: System {i}\n  risk_tier: {tier}\n  deployed: {deployed}"
            );
            if owned {
                let _ = writeln!(inventory, "  owner: owner-{}", i % 97);
            }
            json_systems.push(if owned {
                serde_json::json!({"id": id, "name": format!("System {i}"), "risk_tier": tier, "deployed": deployed, "owner": format!("owner-{}", i % 97)})
            } else {
                serde_json::json!({"id": id, "name": format!("System {i}"), "risk_tier": tier, "deployed": deployed})
            });
            if tier == "high" && rng.next(12) != 0 {
                let approved = date(rng.next(420));
                let text = format!(
                    "---\nid: ia-{i:06}\nsystem: {id}\napproved_on: {approved}\n---\n\n# Impact assessment of System {i}\n\n## Affected groups\n\nCustomers and staff.\n"
                );
                std::fs::write(evidence.join("assessments").join(format!("ia-{i:06}.md")), text)?;
                files += 1;
                json_assess.push(
                    serde_json::json!({"id": format!("ia-{i:06}"), "system": id, "approved_on": approved}),
                );
            }
            let checked = date(rng.next(120));
            let _ = writeln!(
                monitoring,
                "{{\"id\": \"mon-{i:06}\", \"system\": \"{id}\", \"checked_on\": \"{checked}\"}}"
            );
            json_monitor
                .push(serde_json::json!({"id": format!("mon-{i:06}"), "system": id, "checked_on": checked}));
            let license = licenses[rng.next(5) as usize];
            let _ = writeln!(cards, "- id: card-{i:06}\n  system: {id}\n  license: {license}");
            json_cards
                .push(serde_json::json!({"id": format!("card-{i:06}"), "system": id, "license": license}));
            let ai_role = rng.next(3) == 0;
            let _ = writeln!(people, "- id: person-{i:06}\n  ai_role: {ai_role}");
            json_people.push(serde_json::json!({"id": format!("person-{i:06}"), "ai_role": ai_role}));
            if ai_role {
                let completed = date(rng.next(450));
                let _ = writeln!(training, "tr-{i:06},person-{i:06},{completed}");
                json_training.push(serde_json::json!({"id": format!("tr-{i:06}"), "person": format!("person-{i:06}"), "completed_on": completed}));
            }
            if rng.next(20) == 0 {
                let severity = ["low", "medium", "high"][rng.next(3) as usize];
                let closed = rng.next(3) != 0;
                let mut incident =
                    serde_json::json!({"id": format!("inc-{i:06}"), "system": id, "severity": severity});
                if closed {
                    incident["closed_on"] = serde_json::json!(date(rng.next(30)));
                }
                incidents.push(incident.clone());
                json_incidents.push(incident);
            }
        }
        let part = chunk_start / 500;
        std::fs::write(evidence.join("inventory").join(format!("systems-{part:04}.yaml")), inventory)?;
        std::fs::write(evidence.join("models").join(format!("cards-{part:04}.yaml")), cards)?;
        std::fs::write(evidence.join("people").join(format!("people-{part:04}.yaml")), people)?;
        std::fs::write(evidence.join("monitoring").join(format!("checks-{part:04}.jsonl")), monitoring)?;
        std::fs::write(evidence.join("training").join(format!("training-{part:04}.csv")), training)?;
        std::fs::write(
            evidence.join("incidents").join(format!("incidents-{part:04}.json")),
            serde_json::to_string_pretty(&incidents).unwrap_or_default(),
        )?;
        files += 6;
    }
    let input = serde_json::json!({
        "cutoffs": serde_json::from_str::<serde_json::Value>(CUTOFFS).unwrap_or_default(),
        "systems": json_systems,
        "impact_assessments": json_assess,
        "monitoring": json_monitor,
        "model_cards": json_cards,
        "people": json_people,
        "training": json_training,
        "incidents": json_incidents,
    });
    std::fs::write(dir.join("input.json"), serde_json::to_string(&input).unwrap_or_default())?;
    Ok(files)
}
