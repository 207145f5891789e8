//! A bounding volume hierarchy over triangles, for picking: which triangle does
//! a ray from the camera meet first.
//!
//! Built top-down with the surface area heuristic over 12 bins per split (the
//! usual trade between build time and query speed), leaves of up to 4
//! triangles. Nodes sit in one array, the two children of a node side by side;
//! the triangles' corners are copied into leaf order so that a leaf's triangles
//! are read from one place.

use glam::Vec3;

use super::ray::{Ray, hit_box, hit_triangle};

const BINS: usize = 12;
const LEAF_TRIANGLES: usize = 4;
/// Above this many triangles a node is split even when the heuristic prefers a
/// leaf (e.g. many identical triangles): a pick must never test thousands.
const MAX_LEAF_TRIANGLES: usize = 16;

#[derive(Clone, Copy, Debug)]
struct Node {
    min: Vec3,
    max: Vec3,
    /// Leaf: index of its first triangle. Inner node: index of its left child
    /// (the right one follows it).
    start: u32,
    /// Triangles in a leaf; 0 for an inner node.
    count: u32,
}

/// The first triangle a ray meets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The triangle's number in the list the hierarchy was built from.
    pub triangle: u32,
    /// Along the ray, in the triangles' units.
    pub distance: f32,
    /// The triangle's corners.
    pub corners: [Vec3; 3],
}

impl Hit {
    /// Nearer first; at equal distance the lower triangle number, so that the
    /// answer does not depend on the order triangles are visited in.
    fn better_than(&self, other: &Option<Hit>) -> bool {
        match other {
            None => true,
            Some(o) => (self.distance, self.triangle) < (o.distance, o.triangle),
        }
    }
}

/// A bounding-volume hierarchy over triangles, for casting rays against millions of them.
#[derive(Clone, Debug, Default)]
pub struct Bvh {
    nodes: Vec<Node>,
    /// Triangle corners in leaf order.
    corners: Vec<[Vec3; 3]>,
    /// The caller's triangle number of each entry of `corners`.
    ids: Vec<u32>,
}

impl Bvh {
    /// Builds the hierarchy over `triangles` (numbered by their position).
    /// Triangles with a non-finite corner are left out: no ray can hit them.
    pub fn build(triangles: &[[Vec3; 3]]) -> Bvh {
        let mut order: Vec<u32> =
            (0..triangles.len() as u32).filter(|&t| triangles[t as usize].iter().all(|c| c.is_finite())).collect();
        let centroids: Vec<Vec3> = triangles.iter().map(|[a, b, c]| (*a + *b + *c) / 3.0).collect();
        let boxes: Vec<(Vec3, Vec3)> = triangles.iter().map(|&[a, b, c]| (a.min(b).min(c), a.max(b).max(c))).collect();
        let mut nodes = vec![Node { min: Vec3::ZERO, max: Vec3::ZERO, start: 0, count: 0 }];
        // (node, first, count) still to be split or made a leaf.
        let mut work = vec![(0usize, 0usize, order.len())];
        while let Some((node, first, count)) = work.pop() {
            let range = &mut order[first..first + count];
            let (min, max) = union(range.iter().map(|&t| boxes[t as usize]));
            nodes[node].min = min;
            nodes[node].max = max;
            match split(range, &centroids, &boxes, min, max) {
                Some(left_count) => {
                    let left = nodes.len();
                    nodes.push(nodes[node]);
                    nodes.push(nodes[node]);
                    nodes[node].start = left as u32;
                    nodes[node].count = 0;
                    work.push((left, first, left_count));
                    work.push((left + 1, first + left_count, count - left_count));
                }
                None => {
                    nodes[node].start = first as u32;
                    nodes[node].count = count as u32;
                }
            }
        }
        let corners = order.iter().map(|&t| triangles[t as usize]).collect();
        Bvh { nodes, corners, ids: order }
    }

    /// Every triangle's corners (in the hierarchy's order, not the caller's).
    pub fn triangles(&self) -> &[[Vec3; 3]] {
        &self.corners
    }

    /// Number of triangles it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when it holds no triangle (none given, or all with non-finite corners).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The first triangle the ray meets within `max_distance`.
    pub fn cast(&self, ray: &Ray, max_distance: f32) -> Option<Hit> {
        if self.ids.is_empty() {
            return None;
        }
        let inverse = ray.direction.recip();
        let mut best: Option<Hit> = None;
        let mut limit = max_distance;
        let mut stack = vec![0u32];
        while let Some(index) = stack.pop() {
            let node = &self.nodes[index as usize];
            if hit_box(ray.origin, inverse, node.min, node.max, limit).is_none() {
                continue;
            }
            if node.count > 0 {
                let leaf = node.start as usize..(node.start + node.count) as usize;
                for (corners, &id) in self.corners[leaf.clone()].iter().zip(&self.ids[leaf]) {
                    if let Some(distance) = hit_triangle(ray, corners).filter(|d| *d <= limit) {
                        let hit = Hit { triangle: id, distance, corners: *corners };
                        if hit.better_than(&best) {
                            best = Some(hit);
                            limit = distance;
                        }
                    }
                }
                continue;
            }
            // Nearer child first, so that the farther one is often skipped.
            let (left, right) = (node.start, node.start + 1);
            let entry = |child: u32| {
                let n = &self.nodes[child as usize];
                hit_box(ray.origin, inverse, n.min, n.max, limit)
            };
            match (entry(left), entry(right)) {
                (Some(l), Some(r)) if r < l => stack.extend([left, right]),
                (Some(_), Some(_)) => stack.extend([right, left]),
                (Some(_), None) => stack.push(left),
                (None, Some(_)) => stack.push(right),
                (None, None) => {}
            }
        }
        best
    }
}

/// The first triangle the ray meets, by testing every one: the reference the
/// hierarchy is tested against.
pub fn cast_brute_force(triangles: &[[Vec3; 3]], ray: &Ray, max_distance: f32) -> Option<Hit> {
    let mut best = None;
    for (t, corners) in triangles.iter().enumerate() {
        if let Some(distance) = hit_triangle(ray, corners).filter(|d| *d <= max_distance) {
            let hit = Hit { triangle: t as u32, distance, corners: *corners };
            if hit.better_than(&best) {
                best = Some(hit);
            }
        }
    }
    best
}

fn bounds(points: impl Iterator<Item = Vec3>) -> (Vec3, Vec3) {
    points.fold((Vec3::INFINITY, Vec3::NEG_INFINITY), |(min, max), p| (min.min(p), max.max(p)))
}

fn union(boxes: impl Iterator<Item = (Vec3, Vec3)>) -> (Vec3, Vec3) {
    boxes.fold((Vec3::INFINITY, Vec3::NEG_INFINITY), |(min, max), (lo, hi)| (min.min(lo), max.max(hi)))
}

fn half_area(min: Vec3, max: Vec3) -> f32 {
    let e = (max - min).max(Vec3::ZERO);
    e.x * e.y + e.y * e.z + e.z * e.x
}

/// Reorders `range` into two groups and returns the size of the first, or
/// `None` to make it a leaf. Triangles are binned by centroid along the
/// centroids' longest axis; the split between bins with the least
/// count × area on both sides wins.
fn split(range: &mut [u32], centroids: &[Vec3], boxes: &[(Vec3, Vec3)], min: Vec3, max: Vec3) -> Option<usize> {
    let count = range.len();
    if count <= LEAF_TRIANGLES {
        return None;
    }
    let (cmin, cmax) = bounds(range.iter().map(|&t| centroids[t as usize]));
    let extent = cmax - cmin;
    let axis = if extent.x >= extent.y && extent.x >= extent.z {
        0
    } else if extent.y >= extent.z {
        1
    } else {
        2
    };
    if extent[axis] <= 0.0 || !extent[axis].is_finite() {
        // All centroids in one point: no plane separates them. Halve by count.
        return (count > MAX_LEAF_TRIANGLES).then_some(count / 2);
    }
    let scale = BINS as f32 / extent[axis];
    let bin_of = |t: u32| (((centroids[t as usize][axis] - cmin[axis]) * scale) as usize).min(BINS - 1);
    let mut bin_count = [0usize; BINS];
    let mut bin_bounds = [(Vec3::INFINITY, Vec3::NEG_INFINITY); BINS];
    for &t in range.iter() {
        let b = bin_of(t);
        bin_count[b] += 1;
        let (lo, hi) = boxes[t as usize];
        bin_bounds[b].0 = bin_bounds[b].0.min(lo);
        bin_bounds[b].1 = bin_bounds[b].1.max(hi);
    }
    // Sweep: cost of splitting after bin i = left count × left area + right count × right area.
    let mut left_area = [0f32; BINS];
    let mut left_count = [0usize; BINS];
    let (mut lo, mut hi, mut n) = (Vec3::INFINITY, Vec3::NEG_INFINITY, 0);
    for i in 0..BINS {
        lo = lo.min(bin_bounds[i].0);
        hi = hi.max(bin_bounds[i].1);
        n += bin_count[i];
        left_area[i] = half_area(lo, hi);
        left_count[i] = n;
    }
    let (mut lo, mut hi) = (Vec3::INFINITY, Vec3::NEG_INFINITY);
    let mut best: Option<(f32, usize)> = None;
    for i in (1..BINS).rev() {
        lo = lo.min(bin_bounds[i].0);
        hi = hi.max(bin_bounds[i].1);
        let right_count = count - left_count[i - 1];
        if left_count[i - 1] == 0 || right_count == 0 {
            continue;
        }
        let cost = left_count[i - 1] as f32 * left_area[i - 1] + right_count as f32 * half_area(lo, hi);
        if best.is_none_or(|(c, _)| cost < c) {
            best = Some((cost, i));
        }
    }
    let Some((cost, split_bin)) = best else {
        return (count > MAX_LEAF_TRIANGLES).then_some(count / 2);
    };
    // A leaf costs testing every triangle against the ray.
    if count <= MAX_LEAF_TRIANGLES && cost >= count as f32 * half_area(min, max) {
        return None;
    }
    // Partition in place: members of bins below `split_bin` first.
    let mut i = 0;
    let mut j = count;
    while i < j {
        if bin_of(range[i]) < split_bin {
            i += 1;
        } else {
            j -= 1;
            range.swap(i, j);
        }
    }
    Some(i)
}
