//! STL writers: binary (80-byte header, count, 50-byte records) and ASCII.
//! STL holds triangles only: no units, colours, textures, materials or names.

use std::fmt::Write as _;
use std::io::Write;

use super::{ConversionReport, ExportError, FlatMesh};

fn note_dropped(meshes: &[FlatMesh], report: &mut ConversionReport) {
    if meshes.iter().any(|m| m.colors.is_some()) {
        report.dropped.push("Vertex colours: STL has no colours.".into());
    }
    if meshes.iter().any(|m| m.uvs.is_some() || m.material.is_some()) {
        report.dropped.push("Materials and textures: STL stores geometry only.".into());
    }
    if meshes.len() > 1 {
        report.dropped.push("Part names and boundaries: STL is one list of triangles.".into());
    }
    report.dropped.push("Normals: STL keeps one normal per triangle, recomputed from its corners.".into());
}

/// Writes a binary STL to `out`, a block of records at a time: the whole file
/// never sits in memory, which for a million triangles saves allocating,
/// faulting in and freeing 50 MB.
pub fn binary_to(meshes: &[FlatMesh], out: &mut dyn Write, report: &mut ConversionReport) -> Result<(), ExportError> {
    note_dropped(meshes, report);
    let triangles: usize = meshes.iter().map(|m| m.indices.len() / 3).sum();
    let count = u32::try_from(triangles).map_err(|_| ExportError::TooLarge(triangles, "binary STL"))?;
    let mut header = [b' '; 84];
    let label = b"binary STL written by 3D Model Studio";
    header[..label.len()].copy_from_slice(label);
    header[80..84].copy_from_slice(&count.to_le_bytes());
    out.write_all(&header).map_err(io_error)?;
    // The attribute bytes of every record stay zero.
    let mut block = vec![0u8; BLOCK_TRIANGLES.min(triangles) * RECORD_BYTES];
    for mesh in meshes {
        let mesh_triangles = mesh.indices.len() / 3;
        for first in (0..mesh_triangles).step_by(BLOCK_TRIANGLES) {
            let records = &mut block[..(mesh_triangles - first).min(BLOCK_TRIANGLES) * RECORD_BYTES];
            write_records(mesh, first, records);
            out.write_all(records).map_err(io_error)?;
        }
    }
    Ok(())
}

fn io_error(error: std::io::Error) -> ExportError {
    ExportError::Io(error.to_string())
}

const RECORD_BYTES: usize = 50;
/// Records per block: 1.6 MB, small enough to stay in cache, large enough that
/// a write costs little per record.
const BLOCK_TRIANGLES: usize = 32_768;

/// Fills `records` with the mesh's triangles from `first` on, on two threads
/// where threads exist (the browser build writes on one).
fn write_records(mesh: &FlatMesh, first: usize, records: &mut [u8]) {
    #[cfg(not(target_arch = "wasm32"))]
    if records.len() / RECORD_BYTES >= 8_192 {
        let half = records.len() / RECORD_BYTES / 2;
        let (low, high) = records.split_at_mut(half * RECORD_BYTES);
        std::thread::scope(|scope| {
            scope.spawn(|| write_range(mesh, first, low));
            write_range(mesh, first + half, high);
        });
        return;
    }
    write_range(mesh, first, records);
}

/// Writes triangles `first..` of the mesh into `records` (as many as fit).
fn write_range(mesh: &FlatMesh, first: usize, records: &mut [u8]) {
    let triangles = mesh.indices[first * 3..].chunks_exact(3);
    for (record, triangle) in records.chunks_exact_mut(RECORD_BYTES).zip(triangles) {
        let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[triangle[k] as usize]);
        let record: &mut [u8; RECORD_BYTES] = record.try_into().expect("chunks are RECORD_BYTES long");
        // Each float is stored straight into its place, one fixed offset at a
        // time: written through an iterator over the twelve, the compiler
        // gathered them in a stack array and reloaded them with loads that
        // straddled two stores, which stalled on every record.
        let floats = [face_normal(&[a, b, c]), a, b, c];
        for (v, vector) in floats.iter().enumerate() {
            for (k, value) in vector.iter().enumerate() {
                let at = (v * 3 + k) * 4;
                record[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
        }
    }
}

/// Unit normal of a triangle (zero for a degenerate one). Computed in f32,
/// ample for a facet normal (readers recompute them anyway) and ~8 ns a
/// triangle quicker than f64 in the browser's wasm; a triangle whose cross
/// product leaves f32's normal range (tiny, or huge) is done again in f64.
fn face_normal(corners: &[[f32; 3]; 3]) -> [f32; 3] {
    let [a, b, c] = corners.map(glam::Vec3::from);
    let normal = (b - a).cross(c - a);
    let length_squared = normal.length_squared();
    if length_squared >= f32::MIN_POSITIVE && length_squared.is_finite() {
        return (normal / length_squared.sqrt()).to_array();
    }
    let [a, b, c] = corners.map(|p| glam::DVec3::from(p.map(f64::from)));
    (b - a).cross(c - a).normalize_or_zero().as_vec3().to_array()
}

/// One `solid` block per part (named after it; the file's name when there is
/// only one), which readers of multi-solid files, ours among them, take as
/// separate parts. Numbers are written in Rust's shortest form that reads back
/// to the same `f32`, so an ASCII round trip is exact.
pub fn ascii(meshes: &[FlatMesh], name: &str, report: &mut ConversionReport) -> Vec<u8> {
    note_dropped(meshes, report);
    let mut out = String::with_capacity(meshes.iter().map(|m| m.indices.len() / 3 * 250 + 64).sum::<usize>());
    for (i, mesh) in meshes.iter().enumerate() {
        let part_name = match (meshes.len(), mesh.name.trim()) {
            (1, _) => name.to_owned(),
            (_, "") => format!("{name}_part_{}", i + 1),
            (_, part) => part.to_owned(),
        };
        // Keywords and names are ASCII in the format; keep the solid name on one token.
        let solid: String = part_name.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect();
        let _ = writeln!(out, "solid {solid}");
        for tri in mesh.indices.chunks_exact(3) {
            let [nx, ny, nz] = face_normal(&[0, 1, 2].map(|c| mesh.positions[tri[c] as usize]));
            let _ = writeln!(out, "  facet normal {nx} {ny} {nz}\n    outer loop");
            for &i in tri {
                let [x, y, z] = mesh.positions[i as usize];
                let _ = writeln!(out, "      vertex {x} {y} {z}");
            }
            out.push_str("    endloop\n  endfacet\n");
        }
        let _ = writeln!(out, "endsolid {solid}");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::face_normal;

    fn close(a: [f32; 3], b: [f64; 3]) -> bool {
        a.iter().zip(b).all(|(&a, b)| (f64::from(a) - b).abs() < 1e-6)
    }

    #[test]
    fn face_normals_are_unit_and_point_by_the_right_hand_rule() {
        assert_eq!(face_normal(&[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), [0.0, 0.0, 1.0]);
        let tilted = face_normal(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
        let third = 1.0 / 3f64.sqrt();
        assert!(close(tilted, [third, third, third]), "{tilted:?}");
        // Far from the origin, as in a part placed on a large build plate.
        let far = face_normal(&[[1000.0, 2000.0, 5.0], [1000.5, 2000.0, 5.0], [1000.0, 2000.0, 5.25]]);
        assert!(close(far, [0.0, -1.0, 0.0]), "{far:?}");
    }

    #[test]
    fn triangles_beyond_f32s_range_fall_back_to_f64() {
        // Edges of 1e-20: the f32 cross product underflows, the f64 one does not.
        let tiny = face_normal(&[[0.0, 0.0, 0.0], [1e-20, 0.0, 0.0], [0.0, 1e-20, 0.0]]);
        assert_eq!(tiny, [0.0, 0.0, 1.0]);
        // Edges of 1e30: the f32 one overflows.
        let huge = face_normal(&[[0.0, 0.0, 0.0], [0.0, 1e30, 0.0], [1e30, 0.0, 0.0]]);
        assert_eq!(huge, [0.0, 0.0, -1.0]);
        // Degenerate triangles get a zero normal.
        assert_eq!(face_normal(&[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]), [0.0; 3]);
        assert_eq!(face_normal(&[[1.0; 3]; 3]), [0.0; 3]);
    }
}
