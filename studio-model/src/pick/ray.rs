//! Rays and ray–triangle intersection (Möller–Trumbore), in f32.

use glam::Vec3;

/// A half-line from `origin` along unit `direction`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ray {
    /// Where the ray starts.
    pub origin: Vec3,
    /// Unit direction of travel.
    pub direction: Vec3,
}

impl Ray {
    /// `None` when `direction` has no length or anything is not finite.
    pub fn new(origin: Vec3, direction: Vec3) -> Option<Ray> {
        let direction = direction.try_normalize()?;
        origin.is_finite().then_some(Ray { origin, direction })
    }

    /// The point `distance` along the ray from its origin, in the ray's units.
    pub fn at(&self, distance: f32) -> Vec3 {
        self.origin + self.direction * distance
    }
}

/// Distance along the ray to triangle `abc`, if it is hit in front of the
/// origin; both faces count (a measurement can start on a back face).
pub fn hit_triangle(ray: &Ray, [a, b, c]: &[Vec3; 3]) -> Option<f32> {
    let ab = *b - *a;
    let ac = *c - *a;
    let p = ray.direction.cross(ac);
    let determinant = ab.dot(p);
    // Parallel to the plane, or a degenerate triangle.
    if determinant.abs() <= f32::EPSILON * ab.length_squared().max(ac.length_squared()) {
        return None;
    }
    let inverse = 1.0 / determinant;
    let s = ray.origin - *a;
    let u = s.dot(p) * inverse;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(ab);
    let v = ray.direction.dot(q) * inverse;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    let distance = ac.dot(q) * inverse;
    (distance > 0.0 && distance.is_finite()).then_some(distance)
}

/// Entry distance of the ray into the box `[min, max]` if it meets it before
/// `limit` (slab test; `inverse` is `1 / direction` per axis).
pub fn hit_box(origin: Vec3, inverse: Vec3, min: Vec3, max: Vec3, limit: f32) -> Option<f32> {
    let t1 = (min - origin) * inverse;
    let t2 = (max - origin) * inverse;
    // NaN (0 × ∞ when the origin is on a slab plane) is dropped by min/max.
    let near = t1.min(t2).max_element().max(0.0);
    let far = t1.max(t2).min_element().min(limit);
    (near <= far).then_some(near)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIANGLE: [Vec3; 3] = [Vec3::ZERO, Vec3::X, Vec3::Y];

    #[test]
    fn hits_from_either_side_and_misses_outside() {
        let down = Ray::new(Vec3::new(0.25, 0.25, 2.0), Vec3::NEG_Z).expect("ray");
        assert_eq!(hit_triangle(&down, &TRIANGLE), Some(2.0));
        let up = Ray::new(Vec3::new(0.25, 0.25, -1.0), Vec3::Z).expect("ray");
        assert_eq!(hit_triangle(&up, &TRIANGLE), Some(1.0));
        let outside = Ray::new(Vec3::new(0.75, 0.75, 2.0), Vec3::NEG_Z).expect("ray");
        assert_eq!(hit_triangle(&outside, &TRIANGLE), None);
        let behind = Ray::new(Vec3::new(0.25, 0.25, 2.0), Vec3::Z).expect("ray");
        assert_eq!(hit_triangle(&behind, &TRIANGLE), None);
        let parallel = Ray::new(Vec3::new(-1.0, 0.25, 0.0), Vec3::X).expect("ray");
        assert_eq!(hit_triangle(&parallel, &TRIANGLE), None);
    }

    #[test]
    fn box_test_handles_axis_parallel_rays() {
        let ray = Ray::new(Vec3::new(0.5, 0.5, -3.0), Vec3::Z).expect("ray");
        let inverse = ray.direction.recip();
        assert_eq!(hit_box(ray.origin, inverse, Vec3::ZERO, Vec3::ONE, f32::INFINITY), Some(3.0));
        assert_eq!(hit_box(ray.origin, inverse, Vec3::ZERO, Vec3::ONE, 2.0), None);
        let beside = Ray::new(Vec3::new(1.5, 0.5, -3.0), Vec3::Z).expect("ray");
        assert_eq!(hit_box(beside.origin, beside.direction.recip(), Vec3::ZERO, Vec3::ONE, f32::INFINITY), None);
    }

    #[test]
    fn degenerate_input_is_refused() {
        assert!(Ray::new(Vec3::ZERO, Vec3::ZERO).is_none());
        assert!(Ray::new(Vec3::splat(f32::NAN), Vec3::X).is_none());
    }
}
