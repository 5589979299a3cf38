//! What the integration tests share: schemas from `.tenet` text, checked by the real
//! checker, and one way of showing a diagnostic (`line:col severity code message`).
#![allow(clippy::expect_used, clippy::panic, dead_code, reason = "test set-up fails loudly")]

use std::sync::Arc;

use tenet_diagnostics::{Diagnostic, LineIndex};
use tenet_sema::program::Schema;
use tenet_sema::{CheckInput, Origin};

/// The schemas of one policy file (with the stdlib prelude, as the database checks it).
pub fn schemas(text: &str) -> Vec<Schema> {
    let (ast, errors) = tenet_syntax::parse(text);
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

/// `line:col severity code message`, then the help on its own line.
pub fn show(d: &Diagnostic, text: &str) -> String {
    let pos = LineIndex::new(text).line_col(text, d.span.start);
    let help = d.help.as_deref().map(|h| format!("\n    help: {h}")).unwrap_or_default();
    format!("{}:{} {} {} {}{help}", pos.line, pos.column, d.severity.as_str(), d.code.id(), d.message)
}

/// The text a span covers in a loaded file.
pub fn underlined<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    text.get(d.span.range()).unwrap_or("<out of range>")
}
