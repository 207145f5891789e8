//! OBJ + MTL writer: one object per part, positions (with vertex colours as the
//! common `v x y z r g b` extension), normals, texture coordinates, and a
//! material library with each material's base colour.

use std::fmt::Write as _;

use super::{ConversionReport, FlatMesh};
use crate::model::Scene;

/// OBJ names are single tokens.
fn token(name: &str) -> String {
    let token: String = name.chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect();
    if token.is_empty() { "unnamed".into() } else { token }
}

pub fn write(meshes: &[FlatMesh], scene: &Scene, mtl_name: &str, report: &mut ConversionReport) -> (Vec<u8>, Vec<u8>) {
    if scene.materials.iter().any(|m| m.base_color_texture.is_some()) {
        report.dropped.push("Textures: this OBJ export writes base colours only, not image files.".into());
    }
    if scene.materials.iter().any(|m| m.metallic_factor != 1.0 || m.roughness_factor != 1.0) {
        report.dropped.push("Metallic and roughness: MTL has no equivalent.".into());
    }
    let vertices: usize = meshes.iter().map(|m| m.positions.len()).sum();
    let mut obj = String::with_capacity(vertices * 90);
    let _ = writeln!(obj, "# written by 3D Model Studio\nmtllib {}", token(mtl_name));
    // OBJ indices start at 1 and run over the whole file, separately for v, vt and vn.
    let (mut base_v, mut base_vt) = (1u32, 1u32);
    for mesh in meshes {
        let _ = writeln!(obj, "o {}", token(&mesh.name));
        for (v, [x, y, z]) in mesh.positions.iter().enumerate() {
            match &mesh.colors {
                Some(colors) => {
                    let [r, g, b, _] = colors[v];
                    let _ = writeln!(obj, "v {x} {y} {z} {r} {g} {b}");
                }
                None => {
                    let _ = writeln!(obj, "v {x} {y} {z}");
                }
            }
        }
        for [x, y, z] in &mesh.normals {
            let _ = writeln!(obj, "vn {x} {y} {z}");
        }
        if let Some(uvs) = &mesh.uvs {
            // glTF's V runs down the image, OBJ's up.
            for [u, v] in uvs {
                let _ = writeln!(obj, "vt {u} {}", 1.0 - v);
            }
        }
        let material = mesh.material.map_or_else(|| "default".to_owned(), |m| format!("material{m}"));
        let _ = writeln!(obj, "usemtl {material}");
        for tri in mesh.indices.chunks_exact(3) {
            obj.push('f');
            for &i in tri {
                // Every vertex has a normal, so vn runs with v.
                let v = i + base_v;
                if mesh.uvs.is_some() {
                    let _ = write!(obj, " {v}/{}/{v}", i + base_vt);
                } else {
                    let _ = write!(obj, " {v}//{v}");
                }
            }
            obj.push('\n');
        }
        base_v += mesh.positions.len() as u32;
        if mesh.uvs.is_some() {
            base_vt += mesh.positions.len() as u32;
        }
    }

    let mut mtl = String::from("# written by 3D Model Studio\nnewmtl default\nKd 0.8 0.8 0.8\n");
    for (m, material) in scene.materials.iter().enumerate() {
        let [r, g, b, a] = material.base_color_factor;
        let _ = writeln!(mtl, "newmtl material{m}\nKd {r} {g} {b}\nd {a}");
        if !material.name.is_empty() {
            let _ = writeln!(mtl, "# {}", material.name.replace('\n', " "));
        }
    }
    (obj.into_bytes(), mtl.into_bytes())
}
