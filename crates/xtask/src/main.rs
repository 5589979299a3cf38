//! Project automation, run as `cargo xtask <task>`. Each task is what CI runs, so a
//! developer's machine and CI cannot disagree.

mod catalogs;
mod editors;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  test             install what the suite needs when missing, then run every test
  gen-catalogs     regenerate the stdlib's framework catalogs and crosswalks from the
                   reference data (`--check`: fail if they drifted)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("gen-catalogs") => catalogs::run(&args[1..]),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
