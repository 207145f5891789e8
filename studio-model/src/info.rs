//! The model summary shown in the info panel, sent to the page as JSON.

use crate::model::{LengthUnit, Scene};

/// Summary of a loaded model for the info panel: counts, size and warnings.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelInfo {
    /// The file name as the user gave it.
    pub file_name: String,
    /// Human label of the format read, from [`SourceFormat::label`](crate::model::SourceFormat::label).
    pub format: String,
    /// The unit the format fixes ("m" for glTF, "mm" for 3MF), or `null` when
    /// the file has none and the user says what its numbers are.
    pub unit: Option<LengthUnit>,
    /// Number of unique meshes (a mesh placed twice counts once).
    pub meshes: usize,
    /// Vertices stored in the unique meshes.
    pub vertices: usize,
    /// Triangles drawn by the scene (a mesh used by two nodes counts twice).
    pub triangles: usize,
    /// World-space bounding-box size in file units.
    pub size: [f32; 3],
    /// Its lowest corner (file units and axes).
    pub min: [f32; 3],
    /// The importer's non-fatal notes for the user, one sentence each.
    pub warnings: Vec<String>,
    /// Each placed mesh, as the Convert dialog lists them to choose from.
    pub parts: Vec<PartInfo>,
}

/// One placed mesh (a "part") as listed in the Convert dialog.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PartInfo {
    /// The part's name: its mesh's name, else "mesh N".
    pub name: String,
    /// Triangles in this part's mesh.
    pub triangles: usize,
}

impl ModelInfo {
    /// The summary of `scene`, loaded from a file called `file_name`.
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
