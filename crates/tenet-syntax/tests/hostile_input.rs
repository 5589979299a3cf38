//! Hostile input: whatever the bytes, `parse` returns errors, never panics, never overflows
//! the stack, and stays fast.
#![allow(clippy::expect_used, reason = "set-up failures in tests should fail loudly")]

use proptest::prelude::*;
use tenet_syntax::{MAX_NESTING, SyntaxErrorKind, parse, parse_bytes};

/// Runs `f` on a thread with a small stack, as editors and CI runners may give us.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).expect("spawn");
    handle.join().expect("parser thread panicked")
}

#[test]
fn invalid_utf8_is_a_located_error() {
    let (ast, errors) = parse_bytes(b"package p\n\nparam x: string = \"caf\xe9\"\n");
    assert!(ast.items.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, SyntaxErrorKind::Unreadable);
    assert_eq!((errors[0].span.start, errors[0].span.end), (33, 34));
    assert_eq!(errors[0].message, "the file is not UTF-8: byte 33 starts an invalid sequence");
}

#[test]
fn ten_megabytes_of_open_parentheses() {
    let text = "(".repeat(10 * 1024 * 1024);
    let errors = on_small_stack(move || parse(&text).1);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, SyntaxErrorKind::NestingTooDeep);
}

#[test]
fn deep_nesting_of_every_bracket_is_refused() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{ a: ", "}"), ("not ", ""), ("-", "")] {
        let depth = 100_000;
        let text = format!("package p\nparam x: int = {}1{}\n", open.repeat(depth), close.repeat(depth));
        let errors = on_small_stack(move || parse(&text).1);
        assert!(!errors.is_empty(), "{open}…{close} nested {depth} deep was accepted");
        assert!(
            errors
                .iter()
                .all(|e| e.kind == SyntaxErrorKind::NestingTooDeep || e.kind == SyntaxErrorKind::Syntax),
            "{open}: {errors:?}"
        );
        assert!(errors.iter().any(|e| e.kind == SyntaxErrorKind::NestingTooDeep), "{open}: {errors:?}");
    }
}

#[test]
fn nesting_at_the_limit_parses_on_a_two_megabyte_stack() {
    let depth = MAX_NESTING as usize;
    let text = format!("package p\nparam x: int = {}1{}\n", "(".repeat(depth - 1), ")".repeat(depth - 1));
    let (ast, errors) = on_small_stack(move || parse(&text));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(ast.items.len(), 2);
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_parsing() {
    let text = format!("package p\n{}", "// padding\n".repeat(tenet_syntax::MAX_SOURCE_BYTES / 11 + 1));
    let (ast, errors) = parse(&text);
    assert!(ast.items.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, SyntaxErrorKind::Unreadable);
}

#[test]
fn a_runaway_string_and_a_runaway_comment_are_errors() {
    for text in
        ["package p\nparam x: string = \"never closed", "package p\n/* never closed\nparam x: int = 1\n"]
    {
        let (_, errors) = parse(text);
        assert_eq!(errors.len(), 1, "{text}: {errors:?}");
        assert_eq!(errors[0].kind, SyntaxErrorKind::Syntax);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let (_, errors) = parse_bytes(&bytes);
        for e in errors {
            prop_assert!(e.span.start <= e.span.end && e.span.end as usize <= bytes.len().max(1));
        }
    }

    #[test]
    fn arbitrary_token_soup_never_panics(
        tokens in prop::collection::vec(
            prop::sample::select(vec![
                "package", "p", "control", "A.1", "\"t\"", "{", "}", "(", ")", "[", "]", "rule", "for", "x", ":",
                "where", "require", "else", "\"{x.y}\"", "some", "all", "satisfy", "and", "not", "==", "12 months",
                "2024-02-30", "\n", "//", "///", "/*", "*/", "schema", "param", "=", "?", "|", "ref", "test",
                "given", "expect", "waive", "until", "because", "->", "crosswalk", "framework", "requirement",
                "override", "disable",
            ]),
            0..80,
        )
    ) {
        let text = tokens.join(" ");
        let (_, errors) = parse(&text);
        for e in errors {
            prop_assert!(e.span.start <= e.span.end && e.span.end as usize <= text.len());
            prop_assert!(!e.message.contains("Rule::") && !e.message.contains("p_"), "{}", e.message);
        }
    }
}

#[test]
fn a_set_that_does_not_parse_still_names_its_parameter() {
    let text = "package p\n\n/// Tighter.\nset review_interval = 3 monhts because \"x\"\n\nset iso42001.max = (\n\nset = 3\n\nsettle x\n";
    let (ast, errors) = parse(text);
    assert_eq!(errors.len(), 3, "{errors:?}");
    let named: Vec<(&str, &str)> =
        ast.broken_sets.iter().map(|n| (n.text.as_str(), &text[n.span.range()])).collect();
    assert_eq!(named, [("review_interval", "review_interval"), ("iso42001.max", "iso42001.max")]);
    // A file that parses names none.
    assert!(parse("package p\nparam x: int = 1\nset x = 2\n").0.broken_sets.is_empty());
}
