//! Limits that turn hostile or accidental input (a 200 MB export, a 10,000-deep nesting,
//! an alias bomb) into a clear error instead of exhausted memory or stack.

/// How much one evidence file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes per file.
    pub max_file_bytes: usize,
    /// Nesting depth of mappings and sequences.
    pub max_depth: usize,
    /// Documents (or CSV rows) per file.
    pub max_documents: usize,
    /// Values per file, aliases expanded.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 128,
            max_documents: 1_000_000,
            max_nodes: 20_000_000,
        }
    }
}
