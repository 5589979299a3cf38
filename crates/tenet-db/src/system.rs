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
    /// `node_modules` are skipped, links followed (those that lead to nothing, or round a
    /// loop, passed over). The first file or directory under `root` that cannot be read is
    /// an error: what a policy, which must be read whole, needs.
    fn walk(&self, root: &Path) -> io::Result<Vec<PathBuf>>;
    /// What [`System::walk`] finds, each given to `each` as soon as it is found, in no
    /// particular order, so that a caller can read files while the walk goes on: every
    /// file, and every place under `root` that cannot be read or followed, after which the
    /// walk goes on. An error only when `root` itself cannot be read. What evidence needs,
    /// where one unreadable directory must not hide the others.
    fn walk_each(&self, root: &Path, each: &mut dyn FnMut(Found)) -> io::Result<()> {
        self.walk(root)?.into_iter().for_each(|path| each(Found::File(path)));
        Ok(())
    }

    /// The first `at_most` bytes of a file (all of a shorter one): what reading a file
    /// that a limit refuses beyond its first bytes needs, without holding the rest.
    fn read_at_most(&self, path: &Path, at_most: usize) -> io::Result<Vec<u8>> {
        let mut bytes = self.read(path)?;
        bytes.truncate(at_most);
        Ok(bytes)
    }

    /// The first `at_most` bytes of each of `paths` ([`System::read_at_most`]), in their
    /// order: a batch can cost less than its files read one by one (on the disk,
    /// consecutive files of one directory are opened by name in it, the directory opened
    /// once).
    fn read_each(&self, paths: &[PathBuf], at_most: usize) -> Vec<io::Result<Vec<u8>>> {
        paths.iter().map(|path| self.read_at_most(path, at_most)).collect()
    }
}

/// What a walk finds under its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A file, or a link to one, by the path the walk reached it at.
    File(PathBuf),
    /// A place the walk could not read or follow, and why.
    Unreadable(PathBuf, Unread),
}

/// Why a place under a walked root could not be read. Evidence keeps it as the place's
/// contents ([`FileBytes`](crate::FileBytes)), so that every runner reports it at the
/// place, and the rest of the evidence is checked as ever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// A file that could not be read: the system's message.
    File(String),
    /// A directory that could not be listed, so nothing under it was read: the system's
    /// message.
    Directory(String),
    /// A link to a path that does not exist: the path as the link writes it.
    BrokenLink(PathBuf),
    /// A link to a directory that holds it, which the walk does not follow round again:
    /// that directory.
    LinkLoop(PathBuf),
}

impl Unread {
    /// Whether the place at `path` may have held files a walk looks for, which `files`
    /// tells by name: a directory, or one a loop leads back to, may hold any; a file only
    /// what its name says; a link to nothing what its name says, or anything when it has
    /// no extension, since it may have led to a directory. A link to a model's weights
    /// that are not there is no more evidence than the weights would be.
    pub fn may_hold(&self, path: &Path, files: impl Fn(&Path) -> bool) -> bool {
        match self {
            Unread::Directory(_) | Unread::LinkLoop(_) => true,
            Unread::File(_) => files(path),
            Unread::BrokenLink(_) => files(path) || path.extension().is_none(),
        }
    }

    /// The same, with a loop's directory named relative to `root` (the evidence root), as
    /// diagnostics name places.
    pub fn relative_to(self, root: &Path) -> Unread {
        match self {
            Unread::LinkLoop(ancestor) => Unread::LinkLoop(PathBuf::from(crate::display_path(
                ancestor.strip_prefix(root).unwrap_or(&ancestor),
            ))),
            other => other,
        }
    }
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unread::File(message) | Unread::Directory(message) => f.write_str(message),
            Unread::BrokenLink(target) => write!(f, "a link to `{}`, which does not exist", target.display()),
            Unread::LinkLoop(ancestor) => write!(f, "a link to `{}`, which holds it", ancestor.display()),
        }
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
        for step in steps_under(root) {
            match step? {
                Step::File(entry) => out.push(entry.into_path()),
                // Links to nothing, or round a loop, hold no file to read.
                Step::Unreadable(_, Unread::BrokenLink(_) | Unread::LinkLoop(_)) => {}
                Step::Unreadable(path, why) => {
                    return Err(io::Error::other(format!("`{}`: {why}", path.display())));
                }
            }
        }
        // Sorted once, component by component: the order of a walk that visits each
        // directory's entries by name.
        out.sort_unstable();
        Ok(out)
    }

    fn walk_each(&self, root: &Path, each: &mut dyn FnMut(Found)) -> io::Result<()> {
        for step in steps_under(root) {
            each(match step? {
                Step::File(entry) => Found::File(entry.into_path()),
                Step::Unreadable(path, why) => Found::Unreadable(path, why),
            });
        }
        Ok(())
    }

    fn read_at_most(&self, path: &Path, at_most: usize) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)?.take(at_most as u64).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    #[cfg(unix)]
    fn read_each(&self, paths: &[PathBuf], at_most: usize) -> Vec<io::Result<Vec<u8>>> {
        let mut reader = in_directory::Reader::default();
        paths.iter().map(|path| reader.read(path, at_most)).collect()
    }
}

/// Reading files by name in their directory. Opening a file by its whole path looks up
/// each directory on the way, and `std::fs::read` asks the file's size before reading it:
/// for 46,970 small files, those look-ups and the extra system call were 15 % of the
/// time reading them took on one thread (190 ms, against 162 ms read so). A reader keeps
/// its last directory open, opens each file by name in it, and reads into one buffer that
/// it copies from.
#[cfg(unix)]
mod in_directory {
    use std::io::{self, Read};
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::{Mode, OFlags};

    use super::{OsSystem, System};

    /// The buffer's size: most evidence files fit in it.
    const BUFFER: usize = 64 * 1024;

    /// The directory last read in, and the buffer files are read into.
    #[derive(Default)]
    pub(super) struct Reader {
        directory: Option<(std::path::PathBuf, OwnedFd)>,
        buffer: Vec<u8>,
    }

    impl Reader {
        /// The first `at_most` bytes of the file at `path`; its directory is opened unless
        /// it is the last one's. Errors are those of opening or reading the file by its path.
        pub(super) fn read(&mut self, path: &Path, at_most: usize) -> io::Result<Vec<u8>> {
            let whole = |path: &Path| OsSystem.read_at_most(path, at_most);
            let (Some(directory), Some(name)) = (path.parent(), path.file_name()) else {
                return whole(path);
            };
            let directory = if directory.as_os_str().is_empty() { Path::new(".") } else { directory };
            if self.directory.as_ref().is_none_or(|(open, _)| open != directory) {
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let Ok(fd) = rustix::fs::open(directory, flags, Mode::empty()) else {
                    self.directory = None;
                    return whole(path);
                };
                self.directory = Some((directory.to_path_buf(), fd));
            }
            let Some((_, fd)) = &self.directory else { return whole(path) };
            let mut file = std::fs::File::from(rustix::fs::openat(
                fd,
                name,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )?);
            if self.buffer.len() < BUFFER {
                self.buffer.resize(BUFFER, 0);
            }
            // Read until a read gives nothing, without asking the size first
            // (`read_to_end` would, with two more system calls).
            let first = self.buffer.len().min(at_most);
            let mut filled = 0;
            while filled < first {
                match file.read(&mut self.buffer[filled..first]) {
                    Ok(0) => return Ok(self.buffer[..filled].to_vec()),
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            // A file longer than the buffer: the rest, up to `at_most`, is read into a list
            // made for it, so that a large file is held once, not in a buffer grown by
            // doubling and then copied.
            let mut long = self.buffer[..filled].to_vec();
            file.take((at_most - filled) as u64).read_to_end(&mut long)?;
            Ok(long)
        }
    }
}

impl OsSystem {
    /// Whether a walk passes over an entry of this name below its root: hidden files and
    /// directories, `target` and `node_modules`.
    pub fn skips(name: &str) -> bool {
        skipped(name)
    }

    /// What [`System::walk_each`] finds, each file with its metadata (a link's target's)
    /// and whether it is itself a link, in no particular order: what noticing a change
    /// needs (sizes and modification times, and which files change where their links'
    /// targets are), read from the directory walk's own entries rather than by looking each
    /// path up again; and each place that cannot be read or followed, with why.
    pub fn walk_metadata(&self, root: &Path, each: &mut dyn FnMut(PathBuf, Metadata<'_>)) -> io::Result<()> {
        for step in steps_under(root) {
            match step? {
                Step::File(entry) => match entry.metadata() {
                    Ok(metadata) => {
                        let linked = entry.path_is_symlink();
                        each(entry.into_path(), Ok((&metadata, linked)));
                    }
                    Err(e) => {
                        let why =
                            Unread::File(e.io_error().map_or_else(|| e.to_string(), io::Error::to_string));
                        each(entry.into_path(), Err(why));
                    }
                },
                Step::Unreadable(path, why) => each(path, Err(why)),
            }
        }
        Ok(())
    }
}

/// What [`OsSystem::walk_metadata`] gives for each place: a file's metadata (a link's
/// target's) and whether the file is itself a link, or why the place could not be read.
pub type Metadata<'a> = Result<(&'a std::fs::Metadata, bool), Unread>;

/// One step of a walk: a file's entry, or a place that cannot be read or followed.
enum Step {
    File(walkdir::DirEntry),
    Unreadable(PathBuf, Unread),
}

/// The files under `root` and the places under it that cannot be read or followed,
/// skipping hidden, `target` and `node_modules` entries (not `root` itself). Links are
/// followed, to files and to directories alike: evidence gathered from elsewhere by links
/// (a directory of model cards kept with the models, a mounted volume whose files are
/// links) is evidence. An error only when `root` itself cannot be read.
fn steps_under(root: &Path) -> impl Iterator<Item = io::Result<Step>> {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()))
        .filter_map(|entry| match entry {
            Ok(entry) if entry.file_type().is_file() => Some(Ok(Step::File(entry))),
            Ok(_) => None,
            Err(e) => unreadable(root, e).map(|r| r.map(|(path, why)| Step::Unreadable(path, why))),
        })
}

/// What a walk's error says about the place it names: `Err` when it is `root` itself,
/// `None` when the place is one the walk skips by name (an editor's lock file is a hidden
/// link to nothing).
fn unreadable(root: &Path, e: walkdir::Error) -> Option<io::Result<(PathBuf, Unread)>> {
    let Some(path) = e.path().map(Path::to_path_buf).filter(|p| p != root) else {
        return Some(Err(io::Error::other(e)));
    };
    if path.file_name().is_some_and(|name| skipped(&name.to_string_lossy())) {
        return None;
    }
    let why = if let Some(ancestor) = e.loop_ancestor() {
        Unread::LinkLoop(ancestor.to_path_buf())
    } else {
        let message = e.io_error().map_or_else(|| e.to_string(), io::Error::to_string);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() && !path.exists() => {
                Unread::BrokenLink(std::fs::read_link(&path).unwrap_or_default())
            }
            Ok(m) if m.is_dir() || path.is_dir() => Unread::Directory(message),
            _ => Unread::File(message),
        }
    };
    Some(Ok((path, why)))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Links are followed to files and directories; one to nothing, or round a loop, is
    /// found as such by `walk_each` (a hidden one passed over, as hidden files are) and
    /// passed over by `walk`, which a missing directory or file would stop.
    #[cfg(unix)]
    #[test]
    fn walks_follow_links_and_find_those_that_lead_nowhere_or_round() {
        use std::os::unix::fs::symlink;
        let scratch = tempfile::tempdir().expect("temp dir");
        let (root, elsewhere) = (scratch.path().join("root"), scratch.path().join("elsewhere"));
        for dir in [root.join("d"), elsewhere.join("cards")] {
            std::fs::create_dir_all(dir).expect("directories");
        }
        for file in [root.join("d/a.yaml"), elsewhere.join("cards/b.yaml"), elsewhere.join("c.yaml")] {
            std::fs::write(file, "id: x\n").expect("write");
        }
        symlink(elsewhere.join("cards"), root.join("d/cards")).expect("link");
        symlink(elsewhere.join("c.yaml"), root.join("c.yaml")).expect("link");
        symlink("missing.yaml", root.join("d/gone.yaml")).expect("link");
        symlink("..", root.join("d/up")).expect("link");
        symlink("user@host", root.join("d/.#a.yaml")).expect("link");
        let mut found = Vec::new();
        OsSystem
            .walk_each(&root, &mut |f| {
                found.push(match f {
                    Found::File(path) => {
                        format!("file {}", path.strip_prefix(&root).unwrap_or(&path).display())
                    }
                    Found::Unreadable(path, why) => {
                        format!("{} ({why})", path.strip_prefix(&root).unwrap_or(&path).display())
                    }
                })
            })
            .expect("walk");
        found.sort();
        let up = format!("d/up (a link to `{}`, which holds it)", root.display());
        assert_eq!(
            found,
            [
                "d/gone.yaml (a link to `missing.yaml`, which does not exist)",
                up.as_str(),
                "file c.yaml",
                "file d/a.yaml",
                "file d/cards/b.yaml",
            ]
        );
        let walked: Vec<PathBuf> = OsSystem.walk(&root).expect("walk");
        assert_eq!(walked, [root.join("c.yaml"), root.join("d/a.yaml"), root.join("d/cards/b.yaml")]);
    }

    #[test]
    fn reading_many_files_gives_what_reading_each_gives_in_the_order_asked() {
        let scratch = tempfile::tempdir().expect("temp dir");
        let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
        std::fs::create_dir_all(&a).and_then(|()| std::fs::create_dir_all(&b)).expect("directories");
        // Empty, short, exactly the buffer, one byte over, and several times over.
        let sizes = [0usize, 1, 150, 64 * 1024, 64 * 1024 + 1, 300_000];
        let mut paths = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let bytes: Vec<u8> = (0..*size).map(|j| (j * 31 + i) as u8).collect();
            // Files alternate between the directories, so the reader opens each again.
            let path = [&a, &b][i % 2].join(format!("f{i}.txt"));
            std::fs::write(&path, &bytes).expect("write");
            paths.push(path);
            // After a long file, a short one in the same directory.
            let short = [&a, &b][i % 2].join(format!("g{i}.txt"));
            std::fs::write(&short, b"short").expect("write");
            paths.push(short);
        }
        paths.push(a.join("missing.txt"));
        paths.push(scratch.path().join("nowhere").join("missing.txt"));
        // Read whole, and read up to a limit that cuts the longest file and one other.
        for at_most in [usize::MAX, 100_000, 64 * 1024] {
            let read = OsSystem.read_each(&paths, at_most);
            assert_eq!(read.len(), paths.len());
            for (path, got) in paths.iter().zip(&read) {
                let expected = std::fs::read(path).map(|mut b| {
                    b.truncate(at_most);
                    b
                });
                match (expected, got) {
                    (Ok(expected), Ok(got)) => {
                        assert!(expected == *got, "{} at most {at_most}", path.display())
                    }
                    (Err(expected), Err(got)) => {
                        assert_eq!(expected.kind(), got.kind(), "{}", path.display())
                    }
                    (expected, got) => panic!("{}: {expected:?} against {got:?}", path.display()),
                }
                let one = OsSystem.read_at_most(path, at_most);
                assert_eq!(one.as_ref().ok(), got.as_ref().ok(), "{}", path.display());
            }
            assert_eq!(read.iter().filter(|r| r.is_err()).count(), 2);
            let total: usize = sizes.iter().map(|s| *s.min(&at_most)).sum::<usize>() + 5 * sizes.len();
            assert_eq!(read.iter().map(|r| r.as_ref().map_or(0, Vec::len)).sum::<usize>(), total);
        }
    }
}
