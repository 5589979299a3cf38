//! The checked program: every declaration of the packages in scope, resolved and typed,
//! with the diagnostics found on the way.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use rustc_hash::FxHashMap;
use tenet_diagnostics::{Diagnostic, Span};
use tenet_syntax::ast::{Confidence, ControlKind, ExpectStatus, Relationship, SeverityLevel};

use crate::ir::{Expr, VarId};
use crate::ty::{RecordTy, Ty};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into the program's table.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Every id of a table of `len` entries, in order.
            pub fn all(len: usize) -> impl Iterator<Item = $name> {
                (0..len).map(|i| $name(i as u32))
            }
        }
    };
}

id_type!(
    /// A policy file.
    FileId
);
id_type!(
    /// A package.
    PackageId
);
id_type!(
    /// An evidence kind (a schema).
    KindId
);
id_type!(
    /// A parameter.
    ParamId
);
id_type!(
    /// A control, clause or objective.
    ControlId
);
id_type!(
    /// A framework.
    FrameworkId
);

/// Where a policy file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The packs being checked.
    Workspace,
    /// A pack built into Tenet.
    Stdlib,
    /// A dependency pack.
    Dependency,
}

/// Everything known after checking.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    /// The policy files, by id.
    pub files: Vec<SourceFileInfo>,
    /// The packages in scope, in dependency order (a package after those it uses).
    pub packages: Vec<Package>,
    /// Evidence kinds.
    pub schemas: Vec<Schema>,
    /// Parameters with their effective values.
    pub params: Vec<Param>,
    /// Controls, clauses and objectives.
    pub controls: Vec<Control>,
    /// Frameworks and their requirements.
    pub frameworks: Vec<Framework>,
    /// Mappings from controls to framework requirements.
    pub mappings: Vec<Mapping>,
    /// Links from a control to a control of another package it contributes to.
    pub contributions: Vec<Contribution>,
    /// Controls declared not applicable.
    pub exclusions: Vec<Exclusion>,
    /// Waivers.
    pub waivers: Vec<Waiver>,
    /// Rules of used packages that a dependent package replaced or disabled: the
    /// overrides in force, one per rule at most, in source order.
    pub overrides: Vec<RuleOverride>,
    /// Test cases.
    pub tests: Vec<TestCase>,
    /// What the checker found, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

/// A policy file's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFileInfo {
    /// Its path as shown in diagnostics.
    pub path: Arc<str>,
    /// Where it comes from.
    pub origin: Origin,
}

/// A package: the files that declare it and the packages it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Its dotted name.
    pub name: Arc<str>,
    /// Where it comes from.
    pub origin: Origin,
    /// Its files.
    pub files: Vec<FileId>,
    /// Packages it uses directly.
    pub uses: Vec<PackageId>,
    /// The package's doc comment (from its `package` line).
    pub doc: Option<String>,
}

/// An evidence kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The kind's name.
    pub name: Arc<str>,
    /// The package declaring it.
    pub package: PackageId,
    /// Doc comment.
    pub doc: Option<String>,
    /// Where its documents are read from.
    pub sources: Vec<Source>,
    /// Declared encoding of its files.
    pub encoding: Option<String>,
    /// What separates the cells of its CSV files (`delimiter ";"`), when not a comma.
    /// TSV files are separated by tabs whatever it says.
    pub delimiter: Option<u8>,
    /// Whether the numbers in its CSV and TSV files have a decimal comma (`decimal ","`):
    /// 0,85 for 0.85, and their thousands perhaps grouped by points or spaces (1.234,5).
    pub decimal_comma: bool,
    /// The line its CSV and TSV files' header is on (`header 3`, below a title), when not
    /// the first row.
    pub header_line: Option<u32>,
    /// The words its files write where a field has no value (`none "N/A", "NA"`), read
    /// as empty, in any case.
    pub none: Vec<Arc<str>>,
    /// Its fields.
    pub record: Arc<RecordTy>,
    /// The index of its key field.
    pub key: Option<usize>,
    /// The index of its effective-date field.
    pub effective: Option<usize>,
    /// Declaring file.
    pub file: FileId,
    /// Where its name is declared.
    pub span: Span,
}

/// One place a kind's documents are read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// A glob selecting files, relative to an evidence root.
    pub glob: String,
    /// The mapping keys leading from each of the files' documents to the list (or the one
    /// mapping) that holds the kind's documents; empty when the documents are the files'
    /// own, as they mostly are.
    pub at: Arc<[String]>,
}

impl Source {
    /// The glob as a schema writes it, with its `at` when it has one: how hovers, reports
    /// and scaffolding show where a kind is read from.
    pub fn written(&self) -> String {
        let glob = tenet_syntax::string_literal(&self.glob);
        if self.at.is_empty() {
            glob
        } else {
            format!("{glob} at {}", tenet_syntax::string_literal(&self.at.join(".")))
        }
    }
}

/// A parameter and its effective value.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: Arc<str>,
    /// The package declaring it.
    pub package: PackageId,
    /// Doc comment.
    pub doc: Option<String>,
    /// Its type.
    pub ty: Ty,
    /// The default value.
    pub default: Expr,
    /// The effective value: the default, or the value of the `set` that applies.
    pub value: Expr,
    /// The `set` that gave the effective value, if any.
    pub set_by: Option<Setting>,
    /// `set`s of packages that the winning package depends on, which it replaced, with
    /// their values: reports show where each setting came from.
    pub replaced_sets: Vec<(Setting, Expr)>,
    /// A `set` of it that has errors (it does not parse, or its value does not check):
    /// the file and the `set`'s place. The parameter then has no value, so the rules that
    /// read it are errors rather than judged by the default the `set` meant to replace.
    pub broken_set: Option<(FileId, Span)>,
    /// Declaring file.
    pub file: FileId,
    /// Where its name is declared.
    pub span: Span,
    /// Offset the spans of `default` are relative to.
    pub origin: u32,
}

/// A `set` that tailors a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The package that set it.
    pub package: PackageId,
    /// The justification, if given.
    pub because: Option<String>,
    /// The file of the `set`.
    pub file: FileId,
    /// The `set` line.
    pub span: Span,
    /// Offset the spans of the value are relative to.
    pub origin: u32,
}

/// A control, clause or objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// Its id in its package (`A.5.2`, `6.1.2`, or an objective's name).
    pub local_id: Arc<str>,
    /// Its id qualified by package (`iso42001.A.5.2`).
    pub qualified: Arc<str>,
    /// The package declaring it.
    pub package: PackageId,
    /// Control, clause or objective.
    pub kind: ControlKind,
    /// Its title.
    pub title: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// What it is for (`objective "…"`).
    pub intent: Option<String>,
    /// How much a failure matters (medium when unstated).
    pub severity: SeverityLevel,
    /// The control applies only when this holds.
    pub applies: Option<Arc<RuleBody>>,
    /// Its rules and attestation requirements.
    pub rules: Vec<Rule>,
    /// Declaring file.
    pub file: FileId,
    /// Where its id is declared.
    pub span: Span,
    /// The whole declaration.
    pub extent: Span,
}

/// A rule of a control, with its body kept apart from its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its name in the control (`default` for the unnamed rule).
    pub name: Arc<str>,
    /// Doc comment.
    pub doc: Option<String>,
    /// What it checks; spans inside are relative to `origin`.
    pub body: Arc<RuleBody>,
    /// The rule's start in its file.
    pub origin: u32,
    /// Where its name (or first keyword) is, absolute.
    pub span: Span,
    /// Set when a dependent package replaced or disabled the rule: `body` is then the
    /// replacing body (spans relative to the override's `origin`, in its file) or a
    /// [`RuleKind::Disabled`] body. The rule keeps its control, name and identity.
    pub overridden: Option<RuleOverride>,
}

/// What a rule checks, position-independent.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleBody {
    /// The control's qualified id and the rule's name, for messages.
    pub label: Arc<str>,
    /// A rule over evidence, or an attestation requirement.
    pub kind: RuleKind,
    /// Names of the local variables, by slot.
    pub locals: Vec<Arc<str>>,
    /// Every evidence kind the rule may read, sorted.
    pub kinds_read: Vec<KindId>,
    /// Every parameter the rule reads, sorted.
    pub params_read: Vec<ParamId>,
    /// True when checking the rule found errors: it is reported as an error, not run.
    pub broken: bool,
}

/// The two kinds of rules.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// `for … applies when … let … require … else …`
    Check(CheckRule),
    /// `attest name { by … within … about … }`
    Attestation(AttestationRule),
    /// `applies when` of a control: a condition evaluated once.
    Condition(Expr),
    /// A rule a dependent package disabled: one result, not applicable, with the reason.
    Disabled(DisabledRule),
}

/// A rule turned off by `disable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledRule {
    /// The package that disabled it.
    pub package: Arc<str>,
    /// Why.
    pub because: String,
}

/// A rule over evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRule {
    /// The subjects: one result per document (or element), or one result overall.
    pub subject: Option<Subject>,
    /// Per subject, whether the rule applies.
    pub applies: Option<Expr>,
    /// `let` bindings in order.
    pub lets: Vec<(VarId, Expr)>,
    /// The requirement.
    pub require: Expr,
    /// The message when it fails.
    pub message: Option<Message>,
}

impl CheckRule {
    /// Folds the constant list and record literals of each of its expressions
    /// ([`Expr::fold_constants`]).
    pub fn fold_constants(&mut self) {
        self.each_expr_mut(Expr::fold_constants);
    }

    /// Calls `f` on each of its expressions: the subjects' filter, the `applies`, the
    /// `let`s, the requirement and the message's parts.
    pub fn each_expr_mut(&mut self, f: impl FnMut(&mut Expr)) {
        let subject = self.subject.iter_mut().filter_map(|s| s.filter.as_mut());
        let lets = self.lets.iter_mut().map(|(_, e)| e);
        let messages = self.message.iter_mut().flat_map(|m| &mut m.parts).filter_map(|part| match part {
            MessagePart::Expr(e) => Some(e),
            MessagePart::Text(_) => None,
        });
        subject
            .chain(self.applies.as_mut())
            .chain(lets)
            .chain(std::iter::once(&mut self.require))
            .chain(messages)
            .for_each(f);
    }
}

/// `for var: Kind where filter`
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The variable.
    pub var: VarId,
    /// The kind ranged over.
    pub kind: KindId,
    /// Which documents are subjects.
    pub filter: Option<Expr>,
    /// Where the `for` clause is, relative.
    pub span: Span,
}

/// An interpolated message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Text and expressions in order.
    pub parts: Vec<MessagePart>,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// An interpolated value.
    Expr(Expr),
}

/// An attestation requirement: a signed statement, by one of the roles, recent enough.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationRule {
    /// The control's qualified id.
    pub control: Arc<str>,
    /// The control's local id, which attestation documents may use instead.
    pub control_local: Arc<str>,
    /// The requirement's name within the control.
    pub name: Arc<str>,
    /// What is attested, in words.
    pub title: Option<String>,
    /// Roles that may sign; empty means any.
    pub roles: Vec<String>,
    /// How recent the signature must be.
    pub within: Option<Expr>,
    /// The evidence kind the statement must reference.
    pub about: Option<KindId>,
    /// The attestation kind.
    pub kind: KindId,
}

/// A framework and its requirements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// The name mappings use.
    pub name: Arc<str>,
    /// The package declaring it.
    pub package: PackageId,
    /// Its title.
    pub title: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// Metadata such as `version` and `source`.
    pub metadata: BTreeMap<String, String>,
    /// Requirements in declaration order.
    pub requirements: Vec<Requirement>,
    /// Requirement index by id.
    pub by_id: FxHashMap<Arc<str>, usize>,
    /// Declaring file.
    pub file: FileId,
    /// Where its name is declared.
    pub span: Span,
}

impl Framework {
    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.by_id.get(id).and_then(|i| self.requirements.get(*i))
    }
}

/// A framework requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Its id, such as `Art. 27`.
    pub id: Arc<str>,
    /// Its title.
    pub title: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// Facts such as `text`, `part_of`, `applies_from`.
    pub metadata: BTreeMap<String, String>,
    /// Declaring file.
    pub file: FileId,
    /// Where it is declared.
    pub span: Span,
}

/// A control mapped to a framework requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The control.
    pub control: ControlId,
    /// The framework.
    pub framework: FrameworkId,
    /// The requirement's id.
    pub requirement: Arc<str>,
    /// How they relate.
    pub relationship: Relationship,
    /// Where the mapping is stated.
    pub source: MappingSource,
    /// Set when a reviewer derived it.
    pub reviewed: Option<(Confidence, String)>,
    /// The file stating it.
    pub file: FileId,
    /// Where it is stated.
    pub span: Span,
}

/// Where a mapping is stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingSource {
    /// In the control's `maps` line.
    Control,
    /// In a crosswalk, with the crosswalk's `source` metadata.
    Crosswalk {
        /// The crosswalk's name.
        name: Arc<str>,
        /// Its `source` metadata, if any.
        source: Option<String>,
    },
}

/// A control that contributes to a control of another package (`maps iso42001 "7.2"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The contributing control.
    pub from: ControlId,
    /// The control contributed to.
    pub to: ControlId,
    /// How they relate.
    pub relationship: Relationship,
}

/// A control declared not applicable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    /// The control.
    pub control: ControlId,
    /// The justification.
    pub because: String,
    /// The package that declared it.
    pub package: PackageId,
    /// Its file.
    pub file: FileId,
    /// Where.
    pub span: Span,
}

/// A waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The control.
    pub control: ControlId,
    /// One rule, when not all.
    pub rule: Option<Arc<str>>,
    /// One subject: its kind and key.
    pub subject: Option<(KindId, String)>,
    /// The last day it holds.
    pub until: Date,
    /// Who approved it.
    pub approved_by: String,
    /// Why.
    pub because: String,
    /// The package that declared it.
    pub package: PackageId,
    /// Its file.
    pub file: FileId,
    /// Where.
    pub span: Span,
}

/// What an override does to the rule it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideAction {
    /// `override … { body }`: the rule evaluates a new body.
    Replace,
    /// `disable …`: the rule is not evaluated; its one result is not applicable.
    Disable,
}

impl OverrideAction {
    /// The word used in reports: `replace` or `disable`.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideAction::Replace => "replace",
            OverrideAction::Disable => "disable",
        }
    }
}

/// A rule of a used package replaced or disabled by a dependent package, with the
/// justification every report shows next to the rule's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOverride {
    /// The control of the rule.
    pub control: ControlId,
    /// The rule's name in its control.
    pub rule: Arc<str>,
    /// Replaced or disabled.
    pub action: OverrideAction,
    /// Why.
    pub because: String,
    /// The package that overrode it.
    pub package: PackageId,
    /// The file of the `override` or `disable`.
    pub file: FileId,
    /// The whole declaration, doc comment included.
    pub span: Span,
    /// Where the control is named, on the line of the `override` or `disable` keyword:
    /// the place reports cite.
    pub target: Span,
    /// Offset the replacing body's spans are relative to.
    pub origin: u32,
}

/// A test block.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// The package declaring it.
    pub package: PackageId,
    /// The date it runs as of.
    pub today: Option<Date>,
    /// Parameters set for this test.
    pub sets: Vec<(ParamId, Expr)>,
    /// Inline evidence.
    pub givens: Vec<GivenDoc>,
    /// Expected results.
    pub expects: Vec<Expectation>,
    /// Its file.
    pub file: FileId,
    /// Where it is declared.
    pub span: Span,
    /// Offset the spans of expressions are relative to.
    pub origin: u32,
}

/// A document given in a test.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenDoc {
    /// Its kind.
    pub kind: KindId,
    /// Field values in schema order; `None` for fields left out (absent optionals).
    pub fields: Vec<Option<Expr>>,
    /// A Markdown body, for rules that read sections.
    pub body: Option<String>,
    /// Where, absolute.
    pub span: Span,
}

/// An expected result in a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The control.
    pub control: ControlId,
    /// One rule, when not all.
    pub rule: Option<Arc<str>>,
    /// The expected status.
    pub status: ExpectStatus,
    /// One subject's key.
    pub subject: Option<String>,
    /// Text the message must contain.
    pub message: Option<String>,
    /// Where, absolute.
    pub span: Span,
}

impl Program {
    /// A kind's name.
    pub fn kind_name(&self, kind: KindId) -> &str {
        self.schemas.get(kind.index()).map_or("?", |s| &s.name)
    }

    /// A file's path.
    pub fn path(&self, file: FileId) -> &Arc<str> {
        static UNKNOWN: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        self.files.get(file.index()).map_or_else(|| UNKNOWN.get_or_init(|| Arc::from("?")), |f| &f.path)
    }

    /// The control with this qualified id.
    pub fn control_by_qualified(&self, qualified: &str) -> Option<ControlId> {
        self.controls.iter().position(|c| &*c.qualified == qualified).map(|i| ControlId(i as u32))
    }

    /// The kind with this name (the first, if several packages declare one).
    pub fn kind_by_name(&self, name: &str) -> Option<KindId> {
        self.schemas.iter().position(|s| &*s.name == name).map(|i| KindId(i as u32))
    }

    /// The framework with this name.
    pub fn framework_by_name(&self, name: &str) -> Option<FrameworkId> {
        self.frameworks.iter().position(|f| &*f.name == name).map(|i| FrameworkId(i as u32))
    }

    /// True when the checker found an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}
