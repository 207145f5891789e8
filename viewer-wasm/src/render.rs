//! wgpu renderer. It draws a [`GpuScene`] into any colour texture view, so the
//! same code serves the browser surface and native offscreen tests.
//!
//! Layout: `pipelines` owns shaders and pipeline variants, `gpu_scene` turns a
//! CPU [`crate::model::Scene`] into GPU buffers (the one place that uploads),
//! `grid` builds the ground grid, `renderer` records a frame, `warm_up` is the
//! tiny scene drawn before the first model.

mod gpu_scene;
mod grid;
#[cfg(not(target_arch = "wasm32"))]
pub mod offscreen;
mod pipelines;
mod renderer;
mod warm_up;

pub use gpu_scene::GpuScene;
pub use grid::{GridLines, grid_spacing};
pub use pipelines::MeshPipelineKey;
pub use renderer::Renderer;

use crate::camera::OrbitCamera;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shading {
    /// One normal per triangle, from screen-space derivatives: shows facets.
    Flat,
    /// Interpolated vertex normals.
    Smooth,
}

/// Everything about a frame that is not the scene itself.
#[derive(Clone, Debug)]
pub struct ViewSettings {
    pub camera: OrbitCamera,
    pub shading: Shading,
    pub wireframe: bool,
    pub grid: bool,
    /// Linear RGB background.
    pub background: [f32; 3],
    /// Section plane in the view world (normal x, y, z, offset): what lies on
    /// the normal's side is cut away, and the cut shows as a filled cap.
    pub section: Option<[f32; 4]>,
}

impl Default for ViewSettings {
    fn default() -> Self {
        ViewSettings {
            camera: OrbitCamera::default(),
            shading: Shading::Smooth,
            wireframe: false,
            grid: true,
            background: [0.13, 0.14, 0.16],
            section: None,
        }
    }
}
