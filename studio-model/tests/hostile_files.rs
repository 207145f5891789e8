//! Hostile files: each is answered with a clear error (or, for a texture, a
//! warning and an untextured model) within [`TIME_LIMIT`], and the import's
//! peak heap stays under a stated multiple of the file's size, measured by a
//! counting allocator installed for this test binary only.
//!
//! The bounds, and what sets them:
//! - Formats read directly (STL, glTF/GLB, OBJ, PLY, OFF): peak ≤
//!   [`DIRECT_BYTES_PER_FILE_BYTE`] × size + [`FLOOR_BYTES`]. Nothing may be
//!   reserved from a count the file's length does not bound, so a tiny file
//!   claiming billions of elements must cost next to nothing.
//! - 3MF: a package may inflate to 64 times its size before it is refused as a
//!   zip bomb (`import/threemf.rs`), and its XML is parsed as it inflates, so
//!   peak ≤ [`PACKAGE_BYTES_PER_FILE_BYTE`] × size + [`FLOOR_BYTES`].

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/gltf_doc.rs"]
mod gltf_doc;
#[path = "support/png.rs"]
mod png;

use std::io::Write;
use std::time::Duration;

use base64::Engine;
use gltf_doc::triangle;
use png::png_claiming;
use serde_json::{Value, json};
use studio_model::import::{Companions, ImportError, import};
use studio_model::model::Scene;

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

/// Every direct case here finishes in under 1 ms on this 2-core machine; 5 s
/// leaves room for a loaded CI run, while an importer looping over a claimed
/// count of billions would take minutes.
const TIME_LIMIT: Duration = Duration::from_secs(5);
/// The 3MF vertex bomb parses 41 MB of XML before it is stopped: 1.6 s on an
/// idle core here, 4 s with both cores busy.
const PACKAGE_TIME_LIMIT: Duration = Duration::from_secs(30);
/// Fixed costs that do not grow with the file: the JSON and XML parsers' tables,
/// the zip directory, buffered readers, message strings. Measured peaks for the
/// smallest cases here are under 10 KiB; the largest fixed allowance is a 3MF's
/// 10,000 placements of about 260 bytes each.
const FLOOR_BYTES: usize = 4 << 20;
/// A direct format may hold its bytes' worth of decoded data a few times over
/// (positions, normals and indices of a file that is all geometry), never more.
const DIRECT_BYTES_PER_FILE_BYTE: usize = 8;
/// 64× inflation, then up to about 2 bytes per inflated byte while parsing.
const PACKAGE_BYTES_PER_FILE_BYTE: usize = 128;

/// Imports `bytes` as `name` under the time and memory bounds; returns the result.
fn import_bounded(name: &str, bytes: Vec<u8>, companions: Companions, per_byte: usize) -> Result<Scene, ImportError> {
    let len = bytes.len();
    let owned_name = name.to_owned();
    let time_limit = if per_byte == PACKAGE_BYTES_PER_FILE_BYTE { PACKAGE_TIME_LIMIT } else { TIME_LIMIT };
    let measured = counting_alloc::measure(time_limit, move || import(&owned_name, &bytes, &companions));
    let limit = per_byte * len + FLOOR_BYTES;
    println!(
        "{name}: {len} bytes, peak {} KiB (limit {} KiB), {:?}",
        measured.peak_bytes >> 10,
        limit >> 10,
        measured.elapsed
    );
    assert!(
        measured.peak_bytes <= limit,
        "{name}: peak heap {} bytes for a {len}-byte file, over the limit of {limit}",
        measured.peak_bytes
    );
    measured.value
}

/// Asserts that the import fails with a message containing every one of `words`.
fn refused(name: &str, bytes: Vec<u8>, per_byte: usize, words: &[&str]) -> ImportError {
    let error = match import_bounded(name, bytes, Companions::new(), per_byte) {
        Ok(_) => panic!("{name}: a hostile file was accepted"),
        Err(error) => error,
    };
    let message = error.to_string();
    for word in words {
        assert!(message.contains(word), "{name}: the message {message:?} does not say {word:?}");
    }
    error
}

fn refused_direct(name: &str, bytes: Vec<u8>, words: &[&str]) -> ImportError {
    refused(name, bytes, DIRECT_BYTES_PER_FILE_BYTE, words)
}

// ---- STL -------------------------------------------------------------------

#[test]
fn stl_claiming_four_billion_triangles_in_a_tiny_file() {
    let _alone = counting_alloc::alone();
    let mut file = vec![b' '; 80];
    file.extend(u32::MAX.to_le_bytes());
    file.extend([0u8; 50]);
    let error = refused_direct("huge-count.stl", file, &["truncated", "214748364834 bytes", "134"]);
    assert!(matches!(error, ImportError::Truncated { .. }));
}

// ---- glTF ------------------------------------------------------------------

fn gltf_bytes(doc: &Value) -> Vec<u8> {
    serde_json::to_vec(doc).expect("JSON")
}

#[test]
fn gltf_control_triangle_imports_within_the_bounds() {
    let _alone = counting_alloc::alone();
    // The builder itself is sound: without the hostile change the file loads.
    let scene = import_bounded("ok.gltf", gltf_bytes(&triangle()), Companions::new(), DIRECT_BYTES_PER_FILE_BYTE)
        .expect("a plain triangle imports");
    assert_eq!(scene.scene_triangle_count(), 1);
}

#[test]
fn gltf_accessor_whose_count_times_stride_exceeds_its_buffer() {
    let _alone = counting_alloc::alone();
    let mut doc = triangle();
    doc["bufferViews"][0]["byteStride"] = json!(12);
    doc["accessors"][0]["count"] = json!(1_000_000);
    refused_direct("stride.gltf", gltf_bytes(&doc), &["accessor 0"]);
}

#[test]
fn gltf_accessor_claiming_a_billion_vertices() {
    let _alone = counting_alloc::alone();
    let mut doc = triangle();
    doc["accessors"][0]["count"] = json!(1_000_000_000u64);
    refused_direct("billion.gltf", gltf_bytes(&doc), &["accessor 0"]);
}

#[test]
fn gltf_sparse_accessor_over_zeros_claiming_a_billion_vertices() {
    let _alone = counting_alloc::alone();
    // No buffer view: the base is zeros, and nothing in the file bounds the count.
    let mut doc = triangle();
    doc["accessors"][0] = json!({
        "count": 1_000_000_000u64, "componentType": 5126, "type": "VEC3",
        "sparse": {"count": 1,
                   "indices": {"bufferView": 0, "componentType": 5125},
                   "values": {"bufferView": 0}}
    });
    refused_direct("sparse-billion.gltf", gltf_bytes(&doc), &["MiB of memory", "file this size"]);
    // Also when the count is small enough for the fixed budget, but not for this file.
    doc["accessors"][0]["count"] = json!(20_000_000u64);
    refused_direct("sparse-20m.gltf", gltf_bytes(&doc), &["MiB of memory"]);
}

#[test]
fn glb_whose_json_chunk_claims_four_gigabytes() {
    let _alone = counting_alloc::alone();
    let json = gltf_bytes(&triangle());
    let mut glb = Vec::new();
    glb.extend(b"glTF");
    glb.extend(2u32.to_le_bytes());
    glb.extend((12 + 8 + json.len() as u32).to_le_bytes());
    glb.extend(u32::MAX.to_le_bytes());
    glb.extend(b"JSON");
    glb.extend(&json);
    refused_direct("chunk.glb", glb, &["truncated"]);
}

#[test]
fn gltf_node_graph_with_a_cycle() {
    let _alone = counting_alloc::alone();
    let mut doc = triangle();
    doc["nodes"] = json!([{"mesh": 0, "children": [1]}, {"children": [2]}, {"children": [1]}]);
    refused_direct("cycle.gltf", gltf_bytes(&doc), &["node"]);
    // A node that is its own child.
    doc["nodes"] = json!([{"mesh": 0, "children": [0]}]);
    refused_direct("self.gltf", gltf_bytes(&doc), &["node"]);
}

#[test]
fn gltf_image_claiming_65535_by_65535_pixels() {
    let _alone = counting_alloc::alone();
    let mut doc = triangle();
    let uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png_claiming(65535, 65535))
    );
    doc["meshes"][0]["primitives"][0]["material"] = json!(0);
    doc["materials"] = json!([{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]);
    doc["textures"] = json!([{"source": 0}]);
    doc["images"] = json!([{"uri": uri}]);
    // The model still shows, untextured, and says why.
    let scene = import_bounded("image.gltf", gltf_bytes(&doc), Companions::new(), DIRECT_BYTES_PER_FILE_BYTE)
        .expect("the geometry still loads");
    assert!(scene.textures.is_empty());
    assert!(scene.warnings.iter().any(|w| w.contains("65535×65535")), "{:?}", scene.warnings);
}

#[test]
fn gltf_with_broken_base64_data_uris() {
    let _alone = counting_alloc::alone();
    for broken in ["data:application/octet-stream;base64,@@@@", "data:application/octet-stream;base64,AAA"] {
        let mut doc = triangle();
        doc["buffers"][0]["uri"] = json!(broken);
        refused_direct("base64.gltf", gltf_bytes(&doc), &["buffer 0"]);
    }
}

#[test]
fn gltf_with_infinite_and_nan_transforms() {
    let _alone = counting_alloc::alone();
    // 1e39 is beyond f32: it becomes infinity.
    let mut doc = triangle();
    doc["nodes"][0]["translation"] = json!([1e39, 0.0, 0.0]);
    refused_direct("inf.gltf", gltf_bytes(&doc), &["not a finite number"]);
    let mut doc = triangle();
    doc["nodes"][0]["matrix"] = json!([1, 0, 0, 0, 0, 1e39, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    refused_direct("inf-matrix.gltf", gltf_bytes(&doc), &["not a finite number"]);
    // Infinity times zero in a composed transform is NaN: scale 1e39 under a child scale 0.
    let mut doc = triangle();
    doc["nodes"] = json!([{"scale": [1e39, 1, 1], "children": [1]}, {"mesh": 0, "scale": [0, 1, 1]}]);
    refused_direct("nan.gltf", gltf_bytes(&doc), &["not a finite number"]);
    // JSON has no NaN literal: it is a JSON error with its position.
    let text = String::from_utf8(gltf_bytes(&triangle()))
        .expect("UTF-8")
        .replace("\"mesh\":0", "\"mesh\":0,\"translation\":[NaN,0,0]");
    refused_direct("nan-literal.gltf", text.into_bytes(), &["JSON"]);
}

// ---- OBJ, PLY, OFF -----------------------------------------------------------

#[test]
fn obj_with_indices_out_of_range() {
    let _alone = counting_alloc::alone();
    let error = refused_direct("far.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4000000000\n".to_vec(), &["vertex"]);
    assert!(matches!(error, ImportError::IndexOutOfRange { .. } | ImportError::Malformed(_)), "{error:?}");
    refused_direct("negative.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf -1 -2 -4\n".to_vec(), &["vertex"]);
    refused_direct("zero.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n".to_vec(), &["Line 4"]);
    refused_direct("nan.obj", b"v 0 0 0\nv 1 0 nan\nv 0 1 0\nf 1 2 3\n".to_vec(), &["not a finite number"]);
}

#[test]
fn ply_headers_with_absurd_element_counts() {
    let _alone = counting_alloc::alone();
    let ascii =
        b"ply\nformat ascii 1.0\nelement vertex 1000000000\nproperty float x\nproperty float y\nproperty float z\n\
                  element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";
    refused_direct("billion-ascii.ply", ascii.to_vec(), &["element counts", "truncated"]);
    let binary =
        b"ply\nformat binary_little_endian 1.0\nelement vertex 4294967295\nproperty float x\nproperty float y\n\
                   property float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n";
    let mut file = binary.to_vec();
    file.extend([0u8; 36]);
    refused_direct("max-binary.ply", file, &["element counts", "truncated"]);
    // A count too large for any integer type.
    let huge = String::from_utf8_lossy(ascii).replace("1000000000", "99999999999999999999999");
    refused_direct("overflow.ply", huge.into_bytes(), &["element"]);
    // A face whose list claims four billion corners.
    let list = b"ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n\
                 element face 1\nproperty list uint int vertex_indices\nend_header\n";
    let mut file = list.to_vec();
    file.extend([0u8; 36]);
    file.extend(u32::MAX.to_le_bytes());
    file.extend([0u8; 12]);
    refused_direct("corners.ply", file, &["face"]);
}

#[test]
fn off_claiming_a_billion_vertices() {
    let _alone = counting_alloc::alone();
    refused_direct("billion.off", b"OFF\n1000000000 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n".to_vec(), &["1000000000"]);
    refused_direct("corners.off", b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4000000000 0 1 2\n".to_vec(), &["face"]);
}

// ---- 3MF ---------------------------------------------------------------------

const MODEL_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>
<object id="1" type="model"><mesh><vertices>"#;

/// A 3MF package whose model part is `start`, then `repeat` written `times`
/// times (deflated: a repetitive part compresses about 1000:1), then `end`.
fn package(start: &str, repeat: &str, times: usize, end: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("3D/3dmodel.model", options).expect("zip entry");
    zip.write_all(start.as_bytes()).expect("write");
    let block = repeat.repeat((1 << 16) / repeat.len().max(1));
    let mut written = 0;
    while written < times {
        let n = (times - written).min((1 << 16) / repeat.len().max(1));
        zip.write_all(&block.as_bytes()[..n * repeat.len()]).expect("write");
        written += n;
    }
    zip.write_all(end.as_bytes()).expect("write");
    zip.finish().expect("zip").into_inner()
}

fn refused_package(name: &str, bytes: Vec<u8>, words: &[&str]) {
    refused(name, bytes, PACKAGE_BYTES_PER_FILE_BYTE, words);
}

#[test]
fn threemf_zip_bombs_stop_at_the_inflation_limit() {
    let _alone = counting_alloc::alone();
    // 1 GiB of spaces after a valid start: refused as a bomb.
    let bomb = package(MODEL_START, " ", 1 << 30, "</vertices></mesh></object></resources></model>");
    assert!(bomb.len() < 2 << 20, "the bomb compresses: {} bytes", bomb.len());
    refused_package("spaces.3mf", bomb, &["zip bomb"]);
    // 256 MiB of one vertex repeated: parsed as it inflates, until the limit.
    let vertex = r#"<vertex x="1" y="2" z="3"/>"#;
    let bomb =
        package(MODEL_START, vertex, (256 << 20) / vertex.len(), "</vertices></mesh></object></resources></model>");
    refused_package("vertices.3mf", bomb, &["zip bomb"]);
    // Garbage that is not XML at all stops at once.
    let bomb = package("", "\0", 256 << 20, "");
    refused_package("zeros.3mf", bomb, &["3MF"]);
}

#[test]
fn threemf_with_many_materials_does_not_multiply_its_vertices() {
    let _alone = counting_alloc::alone();
    // 20,000 vertices and 20,000 triangles each with a material of its own: one
    // primitive per material must not copy all 20,000 vertices each (that
    // would be 20,000 × 20,000 × 24 bytes).
    let count = 20_000;
    let mut xml = String::from(
        r#"<?xml version="1.0"?><model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources><basematerials id="9">"#,
    );
    for i in 0..count {
        xml += &format!(r##"<base name="m{i}" displaycolor="#{:06X}"/>"##, i % 0xFFFFFF);
    }
    xml += r#"</basematerials><object id="1" type="model" pid="9" pindex="0"><mesh><vertices>"#;
    for i in 0..count {
        xml += &format!(r#"<vertex x="{i}" y="{}" z="0"/>"#, i % 7);
    }
    xml += "</vertices><triangles>";
    for i in 0..count - 2 {
        xml += &format!(r#"<triangle v1="{i}" v2="{}" v3="{}" pid="9" p1="{i}"/>"#, i + 1, i + 2);
    }
    xml += r#"</triangles></mesh></object></resources><build><item objectid="1"/></build></model>"#;
    let file = package(&xml, "", 0, "");
    let scene = import_bounded("materials.3mf", file, Companions::new(), PACKAGE_BYTES_PER_FILE_BYTE)
        .expect("a model with many materials imports");
    assert_eq!(scene.scene_triangle_count(), count - 2);
}

#[test]
fn threemf_components_that_multiply_placements() {
    let _alone = counting_alloc::alone();
    // Eight objects, each placing the next one ten times: 10^8 placements from
    // a few hundred bytes.
    let mut xml = String::from(
        r#"<?xml version="1.0"?><model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>
<object id="1" type="model"><mesh><vertices><vertex x="0" y="0" z="0"/><vertex x="1" y="0" z="0"/><vertex x="0" y="1" z="0"/></vertices>
<triangles><triangle v1="0" v2="1" v3="2"/></triangles></mesh></object>"#,
    );
    for id in 2..=9 {
        xml += &format!(r#"<object id="{id}" type="model"><components>"#);
        for _ in 0..10 {
            xml += &format!(r#"<component objectid="{}"/>"#, id - 1);
        }
        xml += "</components></object>";
    }
    xml += r#"</resources><build><item objectid="9"/></build></model>"#;
    refused_package("placements.3mf", package(&xml, "", 0, ""), &["10123 times"]);
}
