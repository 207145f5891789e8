//! STL importer tests: real files from the development corpus (reference counts
//! and bounds from its manifest, copied here so a fresh clone needs no corpus)
//! plus hand-made hostile inputs.
#![allow(clippy::unwrap_used)]
// Reference values are copied verbatim from the manifest, digits and all.
#![allow(clippy::excessive_precision)]

use std::time::{Duration, Instant};

use studio_model::import::{Companions, ImportError, import};
use studio_model::model::SourceFormat;

struct Reference {
    path: &'static str,
    triangles: usize,
    bounds_min: [f32; 3],
    bounds_max: [f32; 3],
    ascii: bool,
    meshes: usize,
}

const fn r(
    path: &'static str,
    triangles: usize,
    min: [f32; 3],
    max: [f32; 3],
    ascii: bool,
    meshes: usize,
) -> Reference {
    Reference { path, triangles, bounds_min: min, bounds_max: max, ascii, meshes }
}

/// From shared/corpus/manifest.json (`reference.format`: triangles, bounds, encoding, solids).
const CORPUS: &[Reference] = &[
    r("numpy-stl/ascii/Cube.stl", 12, [0.0, 0.0, 0.0], [2.0, 2.0, 2.0], true, 1),
    r("numpy-stl/ascii/Moon_Chinese.stl", 116, [0.0, 0.0, 0.0], [1.62841, 0.35, 3.0], true, 1),
    r("numpy-stl/binary/HalfDonut.stl", 288, [0.0, 0.0, 0.0], [3.0, 0.5, 3.0], false, 1),
    r("numpy-stl/binary/Star.stl", 68, [2e-06, 0.0, 0.0], [2.59808, 0.35, 3.0], false, 1),
    r("trimesh/angle_block.STL", 704, [-0.669291, -0.0, -1.351984], [0.669291, 1.0, 0.0], false, 1),
    r(
        "trimesh/20mm-xyz-cube.stl",
        260,
        [-47.951893, -4.908014, -30.981464],
        [-27.951891, 15.091986, -10.981464],
        false,
        1,
    ),
    r("trimesh/multibody.stl", 32, [-0.51079, -0.71881, -0.051932], [0.125242, 0.369622, 0.287996], true, 2),
    r("trimesh/busted.STL", 3878, [-5.398265, 18.300524, -9.935678], [5.277234, 29.685246, -0.363277], false, 1),
    r("trimesh/soup.stl", 100, [0.002359, 0.002531, 0.006098], [0.999805, 0.999055, 0.999005], false, 1),
    r("trimesh/unit_cube.STL", 12, [-0.5, -0.5, -0.5], [0.5, 0.5, 0.5], false, 1),
    r("trimesh/teapot.stl", 894, [-28.85918, -19.654177, 0.870107], [34.310524, 19.654177, 30.351412], false, 1),
    r("assimp/Spider_ascii.stl", 1368, [-3.114895, -4.0, -1.649329], [3.114895, 4.0, 1.649329], true, 1),
    r("assimp/Spider_binary.stl", 1368, [-3.114895, -4.0, -1.649329], [3.114895, 4.0, 1.649329], false, 1),
    r("assimp/triangle_with_two_solids.stl", 2, [-1.0, -1.0, 0.0], [3.0, 3.0, 0.0], true, 2),
    r("online3dviewer/single_triangle_no_normal.stl", 1, [0.0, 0.0, 0.0], [1.0, 1.0, 0.0], true, 1),
    r("online3dviewer/single_triangle_with_comments.stl", 1, [0.0, 0.0, 0.0], [1.0, 1.0, 0.0], true, 1),
    r("online3dviewer/cube_meshlab_binary.stl", 12, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], false, 1),
    r("online3dviewer/stl_binary.stl", 728, [0.0, -1.107928, 0.0], [5.701567, 3.318317, 1.2], false, 1),
    r("stl_io/bunny_99.stl", 99, [-0.093096, 0.032724, -0.061988], [0.061602, 0.188107, 0.058913], false, 1),
    r("turtlebot3/lds.stl", 14566, [-32.999878, -34.384819, -30.200001], [60.848316, 34.5, 9.0], false, 1),
];

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/stl/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn corpus_files_match_the_manifest() {
    for reference in CORPUS {
        let scene = import(reference.path, &fixture(reference.path), &Companions::new())
            .unwrap_or_else(|e| panic!("{}: {e}", reference.path));
        assert_eq!(scene.scene_triangle_count(), reference.triangles, "{} triangles", reference.path);
        // STL triangles do not share vertices: three each.
        assert_eq!(scene.vertex_count(), reference.triangles * 3, "{} vertices", reference.path);
        assert_eq!(scene.meshes.len(), reference.meshes, "{} meshes (solids)", reference.path);
        let expected = if reference.ascii { SourceFormat::StlAscii } else { SourceFormat::StlBinary };
        assert_eq!(scene.format, expected, "{}", reference.path);
        let bounds = scene.world_bounds();
        for k in 0..3 {
            assert!(close(bounds.min[k], reference.bounds_min[k]), "{} min {:?}", reference.path, bounds.min);
            assert!(close(bounds.max[k], reference.bounds_max[k]), "{} max {:?}", reference.path, bounds.max);
        }
    }
}

#[test]
fn binary_with_solid_header_and_trailing_byte_is_binary_with_a_warning() {
    let scene = import("HalfDonut.stl", &fixture("numpy-stl/binary/HalfDonut.stl"), &Companions::new()).unwrap();
    assert_eq!(scene.format, SourceFormat::StlBinary);
    assert!(scene.warnings.iter().any(|w| w.contains("1 bytes after the last triangle")), "{:?}", scene.warnings);
}

#[test]
fn materialise_colours_become_vertex_colours() {
    let scene = import("cube.stl", &fixture("trimesh/20mm-xyz-cube.stl"), &Companions::new()).unwrap();
    let colors = scene.meshes[0].primitives[0].colors.as_ref().expect("COLOR= header file has per-face colours");
    assert_eq!(colors.len(), 260 * 3);
}

#[test]
fn empty_files_say_there_is_nothing_to_show() {
    for path in ["trimesh/empty.stl", "trimesh/stl_empty_bin.stl"] {
        let dir = format!("{}/tests/fixtures/stl/{path}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(dir).unwrap();
        assert_eq!(import(path, &bytes, &Companions::new()).unwrap_err(), ImportError::NoGeometry, "{path}");
    }
    assert_eq!(import("x.stl", b"", &Companions::new()).unwrap_err(), ImportError::Empty);
}

fn binary_stl(declared: u32, triangles: &[[[f32; 3]; 3]]) -> Vec<u8> {
    let mut bytes = vec![0u8; 80];
    bytes.extend_from_slice(&declared.to_le_bytes());
    for t in triangles {
        bytes.extend_from_slice(&[0u8; 12]);
        for v in t {
            for c in v {
                bytes.extend_from_slice(&c.to_le_bytes());
            }
        }
        bytes.extend_from_slice(&[0, 0]);
    }
    bytes
}

#[test]
fn a_header_claiming_billions_of_triangles_is_refused_at_once() {
    let tri = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
    let bytes = binary_stl(u32::MAX, &[tri]);
    let started = Instant::now();
    let err = import("liar.stl", &bytes, &Companions::new()).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(100), "no work sized from the claim");
    match err {
        ImportError::Truncated { needed_bytes, actual_bytes, .. } => {
            assert_eq!(needed_bytes, 84 + u32::MAX as u64 * 50);
            assert_eq!(actual_bytes, 134);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn truncated_and_non_finite_binary_files_are_refused() {
    let tri = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
    let mut bytes = binary_stl(2, &[tri, tri]);
    bytes.truncate(bytes.len() - 10);
    assert!(matches!(import("cut.stl", &bytes, &Companions::new()), Err(ImportError::Truncated { .. })));

    let nan = binary_stl(1, &[[[f32::NAN, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]);
    let err = import("nan.stl", &nan, &Companions::new()).unwrap_err();
    assert!(matches!(err, ImportError::NonFinite { .. }), "{err:?}");
    assert!(err.to_string().contains("not a finite number"));

    let inf = binary_stl(1, &[[[0.0, f32::INFINITY, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]);
    assert!(matches!(import("inf.stl", &inf, &Companions::new()), Err(ImportError::NonFinite { .. })));
}

#[test]
fn malformed_ascii_says_which_line() {
    let text = b"solid t\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 zero\n";
    let err = import("bad.stl", text, &Companions::new()).unwrap_err();
    assert_eq!(err.to_string(), "The file is malformed: ASCII STL line 5: 'zero' is not a number");

    let nan = b"solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 nan 0\nendloop\nendfacet\nendsolid t\n";
    assert!(matches!(import("nan.stl", nan, &Companions::new()), Err(ImportError::NonFinite { .. })));

    let two_vertices = b"solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nendloop\n";
    assert!(import("short.stl", two_vertices, &Companions::new()).unwrap_err().to_string().contains("needs 3"));
}

#[test]
fn ascii_quads_and_uppercase_keywords_are_accepted() {
    let text = b"SOLID q\nFACET NORMAL 0 0 1\nOUTER LOOP\nVERTEX 0 0 0\nVERTEX 1 0 0\nVERTEX 1 1 0\nVERTEX 0 1 0\nENDLOOP\nENDFACET\nENDSOLID q\n";
    let scene = import("quad.stl", text, &Companions::new()).unwrap();
    assert_eq!(scene.scene_triangle_count(), 2);
}

#[test]
fn unknown_content_is_named_as_such() {
    let err = import("photo.png", b"\x89PNG\r\n\x1a\n not a model", &Companions::new()).unwrap_err();
    assert_eq!(err, ImportError::UnknownFormat { name: "photo.png".into() });
}

#[test]
fn a_misnamed_file_is_read_by_content_with_a_warning() {
    let bytes = fixture("trimesh/unit_cube.STL");
    let scene = import("cube.glb", &bytes, &Companions::new()).unwrap();
    assert_eq!(scene.scene_triangle_count(), 12);
    assert!(scene.warnings.iter().any(|w| w.contains("usual extension")));
}
