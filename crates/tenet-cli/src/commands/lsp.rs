//! `tenet lsp`: the language server, over standard input and output.

use crate::cli::LspArgs;
use crate::exit::Exit;

/// Runs the server until the client says `exit`.
pub fn run(_args: &LspArgs) -> Exit {
    match tenet_lsp::run_stdio() {
        Ok(()) => Exit::Clean,
        Err(e) => {
            eprintln!("error: the language server could not start: {e}");
            Exit::Errors
        }
    }
}
