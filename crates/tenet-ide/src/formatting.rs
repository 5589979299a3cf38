//! Formatting with the canonical formatter, as one edit covering only what changed, so
//! the editor keeps the cursor and undo history where the text did not change.

use tenet_db::{Db, SourceFile};
use tenet_diagnostics::Span;

use crate::TextEdit;
use crate::files::source_text;

/// The edits that format a file: empty when it is formatted, `None` when it has syntax
/// errors (formatting a broken file could lose text).
pub fn format_edits(db: &dyn Db, file: SourceFile) -> Option<Vec<TextEdit>> {
    let text = source_text(db, file);
    let formatted = tenet_syntax::format(&text).ok()?;
    Some(minimal_edit(&text, &formatted).into_iter().collect())
}

/// One edit turning `old` into `new`: the middle between their common prefix and suffix,
/// cut at character boundaries.
pub(crate) fn minimal_edit(old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix =
        old.bytes().rev().zip(new.bytes().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let replaced = Span::from_usize(prefix, old.len() - suffix);
    let new_text = new.get(prefix..new.len() - suffix).unwrap_or_default().to_owned();
    Some(TextEdit { span: replaced, new_text })
}

#[cfg(test)]
mod tests {
    use super::minimal_edit;

    fn apply(old: &str, new: &str) -> String {
        match minimal_edit(old, new) {
            Some(e) => {
                format!("{}{}{}", &old[..e.span.start as usize], e.new_text, &old[e.span.end as usize..])
            }
            None => old.to_owned(),
        }
    }

    #[test]
    fn the_edit_reproduces_the_new_text() {
        for (old, new) in [
            ("a  b", "a b"),
            ("abc", "abc"),
            ("", "x"),
            ("x", ""),
            ("é  é", "é é"),
            ("aaa", "aa"),
            ("🙂x🙂", "🙂y🙂"),
            ("ab", "aXb"),
        ] {
            assert_eq!(apply(old, new), new, "{old:?} -> {new:?}");
        }
    }
}
