//! The model summary shown in the info panel, sent to the page as JSON.

use crate::model::{LengthUnit, Scene};

#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelInfo {
    pub file_name: String,
    pub format: String,
    /// The unit the format fixes ("m" for glTF, "mm" for 3MF), or `null` when
    /// the file has none and the user says what its numbers are.
    pub unit: Option<LengthUnit>,
    pub meshes: usize,
    pub vertices: usize,
    /// Triangles drawn by the scene (a mesh used by two nodes counts twice).
    pub triangles: usize,
    /// World-space bounding-box size in file units.
    pub size: [f32; 3],
    /// Its lowest corner (file units and axes).
    pub min: [f32; 3],
    pub warnings: Vec<String>,
    /// Each placed mesh, as the Convert dialog lists them to choose from.
    pub parts: Vec<PartInfo>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PartInfo {
    pub name: String,
    pub triangles: usize,
}

impl ModelInfo {
    pub fn of(file_name: &str, scene: &Scene) -> ModelInfo {
        // One pass over the vertices, not one per field.
        let bounds = scene.world_bounds();
        ModelInfo {
            file_name: file_name.to_string(),
            format: scene.format.label().to_string(),
            unit: scene.format.fixed_unit(),
            meshes: scene.meshes.len(),
            vertices: scene.vertex_count(),
            triangles: scene.scene_triangle_count(),
            size: bounds.size().to_array(),
            min: bounds.min.to_array(),
            warnings: scene.warnings.clone(),
            parts: scene
                .part_names()
                .into_iter()
                .zip(scene.mesh_instances())
                .map(|(name, instance)| PartInfo {
                    name,
                    triangles: scene.meshes[instance.mesh].primitives.iter().map(|p| p.triangle_count()).sum(),
                })
                .collect(),
        }
    }
}
