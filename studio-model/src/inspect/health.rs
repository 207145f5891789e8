//! Mesh health: is the surface closed, and if not, where and why.
//!
//! Every check works on welded vertices ([`super::weld`]) and on edges, each
//! edge being an unordered vertex pair with the triangles that use it:
//!
//! - a *boundary* edge is used by one triangle (a hole or an open border);
//! - a *non-manifold* edge by three or more (fins, internal walls);
//! - an edge used by exactly two triangles in the same direction has
//!   *inconsistent winding* (one of them is flipped);
//! - a *non-manifold vertex* joins surfaces that share only that vertex (a
//!   bow-tie): its triangles form more than one fan;
//! - a *shell* is a set of triangles connected through edges that exactly two
//!   triangles share (two cubes touching at a corner or along a non-manifold
//!   edge are two shells); a closed shell with negative signed volume is
//!   *inverted* (its normals point inwards).
//!
//! The mesh is closed when every edge is used by exactly two triangles. These
//! definitions match trimesh's (`is_watertight`, `is_winding_consistent`,
//! `body_count`), which the corpus reference values come from.

use glam::DVec3;
use serde::Serialize;

use super::union_find::UnionFind;
use super::weld::WeldedMesh;

/// The kinds of problem the health check counts, each a count in [`Health`]
/// under its [`name`](HealthKind::name) and a set of "show me" lines. The one
/// list of them: the inspection panel, the report and the tools build's
/// bindings all take it from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthKind {
    /// Edges used by only one triangle.
    BoundaryEdges,
    /// Edges used by three or more triangles.
    NonManifoldEdges,
    /// Vertices where surfaces meet only at that vertex.
    NonManifoldVertices,
    /// Edges that both of their triangles run in the same direction.
    InconsistentEdges,
    /// Closed shells whose normals point inwards.
    InvertedShells,
    /// Triangles with no area.
    DegenerateTriangles,
    /// Extra copies of a triangle.
    DuplicateTriangles,
}

impl HealthKind {
    /// Every kind, in the order the panel and the report list them.
    pub const ALL: [HealthKind; 7] = [
        HealthKind::BoundaryEdges,
        HealthKind::NonManifoldEdges,
        HealthKind::NonManifoldVertices,
        HealthKind::InconsistentEdges,
        HealthKind::InvertedShells,
        HealthKind::DegenerateTriangles,
        HealthKind::DuplicateTriangles,
    ];

    /// Its name: the field of [`Health`] (and of the report's JSON) holding its count.
    pub fn name(self) -> &'static str {
        match self {
            HealthKind::BoundaryEdges => "boundary_edges",
            HealthKind::NonManifoldEdges => "non_manifold_edges",
            HealthKind::NonManifoldVertices => "non_manifold_vertices",
            HealthKind::InconsistentEdges => "inconsistent_edges",
            HealthKind::InvertedShells => "inverted_shells",
            HealthKind::DegenerateTriangles => "degenerate_triangles",
            HealthKind::DuplicateTriangles => "duplicate_triangles",
        }
    }

    /// The kind of the given [`name`](HealthKind::name), if it is one.
    pub fn from_name(name: &str) -> Option<HealthKind> {
        HealthKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// How the panel and the report word it.
    pub fn label(self) -> &'static str {
        match self {
            HealthKind::BoundaryEdges => "Boundary edges (holes)",
            HealthKind::NonManifoldEdges => "Non-manifold edges",
            HealthKind::NonManifoldVertices => "Non-manifold vertices",
            HealthKind::InconsistentEdges => "Inconsistent winding (edges)",
            HealthKind::InvertedShells => "Inverted shells",
            HealthKind::DegenerateTriangles => "Degenerate triangles",
            HealthKind::DuplicateTriangles => "Duplicate triangles",
        }
    }

    /// Its count in `health`.
    pub fn count(self, health: &Health) -> usize {
        match self {
            HealthKind::BoundaryEdges => health.boundary_edges,
            HealthKind::NonManifoldEdges => health.non_manifold_edges,
            HealthKind::NonManifoldVertices => health.non_manifold_vertices,
            HealthKind::InconsistentEdges => health.inconsistent_edges,
            HealthKind::InvertedShells => health.inverted_shells,
            HealthKind::DegenerateTriangles => health.degenerate_triangles,
            HealthKind::DuplicateTriangles => health.duplicate_triangles,
        }
    }
}

/// Counts for the health table, and what to highlight for each ("show me").
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Health {
    /// Watertight: there are triangles and every edge is used by exactly two of them (no boundary or non-manifold edge).
    pub closed: bool,
    /// No edge is run in the same direction by both of its two triangles.
    pub winding_consistent: bool,
    /// Number of shells: sets of triangles connected through edges that exactly two triangles share.
    pub shells: usize,
    /// Edges used by only one triangle: holes and open borders.
    pub boundary_edges: usize,
    /// Edges used by three or more triangles: fins and internal walls.
    pub non_manifold_edges: usize,
    /// Vertices where surfaces meet only at that vertex (bow-ties): their triangles form more than one fan.
    pub non_manifold_vertices: usize,
    /// Triangles with no area: a repeated vertex, or three points on a line to within rounding.
    pub degenerate_triangles: usize,
    /// Extra copies of triangles that use the same three vertices as an earlier one (in any order).
    pub duplicate_triangles: usize,
    /// Edges shared by two triangles that run them in the same direction (one triangle is flipped).
    pub inconsistent_edges: usize,
    /// Closed shells with negative signed volume: their normals point inwards.
    pub inverted_shells: usize,
    /// Where each problem is, for "show me"; not sent with the counts.
    #[serde(skip)]
    pub highlights: Highlights,
}

/// Where each problem is, as welded vertex and triangle indices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Highlights {
    /// Each boundary edge as its two welded vertex indices.
    pub boundary_edges: Vec<[u32; 2]>,
    /// Each non-manifold edge as its two welded vertex indices.
    pub non_manifold_edges: Vec<[u32; 2]>,
    /// Each inconsistently wound edge as its two welded vertex indices.
    pub inconsistent_edges: Vec<[u32; 2]>,
    /// Welded vertex index of each non-manifold vertex.
    pub non_manifold_vertices: Vec<u32>,
    /// Triangle index of each degenerate triangle.
    pub degenerate_triangles: Vec<u32>,
    /// Triangle index of each extra copy of a duplicate triangle, ascending.
    pub duplicate_triangles: Vec<u32>,
    /// Triangle index of every triangle in an inverted shell.
    pub inverted_shell_triangles: Vec<u32>,
}

/// One use of an edge by a triangle.
#[derive(Clone, Copy)]
struct EdgeUse {
    /// `min << 32 | max` of the two vertex ids.
    key: u64,
    triangle: u32,
    /// Whether the triangle runs the edge from the lower to the higher id.
    forward: bool,
}

fn edge_uses(triangles: &[[u32; 3]]) -> Vec<EdgeUse> {
    let mut uses = Vec::with_capacity(triangles.len() * 3);
    for (t, tri) in triangles.iter().enumerate() {
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            uses.push(EdgeUse { key: u64::from(lo) << 32 | u64::from(hi), triangle: t as u32, forward: a < b });
        }
    }
    // Sorting groups the uses of each edge; faster than a hash map on millions of edges.
    uses.sort_unstable_by_key(|u| (u.key, u.triangle));
    uses
}

fn edge_vertices(key: u64) -> [u32; 2] {
    [(key >> 32) as u32, key as u32]
}

/// Whether a triangle has no area: a repeated vertex, or three points on a line
/// (to within rounding relative to its size).
fn is_degenerate(positions: &[DVec3], tri: [u32; 3]) -> bool {
    if tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2] {
        return true;
    }
    let [a, b, c] = tri.map(|i| positions[i as usize]);
    let longest_squared = (b - a).length_squared().max((c - b).length_squared()).max((a - c).length_squared());
    (b - a).cross(c - a).length() <= 16.0 * f64::EPSILON * longest_squared
}

/// Six times the signed volume of the tetrahedron from the origin to a triangle.
pub(crate) fn signed_volume6(positions: &[DVec3], tri: [u32; 3]) -> f64 {
    let [a, b, c] = tri.map(|i| positions[i as usize]);
    a.dot(b.cross(c))
}

/// Runs every health check on `mesh`: the counts, and where each problem is.
pub fn health(mesh: &WeldedMesh) -> Health {
    let triangles = &mesh.triangles;
    let mut health = Health::default();
    let mut hl = Highlights::default();

    // Shells: triangles joined through shared edges (filled in below).
    let mut shells = UnionFind::new(triangles.len());

    // Fans around each vertex: corners (triangle × 3 + k) joined across shared edges.
    let mut fans = UnionFind::new(triangles.len() * 3);
    let corner = |t: u32, v: u32| -> Option<u32> {
        triangles[t as usize].iter().position(|&x| x == v).map(|k| t * 3 + k as u32)
    };

    let uses = edge_uses(triangles);
    let mut open_edge_triangles = Vec::new();
    let mut start = 0;
    while start < uses.len() {
        let key = uses[start].key;
        let end = start + uses[start..].iter().take_while(|u| u.key == key).count();
        let group = &uses[start..end];
        let vertices = edge_vertices(key);
        match group.len() {
            1 => hl.boundary_edges.push(vertices),
            2 => {
                if group[0].forward == group[1].forward {
                    hl.inconsistent_edges.push(vertices);
                }
            }
            _ => hl.non_manifold_edges.push(vertices),
        }
        if group.len() == 2 {
            shells.union(group[0].triangle, group[1].triangle);
        } else {
            open_edge_triangles.push(group[0].triangle);
        }
        // A fan continues across an edge shared by exactly two triangles; a
        // non-manifold edge splits fans, which is what makes a fin's vertices count.
        if group.len() == 2 && vertices[0] != vertices[1] {
            for v in vertices {
                if let (Some(x), Some(y)) = (corner(group[0].triangle, v), corner(group[1].triangle, v)) {
                    fans.union(x, y);
                }
            }
        }
        start = end;
    }

    // A vertex whose corners fall into more than one fan is non-manifold.
    const NONE: u32 = u32::MAX;
    let mut first_fan = vec![NONE; mesh.positions.len()];
    let mut flagged = vec![false; mesh.positions.len()];
    for (t, tri) in triangles.iter().enumerate() {
        for (k, &v) in tri.iter().enumerate() {
            let fan = fans.find((t * 3 + k) as u32);
            let first = &mut first_fan[v as usize];
            if *first == NONE {
                *first = fan;
            } else if *first != fan && !flagged[v as usize] {
                flagged[v as usize] = true;
                hl.non_manifold_vertices.push(v);
            }
        }
    }

    // Degenerate and duplicate triangles.
    let mut sorted: Vec<([u32; 3], u32)> = triangles
        .iter()
        .enumerate()
        .map(|(t, tri)| {
            let mut key = *tri;
            key.sort_unstable();
            (key, t as u32)
        })
        .collect();
    sorted.sort_unstable();
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            hl.duplicate_triangles.push(pair[1].1);
        }
    }
    hl.duplicate_triangles.sort_unstable();
    for (t, tri) in triangles.iter().enumerate() {
        if is_degenerate(&mesh.positions, *tri) {
            hl.degenerate_triangles.push(t as u32);
        }
    }

    // Shell count, and inverted shells: closed ones with negative volume.
    let mut open_shell = vec![false; triangles.len()];
    for t in open_edge_triangles {
        open_shell[shells.find(t) as usize] = true;
    }
    let mut shell_volume6 = vec![0.0f64; triangles.len()];
    for (t, tri) in triangles.iter().enumerate() {
        shell_volume6[shells.find(t as u32) as usize] += signed_volume6(&mesh.positions, *tri);
    }
    let roots: Vec<usize> = (0..triangles.len()).filter(|&t| shells.find(t as u32) as usize == t).collect();
    let inverted = |root: usize| !open_shell[root] && shell_volume6[root] < 0.0;
    health.shells = roots.len();
    health.inverted_shells = roots.iter().filter(|&&r| inverted(r)).count();
    for t in 0..triangles.len() {
        if inverted(shells.find(t as u32) as usize) {
            hl.inverted_shell_triangles.push(t as u32);
        }
    }

    health.boundary_edges = hl.boundary_edges.len();
    health.non_manifold_edges = hl.non_manifold_edges.len();
    health.inconsistent_edges = hl.inconsistent_edges.len();
    health.non_manifold_vertices = hl.non_manifold_vertices.len();
    health.degenerate_triangles = hl.degenerate_triangles.len();
    health.duplicate_triangles = hl.duplicate_triangles.len();
    health.closed = !triangles.is_empty() && health.boundary_edges == 0 && health.non_manifold_edges == 0;
    health.winding_consistent = health.inconsistent_edges == 0;
    health.highlights = hl;
    health
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind names the count it reads, and the kinds are every count of the
    /// report but the shells (which are no problem).
    #[test]
    fn health_kinds_are_the_problem_counts_of_the_report() {
        let health = Health {
            boundary_edges: 1,
            non_manifold_edges: 2,
            non_manifold_vertices: 3,
            inconsistent_edges: 4,
            inverted_shells: 5,
            degenerate_triangles: 6,
            duplicate_triangles: 7,
            shells: 8,
            ..Health::default()
        };
        let json = serde_json::to_value(&health).expect("JSON");
        for kind in HealthKind::ALL {
            assert_eq!(json[kind.name()], kind.count(&health), "{kind:?}");
            assert_eq!(HealthKind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).expect("name"), kind.name());
        }
        let counts: Vec<&str> =
            json.as_object().expect("object").iter().filter(|(_, v)| v.is_u64()).map(|(k, _)| k.as_str()).collect();
        let mut names: Vec<&str> = HealthKind::ALL.iter().map(|k| k.name()).chain(["shells"]).collect();
        names.sort_unstable();
        let mut counts = counts;
        counts.sort_unstable();
        assert_eq!(counts, names);
        assert_eq!(HealthKind::from_name("shells"), None);
    }
}
