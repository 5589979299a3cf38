//! Printing diagnostics in the chosen format.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::Path;

use tenet_db::{Database, EvidenceSet, Workspace};

use tenet_diagnostics::Diagnostic;
use tenet_diagnostics::render;

use crate::cli::{ColorChoice, DiagnosticArgs, ErrorFormat};

/// The texts diagnostics point into, by shown path.
#[derive(Default)]
pub struct SourceTexts {
    texts: HashMap<String, String>,
}

impl SourceTexts {
    /// Adds a file's text (bytes that are not UTF-8 are shown replaced).
    pub fn add(&mut self, path: &str, bytes: &[u8]) {
        self.texts.insert(path.to_owned(), String::from_utf8_lossy(bytes).into_owned());
    }

    /// Adds a file's text as it was decoded, which is what its diagnostics point into.
    pub fn add_text(&mut self, path: &str, text: &str) {
        self.texts.insert(path.to_owned(), text.to_owned());
    }
}

impl SourceTexts {
    /// The text of a file by shown path, the built-in packs included.
    pub fn text_of(&self, path: &str) -> Option<&str> {
        render::Sources::text(self, path)
    }
}

impl render::Sources for SourceTexts {
    fn text(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str).or_else(|| tenet_stdlib::text(path))
    }
}

/// Whether to colour output on stderr.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Prints diagnostics to stderr in the chosen format.
pub fn print_diagnostics(args: &DiagnosticArgs, diagnostics: &[Diagnostic], texts: &SourceTexts) {
    let sources = texts;
    let text = match args.error_format {
        ErrorFormat::Human => render::human(diagnostics, sources, use_color(args.color)),
        ErrorFormat::Short => render::short(diagnostics, sources),
        ErrorFormat::Json => {
            let value = render::json(diagnostics, sources);
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
        }
    };
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// A path under the evidence root as the user would open it: evidence diagnostics and
/// citations name files relative to the root.
pub fn evidence_path(dir: &Path, relative: &str) -> String {
    tenet_db::display_path(&dir.join(relative))
}

/// The evidence's diagnostics, each naming its file as the user would open it (under
/// `dir`), with the text of each file they point into added to `texts` for rendering.
/// Only those files: a large evidence set is tens of thousands of files, most of them
/// clean.
pub fn evidence_diagnostics(
    db: &Database,
    workspace: Workspace,
    evidence: EvidenceSet,
    dir: &Path,
    texts: &mut SourceTexts,
) -> Vec<Diagnostic> {
    let found = tenet_db::validate_evidence(db, workspace, evidence);
    // Files a diagnostic points into: its own, and those of its related places (the first
    // document with a repeated key may be in another file).
    let named: HashSet<&str> = found
        .iter()
        .flat_map(|d| std::iter::once(&*d.path).chain(d.related.iter().map(|r| &*r.path)))
        .collect();
    // An evidence file's diagnostics point into its text as decoded (a byte-order mark
    // dropped, another encoding read), not into its bytes.
    for (index, file) in evidence.files(db).iter().enumerate().filter(|(_, f)| named.contains(f.path(db))) {
        let loaded = tenet_db::loaded_file(db, workspace, evidence, index);
        texts.add_text(&evidence_path(dir, file.path(db)), loaded.text(file.bytes(db)));
    }
    found
        .iter()
        .cloned()
        .map(|mut d| {
            d.path = evidence_path(dir, &d.path).into();
            for related in &mut d.related {
                related.path = evidence_path(dir, &related.path).into();
            }
            d
        })
        .collect()
}

/// Prints a one-line error about the invocation itself.
pub fn invocation_error(message: &str) {
    eprintln!("error: {message}");
}

/// "1 error", "2 warnings".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
