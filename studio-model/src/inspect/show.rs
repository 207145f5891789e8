//! "Show me": each health problem as lines to draw over the model — edges as
//! segments, triangles as their outlines, vertices as small crosses — in world
//! space (file units), as the viewer's overlay takes them.

use glam::DVec3;

use super::health::{HealthKind, Highlights};
use super::weld::WeldedMesh;

/// Segments per problem kind at most: a million open edges would only paint the
/// model solid, and the overlay must stay small.
pub const MAX_SEGMENTS: usize = 100_000;

/// Line-list positions (x, y, z per vertex, two vertices per segment), per kind.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ShowLines {
    /// Segments along the boundary edges.
    pub boundary_edges: Vec<f32>,
    /// Segments along the non-manifold edges.
    pub non_manifold_edges: Vec<f32>,
    /// Segments along the inconsistently wound edges.
    pub inconsistent_edges: Vec<f32>,
    /// A three-axis cross at each non-manifold vertex.
    pub non_manifold_vertices: Vec<f32>,
    /// The outline of each degenerate triangle.
    pub degenerate_triangles: Vec<f32>,
    /// The outline of each extra copy of a duplicate triangle.
    pub duplicate_triangles: Vec<f32>,
    /// The outline of every triangle in an inverted shell.
    pub inverted_shells: Vec<f32>,
}

impl ShowLines {
    /// The lines of one kind of problem.
    pub fn of(&self, kind: HealthKind) -> &[f32] {
        match kind {
            HealthKind::BoundaryEdges => &self.boundary_edges,
            HealthKind::NonManifoldEdges => &self.non_manifold_edges,
            HealthKind::InconsistentEdges => &self.inconsistent_edges,
            HealthKind::NonManifoldVertices => &self.non_manifold_vertices,
            HealthKind::DegenerateTriangles => &self.degenerate_triangles,
            HealthKind::DuplicateTriangles => &self.duplicate_triangles,
            HealthKind::InvertedShells => &self.inverted_shells,
        }
    }
}

struct Lines<'a> {
    positions: &'a [DVec3],
    out: Vec<f32>,
}

impl Lines<'_> {
    fn full(&self) -> bool {
        self.out.len() >= MAX_SEGMENTS * 6
    }

    fn segment(&mut self, a: DVec3, b: DVec3) {
        if !self.full() {
            self.out.extend([a, b].iter().flat_map(|p| p.as_vec3().to_array()));
        }
    }

    fn edges(mut self, edges: &[[u32; 2]]) -> Vec<f32> {
        for &[a, b] in edges {
            self.segment(self.positions[a as usize], self.positions[b as usize]);
        }
        self.out
    }

    fn triangles(mut self, mesh: &WeldedMesh, triangles: &[u32]) -> Vec<f32> {
        for &t in triangles {
            let [a, b, c] = mesh.triangles[t as usize].map(|i| self.positions[i as usize]);
            self.segment(a, b);
            self.segment(b, c);
            self.segment(c, a);
        }
        self.out
    }

    fn crosses(mut self, vertices: &[u32], size: f64) -> Vec<f32> {
        for &v in vertices {
            let p = self.positions[v as usize];
            for axis in [DVec3::X, DVec3::Y, DVec3::Z] {
                self.segment(p - axis * size, p + axis * size);
            }
        }
        self.out
    }
}

/// The lines of every problem kind of `mesh`; vertex crosses are `marker` long
/// each way.
pub fn show_lines(mesh: &WeldedMesh, highlights: &Highlights, marker: f64) -> ShowLines {
    let lines = || Lines { positions: &mesh.positions, out: Vec::new() };
    ShowLines {
        boundary_edges: lines().edges(&highlights.boundary_edges),
        non_manifold_edges: lines().edges(&highlights.non_manifold_edges),
        inconsistent_edges: lines().edges(&highlights.inconsistent_edges),
        non_manifold_vertices: lines().crosses(&highlights.non_manifold_vertices, marker),
        degenerate_triangles: lines().triangles(mesh, &highlights.degenerate_triangles),
        duplicate_triangles: lines().triangles(mesh, &highlights.duplicate_triangles),
        inverted_shells: lines().triangles(mesh, &highlights.inverted_shell_triangles),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::health::health;

    #[test]
    fn an_open_square_shows_its_four_border_edges() {
        let mesh = WeldedMesh {
            name: "square".into(),
            positions: vec![DVec3::ZERO, DVec3::X, DVec3::new(1.0, 1.0, 0.0), DVec3::Y],
            triangles: vec![[0, 1, 2], [0, 2, 3]],
        };
        let lines = show_lines(&mesh, &health(&mesh).highlights, 0.1);
        // Four segments, two points of three floats each.
        assert_eq!(lines.boundary_edges.len(), 4 * 6);
        assert!(lines.non_manifold_edges.is_empty() && lines.degenerate_triangles.is_empty());
    }
}
