//! The worker's picking and overlay calls: surface points under the pointer
//! (for measurements and annotations), model points projected to pixels (for
//! their labels), and the lines drawn over the model.

use glam::Vec3;
use wasm_bindgen::prelude::*;

use crate::Viewer;
use studio_model::pick::picker::{Picker, View};
use studio_render::camera::up_from_model;

/// A label's anchor, as [`Viewer::project`] reports it.
const BEHIND_CAMERA: f32 = 0.0;
const VISIBLE: f32 = 1.0;
const HIDDEN_BY_MODEL: f32 = 2.0;

#[wasm_bindgen]
impl Viewer {
    /// Builds the picking hierarchy of the model shown, if not built yet. The
    /// worker calls it after the model's first frame, so that it never delays
    /// the model appearing; a pick before that builds it then.
    #[wasm_bindgen(js_name = preparePicking)]
    pub fn prepare_picking(&mut self) {
        if self.picker.is_none()
            && let Some(scene) = &self.scene
        {
            self.picker = Some(Picker::build(scene));
        }
    }

    /// The surface point under canvas pixel `(x, y)` (device pixels from the top
    /// left), snapped to a vertex or edge within `snap_px`, as JSON
    /// (`{"point", "normal", "part", "snap"}` in model units and axes), or `null`.
    #[wasm_bindgen(js_name = pickAt)]
    pub fn pick_at(&mut self, x_px: f32, y_px: f32, snap_px: f32) -> String {
        self.prepare_picking();
        let (Some(picker), Some(view)) = (&self.picker, self.view()) else { return "null".into() };
        let picked = picker.pick(&view, x_px, y_px, snap_px);
        serde_json::to_string(&picked).unwrap_or_else(|_| "null".into())
    }

    /// Wall thickness at a surface point: from `(px, py, pz)` into the model,
    /// against the outward normal `(nx, ny, nz)`, to the next surface. Returns
    /// `[thickness, x, y, z]` (the far point), or an empty array when the ray
    /// leaves without meeting the surface again (an open mesh).
    #[wasm_bindgen(js_name = thicknessAt)]
    pub fn thickness_at(&mut self, px: f32, py: f32, pz: f32, nx: f32, ny: f32, nz: f32) -> Vec<f32> {
        self.prepare_picking();
        let Some(picker) = &self.picker else { return Vec::new() };
        let (point, normal) = (Vec3::new(px, py, pz), Vec3::new(nx, ny, nz));
        // Start a hair inside, so that the surface just picked is not hit again.
        let start =
            point - normal.normalize_or_zero() * 1e-4 * self.settings.camera.scene_radius.max(f32::MIN_POSITIVE);
        let Some(ray) = studio_model::pick::ray::Ray::new(start, -normal) else { return Vec::new() };
        match picker.cast(&ray) {
            Some((far, _)) => vec![far.distance(point), far.x, far.y, far.z],
            None => Vec::new(),
        }
    }

    /// Model points (x, y, z, …) → canvas pixels and a state per point
    /// (x, y, state, …): 0 behind the camera, 1 visible, 2 hidden by the model.
    pub fn project(&self, points: &[f32]) -> Vec<f32> {
        let Some(view) = self.view() else { return vec![0.0; points.len()] };
        let radius = self.settings.camera.scene_radius.max(f32::MIN_POSITIVE);
        points
            .chunks_exact(3)
            .flat_map(|p| {
                let point = Vec3::new(p[0], p[1], p[2]);
                let Some((x, y)) = view.project(point) else { return [0.0, 0.0, BEHIND_CAMERA] };
                let hidden = match (&self.picker, view.ray(x, y)) {
                    (Some(picker), Some(ray)) => picker
                        .cast(&ray)
                        .is_some_and(|(hit, _)| hit.distance(ray.origin) < point.distance(ray.origin) - 1e-3 * radius),
                    _ => false,
                };
                [x, y, if hidden { HIDDEN_BY_MODEL } else { VISIBLE }]
            })
            .collect()
    }

    /// Lines drawn over the model, by layer: `positions` holds every layer's
    /// line list joined (x, y, z per vertex, two vertices a segment, in model
    /// units and axes), `layer_vertices[i]` how many of them are layer `i`'s,
    /// and `layer_rgba[4 i..4 i + 4]` its linear RGBA colour. Packed here into
    /// the renderer's overlay vertices, whose layout nothing outside the engine
    /// knows. Empty clears them.
    #[wasm_bindgen(js_name = setOverlay)]
    pub fn set_overlay(
        &mut self,
        positions: &[f32],
        layer_vertices: &[u32],
        layer_rgba: &[f32],
    ) -> Result<(), JsError> {
        let lines = overlay_vertices(positions, layer_vertices, layer_rgba).map_err(|e| JsError::new(&e))?;
        if let Some(gpu_scene) = &mut self.gpu_scene {
            gpu_scene.set_overlay(&self.gpu.device, &self.gpu.queue, lines);
        }
        Ok(())
    }
}

impl Viewer {
    /// The current camera as a pick/projection view of the model.
    fn view(&self) -> Option<View> {
        let gpu_scene = self.gpu_scene.as_ref()?;
        let (width, height) = (self.gpu.config.width as f32, self.gpu.config.height as f32);
        let camera = &self.settings.camera;
        let clip_from_model =
            camera.clip_from_view(width / height) * camera.view_from_world() * up_from_model(gpu_scene.up_axis);
        Some(View { clip_from_model, width_px: width, height_px: height })
    }
}

/// Each layer's positions with its colour, as overlay vertices; a vertex with a
/// non-finite coordinate or colour is left out.
fn overlay_vertices(positions: &[f32], layer_vertices: &[u32], layer_rgba: &[f32]) -> Result<Vec<[f32; 7]>, String> {
    let vertices: usize = layer_vertices.iter().map(|&n| n as usize).sum();
    if vertices.checked_mul(3) != Some(positions.len()) || layer_rgba.len() != layer_vertices.len() * 4 {
        return Err(format!(
            "Internal error: overlay of {} layers with {vertices} vertices, {} coordinates and {} colour components.",
            layer_vertices.len(),
            positions.len(),
            layer_rgba.len()
        ));
    }
    let mut points = positions.chunks_exact(3);
    let mut lines = Vec::with_capacity(vertices);
    for (&count, rgba) in layer_vertices.iter().zip(layer_rgba.chunks_exact(4)) {
        for point in points.by_ref().take(count as usize) {
            let vertex = [point[0], point[1], point[2], rgba[0], rgba[1], rgba[2], rgba[3]];
            if vertex.iter().all(|c| c.is_finite()) {
                lines.push(vertex);
            }
        }
    }
    Ok(lines)
}
