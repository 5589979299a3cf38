//! Find references: every place in the workspace (built-in packs included) that names the
//! declaration under the cursor.

use tenet_db::{Db, SourceFile, Workspace};
use tenet_diagnostics::Span;

use crate::FilePosition;
use crate::index::{Definition, Role, file_index};

/// One place that names a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The file.
    pub file: SourceFile,
    /// The name.
    pub span: Span,
    /// True for the declaration itself.
    pub is_declaration: bool,
}

/// Every place that names what is at `position`; `None` when nothing is there.
pub fn references(
    db: &dyn Db,
    workspace: Workspace,
    position: FilePosition,
    include_declaration: bool,
) -> Option<Vec<Reference>> {
    let definition = file_index(db, workspace, position.file).at(position.offset)?.definition.clone();
    let mut out = occurrences_of(db, workspace, position.file, &definition);
    if !include_declaration {
        out.retain(|r| !r.is_declaration);
    }
    Some(out)
}

/// Every occurrence of a declaration. A variable is only ever named in its own file.
pub(crate) fn occurrences_of(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    definition: &Definition,
) -> Vec<Reference> {
    let files: Vec<SourceFile> = match definition {
        Definition::Local(_) => vec![file],
        _ => tenet_db::checked_files(db, workspace).clone(),
    };
    let mut out = Vec::new();
    for f in files {
        for o in file_index(db, workspace, f).occurrences.iter().filter(|o| o.definition == *definition) {
            out.push(Reference { file: f, span: o.span, is_declaration: o.role == Role::Declaration });
        }
    }
    out
}
