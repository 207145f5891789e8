//! Single-range `Range: bytes=…` parsing (RFC 9110 §14).
//!
//! One range is all the recipient page needs (resuming a download). Multiple ranges and
//! syntactically invalid headers are ignored, which the RFC allows: the client then gets
//! the whole share with 200.

use axum::http::HeaderValue;

use crate::error::AppError;

/// A satisfiable byte range: `len` bytes from `start`, `len ≥ 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// Offset of the first byte, from the start of the ciphertext.
    pub start: u64,
    /// Number of bytes, at least 1.
    pub len: u64,
}

impl ByteRange {
    /// Inclusive last byte, as `Content-Range` writes it.
    pub fn last(&self) -> u64 {
        self.start + self.len - 1
    }
}

/// `Ok(None)`: serve everything; `Ok(Some)`: serve that range with 206; `Err`: 416.
pub fn resolve(header: Option<&HeaderValue>, size: u64) -> Result<Option<ByteRange>, AppError> {
    let Some(spec) = header.and_then(|value| value.to_str().ok()).and_then(|text| text.trim().strip_prefix("bytes="))
    else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let unsatisfiable = Err(AppError::RangeNotSatisfiable(size));
    match (first.trim(), last.trim()) {
        // `bytes=-N`: the last N bytes.
        ("", suffix) => {
            let Ok(suffix) = suffix.parse::<u64>() else { return Ok(None) };
            if suffix == 0 || size == 0 {
                return unsatisfiable;
            }
            let len = suffix.min(size);
            Ok(Some(ByteRange { start: size - len, len }))
        }
        (first, last) => {
            let Ok(start) = first.parse::<u64>() else { return Ok(None) };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                match last.parse::<u64>() {
                    Ok(end) if end >= start => end,
                    _ => return Ok(None),
                }
            };
            if start >= size {
                return unsatisfiable;
            }
            let end = end.min(size - 1);
            Ok(Some(ByteRange { start, len: end - start + 1 }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, size: u64) -> Result<Option<ByteRange>, AppError> {
        resolve(Some(&HeaderValue::from_str(text).expect("header")), size)
    }

    #[test]
    fn parses_single_ranges() {
        assert_eq!(range("bytes=0-9", 100).ok().flatten(), Some(ByteRange { start: 0, len: 10 }));
        assert_eq!(range("bytes=90-", 100).ok().flatten(), Some(ByteRange { start: 90, len: 10 }));
        assert_eq!(range("bytes=95-200", 100).ok().flatten(), Some(ByteRange { start: 95, len: 5 }));
        assert_eq!(range("bytes=-10", 100).ok().flatten(), Some(ByteRange { start: 90, len: 10 }));
        assert_eq!(range("bytes=-500", 100).ok().flatten(), Some(ByteRange { start: 0, len: 100 }));
    }

    #[test]
    fn ignores_what_it_does_not_support() {
        assert!(matches!(range("bytes=0-1,5-6", 100), Ok(None)));
        assert!(matches!(range("items=0-1", 100), Ok(None)));
        assert!(matches!(range("bytes=5-1", 100), Ok(None)));
        assert!(matches!(range("bytes=x-", 100), Ok(None)));
        assert!(matches!(resolve(None, 100), Ok(None)));
    }

    #[test]
    fn rejects_unsatisfiable() {
        assert!(matches!(range("bytes=100-", 100), Err(AppError::RangeNotSatisfiable(100))));
        assert!(matches!(range("bytes=-0", 100), Err(AppError::RangeNotSatisfiable(100))));
        assert!(matches!(range("bytes=-5", 0), Err(AppError::RangeNotSatisfiable(0))));
    }
}
