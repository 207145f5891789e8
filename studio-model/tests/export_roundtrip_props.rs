//! Property tests of export → import: for random meshes (random parts, random
//! triangles, coordinates over several orders of magnitude), writing each
//! format and reading the result back keeps the triangle count, the surface
//! area and the bounding box within 1e-5 relative (after the unit scaling the
//! conversion applies), and every part when parts are kept apart.
//!
//! The corpus round trips (`convert_roundtrip.rs`) cover real files; these
//! cover the shapes real files rarely have: one-triangle parts, slivers, far
//! from the origin, negative coordinates, many parts.

#[path = "support/round_trip.rs"]
mod round_trip;

use proptest::prelude::*;
use round_trip::{TARGETS, close, reimport};
use studio_model::export::{ExportOptions, TargetFormat, export};
use studio_model::inspect::{Stats, inspect};
use studio_model::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals};

/// A coordinate: mostly everyday sizes, sometimes tiny or large, either sign.
fn coordinate() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -500.0f32..500.0,
        1 => -1.0f32..1.0,
        1 => 1.0e4f32..1.0e5,
    ]
}

fn triangle() -> impl Strategy<Value = [[f32; 3]; 3]> {
    proptest::array::uniform3(proptest::array::uniform3(coordinate()))
        // Degenerate triangles have no area to compare and some readers drop them.
        .prop_filter("not degenerate", |t| triangle_area(t) > 1e-3)
}

fn triangle_area([a, b, c]: &[[f32; 3]; 3]) -> f64 {
    let v = |p: &[f32; 3]| glam::DVec3::new(p[0].into(), p[1].into(), p[2].into());
    (v(b) - v(a)).cross(v(c) - v(a)).length() / 2.0
}

/// Parts, each a list of separate triangles (three vertices each) or, when
/// `shared`, a strip of triangles sharing vertices.
fn scene() -> impl Strategy<Value = Scene> {
    let part = (proptest::collection::vec(triangle(), 1..24), any::<bool>());
    proptest::collection::vec(part, 1..4).prop_map(|parts| {
        let meshes = parts
            .into_iter()
            .enumerate()
            .map(|(i, (triangles, shared))| {
                let mut positions: Vec<[f32; 3]> = Vec::new();
                let mut indices = Vec::new();
                if shared {
                    // Each triangle after the first reuses two corners of the one before.
                    positions.extend(triangles[0]);
                    indices.extend([0, 1, 2]);
                    for t in &triangles[1..] {
                        let n = positions.len() as u32;
                        positions.push(t[2]);
                        indices.extend([n - 2, n - 1, n]);
                    }
                } else {
                    for t in &triangles {
                        indices.extend((0..3).map(|k| (positions.len() + k) as u32));
                        positions.extend(t);
                    }
                }
                let normals = compute_vertex_normals(&positions, &indices);
                let primitive = Primitive { positions, normals, indices, ..Primitive::default() };
                Mesh { name: format!("part {i}"), primitives: vec![primitive] }
            })
            .collect();
        Scene::from_meshes(SourceFormat::StlBinary, UpAxis::Z, meshes, Vec::new())
    })
}

/// What differs between `before` (scaled by `factor`) and `after`.
fn differences(before: &Stats, after: &Stats, factor: f64) -> Vec<String> {
    let mut problems = Vec::new();
    if before.triangles != after.triangles {
        problems.push(format!("triangles {} → {}", before.triangles, after.triangles));
    }
    if !close(after.area, before.area * factor * factor, 0.0) {
        problems.push(format!("area {} → {} (× {factor}²)", before.area, after.area));
    }
    let size = (0..3).map(|k| before.bounds_max[k] - before.bounds_min[k]).fold(0.0, f64::max) * factor;
    for k in 0..3 {
        for (x, y) in [(before.bounds_min[k], after.bounds_min[k]), (before.bounds_max[k], after.bounds_max[k])] {
            if !close(y, x * factor, size) {
                problems.push(format!("bounds[{k}] {x} → {y} (× {factor})"));
            }
        }
    }
    problems
}

proptest! {
    // Each case writes ten formats; 40 cases keep this test to seconds.
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_format_keeps_triangles_area_and_bounds(scene in scene()) {
        let before = inspect(&scene);
        for target in TARGETS {
            let (files, report) = export(scene.clone(), "random.stl", &ExportOptions::new(target))
                .unwrap_or_else(|e| panic!("{target:?}: {e}"));
            prop_assert_eq!(report.triangles_out, report.triangles_in);
            let after = inspect(&reimport(&files));
            // Millimetres in; glTF writes metres, the others millimetres.
            let factor = 0.001 / target.fixed_unit_metres().unwrap_or(0.001);
            let problems = differences(&before.total.stats, &after.total.stats, factor);
            prop_assert!(problems.is_empty(), "{:?}: {}", target, problems.join("; "));
            // Parts stay parts in every format that has them (STL binary, PLY and OFF hold one mesh).
            let has_parts = !matches!(target, TargetFormat::StlBinary | TargetFormat::PlyBinary | TargetFormat::PlyAscii | TargetFormat::Off);
            if has_parts {
                prop_assert_eq!(after.parts.len(), before.parts.len(), "{:?}", target);
                for (b, a) in before.parts.iter().zip(&after.parts) {
                    let problems = differences(&b.stats, &a.stats, factor);
                    prop_assert!(problems.is_empty(), "{:?} part '{}': {}", target, b.name, problems.join("; "));
                }
            }
        }
    }

    #[test]
    fn merging_and_welding_keep_the_surface(scene in scene()) {
        let before = inspect(&scene).total.stats;
        // STL and OFF keep no vertex normals, which flattening then skips unless welding needs them.
        for target in [TargetFormat::Glb, TargetFormat::Obj, TargetFormat::PlyBinary, TargetFormat::StlBinary, TargetFormat::Off] {
            let mut options = ExportOptions::new(target);
            options.merge = true;
            options.weld = true;
            let (files, _) = export(scene.clone(), "random.stl", &options).unwrap_or_else(|e| panic!("{target:?}: {e}"));
            let merged = reimport(&files);
            prop_assert_eq!(merged.meshes.len(), 1, "{:?}", target);
            let factor = 0.001 / target.fixed_unit_metres().unwrap_or(0.001);
            let problems = differences(&before, &inspect(&merged).total.stats, factor);
            prop_assert!(problems.is_empty(), "{:?}: {}", target, problems.join("; "));
        }
    }
}
