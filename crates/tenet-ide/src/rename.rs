//! Rename of schemas, fields, parameters, rules and variables across the workspace. The
//! built-in packs are read-only, and a new name must be a name the grammar accepts there
//! and not one already declared beside the old one.

use std::collections::BTreeMap;

use tenet_db::{Db, SourceFile, Workspace, program};
use tenet_diagnostics::Span;
use tenet_sema::{Origin, Program};

use crate::builtins::RESERVED;
use crate::definition::declaration_site;
use tenet_sema::ty::RecordTy;

use crate::index::{DeclKey, Definition, file_index, nested_record};
use crate::references::occurrences_of;
use crate::{FilePosition, SourceChange, TextEdit};

/// Why a rename cannot be done, in words for the editor to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError(pub String);

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenameError {}

fn error<T>(message: impl Into<String>) -> Result<T, RenameError> {
    Err(RenameError(message.into()))
}

/// What a rename at `position` would rename: the name's span and its current text.
pub fn prepare_rename(
    db: &dyn Db,
    workspace: Workspace,
    position: FilePosition,
) -> Result<(Span, String), RenameError> {
    let Some(occurrence) = file_index(db, workspace, position.file).at(position.offset) else {
        return error("there is no name here to rename");
    };
    let program = program(db, workspace);
    renamable(program, db, workspace, &occurrence.definition)?;
    let text = crate::files::source_text(db, position.file);
    let name = text.get(occurrence.span.range()).unwrap_or_default().to_owned();
    Ok((occurrence.span, name))
}

/// The edits that rename what is at `position` to `new_name`.
pub fn rename(
    db: &dyn Db,
    workspace: Workspace,
    position: FilePosition,
    new_name: &str,
) -> Result<SourceChange, RenameError> {
    let Some(occurrence) = file_index(db, workspace, position.file).at(position.offset) else {
        return error("there is no name here to rename");
    };
    let definition = occurrence.definition.clone();
    let program = program(db, workspace);
    let what = renamable(program, db, workspace, &definition)?;
    check_name(what, &definition, new_name)?;
    if let Some(existing) = sibling_named(program, &definition, new_name) {
        return error(format!("{existing} `{new_name}` is already declared there"));
    }
    let mut by_file: BTreeMap<u32, (SourceFile, Vec<TextEdit>)> = BTreeMap::new();
    for (order, r) in occurrences_of(db, workspace, position.file, &definition).into_iter().enumerate() {
        let key =
            tenet_db::checked_files(db, workspace).iter().position(|f| *f == r.file).unwrap_or(order) as u32;
        by_file
            .entry(key)
            .or_insert_with(|| (r.file, Vec::new()))
            .1
            .push(TextEdit { span: r.span, new_text: new_name.to_owned() });
    }
    let files = by_file
        .into_values()
        .map(|(file, mut edits)| {
            edits.sort_by_key(|e| e.span.start);
            edits.dedup();
            (file, edits)
        })
        .collect();
    Ok(SourceChange { files })
}

/// What kind of declaration it is, when it may be renamed.
fn renamable(
    program: &Program,
    db: &dyn Db,
    workspace: Workspace,
    definition: &Definition,
) -> Result<&'static str, RenameError> {
    let what = match definition {
        Definition::Schema(_) => "evidence kind",
        Definition::Field(_) => "field",
        Definition::Param(_) => "parameter",
        Definition::Rule(..) => "rule",
        Definition::Local(_) => "variable",
        Definition::Control(_) => {
            return error("controls are renamed by editing their id: references name them by id");
        }
        Definition::Package(_) => return error("packages cannot be renamed from the editor"),
        Definition::Framework(_) | Definition::Requirement(..) => {
            return error("framework names and requirement ids come from the framework's catalog");
        }
        Definition::Function(_) => return error("built-in functions cannot be renamed"),
    };
    let (file, _) = declaration_site(program, db, workspace, definition)
        .ok_or_else(|| RenameError("the declaration could not be found".to_owned()))?;
    if program.files.get(file.index()).is_some_and(|f| f.origin != Origin::Workspace) {
        return error(format!("this {what} is declared in a built-in pack, which is read-only"));
    }
    Ok(what)
}

/// Checks that `name` can be written where the declaration's name is.
fn check_name(what: &str, definition: &Definition, name: &str) -> Result<(), RenameError> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return error(format!(
            "`{name}` is not a valid {what} name: use letters, digits and `_`, starting with a letter"
        ));
    }
    // Field names may be keywords (`x.in` reads fine after a dot); other names may not.
    if !matches!(definition, Definition::Field(_)) && RESERVED.contains(&name) {
        return error(format!("`{name}` is a keyword and cannot name a {what}"));
    }
    Ok(())
}

/// The kind of declaration already called `name` beside the one being renamed.
fn sibling_named(program: &Program, definition: &Definition, name: &str) -> Option<&'static str> {
    match definition {
        Definition::Schema(k) => {
            let package = program.schemas.get(k.index())?.package;
            program
                .schemas
                .iter()
                .any(|s| s.package == package && &*s.name == name)
                .then_some("an evidence kind")
        }
        Definition::Param(p) => {
            let package = program.params.get(p.index())?.package;
            program.params.iter().any(|q| q.package == package && &*q.name == name).then_some("a parameter")
        }
        Definition::Rule(c, _) => {
            program.controls.get(c.index())?.rules.iter().any(|r| &*r.name == name).then_some("a rule")
        }
        Definition::Field(key) => {
            let siblings = program.schemas.iter().find_map(|s| record_holding(&s.record, *key))?;
            siblings.fields.iter().any(|f| &*f.name == name).then_some("a field")
        }
        _ => None,
    }
}

/// The record type, at any depth under `record`, that declares the field at `key`.
fn record_holding(record: &RecordTy, key: DeclKey) -> Option<&RecordTy> {
    if record.fields.iter().any(|f| f.file == key.file && f.span == key.span) {
        return Some(record);
    }
    record.fields.iter().find_map(|f| record_holding(nested_record(&f.ty)?, key))
}
