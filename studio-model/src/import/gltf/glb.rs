//! The GLB container: a 12-byte header followed by a JSON chunk and an
//! optional BIN chunk (glTF 2.0 spec, "Binary glTF Layout").
//!
//! Every length in the header and chunk headers is checked against the bytes
//! actually present before anything is sliced, so a truncated or lying file
//! produces a message instead of a panic or an oversized allocation.

use crate::import::ImportError;

pub const MAGIC: &[u8; 4] = b"glTF";
const HEADER_BYTES: usize = 12;
const CHUNK_HEADER_BYTES: usize = 8;
/// `JSON` and `BIN\0` as little-endian u32s.
const CHUNK_JSON: u32 = 0x4E4F_534A;
const CHUNK_BIN: u32 = 0x004E_4942;

/// The chunks of a GLB, borrowed from the file.
pub struct Glb<'a> {
    pub json: &'a [u8],
    pub bin: Option<&'a [u8]>,
    /// Tolerated oddities (trailing bytes, extra chunks).
    pub warnings: Vec<String>,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

pub fn parse(bytes: &[u8]) -> Result<Glb<'_>, ImportError> {
    if bytes.len() < HEADER_BYTES {
        return Err(ImportError::Truncated {
            what: "the 12-byte GLB header".into(),
            needed_bytes: HEADER_BYTES as u64,
            actual_bytes: bytes.len() as u64,
        });
    }
    if !bytes.starts_with(MAGIC) {
        return Err(ImportError::Malformed("this is not a GLB file: it does not start with 'glTF'.".into()));
    }
    let version = u32_at(bytes, 4).unwrap_or(0);
    match version {
        2 => {}
        1 => {
            return Err(ImportError::Malformed(
                "this is a GLB version 1 (glTF 1.0) file; only glTF 2.0 is supported. Convert it to glTF 2.0 (e.g. import and re-export it in Blender).".into(),
            ));
        }
        other => {
            return Err(ImportError::Malformed(format!(
                "the GLB header has version {other}; only version 2 (glTF 2.0) is supported."
            )));
        }
    }

    let declared = u64::from(u32_at(bytes, 8).unwrap_or(0));
    let actual = bytes.len() as u64;
    if declared > actual {
        return Err(ImportError::Truncated {
            what: "the GLB (total length from its header)".into(),
            needed_bytes: declared,
            actual_bytes: actual,
        });
    }
    let mut warnings = Vec::new();
    if declared < actual {
        // Harmless for reading, and some tools pad files; chunks must still fit the declared length.
        warnings.push(format!(
            "The GLB header declares {declared} bytes but the file has {actual}; the extra bytes were ignored."
        ));
    }
    // declared <= actual, so this fits in usize.
    let limit = declared as usize;

    let mut at = HEADER_BYTES;
    let (json_type, json) = chunk(bytes, limit, &mut at, "JSON")?;
    if json_type != CHUNK_JSON {
        return Err(ImportError::Malformed(format!(
            "the first GLB chunk must be the JSON chunk, but it is of type '{}'.",
            chunk_type_name(json_type)
        )));
    }

    let mut bin = None;
    while at < limit {
        if limit - at < CHUNK_HEADER_BYTES {
            warnings.push(format!("{} bytes after the last GLB chunk were ignored.", limit - at));
            break;
        }
        let (kind, data) = chunk(bytes, limit, &mut at, "BIN")?;
        match kind {
            CHUNK_BIN if bin.is_none() => bin = Some(data),
            CHUNK_BIN => warnings.push("The GLB has more than one BIN chunk; only the first was used.".into()),
            CHUNK_JSON => warnings.push("The GLB has more than one JSON chunk; only the first was used.".into()),
            // Unknown chunk types are reserved for extensions and must be skipped.
            _ => {}
        }
    }
    Ok(Glb { json, bin, warnings })
}

/// Reads the chunk at `*at`, advancing `*at` past it.
fn chunk<'a>(bytes: &'a [u8], limit: usize, at: &mut usize, expected: &str) -> Result<(u32, &'a [u8]), ImportError> {
    let header_end = *at + CHUNK_HEADER_BYTES;
    if header_end > limit {
        return Err(past_end(format!("the GLB {expected} chunk header"), header_end as u64, limit, bytes.len()));
    }
    let length = u64::from(u32_at(bytes, *at).unwrap_or(0));
    let kind = u32_at(bytes, *at + 4).unwrap_or(0);
    let end = header_end as u64 + length;
    if end > limit as u64 {
        let name = format!("the GLB {} chunk ({length} bytes)", chunk_type_name(kind));
        return Err(past_end(name, end, limit, bytes.len()));
    }
    // end <= limit <= bytes.len(), so the casts and the slice are in range.
    let data = &bytes[header_end..end as usize];
    *at = end as usize;
    Ok((kind, data))
}

/// A chunk running past the data is a truncated file when the file really
/// ends there, and a malformed one when it only runs past the header's length.
fn past_end(what: String, needed: u64, limit: usize, actual: usize) -> ImportError {
    if needed > actual as u64 {
        ImportError::Truncated { what, needed_bytes: needed, actual_bytes: actual as u64 }
    } else {
        ImportError::Malformed(format!(
            "{what} runs past the end of the GLB: the header declares a total length of {limit} bytes."
        ))
    }
}

fn chunk_type_name(kind: u32) -> String {
    // Chunk types are four ASCII bytes, NUL-padded ("BIN\0").
    kind.to_le_bytes()
        .iter()
        .filter(|&&b| b != 0)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glb(declared: Option<u32>, chunks: &[(u32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for (kind, data) in chunks {
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(data);
        }
        let total = declared.unwrap_or(out.len() as u32);
        out[8..12].copy_from_slice(&total.to_le_bytes());
        out
    }

    #[test]
    fn splits_json_and_bin() {
        let bytes = glb(None, &[(CHUNK_JSON, b"{}  "), (CHUNK_BIN, &[1, 2, 3, 4])]);
        let parsed = parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.json, b"{}  ");
        assert_eq!(parsed.bin, Some(&[1u8, 2, 3, 4][..]));
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn skips_unknown_chunks_and_reports_trailing_bytes() {
        let mut bytes = glb(None, &[(CHUNK_JSON, b"{}  "), (0x1234_5678, &[0; 4]), (CHUNK_BIN, &[9; 4])]);
        bytes.extend_from_slice(&[0, 0]);
        let total = bytes.len() as u32;
        bytes[8..12].copy_from_slice(&total.to_le_bytes());
        let parsed = parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.bin, Some(&[9u8; 4][..]));
        assert_eq!(parsed.warnings.len(), 1);
    }

    #[test]
    fn huge_chunk_length_is_truncation_not_allocation() {
        let mut bytes = glb(None, &[(CHUNK_JSON, b"{}  ")]);
        bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(parse(&bytes), Err(ImportError::Malformed(_)) | Err(ImportError::Truncated { .. })));
    }

    #[test]
    fn first_chunk_must_be_json() {
        let bytes = glb(None, &[(CHUNK_BIN, &[0; 4])]);
        let Err(ImportError::Malformed(message)) = parse(&bytes) else { panic!("expected an error") };
        assert!(message.contains("BIN"), "{message}");
    }
}
