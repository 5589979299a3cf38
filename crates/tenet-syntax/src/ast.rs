//! The syntax tree. Every node carries the byte range it was parsed from; nothing here
//! knows about names, types or evidence, which are the checker's business.
//!
//! The tree records what a reader of the source sees and nothing the formatter would
//! change: optional commas, bracketed single-element lists and redundant blank lines leave
//! no trace, so formatting a file never changes its tree.

use jiff::civil::Date;
pub use tenet_diagnostics::Span;

/// A parsed file: its items in source order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ast {
    /// The top-level declarations that parsed.
    pub items: Vec<Item>,
    /// The parameters named by `set` items that did not parse: a rule that reads one
    /// must not quietly take its default, which the broken `set` meant to replace.
    pub broken_sets: Vec<Name>,
}

/// A name or id as written: an identifier, a dotted package path, a control id like
/// `A.6.2.8` or a qualified reference like `iso42001.A.5.2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// The text as written.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal, with escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str {
    /// The decoded value.
    pub value: String,
    /// Where it was written, quotes included.
    pub span: Span,
}

/// A line number as written (`header 3`): its digits, which the checker reads, since they
/// may not fit a line number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineNumber {
    /// The digits.
    pub digits: String,
    /// Where they are written.
    pub span: Span,
}

/// A doc comment: consecutive `///` lines, shown on hover and in reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Doc {
    /// Each line after its `///`, leading space kept, trailing whitespace removed.
    pub lines: Vec<String>,
    /// The lines' extent.
    pub span: Span,
}

impl Doc {
    /// The comment as prose: lines joined, the single space after `///` dropped.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
        lines.join("\n")
    }
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `package a.b`
    Package(Package),
    /// `use a.b [as c]`
    Use(Use),
    /// `schema Kind from "glob" { fields }`
    Schema(Schema),
    /// `param name: type = default`
    Param(Param),
    /// `set pkg.name = value [because "…"]`
    Set(SetParam),
    /// `control`, `clause` or `objective` with its rules.
    Control(Control),
    /// `not_applicable ref because "…"`
    Exclusion(Exclusion),
    /// `waive ref … until date approved_by "…" because "…"`
    Waiver(Waiver),
    /// `override ref rule name because "…" { body }`
    Override(Box<Override>),
    /// `disable ref rule name because "…"`
    Disable(Disable),
    /// `framework name "title" { requirements }`
    Framework(Framework),
    /// `crosswalk name from pkg to framework { pairs }`
    Crosswalk(Crosswalk),
    /// `test "name" { given … expect … }`
    Test(Test),
}

impl Item {
    /// The item's extent, doc comment included.
    pub fn span(&self) -> Span {
        match self {
            Item::Package(i) => i.span,
            Item::Use(i) => i.span,
            Item::Schema(i) => i.span,
            Item::Param(i) => i.span,
            Item::Set(i) => i.span,
            Item::Control(i) => i.span,
            Item::Exclusion(i) => i.span,
            Item::Waiver(i) => i.span,
            Item::Override(i) => i.span,
            Item::Disable(i) => i.span,
            Item::Framework(i) => i.span,
            Item::Crosswalk(i) => i.span,
            Item::Test(i) => i.span,
        }
    }

    /// The item's doc comment.
    pub fn doc(&self) -> Option<&Doc> {
        match self {
            Item::Package(i) => i.doc.as_ref(),
            Item::Use(i) => i.doc.as_ref(),
            Item::Schema(i) => i.doc.as_ref(),
            Item::Param(i) => i.doc.as_ref(),
            Item::Set(i) => i.doc.as_ref(),
            Item::Control(i) => i.doc.as_ref(),
            Item::Exclusion(i) => i.doc.as_ref(),
            Item::Waiver(i) => i.doc.as_ref(),
            Item::Override(i) => i.doc.as_ref(),
            Item::Disable(i) => i.doc.as_ref(),
            Item::Framework(i) => i.doc.as_ref(),
            Item::Crosswalk(i) => i.doc.as_ref(),
            Item::Test(i) => i.doc.as_ref(),
        }
    }

    /// True for items written on one line; the formatter keeps runs of them together.
    pub fn is_single_line(&self) -> bool {
        matches!(
            self,
            Item::Package(_)
                | Item::Use(_)
                | Item::Param(_)
                | Item::Set(_)
                | Item::Exclusion(_)
                | Item::Waiver(_)
                | Item::Disable(_)
        )
    }
}

/// `package a.b`: names the package the file belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The dotted package path.
    pub path: Name,
    /// Extent.
    pub span: Span,
}

/// `use a.b [as c]`: brings another package's declarations into scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The package used.
    pub path: Name,
    /// A shorter name for qualified references.
    pub alias: Option<Name>,
    /// Extent.
    pub span: Span,
}

/// An evidence kind: the fields its documents have and where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The kind's name.
    pub name: Name,
    /// Where this kind's documents are read from.
    pub sources: Vec<Source>,
    /// The declared text encoding of the source files, such as `windows-1252`.
    pub encoding: Option<Str>,
    /// `delimiter ";"`: what separates the cells of the kind's CSV files.
    pub delimiter: Option<Str>,
    /// `decimal ","`: the decimal mark of the numbers in the kind's CSV files.
    pub decimal: Option<Str>,
    /// `header 3`: the line the header of the kind's CSV files is on, below a title.
    pub header: Option<LineNumber>,
    /// `none "N/A", "NA"`: the words the files write where a field has no value.
    pub none: Vec<Str>,
    /// The fields.
    pub fields: Vec<Field>,
    /// Extent.
    pub span: Span,
}

/// One place a schema's documents are read from: `"registers/*.json" at "records"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// A glob, relative to an evidence root, selecting files.
    pub glob: Str,
    /// `at "path"`: the mapping keys, separated by dots, leading from each of the files'
    /// documents to the list (or the one mapping) that holds the kind's documents, for a
    /// register that wraps its entries (`{"meta": …, "records": [ … ]}`).
    pub at: Option<Str>,
}

/// A field of a schema or record type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The field's name in rules.
    pub name: Name,
    /// Its type.
    pub ty: TypeExpr,
    /// `key`: the field identifies the document.
    pub key: bool,
    /// `effective`: the field is the document's effective date.
    pub effective: bool,
    /// `as "Source Name"`: the name in the evidence file, when it differs.
    pub alias: Option<Str>,
    /// `format "%m/%d/%Y"`: how the evidence writes a date field's dates, when not as
    /// `YYYY-MM-DD` (a spreadsheet's US or European dates).
    pub format: Option<Str>,
    /// Extent.
    pub span: Span,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    /// What type.
    pub kind: TypeKind,
    /// `?`: the value may be absent.
    pub optional: bool,
    /// Extent.
    pub span: Span,
}

/// The shapes of types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeKind {
    /// A built-in scalar type.
    Prim(PrimType),
    /// `[T]`
    List(Box<TypeExpr>),
    /// `{ a: T, b: U }`
    Record(Vec<Field>),
    /// `ref Kind`: the key of a document of another kind.
    Ref(Name),
    /// `"a" | "b" | "c"`
    Enum(Vec<Str>),
}

/// Built-in scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrimType {
    /// `string`
    String,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `date`
    Date,
    /// `datetime`
    DateTime,
    /// `duration`
    Duration,
}

impl PrimType {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            PrimType::String => "string",
            PrimType::Int => "int",
            PrimType::Float => "float",
            PrimType::Bool => "bool",
            PrimType::Date => "date",
            PrimType::DateTime => "datetime",
            PrimType::Duration => "duration",
        }
    }
}

/// `param name: type = default`: a value a dependent package may `set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// Its name.
    pub name: Name,
    /// Its type.
    pub ty: TypeExpr,
    /// The default value.
    pub default: Expr,
    /// Extent.
    pub span: Span,
}

/// `set pkg.name = value`: tailors a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetParam {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The parameter, qualified when it belongs to another package.
    pub target: Name,
    /// The new value.
    pub value: Expr,
    /// Why it was set, shown where the setting is reported.
    pub because: Option<Str>,
    /// Extent.
    pub span: Span,
}

/// Whether a control-like item is a standard's control, a clause or an organisation's
/// objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlKind {
    /// An Annex A style control; may be declared not applicable.
    Control,
    /// A management-system clause; always applies.
    Clause,
    /// An organisation's own objective.
    Objective,
}

impl ControlKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlKind::Control => "control",
            ControlKind::Clause => "clause",
            ControlKind::Objective => "objective",
        }
    }
}

/// A control, clause or objective and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// Which kind of item.
    pub kind: ControlKind,
    /// Its id: `A.5.2`, `6.1.2`, or an objective's name.
    pub id: Name,
    /// Its title.
    pub title: Str,
    /// Members in source order.
    pub members: Vec<Member>,
    /// Extent.
    pub span: Span,
}

/// A member of a control.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a control has a handful of members; a box each would buy nothing"
)]
pub enum Member {
    /// `objective "…"`: what the control is for.
    Intent(Str),
    /// `severity high`
    Severity(SeverityDecl),
    /// `maps framework "id", …`
    Maps(Maps),
    /// `applies when expr`: the control applies only when this holds.
    Applies(Applies),
    /// `attest name { … }`: a requirement met by a signed statement.
    Attest(Attestation),
    /// A rule.
    Rule(Rule),
}

impl Member {
    /// The member's extent.
    pub fn span(&self) -> Span {
        match self {
            Member::Intent(m) => m.span,
            Member::Severity(m) => m.span,
            Member::Maps(m) => m.span,
            Member::Applies(m) => m.span,
            Member::Attest(m) => m.span,
            Member::Rule(m) => m.span,
        }
    }
}

/// `severity level`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityDecl {
    /// The level.
    pub level: SeverityLevel,
    /// Extent.
    pub span: Span,
}

/// How much a failing control matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeverityLevel {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl SeverityLevel {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Low => "low",
            SeverityLevel::Medium => "medium",
            SeverityLevel::High => "high",
            SeverityLevel::Critical => "critical",
        }
    }
}

/// `applies when expr`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applies {
    /// The condition.
    pub condition: Expr,
    /// Extent.
    pub span: Span,
}

/// `maps target, target`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maps {
    /// The targets.
    pub targets: Vec<MapTarget>,
    /// Extent.
    pub span: Span,
}

/// `framework "id"` or `framework ["id", "id"]`, with an optional relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTarget {
    /// A framework, or a package whose controls are mapped to.
    pub framework: Name,
    /// Requirement ids in that framework.
    pub ids: Vec<Str>,
    /// How the control relates to the requirements.
    pub relationship: Option<Relationship>,
    /// Extent.
    pub span: Span,
}

/// How a control relates to a framework requirement (OSCAL's vocabulary, plus
/// `related` and `unknown` for sources that state no relationship).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relationship {
    /// The control and the requirement ask for the same.
    Equal,
    /// The control covers part of the requirement.
    Subset,
    /// The control covers all of the requirement and more.
    Superset,
    /// They overlap.
    Intersects,
    /// A reviewer judged them related without qualifying how.
    Related,
    /// The source gives no relationship.
    Unknown,
}

impl Relationship {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Equal => "equal",
            Relationship::Subset => "subset",
            Relationship::Superset => "superset",
            Relationship::Intersects => "intersects",
            Relationship::Related => "related",
            Relationship::Unknown => "unknown",
        }
    }
}

/// `attest name "title" { by "role", … within duration about Kind }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The attestation's name within the control.
    pub name: Name,
    /// What is attested, in words.
    pub title: Option<Str>,
    /// Properties in source order.
    pub props: Vec<AttestProp>,
    /// Extent.
    pub span: Span,
}

/// A property of an attestation requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestProp {
    /// `by "role", "role"`: the roles that may sign.
    By(Vec<Str>, Span),
    /// `within duration`: how recent the signature must be.
    Within(Expr, Span),
    /// `about Kind`: the evidence kind the statement must reference.
    About(Name, Span),
}

impl AttestProp {
    /// Extent.
    pub fn span(&self) -> Span {
        match self {
            AttestProp::By(_, s) | AttestProp::Within(_, s) | AttestProp::About(_, s) => *s,
        }
    }
}

/// A rule: for each subject (or once), a requirement and the message when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// Its name; a control has at most one unnamed rule.
    pub name: Option<Name>,
    /// `for x: Kind where …`: the subjects.
    pub subject: Option<ForClause>,
    /// `applies when …`: per subject, whether the rule applies.
    pub applies: Option<Expr>,
    /// `let` bindings, in order.
    pub lets: Vec<Let>,
    /// The requirement.
    pub require: Expr,
    /// The message when it fails.
    pub message: Option<Message>,
    /// Extent.
    pub span: Span,
}

/// `for binding [where filter]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForClause {
    /// The variable and its domain.
    pub binding: Binding,
    /// Which elements of the domain are subjects.
    pub filter: Option<Expr>,
    /// Extent.
    pub span: Span,
}

/// `x: Kind` or `x in expr`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The variable.
    pub var: Name,
    /// What it ranges over.
    pub domain: Domain,
    /// Extent.
    pub span: Span,
}

/// What a variable ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// Every document of an evidence kind.
    Kind(Name),
    /// The elements of a list.
    List(Box<Expr>),
}

/// `let name = value`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Let {
    /// The name bound.
    pub name: Name,
    /// Its value.
    pub value: Expr,
    /// Extent.
    pub span: Span,
}

/// An interpolated message: text with `{expr}` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The parts in order; adjacent text parts are merged.
    pub parts: Vec<MessagePart>,
    /// Extent, quotes included.
    pub span: Span,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessagePart {
    /// Literal text, escapes decoded.
    Text(String),
    /// An interpolated expression.
    Expr(Expr),
}

/// `not_applicable ref because "…"`: an exclusion recorded in the Statement of
/// Applicability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The control excluded.
    pub control: Name,
    /// The justification.
    pub because: Str,
    /// Extent.
    pub span: Span,
}

/// A time-limited, approved exception to a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The control waived.
    pub control: Name,
    /// One rule of the control, when not all.
    pub rule: Option<Name>,
    /// One subject, when not all: the kind and the document's key.
    pub subject: Option<WaiverSubject>,
    /// The last day the waiver holds.
    pub until: DateLit,
    /// Who approved it.
    pub approved_by: Str,
    /// Why.
    pub because: Str,
    /// Extent.
    pub span: Span,
}

/// `for Kind "key"`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverSubject {
    /// The kind.
    pub kind: Name,
    /// The document's key.
    pub key: Str,
    /// Extent.
    pub span: Span,
}

/// `override ref rule name because "…" { body }`: a dependent package replaces a rule of
/// a package it uses. The rule keeps its control, name and identity; only its body changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The control whose rule is replaced.
    pub control: Name,
    /// The rule replaced.
    pub rule: Name,
    /// Why, shown wherever the rule's results are reported.
    pub because: Str,
    /// The replacing body: what a named rule has after its name. It has no name and no
    /// doc comment of its own; its extent runs from its first keyword to its end.
    pub body: Rule,
    /// Extent.
    pub span: Span,
}

/// `disable ref rule name because "…"`: a dependent package turns a rule of a package it
/// uses off; its one result is not applicable, with the justification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disable {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The control whose rule is disabled.
    pub control: Name,
    /// The rule disabled.
    pub rule: Name,
    /// Why.
    pub because: Str,
    /// Extent.
    pub span: Span,
}

/// A date literal with its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLit {
    /// The date.
    pub date: Date,
    /// Extent.
    pub span: Span,
}

/// A framework such as the EU AI Act, declared as data so mappings can be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The name mappings use.
    pub name: Name,
    /// Its title.
    pub title: Str,
    /// Requirements and metadata in source order.
    pub members: Vec<FrameworkMember>,
    /// Extent.
    pub span: Span,
}

/// A member of a framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkMember {
    /// `requirement "id" "title" { metadata }`
    Requirement(Requirement),
    /// `key value`
    Metadata(Metadata),
}

/// A requirement of a framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// Its id in the framework, such as `Art. 27` or `MAP 1.1`.
    pub id: Str,
    /// Its title (or, where it has none, its text).
    pub title: Str,
    /// Further facts: `text`, `part_of`, `applies_from`, …
    pub metadata: Vec<Metadata>,
    /// Extent.
    pub span: Span,
}

/// `key value`, a fact about a framework, requirement or crosswalk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The key.
    pub key: Name,
    /// The value.
    pub value: MetadataValue,
    /// Extent.
    pub span: Span,
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataValue {
    /// A string.
    Str(Str),
    /// A date.
    Date(DateLit),
    /// A number, as written.
    Number(String, Span),
}

/// A crosswalk: published pairs between a package's controls and a framework's
/// requirements, with their source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crosswalk {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// Its name.
    pub name: Name,
    /// The package whose controls are mapped.
    pub from: Name,
    /// The framework mapped to.
    pub to: Name,
    /// Pairs and metadata in source order.
    pub members: Vec<CrosswalkMember>,
    /// Extent.
    pub span: Span,
}

/// A member of a crosswalk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrosswalkMember {
    /// `control -> "req", "req" [relationship] [reviewed …]`
    Pair(CrosswalkPair),
    /// `key value`
    Metadata(Metadata),
}

/// One control mapped to one or more requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrosswalkPair {
    /// The control's id in the `from` package.
    pub control: Name,
    /// Requirement ids in the `to` framework.
    pub requirements: Vec<Str>,
    /// How they relate, when the source says.
    pub relationship: Option<Relationship>,
    /// Set when a reviewer, not the source, derived the pair.
    pub reviewed: Option<Reviewed>,
    /// Extent.
    pub span: Span,
}

/// `reviewed confidence because "…"`: a pair derived by a reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// The reviewer's confidence.
    pub confidence: Confidence,
    /// The rationale.
    pub because: Str,
    /// Extent.
    pub span: Span,
}

/// A reviewer's confidence in a derived mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confidence {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
}

impl Confidence {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// `test "name" { … }`: inline evidence and the expected results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// Doc comment.
    pub doc: Option<Doc>,
    /// The test's name.
    pub name: Str,
    /// Statements in order.
    pub stmts: Vec<TestStmt>,
    /// Extent.
    pub span: Span,
}

/// A statement in a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestStmt {
    /// `today date`: the date the test runs as of.
    Today(DateLit, Span),
    /// `set param = value`
    Set(TestSet),
    /// `given Kind { … }`: an evidence document.
    Given(Given),
    /// `expect control [rule r] status [for "key"] [with "text"]`
    Expect(Expect),
}

impl TestStmt {
    /// Extent.
    pub fn span(&self) -> Span {
        match self {
            TestStmt::Today(_, s) => *s,
            TestStmt::Set(s) => s.span,
            TestStmt::Given(g) => g.span,
            TestStmt::Expect(e) => e.span,
        }
    }
}

/// `set param = value` in a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSet {
    /// The parameter.
    pub target: Name,
    /// Its value in this test.
    pub value: Expr,
    /// Extent.
    pub span: Span,
}

/// `given Kind { field: value, … }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// The evidence kind.
    pub kind: Name,
    /// The document's fields.
    pub fields: Vec<RecordField>,
    /// A Markdown body (`with "…"`), for rules that read sections.
    pub body: Option<Str>,
    /// Extent.
    pub span: Span,
}

/// An expectation about a test's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The control.
    pub control: Name,
    /// One rule, when not the whole control.
    pub rule: Option<Name>,
    /// The expected status.
    pub status: ExpectStatus,
    /// One subject's key, when not all.
    pub subject: Option<Str>,
    /// Text the result's message must contain.
    pub message: Option<Str>,
    /// Extent.
    pub span: Span,
}

/// The statuses a test can expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectStatus {
    /// `passes`
    Passes,
    /// `fails`
    Fails,
    /// `errors`
    Errors,
    /// `waived`
    Waived,
    /// `not_applicable`
    NotApplicable,
    /// `no_evidence`
    NoEvidence,
}

impl ExpectStatus {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectStatus::Passes => "passes",
            ExpectStatus::Fails => "fails",
            ExpectStatus::Errors => "errors",
            ExpectStatus::Waived => "waived",
            ExpectStatus::NotApplicable => "not_applicable",
            ExpectStatus::NoEvidence => "no_evidence",
        }
    }
}

/// `name: value` in a record literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordField {
    /// The field.
    pub name: Name,
    /// Its value.
    pub value: Expr,
    /// Extent.
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Extent.
    pub span: Span,
}

/// The shapes of expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// A variable, parameter or package name.
    Name(String),
    /// `base.field`
    Field {
        /// What the field is read from.
        base: Box<Expr>,
        /// The field.
        field: Name,
    },
    /// `not x`, `-x`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a op b`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `a and b and c`, `a or b`: chains are kept flat.
    Logic {
        /// `and` or `or`.
        op: LogicOp,
        /// Two or more operands.
        operands: Vec<Expr>,
    },
    /// `(expr)`, kept so that the formatter never moves what the author grouped.
    Paren(Box<Expr>),
    /// `f(a, b)`
    Call {
        /// The function.
        func: Name,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `some x: K where p`, `all x in l satisfy p`, `none x: K where p`
    Quantifier {
        /// Which quantifier.
        kind: QuantifierKind,
        /// The variable and its domain.
        binding: Binding,
        /// `where`: which elements count.
        filter: Option<Box<Expr>>,
        /// `satisfy`: what they must satisfy.
        predicate: Option<Box<Expr>>,
    },
    /// `count(x: K where p)`, `sum(x.n for x: K where p)`
    Aggregate {
        /// Which aggregate.
        kind: AggregateKind,
        /// The value aggregated (absent for `count`).
        value: Option<Box<Expr>>,
        /// The variable and its domain.
        binding: Binding,
        /// Which elements count.
        filter: Option<Box<Expr>>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{ a: 1, b: 2 }`
    Record(Vec<RecordField>),
}

/// Literal values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// `true`, `false`
    Bool(bool),
    /// `none`: an absent optional value.
    None,
    /// `today`: the date of the run (`--as-of`).
    Today,
    /// An integer.
    Int(i64),
    /// A decimal number, as written (`0.95`).
    Float(String),
    /// A string.
    String(String),
    /// A date.
    Date(Date),
    /// A date and time, normalised to RFC 3339 as written.
    DateTime(String),
    /// `12 months`
    Duration(i64, DurationUnit),
}

/// Units of duration literals. Months and years are calendar units: adding a month to
/// January 31 gives the last day of February.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `minutes`
    Minutes,
    /// `hours`
    Hours,
    /// `days`
    Days,
    /// `weeks`
    Weeks,
    /// `months`
    Months,
    /// `years`
    Years,
}

impl DurationUnit {
    /// The unit's word, singular or plural to agree with `amount`.
    pub fn word(self, amount: i64) -> &'static str {
        let one = amount == 1;
        match self {
            DurationUnit::Minutes => {
                if one {
                    "minute"
                } else {
                    "minutes"
                }
            }
            DurationUnit::Hours => {
                if one {
                    "hour"
                } else {
                    "hours"
                }
            }
            DurationUnit::Days => {
                if one {
                    "day"
                } else {
                    "days"
                }
            }
            DurationUnit::Weeks => {
                if one {
                    "week"
                } else {
                    "weeks"
                }
            }
            DurationUnit::Months => {
                if one {
                    "month"
                } else {
                    "months"
                }
            }
            DurationUnit::Years => {
                if one {
                    "year"
                } else {
                    "years"
                }
            }
        }
    }
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Binary operators other than `and`/`or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `implies`
    Implies,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `matches`
    Matches,
    /// `??`
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Implies => "implies",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Matches => "matches",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// True for the comparison operators, which produce booleans.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
                | BinaryOp::Matches
        )
    }
}

/// `and` / `or`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicOp {
    /// `and`
    And,
    /// `or`
    Or,
}

impl LogicOp {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

/// The quantifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantifierKind {
    /// `some`: at least one element.
    Some,
    /// `all`: every element.
    All,
    /// `none`: no element.
    None,
}

impl QuantifierKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            QuantifierKind::Some => "some",
            QuantifierKind::All => "all",
            QuantifierKind::None => "none",
        }
    }
}

/// The aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    /// `count(…)`
    Count,
    /// `sum(… for …)`
    Sum,
    /// `min(… for …)`
    Min,
    /// `max(… for …)`
    Max,
}

impl AggregateKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateKind::Count => "count",
            AggregateKind::Sum => "sum",
            AggregateKind::Min => "min",
            AggregateKind::Max => "max",
        }
    }
}
