//! Loading a workspace together with its locked dependency packs, the way every command
//! that compiles policy does it: discover `tenet.toml`, verify each locked pack against its
//! hash without the network, and hand the verified files to the database.

use std::path::Path;

use tenet_db::{
    Database, DependencyPack, LoadError, OsSystem, WorkspaceFiles, display_path, load_workspace_with_packs,
};
use tenet_diagnostics::Diagnostic;
use tenet_pack::{Cache, Fetcher, LoadedPack, PackError, Project};

use crate::output::SourceTexts;

/// A workspace and what loading its packs found.
pub struct Loaded {
    /// The database inputs.
    pub files: WorkspaceFiles,
    /// Pack problems: lock mismatches, missing packs, packages outside their pack.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts those diagnostics and the dependency files point into.
    pub texts: SourceTexts,
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
    if let Some(project) = &project {
        let cache = Cache::from_env();
        let fetcher = Fetcher::new(&cache, false);
        match project.load_locked(&fetcher) {
            Ok(loaded) => packs = loaded,
            Err(errors) => diagnostics.extend(errors.iter().map(|e| pack_diagnostic(e, &mut texts))),
        }
    }
    // A path dependency inside the checked directory is already read as part of it.
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let inside_root = |pack: &LoadedPack| {
        pack.found_in == "path"
            && std::fs::canonicalize(&pack.dir).is_ok_and(|dir| dir.starts_with(&canonical_root))
    };
    let dependencies: Vec<DependencyPack> = packs
        .iter()
        .filter(|pack| !inside_root(pack))
        .map(|pack| DependencyPack {
            name: pack.locked.name.clone(),
            files: pack
                .files
                .iter()
                .filter(|f| f.path.ends_with(".tenet"))
                .map(|f| {
                    let path = match pack.found_in {
                        "cache" => format!("{}@{}/{}", pack.locked.name, pack.locked.version, f.path),
                        _ => shown(&pack.dir.join(&f.path)),
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
    Ok(Loaded { files, diagnostics, texts })
}

/// Loads like [`load`] for commands that cannot go on past a pack problem: the problems
/// are printed and the command exits with errors.
pub fn load_or_exit(
    db: &mut Database,
    root: &Path,
    args: &crate::cli::DiagnosticArgs,
) -> Result<WorkspaceFiles, crate::exit::Exit> {
    let loaded = load(db, root).map_err(|e| {
        crate::output::invocation_error(&e.to_string());
        crate::exit::Exit::Errors
    })?;
    if loaded.diagnostics.iter().any(Diagnostic::is_error) {
        crate::output::print_diagnostics(args, &loaded.diagnostics, &loaded.texts);
        return Err(crate::exit::Exit::Errors);
    }
    Ok(loaded.files)
}

/// The evidence directory of a check without `--evidence`: the first root of the
/// manifest's `[evidence] roots` that exists, else `PATH/evidence` when it exists.
pub fn default_evidence(path: &Path) -> Option<std::path::PathBuf> {
    if let Ok(Some(project)) = Project::discover(path) {
        let roots: Vec<std::path::PathBuf> = project
            .manifest
            .evidence_roots
            .iter()
            .map(|root| project.dir().join(root))
            .filter(|dir| dir.is_dir())
            .collect();
        if roots.len() > 1 {
            crate::output::invocation_error(&format!(
                "tenet.toml names {} evidence roots; this check reads the first, `{}` (pass --evidence for another)",
                roots.len(),
                shown(&roots[0])
            ));
        }
        if let Some(first) = roots.into_iter().next() {
            return Some(first);
        }
    }
    let default = path.join("evidence");
    default.is_dir().then_some(default)
}
