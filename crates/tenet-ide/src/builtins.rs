//! What the editor says about the language's own words: built-in functions with their
//! signatures, and keywords with a line each. The checker holds the functions' types; this
//! table holds the prose shown on hover and in completion.

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Function {
    pub name: &'static str,
    pub signature: &'static str,
    pub doc: &'static str,
}

const fn f(name: &'static str, signature: &'static str, doc: &'static str) -> Function {
    Function { name, signature, doc }
}

/// Every built-in function, as the checker accepts them.
pub(crate) const FUNCTIONS: &[Function] = &[
    f("len", "len(string | [T]) -> int", "The number of characters of a string or elements of a list."),
    f("lower", "lower(string) -> string", "The string in lower case."),
    f("upper", "upper(string) -> string", "The string in upper case."),
    f("trim", "trim(string) -> string", "The string without leading and trailing whitespace."),
    f("contains", "contains(string, string) -> bool", "True when the first string contains the second."),
    f(
        "starts_with",
        "starts_with(string, string) -> bool",
        "True when the first string starts with the second.",
    ),
    f("ends_with", "ends_with(string, string) -> bool", "True when the first string ends with the second."),
    f("start_of_year", "start_of_year(date) -> date", "January 1 of the date's year."),
    f("start_of_month", "start_of_month(date) -> date", "The first day of the date's month."),
    f("year", "year(date) -> int", "The date's year."),
    f("month", "month(date) -> int", "The date's month, 1 to 12."),
    f("date", "date(datetime) -> date", "The date part of a date and time."),
    f("days_between", "days_between(date, date) -> int", "Days from the first date to the second."),
    f(
        "effective",
        "effective(document) -> date?",
        "The document's effective date: its `effective` field, or the document's own date.",
    ),
    f(
        "section",
        "section(document, string) -> string?",
        "The text under a Markdown heading of the document.",
    ),
    f(
        "has_section",
        "has_section(document, string) -> bool",
        "True when the document has a Markdown heading with this title.",
    ),
    f("body", "body(document) -> string?", "The Markdown body of the document, after its front matter."),
    f("key", "key(document) -> string", "The document's key."),
    f("path", "path(document) -> string", "The document's file, relative to its evidence root."),
    f(
        "count",
        "count([T]) -> int  ·  count(x: Kind where …) -> int",
        "The number of elements of a list, or of documents that match.",
    ),
    f("sum", "sum([T]) -> T  ·  sum(expr for x: Kind where …)", "The total of numbers or durations."),
    f(
        "min",
        "min([T]) -> T?  ·  min(expr for x: Kind where …)",
        "The smallest value, or `none` when there is none.",
    ),
    f(
        "max",
        "max([T]) -> T?  ·  max(expr for x: Kind where …)",
        "The largest value, or `none` when there is none.",
    ),
];

/// The function called `name`.
pub(crate) fn function_named(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Words that start a top-level declaration, with what they declare.
pub(crate) const ITEM_KEYWORDS: &[(&str, &str)] = &[
    ("package", "the package this file belongs to"),
    ("use", "bring another package's declarations into scope"),
    ("schema", "an evidence kind: its fields and where its documents are"),
    ("param", "a value a dependent package may `set`"),
    ("set", "tailor a parameter of a used package"),
    ("control", "a control with its rules"),
    ("clause", "a management-system clause with its rules"),
    ("objective", "an organisation's own objective with its rules"),
    ("not_applicable", "exclude a control, with a justification"),
    ("waive", "a time-limited, approved exception to a control"),
    ("override", "replace a rule of a used package, with a justification"),
    ("disable", "turn a rule of a used package off, with a justification"),
    ("framework", "a framework's requirements, so mappings can be checked"),
    ("crosswalk", "published pairs between controls and framework requirements"),
    ("test", "inline evidence and the results expected of it"),
];

/// Words that start a member of a control.
pub(crate) const MEMBER_KEYWORDS: &[(&str, &str)] = &[
    ("rule", "a named rule: for each subject, a requirement and its message"),
    ("objective", "what the control is for"),
    ("severity", "how much a failure matters: low, medium, high, critical"),
    ("maps", "framework requirements this control meets"),
    ("applies", "`applies when …`: the control applies only when this holds"),
    ("attest", "a requirement met by a signed statement"),
    ("require", "what must hold"),
    ("for", "the subjects of a rule: `for x: Kind where …`"),
    ("let", "name a value within a rule"),
];

/// Words that start a line of an `override`'s replacing body.
pub(crate) const OVERRIDE_BODY_KEYWORDS: &[&str] = &["for", "applies", "let", "require", "else"];

/// Words used inside expressions.
pub(crate) const EXPRESSION_KEYWORDS: &[&str] = &[
    "and", "or", "not", "implies", "in", "matches", "where", "satisfy", "some", "all", "none", "true",
    "false", "today", "else",
];

/// The levels of `severity`.
pub(crate) const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

/// The built-in scalar types.
pub(crate) const PRIMITIVE_TYPES: &[&str] =
    &["string", "int", "float", "bool", "date", "datetime", "duration"];

/// The relationships of a mapping.
pub(crate) const RELATIONSHIPS: &[&str] =
    &["equal", "subset", "superset", "intersects", "related", "unknown"];

/// Every keyword of the grammar, for highlighting.
pub(crate) const KEYWORDS: &[&str] = &[
    "package",
    "use",
    "as",
    "schema",
    "from",
    "at",
    "to",
    "encoding",
    "delimiter",
    "decimal",
    "header",
    "format",
    "key",
    "effective",
    "ref",
    "param",
    "set",
    "not_applicable",
    "because",
    "waive",
    "override",
    "disable",
    "until",
    "approved_by",
    "control",
    "clause",
    "objective",
    "severity",
    "maps",
    "applies",
    "when",
    "attest",
    "by",
    "within",
    "about",
    "rule",
    "for",
    "where",
    "satisfy",
    "let",
    "require",
    "else",
    "framework",
    "requirement",
    "crosswalk",
    "reviewed",
    "test",
    "given",
    "expect",
    "with",
    "not",
    "in",
    "and",
    "or",
    "implies",
    "matches",
    "true",
    "false",
    "none",
    "today",
    "some",
    "all",
];

/// Words that cannot name a variable, parameter or rule.
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "implies", "in", "matches", "where", "satisfy", "require", "else", "let", "for",
    "some", "all", "none", "true", "false", "today", "rule", "applies",
];
