//! Picking on a whole scene: world-space triangles of every part in one
//! hierarchy, rays from screen positions, and snapping to a nearby vertex or
//! edge so that measurements can start exactly on a corner.

use glam::{Mat4, Vec3};

use super::bvh::Bvh;
use super::ray::Ray;
use crate::model::Scene;

/// What a pick landed on.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Snap {
    /// On the hit triangle's surface, no corner or edge within snapping reach.
    Surface,
    /// Snapped to the nearest point of an edge of the hit triangle.
    Edge,
    /// Snapped to a corner of the hit triangle.
    Vertex,
}

/// A picked point, in the model's world space (file units, file axes).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Picked {
    /// The point, in world space (file units, file axes).
    pub point: [f32; 3],
    /// Unit normal of the picked triangle, facing the viewer.
    pub normal: [f32; 3],
    /// Part number (as in [`Scene::mesh_instances`]).
    pub part: u32,
    /// Whether the point is on the surface or snapped to an edge or vertex.
    pub snap: Snap,
}

/// Screen geometry of one pick: the ray and how to project model points to pixels.
pub struct View {
    /// Clip space from model world (camera × up-axis turn).
    pub clip_from_model: Mat4,
    /// Viewport width in pixels.
    pub width_px: f32,
    /// Viewport height in pixels.
    pub height_px: f32,
}

impl View {
    /// Pixel position (from the top left) of a model-world point, if in front.
    pub fn project(&self, point: Vec3) -> Option<(f32, f32)> {
        let clip = self.clip_from_model * point.extend(1.0);
        if clip.w <= 0.0 {
            return None;
        }
        let ndc = clip.truncate() / clip.w;
        Some(((ndc.x + 1.0) * 0.5 * self.width_px, (1.0 - ndc.y) * 0.5 * self.height_px))
    }

    /// The ray through pixel `(x, y)`, from the near plane away from the viewer.
    pub fn ray(&self, x_px: f32, y_px: f32) -> Option<Ray> {
        let model_from_clip = self.clip_from_model.inverse();
        let ndc_x = x_px / self.width_px * 2.0 - 1.0;
        let ndc_y = 1.0 - y_px / self.height_px * 2.0;
        // Depth 0 is the near plane and 1 the far one (wgpu's clip space).
        let near = model_from_clip.project_point3(Vec3::new(ndc_x, ndc_y, 0.0));
        let far = model_from_clip.project_point3(Vec3::new(ndc_x, ndc_y, 1.0));
        Ray::new(near, far - near)
    }
}

/// Every drawn triangle of a scene in world space in one [`Bvh`], with the part each belongs to, for picking and ray casts.
pub struct Picker {
    bvh: Bvh,
    /// Part of each triangle.
    parts: Vec<u32>,
}

impl Picker {
    /// Every drawn triangle of `scene` in world space.
    pub fn build(scene: &Scene) -> Picker {
        let mut triangles = Vec::with_capacity(scene.scene_triangle_count());
        let mut parts = Vec::with_capacity(triangles.capacity());
        for (part, instance) in scene.mesh_instances().iter().enumerate() {
            let world_from_mesh = instance.world_from_mesh;
            for primitive in &scene.meshes[instance.mesh].primitives {
                let world: Vec<Vec3> =
                    primitive.positions.iter().map(|p| world_from_mesh.transform_point3(Vec3::from(*p))).collect();
                for tri in primitive.indices.chunks_exact(3) {
                    // Indices were checked against the positions by the importer.
                    triangles.push([0, 1, 2].map(|k| world[tri[k] as usize]));
                    parts.push(part as u32);
                }
            }
        }
        Picker { bvh: Bvh::build(&triangles), parts }
    }

    /// The surface point under pixel `(x, y)`, snapped to a vertex or an edge of
    /// the hit triangle within `snap_px` pixels. A pointer just off the model
    /// (a corner on the silhouette is half off it) still snaps to a corner or
    /// edge within reach: rays around the pointer find the surface near it.
    pub fn pick(&self, view: &View, x_px: f32, y_px: f32, snap_px: f32) -> Option<Picked> {
        if let Some(picked) = self.pick_through(view, (x_px, y_px), (x_px, y_px), snap_px) {
            return Some(picked);
        }
        // Two rings of eight rays, at half and full snapping reach.
        for radius in [snap_px * 0.5, snap_px] {
            for k in 0..8 {
                let angle = k as f32 * std::f32::consts::FRAC_PI_4;
                let through = (x_px + radius * angle.cos(), y_px + radius * angle.sin());
                if let Some(picked) = self.pick_through(view, through, (x_px, y_px), snap_px)
                    && picked.snap != Snap::Surface
                {
                    return Some(picked);
                }
            }
        }
        None
    }

    /// Casts the ray through pixel `through`, then snaps relative to the pointer at `pointer`.
    fn pick_through(&self, view: &View, through: (f32, f32), pointer: (f32, f32), snap_px: f32) -> Option<Picked> {
        let ray = view.ray(through.0, through.1)?;
        let hit = self.bvh.cast(&ray, f32::INFINITY)?;
        let [a, b, c] = hit.corners;
        let mut normal = (b - a).cross(c - a).normalize_or_zero();
        if normal.dot(ray.direction) > 0.0 {
            normal = -normal;
        }
        let mut point = ray.at(hit.distance);
        let mut snap = Snap::Surface;
        let pixel_distance = |p: Vec3| view.project(p).map(|(x, y)| (x - pointer.0).hypot(y - pointer.1));
        let nearest_corner = hit
            .corners
            .iter()
            .filter_map(|&corner| pixel_distance(corner).map(|d| (d, corner)))
            .min_by(|p, q| p.0.total_cmp(&q.0));
        if let Some((_, corner)) = nearest_corner.filter(|(d, _)| *d <= snap_px) {
            point = corner;
            snap = Snap::Vertex;
        } else {
            let pointer_ray = view.ray(pointer.0, pointer.1).unwrap_or(ray);
            let nearest_edge = [(a, b), (b, c), (c, a)]
                .into_iter()
                .map(|(p, q)| closest_on_segment_to_ray(p, q, &pointer_ray))
                .filter_map(|p| pixel_distance(p).map(|d| (d, p)))
                .min_by(|p, q| p.0.total_cmp(&q.0));
            if let Some((_, on_edge)) = nearest_edge.filter(|(d, _)| *d <= snap_px) {
                point = on_edge;
                snap = Snap::Edge;
            }
        }
        Some(Picked {
            point: point.to_array(),
            normal: normal.to_array(),
            part: self.parts[hit.triangle as usize],
            snap,
        })
    }

    /// Every drawn triangle in world space (file units and axes).
    pub fn triangles(&self) -> &[[Vec3; 3]] {
        self.bvh.triangles()
    }

    /// The first surface point along a ray in model space (wall thickness).
    pub fn cast(&self, ray: &Ray) -> Option<(Vec3, u32)> {
        self.bvh.cast(ray, f32::INFINITY).map(|hit| (ray.at(hit.distance), self.parts[hit.triangle as usize]))
    }
}

/// The point of segment `pq` closest to the ray's line.
fn closest_on_segment_to_ray(p: Vec3, q: Vec3, ray: &Ray) -> Vec3 {
    let edge = q - p;
    let w = p - ray.origin;
    let (a, b, c) = (edge.dot(edge), edge.dot(ray.direction), ray.direction.dot(ray.direction));
    let (d, e) = (edge.dot(w), ray.direction.dot(w));
    let denominator = a * c - b * b;
    let s = if denominator.abs() <= f32::EPSILON * a * c { 0.0 } else { (b * e - c * d) / denominator };
    p + edge * s.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals};

    /// A unit square in z = 0, seen from above by an orthographic-like view.
    fn square_scene() -> Scene {
        let positions = vec![[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [10.0, 10.0, 0.0], [0.0, 10.0, 0.0]];
        let indices = vec![0, 1, 2, 0, 2, 3];
        let normals = compute_vertex_normals(&positions, &indices);
        let primitive = Primitive { positions, normals, uvs: None, colors: None, indices, material: None };
        Scene::from_meshes(
            SourceFormat::StlBinary,
            UpAxis::Z,
            vec![Mesh { name: "square".into(), primitives: vec![primitive] }],
            Vec::new(),
        )
    }

    /// Looking straight down at the square: model x → pixels x, model y → pixels up; 100 px per unit.
    fn top_view() -> View {
        let clip_from_model = glam::camera::rh::proj::directx::orthographic(0.0, 10.0, 0.0, 10.0, -100.0, 100.0);
        View { clip_from_model, width_px: 1000.0, height_px: 1000.0 }
    }

    #[test]
    fn picks_surface_then_snaps_to_edges_and_vertices() {
        let picker = Picker::build(&square_scene());
        let view = top_view();
        // (5, 7): 141 px from the diagonal, the nearest edge.
        let surface = picker.pick(&view, 500.0, 300.0, 8.0).expect("hit");
        assert_eq!(surface.snap, Snap::Surface);
        assert!((Vec3::from(surface.point) - Vec3::new(5.0, 7.0, 0.0)).length() < 1e-3, "{surface:?}");
        assert_eq!(surface.normal, [0.0, 0.0, 1.0]);
        // 5 px from the corner (10, 10): snapped exactly.
        let corner = picker.pick(&view, 995.0, 4.0, 8.0).expect("hit");
        assert_eq!((corner.snap, corner.point), (Snap::Vertex, [10.0, 10.0, 0.0]));
        // 3 px from the left edge x = 0, halfway up: snapped onto it.
        let edge = picker.pick(&view, 3.0, 500.0, 8.0).expect("hit");
        assert_eq!(edge.snap, Snap::Edge);
        assert!(edge.point[0].abs() < 1e-4 && (edge.point[1] - 5.0).abs() < 1e-3, "{edge:?}");
        // Just off the model, 4 px beyond the corner (0, 10): snapped onto it.
        let outside = picker.pick(&view, -3.0, -3.0, 8.0).expect("snapped from outside");
        assert_eq!((outside.snap, outside.point), (Snap::Vertex, [0.0, 10.0, 0.0]));
        // Well off the model.
        assert_eq!(picker.pick(&view, 1200.0, 500.0, 8.0), None);
    }

    #[test]
    fn projection_and_ray_agree() {
        let view = top_view();
        let (x, y) = view.project(Vec3::new(2.5, 7.5, 0.0)).expect("in front");
        assert!((x - 250.0).abs() < 1e-3 && (y - 250.0).abs() < 1e-3);
        let ray = view.ray(x, y).expect("ray");
        let t = -ray.origin.z / ray.direction.z;
        assert!((ray.at(t) - Vec3::new(2.5, 7.5, 0.0)).length() < 1e-4);
    }
}
