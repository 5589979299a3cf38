//! Any bytes through the parser and, when they parse, through the formatter: no panic, no
//! stack overflow, spans inside the input, and formatting that is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ast, errors) = tenet_syntax::parse_bytes(data);
    for e in &errors {
        assert!(e.span.start <= e.span.end && e.span.end as usize <= data.len().max(1));
    }
    if errors.is_empty() {
        if let Ok(text) = std::str::from_utf8(data) {
            if let Ok(once) = tenet_syntax::format(text) {
                let twice = tenet_syntax::format(&once).expect("formatted text parses");
                assert_eq!(once, twice, "formatting is idempotent");
                let (again, _) = tenet_syntax::parse(&once);
                assert_eq!(tenet_syntax::dump(&ast), tenet_syntax::dump(&again), "formatting keeps the tree");
            }
        }
    }
});
