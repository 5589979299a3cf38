//! Properties of the formatter over generated programs: formatting is idempotent and never
//! changes the syntax tree (spans aside), whatever the spacing, line breaks and comments
//! of the input.

use proptest::prelude::*;
use proptest::strategy::Union;

/// Separators a person might type between two tokens.
fn gap() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just(" "), 1 => Just("  "), 1 => Just("\n      "), 1 => Just(" // note\n  ")]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("s".to_owned()),
        Just("a".to_owned()),
        Just("interval".to_owned()),
        Just("risk_tier".to_owned()),
        "[a-z][a-z_]{0,8}".prop_filter("not a keyword", |n| !KEYWORDS.contains(&n.as_str())),
    ]
}

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "implies",
    "in",
    "matches",
    "where",
    "satisfy",
    "require",
    "else",
    "let",
    "for",
    "some",
    "all",
    "none",
    "true",
    "false",
    "today",
    "rule",
    "applies",
    "count",
    "sum",
    "min",
    "max",
    "as",
    "key",
    "effective",
    "from",
    "to",
    "by",
    "within",
    "about",
    "with",
    "package",
    "use",
    "schema",
    "param",
    "set",
    "control",
    "clause",
    "objective",
    "severity",
    "maps",
    "attest",
    "waive",
    "override",
    "disable",
    "until",
    "because",
    "test",
    "given",
    "expect",
    "framework",
    "requirement",
    "crosswalk",
    "reviewed",
    "not_applicable",
    "approved_by",
    "encoding",
    "delimiter",
    "decimal",
    "header",
    "ref",
    "when",
    "string",
    "int",
    "float",
    "bool",
    "date",
    "datetime",
    "duration",
];

fn string_lit() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"high\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"caf\u{e9} \\\"quoted\\\" \\n\"".to_owned()),
        "[a-zA-Z0-9 .,-]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        name(),
        (name(), name()).prop_map(|(a, b)| format!("{a}.{b}")),
        (0u32..100_000).prop_map(|n| n.to_string()),
        (0u32..100, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        string_lit(),
        Just("2024-02-29".to_owned()),
        Just("2026-11-24T09:30:00Z".to_owned()),
        (1u32..40, prop::sample::select(vec!["days", "months", "years", "weeks", "day"]))
            .prop_map(|(n, u)| format!("{n} {u}")),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("none".to_owned()),
        Just("today".to_owned()),
    ]
}

const BINARY: &[&str] = &[
    "and", "or", "implies", "in", "not in", "matches", "??", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*",
    "/",
];

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        Union::new_weighted(vec![
            (
                6,
                (inner.clone(), prop::sample::select(BINARY), gap(), inner.clone())
                    .prop_map(|(l, op, g, r)| format!("{l}{g}{op} {r}"))
                    .boxed(),
            ),
            (2, inner.clone().prop_map(|e| format!("not {e}")).boxed()),
            (1, inner.clone().prop_map(|e| format!("-{e}")).boxed()),
            (2, inner.clone().prop_map(|e| format!("({e})")).boxed()),
            (2, (inner.clone(), name()).prop_map(|(e, f)| format!("({e}).{f}")).boxed()),
            (
                2,
                (name(), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(f, args)| format!("{f}({})", args.join(", ")))
                    .boxed(),
            ),
            (
                2,
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|xs| format!("[{}]", xs.join(", ")))
                    .boxed(),
            ),
            (
                1,
                prop::collection::vec((name(), inner.clone()), 1..3)
                    .prop_map(|fs| {
                        let fields: Vec<String> = fs.iter().map(|(n, e)| format!("{n}: {e}")).collect();
                        format!("{{ {} }}", fields.join(", "))
                    })
                    .boxed(),
            ),
            (
                3,
                (
                    prop::sample::select(vec!["some", "all", "none"]),
                    name(),
                    prop::option::of(inner.clone()),
                    prop::option::of(inner.clone()),
                    gap(),
                )
                    .prop_map(|(q, v, w, sat, g)| {
                        let mut text = format!("({q} {v}: AiSystem");
                        if let Some(w) = w {
                            text.push_str(&format!("{g}where {w}"));
                        }
                        if let Some(sat) = sat {
                            text.push_str(&format!(" satisfy {sat}"));
                        }
                        text.push(')');
                        text
                    })
                    .boxed(),
            ),
            (
                2,
                (
                    prop::sample::select(vec!["count", "sum", "min", "max"]),
                    name(),
                    inner.clone(),
                    prop::option::of(inner.clone()),
                )
                    .prop_map(|(agg, v, e, w)| {
                        let head = if agg == "count" { String::new() } else { format!("{e} for ") };
                        let filter = w.map(|w| format!(" where {w}")).unwrap_or_default();
                        format!("{agg}({head}{v}: Kind{filter})")
                    })
                    .boxed(),
            ),
        ])
    })
}

fn field_type() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        prop::sample::select(vec!["string", "int", "float", "bool", "date", "datetime", "duration"])
            .prop_map(str::to_owned),
        Just("\"minimal\" | \"high\"".to_owned()),
        Just("ref AiSystem".to_owned()),
        Just("{ name: string, value: float? }".to_owned()),
    ];
    (base, any::<bool>(), any::<bool>()).prop_map(|(b, list, optional)| {
        let t = if list { format!("[{b}]") } else { b };
        if optional { format!("{t}?") } else { t }
    })
}

fn schema() -> impl Strategy<Value = String> {
    let source = prop_oneof![
        Just(String::new()),
        Just(" from \"inventory/**/*.yaml\"".to_owned()),
        Just(" from \"registers/*.json\" at \"records\", \"inventory/**/*.yaml\"".to_owned()),
        Just(
            " from \"registers/**/*.json\" at \"data.records\", \"inventory/**/*.yaml\" at \"systems\", \"lab/*.toml\" at \"systems\""
                .to_owned()
        ),
    ];
    let none = prop_oneof![
        Just(String::new()),
        Just(" none \"N/A\", \"-\"".to_owned()),
        Just(" delimiter \";\"".to_owned()),
        Just(" encoding \"windows-1252\" delimiter \"\\t\" decimal \",\" none \"-\"".to_owned()),
        Just(" delimiter \";\" header 3".to_owned()),
    ];
    let format = prop_oneof![Just(String::new()), Just(" format \"%m/%d/%Y\"".to_owned())];
    (name(), prop::collection::vec((name(), field_type(), format), 1..5), source, none).prop_map(
        |(n, fields, source, none)| {
            let fields: Vec<String> = fields
                .iter()
                .map(|(f, t, format)| {
                    // A format belongs to date fields; elsewhere the checker refuses it, which
                    // the formatter need not know.
                    format!("  {f}: {t}{format}")
                })
                .collect();
            format!(
                "/// Evidence.\nschema S{n}{source}{none} {{\n  id: string key\n{}\n}}",
                fields.join("\n")
            )
        },
    )
}

fn rule() -> impl Strategy<Value = String> {
    (
        name(),
        prop::option::of(expr()),
        prop::collection::vec((name(), expr()), 0..2),
        expr(),
        any::<bool>(),
        gap(),
    )
        .prop_map(|(n, filter, lets, req, msg, g)| {
            let mut text = format!("  rule {n}{g}for s: AiSystem");
            if let Some(f) = filter {
                text.push_str(&format!(" where {f}"));
            }
            for (l, e) in lets {
                text.push_str(&format!("\n    let {l} = {e}"));
            }
            text.push_str(&format!("\n    require {req}"));
            if msg {
                text.push_str("\n    else \"{s.name} fails; {{literal}} braces\"");
            }
            text
        })
}

fn control() -> impl Strategy<Value = String> {
    (1u32..20, prop::collection::vec(rule(), 1..3), any::<bool>(), prop::option::of(expr())).prop_map(
        |(n, rules, maps, applies)| {
            let mut text = format!("control A.{n} \"Title {n}\" {{\n  objective \"Why.\"\n  severity high\n");
            if maps {
                text.push_str(
                    "  maps eu_ai_act \"Art. 27\", nist_ai_rmf [\"MAP 1.1\", \"MAP 5.1\"] intersects\n",
                );
            }
            if let Some(a) = applies {
                text.push_str(&format!("  applies when {a}\n"));
            }
            text.push_str(&rules.join("\n"));
            text.push_str("\n}");
            text
        },
    )
}

fn other_item() -> impl Strategy<Value = String> {
    prop_oneof![
        (name(), expr()).prop_map(|(n, e)| format!("param {n}: int = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("set base.{n} = {e} because \"Board decision.\"")),
        Just("not_applicable A.10.4 because \"No customers.\"".to_owned()),
        Just(
            "waive A.7.5 rule r for AiSystem \"legacy\"\n until 2027-03-31 approved_by \"CISO\" because \"RISK-112.\""
                .to_owned()
        ),
        (prop::option::of(expr()), expr(), any::<bool>(), gap()).prop_map(|(filter, req, msg, g)| {
            let mut text = format!("/// Why.\noverride base.A.1 rule r{g}because \"The group's own check.\" {{\n  for s: AiSystem");
            if let Some(f) = filter {
                text.push_str(&format!(" where {f}"));
            }
            text.push_str(&format!("\n  require {req}"));
            if msg {
                text.push_str("\n  else \"{s.name} fails\"");
            }
            text.push_str("\n}");
            text
        }),
        Just("disable base.A.2 rule monitored\n because \"Monitored by control BU-7.\" // why".to_owned()),
        Just(
            "framework fw \"Framework\" {\n version \"1\"\n requirement \"R1\" \"One\"\n requirement \"R2\" \"Two\" { order 2 } }"
                .to_owned()
        ),
        Just("crosswalk cw from base to fw {\n source \"S\"\n A.1 -> \"R1\", \"R2\" superset reviewed low because \"Judgement.\" }".to_owned()),
        (expr(), string_lit()).prop_map(|(e, s)| format!(
            "test \"t\" {{ today 2026-01-31\n set x = {e}\n given AiSystem {{ id: {s}, n: 1 }}\n expect A.1 rule r fails for \"k\" with \"m\" }}"
        )),
    ]
}

fn program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(schema(), 0..2),
        prop::collection::vec(control(), 0..3),
        prop::collection::vec(other_item(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(schemas, controls, others, header)| {
            let mut items = vec!["package generated".to_owned(), "use base".to_owned()];
            items.extend(schemas);
            items.extend(controls);
            items.extend(others);
            let mut text = if header { "// Header comment.\n".to_owned() } else { String::new() };
            text.push_str(&items.join("\n\n"));
            text.push('\n');
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent_and_keeps_the_tree(source in program()) {
        let (ast, errors) = tenet_syntax::parse(&source);
        prop_assert!(errors.is_empty(), "generated program does not parse: {errors:?}\n{source}");
        let once = tenet_syntax::format(&source).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let twice = tenet_syntax::format(&once).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&once, &twice, "not idempotent for:\n{}", source);
        let (formatted_ast, errors) = tenet_syntax::parse(&once);
        prop_assert!(errors.is_empty(), "formatted program does not parse: {errors:?}\n{once}");
        prop_assert_eq!(tenet_syntax::dump(&ast), tenet_syntax::dump(&formatted_ast), "tree changed:\n{}\n---\n{}", source, once);
    }

    #[test]
    fn comments_survive_formatting(source in program()) {
        let once = tenet_syntax::format(&source).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let before = source.matches("// note").count() + source.matches("// Header").count();
        let after = once.matches("// note").count() + once.matches("// Header").count();
        prop_assert_eq!(before, after, "a comment was lost:\n{}\n---\n{}", source, once);
    }
}
