//! The result model: what a run decides, rule by rule and subject by subject. It is a
//! versioned contract (see `tenet check --format json`), so fields are added, never
//! repurposed.

use std::sync::Arc;

use rayon::prelude::*;

use serde::Serialize;
use tenet_sema::value::SmolStr;

/// The outcome of one rule for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// It does not.
    Fail,
    /// It could not be decided: a broken rule, an evaluation error, bad evidence.
    Error,
    /// It fails, under a waiver that has not expired.
    Waived,
    /// The control or rule does not apply (an exclusion, or `applies when`).
    NotApplicable,
    /// There is nothing to judge: the rule's domain is empty.
    NoEvidence,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::Waived,
        Status::NotApplicable,
        Status::NoEvidence,
    ];

    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Waived => "waived",
            Status::NotApplicable => "not_applicable",
            Status::NoEvidence => "no_evidence",
        }
    }
}

/// A place in an evidence file (or a policy file, for results about the policy itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Citation {
    /// The file, relative to the evidence root.
    pub path: Arc<str>,
    /// One-based line.
    pub line: u32,
    /// One-based column.
    pub column: u32,
}

/// The places a result cites: the subject's own first, then every document the verdict
/// read. Most results cite one or two, which are held in the result itself; more share one
/// allocation. A large organisation's hundreds of thousands of results then cost no
/// allocation each for their citations.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Citations(Cited);

#[derive(Clone, PartialEq, Eq, Hash, Default)]
enum Cited {
    #[default]
    None,
    One(Citation),
    Two([Citation; 2]),
    More(Arc<[Citation]>),
}

impl std::ops::Deref for Citations {
    type Target = [Citation];

    fn deref(&self) -> &[Citation] {
        match &self.0 {
            Cited::None => &[],
            Cited::One(c) => std::slice::from_ref(c),
            Cited::Two(both) => both,
            Cited::More(all) => all,
        }
    }
}

impl FromIterator<Citation> for Citations {
    fn from_iter<I: IntoIterator<Item = Citation>>(items: I) -> Citations {
        let mut items = items.into_iter();
        let Some(first) = items.next() else { return Citations(Cited::None) };
        let Some(second) = items.next() else { return Citations(Cited::One(first)) };
        let Some(third) = items.next() else { return Citations(Cited::Two([first, second])) };
        Citations(Cited::More([first, second, third].into_iter().chain(items).collect()))
    }
}

impl From<Vec<Citation>> for Citations {
    fn from(items: Vec<Citation>) -> Citations {
        items.into_iter().collect()
    }
}

impl std::fmt::Debug for Citations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A list, as it always was in the JSON report.
impl Serialize for Citations {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The document a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SubjectRef {
    /// Its evidence kind.
    pub kind: Arc<str>,
    /// Its key: held inline when short, else shared with the document's key, so results
    /// do not copy it.
    pub key: SmolStr,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// The control's qualified id.
    pub control: Arc<str>,
    /// The rule's name (`default` for a control's unnamed rule).
    pub rule: Arc<str>,
    /// The subject, for rules with `for`.
    pub subject: Option<SubjectRef>,
    /// The verdict.
    pub status: Status,
    /// Why, in words.
    pub message: Option<Arc<str>>,
    /// The subject's own place first, then every document the verdict read, in order.
    pub citations: Citations,
    /// Documents read beyond those listed in `citations`. 32 bits, beside the status: a
    /// large organisation holds hundreds of thousands of results.
    pub more_citations: u32,
    /// Set when a dependent package replaced or disabled the rule (added by the report;
    /// evaluation leaves it empty). Omitted from JSON when unset.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Arc<OverrideNote>>,
}

impl RuleResult {
    /// Its first `n` citations, and how many more documents it read: what a report for
    /// people shows of a result whose citations run long.
    pub fn first_citations(&self, n: usize) -> (&[Citation], usize) {
        let shown = self.citations.get(..n).unwrap_or(&self.citations);
        (shown, self.more_citations as usize + (self.citations.len() - shown.len()))
    }
}

/// A rule a dependent package replaced (`override`) or disabled (`disable`), as reports
/// show it next to the rule's results and in the Statement of Applicability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct OverrideNote {
    /// The rule's name in its control.
    pub rule: Arc<str>,
    /// `replace` or `disable`.
    pub action: &'static str,
    /// The package that overrode it.
    pub package: Arc<str>,
    /// The justification.
    pub because: String,
    /// The policy file of the `override` or `disable`.
    pub file: Arc<str>,
    /// Its one-based line.
    pub line: u32,
}

impl OverrideNote {
    /// `replaced by `pkg`` or `disabled by `pkg``.
    pub fn by(&self) -> String {
        let verb = if self.action == "disable" { "disabled" } else { "replaced" };
        format!("{verb} by `{}`", self.package)
    }
}

/// Which results a run lists. Every output lists every result, except a report for
/// people, which shows what failed, erred or was waived and only counts what passed: a
/// large organisation's hundreds of thousands of passing results, each with its subject
/// and citations, are then counted as they are decided, never made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Passes {
    /// Every result is listed.
    #[default]
    Listed,
    /// A passing result of a rule over subjects is counted, not listed; its run's counts
    /// still hold it.
    Counted,
}

/// A count per status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct StatusCounts {
    /// Passing.
    pub pass: usize,
    /// Failing.
    pub fail: usize,
    /// Errors.
    pub error: usize,
    /// Waived.
    pub waived: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// No evidence.
    pub no_evidence: usize,
}

impl StatusCounts {
    /// Adds one of `status`.
    pub fn add(&mut self, status: Status) {
        *self.get_mut(status) += 1;
    }

    /// How many in all.
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// Adds every count of `other`.
    pub fn add_all(&mut self, other: &StatusCounts) {
        for status in Status::ALL {
            *self.get_mut(status) += other.get(status);
        }
    }

    /// The count of `status`.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::Waived => self.waived,
            Status::NotApplicable => self.not_applicable,
            Status::NoEvidence => self.no_evidence,
        }
    }

    fn get_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::Waived => &mut self.waived,
            Status::NotApplicable => &mut self.not_applicable,
            Status::NoEvidence => &mut self.no_evidence,
        }
    }
}

/// A rule's or a control's results, in order, held as shared runs: a large rule's chunks
/// each give a run, and a control joins its rules' runs. Joining, and reusing a chunk
/// after an edit, then copies handles rather than every result. Reads as one list.
#[derive(Debug, Clone, Default)]
pub struct Results {
    runs: Vec<Run>,
}

/// Results one after another, shared, with their counts by status (counted once, when the
/// run is made, so that a report over runs it has seen before counts nothing again). The
/// counts also hold the passing results a run counted without listing them
/// ([`Passes::Counted`]).
#[derive(Debug, Clone)]
pub struct Run(Arc<RunData>);

#[derive(Debug)]
struct RunData {
    /// A chunk's list is sized for every subject. Kept as made when at least half full
    /// (shrinking would copy every result into fresh memory), shrunk when a filter let
    /// through fewer, so that a long-lived database holds little room it never fills.
    results: Vec<RuleResult>,
    counts: StatusCounts,
}

impl Run {
    /// A run of `results`.
    pub fn new(results: Vec<RuleResult>) -> Run {
        Run::with_counted_passes(results, 0)
    }

    /// A run of `results` and of `passes` more passing results, counted but not listed.
    pub fn with_counted_passes(mut results: Vec<RuleResult>, passes: usize) -> Run {
        if results.len() < results.capacity() / 2 {
            results.shrink_to_fit();
        }
        let mut counts = StatusCounts { pass: passes, ..StatusCounts::default() };
        for r in &results {
            counts.add(r.status);
        }
        Run(Arc::new(RunData { results, counts }))
    }

    /// The results.
    pub fn results(&self) -> &[RuleResult] {
        &self.0.results
    }

    /// How many results have each status.
    pub fn counts(&self) -> &StatusCounts {
        &self.0.counts
    }
}

impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.counts() == other.counts() && self.results() == other.results())
    }
}

/// No results, for a control one of two reports lacks.
pub(crate) static NO_RESULTS: Results = Results { runs: Vec::new() };

impl Results {
    /// Results made of `runs`, one after another (runs of no results, listed or counted,
    /// are left out).
    pub fn from_runs(runs: impl IntoIterator<Item = Run>) -> Results {
        Results { runs: runs.into_iter().filter(|r| r.counts().total() > 0).collect() }
    }

    /// Every listed result, in order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleResult> + Clone {
        self.runs.iter().flat_map(|run| run.results().iter())
    }

    /// How many results are listed.
    pub fn len(&self) -> usize {
        self.runs.iter().map(|r| r.results().len()).sum()
    }

    /// Whether there are none, listed or counted.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The result at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&RuleResult> {
        let mut index = index;
        for run in &self.runs {
            match run.results().get(index) {
                Some(r) => return Some(r),
                None => index -= run.results().len(),
            }
        }
        None
    }

    /// The runs, for joining results without copying them.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// How many results have each status, listed or counted.
    pub fn counts(&self) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for run in &self.runs {
            counts.add_all(run.counts());
        }
        counts
    }

    /// `render` applied to the results in blocks of [`Results::BLOCK`] (a run's last block
    /// may be shorter) on rayon's threads, each rendered block handed to `write` in result
    /// order: how a report writes a large organisation's hundreds of thousands of results
    /// on every core without holding them all rendered. Blocks are rendered a window of
    /// [`Results::WINDOW`] at a time, the next window while this thread writes the last,
    /// so writing (a large report is mostly time in the kernel, copying into a file) does
    /// not leave the other threads idle. `write` stays on the calling thread; its first
    /// error stops the rendering and is returned.
    pub fn render_blocks<T: Send, E>(
        &self,
        render: impl Fn(&[RuleResult]) -> T + Sync,
        mut write: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        let blocks: Vec<&[RuleResult]> =
            self.runs.iter().flat_map(|run| run.results().chunks(Results::BLOCK)).collect();
        let render_window = |window: &[&[RuleResult]]| -> Vec<T> {
            window.par_iter().with_max_len(1).map(|b| render(b)).collect()
        };
        let mut windows = blocks.chunks(Results::WINDOW);
        let mut rendered = windows.next().map(render_window).unwrap_or_default();
        for window in windows {
            let mut next = Vec::new();
            let written = rayon::in_place_scope(|scope| {
                scope.spawn(|_| next = render_window(window));
                std::mem::take(&mut rendered).into_iter().try_for_each(&mut write)
            });
            written?;
            rendered = next;
        }
        rendered.into_iter().try_for_each(&mut write)
    }

    /// Results per block of [`Results::render_blocks`].
    pub const BLOCK: usize = 1024;

    /// Blocks [`Results::render_blocks`] renders at once: enough to keep every core busy,
    /// few enough that a large report is never held whole (a block of 1,024 failures is
    /// about 130 KB of text).
    pub const WINDOW: usize = 16;

    /// Every result, copied into a list of its own.
    pub fn to_vec(&self) -> Vec<RuleResult> {
        self.iter().cloned().collect()
    }
}

impl From<Vec<RuleResult>> for Results {
    fn from(results: Vec<RuleResult>) -> Results {
        Results::from_runs([Run::new(results)])
    }
}

/// Equal when the results are, one for one; runs that are the same handle are not
/// compared result by result.
impl PartialEq for Results {
    fn eq(&self, other: &Results) -> bool {
        let same_runs = self.runs.len() == other.runs.len()
            && self.runs.iter().zip(&other.runs).all(|(a, b)| a.results().len() == b.results().len());
        if same_runs {
            return self.runs.iter().zip(&other.runs).all(|(a, b)| a == b);
        }
        self.len() == other.len() && self.counts() == other.counts() && self.iter().eq(other.iter())
    }
}

impl Serialize for Results {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_the_places_given_in_order_however_many_there_are() {
        let place = |line: u32| Citation { path: Arc::from(format!("f{}.yaml", line % 2)), line, column: 1 };
        for count in 0..6u32 {
            let places: Vec<Citation> = (1..=count).map(place).collect();
            let cited: Citations = places.iter().cloned().collect();
            assert_eq!(&*cited, places.as_slice(), "{count}");
            assert_eq!(Citations::from(places.clone()), cited, "{count}");
            assert_eq!(
                serde_json::to_value(&cited).unwrap_or_default(),
                serde_json::to_value(&places).unwrap_or_default(),
                "{count}"
            );
        }
        assert_eq!(format!("{:?}", Citations::from(vec![place(3)])), format!("{:?}", [place(3)]));
    }

    fn result(key: &str, status: Status) -> RuleResult {
        RuleResult {
            control: Arc::from("C.1"),
            rule: Arc::from("r"),
            subject: Some(SubjectRef { kind: Arc::from("AiSystem"), key: SmolStr::new(key) }),
            status,
            message: None,
            citations: Citations::default(),
            more_citations: 0,
            overridden: None,
        }
    }

    #[test]
    fn results_in_runs_read_as_one_list() {
        let (a, b, c) = (result("a", Status::Pass), result("b", Status::Fail), result("c", Status::Pass));
        let runs = Results::from_runs([
            Run::new(vec![a.clone()]),
            Run::new(Vec::new()),
            Run::new(vec![b.clone(), c.clone()]),
        ]);
        let whole = Results::from(vec![a.clone(), b.clone(), c.clone()]);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs.runs().len(), 2, "an empty run is left out");
        assert_eq!(runs.get(2), Some(&c));
        assert_eq!(runs.get(3), None);
        assert_eq!(runs, whole, "equal across other run boundaries");
        assert_ne!(runs, Results::from(vec![a, c.clone(), b]));
        assert_eq!(
            serde_json::to_string(&runs).expect("json"),
            serde_json::to_string(&whole.to_vec()).expect("json")
        );
        assert!(Results::from_runs([Run::new(Vec::new())]).is_empty());
        assert_eq!((runs.counts().pass, runs.counts().fail), (2, 1));
    }

    #[test]
    fn a_result_is_twenty_words_with_two_citations_in_it() {
        // A large organisation's report holds hundreds of thousands of them: two citations
        // (six words) held inline, where a shared list took two words and an allocation.
        assert_eq!(std::mem::size_of::<Citations>(), 56);
        assert_eq!(std::mem::size_of::<RuleResult>(), 160);
    }

    #[test]
    fn first_citations_count_the_rest_with_those_never_listed() {
        let place = |line: u32| Citation { path: Arc::from("a.yaml"), line, column: 1 };
        let mut r = result("a", Status::Fail);
        r.citations = (1..=7).map(place).collect();
        r.more_citations = 10;
        let (shown, more) = r.first_citations(5);
        assert_eq!((shown.iter().map(|c| c.line).collect::<Vec<_>>(), more), (vec![1, 2, 3, 4, 5], 12));
        let (shown, more) = r.first_citations(9);
        assert_eq!((shown.len(), more), (7, 10));
    }

    #[test]
    fn blocks_render_in_result_order_across_windows_and_runs_and_stop_at_an_error() {
        // More blocks than a window holds, split over two runs whose boundary is mid-block.
        let blocks = Results::WINDOW + 3;
        let total = blocks * Results::BLOCK;
        let key = |i: usize| format!("{i:06}");
        let first: Vec<RuleResult> = (0..1500).map(|i| result(&key(i), Status::Pass)).collect();
        let rest: Vec<RuleResult> = (1500..total).map(|i| result(&key(i), Status::Pass)).collect();
        let results = Results::from_runs([Run::new(first), Run::new(rest)]);
        let keys = |block: &[RuleResult]| -> Vec<String> {
            block.iter().filter_map(|r| r.subject.as_ref().map(|s| s.key.to_string())).collect()
        };

        let mut written: Vec<String> = Vec::new();
        let mut sizes = Vec::new();
        let done: Result<(), ()> = results.render_blocks(keys, |block| {
            sizes.push(block.len());
            written.extend(block);
            Ok(())
        });
        assert_eq!(done, Ok(()));
        assert_eq!(written, (0..total).map(key).collect::<Vec<_>>());
        assert_eq!(sizes[..3], [1024, 476, 1024], "a run's last block may be shorter");

        let mut calls = 0;
        let stopped = results.render_blocks(keys, |_| {
            calls += 1;
            if calls == 2 { Err("full") } else { Ok(()) }
        });
        assert_eq!((stopped, calls), (Err("full"), 2));

        // An error in a later window stops the windows after the one being rendered.
        let rendered = std::sync::atomic::AtomicUsize::new(0);
        let count = |block: &[RuleResult]| {
            rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            block.len()
        };
        let many = Results::from_runs([Run::new(
            (0..5 * Results::WINDOW * Results::BLOCK).map(|i| result(&key(i), Status::Pass)).collect(),
        )]);
        let mut calls = 0;
        let stopped = many.render_blocks(count, |_| {
            calls += 1;
            if calls == Results::WINDOW + 1 { Err("full") } else { Ok(()) }
        });
        assert_eq!((stopped, calls), (Err("full"), Results::WINDOW + 1));
        assert_eq!(rendered.into_inner(), 3 * Results::WINDOW, "the window in flight, not the two after it");
    }
}
