//! The bridge from evidence files to the evaluator's documents: one call into
//! `tenet-evidence` per file.

use tenet_evidence::{Limits, Loaded, Sources};
use tenet_sema::program::Schema;

/// Loads one evidence file with the default limits, without where each value is written:
/// what the database keeps for every file.
pub(crate) fn load(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources) -> Loaded {
    tenet_evidence::load_file_unlocated(path, bytes, schemas, sources, &Limits::default())
}

/// Loads one evidence file again, with where each value is written, for a diagnostic that
/// must say where a key or reference is.
pub(crate) fn load_located(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources) -> Loaded {
    tenet_evidence::load_file(path, bytes, schemas, sources, &Limits::default())
}
