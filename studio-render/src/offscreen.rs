//! Native offscreen rendering (lavapipe in CI): render into a texture and read
//! the pixels back, for golden-image tests and thumbnails.

use crate::{GpuScene, Renderer, ViewSettings};
use studio_model::model::Scene;

/// Colour format of the offscreen target: RGBA8 without hardware sRGB, so the shader writes sRGB-encoded bytes itself.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Why offscreen rendering could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum OffscreenError {
    /// No Vulkan fallback adapter (lavapipe) was found; the text is wgpu's error.
    #[error("no GPU adapter is available (install mesa-vulkan-drivers for lavapipe): {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device with WebGL2-level limits; the text is wgpu's error.
    #[error("the GPU device could not be created: {0}")]
    NoDevice(String),
    /// Copying the rendered texture back to the CPU failed; the text is wgpu's error.
    #[error("reading the rendered pixels back failed: {0}")]
    Readback(String),
}

/// A wgpu device on the CPU adapter (lavapipe) with a renderer, for rendering without a window.
pub struct Offscreen {
    /// The wgpu device everything is created on.
    pub device: wgpu::Device,
    /// The device's queue.
    pub queue: wgpu::Queue,
    /// Which adapter and driver were chosen, for logs and test output.
    pub adapter_info: wgpu::AdapterInfo,
    /// The renderer, set up for [`OFFSCREEN_FORMAT`].
    pub renderer: Renderer,
}

impl Offscreen {
    /// Opens the Vulkan CPU fallback adapter (identical pixels on every machine) and builds a renderer for it.
    pub async fn new() -> Result<Offscreen, OffscreenError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::VULKAN,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::LowPower,
                // The CPU adapter (lavapipe): identical pixels on every machine, which
                // golden images need, rather than whatever GPU a machine happens to have.
                force_fallback_adapter: true,
                compatible_surface: None,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| OffscreenError::NoAdapter(e.to_string()))?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("offscreen"),
                required_limits: wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits()),
                ..Default::default()
            })
            .await
            .map_err(|e| OffscreenError::NoDevice(e.to_string()))?;
        let renderer = Renderer::new(&device, OFFSCREEN_FORMAT);
        Ok(Offscreen { device, queue, adapter_info: adapter.get_info(), renderer })
    }

    /// Uploads `scene` to this device, drawn with its own up axis.
    pub fn upload(&self, scene: &Scene) -> GpuScene {
        GpuScene::upload(&self.device, &self.queue, self.renderer.pipelines(), scene)
    }

    /// Renders and returns tightly packed RGBA8 rows, top row first.
    pub fn render_rgba(
        &mut self,
        scene: Option<&mut GpuScene>,
        settings: &ViewSettings,
        (width, height): (u32, u32),
    ) -> Result<Vec<u8>, OffscreenError> {
        let texture = self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen colour"),
            size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        self.renderer.render(&self.device, &self.queue, &view, (width, height), scene, settings);

        // Rows in a texture-to-buffer copy must be 256-byte aligned.
        let padded_row = (width * 4).div_ceil(256) * 256;
        let readback = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: padded_row as u64 * height as u64,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row),
                    rows_per_image: None,
                },
            },
            wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
        );
        self.queue.submit([encoder.finish()]);
        let (sender, receiver) = std::sync::mpsc::channel();
        readback.map_async(wgpu::MapMode::Read, .., move |result| {
            let _ = sender.send(result);
        });
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| OffscreenError::Readback(e.to_string()))?;
        receiver
            .recv()
            .map_err(|e| OffscreenError::Readback(e.to_string()))?
            .map_err(|e| OffscreenError::Readback(e.to_string()))?;
        let mapped = readback.get_mapped_range(..).map_err(|e| OffscreenError::Readback(e.to_string()))?;
        let mut pixels = Vec::with_capacity((width * height * 4) as usize);
        for row in mapped.chunks_exact(padded_row as usize) {
            pixels.extend_from_slice(&row[..(width * 4) as usize]);
        }
        Ok(pixels)
    }
}
