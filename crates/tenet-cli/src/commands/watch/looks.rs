//! What the watch last saw of a watched path (the policy file or directory, the evidence
//! directory): each file's size and modification time. A look at some or all of the files
//! gives what changed since, as a list of files, so that after one edit the rest of a re-check
//! costs what that edit touched, not what the directory holds.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tenet_db::OsSystem;

/// A file's size and modification time.
pub type Stamp = (u64, Option<SystemTime>);

/// What a look found changed: each file with its new stamp, or `None` when it is gone.
pub type Changes = Vec<(PathBuf, Option<Stamp>)>;

/// The files under one watched path, as last seen. Hashed, not ordered: at 46,970
/// evidence files, ordering the paths took longer than reading the stamps. Only what
/// changed is put in order, for showing.
pub struct LastLook {
    root: PathBuf,
    /// Which files the look follows: under an evidence root, only evidence files, so that
    /// a model's weights written there wake no run.
    follows: fn(&Path) -> bool,
    stamps: HashMap<PathBuf, Stamp>,
}

impl LastLook {
    /// Every file under `root` that `follows` accepts, looked at now.
    pub fn new(root: &Path, follows: fn(&Path) -> bool) -> LastLook {
        LastLook { root: root.to_path_buf(), follows, stamps: stamps(root, follows) }
    }

    /// Whether `path` was there at the last look (a change to a path that was not came).
    pub fn holds(&self, path: &Path) -> bool {
        self.stamps.contains_key(path)
    }

    /// Every file looked at again: what differs from the last look.
    pub fn look_at_all(&self) -> Changes {
        let now = stamps(&self.root, self.follows);
        let mut changes: Changes = now
            .iter()
            .filter(|(path, stamp)| self.stamps.get(*path) != Some(stamp))
            .map(|(path, stamp)| (path.clone(), Some(*stamp)))
            .collect();
        changes.extend(self.stamps.keys().filter(|p| !now.contains_key(*p)).map(|p| (p.clone(), None)));
        changes
    }

    /// The notified `paths` under the root looked at again: a file with a new stamp has
    /// changed, one that is gone (or is no longer a plain file) went, and a path the walk
    /// passes over is left alone. `None` when that cannot be worked out from the paths
    /// alone (a directory came, went or was renamed, or a path could not be looked at):
    /// then every file must be looked at again.
    pub fn look_at(&self, paths: &[PathBuf]) -> Option<Changes> {
        // Notifications name paths under the current directory joined to the path watched.
        let root = &self.root;
        let base = if root.is_absolute() { root.clone() } else { std::env::current_dir().ok()?.join(root) };
        let mut looked = HashSet::new();
        let mut changes = Changes::new();
        for path in paths {
            let Ok(relative) = path.strip_prefix(&base) else { continue };
            if relative.components().any(|c| OsSystem::skips(&c.as_os_str().to_string_lossy())) {
                continue;
            }
            let key = if relative.as_os_str().is_empty() { root.clone() } else { root.join(relative) };
            if !looked.insert(key.clone()) {
                continue;
            }
            let before = self.stamps.get(&key);
            match std::fs::symlink_metadata(&key) {
                Ok(metadata) if metadata.is_file() && !(self.follows)(&key) => {}
                Ok(metadata) if metadata.is_file() => {
                    let stamp = (metadata.len(), metadata.modified().ok());
                    if before != Some(&stamp) {
                        changes.push((key, Some(stamp)));
                    }
                }
                Ok(metadata) if metadata.is_dir() => return None,
                Ok(_) if before.is_some() => changes.push((key, None)),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => match before {
                    Some(_) => changes.push((key, None)),
                    // A file that came and went (an editor's temporary one), unless it was
                    // a directory, whose files are gone with it.
                    None if self.stamps.keys().any(|k| k.starts_with(&key)) => return None,
                    None => {}
                },
                Err(_) => return None,
            }
        }
        Some(changes)
    }

    /// Takes in what a look found.
    pub fn update(&mut self, changes: &Changes) {
        for (path, stamp) in changes {
            match stamp {
                Some(stamp) => self.stamps.insert(path.clone(), *stamp),
                None => self.stamps.remove(path),
            };
        }
    }
}

/// The stamp of every file under `root` that `follows` accepts (`root`'s own, should the
/// walk fail).
fn stamps(root: &Path, follows: fn(&Path) -> bool) -> HashMap<PathBuf, Stamp> {
    let mut out = HashMap::new();
    let walked = OsSystem.walk_metadata(root, &mut |path, metadata| {
        if follows(&path) {
            out.insert(path, (metadata.len(), metadata.modified().ok()));
        }
    });
    if walked.is_err()
        && let Ok(metadata) = std::fs::metadata(root)
    {
        out.insert(root.to_path_buf(), (metadata.len(), metadata.modified().ok()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Changes, LastLook};
    use std::path::{Path, PathBuf};

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// The changes as `path: new size` or `path: gone`, in order.
    fn shown(root: &Path, changes: Option<Changes>) -> Option<Vec<String>> {
        let mut shown: Vec<String> = changes?
            .into_iter()
            .map(|(path, stamp)| {
                let path = path.strip_prefix(root).expect("under the root").display().to_string();
                match stamp {
                    Some((size, _)) => format!("{path}: {size} bytes"),
                    None => format!("{path}: gone"),
                }
            })
            .collect();
        shown.sort();
        Some(shown)
    }

    #[test]
    fn a_look_at_notified_paths_finds_what_changed_among_them_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("an absolute root");
        write(&root, "a.yaml", "a: 1\n");
        write(&root, "b.yaml", "b: 1\n");
        write(&root, "sub/c.yaml", "c: 1\n");
        let mut last = LastLook::new(&root, |_| true);
        write(&root, "a.yaml", "a: 12\n");
        write(&root, "new.yaml", "n: 1\n");
        std::fs::remove_file(root.join("b.yaml")).expect("remove");
        write(&root, ".hidden/x.yaml", "x\n");
        let notified: Vec<PathBuf> =
            ["a.yaml", "a.yaml", "b.yaml", "new.yaml", "sub/c.yaml", "tmp~", ".hidden/x.yaml"]
                .iter()
                .map(|p| root.join(p))
                .collect();
        let changes = last.look_at(&notified);
        // An unchanged file, a temporary one that came and went and a hidden one are no
        // change; a file named twice is one.
        assert_eq!(
            shown(&root, changes.clone()),
            Some(vec!["a.yaml: 6 bytes".into(), "b.yaml: gone".into(), "new.yaml: 5 bytes".into()])
        );
        last.update(&changes.expect("changes"));
        assert_eq!(shown(&root, Some(last.look_at_all())), Some(vec![]));
        // A directory gone, or one that came, cannot be worked out from its path alone.
        std::fs::remove_dir_all(root.join("sub")).expect("remove");
        assert_eq!(shown(&root, last.look_at(&[root.join("sub")])), None);
        assert_eq!(shown(&root, Some(last.look_at_all())), Some(vec!["sub/c.yaml: gone".into()]));
        write(&root, "more/d.yaml", "d: 1\n");
        assert_eq!(shown(&root, last.look_at(&[root.join("more")])), None);
    }

    #[test]
    fn a_look_at_evidence_follows_evidence_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("an absolute root");
        write(&root, "cards/a.yaml", "a: 1\n");
        write(&root, "cards/weights.bin", "0000");
        let mut last = LastLook::new(&root, tenet_db::is_evidence_file);
        write(&root, "cards/a.yaml", "a: 12\n");
        write(&root, "cards/weights.bin", "00000000");
        write(&root, "cards/notes.txt", "new\n");
        write(&root, "cards/b.md", "# b\n");
        let notified: Vec<PathBuf> = ["cards/a.yaml", "cards/weights.bin", "cards/notes.txt", "cards/b.md"]
            .iter()
            .map(|p| root.join(p))
            .collect();
        let changes = last.look_at(&notified);
        let expected = Some(vec!["cards/a.yaml: 6 bytes".to_owned(), "cards/b.md: 4 bytes".to_owned()]);
        assert_eq!(shown(&root, changes.clone()), expected);
        assert_eq!(shown(&root, Some(last.look_at_all())), expected);
        last.update(&changes.expect("changes"));
        std::fs::remove_file(root.join("cards/weights.bin")).expect("remove");
        assert_eq!(shown(&root, last.look_at(&[root.join("cards/weights.bin")])), Some(vec![]));
        assert_eq!(shown(&root, Some(last.look_at_all())), Some(vec![]));
    }
}
