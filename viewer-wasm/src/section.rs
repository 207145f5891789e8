//! The worker's section-plane calls: cut the model along a plane (model units
//! and axes), draw the cut with its cap, and report its area and perimeter.

use glam::Vec3;
use wasm_bindgen::prelude::*;

use crate::Viewer;
use studio_model::section::{Plane, extent, section};
use studio_render::camera::up_from_model;

#[derive(serde::Serialize)]
struct Readout {
    area: f64,
    perimeter: f64,
    segments: usize,
    /// Where the plane is: its offset along the normal, and as a fraction of
    /// the model's extent along it.
    offset: f32,
    fraction: f32,
}

#[wasm_bindgen]
impl Viewer {
    /// Cuts the model with the plane of unit normal `(nx, ny, nz)` placed at
    /// `fraction` (0 to 1) of the model's extent along it. Returns the readout
    /// as JSON (`{"area", "perimeter", "segments", "offset", "fraction"}`), or
    /// `null` without a model or with a zero normal.
    #[wasm_bindgen(js_name = setSection)]
    pub fn set_section(&mut self, nx: f32, ny: f32, nz: f32, fraction: f32) -> String {
        self.prepare_picking();
        let Some(normal) = Vec3::new(nx, ny, nz).try_normalize() else { return "null".into() };
        let Some(picker) = &self.picker else { return "null".into() };
        let (lo, hi) = extent(picker.triangles(), normal);
        if !(lo.is_finite() && hi.is_finite()) {
            return "null".into();
        }
        let fraction = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 0.5 };
        self.cut(Plane { normal, offset: lo + (hi - lo) * fraction })
    }

    /// [`Viewer::set_section`] with the plane through the point `(px, py, pz)`
    /// (a picked face's point and normal).
    #[wasm_bindgen(js_name = setSectionThrough)]
    pub fn set_section_through(&mut self, nx: f32, ny: f32, nz: f32, px: f32, py: f32, pz: f32) -> String {
        self.prepare_picking();
        let Some(normal) = Vec3::new(nx, ny, nz).try_normalize() else { return "null".into() };
        let point = Vec3::new(px, py, pz);
        if !point.is_finite() {
            return "null".into();
        }
        self.cut(Plane { normal, offset: normal.dot(point) })
    }

    /// Removes the section plane.
    #[wasm_bindgen(js_name = clearSection)]
    pub fn clear_section(&mut self) {
        self.settings.section = None;
        self.section_lines = Vec::new();
    }

    /// The last cut's outline as a line list (x, y, z per point, model units).
    #[wasm_bindgen(js_name = sectionLines)]
    pub fn section_lines(&self) -> Vec<f32> {
        self.section_lines.clone()
    }
}

impl Viewer {
    fn cut(&mut self, plane: Plane) -> String {
        let (Some(picker), Some(gpu_scene)) = (&self.picker, &self.gpu_scene) else { return "null".into() };
        let cut = section(picker.triangles(), plane);
        let (lo, hi) = extent(picker.triangles(), plane.normal);
        // The renderer clips in its Y-up view world: turn the plane with the model.
        let view_from_model = up_from_model(gpu_scene.up_axis);
        let mut normal_in_view = view_from_model.transform_vector3(plane.normal);
        let mut offset = plane.offset;
        // Cut away the half nearer the camera, so that the cut faces the viewer.
        let camera = &self.settings.camera;
        if normal_in_view.dot(camera.eye() - camera.target) < 0.0 {
            normal_in_view = -normal_in_view;
            offset = -offset;
        }
        self.settings.section = Some([normal_in_view.x, normal_in_view.y, normal_in_view.z, offset]);
        let readout = Readout {
            area: cut.area,
            perimeter: cut.perimeter,
            segments: cut.segments,
            offset: plane.offset,
            fraction: if hi > lo { (plane.offset - lo) / (hi - lo) } else { 0.5 },
        };
        self.section_lines = cut.lines;
        serde_json::to_string(&readout).unwrap_or_else(|_| "null".into())
    }
}
