//! Syntax errors, worded for people: what was expected, in words, and what was found.

use pest::error::{ErrorVariant, InputLocation};
use tenet_diagnostics::{Code, Diagnostic, Span};

use crate::grammar::Rule;
use crate::lexer::{TokenKind, tokenize};

/// What went wrong while reading a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// Nesting exceeds the parser's limit.
    NestingTooDeep,
    /// A literal that denotes nothing, such as `2023-02-29`.
    InvalidLiteral,
    /// The file is not UTF-8 or is too large.
    Unreadable,
}

/// A syntax error: located, worded, and never fatal to the rest of the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    /// What kind of error.
    pub kind: SyntaxErrorKind,
    /// Where.
    pub span: Span,
    /// What was expected and found.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl SyntaxError {
    pub(crate) fn new(kind: SyntaxErrorKind, span: Span, message: impl Into<String>) -> Self {
        SyntaxError { kind, span, message: message.into(), help: None }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic code for this kind of error.
    pub fn code(&self) -> Code {
        match self.kind {
            SyntaxErrorKind::Syntax => Code::SYNTAX,
            SyntaxErrorKind::NestingTooDeep => Code::NESTING_TOO_DEEP,
            SyntaxErrorKind::InvalidLiteral => Code::INVALID_LITERAL,
            SyntaxErrorKind::Unreadable => Code::UNREADABLE_SOURCE,
        }
    }

    /// The error as a diagnostic in the file at `path`.
    pub fn to_diagnostic(&self, path: &str) -> Diagnostic {
        let mut d = Diagnostic::new(self.code(), path, self.span, self.message.clone());
        if let Some(help) = &self.help {
            d = d.with_help(help.clone());
        }
        d
    }
}

/// Converts pest's error for a chunk starting at `base` within `text`.
pub(crate) fn from_pest(err: &pest::error::Error<Rule>, text: &str, base: usize) -> SyntaxError {
    let (start, end) = match err.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let start = base + start;
    let end = base + end;
    let message = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => expected_message(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    // Strings end on their line: an unclosed one is reported where the line ends.
    if positives_include(&err.variant, Rule::p_close_quote)
        && text[start.min(text.len())..].starts_with(['\n', '\r'])
    {
        let message = format!("{message} before the end of the line");
        return SyntaxError::new(SyntaxErrorKind::Syntax, Span::from_usize(start, start), message)
            .with_help("strings are one line long; write a line break as `\\n`");
    }
    match found_at(text, start) {
        Some((skip, len)) => {
            let at = start + skip;
            let token = text.get(at..at + len).unwrap_or("");
            let message = format!("{message}, found `{}`", abbreviate(token));
            SyntaxError::new(SyntaxErrorKind::Syntax, Span::from_usize(at, at + len), message)
        }
        None => {
            let message = format!("{message}, found the end of the file");
            SyntaxError::new(SyntaxErrorKind::Syntax, Span::from_usize(start, end.max(start)), message)
        }
    }
}

fn positives_include(variant: &ErrorVariant<Rule>, rule: Rule) -> bool {
    matches!(variant, ErrorVariant::ParsingError { positives, .. } if positives.contains(&rule))
}

/// The token at or just after `offset`, as (distance from `offset`, length), for
/// "found …" in messages; `None` at the end of the input.
fn found_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let rest = text.get(offset..).unwrap_or("");
    let tokens = tokenize(rest);
    let first = tokens.iter().position(|t| !t.is_trivia())?;
    let token = tokens.get(first)?;
    let end = if token.kind == TokenKind::StringOpen {
        // A string is shown whole (abbreviated), not as a lone quote.
        tokens[first..]
            .iter()
            .find(|t| t.kind == TokenKind::StringClose)
            .map_or(token.span.end, |t| t.span.end)
    } else {
        token.span.end
    };
    // A runaway string in broken input is shown up to the end of its first line.
    let token_text = rest.get(token.span.start as usize..end as usize).unwrap_or("");
    let len = token_text.find('\n').unwrap_or(token_text.len()).max(1);
    Some((token.span.start as usize, len))
}

fn abbreviate(token: &str) -> String {
    let first_line = token.lines().next().unwrap_or("");
    if first_line.chars().count() > 30 {
        let cut: String = first_line.chars().take(30).collect();
        format!("{cut}…")
    } else {
        first_line.to_owned()
    }
}

fn expected_message(positives: &[Rule]) -> String {
    let mut expected: Vec<&'static str> = positives.iter().filter_map(|r| describe(*r)).collect();
    expected.sort_unstable();
    expected.dedup();
    let declaration_keywords = [Rule::kw_schema, Rule::kw_control, Rule::kw_param];
    if declaration_keywords.iter().all(|k| positives.contains(k)) {
        expected.retain(|e| !e.starts_with('`') || *e == "`}`");
        expected.push("a declaration (`package`, `use`, `schema`, `param`, `set`, `control`, `clause`, `objective`, `not_applicable`, `waive`, `override`, `disable`, `framework`, `crosswalk` or `test`)");
    }
    if expected.len() > 1 {
        // A list that offers everything helps nobody; keep the words that say most.
        expected.retain(|e| *e != "a doc comment");
    }
    if expected.contains(&"an expression") {
        // Names, strings and dates are expressions too.
        expected.retain(|e| !matches!(*e, "a name" | "a string" | "a date (YYYY-MM-DD)"));
    }
    match expected.as_slice() {
        [] => "unexpected input".to_owned(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    }
}

/// Each rule a user may meet in an error, in words.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        p_field_colon => "`:` after the field name",
        p_param_colon => "`:` and the parameter's type",
        p_binding_colon => "`:` and an evidence kind",
        p_default_eq => "`=` and the default value",
        p_set_eq => "`=` and the new value",
        p_let_eq => "`=` and the value",
        p_arrow => "`->`",
        p_schema_open => "`{` to start the schema's fields",
        p_body_open => "`{`",
        p_close => "`}`",
        p_close_paren => "`)`",
        p_close_bracket => "`]`",
        p_close_quote => "`\"` to end the string",
        p_close_interpolation => "`}` to end the interpolation",
        p_waiver_date => "the waiver's expiry date (YYYY-MM-DD)",
        doc | doc_line => "a doc comment",
        ident | name => "a name",
        type_name => "an evidence kind",
        schema_name => "a schema name",
        control_id => "a control id such as `A.5.2`",
        control_ref => "a control such as `iso42001.A.5.2`",
        package_path => "a package name",
        qualified_name => "a parameter name",
        string | string_inner => "a string",
        message | message_text => "a message in quotes",
        interpolation => "an interpolation",
        type_expr | list_type | record_type | ref_type | enum_type | prim_type => "a type",
        optional_mark => "`?`",
        mod_key | mod_effective | mod_alias => "a field modifier (`key`, `effective`, `as`)",
        expr | quantifier | quantifier_kind | aggregate | aggregate_kind | call | list_lit | record_lit
        | paren | duration | float_lit | int_lit | datetime_lit | op_not | op_neg => "an expression",
        date_lit => "a date (YYYY-MM-DD)",
        duration_unit => "a unit (`days`, `weeks`, `months`, `years`, `hours`, `minutes`)",
        op_implies | op_or | op_and | op_not_in | op_in | op_matches | op_coalesce | op_eq | op_ne
        | op_le | op_ge | op_lt | op_gt | op_add | op_sub | op_mul | op_div => "an operator",
        field_access => "`.` and a field",
        binding => "a binding such as `x: Kind` or `x in list`",
        record_field => "a field such as `name: value`",
        severity_level => "a severity (`low`, `medium`, `high` or `critical`)",
        relationship => {
            "a relationship (`equal`, `subset`, `superset`, `intersects`, `related` or `unknown`)"
        }
        confidence => "a confidence (`low`, `medium` or `high`)",
        expect_status => {
            "a status (`passes`, `fails`, `errors`, `waived`, `not_applicable` or `no_evidence`)"
        }
        map_target => "a framework and requirement ids",
        metadata_entry => "a metadata entry such as `source \"…\"`",
        requirement_decl | kw_requirement => "`requirement`",
        crosswalk_pair => "a pair such as `A.5.2 -> \"Art. 27\"`",
        rule_decl | require | kw_require => "`require`",
        rule_for | kw_for => "`for`",
        rule_applies => "`applies when`",
        let_stmt | kw_let => "`let`",
        rule_else | kw_else => "`else`",
        justification | kw_because => "`because`",
        rule_selector | kw_rule => "`rule`",
        waiver_subject => "`for`",
        intent_decl => "`objective`",
        severity_decl | kw_severity => "`severity`",
        maps_decl | kw_maps => "`maps`",
        applies_decl | kw_applies => "`applies`",
        attest_decl | kw_attest => "`attest`",
        attest_by | kw_by => "`by`",
        attest_within | kw_within => "`within`",
        attest_about | kw_about => "`about`",
        reviewed | kw_reviewed => "`reviewed`",
        test_today => "`today`",
        test_set => "`set`",
        given | kw_given => "`given`",
        expect | kw_expect => "`expect`",
        kw_package => "`package`",
        kw_use => "`use`",
        kw_as => "`as`",
        kw_schema => "`schema`",
        kw_from => "`from`",
        kw_to => "`to`",
        kw_at | source_at => "`at`",
        kw_encoding => "`encoding`",
        kw_delimiter => "`delimiter`",
        kw_decimal => "`decimal`",
        kw_header => "`header`",
        schema_none | kw_none_words => "`none`",
        kw_format | mod_format => "`format`",
        kw_key => "`key`",
        kw_effective => "`effective`",
        kw_ref => "`ref`",
        kw_param => "`param`",
        kw_set => "`set`",
        kw_not_applicable => "`not_applicable`",
        kw_waive => "`waive`",
        kw_override => "`override`",
        kw_disable => "`disable`",
        kw_until => "`until`",
        kw_approved_by => "`approved_by`",
        kw_control => "`control`",
        kw_clause => "`clause`",
        kw_objective => "`objective`",
        kw_when => "`when`",
        kw_where => "`where`",
        kw_satisfy => "`satisfy`",
        kw_framework => "`framework`",
        kw_crosswalk => "`crosswalk`",
        kw_test => "`test`",
        kw_with => "`with`",
        kw_in | kw_and | kw_or | kw_implies | kw_matches => "an operator",
        kw_not | kw_true | kw_false | kw_none | kw_today => "an expression",
        _ => return None,
    })
}
