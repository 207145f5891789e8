//! The scene as the writers see it: plain triangle meshes in output space.
//!
//! Node transforms are baked into positions and normals (no target but glTF has
//! a hierarchy, and one geometry path for all formats keeps them in agreement),
//! then lengths are scaled from the source's unit to the target's and the up axis
//! is turned. A mirroring transform (negative determinant) reverses the winding
//! so that faces keep pointing outwards.

use glam::{DMat3, DMat4, DVec3};

use super::{ConversionReport, ExportOptions};
use std::hash::Hasher;

use crate::fast_hash::WordHasher;
use crate::model::{Mesh, Primitive, Scene, UpAxis};

/// One primitive (or, merged, the whole model) in output space.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlatMesh {
    /// Name written for the part: the mesh's name (with `_N` for its Nth primitive), else `meshN`, or `merged`.
    pub name: String,
    /// Vertex positions in output space: the target's unit and up axis, node transforms baked in.
    pub positions: Vec<[f32; 3]>,
    /// Unit vertex normals in output space, parallel to `positions`; empty when the conversion does not read them ([`ExportOptions::reads_vertex_normals`]).
    pub normals: Vec<[f32; 3]>,
    /// Linear RGBA vertex colours, parallel to `positions`, if the source had them.
    pub colors: Option<Vec<[f32; 4]>>,
    /// Base-colour texture coordinates, parallel to `positions`, if the source had them.
    pub uvs: Option<Vec<[f32; 2]>>,
    /// Triangle list, three indices per triangle, keeping the source's winding (reversed under a mirroring transform).
    pub indices: Vec<u32>,
    /// Index into the source [`Scene::materials`](crate::model::Scene::materials), or the default material.
    pub material: Option<usize>,
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

/// Lengths scaled from the source's unit to the target's, then the up axis
/// turned: the transform every output position goes through. Says so in the report.
pub(super) fn output_from_world(scene: &Scene, options: &ExportOptions, report: &mut ConversionReport) -> DMat4 {
    let from = scene.format.fixed_unit().unwrap_or(options.unitless_unit);
    let to = options.format.fixed_unit().unwrap_or(options.unitless_unit);
    let scale = from.metres() / to.metres();
    if scale != 1.0 {
        let (from, to) = (from.label(), to.label());
        report.applied.push(format!("Lengths converted from {from} to {to} (× {scale})."));
    }
    let up = options.up.unwrap_or(scene.up_axis);
    if up != scene.up_axis {
        let label = |a: UpAxis| if a == UpAxis::Y { "Y" } else { "Z" };
        report.applied.push(format!("Turned from {}-up to {}-up.", label(scene.up_axis), label(up)));
    }
    DMat4::from_scale(DVec3::splat(scale)) * axis_turn(scene.up_axis, up)
}

/// Which parts (mesh instances) to write, by instance number; reports a choice.
pub(super) fn wanted_parts(instances: usize, options: &ExportOptions, report: &mut ConversionReport) -> Vec<bool> {
    let mut wanted = vec![options.parts.is_none(); instances];
    for &part in options.parts.iter().flatten() {
        if let Some(w) = wanted.get_mut(part) {
            *w = true;
        }
    }
    let kept = wanted.iter().filter(|w| **w).count();
    if kept < instances {
        report.applied.push(format!("{kept} of {instances} parts written, as chosen."));
    }
    wanted
}

/// A primitive's arrays in output space (taken when `take`, else copied).
/// Without `keep_normals` the mesh gets none: formats that store no vertex
/// normals (STL computes its own per face) skip turning them.
pub(super) fn to_output(
    primitive: &mut Primitive,
    take: bool,
    keep_normals: bool,
    output_from_mesh: DMat4,
    name: String,
) -> FlatMesh {
    let mut positions = take_or_clone(&mut primitive.positions, take);
    transform_positions(&mut positions, output_from_mesh);
    let mut normals = if keep_normals { take_or_clone(&mut primitive.normals, take) } else { Vec::new() };
    transform_normals(&mut normals, DMat3::from_mat4(output_from_mesh).inverse().transpose());
    let mut indices = take_or_clone(&mut primitive.indices, take);
    if output_from_mesh.determinant() < 0.0 {
        for tri in indices.chunks_exact_mut(3) {
            tri.swap(1, 2);
        }
    }
    let colors = primitive.colors.as_mut().map(|c| take_or_clone(c, take));
    let uvs = primitive.uvs.as_mut().map(|c| take_or_clone(c, take));
    FlatMesh { name, positions, normals, colors, uvs, indices, material: primitive.material }
}

/// `output_from_mesh` applied to each position. The usual conversion only
/// scales (millimetres ↔ metres), which takes three multiplications a vertex
/// instead of a whole affine transform. In chunks: the browser's tools run each
/// conversion in a fresh wasm instance, where one long loop would stay in
/// baseline code (see chunked.rs).
fn transform_positions(positions: &mut [[f32; 3]], output_from_mesh: DMat4) {
    let scale = output_from_mesh.x_axis.x;
    if output_from_mesh == DMat4::from_scale(DVec3::splat(scale)) {
        if scale != 1.0 {
            crate::chunked::for_each_chunk(positions.len(), |range| {
                for q in &mut positions[range] {
                    *q = q.map(|c| (f64::from(c) * scale) as f32);
                }
            });
        }
        return;
    }
    crate::chunked::for_each_chunk(positions.len(), |range| {
        for q in &mut positions[range] {
            *q = output_from_mesh.transform_point3(DVec3::from(q.map(f64::from))).as_vec3().to_array();
        }
    });
}

/// How far from 1 a squared length may be for a normal to count as unit
/// length: about what rounding a normalised vector to `f32` leaves.
const UNIT_LENGTH_SQUARED_TOLERANCE: f32 = 1e-6;

/// Each normal turned by `normal_matrix` and made unit length (zero stays
/// zero). When the matrix is a uniform scale times a rotation, as conversions'
/// unit and axis changes are, the turn is the rotation alone (the identity for
/// a unit change) and normals already of unit length need no square root.
fn transform_normals(normals: &mut [[f32; 3]], normal_matrix: DMat3) {
    let unit = |v: glam::Vec3| {
        if (v.length_squared() - 1.0).abs() <= UNIT_LENGTH_SQUARED_TOLERANCE { v } else { v.normalize_or_zero() }
    };
    match rotation_part(normal_matrix) {
        Some(rotation) if rotation == DMat3::IDENTITY => crate::chunked::for_each_chunk(normals.len(), |range| {
            for n in &mut normals[range] {
                *n = unit(glam::Vec3::from(*n)).to_array();
            }
        }),
        Some(rotation) => {
            let rotation = rotation.as_mat3();
            crate::chunked::for_each_chunk(normals.len(), |range| {
                for n in &mut normals[range] {
                    *n = unit(rotation * glam::Vec3::from(*n)).to_array();
                }
            });
        }
        None => crate::chunked::for_each_chunk(normals.len(), |range| {
            for n in &mut normals[range] {
                *n = (normal_matrix * DVec3::from(n.map(f64::from))).normalize_or_zero().as_vec3().to_array();
            }
        }),
    }
}

/// `matrix` ÷ its scale when it is a positive uniform scale times a rotation
/// (or a reflection), with entries within rounding of 0 and ±1 snapped so that
/// the axis turns come out exact; `None` otherwise.
fn rotation_part(matrix: DMat3) -> Option<DMat3> {
    let scale = matrix.x_axis.length();
    if !scale.is_normal() {
        return None;
    }
    let rotation = matrix * (1.0 / scale);
    if !(rotation.transpose() * rotation).abs_diff_eq(DMat3::IDENTITY, 1e-9) {
        return None;
    }
    let snap = |c: f64| {
        if c.abs() < 1e-12 {
            0.0
        } else if (c.abs() - 1.0).abs() < 1e-12 {
            c.signum()
        } else {
            c
        }
    };
    Some(DMat3::from_cols_array(&rotation.to_cols_array().map(snap)))
}

/// Name of primitive `p` of `mesh` as written; `fallback` when the mesh has none.
pub(super) fn primitive_name(mesh: &Mesh, p: usize, fallback: impl FnOnce() -> String) -> String {
    match (mesh.name.is_empty(), mesh.primitives.len()) {
        (true, _) => fallback(),
        (false, 1) => mesh.name.clone(),
        (false, _) => format!("{}_{p}", mesh.name),
    }
}

/// The scene's meshes in output space. Takes the geometry out of `scene` (the
/// materials and textures stay for the writers).
pub fn flatten(scene: &mut Scene, options: &ExportOptions, report: &mut ConversionReport) -> Vec<FlatMesh> {
    let output_from_world = output_from_world(scene, options, report);
    if scene.nodes.iter().any(|n| n.mesh.is_none() || !n.children.is_empty())
        || scene.nodes.iter().any(|n| n.parent_from_node != glam::Mat4::IDENTITY)
    {
        report.applied.push("Node transforms baked into the positions; the hierarchy is flattened.".into());
    }

    let instances = scene.mesh_instances();
    let mut uses_left = vec![0usize; scene.meshes.len()];
    for instance in &instances {
        uses_left[instance.mesh] += 1;
    }
    let wanted = wanted_parts(instances.len(), options, report);
    let keep_normals = options.reads_vertex_normals();
    let mut meshes = Vec::new();
    for (part, instance) in instances.into_iter().enumerate() {
        // The last use of a mesh takes its arrays and transforms them in place
        // rather than copying: a million triangles are ~80 MB per copy.
        uses_left[instance.mesh] -= 1;
        if !wanted[part] {
            continue;
        }
        let last_use = uses_left[instance.mesh] == 0;
        let mesh = &mut scene.meshes[instance.mesh];
        let world_from_mesh = DMat4::from_cols_array(&instance.world_from_mesh.to_cols_array().map(f64::from));
        let output_from_mesh = output_from_world * world_from_mesh;
        for p in 0..mesh.primitives.len() {
            let name = primitive_name(mesh, p, || format!("mesh{}", meshes.len() + 1));
            meshes.push(to_output(&mut mesh.primitives[p], last_use, keep_normals, output_from_mesh, name));
        }
    }
    if options.merge && meshes.len() > 1 {
        report.applied.push(format!("{} parts merged into one mesh.", meshes.len()));
        meshes = vec![merge(meshes)];
    }
    if options.weld {
        meshes = weld_all(meshes, report);
    }
    meshes
}

/// [`weld`] on each mesh, reported.
pub(super) fn weld_all(meshes: Vec<FlatMesh>, report: &mut ConversionReport) -> Vec<FlatMesh> {
    let before: usize = meshes.iter().map(|m| m.positions.len()).sum();
    let meshes: Vec<FlatMesh> = meshes.into_iter().map(weld).collect();
    let after: usize = meshes.iter().map(|m| m.positions.len()).sum();
    report.applied.push(format!("Duplicate vertices welded: {before} → {after}."));
    meshes
}

fn take_or_clone<T: Clone>(values: &mut Vec<T>, take: bool) -> Vec<T> {
    if take { std::mem::take(values) } else { values.clone() }
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
///
/// An open-addressing table of vertex numbers rather than a map of keys: the
/// table is 4 bytes a slot, so a few million vertices stay within the caches far
/// better than 50-byte keys would, and keys are compared in the arrays themselves.
fn weld(mesh: FlatMesh) -> FlatMesh {
    let count = mesh.positions.len();
    let same = |a: usize, b: usize| {
        let bits_equal = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
        bits_equal(&mesh.positions[a], &mesh.positions[b])
            && bits_equal(&mesh.normals[a], &mesh.normals[b])
            && mesh.colors.as_ref().is_none_or(|c| bits_equal(&c[a], &c[b]))
            && mesh.uvs.as_ref().is_none_or(|u| bits_equal(&u[a], &u[b]))
    };
    let hash = |v: usize| {
        let mut hasher = WordHasher::default();
        let mut add = |values: &[f32]| values.iter().for_each(|x| hasher.write_u32(x.to_bits()));
        add(&mesh.positions[v]);
        add(&mesh.normals[v]);
        if let Some(colors) = &mesh.colors {
            add(&colors[v]);
        }
        if let Some(uvs) = &mesh.uvs {
            add(&uvs[v]);
        }
        hasher.finish() as usize
    };
    const EMPTY: u32 = u32::MAX;
    let slots = (count * 2).next_power_of_two().max(16);
    let mut table = vec![EMPTY; slots];
    // Output vertex of each input vertex; `first` lists the input vertex each output one came from.
    let mut remap = vec![0u32; count];
    let mut first: Vec<u32> = Vec::with_capacity(count);
    for v in 0..count {
        let mut slot = hash(v) & (slots - 1);
        loop {
            let held = table[slot];
            if held == EMPTY {
                table[slot] = v as u32;
                remap[v] = first.len() as u32;
                first.push(v as u32);
                break;
            }
            if same(held as usize, v) {
                remap[v] = remap[held as usize];
                break;
            }
            slot = (slot + 1) & (slots - 1);
        }
    }
    drop(table);
    let pick = |values: &[[f32; 3]]| first.iter().map(|&v| values[v as usize]).collect::<Vec<_>>();
    FlatMesh {
        name: mesh.name.clone(),
        positions: pick(&mesh.positions),
        normals: pick(&mesh.normals),
        colors: mesh.colors.as_ref().map(|c| first.iter().map(|&v| c[v as usize]).collect()),
        uvs: mesh.uvs.as_ref().map(|u| first.iter().map(|&v| u[v as usize]).collect()),
        indices: mesh.indices.iter().map(|&i| remap[i as usize]).collect(),
        material: mesh.material,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What every fast path must agree with: the full transform in f64.
    fn reference(positions: &[[f32; 3]], normals: &[[f32; 3]], m: DMat4) -> (Vec<[f32; 3]>, Vec<[f32; 3]>) {
        let nm = DMat3::from_mat4(m).inverse().transpose();
        let p = positions.iter().map(|q| m.transform_point3(DVec3::from(q.map(f64::from))).as_vec3().to_array());
        let n = normals.iter().map(|n| (nm * DVec3::from(n.map(f64::from))).normalize_or_zero().as_vec3().to_array());
        (p.collect(), n.collect())
    }

    #[test]
    fn the_fast_transforms_agree_with_the_full_one() {
        let positions = vec![[1.5, -2.25, 1000.0], [0.0, 0.0, 0.0], [-3.0e-3, 7.0, 12.5]];
        // Unit, non-unit and zero normals.
        let normals = vec![[0.0, 0.0, 1.0], [3.0, 4.0, 0.0], [0.0, 0.0, 0.0]];
        let turn = DMat4::from_rotation_x(std::f64::consts::FRAC_PI_2);
        let matrices = [
            DMat4::IDENTITY,
            DMat4::from_scale(DVec3::splat(0.001)),
            DMat4::from_scale(DVec3::splat(1000.0)) * turn,
            DMat4::from_scale(DVec3::new(-2.0, 2.0, 2.0)),
            DMat4::from_translation(DVec3::new(5.0, 0.0, 0.0)) * DMat4::from_rotation_z(0.3),
            // Not a rotation: the general path.
            DMat4::from_scale(DVec3::new(1.0, 2.0, 3.0)),
        ];
        for m in matrices {
            let (want_positions, want_normals) = reference(&positions, &normals, m);
            let mut got_positions = positions.clone();
            transform_positions(&mut got_positions, m);
            let mut got_normals = normals.clone();
            transform_normals(&mut got_normals, DMat3::from_mat4(m).inverse().transpose());
            for (got, want) in got_positions.iter().zip(&want_positions).chain(got_normals.iter().zip(&want_normals)) {
                let close = got.iter().zip(want).all(|(g, w)| (g - w).abs() <= 1e-6 * w.abs().max(1.0));
                assert!(close, "{m:?}: {got:?} against {want:?}");
            }
        }
    }

    #[test]
    fn axis_turns_are_exact_rotations() {
        let turn = DMat3::from_rotation_x(-std::f64::consts::FRAC_PI_2) * 0.001;
        let rotation = rotation_part(turn).expect("a scaled rotation");
        assert_eq!(rotation.to_cols_array(), [1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0]);
        assert_eq!(rotation_part(DMat3::from_diagonal(DVec3::new(1.0, 1.0, 2.0))), None);
        assert_eq!(rotation_part(DMat3::ZERO), None);
    }

    fn quad(second_normal: [f32; 3]) -> FlatMesh {
        // Two triangles written STL-style, three vertices each, sharing the edge (1,0,0)–(0,1,0).
        let positions = vec![[0., 0., 0.], [1., 0., 0.], [0., 1., 0.], [1., 0., 0.], [1., 1., 0.], [0., 1., 0.]];
        let up = [0., 0., 1.];
        FlatMesh {
            name: "quad".into(),
            positions,
            normals: vec![up, up, up, second_normal, second_normal, second_normal],
            indices: (0..6).collect(),
            ..FlatMesh::default()
        }
    }

    #[test]
    fn weld_joins_identical_vertices_and_keeps_the_triangles() {
        let welded = weld(quad([0., 0., 1.]));
        assert_eq!(welded.positions.len(), 4);
        assert_eq!(welded.indices, vec![0, 1, 2, 1, 3, 2]);
        let corners = |m: &FlatMesh| m.indices.iter().map(|&i| m.positions[i as usize]).collect::<Vec<_>>();
        assert_eq!(corners(&welded), corners(&quad([0., 0., 1.])));
    }

    #[test]
    fn weld_keeps_vertices_apart_that_differ_in_any_attribute() {
        // A crease: same positions, different normals.
        assert_eq!(weld(quad([0., 0.6, 0.8])).positions.len(), 6);
        let mut coloured = quad([0., 0., 1.]);
        coloured.colors = Some(vec![[1.0; 4], [1.0; 4], [1.0; 4], [0.5, 1.0, 1.0, 1.0], [1.0; 4], [1.0; 4]]);
        // Vertex 3 differs in colour from vertex 1; vertex 5 equals vertex 2.
        assert_eq!(weld(coloured).positions.len(), 5);
    }

    #[test]
    fn merge_offsets_indices_and_fills_missing_attributes() {
        let mut a = quad([0., 0., 1.]);
        a.colors = Some(vec![[0.5; 4]; 6]);
        let merged = merge(vec![a, quad([0., 0., 1.])]);
        assert_eq!(merged.positions.len(), 12);
        assert_eq!(&merged.indices[6..], &[6, 7, 8, 9, 10, 11]);
        let colors = merged.colors.expect("colours kept");
        assert_eq!(colors[0], [0.5; 4]);
        assert_eq!(colors[11], [1.0; 4]);
    }
}
