//! One line on stderr saying what a long run is doing (`reading evidence: 12,800 files`,
//! `loading evidence: [#####---------------] 9/35 MB`), rewritten in place.
//! Only for a person watching (stderr is a terminal) and only once the run has taken half
//! a second, so short runs and logs in CI never see it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a run goes before the line appears.
const AFTER: Duration = Duration::from_millis(500);
/// The least time between two updates: callers report from every thread, far more often
/// than a person can read.
const EVERY: Duration = Duration::from_millis(50);

/// The progress line of one run.
pub struct Progress {
    started: Instant,
    show: bool,
    /// When the line was last written, in milliseconds since `started` (0: never).
    last: AtomicU64,
    shown: AtomicBool,
}

impl Progress {
    /// A line shown when stderr is a terminal.
    pub fn new() -> Progress {
        Progress::started_at(Instant::now(), std::io::stderr().is_terminal())
    }

    fn started_at(started: Instant, show: bool) -> Progress {
        Progress { started, show, last: AtomicU64::new(0), shown: AtomicBool::new(false) }
    }

    /// Shows `line()` in place of the last line, unless it is too early or too soon after
    /// the last update. Callable from any thread.
    pub fn update(&self, line: impl FnOnce() -> String) {
        let elapsed = self.started.elapsed();
        if !self.show || elapsed < AFTER {
            return;
        }
        let now = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        let last = self.last.load(Ordering::Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= EVERY.as_millis() as u64;
        // One thread of those that find it due writes.
        if !due || self.last.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err() {
            return;
        }
        self.shown.store(true, Ordering::Relaxed);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{}", line());
        let _ = stderr.flush();
    }

    /// Erases the line, if it was shown, before the report or the diagnostics are written.
    pub fn clear(&self) {
        if self.shown.swap(false, Ordering::Relaxed) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// `[#########-----------] `: how far `done` is through `total`, twenty characters wide,
/// for a phase whose end is known.
pub fn bar(done: usize, total: usize) -> String {
    const WIDTH: usize = 20;
    let filled = (done.min(total) * WIDTH).checked_div(total).unwrap_or(WIDTH);
    format!("[{}{}] ", "#".repeat(filled), "-".repeat(WIDTH - filled))
}

/// Bytes in whole megabytes, rounded up (a file of a few bytes is not nothing).
pub fn megabytes(bytes: usize) -> String {
    thousands(bytes.div_ceil(1_000_000))
}

/// `46970` as `46,970`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_fills_in_proportion() {
        assert_eq!(bar(0, 40), "[--------------------] ");
        assert_eq!(bar(21, 40), "[##########----------] ");
        assert_eq!(bar(40, 40), "[####################] ");
        assert_eq!(bar(50, 40), "[####################] ");
        assert_eq!(bar(0, 0), "[####################] ");
    }

    #[test]
    fn megabytes_round_up() {
        let shown: Vec<String> = [0, 1, 999_999, 1_000_001, 34_363_083].into_iter().map(megabytes).collect();
        assert_eq!(shown, ["0", "1", "1", "2", "35"]);
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        let shown: Vec<String> = [0, 7, 999, 1000, 46_970, 1_000_000].into_iter().map(thousands).collect();
        assert_eq!(shown, ["0", "7", "999", "1,000", "46,970", "1,000,000"]);
    }

    #[test]
    fn nothing_is_shown_off_a_terminal_or_before_half_a_second() {
        let long_ago = Instant::now().checked_sub(Duration::from_secs(5)).expect("an earlier instant");
        let quiet = Progress::started_at(long_ago, false);
        quiet.update(|| unreachable!("off a terminal"));
        // Started in an hour: whatever this machine's pace, not yet half a second in.
        let later = Instant::now().checked_add(Duration::from_secs(3600)).expect("a later instant");
        let early = Progress::started_at(later, true);
        early.update(|| unreachable!("before half a second"));
        assert!(!early.shown.load(Ordering::Relaxed) && !quiet.shown.load(Ordering::Relaxed));
    }
}
