//! Limits that turn hostile or accidental input (a 200 MB export, a 10,000-deep nesting,
//! an alias bomb) into a clear error instead of exhausted memory or stack.

/// How much one evidence file may hold. The defaults are far above any real register
/// (the 2024 US federal inventory is 3 MB and 2,133 rows) and far below what would
/// exhaust a CI runner; each limit, when reached, is an error of that file alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes per file (default 64 MiB), checked before anything is decoded or parsed.
    pub max_file_bytes: usize,
    /// Nesting depth of mappings and sequences (default 128). No parser here recurses
    /// deeper, so this is also what keeps the stack safe.
    pub max_depth: usize,
    /// Documents (or CSV rows) per file (default 1,000,000); the first ones are kept.
    pub max_documents: usize,
    /// Values per file, YAML aliases expanded at every use (default 20,000,000): what
    /// stops an alias bomb.
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
