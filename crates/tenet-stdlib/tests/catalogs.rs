//! The embedded catalogs are complete and the crosswalks hold every pair of the reference
//! data (`crates/xtask/reference/`), each naming only ids that exist.
#![allow(clippy::expect_used, clippy::panic, reason = "test set-up fails loudly")]

use std::collections::BTreeSet;
use std::sync::Arc;

use tenet_sema::{CheckInput, Origin, Program};

fn program() -> Program {
    let files: Vec<(Arc<str>, tenet_syntax::ast::Ast)> = tenet_stdlib::files()
        .map(|(path, text)| {
            let (ast, errors) = tenet_syntax::parse(text);
            assert!(errors.is_empty(), "{path}: {errors:?}");
            (Arc::from(path), ast)
        })
        .collect();
    // A workspace package that uses every pack, so that all of them are checked.
    let (probe, _) = tenet_syntax::parse("package probe\nuse iso42001\nuse eu_ai_act\nuse nist_ai_rmf\n");
    let probe_path: Arc<str> = Arc::from("probe.tenet");
    let mut inputs: Vec<CheckInput<'_>> =
        files.iter().map(|(path, ast)| CheckInput { path, origin: Origin::Stdlib, ast }).collect();
    inputs.push(CheckInput { path: &probe_path, origin: Origin::Workspace, ast: &probe });
    let program = tenet_sema::check(&inputs);
    assert!(program.diagnostics.is_empty(), "{:#?}", program.diagnostics);
    program
}

fn reference(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../xtask/reference").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference file")).expect("JSON")
}

fn requirement_ids(program: &Program, framework: &str) -> Vec<String> {
    let f = program.frameworks.iter().find(|f| &*f.name == framework).expect("framework");
    f.requirements.iter().map(|r| r.id.to_string()).collect()
}

#[test]
fn catalogs_hold_every_article_annex_subcategory_and_control() {
    let program = program();
    let nist = requirement_ids(&program, "nist_ai_rmf");
    assert_eq!(nist.len(), 72);
    let eu = requirement_ids(&program, "eu_ai_act");
    assert_eq!(eu.iter().filter(|id| id.starts_with("Art. ")).count(), 113);
    assert_eq!(eu.iter().filter(|id| id.starts_with("Annex ")).count(), 13);
    let iso: Vec<_> = program
        .controls
        .iter()
        .filter(|c| program.packages[c.package.index()].name.as_ref() == "iso42001")
        .collect();
    let annex_a = iso.iter().filter(|c| c.local_id.starts_with("A.")).count();
    let clauses = iso.iter().filter(|c| !c.local_id.starts_with("A.")).count();
    assert_eq!(annex_a, 38);
    assert_eq!(clauses, 32);
    // Ids and titles exactly as in the reference.
    let structure = requirement_ids(&program, "iso42001_structure");
    for c in &iso {
        assert!(structure.contains(&c.local_id.to_string()), "{} is not in the ISO structure", c.local_id);
        let f = program.frameworks.iter().find(|f| &*f.name == "iso42001_structure").expect("structure");
        assert_eq!(
            f.requirement(&c.local_id).map(|r| r.title.as_str()),
            Some(c.title.as_str()),
            "{}",
            c.local_id
        );
    }
}

#[test]
fn every_reference_pair_is_a_mapping() {
    let program = program();
    let mapped: BTreeSet<(String, String, String)> = program
        .mappings
        .iter()
        .map(|m| {
            let control = program.controls[m.control.index()].local_id.to_string();
            (program.frameworks[m.framework.index()].name.to_string(), control, m.requirement.to_string())
        })
        .collect();
    let has = |framework: &str, iso: &str, target: &str| {
        mapped.contains(&(framework.to_owned(), iso.to_owned(), target.to_owned()))
            || mapped
                .iter()
                .any(|(f, c, t)| f == framework && t == target && c.starts_with(&format!("{iso}.")))
    };
    let mut missing = Vec::new();
    for (file, framework, key) in [
        ("crosswalk-iso42001-eu-ai-act.json", "eu_ai_act", "eu_article"),
        ("crosswalk-iso42001-nist-ai-rmf.json", "nist_ai_rmf", "nist_subcategory"),
    ] {
        let data = reference(file);
        for list in ["mappings", "derived_by_reviewer"] {
            for pair in data[list].as_array().into_iter().flatten() {
                let iso = pair["iso_id"].as_str().unwrap_or_default();
                let target = pair[key].as_str().unwrap_or_default();
                if !has(framework, iso, target) {
                    missing.push(format!("{framework}: {iso} -> {target}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "missing pairs: {missing:#?}");
    assert!(program.mappings.iter().any(|m| m.reviewed.is_some()), "reviewer-derived pairs are marked");
}
