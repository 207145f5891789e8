//! Native timing of the ASCII STL importer on a generated 1M-triangle file, the
//! shape the browser benchmark uses. Not a test of correctness; run with
//! `cargo test --release -p studio-model --test ascii_stl_timing -- --ignored --nocapture`.

use std::fmt::Write as _;
use std::time::Instant;

use studio_model::import::{Companions, import};

/// A 707×707 height field written like tests/bench/models.mjs writes it.
fn field_ascii(cells: usize) -> Vec<u8> {
    let height = |x: usize, y: usize| ((x as f32 * 0.05).sin() * (y as f32 * 0.07).cos()) * 3.0;
    let mut out = String::from("solid field\n");
    for y in 0..cells {
        for x in 0..cells {
            let p = |dx: usize, dy: usize| [(x + dx) as f32, (y + dy) as f32, height(x + dx, y + dy)];
            for tri in [[p(0, 0), p(1, 0), p(1, 1)], [p(0, 0), p(1, 1), p(0, 1)]] {
                let _ = write!(out, "facet normal {} {} {}\n outer loop\n", 0.0f32, -0.25f32, 0.968_245_8f32);
                for [a, b, c] in tri {
                    let _ = writeln!(out, "  vertex {} {} {}", a, b, c);
                }
                out.push_str(" endloop\nendfacet\n");
            }
        }
    }
    out.push_str("endsolid field\n");
    out.into_bytes()
}

#[test]
#[ignore = "timing, not a test: run explicitly"]
fn ascii_stl_import_time() {
    let bytes = field_ascii(707);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let scene = import("field.stl", &bytes, &Companions::new()).expect("imports");
        best = best.min(started.elapsed().as_secs_f64());
        assert_eq!(scene.scene_triangle_count(), 707 * 707 * 2);
    }
    println!("ASCII STL, {} MB, 999,698 triangles: best of 5 {:.1} ms", bytes.len() / 1_000_000, best * 1000.0);
}
