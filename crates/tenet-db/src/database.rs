//! The database type and the trait queries take.

use std::sync::{Arc, Mutex};

/// What every query receives.
#[salsa::db]
pub trait Db: salsa::Database {}

/// The concrete database. Cloning it is cheap and shares memoized results; clones are how
/// the driver evaluates in parallel.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    log: Option<ExecutionLog>,
    /// The evidence every file of which was last loaded in parallel, and in which revision:
    /// within one revision the drivers need not visit every file again.
    pub(crate) preloaded: Arc<Mutex<Option<Preloaded>>>,
}

/// An evidence set loaded in full, for one workspace, in one revision.
pub(crate) type Preloaded = (crate::Workspace, crate::EvidenceSet, salsa::Revision);

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
        Database { storage: salsa::Storage::new(None), log: None, preloaded: Arc::default() }
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
        (Database { storage, log: Some(log.clone()), preloaded: Arc::default() }, log)
    }

    /// The execution log, if this database keeps one.
    pub fn execution_log(&self) -> Option<&ExecutionLog> {
        self.log.as_ref()
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {}
