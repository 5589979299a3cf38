//! Completion: what may be written at the cursor — keywords and snippets where a
//! declaration or member starts, names in scope inside expressions, a value's fields after
//! `.`, an enum's values in a comparison, control ids where a control is named, framework
//! requirement ids inside `maps`. The context is read from tokens ([`context`]), names from
//! the checked program and the index of a patched copy of the file ([`scope`]).

mod context;
mod items;
mod scope;

use tenet_db::{Db, Workspace, program};
use tenet_diagnostics::Span;
use tenet_sema::ty::Ty;
use tenet_sema::{FileId, PackageId, Program};
use tenet_syntax::lexer::TokenKind;

use self::context::{InString, Tokens};
use self::scope::{Chain, Scope};
use crate::FilePosition;
use crate::builtins::{OVERRIDE_BODY_KEYWORDS, PRIMITIVE_TYPES, RELATIONSHIPS, SEVERITIES};
use crate::files::{file_id, source_text};
use crate::index::{Scopes, fields_of, scopes};

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A snippet of several words with placeholders.
    Snippet,
    /// A variable.
    Variable,
    /// A parameter.
    Parameter,
    /// A field.
    Field,
    /// An evidence kind or a type.
    Schema,
    /// A built-in function.
    Function,
    /// A control, clause or objective.
    Control,
    /// A rule.
    Rule,
    /// A framework.
    Framework,
    /// A framework requirement.
    Requirement,
    /// A package.
    Package,
    /// A value of an enum, or a fixed word (a severity).
    EnumMember,
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and filters on).
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short description: a type, a title.
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// The text inserted; a snippet (`$1`, `${2:default}`, `$0`) when `snippet` is set.
    pub insert: String,
    /// True when `insert` is a snippet.
    pub snippet: bool,
    /// The text the item replaces: the word (or string contents) being typed.
    pub replace: Span,
    /// Orders the list: lower first.
    pub rank: u8,
}

/// The completions at `position`.
pub fn completions(db: &dyn Db, workspace: Workspace, position: FilePosition) -> Vec<CompletionItem> {
    let text = source_text(db, position.file);
    let tokens = Tokens::new(&text, position.offset);
    if tokens.in_comment() {
        return Vec::new();
    }
    let Some(file) = file_id(db, workspace, position.file) else { return Vec::new() };
    let scopes = scopes(db, workspace);
    let cx = Cx {
        program: program(db, workspace),
        scopes,
        file,
        package: scopes.package_of(file),
        tokens: &tokens,
    };
    let mut out = cx.complete();
    out.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.label.cmp(&b.label)));
    out.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
    out
}

struct Cx<'a> {
    program: &'a Program,
    scopes: &'a Scopes,
    file: FileId,
    package: Option<PackageId>,
    tokens: &'a Tokens<'a>,
}

impl Cx<'_> {
    fn scope(&self) -> Scope {
        Scope::at(self.program, self.scopes, self.file, self.tokens)
    }

    fn complete(&self) -> Vec<CompletionItem> {
        if let Some(s) = self.tokens.in_string() {
            return self.in_string(&s);
        }
        let id = self.tokens.id_word();
        let before_id = self.tokens.previous_texts(id.start, 1);
        if let Some(&("not_applicable" | "waive" | "expect" | "override" | "disable")) = before_id.first() {
            return self.control_ids(id);
        }
        let word = self.tokens.word();
        let prev = self.tokens.previous_texts(word.start, 3);
        let item = self.tokens.item_at(word.start);
        let item_word = item.map(|(w, _)| w);
        match prev.as_slice() {
            [".", ..] => return self.members(word),
            ["rule", ..] if matches!(item_word, Some("waive" | "test" | "override" | "disable")) => {
                return self.rules_of_named_control(word);
            }
            [":", _, "for" | "some" | "all" | "none" | "(", ..] => return self.kinds(word),
            ["ref" | "about" | "given", ..] => return self.kinds(word),
            ["for", ..] if item_word == Some("waive") => return self.kinds(word),
            [":", ..] if item_word == Some("schema") => return self.types(word),
            ["severity", ..] => return items::words(SEVERITIES, CompletionKind::EnumMember, word),
            ["maps", ..] => return self.frameworks(word),
            ["," | "]", ..] if self.in_maps(word.start) => {
                let mut out = self.frameworks(word);
                out.extend(items::words(RELATIONSHIPS, CompletionKind::EnumMember, word));
                return out;
            }
            [s, ..] if s.ends_with('"') && self.in_maps(word.start) => {
                return items::words(RELATIONSHIPS, CompletionKind::EnumMember, word);
            }
            ["set", ..] => return self.settable_params(word),
            ["use", ..] => return self.packages(word),
            _ => {}
        }
        let Some((item_word, item_start)) = item else {
            return items::item_snippets(word);
        };
        let depth = self.tokens.depth(item_start, word.start);
        let line_start = self.tokens.starts_line(word.start);
        // A schema's header may wrap: its clauses then start indented lines.
        let column_zero = self.tokens.text_of_line_before(word.start).is_empty();
        match (item_word, depth) {
            ("schema", 0) if !column_zero => self.schema_clauses(word, item_start),
            ("schema", 1) if !line_start => self.field_modifiers(word),
            (_, 0) if line_start => items::item_snippets(word),
            ("param" | "set", 0) if prev.contains(&"=") => self.expressions(word),
            ("control" | "clause" | "objective", 1) => {
                let mut out = self.expressions(word);
                if line_start {
                    out.extend(items::member_snippets(word));
                }
                out
            }
            ("control" | "clause" | "objective", 2) => {
                if line_start {
                    items::attest_props(word)
                } else {
                    self.expressions(word)
                }
            }
            ("override", 1) => {
                let mut out = self.expressions(word);
                if line_start {
                    out.extend(items::words(OVERRIDE_BODY_KEYWORDS, CompletionKind::Keyword, word));
                }
                out
            }
            ("test", 1) if line_start => items::test_statements(word),
            ("test", 1) if self.tokens.text_of_line_before(word.start).trim_start().starts_with("expect") => {
                items::expect_words(word)
            }
            ("test", d) if d >= 2 => self.given_fields(word, item_start),
            ("framework", 1) if line_start => items::requirement_snippet(word),
            ("crosswalk", 1) if line_start => self.crosswalk_controls(id, item_start),
            _ => Vec::new(),
        }
    }

    /// In a schema's header, after its name or a clause: the clauses that may still
    /// follow, in the grammar's order, and `at` right after a glob of `from`.
    fn schema_clauses(&self, word: Span, item_start: u32) -> Vec<CompletionItem> {
        let tokens = self.tokens;
        let header: Vec<usize> = tokens
            .previous(word.start)
            .take_while(|i| tokens.get(*i).is_some_and(|t| t.span.start >= item_start))
            .collect();
        // The name alone follows `schema`: nothing to offer while it is typed.
        let words: Vec<&str> = header
            .iter()
            .filter(|i| tokens.get(**i).is_some_and(|t| t.kind == TokenKind::Word))
            .map(|i| tokens.text_of(*i))
            .collect();
        if words.len() < 2 {
            return Vec::new();
        }
        let last = items::SCHEMA_CLAUSES.iter().rposition(|(clause, _)| words.contains(clause));
        let after_glob = last == Some(0) && {
            // The token before the string that ends right before the cursor: `from` or `,`
            // for a glob, `at` for a place.
            let mut before_string = header.iter().map(|i| tokens.get(*i)).skip_while(|t| {
                t.is_some_and(|t| {
                    matches!(t.kind, TokenKind::StringOpen | TokenKind::StringText | TokenKind::StringClose)
                })
            });
            let ends_string =
                header.first().and_then(|i| tokens.get(*i)).is_some_and(|t| t.kind == TokenKind::StringClose);
            ends_string
                && before_string.next().flatten().is_some_and(|t| matches!(t.text(tokens.text), "from" | ","))
        };
        let next = last.map_or(0, |i| i + 1);
        items::schema_clauses(next, after_glob, word)
    }

    /// After a field's type: the modifiers the field does not have yet, `format` and
    /// `effective` only on a date.
    fn field_modifiers(&self, word: Span) -> Vec<CompletionItem> {
        let line = self.tokens.text_of_line_before(word.start);
        let Some((_, written)) = line.split_once(':') else { return Vec::new() };
        let words: Vec<&str> = written.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
        // The type itself is being written.
        if words.iter().all(|w| w.is_empty()) {
            return Vec::new();
        }
        let dated = words.iter().any(|w| matches!(*w, "date" | "datetime"));
        let date = words.contains(&"date");
        items::field_modifiers(word)
            .into_iter()
            .filter(|item| !words.contains(&item.label.as_str()))
            .filter(|item| match item.label.as_str() {
                "effective" => dated,
                "format" => date,
                _ => true,
            })
            .collect()
    }

    /// After `.`: the fields of the value before it, or a package's parameters.
    fn members(&self, word: Span) -> Vec<CompletionItem> {
        let Some(dot) = self.tokens.previous(word.start).next().and_then(|i| self.tokens.get(i)) else {
            return Vec::new();
        };
        let chain = self.tokens.chain_before(dot.span.start);
        match self.scope().chain(self.program, self.scopes, &chain) {
            Chain::Value(ty) => self.fields(&ty, word),
            Chain::Package(p) if self.in_type_position(&chain, dot.span.start) => self
                .program
                .schemas
                .iter()
                .filter(|s| s.package == p)
                .map(|s| items::schema(s, s.name.to_string(), word, 0))
                .collect(),
            Chain::Package(p) => self
                .scopes
                .params_of(p)
                .into_iter()
                .filter_map(|(_, id)| self.program.params.get(id.index()))
                .map(|param| items::param(self.program, param, param.name.to_string(), word))
                .collect(),
            Chain::Unknown => Vec::new(),
        }
    }

    /// True when the chain before `dot` follows `x:` of a binding, `ref`, `about` or
    /// `given`: a kind is written there, not a value.
    fn in_type_position(&self, chain: &[&str], dot: u32) -> bool {
        // The chain's words and dots, then what precedes it.
        let before: Vec<&str> = self.tokens.previous_texts(dot, chain.len() * 2 + 2);
        let rest = before.get((chain.len() * 2).saturating_sub(1)..).unwrap_or_default();
        matches!(rest, [":", _, "for" | "some" | "all" | "none" | "(", ..] | ["ref" | "about" | "given", ..])
            || (matches!(rest, ["for", ..]) && matches!(self.tokens.item_at(dot), Some(("waive", _))))
    }

    fn fields(&self, ty: &Ty, replace: Span) -> Vec<CompletionItem> {
        let Some(record) = fields_of(self.program, ty) else { return Vec::new() };
        record.fields.iter().map(|f| items::field(self.program, f, replace)).collect()
    }

    /// Names inside an expression: variables, parameters, functions, keywords.
    fn expressions(&self, word: Span) -> Vec<CompletionItem> {
        let scope = self.scope();
        let mut out: Vec<CompletionItem> = scope
            .locals
            .iter()
            .rev()
            .map(|(name, ty, binder)| items::variable(self.program, name, ty, binder, word))
            .collect();
        if let Some(package) = self.package {
            for (name, id) in self.scopes.params_visible(self.program, package) {
                if let Some(param) = self.program.params.get(id.index()) {
                    out.push(items::param(self.program, param, name.to_string(), word));
                }
            }
            for (name, _) in self.scopes.qualifier_names(package) {
                out.push(items::package(&name, word));
            }
        }
        out.extend(items::functions(word));
        out.extend(items::expression_keywords(word));
        out.extend(items::expression_snippets(word));
        out
    }

    /// Evidence kinds: those visible unqualified, then those of reachable packages.
    fn kinds(&self, word: Span) -> Vec<CompletionItem> {
        let Some(package) = self.package else { return Vec::new() };
        let mut out: Vec<CompletionItem> = self
            .scopes
            .kinds_visible(self.program, package)
            .into_iter()
            .filter_map(|(name, k)| {
                self.program.schemas.get(k.index()).map(|s| items::schema(s, name.to_string(), word, 0))
            })
            .collect();
        let visible = self.scopes.visible(self.program, package);
        for (qualifier, p) in self.scopes.qualifier_names(package) {
            if visible.contains(&p) {
                continue;
            }
            for s in self.program.schemas.iter().filter(|s| s.package == p) {
                out.push(items::schema(s, format!("{qualifier}.{}", s.name), word, 1));
            }
        }
        out
    }

    fn types(&self, word: Span) -> Vec<CompletionItem> {
        let mut out = items::words(PRIMITIVE_TYPES, CompletionKind::Schema, word);
        out.extend(items::words(&["ref"], CompletionKind::Keyword, word));
        out
    }

    fn frameworks(&self, word: Span) -> Vec<CompletionItem> {
        let Some(package) = self.package else { return Vec::new() };
        let mut out: Vec<CompletionItem> = self
            .scopes
            .frameworks_visible(self.program, package)
            .into_iter()
            .filter_map(|(_, id)| self.program.frameworks.get(id.index()))
            .map(|f| items::framework(f, word))
            .collect();
        for (name, p) in self.scopes.qualifier_names(package) {
            if p != package {
                out.push(items::package(&name, word));
            }
        }
        out
    }

    fn settable_params(&self, word: Span) -> Vec<CompletionItem> {
        let Some(package) = self.package else { return Vec::new() };
        let mut out = Vec::new();
        for (qualifier, p) in self.scopes.qualifier_names(package) {
            if p == package {
                continue;
            }
            for (name, id) in self.scopes.params_of(p) {
                if let Some(param) = self.program.params.get(id.index()) {
                    out.push(items::param(self.program, param, format!("{qualifier}.{name}"), word));
                }
            }
        }
        out
    }

    fn packages(&self, word: Span) -> Vec<CompletionItem> {
        self.program
            .packages
            .iter()
            .filter(|p| {
                Some(&*p.name)
                    != self.package.and_then(|own| self.program.packages.get(own.index())).map(|o| &*o.name)
            })
            .map(|p| items::package(&p.name, word))
            .collect()
    }

    /// Control ids: the package's own unqualified, others qualified.
    fn control_ids(&self, replace: Span) -> Vec<CompletionItem> {
        let Some(package) = self.package else { return Vec::new() };
        let mut out = Vec::new();
        for c in self.program.controls.iter().filter(|c| c.package == package) {
            out.push(items::control(c, c.local_id.to_string(), replace, 0));
        }
        for (qualifier, p) in self.scopes.qualifier_names(package) {
            if p == package {
                continue;
            }
            for c in self.program.controls.iter().filter(|c| c.package == p) {
                out.push(items::control(c, format!("{qualifier}.{}", c.local_id), replace, 1));
            }
        }
        out
    }

    /// `waive X rule |`, `expect X rule |`, `override X rule |` or `disable X rule |`: the
    /// rules of control `X`.
    fn rules_of_named_control(&self, word: Span) -> Vec<CompletionItem> {
        let line = self.tokens.text_of_line_before(word.start);
        let mut words = line.split_whitespace();
        let control_text = words
            .by_ref()
            .find(|w| matches!(*w, "waive" | "expect" | "override" | "disable"))
            .and(words.next());
        let (Some(package), Some(control_text)) = (self.package, control_text) else { return Vec::new() };
        let Some((control, _)) = self.scopes.control(self.program, package, control_text) else {
            return Vec::new();
        };
        let Some(c) = self.program.controls.get(control.index()) else { return Vec::new() };
        c.rules.iter().map(|r| items::rule(c, r, word)).collect()
    }

    /// A crosswalk's pairs start with a control of its `from` package.
    fn crosswalk_controls(&self, replace: Span, item_start: u32) -> Vec<CompletionItem> {
        let header =
            self.tokens.text.get(item_start as usize..).and_then(|t| t.lines().next()).unwrap_or_default();
        let from = header.split_whitespace().skip_while(|w| *w != "from").nth(1);
        let (Some(package), Some(from)) = (self.package, from) else { return Vec::new() };
        let Some(p) = self.scopes.package_named(package, from) else { return Vec::new() };
        self.program
            .controls
            .iter()
            .filter(|c| c.package == p)
            .map(|c| items::control(c, c.local_id.to_string(), replace, 0))
            .collect()
    }

    /// Inside `given Kind { … }`: the kind's fields, as `name: ` entries.
    fn given_fields(&self, word: Span, item_start: u32) -> Vec<CompletionItem> {
        if !self.tokens.starts_line(word.start)
            && !matches!(self.tokens.previous_texts(word.start, 1).first(), Some(&("{" | ",")))
        {
            return Vec::new();
        }
        let Some(record) = self.given_record(item_start, word.start) else { return Vec::new() };
        record.fields.iter().map(|f| items::record_field(self.program, f, word)).collect()
    }

    /// The record type of the innermost `{` open at `at` inside a `given`.
    fn given_record(&self, item_start: u32, at: u32) -> Option<&tenet_sema::ty::RecordTy> {
        let braces = self.tokens.open_braces(item_start, at);
        // braces[0] is the test's body; braces[1] follows `given Kind`; deeper ones follow `field:`.
        let given = *braces.get(1)?;
        let given_start = self.tokens.get(given)?.span.start;
        let before = self.tokens.chain_before(given_start);
        let kind_name = before.join(".");
        let package = self.package?;
        let kind = self.scopes.kind(self.program, package, &kind_name)?;
        let mut record: &tenet_sema::ty::RecordTy = &self.program.schemas.get(kind.index())?.record;
        for brace in braces.iter().skip(2) {
            let start = self.tokens.get(*brace)?.span.start;
            let prev = self.tokens.previous_texts(start, 2);
            let [":", field] = prev.as_slice() else { return None };
            record = crate::index::nested_record(&record.field(field)?.1.ty)?;
        }
        Some(record)
    }

    /// True when `at` is among the targets of a `maps` line.
    fn in_maps(&self, at: u32) -> bool {
        for i in self.tokens.previous(at) {
            let Some(t) = self.tokens.get(i) else { return false };
            let text = t.text(self.tokens.text);
            match t.kind {
                TokenKind::Word if text == "maps" => return true,
                TokenKind::Word if RELATIONSHIPS.contains(&text) => {}
                TokenKind::Word => {
                    // A framework name: fine unless it is a member keyword.
                    if crate::builtins::MEMBER_KEYWORDS.iter().any(|(k, _)| *k == text) {
                        return false;
                    }
                }
                TokenKind::StringOpen | TokenKind::StringText | TokenKind::StringClose => {}
                TokenKind::Punct if matches!(text, "," | "[" | "]") => {}
                _ => return false,
            }
        }
        false
    }

    /// Inside a string: requirement ids in `maps`, enum values in comparisons.
    fn in_string(&self, s: &InString) -> Vec<CompletionItem> {
        let Some(open) = self.tokens.get(s.open) else { return Vec::new() };
        let start = open.span.start;
        if self.in_maps(start) {
            return self.requirement_ids(start, s.replace);
        }
        let prev: Vec<usize> = self.tokens.previous(start).take(8).collect();
        let texts: Vec<&str> = prev.iter().map(|i| self.tokens.text_of(*i)).collect();
        // `x == "…"`, `x != "…"`
        if let (Some(op), Some(&("==" | "!="))) = (prev.first(), texts.first()) {
            let chain = self.tokens.chain_before(self.tokens.get(*op).map_or(0, |t| t.span.start));
            return self.enum_values(&chain, s.replace);
        }
        // `x in ["…", "…"]`
        if let Some(bracket) = self.list_open(start) {
            let before: Vec<usize> = self.tokens.previous(bracket).take(1).collect();
            if before.first().map(|i| self.tokens.text_of(*i)) == Some("in") {
                let in_start = before.first().and_then(|i| self.tokens.get(*i)).map_or(0, |t| t.span.start);
                let chain = self.tokens.chain_before(in_start);
                return self.enum_values(&chain, s.replace);
            }
        }
        // `field: "…"` inside a `given`
        if let (Some(&":"), Some(field)) = (texts.first(), texts.get(1))
            && let Some(("test", item_start)) = self.tokens.item_at(start)
            && let Some(record) = self.given_record(item_start, start)
            && let Some((_, def)) = record.field(field)
        {
            return items::enum_values(&def.ty, s.replace);
        }
        Vec::new()
    }

    /// The start of the `[` that opens the list containing `at`, within its line.
    fn list_open(&self, at: u32) -> Option<u32> {
        for i in self.tokens.previous(at) {
            let t = self.tokens.get(i)?;
            match (t.kind, t.text(self.tokens.text)) {
                (TokenKind::Punct, "[") => return Some(t.span.start),
                (TokenKind::Punct, ",")
                | (TokenKind::StringOpen | TokenKind::StringText | TokenKind::StringClose, _) => {}
                _ => return None,
            }
        }
        None
    }

    fn enum_values(&self, chain: &[&str], replace: Span) -> Vec<CompletionItem> {
        match self.scope().chain(self.program, self.scopes, chain) {
            Chain::Value(ty) => items::enum_values(&ty, replace),
            _ => Vec::new(),
        }
    }

    /// Requirement ids of the framework named before the string (or control ids, when a
    /// package is named).
    fn requirement_ids(&self, string_start: u32, replace: Span) -> Vec<CompletionItem> {
        let Some(package) = self.package else { return Vec::new() };
        let target = self.tokens.previous(string_start).find_map(|i| {
            let t = self.tokens.get(i)?;
            (t.kind == TokenKind::Word && !RELATIONSHIPS.contains(&t.text(self.tokens.text)))
                .then(|| t.text(self.tokens.text))
        });
        let Some(target) = target else { return Vec::new() };
        if let Some(f) = self
            .scopes
            .framework(self.program, package, target)
            .and_then(|f| self.program.frameworks.get(f.index()))
        {
            return f.requirements.iter().map(|r| items::requirement(f, r, replace)).collect();
        }
        if let Some(p) = self.scopes.package_named(package, target) {
            return self
                .program
                .controls
                .iter()
                .filter(|c| c.package == p)
                .map(|c| items::control(c, c.local_id.to_string(), replace, 0))
                .collect();
        }
        Vec::new()
    }
}
