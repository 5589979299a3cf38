//! `textDocument/semanticTokens/full`: the highlighting of `tenet_ide::highlight`,
//! encoded as LSP's relative, UTF-16, one-line tokens.

use tenet_ide::{HighlightKind, HighlightModifier, HighlightToken};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensResult,
};

use crate::convert::FileText;
use crate::position::LineMap;
use crate::state::Snapshot;

/// The token types and modifiers, in the order of [`HighlightKind::ALL`] and
/// [`HighlightModifier::ALL`].
pub fn legend() -> SemanticTokensLegend {
    let types = HighlightKind::ALL
        .iter()
        .map(|k| match k {
            HighlightKind::Namespace => SemanticTokenType::NAMESPACE,
            HighlightKind::Type => SemanticTokenType::TYPE,
            HighlightKind::Property => SemanticTokenType::PROPERTY,
            HighlightKind::Variable => SemanticTokenType::VARIABLE,
            HighlightKind::Parameter => SemanticTokenType::PARAMETER,
            HighlightKind::Function => SemanticTokenType::FUNCTION,
            HighlightKind::Keyword => SemanticTokenType::KEYWORD,
            HighlightKind::Comment => SemanticTokenType::COMMENT,
            HighlightKind::String => SemanticTokenType::STRING,
            HighlightKind::Number => SemanticTokenType::NUMBER,
            HighlightKind::Operator => SemanticTokenType::OPERATOR,
            HighlightKind::EnumMember => SemanticTokenType::ENUM_MEMBER,
            HighlightKind::Class => SemanticTokenType::CLASS,
            HighlightKind::Method => SemanticTokenType::METHOD,
            HighlightKind::Interface => SemanticTokenType::INTERFACE,
        })
        .collect();
    let modifiers = HighlightModifier::ALL
        .iter()
        .map(|m| match m {
            HighlightModifier::Declaration => SemanticTokenModifier::DECLARATION,
            HighlightModifier::Documentation => SemanticTokenModifier::DOCUMENTATION,
            HighlightModifier::Readonly => SemanticTokenModifier::READONLY,
            HighlightModifier::DefaultLibrary => SemanticTokenModifier::DEFAULT_LIBRARY,
        })
        .collect();
    SemanticTokensLegend { token_types: types, token_modifiers: modifiers }
}

/// The whole file's tokens.
pub fn handle(snapshot: &Snapshot, params: SemanticTokensParams) -> Option<SemanticTokensResult> {
    let file = FileText::of(snapshot, &params.text_document.uri)?;
    let tokens = tenet_ide::highlight(&snapshot.db, snapshot.workspace, file.file);
    let data = encode(&file.map(), file.text(), &tokens);
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
}

/// Encodes tokens relative to the previous one, splitting those that span lines (block
/// comments) into one token per line.
fn encode(map: &LineMap<'_>, text: &str, tokens: &[HighlightToken]) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut line, mut start) = (0u32, 0u32);
    for token in tokens {
        let kind = HighlightKind::ALL.iter().position(|k| *k == token.kind).unwrap_or(0) as u32;
        let first = map.position(token.span.start).line;
        let last = map.position(token.span.end).line;
        for l in first..=last {
            let Some(line_span) = map.line_span(l) else { continue };
            let from = token.span.start.max(line_span.start);
            let to = token.span.end.min(line_span.end);
            let Some(piece) = text.get(from as usize..to as usize) else { continue };
            let piece = piece.trim_end_matches('\r');
            let length: usize = piece.chars().map(char::len_utf16).sum();
            if length == 0 {
                continue;
            }
            let at = map.position(from);
            let delta_line = at.line - line;
            let delta_start = if delta_line == 0 { at.character - start } else { at.character };
            out.push(SemanticToken {
                delta_line,
                delta_start,
                length: length as u32,
                token_type: kind,
                token_modifiers_bitset: token.modifiers,
            });
            (line, start) = (at.line, at.character);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use tenet_diagnostics::Span;

    use super::*;

    #[test]
    fn multi_line_tokens_are_split_and_lengths_count_utf16() {
        let text = "/* é\n😀 */ x";
        let map = LineMap::new(text);
        let comment = HighlightToken { span: Span::new(0, 13), kind: HighlightKind::Comment, modifiers: 0 };
        let x = HighlightToken { span: Span::new(14, 15), kind: HighlightKind::Variable, modifiers: 1 };
        let out = encode(&map, text, &[comment, x]);
        let rows: Vec<(u32, u32, u32)> =
            out.iter().map(|t| (t.delta_line, t.delta_start, t.length)).collect();
        assert_eq!(rows, vec![(0, 0, 4), (1, 0, 5), (0, 6, 1)]);
    }
}
