//! World-space triangles with shared vertices: the input of every statistic and
//! health check.
//!
//! Files store a vertex once per use (STL: three per triangle) or split it at
//! normal and UV seams (glTF), so topology needs vertices joined by position.
//! Positions are joined when they agree to 8 decimal places, the convention of
//! trimesh's `merge_vertices` that the corpus reference values were made with; a
//! closer tolerance would call seams open, a looser one would join distinct points.

use glam::{DMat4, DVec3, Mat4};

use crate::fast_hash::FastHashMap;
use crate::model::Scene;

/// Decimal places to which positions must agree to be one vertex.
const WELD_DECIMALS: i32 = 8;

/// One part (a mesh placed by a node) as welded world-space triangles.
#[derive(Clone, Debug, Default)]
pub struct WeldedMesh {
    /// Node name, else mesh name, else "mesh N".
    pub name: String,
    /// Unique world positions, in the file's units.
    pub positions: Vec<DVec3>,
    /// Triangles as indices into `positions`, in file order.
    pub triangles: Vec<[u32; 3]>,
}

/// Joins positions into shared vertices.
#[derive(Default)]
pub(crate) struct Welder {
    ids: FastHashMap<[i64; 3], u32>,
    positions: Vec<DVec3>,
}

fn weld_key(p: DVec3) -> [i64; 3] {
    let scale = 10f64.powi(WELD_DECIMALS);
    // `as` saturates for coordinates beyond ±9.2e10, which then only weld with equals;
    // -0.0 and 0.0 both become 0.
    [(p.x * scale).round() as i64, (p.y * scale).round() as i64, (p.z * scale).round() as i64]
}

impl Welder {
    pub(crate) fn vertex(&mut self, p: DVec3) -> u32 {
        let next = self.positions.len() as u32;
        let id = *self.ids.entry(weld_key(p)).or_insert(next);
        if id == next {
            self.positions.push(p);
        }
        id
    }

    pub(crate) fn into_positions(self) -> Vec<DVec3> {
        self.positions
    }
}

/// Every mesh instance of the scene, transformed into world space and welded.
pub fn welded_meshes(scene: &Scene) -> Vec<WeldedMesh> {
    let instances = scene.mesh_instances();
    let mut out = Vec::with_capacity(instances.len());
    for (number, instance) in instances.iter().enumerate() {
        let mesh = &scene.meshes[instance.mesh];
        let world_from_mesh = DMat4::from_cols_array(&instance.world_from_mesh.to_cols_array().map(f64::from));
        let identity = instance.world_from_mesh == Mat4::IDENTITY;
        let mut welder = Welder::default();
        let mut triangles = Vec::with_capacity(mesh.primitives.iter().map(|p| p.indices.len() / 3).sum());
        for primitive in &mesh.primitives {
            // Each file position is transformed and welded once, however many triangles use it.
            let ids: Vec<u32> = primitive
                .positions
                .iter()
                .map(|p| {
                    let p = DVec3::from(p.map(f64::from));
                    welder.vertex(if identity { p } else { world_from_mesh.transform_point3(p) })
                })
                .collect();
            for tri in primitive.indices.chunks_exact(3) {
                // Indices were checked against the positions by the importer's sanity check.
                if let (Some(&a), Some(&b), Some(&c)) =
                    (ids.get(tri[0] as usize), ids.get(tri[1] as usize), ids.get(tri[2] as usize))
                {
                    triangles.push([a, b, c]);
                }
            }
        }
        let name = if mesh.name.is_empty() { format!("mesh {}", number + 1) } else { mesh.name.clone() };
        out.push(WeldedMesh { name, positions: welder.into_positions(), triangles });
    }
    out
}

/// All parts as one mesh, welded across parts (as a slicer sees the model).
pub fn merged(parts: &[WeldedMesh]) -> WeldedMesh {
    let mut welder = Welder::default();
    let mut triangles = Vec::with_capacity(parts.iter().map(|p| p.triangles.len()).sum());
    for part in parts {
        let ids: Vec<u32> = part.positions.iter().map(|&p| welder.vertex(p)).collect();
        triangles.extend(part.triangles.iter().map(|t| t.map(|i| ids[i as usize])));
    }
    WeldedMesh { name: "all".into(), positions: welder.into_positions(), triangles }
}
