//! The meaning of Tenet programs: packages and imports, name resolution, types, and the
//! checks that make a policy trustworthy before it ever sees evidence (unknown fields, enum
//! values outside their set, mappings to requirements that do not exist, waivers of
//! controls that do not exist). The result is a [`Program`] in a typed IR.
//!
//! **Architecture invariant:** checking never stops at the first error. Every problem in
//! every file is reported; a rule with errors is marked broken and reported as an error
//! result, while the rest of the program is evaluated.
//!
//! **API boundary:** nothing here evaluates. The [`value`] module defines the values of the
//! language, shared with the evidence loader and the evaluator.

mod check;
pub mod ir;
pub mod program;
pub mod sources;
mod suggest;
pub mod ty;
pub mod value;

pub use check::packages::PRELUDE;
pub use check::{CheckInput, check};
pub use program::*;
pub use suggest::did_you_mean;
