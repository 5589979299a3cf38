//! How `tenet watch` notices that files may have changed: the operating system's file
//! notifications (inotify, FSEvents, ReadDirectoryChanges, through `notify`) when it gives
//! them, else looking every `--poll-ms`. Looking costs a `stat` of every file: at 46,970
//! evidence files, half a core for as long as the watch runs. A notification costs nothing
//! until something happens. Either way, what changed is then worked out by comparing
//! every file's size and modification time with the last look, so a notification that
//! names the wrong file, or none, never makes a change go unnoticed.

use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long to wait after a notification for the rest of its burst: saving a file is often
/// several events (write, rename, attributes), and a checkout is thousands.
const SETTLE: Duration = Duration::from_millis(50);

/// A source of "something may have changed".
pub enum Notice {
    /// File notifications for the watched paths.
    Notified {
        /// Kept alive for as long as notifications are wanted.
        _watcher: RecommendedWatcher,
        events: Receiver<notify::Result<notify::Event>>,
        /// How long to wait instead, should the notifications stop.
        poll: Duration,
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
        let watching = watcher.and_then(|mut watcher| {
            for path in paths {
                watcher.watch(path, RecursiveMode::Recursive)?;
            }
            Ok(watcher)
        });
        match watching {
            Ok(watcher) => Notice::Notified { _watcher: watcher, events, poll },
            Err(e) => {
                eprintln!(
                    "note: file notifications are not available ({e}); looking for changes every {} ms",
                    poll.as_millis()
                );
                Notice::Polled(poll)
            }
        }
    }

    /// Returns when files may have changed: after the next notification that is not only a
    /// read (the watch's own reads are notified too) and the rest of its burst, or after
    /// the polling interval.
    pub fn wait(&self) {
        let (events, poll) = match self {
            Notice::Notified { events, poll, .. } => (events, *poll),
            Notice::Polled(every) => return std::thread::sleep(*every),
        };
        loop {
            match events.recv() {
                Ok(event) if may_change(&event) => break,
                Ok(_) => {}
                // The watcher stopped: look again after an interval, as when polling.
                Err(_) => return std::thread::sleep(poll),
            }
        }
        // The rest of the burst: until a quiet spell of SETTLE (or the watcher stops).
        while events.recv_timeout(SETTLE).is_ok() {}
    }
}

/// Whether a notification may mean a file changed: not when it only says a file was
/// opened or read. An error (the system's queue overflowed, say) may hide a change.
fn may_change(event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(event) => !matches!(event.kind, EventKind::Access(_)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_not_changes_and_errors_may_be() {
        let event = |kind| Ok(notify::Event::new(kind));
        let open = EventKind::Access(notify::event::AccessKind::Open(notify::event::AccessMode::Any));
        let write = EventKind::Modify(notify::event::ModifyKind::Data(notify::event::DataChange::Any));
        let create = EventKind::Create(notify::event::CreateKind::File);
        assert!(!may_change(&event(open)));
        assert!(may_change(&event(write)));
        assert!(may_change(&event(create)));
        assert!(may_change(&Err(notify::Error::generic("queue overflow"))));
    }
}
