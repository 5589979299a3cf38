//! The values of the language: what literals denote, evidence fields hold and rules compute.
//! They live here, with the types, so that the evidence loader and the evaluator share
//! one definition.

use std::fmt;
use std::sync::Arc;

pub use smol_str::SmolStr;

use jiff::Timestamp;
use jiff::civil::Date;

/// A calendar duration. Months and days are kept apart because a month has no fixed
/// length: adding one month to January 31 gives the last day of February.
///
/// Months and days are 32 bits: far more than any date can be moved by (jiff stops at
/// 19,998 years), and it keeps every [`Value`] to 24 bytes, which a large organisation's
/// millions of field values feel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// Whole months (a year is twelve).
    pub months: i32,
    /// Whole days (a week is seven).
    pub days: i32,
    /// Seconds (an hour is 3,600).
    pub seconds: i64,
}

impl Duration {
    /// `n` months, or `None` when a duration cannot hold them.
    pub fn of_months(n: i64) -> Option<Duration> {
        Some(Duration { months: i32::try_from(n).ok()?, ..Duration::default() })
    }

    /// `n` days, or `None` when a duration cannot hold them.
    pub fn of_days(n: i64) -> Option<Duration> {
        Some(Duration { days: i32::try_from(n).ok()?, ..Duration::default() })
    }

    /// `n` months, or as many as a duration holds.
    pub fn saturating_months(n: i64) -> Duration {
        Duration { months: saturated(n), ..Duration::default() }
    }

    /// `n` days, or as many as a duration holds.
    pub fn saturating_days(n: i64) -> Duration {
        Duration { days: saturated(n), ..Duration::default() }
    }

    /// `n` seconds.
    pub fn of_seconds(n: i64) -> Duration {
        Duration { seconds: n, ..Duration::default() }
    }

    /// The sum, or `None` on overflow.
    pub fn checked_add(self, other: Duration) -> Option<Duration> {
        Some(Duration {
            months: self.months.checked_add(other.months)?,
            days: self.days.checked_add(other.days)?,
            seconds: self.seconds.checked_add(other.seconds)?,
        })
    }

    /// The negation (saturating at the least value, which has no positive twin).
    pub fn negated(self) -> Duration {
        Duration {
            months: self.months.saturating_neg(),
            days: self.days.saturating_neg(),
            seconds: self.seconds.saturating_neg(),
        }
    }

    /// Multiplied by a whole number, or `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Duration> {
        let times = |n: i32| i32::try_from(i64::from(n).checked_mul(factor)?).ok();
        Some(Duration {
            months: times(self.months)?,
            days: times(self.days)?,
            seconds: self.seconds.checked_mul(factor)?,
        })
    }

    /// A date moved by this duration: months first (clamped to the end of the month), then
    /// days; seconds count as whole days, rounded towards zero.
    pub fn add_to_date(self, date: Date) -> Option<Date> {
        let span = jiff::Span::new()
            .try_months(self.months)
            .ok()?
            .try_days(i64::from(self.days).checked_add(self.seconds / 86_400)?)
            .ok()?;
        date.checked_add(span).ok()
    }

    /// A timestamp moved by this duration, with calendar arithmetic in UTC.
    pub fn add_to_timestamp(self, ts: Timestamp) -> Option<Timestamp> {
        let utc = jiff::tz::TimeZone::UTC;
        let civil = utc.to_datetime(ts);
        let span = jiff::Span::new()
            .try_months(self.months)
            .ok()?
            .try_days(self.days)
            .ok()?
            .try_seconds(self.seconds)
            .ok()?;
        civil.checked_add(span).ok().and_then(|dt| utc.to_timestamp(dt).ok())
    }
}

/// `n`, or the 32-bit number nearest to it.
fn saturated(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n.abs() == 1 { one } else { many });
        if self.months != 0 {
            parts.push(plural(self.months.into(), "month", "months"));
        }
        if self.days != 0 {
            parts.push(plural(self.days.into(), "day", "days"));
        }
        if self.seconds != 0 {
            if self.seconds % 3600 == 0 {
                parts.push(plural(self.seconds / 3600, "hour", "hours"));
            } else if self.seconds % 60 == 0 {
                parts.push(plural(self.seconds / 60, "minute", "minutes"));
            } else {
                parts.push(plural(self.seconds, "second", "seconds"));
            }
        }
        if parts.is_empty() { f.write_str("0 days") } else { f.write_str(&parts.join(" ")) }
    }
}

/// A reference to one evidence document: its kind and its position among that kind's
/// documents in the evidence store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocRef {
    /// The kind's index in the program.
    pub kind: u32,
    /// The document's index among the kind's documents.
    pub index: u32,
}

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An absent optional value.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (also enum values and references, which are keys). Held in the value when
    /// short, as most evidence strings (identifiers, names, references) are: no
    /// allocation to type them, no pointer to follow to compare them.
    String(SmolStr),
    /// A calendar date.
    Date(Date),
    /// An instant.
    DateTime(Timestamp),
    /// A duration.
    Duration(Duration),
    /// A list.
    List(Arc<[Value]>),
    /// A record: field values in the order of its type's fields.
    Record(Arc<[Value]>),
    /// An evidence document.
    Doc(DocRef),
}

/// Text in Unicode's composed form (NFC): a key typed on one system (`Café`, the accent its
/// own character) and the same key exported by another (`Cafe` and a combining accent)
/// are then one key, and a waiver or reference names it whichever way it was written.
/// Text that is already composed, as almost all is, is not copied.
pub fn composed(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.nfc().collect())
}

impl Value {
    /// A string value, its text composed ([`composed`]), as every string a policy or
    /// evidence writes is: strings compare as people read them.
    pub fn string(s: &str) -> Value {
        Value::String(SmolStr::new(composed(s)))
    }

    /// A string value of shared text: copied into the value when short, shared when long,
    /// so that neither a schema's enum values nor a document's body is copied, and no
    /// reference count that every thread touches is counted up for a short one.
    pub fn shared_string(s: &Arc<str>) -> Value {
        Value::String(if s.len() <= SmolStr::INLINE_CAP {
            SmolStr::new(&**s)
        } else {
            SmolStr::from(s.clone())
        })
    }

    /// The text a key shows as, which is how references name it and how keys are
    /// compared across files: a string as the value holds it, any other value written out.
    pub fn key_text(&self) -> SmolStr {
        match self {
            Value::String(text) => text.clone(),
            other => smol_str::ToSmolStr::to_smolstr(other),
        }
    }

    /// The document, for a value that is one.
    pub fn as_doc(&self) -> Option<DocRef> {
        match self {
            Value::Doc(r) => Some(*r),
            _ => None,
        }
    }

    /// True for `none`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The boolean, treating `none` as false (conditions over optional booleans).
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// Values as they appear in messages: dates in ISO form, lists comma-separated, strings
/// without quotes.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                // Shown to 12 significant digits: arithmetic on decimal fractions shows the
                // decimal (`0.07 * 100` is 7.0, not 7.000000000000001; `0.3 - 0.3001` is
                // -0.0001, not -0.000100000000000044), as comparisons treat it, with room
                // for the digits a subtraction of near numbers loses. Beyond 10^15, or
                // tiny, in scientific notation rather than hundreds of digits.
                let x = format!("{x:.11e}").parse::<f64>().unwrap_or(*x);
                if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6)) {
                    write!(f, "{x:e}")
                } else if x.fract() == 0.0 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Value::String(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => write!(f, "{t}"),
            Value::Duration(d) => write!(f, "{d}"),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                f.write_str(&parts.join(", "))
            }
            Value::Record(fields) => {
                let parts: Vec<String> = fields.iter().map(|v| v.to_string()).collect();
                write!(f, "{{{}}}", parts.join(", "))
            }
            Value::Doc(d) => write!(f, "document {}:{}", d.kind, d.index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float_shows_the_decimal_its_arithmetic_stands_for() {
        let shown = |x: f64| Value::Float(x).to_string();
        assert_eq!(shown(0.07 * 100.0), "7.0");
        assert_eq!(shown(0.1 + 0.2), "0.3");
        assert_eq!(shown(0.0701 * 100.0), "7.01");
        assert_eq!(shown(1.0 / 3.0), "0.333333333333");
        assert_eq!(shown(0.3 - 0.3001), "-0.0001");
        assert_eq!(shown(1234567.891234), "1234567.89123");
        assert_eq!(shown(1e300), "1e300");
        assert_eq!(shown(-2.5), "-2.5");
        assert_eq!(shown(2.5e-9), "2.5e-9");
    }

    #[test]
    fn text_is_composed_and_composed_text_is_not_copied() {
        assert_eq!(composed("Cafe\u{301}"), "Caf\u{e9}");
        assert!(matches!(composed("Caf\u{e9}"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(composed("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(Value::string("Mu\u{308}ller"), Value::string("M\u{fc}ller"));
    }

    #[test]
    fn month_arithmetic_clamps_to_the_end_of_the_month() {
        let month = Duration { months: 1, ..Duration::default() };
        assert_eq!(month.add_to_date(jiff::civil::date(2024, 1, 31)), Some(jiff::civil::date(2024, 2, 29)));
        assert_eq!(month.add_to_date(jiff::civil::date(2023, 1, 31)), Some(jiff::civil::date(2023, 2, 28)));
        let year = Duration { months: 12, ..Duration::default() };
        assert_eq!(year.add_to_date(jiff::civil::date(2024, 2, 29)), Some(jiff::civil::date(2025, 2, 28)));
        assert_eq!(
            year.negated().add_to_date(jiff::civil::date(2024, 2, 29)),
            Some(jiff::civil::date(2023, 2, 28))
        );
    }

    #[test]
    fn a_value_is_three_words_and_durations_overflow_to_none() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(Duration::of_months(i64::from(i32::MAX) + 1), None);
        assert_eq!(Duration::of_days(-7), Some(Duration { days: -7, ..Duration::default() }));
        let month = Duration { months: 1, ..Duration::default() };
        assert_eq!(month.checked_mul(i64::from(i32::MAX)), Some(Duration { months: i32::MAX, ..month }));
        assert_eq!(month.checked_mul(i64::from(i32::MAX) + 1), None);
        assert_eq!(Duration { months: i32::MIN, ..month }.negated().months, i32::MAX);
        assert_eq!(Duration::saturating_days(-(1 << 40)).days, i32::MIN);
    }

    #[test]
    fn durations_read_as_written() {
        assert_eq!(Duration { months: 12, ..Duration::default() }.to_string(), "12 months");
        assert_eq!(Duration { days: 1, ..Duration::default() }.to_string(), "1 day");
        assert_eq!(Duration { seconds: 7200, ..Duration::default() }.to_string(), "2 hours");
    }
}
