//! Printing expressions: on one line when they fit, otherwise broken before `and`/`or`
//! and after a quantifier's `where`. Parentheses are printed where the tree has them and,
//! for trees built by programs, wherever precedence requires them.

use crate::ast::*;
use crate::format::WIDTH;

/// Binding strength; higher binds tighter.
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Quantifier { .. } => 0,
        ExprKind::Binary { op: BinaryOp::Implies, .. } => 1,
        ExprKind::Logic { op: LogicOp::Or, .. } => 2,
        ExprKind::Logic { op: LogicOp::And, .. } => 3,
        ExprKind::Unary { op: UnaryOp::Not, .. } => 4,
        ExprKind::Binary { op, .. } if op.is_comparison() => 5,
        ExprKind::Binary { op: BinaryOp::Coalesce, .. } => 6,
        ExprKind::Binary { op: BinaryOp::Add | BinaryOp::Sub, .. } => 7,
        ExprKind::Binary { .. } => 8,
        ExprKind::Unary { op: UnaryOp::Neg, .. } => 9,
        ExprKind::Field { .. } => 10,
        _ => 11,
    }
}

/// Whether `e` must be wrapped where at least `min` binding strength is needed, and where
/// `tail` says whether anything follows it (a quantifier swallows what follows).
fn needs_parens(e: &Expr, min: u8, tail: bool) -> bool {
    precedence(e) < min || (!tail && ends_with_quantifier(e))
}

/// True when the printed expression ends in a quantifier's open-ended body.
fn ends_with_quantifier(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Quantifier { .. } => true,
        ExprKind::Unary { operand, .. } => ends_with_quantifier(operand),
        ExprKind::Binary { rhs, .. } => ends_with_quantifier(rhs),
        ExprKind::Logic { operands, .. } => operands.last().is_some_and(ends_with_quantifier),
        _ => false,
    }
}

/// The expression on one line.
pub(crate) fn flat(e: &Expr) -> String {
    flat_in(e, 0, true)
}

fn flat_in(e: &Expr, min: u8, tail: bool) -> String {
    if needs_parens(e, min, tail) {
        return format!("({})", flat_in(e, 0, true));
    }
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Field { base, field } => format!("{}.{}", flat_in(base, 10, false), field.text),
        ExprKind::Unary { op: UnaryOp::Not, operand } => format!("not {}", flat_in(operand, 4, tail)),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => format!("-{}", flat_in(operand, 9, tail)),
        ExprKind::Binary { op, lhs, rhs } => {
            let p = precedence(e);
            let right_assoc = matches!(op, BinaryOp::Implies | BinaryOp::Coalesce);
            let (lmin, rmin) = if right_assoc { (p + 1, p) } else { (p, p + 1) };
            format!("{} {} {}", flat_in(lhs, lmin, false), op.as_str(), flat_in(rhs, rmin, tail))
        }
        ExprKind::Logic { op, operands } => {
            let p = precedence(e);
            let last = operands.len().saturating_sub(1);
            operands
                .iter()
                .enumerate()
                .map(|(i, o)| flat_in(o, p + 1, tail && i == last))
                .collect::<Vec<_>>()
                .join(&format!(" {} ", op.as_str()))
        }
        ExprKind::Paren(inner) => format!("({})", flat_in(inner, 0, true)),
        ExprKind::Call { func, args } => format!("{}({})", func.text, comma_list(args)),
        ExprKind::Quantifier { kind, binding: b, filter, predicate } => {
            let mut out = format!("{} {}", kind.as_str(), binding(b));
            if let Some(f) = filter {
                out.push_str(" where ");
                out.push_str(&flat_in(f, 0, predicate.is_none() && tail));
            }
            if let Some(p) = predicate {
                out.push_str(" satisfy ");
                out.push_str(&flat_in(p, 0, tail));
            }
            out
        }
        ExprKind::Aggregate { kind, value, binding: b, filter } => {
            let mut out = format!("{}(", kind.as_str());
            if let Some(v) = value {
                out.push_str(&flat_in(v, 1, false));
                out.push_str(" for ");
            }
            out.push_str(&binding(b));
            if let Some(f) = filter {
                out.push_str(" where ");
                out.push_str(&flat_in(f, 0, true));
            }
            out.push(')');
            out
        }
        ExprKind::List(items) => format!("[{}]", comma_list(items)),
        ExprKind::Record(fields) => record_flat(fields),
    }
}

fn comma_list(items: &[Expr]) -> String {
    items.iter().map(|i| flat_in(i, 0, true)).collect::<Vec<_>>().join(", ")
}

/// `{ a: 1, b: 2 }`, or `{}` when empty.
pub(crate) fn record_flat(fields: &[RecordField]) -> String {
    if fields.is_empty() {
        return "{}".to_owned();
    }
    let inner: Vec<String> =
        fields.iter().map(|f| format!("{}: {}", f.name.text, flat_in(&f.value, 0, true))).collect();
    format!("{{ {} }}", inner.join(", "))
}

/// `x: Kind` or `x in expr`.
pub(crate) fn binding(b: &Binding) -> String {
    match &b.domain {
        Domain::Kind(k) => format!("{}: {}", b.var.text, k.text),
        Domain::List(e) => format!("{} in {}", b.var.text, flat_in(e, 1, false)),
    }
}

/// The expression laid out starting at column `column`, with continuation lines indented
/// by `indent` spaces. The first line carries no indentation (it follows a prefix); the
/// others carry theirs.
pub(crate) fn layout(e: &Expr, column: usize, indent: usize) -> Vec<String> {
    let one_line = flat(e);
    if column + one_line.len() <= WIDTH {
        return vec![one_line];
    }
    match &e.kind {
        ExprKind::Logic { op, operands } => {
            let p = precedence(e);
            let last = operands.len().saturating_sub(1);
            let mut lines: Vec<String> = Vec::new();
            for (i, operand) in operands.iter().enumerate() {
                let wrapped = needs_parens(operand, p + 1, i == last);
                let prefix = if i == 0 { String::new() } else { format!("{} ", op.as_str()) };
                let start = if i == 0 { column } else { indent + prefix.len() };
                let mut sub = if wrapped {
                    vec![flat_in(operand, p + 1, i == last)]
                } else {
                    layout(operand, start, indent + 2)
                };
                if i == 0 {
                    lines.append(&mut sub);
                } else {
                    let first = sub.remove(0);
                    lines.push(format!("{}{prefix}{first}", " ".repeat(indent)));
                    lines.append(&mut sub);
                }
            }
            lines
        }
        ExprKind::Quantifier { kind, binding: b, filter: Some(f), predicate } => {
            let head = format!("{} {} where ", kind.as_str(), binding(b));
            let mut lines = if needs_parens(f, 0, predicate.is_none()) {
                vec![flat_in(f, 0, false)]
            } else {
                layout(f, column + head.len(), indent)
            };
            if let Some(first) = lines.first_mut() {
                *first = format!("{head}{first}");
            }
            if let Some(p) = predicate {
                let mut sub = layout(p, indent + 8, indent + 2);
                let first = sub.remove(0);
                lines.push(format!("{}satisfy {first}", " ".repeat(indent)));
                lines.append(&mut sub);
            }
            lines
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = precedence(e);
            let right_assoc = matches!(op, BinaryOp::Implies | BinaryOp::Coalesce);
            let (lmin, rmin) = if right_assoc { (p + 1, p) } else { (p, p + 1) };
            let mut lines = if needs_parens(lhs, lmin, false) {
                vec![flat_in(lhs, lmin, false)]
            } else {
                layout(lhs, column, indent + 2)
            };
            let prefix = format!("{} ", op.as_str());
            let mut sub = if needs_parens(rhs, rmin, true) {
                vec![flat_in(rhs, rmin, true)]
            } else {
                layout(rhs, indent + prefix.len(), indent + 2)
            };
            let first = sub.remove(0);
            lines.push(format!("{}{prefix}{first}", " ".repeat(indent)));
            lines.append(&mut sub);
            lines
        }
        ExprKind::Paren(inner) => {
            let mut lines = layout(inner, column + 1, indent + 1);
            if let Some(first) = lines.first_mut() {
                first.insert(0, '(');
            }
            if let Some(last) = lines.last_mut() {
                last.push(')');
            }
            lines
        }
        _ => vec![one_line],
    }
}

/// A literal as source text.
pub(crate) fn literal(l: &Literal) -> String {
    match l {
        Literal::Bool(b) => b.to_string(),
        Literal::None => "none".to_owned(),
        Literal::Today => "today".to_owned(),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => f.clone(),
        Literal::String(s) => string(s),
        Literal::Date(d) => d.to_string(),
        Literal::DateTime(d) => d.clone(),
        Literal::Duration(n, u) => format!("{n} {}", u.word(*n)),
    }
}

/// A string literal with the escapes the grammar needs.
pub(crate) fn string(s: &str) -> String {
    format!("\"{}\"", escape(s, false))
}

/// A message: text escaped (braces doubled), interpolations in braces.
pub(crate) fn message(m: &Message) -> String {
    let mut out = String::from("\"");
    for part in &m.parts {
        match part {
            MessagePart::Text(t) => out.push_str(&escape(t, true)),
            MessagePart::Expr(e) => {
                out.push('{');
                out.push_str(&flat_in(e, 0, true));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

fn escape(s: &str, message: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '{' if message => out.push_str("{{"),
            '}' if message => out.push_str("}}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
