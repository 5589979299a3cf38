//! A span-free S-expression rendering of the tree: what the corpus tests expect and what
//! the property tests compare, since two trees that differ only in spans dump alike.

use crate::ast::*;

/// Renders the tree as indented S-expressions, without spans or grouping parentheses.
pub fn dump(ast: &Ast) -> String {
    let mut out = String::new();
    for item in &ast.items {
        render(&item_sexp(item), 0, &mut out);
        out.push('\n');
    }
    out
}

enum S {
    Atom(String),
    List(Vec<S>),
}

fn atom(s: impl Into<String>) -> S {
    S::Atom(s.into())
}

fn quoted(s: &str) -> S {
    S::Atom(format!("{s:?}"))
}

fn list(head: &str, rest: impl IntoIterator<Item = S>) -> S {
    let mut v = vec![atom(head)];
    v.extend(rest);
    S::List(v)
}

fn flat(s: &S) -> String {
    match s {
        S::Atom(a) => a.clone(),
        S::List(items) => format!("({})", items.iter().map(flat).collect::<Vec<_>>().join(" ")),
    }
}

fn render(s: &S, indent: usize, out: &mut String) {
    let one_line = flat(s);
    match s {
        S::List(items) if one_line.len() + indent > 90 && items.len() > 1 => {
            out.push('(');
            // The head and the atoms right after it (names, ids) stay on the first line.
            let leading = items.iter().take_while(|i| matches!(i, S::Atom(_))).count().max(1);
            let head: Vec<String> = items.iter().take(leading).map(flat).collect();
            out.push_str(&head.join(" "));
            for item in items.iter().skip(leading) {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                render(item, indent + 2, out);
            }
            out.push(')');
        }
        _ => out.push_str(&one_line),
    }
}

fn doc(d: &Option<Doc>) -> Option<S> {
    d.as_ref().map(|d| list("doc", d.lines.iter().map(|l| quoted(l))))
}

fn item_sexp(item: &Item) -> S {
    let mut parts: Vec<S> = doc(&match item {
        Item::Package(i) => i.doc.clone(),
        _ => item.doc().cloned(),
    })
    .into_iter()
    .collect();
    let head = match item {
        Item::Package(p) => {
            parts.insert(0, atom(&p.path.text));
            "package"
        }
        Item::Use(u) => {
            parts.insert(0, atom(&u.path.text));
            if let Some(a) = &u.alias {
                parts.push(list("as", [atom(&a.text)]));
            }
            "use"
        }
        Item::Schema(s) => {
            parts.insert(0, atom(&s.name.text));
            if !s.sources.is_empty() {
                parts.push(list(
                    "from",
                    s.sources.iter().map(|s| match &s.at {
                        Some(at) => list("at", [quoted(&s.glob.value), quoted(&at.value)]),
                        None => quoted(&s.glob.value),
                    }),
                ));
            }
            if let Some(e) = &s.encoding {
                parts.push(list("encoding", [quoted(&e.value)]));
            }
            if let Some(d) = &s.delimiter {
                parts.push(list("delimiter", [quoted(&d.value)]));
            }
            if let Some(d) = &s.decimal {
                parts.push(list("decimal", [quoted(&d.value)]));
            }
            if let Some(h) = &s.header {
                parts.push(list("header", [atom(&h.digits)]));
            }
            if !s.none.is_empty() {
                parts.push(list("none", s.none.iter().map(|w| quoted(&w.value))));
            }
            parts.extend(s.fields.iter().map(field));
            "schema"
        }
        Item::Param(p) => {
            parts.insert(0, atom(&p.name.text));
            parts.push(type_sexp(&p.ty));
            parts.push(expr(&p.default));
            "param"
        }
        Item::Set(s) => {
            parts.insert(0, atom(&s.target.text));
            parts.push(expr(&s.value));
            if let Some(b) = &s.because {
                parts.push(list("because", [quoted(&b.value)]));
            }
            "set"
        }
        Item::Control(c) => {
            parts.insert(0, atom(&c.id.text));
            parts.insert(1, quoted(&c.title.value));
            parts.extend(c.members.iter().map(member));
            c.kind.as_str()
        }
        Item::Exclusion(e) => {
            parts.insert(0, atom(&e.control.text));
            parts.push(list("because", [quoted(&e.because.value)]));
            "not_applicable"
        }
        Item::Waiver(w) => {
            parts.insert(0, atom(&w.control.text));
            if let Some(r) = &w.rule {
                parts.push(list("rule", [atom(&r.text)]));
            }
            if let Some(s) = &w.subject {
                parts.push(list("for", [atom(&s.kind.text), quoted(&s.key.value)]));
            }
            parts.push(list("until", [atom(w.until.date.to_string())]));
            parts.push(list("approved_by", [quoted(&w.approved_by.value)]));
            parts.push(list("because", [quoted(&w.because.value)]));
            "waive"
        }
        Item::Override(o) => {
            parts.insert(0, atom(&o.control.text));
            parts.insert(1, list("rule", [atom(&o.rule.text)]));
            parts.push(list("because", [quoted(&o.because.value)]));
            parts.push(list("body", rule_body(&o.body)));
            "override"
        }
        Item::Disable(d) => {
            parts.insert(0, atom(&d.control.text));
            parts.insert(1, list("rule", [atom(&d.rule.text)]));
            parts.push(list("because", [quoted(&d.because.value)]));
            "disable"
        }
        Item::Framework(f) => {
            parts.insert(0, atom(&f.name.text));
            parts.insert(1, quoted(&f.title.value));
            for m in &f.members {
                parts.push(match m {
                    FrameworkMember::Metadata(m) => metadata(m),
                    FrameworkMember::Requirement(r) => {
                        let mut v: Vec<S> = doc(&r.doc).into_iter().collect();
                        v.insert(0, quoted(&r.id.value));
                        v.insert(1, quoted(&r.title.value));
                        v.extend(r.metadata.iter().map(metadata));
                        list("requirement", v)
                    }
                });
            }
            "framework"
        }
        Item::Crosswalk(c) => {
            parts.insert(0, atom(&c.name.text));
            parts.push(list("from", [atom(&c.from.text)]));
            parts.push(list("to", [atom(&c.to.text)]));
            for m in &c.members {
                parts.push(match m {
                    CrosswalkMember::Metadata(m) => metadata(m),
                    CrosswalkMember::Pair(p) => {
                        let mut v = vec![atom(&p.control.text)];
                        v.extend(p.requirements.iter().map(|r| quoted(&r.value)));
                        if let Some(r) = p.relationship {
                            v.push(atom(r.as_str()));
                        }
                        if let Some(r) = &p.reviewed {
                            v.push(list("reviewed", [atom(r.confidence.as_str()), quoted(&r.because.value)]));
                        }
                        list("->", v)
                    }
                });
            }
            "crosswalk"
        }
        Item::Test(t) => {
            parts.insert(0, quoted(&t.name.value));
            for s in &t.stmts {
                parts.push(match s {
                    TestStmt::Today(d, _) => list("today", [atom(d.date.to_string())]),
                    TestStmt::Set(s) => list("set", [atom(&s.target.text), expr(&s.value)]),
                    TestStmt::Given(g) => match &g.body {
                        Some(b) => list(
                            "given",
                            [atom(&g.kind.text), record(&g.fields), list("body", [quoted(&b.value)])],
                        ),
                        None => list("given", [atom(&g.kind.text), record(&g.fields)]),
                    },
                    TestStmt::Expect(e) => {
                        let mut v = vec![atom(&e.control.text)];
                        if let Some(r) = &e.rule {
                            v.push(list("rule", [atom(&r.text)]));
                        }
                        v.push(atom(e.status.as_str()));
                        if let Some(s) = &e.subject {
                            v.push(list("for", [quoted(&s.value)]));
                        }
                        if let Some(m) = &e.message {
                            v.push(list("with", [quoted(&m.value)]));
                        }
                        list("expect", v)
                    }
                });
            }
            "test"
        }
    };
    list(head, parts)
}

fn metadata(m: &Metadata) -> S {
    let value = match &m.value {
        MetadataValue::Str(s) => quoted(&s.value),
        MetadataValue::Date(d) => atom(d.date.to_string()),
        MetadataValue::Number(n, _) => atom(n),
    };
    list("meta", [atom(&m.key.text), value])
}

fn field(f: &Field) -> S {
    let mut v: Vec<S> = vec![atom(&f.name.text), type_sexp(&f.ty)];
    if f.key {
        v.push(atom("key"));
    }
    if f.effective {
        v.push(atom("effective"));
    }
    if let Some(a) = &f.alias {
        v.push(list("as", [quoted(&a.value)]));
    }
    if let Some(format) = &f.format {
        v.push(list("format", [quoted(&format.value)]));
    }
    v.extend(doc(&f.doc));
    list("field", v)
}

fn type_sexp(t: &TypeExpr) -> S {
    let base = match &t.kind {
        TypeKind::Prim(p) => atom(p.as_str()),
        TypeKind::List(inner) => list("list", [type_sexp(inner)]),
        TypeKind::Record(fields) => list("record", fields.iter().map(field)),
        TypeKind::Ref(k) => list("ref", [atom(&k.text)]),
        TypeKind::Enum(values) => list("enum", values.iter().map(|v| quoted(&v.value))),
    };
    if t.optional { list("optional", [base]) } else { base }
}

fn member(m: &Member) -> S {
    match m {
        Member::Intent(s) => list("objective", [quoted(&s.value)]),
        Member::Severity(s) => list("severity", [atom(s.level.as_str())]),
        Member::Maps(m) => list(
            "maps",
            m.targets.iter().map(|t| {
                let mut v = vec![atom(&t.framework.text)];
                v.extend(t.ids.iter().map(|i| quoted(&i.value)));
                if let Some(r) = t.relationship {
                    v.push(atom(r.as_str()));
                }
                S::List(v)
            }),
        ),
        Member::Applies(a) => list("applies", [expr(&a.condition)]),
        Member::Attest(a) => {
            let mut v: Vec<S> = vec![atom(&a.name.text)];
            if let Some(t) = &a.title {
                v.push(quoted(&t.value));
            }
            v.extend(doc(&a.doc));
            for p in &a.props {
                v.push(match p {
                    AttestProp::By(roles, _) => list("by", roles.iter().map(|r| quoted(&r.value))),
                    AttestProp::Within(e, _) => list("within", [expr(e)]),
                    AttestProp::About(k, _) => list("about", [atom(&k.text)]),
                });
            }
            list("attest", v)
        }
        Member::Rule(r) => rule_sexp(r),
    }
}

fn rule_sexp(r: &Rule) -> S {
    let mut v: Vec<S> = vec![atom(r.name.as_ref().map_or("_", |n| n.text.as_str()))];
    v.extend(doc(&r.doc));
    v.extend(rule_body(r));
    list("rule", v)
}

/// What follows a rule's name: `for`, `applies when`, `let`s, `require`, `else`.
fn rule_body(r: &Rule) -> Vec<S> {
    let mut v: Vec<S> = Vec::new();
    if let Some(f) = &r.subject {
        let mut fv = binding(&f.binding);
        if let Some(w) = &f.filter {
            fv.push(list("where", [expr(w)]));
        }
        v.push(list("for", fv));
    }
    if let Some(a) = &r.applies {
        v.push(list("applies", [expr(a)]));
    }
    for l in &r.lets {
        v.push(list("let", [atom(&l.name.text), expr(&l.value)]));
    }
    v.push(list("require", [expr(&r.require)]));
    if let Some(m) = &r.message {
        v.push(list(
            "else",
            m.parts.iter().map(|p| match p {
                MessagePart::Text(t) => quoted(t),
                MessagePart::Expr(e) => list("{}", [expr(e)]),
            }),
        ));
    }
    v
}

fn binding(b: &Binding) -> Vec<S> {
    let domain = match &b.domain {
        Domain::Kind(k) => list("kind", [atom(&k.text)]),
        Domain::List(e) => list("in", [expr(e)]),
    };
    vec![atom(&b.var.text), domain]
}

fn record(fields: &[RecordField]) -> S {
    list("record", fields.iter().map(|f| list(&f.name.text, [expr(&f.value)])))
}

fn expr(e: &Expr) -> S {
    match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Bool(b) => atom(b.to_string()),
            Literal::None => atom("none"),
            Literal::Today => atom("today"),
            Literal::Int(i) => atom(i.to_string()),
            Literal::Float(f) => atom(f),
            Literal::String(s) => quoted(s),
            Literal::Date(d) => atom(d.to_string()),
            Literal::DateTime(d) => atom(d),
            Literal::Duration(n, u) => list("duration", [atom(n.to_string()), atom(u.word(2))]),
        },
        ExprKind::Name(n) => atom(n),
        ExprKind::Field { base, field } => list(".", [expr(base), atom(&field.text)]),
        ExprKind::Unary { op, operand } => list(
            match op {
                UnaryOp::Not => "not",
                UnaryOp::Neg => "neg",
            },
            [expr(operand)],
        ),
        ExprKind::Binary { op, lhs, rhs } => list(op.as_str(), [expr(lhs), expr(rhs)]),
        ExprKind::Logic { op, operands } => list(op.as_str(), operands.iter().map(expr)),
        // Parentheses only group; the tree they group is what the program means.
        ExprKind::Paren(inner) => expr(inner),
        ExprKind::Call { func, args } => {
            list("call", std::iter::once(atom(&func.text)).chain(args.iter().map(expr)))
        }
        ExprKind::Quantifier { kind, binding: b, filter, predicate } => {
            let mut v = binding(b);
            if let Some(f) = filter {
                v.push(list("where", [expr(f)]));
            }
            if let Some(p) = predicate {
                v.push(list("satisfy", [expr(p)]));
            }
            list(kind.as_str(), v)
        }
        ExprKind::Aggregate { kind, value, binding: b, filter } => {
            let mut v = Vec::new();
            if let Some(value) = value {
                v.push(expr(value));
            }
            v.extend(binding(b));
            if let Some(f) = filter {
                v.push(list("where", [expr(f)]));
            }
            list(kind.as_str(), v)
        }
        ExprKind::List(items) => list("list", items.iter().map(expr)),
        ExprKind::Record(fields) => record(fields),
    }
}
