//! Loading a workspace: finding its policy files through a [`System`] and adding the
//! built-in packs.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tenet_diagnostics::{Code, Diagnostic};
use tenet_sema::Origin;
use tenet_syntax::ast::Item;

use crate::{Database, EvidenceFile, EvidenceSet, FileBytes, Found, SourceFile, System, Unread, Workspace};

/// Why a workspace could not be loaded at all (a single unreadable file is a diagnostic,
/// not a load error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The path does not exist.
    NotFound(PathBuf),
    /// The directory could not be listed.
    Unreadable(PathBuf, String),
    /// A directory was needed (the evidence root, which globs are relative to), and the
    /// path is a file.
    NotADirectory(PathBuf),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "`{}` does not exist", p.display()),
            LoadError::Unreadable(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
            LoadError::NotADirectory(p) => write!(
                f,
                "`{}` is a file; give the directory that holds the evidence, which the schemas' `from` globs are relative to",
                p.display()
            ),
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
    /// The policy files of dependency packs.
    pub dependencies: Vec<SourceFile>,
}

/// A dependency pack's policy files, already fetched and verified by the pack tooling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyPack {
    /// The pack's name: its files may declare this package and packages under it.
    pub name: String,
    /// Its `.tenet` files, by the path diagnostics show.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Whether the file at `path` is evidence Tenet reads, by its extension
/// ([`tenet_evidence::reads`]). Other files under an evidence root (a model's weights,
/// images, archives, notes) are neither read nor kept, by a check, `tenet watch` or the
/// language server: reading a gigabyte of weights to set it aside would cost more than
/// the evidence.
pub fn is_evidence_file(path: &Path) -> bool {
    path.file_name().is_some_and(|name| tenet_evidence::reads(&name.to_string_lossy()))
}

/// What a walk under the evidence root `root` found, as evidence: a file Tenet reads
/// ([`is_evidence_file`]), with no reason; or a place that could not be read or followed
/// and may have held such files ([`Unread::may_hold`]), with why, a loop's directory named
/// relative to `root`. `None` for anything else. One rule for the check, which reads the
/// whole root, and for the language server, which reads a directory that changed.
pub fn evidence_found(found: Found, root: &Path) -> Option<(PathBuf, Option<Unread>)> {
    match found {
        Found::File(path) if is_evidence_file(&path) => Some((path, None)),
        Found::Unreadable(path, why) if why.may_hold(&path, is_evidence_file) => {
            Some((path, Some(why.relative_to(root))))
        }
        Found::File(_) | Found::Unreadable(..) => None,
    }
}

/// How much of an evidence file is read: one byte more than a file may hold
/// ([`tenet_evidence::Limits`]), so that the loader refuses a longer one (a 5 GB export
/// left beside the evidence) without its being read whole, or held.
pub fn evidence_read_limit() -> usize {
    tenet_evidence::Limits::default().max_file_bytes.saturating_add(1)
}

/// A path as diagnostics show it: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    // Most paths (every evidence file of a walk) are already written so: kept as they are,
    // rather than taken apart and joined again.
    if let Some(text) = path.to_str() {
        let plain = !text.contains('\\')
            && !text.ends_with('/')
            && text.split('/').enumerate().all(|(i, part)| (i == 0 || !part.is_empty()) && part != ".");
        if plain {
            return text.to_owned();
        }
    }
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
    load_workspace_with_packs(db, system, root, &[]).map(|(files, _)| files)
}

/// Like [`load_workspace`], with the files of dependency packs. A dependency's file that
/// declares a package outside the pack's name is left out, with a diagnostic: no
/// dependency may replace a built-in pack or another pack's package.
pub fn load_workspace_with_packs(
    db: &mut Database,
    system: &dyn System,
    root: &Path,
    packs: &[DependencyPack],
) -> Result<(WorkspaceFiles, Vec<Diagnostic>), LoadError> {
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
        // Policy files change less often than evidence: an edit to evidence then leaves
        // the program's memos known valid without visiting them.
        files.push(
            SourceFile::builder(display_path(path), bytes, Origin::Workspace)
                .durability(salsa::Durability::MEDIUM)
                .new(db),
        );
    }
    let mut all = files.clone();
    let (dependencies, diagnostics) = dependency_files(db, packs);
    all.extend(dependencies.iter().copied());
    for (path, text) in tenet_stdlib::files() {
        all.push(
            SourceFile::builder(path, text.as_bytes().to_vec(), Origin::Stdlib)
                .durability(salsa::Durability::HIGH)
                .new(db),
        );
    }
    let workspace = Workspace::builder(all).durability(salsa::Durability::MEDIUM).new(db);
    Ok((WorkspaceFiles { workspace, files, dependencies }, diagnostics))
}

/// The inputs for dependency packs' files, leaving out (with a diagnostic) every file that
/// declares a package outside its pack. The check reads the `parse` query, so the files
/// kept are not parsed a second time when the workspace is checked.
pub fn dependency_files(db: &Database, packs: &[DependencyPack]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for pack in packs {
        for (path, bytes) in &pack.files {
            let file = SourceFile::builder(path.clone(), bytes.clone(), Origin::Dependency)
                .durability(salsa::Durability::MEDIUM)
                .new(db);
            match outside_namespace(&pack.name, path, &crate::parse(db, file).ast) {
                Some(d) => diagnostics.push(d),
                None => files.push(file),
            }
        }
    }
    (files, diagnostics)
}

/// The diagnostic for a dependency file whose `package` line is not the pack's name or
/// under it.
fn outside_namespace(pack: &str, path: &str, ast: &tenet_syntax::ast::Ast) -> Option<Diagnostic> {
    let declared = ast.items.iter().find_map(|item| match item {
        Item::Package(p) => Some(&p.path),
        _ => None,
    })?;
    let name = declared.text.as_str();
    let inside = name == pack || name.strip_prefix(pack).is_some_and(|rest| rest.starts_with('.'));
    (!inside).then(|| {
        Diagnostic::new(
            Code::PACK_NAMESPACE,
            path,
            declared.span,
            format!(
                "the pack `{pack}` declares the package `{name}`, which is outside it; the file is ignored"
            ),
        )
        .with_help(format!("a dependency's packages are named `{pack}` or `{pack}.…`"))
    })
}

/// A file found under the evidence root: the path diagnostics show, and its bytes or why
/// it could not be read (which a directory or link that could not be read has too).
struct ReadFile {
    shown: String,
    bytes: FileBytes,
}

/// Every evidence file under `root` ([`is_evidence_file`]), read, and every place under it
/// that could not be read. Reading is many small system calls: batches of files are read
/// on other threads while the walk goes on, which at 46,970 files takes as long as reading
/// them. Each file's shown path and shared bytes are made there too, not one after the
/// other once the walk is done.
fn read_while_walking(
    system: &dyn System,
    root: &Path,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<ReadFile>, LoadError> {
    const BATCH: usize = 128;
    let shown = |path: &Path| display_path(path.strip_prefix(root).unwrap_or(path));
    let read = std::sync::Mutex::new(Vec::new());
    let read_batch = |batch: Vec<PathBuf>| {
        let bytes = system.read_each(&batch, evidence_read_limit());
        let done: Vec<ReadFile> = batch
            .into_iter()
            .zip(bytes)
            .map(|(path, bytes)| ReadFile { shown: shown(&path), bytes: FileBytes::of_read(bytes) })
            .collect();
        // A lock poisoned by a panicking reader still holds what was read before.
        let files = {
            let mut read = read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            read.extend(done);
            read.len()
        };
        progress(files);
    };
    let mut unreadable = Vec::new();
    let walked = rayon::scope(|scope| {
        let mut batch = Vec::with_capacity(BATCH);
        let walked = system.walk_each(root, &mut |found| match evidence_found(found, root) {
            Some((path, None)) => {
                batch.push(path);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    scope.spawn(|_| read_batch(full));
                }
            }
            Some((path, Some(why))) => {
                unreadable.push(ReadFile { shown: shown(&path), bytes: FileBytes::unread(why) });
            }
            None => {}
        });
        read_batch(batch);
        walked
    });
    walked.map_err(|e| LoadError::Unreadable(root.to_path_buf(), e.to_string()))?;
    let mut read = read.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    read.extend(unreadable);
    Ok(read)
}

/// Creates the evidence inputs for every evidence file under `root` (by extension,
/// [`is_evidence_file`]), with paths relative to it. Which files hold which kinds is the
/// loader's business (schema globs, `kind:` fields). A file, directory or link under
/// `root` that cannot be read is in the set as a place without bytes, whose loading is
/// its error; only `root` itself not being readable is an error here.
pub fn load_evidence_dir(
    db: &mut Database,
    system: &dyn System,
    root: &Path,
) -> Result<EvidenceSet, LoadError> {
    load_evidence_dir_with_progress(db, system, root, &|_| {})
}

/// [`load_evidence_dir`], calling `progress(files read)` as batches of files are read
/// (from any thread), for a progress line on long runs.
pub fn load_evidence_dir_with_progress(
    db: &mut Database,
    system: &dyn System,
    root: &Path,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<EvidenceSet, LoadError> {
    if !system.exists(root) {
        return Err(LoadError::NotFound(root.to_path_buf()));
    }
    if !system.is_dir(root) {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    // Named as diagnostics show them, and in that order, whatever order they were read in.
    let mut read = read_while_walking(system, root, progress)?;
    read.par_sort_unstable_by(|a, b| a.shown.cmp(&b.shown));
    // Inputs are made in parallel over database clones: 46,970 of them take a while.
    let files: Vec<EvidenceFile> = read
        .into_par_iter()
        .map_with(db.clone(), |db, file| EvidenceFile::new(&*db, file.shown, file.bytes))
        .collect();
    Ok(EvidenceSet::new(db, files))
}

#[cfg(test)]
mod tests {
    use super::{display_path, load_evidence_dir};
    use crate::{Database, MemorySystem, System};
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    /// Files in memory, and every path read from them.
    struct Recording {
        files: MemorySystem,
        read: Mutex<Vec<PathBuf>>,
    }

    impl System for Recording {
        fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            self.read.lock().expect("not poisoned").push(path.to_path_buf());
            self.files.read(path)
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.files.is_dir(path)
        }
        fn exists(&self, path: &Path) -> bool {
            self.files.exists(path)
        }
        fn walk(&self, root: &Path) -> std::io::Result<Vec<PathBuf>> {
            self.files.walk(root)
        }
    }

    #[test]
    fn only_evidence_files_are_read_and_kept() {
        let mut files = MemorySystem::new();
        for (path, text) in [
            ("evidence/cards/a.yaml", "id: a\n"),
            ("evidence/cards/weights.bin", "0000"),
            ("evidence/cards/notes.txt", "notes\n"),
            ("evidence/people.CSV", "id\np\n"),
            ("evidence/reviews/r.md", "---\nid: r\n---\n"),
            ("evidence/archive.tar.gz", "0000"),
        ] {
            files.write(path, text);
        }
        let system = Recording { files, read: Mutex::new(Vec::new()) };
        let mut db = Database::default();
        let set = load_evidence_dir(&mut db, &system, Path::new("evidence")).expect("evidence");
        let kept: Vec<&str> = set.files(&db).iter().map(|f| f.path(&db)).collect();
        assert_eq!(kept, ["cards/a.yaml", "people.CSV", "reviews/r.md"]);
        let mut read = system.read.into_inner().expect("not poisoned");
        read.sort();
        let read: Vec<String> = read.iter().map(|p| display_path(p)).collect();
        assert_eq!(read, ["evidence/cards/a.yaml", "evidence/people.CSV", "evidence/reviews/r.md"]);
    }

    #[test]
    fn paths_show_with_forward_slashes_and_no_leading_dot() {
        for (path, shown) in [
            ("evidence/a.yaml", "evidence/a.yaml"),
            ("./evidence/a.yaml", "evidence/a.yaml"),
            ("evidence//a.yaml", "evidence/a.yaml"),
            ("evidence/./a.yaml", "evidence/a.yaml"),
            ("evidence/", "evidence"),
            ("/srv/evidence/a.yaml", "/srv/evidence/a.yaml"),
            ("evidence/../a.yaml", "evidence/../a.yaml"),
            (".", "."),
            ("", ""),
        ] {
            assert_eq!(display_path(Path::new(path)), shown, "{path}");
        }
    }
}
