//! Quick fixes: the checker's own suggested edits ("did you mean …"), a message for an
//! `else` that lacks one, and an `else` message for a rule that has none. Diagnostics come
//! from the same query as `tenet check`, so a fix is offered exactly where CI complains.

use tenet_db::{Db, SourceFile, Workspace, diagnostics, parse, program};
use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_syntax::ast::{Domain, Item, Member};
use tenet_syntax::lexer::{TokenKind, tokenize};

use crate::files::{file_id, source_text};
use crate::index::scopes;
use crate::{SourceChange, TextEdit};

/// A fix the editor can apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, imperative: "replace with `risk_tier`".
    pub title: String,
    /// The edits.
    pub change: SourceChange,
    /// The diagnostic it fixes, if any (assists fix none).
    pub diagnostic: Option<Diagnostic>,
    /// True when it is the one obvious fix.
    pub preferred: bool,
}

/// The fixes for the diagnostics of `file` that touch `range`, and the assists that apply
/// there.
pub fn fixes(db: &dyn Db, workspace: Workspace, file: SourceFile, range: Span) -> Vec<Fix> {
    let path = file.path(db);
    let touches = |span: Span| span.start <= range.end && range.start <= span.end;
    let mut out = Vec::new();
    for d in diagnostics(db, workspace).iter().filter(|d| &*d.path == path && touches(d.span)) {
        let preferred = d.suggestions.len() == 1;
        for s in &d.suggestions {
            out.push(Fix {
                title: s.title.clone(),
                change: single(file, s.span, &s.replacement),
                diagnostic: Some(d.clone()),
                preferred,
            });
        }
        if d.code == Code::SYNTAX && d.message.starts_with("expected a message in quotes") {
            out.extend(missing_message(db, workspace, file, d));
        }
    }
    out.extend(add_else(db, workspace, file, range));
    out.extend(expired_waivers(db, file, range, tenet_db::today_utc()));
    out
}

/// A waiver whose `until` has passed fails its results (and says so in every report):
/// offer to renew it for three months, or to remove it.
fn expired_waivers(db: &dyn Db, file: SourceFile, range: Span, today: jiff::civil::Date) -> Vec<Fix> {
    let mut out = Vec::new();
    for item in &parse(db, file).ast.items {
        let Item::Waiver(w) = item else { continue };
        let touches = w.span.start <= range.end && range.start <= w.span.end;
        if !touches || w.until.date >= today {
            continue;
        }
        let renewed = today.checked_add(jiff::Span::new().months(3)).unwrap_or(today);
        out.push(Fix {
            title: format!("renew this expired waiver until {renewed} (record who approved the renewal)"),
            change: single(file, w.until.span, &renewed.to_string()),
            diagnostic: None,
            preferred: false,
        });
        let text = source_text(db, file);
        let end = text[w.span.end as usize..]
            .find('\n')
            .map_or(w.span.end as usize, |i| w.span.end as usize + i + 1);
        out.push(Fix {
            title: "remove this expired waiver".to_owned(),
            change: single(file, Span::from_usize(w.span.start as usize, end), ""),
            diagnostic: None,
            preferred: false,
        });
    }
    out
}

fn single(file: SourceFile, span: Span, new_text: &str) -> SourceChange {
    SourceChange { files: vec![(file, vec![TextEdit { span, new_text: new_text.to_owned() }])] }
}

/// `else` followed by no message: insert one after the `else`.
fn missing_message(db: &dyn Db, workspace: Workspace, file: SourceFile, d: &Diagnostic) -> Option<Fix> {
    let text = source_text(db, file);
    let tokens = tokenize(&text);
    let else_token = tokens
        .iter()
        .rfind(|t| t.span.end <= d.span.start && !t.is_trivia())
        .filter(|t| t.kind == TokenKind::Word && t.text(&text) == "else")?;
    // The subject variable, from the nearest `for x: Kind` before the `else`.
    let before: Vec<_> =
        tokens.iter().filter(|t| t.span.end <= else_token.span.start && !t.is_trivia()).collect();
    let subject = before.windows(4).rev().find_map(|w| match w {
        [f, var, colon, kind]
            if f.text(&text) == "for" && var.kind == TokenKind::Word && colon.text(&text) == ":" =>
        {
            Some((var.text(&text).to_owned(), kind.text(&text).to_owned()))
        }
        _ => None,
    });
    let message = message_for(db, workspace, file, subject.as_ref().map(|(v, k)| (v.as_str(), k.as_str())));
    Some(Fix {
        title: "add a message after `else`".to_owned(),
        change: single(file, Span::new(else_token.span.end, else_token.span.end), &format!(" {message}")),
        diagnostic: Some(d.clone()),
        preferred: true,
    })
}

/// A rule without `else` under the cursor: add one after its requirement.
fn add_else(db: &dyn Db, workspace: Workspace, file: SourceFile, range: Span) -> Option<Fix> {
    let rule = parse(db, file).ast.items.iter().find_map(|item| match item {
        Item::Control(c) if c.span.contains(range.start) => c.members.iter().find_map(|m| match m {
            Member::Rule(r) if r.span.contains(range.start) && r.message.is_none() => Some(r),
            _ => None,
        }),
        _ => None,
    })?;
    let text = source_text(db, file);
    let indent = line_indent(&text, rule.require.span.start);
    let subject = rule.subject.as_ref().and_then(|s| match &s.binding.domain {
        Domain::Kind(kind) => Some((s.binding.var.text.as_str(), kind.text.as_str())),
        Domain::List(_) => None,
    });
    let message = message_for(db, workspace, file, subject);
    let at = rule.require.span.end;
    Some(Fix {
        title: "add an `else` message to this rule".to_owned(),
        change: single(file, Span::new(at, at), &format!("\n{indent}else {message}")),
        diagnostic: None,
        preferred: false,
    })
}

/// The indentation of the line of `offset`, which a new line after it repeats.
fn line_indent(text: &str, offset: u32) -> String {
    let before = text.get(..offset as usize).unwrap_or_default();
    let line = before.rsplit('\n').next().unwrap_or_default();
    line.chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// A message naming the subject by its most readable field: `name`, else its key.
fn message_for(db: &dyn Db, workspace: Workspace, file: SourceFile, subject: Option<(&str, &str)>) -> String {
    let field = subject.and_then(|(_, kind)| {
        let program = program(db, workspace);
        let package = scopes(db, workspace).package_of(file_id(db, workspace, file)?)?;
        let k = scopes(db, workspace).kind(program, package, kind)?;
        let schema = program.schemas.get(k.index())?;
        let name = schema.record.field("name").map(|(_, f)| f.name.clone());
        name.or_else(|| schema.key.and_then(|i| schema.record.fields.get(i)).map(|f| f.name.clone()))
    });
    match (subject, field) {
        (Some((var, _)), Some(field)) => format!("\"{{{var}.{field}}} does not meet this rule\""),
        _ => "\"this rule does not hold\"".to_owned(),
    }
}
