//! The parser generated from `grammar/tenet.pest`. Its pairs never leave this crate, so
//! the parsing technique can change behind `parse` without touching any caller.

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/tenet.pest"]
pub(crate) struct TenetParser;
