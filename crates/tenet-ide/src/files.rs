//! Between the database's files and the checker's file ids: the program numbers files in
//! the order `checked_files` lists them (the workspace's, then the built-in packs they
//! reach), so a position in one is an index in the other.

use std::sync::Arc;

use tenet_db::{Db, SourceFile, Workspace, checked_files};
use tenet_sema::FileId;

/// A file's text. Policy files are UTF-8; bytes that are not are shown as U+FFFD, which
/// keeps every offset up to the first bad byte unchanged.
#[salsa::tracked(returns(clone))]
pub fn source_text(db: &dyn Db, file: SourceFile) -> Arc<str> {
    Arc::from(String::from_utf8_lossy(file.bytes(db)).as_ref())
}

/// The checker's id of a file of the workspace.
pub fn file_id(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<FileId> {
    checked_files(db, workspace).iter().position(|f| *f == file).map(|i| FileId(i as u32))
}

/// The file behind a checker's id.
pub fn source_file(db: &dyn Db, workspace: Workspace, file: FileId) -> Option<SourceFile> {
    checked_files(db, workspace).get(file.index()).copied()
}
