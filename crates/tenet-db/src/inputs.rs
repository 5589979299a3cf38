//! The database's inputs: what the loaders read from disk (or an editor sends).
#![expect(missing_docs, reason = "salsa's input macro generates constructors and setters without docs")]

use std::sync::Arc;

use jiff::civil::Date;
use tenet_sema::Origin;

use crate::Unread;

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

/// One evidence file: its path relative to the evidence root, and its bytes, or why it
/// could not be read.
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
///
/// Or why the file, or a directory or link in the file's place, could not be read: that
/// place then stands in the evidence as a file without bytes whose loading is its error,
/// so that the check, `tenet watch` and the language server report it where it is, and
/// nothing else stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBytes(Arc<Contents>);

#[derive(Debug, PartialEq, Eq)]
enum Contents {
    Read(Vec<u8>),
    Unread(Unread),
}

impl FileBytes {
    /// What a place that could not be read holds.
    pub fn unread(why: Unread) -> FileBytes {
        FileBytes(Arc::new(Contents::Unread(why)))
    }

    /// What a read gave: the bytes, or why the file could not be read.
    pub fn of_read(read: std::io::Result<Vec<u8>>) -> FileBytes {
        read.map_or_else(|e| FileBytes::unread(Unread::File(e.to_string())), FileBytes::from)
    }

    /// Why the place could not be read, if it could not.
    pub fn why_unread(&self) -> Option<&Unread> {
        match &*self.0 {
            Contents::Read(_) => None,
            Contents::Unread(why) => Some(why),
        }
    }

    /// Whether both hold one read of a file, not merely equal bytes.
    pub fn same(&self, other: &FileBytes) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for FileBytes {
    fn default() -> FileBytes {
        FileBytes::from(Vec::new())
    }
}

/// The bytes read; none for a place that could not be read.
impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &*self.0 {
            Contents::Read(bytes) => bytes,
            Contents::Unread(_) => &[],
        }
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes(Arc::new(Contents::Read(bytes)))
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
