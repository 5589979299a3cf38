//! The language corpus under `tests/corpus/`, checked by one helper.
//!
//! - `valid/NAME.tenet` (or a directory of files): checks with no diagnostic at all, is
//!   already in canonical format, and parses to the tree in `valid/NAME.ast`.
//! - `format/NAME.in.tenet`: formats to `format/NAME.out.tenet`, which is a fixed point.
//! - `invalid/NAME.tenet` (or a directory): every diagnostic is written under the line it
//!   points into, as a comment whose carets sit under the span:
//!
//!   ```text
//!   for s: AiSystem where s.nme == 1
//!   //                      ^^^ T0102 `AiSystem` has no field `nme`
//!   ```
//!
//!   `//<- CODE message` marks a diagnostic that starts in the first two columns (or, as
//!   the first line of a file, one at the start of the file). Codes and messages are
//!   compared exactly, and so are positions and underlined widths on the line.
//!
//! `TENET_BLESS=1 cargo test -p tenet-db --test corpus` rewrites the expectations from
//! what the tools produce; review the diff before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Failed, Trial};
use tenet_db::{Database, OsSystem, diagnostics, load_workspace};
use tenet_diagnostics::{ALL_CODES, Diagnostic};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn bless() -> bool {
    std::env::var_os("TENET_BLESS").is_some()
}

fn main() {
    let args = Arguments::from_args();
    let seen_codes = Arc::new(Mutex::new(BTreeSet::new()));
    let mut trials = Vec::new();
    let root = corpus_dir();
    for case in cases(&root.join("valid")) {
        let name = format!("valid::{}", case_name(&case));
        trials.push(Trial::test(name, move || valid_case(&case)));
    }
    for input in
        cases(&root.join("format")).into_iter().filter(|p| p.to_string_lossy().ends_with(".in.tenet"))
    {
        let name = format!("format::{}", case_name(&input));
        trials.push(Trial::test(name, move || format_case(&input)));
    }
    let invalid = cases(&root.join("invalid"));
    let invalid_count = invalid.len();
    for case in invalid {
        let name = format!("invalid::{}", case_name(&case));
        let seen = Arc::clone(&seen_codes);
        trials.push(Trial::test(name, move || invalid_case(&case, &seen)));
    }
    let total = trials.len();
    let whole_corpus = args.filter.is_none() && args.skip.is_empty() && !args.list;
    let conclusion = libtest_mimic::run(&args, trials);
    // Coverage is judged only when the whole corpus ran.
    if whole_corpus && conclusion.num_filtered_out == 0 {
        let seen = seen_codes.lock().map(|s| s.clone()).unwrap_or_default();
        let missing: Vec<&str> =
            ALL_CODES.iter().map(|c| c.id()).filter(|c| *c < "T0500" && !seen.contains(*c)).collect();
        if !missing.is_empty() {
            eprintln!("the invalid corpus exercises no case of: {}", missing.join(", "));
            std::process::exit(101);
        }
        if total < 60 {
            eprintln!("the corpus has {total} cases ({invalid_count} invalid); it must keep at least 60");
            std::process::exit(101);
        }
    }
    conclusion.exit();
}

/// The cases in a folder: `.tenet` files and directories, sorted.
fn cases(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "tenet"))
        .collect();
    out.sort();
    out
}

fn case_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.trim_end_matches(".tenet").trim_end_matches(".in").to_owned()
}

/// A case's diagnostics, with its files as (shown path, disk path).
type Checked = (Vec<Diagnostic>, Vec<(String, PathBuf)>);

/// The workspace diagnostics of a case.
fn check(case: &Path) -> Result<Checked, Failed> {
    let mut db = Database::default();
    let loaded = load_workspace(&mut db, &OsSystem, case).map_err(|e| e.to_string())?;
    let files = loaded.files.iter().map(|f| (f.path(&db).to_owned(), PathBuf::from(f.path(&db)))).collect();
    Ok((diagnostics(&db, loaded.workspace).clone(), files))
}

fn valid_case(case: &Path) -> Result<(), Failed> {
    let (diags, files) = check(case)?;
    if !diags.is_empty() {
        let shown: Vec<String> =
            diags.iter().map(|d| format!("{}: {} {}", d.path, d.code, d.message)).collect();
        return Err(format!("expected no diagnostics, got:\n{}", shown.join("\n")).into());
    }
    // The case's own `test` blocks must pass.
    let mut db = Database::default();
    let loaded = load_workspace(&mut db, &OsSystem, case).map_err(|e| e.to_string())?;
    let program = tenet_db::program(&db, loaded.workspace);
    let today = jiff::civil::date(2026, 6, 30);
    for test in program.tests.iter() {
        let outcome = tenet_eval::run_test(program, test, today, tenet_eval::Budget::default());
        if !outcome.passed() {
            return Err(
                format!("test \"{}\" failed:\n  {}", outcome.name, outcome.failures.join("\n  ")).into()
            );
        }
    }
    let mut dumps = String::new();
    for (_, path) in &files {
        let text = read_text(path)?;
        let formatted = tenet_syntax::format(&text).map_err(|e| format!("{}: {e:?}", path.display()))?;
        if formatted != text {
            return Err(format!(
                "{} is not in canonical format:\n{}",
                path.display(),
                diff(&text, &formatted)
            )
            .into());
        }
        let (ast, _) = tenet_syntax::parse(&text);
        if files.len() > 1 {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            dumps.push_str(&format!(";; {name}\n"));
        }
        dumps.push_str(&tenet_syntax::dump(&ast));
        if !dumps.ends_with('\n') {
            dumps.push('\n');
        }
    }
    compare_or_bless(&case.with_extension("ast"), &dumps)
}

fn format_case(input: &Path) -> Result<(), Failed> {
    let text = read_text(input)?;
    let formatted = tenet_syntax::format(&text).map_err(|e| format!("{e:?}"))?;
    let again = tenet_syntax::format(&formatted).map_err(|e| format!("second pass: {e:?}"))?;
    if again != formatted {
        return Err(format!("formatting is not idempotent:\n{}", diff(&formatted, &again)).into());
    }
    let (before, _) = tenet_syntax::parse(&text);
    let (after, _) = tenet_syntax::parse(&formatted);
    if tenet_syntax::dump(&before) != tenet_syntax::dump(&after) {
        return Err("formatting changed the syntax tree".into());
    }
    let expected = PathBuf::from(input.to_string_lossy().replace(".in.tenet", ".out.tenet"));
    compare_or_bless(&expected, &formatted)
}

fn invalid_case(case: &Path, seen: &Mutex<BTreeSet<String>>) -> Result<(), Failed> {
    let (diags, files) = check(case)?;
    if let Ok(mut seen) = seen.lock() {
        seen.extend(diags.iter().map(|d| d.code.id().to_owned()));
    }
    if diags.is_empty() {
        return Err("an invalid case must produce at least one diagnostic".into());
    }
    let mut failures = Vec::new();
    for (shown, path) in &files {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let mut expected = annotations(&bytes);
        expected.sort();
        let mut actual: Vec<Annotation> =
            diags.iter().filter(|d| &*d.path == shown).map(|d| Annotation::of(d, &bytes)).collect();
        actual.sort();
        if expected == actual {
            continue;
        }
        let annotated = annotate(&bytes, &actual);
        if bless() {
            std::fs::write(path, annotated).map_err(|e| e.to_string())?;
        } else {
            failures.push(format!(
                "{}: diagnostics differ from the annotations.\nexpected:\n{}\nactual:\n{}\n\
                 the file as the tools would annotate it:\n{}",
                path.display(),
                show(&expected),
                show(&actual),
                String::from_utf8_lossy(&annotated)
            ));
        }
    }
    for d in diags.iter().filter(|d| !files.iter().any(|(s, _)| *s == *d.path)) {
        failures.push(format!("diagnostic outside the case: {}: {} {}", d.path, d.code, d.message));
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n\n").into()) }
}

/// One expected or actual diagnostic, as an annotation shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Annotation {
    /// Zero-based line of the code it points into.
    line: usize,
    /// Zero-based column in characters; `None` for the `<-` form.
    column: Option<usize>,
    /// Characters underlined on that line.
    width: usize,
    code: String,
    message: String,
}

impl Annotation {
    fn of(d: &Diagnostic, bytes: &[u8]) -> Annotation {
        let code = d.code.id().to_owned();
        let message = d.message.replace('\n', " ");
        // A diagnostic at the end of the file (an unclosed string, say) belongs to the last
        // line that is not an annotation, since annotations below it move the end.
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.split('\n').collect();
        let trailing_annotations = lines.iter().rev().take_while(|l| parse_annotation(l).is_some()).count();
        let code_lines = lines.len() - trailing_annotations;
        let code_end: usize =
            lines[..code_lines].iter().map(|l| l.len() + 1).sum::<usize>().saturating_sub(1);
        if trailing_annotations > 0 && d.span.start as usize >= code_end.min(bytes.len()) {
            return Annotation { line: code_lines.saturating_sub(1), column: None, width: 0, code, message };
        }
        let start = (d.span.start as usize).min(bytes.len());
        let end = (d.span.end as usize).clamp(start, bytes.len());
        let before = &bytes[..start];
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = before.iter().filter(|b| **b == b'\n').count();
        let line_end = bytes[start..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| start + i);
        let column = String::from_utf8_lossy(&bytes[line_start..start]).chars().count();
        let width = String::from_utf8_lossy(&bytes[start..end.min(line_end)]).chars().count().max(1);
        if column < 2 {
            Annotation { line, column: None, width: 0, code, message }
        } else {
            Annotation { line, column: Some(column), width, code, message }
        }
    }

    fn render(&self) -> String {
        match self.column {
            Some(column) => {
                format!(
                    "//{}{} {} {}",
                    " ".repeat(column - 2),
                    "^".repeat(self.width),
                    self.code,
                    self.message
                )
            }
            None => format!("//<- {} {}", self.code, self.message),
        }
    }
}

/// Reads `// ^^^ CODE message` or `//<- CODE message`: (column, width, code, message).
fn parse_annotation(line: &str) -> Option<(Option<usize>, usize, String, String)> {
    let rest = line.strip_prefix("//")?;
    let is_code = |code: &str| code.len() == 5 && code.starts_with('T');
    if let Some(rest) = rest.strip_prefix("<- ") {
        let (code, message) = rest.split_once(' ')?;
        return is_code(code).then(|| (None, 0, code.to_owned(), message.to_owned()));
    }
    let spaces = rest.chars().take_while(|c| *c == ' ').count();
    let carets = rest[spaces..].chars().take_while(|c| *c == '^').count();
    if carets == 0 {
        return None;
    }
    let (code, message) = rest[spaces + carets..].trim_start().split_once(' ')?;
    is_code(code).then(|| (Some(spaces + 2), carets, code.to_owned(), message.to_owned()))
}

fn annotations(bytes: &[u8]) -> Vec<Annotation> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut last_code_line: Option<usize> = None;
    for (index, line) in text.split('\n').enumerate() {
        match parse_annotation(line) {
            Some((column, width, code, message)) => {
                out.push(Annotation { line: last_code_line.unwrap_or(0), column, width, code, message })
            }
            None => last_code_line = Some(index),
        }
    }
    out
}

/// The file with its annotations replaced by `actual`.
fn annotate(bytes: &[u8], actual: &[Annotation]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let code_lines: Vec<usize> =
        text.split('\n').enumerate().filter(|(_, l)| parse_annotation(l).is_none()).map(|(i, _)| i).collect();
    let raw_lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let mut out = Vec::new();
    for (n, index) in code_lines.iter().enumerate() {
        if n > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(raw_lines.get(*index).copied().unwrap_or_default());
        let mut here: Vec<&Annotation> = actual.iter().filter(|a| a.line == *index).collect();
        here.sort();
        for a in here {
            out.push(b'\n');
            out.extend_from_slice(a.render().as_bytes());
        }
    }
    out
}

fn show(list: &[Annotation]) -> String {
    list.iter().map(|a| format!("  line {}: {}", a.line + 1, a.render())).collect::<Vec<_>>().join("\n")
}

fn read_text(path: &Path) -> Result<String, Failed> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn compare_or_bless(expected_path: &Path, actual: &str) -> Result<(), Failed> {
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    if bless() {
        std::fs::write(expected_path, actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    Err(format!(
        "{} differs (TENET_BLESS=1 to accept):\n{}",
        expected_path.display(),
        diff(&expected, actual)
    )
    .into())
}

fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual).unified_diff().header("expected", "actual").to_string()
}
