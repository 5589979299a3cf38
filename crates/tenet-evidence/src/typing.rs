//! From located nodes to typed values, as the schema says: each problem is a diagnostic
//! at the value that causes it, and each value keeps where it was written.

use std::sync::Arc;

use jiff::civil::Date;
use tenet_diagnostics::{Code, Diagnostic, Span};
use tenet_sema::ty::{FieldDef, RecordTy, Ty};
use tenet_sema::value::{Duration, Value};

use crate::location::ValueLocation;
use crate::node::{Node, NodeKind};

/// Where typing reports, and which field names it tolerates without a warning.
pub(crate) struct Typer<'a> {
    pub path: &'a Arc<str>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// False for CSV rows, whose unknown columns are reported once, at the header.
    pub warn_unknown: bool,
    /// Whether to keep where each value is written ([`Typed::locations`]); when false,
    /// the locations are left empty.
    pub locate: bool,
    /// The words the schema says mean no value (`none "N/A"`), read as empty.
    pub none: &'a [Arc<str>],
    /// Whether the file is a CSV or TSV file, where a number with a comma for its
    /// decimal mark is worth a word on `decimal ","`.
    pub tabular: bool,
    /// Whether numbers are written with a decimal comma (`decimal ","`, in a CSV file).
    pub decimal_comma: bool,
}

/// A record's values and their locations, both in the record type's field order.
pub(crate) struct Typed {
    pub values: Vec<Value>,
    pub locations: Vec<Option<ValueLocation>>,
}

impl Typer<'_> {
    /// Whether a value is empty: nothing, or one of the schema's words for nothing.
    fn is_empty(&self, node: &Node) -> bool {
        node.is_null()
            || (!self.none.is_empty()
                && node.as_text().is_some_and(|t| self.none.iter().any(|w| w.eq_ignore_ascii_case(t.trim()))))
    }

    fn report(&mut self, code: Code, span: Span, message: String) {
        self.diagnostics.push(Diagnostic::new(code, self.path.clone(), span, message));
    }

    /// Types a mapping as a record. `None` when a required field is missing or a value
    /// has the wrong type (the document is then left out of evaluation).
    pub fn record(&mut self, node: &Node, record: &RecordTy, what: &dyn std::fmt::Display) -> Option<Typed> {
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
        let locate = self.locate;
        let mut locations = Vec::with_capacity(if locate { record.fields.len() } else { 0 });
        let mut matched = 0;
        for (position, field) in record.fields.iter().enumerate() {
            let name = field.source_name();
            // Documents mostly write their fields in the schema's order: that place first.
            let found = match entries.get(position) {
                Some(entry) if entry.0 == name => Some(entry),
                _ => entries.iter().find(|(k, _, _)| k == name),
            };
            matched += usize::from(found.is_some());
            let optional = matches!(field.ty, Ty::Optional(_));
            let (value, at) = match found {
                Some((_, _, value)) if !self.is_empty(value) => match self.value(value, &field.ty, field) {
                    Some((v, at)) => (v, Some(at)),
                    None => {
                        ok = false;
                        (Value::None, Some(ValueLocation::Scalar(value.span)))
                    }
                },
                Some((_, _, value)) if optional => (Value::None, Some(ValueLocation::Scalar(value.span))),
                None if optional => (Value::None, None),
                Some((_, key_span, value)) => {
                    let message = match value.as_text().filter(|_| !value.is_null()) {
                        Some(word) => {
                            format!(
                                "`{name}` is \"{}\", which this kind's files write for no value, but {what} requires it",
                                word.trim()
                            )
                        }
                        None => format!("`{name}` is empty, but {what} requires it"),
                    };
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::MISSING_EVIDENCE_FIELD,
                            self.path.clone(),
                            key_span.cover(value.span),
                            message,
                        )
                        .with_help("give it a value, or declare it optional (`?`) in the schema"),
                    );
                    ok = false;
                    (Value::None, Some(ValueLocation::Scalar(value.span)))
                }
                None => {
                    let d = Diagnostic::new(
                        Code::MISSING_EVIDENCE_FIELD,
                        self.path.clone(),
                        node.span,
                        format!("{what} has no `{name}`, which its schema requires"),
                    )
                    .with_help(format!("add `{name}`, or declare it optional (`?`) in the schema"));
                    self.diagnostics.push(d);
                    ok = false;
                    (Value::None, None)
                }
            };
            values.push(value);
            if locate {
                locations.push(at);
            }
        }
        // Each field found is one entry (keys are unique), so when every entry was found
        // there is none the schema lacks.
        if self.warn_unknown && matched < entries.len() {
            self.unknown_fields(entries, record, what);
        }
        ok.then_some(Typed { values, locations })
    }

    fn unknown_fields(
        &mut self,
        entries: &[(String, Span, Node)],
        record: &RecordTy,
        what: &dyn std::fmt::Display,
    ) {
        for (key, key_span, _) in entries {
            if key == "kind" || record.fields.iter().any(|f| f.source_name() == key) {
                continue;
            }
            let names = record.fields.iter().map(FieldDef::source_name);
            let mut d = Diagnostic::new(
                Code::UNKNOWN_EVIDENCE_FIELD,
                self.path.clone(),
                *key_span,
                format!("{what} has no field `{key}`; no rule can read it"),
            );
            if let Some(best) = tenet_sema::did_you_mean(key, names) {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
            self.diagnostics.push(d);
        }
    }

    /// Types one value of `field`.
    pub fn value(&mut self, node: &Node, ty: &Ty, field: &FieldDef) -> Option<(Value, ValueLocation)> {
        let here = ValueLocation::Scalar(node.span);
        if self.is_empty(node) {
            if matches!(ty, Ty::Optional(_)) {
                return Some((Value::None, here));
            }
            self.report(
                Code::MISSING_EVIDENCE_FIELD,
                node.span,
                format!("`{}` has an empty item, but its items are required", field.source_name()),
            );
            return None;
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
        let scalar = |v: Value| Some((v, ValueLocation::Scalar(node.span)));
        match ty.non_optional() {
            Ty::String => match &node.kind {
                NodeKind::Text { text, .. } | NodeKind::Number(text) => scalar(Value::string(text)),
                NodeKind::Bool(b) => scalar(Value::string(if *b { "true" } else { "false" })),
                _ => wrong(self, "text"),
            },
            Ty::Ref(_) => match &node.kind {
                NodeKind::Text { text, .. } | NodeKind::Number(text) => scalar(Value::string(text.trim())),
                _ => wrong(self, "the key of a document"),
            },
            Ty::Enum(values) => {
                let text = match &node.kind {
                    NodeKind::Text { text, .. } | NodeKind::Number(text) => text.trim(),
                    NodeKind::Bool(true) => "true",
                    NodeKind::Bool(false) => "false",
                    _ => return wrong(self, "one of the allowed values"),
                };
                // The schema's own text: every document's value is one of a few.
                let text = tenet_sema::value::composed(text);
                if let Some(v) = values.iter().find(|v| ***v == *text) {
                    return scalar(Value::shared_string(v));
                }
                self.not_in_enum(node.span, name, &text, values);
                None
            }
            Ty::Bool => match &node.kind {
                NodeKind::Bool(b) => scalar(Value::Bool(*b)),
                NodeKind::Text { text, plain: true } => {
                    let text = text.trim();
                    let is = |word: &str| text.eq_ignore_ascii_case(word);
                    if is("true") || is("yes") {
                        scalar(Value::Bool(true))
                    } else if is("false") || is("no") {
                        scalar(Value::Bool(false))
                    } else {
                        wrong(self, "`true` or `false`")
                    }
                }
                _ => wrong(self, "`true` or `false`"),
            },
            Ty::Int => {
                let number = number_text(node);
                // Where the comma is the decimal mark, a point groups thousands: `1.234`.
                let digits = number
                    .as_deref()
                    .and_then(|t| if self.decimal_comma { ungrouped(t) } else { Some(t.into()) });
                let Some(digits) = digits else { return wrong(self, "a whole number") };
                if let Some(i) = parse_int(&digits) {
                    return scalar(Value::Int(i));
                }
                // A whole number written as a float, as pandas writes an integer column
                // with a gap in it (`1.0`, `1e2`), is that number.
                let float = (!self.decimal_comma).then(|| digits.parse::<f64>().ok()).flatten();
                if let Some(x) = float.filter(|x| x.fract() == 0.0 && x.abs() < 9.2e18) {
                    return scalar(Value::Int(x as i64));
                }
                let unsigned = digits.strip_prefix(['-', '+']).unwrap_or(&digits);
                if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
                    let message = format!(
                        "`{name}` is {digits}, beyond the whole numbers Tenet holds (up to {})",
                        i64::MAX
                    );
                    self.report(Code::EVIDENCE_TYPE, node.span, message);
                    return None;
                }
                wrong(self, "a whole number")
            }
            Ty::Float if self.decimal_comma => {
                match number_text(node).and_then(|t| parse_decimal_comma(&t)) {
                    Some(x) => scalar(Value::Float(x)),
                    None => wrong(self, "a number with a decimal comma, such as 0,85"),
                }
            }
            Ty::Float => match number_text(node) {
                Some(t) => match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => scalar(Value::Float(x)),
                    _ if self.tabular && t.contains(',') && parse_decimal_comma(&t).is_some() => {
                        let message = format!("`{name}` must be a number, but it is {}", node.describe());
                        self.diagnostics.push(
                            Diagnostic::new(Code::EVIDENCE_TYPE, self.path.clone(), node.span, message)
                                .with_help("if the kind's CSV files write a decimal comma, declare `decimal \",\"` on its schema"),
                        );
                        None
                    }
                    Ok(x) if x.is_infinite() && !t.to_ascii_lowercase().contains("inf") => {
                        let message =
                            format!("`{name}` is {t}, beyond the largest number Tenet holds (about 1.8e308)");
                        self.report(Code::EVIDENCE_TYPE, node.span, message);
                        None
                    }
                    _ => wrong(self, "a number"),
                },
                None => wrong(self, "a number"),
            },
            // The policy reports the format; no rule reads the field.
            Ty::Date if field.refused_format => scalar(Value::None),
            Ty::Date => match &field.date_format {
                None => match node.as_text().and_then(|t| parse_date(t.trim())) {
                    Some(d) => scalar(Value::Date(d)),
                    None => wrong(self, "a date (YYYY-MM-DD)"),
                },
                Some(format) => match node.as_text().and_then(|t| parse_date_as(t.trim(), format)) {
                    Some(d) => scalar(Value::Date(d)),
                    None => wrong(self, &format!("a date written as `{format}`")),
                },
            },
            Ty::DateTime => match node.as_text().and_then(|t| t.trim().parse::<jiff::Timestamp>().ok()) {
                Some(t) => scalar(Value::DateTime(t)),
                None => wrong(self, "a date and time with a zone (2024-03-01T09:30:00Z)"),
            },
            Ty::Duration => match node.as_text().and_then(parse_duration) {
                Some(d) => scalar(Value::Duration(d)),
                None => wrong(self, "a duration such as \"12 months\" or \"30 days\""),
            },
            Ty::List(element) => self.list(node, element, field),
            Ty::Record(record) => {
                let typed = self.record(node, record, &format_args!("`{name}`"))?;
                let at = ValueLocation::Record { span: node.span, fields: Arc::from(typed.locations) };
                Some((Value::Record(Arc::from(typed.values)), at))
            }
            _ => wrong(self, "a value of a supported type"),
        }
    }

    fn not_in_enum(&mut self, span: Span, name: &str, text: &str, values: &[Arc<str>]) {
        let allowed: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        let shown: String = text.chars().take(60).collect();
        let mut d = Diagnostic::new(
            Code::EVIDENCE_ENUM,
            self.path.clone(),
            span,
            format!("`{name}` is \"{shown}\", which is not one of {}", allowed.join(", ")),
        );
        if let Some(best) = tenet_sema::did_you_mean(text, values.iter().map(|v| &**v)) {
            d = d.with_help(format!("did you mean \"{best}\"?"));
        }
        self.diagnostics.push(d);
    }

    /// A list: a sequence, or a scalar (a CSV cell, a lone YAML value) holding items
    /// separated by `;`.
    fn list(&mut self, node: &Node, element: &Ty, field: &FieldDef) -> Option<(Value, ValueLocation)> {
        let mut values = Vec::new();
        let mut items = Vec::new();
        let mut ok = true;
        match &node.kind {
            NodeKind::Seq(nodes) => {
                for item in nodes {
                    match self.value(item, element, field) {
                        Some((v, at)) => {
                            values.push(v);
                            if self.locate {
                                items.push(at);
                            }
                        }
                        None => ok = false,
                    }
                }
            }
            NodeKind::Text { text, plain: true } => {
                for (part, span) in split_items(text, node.span) {
                    let item = Node::new(NodeKind::Text { text: part.to_owned(), plain: true }, span);
                    match self.value(&item, element, field) {
                        Some((v, at)) => {
                            values.push(v);
                            if self.locate {
                                items.push(at);
                            }
                        }
                        None => ok = false,
                    }
                }
            }
            NodeKind::Text { .. } | NodeKind::Number(_) | NodeKind::Bool(_) => {
                let (v, at) = self.value(node, element, field)?;
                values.push(v);
                if self.locate {
                    items.push(at);
                }
            }
            _ => {
                self.report(
                    Code::EVIDENCE_TYPE,
                    node.span,
                    format!("`{}` must be a list, but it is {}", field.source_name(), node.describe()),
                );
                return None;
            }
        }
        ok.then(|| {
            (Value::List(Arc::from(values)), ValueLocation::List { span: node.span, items: Arc::from(items) })
        })
    }
}

/// The `;`-separated items of a plain scalar, trimmed, each with its span when the text
/// is written verbatim at `span` (an unquoted cell, or a quoted one without escapes), and
/// the whole span otherwise.
fn split_items(text: &str, span: Span) -> Vec<(&str, Span)> {
    let len = text.len();
    let offset = match span.len() as usize {
        l if l == len => Some(span.start),
        l if l == len + 2 => Some(span.start.saturating_add(1)),
        _ => None,
    };
    let mut out = Vec::new();
    let mut at = 0usize;
    for raw in text.split(';') {
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            let lead = raw.len() - raw.trim_start().len();
            let item_span = offset.map_or(span, |o| {
                let start = o as usize + at + lead;
                Span::from_usize(start, start + trimmed.len())
            });
            out.push((trimmed, item_span));
        }
        at += raw.len() + 1;
    }
    out
}

fn number_text(node: &Node) -> Option<std::borrow::Cow<'_, str>> {
    match &node.kind {
        NodeKind::Number(t) => Some(t.as_str().into()),
        NodeKind::Text { text, plain: true } => {
            let text = text.trim();
            Some(if text.contains('_') { text.replace('_', "").into() } else { text.into() })
        }
        _ => None,
    }
}

/// A number written with a decimal comma (`0,85`, `-1,5`, `12`), its thousands grouped or
/// not, as a spreadsheet saves a cell formatted so (`1.234,56`; `1 234,56` with a space or a
/// no-break space): where the comma is the decimal mark, a point or a space only groups
/// thousands, so a number whose marks do not group exactly three digits (`2.5`) is refused
/// rather than guessed at.
fn parse_decimal_comma(text: &str) -> Option<f64> {
    let (whole, fraction) = match text.split_once(',') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let mut plain = ungrouped(whole)?.into_owned();
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    plain.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The marks that group thousands where the comma is the decimal mark: a point (German,
/// Dutch, Italian, Spanish), a space, and the no-break spaces French spreadsheets write.
const THOUSANDS_MARKS: [char; 4] = ['.', ' ', '\u{a0}', '\u{202f}'];

/// The integer part of a decimal-comma number without its thousands marks: `1.234.567`
/// is `1234567`. A number groups with one mark throughout, the first group of one to three
/// digits and every other of exactly three; `None` when its marks group otherwise.
fn ungrouped(whole: &str) -> Option<std::borrow::Cow<'_, str>> {
    let Some(mark) = whole.chars().find(|c| THOUSANDS_MARKS.contains(c)) else {
        return Some(whole.into());
    };
    let unsigned = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    let mut groups = unsigned.split(mark);
    let first = groups.next()?;
    let digits = |group: &str| group.bytes().all(|b| b.is_ascii_digit());
    if !(1..=3).contains(&first.len()) || !digits(first) {
        return None;
    }
    let mut plain = String::with_capacity(whole.len());
    plain.push_str(&whole[..whole.len() - unsigned.len()]);
    plain.push_str(first);
    for group in groups {
        if group.len() != 3 || !digits(group) {
            return None;
        }
        plain.push_str(group);
    }
    Some(plain.into())
}

/// Decimal, or YAML's `0x`, `0o` and `0b` forms, with an optional sign.
fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits.get(..2) {
        Some("0x" | "0X") => (16, digits.get(2..)?),
        Some("0o" | "0O") => (8, digits.get(2..)?),
        Some("0b" | "0B") => (2, digits.get(2..)?),
        _ => (10, digits),
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `YYYY-MM-DD`, also the date part of a TOML local date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>().ok()
}

/// A date written as `format` says (`%m/%d/%Y`), which must be all of the text.
pub(crate) fn parse_date_as(text: &str, format: &str) -> Option<Date> {
    jiff::fmt::strtime::parse(format, text).ok()?.to_date().ok()
}

/// `12 months`, `1 year 6 months`, `30 days`, `2 weeks`, `6 hours`, or ISO 8601
/// (`P1Y6M`, `P30D`, `PT6H`).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.starts_with(['P', 'p']) {
        return parse_iso_duration(text);
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && *w != "and")
        .flat_map(split_number)
        .collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return None;
    }
    let mut total = Duration::default();
    for pair in words.chunks(2) {
        let [n, unit] = pair else { return None };
        let n: i64 = n.parse().ok()?;
        let part = match unit.to_ascii_lowercase().trim_end_matches('s') {
            "year" | "yr" | "y" => Duration::of_months(n.checked_mul(12)?)?,
            "month" | "mo" => Duration::of_months(n)?,
            "week" | "wk" | "w" => Duration::of_days(n.checked_mul(7)?)?,
            "day" | "d" => Duration::of_days(n)?,
            "hour" | "hr" | "h" => Duration::of_seconds(n.checked_mul(3600)?),
            "minute" | "min" => Duration::of_seconds(n.checked_mul(60)?),
            "second" | "sec" => Duration::of_seconds(n),
            _ => return None,
        };
        total = total.checked_add(part)?;
    }
    Some(total)
}

/// `12months` → `12`, `months`; other words unchanged.
fn split_number(word: &str) -> Vec<&str> {
    match word.find(|c: char| !c.is_ascii_digit()) {
        Some(i) if i > 0 => {
            let (number, unit) = word.split_at(i);
            vec![number, unit]
        }
        _ => vec![word],
    }
}

fn parse_iso_duration(text: &str) -> Option<Duration> {
    let span: jiff::Span = text.parse().ok()?;
    let months = i64::from(span.get_years()).checked_mul(12)?.checked_add(i64::from(span.get_months()))?;
    let days = i64::from(span.get_weeks()).checked_mul(7)?.checked_add(i64::from(span.get_days()))?;
    let seconds = i64::from(span.get_hours())
        .checked_mul(3600)?
        .checked_add(span.get_minutes().checked_mul(60)?)?
        .checked_add(span.get_seconds())?;
    Duration::of_months(months)?
        .checked_add(Duration::of_days(days)?)?
        .checked_add(Duration::of_seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_comma_is_read_and_a_point_refused() {
        assert_eq!(parse_decimal_comma("0,85"), Some(0.85));
        assert_eq!(parse_decimal_comma("-1,5"), Some(-1.5));
        assert_eq!(parse_decimal_comma("12"), Some(12.0));
        assert_eq!(parse_decimal_comma("2,5e3"), Some(2500.0));
        for refused in ["0.85", "1,2,3", ",", "", "inf", "NaN,0"] {
            assert_eq!(parse_decimal_comma(refused), None, "{refused}");
        }
    }

    #[test]
    fn a_decimal_comma_number_may_group_its_thousands() {
        assert_eq!(parse_decimal_comma("1.234,5"), Some(1234.5));
        assert_eq!(parse_decimal_comma("-12.345.678,25"), Some(-12_345_678.25));
        assert_eq!(parse_decimal_comma("1.234"), Some(1234.0));
        assert_eq!(parse_decimal_comma("1 234,56"), Some(1234.56));
        assert_eq!(parse_decimal_comma("1\u{a0}234\u{a0}567,5"), Some(1_234_567.5));
        assert_eq!(parse_decimal_comma("+1\u{202f}000"), Some(1000.0));
        // A mark that groups other than three digits, mixed marks, or a mark in the
        // fraction is no grouping this reads.
        for refused in [
            "2.5",
            "1.23,4",
            "1234.567",
            ".123",
            "1..234",
            "1.234 567",
            "1.234,567.8",
            "1.234.",
            "-.123",
            "1.2a4",
        ] {
            assert_eq!(parse_decimal_comma(refused), None, "{refused}");
        }
    }

    #[test]
    fn durations_in_words_and_in_iso_8601() {
        let d = |months, days, seconds| Some(Duration { months, days, seconds });
        assert_eq!(parse_duration("12 months"), d(12, 0, 0));
        assert_eq!(parse_duration("1 year"), d(12, 0, 0));
        assert_eq!(parse_duration("1 year 6 months"), d(18, 0, 0));
        assert_eq!(parse_duration("2 weeks, 3 days"), d(0, 17, 0));
        assert_eq!(parse_duration("30days"), d(0, 30, 0));
        assert_eq!(parse_duration("6 hours"), d(0, 0, 21_600));
        assert_eq!(parse_duration("P1Y6M"), d(18, 0, 0));
        assert_eq!(parse_duration("P2W"), d(0, 14, 0));
        assert_eq!(parse_duration("PT1H30M"), d(0, 0, 5_400));
        for bad in [
            "",
            "months",
            "12",
            "12 fortnights",
            "P",
            "1 year 6",
            "99999999999999999999 days",
            "3000000000 days",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn integers_in_yaml_forms() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-0x1F"), Some(-31));
        assert_eq!(parse_int("+0o17"), Some(15));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        for bad in ["", "-", "0x", "1.0", "--1", "+-1", "9223372036854775808", "1e3"] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_must_exist_and_be_written_in_full() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-2-9").is_none());
        assert!(parse_date("2024-02-29T10:00:00").is_none());
    }

    #[test]
    fn dates_in_a_declared_format_read_one_or_two_digits_and_nothing_more() {
        let date = |y, m, d| Some(jiff::civil::date(y, m, d));
        assert_eq!(parse_date_as("6/1/2024", "%m/%d/%Y"), date(2024, 6, 1));
        assert_eq!(parse_date_as("12/17/2024", "%m/%d/%Y"), date(2024, 12, 17));
        assert_eq!(parse_date_as("17.12.2024", "%d.%m.%Y"), date(2024, 12, 17));
        assert_eq!(parse_date_as("17 Dec 2024", "%d %b %Y"), date(2024, 12, 17));
        for wrong in ["N/A", "", "2/30/2024", "13/1/2024", "6/1/2024 extra", "2024-06-01", "24-Nov"] {
            assert_eq!(parse_date_as(wrong, "%m/%d/%Y"), None, "{wrong}");
        }
    }

    #[test]
    fn list_items_of_a_cell_keep_their_spans() {
        let text = "x,\"a; b\",c";
        let parts = split_items("a; b", Span::new(2, 8));
        let shown: Vec<&str> = parts.iter().map(|(_, s)| &text[s.range()]).collect();
        assert_eq!(shown, ["a", "b"]);
        let escaped = split_items("a\"; b", Span::new(0, 9));
        assert_eq!(escaped[1].1, Span::new(0, 9), "an escaped cell cannot be mapped item by item");
    }
}
