//! The editor features on fixtures: several files, a cursor `$0`, and what each feature
//! answers there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use support::{BASE, Fixture};
use tenet_diagnostics::Span;
use tenet_ide::{CompletionKind, ControlCounts, FilePosition};

fn fixture(aims: &str) -> Fixture {
    Fixture::new(&format!("{BASE}//- aims.tenet\npackage acme\nuse base\n\n{aims}"))
}

fn has_all(labels: &[String], wanted: &[&str]) {
    for w in wanted {
        assert!(labels.iter().any(|l| l == w), "`{w}` missing from {labels:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Completion

#[test]
fn fields_complete_after_a_dot_in_a_where_clause_with_no_require_yet() {
    let f = fixture("control A.1 \"x\" {\n  rule r\n    for s: AiSystem where s.$0\n}\n");
    has_all(&f.completion_labels(), &["id", "name", "owner", "risk_tier", "deployed", "review", "tags"]);
}

#[test]
fn fields_complete_through_references_and_nested_records() {
    let f = fixture("control A.1 \"x\" {\n  rule r\n    for a: Assessment\n    require a.system.$0\n}\n");
    has_all(&f.completion_labels(), &["risk_tier", "deployed"]);
    let f =
        fixture("control A.1 \"x\" {\n  rule r\n    for s: AiSystem\n    require s.review.$0 != none\n}\n");
    assert_eq!(f.completion_labels(), vec!["by", "on"]);
}

#[test]
fn a_quantifiers_variable_is_in_scope_only_inside_it() {
    let inside = fixture(
        "control A.1 \"x\" {\n  rule r\n    for s: AiSystem\n    require some a: Assessment where a.$0\n}\n",
    );
    has_all(&inside.completion_labels(), &["system", "approved"]);
    let outside = fixture(
        "control A.1 \"x\" {\n  rule r\n    for s: AiSystem\n    require (some a: Assessment where a.approved) and $0\n}\n",
    );
    let labels = outside.completion_labels();
    has_all(&labels, &["s", "review_interval", "len", "some x: Kind where …"]);
    assert!(!labels.contains(&"a".to_owned()), "{labels:?}");
}

#[test]
fn a_let_binding_is_in_scope_after_it_with_its_type() {
    let f = fixture(
        "control A.1 \"x\" {\n  rule r\n    for a: Assessment\n    let sys = a.system\n    require sys.$0\n}\n",
    );
    has_all(&f.completion_labels(), &["risk_tier", "owner"]);
}

#[test]
fn enum_values_complete_in_comparisons_lists_and_givens() {
    let f = fixture("control A.1 \"x\" {\n  rule r\n    for s: AiSystem where s.risk_tier != \"$0\"\n}\n");
    let items = tenet_ide::completions(&f.db, f.workspace, f.cursor());
    assert_eq!(
        items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(),
        vec!["high", "limited", "minimal"]
    );
    assert!(items.iter().all(|i| i.kind == CompletionKind::EnumMember));
    let f = fixture(
        "control A.1 \"x\" {\n  require all s: AiSystem satisfy s.risk_tier in [\"high\", \"li$0\"]\n}\n",
    );
    let items = tenet_ide::completions(&f.db, f.workspace, f.cursor());
    assert_eq!(items.len(), 3);
    assert_eq!(
        f.show(f.file("aims.tenet"), items[0].replace),
        "aims.tenet:li",
        "the string's contents are replaced"
    );
    let f = fixture("test \"t\" {\n  given AiSystem { id: \"a\", risk_tier: \"$0\" }\n}\n");
    assert_eq!(f.completion_labels(), vec!["high", "limited", "minimal"]);
}

#[test]
fn givens_complete_their_kinds_fields() {
    let f = fixture("test \"t\" {\n  given AiSystem { id: \"a\", $0 }\n}\n");
    let items = tenet_ide::completions(&f.db, f.workspace, f.cursor());
    let name = items.iter().find(|i| i.label == "name").unwrap();
    assert_eq!(name.insert, "name: ");
    let f = fixture("test \"t\" {\n  given AiSystem { review: { $0 } }\n}\n");
    assert_eq!(f.completion_labels(), vec!["by", "on"]);
}

#[test]
fn kinds_complete_in_type_positions_qualified_or_not() {
    let f = fixture("control A.1 \"x\" {\n  require count(x: Ai$0) > 0\n}\n");
    has_all(&f.completion_labels(), &["AiSystem", "Assessment", "Attestation"]);
    let f = fixture("control A.1 \"x\" {\n  rule r\n    for s: base.$0\n}\n");
    assert_eq!(f.completion_labels(), vec!["AiSystem", "Assessment"]);
}

#[test]
fn maps_complete_frameworks_then_requirement_ids_then_relationships() {
    let f = fixture("control A.1 \"x\" {\n  maps $0\n}\n");
    has_all(&f.completion_labels(), &["demo_act", "base"]);
    let f = fixture("control A.1 \"x\" {\n  maps demo_act [\"Art. 1\", \"$0\"]\n}\n");
    assert_eq!(f.completion_labels(), vec!["Art. 1", "Art. 2"]);
    let f = fixture("control A.1 \"x\" {\n  maps demo_act \"Art. 1\" $0\n}\n");
    has_all(&f.completion_labels(), &["equal", "subset", "superset", "intersects"]);
}

#[test]
fn control_ids_and_rule_names_complete_where_controls_are_named() {
    let controls = "control A.1 \"First\" {\n  rule owned\n    require true\n}\n\n";
    let f = fixture(&format!("{controls}waive $0"));
    has_all(&f.completion_labels(), &["A.1"]);
    let f = fixture(&format!("{controls}waive A.1 rule $0"));
    assert_eq!(f.completion_labels(), vec!["owned"]);
    let f = fixture(&format!("{controls}test \"t\" {{\n  expect A.1 $0\n}}\n"));
    has_all(&f.completion_labels(), &["fails", "passes", "no_evidence", "rule"]);
}

/// A base pack with a control, and `acme`, which uses it, tailoring its rule.
fn override_fixture(aims: &str) -> Fixture {
    let base = BASE.replace(
        "/// How often reviews are due.",
        "control B.1 \"Owned\" {\n  rule owned\n    for s: AiSystem\n    require s.owner != none\n}\n\n/// How often reviews are due.",
    );
    Fixture::new(&format!("{base}//- aims.tenet\npackage acme\nuse base\n\n{aims}"))
}

#[test]
fn overrides_complete_controls_rules_and_the_replacing_body() {
    let f = override_fixture("override base.B$0");
    has_all(&f.completion_labels(), &["base.B.1"]);
    let f = override_fixture("disable base.B.1 rule $0");
    assert_eq!(f.completion_labels(), vec!["owned"]);
    let f = override_fixture("override base.B.1 rule $0");
    assert_eq!(f.completion_labels(), vec!["owned"]);
    let f = override_fixture(
        "override base.B.1 rule owned because \"x\" {\n  for s: AiSystem\n  require s.$0\n}\n",
    );
    has_all(&f.completion_labels(), &["owner", "risk_tier", "review"]);
    let f = override_fixture("override base.B.1 rule owned because \"x\" {\n  $0\n}\n");
    has_all(&f.completion_labels(), &["for", "require", "let", "review_interval"]);
    let f = override_fixture("$0");
    has_all(&f.completion_labels(), &["override …", "disable …", "override", "disable"]);
}

#[test]
fn hover_on_an_overridden_rule_says_who_replaced_it_and_why() {
    let f = override_fixture(
        "override base.B.1 rule ow$0ned because \"Owners are in the CMDB.\" {\n  require true\n}\n",
    );
    let hover = f.hover();
    assert!(hover.contains("replaced by `acme`: Owners are in the CMDB."), "{hover}");
    assert_eq!(definition(&f), "base.tenet:owned");
}

#[test]
fn keywords_and_snippets_complete_where_declarations_and_members_start() {
    let f = fixture("$0");
    let items = tenet_ide::completions(&f.db, f.workspace, f.cursor());
    let control = items.iter().find(|i| i.label == "control …").unwrap();
    assert!(control.snippet && control.insert.starts_with("control ${1:A.1}"));
    assert!(items.iter().any(|i| i.label == "waive"));
    let f = fixture("control A.1 \"x\" {\n  $0\n}\n");
    has_all(&f.completion_labels(), &["rule …", "maps …", "severity", "objective", "attest …"]);
    let f = fixture("control A.1 \"x\" {\n  severity $0\n}\n");
    assert_eq!(f.completion_labels(), vec!["critical", "high", "low", "medium"]);
    let f = fixture("set $0");
    assert_eq!(f.completion_labels(), vec!["base.review_interval"]);
    let f = fixture("set base.review_interval = $0");
    has_all(&f.completion_labels(), &["review_interval", "today"]);
    let f = fixture("set base.review_interval = 6 months\n$0");
    has_all(&f.completion_labels(), &["control …", "waive"]);
}

#[test]
fn a_schema_header_completes_the_clauses_that_may_still_follow() {
    let f = fixture("schema Sheet $0");
    assert_eq!(f.completion_labels(), ["decimal", "delimiter", "encoding", "from", "header", "none"]);
    let f = fixture("schema Sheet from \"s/*.csv\" $0");
    assert_eq!(f.completion_labels(), ["at", "decimal", "delimiter", "encoding", "header", "none"]);
    let f = fixture("schema Sheet from \"s/*.csv\", \"t/*.csv\" del$0");
    assert_eq!(f.completion_labels(), ["at", "decimal", "delimiter", "encoding", "header", "none"]);
    let f = fixture("schema Sheet from \"s/*.json\" at \"records\" $0");
    assert_eq!(f.completion_labels(), ["decimal", "delimiter", "encoding", "header", "none"]);
    let f = fixture("schema Sheet\n  from \"s/*.csv\"\n  encoding \"windows-1252\"\n  $0");
    assert_eq!(f.completion_labels(), ["decimal", "delimiter", "header", "none"]);
    let f = fixture("schema Sheet from \"s/*.csv\" decimal \",\" header 2 $0");
    assert_eq!(f.completion_labels(), ["none"]);
    let f = fixture("schema Sheet from \"s/*.csv\" delimiter \";\" $0");
    let items = tenet_ide::completions(&f.db, f.workspace, f.cursor());
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["decimal", "header", "none"]);
    assert!(items[1].snippet && items[1].insert == "header ${1:3}", "{:?}", items[1]);
    assert!(items[2].snippet && items[2].insert == "none \"${1:N/A}\"", "{:?}", items[2]);
    // The name is being typed, or a new item starts: no clause.
    assert_eq!(fixture("schema Sh$0").completion_labels(), Vec::<String>::new());
    let f = fixture("schema Sheet from \"s/*.csv\" {\n  id: string key\n}\n$0");
    assert!(f.completion_labels().contains(&"control …".to_owned()), "{:?}", f.completion_labels());
}

#[test]
fn a_field_completes_the_modifiers_it_does_not_have_after_its_type() {
    let at = |line: &str| {
        fixture(&format!("schema Sheet from \"s/*.csv\" {{\n  {line}\n}}\n")).completion_labels()
    };
    assert_eq!(at("id: string $0"), ["as", "key"]);
    assert_eq!(at("held_on: date? $0"), ["as", "effective", "format", "key"]);
    assert_eq!(at("held_on: date key as \"Held\" $0"), ["effective", "format"]);
    assert_eq!(at("held_at: datetime ef$0"), ["as", "effective", "key"]);
    // The name or the type is being written: no modifier.
    assert_eq!(at("he$0"), Vec::<String>::new());
    assert!(!at("held_on: $0").contains(&"key".to_owned()));
}

#[test]
fn nothing_completes_in_comments() {
    let f = fixture("// a comment $0\n");
    assert_eq!(f.completion_labels(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Hover, definition, references

#[test]
fn hover_on_a_nested_field_a_variable_and_a_keyword() {
    let f =
        fixture("control A.1 \"x\" {\n  rule r\n    for s: AiSystem\n    require s.review.o$0n != none\n}\n");
    let hover = f.hover();
    assert!(hover.contains("on: date") && hover.contains("field of `AiSystem`"), "{hover}");
    let f = fixture("control A.1 \"x\" {\n  require count(x$0: AiSystem) > 0\n}\n");
    assert!(f.hover().contains("x: AiSystem") && f.hover().contains("`count`"), "{}", f.hover());
    let f = fixture("control A.1 \"x\" {\n  sev$0erity high\n}\n");
    assert!(f.hover().starts_with("`severity`:"), "{}", f.hover());
}

#[test]
fn places_date_formats_and_csv_dialects_show_in_hover_and_at_is_a_keyword_only_in_a_source() {
    use tenet_ide::HighlightKind;
    let f = fixture(
        "schema Rec$0ord from \"registers/*.json\" at \"records\" {\n  id: string key\n  at: date\n}\n\n\
         control A.1 \"x\" {\n  require count(r: Record where r.at < today) > 0\n}\n",
    );
    let hover = f.hover();
    assert!(hover.contains("schema Record from \"registers/*.json\" at \"records\""), "{hover}");
    let dated = fixture("schema Sheet {\n  id: string key\n  sig$0ned: date format \"%m/%d/%Y\"\n}\n");
    assert!(dated.hover().contains("field of `Sheet` · written as `%m/%d/%Y`"), "{}", dated.hover());
    let blanks = fixture("schema Sh$0eet from \"s/*.csv\" none \"N/A\", \"-\" {\n  id: string key\n}\n");
    assert!(
        blanks.hover().contains("schema Sheet from \"s/*.csv\" none \"N/A\", \"-\""),
        "{}",
        blanks.hover()
    );
    let export = fixture(
        "schema Ex$0port from \"x/*.csv\" encoding \"windows-1252\" delimiter \"\\t\" decimal \",\" header 3 {\n  id: string key\n}\n",
    );
    assert!(
        export.hover().contains(
            "schema Export from \"x/*.csv\" encoding \"windows-1252\" delimiter \"\\t\" decimal \",\" header 3\n"
        ),
        "{}",
        export.hover()
    );
    let tokens = tenet_ide::highlight(&f.db, f.workspace, f.file("aims.tenet"));
    let text = f.text(f.file("aims.tenet"));
    let ats: Vec<HighlightKind> =
        tokens.iter().filter(|t| &text[t.span.range()] == "at").map(|t| t.kind).collect();
    // The source's `at`, then the field declared `at` and the field read as `r.at`.
    assert_eq!(ats.len(), 3, "{ats:?}");
    assert_eq!(ats[0], HighlightKind::Keyword, "{ats:?}");
    assert!(ats[1..].iter().all(|k| *k != HighlightKind::Keyword), "{ats:?}");
}

fn definition(f: &Fixture) -> String {
    let target = tenet_ide::definition(&f.db, f.workspace, f.cursor()).expect("a definition");
    f.show(target.file, target.focus)
}

#[test]
fn definitions_of_every_kind_of_name() {
    let controls =
        "control A.1 \"First\" {\n  maps demo_act \"Art. 2\"\n  rule owned\n    require true\n}\n\n";
    assert_eq!(
        definition(&fixture(&format!(
            "{controls}waive A.1 rule ow$0ned until 2027-01-01 approved_by \"x\" because \"y\"\n"
        ))),
        "aims.tenet:owned"
    );
    assert_eq!(
        definition(&fixture(&format!("{controls}not_applicable A$0.1 because \"y\"\n"))),
        "aims.tenet:A.1"
    );
    let f = fixture("control A.1 \"x\" {\n  maps demo_act \"Art$0. 2\"\n  require true\n}\n");
    assert_eq!(definition(&f), "base.tenet:\"Art. 2\"");
    let f = fixture("set base.review_int$0erval = 6 months\n");
    assert_eq!(definition(&f), "base.tenet:review_interval");
    let f = fixture("set ba$0se.review_interval = 6 months\n");
    assert_eq!(definition(&f), "base.tenet:base");
    let f = fixture("test \"t\" {\n  given AiSystem { id: \"a\", review: { b$0y: \"me\" } }\n}\n");
    assert_eq!(definition(&f), "base.tenet:by");
    let f = fixture("control A.1 \"x\" {\n  require all a: Assessment satisfy a.sys$0tem.deployed\n}\n");
    assert_eq!(definition(&f), "base.tenet:system");
}

#[test]
fn references_of_a_variable_stay_in_its_rule() {
    let f = fixture(
        "control A.1 \"x\" {\n  rule r\n    for s$0: AiSystem where s.deployed\n    require s.owner != none\n    else \"{s.name}\"\n}\n\ncontrol A.2 \"y\" {\n  rule r\n    for s: AiSystem\n    require s.deployed\n}\n",
    );
    let refs = tenet_ide::references(&f.db, f.workspace, f.cursor(), true).unwrap();
    assert_eq!(refs.len(), 4, "the binding and three uses, none in A.2: {refs:?}");
    assert!(refs.iter().all(|r| r.span.start < f.text(f.file("aims.tenet")).find("A.2").unwrap() as u32));
}

// ---------------------------------------------------------------------------------------
// Rename

fn renamed(f: &Fixture, new_name: &str) -> Vec<(String, String)> {
    let change = tenet_ide::rename(&f.db, f.workspace, f.cursor(), new_name).expect("rename");
    change
        .files
        .iter()
        .map(|(file, edits)| {
            let mut text = f.text(*file);
            for e in edits.iter().rev() {
                text.replace_range(e.span.range(), &e.new_text);
            }
            (f.name_of(*file).to_owned(), text)
        })
        .collect()
}

#[test]
fn renaming_a_parameter_changes_only_its_name_in_qualified_uses() {
    let f = fixture(
        "set base.review_interval = 6 months\n\ncontrol A.1 \"x\" {\n  require today - base.review_$0interval < today\n}\n",
    );
    let changed = renamed(&f, "cadence");
    assert_eq!(changed.len(), 2);
    let file = |name: &str| changed.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap();
    assert!(file("base.tenet").contains("param cadence: duration"), "{}", file("base.tenet"));
    let aims = file("aims.tenet");
    assert!(
        aims.contains("set base.cadence = 6 months") && aims.contains("today - base.cadence <"),
        "{aims}"
    );
}

#[test]
fn renaming_a_schema_and_a_rule_reaches_every_use() {
    let f = fixture(
        "control A.1 \"x\" {\n  rule r\n    for s: AiSys$0tem\n    require count(x: base.AiSystem) > 0\n}\n\ntest \"t\" {\n  given AiSystem { id: \"a\" }\n  expect A.1 rule r fails\n}\n",
    );
    let changed = renamed(&f, "System");
    let aims = &changed.iter().find(|(n, _)| n == "aims.tenet").unwrap().1;
    assert_eq!(aims.matches("System").count(), 3, "{aims}");
    assert!(aims.contains("base.System") && !aims.contains("AiSystem"), "{aims}");
    let base = &changed.iter().find(|(n, _)| n == "base.tenet").unwrap().1;
    assert!(base.contains("schema System from") && base.contains("system: ref System"), "{base}");

    let f = fixture(
        "control A.1 \"x\" {\n  rule ow$0ned\n    require true\n}\n\nwaive A.1 rule owned until 2027-01-01 approved_by \"x\" because \"y\"\n",
    );
    let changed = renamed(&f, "has_owner");
    assert_eq!(changed[0].1.matches("has_owner").count(), 2);
}

#[test]
fn rename_refuses_keywords_clashes_controls_and_built_in_declarations() {
    let f = fixture("control A.1 \"x\" {\n  rule r\n    for s: AiSy$0stem\n    require true\n}\n");
    let error = |name: &str| tenet_ide::rename(&f.db, f.workspace, f.cursor(), name).unwrap_err().0;
    assert!(error("Assessment").contains("already declared"), "{}", error("Assessment"));
    assert!(error("where").contains("keyword"));
    assert!(error("9lives").contains("not a valid"));
    let f = fixture("control A$0.1 \"x\" {\n  require true\n}\n");
    assert!(tenet_ide::prepare_rename(&f.db, f.workspace, f.cursor()).unwrap_err().0.contains("controls"));
    let f = fixture("control A.1 \"x\" {\n  require count(a: Attest$0ation) > 0\n}\n");
    assert!(tenet_ide::prepare_rename(&f.db, f.workspace, f.cursor()).unwrap_err().0.contains("read-only"));
}

// ---------------------------------------------------------------------------------------
// Symbols, folding, highlighting

#[test]
fn the_outline_nests_fields_rules_and_requirements() {
    let f = fixture(
        "control A.1 \"x\" {\n  rule r\n    require true\n  attest signed \"Signed\" {\n    by \"CISO\"\n  }\n}\n",
    );
    let base = tenet_ide::document_symbols(&f.db, f.file("base.tenet"));
    let names: Vec<&str> = base.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["base", "demo_act", "AiSystem", "Assessment", "review_interval"]);
    let review = base[2].children.iter().find(|c| c.name == "review").unwrap();
    assert_eq!(review.detail.as_deref(), Some("{ … }?"));
    assert_eq!(review.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["by", "on"]);
    assert_eq!(base[1].children.len(), 2);
    let aims = tenet_ide::document_symbols(&f.db, f.file("aims.tenet"));
    let control = aims.iter().find(|s| s.name == "A.1").unwrap();
    assert_eq!(control.children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["r", "signed"]);
    let text = f.text(f.file("base.tenet"));
    assert!(
        text[base[2].full.range()].ends_with('}'),
        "spans end with the declaration, not the blank after it"
    );
}

#[test]
fn workspace_symbols_match_fuzzily_and_rank_prefixes_first() {
    let f = fixture("");
    let found = tenet_ide::workspace_symbols(&f.db, f.workspace, "as");
    assert_eq!(found[0].symbol.name, "Assessment");
    let found = tenet_ide::workspace_symbols(&f.db, f.workspace, "rvwint");
    assert_eq!(found[0].symbol.name, "review_interval");
    assert!(tenet_ide::workspace_symbols(&f.db, f.workspace, "zzzz").is_empty());
}

#[test]
fn folds_cover_items_members_comments_and_uses() {
    let f = fixture("use base as b\n\n// one\n// two\ncontrol A.1 \"x\" {\n  rule r\n    require true\n}\n");
    let folds = tenet_ide::folding_ranges(&f.db, f.file("aims.tenet"));
    let shown: Vec<String> = folds.iter().map(|fold| f.show(f.file("aims.tenet"), fold.span)).collect();
    assert!(shown.contains(&"aims.tenet:// one\n// two".to_owned()), "{shown:?}");
    assert!(shown.contains(&"aims.tenet:use base\n\nuse base as b".to_owned()), "{shown:?}");
    assert!(shown.iter().any(|s| s.starts_with("aims.tenet:control A.1") && s.ends_with('}')), "{shown:?}");
    assert!(shown.iter().any(|s| s.starts_with("aims.tenet:rule r\n    require true")), "{shown:?}");
}

#[test]
fn highlighting_marks_declarations_and_read_only_parameters() {
    use tenet_ide::{HighlightKind, HighlightModifier};
    let f = fixture("control A.1 \"x\" {\n  require today - review_interval < today\n}\n");
    let tokens = tenet_ide::highlight(&f.db, f.workspace, f.file("aims.tenet"));
    let text = f.text(f.file("aims.tenet"));
    let param = tokens.iter().find(|t| &text[t.span.range()] == "review_interval").unwrap();
    assert_eq!(param.kind, HighlightKind::Parameter);
    assert_eq!(param.modifiers & HighlightModifier::Readonly as u32, HighlightModifier::Readonly as u32);
    let base = tenet_ide::highlight(&f.db, f.workspace, f.file("base.tenet"));
    let base_text = f.text(f.file("base.tenet"));
    let schema = base.iter().find(|t| &base_text[t.span.range()] == "AiSystem").unwrap();
    assert_eq!((schema.kind, schema.modifiers), (HighlightKind::Type, HighlightModifier::Declaration as u32));
    assert!(tokens.windows(2).all(|w| w[0].span.end <= w[1].span.start), "tokens never overlap");
}

// ---------------------------------------------------------------------------------------
// Fixes and lenses

#[test]
fn fixes_come_from_the_checkers_suggestions() {
    let f = fixture("control A.1 \"x\" {\n  require count(x: AiSytem) > 0\n}\n");
    let text = f.text(f.file("aims.tenet"));
    let at = text.find("AiSytem").unwrap() as u32;
    let fixes = tenet_ide::fixes(&f.db, f.workspace, f.file("aims.tenet"), Span::new(at, at));
    let fix = fixes.iter().find(|x| x.title == "replace with `AiSystem`").unwrap();
    assert!(fix.preferred);
    assert_eq!(fix.diagnostic.as_ref().unwrap().code.id(), "T0103");
}

#[test]
fn lenses_show_rule_counts_or_live_counts() {
    let f = fixture(
        "control A.1 \"x\" {\n  rule a\n    require true\n  rule b\n    require true\n  attest signed {\n    by \"CISO\"\n  }\n}\n",
    );
    let none = |_: &str| None;
    let lenses = tenet_ide::code_lenses(&f.db, f.workspace, f.file("aims.tenet"), &none);
    assert_eq!(lenses.len(), 1);
    assert_eq!(lenses[0].title, "2 rules · 1 attestation");
    assert_eq!(lenses[0].control, "acme.A.1");
    let live = |c: &str| {
        (c == "acme.A.1").then_some(ControlCounts {
            pass: 3,
            fail: 1,
            no_evidence: 2,
            ..ControlCounts::default()
        })
    };
    let lenses = tenet_ide::code_lenses(&f.db, f.workspace, f.file("aims.tenet"), &live);
    assert_eq!(lenses[0].title, "✓ 3 passed · ✗ 1 failed · 2 without evidence · 2 rules · 1 attestation");
}

// ---------------------------------------------------------------------------------------
// Robustness

/// Every feature at every offset of every corpus file and of truncated copies of them:
/// none may panic.
#[test]
fn no_feature_panics_anywhere_in_the_corpus() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut texts: Vec<String> = Vec::new();
    for entry in walk(&corpus) {
        if entry.extension().is_some_and(|e| e == "tenet") {
            texts.push(String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned());
        }
    }
    texts.push(
        "package x\ncontrol A.1 \"é😀\" {\n  rule r for s: AiSystem where s. require \"{s.\n".to_owned(),
    );
    assert!(texts.len() > 50, "the corpus was found");
    // One database for all: the built-in packs are parsed once.
    let mut f = Fixture::new(&format!("{BASE}//- t.tenet\n"));
    for text in &texts {
        // The whole file, and the file cut at a third, as if being typed.
        let cut = (text.len() / 3..).find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        for version in [text.as_str(), &text[..cut]] {
            f.set_text("t.tenet", version);
            let file = f.file("t.tenet");
            let _ = tenet_ide::document_symbols(&f.db, file);
            let _ = tenet_ide::folding_ranges(&f.db, file);
            let _ = tenet_ide::highlight(&f.db, f.workspace, file);
            let _ = tenet_ide::format_edits(&f.db, file);
            let _ = tenet_ide::code_lenses(&f.db, f.workspace, file, &|_| None);
            for offset in (0..=version.len() as u32 + 2)
                .filter(|o| version.is_char_boundary(*o as usize) || *o as usize > version.len())
            {
                let at = FilePosition { file, offset };
                let _ = tenet_ide::hover(&f.db, f.workspace, at);
                let _ = tenet_ide::definition(&f.db, f.workspace, at);
                let _ = tenet_ide::references(&f.db, f.workspace, at, true);
                let _ = tenet_ide::prepare_rename(&f.db, f.workspace, at);
                let _ = tenet_ide::fixes(&f.db, f.workspace, file, Span::new(offset, offset));
                if offset % 5 == 0 {
                    let _ = tenet_ide::completions(&f.db, f.workspace, at);
                }
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
