//! Statistics and health on meshes built here, whose answers are known exactly:
//! a cube, a torus, an open box, two disjoint cubes, a cube with one flipped face,
//! and a bow-tie (two triangles sharing only a vertex).

use studio_model::inspect::{Health, Inspection, inspect};
use studio_model::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis};

/// A scene with one mesh per entry, triangles given as vertex triples (unshared,
/// as STL stores them: the inspector has to weld them).
fn scene(parts: &[Vec<[[f32; 3]; 3]>]) -> Scene {
    let meshes = parts
        .iter()
        .enumerate()
        .map(|(i, triangles)| {
            let positions: Vec<[f32; 3]> = triangles.iter().flatten().copied().collect();
            let indices = (0..positions.len() as u32).collect();
            let normals = vec![[0.0, 0.0, 1.0]; positions.len()];
            Mesh {
                name: format!("part {i}"),
                primitives: vec![Primitive { positions, normals, indices, ..Primitive::default() }],
            }
        })
        .collect();
    Scene::from_meshes(SourceFormat::StlBinary, UpAxis::Z, meshes, Vec::new())
}

/// An axis-aligned cube from `min` with edge `size`, outward-facing (counter-clockwise seen from outside).
fn cube(min: [f32; 3], size: f32) -> Vec<[[f32; 3]; 3]> {
    let p =
        |x: usize, y: usize, z: usize| [min[0] + size * x as f32, min[1] + size * y as f32, min[2] + size * z as f32];
    // Each face as a quad a-b-c-d, counter-clockwise from outside.
    let quads = [
        [p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)], // bottom (−z)
        [p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)], // top (+z)
        [p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)], // front (−y)
        [p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0)], // back (+y)
        [p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0)], // left (−x)
        [p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)], // right (+x)
    ];
    quads.iter().flat_map(|[a, b, c, d]| [[*a, *b, *c], [*a, *c, *d]]).collect()
}

/// A torus of `rings` × `sides` quads (major radius 2, minor 0.5), outward-facing.
fn torus(rings: usize, sides: usize) -> Vec<[[f32; 3]; 3]> {
    let point = |i: usize, j: usize| {
        let (u, v) = (
            (i % rings) as f32 / rings as f32 * std::f32::consts::TAU,
            (j % sides) as f32 / sides as f32 * std::f32::consts::TAU,
        );
        let r = 2.0 + 0.5 * v.cos();
        [r * u.cos(), r * u.sin(), 0.5 * v.sin()]
    };
    let mut out = Vec::new();
    for i in 0..rings {
        for j in 0..sides {
            let (a, b, c, d) = (point(i, j), point(i + 1, j), point(i + 1, j + 1), point(i, j + 1));
            out.push([a, b, c]);
            out.push([a, c, d]);
        }
    }
    out
}

fn expect(health: &Health, closed: bool, shells: usize, boundary: usize, inconsistent: usize, inverted: usize) {
    assert_eq!(health.closed, closed, "closed: {health:?}");
    assert_eq!(health.shells, shells, "shells: {health:?}");
    assert_eq!(health.boundary_edges, boundary, "boundary edges: {health:?}");
    assert_eq!(health.inconsistent_edges, inconsistent, "inconsistent edges: {health:?}");
    assert_eq!(health.inverted_shells, inverted, "inverted shells: {health:?}");
    assert_eq!(health.non_manifold_edges, 0, "non-manifold edges: {health:?}");
    assert_eq!(health.degenerate_triangles, 0, "degenerate: {health:?}");
    assert_eq!(health.duplicate_triangles, 0, "duplicates: {health:?}");
}

fn total(scene: &Scene) -> Inspection {
    inspect(scene)
}

#[test]
fn closed_cube() {
    let report = total(&scene(&[cube([1.0, 2.0, 3.0], 2.0)])).total;
    expect(&report.health, true, 1, 0, 0, 0);
    assert_eq!(report.health.non_manifold_vertices, 0);
    assert!(report.health.winding_consistent);
    assert_eq!(report.stats.triangles, 12);
    assert!((report.stats.area - 24.0).abs() < 1e-12);
    assert!((report.stats.volume.expect("closed") - 8.0).abs() < 1e-12);
    assert_eq!(report.stats.bounds_min, [1.0, 2.0, 3.0]);
    assert_eq!(report.stats.bounds_max, [3.0, 4.0, 5.0]);
    for (got, want) in report.stats.center_of_mass.iter().zip([2.0, 3.0, 4.0]) {
        assert!((got - want).abs() < 1e-12, "centre {:?}", report.stats.center_of_mass);
    }
}

#[test]
fn torus_is_one_closed_shell_with_the_polyhedron_volume() {
    let (rings, sides) = (48, 24);
    let report = total(&scene(&[torus(rings, sides)])).total;
    expect(&report.health, true, 1, 0, 0, 0);
    assert_eq!(report.health.non_manifold_vertices, 0);
    // The polygonal torus is slightly smaller than the smooth one (2π²Rr² = 9.8696…):
    // within 2 % at this resolution, and positive (outward-facing).
    let volume = report.stats.volume.expect("closed");
    let smooth = 2.0 * std::f64::consts::PI.powi(2) * 2.0 * 0.25;
    assert!(volume > 0.0 && (volume - smooth).abs() / smooth < 0.02, "volume {volume}");
    assert_eq!(report.stats.triangles, rings * sides * 2);
}

#[test]
fn open_box_has_four_boundary_edges_and_no_volume() {
    let mut triangles = cube([0.0; 3], 1.0);
    triangles.drain(2..4); // remove the top face
    let report = total(&scene(&[triangles])).total;
    expect(&report.health, false, 1, 4, 0, 0);
    assert_eq!(report.stats.volume, None, "not closed: no volume");
    assert!((report.stats.area - 5.0).abs() < 1e-12);
    assert_eq!(report.health.highlights.boundary_edges.len(), 4);
}

#[test]
fn two_disjoint_cubes_are_two_shells_in_one_part_or_two() {
    let mut one_part = cube([0.0; 3], 1.0);
    one_part.extend(cube([5.0, 0.0, 0.0], 2.0));
    let report = total(&scene(&[one_part])).total;
    expect(&report.health, true, 2, 0, 0, 0);
    assert!((report.stats.volume.expect("closed") - 9.0).abs() < 1e-12);

    let inspection = total(&scene(&[cube([0.0; 3], 1.0), cube([5.0, 0.0, 0.0], 2.0)]));
    assert_eq!(inspection.parts.len(), 2);
    assert!((inspection.parts[1].stats.volume.expect("closed") - 8.0).abs() < 1e-12);
    expect(&inspection.total.health, true, 2, 0, 0, 0);
}

#[test]
fn one_flipped_face_breaks_winding_but_not_closedness() {
    let mut triangles = cube([0.0; 3], 1.0);
    let [a, b, c] = triangles[0];
    triangles[0] = [a, c, b];
    let report = total(&scene(&[triangles])).total;
    // The flipped triangle's three edges each run the same way as their neighbour's.
    expect(&report.health, true, 1, 0, 3, 0);
    assert!(!report.health.winding_consistent);
    assert_eq!(report.stats.volume, None, "inconsistent winding: no volume");
}

#[test]
fn inside_out_cube_is_an_inverted_shell() {
    let triangles: Vec<_> = cube([0.0; 3], 1.0).into_iter().map(|[a, b, c]| [a, c, b]).collect();
    let report = total(&scene(&[triangles])).total;
    expect(&report.health, true, 1, 0, 0, 1);
    assert_eq!(report.health.highlights.inverted_shell_triangles.len(), 12);
    assert!((report.stats.volume.expect("closed and consistent") + 1.0).abs() < 1e-12);
}

#[test]
fn bow_tie_has_one_non_manifold_vertex() {
    let triangles = vec![
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        [[0.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]],
    ];
    let report = total(&scene(&[triangles])).total;
    expect(&report.health, false, 2, 6, 0, 0);
    assert_eq!(report.health.non_manifold_vertices, 1);
    assert_eq!(report.health.highlights.non_manifold_vertices.len(), 1);
}

#[test]
fn fins_degenerate_and_duplicate_triangles_are_counted() {
    let mut triangles = cube([0.0; 3], 1.0);
    // A fin on the bottom-front edge: a third triangle on that edge.
    triangles.push([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, -1.0, -1.0]]);
    // A degenerate (collinear) triangle and a duplicate of the first face.
    triangles.push([[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0]]);
    triangles.push(triangles[1]);
    let report = total(&scene(&[triangles])).total;
    let health = &report.health;
    assert!(!health.closed);
    assert!(health.non_manifold_edges >= 1, "{health:?}");
    assert_eq!(health.degenerate_triangles, 1, "{health:?}");
    assert_eq!(health.duplicate_triangles, 1, "{health:?}");
}
