//! Phase one: every declaration gets an id, so that bodies checked later can refer to
//! declarations written after them or in other files.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tenet_syntax::ast::{self, Item, MetadataValue};

use tenet_diagnostics::Code;

use super::{Checker, doc_text};
use crate::ir::{Expr, ExprKind};
use crate::program::*;
use crate::ty::{RecordTy, Ty};
use crate::value::Value;

impl<'a> Checker<'a> {
    pub(super) fn collect_declarations(&mut self) {
        for (package, file, item) in self.items() {
            match item {
                Item::Schema(s) => self.declare_schema(package, file, s),
                Item::Param(p) => self.declare_param(package, file, p),
                Item::Control(c) => self.declare_control(package, file, c),
                Item::Framework(f) => self.declare_framework(package, file, f),
                _ => {}
            }
        }
    }

    fn declare_schema(&mut self, package: PackageId, file: FileId, s: &'a ast::Schema) {
        let name: Arc<str> = Arc::from(s.name.text.as_str());
        if let Some(first) = self.kinds[package.index()].get(&name).copied() {
            let first = &self.program.schemas[first.index()];
            let first = (first.file, first.span);
            self.duplicate("evidence kind", &name, file, s.name.span, first);
            return;
        }
        let id = KindId(self.program.schemas.len() as u32);
        self.kinds[package.index()].insert(name.clone(), id);
        let sources: Vec<Source> = s
            .sources
            .iter()
            .map(|s| Source {
                glob: s.glob.value.clone(),
                at: s
                    .at
                    .as_ref()
                    .map_or_else(|| Arc::from([]), |at| at.value.split('.').map(str::to_owned).collect()),
            })
            .collect();
        for (written, source) in s.sources.iter().zip(&sources) {
            self.check_source(file, written, &source.at);
        }
        if let Some(encoding) = &s.encoding {
            self.check_encoding(file, encoding);
        }
        let delimiter = s.delimiter.as_ref().and_then(|d| self.delimiter(file, s, d));
        let decimal_comma = s.decimal.as_ref().is_some_and(|d| self.decimal_comma(file, s, d));
        let header_line = s.header.as_ref().and_then(|h| self.header_line(file, s, h));
        self.program.schemas.push(Schema {
            name,
            package,
            doc: doc_text(&s.doc),
            sources,
            encoding: s.encoding.as_ref().map(|e| e.value.clone()),
            delimiter,
            decimal_comma,
            header_line,
            none: s.none.iter().map(|w| Arc::from(w.value.trim())).collect(),
            record: Arc::new(RecordTy { fields: Vec::new() }),
            key: None,
            effective: None,
            file,
            span: s.name.span,
        });
        self.schema_asts.push(s);
    }

    /// A `from` glob must read as a glob, and should select files Tenet reads; its `at`
    /// must name keys, in files that have them.
    fn check_source(&mut self, file: FileId, source: &ast::Source, keys: &[String]) {
        if let Some(at) = &source.at
            && let Some(fault) = crate::sources::place_fault(&source.glob.value, keys)
        {
            self.place_fault(file, &source.glob.value, at, fault);
        }
        let source = &source.glob;
        let glob = &source.value;
        if let Err(e) = crate::sources::source_glob(glob) {
            let d = self
                .diag(Code::INVALID_SOURCE_GLOB, file, source.span, format!("`{glob}` is not a glob: {}", e.kind()))
                .with_help("`*` and `?` stay within a directory, `**` crosses directories, and `\\` escapes a special character");
            self.report(d);
            return;
        }
        let Some(extension) = crate::sources::literal_extension(glob) else { return };
        if crate::sources::reads_extension(extension) {
            return;
        }
        let read: Vec<String> =
            crate::sources::EVIDENCE_EXTENSIONS.iter().map(|(e, _)| format!(".{e}")).collect();
        let d = self
            .diag(
                Code::UNREAD_SOURCE_FORMAT,
                file,
                source.span,
                format!("`{glob}` selects `.{extension}` files, which Tenet does not read as evidence"),
            )
            .with_help(format!("evidence is read from {} files", read.join(", ")));
        self.report(d);
    }

    /// An `at` that names no place in its glob's files.
    fn place_fault(&mut self, file: FileId, glob: &str, at: &ast::Str, fault: crate::sources::PlaceFault) {
        let (message, help) = match fault {
            crate::sources::PlaceFault::EmptyKey => (
                format!("`{}` is not a place in a document: a key in it is empty", at.value),
                "name the mapping keys that lead to the documents, separated by dots: `at \"records\"`, `at \"data.items\"`",
            ),
            crate::sources::PlaceFault::Keyless(format) => (
                format!("`{glob}` selects {format} files, which have no keys for `at` to name"),
                "`at` reads into YAML, JSON, JSON Lines and TOML documents; remove it for this glob",
            ),
            crate::sources::PlaceFault::EntriesNotLast => (
                format!("`{}` has `*` before its last key", at.value),
                "`*` makes each entry of a mapping a document, named by its key, so it ends the place: `at \"systems.*\"`",
            ),
        };
        let d = self.diag(Code::INVALID_SOURCE_PLACE, file, at.span, message).with_help(help);
        self.report(d);
    }

    fn declare_param(&mut self, package: PackageId, file: FileId, p: &'a ast::Param) {
        let name: Arc<str> = Arc::from(p.name.text.as_str());
        if let Some(first) = self.params[package.index()].get(&name).copied() {
            let first = &self.program.params[first.index()];
            let first = (first.file, first.span);
            self.duplicate("parameter", &name, file, p.name.span, first);
            return;
        }
        let id = ParamId(self.program.params.len() as u32);
        self.params[package.index()].insert(name.clone(), id);
        let placeholder = Expr { kind: ExprKind::Const(Value::None), ty: Ty::Error, span: p.default.span };
        self.program.params.push(Param {
            name,
            package,
            doc: doc_text(&p.doc),
            ty: Ty::Error,
            default: placeholder.clone(),
            value: placeholder,
            set_by: None,
            replaced_sets: Vec::new(),
            broken_set: None,
            file,
            span: p.name.span,
            origin: p.span.start,
        });
        self.param_asts.push(p);
    }

    fn declare_control(&mut self, package: PackageId, file: FileId, c: &'a ast::Control) {
        let local: Arc<str> = Arc::from(c.id.text.as_str());
        if let Some(first) = self.controls[package.index()].get(&local).copied() {
            let first = &self.program.controls[first.index()];
            let first = (first.file, first.span);
            self.duplicate(c.kind.as_str(), &local, file, c.id.span, first);
            return;
        }
        let id = ControlId(self.program.controls.len() as u32);
        self.controls[package.index()].insert(local.clone(), id);
        let qualified: Arc<str> = Arc::from(format!("{}.{}", self.package_name(package), local));
        self.program.controls.push(Control {
            local_id: local,
            qualified,
            package,
            kind: c.kind,
            title: c.title.value.clone(),
            doc: doc_text(&c.doc),
            intent: None,
            severity: ast::SeverityLevel::Medium,
            applies: None,
            rules: Vec::new(),
            file,
            span: c.id.span,
            extent: c.span,
        });
        self.control_asts.push(c);
    }

    fn declare_framework(&mut self, package: PackageId, file: FileId, f: &'a ast::Framework) {
        let name: Arc<str> = Arc::from(f.name.text.as_str());
        if let Some(first) = self.frameworks[package.index()].get(&name).copied() {
            let first = &self.program.frameworks[first.index()];
            let first = (first.file, first.span);
            self.duplicate("framework", &name, file, f.name.span, first);
            return;
        }
        let mut metadata = BTreeMap::new();
        let mut requirements: Vec<Requirement> = Vec::new();
        let mut by_id: FxHashMap<Arc<str>, usize> = FxHashMap::default();
        for member in &f.members {
            match member {
                ast::FrameworkMember::Metadata(m) => {
                    metadata.insert(m.key.text.clone(), metadata_text(&m.value));
                }
                ast::FrameworkMember::Requirement(r) => {
                    let id: Arc<str> = Arc::from(r.id.value.as_str());
                    if let Some(first) = by_id.get(&id) {
                        let first = (file, requirements[*first].span);
                        self.duplicate("requirement", &id, file, r.id.span, first);
                        continue;
                    }
                    by_id.insert(id.clone(), requirements.len());
                    requirements.push(Requirement {
                        id,
                        title: r.title.value.clone(),
                        doc: doc_text(&r.doc),
                        metadata: r
                            .metadata
                            .iter()
                            .map(|m| (m.key.text.clone(), metadata_text(&m.value)))
                            .collect(),
                        file,
                        span: r.id.span,
                    });
                }
            }
        }
        let id = FrameworkId(self.program.frameworks.len() as u32);
        self.frameworks[package.index()].insert(name.clone(), id);
        self.program.frameworks.push(Framework {
            name,
            package,
            title: f.title.value.clone(),
            doc: doc_text(&f.doc),
            metadata,
            requirements,
            by_id,
            file,
            span: f.name.span,
        });
    }
}

/// A metadata value as text.
pub(super) fn metadata_text(value: &MetadataValue) -> String {
    match value {
        MetadataValue::Str(s) => s.value.clone(),
        MetadataValue::Date(d) => d.date.to_string(),
        MetadataValue::Number(n, _) => n.clone(),
    }
}
