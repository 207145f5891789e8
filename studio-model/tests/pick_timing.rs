//! Picking speed on 1M triangles: hierarchy build time and time per pick (a
//! benchmark run by `cargo xtask bench` in release; ignored by `cargo test`).
//! Prints one line `PICK_TIMING {json}`.

use std::time::Instant;

use glam::Vec3;
use studio_model::pick::bvh::Bvh;
use studio_model::pick::ray::Ray;

/// The benchmark height field: `cells × cells` quads, two triangles each.
fn height_field(cells: usize) -> Vec<[Vec3; 3]> {
    let z = |i: usize, j: usize| (i as f32 * 0.05).sin() * (j as f32 * 0.05).cos() * 5.0;
    let p = |i: usize, j: usize| Vec3::new(i as f32, j as f32, z(i, j));
    let mut triangles = Vec::with_capacity(cells * cells * 2);
    for i in 0..cells {
        for j in 0..cells {
            triangles.push([p(i, j), p(i + 1, j), p(i + 1, j + 1)]);
            triangles.push([p(i, j), p(i + 1, j + 1), p(i, j + 1)]);
        }
    }
    triangles
}

#[test]
#[ignore = "benchmark: run by cargo xtask bench"]
fn pick_timing() {
    let triangles = height_field(708);
    let mut build_ms = Vec::new();
    let mut bvh = Bvh::default();
    for _ in 0..3 {
        let started = Instant::now();
        bvh = Bvh::build(&triangles);
        build_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // Rays as a camera above the field sends them: from one eye through a grid
    // of screen points, most of them hitting.
    let eye = Vec3::new(354.0, -300.0, 400.0);
    let rays: Vec<Ray> = (0..100)
        .flat_map(|i| (0..100).map(move |j| Vec3::new(i as f32 * 7.08, j as f32 * 7.08, 0.0)))
        .filter_map(|target| Ray::new(eye, target - eye))
        .collect();
    let started = Instant::now();
    let hits = rays.iter().filter(|ray| bvh.cast(ray, f32::INFINITY).is_some()).count();
    let pick_us = started.elapsed().as_secs_f64() * 1e6 / rays.len() as f64;
    build_ms.sort_by(f64::total_cmp);
    println!(
        "PICK_TIMING {{\"triangles\": {}, \"build_ms\": {:.1}, \"pick_us\": {:.2}, \"rays\": {}, \"hits\": {}}}",
        triangles.len(),
        build_ms[1],
        pick_us,
        rays.len(),
        hits
    );
    assert!(hits > rays.len() / 2);
}
