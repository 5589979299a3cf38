//! TEMPORARY adapter: replaced by tenet-evidence.
use crate::evaluation::LoadedEvidence;
use tenet_diagnostics::Diagnostic;
use tenet_sema::program::Schema;

pub(crate) fn load(_path: &str, _bytes: &[u8], _schemas: &[Schema]) -> LoadedEvidence {
    LoadedEvidence::default()
}

pub(crate) fn check_across_files(_files: &[(&str, &LoadedEvidence)], _schemas: &[Schema]) -> Vec<Diagnostic> {
    Vec::new()
}
