//! The canonical formatter. It prints the syntax tree in one layout, whatever the input's
//! layout was, and puts every comment back: own-line comments before the node that
//! follows them, trailing comments at the end of the line they were on. Formatting is
//! idempotent and never changes the tree.

mod comments;
mod expr;
mod items;

use crate::ast::Ast;
use crate::errors::SyntaxError;
use crate::parse::parse;

use comments::Comments;

/// The widest line the formatter aims for; longer expressions are broken at `and`/`or`.
pub const WIDTH: usize = 100;

/// Why a file could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The file has syntax errors; formatting it could lose text.
    Syntax(Vec<SyntaxError>),
}

/// Formats a policy file's text. Files with syntax errors are left alone.
pub fn format(text: &str) -> Result<String, FormatError> {
    let (ast, errors) = parse(text);
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    Ok(Printer::new(text).file(&ast))
}

/// Prints a tree that has no source text, such as one built by a program.
pub fn format_ast(ast: &Ast) -> String {
    Printer::new("").file(ast)
}

/// A string as a policy writes it, in quotes with the escapes it needs: for tools that
/// show a policy's strings back to its authors.
pub fn string_literal(s: &str) -> String {
    expr::string(s)
}

/// The output under construction, one line at a time, with the comments still to place.
pub(crate) struct Printer<'a> {
    source: &'a str,
    comments: Comments,
    lines: Vec<String>,
    indent: usize,
}

impl<'a> Printer<'a> {
    fn new(source: &'a str) -> Printer<'a> {
        Printer { source, comments: Comments::new(source), lines: Vec::new(), indent: 0 }
    }

    fn file(mut self, ast: &Ast) -> String {
        self.items(&ast.items);
        self.flush_comments(u32::MAX);
        while self.lines.last().is_some_and(|l| l.is_empty()) {
            self.lines.pop();
        }
        let mut out = self.lines.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    /// Appends a line at the current indentation.
    fn line(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            self.lines.push(String::new());
        } else {
            self.lines.push(format!("{}{}", " ".repeat(self.indent), text));
        }
    }

    /// Appends lines produced by a layout: the first gets `prefix` at the current
    /// indentation, the rest are already indented.
    fn lines_with_prefix(&mut self, prefix: &str, lines: Vec<String>) {
        let mut iter = lines.into_iter();
        let first = iter.next().unwrap_or_default();
        self.line(format!("{prefix}{first}"));
        self.lines.extend(iter);
    }

    /// Adds a blank line unless the output is empty, already ends with one, or just
    /// opened a block.
    fn blank(&mut self) {
        match self.lines.last() {
            Some(last) if !last.is_empty() && !last.ends_with('{') => self.lines.push(String::new()),
            _ => {}
        }
    }

    /// True when the source has a blank line right before `offset`.
    fn blank_before(&self, offset: u32) -> bool {
        blank_line_before(self.source, offset)
    }

    /// Starts a node at `offset`: places the comments before it, then a blank line when
    /// `force_blank` or the source had one.
    /// Comments on their own lines stay attached to the node they precede: the forced blank
    /// line goes above them, and below them only if the source had one there.
    fn start(&mut self, offset: u32, force_blank: bool) {
        while self.comments.trailing_before(offset) {
            self.flush_one_comment(offset);
        }
        let attached = self.comments.has_before(offset);
        if force_blank && attached {
            self.blank();
        }
        self.flush_comments(offset);
        if self.blank_before(offset) || (force_blank && !attached) {
            self.blank();
        }
    }

    /// Places every comment that starts before `offset`.
    fn flush_comments(&mut self, offset: u32) {
        while self.flush_one_comment(offset) {}
    }

    /// Places the next comment if it starts before `offset`; false when there is none.
    fn flush_one_comment(&mut self, offset: u32) -> bool {
        {
            let Some(comment) = self.comments.next_before(offset) else { return false };
            if comment.own_line || self.lines.is_empty() {
                if comment.blank_before {
                    self.blank();
                }
                let mut parts = comment.text.split('\n');
                let first = parts.next().unwrap_or("");
                self.line(first);
                for rest in parts {
                    self.lines.push(rest.to_owned());
                }
            } else if let Some(last) = self.lines.last_mut() {
                if last.is_empty() {
                    *last = format!("{}{}", " ".repeat(self.indent), comment.text);
                } else {
                    last.push(' ');
                    last.push_str(&comment.text);
                }
            }
        }
        true
    }
}

/// True when the whitespace right before `offset` in `source` holds a blank line.
pub(crate) fn blank_line_before(source: &str, offset: u32) -> bool {
    let Some(before) = source.get(..offset as usize) else { return false };
    let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
    before[trimmed.len()..].matches('\n').count() >= 2 && !trimmed.is_empty()
}
