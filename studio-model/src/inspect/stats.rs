//! Surface area, volume, centre of mass and bounds of welded world-space triangles.

use glam::DVec3;
use serde::Serialize;

use super::health::{Health, signed_volume6};
use super::weld::WeldedMesh;

/// Measurements of one welded mesh, in world space (node transforms applied) and the file's units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Number of triangles measured.
    pub triangles: usize,
    /// Square file units.
    pub area: f64,
    /// Cubic file units; `None` when the surface is not closed and consistently
    /// wound, where a volume means nothing ("not closed: no volume"). Negative
    /// for a mesh turned inside out.
    pub volume: Option<f64>,
    /// Of a solid of uniform density when there is a volume, else of the surface.
    pub center_of_mass: [f64; 3],
    /// Lowest corner of the box around the vertices that triangles use, in file units and axes (zero when there are none).
    pub bounds_min: [f64; 3],
    /// Highest corner of that box, in file units and axes.
    pub bounds_max: [f64; 3],
}

/// Measures `mesh`; `health` decides whether a volume is given.
pub fn stats(mesh: &WeldedMesh, health: &Health) -> Stats {
    let mut area_times2 = 0.0;
    let mut volume6 = 0.0;
    // Σ area × centroid, and Σ volume × tetrahedron centroid (the origin is its fourth corner).
    let mut area_moment = DVec3::ZERO;
    let mut volume_moment = DVec3::ZERO;
    for &tri in &mesh.triangles {
        let [a, b, c] = tri.map(|i| mesh.positions[i as usize]);
        let double_area = (b - a).cross(c - a).length();
        area_times2 += double_area;
        area_moment += double_area * (a + b + c) / 3.0;
        let v6 = signed_volume6(&mesh.positions, tri);
        volume6 += v6;
        volume_moment += v6 * (a + b + c) / 4.0;
    }
    let (mut min, mut max) = (DVec3::splat(f64::INFINITY), DVec3::splat(f64::NEG_INFINITY));
    // Only vertices that triangles use: a stray point must not stretch the box.
    let mut used = vec![false; mesh.positions.len()];
    for tri in &mesh.triangles {
        for &i in tri {
            used[i as usize] = true;
        }
    }
    for (p, _) in mesh.positions.iter().zip(&used).filter(|(_, u)| **u) {
        min = min.min(*p);
        max = max.max(*p);
    }
    if mesh.triangles.is_empty() {
        (min, max) = (DVec3::ZERO, DVec3::ZERO);
    }
    let volume = (health.closed && health.winding_consistent).then_some(volume6 / 6.0);
    let center = match volume {
        Some(_) if volume6 != 0.0 => volume_moment / volume6,
        _ if area_times2 > 0.0 => area_moment / area_times2,
        _ => (min + max) / 2.0,
    };
    Stats {
        triangles: mesh.triangles.len(),
        area: area_times2 / 2.0,
        volume,
        center_of_mass: center.to_array(),
        bounds_min: min.to_array(),
        bounds_max: max.to_array(),
    }
}
