//! The documents the editor has open: their text, which overrides the disk, and their
//! version, which every diagnostic published for them carries.
//!
//! Notifications update this store at once and in order; the database catches up lazily,
//! when a query next needs a snapshot ([`crate::state`]). Each change bumps a generation,
//! so a result computed for an older generation is known to be stale.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::LineMap;

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The URI the client uses for it.
    pub uri: Uri,
    /// Its current text.
    pub text: String,
    /// The client's version of that text.
    pub version: i32,
    /// The generation of its last change.
    pub generation: u64,
}

/// What changed since a generation: the input of a database update.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    /// Open documents whose text changed: path and text.
    pub texts: Vec<(String, String)>,
    /// Documents closed: their disk contents apply again.
    pub closed: Vec<String>,
    /// Files that changed on disk (created, changed or deleted).
    pub on_disk: Vec<String>,
    /// The generation these changes bring the database to.
    pub generation: u64,
}

/// The open documents, by database path.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<String, Document>,
    closed: Vec<(String, u64)>,
    on_disk: Vec<(String, u64)>,
    generation: u64,
}

impl Documents {
    /// The generation of the latest change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn bump(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// Records an opened document.
    pub fn open(&mut self, path: String, uri: Uri, text: String, version: i32) {
        let generation = self.bump();
        self.closed.retain(|(p, _)| *p != path);
        self.open.insert(path, Document { uri, text, version, generation });
    }

    /// Applies changes, full or incremental, in order. False when the document is not open.
    pub fn change(&mut self, path: &str, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> bool {
        let generation = self.generation + 1;
        let Some(doc) = self.open.get_mut(path) else { return false };
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let span = LineMap::new(&doc.text).span(range);
                    // `LineMap` only returns character boundaries within the text.
                    if doc.text.is_char_boundary(span.start as usize)
                        && doc.text.is_char_boundary(span.end as usize)
                    {
                        doc.text.replace_range(span.range(), &change.text);
                    }
                }
            }
        }
        doc.version = version;
        doc.generation = generation;
        self.generation = generation;
        true
    }

    /// Records a closed document.
    pub fn close(&mut self, path: &str) {
        if self.open.remove(path).is_some() {
            let generation = self.bump();
            self.closed.push((path.to_owned(), generation));
        }
    }

    /// Records a file changed on disk.
    pub fn changed_on_disk(&mut self, path: String) {
        let generation = self.bump();
        self.on_disk.push((path, generation));
    }

    /// An open document.
    pub fn get(&self, path: &str) -> Option<&Document> {
        self.open.get(path)
    }

    /// Every open document.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Document)> {
        self.open.iter()
    }

    /// What changed after generation `since`.
    pub fn pending(&mut self, since: u64) -> Pending {
        let texts = self
            .open
            .iter()
            .filter(|(_, d)| d.generation > since)
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        let closed = self.closed.iter().filter(|(_, g)| *g > since).map(|(p, _)| p.clone()).collect();
        let on_disk = self.on_disk.iter().filter(|(_, g)| *g > since).map(|(p, _)| p.clone()).collect();
        // Closes and disk changes at or before `since` are applied: forget them.
        self.closed.retain(|(_, g)| *g > since);
        self.on_disk.retain(|(_, g)| *g > since);
        Pending { texts, closed, on_disk, generation: self.generation }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position { line: start.0, character: start.1 },
                end: Position { line: end.0, character: end.1 },
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_utf16_units() {
        let mut docs = Documents::default();
        let uri = Uri::from_str("file:///a.tenet").unwrap();
        docs.open("/a.tenet".into(), uri, "😀é x\n".into(), 1);
        // `😀` is 2 units and `é` 1: character 4 is after the space.
        assert!(docs.change("/a.tenet", 2, vec![edit((0, 4), (0, 5), "y"), edit((1, 0), (1, 0), "z")]));
        let doc = docs.get("/a.tenet").unwrap();
        assert_eq!(doc.text, "😀é y\nz");
        assert_eq!(doc.version, 2);
    }

    #[test]
    fn pending_changes_are_reported_once_per_generation() {
        let mut docs = Documents::default();
        let uri = Uri::from_str("file:///a.tenet").unwrap();
        docs.open("/a.tenet".into(), uri, "a".into(), 1);
        let first = docs.pending(0);
        assert_eq!(first.texts.len(), 1);
        assert!(docs.pending(first.generation).texts.is_empty());
        docs.close("/a.tenet");
        let closed = docs.pending(first.generation);
        assert_eq!(closed.closed, vec!["/a.tenet".to_owned()]);
        assert!(docs.pending(closed.generation).closed.is_empty());
        assert!(!docs.change("/a.tenet", 3, Vec::new()), "a closed document takes no changes");
    }
}
