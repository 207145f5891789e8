//! PLY writer (binary little-endian or ASCII): positions, normals, vertex
//! colours when the model has them, and triangles.

use std::fmt::Write as _;

use super::{ConversionReport, FlatMesh};
use crate::model::linear_to_srgb;

/// A linear colour channel as the sRGB byte PLY readers expect.
fn to_u8(c: f32) -> u8 {
    (linear_to_srgb(c.clamp(0.0, 1.0)) * 255.0).round() as u8
}

pub fn write(meshes: &[FlatMesh], binary: bool, report: &mut ConversionReport) -> Vec<u8> {
    let colors = meshes.iter().any(|m| m.colors.is_some());
    if meshes.iter().any(|m| m.uvs.is_some() || m.material.is_some()) {
        report.dropped.push("Materials and textures: PLY stores vertex data only.".into());
    }
    if meshes.len() > 1 {
        report.dropped.push("Part names and boundaries: PLY is one mesh.".into());
    }
    let vertices: usize = meshes.iter().map(|m| m.positions.len()).sum();
    let faces: usize = meshes.iter().map(|m| m.indices.len() / 3).sum();
    let mut header = String::new();
    let format = if binary { "binary_little_endian" } else { "ascii" };
    let _ = write!(header, "ply\nformat {format} 1.0\ncomment written by 3D Model Studio\nelement vertex {vertices}\n");
    header.push_str("property float x\nproperty float y\nproperty float z\n");
    header.push_str("property float nx\nproperty float ny\nproperty float nz\n");
    if colors {
        header.push_str("property uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n");
    }
    let _ = write!(header, "element face {faces}\nproperty list uchar int vertex_indices\nend_header\n");

    let mut out = header.into_bytes();
    let white = [1.0f32; 4];
    if binary {
        out.reserve(vertices * 28 + faces * 13);
        for mesh in meshes {
            for v in 0..mesh.positions.len() {
                for c in mesh.positions[v].iter().chain(&mesh.normals[v]) {
                    out.extend_from_slice(&c.to_le_bytes());
                }
                if colors {
                    let rgba = mesh.colors.as_ref().map_or(&white, |c| &c[v]);
                    let [r, g, b, a] = *rgba;
                    out.extend([to_u8(r), to_u8(g), to_u8(b), (a.clamp(0.0, 1.0) * 255.0).round() as u8]);
                }
            }
        }
        let mut base = 0u32;
        for mesh in meshes {
            for tri in mesh.indices.chunks_exact(3) {
                out.push(3);
                for i in tri {
                    out.extend_from_slice(&(i + base).to_le_bytes());
                }
            }
            base += mesh.positions.len() as u32;
        }
    } else {
        let mut text = String::with_capacity(vertices * 80 + faces * 30);
        for mesh in meshes {
            for v in 0..mesh.positions.len() {
                let [x, y, z] = mesh.positions[v];
                let [nx, ny, nz] = mesh.normals[v];
                let _ = write!(text, "{x} {y} {z} {nx} {ny} {nz}");
                if colors {
                    let [r, g, b, a] = mesh.colors.as_ref().map_or(white, |c| c[v]);
                    let alpha = (a.clamp(0.0, 1.0) * 255.0).round() as u8;
                    let _ = write!(text, " {} {} {} {alpha}", to_u8(r), to_u8(g), to_u8(b));
                }
                text.push('\n');
            }
        }
        let mut base = 0u32;
        for mesh in meshes {
            for tri in mesh.indices.chunks_exact(3) {
                let _ = writeln!(text, "3 {} {} {}", tri[0] + base, tri[1] + base, tri[2] + base);
            }
            base += mesh.positions.len() as u32;
        }
        out.extend_from_slice(text.as_bytes());
    }
    out
}
