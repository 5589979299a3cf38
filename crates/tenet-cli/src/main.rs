//! `tenet`: the command line. A thin shell over the database: it parses arguments, loads
//! inputs, asks queries, renders what they return, and exits with a stable code.

mod cli;
mod commands;
mod exit;
mod output;
mod progress;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::exit::Exit;

/// Evaluation allocates many small values from several threads at once; mimalloc serves
/// that pattern much better than the system allocator. It is built without transparent
/// huge pages (`no_thp`): with them, a large check faulted its memory in 2 MiB at a time,
/// often behind the kernel's compaction, and spent 0.5 to 1.9 s in the kernel at
/// N = 100,000 instead of about 0.35 s (see the README's performance section). It is
/// mimalloc 2 (`v2`): the crate hands every allocation to `mi_malloc_aligned`, which in
/// mimalloc 3 serves a size whose block is not a power of two (a record of four fields,
/// 96 bytes) from a larger block, on its slow path; mimalloc 2 kept 5 % less memory and
/// ran about 4 % faster at N = 100,000.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { Exit::Errors } else { Exit::Clean };
            return code.into();
        }
    };
    let exit = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Test(args) => commands::test::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::Watch(args) => commands::watch::run(&args),
        Command::Init(args) => commands::init::run(&args),
        Command::Soa(args) => commands::frameworks::soa(&args),
        Command::Report(args) => commands::frameworks::framework(&args),
        Command::Evidence(cli::EvidenceCommand::Template(args)) => commands::evidence::template(&args),
        Command::Schema(cli::SchemaCommand::Export(args)) => commands::evidence::export(&args),
        Command::Lsp(args) => commands::lsp::run(&args),
        Command::Pack(command) => commands::pack::run(&command, cli.offline),
    };
    exit.into()
}
