//! What the watch last saw of a watched path (the policy file or directory, the evidence
//! directory): each file's size and modification time, and each place that could not be
//! read or followed (a directory, a link to nothing), with why. A look at some or all of
//! the files gives what changed since, as a list of files, so that after one edit the rest
//! of a re-check costs what that edit touched, not what the directory holds.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tenet_db::{OsSystem, Unread};

/// A file's size and modification time.
pub type Stamp = (u64, Option<SystemTime>);

/// The stamp `metadata` gives.
fn stamp(metadata: &std::fs::Metadata) -> Stamp {
    (metadata.len(), metadata.modified().ok())
}

/// What a look saw at a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// A file, with its stamp.
    File(Stamp),
    /// A file reached through a link of its own, with its target's stamp: its target may
    /// be changed where no notification under the watched path names it.
    Linked(Stamp),
    /// A place that could not be read or followed, and why: the check reports it.
    Unreadable(Unread),
}

/// What a look found changed: each path with what is there now, or `None` when it is gone.
pub type Changes = Vec<(PathBuf, Option<Place>)>;

/// The files under one watched path, as last seen. Hashed, not ordered: at 46,970
/// evidence files, ordering the paths took longer than reading the stamps. Only what
/// changed is put in order, for showing.
pub struct LastLook {
    root: PathBuf,
    /// Which files the look follows: under an evidence root, only evidence files, so that
    /// a model's weights written there wake no run.
    follows: fn(&Path) -> bool,
    stamps: HashMap<PathBuf, Place>,
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
            .filter(|(path, seen)| self.stamps.get(*path) != Some(seen))
            .map(|(path, seen)| (path.clone(), Some(seen.clone())))
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
                // A link to a file seen before through it, its target changed; any other
                // link came, went or was changed, and where it leads, and whether it
                // leads anywhere, is for a walk to say.
                Ok(metadata) if metadata.file_type().is_symlink() => {
                    match (before, std::fs::metadata(&key)) {
                        (Some(Place::Linked(_)), Ok(target)) if target.is_file() => {
                            let seen = Place::Linked(stamp(&target));
                            if before != Some(&seen) {
                                changes.push((key, Some(seen)));
                            }
                        }
                        _ => return None,
                    }
                }
                Ok(metadata) if metadata.is_file() && !(self.follows)(&key) => {}
                Ok(metadata) if metadata.is_file() => {
                    let seen = Place::File(stamp(&metadata));
                    if before != Some(&seen) {
                        changes.push((key, Some(seen)));
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

    /// The files reached through links of their own, whose targets the notifications
    /// must follow too.
    pub fn links(&self) -> impl Iterator<Item = &PathBuf> {
        self.stamps.iter().filter(|(_, place)| matches!(place, Place::Linked(_))).map(|(path, _)| path)
    }

    /// Takes in what a look found.
    pub fn update(&mut self, changes: &Changes) {
        for (path, seen) in changes {
            match seen {
                Some(seen) => self.stamps.insert(path.clone(), seen.clone()),
                None => self.stamps.remove(path),
            };
        }
    }
}

/// What is seen of every file under `root` that `follows` accepts, and of every place
/// under it that could not be read or followed (`root`'s own stamp, should `root` itself
/// not be readable).
fn stamps(root: &Path, follows: fn(&Path) -> bool) -> HashMap<PathBuf, Place> {
    let mut out = HashMap::new();
    let walked = OsSystem.walk_metadata(root, &mut |path, metadata| match metadata {
        Ok((metadata, linked)) if follows(&path) => {
            let stamp = stamp(metadata);
            out.insert(path, if linked { Place::Linked(stamp) } else { Place::File(stamp) });
        }
        Ok(_) => {}
        Err(why) if why.may_hold(&path, follows) => {
            out.insert(path, Place::Unreadable(why));
        }
        Err(_) => {}
    });
    if walked.is_err()
        && let Ok(metadata) = std::fs::metadata(root)
    {
        out.insert(root.to_path_buf(), Place::File(stamp(&metadata)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Changes, LastLook, Place};
    use std::path::{Path, PathBuf};

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// The changes as `path: new size`, `path: why it cannot be read` or `path: gone`, in
    /// order.
    fn shown(root: &Path, changes: Option<Changes>) -> Option<Vec<String>> {
        let mut shown: Vec<String> = changes?
            .into_iter()
            .map(|(path, seen)| {
                let path = path.strip_prefix(root).expect("under the root").display().to_string();
                match seen {
                    Some(Place::File((size, _))) => format!("{path}: {size} bytes"),
                    Some(Place::Linked((size, _))) => format!("{path}: {size} bytes through a link"),
                    Some(Place::Unreadable(why)) => format!("{path}: {why}"),
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

    /// A link is looked at where it leads: a file through a link of its own is seen with
    /// its target's stamp, and is one of the look's links; a link to nothing where an
    /// evidence file would be is seen as such (and, notified, sends the watch to look at
    /// everything); once it leads to a file, that file is seen, and a notified change to
    /// its target is found from the link's path alone.
    #[cfg(unix)]
    #[test]
    fn a_look_follows_links_and_sees_those_that_lead_nowhere() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("an absolute root");
        write(&root, "kept/a.yaml", "a: 1\n");
        std::fs::create_dir_all(root.join("evidence")).expect("mkdir");
        let evidence = root.join("evidence");
        symlink(root.join("kept/a.yaml"), evidence.join("a.yaml")).expect("link");
        symlink(root.join("kept/b.yaml"), evidence.join("b.yaml")).expect("link");
        symlink(root.join("kept/weights.bin"), evidence.join("weights.bin")).expect("link");
        let mut last = LastLook::new(&evidence, tenet_db::is_evidence_file);
        // Weights that are not there are no more followed than weights that are.
        assert!(!last.holds(&evidence.join("weights.bin")));
        assert_eq!(
            last.stamps.get(&evidence.join("a.yaml")).map(|s| matches!(s, Place::Linked((5, _)))),
            Some(true)
        );
        assert_eq!(last.links().collect::<Vec<_>>(), [&evidence.join("a.yaml")]);
        let missing = tenet_db::Unread::BrokenLink(root.join("kept/b.yaml"));
        assert_eq!(last.stamps.get(&evidence.join("b.yaml")), Some(&Place::Unreadable(missing)));
        write(&root, "kept/b.yaml", "b: 12\n");
        assert_eq!(shown(&evidence, last.look_at(&[evidence.join("b.yaml")])), None);
        let changes = last.look_at_all();
        let through = |size: usize| Some(vec![format!("b.yaml: {size} bytes through a link")]);
        assert_eq!(shown(&evidence, Some(changes.clone())), through(6));
        last.update(&changes);
        assert_eq!(shown(&evidence, Some(last.look_at_all())), Some(vec![]));
        write(&root, "kept/b.yaml", "b: 123\n");
        assert_eq!(shown(&evidence, last.look_at(&[evidence.join("b.yaml")])), through(7));
    }
}
