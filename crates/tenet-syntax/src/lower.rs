//! Turns pest's pairs into the syntax tree, decoding literals and assigning operator
//! precedence. Spans are made absolute by adding the offset of the chunk that was parsed.

use std::cell::RefCell;
use std::sync::LazyLock;

use jiff::civil::Date;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use crate::ast::*;
use crate::errors::{SyntaxError, SyntaxErrorKind};
use crate::grammar::Rule;

/// Operator precedence, loosest first.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_implies, Assoc::Right))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::infix(Rule::op_coalesce, Assoc::Right))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::field_access))
});

pub(crate) struct Lower {
    base: usize,
    errors: RefCell<Vec<SyntaxError>>,
}

impl Lower {
    pub(crate) fn new(base: usize) -> Lower {
        Lower { base, errors: RefCell::new(Vec::new()) }
    }

    pub(crate) fn into_errors(self) -> Vec<SyntaxError> {
        self.errors.into_inner()
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::from_usize(self.base + s.start(), self.base + s.end())
    }

    fn error(&self, kind: SyntaxErrorKind, span: Span, message: String) {
        self.errors.borrow_mut().push(SyntaxError::new(kind, span, message));
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name { text: pair.as_str().to_owned(), span: self.span(pair) }
    }

    /// Lowers the items of a `file` pair.
    pub(crate) fn file(&self, pair: Pair<'_, Rule>) -> Vec<Item> {
        pair.into_inner().filter_map(|p| self.item(p)).collect()
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::package_decl => Item::Package(self.package(pair)),
            Rule::use_decl => Item::Use(self.use_decl(pair)),
            Rule::schema_decl => Item::Schema(self.schema(pair)),
            Rule::param_decl => Item::Param(self.param(pair)),
            Rule::set_decl => Item::Set(self.set(pair)),
            Rule::control_decl | Rule::objective_decl => Item::Control(self.control(pair)),
            Rule::exclusion_decl => Item::Exclusion(self.exclusion(pair)),
            Rule::waiver_decl => Item::Waiver(self.waiver(pair)),
            Rule::override_decl => Item::Override(Box::new(self.override_decl(pair))),
            Rule::disable_decl => Item::Disable(self.disable(pair)),
            Rule::framework_decl => Item::Framework(self.framework(pair)),
            Rule::crosswalk_decl => Item::Crosswalk(self.crosswalk(pair)),
            Rule::test_decl => Item::Test(self.test(pair)),
            _ => return None,
        })
    }

    fn doc(&self, pair: Pair<'_, Rule>) -> Doc {
        let span = self.span(&pair);
        let lines = pair
            .into_inner()
            .map(|line| line.as_str().strip_prefix("///").unwrap_or("").trim_end().to_owned())
            .collect();
        Doc { lines, span }
    }

    fn package(&self, pair: Pair<'_, Rule>) -> Package {
        let span = self.span(&pair);
        let mut doc = None;
        let mut path = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc = Some(self.doc(p)),
                Rule::package_path => path = Some(self.name(&p)),
                _ => {}
            }
        }
        Package { doc, path: path.unwrap_or_else(|| missing(span)), span }
    }

    fn use_decl(&self, pair: Pair<'_, Rule>) -> Use {
        let span = self.span(&pair);
        let (mut doc, mut path, mut alias) = (None, None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc = Some(self.doc(p)),
                Rule::package_path => path = Some(self.name(&p)),
                Rule::ident => alias = Some(self.name(&p)),
                _ => {}
            }
        }
        Use { doc, path: path.unwrap_or_else(|| missing(span)), alias, span }
    }

    fn schema(&self, pair: Pair<'_, Rule>) -> Schema {
        let span = self.span(&pair);
        let mut schema = Schema {
            doc: None,
            name: missing(span),
            sources: vec![],
            encoding: None,
            delimiter: None,
            decimal: None,
            header: None,
            none: vec![],
            fields: vec![],
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => schema.doc = Some(self.doc(p)),
                Rule::schema_name => schema.name = self.name(&p),
                Rule::schema_source => {
                    schema.sources = p
                        .into_inner()
                        .filter(|s| s.as_rule() == Rule::source)
                        .map(|s| self.source(s))
                        .collect();
                }
                Rule::schema_encoding => schema.encoding = self.strings(p).into_iter().next(),
                Rule::schema_delimiter => schema.delimiter = self.strings(p).into_iter().next(),
                Rule::schema_decimal => schema.decimal = self.strings(p).into_iter().next(),
                Rule::schema_header => {
                    schema.header = p
                        .into_inner()
                        .find(|n| n.as_rule() == Rule::int_lit)
                        .map(|n| LineNumber { digits: n.as_str().to_owned(), span: self.span(&n) });
                }
                Rule::schema_none => schema.none = self.strings(p),
                Rule::field_decl => schema.fields.push(self.field(p)),
                _ => {}
            }
        }
        schema
    }

    fn source(&self, pair: Pair<'_, Rule>) -> Source {
        let mut strings = pair.into_inner().flat_map(|p| match p.as_rule() {
            Rule::source_at => self.strings(p),
            _ => vec![self.string(p)],
        });
        let glob = strings.next().unwrap_or_else(|| Str { value: String::new(), span: Span::new(0, 0) });
        Source { glob, at: strings.next() }
    }

    fn strings(&self, pair: Pair<'_, Rule>) -> Vec<Str> {
        pair.into_inner().filter(|p| p.as_rule() == Rule::string).map(|p| self.string(p)).collect()
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Field {
        let span = self.span(&pair);
        let mut field = Field {
            doc: None,
            name: missing(span),
            ty: TypeExpr { kind: TypeKind::Prim(PrimType::String), optional: false, span },
            key: false,
            effective: false,
            alias: None,
            format: None,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => field.doc = Some(self.doc(p)),
                Rule::name => field.name = self.name(&p),
                Rule::type_expr => field.ty = self.type_expr(p),
                Rule::mod_key => field.key = true,
                Rule::mod_effective => field.effective = true,
                Rule::mod_alias => field.alias = self.strings(p).into_iter().next(),
                Rule::mod_format => field.format = self.strings(p).into_iter().next(),
                _ => {}
            }
        }
        field
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut ty = TypeExpr { kind: TypeKind::Prim(PrimType::String), optional: false, span };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::optional_mark => ty.optional = true,
                Rule::prim_type => {
                    ty.kind = TypeKind::Prim(match p.as_str() {
                        "int" => PrimType::Int,
                        "float" => PrimType::Float,
                        "bool" => PrimType::Bool,
                        "date" => PrimType::Date,
                        "datetime" => PrimType::DateTime,
                        "duration" => PrimType::Duration,
                        _ => PrimType::String,
                    })
                }
                Rule::list_type => {
                    if let Some(inner) = p.into_inner().find(|p| p.as_rule() == Rule::type_expr) {
                        ty.kind = TypeKind::List(Box::new(self.type_expr(inner)));
                    }
                }
                Rule::record_type => {
                    ty.kind = TypeKind::Record(
                        p.into_inner()
                            .filter(|p| p.as_rule() == Rule::field_decl)
                            .map(|p| self.field(p))
                            .collect(),
                    )
                }
                Rule::ref_type => {
                    if let Some(kind) = p.into_inner().find(|p| p.as_rule() == Rule::type_name) {
                        ty.kind = TypeKind::Ref(self.name(&kind));
                    }
                }
                Rule::enum_type => ty.kind = TypeKind::Enum(self.strings(p)),
                _ => {}
            }
        }
        ty
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Param {
        let span = self.span(&pair);
        let (mut doc, mut name, mut ty, mut default) = (None, missing(span), None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc = Some(self.doc(p)),
                Rule::ident => name = self.name(&p),
                Rule::type_expr => ty = Some(self.type_expr(p)),
                Rule::expr => default = Some(self.expr(p)),
                _ => {}
            }
        }
        Param {
            doc,
            name,
            ty: ty.unwrap_or(TypeExpr { kind: TypeKind::Prim(PrimType::String), optional: false, span }),
            default: default.unwrap_or_else(|| missing_expr(span)),
            span,
        }
    }

    fn set(&self, pair: Pair<'_, Rule>) -> SetParam {
        let span = self.span(&pair);
        let (mut doc, mut target, mut value, mut because) = (None, missing(span), None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc = Some(self.doc(p)),
                Rule::qualified_name => target = self.name(&p),
                Rule::expr => value = Some(self.expr(p)),
                Rule::justification => because = self.strings(p).into_iter().next(),
                _ => {}
            }
        }
        SetParam { doc, target, value: value.unwrap_or_else(|| missing_expr(span)), because, span }
    }

    fn exclusion(&self, pair: Pair<'_, Rule>) -> Exclusion {
        let span = self.span(&pair);
        let (mut doc, mut control, mut because) = (None, missing(span), None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc = Some(self.doc(p)),
                Rule::control_ref => control = self.name(&p),
                Rule::justification => because = self.strings(p).into_iter().next(),
                _ => {}
            }
        }
        Exclusion { doc, control, because: because.unwrap_or_else(|| missing_str(span)), span }
    }

    fn waiver(&self, pair: Pair<'_, Rule>) -> Waiver {
        let span = self.span(&pair);
        let mut waiver = Waiver {
            doc: None,
            control: missing(span),
            rule: None,
            subject: None,
            until: DateLit { date: Date::constant(1970, 1, 1), span },
            approved_by: missing_str(span),
            because: missing_str(span),
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => waiver.doc = Some(self.doc(p)),
                Rule::control_ref => waiver.control = self.name(&p),
                Rule::rule_selector => waiver.rule = self.rule_selector(p),
                Rule::waiver_subject => {
                    let subject_span = self.span(&p);
                    let mut kind = missing(subject_span);
                    let mut key = missing_str(subject_span);
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::type_name => kind = self.name(&q),
                            Rule::string => key = self.string(q),
                            _ => {}
                        }
                    }
                    waiver.subject = Some(WaiverSubject { kind, key, span: subject_span });
                }
                Rule::p_waiver_date => {
                    if let Some(d) = p.into_inner().next() {
                        waiver.until = self.date(&d);
                    }
                }
                Rule::string => waiver.approved_by = self.string(p),
                Rule::justification => {
                    if let Some(s) = self.strings(p).into_iter().next() {
                        waiver.because = s;
                    }
                }
                _ => {}
            }
        }
        waiver
    }

    fn override_decl(&self, pair: Pair<'_, Rule>) -> Override {
        let span = self.span(&pair);
        let mut o = Override {
            doc: None,
            control: missing(span),
            rule: missing(span),
            because: missing_str(span),
            body: empty_rule(span),
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => o.doc = Some(self.doc(p)),
                Rule::override_body => o.body = self.rule(p),
                _ => self.rule_target(p, &mut o.control, &mut o.rule, &mut o.because),
            }
        }
        o
    }

    /// The parts `override` and `disable` share: which control, which rule, and why.
    fn rule_target(&self, p: Pair<'_, Rule>, control: &mut Name, rule: &mut Name, because: &mut Str) {
        match p.as_rule() {
            Rule::control_ref => *control = self.name(&p),
            Rule::rule_selector => {
                if let Some(selected) = self.rule_selector(p) {
                    *rule = selected;
                }
            }
            Rule::justification => {
                if let Some(s) = self.strings(p).into_iter().next() {
                    *because = s;
                }
            }
            _ => {}
        }
    }

    fn disable(&self, pair: Pair<'_, Rule>) -> Disable {
        let span = self.span(&pair);
        let mut d = Disable {
            doc: None,
            control: missing(span),
            rule: missing(span),
            because: missing_str(span),
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => d.doc = Some(self.doc(p)),
                _ => self.rule_target(p, &mut d.control, &mut d.rule, &mut d.because),
            }
        }
        d
    }

    fn rule_selector(&self, pair: Pair<'_, Rule>) -> Option<Name> {
        pair.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(&p))
    }

    fn control(&self, pair: Pair<'_, Rule>) -> Control {
        let span = self.span(&pair);
        let objective = pair.as_rule() == Rule::objective_decl;
        let mut control = Control {
            doc: None,
            kind: if objective { ControlKind::Objective } else { ControlKind::Control },
            id: missing(span),
            title: missing_str(span),
            members: vec![],
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => control.doc = Some(self.doc(p)),
                Rule::control_kind if p.as_str() == "clause" => {
                    control.kind = ControlKind::Clause;
                }
                Rule::control_id | Rule::ident => control.id = self.name(&p),
                Rule::string => control.title = self.string(p),
                Rule::intent_decl => {
                    if let Some(s) = self.strings(p).into_iter().next() {
                        control.members.push(Member::Intent(s));
                    }
                }
                Rule::severity_decl => {
                    let member_span = self.span(&p);
                    let level = match p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::severity_level)
                        .map(|p| p.as_str())
                    {
                        Some("critical") => SeverityLevel::Critical,
                        Some("high") => SeverityLevel::High,
                        Some("medium") => SeverityLevel::Medium,
                        _ => SeverityLevel::Low,
                    };
                    control.members.push(Member::Severity(SeverityDecl { level, span: member_span }));
                }
                Rule::maps_decl => control.members.push(Member::Maps(self.maps(p))),
                Rule::applies_decl => {
                    let member_span = self.span(&p);
                    if let Some(e) = p.into_inner().find(|p| p.as_rule() == Rule::expr) {
                        control
                            .members
                            .push(Member::Applies(Applies { condition: self.expr(e), span: member_span }));
                    }
                }
                Rule::attest_decl => control.members.push(Member::Attest(self.attestation(p))),
                Rule::rule_decl => control.members.push(Member::Rule(self.rule(p))),
                _ => {}
            }
        }
        control
    }

    fn maps(&self, pair: Pair<'_, Rule>) -> Maps {
        let span = self.span(&pair);
        let targets = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::map_target)
            .map(|p| {
                let target_span = self.span(&p);
                let mut target = MapTarget {
                    framework: missing(target_span),
                    ids: vec![],
                    relationship: None,
                    span: target_span,
                };
                for q in p.into_inner() {
                    match q.as_rule() {
                        Rule::ident => target.framework = self.name(&q),
                        Rule::string => target.ids.push(self.string(q)),
                        Rule::relationship => target.relationship = Some(relationship(q.as_str())),
                        _ => {}
                    }
                }
                target
            })
            .collect();
        Maps { targets, span }
    }

    fn attestation(&self, pair: Pair<'_, Rule>) -> Attestation {
        let span = self.span(&pair);
        let mut attestation =
            Attestation { doc: None, name: missing(span), title: None, props: vec![], span };
        for p in pair.into_inner() {
            let prop_span = self.span(&p);
            match p.as_rule() {
                Rule::doc => attestation.doc = Some(self.doc(p)),
                Rule::ident => attestation.name = self.name(&p),
                Rule::string => attestation.title = Some(self.string(p)),
                Rule::attest_by => attestation.props.push(AttestProp::By(self.strings(p), prop_span)),
                Rule::attest_within => {
                    if let Some(e) = p.into_inner().find(|p| p.as_rule() == Rule::expr) {
                        attestation.props.push(AttestProp::Within(self.expr(e), prop_span));
                    }
                }
                Rule::attest_about => {
                    if let Some(k) = p.into_inner().find(|p| p.as_rule() == Rule::type_name) {
                        attestation.props.push(AttestProp::About(self.name(&k), prop_span));
                    }
                }
                _ => {}
            }
        }
        attestation
    }

    fn rule(&self, pair: Pair<'_, Rule>) -> Rule_ {
        let span = self.span(&pair);
        let mut rule = empty_rule(span);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => rule.doc = Some(self.doc(p)),
                Rule::ident => rule.name = Some(self.name(&p)),
                Rule::rule_for => {
                    let for_span = self.span(&p);
                    let mut binding = None;
                    let mut filter = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::binding => binding = Some(self.binding(q)),
                            Rule::expr => filter = Some(self.expr(q)),
                            _ => {}
                        }
                    }
                    if let Some(binding) = binding {
                        rule.subject = Some(ForClause { binding, filter, span: for_span });
                    }
                }
                Rule::rule_applies => {
                    rule.applies = p.into_inner().find(|p| p.as_rule() == Rule::expr).map(|e| self.expr(e));
                }
                Rule::let_stmt => {
                    let let_span = self.span(&p);
                    let mut name = missing(let_span);
                    let mut value = missing_expr(let_span);
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident => name = self.name(&q),
                            Rule::expr => value = self.expr(q),
                            _ => {}
                        }
                    }
                    rule.lets.push(Let { name, value, span: let_span });
                }
                Rule::require => {
                    if let Some(e) = p.into_inner().find(|p| p.as_rule() == Rule::expr) {
                        rule.require = self.expr(e);
                    }
                }
                Rule::rule_else => {
                    rule.message =
                        p.into_inner().find(|p| p.as_rule() == Rule::message).map(|m| self.message(m));
                }
                _ => {}
            }
        }
        rule
    }

    fn binding(&self, pair: Pair<'_, Rule>) -> Binding {
        let span = self.span(&pair);
        let mut var = missing(span);
        let mut domain = Domain::Kind(missing(span));
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => var = self.name(&p),
                Rule::type_name => domain = Domain::Kind(self.name(&p)),
                Rule::expr => domain = Domain::List(Box::new(self.expr(p))),
                _ => {}
            }
        }
        Binding { var, domain, span }
    }

    fn framework(&self, pair: Pair<'_, Rule>) -> Framework {
        let span = self.span(&pair);
        let mut framework =
            Framework { doc: None, name: missing(span), title: missing_str(span), members: vec![], span };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => framework.doc = Some(self.doc(p)),
                Rule::ident => framework.name = self.name(&p),
                Rule::string => framework.title = self.string(p),
                Rule::requirement_decl => {
                    framework.members.push(FrameworkMember::Requirement(self.requirement(p)))
                }
                Rule::metadata_entry => framework.members.push(FrameworkMember::Metadata(self.metadata(p))),
                _ => {}
            }
        }
        framework
    }

    fn requirement(&self, pair: Pair<'_, Rule>) -> Requirement {
        let span = self.span(&pair);
        let mut requirement = Requirement {
            doc: None,
            id: missing_str(span),
            title: missing_str(span),
            metadata: vec![],
            span,
        };
        let mut strings = 0;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => requirement.doc = Some(self.doc(p)),
                Rule::string => {
                    let s = self.string(p);
                    if strings == 0 {
                        requirement.id = s;
                    } else {
                        requirement.title = s;
                    }
                    strings += 1;
                }
                Rule::metadata_entry => requirement.metadata.push(self.metadata(p)),
                _ => {}
            }
        }
        requirement
    }

    fn metadata(&self, pair: Pair<'_, Rule>) -> Metadata {
        let span = self.span(&pair);
        let mut key = missing(span);
        let mut value = MetadataValue::Str(missing_str(span));
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => key = self.name(&p),
                Rule::string => value = MetadataValue::Str(self.string(p)),
                Rule::date_lit => value = MetadataValue::Date(self.date(&p)),
                Rule::int_lit | Rule::float_lit => {
                    value = MetadataValue::Number(p.as_str().to_owned(), self.span(&p))
                }
                _ => {}
            }
        }
        Metadata { key, value, span }
    }

    fn crosswalk(&self, pair: Pair<'_, Rule>) -> Crosswalk {
        let span = self.span(&pair);
        let mut crosswalk = Crosswalk {
            doc: None,
            name: missing(span),
            from: missing(span),
            to: missing(span),
            members: vec![],
            span,
        };
        let mut idents = 0;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => crosswalk.doc = Some(self.doc(p)),
                Rule::ident => {
                    if idents == 0 {
                        crosswalk.name = self.name(&p);
                    } else {
                        crosswalk.to = self.name(&p);
                    }
                    idents += 1;
                }
                Rule::package_path => crosswalk.from = self.name(&p),
                Rule::crosswalk_pair => crosswalk.members.push(CrosswalkMember::Pair(self.crosswalk_pair(p))),
                Rule::metadata_entry => crosswalk.members.push(CrosswalkMember::Metadata(self.metadata(p))),
                _ => {}
            }
        }
        crosswalk
    }

    fn crosswalk_pair(&self, pair: Pair<'_, Rule>) -> CrosswalkPair {
        let span = self.span(&pair);
        let mut out = CrosswalkPair {
            control: missing(span),
            requirements: vec![],
            relationship: None,
            reviewed: None,
            span,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::control_ref => out.control = self.name(&p),
                Rule::string => out.requirements.push(self.string(p)),
                Rule::relationship => out.relationship = Some(relationship(p.as_str())),
                Rule::reviewed => {
                    let reviewed_span = self.span(&p);
                    let mut confidence = Confidence::Low;
                    let mut because = missing_str(reviewed_span);
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::confidence => {
                                confidence = match q.as_str() {
                                    "high" => Confidence::High,
                                    "medium" => Confidence::Medium,
                                    _ => Confidence::Low,
                                }
                            }
                            Rule::justification => {
                                if let Some(s) = self.strings(q).into_iter().next() {
                                    because = s;
                                }
                            }
                            _ => {}
                        }
                    }
                    out.reviewed = Some(Reviewed { confidence, because, span: reviewed_span });
                }
                _ => {}
            }
        }
        out
    }

    fn test(&self, pair: Pair<'_, Rule>) -> Test {
        let span = self.span(&pair);
        let mut test = Test { doc: None, name: missing_str(span), stmts: vec![], span };
        for p in pair.into_inner() {
            let stmt_span = self.span(&p);
            match p.as_rule() {
                Rule::doc => test.doc = Some(self.doc(p)),
                Rule::string => test.name = self.string(p),
                Rule::test_today => {
                    if let Some(d) = p.into_inner().find(|p| p.as_rule() == Rule::date_lit) {
                        test.stmts.push(TestStmt::Today(self.date(&d), stmt_span));
                    }
                }
                Rule::test_set => {
                    let mut target = missing(stmt_span);
                    let mut value = missing_expr(stmt_span);
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::qualified_name => target = self.name(&q),
                            Rule::expr => value = self.expr(q),
                            _ => {}
                        }
                    }
                    test.stmts.push(TestStmt::Set(TestSet { target, value, span: stmt_span }));
                }
                Rule::given => {
                    let mut kind = missing(stmt_span);
                    let mut fields = vec![];
                    let mut body = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::type_name => kind = self.name(&q),
                            Rule::record_lit => fields = self.record_fields(q),
                            Rule::string => body = Some(self.string(q)),
                            _ => {}
                        }
                    }
                    test.stmts.push(TestStmt::Given(Given { kind, fields, body, span: stmt_span }));
                }
                Rule::expect => test.stmts.push(TestStmt::Expect(self.expect(p))),
                _ => {}
            }
        }
        test
    }

    fn expect(&self, pair: Pair<'_, Rule>) -> Expect {
        let span = self.span(&pair);
        let mut expect = Expect {
            control: missing(span),
            rule: None,
            status: ExpectStatus::Passes,
            subject: None,
            message: None,
            span,
        };
        let mut after_with = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::control_ref => expect.control = self.name(&p),
                Rule::rule_selector => expect.rule = self.rule_selector(p),
                Rule::expect_status => {
                    expect.status = match p.as_str() {
                        "fails" => ExpectStatus::Fails,
                        "errors" => ExpectStatus::Errors,
                        "waived" => ExpectStatus::Waived,
                        "not_applicable" => ExpectStatus::NotApplicable,
                        "no_evidence" => ExpectStatus::NoEvidence,
                        _ => ExpectStatus::Passes,
                    }
                }
                Rule::kw_with => after_with = true,
                Rule::string if after_with => expect.message = Some(self.string(p)),
                Rule::string => expect.subject = Some(self.string(p)),
                _ => {}
            }
        }
        expect
    }

    fn record_fields(&self, pair: Pair<'_, Rule>) -> Vec<RecordField> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::record_field)
            .map(|p| {
                let span = self.span(&p);
                let mut name = missing(span);
                let mut value = missing_expr(span);
                for q in p.into_inner() {
                    match q.as_rule() {
                        Rule::name => name = self.name(&q),
                        Rule::expr => value = self.expr(q),
                        _ => {}
                    }
                }
                RecordField { name, value, span }
            })
            .collect()
    }

    // ---------------------------------------------------------------------------------
    // Expressions

    pub(crate) fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, operand| {
                let span = self.span(&op).cover(operand.span);
                let op = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span }
            })
            .map_postfix(|base, op| {
                let span = base.span.cover(self.span(&op));
                let field = op
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::name)
                    .map_or_else(|| missing(span), |p| self.name(&p));
                Expr { kind: ExprKind::Field { base: Box::new(base), field }, span }
            })
            .map_infix(|lhs, op, rhs| self.infix(lhs, op.as_rule(), rhs))
            .parse(pair.into_inner())
    }

    fn infix(&self, lhs: Expr, op: Rule, rhs: Expr) -> Expr {
        let span = lhs.span.cover(rhs.span);
        let logic = match op {
            Rule::op_and => Some(LogicOp::And),
            Rule::op_or => Some(LogicOp::Or),
            _ => None,
        };
        if let Some(logic) = logic {
            // Chains stay flat: `a and b and c` is one node with three operands.
            let operands = match lhs.kind {
                ExprKind::Logic { op, mut operands } if op == logic => {
                    operands.push(rhs);
                    operands
                }
                kind => vec![Expr { kind, span: lhs.span }, rhs],
            };
            return Expr { kind: ExprKind::Logic { op: logic, operands }, span };
        }
        let op = match op {
            Rule::op_implies => BinaryOp::Implies,
            Rule::op_eq => BinaryOp::Eq,
            Rule::op_ne => BinaryOp::Ne,
            Rule::op_lt => BinaryOp::Lt,
            Rule::op_le => BinaryOp::Le,
            Rule::op_gt => BinaryOp::Gt,
            Rule::op_ge => BinaryOp::Ge,
            Rule::op_in => BinaryOp::In,
            Rule::op_not_in => BinaryOp::NotIn,
            Rule::op_matches => BinaryOp::Matches,
            Rule::op_coalesce => BinaryOp::Coalesce,
            Rule::op_add => BinaryOp::Add,
            Rule::op_sub => BinaryOp::Sub,
            Rule::op_mul => BinaryOp::Mul,
            _ => BinaryOp::Div,
        };
        Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::kw_true => ExprKind::Literal(Literal::Bool(true)),
            Rule::kw_false => ExprKind::Literal(Literal::Bool(false)),
            Rule::kw_none => ExprKind::Literal(Literal::None),
            Rule::kw_today => ExprKind::Literal(Literal::Today),
            Rule::int_lit => ExprKind::Literal(Literal::Int(self.int(&pair))),
            Rule::float_lit => ExprKind::Literal(Literal::Float(pair.as_str().to_owned())),
            Rule::date_lit => ExprKind::Literal(Literal::Date(self.date(&pair).date)),
            Rule::datetime_lit => ExprKind::Literal(Literal::DateTime(self.datetime(&pair))),
            Rule::duration => {
                let mut amount = 0;
                let mut unit = DurationUnit::Days;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::int_lit => amount = self.int(&p),
                        Rule::duration_unit => unit = duration_unit(p.as_str()),
                        _ => {}
                    }
                }
                ExprKind::Literal(Literal::Duration(amount, unit))
            }
            Rule::string => ExprKind::Literal(Literal::String(self.string(pair).value)),
            Rule::ident => ExprKind::Name(pair.as_str().to_owned()),
            Rule::paren => match pair.into_inner().find(|p| p.as_rule() == Rule::expr) {
                Some(e) => ExprKind::Paren(Box::new(self.expr(e))),
                None => return missing_expr(span),
            },
            Rule::list_lit => ExprKind::List(
                pair.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)).collect(),
            ),
            Rule::record_lit => ExprKind::Record(self.record_fields(pair)),
            Rule::call => {
                let mut func = missing(span);
                let mut args = vec![];
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => func = self.name(&p),
                        Rule::expr => args.push(self.expr(p)),
                        _ => {}
                    }
                }
                ExprKind::Call { func, args }
            }
            Rule::quantifier => self.quantifier(pair),
            Rule::aggregate => self.aggregate(pair),
            _ => return missing_expr(span),
        };
        Expr { kind, span }
    }

    fn quantifier(&self, pair: Pair<'_, Rule>) -> ExprKind {
        let span = self.span(&pair);
        let mut kind = QuantifierKind::Some;
        let mut binding = None;
        let mut filter = None;
        let mut predicate = None;
        let mut after_satisfy = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::quantifier_kind => {
                    kind = match p.as_str() {
                        "all" => QuantifierKind::All,
                        "none" => QuantifierKind::None,
                        _ => QuantifierKind::Some,
                    }
                }
                Rule::binding => binding = Some(self.binding(p)),
                Rule::kw_satisfy => after_satisfy = true,
                Rule::expr if after_satisfy => predicate = Some(Box::new(self.expr(p))),
                Rule::expr => filter = Some(Box::new(self.expr(p))),
                _ => {}
            }
        }
        let binding = binding.unwrap_or_else(|| Binding {
            var: missing(span),
            domain: Domain::Kind(missing(span)),
            span,
        });
        ExprKind::Quantifier { kind, binding, filter, predicate }
    }

    fn aggregate(&self, pair: Pair<'_, Rule>) -> ExprKind {
        let span = self.span(&pair);
        let mut kind = AggregateKind::Count;
        let mut value = None;
        let mut binding = None;
        let mut filter = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::aggregate_kind => {
                    kind = match p.as_str() {
                        "sum" => AggregateKind::Sum,
                        "min" => AggregateKind::Min,
                        "max" => AggregateKind::Max,
                        _ => AggregateKind::Count,
                    }
                }
                Rule::expr if binding.is_none() => value = Some(Box::new(self.expr(p))),
                Rule::expr => filter = Some(Box::new(self.expr(p))),
                Rule::binding => binding = Some(self.binding(p)),
                _ => {}
            }
        }
        let binding = binding.unwrap_or_else(|| Binding {
            var: missing(span),
            domain: Domain::Kind(missing(span)),
            span,
        });
        ExprKind::Aggregate { kind, value, binding, filter }
    }

    fn message(&self, pair: Pair<'_, Rule>) -> Message {
        let span = self.span(&pair);
        let mut parts: Vec<MessagePart> = vec![];
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::message_text => {
                    let text = self.unescape(&p, true);
                    match parts.last_mut() {
                        Some(MessagePart::Text(prev)) => prev.push_str(&text),
                        _ => parts.push(MessagePart::Text(text)),
                    }
                }
                Rule::interpolation => {
                    if let Some(e) = p.into_inner().find(|p| p.as_rule() == Rule::expr) {
                        parts.push(MessagePart::Expr(self.expr(e)));
                    }
                }
                _ => {}
            }
        }
        Message { parts, span }
    }

    // ---------------------------------------------------------------------------------
    // Literals

    fn string(&self, pair: Pair<'_, Rule>) -> Str {
        let span = self.span(&pair);
        let value = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::string_inner)
            .map(|p| self.unescape(&p, false))
            .unwrap_or_default();
        Str { value, span }
    }

    /// Decodes escapes; in messages, `{{` and `}}` stand for single braces.
    fn unescape(&self, pair: &Pair<'_, Rule>, message: bool) -> String {
        let raw = pair.as_str();
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, 'u')) => {
                        let hex: String =
                            chars.by_ref().map(|(_, c)| c).skip(1).take_while(|c| *c != '}').collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(decoded) => out.push(decoded),
                            None => {
                                let start = self.base + pair.as_span().start() + i;
                                self.error(
                                    SyntaxErrorKind::InvalidLiteral,
                                    Span::from_usize(start, start + hex.len() + 4),
                                    format!("`\\u{{{hex}}}` is not a Unicode scalar value"),
                                );
                            }
                        }
                    }
                    Some((_, other)) => out.push(other),
                    None => {}
                },
                '{' | '}' if message && chars.peek().map(|(_, n)| *n) == Some(c) => {
                    chars.next();
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn int(&self, pair: &Pair<'_, Rule>) -> i64 {
        pair.as_str().parse().unwrap_or_else(|_| {
            self.error(
                SyntaxErrorKind::InvalidLiteral,
                self.span(pair),
                format!("`{}` does not fit in a 64-bit integer", pair.as_str()),
            );
            0
        })
    }

    fn date(&self, pair: &Pair<'_, Rule>) -> DateLit {
        let span = self.span(pair);
        let text = pair.as_str();
        let parsed = (|| {
            let year: i16 = text.get(0..4)?.parse().ok()?;
            let month: i8 = text.get(5..7)?.parse().ok()?;
            let day: i8 = text.get(8..10)?.parse().ok()?;
            Date::new(year, month, day).ok()
        })();
        match parsed {
            Some(date) => DateLit { date, span },
            None => {
                self.error(
                    SyntaxErrorKind::InvalidLiteral,
                    span,
                    format!("`{text}` is not a date in the calendar"),
                );
                DateLit { date: Date::constant(1970, 1, 1), span }
            }
        }
    }

    fn datetime(&self, pair: &Pair<'_, Rule>) -> String {
        let text = pair.as_str();
        let has_offset = text.ends_with('Z')
            || text.get(text.len().saturating_sub(6)..).is_some_and(|t| t.starts_with(['+', '-']));
        let parsed = if has_offset {
            text.parse::<jiff::Timestamp>().ok()
        } else {
            text.parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
        };
        match parsed {
            Some(ts) => ts.to_string(),
            None => {
                self.error(
                    SyntaxErrorKind::InvalidLiteral,
                    self.span(pair),
                    format!("`{text}` is not a valid date and time"),
                );
                text.to_owned()
            }
        }
    }
}

/// The AST's rule node, named apart from pest's `Rule` enum.
type Rule_ = crate::ast::Rule;

fn relationship(text: &str) -> Relationship {
    match text {
        "equal" => Relationship::Equal,
        "subset" => Relationship::Subset,
        "superset" => Relationship::Superset,
        "intersects" => Relationship::Intersects,
        "related" => Relationship::Related,
        _ => Relationship::Unknown,
    }
}

fn duration_unit(text: &str) -> DurationUnit {
    match text.trim_end_matches('s') {
        "minute" => DurationUnit::Minutes,
        "hour" => DurationUnit::Hours,
        "week" => DurationUnit::Weeks,
        "month" => DurationUnit::Months,
        "year" => DurationUnit::Years,
        _ => DurationUnit::Days,
    }
}

/// Placeholders for parts the grammar guarantees; they only appear if the grammar and this
/// lowering disagree, and then as empty names rather than a crash.
fn missing(span: Span) -> Name {
    Name { text: String::new(), span }
}

fn missing_str(span: Span) -> Str {
    Str { value: String::new(), span }
}

/// A rule with nothing parsed yet, to be filled in from its pair (or left as the
/// placeholder of a broken one).
fn empty_rule(span: Span) -> Rule_ {
    Rule_ {
        doc: None,
        name: None,
        subject: None,
        applies: None,
        lets: vec![],
        require: missing_expr(span),
        message: None,
        span,
    }
}

fn missing_expr(span: Span) -> Expr {
    Expr { kind: ExprKind::Name(String::new()), span }
}
