//! Guards that run before the parser, so that hostile or generated input gets an error
//! instead of exhausting the stack: pest's parser and the tree lowering recurse once per
//! level of nesting.

use tenet_diagnostics::Span;

use crate::lexer::{Token, TokenKind};

/// The deepest nesting of brackets, quantifier bodies and prefix operators accepted.
pub const MAX_NESTING: u32 = 64;

/// The largest policy file accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;

/// Finds the first token at which nesting exceeds [`MAX_NESTING`].
///
/// The measure is an upper bound of the parser's recursion: every bracket or interpolation
/// opens a level, and inside one, every `where`, `satisfy`, prefix `not` or `-`, and
/// right-associative `implies` or `??` adds one until the expression ends (at a comma or
/// a statement keyword).
pub fn excessive_nesting(text: &str, tokens: &[Token]) -> Option<Span> {
    let mut frames: Vec<u32> = vec![0];
    let mut brackets: u32 = 0;
    let mut previous_is_operand = false;
    let significant = tokens.iter().filter(|t| !t.is_trivia() && t.kind != TokenKind::DocComment);
    let mut iter = significant.peekable();
    while let Some(token) = iter.next() {
        let text_of = |t: &Token| t.text(text);
        let word = text_of(token);
        let mut operand = false;
        match token.kind {
            TokenKind::InterpolationOpen => {
                frames.push(0);
                brackets += 1;
            }
            TokenKind::InterpolationClose => {
                if frames.len() > 1 {
                    frames.pop();
                    brackets -= 1;
                }
                operand = true;
            }
            TokenKind::Punct => match word {
                "(" | "[" | "{" => {
                    frames.push(0);
                    brackets += 1;
                }
                ")" | "]" | "}" => {
                    if frames.len() > 1 {
                        frames.pop();
                        brackets -= 1;
                    }
                    operand = true;
                }
                "," => reset(&mut frames),
                "-" if !previous_is_operand => bump(&mut frames),
                "??" => bump(&mut frames),
                _ => {}
            },
            TokenKind::Word => match word {
                "where" | "satisfy" | "implies" => bump(&mut frames),
                "not" => {
                    let before_in = iter.peek().is_some_and(|t| text_of(t) == "in");
                    if !before_in {
                        bump(&mut frames);
                    }
                }
                "and" | "or" | "in" | "matches" => {}
                w if is_statement_keyword(w) => reset(&mut frames),
                _ => operand = true,
            },
            TokenKind::Number | TokenKind::StringClose => operand = true,
            _ => {}
        }
        previous_is_operand = operand;
        let depth = brackets + frames.iter().sum::<u32>();
        if depth > MAX_NESTING {
            return Some(token.span);
        }
    }
    None
}

fn bump(frames: &mut [u32]) {
    if let Some(last) = frames.last_mut() {
        *last += 1;
    }
}

fn reset(frames: &mut [u32]) {
    if let Some(last) = frames.last_mut() {
        *last = 0;
    }
}

/// Words that end the expression before them.
fn is_statement_keyword(word: &str) -> bool {
    matches!(
        word,
        "require"
            | "else"
            | "let"
            | "for"
            | "rule"
            | "applies"
            | "objective"
            | "severity"
            | "maps"
            | "attest"
            | "by"
            | "within"
            | "about"
            | "given"
            | "expect"
            | "set"
            | "param"
            | "package"
            | "use"
            | "schema"
            | "control"
            | "clause"
            | "not_applicable"
            | "waive"
            | "override"
            | "disable"
            | "framework"
            | "crosswalk"
            | "test"
            | "requirement"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::tokenize;

    fn check(text: &str) -> Option<Span> {
        excessive_nesting(text, &tokenize(text))
    }

    #[test]
    fn ordinary_rules_pass() {
        let text = "control A.1 \"t\" { rule r for s: K where s.a and not s.b require some x: K where (x.a == s.a) and count(y: K where y.b) > -1 else \"{s.a}\" }";
        assert_eq!(check(text), None);
    }

    #[test]
    fn deep_brackets_fail_at_the_first_excess() {
        let text = "(".repeat(100);
        assert_eq!(check(&text), Some(Span::new(64, 65)));
    }

    #[test]
    fn chains_of_prefix_operators_and_quantifiers_fail() {
        assert!(check(&"not ".repeat(100)).is_some());
        assert!(check(&"- ".repeat(100)).is_some());
        assert!(check(&"some x: K where ".repeat(100)).is_some());
        assert!(check(&"a implies ".repeat(100)).is_some());
    }

    #[test]
    fn long_flat_chains_pass() {
        assert_eq!(check(&"a and ".repeat(1000)), None);
        assert_eq!(check(&"a - ".repeat(1000)), None);
        assert_eq!(check(&"rule r require some x: K where x.a ".repeat(1000)), None);
    }
}
