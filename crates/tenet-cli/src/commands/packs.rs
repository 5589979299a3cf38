//! Loading a workspace together with its locked dependency packs, the way every command
//! that compiles policy does it: discover `tenet.toml`, verify each locked pack against its
//! hash without the network, and hand the verified files to the database.

use std::path::{Path, PathBuf};

use tenet_db::{
    Database, DependencyPack, LoadError, OsSystem, WorkspaceFiles, display_path, load_workspace_with_packs,
};
use tenet_diagnostics::Diagnostic;
use tenet_pack::{Cache, Fetcher, FoundIn, PackError, Project};

use crate::output::SourceTexts;

/// A workspace and what loading its packs found.
pub struct Loaded {
    /// The database inputs.
    pub files: WorkspaceFiles,
    /// Pack problems: lock mismatches, missing packs, packages outside their pack.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts those diagnostics and the dependency files point into.
    pub texts: SourceTexts,
    /// The manifest's `[evidence] roots` that exist, relative to where the command runs.
    pub evidence_roots: Vec<PathBuf>,
}

/// A path as the user would type it from the current directory.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = match (cwd, path.is_absolute()) {
        (Some(cwd), true) => tenet_pack::relative(&cwd, path),
        _ => path.display().to_string(),
    };
    display_path(Path::new(&relative))
}

/// The diagnostic of a pack error, with its file's text registered for rendering.
pub fn pack_diagnostic(error: &PackError, texts: &mut SourceTexts) -> Diagnostic {
    let d = error.to_diagnostic(shown);
    if let Ok(bytes) = std::fs::read(&error.path) {
        texts.add(&d.path, &bytes);
    }
    d
}

/// Loads the policy files under `root` and the verified files of its locked packs.
pub fn load(db: &mut Database, root: &Path) -> Result<Loaded, LoadError> {
    let mut texts = SourceTexts::default();
    let mut diagnostics = Vec::new();
    let mut packs = Vec::new();
    let project = match Project::discover(root) {
        Ok(project) => project,
        Err(e) => {
            diagnostics.push(pack_diagnostic(&e, &mut texts));
            None
        }
    };
    let evidence_roots: Vec<PathBuf> = project
        .iter()
        .flat_map(|p| p.manifest.evidence_roots.iter().map(|root| p.dir().join(root)))
        .collect();
    if let Some(project) = &project {
        let cache = Cache::from_env();
        let fetcher = Fetcher::new(&cache, false);
        match project.load_locked(&fetcher) {
            Ok(loaded) => packs = loaded,
            Err(errors) => diagnostics.extend(errors.iter().map(|e| pack_diagnostic(e, &mut texts))),
        }
    }
    // A path dependency inside the checked directory is already read as part of it.
    let dependencies: Vec<DependencyPack> = packs
        .iter()
        .filter(|pack| !pack.is_path_inside(root))
        .map(|pack| DependencyPack {
            name: pack.locked.name.clone(),
            files: pack
                .policy_files()
                .map(|f| {
                    let path = match pack.found_in {
                        FoundIn::Cache => format!("{}@{}/{}", pack.locked.name, pack.locked.version, f.path),
                        FoundIn::Path | FoundIn::Vendor => shown(&pack.dir.join(&f.path)),
                    };
                    (path, f.bytes.clone())
                })
                .collect(),
        })
        .collect();
    for pack in &dependencies {
        for (path, bytes) in &pack.files {
            texts.add(path, bytes);
        }
    }
    let (files, namespace) = load_workspace_with_packs(db, &OsSystem, root, &dependencies)?;
    diagnostics.extend(namespace);
    for file in &files.files {
        texts.add(file.path(db), file.bytes(db));
    }
    Ok(Loaded { files, diagnostics, texts, evidence_roots })
}

/// Loads like [`load`] for commands that cannot go on past a pack problem: the problems
/// are printed and the command exits with errors.
pub fn load_or_exit(
    db: &mut Database,
    root: &Path,
    args: &crate::cli::DiagnosticArgs,
) -> Result<Loaded, crate::exit::Exit> {
    let loaded = load(db, root).map_err(|e| {
        crate::output::invocation_error(&e.to_string());
        crate::exit::Exit::Errors
    })?;
    if loaded.diagnostics.iter().any(Diagnostic::is_error) {
        crate::output::print_diagnostics(args, &loaded.diagnostics, &loaded.texts);
        return Err(crate::exit::Exit::Errors);
    }
    Ok(loaded)
}

/// The evidence directory of a check without `--evidence`: the first of the manifest's
/// `[evidence] roots` that exists, else `PATH/evidence` when it exists. A declared root
/// that does not exist is said, and when none does the run is refused (exit 2): a CI
/// checkout that lost its evidence must not pass as a check of the policies alone.
pub fn default_evidence(loaded: &Loaded, path: &Path) -> Result<Option<PathBuf>, crate::exit::Exit> {
    // Each root asked of the file system once.
    let (existing, missing): (Vec<&PathBuf>, Vec<&PathBuf>) =
        loaded.evidence_roots.iter().partition(|dir| dir.is_dir());
    let Some(first) = existing.first() else {
        if let Some(root) = missing.first() {
            crate::output::invocation_error(&format!(
                "tenet.toml names the evidence root `{}`, which is not a directory (pass --evidence for another)",
                shown(root)
            ));
            return Err(crate::exit::Exit::Errors);
        }
        let default = path.join("evidence");
        return Ok(default.is_dir().then_some(default));
    };
    for root in &missing {
        crate::output::invocation_error(&format!(
            "tenet.toml names the evidence root `{}`, which is not a directory; this check reads `{}`",
            shown(root),
            shown(first)
        ));
    }
    if existing.len() > 1 {
        crate::output::invocation_error(&format!(
            "tenet.toml names {} evidence roots; this check reads the first, `{}` (pass --evidence for another)",
            existing.len(),
            shown(first)
        ));
    }
    Ok(Some((*first).clone()))
}
