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
    /// The contents.
    #[returns(ref)]
    pub bytes: FileBytes,
}

/// A file's contents, shared: a long-lived database knows a file unchanged by its bytes
/// being the same allocation ([`FileBytes::same`]). Held in the buffer they were read
/// into, not copied out of it: a large organisation's evidence is tens of megabytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileBytes(Arc<Vec<u8>>);

impl FileBytes {
    /// Whether both hold one read of a file, not merely equal bytes.
    pub fn same(&self, other: &FileBytes) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes(Arc::new(bytes))
    }
}

impl From<&[u8]> for FileBytes {
    fn from(bytes: &[u8]) -> FileBytes {
        FileBytes::from(bytes.to_vec())
    }
}

/// Every evidence file of a run, sorted by path.
#[salsa::input(debug)]
pub struct EvidenceSet {
    /// The files.
    #[returns(ref)]
    pub files: Vec<EvidenceFile>,
}

/// What a run is evaluated as of, how much work a rule may do, and which results it
/// lists.
#[salsa::input(debug)]
pub struct RunSettings {
    /// The date `today` denotes.
    #[returns(copy)]
    pub today: Date,
    /// The step budget per rule.
    #[returns(copy)]
    pub step_budget: u64,
    /// Whether passing results are listed (the default, which every output but a report
    /// for people needs) or only counted. A control whose results tailoring or an
    /// override may change lists them whatever this says.
    #[default]
    #[returns(copy)]
    pub passes: tenet_eval::Passes,
}
