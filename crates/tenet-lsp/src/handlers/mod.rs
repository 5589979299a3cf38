//! One module per request: each turns LSP parameters into offsets, asks `tenet_ide`, and
//! turns the answer back. They run on a database snapshot, off the async runtime.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod document_symbol;
pub mod execute_command;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod initialize;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod text_sync;
pub mod virtual_text;
pub mod workspace_symbol;
