//! `tenet explain ID`: what a control, a framework requirement or a diagnostic code means,
//! and how it connects to the rest: rules and parameters, mappings in both directions.

use tenet_db::{Database, program};
use tenet_diagnostics::Code;
use tenet_sema::program::{ControlId, Program, RuleKind};

use crate::cli::ExplainArgs;
use crate::exit::Exit;
use crate::output::invocation_error;

/// Runs the command.
pub fn run(args: &ExplainArgs) -> Exit {
    if let Some(code) = Code::find(&args.id) {
        println!("{} ({}): {}\n\n{}", code.id(), code.severity().as_str(), code.title(), code.explanation());
        return Exit::Clean;
    }
    let mut db = Database::default();
    let root = args.path.clone().unwrap_or_else(|| ".".into());
    let loaded = match crate::commands::packs::load(&mut db, &root) {
        Ok(loaded) => loaded.files,
        Err(e) => {
            invocation_error(&e.to_string());
            return Exit::Errors;
        }
    };
    let program = program(&db, loaded.workspace);
    let text = explain(program, &args.id);
    match text {
        Some(text) => {
            print!("{text}");
            Exit::Clean
        }
        None => {
            invocation_error(&format!(
                "nothing is called `{}`: not a control, a framework requirement or a diagnostic code",
                args.id
            ));
            Exit::Errors
        }
    }
}

/// The explanation of `id`, looked up as a control (qualified or local id), then as a
/// framework requirement (`Art. 27`, or `eu_ai_act:Art. 27`).
pub fn explain(program: &Program, id: &str) -> Option<String> {
    let controls: Vec<ControlId> = program
        .controls
        .iter()
        .enumerate()
        .filter(|(_, c)| &*c.qualified == id || &*c.local_id == id)
        .map(|(i, _)| ControlId(i as u32))
        .collect();
    if !controls.is_empty() {
        return Some(controls.iter().map(|c| explain_control(program, *c)).collect::<Vec<_>>().join("\n"));
    }
    let (framework, requirement) = match id.split_once(':') {
        Some((f, r)) => (Some(f.trim()), r.trim()),
        None => (None, id.trim()),
    };
    let mut out = String::new();
    for (fi, f) in program.frameworks.iter().enumerate() {
        if framework.is_some_and(|name| name != &*f.name) {
            continue;
        }
        let Some(req) = f.requirement(requirement) else { continue };
        out.push_str(&format!("{} {} — {}\n", f.name, req.id, req.title));
        out.push_str(&format!("framework: {}\n", f.title));
        for (key, value) in &req.metadata {
            out.push_str(&format!("{key}: {value}\n"));
        }
        if let Some(doc) = &req.doc {
            out.push_str(&format!("\n{doc}\n"));
        }
        let mapped: Vec<_> = program
            .mappings
            .iter()
            .filter(|m| m.framework.index() == fi && m.requirement == req.id)
            .collect();
        if mapped.is_empty() {
            out.push_str("\nno control maps to it\n");
        } else {
            out.push_str("\ncontrols that map to it:\n");
            for m in mapped {
                if let Some(c) = program.controls.get(m.control.index()) {
                    out.push_str(&format!("  {} {} ({})\n", c.qualified, c.title, m.relationship.as_str()));
                }
            }
        }
        out.push('\n');
    }
    (!out.is_empty()).then_some(out)
}

fn explain_control(program: &Program, id: ControlId) -> String {
    let Some(c) = program.controls.get(id.index()) else { return String::new() };
    let mut out = format!("{} {} — {}\n", c.kind.as_str(), c.qualified, c.title);
    out.push_str(&format!("severity: {}\n", c.severity.as_str()));
    if let Some(intent) = &c.intent {
        out.push_str(&format!("objective: {intent}\n"));
    }
    if let Some(doc) = &c.doc {
        out.push_str(&format!("\n{doc}\n"));
    }
    if let Some(e) = program.exclusions.iter().find(|e| e.control == id) {
        out.push_str(&format!("\nnot applicable: {}\n", e.because));
    }
    out.push_str("\nrules:\n");
    let mut params = Vec::new();
    for r in &c.rules {
        let kind = match &r.body.kind {
            RuleKind::Check(_) => "rule",
            RuleKind::Attestation(_) => "attestation",
            RuleKind::Condition(_) => "condition",
            RuleKind::Disabled(_) => "rule",
        };
        let kinds: Vec<&str> = r.body.kinds_read.iter().map(|k| program.kind_name(*k)).collect();
        out.push_str(&format!("  {kind} {}", r.name));
        if !kinds.is_empty() {
            out.push_str(&format!(" (reads {})", kinds.join(", ")));
        }
        out.push('\n');
        if let Some(doc) = &r.doc {
            out.push_str(&format!("    {doc}\n"));
        }
        if let Some(o) = &r.overridden {
            let verb = match o.action {
                tenet_sema::program::OverrideAction::Replace => "replaced",
                tenet_sema::program::OverrideAction::Disable => "disabled",
            };
            let package = program.packages.get(o.package.index()).map_or("?", |p| &*p.name);
            out.push_str(&format!("    {verb} by {package}: {}\n", o.because));
        }
        for p in &r.body.params_read {
            if !params.contains(p) {
                params.push(*p);
            }
        }
    }
    if !params.is_empty() {
        out.push_str("\nparameters:\n");
        for p in params {
            if let Some(param) = program.params.get(p.index()) {
                let set_by = param
                    .set_by
                    .as_ref()
                    .and_then(|s| program.packages.get(s.package.index()))
                    .map(|pkg| format!(" (set by {})", pkg.name))
                    .unwrap_or_default();
                let value =
                    tenet_eval::evaluate_constant(program, &param.value, crate::commands::today(None))
                        .map(|v| v.to_string())
                        .unwrap_or_else(|e| format!("(cannot evaluate: {e})"));
                out.push_str(&format!("  {} = {value}{set_by}\n", param.name));
            }
        }
    }
    let mappings: Vec<_> = program.mappings.iter().filter(|m| m.control == id).collect();
    if !mappings.is_empty() {
        out.push_str("\nmaps to:\n");
        let mut shown = std::collections::BTreeSet::new();
        for m in mappings {
            if !shown.insert((m.framework, m.requirement.clone(), m.relationship.as_str())) {
                continue;
            }
            let Some(f) = program.frameworks.get(m.framework.index()) else { continue };
            let title = f.requirement(&m.requirement).map(|r| r.title.as_str()).unwrap_or("");
            out.push_str(&format!("  {} {} {title} ({})\n", f.name, m.requirement, m.relationship.as_str()));
        }
    }
    out
}
