//! From bytes to text: UTF-8 (a byte-order mark is dropped), UTF-16 with a byte-order
//! mark, or the encoding the schema declares (`encoding "windows-1252"`, what Excel writes
//! CSV in), through `encoding_rs`. Bytes that are not UTF-8 and no declaration are a
//! located error that says how to fix it, never a silent guess.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};
use tenet_diagnostics::Span;

/// Why a file could not be decoded, and the text to show the error in.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// The bytes read as UTF-8 with replacement characters, so that the error's span
    /// can be shown.
    pub lossy: String,
}

/// A file's text, and whether it was read as UTF-8 though its schema declares another
/// encoding.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The encoding the schema declares, when the file is UTF-8 instead and was read so.
    pub utf8_not: Option<&'static str>,
}

/// Decodes `bytes`. `declared` is the encoding label of the schema that reads the file;
/// `schema` names that schema for the help text. A file that is UTF-8 with letters
/// beyond ASCII is read as UTF-8 even where a single-byte encoding is declared: a team that
/// declares Excel's Windows-1252 also gets exports from tools that write UTF-8 without a
/// byte-order mark (Google Sheets, Numbers, pandas), whose every accented letter would read
/// as two wrong ones, and text in a single-byte encoding is all but never valid UTF-8.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&str>,
    schema: Option<&str>,
) -> Result<Decoded<'a>, DecodeError> {
    let single_byte = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .filter(|encoding| *encoding != UTF_8 && encoding.is_single_byte());
    if let Some(encoding) = single_byte
        && !bytes.is_ascii()
        && Encoding::for_bom(bytes).is_none()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Ok(Decoded { text: Cow::Borrowed(text), utf8_not: Some(encoding.name()) });
    }
    Ok(Decoded { text: decoded_text(bytes, declared, schema)?, utf8_not: None })
}

/// The text of `bytes` as their byte-order mark, or else `declared`, says they are written.
fn decoded_text<'a>(
    bytes: &'a [u8],
    declared: Option<&str>,
    schema: Option<&str>,
) -> Result<Cow<'a, str>, DecodeError> {
    let lossy = || String::from_utf8_lossy(bytes).into_owned();
    // A byte-order mark says what the file is, whatever was declared.
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        if encoding == UTF_8 {
            return utf8(bytes.get(bom..).unwrap_or_default(), bom, schema, bytes);
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        if had_errors {
            return Err(DecodeError {
                span: Span::new(0, 0),
                message: format!(
                    "the file starts with a {} byte-order mark but is not valid {0}",
                    encoding.name()
                ),
                help: Some("save it again as UTF-8".to_owned()),
                lossy: lossy(),
            });
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    let Some(label) = declared else { return utf8(bytes, 0, schema, bytes) };
    let Some(encoding) = Encoding::for_label(label.trim().as_bytes()) else {
        return Err(DecodeError {
            span: Span::new(0, 0),
            message: format!("the schema declares an encoding Tenet does not know, `{label}`"),
            help: Some(
                "use a WHATWG encoding label such as `utf-8`, `windows-1252` or `iso-8859-15`".to_owned(),
            ),
            lossy: lossy(),
        });
    };
    if encoding == UTF_8 {
        return utf8(bytes, 0, schema, bytes);
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(DecodeError {
            span: Span::new(0, 0),
            message: format!("the file is not valid {}, the encoding its schema declares", encoding.name()),
            help: Some("check the declared encoding, or save the file as UTF-8".to_owned()),
            lossy: lossy(),
        });
    }
    Ok(Cow::Owned(text.into_owned()))
}

/// UTF-8 after a byte-order mark of `bom` bytes; `all` is the whole file.
fn utf8<'a>(
    bytes: &'a [u8],
    bom: usize,
    schema: Option<&str>,
    all: &[u8],
) -> Result<Cow<'a, str>, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            // The lossy text keeps the byte-order mark (three bytes, as in the file), is
            // the file itself up to the first bad byte, and has U+FFFD (three bytes) for it.
            let at = e.valid_up_to() + bom;
            let byte = all.get(at).copied().unwrap_or(0);
            let schema = schema.map_or("its schema".to_owned(), |s| format!("schema `{s}`"));
            Err(DecodeError {
                span: Span::from_usize(at, at + '\u{FFFD}'.len_utf8()),
                message: format!(
                    "the file is not UTF-8: byte {at} (0x{byte:02X}) starts an invalid sequence"
                ),
                help: Some(format!(
                    "save it as UTF-8, or declare its encoding on {schema}, e.g. `encoding \"windows-1252\"` (Excel's CSV export)"
                )),
                lossy: String::from_utf8_lossy(all).into_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_a_byte_order_mark() {
        assert_eq!(decode(b"id: x", None, None).unwrap().text, "id: x");
        assert_eq!(decode(b"\xEF\xBB\xBFid: x", None, None).unwrap().text, "id: x");
        assert_eq!(decode(b"\xEF\xBB\xBFid: x", Some("windows-1252"), None).unwrap().text, "id: x");
    }

    #[test]
    fn utf16_with_a_byte_order_mark() {
        assert_eq!(decode(b"\xFF\xFEi\0d\0", None, None).unwrap().text, "id");
        assert_eq!(decode(b"\xFE\xFF\0i\0d", None, None).unwrap().text, "id");
    }

    #[test]
    fn a_declared_encoding_is_used() {
        assert_eq!(
            decode(b"fran\xE7ois \x92", Some("windows-1252"), None).unwrap().text,
            "françois \u{2019}"
        );
        assert_eq!(decode(b"caf\xE9", Some("latin1"), None).unwrap().text, "café");
    }

    #[test]
    fn utf8_is_read_as_utf8_where_a_single_byte_encoding_is_declared_and_says_so() {
        let sheets = decode("j\u{fc}rgen,Caf\u{e9}".as_bytes(), Some("windows-1252"), None).unwrap();
        assert_eq!((sheets.text.as_ref(), sheets.utf8_not), ("j\u{fc}rgen,Caf\u{e9}", Some("windows-1252")));
        // ASCII reads alike either way, and a byte-order mark says what the file is.
        assert_eq!(decode(b"plain", Some("windows-1252"), None).unwrap().utf8_not, None);
        assert_eq!(decode(b"\xEF\xBB\xBF\xC3\xA9", Some("windows-1252"), None).unwrap().utf8_not, None);
        // Windows-1252 text is not valid UTF-8, and is read as declared.
        let excel = decode(b"j\xFCrgen", Some("windows-1252"), None).unwrap();
        assert_eq!((excel.text.as_ref(), excel.utf8_not), ("j\u{fc}rgen", None));
    }

    #[test]
    fn undeclared_bytes_are_located_and_the_help_names_the_schema() {
        let e = decode(b"ok\nfran\xE7ois", None, Some("Training")).unwrap_err();
        assert_eq!(e.span, Span::new(7, 10));
        assert_eq!(e.lossy.get(7..10), Some("\u{FFFD}"));
        assert_eq!(e.message, "the file is not UTF-8: byte 7 (0xE7) starts an invalid sequence");
        assert!(e.help.unwrap().contains("schema `Training`"));
        assert_eq!(&e.lossy[..7], "ok\nfran");
    }

    #[test]
    fn positions_after_a_byte_order_mark_count_the_mark() {
        let e = decode(b"\xEF\xBB\xBFab\xFF", None, None).unwrap_err();
        assert_eq!(e.span, Span::new(5, 8));
        assert_eq!(e.lossy.get(5..), Some("\u{FFFD}"));
    }

    #[test]
    fn an_unknown_label_is_an_error() {
        let e = decode(b"x", Some("klingon"), None).unwrap_err();
        assert_eq!(e.message, "the schema declares an encoding Tenet does not know, `klingon`");
    }
}
