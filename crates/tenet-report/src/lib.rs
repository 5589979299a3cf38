//! The formats CI systems read, rendered from the one report model
//! ([`RunReport`](tenet_eval::report::RunReport)), so that they cannot disagree with each
//! other or with `tenet check`'s own text and JSON.
//!
//! Paths: citations are relative to the evidence root; renderers prefix them with
//! [`Paths::evidence_root`] so that code-scanning services and pull-request comments can
//! link to the files in the repository.

mod frameworks;
mod html;
mod json;
mod junit;
mod markdown;
mod oscal;
mod sarif;

pub use frameworks::{RequirementRow, RequirementStatus, SoaRow, framework_rows, statement_of_applicability};
pub use html::{html, write_html};
pub use json::write_pretty_json;
pub use junit::write_junit;
pub use markdown::{MARKDOWN_LIMIT, markdown};
pub use oscal::{OSCAL_VERSION, oscal, write_oscal};
pub use sarif::{sarif, write_sarif};

/// Citations the text and HTML reports show per result before `… and N more`; the
/// machine-readable reports (JSON, SARIF, OSCAL, JUnit) list every citation a result holds.
pub const SHOWN_CITATIONS: usize = 5;

/// Where the files a report names are, relative to the repository root.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// The evidence directory, `/`-separated, without a trailing slash (`""` for none).
    pub evidence_root: String,
}

impl Paths {
    /// An evidence citation's path as the repository names it.
    pub fn evidence(&self, path: &str) -> String {
        if self.evidence_root.is_empty() { path.to_owned() } else { format!("{}/{path}", self.evidence_root) }
    }
}

/// Escapes text for XML attributes and content.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// `kind key` of a result's subject, or the empty string.
pub(crate) fn subject_text(r: &tenet_eval::RuleResult) -> String {
    r.subject.as_ref().map(|s| format!("{} {}", s.kind, s.key)).unwrap_or_default()
}
