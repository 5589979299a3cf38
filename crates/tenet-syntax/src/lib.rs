//! The Tenet language's syntax: the parser generated from `grammar/tenet.pest`, the syntax
//! tree it produces, and the canonical formatter.
//!
//! **Architecture invariant:** parsing never fails and never panics. [`parse`] returns a
//! tree of whatever items parsed and a list of errors, one per broken item.
//!
//! **API boundary:** this crate knows nothing of names, types, evidence, salsa or editors.
//! pest's pairs stay private, so the parsing technique can change behind [`parse`].

pub mod ast;
mod dump;
mod errors;
mod format;
mod grammar;
pub mod lexer;
mod limits;
mod lower;
mod parse;

pub use dump::dump;
pub use errors::{SyntaxError, SyntaxErrorKind};
pub use format::{FormatError, format, format_ast, string_literal};
pub use limits::{MAX_NESTING, MAX_SOURCE_BYTES};
pub use parse::{parse, parse_bytes};
