//! OFF writer: `OFF`, counts, vertices, then faces as `3 a b c`. Geometry only.

use std::fmt::Write as _;

use super::{ConversionReport, FlatMesh};

pub fn write(meshes: &[FlatMesh], report: &mut ConversionReport) -> Vec<u8> {
    if meshes.iter().any(|m| m.colors.is_some() || m.uvs.is_some() || m.material.is_some()) {
        report.dropped.push("Colours, materials and textures: this OFF writer stores geometry only.".into());
    }
    report.dropped.push("Normals: OFF has none; readers compute them.".into());
    let vertices: usize = meshes.iter().map(|m| m.positions.len()).sum();
    let faces: usize = meshes.iter().map(|m| m.indices.len() / 3).sum();
    let mut out = String::with_capacity(vertices * 40 + faces * 30 + 32);
    let _ = writeln!(out, "OFF\n{vertices} {faces} 0");
    for mesh in meshes {
        for [x, y, z] in &mesh.positions {
            let _ = writeln!(out, "{x} {y} {z}");
        }
    }
    let mut base = 0;
    for mesh in meshes {
        for tri in mesh.indices.chunks_exact(3) {
            let _ = writeln!(out, "3 {} {} {}", tri[0] + base, tri[1] + base, tri[2] + base);
        }
        base += mesh.positions.len() as u32;
    }
    out.into_bytes()
}
