//! The bridge from evidence files to the evaluator's documents: one call into
//! `tenet-evidence` per file, or the error of a place that could not be read.

use std::path::Path;

use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_evidence::{Limits, Loaded, Sources};
use tenet_sema::program::Schema;

use crate::{FileBytes, Unread, is_evidence_file};

/// Loads one evidence file with the default limits, without where each value is written:
/// what the database keeps for every file.
pub(crate) fn load(path: &str, bytes: &FileBytes, schemas: &[Schema], sources: &Sources) -> Loaded {
    match bytes.why_unread() {
        Some(why) => unread(path, why),
        None => tenet_evidence::load_file_unlocated(path, bytes, schemas, sources, &Limits::default()),
    }
}

/// Loads one evidence file again, with where each value is written, for a diagnostic that
/// must say where a key or reference is.
pub(crate) fn load_located(path: &str, bytes: &FileBytes, schemas: &[Schema], sources: &Sources) -> Loaded {
    match bytes.why_unread() {
        Some(why) => unread(path, why),
        None => tenet_evidence::load_file(path, bytes, schemas, sources, &Limits::default()),
    }
}

/// A place under the evidence root that could not be read: no documents, and one
/// diagnostic at it. An error when evidence was lost; a warning for a link that leads
/// back round (nothing is lost) or to nothing under a name no evidence file has (it may
/// have been a directory of evidence, or something else altogether).
fn unread(path: &str, why: &Unread) -> Loaded {
    const PERMISSION: &str =
        "give the user running tenet permission to read it, or move it out of the evidence directory";
    let (code, message, help) = match why {
        Unread::File(message) => {
            (Code::UNREADABLE_EVIDENCE, format!("cannot read this file: {message}"), PERMISSION)
        }
        Unread::Directory(message) => (
            Code::UNREADABLE_EVIDENCE,
            format!("cannot read this directory, so no file in it is checked: {message}"),
            PERMISSION,
        ),
        Unread::BrokenLink(target) if is_evidence_file(Path::new(path)) => (
            Code::UNREADABLE_EVIDENCE,
            format!("this is a link to `{}`, which does not exist", target.display()),
            "restore the file it points to, or remove the link",
        ),
        Unread::BrokenLink(target) => (
            Code::EVIDENCE_LINK,
            format!(
                "this is a link to `{}`, which does not exist: any evidence it stood for is not checked",
                target.display()
            ),
            "restore what it points to, or remove the link",
        ),
        Unread::LinkLoop(ancestor) => (
            Code::EVIDENCE_LINK,
            match ancestor.to_str() {
                Some("") => {
                    "this link leads back to the evidence directory, which holds it, so it is not followed"
                        .to_owned()
                }
                _ => format!(
                    "this link leads back to `{}`, which holds it, so it is not followed",
                    ancestor.display()
                ),
            },
            "remove the link: what it leads to is checked already",
        ),
    };
    let mut loaded = Loaded::default();
    loaded.diagnostics.push(Diagnostic::new(code, path, Span::new(0, 0), message).with_help(help));
    loaded
}
