//! The file system as the loaders see it: the real disk, or a map in memory for tests.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// What the loaders need from a file system.
pub trait System: Send + Sync {
    /// The bytes of a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// True when the path is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// True when the path exists.
    fn exists(&self, path: &Path) -> bool;
    /// Every file under `root`, recursively, sorted; hidden directories, `target` and
    /// `node_modules` are skipped.
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>>;
    /// The files [`System::walk`] finds, each given to `each` as soon as it is found, in
    /// no particular order: so that a caller can read files while the walk goes on.
    fn walk_each(&self, root: &Path, each: &mut dyn FnMut(PathBuf)) -> io::Result<()> {
        self.walk(root)?.into_iter().for_each(each);
        Ok(())
    }
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsSystem;

fn skipped(name: &str) -> bool {
    (name.starts_with('.') && name != "." && name != "..") || name == "target" || name == "node_modules"
}

impl System for OsSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        self.walk_each(root, &mut |path| out.push(path))?;
        // Sorted once, component by component: the order of a walk that visits each
        // directory's entries by name.
        out.sort_unstable();
        Ok(out)
    }

    fn walk_each(&self, root: &Path, each: &mut dyn FnMut(PathBuf)) -> io::Result<()> {
        for entry in files_under(root) {
            each(entry?.into_path());
        }
        Ok(())
    }
}

impl OsSystem {
    /// Whether a walk passes over an entry of this name below its root: hidden files and
    /// directories, `target` and `node_modules`.
    pub fn skips(name: &str) -> bool {
        skipped(name)
    }

    /// The files [`System::walk`] finds, each with its metadata, in no particular order:
    /// what noticing a change needs (sizes and modification times), read from the
    /// directory walk's own entries rather than by looking each path up again.
    pub fn walk_metadata(
        &self,
        root: &Path,
        each: &mut dyn FnMut(PathBuf, &std::fs::Metadata),
    ) -> io::Result<()> {
        for entry in files_under(root) {
            let entry = entry?;
            if let Ok(metadata) = entry.metadata() {
                each(entry.into_path(), &metadata);
            }
        }
        Ok(())
    }
}

/// The files under `root`, skipping hidden, `target` and `node_modules` directories and
/// files (not `root` itself), without following links.
fn files_under(root: &Path) -> impl Iterator<Item = io::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()))
        .filter_map(|entry| match entry {
            Ok(entry) if entry.file_type().is_file() => Some(Ok(entry)),
            Ok(_) => None,
            Err(e) => Some(Err(io::Error::other(e))),
        })
}

/// Files held in memory, keyed by path.
#[derive(Debug, Clone, Default)]
pub struct MemorySystem {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemorySystem {
    /// An empty file system.
    pub fn new() -> MemorySystem {
        MemorySystem::default()
    }

    /// Adds or replaces a file.
    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// Every file with its contents, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files.iter().map(|(path, bytes)| (path.as_path(), bytes.as_slice()))
    }
}

impl System for MemorySystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files.get(path).cloned().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p.starts_with(path) && p != path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.is_dir(path)
    }

    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .files
            .keys()
            .filter(|p| p.starts_with(root))
            .filter(|p| {
                p.strip_prefix(root)
                    .map(|rel| rel.components().all(|c| !skipped(&c.as_os_str().to_string_lossy())))
                    .unwrap_or(false)
            })
            .cloned()
            .collect())
    }
}
