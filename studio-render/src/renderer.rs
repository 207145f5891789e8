//! Records and submits one frame.

use glam::{Vec3, Vec4};

use crate::gpu_scene::GpuScene;
use crate::pipelines::{DEPTH_FORMAT, Pipelines};
use crate::{Shading, ViewSettings};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct FrameUniform {
    clip_from_world: [[f32; 4]; 4],
    eye_in_world: [f32; 4],
    light_dir_in_world: [f32; 4],
    flags: [f32; 4],
    wire_color: [f32; 4],
    section_plane: [f32; 4],
}

/// Draws a [`GpuScene`] with [`ViewSettings`](crate::ViewSettings) into a colour texture view of one format; owns the pipelines and the depth buffer.
pub struct Renderer {
    pub(super) pipelines: Pipelines,
    frame_uniforms: wgpu::Buffer,
    frame_bind_group: wgpu::BindGroup,
    depth: Option<(wgpu::TextureView, u32, u32)>,
    /// Whether the target stores sRGB-encoded values without doing the encoding itself.
    encode_srgb: bool,
}

impl Renderer {
    /// `color_format` is the target's format. Prefer a non-sRGB format: the
    /// shader then encodes to sRGB itself, which behaves the same on WebGPU,
    /// WebGL2 and native.
    pub fn new(device: &wgpu::Device, color_format: wgpu::TextureFormat) -> Renderer {
        let pipelines = Pipelines::new(device, color_format);
        let frame_uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("frame uniforms"),
            size: std::mem::size_of::<FrameUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let frame_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("frame"),
            layout: &pipelines.frame_layout,
            entries: &[wgpu::BindGroupEntry { binding: 0, resource: frame_uniforms.as_entire_binding() }],
        });
        Renderer { pipelines, frame_uniforms, frame_bind_group, depth: None, encode_srgb: !color_format.is_srgb() }
    }

    /// The shaders, layouts and pipeline variants, which uploading a [`GpuScene`] needs.
    pub fn pipelines(&self) -> &Pipelines {
        &self.pipelines
    }

    /// Draws the warm-up scene (see `crate::warm_up`) into a throwaway target of
    /// the given size: the pipelines most models use are then compiled, and the
    /// GPU stack has met their draw states, before the first model arrives.
    pub fn warm_up(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, (width, height): (u32, u32)) {
        let (width, height) = (width.max(1), height.max(1));
        let scene = crate::warm_up::scene();
        let mut gpu_scene = GpuScene::upload(device, queue, &self.pipelines, &scene);
        let mut settings = ViewSettings::default();
        settings.camera.fit(&gpu_scene.bounds_in_view_world);
        let format = self.pipelines.color_format();
        let view =
            render_attachment(device, "warm-up target", (width, height), format).create_view(&Default::default());
        self.render(device, queue, &view, (width, height), Some(&mut gpu_scene), &settings);
    }

    /// Mesh pipeline variants created so far (the warm-up test reads it).
    pub fn mesh_pipeline_keys(&self) -> Vec<crate::pipelines::MeshPipelineKey> {
        self.pipelines.mesh_keys()
    }

    fn depth_view(&mut self, device: &wgpu::Device, width: u32, height: u32) -> wgpu::TextureView {
        if let Some((view, w, h)) = &self.depth
            && *w == width
            && *h == height
        {
            return view.clone();
        }
        let view = render_attachment(device, "depth", (width, height), DEPTH_FORMAT).create_view(&Default::default());
        self.depth = Some((view.clone(), width, height));
        view
    }

    /// Draws `scene` (or just the background) into `target`, which is `width × height` pixels.
    pub fn render(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        target: &wgpu::TextureView,
        (width, height): (u32, u32),
        scene: Option<&mut GpuScene>,
        settings: &ViewSettings,
    ) {
        let (width, height) = (width.max(1), height.max(1));
        let depth = self.depth_view(device, width, height);
        let camera = &settings.camera;
        let clip_from_world = camera.clip_from_view(width as f32 / height as f32) * camera.view_from_world();
        let eye = camera.eye();
        // Key light from over the viewer's right shoulder, so what you look at is lit.
        let view = camera.view_from_world();
        let world_from_view = view.inverse();
        let light = (world_from_view * Vec4::new(0.4, 0.6, 1.0, 0.0)).truncate().normalize_or(Vec3::Y);
        let frame = FrameUniform {
            clip_from_world: clip_from_world.to_cols_array_2d(),
            eye_in_world: eye.extend(1.0).to_array(),
            light_dir_in_world: light.extend(0.0).to_array(),
            flags: [
                if settings.shading == Shading::Flat { 1.0 } else { 0.0 },
                if self.encode_srgb { 1.0 } else { 0.0 },
                if settings.section.is_some() { 1.0 } else { 0.0 },
                0.0,
            ],
            wire_color: [0.02, 0.02, 0.03, 0.55],
            section_plane: settings.section.unwrap_or_default(),
        };
        queue.write_buffer(&self.frame_uniforms, 0, bytemuck::bytes_of(&frame));

        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("frame") });
        {
            let [r, g, b] = settings.background;
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("main"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(self.clear_color(r, g, b)),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &depth,
                    depth_ops: Some(wgpu::Operations { load: wgpu::LoadOp::Clear(1.0), store: wgpu::StoreOp::Store }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            if let Some(scene) = scene.as_deref() {
                self.draw_scene(device, &mut pass, scene, settings);
            }
        }
        queue.submit([encoder.finish()]);
    }

    fn clear_color(&self, r: f32, g: f32, b: f32) -> wgpu::Color {
        let encode = |c: f32| {
            let c = c.clamp(0.0, 1.0);
            if !self.encode_srgb {
                c
            } else if c <= 0.003_130_8 {
                c * 12.92
            } else {
                1.055 * c.powf(1.0 / 2.4) - 0.055
            }
        };
        wgpu::Color { r: encode(r) as f64, g: encode(g) as f64, b: encode(b) as f64, a: 1.0 }
    }

    fn draw_scene(
        &mut self,
        device: &wgpu::Device,
        pass: &mut wgpu::RenderPass<'_>,
        scene: &GpuScene,
        settings: &ViewSettings,
    ) {
        pass.set_bind_group(0, &self.frame_bind_group, &[]);
        // Opaque first, then blended, so transparent surfaces show what is behind them.
        for blended in [false, true] {
            for draw in &scene.draws {
                let primitive = &scene.meshes[draw.mesh][draw.primitive];
                let material = &scene.materials[primitive.material];
                if material.blend != blended || primitive.index_count == 0 {
                    continue;
                }
                let mut key = scene.pipeline_key(draw);
                // A cut model shows its inside: back faces become the cut's cap.
                key.double_sided |= settings.section.is_some();
                pass.set_pipeline(self.pipelines.mesh(device, key));
                pass.set_bind_group(1, &scene.draw_bind_group, &[draw.uniform_offset]);
                pass.set_bind_group(2, &material.bind_group, &[]);
                pass.set_vertex_buffer(0, primitive.positions.slice(..));
                if let Some(normals) = &primitive.normals {
                    pass.set_vertex_buffer(1, normals.slice(..));
                }
                if key.has_uv
                    && let Some(uvs) = &primitive.uvs
                {
                    pass.set_vertex_buffer(2, uvs.slice(..));
                }
                if let Some(colors) = &primitive.colors {
                    pass.set_vertex_buffer(3, colors.slice(..));
                }
                match &primitive.indices {
                    Some(indices) => {
                        pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                        pass.draw_indexed(0..primitive.index_count, 0, 0..1);
                    }
                    None => pass.draw(0..primitive.index_count, 0..1),
                }
            }
        }
        if settings.wireframe {
            pass.set_pipeline(&self.pipelines.wire);
            for draw in &scene.draws {
                let primitive = &scene.meshes[draw.mesh][draw.primitive];
                if let Some((indices, count)) = &primitive.wire_indices {
                    pass.set_bind_group(1, &scene.draw_bind_group, &[draw.uniform_offset]);
                    pass.set_vertex_buffer(0, primitive.positions.slice(..));
                    pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..*count, 0, 0..1);
                }
            }
        }
        if settings.grid
            && let Some((grid, count)) = &scene.grid
        {
            pass.set_pipeline(&self.pipelines.grid);
            pass.set_bind_group(1, &scene.draw_bind_group, &[scene.grid_uniform_offset()]);
            pass.set_vertex_buffer(0, grid.slice(..));
            pass.draw(0..*count, 0..1);
        }
        if let Some((overlay, count)) = &scene.overlay {
            pass.set_pipeline(&self.pipelines.overlay);
            pass.set_bind_group(1, &scene.draw_bind_group, &[scene.grid_uniform_offset()]);
            pass.set_vertex_buffer(0, overlay.slice(..));
            pass.draw(0..*count, 0..1);
        }
    }
}

/// A single-sample 2D texture that a render pass draws into and nothing reads.
fn render_attachment(
    device: &wgpu::Device,
    label: &str,
    (width, height): (u32, u32),
    format: wgpu::TextureFormat,
) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        view_formats: &[],
    })
}
