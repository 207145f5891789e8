//! STL writers: binary (80-byte header, count, 50-byte records) and ASCII.
//! STL holds triangles only: no units, colours, textures, materials or names.

use std::fmt::Write as _;

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

pub fn binary(meshes: &[FlatMesh], report: &mut ConversionReport) -> Result<Vec<u8>, ExportError> {
    note_dropped(meshes, report);
    let triangles: usize = meshes.iter().map(|m| m.indices.len() / 3).sum();
    let count = u32::try_from(triangles).map_err(|_| ExportError::TooLarge(triangles, "binary STL"))?;
    let mut out = Vec::with_capacity(84 + triangles * 50);
    let mut header = [b' '; 80];
    let label = b"binary STL written by 3D Model Studio";
    header[..label.len()].copy_from_slice(label);
    out.extend_from_slice(&header);
    out.extend_from_slice(&count.to_le_bytes());
    for mesh in meshes {
        for (t, tri) in mesh.indices.chunks_exact(3).enumerate() {
            for c in mesh.face_normal(t) {
                out.extend_from_slice(&c.to_le_bytes());
            }
            for &i in tri {
                for c in mesh.positions[i as usize] {
                    out.extend_from_slice(&c.to_le_bytes());
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
    }
    Ok(out)
}

/// Numbers are written in Rust's shortest form that reads back to the same `f32`,
/// so an ASCII round trip is exact.
pub fn ascii(meshes: &[FlatMesh], name: &str, report: &mut ConversionReport) -> Vec<u8> {
    note_dropped(meshes, report);
    // Keywords and names are ASCII in the format; keep the solid name on one token.
    let solid: String = name.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect();
    let mut out = String::with_capacity(meshes.iter().map(|m| m.indices.len() / 3 * 250).sum::<usize>() + 64);
    let _ = writeln!(out, "solid {solid}");
    for mesh in meshes {
        for (t, tri) in mesh.indices.chunks_exact(3).enumerate() {
            let [nx, ny, nz] = mesh.face_normal(t);
            let _ = writeln!(out, "  facet normal {nx} {ny} {nz}\n    outer loop");
            for &i in tri {
                let [x, y, z] = mesh.positions[i as usize];
                let _ = writeln!(out, "      vertex {x} {y} {z}");
            }
            out.push_str("    endloop\n  endfacet\n");
        }
    }
    let _ = writeln!(out, "endsolid {solid}");
    out.into_bytes()
}
