//! The command-line interface, as clap declares it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Policy-as-code for AI management systems: ISO/IEC 42001, the EU AI Act, the NIST AI RMF.
#[derive(Debug, Parser)]
#[command(name = "tenet", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the packs under a path: compile them and report every problem.
    Check(CheckArgs),
    /// Format `.tenet` files in place, or report which differ (`--check`).
    Fmt(FmtArgs),
    /// Run the `test` blocks of the packs under a path.
    Test(TestArgs),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ErrorFormat {
    /// Source snippets with labels and help.
    #[default]
    Human,
    /// One line per diagnostic: `file:line:col: code message`.
    Short,
    /// A JSON document.
    Json,
}

/// Options shared by commands that print diagnostics.
#[derive(Debug, Args)]
pub struct DiagnosticArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// Colour output: auto (when stderr is a terminal and NO_COLOR is unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `tenet check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A directory of packs (or one `.tenet` file).
    pub path: PathBuf,
    /// Diagnostic options.
    #[command(flatten)]
    pub diagnostics: DiagnosticArgs,
}

/// `tenet fmt`
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or directories to format.
    #[arg(required_unless_present = "stdin")]
    pub paths: Vec<PathBuf>,
    /// Report files that would change, and change nothing (exit 1 if any).
    #[arg(long)]
    pub check: bool,
    /// Format standard input to standard output.
    #[arg(long, conflicts_with = "paths")]
    pub stdin: bool,
    /// Diagnostic options.
    #[command(flatten)]
    pub diagnostics: DiagnosticArgs,
}

/// How `tenet test` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TestFormat {
    /// A line per test, failures with expected and actual results, coverage.
    #[default]
    Text,
    /// A JSON document.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// `tenet test`
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A directory of packs (or one `.tenet` file).
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Fail (exit 1) when fewer than this percentage of rules are exercised by tests.
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<f64>,
    /// The date tests without `today` run as of (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Diagnostic options.
    #[command(flatten)]
    pub diagnostics: DiagnosticArgs,
}
