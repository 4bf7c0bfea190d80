//! Cursor pagination of list results: which slice of a list a request gets, and the cursor of
//! the next page.
//!
//! A router pages only when given a page size (`with_page_size`); otherwise a list is one page.
//! Cursors are opaque to clients: the offset of the next page, base64url-encoded.

use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::model::Cursor;
use crate::service::McpError;

/// The range of a list of `len` items that the page at `cursor` holds, and the next page's cursor.
/// A cursor this server did not issue (or one past the end) is -32602.
pub(crate) fn page(
    len: usize,
    cursor: Option<&Cursor>,
    page_size: Option<usize>,
) -> Result<(Range<usize>, Option<Cursor>), McpError> {
    let start = match cursor {
        None => 0,
        Some(cursor) => {
            decode(cursor).filter(|&o| o <= len).ok_or_else(|| McpError::invalid_params("invalid cursor"))?
        }
    };
    let end = page_size.map_or(len, |n| start.saturating_add(n.max(1)).min(len));
    let next = (end < len).then(|| encode(end));
    Ok((start..end, next))
}

fn encode(offset: usize) -> Cursor {
    URL_SAFE_NO_PAD.encode(offset.to_string())
}

fn decode(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once_in_order() {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let (range, next) = page(7, cursor.as_ref(), Some(3)).unwrap();
            seen.extend(range);
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        assert_eq!(page(7, None, None).unwrap(), (0..7, None));
        assert_eq!(page(0, None, Some(3)).unwrap(), (0..0, None));
    }

    #[test]
    fn foreign_cursors_are_invalid_params() {
        for bad in ["", "!!", "bm90LWEtbnVtYmVy", &encode(8)] {
            assert!(page(7, Some(&bad.to_owned()), Some(3)).is_err(), "{bad}");
        }
    }
}
