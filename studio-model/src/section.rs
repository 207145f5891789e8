//! Cross-sections: where a plane cuts the model, its area and its perimeter.
//!
//! Each triangle that the plane crosses contributes one segment. Segments are
//! oriented by the triangle's winding (along `plane normal × face normal`), so
//! that around material they run counter-clockwise seen from the side the
//! normal points to; the area is then `½ Σ (a × b) · n` over all segments, with
//! holes subtracting themselves, and no chaining of segments into loops is
//! needed. The perimeter is the sum of the segment lengths. Both assume a
//! closed, consistently wound surface, as a volume does.

use glam::{DVec3, Vec3};

/// The plane `normal · p = offset`, `normal` of unit length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plane {
    /// Unit normal of the plane, in model space.
    pub normal: Vec3,
    /// Signed distance of the plane from the origin along `normal`, in model units.
    pub offset: f32,
}

/// Where a plane cuts the model: area and perimeter of the cut, and its outline to draw.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Section {
    /// Square model units.
    pub area: f64,
    /// Model units.
    pub perimeter: f64,
    /// Number of cut segments.
    pub segments: usize,
    /// The cut's outline as a line list (x, y, z per point), in model units.
    #[serde(skip)]
    pub lines: Vec<f32>,
}

/// The smallest and largest `normal · p` over the triangles' corners: the range
/// a section plane can sweep through.
pub fn extent(triangles: &[[Vec3; 3]], normal: Vec3) -> (f32, f32) {
    triangles.iter().flatten().filter(|p| p.is_finite()).fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| {
        let d = normal.dot(*p);
        (lo.min(d), hi.max(d))
    })
}

/// The cut of `triangles` (model space) by `plane`; meaningful for a closed, consistently wound surface.
pub fn section(triangles: &[[Vec3; 3]], plane: Plane) -> Section {
    let n = plane.normal.as_dvec3();
    let offset = f64::from(plane.offset);
    let mut out = Section::default();
    let mut area_twice = 0.0;
    for corners in triangles {
        let p = corners.map(Vec3::as_dvec3);
        let s = p.map(|q| n.dot(q) - offset);
        // A corner exactly on the plane counts as below, the same for every
        // triangle that shares it, so neighbours agree on the crossing points.
        let above = s.map(|d| d > 0.0);
        if above.iter().all(|a| *a) || above.iter().all(|a| !*a) {
            continue;
        }
        let mut crossing = Vec::with_capacity(2);
        for (i, j) in [(0, 1), (1, 2), (2, 0)] {
            if above[i] != above[j] {
                let t = s[i] / (s[i] - s[j]);
                crossing.push(p[i] + (p[j] - p[i]) * t);
            }
        }
        let [mut a, mut b] = [crossing[0], crossing[1]];
        let face = (p[1] - p[0]).cross(p[2] - p[0]);
        if (b - a).dot(n.cross(face)) < 0.0 {
            std::mem::swap(&mut a, &mut b);
        }
        area_twice += a.cross(b).dot(n);
        out.perimeter += (b - a).length();
        out.segments += 1;
        out.lines.extend([a, b].iter().flat_map(|q: &DVec3| q.as_vec3().to_array()));
    }
    out.area = area_twice / 2.0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outward-wound triangles of the box `[min, max]`.
    fn cuboid(min: Vec3, max: Vec3) -> Vec<[Vec3; 3]> {
        let v = |x: usize, y: usize, z: usize| Vec3::new([min.x, max.x][x], [min.y, max.y][y], [min.z, max.z][z]);
        let quads = [
            [v(0, 0, 0), v(0, 1, 0), v(1, 1, 0), v(1, 0, 0)],
            [v(0, 0, 1), v(1, 0, 1), v(1, 1, 1), v(0, 1, 1)],
            [v(0, 0, 0), v(1, 0, 0), v(1, 0, 1), v(0, 0, 1)],
            [v(0, 1, 0), v(0, 1, 1), v(1, 1, 1), v(1, 1, 0)],
            [v(0, 0, 0), v(0, 0, 1), v(0, 1, 1), v(0, 1, 0)],
            [v(1, 0, 0), v(1, 1, 0), v(1, 1, 1), v(1, 0, 1)],
        ];
        quads.iter().flat_map(|[a, b, c, d]| [[*a, *b, *c], [*a, *c, *d]]).collect()
    }

    fn flipped(triangles: Vec<[Vec3; 3]>) -> Vec<[Vec3; 3]> {
        triangles.into_iter().map(|[a, b, c]| [a, c, b]).collect()
    }

    #[test]
    fn a_cube_cut_across_and_along_a_diagonal() {
        let cube = cuboid(Vec3::ZERO, Vec3::splat(20.0));
        let across = section(&cube, Plane { normal: Vec3::Z, offset: 5.0 });
        assert!((across.area - 400.0).abs() < 1e-9 && (across.perimeter - 80.0).abs() < 1e-9, "{across:?}");
        assert_eq!(across.lines.len(), across.segments * 6);
        // Seen from the other side the area is the same (the orientation follows the normal).
        let below = section(&cube, Plane { normal: -Vec3::Z, offset: -5.0 });
        assert!((below.area - 400.0).abs() < 1e-9);
        // Through two opposite edges: a 20 × 20√2 rectangle.
        let diagonal = Vec3::new(1.0, -1.0, 0.0).normalize();
        let cut = section(&cube, Plane { normal: diagonal, offset: 0.0 });
        assert!((cut.area - 400.0 * 2f64.sqrt()).abs() < 1e-3, "{cut:?}");
        assert!((cut.perimeter - (40.0 + 40.0 * 2f64.sqrt())).abs() < 1e-3);
        assert_eq!(extent(&cube, Vec3::Z), (0.0, 20.0));
    }

    #[test]
    fn a_cavity_subtracts_and_separate_parts_add() {
        // A 20 mm cube with a 10 mm cavity (its surface wound inwards).
        let mut hollow = cuboid(Vec3::ZERO, Vec3::splat(20.0));
        hollow.extend(flipped(cuboid(Vec3::splat(5.0), Vec3::splat(15.0))));
        let cut = section(&hollow, Plane { normal: Vec3::Z, offset: 10.0 });
        assert!((cut.area - 300.0).abs() < 1e-9, "{cut:?}");
        assert!((cut.perimeter - 120.0).abs() < 1e-9);
        // Two cubes side by side.
        let mut two = cuboid(Vec3::ZERO, Vec3::splat(10.0));
        two.extend(cuboid(Vec3::new(20.0, 0.0, 0.0), Vec3::new(30.0, 10.0, 10.0)));
        assert!((section(&two, Plane { normal: Vec3::X, offset: 25.0 }).area - 100.0).abs() < 1e-9);
        assert!((section(&two, Plane { normal: Vec3::Y, offset: 5.0 }).area - 200.0).abs() < 1e-9);
        // A plane missing the model.
        assert_eq!(section(&two, Plane { normal: Vec3::Z, offset: 50.0 }), Section::default());
    }
}
