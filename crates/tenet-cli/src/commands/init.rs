//! `tenet init [DIR]`: start an organisation's repository: a manifest, a pack that uses the
//! ISO 42001 pack with its tailoring written out as comments to edit, and an evidence tree
//! with one filled-in template per evidence kind, where the schema reads it from.

use std::path::{Path, PathBuf};

use tenet_db::{Database, MemorySystem, load_workspace, program};
use tenet_sema::Program;

use crate::cli::{InitArgs, TemplateFormat};
use crate::commands::evidence::render_template;
use crate::exit::Exit;
use crate::output::invocation_error;

const MANIFEST: &str = r#"# The organisation's pack. `tenet check .` compiles it and evaluates `evidence/`.
[package]
name = "{name}"
version = "0.1.0"
description = "{name}'s AI management system"
tenet = "^0.1"

[evidence]
roots = ["evidence"]
"#;

const PACK: &str = r#"/// {name}'s AI management system, built on the ISO/IEC 42001 pack that ships with Tenet.
package {name}

use iso42001

// Tailoring: uncomment and adapt. Every change needs a reason an auditor can read.
//
// set iso42001.impact_review_interval = 6 months because "Clinical safety board decision CSB-1."
// not_applicable iso42001.A.10.4 because "We offer no AI system to other organisations."
// waive iso42001.A.6.2.8 for AiSystem "vendor-system" until 2027-03-31 approved_by "CISO"
//   because "Vendor log export arrives in release 5.2 (RISK-1)."

/// An objective of your own: rules read the same evidence as the standard's controls.
objective inventory_owned "Every AI system in the inventory has an owner" {
  severity medium

  rule owned
    for s: iso42001.AiSystem
    require s.owner != none
    else "{s.name} has no owner"
}
"#;

/// Runs the command.
pub fn run(args: &InitArgs) -> Exit {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir.join("tenet.toml").exists() {
        invocation_error(&format!("`{}` already has a tenet.toml; nothing was changed", dir.display()));
        return Exit::Errors;
    }
    let name = args.name.clone().unwrap_or_else(|| package_name(&dir));
    let mut db = Database::default();
    let mut system = MemorySystem::new();
    system.write("init/probe.tenet", "package probe\nuse iso42001\n");
    let Ok(loaded) = load_workspace(&mut db, &system, Path::new("init")) else {
        invocation_error("the built-in packs could not be loaded");
        return Exit::Errors;
    };
    let program = program(&db, loaded.workspace);
    let today = crate::commands::today(None);
    let mut files: Vec<(PathBuf, String)> = vec![
        (dir.join("tenet.toml"), MANIFEST.replace("{name}", &name)),
        (dir.join("aims.tenet"), PACK.replace("{name}", &name)),
    ];
    files.extend(templates(program, &dir.join("evidence"), today));
    for (path, text) in &files {
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            invocation_error(&format!("cannot create `{}`: {e}", parent.display()));
            return Exit::Errors;
        }
        if let Err(e) = std::fs::write(path, text) {
            invocation_error(&format!("cannot write `{}`: {e}", path.display()));
            return Exit::Errors;
        }
    }
    println!("created {} files in {}", files.len(), dir.display());
    println!("next: fill in the templates under evidence/, then run `tenet check {}`", dir.display());
    Exit::Clean
}

/// The package name a directory suggests: lower case, words joined by `_`.
fn package_name(dir: &Path) -> String {
    let base = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "organisation".to_owned());
    let cleaned: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let cleaned = cleaned.trim_matches('_').to_owned();
    match cleaned.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => cleaned,
        _ => format!("org_{cleaned}"),
    }
}

/// One template per iso42001 evidence kind, named `TEMPLATE-<kind>` in the folder its
/// schema reads, so it is picked up as soon as it is filled in and renamed.
fn templates(program: &Program, evidence: &Path, today: jiff::civil::Date) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for schema in &program.schemas {
        let package = program.packages.get(schema.package.index()).map(|p| &*p.name);
        if package != Some("iso42001") {
            continue;
        }
        // The template takes the first format of the kind's sources that people write by
        // hand: YAML, Markdown with front matter, or a spreadsheet's CSV.
        let Some(glob) = schema
            .sources
            .iter()
            .filter(|s| s.at.is_empty())
            .map(|s| &s.glob)
            .find(|g| g.ends_with(".yaml") || g.ends_with(".md") || g.ends_with(".csv"))
        else {
            continue;
        };
        let folder: String =
            glob.split('/').take_while(|part| !part.contains('*')).collect::<Vec<_>>().join("/");
        let (ext, text) = if glob.ends_with(".md") {
            ("md", render_template(program, schema, TemplateFormat::Markdown, today))
        } else if glob.ends_with(".csv") {
            ("csv", render_template(program, schema, TemplateFormat::Csv, today))
        } else {
            ("yaml", render_template(program, schema, TemplateFormat::Yaml, today))
        };
        // Templates carry the `.template` suffix so no schema reads them until renamed.
        let file = format!("{}.{ext}.template", kebab(&schema.name));
        out.push((evidence.join(folder).join(file), text));
    }
    out
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
