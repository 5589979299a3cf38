//! The inputs of an evidence set by path, for the runners that keep the set in step with
//! the disk (`tenet watch`, the language server): a changed file's input gets its new
//! bytes, files join and leave, and the set's list of files is made again, in path order,
//! only when some did. Each runner finds what changed its own way (stamps, the editor's
//! notifications); what it does with a change is this one piece.

use std::collections::HashMap;
use std::path::Path;

use salsa::Setter;

use crate::{Database, EvidenceFile, EvidenceSet, FileBytes, System, Unread, evidence_read_limit};

/// An evidence set's inputs, by the path each is shown as (relative to the evidence root).
pub struct EvidenceInputs {
    set: EvidenceSet,
    by_path: HashMap<String, EvidenceFile>,
    /// Whether files came or went since the set's files were last set.
    came_or_went: bool,
}

impl EvidenceInputs {
    /// The inputs `set` holds now.
    pub fn of(db: &Database, set: EvidenceSet) -> EvidenceInputs {
        let by_path = set.files(db).iter().map(|f| (f.path(db).to_owned(), *f)).collect();
        EvidenceInputs { set, by_path, came_or_went: false }
    }

    /// Whether a file is shown as `shown`.
    pub fn holds(&self, shown: &str) -> bool {
        self.by_path.contains_key(shown)
    }

    /// `bytes` as the file shown as `shown`: its input's new bytes (left as they are when
    /// they are the same, so that nothing reading them is checked again), or a new input.
    /// True when the file is new.
    pub fn write(&mut self, db: &mut Database, shown: String, bytes: Vec<u8>) -> bool {
        self.set(db, shown, bytes.into())
    }

    /// The file shown as `shown` could not be read, for `why`: its input holds that in
    /// place of bytes, so its error is reported where it is, and what it held before is
    /// no longer evaluated as if it were still there. True when the file is new.
    pub fn write_unread(&mut self, db: &mut Database, shown: String, why: Unread) -> bool {
        self.set(db, shown, FileBytes::unread(why))
    }

    /// What reading the file at `path` gives (as much as evidence may hold), as the file
    /// shown as `shown`: its bytes, or why it could not be read. True when the file is new.
    pub fn read(&mut self, db: &mut Database, system: &dyn System, path: &Path, shown: String) -> bool {
        self.set(db, shown, FileBytes::of_read(system.read_at_most(path, evidence_read_limit())))
    }

    /// `contents` as the file shown as `shown`, left as they were when they are the same.
    fn set(&mut self, db: &mut Database, shown: String, contents: FileBytes) -> bool {
        match self.by_path.get(&shown) {
            Some(file) => {
                if *file.bytes(db) != contents {
                    file.set_bytes(db).to(contents);
                }
                false
            }
            None => {
                let file = EvidenceFile::new(db, shown.clone(), contents);
                self.by_path.insert(shown, file);
                self.came_or_went = true;
                true
            }
        }
    }

    /// The file shown as `shown` and every file under it (`shown/…`; every file, for `""`)
    /// leave the set, except those `kept` names.
    pub fn remove_under(&mut self, shown: &str, kept: &dyn Fn(&str) -> bool) {
        let under = if shown.is_empty() { String::new() } else { format!("{shown}/") };
        let before = self.by_path.len();
        self.by_path.retain(|p, _| (p != shown && !p.starts_with(&under)) || kept(p));
        self.came_or_went |= self.by_path.len() != before;
    }

    /// Gives the set its files, in path order, when files came or went since it was last
    /// given them; true when it did.
    pub fn settle(&mut self, db: &mut Database) -> bool {
        if !std::mem::take(&mut self.came_or_went) {
            return false;
        }
        let mut files: Vec<EvidenceFile> = self.by_path.values().copied().collect();
        files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
        self.set.set_files(db).to(files);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::EvidenceInputs;
    use crate::{Database, EvidenceFile, EvidenceSet};

    fn paths(db: &Database, set: EvidenceSet) -> Vec<String> {
        set.files(db).iter().map(|f| f.path(db).to_owned()).collect()
    }

    #[test]
    fn files_written_and_removed_reach_the_set_in_path_order_once_settled() {
        let mut db = Database::default();
        let a = EvidenceFile::new(&db, "a.yaml".into(), b"a: 1\n".to_vec().into());
        let c = EvidenceFile::new(&db, "d/c.yaml".into(), b"c: 1\n".to_vec().into());
        let set = EvidenceSet::new(&db, vec![a, c]);
        let mut inputs = EvidenceInputs::of(&db, set);
        // The same bytes leave the input as it was; others are set; neither is a new file.
        let before = a.bytes(&db).clone();
        assert!(!inputs.write(&mut db, "a.yaml".into(), b"a: 1\n".to_vec()));
        assert!(a.bytes(&db).same(&before));
        assert!(!inputs.write(&mut db, "a.yaml".into(), b"a: 2\n".to_vec()));
        assert_eq!(&**a.bytes(&db), b"a: 2\n");
        assert!(!inputs.settle(&mut db), "no file came or went");
        // A new file, and a directory removed but for one file kept.
        assert!(inputs.write(&mut db, "b.yaml".into(), b"b: 1\n".to_vec()));
        inputs.write(&mut db, "d/e.yaml".into(), b"e: 1\n".to_vec());
        inputs.remove_under("d", &|p| p == "d/e.yaml");
        assert!(inputs.settle(&mut db));
        assert_eq!(paths(&db, set), ["a.yaml", "b.yaml", "d/e.yaml"]);
        // The root is `""`: every file leaves.
        inputs.remove_under("", &|_| false);
        assert!(inputs.settle(&mut db));
        assert_eq!(paths(&db, set), Vec::<String>::new());
    }
}
