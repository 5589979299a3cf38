//! The bridge from evidence files to the evaluator's documents: one call into
//! `tenet-evidence` per file.

use tenet_evidence::{Limits, Loaded, Sources};
use tenet_sema::program::Schema;

/// Loads one evidence file with the default limits.
pub(crate) fn load(path: &str, bytes: &[u8], schemas: &[Schema], sources: &Sources) -> Loaded {
    tenet_evidence::load_file(path, bytes, schemas, sources, &Limits::default())
}
