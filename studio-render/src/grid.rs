//! Ground grid under the model, with a spacing that is a power of ten in file
//! units so the scale label reads as a round number.

use glam::Vec3;

use studio_model::model::Aabb;

/// Grid spacing: the largest power of ten that gives at least ~4 cells across the model.
pub fn grid_spacing(model_extent: f32) -> f32 {
    if !(model_extent.is_finite() && model_extent > 0.0) {
        return 1.0;
    }
    10f32.powf((model_extent / 4.0).log10().floor())
}

/// Line-list vertices (position, linear RGBA) for the grid.
pub struct GridLines {
    /// Line-list vertices: position x, y, z in the view world, then linear RGBA.
    pub vertices: Vec<[f32; 7]>,
    /// Distance between neighbouring lines, in model units.
    pub spacing: f32,
}

/// A square grid on the plane just below `bounds` (view world, Y up), centred under it.
pub fn build_grid(bounds: &Aabb) -> GridLines {
    let size = bounds.size();
    let extent = size.x.max(size.z).max(size.y * 0.5);
    let spacing = grid_spacing(extent);
    let center = bounds.center();
    // Cover about twice the model's footprint, in whole cells.
    let half_cells = ((extent / spacing).ceil() as i32).clamp(2, 200);
    let half = half_cells as f32 * spacing;
    let y = bounds.min.y;
    let origin = Vec3::new((center.x / spacing).round() * spacing, y, (center.z / spacing).round() * spacing);
    let minor = [0.5, 0.5, 0.55, 0.35];
    let major = [0.75, 0.75, 0.8, 0.6];
    let mut vertices = Vec::with_capacity((half_cells as usize * 2 + 1) * 4);
    for i in -half_cells..=half_cells {
        let color = if i % 10 == 0 { major } else { minor };
        let offset = i as f32 * spacing;
        let line = [
            (origin + Vec3::new(offset, 0.0, -half), origin + Vec3::new(offset, 0.0, half)),
            (origin + Vec3::new(-half, 0.0, offset), origin + Vec3::new(half, 0.0, offset)),
        ];
        for (a, b) in line {
            for p in [a, b] {
                vertices.push([p.x, p.y, p.z, color[0], color[1], color[2], color[3]]);
            }
        }
    }
    GridLines { vertices, spacing }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_is_a_power_of_ten_giving_a_few_cells() {
        assert_eq!(grid_spacing(20.0), 1.0);
        assert_eq!(grid_spacing(45.0), 10.0);
        assert!((grid_spacing(1.0) - 0.1).abs() < 1e-7);
        assert_eq!(grid_spacing(f32::NAN), 1.0);
    }
}
