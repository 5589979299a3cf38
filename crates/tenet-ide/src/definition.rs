//! Go to definition: from a name to where it is declared, built-in packs included (the
//! server shows those as read-only documents).

use tenet_db::{Db, SourceFile, Workspace, parse, program};
use tenet_diagnostics::Span;
use tenet_sema::{FileId, Program};

use crate::FilePosition;
use crate::files::source_file;
use crate::index::{Definition, file_index};

/// A declaration to jump to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    /// The declaring file.
    pub file: SourceFile,
    /// The declared name.
    pub focus: Span,
    /// The whole declaration, doc comment included.
    pub full: Span,
}

/// Where the name at `position` is declared.
pub fn definition(db: &dyn Db, workspace: Workspace, position: FilePosition) -> Option<NavigationTarget> {
    let occurrence = file_index(db, workspace, position.file).at(position.offset)?;
    navigation_target(db, workspace, &occurrence.definition)
}

/// Where a declaration is written.
pub(crate) fn navigation_target(
    db: &dyn Db,
    workspace: Workspace,
    definition: &Definition,
) -> Option<NavigationTarget> {
    let program = program(db, workspace);
    let (file_id, focus) = declaration_site(program, db, workspace, definition)?;
    let file = source_file(db, workspace, file_id)?;
    let full = enclosing_extent(db, file, focus).unwrap_or(focus);
    Some(NavigationTarget { file, focus, full })
}

/// The file and name span of a declaration.
pub(crate) fn declaration_site(
    program: &Program,
    db: &dyn Db,
    workspace: Workspace,
    definition: &Definition,
) -> Option<(FileId, Span)> {
    match definition {
        Definition::Package(p) => {
            let package = program.packages.get(p.index())?;
            package.files.iter().find_map(|f| {
                let file = source_file(db, workspace, *f)?;
                parse(db, file).ast.items.iter().find_map(|item| match item {
                    tenet_syntax::ast::Item::Package(decl) => Some((*f, decl.path.span)),
                    _ => None,
                })
            })
        }
        Definition::Schema(k) => program.schemas.get(k.index()).map(|s| (s.file, s.span)),
        Definition::Field(key) | Definition::Local(key) => Some((key.file, key.span)),
        Definition::Param(p) => program.params.get(p.index()).map(|p| (p.file, p.span)),
        Definition::Control(c) => program.controls.get(c.index()).map(|c| (c.file, c.span)),
        Definition::Rule(c, name) => {
            let control = program.controls.get(c.index())?;
            control.rules.iter().find(|r| r.name == *name).map(|r| (control.file, r.span))
        }
        Definition::Framework(f) => program.frameworks.get(f.index()).map(|f| (f.file, f.span)),
        Definition::Requirement(f, id) => {
            program.frameworks.get(f.index())?.requirement(id).map(|r| (r.file, r.span))
        }
        Definition::Function(_) => None,
    }
}

/// The innermost declaration of the file around `focus`: an item, or a member of a
/// control, schema or framework.
fn enclosing_extent(db: &dyn Db, file: SourceFile, focus: Span) -> Option<Span> {
    use tenet_syntax::ast::{FrameworkMember, Item, Member};
    let inside = |span: Span| span.start <= focus.start && focus.end <= span.end;
    let item = parse(db, file).ast.items.iter().find(|i| inside(i.span()))?;
    let member = match item {
        Item::Control(c) => c.members.iter().map(Member::span).find(|s| inside(*s)),
        Item::Schema(s) => s.fields.iter().map(|f| f.span).find(|s| inside(*s)),
        Item::Framework(f) => f.members.iter().find_map(|m| match m {
            FrameworkMember::Requirement(r) if inside(r.span) => Some(r.span),
            _ => None,
        }),
        _ => None,
    };
    Some(member.unwrap_or(item.span()))
}
