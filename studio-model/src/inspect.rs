//! Inspection of a loaded scene, independent of the view: statistics (area,
//! volume, centre of mass, bounds) and mesh health, per part and for the whole
//! model, in world space (node transforms applied) and in the file's units.
//!
//! ```text
//! Scene ──weld──▶ WeldedMesh per part ──▶ health (edges, fans, shells) ──▶ stats
//!                      └──merged──▶ WeldedMesh of the whole model ──▶ …
//! ```

pub mod health;
pub mod show;
pub mod stats;
mod union_find;
pub mod weld;

use serde::Serialize;

pub use health::{Health, Highlights};
pub use stats::Stats;
pub use weld::{WeldedMesh, merged, welded_meshes};

use crate::model::Scene;

/// Statistics and health of one part, or of the whole model.
#[derive(Clone, Debug, Serialize)]
pub struct PartReport {
    /// The part's name (node name, else mesh name, else "mesh N"); "all" for the whole model.
    pub name: String,
    /// Area, volume, centre of mass and bounds, in world space and the file's units.
    pub stats: Stats,
    /// Closedness, winding and the other topology checks.
    pub health: Health,
}

/// Every part, and the whole model as one mesh welded across parts.
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// One report per part, in [`Scene::mesh_instances`] order.
    pub parts: Vec<PartReport>,
    /// The whole model as one mesh welded across parts; its winding verdict is that of every part.
    pub total: PartReport,
}

/// Health, then statistics (which depend on it), of one welded mesh.
pub fn report(mesh: &WeldedMesh) -> PartReport {
    let health = health::health(mesh);
    let stats = stats::stats(mesh, &health);
    PartReport { name: mesh.name.clone(), stats, health }
}

/// Inspects every part of `scene` and the whole model.
pub fn inspect(scene: &Scene) -> Inspection {
    inspect_keeping_whole(scene).0
}

/// [`inspect`], and the whole model's welded mesh that the total's highlights
/// index into (for "show me").
pub fn inspect_keeping_whole(scene: &Scene) -> (Inspection, WeldedMesh) {
    let parts = welded_meshes(scene);
    let whole = merged(&parts);
    let mut total = report(&whole);
    let parts: Vec<PartReport> = parts.iter().map(report).collect();
    // Winding is a property of each surface: two parts that touch (gears on a
    // shaft) may share an edge in the same direction without either being wrong.
    total.health.winding_consistent = parts.iter().all(|p| p.health.winding_consistent);
    (Inspection { parts, total }, whole)
}
