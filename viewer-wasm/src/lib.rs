//! The viewer build for the browser (`web/pkg/webgpu/`, and `web/pkg/webgl/`
//! with the WebGL2 fallback): one `#[wasm_bindgen]` handle, `Viewer`, that
//! the engine worker drives. It draws on the worker's OffscreenCanvas.
//!
//! ```text
//! file bytes (written by the worker into Viewer::input_buffer)
//!   ──studio_model::import──▶ Scene ──studio_render::GpuScene::upload──▶ frames
//! ```
//!
//! Each method forwards to plain Rust in `studio-model` and `studio-render`.
//! Small results cross to JavaScript as JSON; the model's arrays cross only
//! when a tools job is handed the open scene (`sceneForTools`, packed by
//! `studio_model::model_transfer`). Native builds of this crate are empty:
//! it is bindings only.

#![cfg(target_arch = "wasm32")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::prelude::*;

use studio_model::import::{Companions, Progress, import_with_progress};
use studio_model::info::ModelInfo;
use studio_model::model::srgb_to_linear;
use studio_model::model::{Scene, SourceFormat, UpAxis};
use studio_model::model_transfer::ToolsJob;
use studio_model::prepared_memory::PreparedMemory;
use studio_render::camera::CameraPose;
use studio_render::{DisplayOptions, GpuScene, Renderer, ViewSettings};

mod measure;
mod section;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

struct Gpu {
    surface: wgpu::Surface<'static>,
    device: wgpu::Device,
    queue: wgpu::Queue,
    config: wgpu::SurfaceConfiguration,
    renderer: Renderer,
    lost: Arc<AtomicBool>,
    backend: &'static str,
}

#[wasm_bindgen]
pub struct Viewer {
    canvas: web_sys::OffscreenCanvas,
    force_webgl2: bool,
    gpu: Gpu,
    /// The model shown now, kept on the CPU to re-upload after a lost device.
    scene: Option<Scene>,
    gpu_scene: Option<GpuScene>,
    /// A model imported but not shown yet (its textures may still be decoding).
    loading: Option<Scene>,
    settings: ViewSettings,
    companions: Companions,
    /// The next model's bytes, written by the worker straight into this memory
    /// (see [`Viewer::input_buffer`]).
    input: wasm_bytes::InputBuffer,
    /// Memory the import of the file being read will need (see [`PreparedMemory`]).
    prepared: PreparedMemory,
    /// Picking hierarchy of the model shown, built after its first frame.
    picker: Option<studio_model::pick::picker::Picker>,
    /// The section plane's last cut outline (model units), for the page's overlay.
    section_lines: Vec<f32>,
}

async fn create_gpu(canvas: &web_sys::OffscreenCanvas, force_webgl2: bool) -> Result<Gpu, JsError> {
    let backends = if force_webgl2 { wgpu::Backends::GL } else { wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL };
    let descriptor = wgpu::InstanceDescriptor { backends, ..wgpu::InstanceDescriptor::new_without_display_handle() };
    // Plain `Instance::new` would pick WebGPU whenever `navigator.gpu` exists, even
    // with no adapter behind it; this checks for an adapter and falls back to WebGL2.
    let instance = wgpu::util::new_instance_with_webgpu_detection(descriptor).await;
    let surface = instance
        .create_surface(wgpu::SurfaceTarget::OffscreenCanvas(canvas.clone()))
        .map_err(|e| JsError::new(&format!("Could not create a drawing surface: {e}")))?;
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: Some(&surface),
            apply_limit_buckets: false,
        })
        .await
        .map_err(|e| JsError::new(&format!("This browser offers neither WebGPU nor WebGL2 ({e}).")))?;
    let backend = match adapter.get_info().backend {
        wgpu::Backend::BrowserWebGpu => "WebGPU",
        _ => "WebGL2",
    };
    let adapter_limits = adapter.limits();
    let base = if backend == "WebGPU" { wgpu::Limits::default() } else { wgpu::Limits::downlevel_webgl2_defaults() };
    // Ask for the portable defaults, raised only where big models need it.
    let limits = wgpu::Limits {
        max_buffer_size: adapter_limits.max_buffer_size.min(1 << 30),
        ..base.using_resolution(adapter_limits)
    };
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("viewer"),
            required_limits: limits,
            ..Default::default()
        })
        .await
        .map_err(|e| JsError::new(&format!("The GPU device could not be created: {e}")))?;
    let lost = Arc::new(AtomicBool::new(false));
    let flag = lost.clone();
    device.set_device_lost_callback(move |_reason, _message| flag.store(true, Ordering::SeqCst));
    // wgpu's default handler panics; a validation error must not take the viewer down.
    device.on_uncaptured_error(Arc::new(|error: wgpu::Error| {
        web_sys::console::error_1(&JsValue::from_str(&format!("GPU error: {error}")));
    }));
    let caps = surface.get_capabilities(&adapter);
    // A non-sRGB target: the shader encodes sRGB itself, identically on every backend.
    let format = caps.formats.iter().copied().find(|f| !f.is_srgb()).or(caps.formats.first().copied());
    let format = format.ok_or_else(|| JsError::new("The drawing surface offers no usable colour format."))?;
    let config = wgpu::SurfaceConfiguration {
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        format,
        width: canvas.width().max(1),
        height: canvas.height().max(1),
        present_mode: wgpu::PresentMode::Fifo,
        desired_maximum_frame_latency: 2,
        alpha_mode: caps.alpha_modes.first().copied().unwrap_or(wgpu::CompositeAlphaMode::Auto),
        view_formats: vec![],
        color_space: wgpu::SurfaceColorSpace::Auto,
    };
    surface.configure(&device, &config);
    let renderer = Renderer::new(&device, format);
    Ok(Gpu { surface, device, queue, config, renderer, lost, backend })
}

#[wasm_bindgen]
impl Viewer {
    /// Creates the GPU context on a transferred `OffscreenCanvas`.
    pub async fn create(canvas: web_sys::OffscreenCanvas, force_webgl2: bool) -> Result<Viewer, JsError> {
        let gpu = create_gpu(&canvas, force_webgl2).await?;
        Ok(Viewer {
            canvas,
            force_webgl2,
            gpu,
            scene: None,
            gpu_scene: None,
            loading: None,
            settings: ViewSettings::default(),
            companions: Companions::new(),
            input: wasm_bytes::InputBuffer::default(),
            prepared: PreparedMemory::default(),
            picker: None,
            section_lines: Vec::new(),
        })
    }

    /// Draws the renderer's warm-up scene now, while the page waits for a file:
    /// the mesh pipelines most models need are compiled, and the GPU stack has
    /// generated its code for their draw states, before the first model's first
    /// frame. The worker calls it once the viewer is ready (on WebGL2 the compile
    /// blocks the worker for its duration, which is why it is not part of `create`).
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up(&mut self) {
        let size = (self.gpu.config.width, self.gpu.config.height);
        self.gpu.renderer.warm_up(&self.gpu.device, &self.gpu.queue, size);
    }

    /// "WebGPU" or "WebGL2".
    pub fn backend(&self) -> String {
        self.gpu.backend.to_string()
    }

    /// Registers a file selected together with the model (`.bin`, textures).
    #[wasm_bindgen(js_name = addCompanion)]
    pub fn add_companion(&mut self, name: &str, bytes: Vec<u8>) {
        self.companions.insert(name, bytes);
    }

    /// Makes room for a model of `len` bytes in the engine's memory and returns a
    /// view of it for the worker to fill as the file arrives, so that the file is
    /// copied once (from disk or network into here) rather than twice. The view
    /// goes stale if the engine's memory grows (any other call may do that):
    /// [`Viewer::input_view`] gives a fresh one over the same bytes.
    #[wasm_bindgen(js_name = inputBuffer)]
    pub fn input_buffer(&mut self, len: usize) -> Result<js_sys::Uint8Array, JsError> {
        self.input.reserve(len).map_err(|e| JsError::new(&e))?;
        Ok(self.input_view())
    }

    /// Reserves the memory importing `name` (`len` bytes) will need, to be touched
    /// by [`Viewer::touch_import_memory`] while the file arrives: the worker calls
    /// both around its read, after [`Viewer::input_buffer`].
    #[wasm_bindgen(js_name = prepareImportMemory)]
    pub fn prepare_import_memory(&mut self, name: &str, len: usize) {
        self.prepared.prepare(studio_model::import::memory_estimate::import_bytes_estimate(name, len));
    }

    /// Makes `fraction` (0 to 1) of the prepared memory ready.
    #[wasm_bindgen(js_name = touchImportMemory)]
    pub fn touch_import_memory(&mut self, fraction: f64) {
        self.prepared.touch_up_to(fraction);
    }

    /// A fresh view of the buffer made by [`Viewer::input_buffer`].
    #[wasm_bindgen(js_name = inputView)]
    pub fn input_view(&self) -> js_sys::Uint8Array {
        self.input.view()
    }

    /// [`Viewer::load`] of the bytes written into [`Viewer::input_buffer`]; frees them after.
    #[wasm_bindgen(js_name = loadInput)]
    pub fn load_input(&mut self, name: &str, on_progress: &js_sys::Function) -> Result<String, JsError> {
        let bytes = self.input.take();
        self.load(name, &bytes, on_progress)
    }

    /// Imports a model (step 1 of 3). Returns the info panel JSON. On error the
    /// previous model stays shown and the message says what is wrong.
    /// `on_progress` is called with the parsed fraction (0 to 1) now and then.
    pub fn load(&mut self, name: &str, bytes: &[u8], on_progress: &js_sys::Function) -> Result<String, JsError> {
        // Back to the allocator, for the importer's vectors.
        self.prepared = PreparedMemory::default();
        let companions = std::mem::take(&mut self.companions);
        let mut report = |fraction: f32| {
            // A failing progress callback must not fail the load.
            let _ = on_progress.call1(&JsValue::NULL, &JsValue::from_f64(fraction as f64));
        };
        let scene = import_with_progress(name, bytes, &companions, &mut Progress::new(&mut report))
            .map_err(|e| JsError::new(&e.to_string()))?;
        let info = ModelInfo::of(name, &scene);
        self.loading = Some(scene);
        serde_json::to_string(&info).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Whether a file starting with `head` (its first bytes) is read by the
    /// tools build rather than this one: a 3MF, found by content as every
    /// importer's format is, whatever the file's name.
    #[wasm_bindgen(js_name = readByToolsBuild)]
    pub fn read_by_tools_build(&self, head: &[u8]) -> bool {
        matches!(studio_model::import::detect("", head), Some(studio_model::import::Detected::ThreeMf))
    }

    /// [`Viewer::load`] of a model read by the tools build (`sceneTransfer`):
    /// `bytes` is a GLB in the model's own units and axes; `source_format` names
    /// what the file really was ("3mf"), for the info panel, units and up axis.
    #[wasm_bindgen(js_name = loadTransferred)]
    pub fn load_transferred(
        &mut self,
        name: &str,
        bytes: &[u8],
        source_format: &str,
        on_progress: &js_sys::Function,
    ) -> Result<String, JsError> {
        let format = match source_format {
            "3mf" => SourceFormat::ThreeMf,
            other => return Err(JsError::new(&format!("Internal error: unknown transferred format {other}."))),
        };
        self.companions = Companions::new();
        let mut report = |fraction: f32| {
            let _ = on_progress.call1(&JsValue::NULL, &JsValue::from_f64(fraction as f64));
        };
        let mut scene =
            import_with_progress("transfer.glb", bytes, &Companions::new(), &mut Progress::new(&mut report))
                .map_err(|e| JsError::new(&e.to_string()))?;
        scene.format = format;
        // 3MF is Z-up, in millimetres (as our 3MF importer delivers it).
        scene.up_axis = UpAxis::Z;
        let info = ModelInfo::of(name, &scene);
        self.loading = Some(scene);
        serde_json::to_string(&info).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Step 2: indices of textures the browser must decode (`pendingImage`,
    /// then `setImagePixels` for each).
    #[wasm_bindgen(js_name = pendingImages)]
    pub fn pending_images(&self) -> Vec<u32> {
        let Some(scene) = &self.loading else { return Vec::new() };
        let pending = |t: &studio_model::model::Texture| t.encoded.is_some() && !t.has_pixels();
        (0..scene.textures.len() as u32).filter(|&i| pending(&scene.textures[i as usize])).collect()
    }

    /// The encoded PNG/JPEG bytes of a pending texture.
    #[wasm_bindgen(js_name = pendingImage)]
    pub fn pending_image(&self, index: u32) -> Vec<u8> {
        let texture = self.loading.as_ref().and_then(|s| s.textures.get(index as usize));
        texture.and_then(|t| t.encoded.clone()).unwrap_or_default()
    }

    /// Supplies decoded, non-premultiplied RGBA8 pixels, or an empty array when
    /// the browser could not decode the image (the material is then untextured).
    #[wasm_bindgen(js_name = setImagePixels)]
    pub fn set_image_pixels(&mut self, index: u32, width: u32, height: u32, rgba8: Vec<u8>) {
        let Some(scene) = self.loading.as_mut() else { return };
        let Some(texture) = scene.textures.get_mut(index as usize) else { return };
        // The encoded image stays: converting the open model writes it out again.
        // Only sizes that match the header checked during import are accepted.
        if width == texture.width && height == texture.height && rgba8.len() as u64 == width as u64 * height as u64 * 4
        {
            texture.rgba8 = rgba8;
        } else {
            scene.warnings.push(format!("Texture {index} could not be decoded; its material is shown untextured."));
        }
    }

    /// Step 3: uploads the imported model to the GPU and frames it.
    pub fn show(&mut self) {
        let Some(scene) = self.loading.take() else { return };
        let gpu_scene = GpuScene::upload(&self.gpu.device, &self.gpu.queue, self.gpu.renderer.pipelines(), &scene);
        self.settings.camera.fit(&gpu_scene.bounds_in_view_world);
        self.scene = Some(scene);
        self.gpu_scene = Some(gpu_scene);
        self.picker = None;
        self.settings.section = None;
        self.section_lines = Vec::new();
        self.ensure_wireframe();
    }

    /// The shown model for a tools job (`model_transfer`): `[description,
    /// views of its arrays in the order the description lists them]`, or
    /// `undefined` when the job should read the file instead: nothing shown, or
    /// a 3MF, which this build shows from a baked copy the tools build made.
    /// The views go stale when the wasm memory grows: copy them out at once.
    /// `convert_to` names the conversion's target (`None`: an inspection); the
    /// normals are left behind for a job that never reads them
    /// ([`ToolsJob::reads_vertex_normals`]).
    #[wasm_bindgen(js_name = sceneForTools)]
    pub fn scene_for_tools(&self, convert_to: Option<String>, weld: bool) -> Option<js_sys::Array> {
        let scene = self.scene.as_ref().filter(|s| s.format != SourceFormat::ThreeMf)?;
        let job = match &convert_to {
            Some(format) => ToolsJob::Convert { format, weld },
            None => ToolsJob::Inspect,
        };
        let packed = studio_model::model_transfer::pack(scene, job.reads_vertex_normals());
        let views: js_sys::Array = packed.arrays.into_iter().map(wasm_bytes::view_of).collect();
        Some(js_sys::Array::of2(&packed.description.into(), &views))
    }

    /// Grid cell size in file units (for the scale label), 0 when nothing is loaded.
    #[wasm_bindgen(js_name = gridSpacing)]
    pub fn grid_spacing(&self) -> f32 {
        self.gpu_scene.as_ref().map_or(0.0, |s| s.grid_spacing)
    }

    pub fn resize(&mut self, width: u32, height: u32) {
        let (width, height) = (width.clamp(1, 8192), height.clamp(1, 8192));
        self.canvas.set_width(width);
        self.canvas.set_height(height);
        self.gpu.config.width = width;
        self.gpu.config.height = height;
        self.gpu.surface.configure(&self.gpu.device, &self.gpu.config);
    }

    pub fn orbit(&mut self, dx: f32, dy: f32) {
        self.settings.camera.orbit(dx, dy, self.gpu.config.height as f32);
    }

    pub fn pan(&mut self, dx: f32, dy: f32) {
        self.settings.camera.pan(dx, dy, self.gpu.config.height as f32);
    }

    pub fn zoom(&mut self, factor: f32) {
        self.settings.camera.zoom(factor);
    }

    /// Fits the model to the view again (the Home button).
    pub fn home(&mut self) {
        if let Some(scene) = &self.gpu_scene {
            self.settings.camera.fit(&scene.bounds_in_view_world);
        }
    }

    /// The camera pose as JSON, `{"target": [x, y, z], "distance": d, "yaw": a, "pitch": b}`
    /// (see [`CameraPose`]), saved in shares.
    #[wasm_bindgen(js_name = cameraPose)]
    pub fn camera_pose(&self) -> String {
        serde_json::to_string(&self.settings.camera.pose()).unwrap_or_else(|_| "null".into())
    }

    /// Applies a camera pose in [`Viewer::camera_pose`]'s JSON (a share's view
    /// state or an embed option); returns false, changing nothing, if it is
    /// malformed or not valid (non-finite numbers, a distance ≤ 0).
    #[wasm_bindgen(js_name = setCameraPose)]
    pub fn set_camera_pose(&mut self, json: &str) -> bool {
        serde_json::from_str::<CameraPose>(json).is_ok_and(|pose| self.settings.camera.set_pose(&pose))
    }

    /// Applies display options given as JSON ([`DisplayOptions`]: `projection`
    /// "perspective"|"orthographic", `shading` "flat"|"smooth", `wireframe`/`grid`
    /// booleans, `background` "#rrggbb", `up` "y"|"z"), each one present; an
    /// unknown name or invalid value is an error and changes nothing.
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&mut self, json: &str) -> Result<(), JsError> {
        let options: DisplayOptions =
            serde_json::from_str(json).map_err(|e| JsError::new(&format!("invalid display options: {e}")))?;
        let background = match &options.background {
            Some(value) => Some(
                parse_hex_color(value)
                    .ok_or_else(|| JsError::new(&format!("invalid value '{value}' for option 'background'")))?,
            ),
            None => None,
        };
        if let Some(up) = options.up
            && let (Some(scene), Some(gpu_scene)) = (&self.scene, &mut self.gpu_scene)
        {
            gpu_scene.set_up_axis(&self.gpu.device, &self.gpu.queue, scene, up);
            self.settings.camera.fit(&gpu_scene.bounds_in_view_world);
        }
        if let Some(projection) = options.projection {
            self.settings.camera.projection = projection;
        }
        if let Some(shading) = options.shading {
            self.settings.shading = shading;
        }
        if let Some(grid) = options.grid {
            self.settings.grid = grid;
        }
        if let Some(background) = background {
            self.settings.background = background;
        }
        if let Some(wireframe) = options.wireframe {
            self.settings.wireframe = wireframe;
            self.ensure_wireframe();
        }
        Ok(())
    }

    /// The up axis currently applied ("y" or "z"), which defaults from the format.
    #[wasm_bindgen(js_name = upAxis)]
    pub fn up_axis(&self) -> String {
        match self.gpu_scene.as_ref().map(|s| s.up_axis) {
            Some(UpAxis::Z) => "z".into(),
            _ => "y".into(),
        }
    }

    /// True once the GPU device was lost; call `recover` to rebuild it.
    #[wasm_bindgen(js_name = isLost)]
    pub fn is_lost(&self) -> bool {
        self.gpu.lost.load(Ordering::SeqCst)
    }

    /// Destroys the GPU device the way a driver reset or GPU process crash would,
    /// so that tests can check the recovery path; the next frame recovers.
    #[wasm_bindgen(js_name = simulateDeviceLoss)]
    pub fn simulate_device_loss(&self) {
        self.gpu.device.destroy();
    }

    /// Recreates the device and re-uploads the current model from the CPU copy.
    pub async fn recover(&mut self) -> Result<(), JsError> {
        self.gpu = create_gpu(&self.canvas, self.force_webgl2).await?;
        self.warm_up();
        if let Some(scene) = &self.scene {
            let up = self.gpu_scene.as_ref().map_or(scene.up_axis, |s| s.up_axis);
            let overlay = self.gpu_scene.as_ref().map(GpuScene::overlay_lines).unwrap_or_default();
            let mut gpu_scene =
                GpuScene::upload_with_up(&self.gpu.device, &self.gpu.queue, self.gpu.renderer.pipelines(), scene, up);
            gpu_scene.set_overlay(&self.gpu.device, &self.gpu.queue, overlay);
            self.gpu_scene = Some(gpu_scene);
        }
        self.ensure_wireframe();
        Ok(())
    }

    /// Draws one frame to the canvas.
    pub fn render(&mut self) -> Result<(), JsError> {
        let frame = match self.gpu.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame) | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => frame,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.gpu.surface.configure(&self.gpu.device, &self.gpu.config);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let view = frame.texture.create_view(&Default::default());
        let size = (self.gpu.config.width, self.gpu.config.height);
        self.gpu.renderer.render(
            &self.gpu.device,
            &self.gpu.queue,
            &view,
            size,
            self.gpu_scene.as_mut(),
            &self.settings,
        );
        self.gpu.queue.present(frame);
        Ok(())
    }
}

impl Viewer {
    fn ensure_wireframe(&mut self) {
        if let (true, Some(scene), Some(gpu_scene)) = (self.settings.wireframe, &self.scene, &mut self.gpu_scene) {
            gpu_scene.ensure_wireframe(&self.gpu.device, &self.gpu.queue, scene);
        }
    }
}

fn parse_hex_color(value: &str) -> Option<[f32; 3]> {
    let hex = value.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?].map(|c| srgb_to_linear(c as f32 / 255.0)))
}
