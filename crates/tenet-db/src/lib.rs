//! The salsa database that the CLI and the language server share, so that what the editor
//! shows and what CI decides cannot disagree.
//!
//! Inputs are policy files (and, with the evaluator, evidence files and settings); parsing,
//! checking and evaluation are tracked queries, so an edit recomputes only what depends on
//! it. A [`System`] stands between the database and the disk, so tests run in memory.
//!
//! **Architecture invariant:** queries are pure functions of their inputs. All I/O happens
//! in the loaders, before inputs are set.

mod clock;
mod database;
mod evaluation;
mod evidence;
mod evidence_inputs;
mod evidence_loading;
mod inputs;
mod long_lived;
mod queries;
mod system;
mod workspace;

pub use clock::{move_to_date, today_utc, until_tomorrow_utc};
pub use database::{Database, Db, ExecutionLog, RuleMemos};
pub use evaluation::{
    evaluate_workspace, evaluate_workspace_with_progress, rule_body, rule_results, run_params, tailor_control,
};
pub use evidence::{
    FILE_GROUP, GroupDocs, LoadedEvidence, evidence_diagnostics, file_group_diagnostics, group_kind_docs,
    group_kinds, kind_docs, kind_groups, kind_keys, load_all_evidence, load_all_evidence_with_progress,
    load_group, loaded_file, schemas, validate_evidence, waiver_diagnostics,
};
pub use evidence_inputs::EvidenceInputs;
pub use inputs::{EvidenceFile, EvidenceSet, FileBytes, RunSettings, SourceFile, Workspace};
pub use long_lived::{LastKinds, LoadedFiles};
pub use queries::{Parsed, checked_files, diagnostics, parse, parse_all, program};
pub use system::{Found, MemorySystem, Metadata, OsSystem, System, Unread};
pub use workspace::{
    DependencyPack, LoadError, WorkspaceFiles, dependency_files, display_path, evidence_found,
    evidence_read_limit, is_evidence_file, load_evidence_dir, load_evidence_dir_with_progress,
    load_workspace, load_workspace_with_packs,
};
