//! How `tenet watch` notices that files may have changed: the operating system's file
//! notifications (inotify, FSEvents, ReadDirectoryChanges, through `notify`) when it gives
//! them, else looking every `--poll-ms`. Looking costs a `stat` of every file: at 46,970
//! evidence files, half a core for as long as the watch runs. A notification costs nothing
//! until something happens, and names the paths it is about, so that only those are
//! looked at again; a notification that names a directory, or none, or says that some
//! were lost, makes the watch look at every file again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long to wait after a notification for the rest of its burst: saving a file is often
/// several events (write, rename, attributes), and a checkout is thousands.
const SETTLE: Duration = Duration::from_millis(50);

/// What a wait found.
pub enum Noticed {
    /// These paths (absolute, as the notifications gave them) may have changed, and
    /// nothing else did.
    Paths(Vec<PathBuf>),
    /// Anything may have changed: the interval passed, or a notification named no path or
    /// said that some were lost.
    Anything,
    /// Nothing was notified before the deadline.
    Nothing,
}

/// A source of "something may have changed".
pub enum Notice {
    /// File notifications for the watched paths.
    Notified {
        /// Kept alive for as long as notifications are wanted.
        watcher: RecommendedWatcher,
        /// The directories watched with all they hold, as notifications name them: a
        /// directory removed and made again (a tool that writes the evidence afresh) is
        /// watched again, since the system's watch went with the old one.
        roots: Vec<PathBuf>,
        events: Receiver<notify::Result<notify::Event>>,
        /// How long to wait instead, should the notifications stop.
        poll: Duration,
        /// Each linked file's target (as notifications name it) and the links to it (as a
        /// look names them): a target edited in place is notified in its own directory,
        /// which is watched too, and stands for its links.
        targets: HashMap<PathBuf, Vec<PathBuf>>,
        /// The targets' directories watched so far.
        target_dirs: HashSet<PathBuf>,
    },
    /// Looking again after each interval.
    Polled(Duration),
}

impl Notice {
    /// Notifications for `paths` (each watched with all it holds), or polling every `poll`
    /// when `polled` asks for it (network file systems, where notifications miss other
    /// machines' writes) or the system cannot give them, which is said on stderr.
    pub fn new(paths: &[&Path], poll: Duration, polled: bool) -> Notice {
        if polled {
            return Notice::Polled(poll);
        }
        let (sender, events) = channel();
        let watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when the watch is over.
            let _ = sender.send(event);
        });
        let parent_of = |path: &Path| {
            path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned()
        };
        let mut roots = Vec::new();
        let watching = watcher.and_then(|mut watcher| {
            for path in paths {
                // A file is watched through its directory: an editor that saves by writing
                // a new file and renaming it over the old one would end a watch on the file.
                if path.is_file() {
                    watcher.watch(&parent_of(path), RecursiveMode::NonRecursive)?;
                } else {
                    watcher.watch(path, RecursiveMode::Recursive)?;
                    // Its parent too, which notices the directory made again.
                    watcher.watch(&parent_of(path), RecursiveMode::NonRecursive)?;
                    roots.extend(std::path::absolute(path));
                }
            }
            Ok(watcher)
        });
        match watching {
            Ok(watcher) => Notice::Notified {
                watcher,
                roots,
                events,
                poll,
                targets: HashMap::new(),
                target_dirs: HashSet::new(),
            },
            Err(e) => {
                eprintln!(
                    "note: file notifications are not available ({e}); looking for changes every {} ms",
                    poll.as_millis()
                );
                Notice::Polled(poll)
            }
        }
    }

    /// Follows the targets of `links` (files reached through links of their own, as a look
    /// found them), each through its directory, so that an edit to a target outside the
    /// watched paths, or where their notifications are passed over (a hidden directory a
    /// mounted volume swaps), is noticed as a change to its links.
    pub fn follow_links<'p>(&mut self, links: impl Iterator<Item = &'p PathBuf>) {
        let Notice::Notified { watcher, targets, target_dirs, .. } = self else { return };
        targets.clear();
        for link in links {
            let (Ok(target), Ok(link)) = (std::fs::canonicalize(link), std::path::absolute(link)) else {
                continue;
            };
            if let Some(dir) = target.parent()
                && !target_dirs.contains(dir)
                && watcher.watch(dir, RecursiveMode::NonRecursive).is_ok()
            {
                target_dirs.insert(dir.to_path_buf());
            }
            targets.entry(target).or_default().push(link);
        }
    }

    /// Returns when files may have changed, with what may have: after the next
    /// notification that is not only a read (the watch's own reads are notified too) and
    /// the rest of its burst, or after the polling interval; or at `deadline`, if one is
    /// given and comes first.
    pub fn wait(&mut self, deadline: Option<Instant>) -> Noticed {
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let (watcher, roots, events, poll, targets) = match self {
            Notice::Notified { watcher, roots, events, poll, targets, .. } => {
                (watcher, &*roots, &*events, *poll, &*targets)
            }
            Notice::Polled(every) => {
                std::thread::sleep(left().map_or(*every, |left| left.min(*every)));
                return Noticed::Anything;
            }
        };
        let mut paths = Vec::new();
        let mut anything = false;
        let mut note = |event: notify::Result<notify::Event>| match event {
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => false,
            Ok(event) => {
                anything |= event.paths.is_empty() || event.need_rescan();
                paths.extend(event.paths);
                true
            }
            // The system's queue overflowed, say: some changes may not be notified.
            Err(_) => {
                anything = true;
                true
            }
        };
        loop {
            let event = match left() {
                Some(left) => match events.recv_timeout(left) {
                    Ok(event) => Ok(event),
                    Err(RecvTimeoutError::Timeout) => return Noticed::Nothing,
                    Err(RecvTimeoutError::Disconnected) => Err(()),
                },
                None => events.recv().map_err(|_| ()),
            };
            let Ok(event) = event else {
                // The watcher stopped: look again after an interval, as when polling.
                std::thread::sleep(poll);
                return Noticed::Anything;
            };
            if note(event) {
                break;
            }
        }
        // The rest of the burst: until a quiet spell of SETTLE (or the watcher stops).
        while let Ok(event) = events.recv_timeout(SETTLE) {
            note(event);
        }
        // A linked file's target stands for its links.
        let linked: Vec<PathBuf> = paths.iter().filter_map(|p| targets.get(p)).flatten().cloned().collect();
        paths.extend(linked);
        // A watched directory named itself came, went or was replaced: watched afresh (a
        // second watch on one that stayed is the same watch), and every file looked at,
        // since files may have come into it before it was watched again.
        for root in roots.iter().filter(|root| paths.contains(root)) {
            if root.is_dir() {
                let _ = watcher.watch(root, RecursiveMode::Recursive);
            }
            anything = true;
        }
        if anything { Noticed::Anything } else { Noticed::Paths(paths) }
    }
}
