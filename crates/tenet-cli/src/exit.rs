//! Exit codes: the contract with CI.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Nothing to report.
    Clean = 0,
    /// Findings: failing results, or files that are not formatted.
    Findings = 1,
    /// Errors in the policies, the evidence or the invocation.
    Errors = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}
