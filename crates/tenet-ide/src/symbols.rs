//! Document and workspace symbols: the outline of a file (controls with their rules,
//! schemas with their fields, frameworks with their requirements) and a search across
//! every file. Built from syntax trees alone, so a file with errors still has an outline
//! of what parsed.

use tenet_db::{Db, SourceFile, Workspace, parse};
use tenet_diagnostics::Span;
use tenet_syntax::ast::{self, CrosswalkMember, FrameworkMember, Item, Member, TypeKind};

use crate::files::source_text;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// `package`
    Package,
    /// `use`
    Use,
    /// An evidence kind.
    Schema,
    /// A field of a schema.
    Field,
    /// A parameter.
    Param,
    /// A `set` of a parameter.
    Setting,
    /// A control.
    Control,
    /// A clause.
    Clause,
    /// An objective.
    Objective,
    /// A rule.
    Rule,
    /// An attestation requirement.
    Attestation,
    /// A framework.
    Framework,
    /// A framework requirement.
    Requirement,
    /// A crosswalk.
    Crosswalk,
    /// A test.
    Test,
    /// An exclusion.
    Exclusion,
    /// A waiver.
    Waiver,
    /// A rule of a used package, replaced or disabled (`override`, `disable`).
    Override,
}

/// An entry of a file's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its name as written.
    pub name: String,
    /// A short description: a title, a type.
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub full: Span,
    /// Its name.
    pub focus: Span,
    /// Its members.
    pub children: Vec<Symbol>,
}

fn symbol(
    name: impl Into<String>,
    detail: Option<String>,
    kind: SymbolKind,
    full: Span,
    focus: Span,
) -> Symbol {
    Symbol { name: name.into(), detail, kind, full, focus, children: Vec::new() }
}

/// The outline of a file.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    let text = source_text(db, file);
    let mut symbols: Vec<Symbol> = parse(db, file).ast.items.iter().map(item_symbol).collect();
    for s in &mut symbols {
        trim(s, &text);
    }
    symbols
}

/// Ends each extent at the declaration's last character: the parser's spans may run on
/// over the blank lines after it, and an editor would highlight those too.
fn trim(symbol: &mut Symbol, text: &str) {
    let kept = text.get(symbol.full.range()).map_or(0, |t| t.trim_end().len());
    symbol.full = Span::new(symbol.full.start, symbol.full.start + kept as u32).cover(symbol.focus);
    for child in &mut symbol.children {
        trim(child, text);
    }
}

fn item_symbol(item: &Item) -> Symbol {
    match item {
        Item::Package(p) => symbol(&p.path.text, None, SymbolKind::Package, p.span, p.path.span),
        Item::Use(u) => symbol(
            &u.path.text,
            u.alias.as_ref().map(|a| format!("as {}", a.text)),
            SymbolKind::Use,
            u.span,
            u.path.span,
        ),
        Item::Schema(s) => {
            let mut out =
                symbol(&s.name.text, Some("schema".to_owned()), SymbolKind::Schema, s.span, s.name.span);
            out.children = fields(&s.fields);
            out
        }
        Item::Param(p) => {
            symbol(&p.name.text, Some("param".to_owned()), SymbolKind::Param, p.span, p.name.span)
        }
        Item::Set(s) => {
            symbol(&s.target.text, Some("set".to_owned()), SymbolKind::Setting, s.span, s.target.span)
        }
        Item::Control(c) => {
            let kind = match c.kind {
                ast::ControlKind::Control => SymbolKind::Control,
                ast::ControlKind::Clause => SymbolKind::Clause,
                ast::ControlKind::Objective => SymbolKind::Objective,
            };
            let mut out = symbol(&c.id.text, Some(c.title.value.clone()), kind, c.span, c.id.span);
            out.children = c.members.iter().filter_map(member_symbol).collect();
            out
        }
        Item::Exclusion(e) => symbol(
            &e.control.text,
            Some("not applicable".to_owned()),
            SymbolKind::Exclusion,
            e.span,
            e.control.span,
        ),
        Item::Waiver(w) => {
            let detail = format!("waived until {}", w.until.date);
            symbol(&w.control.text, Some(detail), SymbolKind::Waiver, w.span, w.control.span)
        }
        Item::Override(o) => symbol(
            format!("{} rule {}", o.control.text, o.rule.text),
            Some("overridden".to_owned()),
            SymbolKind::Override,
            o.span,
            o.control.span,
        ),
        Item::Disable(d) => symbol(
            format!("{} rule {}", d.control.text, d.rule.text),
            Some("disabled".to_owned()),
            SymbolKind::Override,
            d.span,
            d.control.span,
        ),
        Item::Framework(f) => {
            let mut out =
                symbol(&f.name.text, Some(f.title.value.clone()), SymbolKind::Framework, f.span, f.name.span);
            out.children = f
                .members
                .iter()
                .filter_map(|m| match m {
                    FrameworkMember::Requirement(r) => Some(symbol(
                        &r.id.value,
                        Some(r.title.value.clone()),
                        SymbolKind::Requirement,
                        r.span,
                        r.id.span,
                    )),
                    FrameworkMember::Metadata(_) => None,
                })
                .collect();
            out
        }
        Item::Crosswalk(c) => {
            let detail = format!("{} → {}", c.from.text, c.to.text);
            let mut out = symbol(&c.name.text, Some(detail), SymbolKind::Crosswalk, c.span, c.name.span);
            out.children = c
                .members
                .iter()
                .filter_map(|m| match m {
                    CrosswalkMember::Pair(p) => {
                        let ids: Vec<&str> = p.requirements.iter().map(|r| r.value.as_str()).collect();
                        Some(symbol(
                            &p.control.text,
                            Some(ids.join(", ")),
                            SymbolKind::Control,
                            p.span,
                            p.control.span,
                        ))
                    }
                    CrosswalkMember::Metadata(_) => None,
                })
                .collect();
            out
        }
        Item::Test(t) => {
            symbol(&t.name.value, Some("test".to_owned()), SymbolKind::Test, t.span, t.name.span)
        }
    }
}

fn fields(fields: &[ast::Field]) -> Vec<Symbol> {
    fields
        .iter()
        .map(|f| {
            let mut out =
                symbol(&f.name.text, Some(type_text(&f.ty)), SymbolKind::Field, f.span, f.name.span);
            if let TypeKind::Record(inner) = &f.ty.kind {
                out.children = self::fields(inner);
            }
            out
        })
        .collect()
}

/// A type as written, briefly.
fn type_text(ty: &ast::TypeExpr) -> String {
    let base = match &ty.kind {
        TypeKind::Prim(p) => p.as_str().to_owned(),
        TypeKind::List(inner) => format!("[{}]", type_text(inner)),
        TypeKind::Record(_) => "{ … }".to_owned(),
        TypeKind::Ref(name) => format!("ref {}", name.text),
        TypeKind::Enum(values) => {
            values.iter().map(|v| format!("\"{}\"", v.value)).collect::<Vec<_>>().join(" | ")
        }
    };
    if ty.optional { format!("{base}?") } else { base }
}

fn member_symbol(member: &Member) -> Option<Symbol> {
    match member {
        Member::Rule(r) => {
            let (name, focus) = match &r.name {
                Some(n) => (n.text.clone(), n.span),
                None => ("(rule)".to_owned(), r.require.span),
            };
            Some(symbol(name, Some("rule".to_owned()), SymbolKind::Rule, r.span, focus))
        }
        Member::Attest(a) => Some(symbol(
            &a.name.text,
            a.title.as_ref().map(|t| t.value.clone()),
            SymbolKind::Attestation,
            a.span,
            a.name.span,
        )),
        _ => None,
    }
}

/// A symbol found by a workspace search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// The file.
    pub file: SourceFile,
    /// The symbol.
    pub symbol: Symbol,
    /// The symbol it is a member of.
    pub container: Option<String>,
}

/// How many results a workspace search returns at most: a longer list helps nobody.
const MAX_RESULTS: usize = 256;

/// Symbols of every file whose name matches `query` (its characters in order, ignoring
/// case; an empty query matches everything): best matches first, the workspace's own
/// before the built-in packs'.
pub fn workspace_symbols(db: &dyn Db, workspace: Workspace, query: &str) -> Vec<WorkspaceSymbol> {
    let query: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<((u32, bool), WorkspaceSymbol)> = Vec::new();
    for file in workspace.policy_files(db) {
        // The workspace's own declarations rank before the built-in packs'.
        let built_in = file.origin(db) != tenet_sema::Origin::Workspace;
        let mut stack: Vec<(Symbol, Option<String>)> =
            document_symbols(db, *file).into_iter().map(|s| (s, None)).collect();
        while let Some((mut symbol, container)) = stack.pop() {
            let children = std::mem::take(&mut symbol.children);
            stack.extend(children.into_iter().map(|c| (c, Some(symbol.name.clone()))));
            if matches!(symbol.kind, SymbolKind::Use | SymbolKind::Package) {
                continue;
            }
            if let Some(score) = fuzzy_score(&query, &symbol.name) {
                found.push(((score, built_in), WorkspaceSymbol { file: *file, symbol, container }));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.symbol.name.cmp(&b.1.symbol.name)));
    found.into_iter().take(MAX_RESULTS).map(|(_, s)| s).collect()
}

/// Lower is better; `None` when `name` does not contain the query's characters in order.
fn fuzzy_score(query: &[char], name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    if query.is_empty() {
        return Some(0);
    }
    let query_text: String = query.iter().collect();
    if lower.starts_with(&query_text) {
        return Some(0);
    }
    if lower.contains(&query_text) {
        return Some(1);
    }
    let mut wanted = query.iter().peekable();
    let mut gaps = 0u32;
    for c in lower.chars() {
        match wanted.peek() {
            Some(w) if **w == c => {
                wanted.next();
            }
            Some(_) => gaps += 1,
            None => break,
        }
    }
    wanted.peek().is_none().then_some(2 + gaps.min(1000))
}
