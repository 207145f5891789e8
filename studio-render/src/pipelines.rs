//! Shaders, bind group layouts and the render pipeline variants.
//!
//! Mesh pipelines vary by which vertex attributes a primitive has (a faceted
//! STL uploads only positions; its normals come from derivatives), by back-face
//! culling (glTF `doubleSided`) and by blending (glTF `alphaMode: BLEND`).

use std::collections::HashMap;

pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// Size of one entry in the per-draw uniform buffer; 256 is WebGPU's minimum
/// uniform offset alignment on every adapter.
pub const DRAW_UNIFORM_STRIDE: u64 = 256;

/// What selects one of the mesh render pipeline variants; each distinct key compiles one pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MeshPipelineKey {
    /// No normal buffer: one normal per triangle, found in the fragment shader.
    /// Only without texture coordinates and colours.
    pub faceted: bool,
    /// The primitive has texture coordinates and its material a texture to sample.
    pub has_uv: bool,
    /// The primitive has vertex colours, multiplied into the base colour.
    pub has_color: bool,
    /// Back faces are drawn (no culling): a double-sided material, or a section view showing the inside.
    pub double_sided: bool,
    /// Alpha blending for `AlphaMode::Blend` materials, drawn after the opaque ones.
    pub blend: bool,
}

pub struct Pipelines {
    pub frame_layout: wgpu::BindGroupLayout,
    pub draw_layout: wgpu::BindGroupLayout,
    pub material_layout: wgpu::BindGroupLayout,
    shader: wgpu::ShaderModule,
    mesh_layout: wgpu::PipelineLayout,
    color_format: wgpu::TextureFormat,
    mesh: HashMap<MeshPipelineKey, wgpu::RenderPipeline>,
    pub wire: wgpu::RenderPipeline,
    pub grid: wgpu::RenderPipeline,
    /// Measurement lines: like the grid's, but never hidden by the model.
    pub overlay: wgpu::RenderPipeline,
}

const POSITION: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: 12,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![0 => Float32x3],
};
const NORMAL: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: 12,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![1 => Float32x3],
};
const UV: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: 8,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![2 => Float32x2],
};
const COLOR: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: 16,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![3 => Float32x4],
};
const GRID_VERTEX: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: 28,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x4],
};

fn uniform_entry(binding: u32, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

impl Pipelines {
    pub fn new(device: &wgpu::Device, color_format: wgpu::TextureFormat) -> Pipelines {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("mesh.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("mesh.wgsl").into()),
        });
        let frame_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame"),
            entries: &[uniform_entry(0, false)],
        });
        let draw_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("draw"),
            entries: &[uniform_entry(0, true)],
        });
        let material_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("material"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let mesh_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("mesh"),
            bind_group_layouts: &[Some(&frame_layout), Some(&draw_layout), Some(&material_layout)],
            immediate_size: 0,
        });
        let line_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("lines"),
            bind_group_layouts: &[Some(&frame_layout), Some(&draw_layout)],
            immediate_size: 0,
        });
        let line_pipeline = |label: &str,
                             entry: &str,
                             buffers: &[Option<wgpu::VertexBufferLayout>],
                             depth_compare: wgpu::CompareFunction| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(&line_layout),
                vertex: wgpu::VertexState {
                    module: &shader,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    buffers,
                },
                primitive: wgpu::PrimitiveState { topology: wgpu::PrimitiveTopology::LineList, ..Default::default() },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(false),
                    depth_compare: Some(depth_compare),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &shader,
                    entry_point: Some("fs_line"),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: color_format,
                        blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let wire = line_pipeline("wireframe", "vs_wire", &[Some(POSITION)], wgpu::CompareFunction::LessEqual);
        let grid = line_pipeline("grid", "vs_grid", &[Some(GRID_VERTEX)], wgpu::CompareFunction::LessEqual);
        let overlay = line_pipeline("overlay", "vs_grid", &[Some(GRID_VERTEX)], wgpu::CompareFunction::Always);
        Pipelines {
            frame_layout,
            draw_layout,
            material_layout,
            shader,
            mesh_layout,
            color_format,
            mesh: HashMap::new(),
            wire,
            grid,
            overlay,
        }
    }

    pub fn color_format(&self) -> wgpu::TextureFormat {
        self.color_format
    }

    pub fn mesh_keys(&self) -> Vec<MeshPipelineKey> {
        self.mesh.keys().copied().collect()
    }

    /// The mesh pipeline for a variant, created on first use.
    pub fn mesh(&mut self, device: &wgpu::Device, key: MeshPipelineKey) -> &wgpu::RenderPipeline {
        let (shader, layout, format) = (&self.shader, &self.mesh_layout, self.color_format);
        self.mesh.entry(key).or_insert_with(|| {
            let (vertex_entry, fragment_entry) = match (key.faceted, key.has_uv, key.has_color) {
                (true, _, _) => ("vs_faceted", "fs_faceted"),
                (false, false, false) => ("vs_plain", "fs_plain"),
                (false, true, false) => ("vs_uv", "fs_main"),
                (false, false, true) => ("vs_color", "fs_main"),
                (false, true, true) => ("vs_uv_color", "fs_main"),
            };
            let buffers = if key.faceted {
                vec![Some(POSITION)]
            } else {
                vec![Some(POSITION), Some(NORMAL), key.has_uv.then_some(UV), key.has_color.then_some(COLOR)]
            };
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some("mesh"),
                layout: Some(layout),
                vertex: wgpu::VertexState {
                    module: shader,
                    entry_point: Some(vertex_entry),
                    compilation_options: Default::default(),
                    buffers: &buffers,
                },
                primitive: wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleList,
                    front_face: wgpu::FrontFace::Ccw,
                    cull_mode: if key.double_sided { None } else { Some(wgpu::Face::Back) },
                    ..Default::default()
                },
                depth_stencil: Some(wgpu::DepthStencilState {
                    format: DEPTH_FORMAT,
                    depth_write_enabled: Some(!key.blend),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    bias: Default::default(),
                }),
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: shader,
                    entry_point: Some(fragment_entry),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend: key.blend.then_some(wgpu::BlendState::ALPHA_BLENDING),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        })
    }
}
