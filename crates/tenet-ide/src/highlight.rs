//! Semantic highlighting: the lexer's tokens, refined by the index where a word names a
//! declaration, so a schema, a field, a parameter and a variable each get their colour
//! even where the grammar alone cannot tell them apart.

use tenet_db::{Db, SourceFile, Workspace};
use tenet_diagnostics::Span;
use tenet_syntax::lexer::{TokenKind, tokenize};

use crate::builtins::{KEYWORDS, PRIMITIVE_TYPES, RELATIONSHIPS, SEVERITIES};
use crate::files::source_text;
use crate::index::{Definition, Role, file_index};

/// The token types, in the order of the server's legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HighlightKind {
    /// A package.
    Namespace,
    /// An evidence kind or a built-in type.
    Type,
    /// A field.
    Property,
    /// A variable.
    Variable,
    /// A parameter.
    Parameter,
    /// A built-in function.
    Function,
    /// A keyword.
    Keyword,
    /// A comment.
    Comment,
    /// A string.
    String,
    /// A number, date or duration.
    Number,
    /// An operator.
    Operator,
    /// A fixed word such as a severity or relationship.
    EnumMember,
    /// A control, clause or objective.
    Class,
    /// A rule or attestation requirement.
    Method,
    /// A framework.
    Interface,
}

impl HighlightKind {
    /// Every kind, in legend order.
    pub const ALL: [HighlightKind; 15] = [
        HighlightKind::Namespace,
        HighlightKind::Type,
        HighlightKind::Property,
        HighlightKind::Variable,
        HighlightKind::Parameter,
        HighlightKind::Function,
        HighlightKind::Keyword,
        HighlightKind::Comment,
        HighlightKind::String,
        HighlightKind::Number,
        HighlightKind::Operator,
        HighlightKind::EnumMember,
        HighlightKind::Class,
        HighlightKind::Method,
        HighlightKind::Interface,
    ];
}

/// Token modifiers, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HighlightModifier {
    /// The name is declared here.
    Declaration = 1,
    /// A doc comment.
    Documentation = 2,
    /// A value that cannot change (a parameter).
    Readonly = 4,
    /// Declared by a built-in pack, or built in.
    DefaultLibrary = 8,
}

impl HighlightModifier {
    /// Every modifier, in legend order (bit `1 << i` is the `i`th).
    pub const ALL: [HighlightModifier; 4] = [
        HighlightModifier::Declaration,
        HighlightModifier::Documentation,
        HighlightModifier::Readonly,
        HighlightModifier::DefaultLibrary,
    ];
}

/// A highlighted range; ranges never overlap and come in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HighlightToken {
    /// Where.
    pub span: Span,
    /// What.
    pub kind: HighlightKind,
    /// [`HighlightModifier`] bits.
    pub modifiers: u32,
}

/// The highlighting of a whole file.
pub fn highlight(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<HighlightToken> {
    let text = source_text(db, file);
    let index = file_index(db, workspace, file);
    let mut occurrences = index.occurrences.iter().peekable();
    let mut out: Vec<HighlightToken> = Vec::new();
    let mut covered_until = 0u32;
    for token in tokenize(&text) {
        if token.span.start < covered_until {
            continue;
        }
        while occurrences.peek().is_some_and(|o| o.span.start < token.span.start) {
            occurrences.next();
        }
        if let Some(o) = occurrences.peek().filter(|o| o.span.start == token.span.start)
            && let Some((kind, mut modifiers)) = definition_kind(&o.definition)
            && !matches!(token.kind, TokenKind::StringOpen)
        {
            if o.role == Role::Declaration {
                modifiers |= HighlightModifier::Declaration as u32;
            }
            out.push(HighlightToken { span: o.span, kind, modifiers });
            covered_until = o.span.end;
            continue;
        }
        let word = token.text(&text);
        let (kind, modifiers) = match token.kind {
            TokenKind::Whitespace | TokenKind::Unknown => continue,
            TokenKind::LineComment | TokenKind::BlockComment => (HighlightKind::Comment, 0),
            TokenKind::DocComment => (HighlightKind::Comment, HighlightModifier::Documentation as u32),
            TokenKind::StringOpen | TokenKind::StringText | TokenKind::StringClose => {
                (HighlightKind::String, 0)
            }
            TokenKind::InterpolationOpen | TokenKind::InterpolationClose => (HighlightKind::Operator, 0),
            TokenKind::Number => (HighlightKind::Number, 0),
            TokenKind::Punct => match word {
                "{" | "}" | "(" | ")" | "[" | "]" | "," | "." | ":" | ";" => continue,
                _ => (HighlightKind::Operator, 0),
            },
            TokenKind::Word => match word {
                w if PRIMITIVE_TYPES.contains(&w) => {
                    (HighlightKind::Type, HighlightModifier::DefaultLibrary as u32)
                }
                w if SEVERITIES.contains(&w) || RELATIONSHIPS.contains(&w) => (HighlightKind::EnumMember, 0),
                w if KEYWORDS.contains(&w) => (HighlightKind::Keyword, 0),
                w if is_duration_unit(w) => (HighlightKind::Number, 0),
                _ => continue,
            },
        };
        out.push(HighlightToken { span: token.span, kind, modifiers });
    }
    out
}

fn is_duration_unit(word: &str) -> bool {
    matches!(
        word,
        "year"
            | "years"
            | "month"
            | "months"
            | "week"
            | "weeks"
            | "day"
            | "days"
            | "hour"
            | "hours"
            | "minute"
            | "minutes"
    )
}

fn definition_kind(definition: &Definition) -> Option<(HighlightKind, u32)> {
    Some(match definition {
        Definition::Package(_) => (HighlightKind::Namespace, 0),
        Definition::Schema(_) => (HighlightKind::Type, 0),
        Definition::Field(_) => (HighlightKind::Property, 0),
        Definition::Param(_) => (HighlightKind::Parameter, HighlightModifier::Readonly as u32),
        Definition::Control(_) => (HighlightKind::Class, 0),
        Definition::Rule(..) => (HighlightKind::Method, 0),
        Definition::Framework(_) => (HighlightKind::Interface, 0),
        Definition::Local(_) => (HighlightKind::Variable, 0),
        Definition::Function(_) => (HighlightKind::Function, HighlightModifier::DefaultLibrary as u32),
        // Requirement ids are strings as written: colour them as strings.
        Definition::Requirement(..) => return None,
    })
}
