//! The bridge from evidence files to the evaluator's documents: one call into
//! `tenet-evidence` per file, and its whole-set checks.

use tenet_diagnostics::Diagnostic;
use tenet_evidence::{Limits, Loaded, Sources};
use tenet_sema::program::Schema;

/// Loads one evidence file with the default limits.
pub(crate) fn load(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources) -> Loaded {
    tenet_evidence::load_file(path, bytes, schemas, sources, &Limits::default())
}

/// Duplicate keys and dangling references across the loaded files.
pub(crate) fn check_across_files(files: &[(&str, &Loaded)], schemas: &[Schema]) -> Vec<Diagnostic> {
    tenet_evidence::check_across_files(files, schemas)
}
