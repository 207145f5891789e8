//! `data:` URIs, the way `.gltf` files embed buffers and images.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard alphabet; padding optional because some exporters drop it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a `data:` URI. `None` when `uri` is not a data URI (so it names a
/// file); `Some(Err(reason))` when it is one but cannot be decoded.
pub fn decode_data_uri(uri: &str) -> Option<Result<Vec<u8>, String>> {
    let rest = uri.strip_prefix("data:")?;
    let Some((header, payload)) = rest.split_once(',') else {
        return Some(Err("the data URI has no ',' before its data".into()));
    };
    if !header.ends_with(";base64") {
        return Some(Err("only base64 data URIs are supported".into()));
    }
    // The output is smaller than the input, so this allocation is bounded by the file.
    Some(BASE64.decode(payload.trim_end()).map_err(|e| format!("its base64 data is invalid ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_with_and_without_padding() {
        assert_eq!(decode_data_uri("data:application/octet-stream;base64,AAEC"), Some(Ok(vec![0, 1, 2])));
        assert_eq!(decode_data_uri("data:application/gltf-buffer;base64,AAE="), Some(Ok(vec![0, 1])));
        assert_eq!(decode_data_uri("data:application/gltf-buffer;base64,AAE"), Some(Ok(vec![0, 1])));
    }

    #[test]
    fn file_names_are_not_data_uris() {
        assert_eq!(decode_data_uri("Box0.bin"), None);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(decode_data_uri("data:application/octet-stream;base64,@@@!"), Some(Err(_))));
        assert!(matches!(decode_data_uri("data:text/plain,hello"), Some(Err(_))));
    }
}
