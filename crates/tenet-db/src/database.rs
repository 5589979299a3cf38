//! The database type and the trait queries take.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tenet_eval::RuleMemo;

use crate::long_lived::{LastKinds, LoadedFiles};

use crate::{EvidenceSet, RunSettings, Workspace};

/// What every query receives.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The memos of large rules' chunks, for a database that lives across edits
    /// ([`Database::long_lived`]); `None` for a one-off check, which would only pay
    /// for noting what each chunk read.
    fn rule_memos(&self) -> Option<&RuleMemos>;

    /// Each evidence file's last loading, for a database that lives across edits; `None`
    /// for a one-off check, which loads each file once.
    fn loaded_files(&self) -> Option<&LoadedFiles>;

    /// Each kind's last documents, for a database that lives across edits; `None` for a
    /// one-off check, which gathers each kind once.
    fn last_kinds(&self) -> Option<&LastKinds>;

    /// Whether the database answers once and sees no edit ([`Database::checks_once`]):
    /// it then gathers each kind straight from the loaded files, without the per-group
    /// shares that let an edit elsewhere leave a kind as it was.
    fn checks_once(&self) -> bool;
}

/// The concrete database. Cloning it is cheap and shares memoized results; clones are how
/// the driver evaluates in parallel.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    log: Option<ExecutionLog>,
    /// The evidence every file of which was last loaded in parallel, and under which
    /// schemas: the drivers need not visit every file again until the schemas change.
    pub(crate) preloaded: Arc<Mutex<Option<Preloaded>>>,
    memos: Option<Arc<RuleMemos>>,
    loaded: Option<Arc<LoadedFiles>>,
    kinds: Option<Arc<LastKinds>>,
    once: bool,
}

/// Each split rule's last evaluation, by control and rule, with the workspace, evidence and
/// settings it was made for. Kept beside salsa's memos rather than in them because the next
/// evaluation of the same rule consults it: a salsa query cannot see its own previous
/// value. One memo per rule, whatever it was evaluated over, so that a server that loads
/// its evidence again does not keep the memos of the sets it left.
#[derive(Default)]
pub struct RuleMemos {
    memos: Mutex<HashMap<RuleName, (MemoInputs, Arc<RuleMemo>)>>,
    reused: AtomicUsize,
}

/// A rule: its control's qualified id and its name.
type RuleName = (Arc<str>, Arc<str>);

/// What a rule's memo was made over, besides the rule.
pub(crate) type MemoInputs = (Workspace, EvidenceSet, RunSettings);

impl RuleMemos {
    /// The last memo of `control`'s `rule`, if it was made over `inputs`.
    pub(crate) fn get(
        &self,
        inputs: MemoInputs,
        control: &Arc<str>,
        rule: &Arc<str>,
    ) -> Option<Arc<RuleMemo>> {
        let memos = self.memos.lock().ok()?;
        let (made_over, memo) = memos.get(&(control.clone(), rule.clone()))?;
        (*made_over == inputs).then(|| memo.clone())
    }

    /// Keeps `memo` as the rule's last evaluation (or forgets the rule when it is `None`).
    pub(crate) fn put(&self, inputs: MemoInputs, control: Arc<str>, rule: Arc<str>, memo: Option<RuleMemo>) {
        if let Some(memo) = &memo {
            self.reused.fetch_add(memo.chunks_reused(), Ordering::Relaxed);
        }
        if let Ok(mut memos) = self.memos.lock() {
            match memo {
                Some(memo) => memos.insert((control, rule), (inputs, Arc::new(memo))),
                None => memos.remove(&(control, rule)),
            };
        }
    }

    /// How many rules have a memo.
    pub fn len(&self) -> usize {
        self.memos.lock().map_or(0, |m| m.len())
    }

    /// Whether no rule has a memo.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many chunks evaluations have reused since the last call: what tests assert, so
    /// that a reuse that never happens cannot pass for one that works.
    pub fn take_chunks_reused(&self) -> usize {
        self.reused.swap(0, Ordering::Relaxed)
    }
}

/// An evidence set loaded in full, for one workspace, under its schemas.
pub(crate) struct Preloaded {
    pub workspace: crate::Workspace,
    pub evidence: crate::EvidenceSet,
    pub schemas: Vec<tenet_sema::program::Schema>,
    /// The order the set's groups were loaded in, largest first: the order later passes
    /// over every group keep while the number of groups is the same (the sizes an edit
    /// changes only move a group's turn, never which groups there are).
    pub order: Vec<u32>,
}

/// A record of which queries ran, kept by databases built with
/// [`Database::with_execution_log`]: incrementality is tested by counting executions.
#[derive(Clone, Default)]
pub struct ExecutionLog {
    executed: Arc<Mutex<Vec<String>>>,
}

impl ExecutionLog {
    /// The queries executed since the last call, as `query(input)` descriptions.
    pub fn take(&self) -> Vec<String> {
        self.executed.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }
}

impl Default for Database {
    fn default() -> Self {
        Database {
            storage: salsa::Storage::new(None),
            log: None,
            preloaded: Arc::default(),
            memos: None,
            loaded: None,
            kinds: None,
            once: false,
        }
    }
}

impl Database {
    /// A database that records each query execution.
    pub fn with_execution_log() -> (Database, ExecutionLog) {
        let log = ExecutionLog::default();
        let sink = log.executed.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut v) = sink.lock()
            {
                v.push(format!("{database_key:?}"));
            }
        })));
        (
            Database {
                storage,
                log: Some(log.clone()),
                preloaded: Arc::default(),
                memos: None,
                loaded: None,
                kinds: None,
                once: false,
            },
            log,
        )
    }

    /// Makes this database (and its clones from now on) keep what lets it answer quickly
    /// after an edit: what each chunk of a large rule read, so that the chunks the edit did
    /// not reach are reused instead of evaluated again; each evidence file's loading,
    /// so that a group of files loads only its changed file again; and each kind's
    /// documents, so that their indexes are carried over rather than built again. For the
    /// language server and `tenet watch`.
    pub fn long_lived(&mut self) {
        self.memos.get_or_insert_with(Arc::default);
        self.loaded.get_or_insert_with(Arc::default);
        self.kinds.get_or_insert_with(Arc::default);
    }

    /// Makes this database (and its clones from now on) answer for one check of an
    /// unchanging set of files, as `tenet check` does: each kind's documents are gathered
    /// once, straight from the loaded files, rather than joined from per-group shares that
    /// only an edit would reuse. An edit is still answered correctly, with more work.
    pub fn checks_once(&mut self) {
        self.once = true;
    }

    /// The execution log, if this database keeps one.
    pub fn execution_log(&self) -> Option<&ExecutionLog> {
        self.log.as_ref()
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn rule_memos(&self) -> Option<&RuleMemos> {
        self.memos.as_deref()
    }

    fn loaded_files(&self) -> Option<&LoadedFiles> {
        self.loaded.as_deref()
    }

    fn last_kinds(&self) -> Option<&LastKinds> {
        self.kinds.as_deref()
    }

    fn checks_once(&self) -> bool {
        self.once
    }
}
