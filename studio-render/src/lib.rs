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

use crate::camera::{OrbitCamera, Projection};
use studio_model::model::UpAxis;

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

/// The display options the page's controls set, as the engine receives them
/// (`Viewer.setOptions`; `DisplayOptions` in `web/shared/protocol.js`): each
/// field present is applied, an absent one leaves that setting as it is.
///
/// It lives here, next to [`ViewSettings`], because its values are the
/// renderer's own types ([`Projection`], [`Shading`], the up axis the
/// [`GpuScene`] is rotated by), so that their names are checked natively;
/// applying it needs the GPU (a new up axis re-uploads the scene, the wireframe
/// builds its lines), which the viewer binding does.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayOptions {
    /// `"perspective"` or `"orthographic"`.
    pub projection: Option<Projection>,
    /// `"flat"` or `"smooth"`.
    pub shading: Option<Shading>,
    /// Draw the triangle edges.
    pub wireframe: Option<bool>,
    /// Draw the ground grid.
    pub grid: Option<bool>,
    /// The background colour as `#rrggbb` (sRGB), as the page's colour input holds it.
    pub background: Option<String>,
    /// Which of the model's axes points up: `"y"` or `"z"`.
    #[serde(default, deserialize_with = "lowercase_up_axis")]
    pub up: Option<UpAxis>,
}

/// The page names the up axis `"y"`/`"z"`; [`UpAxis`]'s own serde names are `"Y"`/`"Z"`.
fn lowercase_up_axis<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<UpAxis>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Up {
        Y,
        Z,
    }
    let up = <Option<Up> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(up.map(|up| match up {
        Up::Y => UpAxis::Y,
        Up::Z => UpAxis::Z,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_options_parse_typed_values_and_refuse_anything_else() {
        let all = r##"{"projection":"orthographic","shading":"flat","wireframe":true,"grid":false,"background":"#102030","up":"z"}"##;
        let expected = DisplayOptions {
            projection: Some(Projection::Orthographic),
            shading: Some(Shading::Flat),
            wireframe: Some(true),
            grid: Some(false),
            background: Some("#102030".into()),
            up: Some(UpAxis::Z),
        };
        assert_eq!(serde_json::from_str::<DisplayOptions>(all).expect("parses"), expected);
        let some = serde_json::from_str::<DisplayOptions>(r#"{"up":"y"}"#).expect("parses");
        assert_eq!(some, DisplayOptions { up: Some(UpAxis::Y), ..DisplayOptions::default() });
        assert_eq!(serde_json::from_str::<DisplayOptions>("{}").expect("parses"), DisplayOptions::default());

        for bad in [
            r#"{"projection":"fisheye"}"#,
            r#"{"shading":"Smooth"}"#,
            r#"{"wireframe":"true"}"#,
            r#"{"grid":1}"#,
            r#"{"up":"Z"}"#,
            r#"{"background":255}"#,
            r##"{"colour":"#ffffff"}"##,
            "[]",
        ] {
            let error = serde_json::from_str::<DisplayOptions>(bad).expect_err(bad);
            assert!(!error.to_string().is_empty());
        }
        let error = serde_json::from_str::<DisplayOptions>(r#"{"projection":"fisheye"}"#).expect_err("refused");
        assert!(error.to_string().contains("fisheye"), "{error}");
    }
}
