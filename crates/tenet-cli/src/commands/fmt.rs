//! `tenet fmt`: format files in place, or report those that differ.

use std::io::Read;
use std::path::{Path, PathBuf};

use tenet_db::display_path;
use tenet_syntax::FormatError;

use crate::cli::FmtArgs;
use crate::exit::Exit;
use crate::output::{SourceTexts, count, invocation_error, print_diagnostics};

/// Runs the command.
pub fn run(args: &FmtArgs) -> Exit {
    if args.stdin {
        return format_stdin(args);
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter();
            for entry in walker.filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !(name.starts_with('.') || name == "target" || name == "node_modules")
            }) {
                match entry {
                    Ok(e)
                        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "tenet") =>
                    {
                        files.push(e.into_path())
                    }
                    Ok(_) => {}
                    Err(e) => {
                        invocation_error(&format!("cannot read `{}`: {e}", path.display()));
                        return Exit::Errors;
                    }
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            invocation_error(&format!("`{}` does not exist", path.display()));
            return Exit::Errors;
        }
    }
    let mut exit = Exit::Clean;
    let mut changed = 0;
    for file in &files {
        match format_file(args, file) {
            Ok(true) => {
                changed += 1;
                exit = exit.max(if args.check { Exit::Findings } else { Exit::Clean });
            }
            Ok(false) => {}
            Err(()) => exit = Exit::Errors,
        }
    }
    if args.check {
        if changed > 0 {
            eprintln!("{} would be reformatted", count(changed, "file", "files"));
        }
    } else if changed > 0 {
        eprintln!("reformatted {}", count(changed, "file", "files"));
    }
    exit
}

/// Formats one file; `Ok(true)` when it changed (or would change).
fn format_file(args: &FmtArgs, path: &Path) -> Result<bool, ()> {
    let shown = display_path(path);
    let bytes = std::fs::read(path).map_err(|e| invocation_error(&format!("cannot read `{shown}`: {e}")))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        let (_, errors) = tenet_syntax::parse_bytes(&bytes);
        report(args, &shown, &bytes, &errors);
        return Err(());
    };
    match tenet_syntax::format(text) {
        Ok(formatted) if formatted == text => Ok(false),
        Ok(formatted) => {
            if args.check {
                println!("{shown}");
            } else {
                std::fs::write(path, formatted)
                    .map_err(|e| invocation_error(&format!("cannot write `{shown}`: {e}")))?;
            }
            Ok(true)
        }
        Err(FormatError::Syntax(errors)) => {
            report(args, &shown, &bytes, &errors);
            Err(())
        }
    }
}

fn report(args: &FmtArgs, shown: &str, bytes: &[u8], errors: &[tenet_syntax::SyntaxError]) {
    let mut texts = SourceTexts::default();
    texts.add(shown, bytes);
    let diagnostics: Vec<_> = errors.iter().map(|e| e.to_diagnostic(shown)).collect();
    print_diagnostics(&args.diagnostics, &diagnostics, &texts);
}

fn format_stdin(args: &FmtArgs) -> Exit {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        invocation_error(&format!("cannot read standard input: {e}"));
        return Exit::Errors;
    }
    match tenet_syntax::format(&text) {
        Ok(formatted) => {
            print!("{formatted}");
            Exit::Clean
        }
        Err(FormatError::Syntax(errors)) => {
            report(args, "<stdin>", text.as_bytes(), &errors);
            Exit::Errors
        }
    }
}
