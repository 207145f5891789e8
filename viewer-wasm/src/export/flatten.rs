//! The scene as the writers see it: plain triangle meshes in output space.
//!
//! Node transforms are baked into positions and normals (no target but glTF has
//! a hierarchy, and one geometry path for all formats keeps them in agreement),
//! then lengths are scaled from the source's unit to the target's and the up axis
//! is turned. A mirroring transform (negative determinant) reverses the winding
//! so that faces keep pointing outwards.

use std::collections::HashMap;

use glam::{DMat3, DMat4, DVec3};

use super::{ConversionReport, ExportOptions};
use crate::model::{Scene, SourceFormat, UpAxis};

/// One primitive (or, merged, the whole model) in output space.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlatMesh {
    pub name: String,
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub colors: Option<Vec<[f32; 4]>>,
    pub uvs: Option<Vec<[f32; 2]>>,
    pub indices: Vec<u32>,
    pub material: Option<usize>,
}

impl FlatMesh {
    /// Unit normal of triangle `t` from its positions (zero for a degenerate one).
    pub fn face_normal(&self, t: usize) -> [f32; 3] {
        let [a, b, c] = [0, 1, 2].map(|k| DVec3::from(self.positions[self.indices[t * 3 + k] as usize].map(f64::from)));
        let n = (b - a).cross(c - a).normalize_or_zero();
        n.as_vec3().to_array()
    }
}

/// Metres per source unit when the format fixes it (glTF: metres; 3MF: imported
/// in millimetres, whatever unit the file used), `None` for the unitless formats.
fn source_unit_metres(format: SourceFormat) -> Option<f64> {
    match format {
        SourceFormat::Glb | SourceFormat::Gltf => Some(1.0),
        SourceFormat::ThreeMf => Some(0.001),
        _ => None,
    }
}

fn unit_label(metres: f64) -> &'static str {
    match metres {
        1.0 => "m",
        0.01 => "cm",
        0.0254 => "in",
        _ => "mm",
    }
}

/// The rotation taking `from`-up coordinates to `to`-up ones (both right-handed).
fn axis_turn(from: UpAxis, to: UpAxis) -> DMat4 {
    match (from, to) {
        // +Y up → +Z up: (x, y, z) → (x, −z, y).
        (UpAxis::Y, UpAxis::Z) => DMat4::from_rotation_x(std::f64::consts::FRAC_PI_2),
        // +Z up → +Y up: (x, y, z) → (x, z, −y).
        (UpAxis::Z, UpAxis::Y) => DMat4::from_rotation_x(-std::f64::consts::FRAC_PI_2),
        _ => DMat4::IDENTITY,
    }
}

pub fn flatten(scene: &Scene, options: &ExportOptions, report: &mut ConversionReport) -> Vec<FlatMesh> {
    let source_metres = source_unit_metres(scene.format).unwrap_or(options.unitless_unit.metres());
    let target_metres = options.format.fixed_unit_metres().unwrap_or(options.unitless_unit.metres());
    let scale = source_metres / target_metres;
    if scale != 1.0 {
        let (from, to) = (unit_label(source_metres), unit_label(target_metres));
        report.applied.push(format!("Lengths converted from {from} to {to} (× {scale})."));
    }
    let up = options.up.unwrap_or(scene.up_axis);
    if up != scene.up_axis {
        let label = |a: UpAxis| if a == UpAxis::Y { "Y" } else { "Z" };
        report.applied.push(format!("Turned from {}-up to {}-up.", label(scene.up_axis), label(up)));
    }
    let output_from_world = DMat4::from_scale(DVec3::splat(scale)) * axis_turn(scene.up_axis, up);
    if scene.nodes.iter().any(|n| n.mesh.is_none() || !n.children.is_empty())
        || scene.nodes.iter().any(|n| n.parent_from_node != glam::Mat4::IDENTITY)
    {
        report.applied.push("Node transforms baked into the positions; the hierarchy is flattened.".into());
    }

    let mut meshes = Vec::new();
    for instance in scene.mesh_instances() {
        let mesh = &scene.meshes[instance.mesh];
        let world_from_mesh = DMat4::from_cols_array(&instance.world_from_mesh.to_cols_array().map(f64::from));
        let output_from_mesh = output_from_world * world_from_mesh;
        let normal_matrix = DMat3::from_mat4(output_from_mesh).inverse().transpose();
        let mirrored = output_from_mesh.determinant() < 0.0;
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            let name = match (mesh.name.is_empty(), mesh.primitives.len()) {
                (true, _) => format!("mesh{}", meshes.len() + 1),
                (false, 1) => mesh.name.clone(),
                (false, _) => format!("{}_{p}", mesh.name),
            };
            let positions = primitive
                .positions
                .iter()
                .map(|q| output_from_mesh.transform_point3(DVec3::from(q.map(f64::from))).as_vec3().to_array())
                .collect();
            let normals = primitive
                .normals
                .iter()
                .map(|n| (normal_matrix * DVec3::from(n.map(f64::from))).normalize_or_zero().as_vec3().to_array())
                .collect();
            let mut indices = primitive.indices.clone();
            if mirrored {
                for tri in indices.chunks_exact_mut(3) {
                    tri.swap(1, 2);
                }
            }
            meshes.push(FlatMesh {
                name,
                positions,
                normals,
                colors: primitive.colors.clone(),
                uvs: primitive.uvs.clone(),
                indices,
                material: primitive.material,
            });
        }
    }
    if options.merge && meshes.len() > 1 {
        report.applied.push(format!("{} parts merged into one mesh.", meshes.len()));
        meshes = vec![merge(meshes)];
    }
    if options.weld {
        let before: usize = meshes.iter().map(|m| m.positions.len()).sum();
        meshes = meshes.into_iter().map(weld).collect();
        let after: usize = meshes.iter().map(|m| m.positions.len()).sum();
        report.applied.push(format!("Duplicate vertices welded: {before} → {after}."));
    }
    meshes
}

/// All meshes as one; attributes that only some meshes have are filled in
/// (white, (0, 0)) so that the arrays stay parallel. The first material wins.
fn merge(meshes: Vec<FlatMesh>) -> FlatMesh {
    let any_colors = meshes.iter().any(|m| m.colors.is_some());
    let any_uvs = meshes.iter().any(|m| m.uvs.is_some());
    let mut out = FlatMesh {
        name: "merged".into(),
        colors: any_colors.then(Vec::new),
        uvs: any_uvs.then(Vec::new),
        material: meshes.iter().find_map(|m| m.material),
        ..FlatMesh::default()
    };
    for mesh in meshes {
        let base = out.positions.len() as u32;
        let count = mesh.positions.len();
        out.indices.extend(mesh.indices.iter().map(|i| i + base));
        out.positions.extend(mesh.positions);
        out.normals.extend(mesh.normals);
        if let Some(colors) = &mut out.colors {
            colors.extend(mesh.colors.unwrap_or_else(|| vec![[1.0; 4]; count]));
        }
        if let Some(uvs) = &mut out.uvs {
            uvs.extend(mesh.uvs.unwrap_or_else(|| vec![[0.0; 2]; count]));
        }
    }
    out
}

/// Joins vertices whose every attribute is bit-identical.
fn weld(mesh: FlatMesh) -> FlatMesh {
    let mut ids: HashMap<Vec<u32>, u32> = HashMap::with_capacity(mesh.positions.len());
    let mut remap = Vec::with_capacity(mesh.positions.len());
    let mut out = FlatMesh {
        name: mesh.name.clone(),
        colors: mesh.colors.as_ref().map(|_| Vec::new()),
        uvs: mesh.uvs.as_ref().map(|_| Vec::new()),
        material: mesh.material,
        ..FlatMesh::default()
    };
    for v in 0..mesh.positions.len() {
        let mut key: Vec<u32> = mesh.positions[v].iter().chain(&mesh.normals[v]).map(|f| f.to_bits()).collect();
        if let Some(colors) = &mesh.colors {
            key.extend(colors[v].iter().map(|f| f.to_bits()));
        }
        if let Some(uvs) = &mesh.uvs {
            key.extend(uvs[v].iter().map(|f| f.to_bits()));
        }
        let next = out.positions.len() as u32;
        let id = *ids.entry(key).or_insert(next);
        if id == next {
            out.positions.push(mesh.positions[v]);
            out.normals.push(mesh.normals[v]);
            if let (Some(to), Some(from)) = (&mut out.colors, &mesh.colors) {
                to.push(from[v]);
            }
            if let (Some(to), Some(from)) = (&mut out.uvs, &mesh.uvs) {
                to.push(from[v]);
            }
        }
        remap.push(id);
    }
    out.indices = mesh.indices.iter().map(|&i| remap[i as usize]).collect();
    out
}
