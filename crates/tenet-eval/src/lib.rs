//! Evaluation: a checked [`Program`](tenet_sema::Program) run over evidence gives a result
//! per `(control, rule, subject)`, with a status, a message and the evidence it rests on.
//!
//! **Architecture invariant:** evaluation is pure and total. It reads evidence through the
//! [`Evidence`] trait, never files; every rule runs under a step budget, so a runaway
//! cross product becomes that rule's error instead of a hung CI job; arithmetic overflow,
//! division by zero and dangling references are errors of one result, never panics.
//!
//! **API boundary:** no salsa here. The database layer decides what to evaluate when and
//! in parallel; this crate evaluates one rule at a time.

mod changes;
mod interp;
mod program_run;
pub mod report;
mod results;
mod reuse;
mod rules;
mod store;
mod tailoring;

pub use changes::{Change, ResultChange};
pub use interp::{Budget, DEFAULT_STEP_BUDGET, ParamValues, param_values};
pub use program_run::{TestOutcome, evaluate_constant, evaluate_control, run_test};
pub use results::{
    Citation, Citations, OverrideNote, Passes, Results, RuleResult, Run, Status, StatusCounts, SubjectRef,
};
pub use reuse::RuleMemo;
pub use rules::{RuleContext, evaluate_rule, evaluate_rule_remembering};
pub use store::{Doc, DocData, DocText, Evidence, IndexKey, KindDocs, MemoryEvidence, UnreadDoc};
pub use tailoring::{PolicyLine, tailor};
