//! Picking: the hierarchy's first hit equals testing every triangle, for 10,000
//! random rays over a 100,000-triangle mesh (a bumpy torus, plus rays that miss,
//! graze, or start inside the mesh).

use glam::Vec3;
use studio_model::pick::bvh::{Bvh, cast_brute_force};
use studio_model::pick::ray::Ray;

/// xorshift64*: a fixed, dependency-free stream of test numbers.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32) / (1u64 << 24) as f32
    }

    fn in_box(&mut self, half: f32) -> Vec3 {
        Vec3::new(self.next() - 0.5, self.next() - 0.5, self.next() - 0.5) * 2.0 * half
    }
}

/// A torus of `rings × sides` quads (two triangles each) with a bumpy surface.
fn bumpy_torus(rings: usize, sides: usize) -> Vec<[Vec3; 3]> {
    let point = |i: usize, j: usize| {
        let u = (i % rings) as f32 / rings as f32 * std::f32::consts::TAU;
        let v = (j % sides) as f32 / sides as f32 * std::f32::consts::TAU;
        let r = 1.0 + 0.05 * (7.0 * u).sin() * (5.0 * v).cos();
        Vec3::new((3.0 + r * v.cos()) * u.cos(), (3.0 + r * v.cos()) * u.sin(), r * v.sin())
    };
    let mut triangles = Vec::with_capacity(rings * sides * 2);
    for i in 0..rings {
        for j in 0..sides {
            let (a, b, c, d) = (point(i, j), point(i + 1, j), point(i + 1, j + 1), point(i, j + 1));
            triangles.push([a, b, c]);
            triangles.push([a, c, d]);
        }
    }
    triangles
}

#[test]
fn bvh_hits_equal_brute_force_hits() {
    let triangles = bumpy_torus(250, 200);
    assert_eq!(triangles.len(), 100_000);
    let bvh = Bvh::build(&triangles);
    assert_eq!(bvh.len(), 100_000);
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let (mut hits, mut misses) = (0, 0);
    for i in 0..10_000 {
        // From outside towards a point near the torus; every tenth from inside the
        // tube; every hundredth along an axis (zero direction components).
        let origin = if i % 10 == 0 { random.in_box(1.0) + Vec3::new(3.0, 0.0, 0.0) } else { random.in_box(8.0) };
        let towards = random.in_box(4.5);
        let direction =
            if i % 100 == 0 { Vec3::Z * if random.next() < 0.5 { 1.0 } else { -1.0 } } else { towards - origin };
        let Some(ray) = Ray::new(origin, direction) else { continue };
        let expected = cast_brute_force(&triangles, &ray, f32::INFINITY);
        assert_eq!(bvh.cast(&ray, f32::INFINITY), expected, "ray {i}: {ray:?}");
        if expected.is_some() { hits += 1 } else { misses += 1 }
    }
    // Both outcomes well represented, or the comparison proves little.
    assert!(hits > 3_000 && misses > 1_000, "{hits} hits, {misses} misses");
}

#[test]
fn max_distance_limits_the_hit() {
    let triangles = bumpy_torus(40, 20);
    let bvh = Bvh::build(&triangles);
    let ray = Ray::new(Vec3::new(0.0, 0.0, 10.0), Vec3::new(3.0, 0.0, -10.0)).expect("ray");
    let hit = bvh.cast(&ray, f32::INFINITY).expect("hits the torus");
    assert_eq!(bvh.cast(&ray, hit.distance * 0.99), None);
    assert_eq!(bvh.cast(&ray, hit.distance), Some(hit));
}

#[test]
fn degenerate_inputs_build_and_answer() {
    // No triangles; a thousand copies of one triangle (no plane separates their
    // centroids); triangles with NaN corners (left out).
    assert_eq!(Bvh::build(&[]).cast(&Ray::new(Vec3::ZERO, Vec3::X).expect("ray"), f32::INFINITY), None);
    let one = [Vec3::ZERO, Vec3::X, Vec3::Y];
    let copies = vec![one; 1000];
    let bvh = Bvh::build(&copies);
    let ray = Ray::new(Vec3::new(0.2, 0.2, 1.0), Vec3::NEG_Z).expect("ray");
    assert_eq!(bvh.cast(&ray, f32::INFINITY).map(|h| h.triangle), Some(0), "lowest number wins a tie");
    let broken = vec![[Vec3::NAN, Vec3::X, Vec3::Y], one];
    let bvh = Bvh::build(&broken);
    assert_eq!(bvh.len(), 1);
    assert_eq!(bvh.cast(&ray, f32::INFINITY).map(|h| h.triangle), Some(1));
}
