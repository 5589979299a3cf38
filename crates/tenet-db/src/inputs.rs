//! The database's inputs: what the loaders read from disk (or an editor sends).
#![expect(missing_docs, reason = "salsa's input macro generates constructors and setters without docs")]

use std::sync::Arc;

use jiff::civil::Date;
use tenet_sema::Origin;

/// A policy file: its shown path, its bytes (not yet known to be UTF-8), and where it
/// comes from.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path as diagnostics show it.
    #[returns(deref)]
    pub path: String,
    /// The file's contents.
    #[returns(deref)]
    pub bytes: Vec<u8>,
    /// Workspace, dependency or built-in.
    #[returns(copy)]
    pub origin: Origin,
}

/// The set of files being checked.
#[salsa::input(debug)]
pub struct Workspace {
    /// Every policy file, the built-in packs included.
    #[returns(ref)]
    pub policy_files: Vec<SourceFile>,
}

/// One evidence file: its path relative to the evidence root, and its bytes.
#[salsa::input(debug)]
pub struct EvidenceFile {
    /// The path, with `/` separators, relative to the evidence root.
    #[returns(deref)]
    pub path: String,
    /// The contents, shared: a long-lived database knows a file unchanged by its bytes
    /// being the same allocation.
    #[returns(ref)]
    pub bytes: Arc<[u8]>,
}

/// Every evidence file of a run, sorted by path.
#[salsa::input(debug)]
pub struct EvidenceSet {
    /// The files.
    #[returns(ref)]
    pub files: Vec<EvidenceFile>,
}

/// What a run is evaluated as of, and how much work a rule may do.
#[salsa::input(debug)]
pub struct RunSettings {
    /// The date `today` denotes.
    #[returns(copy)]
    pub today: Date,
    /// The step budget per rule.
    #[returns(copy)]
    pub step_budget: u64,
}
