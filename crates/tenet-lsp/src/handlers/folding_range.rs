//! `textDocument/foldingRange`.

use tenet_ide::FoldKind;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind, FoldingRangeParams};

use crate::convert::FileText;
use crate::state::Snapshot;

/// Folds by whole lines. A declaration's closing `}` stays visible, on a line of its own.
pub fn handle(snapshot: &Snapshot, params: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    let map = file.map();
    let text = file.text();
    let folds = tenet_ide::folding_ranges(&snapshot.db, file.file)
        .into_iter()
        .filter_map(|fold| {
            let body = text.get(fold.span.range())?.trim_end();
            let start_line = map.position(fold.span.start).line;
            let mut end_line = map.position(fold.span.start + body.len() as u32).line;
            if body.ends_with('}') && fold.kind == FoldKind::Region {
                end_line = end_line.saturating_sub(1);
            }
            (end_line > start_line).then_some(FoldingRange {
                start_line,
                start_character: None,
                end_line,
                end_character: None,
                kind: Some(match fold.kind {
                    FoldKind::Region => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                    FoldKind::Imports => FoldingRangeKind::Imports,
                }),
                collapsed_text: None,
            })
        })
        .collect();
    Some(folds)
}
