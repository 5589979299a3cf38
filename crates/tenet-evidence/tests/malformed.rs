//! The malformed-evidence corpus: each file under `tests/malformed/evidence/` is loaded
//! against `tests/malformed/schema.tenet`, and its diagnostics and surviving documents are
//! compared with `tests/malformed/expected/<path>.expected`. Good files sit among the bad
//! ones, so the corpus also shows that a broken file costs only itself.
//! `TENET_BLESS=1` rewrites the expectations.
#![allow(clippy::expect_used, clippy::panic, reason = "test set-up fails loudly")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tenet_diagnostics::{Diagnostic, LineIndex};
use tenet_evidence::{Limits, Loaded, Sources, check_across_files, load_file};
use tenet_sema::program::Schema;
use tenet_sema::{CheckInput, Origin};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

fn schemas() -> Vec<Schema> {
    let text = std::fs::read_to_string(root().join("schema.tenet")).expect("schema");
    let (ast, errors) = tenet_syntax::parse(&text);
    assert!(errors.is_empty(), "{errors:?}");
    let prelude_path = "<stdlib>/tenet/attestation.tenet";
    let prelude = tenet_stdlib::text(prelude_path).expect("prelude");
    let (prelude_ast, _) = tenet_syntax::parse(prelude);
    let paths: Vec<Arc<str>> = vec![Arc::from("schema.tenet"), Arc::from(prelude_path)];
    let inputs = vec![
        CheckInput { path: &paths[0], origin: Origin::Workspace, ast: &ast },
        CheckInput { path: &paths[1], origin: Origin::Stdlib, ast: &prelude_ast },
    ];
    let program = tenet_sema::check(&inputs);
    assert!(program.diagnostics.is_empty(), "{:?}", program.diagnostics);
    program.schemas
}

fn files(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, base, out);
        } else {
            let rel = path.strip_prefix(base).expect("prefix").to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn show(d: &Diagnostic, text: &str) -> String {
    let pos = LineIndex::new(text).line_col(text, d.span.start);
    let help = d.help.as_deref().map(|h| format!("\n    help: {h}")).unwrap_or_default();
    format!("{}:{} {} {} {}{help}", pos.line, pos.column, d.severity.as_str(), d.code.id(), d.message)
}

#[test]
fn the_malformed_corpus_matches_its_expectations() {
    let schemas = schemas();
    let evidence = root().join("evidence");
    let mut list = Vec::new();
    files(&evidence, &evidence, &mut list);
    assert!(list.len() >= 30, "the corpus must keep at least 30 files, has {}", list.len());
    let loaded: Vec<(String, Loaded)> = list
        .iter()
        .map(|(rel, path)| {
            let bytes = std::fs::read(path).expect("read");
            (rel.clone(), load_file(rel, &bytes, &schemas, &Sources::new(&schemas), &Limits::default()))
        })
        .collect();
    let pairs: Vec<(&str, &Loaded)> = loaded.iter().map(|(p, l)| (p.as_str(), l)).collect();
    let across = check_across_files(&pairs, &schemas);
    let bless = std::env::var_os("TENET_BLESS").is_some();
    let mut failures = Vec::new();
    for (rel, l) in &loaded {
        let mut lines: Vec<String> = l.diagnostics.iter().map(|d| show(d, &l.text)).collect();
        lines.extend(across.iter().filter(|d| &*d.path == rel.as_str()).map(|d| show(d, &l.text)));
        let docs: Vec<String> = l
            .documents
            .iter()
            .map(|(k, d)| {
                let kind = &schemas[k.index()].name;
                format!(
                    "{kind} {} at {}:{}",
                    d.key_text().unwrap_or_default(),
                    d.citation.line,
                    d.citation.column
                )
            })
            .collect();
        let actual = format!("diagnostics:\n{}\ndocuments:\n{}\n", indent(&lines), indent(&docs));
        let expected_path = root().join("expected").join(format!("{rel}.expected"));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            if bless {
                std::fs::create_dir_all(expected_path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&expected_path, &actual).expect("write");
            } else {
                let diff = similar::TextDiff::from_lines(&expected, &actual)
                    .unified_diff()
                    .header("expected", "actual")
                    .to_string();
                failures.push(format!("{rel}:\n{diff}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn indent(lines: &[String]) -> String {
    if lines.is_empty() {
        "  (none)".to_owned()
    } else {
        lines.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
    }
}

fn one_diagnostic(path: &str, bytes: &[u8]) -> Diagnostic {
    let schemas = schemas();
    let loaded = load_file(path, bytes, &schemas, &Sources::new(&schemas), &Limits::default());
    assert!(loaded.documents.is_empty());
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    loaded.diagnostics[0].clone()
}

#[test]
fn a_200_megabyte_file_is_refused_before_parsing() {
    let bytes = vec![b'#'; 200 * 1024 * 1024];
    let d = one_diagnostic("inventory/huge.yaml", &bytes);
    assert_eq!(d.code.id(), "T0501");
    assert_eq!(d.message, "the file is 209715200 bytes; evidence files may be at most 67108864 bytes");
}

#[test]
fn ten_thousand_deep_nesting_is_an_error_not_a_stack_overflow() {
    let yaml = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let d = one_diagnostic("inventory/deep.yaml", yaml.as_bytes());
    assert_eq!((d.code.id(), d.message.as_str()), ("T0502", "values nest more than 128 levels deep"));
    let json = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let d = one_diagnostic("inventory/deep.json", json.as_bytes());
    assert_eq!((d.code.id(), d.message.as_str()), ("T0502", "values nest more than 128 levels deep"));
    let yaml_maps = format!("{}1", (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>());
    let d = one_diagnostic("inventory/deep_maps.yaml", yaml_maps.as_bytes());
    assert_eq!(d.code.id(), "T0502");
}

#[test]
fn an_alias_bomb_is_stopped() {
    let mut yaml = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        yaml.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        prev = name;
    }
    let d = one_diagnostic("inventory/bomb.yaml", yaml.as_bytes());
    assert_eq!(d.code.id(), "T0502");
    assert_eq!(d.message, "aliases expand to too many values");
}
