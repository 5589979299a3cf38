//! From located nodes to typed values, as the schema says: each problem is a diagnostic
//! at the value that causes it.

use std::sync::Arc;

use jiff::civil::Date;
use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_sema::ty::{FieldDef, RecordTy, Ty};
use tenet_sema::value::{Duration, Value};

use crate::node::{Node, NodeKind};

/// Where typing reports, and which field names it tolerates without a warning.
pub(crate) struct Typer<'a> {
    pub path: &'a Arc<str>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// False for CSV rows, whose unknown columns are reported once, at the header.
    pub warn_unknown: bool,
}

impl Typer<'_> {
    fn report(&mut self, code: Code, span: Span, message: String) {
        self.diagnostics.push(Diagnostic::new(code, self.path.clone(), span, message));
    }

    /// Types a mapping as a record. `None` when a required field is missing or a value
    /// has the wrong type (the document is then left out of evaluation).
    pub fn record(&mut self, node: &Node, record: &RecordTy, what: &str) -> Option<Vec<Value>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.report(
                Code::EVIDENCE_TYPE,
                node.span,
                format!("{what} must be a mapping of fields, not {}", node.describe()),
            );
            return None;
        };
        let mut ok = true;
        let mut values = Vec::with_capacity(record.fields.len());
        for field in &record.fields {
            let found = entries.iter().find(|(k, _, _)| k == field.source_name());
            match found {
                Some((_, _, value)) if !value.is_null() => match self.value(value, &field.ty, field) {
                    Some(v) => values.push(v),
                    None => {
                        ok = false;
                        values.push(Value::None);
                    }
                },
                _ if matches!(field.ty, Ty::Optional(_)) => values.push(Value::None),
                Some((_, key_span, _)) => {
                    self.report(
                        Code::MISSING_EVIDENCE_FIELD,
                        *key_span,
                        format!("`{}` is empty, but {what} requires it", field.source_name()),
                    );
                    ok = false;
                    values.push(Value::None);
                }
                None => {
                    let d = Diagnostic::new(
                        Code::MISSING_EVIDENCE_FIELD,
                        self.path.clone(),
                        node.span.cover(Span::new(node.span.start, node.span.start)),
                        format!("{what} has no `{}`, which its schema requires", field.source_name()),
                    )
                    .with_help(format!(
                        "add `{}`, or declare it optional (`?`) in the schema",
                        field.source_name()
                    ));
                    self.diagnostics.push(d);
                    ok = false;
                    values.push(Value::None);
                }
            }
        }
        if self.warn_unknown {
            for (key, key_span, _) in entries {
                if key == "kind" || record.fields.iter().any(|f| f.source_name() == key) {
                    continue;
                }
                let names: Vec<&str> = record.fields.iter().map(FieldDef::source_name).collect();
                let mut d = Diagnostic::new(
                    Code::UNKNOWN_EVIDENCE_FIELD,
                    self.path.clone(),
                    *key_span,
                    format!("{what} has no field `{key}`; no rule can read it"),
                );
                if let Some(best) = tenet_sema::did_you_mean(key, names.iter().copied()) {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                self.diagnostics.push(d);
            }
        }
        ok.then_some(values)
    }

    /// Types one value.
    pub fn value(&mut self, node: &Node, ty: &Ty, field: &FieldDef) -> Option<Value> {
        if node.is_null() {
            return if matches!(ty, Ty::Optional(_)) {
                Some(Value::None)
            } else {
                self.report(
                    Code::MISSING_EVIDENCE_FIELD,
                    node.span,
                    format!("`{}` is empty, but it is required", field.source_name()),
                );
                None
            };
        }
        let name = field.source_name();
        let wrong = |this: &mut Self, expected: &str| {
            this.report(
                Code::EVIDENCE_TYPE,
                node.span,
                format!("`{name}` must be {expected}, but it is {}", node.describe()),
            );
            None
        };
        match ty.non_optional() {
            Ty::String => match &node.kind {
                NodeKind::Text { text, .. } | NodeKind::Number(text) => {
                    Some(Value::String(Arc::from(text.as_str())))
                }
                NodeKind::Bool(b) => Some(Value::String(Arc::from(b.to_string()))),
                _ => wrong(self, "text"),
            },
            Ty::Ref(_) => match &node.kind {
                NodeKind::Text { text, .. } | NodeKind::Number(text) => {
                    Some(Value::String(Arc::from(text.trim())))
                }
                _ => wrong(self, "the key of a document"),
            },
            Ty::Enum(values) => {
                let text = match &node.kind {
                    NodeKind::Text { text, .. } | NodeKind::Number(text) => text.trim().to_owned(),
                    NodeKind::Bool(b) => b.to_string(),
                    _ => return wrong(self, "one of the allowed values"),
                };
                if let Some(v) = values.iter().find(|v| ***v == *text) {
                    return Some(Value::String(v.clone()));
                }
                let allowed: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                let mut d = Diagnostic::new(
                    Code::EVIDENCE_ENUM,
                    self.path.clone(),
                    node.span,
                    format!("`{name}` is \"{text}\", which is not one of {}", allowed.join(", ")),
                );
                if let Some(best) = tenet_sema::did_you_mean(&text, values.iter().map(|v| &**v)) {
                    d = d.with_help(format!("did you mean \"{best}\"?"));
                }
                self.diagnostics.push(d);
                None
            }
            Ty::Bool => match &node.kind {
                NodeKind::Bool(b) => Some(Value::Bool(*b)),
                NodeKind::Text { text, plain: true } => match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" => Some(Value::Bool(true)),
                    "false" | "no" => Some(Value::Bool(false)),
                    _ => wrong(self, "`true` or `false`"),
                },
                _ => wrong(self, "`true` or `false`"),
            },
            Ty::Int => match number_text(node) {
                Some(t) => match t.parse::<i64>() {
                    Ok(i) => Some(Value::Int(i)),
                    Err(_) => wrong(self, "a whole number"),
                },
                None => wrong(self, "a whole number"),
            },
            Ty::Float => match number_text(node).and_then(|t| t.parse::<f64>().ok()) {
                Some(x) if x.is_finite() => Some(Value::Float(x)),
                _ => wrong(self, "a number"),
            },
            Ty::Date => match node.as_text().and_then(|t| parse_date(t.trim())) {
                Some(d) => Some(Value::Date(d)),
                None => wrong(self, "a date (YYYY-MM-DD)"),
            },
            Ty::DateTime => match node.as_text().and_then(|t| t.trim().parse::<jiff::Timestamp>().ok()) {
                Some(t) => Some(Value::DateTime(t)),
                None => wrong(self, "a date and time with a zone (2024-03-01T09:30:00Z)"),
            },
            Ty::Duration => match node.as_text().and_then(parse_duration) {
                Some(d) => Some(Value::Duration(d)),
                None => wrong(self, "a duration such as \"12 months\" or \"30 days\""),
            },
            Ty::List(element) => match &node.kind {
                NodeKind::Seq(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    let mut ok = true;
                    for item in items {
                        match self.value(item, element, field) {
                            Some(v) => out.push(v),
                            None => ok = false,
                        }
                    }
                    ok.then(|| Value::List(Arc::from(out)))
                }
                // A CSV cell (or a lone scalar) holds a list separated by `;`.
                NodeKind::Text { text, plain: true } => {
                    let mut out = Vec::new();
                    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                        let item =
                            Node::new(NodeKind::Text { text: part.to_owned(), plain: true }, node.span);
                        out.push(self.value(&item, element, field)?);
                    }
                    Some(Value::List(Arc::from(out)))
                }
                _ => wrong(self, "a list"),
            },
            Ty::Record(record) => {
                let what = format!("`{name}`");
                self.record(node, record, &what).map(|v| Value::Record(Arc::from(v)))
            }
            _ => wrong(self, "a value of a supported type"),
        }
    }
}

fn number_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Number(t) => Some(t.clone()),
        NodeKind::Text { text, plain: true } => Some(text.trim().replace('_', "")),
        _ => None,
    }
}

/// `YYYY-MM-DD`, also the date part of a TOML local date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>().ok()
}

/// `12 months`, `1 year`, `30 days`, `2 weeks`, `6 hours`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = text[..split].parse().ok()?;
    let unit = text[split..].trim();
    let d = Duration::default();
    Some(match unit.trim_end_matches('s') {
        "year" => Duration { months: n.checked_mul(12)?, ..d },
        "month" => Duration { months: n, ..d },
        "week" => Duration { days: n.checked_mul(7)?, ..d },
        "day" => Duration { days: n, ..d },
        "hour" => Duration { seconds: n.checked_mul(3600)?, ..d },
        "minute" => Duration { seconds: n.checked_mul(60)?, ..d },
        _ => return None,
    })
}
