//! Reads a PNG's or JPEG's pixel size from its header without decoding it, so
//! that absurd sizes are refused before any decoder allocates, whichever
//! decoder (Rust's or the browser's) later does the work.

/// Width and height, or why the bytes are not a PNG or JPEG we can size.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), String> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else {
        Err("is not a PNG or JPEG image".into())
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// The IHDR chunk must come first: length at 8, "IHDR" at 12, width and height after.
fn png(bytes: &[u8]) -> Result<(u32, u32), String> {
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err("is a PNG without its IHDR header".into());
    }
    match (be_u32(bytes, 16), be_u32(bytes, 20)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("is a truncated PNG".into()),
    }
}

/// Walks the JPEG markers to the first start-of-frame segment.
fn jpeg(bytes: &[u8]) -> Result<(u32, u32), String> {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return Err("is a JPEG with a broken marker structure".into());
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0x01 || (0xD0..=0xD9).contains(&marker) {
            at += 2; // markers without a length
            continue;
        }
        let length = be_u16(bytes, at + 2).ok_or("is a truncated JPEG")? as usize;
        // SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let height = be_u16(bytes, at + 5).ok_or("is a truncated JPEG")?;
            let width = be_u16(bytes, at + 7).ok_or("is a truncated JPEG")?;
            return Ok((u32::from(width), u32::from(height)));
        }
        if length < 2 {
            return Err("is a JPEG with a broken segment length".into());
        }
        at += 2 + length;
    }
    Err("is a JPEG without a frame header".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_jpeg_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(dimensions(&png), Ok((640, 480)));
        // SOI, an APP0 segment of length 4, then SOF0 with height 2 and width 3.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0];
        assert_eq!(dimensions(&jpeg), Ok((3, 2)));
        assert!(dimensions(b"GIF89a").is_err());
        assert!(dimensions(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).is_err());
    }
}
