//! Phase two: schema fields and parameter types become [`Ty`]s.

use std::sync::Arc;

use tenet_diagnostics::Code;
use tenet_syntax::ast::{self, PrimType, TypeKind};

use super::{Checker, doc_text};
use crate::program::*;
use crate::ty::{FieldDef, RecordTy, Ty};

impl Checker<'_> {
    pub(super) fn resolve_schemas(&mut self) {
        for index in 0..self.schema_asts.len() {
            let ast = self.schema_asts[index];
            let (package, file) = {
                let s = &self.program.schemas[index];
                (s.package, s.file)
            };
            let record = self.record_type(package, file, &ast.fields);
            let mut key = None;
            let mut effective = None;
            for (i, (field, def)) in ast.fields.iter().zip(&record.fields).enumerate() {
                if field.key {
                    if key.is_some() {
                        self.error(
                            Code::KEY_TYPE,
                            file,
                            field.name.span,
                            "a schema has at most one `key` field",
                        );
                    } else if !matches!(def.ty, Ty::String | Ty::Int | Ty::Error) {
                        let d = self
                            .diag(
                                Code::KEY_TYPE,
                                file,
                                field.ty.span,
                                format!(
                                    "a key must be a `string` or an `int`, not `{}`",
                                    def.ty.display(&self.program)
                                ),
                            )
                            .with_help("keys identify documents; they cannot be absent, lists or records");
                        self.report(d);
                    } else {
                        key = Some(i);
                    }
                }
                if field.effective {
                    if effective.is_some() {
                        self.error(
                            Code::DUPLICATE,
                            file,
                            field.name.span,
                            "a schema has at most one `effective` field",
                        );
                    } else if !matches!(def.ty.non_optional(), Ty::Date | Ty::DateTime | Ty::Error) {
                        self.error(
                            Code::TYPE_MISMATCH,
                            file,
                            field.ty.span,
                            format!(
                                "the effective date must be a `date` or `datetime`, not `{}`",
                                def.ty.display(&self.program)
                            ),
                        );
                    } else {
                        effective = Some(i);
                    }
                }
            }
            // `at "systems.*"` names each document by its entry's key, which goes to the key field.
            if key.is_none() {
                let named: Vec<&ast::Str> = ast
                    .sources
                    .iter()
                    .zip(&self.program.schemas[index].sources)
                    .filter(|(_, source)| {
                        source.at.last().map(String::as_str) == Some(crate::sources::ENTRIES)
                    })
                    .filter_map(|(written, _)| written.at.as_ref())
                    .collect();
                for at in named {
                    let message = format!(
                        "`{}` names each document by its key, but `{}` has no `key` field",
                        at.value, ast.name.text
                    );
                    let d = self.diag(Code::INVALID_SOURCE_PLACE, file, at.span, message).with_help(
                        "mark the field that identifies a document `key`; each entry's key fills it",
                    );
                    self.report(d);
                }
            }
            let s = &mut self.program.schemas[index];
            s.record = Arc::new(record);
            s.key = key;
            s.effective = effective;
        }
    }

    fn record_type(&mut self, package: PackageId, file: FileId, fields: &[ast::Field]) -> RecordTy {
        let mut defs: Vec<FieldDef> = Vec::new();
        for field in fields {
            if let Some(first) = defs.iter().find(|d| *d.name == *field.name.text) {
                let first = (file, first.span);
                self.duplicate("field", &field.name.text, file, field.name.span, first);
                continue;
            }
            let ty = self.type_of(package, file, &field.ty);
            let (date_format, refused_format) = match &field.format {
                None => (None, false),
                Some(format) => match self.date_format(file, field, &ty, format) {
                    DateFormat::Kept(format) => (Some(format), false),
                    DateFormat::Ignored => (None, false),
                    DateFormat::Refused => (None, true),
                },
            };
            defs.push(FieldDef {
                name: Arc::from(field.name.text.as_str()),
                ty,
                key: field.key,
                effective: field.effective,
                alias: field.alias.as_ref().map(|a| Arc::from(a.value.as_str())),
                date_format,
                refused_format,
                doc: doc_text(&field.doc),
                file,
                span: field.name.span,
            });
        }
        RecordTy { fields: defs }
    }

    /// A field's `format`, kept when it is on a date field (or a list of dates) and reads a
    /// date: the format writes a sample date that it then reads back as the same date.
    fn date_format(&mut self, file: FileId, field: &ast::Field, ty: &Ty, format: &ast::Str) -> DateFormat {
        let element = match ty.non_optional() {
            Ty::List(element) => element.non_optional(),
            other => other,
        };
        if matches!(element, Ty::Error) {
            return DateFormat::Ignored;
        }
        if !matches!(element, Ty::Date) {
            let message = format!(
                "`format` says how dates are written, but `{}` is `{}`",
                field.name.text,
                ty.display(&self.program)
            );
            let d = self
                .diag(Code::INVALID_DATE_FORMAT, file, format.span, message)
                .with_help("declare the field `date`, `date?` or `[date]`, or remove the format");
            self.report(d);
            return DateFormat::Ignored;
        }
        let sample = jiff::civil::date(2024, 12, 17);
        let reads_back = jiff::fmt::strtime::format(format.value.as_str(), sample)
            .ok()
            .and_then(|written| jiff::fmt::strtime::parse(format.value.as_str(), &written).ok())
            .and_then(|parsed| parsed.to_date().ok());
        if reads_back == Some(sample) {
            return DateFormat::Kept(Arc::from(format.value.as_str()));
        }
        // A format that reads a time of day too fails for that, not for want of a day.
        let time = ["%H", "%I", "%M", "%S", "%p", "%P", "%T", "%R", "%s", "%f", "%."]
            .iter()
            .any(|directive| format.value.contains(directive));
        let message = if time {
            format!(
                "`{}` cannot read a date: it reads a time of day too, which a `date` does not hold",
                format.value
            )
        } else {
            format!("`{}` cannot read a date: it must give the year, the month and the day", format.value)
        };
        let d = self.diag(Code::INVALID_DATE_FORMAT, file, format.span, message).with_help(
            "write it with `%Y` (2024), `%m` (12, or 6) or `%b` (Dec), and `%d` (17): `%m/%d/%Y` reads 12/17/2024, `%d.%m.%Y` reads 17.12.2024",
        );
        self.report(d);
        DateFormat::Refused
    }

    /// The type a type expression denotes in a package.
    pub(super) fn type_of(&mut self, package: PackageId, file: FileId, ty: &ast::TypeExpr) -> Ty {
        let base = match &ty.kind {
            TypeKind::Prim(p) => match p {
                PrimType::String => Ty::String,
                PrimType::Int => Ty::Int,
                PrimType::Float => Ty::Float,
                PrimType::Bool => Ty::Bool,
                PrimType::Date => Ty::Date,
                PrimType::DateTime => Ty::DateTime,
                PrimType::Duration => Ty::Duration,
            },
            TypeKind::List(inner) => Ty::List(Arc::new(self.type_of(package, file, inner))),
            TypeKind::Record(fields) => Ty::Record(Arc::new(self.record_type(package, file, fields))),
            TypeKind::Ref(kind) => {
                match self.resolve_kind_as(package, file, &kind.text, kind.span, Code::UNKNOWN_REF_KIND) {
                    Some(k) => Ty::Ref(k),
                    None => Ty::Error,
                }
            }
            TypeKind::Enum(values) => {
                let mut seen: Vec<Arc<str>> = Vec::new();
                for v in values {
                    let value = crate::value::composed(&v.value);
                    if seen.iter().any(|s| **s == *value) {
                        self.error(
                            Code::DUPLICATE,
                            file,
                            v.span,
                            format!("`\"{}\"` is listed twice", v.value),
                        );
                    } else {
                        seen.push(Arc::from(&*value));
                    }
                }
                Ty::Enum(Arc::from(seen))
            }
        };
        if ty.optional { base.optional() } else { base }
    }
}

/// What becomes of a field's `format`.
enum DateFormat {
    /// It reads dates: evidence is read with it.
    Kept(Arc<str>),
    /// It is on a field that is not a date (an error there), or a field whose type is in
    /// error: the field is read as its type says.
    Ignored,
    /// It cannot read a date (an error there): the field cannot be read.
    Refused,
}
