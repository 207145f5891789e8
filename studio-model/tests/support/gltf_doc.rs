//! Small glTF documents built in tests, with their buffers as data URIs.

use base64::Engine as _;
use serde_json::{Value, json};

/// `bytes` as a base64 data URI.
pub fn data_uri(bytes: &[u8]) -> String {
    format!("data:application/octet-stream;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Little-endian bytes of `values`.
pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// One triangle whose positions are accessor 0, in buffer 0 (36 bytes, embedded).
pub fn triangle() -> Value {
    let positions = f32_bytes(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    json!({
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": 36, "uri": data_uri(&positions)}],
        "bufferViews": [{"buffer": 0, "byteLength": 36}],
        "accessors": [{"bufferView": 0, "count": 3, "componentType": 5126, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "nodes": [{"mesh": 0}],
        "scenes": [{"nodes": [0]}],
        "scene": 0
    })
}
