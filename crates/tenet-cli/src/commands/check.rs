//! `tenet check PATH`: compile the packs under a path and report every problem.

use tenet_db::{Database, OsSystem, diagnostics, load_workspace, program};
use tenet_diagnostics::Severity;

use crate::cli::{CheckArgs, ErrorFormat};
use crate::exit::Exit;
use crate::output::{SourceTexts, count, invocation_error, print_diagnostics};

/// Runs the command.
pub fn run(args: &CheckArgs) -> Exit {
    let mut db = Database::default();
    let loaded = match load_workspace(&mut db, &OsSystem, &args.path) {
        Ok(loaded) => loaded,
        Err(e) => {
            invocation_error(&e.to_string());
            return Exit::Errors;
        }
    };
    if loaded.files.is_empty() {
        invocation_error(&format!("no `.tenet` files under `{}`", args.path.display()));
        return Exit::Errors;
    }
    let mut texts = SourceTexts::default();
    for file in &loaded.files {
        texts.add(file.path(&db), file.bytes(&db));
    }
    let diagnostics = diagnostics(&db, loaded.workspace);
    print_diagnostics(&args.diagnostics, diagnostics, &texts);
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
    if args.diagnostics.error_format == ErrorFormat::Human {
        let program = program(&db, loaded.workspace);
        let workspace_packages =
            program.packages.iter().filter(|p| p.origin == tenet_sema::Origin::Workspace).count();
        eprintln!(
            "checked {} in {}: {}, {}",
            count(loaded.files.len(), "file", "files"),
            count(workspace_packages, "package", "packages"),
            count(errors, "error", "errors"),
            count(warnings, "warning", "warnings"),
        );
    }
    if errors > 0 { Exit::Errors } else { Exit::Clean }
}
