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
    /// Never use the network. Only `pack add`, `pack update` and `pack fetch` ever do;
    /// with this they use the cache alone, and every other command accepts it too.
    #[arg(long, global = true, env = "TENET_OFFLINE")]
    pub offline: bool,
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
    /// Explain a control, a framework requirement or a diagnostic code.
    Explain(ExplainArgs),
    /// Check, then re-check whenever a policy or evidence file changes.
    Watch(WatchArgs),
    /// Start an organisation's repository: manifest, pack and evidence templates.
    Init(InitArgs),
    /// The Statement of Applicability: every ISO/IEC 42001 Annex A control.
    Soa(SoaArgs),
    /// A framework's requirements with statuses derived through the mappings.
    Report(FrameworkArgs),
    /// Evidence authoring aids.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Evidence schemas for editors.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Run the language server on standard input and output.
    Lsp(LspArgs),
    /// Dependencies on other packs: manifest, lockfile, fetching, archives.
    #[command(subcommand)]
    Pack(PackCommand),
}

/// `tenet pack …`
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Create a pack: a `tenet.toml` and a first `.tenet` file.
    Init(PackInitArgs),
    /// Add a dependency to `tenet.toml`, resolve it and lock it.
    Add(PackAddArgs),
    /// Remove a dependency from `tenet.toml` and the lock.
    Remove(PackRemoveArgs),
    /// Resolve dependencies again to the newest versions their requirements allow.
    Update(PackUpdateArgs),
    /// Download every locked pack into the cache (resolving first if there is no lock).
    Fetch(ProjectArgs),
    /// Copy every fetched dependency into `.tenet/vendor`, for checks without network or
    /// cache.
    Vendor(ProjectArgs),
    /// Write a reproducible `.tar.gz` of the pack, with a manifest of file hashes.
    Build(PackBuildArgs),
    /// Verify every locked pack against its hash, or one archive against its manifest.
    Verify(PackVerifyArgs),
    /// Show the dependency graph, and with `--overrides` every tailoring each pack makes.
    Tree(PackTreeArgs),
}

/// The project a `tenet pack` command works on.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The directory with `tenet.toml`.
    #[arg(long, short = 'p', value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
}

/// `tenet pack init`
#[derive(Debug, Args)]
pub struct PackInitArgs {
    /// Where to create the pack (default: the current directory).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The pack's name (default: from the directory's name).
    #[arg(long)]
    pub name: Option<String>,
}

/// `tenet pack add`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["path", "git", "archive"]))]
pub struct PackAddArgs {
    /// The pack's name.
    pub name: String,
    /// A directory holding the pack.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// A git repository (URL or local path).
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,
    /// With `--git`: a tag.
    #[arg(long, requires = "git", conflicts_with_all = ["rev", "branch"])]
    pub tag: Option<String>,
    /// With `--git`: a commit.
    #[arg(long, requires = "git", conflicts_with = "branch")]
    pub rev: Option<String>,
    /// With `--git`: a branch.
    #[arg(long, requires = "git")]
    pub branch: Option<String>,
    /// A `.tar.gz` archive (path or URL).
    #[arg(long, value_name = "PATH|URL")]
    pub archive: Option<String>,
    /// With `--archive`: its sha256 (default: computed now and printed).
    #[arg(long, requires = "archive")]
    pub sha256: Option<String>,
    /// The versions accepted, a semver requirement (`^1.2`); written as `version` in
    /// tenet.toml.
    #[arg(long = "req", value_name = "REQ")]
    pub requirement: Option<String>,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet pack remove`
#[derive(Debug, Args)]
pub struct PackRemoveArgs {
    /// The pack's name.
    pub name: String,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet pack update`
#[derive(Debug, Args)]
pub struct PackUpdateArgs {
    /// Only these packs (default: all).
    pub names: Vec<String>,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet pack build`
#[derive(Debug, Args)]
pub struct PackBuildArgs {
    /// The archive to write (default: `dist/NAME-VERSION.tar.gz` in the project).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet pack verify`
#[derive(Debug, Args)]
pub struct PackVerifyArgs {
    /// Verify this archive against its `tenet-pack.json` instead of the lock.
    #[arg(long, value_name = "FILE")]
    pub archive: Option<PathBuf>,
    /// With `--archive`: the sha256 the archive must have.
    #[arg(long, requires = "archive")]
    pub sha256: Option<String>,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet pack tree`
#[derive(Debug, Args)]
pub struct PackTreeArgs {
    /// List every `set`, `not_applicable`, waiver and rule override, by the pack that makes it.
    #[arg(long)]
    pub overrides: bool,
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// `tenet evidence …`
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Print a filled-in skeleton of one evidence document, each field documented.
    Template(TemplateArgs),
}

/// `tenet schema …`
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Write a JSON Schema per evidence kind, and an index of where each kind is read from.
    Export(SchemaExportArgs),
}

/// The shape of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    /// A YAML document.
    Yaml,
    /// Markdown with YAML front matter.
    Markdown,
    /// A CSV header and one example row, in the schema's delimiter and formats.
    Csv,
    /// A TOML document, each field's notes in a comment, at the place `at` names.
    Toml,
    /// A JSON document at the place `at` names.
    Json,
    /// One line of JSON Lines.
    Jsonl,
}

/// `tenet evidence template`
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The evidence kind (`AiSystem`, `iso42001.AiSystem`).
    pub kind: String,
    /// YAML, Markdown or CSV (default: as the kind's sources suggest).
    #[arg(long, value_enum)]
    pub format: Option<TemplateFormat>,
    /// The date example dates show (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// The packs that declare the kind (default: the current directory; built-in packs always).
    #[arg(long)]
    pub path: Option<PathBuf>,
}

/// `tenet schema export`
#[derive(Debug, Args)]
pub struct SchemaExportArgs {
    /// The directory to write to.
    #[arg(long)]
    pub out: PathBuf,
    /// The packs whose kinds to export (default: the current directory; built-in packs always).
    pub path: Option<PathBuf>,
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

/// How `tenet check` reports results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// Controls grouped by package, failures with messages and citations, a summary.
    #[default]
    Text,
    /// The versioned JSON report (`schema_version`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test views.
    Junit,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// OSCAL 1.1 assessment results (JSON).
    Oscal,
    /// A self-contained HTML audit report.
    Html,
}

/// One report to write: a format, and a file (standard output when none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: ReportFormat,
    /// Where to write it.
    pub path: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=FILE`.
fn report_target(text: &str) -> Result<ReportTarget, String> {
    let (name, path) = match text.split_once('=') {
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        format!("`{name}` is not a format: use text, json, sarif, junit, markdown, oscal or html")
    })?;
    Ok(ReportTarget { format, path })
}

/// `tenet check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A directory of packs (or one `.tenet` file).
    #[arg(value_parser = as_shown)]
    pub path: PathBuf,
    /// The evidence directory. Without it: the first of the manifest's `[evidence] roots`,
    /// else `PATH/evidence` when there is one; with neither, the packs are only compiled.
    #[arg(long, value_name = "DIR", value_parser = as_shown)]
    pub evidence: Option<PathBuf>,
    /// The date `today` denotes (default: today, UTC). Reports record it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// How results are reported: `text`, `json`, `sarif`, `junit`, `markdown`, `oscal` or
    /// `html`, each optionally to a file (`--format sarif=tenet.sarif`); repeat for several.
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = report_target)]
    pub format: Vec<ReportTarget>,
    /// Write the report to a file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Threads to evaluate with (default: one per core).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Evaluation steps a rule may take before it is stopped with an error.
    #[arg(long, value_name = "STEPS", default_value_t = tenet_eval::DEFAULT_STEP_BUDGET)]
    pub step_budget: u64,
    /// Show passing and other results too, not only failures, errors and waivers.
    #[arg(long)]
    pub all: bool,
    /// What makes the run fail: `fail` (exit 1 on failing results, 2 on errors), `error`
    /// (failing results are reported but exit 0; errors still exit 2) or `warning` (also
    /// exit 1 on warnings about policies or evidence).
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    pub fail_on: FailOn,
    /// Failing results of controls below this severity are reported but do not fail the run.
    #[arg(long, value_enum, default_value_t = SeverityThreshold::Low)]
    pub severity_threshold: SeverityThreshold,
    /// Judge only findings that are not in this recorded baseline (exit 1 only for new ones).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current failures and errors as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
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
    #[arg(value_parser = as_shown)]
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

/// `tenet explain`
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A control (`A.5.2`, `iso42001.A.5.2`), a requirement (`Art. 27`, `eu_ai_act:Art. 27`)
    /// or a diagnostic code (`T0102`).
    pub id: String,
    /// The packs to look in (default: the current directory; built-in packs always).
    #[arg(long)]
    pub path: Option<PathBuf>,
}

/// `tenet lsp`
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; accepted because editor
    /// clients add it).
    #[arg(long)]
    pub stdio: bool,
}

/// `tenet watch`
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// A directory of packs (or one `.tenet` file).
    #[arg(value_parser = as_shown)]
    pub path: PathBuf,
    /// The evidence directory.
    #[arg(long, value_name = "DIR", value_parser = as_shown)]
    pub evidence: PathBuf,
    /// The date `today` denotes (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Evaluation steps a rule may take before it is stopped with an error.
    #[arg(long, value_name = "STEPS", default_value_t = tenet_eval::DEFAULT_STEP_BUDGET)]
    pub step_budget: u64,
    /// Look for changes every `--poll-ms` instead of waiting for the system's file
    /// notifications: for network file systems, which do not notify of other machines'
    /// writes.
    #[arg(long)]
    pub poll: bool,
    /// How often to look for changes when polling, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    pub poll_ms: u64,
    /// Stop after this many runs (the first check counts as one).
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
}

/// `tenet init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create it (default: the current directory).
    pub dir: Option<PathBuf>,
    /// The package name (default: from the directory's name).
    #[arg(long)]
    pub name: Option<String>,
}

/// Output of `tenet soa` and `tenet report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ViewFormat {
    /// Aligned text.
    #[default]
    Text,
    /// A Markdown table.
    Markdown,
    /// CSV, for spreadsheets.
    Csv,
    /// JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// `tenet soa`
#[derive(Debug, Args)]
pub struct SoaArgs {
    /// The packs.
    #[arg(value_parser = as_shown)]
    pub path: PathBuf,
    /// The evidence directory (default: `PATH/evidence`).
    #[arg(long, value_parser = as_shown)]
    pub evidence: Option<PathBuf>,
    /// The date `today` denotes.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Markdown)]
    pub format: ViewFormat,
}

/// `tenet report`
#[derive(Debug, Args)]
pub struct FrameworkArgs {
    /// The packs.
    #[arg(value_parser = as_shown)]
    pub path: PathBuf,
    /// The framework: `eu_ai_act` or `nist_ai_rmf`.
    #[arg(long)]
    pub framework: String,
    /// The evidence directory (default: `PATH/evidence`).
    #[arg(long, value_parser = as_shown)]
    pub evidence: Option<PathBuf>,
    /// The date `today` denotes.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Text)]
    pub format: ViewFormat,
}

/// `--fail-on`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Failing results fail the run.
    Fail,
    /// Only errors fail the run.
    Error,
    /// Failing results and warnings fail the run.
    Warning,
}

/// `--severity-threshold`
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum SeverityThreshold {
    /// Every control.
    Low,
    /// Medium, high and critical controls.
    Medium,
    /// High and critical controls.
    High,
    /// Critical controls only.
    Critical,
}

impl SeverityThreshold {
    /// Whether a control of `severity` (`low` … `critical`) counts.
    pub fn admits(self, severity: &str) -> bool {
        let rank = match severity {
            "critical" => SeverityThreshold::Critical,
            "high" => SeverityThreshold::High,
            "medium" => SeverityThreshold::Medium,
            _ => SeverityThreshold::Low,
        };
        rank >= self
    }
}

/// A path given on the command line, as reports show it: one under the current directory
/// given in full is taken relative to it, so that a report names its files the same way
/// whether CI passed `policies/example` or `$PWD/policies/example`, on any machine.
fn as_shown(given: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(given);
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        let rest = path.strip_prefix(&cwd).ok()?;
        Some(if rest.as_os_str().is_empty() { PathBuf::from(".") } else { rest.to_path_buf() })
    });
    Ok(relative.unwrap_or(path))
}
