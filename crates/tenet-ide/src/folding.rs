//! Folding ranges: declarations that span lines, their multi-line members, runs of doc or
//! line comments, block comments and runs of `use` lines. Spans only: the server turns
//! them into lines.

use tenet_db::{Db, SourceFile, parse};
use tenet_diagnostics::Span;
use tenet_syntax::ast::{FrameworkMember, Item, Member};
use tenet_syntax::lexer::{TokenKind, tokenize};

use crate::files::source_text;

/// What a fold hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FoldKind {
    /// A declaration or member.
    Region,
    /// Comments.
    Comment,
    /// `use` lines.
    Imports,
}

/// A foldable range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fold {
    /// What it covers.
    pub span: Span,
    /// What it is.
    pub kind: FoldKind,
}

/// The folding ranges of a file; the server drops those that fit on one line.
pub fn folding_ranges(db: &dyn Db, file: SourceFile) -> Vec<Fold> {
    let text = source_text(db, file);
    let multiline = |span: Span| text.get(span.range()).is_some_and(|t| t.trim_end().contains('\n'));
    let mut out = Vec::new();
    let mut push = |span: Span, kind: FoldKind| {
        if multiline(span) {
            out.push(Fold { span, kind });
        }
    };
    let mut uses: Option<Span> = None;
    for item in &parse(db, file).ast.items {
        if let Item::Use(u) = item {
            uses = Some(uses.map_or(u.span, |s| s.cover(u.span)));
            continue;
        }
        if let Some(span) = uses.take() {
            push(span, FoldKind::Imports);
        }
        // The doc comment folds on its own; the declaration from its first keyword.
        let doc = item.doc().map(|d| d.span);
        let span = item.span();
        let body = doc.map_or(span, |d| Span::new(d.end.min(span.end), span.end));
        push(body, FoldKind::Region);
        match item {
            Item::Control(c) => {
                for m in &c.members {
                    if matches!(m, Member::Rule(_) | Member::Attest(_)) {
                        push(m.span(), FoldKind::Region);
                    }
                }
            }
            Item::Framework(f) => {
                for m in &f.members {
                    if let FrameworkMember::Requirement(r) = m {
                        push(r.span, FoldKind::Region);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(span) = uses {
        push(span, FoldKind::Imports);
    }
    comment_folds(&text, &mut push);
    out.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
    out
}

/// Block comments, and runs of line (or doc) comments on consecutive lines.
fn comment_folds(text: &str, push: &mut impl FnMut(Span, FoldKind)) {
    let mut run: Option<(Span, TokenKind)> = None;
    for token in tokenize(text) {
        match token.kind {
            TokenKind::BlockComment => push(token.span, FoldKind::Comment),
            TokenKind::LineComment | TokenKind::DocComment => {
                run = match run {
                    Some((span, kind)) if kind == token.kind => Some((span.cover(token.span), kind)),
                    Some((span, _)) => {
                        push(span, FoldKind::Comment);
                        Some((token.span, token.kind))
                    }
                    None => Some((token.span, token.kind)),
                };
            }
            // One line break between comments continues the run; a blank line ends it.
            TokenKind::Whitespace if token.text(text).matches('\n').count() <= 1 => {}
            _ => {
                if let Some((span, _)) = run.take() {
                    push(span, FoldKind::Comment);
                }
            }
        }
    }
    if let Some((span, _)) = run {
        push(span, FoldKind::Comment);
    }
}
