//! Loading a workspace: finding its policy files through a [`System`] and adding the
//! built-in packs.

use std::path::{Path, PathBuf};

use tenet_sema::Origin;

use crate::{Database, EvidenceFile, EvidenceSet, SourceFile, System, Workspace};

/// Why a workspace could not be loaded at all (a single unreadable file is a diagnostic,
/// not a load error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The path does not exist.
    NotFound(PathBuf),
    /// The directory could not be listed.
    Unreadable(PathBuf, String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "`{}` does not exist", p.display()),
            LoadError::Unreadable(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// The inputs created for a workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceFiles {
    /// The workspace input.
    pub workspace: Workspace,
    /// The workspace's own policy files (built-in packs excluded).
    pub files: Vec<SourceFile>,
}

/// A path as diagnostics show it: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    let text = text.strip_prefix("./").map(str::to_owned).unwrap_or(text);
    text.replace("//", "/")
}

/// Finds the `.tenet` files at `root` (a file or a directory), creates their inputs and
/// those of the built-in packs.
pub fn load_workspace(
    db: &mut Database,
    system: &dyn System,
    root: &Path,
) -> Result<WorkspaceFiles, LoadError> {
    if !system.exists(root) {
        return Err(LoadError::NotFound(root.to_path_buf()));
    }
    let paths = if system.is_dir(root) {
        system.walk(root).map_err(|e| LoadError::Unreadable(root.to_path_buf(), e.to_string()))?
    } else {
        vec![root.to_path_buf()]
    };
    let mut files = Vec::new();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "tenet")) {
        let bytes = match system.read(path) {
            Ok(bytes) => bytes,
            Err(e) => return Err(LoadError::Unreadable(path.clone(), e.to_string())),
        };
        files.push(SourceFile::new(db, display_path(path), bytes, Origin::Workspace));
    }
    let mut all = files.clone();
    for (path, text) in tenet_stdlib::files() {
        all.push(
            SourceFile::builder(path, text.as_bytes().to_vec(), Origin::Stdlib)
                .durability(salsa::Durability::HIGH)
                .new(db),
        );
    }
    let workspace = Workspace::new(db, all);
    Ok(WorkspaceFiles { workspace, files })
}

/// Creates the evidence inputs for every file under `root`, with paths relative to it.
/// Which files hold which kinds is the loader's business (schema globs, `kind:` fields).
pub fn load_evidence_dir(
    db: &mut Database,
    system: &dyn System,
    root: &Path,
) -> Result<EvidenceSet, LoadError> {
    if !system.exists(root) {
        return Err(LoadError::NotFound(root.to_path_buf()));
    }
    let paths = system.walk(root).map_err(|e| LoadError::Unreadable(root.to_path_buf(), e.to_string()))?;
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        let bytes = system.read(path).map_err(|e| LoadError::Unreadable(path.clone(), e.to_string()))?;
        let relative = path.strip_prefix(root).unwrap_or(path);
        files.push(
            EvidenceFile::builder(display_path(relative), bytes)
                .durability(salsa::Durability::MEDIUM)
                .new(db),
        );
    }
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    Ok(EvidenceSet::new(db, files))
}
