//! Fixtures: several files in one string, `//- name.tenet` before each, and a cursor `$0`
//! in one of them.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

use salsa::Setter;
use tenet_db::{Database, MemorySystem, SourceFile, Workspace, load_workspace};
use tenet_ide::FilePosition;

pub struct Fixture {
    pub db: Database,
    pub workspace: Workspace,
    /// Each file's name and input, in fixture order.
    pub files: Vec<(String, SourceFile)>,
    /// The cursor, when the fixture has one.
    pub cursor: Option<FilePosition>,
}

pub const CURSOR: &str = "$0";

impl Fixture {
    pub fn new(fixture: &str) -> Fixture {
        let mut parts: Vec<(String, String)> = Vec::new();
        if !fixture.trim_start().starts_with("//- ") {
            parts.push(("main.tenet".to_owned(), fixture.to_owned()));
        } else {
            for chunk in fixture.split("//- ").filter(|c| !c.trim().is_empty()) {
                let (name, text) = chunk.split_once('\n').unwrap();
                parts.push((name.trim().to_owned(), text.to_owned()));
            }
        }
        let mut system = MemorySystem::new();
        let mut cursor_at: Option<(String, u32)> = None;
        for (name, text) in &mut parts {
            if let Some(at) = text.find(CURSOR) {
                text.replace_range(at..at + CURSOR.len(), "");
                cursor_at = Some((name.clone(), at as u32));
            }
            system.write(format!("ws/{name}"), text.clone());
        }
        let mut db = Database::default();
        let loaded = load_workspace(&mut db, &system, "ws".as_ref()).unwrap();
        let files: Vec<(String, SourceFile)> = parts
            .iter()
            .map(|(name, _)| {
                let file = *loaded.files.iter().find(|f| f.path(&db) == format!("ws/{name}")).unwrap();
                (name.clone(), file)
            })
            .collect();
        let cursor = cursor_at.map(|(name, offset)| {
            let file = files.iter().find(|(n, _)| *n == name).unwrap().1;
            FilePosition { file, offset }
        });
        Fixture { db, workspace: loaded.workspace, files, cursor }
    }

    pub fn cursor(&self) -> FilePosition {
        self.cursor.expect("the fixture has a cursor `$0`")
    }

    pub fn file(&self, name: &str) -> SourceFile {
        self.files.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub fn name_of(&self, file: SourceFile) -> &str {
        &self.files.iter().find(|(_, f)| *f == file).unwrap().0
    }

    pub fn text(&self, file: SourceFile) -> String {
        tenet_ide::source_text(&self.db, file).to_string()
    }

    /// `name.tenet:text` of a span, to assert on what is underlined.
    pub fn show(&self, file: SourceFile, span: tenet_diagnostics::Span) -> String {
        format!("{}:{}", self.name_of(file), &self.text(file)[span.range()])
    }

    /// Changes a file's text.
    pub fn set_text(&mut self, name: &str, text: &str) {
        let file = self.file(name);
        file.set_bytes(&mut self.db).to(text.as_bytes().to_vec());
    }

    /// The completion labels at the cursor.
    pub fn completion_labels(&self) -> Vec<String> {
        tenet_ide::completions(&self.db, self.workspace, self.cursor()).into_iter().map(|c| c.label).collect()
    }

    /// Hover markdown at the cursor.
    pub fn hover(&self) -> String {
        tenet_ide::hover(&self.db, self.workspace, self.cursor()).map(|h| h.markdown).unwrap_or_default()
    }
}

/// The shared declarations most fixtures use.
pub const BASE: &str = r#"//- base.tenet
/// Shared declarations.
package base

framework demo_act "Demo Act" {
  requirement "Art. 1" "Subject matter"
  requirement "Art. 2" "Scope"
}

/// An AI system.
schema AiSystem from "inventory/*.yaml" {
  id: string key
  name: string
  owner: string?
  risk_tier: "minimal" | "limited" | "high"
  deployed: bool
  /// Who reviewed it, and when.
  review: { by: string, on: date }?
  tags: [string]
}

/// An assessment of a system.
schema Assessment from "assessments/*.md" {
  id: string key
  system: ref AiSystem
  approved: bool
}

/// How often reviews are due.
param review_interval: duration = 12 months
"#;
