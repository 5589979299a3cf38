//! `parse`: the entry point that never fails. A file that parses whole is lowered in one
//! go; otherwise it is cut into top-level items at lines that start with an item keyword,
//! and each item is parsed on its own, so one broken control costs only that control.

use pest::Parser;
use tenet_diagnostics::Span;

use crate::ast::Ast;
use crate::errors::{SyntaxError, SyntaxErrorKind, from_pest};
use crate::grammar::{Rule, TenetParser};
use crate::lexer::{Token, tokenize};
use crate::limits::{MAX_NESTING, MAX_SOURCE_BYTES, excessive_nesting};
use crate::lower::Lower;

/// Parses a policy file. Always returns a tree: the items that parsed, with every error
/// found, one per broken item.
pub fn parse(text: &str) -> (Ast, Vec<SyntaxError>) {
    if text.len() > MAX_SOURCE_BYTES {
        let error = SyntaxError::new(
            SyntaxErrorKind::Unreadable,
            Span::new(0, 0),
            format!("the file is {} bytes; policy files may be at most {MAX_SOURCE_BYTES} bytes", text.len()),
        );
        return (Ast::default(), vec![error]);
    }
    let tokens = tokenize(text);
    if excessive_nesting(text, &tokens).is_none()
        && let Ok(mut pairs) = TenetParser::parse(Rule::file, text)
    {
        let lower = Lower::new(0);
        let items = pairs.next().map(|file| lower.file(file)).unwrap_or_default();
        return (Ast { items, broken_sets: Vec::new() }, lower.into_errors());
    }
    parse_by_item(text, &tokens)
}

/// Parses a policy file given as bytes: text that is not UTF-8 is an error at the first
/// invalid byte.
pub fn parse_bytes(bytes: &[u8]) -> (Ast, Vec<SyntaxError>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let at = e.valid_up_to();
            let error = SyntaxError::new(
                SyntaxErrorKind::Unreadable,
                Span::from_usize(at, at + e.error_len().unwrap_or(1)),
                format!("the file is not UTF-8: byte {at} starts an invalid sequence"),
            )
            .with_help("save policy files as UTF-8");
            (Ast::default(), vec![error])
        }
    }
}

fn parse_by_item(text: &str, tokens: &[Token]) -> (Ast, Vec<SyntaxError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut broken_sets = Vec::new();
    for range in item_chunks(text) {
        let Some(chunk) = text.get(range.clone()) else { continue };
        let chunk_tokens: Vec<Token> =
            tokens.iter().filter(|t| range.contains(&(t.span.start as usize))).copied().collect();
        if let Some(span) = excessive_nesting(text, &chunk_tokens) {
            errors.push(
                SyntaxError::new(
                    SyntaxErrorKind::NestingTooDeep,
                    span,
                    format!("this expression nests more than {MAX_NESTING} levels deep"),
                )
                .with_help("split the expression into named parts with `let`"),
            );
            continue;
        }
        match TenetParser::parse(Rule::file, chunk) {
            Ok(mut pairs) => {
                let lower = Lower::new(range.start);
                if let Some(file) = pairs.next() {
                    items.extend(lower.file(file));
                }
                errors.extend(lower.into_errors());
            }
            Err(e) => {
                errors.push(from_pest(&e, text, range.start));
                broken_sets.extend(set_target(chunk, range.start));
            }
        }
    }
    (Ast { items, broken_sets }, errors)
}

/// The parameter a `set` item names, when `chunk` (at `offset` in the file) is one: its
/// first line past doc comments is `set` and a name, however the rest is broken.
fn set_target(chunk: &str, offset: usize) -> Option<crate::ast::Name> {
    let mut line_start = 0;
    let line = chunk.split_inclusive('\n').find(|line| {
        let doc = line.starts_with("///");
        if doc {
            line_start += line.len();
        }
        !doc
    })?;
    let rest = line.strip_prefix("set")?;
    let name_at = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if name_at == 0 {
        return None;
    }
    let name: &str = rest[name_at..]
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .next()
        .filter(|n| !n.is_empty() && !n.ends_with('.'))?;
    let start = offset + line_start + 3 + name_at;
    Some(crate::ast::Name { text: name.to_owned(), span: Span::from_usize(start, start + name.len()) })
}

/// Words that start a top-level item when they begin a line.
const ITEM_KEYWORDS: &[&str] = &[
    "package",
    "use",
    "schema",
    "param",
    "set",
    "control",
    "clause",
    "objective",
    "not_applicable",
    "waive",
    "override",
    "disable",
    "framework",
    "crosswalk",
    "test",
];

/// Byte ranges of the file's items: each starts at a line beginning with an item keyword
/// (or with the doc comment right before one) and runs to the next.
///
/// Lines are scanned as plain text, not tokens: in a broken file a stray quote would make
/// a tokenizer think the rest of the file is one string, and recovery would be lost.
fn item_chunks(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0usize];
    let mut doc_start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        if line.starts_with("///") && !line.starts_with("////") {
            doc_start.get_or_insert(line_start);
            continue;
        }
        let word_len = line.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        if ITEM_KEYWORDS.contains(&&line[..word_len]) {
            starts.push(doc_start.unwrap_or(line_start));
        }
        if !line.trim().is_empty() || doc_start.is_none() {
            doc_start = None;
        }
    }
    starts.push(text.len());
    starts.dedup();
    starts
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a < b => Some(*a..*b),
            _ => None,
        })
        .collect()
}
