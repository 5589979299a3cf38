//! The completion items themselves: how each kind of name is labelled and documented, and
//! the snippets for declarations and members.

use tenet_diagnostics::Span;
use tenet_sema::ty::{FieldDef, Ty};
use tenet_sema::{Control, Framework, Param, Program, Requirement, Rule, Schema};

use super::{CompletionItem, CompletionKind};
use crate::builtins::{EXPRESSION_KEYWORDS, FUNCTIONS, ITEM_KEYWORDS, MEMBER_KEYWORDS};

/// Ranks: what is most likely wanted comes first.
const LOCAL: u8 = 0;
const NAME: u8 = 1;
const FUNCTION: u8 = 2;
const KEYWORD: u8 = 3;
const SNIPPET: u8 = 4;

fn item(label: impl Into<String>, kind: CompletionKind, replace: Span, rank: u8) -> CompletionItem {
    let label = label.into();
    CompletionItem {
        insert: label.clone(),
        label,
        kind,
        detail: None,
        documentation: None,
        snippet: false,
        replace,
        rank,
    }
}

fn snippet(label: &str, detail: &str, body: &str, replace: Span) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: CompletionKind::Snippet,
        detail: Some(detail.to_owned()),
        documentation: None,
        insert: body.to_owned(),
        snippet: true,
        replace,
        rank: SNIPPET,
    }
}

/// Plain words of one kind.
pub(super) fn words(words: &[&str], kind: CompletionKind, replace: Span) -> Vec<CompletionItem> {
    words.iter().map(|w| item(*w, kind, replace, KEYWORD)).collect()
}

pub(super) fn field(program: &Program, f: &FieldDef, replace: Span) -> CompletionItem {
    let mut out = item(f.name.to_string(), CompletionKind::Field, replace, LOCAL);
    out.detail = Some(f.ty.display(program));
    out.documentation = f.doc.clone();
    out
}

/// `name: ` inside a record literal.
pub(super) fn record_field(program: &Program, f: &FieldDef, replace: Span) -> CompletionItem {
    let mut out = field(program, f, replace);
    out.insert = format!("{}: ", f.name);
    out
}

pub(super) fn variable(
    program: &Program,
    name: &str,
    ty: &Ty,
    binder: &str,
    replace: Span,
) -> CompletionItem {
    let mut out = item(name, CompletionKind::Variable, replace, LOCAL);
    out.detail = Some(format!("{} ({binder})", ty.display(program)));
    out
}

pub(super) fn param(program: &Program, p: &Param, label: String, replace: Span) -> CompletionItem {
    let mut out = item(label, CompletionKind::Parameter, replace, NAME);
    out.detail = Some(p.ty.display(program));
    out.documentation = p.doc.clone();
    out
}

pub(super) fn package(name: &str, replace: Span) -> CompletionItem {
    let mut out = item(name, CompletionKind::Package, replace, NAME);
    out.detail = Some("package".to_owned());
    out
}

pub(super) fn schema(s: &Schema, label: String, replace: Span, rank: u8) -> CompletionItem {
    let mut out = item(label, CompletionKind::Schema, replace, NAME + rank);
    out.detail = Some("evidence kind".to_owned());
    out.documentation = s.doc.clone();
    out
}

pub(super) fn framework(f: &Framework, replace: Span) -> CompletionItem {
    let mut out = item(f.name.to_string(), CompletionKind::Framework, replace, NAME);
    out.detail = Some(f.title.clone());
    out.documentation = f.doc.clone();
    out
}

pub(super) fn requirement(f: &Framework, r: &Requirement, replace: Span) -> CompletionItem {
    let mut out = item(r.id.to_string(), CompletionKind::Requirement, replace, NAME);
    out.detail = Some(r.title.clone());
    let mut doc = format!("{} — {}", f.name, r.title);
    if let Some(text) = r.metadata.get("text") {
        doc.push_str("\n\n");
        doc.push_str(text);
    }
    out.documentation = Some(doc);
    out
}

pub(super) fn control(c: &Control, label: String, replace: Span, rank: u8) -> CompletionItem {
    let mut out = item(label, CompletionKind::Control, replace, NAME + rank);
    out.detail = Some(c.title.clone());
    out.documentation = c.intent.clone().or_else(|| c.doc.clone());
    out
}

pub(super) fn rule(c: &Control, r: &Rule, replace: Span) -> CompletionItem {
    let mut out = item(r.name.to_string(), CompletionKind::Rule, replace, NAME);
    out.detail = Some(format!("rule of {}", c.qualified));
    out.documentation = r.doc.clone();
    out
}

/// The values of an enum type, as string contents.
pub(super) fn enum_values(ty: &Ty, replace: Span) -> Vec<CompletionItem> {
    let values = match ty.non_optional() {
        Ty::Enum(values) => values.clone(),
        Ty::List(element) => match element.non_optional() {
            Ty::Enum(values) => values.clone(),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    values.iter().map(|v| item(v.to_string(), CompletionKind::EnumMember, replace, LOCAL)).collect()
}

pub(super) fn functions(replace: Span) -> Vec<CompletionItem> {
    FUNCTIONS
        .iter()
        .map(|f| {
            let mut out = item(f.name, CompletionKind::Function, replace, FUNCTION);
            out.detail = Some(f.signature.to_owned());
            out.documentation = Some(f.doc.to_owned());
            out.insert = format!("{}($1)", f.name);
            out.snippet = true;
            out
        })
        .collect()
}

pub(super) fn expression_keywords(replace: Span) -> Vec<CompletionItem> {
    words(EXPRESSION_KEYWORDS, CompletionKind::Keyword, replace)
}

pub(super) fn expression_snippets(replace: Span) -> Vec<CompletionItem> {
    vec![
        snippet(
            "some x: Kind where …",
            "at least one document matches",
            "some ${1:x}: ${2:Kind} where $0",
            replace,
        ),
        snippet(
            "all x: Kind satisfy …",
            "every document satisfies",
            "all ${1:x}: ${2:Kind} satisfy $0",
            replace,
        ),
        snippet("none x: Kind where …", "no document matches", "none ${1:x}: ${2:Kind} where $0", replace),
        snippet(
            "count(x: Kind where …)",
            "how many documents match",
            "count(${1:x}: ${2:Kind} where $3)$0",
            replace,
        ),
    ]
}

/// Keywords and snippets where a top-level declaration starts.
pub(super) fn item_snippets(replace: Span) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = ITEM_KEYWORDS
        .iter()
        .map(|(k, doc)| {
            let mut i = item(*k, CompletionKind::Keyword, replace, KEYWORD);
            i.documentation = Some((*doc).to_owned());
            i
        })
        .collect();
    out.extend([
        snippet(
            "control …",
            "a control with a rule",
            "control ${1:A.1} \"${2:Title}\" {\n  objective \"${3:What the control is for.}\"\n  severity ${4|medium,low,high,critical|}\n\n  rule ${5:name}\n    for ${6:x}: ${7:Kind}\n    require $0\n    else \"${8:message}\"\n}",
            replace,
        ),
        snippet(
            "schema …",
            "an evidence kind",
            "schema ${1:Kind} from \"${2:evidence/*.yaml}\" {\n  id: string key\n  $0\n}",
            replace,
        ),
        snippet("param …", "a parameter", "param ${1:name}: ${2:duration} = ${3:12 months}", replace),
        snippet(
            "framework …",
            "a framework and its requirements",
            "framework ${1:name} \"${2:Title}\" {\n  requirement \"${3:id}\" \"${4:title}\"\n}",
            replace,
        ),
        snippet(
            "test …",
            "inline evidence and expected results",
            "test \"${1:what it shows}\" {\n  given ${2:Kind} { $3 }\n  expect ${4:control} ${5|fails,passes,no_evidence|}\n}",
            replace,
        ),
        snippet(
            "waive …",
            "an approved, time-limited exception",
            "waive ${1:control} until ${2:2027-01-01} approved_by \"${3:who}\" because \"${4:why}\"",
            replace,
        ),
        snippet("not_applicable …", "exclude a control", "not_applicable ${1:control} because \"${2:why}\"", replace),
        snippet(
            "override …",
            "replace a rule of a used package",
            "override ${1:control} rule ${2:name} because \"${3:why}\" {\n  for ${4:s}: ${5:Kind}\n  require $0\n}",
            replace,
        ),
        snippet(
            "disable …",
            "turn a rule of a used package off",
            "disable ${1:control} rule ${2:name} because \"${3:why}\"",
            replace,
        ),
    ]);
    out
}

/// Keywords and snippets where a member of a control starts.
pub(super) fn member_snippets(replace: Span) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = MEMBER_KEYWORDS
        .iter()
        .map(|(k, doc)| {
            let mut i = item(*k, CompletionKind::Keyword, replace, KEYWORD);
            i.documentation = Some((*doc).to_owned());
            i
        })
        .collect();
    out.extend([
        snippet(
            "rule …",
            "a rule over evidence",
            "rule ${1:name}\n  for ${2:x}: ${3:Kind} where $4\n  require $0\n  else \"${5:message}\"",
            replace,
        ),
        snippet("maps …", "framework requirements met", "maps ${1:framework} \"${2:id}\"", replace),
        snippet(
            "attest …",
            "a signed statement",
            "attest ${1:name} \"${2:what is attested}\" {\n  by \"${3:role}\"\n  within ${4:12 months}\n}",
            replace,
        ),
        snippet("applies when …", "when the control applies", "applies when $0", replace),
    ]);
    out
}

/// The clauses of a schema's header, in the order the grammar takes them, with what each
/// says and what it inserts.
pub(super) const SCHEMA_CLAUSES: &[(&str, &str)] = &[
    ("from", "the files of this kind: globs under the evidence root"),
    ("encoding", "the text encoding of the kind's files, when not UTF-8"),
    ("delimiter", "the character between a CSV file's cells, when not a comma"),
    ("decimal", "the decimal mark of a CSV file's numbers, when a comma"),
    ("header", "the line a CSV file's header is on, when below a title"),
    ("none", "the words the kind's files write for no value"),
];

/// The schema header clauses from the `next`th on, and `at` (where in each file the
/// documents are) when the cursor follows a glob.
pub(super) fn schema_clauses(next: usize, after_glob: bool, replace: Span) -> Vec<CompletionItem> {
    let inserts = [
        "from \"${1:inventory/*.yaml}\"",
        "encoding \"${1:windows-1252}\"",
        "delimiter \"${1:;}\"",
        "decimal \",\"",
        "header ${1:3}",
        "none \"${1:N/A}\"",
    ];
    let mut out: Vec<CompletionItem> = Vec::new();
    if after_glob {
        out.push(clause(
            "at",
            "where in each of the glob's files the documents are: `at \"records\"`",
            "at \"${1:records}\"",
            replace,
        ));
    }
    for ((word, detail), insert) in SCHEMA_CLAUSES.iter().zip(inserts).skip(next) {
        out.push(clause(word, detail, insert, replace));
    }
    out
}

fn clause(word: &str, detail: &str, insert: &str, replace: Span) -> CompletionItem {
    let mut out = item(word, CompletionKind::Keyword, replace, KEYWORD);
    out.detail = Some(detail.to_owned());
    out.insert = insert.to_owned();
    out.snippet = true;
    out
}

/// The modifiers a schema's field may carry after its type.
pub(super) fn field_modifiers(replace: Span) -> Vec<CompletionItem> {
    vec![
        clause("key", "identifies the document: unique across the kind", "key", replace),
        clause("effective", "the date the document speaks for", "effective", replace),
        clause("as", "the field's name in the evidence files", "as \"${1:Column name}\"", replace),
        clause("format", "how the files write this date: `%d.%m.%Y`", "format \"${1:%d.%m.%Y}\"", replace),
    ]
}

pub(super) fn attest_props(replace: Span) -> Vec<CompletionItem> {
    words(&["by", "within", "about"], CompletionKind::Keyword, replace)
}

pub(super) fn test_statements(replace: Span) -> Vec<CompletionItem> {
    let mut out = words(&["given", "expect", "set", "today"], CompletionKind::Keyword, replace);
    out.push(snippet("given …", "an evidence document", "given ${1:Kind} { $0 }", replace));
    out.push(snippet(
        "expect …",
        "an expected result",
        "expect ${1:control} ${2|fails,passes,no_evidence,errors,waived,not_applicable|}",
        replace,
    ));
    out
}

pub(super) fn expect_words(replace: Span) -> Vec<CompletionItem> {
    let mut out = words(
        &["passes", "fails", "errors", "waived", "not_applicable", "no_evidence"],
        CompletionKind::EnumMember,
        replace,
    );
    out.extend(words(&["rule", "for", "with"], CompletionKind::Keyword, replace));
    out
}

pub(super) fn requirement_snippet(replace: Span) -> Vec<CompletionItem> {
    let mut out = words(&["requirement"], CompletionKind::Keyword, replace);
    out.push(snippet("requirement …", "a requirement", "requirement \"${1:id}\" \"${2:title}\"", replace));
    out
}
