//! Printing declarations: one canonical layout per kind of item.

use crate::ast::*;
use crate::format::expr::{binding, flat, layout, message, record_flat, string};
use crate::format::{Printer, WIDTH};

impl Printer<'_> {
    pub(super) fn items(&mut self, items: &[Item]) {
        let mut previous: Option<&Item> = None;
        for item in items {
            let force_blank = match previous {
                None => false,
                Some(prev) => !item.is_single_line() || !prev.is_single_line() || same_kind_break(prev, item),
            };
            self.start(item.span().start, force_blank);
            self.item(item);
            previous = Some(item);
        }
    }

    fn doc(&mut self, doc: &Option<Doc>) {
        if let Some(doc) = doc {
            for line in &doc.lines {
                self.line(format!("///{line}"));
            }
        }
    }

    /// Opens a block: `header {`, then indents.
    fn open(&mut self, header: String) {
        self.line(format!("{header} {{"));
        self.indent += 2;
    }

    /// Closes a block whose `}` is at `end - 1` in the source, placing the comments before
    /// it inside the block.
    fn close(&mut self, end: u32) {
        self.flush_comments(end.saturating_sub(1));
        self.indent -= 2;
        if self.lines.last().is_some_and(|l| l.ends_with('{')) {
            if let Some(last) = self.lines.last_mut() {
                last.push('}');
            }
        } else {
            self.line("}");
        }
    }

    fn item(&mut self, item: &Item) {
        self.doc(&item.doc().cloned());
        match item {
            Item::Package(p) => self.line(format!("package {}", p.path.text)),
            Item::Use(u) => match &u.alias {
                Some(alias) => self.line(format!("use {} as {}", u.path.text, alias.text)),
                None => self.line(format!("use {}", u.path.text)),
            },
            Item::Schema(s) => self.schema(s),
            Item::Param(p) => {
                let prefix = format!("param {}: {} = ", p.name.text, type_text(&p.ty));
                let lines = layout(&p.default, self.indent + prefix.len(), self.indent + 2);
                self.lines_with_prefix(&prefix, lines);
            }
            Item::Set(s) => {
                let prefix = format!("set {} = ", s.target.text);
                let mut lines = layout(&s.value, self.indent + prefix.len(), self.indent + 2);
                if let Some(because) = &s.because {
                    self.append_clause(&mut lines, &format!("because {}", string(&because.value)));
                }
                self.lines_with_prefix(&prefix, lines);
            }
            Item::Control(c) => self.control(c),
            Item::Exclusion(e) => {
                let head = format!("not_applicable {}", e.control.text);
                let mut lines = vec![head];
                self.append_clause(&mut lines, &format!("because {}", string(&e.because.value)));
                self.lines_with_prefix("", lines);
            }
            Item::Waiver(w) => self.waiver(w),
            Item::Override(o) => {
                // Like a control's header, the line is kept whole: a justification is one
                // string, and the body reads best right under it.
                self.open(format!(
                    "override {} rule {} because {}",
                    o.control.text,
                    o.rule.text,
                    string(&o.because.value)
                ));
                self.rule(&o.body);
                self.close(o.span.end);
            }
            Item::Disable(d) => {
                let mut lines = vec![format!("disable {} rule {}", d.control.text, d.rule.text)];
                self.append_clause(&mut lines, &format!("because {}", string(&d.because.value)));
                self.lines_with_prefix("", lines);
            }
            Item::Framework(f) => self.framework(f),
            Item::Crosswalk(c) => self.crosswalk(c),
            Item::Test(t) => self.test(t),
        }
    }

    /// Appends ` clause` to the last line, or puts it on a continuation line when the line
    /// would grow too long.
    fn append_clause(&self, lines: &mut Vec<String>, clause: &str) {
        let indent = self.indent;
        // The first line is printed after the indentation; later lines carry theirs.
        let first_line = lines.len() == 1;
        match lines.last_mut() {
            Some(last) if (if first_line { indent } else { 0 }) + last.len() + 1 + clause.len() <= WIDTH => {
                last.push(' ');
                last.push_str(clause);
            }
            _ => lines.push(format!("{}{clause}", " ".repeat(indent + 2))),
        }
    }

    fn schema(&mut self, s: &Schema) {
        let head = format!("schema {}", s.name.text);
        let sources: Vec<String> = s
            .sources
            .iter()
            .map(|s| match &s.at {
                Some(at) => format!("{} at {}", string(&s.glob.value), string(&at.value)),
                None => string(&s.glob.value),
            })
            .collect();
        let from = (!sources.is_empty()).then(|| format!("from {}", sources.join(", ")));
        let encoding = s.encoding.as_ref().map(|e| format!("encoding {}", string(&e.value)));
        let delimiter = s.delimiter.as_ref().map(|d| format!("delimiter {}", string(&d.value)));
        let decimal = s.decimal.as_ref().map(|d| format!("decimal {}", string(&d.value)));
        let header = s.header.as_ref().map(|h| format!("header {}", h.digits));
        let none = (!s.none.is_empty()).then(|| {
            format!("none {}", s.none.iter().map(|w| string(&w.value)).collect::<Vec<_>>().join(", "))
        });
        let clauses = [encoding, delimiter, decimal, header, none];
        let one_line = [Some(head.clone()), from]
            .into_iter()
            .chain(clauses.iter().cloned())
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if self.indent + one_line.len() + 2 <= WIDTH {
            self.open(one_line);
        } else {
            // The name on its own line, then the sources packed under it, each kept whole,
            // then the encoding, the CSV dialect and the words for no value, each on its line.
            let has_clauses = clauses.iter().any(Option::is_some);
            let mut lines: Vec<String> = Vec::new();
            for (i, source) in sources.iter().enumerate() {
                let last_source = i + 1 == sources.len();
                let separator = if last_source { "" } else { "," };
                // What follows the source on its line: a comma, or ` {` closing the header.
                let tail = separator.len() + if last_source && !has_clauses { 2 } else { 0 };
                match lines.last_mut() {
                    Some(last) if self.indent + last.len() + 1 + source.len() + tail <= WIDTH => {
                        last.push(' ');
                        last.push_str(source);
                        last.push_str(separator);
                    }
                    Some(_) => lines.push(format!("    {source}{separator}")),
                    None => lines.push(format!("  from {source}{separator}")),
                }
            }
            lines.extend(clauses.into_iter().flatten().map(|clause| format!("  {clause}")));
            match lines.pop() {
                Some(last) => {
                    self.line(head);
                    lines.into_iter().for_each(|l| self.line(l));
                    self.open(last);
                }
                None => self.open(head),
            }
        }
        self.fields(&s.fields);
        self.close(s.span.end);
    }

    fn fields(&mut self, fields: &[Field]) {
        for (i, f) in fields.iter().enumerate() {
            self.start(f.span.start, i > 0 && f.doc.is_some() && self.blank_before(f.span.start));
            self.doc(&f.doc);
            match &f.ty.kind {
                TypeKind::Record(inner) if !record_type_fits(inner, self.indent + f.name.text.len() + 2) => {
                    self.open(format!("{}:", f.name.text));
                    self.fields(inner);
                    self.close(f.ty.span.end);
                    let suffix = format!("{}{}", if f.ty.optional { "?" } else { "" }, modifiers(f));
                    if let Some(last) = self.lines.last_mut() {
                        last.push_str(&suffix);
                    }
                }
                _ => self.line(format!("{}: {}{}", f.name.text, type_text(&f.ty), modifiers(f))),
            }
        }
    }

    fn control(&mut self, c: &Control) {
        let header = format!("{} {} {}", c.kind.as_str(), c.id.text, string(&c.title.value));
        self.open(header);
        for (i, member) in c.members.iter().enumerate() {
            let block = matches!(member, Member::Rule(_) | Member::Attest(_));
            self.start(member.span().start, i > 0 && block);
            self.member(member);
        }
        self.close(c.span.end);
    }

    fn member(&mut self, member: &Member) {
        match member {
            Member::Intent(s) => self.line(format!("objective {}", string(&s.value))),
            Member::Severity(s) => self.line(format!("severity {}", s.level.as_str())),
            Member::Maps(m) => {
                let targets: Vec<String> = m.targets.iter().map(map_target).collect();
                let one = format!("maps {}", targets.join(", "));
                if self.indent + one.len() <= WIDTH {
                    self.line(one);
                } else {
                    let last = targets.len().saturating_sub(1);
                    for (i, t) in targets.iter().enumerate() {
                        let comma = if i < last { "," } else { "" };
                        if i == 0 {
                            self.line(format!("maps {t}{comma}"));
                        } else {
                            self.line(format!("  {t}{comma}"));
                        }
                    }
                }
            }
            Member::Applies(a) => {
                let lines = layout(&a.condition, self.indent + 13, self.indent + 2);
                self.lines_with_prefix("applies when ", lines);
            }
            Member::Attest(a) => {
                self.doc(&a.doc);
                let mut header = format!("attest {}", a.name.text);
                if let Some(t) = &a.title {
                    header.push(' ');
                    header.push_str(&string(&t.value));
                }
                self.open(header);
                for p in &a.props {
                    self.start(p.span().start, false);
                    match p {
                        AttestProp::By(roles, _) => {
                            let roles: Vec<String> = roles.iter().map(|r| string(&r.value)).collect();
                            self.line(format!("by {}", roles.join(", ")));
                        }
                        AttestProp::Within(e, _) => self.line(format!("within {}", flat(e))),
                        AttestProp::About(k, _) => self.line(format!("about {}", k.text)),
                    }
                }
                self.close(a.span.end);
            }
            Member::Rule(r) => self.rule(r),
        }
    }

    fn rule(&mut self, r: &Rule) {
        self.doc(&r.doc);
        let named = r.name.is_some();
        if let Some(name) = &r.name {
            self.line(format!("rule {}", name.text));
            self.indent += 2;
        }
        if let Some(f) = &r.subject {
            self.start(f.span.start, false);
            let head = format!("for {}", binding(&f.binding));
            match &f.filter {
                Some(filter) => {
                    let prefix = format!("{head} where ");
                    let lines = layout(filter, self.indent + prefix.len(), self.indent + 2);
                    self.lines_with_prefix(&prefix, lines);
                }
                None => self.line(head),
            }
        }
        if let Some(a) = &r.applies {
            self.start(a.span.start, false);
            let lines = layout(a, self.indent + 13, self.indent + 2);
            self.lines_with_prefix("applies when ", lines);
        }
        for l in &r.lets {
            self.start(l.span.start, false);
            let prefix = format!("let {} = ", l.name.text);
            let lines = layout(&l.value, self.indent + prefix.len(), self.indent + 2);
            self.lines_with_prefix(&prefix, lines);
        }
        self.start(r.require.span.start, false);
        let lines = layout(&r.require, self.indent + 8, self.indent + 2);
        self.lines_with_prefix("require ", lines);
        if let Some(m) = &r.message {
            self.start(m.span.start, false);
            self.line(format!("else {}", message(m)));
        }
        if named {
            self.indent -= 2;
        }
    }

    fn waiver(&mut self, w: &Waiver) {
        let mut head = format!("waive {}", w.control.text);
        if let Some(r) = &w.rule {
            head.push_str(&format!(" rule {}", r.text));
        }
        if let Some(s) = &w.subject {
            head.push_str(&format!(" for {} {}", s.kind.text, string(&s.key.value)));
        }
        let mut lines = vec![head];
        self.append_clause(&mut lines, &format!("until {}", w.until.date));
        self.append_clause(&mut lines, &format!("approved_by {}", string(&w.approved_by.value)));
        self.append_clause(&mut lines, &format!("because {}", string(&w.because.value)));
        self.lines_with_prefix("", lines);
    }

    fn framework(&mut self, f: &Framework) {
        self.open(format!("framework {} {}", f.name.text, string(&f.title.value)));
        for (i, m) in f.members.iter().enumerate() {
            match m {
                FrameworkMember::Metadata(meta) => {
                    self.start(meta.span.start, false);
                    self.line(metadata(meta));
                }
                FrameworkMember::Requirement(r) => {
                    let block = !r.metadata.is_empty();
                    // Blocks stand apart from their neighbours; one-line requirements
                    // form a list after the framework's metadata.
                    let previous = i.checked_sub(1).and_then(|p| f.members.get(p));
                    let after_block =
                        matches!(previous, Some(FrameworkMember::Requirement(p)) if !p.metadata.is_empty());
                    let after_metadata = matches!(previous, Some(FrameworkMember::Metadata(_)));
                    self.start(r.span.start, previous.is_some() && (block || after_block || after_metadata));
                    self.doc(&r.doc);
                    let header = format!("requirement {} {}", string(&r.id.value), string(&r.title.value));
                    if block {
                        self.open(header);
                        for meta in &r.metadata {
                            self.start(meta.span.start, false);
                            self.line(metadata(meta));
                        }
                        self.close(r.span.end);
                    } else {
                        self.line(header);
                    }
                }
            }
        }
        self.close(f.span.end);
    }

    fn crosswalk(&mut self, c: &Crosswalk) {
        self.open(format!("crosswalk {} from {} to {}", c.name.text, c.from.text, c.to.text));
        for (i, m) in c.members.iter().enumerate() {
            match m {
                CrosswalkMember::Metadata(meta) => {
                    self.start(meta.span.start, false);
                    self.line(metadata(meta));
                }
                CrosswalkMember::Pair(p) => {
                    let after_metadata =
                        i > 0 && matches!(c.members.get(i - 1), Some(CrosswalkMember::Metadata(_)));
                    self.start(p.span.start, after_metadata);
                    let ids: Vec<String> = p.requirements.iter().map(|r| string(&r.value)).collect();
                    let mut lines = vec![format!("{} -> {}", p.control.text, ids.join(", "))];
                    if let Some(r) = p.relationship {
                        self.append_clause(&mut lines, r.as_str());
                    }
                    if let Some(r) = &p.reviewed {
                        self.append_clause(&mut lines, &format!("reviewed {}", r.confidence.as_str()));
                        self.append_clause(&mut lines, &format!("because {}", string(&r.because.value)));
                    }
                    self.lines_with_prefix("", lines);
                }
            }
        }
        self.close(c.span.end);
    }

    fn test(&mut self, t: &Test) {
        self.open(format!("test {}", string(&t.name.value)));
        for s in &t.stmts {
            self.start(s.span().start, false);
            match s {
                TestStmt::Today(d, _) => self.line(format!("today {}", d.date)),
                TestStmt::Set(s) => self.line(format!("set {} = {}", s.target.text, flat(&s.value))),
                TestStmt::Given(g) => {
                    let body =
                        g.body.as_ref().map(|b| format!(" with {}", string(&b.value))).unwrap_or_default();
                    let one = format!("given {} {}{body}", g.kind.text, record_flat(&g.fields));
                    if self.indent + one.len() <= WIDTH {
                        self.line(one);
                    } else {
                        self.open(format!("given {}", g.kind.text));
                        for f in &g.fields {
                            self.start(f.span.start, false);
                            let prefix = format!("{}: ", f.name.text);
                            let lines = layout(&f.value, self.indent + prefix.len(), self.indent + 2);
                            self.lines_with_prefix(&prefix, lines);
                        }
                        self.close(g.span.end);
                        if !body.is_empty()
                            && let Some(last) = self.lines.last_mut()
                        {
                            last.push_str(&body);
                        }
                    }
                }
                TestStmt::Expect(e) => {
                    let mut line = format!("expect {}", e.control.text);
                    if let Some(r) = &e.rule {
                        line.push_str(&format!(" rule {}", r.text));
                    }
                    line.push(' ');
                    line.push_str(e.status.as_str());
                    if let Some(s) = &e.subject {
                        line.push_str(&format!(" for {}", string(&s.value)));
                    }
                    if let Some(m) = &e.message {
                        line.push_str(&format!(" with {}", string(&m.value)));
                    }
                    self.line(line);
                }
            }
        }
        self.close(t.span.end);
    }
}

/// Single-line items of different kinds are kept apart by a blank line.
fn same_kind_break(prev: &Item, item: &Item) -> bool {
    std::mem::discriminant(prev) != std::mem::discriminant(item)
}

fn modifiers(f: &Field) -> String {
    let mut out = String::new();
    if f.key {
        out.push_str(" key");
    }
    if f.effective {
        out.push_str(" effective");
    }
    if let Some(a) = &f.alias {
        out.push_str(&format!(" as {}", string(&a.value)));
    }
    if let Some(format) = &f.format {
        out.push_str(&format!(" format {}", string(&format.value)));
    }
    out
}

/// A type on one line.
pub(crate) fn type_text(t: &TypeExpr) -> String {
    let base = match &t.kind {
        TypeKind::Prim(p) => p.as_str().to_owned(),
        TypeKind::List(inner) => format!("[{}]", type_text(inner)),
        TypeKind::Record(fields) => {
            if fields.is_empty() {
                "{}".to_owned()
            } else {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}{}", f.name.text, type_text(&f.ty), modifiers(f)))
                    .collect();
                format!("{{ {} }}", inner.join(", "))
            }
        }
        TypeKind::Ref(k) => format!("ref {}", k.text),
        TypeKind::Enum(values) => values.iter().map(|v| string(&v.value)).collect::<Vec<_>>().join(" | "),
    };
    if t.optional { format!("{base}?") } else { base }
}

/// A record type prints on one line when short and undocumented.
fn record_type_fits(fields: &[Field], column: usize) -> bool {
    let no_docs = fields.iter().all(|f| f.doc.is_none() && !matches!(f.ty.kind, TypeKind::Record(_)));
    let text = type_text(&TypeExpr {
        kind: TypeKind::Record(fields.to_vec()),
        optional: false,
        span: Span::default(),
    });
    no_docs && column + text.len() <= WIDTH
}

fn map_target(t: &MapTarget) -> String {
    let ids: Vec<String> = t.ids.iter().map(|i| string(&i.value)).collect();
    let ids = match ids.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", ids.join(", ")),
    };
    match t.relationship {
        Some(r) => format!("{} {ids} {}", t.framework.text, r.as_str()),
        None => format!("{} {ids}", t.framework.text),
    }
}

fn metadata(m: &Metadata) -> String {
    let value = match &m.value {
        MetadataValue::Str(s) => string(&s.value),
        MetadataValue::Date(d) => d.date.to_string(),
        MetadataValue::Number(n, _) => n.clone(),
    };
    format!("{} {value}", m.key.text)
}
