//! Hover: what a name denotes, in Markdown — a declaration's signature and doc comment,
//! and the facts an author checks most: a control's objective and what it maps to (with
//! each requirement's title), a field's type, a parameter's value and where it was set.

use std::fmt::Write;

use tenet_db::{Db, Workspace, program};
use tenet_diagnostics::{LineIndex, Span};
use tenet_sema::ty::FieldDef;
use tenet_sema::{
    ControlId, FileId, Framework, FrameworkId, MappingSource, PackageId, Param, Program, RuleKind,
};

use crate::FilePosition;
use crate::builtins::{ITEM_KEYWORDS, MEMBER_KEYWORDS, function_named};
use crate::files::{source_file, source_text};
use crate::index::{DeclKey, Definition, fields_of, file_index, nested_record};
use tenet_syntax::string_literal;

/// What hover shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    /// Markdown.
    pub markdown: String,
    /// The text the hover is about.
    pub span: Span,
}

/// Hover at `position`.
pub fn hover(db: &dyn Db, workspace: Workspace, position: FilePosition) -> Option<HoverResult> {
    let index = file_index(db, workspace, position.file);
    let Some(occurrence) = index.at(position.offset) else { return keyword_hover(db, position) };
    let program = program(db, workspace);
    let cx = Cx { db, workspace, program };
    let markdown = match &occurrence.definition {
        Definition::Package(p) => cx.package(*p),
        Definition::Schema(k) => cx.schema(k.index()),
        Definition::Field(key) => cx.field(*key),
        Definition::Param(p) => cx.param(program.params.get(p.index())?),
        Definition::Control(c) => cx.control(*c),
        Definition::Rule(c, name) => cx.rule(*c, name),
        Definition::Framework(f) => cx.framework(program.frameworks.get(f.index())?),
        Definition::Requirement(f, id) => cx.requirement(*f, id),
        Definition::Local(key) => {
            let local = index.local(*key)?;
            Some(format!(
                "```tenet\n{}: {}\n```\nvariable bound by `{}`",
                local.name,
                local.ty.display(program),
                local.binder
            ))
        }
        Definition::Function(name) => {
            function_named(name).map(|f| format!("```tenet\n{}\n```\n{}", f.signature, f.doc))
        }
    }?;
    Some(HoverResult { markdown, span: occurrence.span })
}

/// A keyword's role, for words that name nothing.
fn keyword_hover(db: &dyn Db, position: FilePosition) -> Option<HoverResult> {
    let text = source_text(db, position.file);
    let tokens = tenet_syntax::lexer::tokenize(&text);
    let token = tokens.iter().find(|t| t.span.start <= position.offset && position.offset < t.span.end)?;
    if token.kind != tenet_syntax::lexer::TokenKind::Word {
        return None;
    }
    let word = token.text(&text);
    let (_, doc) = ITEM_KEYWORDS.iter().chain(MEMBER_KEYWORDS).find(|(k, _)| *k == word)?;
    Some(HoverResult { markdown: format!("`{word}`: {doc}"), span: token.span })
}

struct Cx<'a> {
    db: &'a dyn Db,
    workspace: Workspace,
    program: &'a Program,
}

fn code(out: &mut String, text: &str) {
    let _ = writeln!(out, "```tenet\n{text}\n```");
}

fn doc(out: &mut String, doc: Option<&str>) {
    if let Some(d) = doc.filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(out, "\n{d}");
    }
}

impl Cx<'_> {
    fn package_name(&self, package: PackageId) -> &str {
        self.program.packages.get(package.index()).map_or("?", |p| &p.name)
    }

    /// The text of `span` in a file, for showing expressions as written.
    fn source(&self, file: FileId, span: Span) -> Option<String> {
        let text = source_text(self.db, source_file(self.db, self.workspace, file)?);
        text.get(span.range()).map(str::to_owned)
    }

    /// `path:line` of a place, as people cite it.
    fn place(&self, file: FileId, offset: u32) -> String {
        let path = self.program.path(file);
        let line = source_file(self.db, self.workspace, file).map_or(0, |f| {
            let text = source_text(self.db, f);
            LineIndex::new(&text).line_col(&text, offset).line
        });
        format!("`{path}` line {line}")
    }

    fn package(&self, package: PackageId) -> Option<String> {
        let p = self.program.packages.get(package.index())?;
        let mut out = String::new();
        code(&mut out, &format!("package {}", p.name));
        doc(&mut out, p.doc.as_deref());
        let files = p.files.len();
        let _ = write!(out, "\n{files} file{}", if files == 1 { "" } else { "s" });
        Some(out)
    }

    fn schema(&self, index: usize) -> Option<String> {
        let s = self.program.schemas.get(index)?;
        let mut out = String::new();
        let sources: Vec<String> = s.sources.iter().map(tenet_sema::program::Source::written).collect();
        let mut from =
            if sources.is_empty() { String::new() } else { format!(" from {}", sources.join(", ")) };
        if let Some(encoding) = &s.encoding {
            from.push_str(&format!(" encoding {}", string_literal(encoding)));
        }
        if let Some(delimiter) = s.delimiter {
            from.push_str(&format!(" delimiter {}", string_literal(&char::from(delimiter).to_string())));
        }
        if s.decimal_comma {
            from.push_str(" decimal \",\"");
        }
        if let Some(line) = s.header_line {
            from.push_str(&format!(" header {line}"));
        }
        if !s.none.is_empty() {
            let words: Vec<String> = s.none.iter().map(|w| string_literal(w)).collect();
            from.push_str(&format!(" none {}", words.join(", ")));
        }
        code(&mut out, &format!("schema {}{from}", s.name));
        doc(&mut out, s.doc.as_deref());
        let _ = writeln!(out, "\nevidence kind of package `{}`\n", self.package_name(s.package));
        for f in &s.record.fields {
            let _ = writeln!(out, "- `{}: {}`{}", f.name, f.ty.display(self.program), field_marks(f));
        }
        Some(out)
    }

    fn field(&self, key: DeclKey) -> Option<String> {
        let (owner, def) = self.find_field(key)?;
        let mut out = String::new();
        code(&mut out, &format!("{}: {}", def.name, def.ty.display(self.program)));
        let _ = writeln!(out, "field of `{owner}`{}", field_marks(def));
        if let Some(alias) = &def.alias {
            let _ = writeln!(out, "\nnamed `{alias}` in evidence files");
        }
        doc(&mut out, def.doc.as_deref());
        if let Some(record) = fields_of(self.program, &def.ty) {
            let _ = writeln!(out);
            for f in &record.fields {
                let _ = writeln!(out, "- `{}: {}`", f.name, f.ty.display(self.program));
            }
        }
        Some(out)
    }

    /// The field declared at `key`, with the name of the schema it belongs to.
    fn find_field(&self, key: DeclKey) -> Option<(String, &FieldDef)> {
        fn search(fields: &[FieldDef], key: DeclKey) -> Option<&FieldDef> {
            fields.iter().find_map(|f| {
                if f.file == key.file && f.span == key.span {
                    return Some(f);
                }
                search(&nested_record(&f.ty)?.fields, key)
            })
        }
        self.program.schemas.iter().find_map(|s| Some((s.name.to_string(), search(&s.record.fields, key)?)))
    }

    fn param(&self, p: &Param) -> Option<String> {
        let mut out = String::new();
        let default = self.source(p.file, p.default.span.shifted(p.origin)).unwrap_or_else(|| "…".to_owned());
        code(&mut out, &format!("param {}: {} = {default}", p.name, p.ty.display(self.program)));
        doc(&mut out, p.doc.as_deref());
        let _ = writeln!(
            out,
            "\nparameter of package `{}`, declared in {}",
            self.package_name(p.package),
            self.place(p.file, p.span.start)
        );
        match &p.set_by {
            Some(setting) => {
                let value = self
                    .source(setting.file, p.value.span.shifted(setting.origin))
                    .unwrap_or_else(|| "…".to_owned());
                let _ = write!(
                    out,
                    "\n**Value:** `{value}`, set by package `{}` in {}",
                    self.package_name(setting.package),
                    self.place(setting.file, setting.span.start)
                );
                if let Some(because) = &setting.because {
                    let _ = write!(out, ", because \"{because}\"");
                }
                let _ = writeln!(out, " (default `{default}`)");
            }
            None => {
                let _ = writeln!(out, "\n**Value:** `{default}` (the default; no package sets it)");
            }
        }
        Some(out)
    }

    fn control(&self, id: ControlId) -> Option<String> {
        let c = self.program.controls.get(id.index())?;
        let mut out = String::new();
        code(&mut out, &format!("{} {} {}", c.kind.as_str(), c.local_id, string_literal(&c.title)));
        if let Some(intent) = &c.intent {
            let _ = writeln!(out, "*{intent}*");
        }
        // Packs often repeat the objective as the doc comment: say it once.
        doc(&mut out, c.doc.as_deref().filter(|d| c.intent.as_deref().is_none_or(|i| i.trim() != d.trim())));
        let rules = c.rules.len();
        let _ = writeln!(
            out,
            "\n`{}` · severity {} · {rules} rule{}",
            c.qualified,
            c.severity.as_str(),
            if rules == 1 { "" } else { "s" }
        );
        self.mappings(&mut out, id);
        Some(out)
    }

    /// The control's mappings, each with the requirement's title.
    fn mappings(&self, out: &mut String, id: ControlId) {
        let mut lines = Vec::new();
        for m in self.program.mappings.iter().filter(|m| m.control == id) {
            let Some(f) = self.program.frameworks.get(m.framework.index()) else { continue };
            let title = f.requirement(&m.requirement).map_or("", |r| r.title.as_str());
            let via = match &m.source {
                MappingSource::Control => String::new(),
                MappingSource::Crosswalk { name, .. } => format!(", crosswalk `{name}`"),
            };
            lines.push(format!(
                "- `{}` {} — {title} *({}{via})*",
                f.name,
                string_literal(&m.requirement),
                m.relationship.as_str()
            ));
        }
        for contribution in self.program.contributions.iter().filter(|x| x.from == id) {
            if let Some(to) = self.program.controls.get(contribution.to.index()) {
                lines.push(format!(
                    "- contributes to `{}` — {} *({})*",
                    to.qualified,
                    to.title,
                    contribution.relationship.as_str()
                ));
            }
        }
        // Several crosswalk rows may state the same pair.
        let mut seen = std::collections::HashSet::new();
        lines.retain(|l| seen.insert(l.clone()));
        if !lines.is_empty() {
            let _ = writeln!(out, "\n**Maps to**\n\n{}", lines.join("\n"));
        }
    }

    fn rule(&self, control: ControlId, name: &str) -> Option<String> {
        let c = self.program.controls.get(control.index())?;
        let rule = c.rules.iter().find(|r| &*r.name == name)?;
        let mut out = String::new();
        match &rule.body.kind {
            RuleKind::Attestation(a) => {
                let title = a.title.as_deref().map(|t| format!(" {}", string_literal(t))).unwrap_or_default();
                code(&mut out, &format!("attest {}{title}", a.name));
                if !a.roles.is_empty() {
                    let _ = writeln!(out, "signed by {}", a.roles.join(", "));
                }
            }
            _ => code(&mut out, &format!("rule {name}")),
        }
        let _ = writeln!(out, "in {} `{}` — {}", c.kind.as_str(), c.qualified, c.title);
        doc(&mut out, rule.doc.as_deref());
        if let Some(o) = &rule.overridden {
            let package = self.program.packages.get(o.package.index()).map_or("?", |p| &*p.name);
            let verb = match o.action {
                tenet_sema::program::OverrideAction::Replace => "replaced",
                tenet_sema::program::OverrideAction::Disable => "disabled",
            };
            let _ = writeln!(out, "\n{verb} by `{package}`: {}", o.because);
        }
        if rule.body.broken {
            let _ = writeln!(out, "\nthis rule has errors and is reported as an error, not run");
        }
        Some(out)
    }

    fn framework(&self, f: &Framework) -> Option<String> {
        let mut out = String::new();
        code(&mut out, &format!("framework {} {}", f.name, string_literal(&f.title)));
        doc(&mut out, f.doc.as_deref());
        let _ = writeln!(out, "\n{} requirements", f.requirements.len());
        for (k, v) in &f.metadata {
            let _ = writeln!(out, "- {k}: {v}");
        }
        Some(out)
    }

    fn requirement(&self, framework: FrameworkId, id: &str) -> Option<String> {
        let f = self.program.frameworks.get(framework.index())?;
        let r = f.requirement(id)?;
        let mut out = String::new();
        code(&mut out, &format!("requirement {} {}", string_literal(&r.id), string_literal(&r.title)));
        let _ = writeln!(out, "in framework `{}` — {}", f.name, f.title);
        doc(&mut out, r.doc.as_deref());
        if !r.metadata.is_empty() {
            let _ = writeln!(out);
            for (k, v) in &r.metadata {
                let _ = writeln!(out, "- {k}: {v}");
            }
        }
        let mapped: Vec<&str> = self
            .program
            .mappings
            .iter()
            .filter(|m| m.framework == framework && &*m.requirement == id)
            .filter_map(|m| self.program.controls.get(m.control.index()).map(|c| &*c.qualified))
            .collect();
        if !mapped.is_empty() {
            let _ = writeln!(
                out,
                "\nmet through {}",
                mapped.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            );
        }
        Some(out)
    }
}

/// ` · key`, ` · effective date`: what the field's modifiers mean.
fn field_marks(f: &FieldDef) -> String {
    let mut marks = String::new();
    if f.key {
        marks.push_str(" · key");
    }
    if f.effective {
        marks.push_str(" · effective date");
    }
    if let Some(format) = &f.date_format {
        marks.push_str(&format!(" · written as `{format}`"));
    }
    marks
}
