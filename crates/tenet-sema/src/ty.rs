//! Types of the language: what an expression may evaluate to.

use std::sync::Arc;

use tenet_diagnostics::Span;

use crate::program::{FileId, KindId, Program};

/// A type. `Error` stands for an expression that already has a diagnostic, so that one
/// mistake is reported once and not again by every expression around it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Already reported.
    Error,
    /// The type of the literal `none`.
    None,
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `string`
    String,
    /// `date`
    Date,
    /// `datetime`
    DateTime,
    /// `duration`
    Duration,
    /// A string restricted to the listed values.
    Enum(Arc<[Arc<str>]>),
    /// `[T]`
    List(Arc<Ty>),
    /// `{ a: T, … }`
    Record(Arc<RecordTy>),
    /// The key of a document of a kind.
    Ref(KindId),
    /// A document of a kind.
    Doc(KindId),
    /// `T?`
    Optional(Arc<Ty>),
}

/// The fields of a record type or schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordTy {
    /// The fields in declaration order; field access compiles to an index into this list.
    pub fields: Vec<FieldDef>,
}

impl RecordTy {
    /// The index and definition of the field called `name`.
    pub fn field(&self, name: &str) -> Option<(usize, &FieldDef)> {
        self.fields.iter().enumerate().find(|(_, f)| &*f.name == name)
    }
}

/// A field of a schema or record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDef {
    /// Its name in rules.
    pub name: Arc<str>,
    /// Its type.
    pub ty: Ty,
    /// True for the field that identifies the document.
    pub key: bool,
    /// True for the field holding the document's effective date.
    pub effective: bool,
    /// Its name in evidence files, when it differs (`as "Use Case Name"`).
    pub alias: Option<Arc<str>>,
    /// How evidence writes a date field's dates (`format "%m/%d/%Y"`, jiff's `strptime`
    /// directives), when not as `YYYY-MM-DD`; only a valid format on a date field is kept.
    pub date_format: Option<Arc<str>>,
    /// Its `format` cannot read a date (`"%Y/%m"`, no day): its values cannot be read, so
    /// evidence leaves it empty without blaming each document, and a rule that reads it
    /// is an error in the policy rather than one over values read another way.
    pub refused_format: bool,
    /// Doc comment.
    pub doc: Option<String>,
    /// The file that declares it.
    pub file: FileId,
    /// Where its name is declared.
    pub span: Span,
}

impl FieldDef {
    /// The name the field has in evidence documents.
    pub fn source_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

impl Ty {
    /// An optional of this type (idempotent).
    pub fn optional(self) -> Ty {
        match self {
            Ty::Optional(_) | Ty::None | Ty::Error => self,
            other => Ty::Optional(Arc::new(other)),
        }
    }

    /// The type without its optionality.
    pub fn non_optional(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner,
            other => other,
        }
    }

    /// True for `T?` and `none`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_) | Ty::None)
    }

    /// True for `int` and `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// True for strings, enums (strings with a fixed set of values) and references
    /// (strings naming a document).
    pub fn is_stringish(&self) -> bool {
        matches!(self, Ty::String | Ty::Enum(_))
    }

    /// The type as users write it, with kind names from `program`.
    pub fn display(&self, program: &Program) -> String {
        match self {
            Ty::Error => "unknown".to_owned(),
            Ty::None => "none".to_owned(),
            Ty::Bool => "bool".to_owned(),
            Ty::Int => "int".to_owned(),
            Ty::Float => "float".to_owned(),
            Ty::String => "string".to_owned(),
            Ty::Date => "date".to_owned(),
            Ty::DateTime => "datetime".to_owned(),
            Ty::Duration => "duration".to_owned(),
            Ty::Enum(values) => {
                let shown: Vec<String> = values.iter().take(6).map(|v| format!("\"{v}\"")).collect();
                if values.len() > 6 { format!("{} | …", shown.join(" | ")) } else { shown.join(" | ") }
            }
            Ty::List(inner) => format!("[{}]", inner.display(program)),
            Ty::Record(r) => {
                let fields: Vec<String> =
                    r.fields.iter().map(|f| format!("{}: {}", f.name, f.ty.display(program))).collect();
                format!("{{ {} }}", fields.join(", "))
            }
            Ty::Ref(k) => format!("ref {}", program.kind_name(*k)),
            Ty::Doc(k) => program.kind_name(*k).to_owned(),
            Ty::Optional(inner) => format!("{}?", inner.display(program)),
        }
    }
}
