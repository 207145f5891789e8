//! 3D Model Studio's wgpu renderer. It draws a [`GpuScene`] into any colour
//! texture view, so the same code serves the browser surface (through
//! `viewer-wasm`) and native offscreen tests on lavapipe.
//!
//! ```text
//! studio_model::model::Scene ──GpuScene::upload──▶ GPU buffers
//!   ──Renderer::render(ViewSettings: camera, shading, grid, section)──▶ a frame in any texture view
//! ```
//!
//! Layout: `camera` turns user input into view and projection matrices,
//! `pipelines` owns shaders and pipeline variants, `gpu_scene` turns a CPU
//! scene into GPU buffers (the one place that uploads), `grid` builds the
//! ground grid, `renderer` records a frame, `warm_up` is the tiny scene drawn
//! before the first model, `offscreen` (native only) renders to an image.

#![warn(missing_docs)]

/// Orbit camera: view and projection matrices from user input.
pub mod camera;
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

/// How surfaces are lit: per triangle or per vertex.
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
    /// Where the camera is and how it projects.
    pub camera: OrbitCamera,
    /// Flat or smooth shading of the surfaces.
    pub shading: Shading,
    /// Draw the triangle edges over the shaded surfaces.
    pub wireframe: bool,
    /// Draw the ground grid under the model.
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
