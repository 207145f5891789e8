//! The one place where a CPU [`Scene`] becomes GPU buffers.

use glam::Mat4;

use crate::camera::up_from_model;
use crate::grid::{GridLines, build_grid};
use crate::pipelines::{DRAW_UNIFORM_STRIDE, MeshPipelineKey, Pipelines};
use studio_model::model::{Aabb, AlphaMode, Material, Primitive, Scene, Texture, UpAxis, WrapMode};

pub(super) struct GpuPrimitive {
    pub positions: wgpu::Buffer,
    /// `None` for a faceted primitive (see [`is_faceted`]).
    pub normals: Option<wgpu::Buffer>,
    pub uvs: Option<wgpu::Buffer>,
    pub colors: Option<wgpu::Buffer>,
    /// `None` when the indices are just 0, 1, 2, … (every STL): drawn without
    /// an index buffer, which saves a third of the upload.
    pub indices: Option<wgpu::Buffer>,
    pub index_count: u32,
    /// Line-list indices for the wireframe overlay, built the first time it is shown.
    pub wire_indices: Option<(wgpu::Buffer, u32)>,
    pub material: usize,
}

pub(super) struct GpuMaterial {
    pub bind_group: wgpu::BindGroup,
    pub double_sided: bool,
    pub blend: bool,
    pub has_texture: bool,
    pub factors: Material,
}

/// One primitive of one mesh instance, with its slot in the draw uniform buffer.
pub(super) struct DrawItem {
    pub mesh: usize,
    pub primitive: usize,
    pub world_from_mesh: Mat4,
    pub uniform_offset: u32,
}

/// A scene's meshes, materials, textures, ground grid and overlay lines uploaded to the GPU, ready for [`Renderer::render`](crate::Renderer::render).
pub struct GpuScene {
    pub(super) meshes: Vec<Vec<GpuPrimitive>>,
    pub(super) materials: Vec<GpuMaterial>,
    pub(super) draws: Vec<DrawItem>,
    pub(super) draw_uniforms: wgpu::Buffer,
    pub(super) draw_bind_group: wgpu::BindGroup,
    pub(super) grid: Option<(wgpu::Buffer, u32)>,
    /// Measurement and annotation lines (view world), drawn over the model.
    pub(super) overlay: Option<(wgpu::Buffer, u32)>,
    /// The same lines in model space, kept to re-orient them with the model.
    overlay_in_model: Vec<[f32; 7]>,
    /// Bounds of everything drawn, in the Y-up view world.
    pub bounds_in_view_world: Aabb,
    /// Spacing of the ground grid's lines, in model units (a power of ten).
    pub grid_spacing: f32,
    /// The up axis the model is drawn with: turned into the Y-up view world by [`up_from_model`].
    pub up_axis: UpAxis,
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct DrawUniform {
    world_from_mesh: [[f32; 4]; 4],
    normal_from_mesh: [[f32; 4]; 4],
    base_color_factor: [f32; 4],
    material: [f32; 4],
}

/// Creates a buffer filled through the queue rather than `mapped_at_creation`:
/// browsers may refuse large mapped-at-creation allocations in workers.
fn buffer(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    label: &str,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    // Sizes must be multiples of 4 for writes; zero-sized buffers are not allowed either.
    let size = (bytes.len() as u64).div_ceil(4).max(1) * 4;
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    if bytes.len().is_multiple_of(4) {
        queue.write_buffer(&buffer, 0, bytes);
    } else {
        let mut padded = bytes.to_vec();
        padded.resize(size as usize, 0);
        queue.write_buffer(&buffer, 0, &padded);
    }
    buffer
}

impl GpuScene {
    /// Uploads `scene`, drawn with its own up axis.
    pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, pipelines: &Pipelines, scene: &Scene) -> GpuScene {
        Self::upload_with_up(device, queue, pipelines, scene, scene.up_axis)
    }

    /// Uploads `scene`, drawn as if `up_axis` were its up axis (the user's override of the file's convention).
    pub fn upload_with_up(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        pipelines: &Pipelines,
        scene: &Scene,
        up_axis: UpAxis,
    ) -> GpuScene {
        let textures: Vec<wgpu::TextureView> =
            scene.textures.iter().map(|t| upload_texture(device, queue, t)).collect();
        let white = upload_texture(device, queue, &white_texture());
        let mut materials: Vec<GpuMaterial> = scene
            .materials
            .iter()
            .map(|m| {
                let texture = m.base_color_texture.and_then(|t| scene.textures.get(t).map(|tex| (t, tex)));
                let view = texture.map(|(t, _)| &textures[t]).unwrap_or(&white);
                let sampler = make_sampler(device, texture.map(|(_, tex)| tex));
                gpu_material(device, pipelines, m, view, &sampler, texture.is_some())
            })
            .collect();
        // The default material for primitives without one: light grey, two-sided.
        let default = Material { base_color_factor: [0.8, 0.8, 0.8, 1.0], double_sided: true, ..Material::default() };
        let default_sampler = make_sampler(device, None);
        materials.push(gpu_material(device, pipelines, &default, &white, &default_sampler, false));
        let default_index = materials.len() - 1;

        let meshes = scene
            .meshes
            .iter()
            .map(|mesh| {
                mesh.primitives
                    .iter()
                    .map(|p| upload_primitive(device, queue, p, p.material.unwrap_or(default_index)))
                    .collect()
            })
            .collect();
        let mut draws = Vec::new();
        for instance in scene.mesh_instances() {
            for primitive in 0..scene.meshes[instance.mesh].primitives.len() {
                let uniform_offset = (draws.len() as u64 * DRAW_UNIFORM_STRIDE) as u32;
                draws.push(DrawItem {
                    mesh: instance.mesh,
                    primitive,
                    world_from_mesh: instance.world_from_mesh,
                    uniform_offset,
                });
            }
        }
        // A frame always has the grid draw at slot `draws.len()`, so allocate one more.
        let draw_uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("draw uniforms"),
            size: (draws.len() as u64 + 1) * DRAW_UNIFORM_STRIDE,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let draw_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("draw"),
            layout: &pipelines.draw_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &draw_uniforms,
                    offset: 0,
                    size: wgpu::BufferSize::new(std::mem::size_of::<DrawUniform>() as u64),
                }),
            }],
        });
        let mut gpu = GpuScene {
            meshes,
            materials,
            draws,
            draw_uniforms,
            draw_bind_group,
            grid: None,
            overlay: None,
            overlay_in_model: Vec::new(),
            bounds_in_view_world: Aabb::EMPTY,
            grid_spacing: 1.0,
            up_axis,
        };
        gpu.set_up_axis(device, queue, scene, up_axis);
        gpu
    }

    /// Re-orients the model (Y-up or Z-up) without re-uploading geometry.
    pub fn set_up_axis(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, scene: &Scene, up_axis: UpAxis) {
        self.up_axis = up_axis;
        let up = up_from_model(up_axis);
        self.bounds_in_view_world = scene.bounds_after(up);
        let mut bytes = vec![0u8; (self.draws.len() + 1) * DRAW_UNIFORM_STRIDE as usize];
        for draw in &self.draws {
            let material = &self.materials[self.meshes[draw.mesh][draw.primitive].material];
            let world_from_mesh = up * draw.world_from_mesh;
            let uniform = draw_uniform(world_from_mesh, &material.factors);
            let at = draw.uniform_offset as usize;
            bytes[at..at + std::mem::size_of::<DrawUniform>()].copy_from_slice(bytemuck::bytes_of(&uniform));
        }
        // The grid's slot: identity transform.
        let grid_uniform = draw_uniform(Mat4::IDENTITY, &Material::default());
        let at = self.draws.len() * DRAW_UNIFORM_STRIDE as usize;
        bytes[at..at + std::mem::size_of::<DrawUniform>()].copy_from_slice(bytemuck::bytes_of(&grid_uniform));
        queue.write_buffer(&self.draw_uniforms, 0, &bytes);

        let GridLines { vertices, spacing } = build_grid(&self.bounds_in_view_world);
        self.grid_spacing = spacing;
        self.grid = Some((
            buffer(device, queue, "grid", bytemuck::cast_slice(&vertices), wgpu::BufferUsages::VERTEX),
            vertices.len() as u32,
        ));
        let lines = std::mem::take(&mut self.overlay_in_model);
        self.set_overlay(device, queue, lines);
    }

    /// The overlay lines in model space (to carry them over to a new device).
    pub fn overlay_lines(&self) -> Vec<[f32; 7]> {
        self.overlay_in_model.clone()
    }

    /// Line-list vertices (model-space position, linear RGBA) drawn on top of
    /// the model: measurements, section outlines. Empty clears them.
    pub fn set_overlay(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, lines_in_model: Vec<[f32; 7]>) {
        let up = up_from_model(self.up_axis);
        let in_view: Vec<[f32; 7]> = lines_in_model
            .iter()
            .map(|v| {
                let p = up.transform_point3(glam::Vec3::new(v[0], v[1], v[2]));
                [p.x, p.y, p.z, v[3], v[4], v[5], v[6]]
            })
            .collect();
        self.overlay = (!in_view.is_empty()).then(|| {
            let bytes = bytemuck::cast_slice(&in_view);
            (buffer(device, queue, "overlay", bytes, wgpu::BufferUsages::VERTEX), in_view.len() as u32)
        });
        self.overlay_in_model = lines_in_model;
    }

    pub(super) fn grid_uniform_offset(&self) -> u32 {
        (self.draws.len() as u64 * DRAW_UNIFORM_STRIDE) as u32
    }

    /// Builds the wireframe index buffers from `scene` (the one this was uploaded
    /// from) if they don't exist yet. Done on demand: most views never show edges,
    /// and the line indices are twice the size of the triangle indices.
    pub fn ensure_wireframe(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, scene: &Scene) {
        for (m, mesh) in self.meshes.iter_mut().enumerate() {
            for (p, primitive) in mesh.iter_mut().enumerate() {
                if primitive.wire_indices.is_some() {
                    continue;
                }
                let Some(tris) = scene.meshes.get(m).and_then(|mesh| mesh.primitives.get(p)).map(|p| &p.indices) else {
                    continue;
                };
                let mut lines = Vec::with_capacity(tris.len() * 2);
                for t in tris.chunks_exact(3) {
                    lines.extend_from_slice(&[t[0], t[1], t[1], t[2], t[2], t[0]]);
                }
                let buf =
                    buffer(device, queue, "wire indices", bytemuck::cast_slice(&lines), wgpu::BufferUsages::INDEX);
                primitive.wire_indices = Some((buf, lines.len() as u32));
            }
        }
    }

    pub(super) fn pipeline_key(&self, draw: &DrawItem) -> MeshPipelineKey {
        let primitive = &self.meshes[draw.mesh][draw.primitive];
        let material = &self.materials[primitive.material];
        MeshPipelineKey {
            faceted: primitive.normals.is_none(),
            has_uv: primitive.uvs.is_some() && material.has_texture,
            has_color: primitive.colors.is_some(),
            double_sided: material.double_sided,
            blend: material.blend,
        }
    }
}

fn is_sequential(indices: &[u32]) -> bool {
    let chunk_is_sequential = |chunk: std::ops::Range<usize>| {
        let first = chunk.start;
        let sequential = indices[chunk].iter().enumerate().all(|(k, &v)| v as usize == first + k);
        if sequential { Ok(()) } else { Err(()) }
    };
    studio_model::chunked::try_for_each_chunk(indices.len(), chunk_is_sequential).is_ok()
}

fn draw_uniform(world_from_mesh: Mat4, material: &Material) -> DrawUniform {
    let normal_from_mesh = world_from_mesh.inverse().transpose();
    let normal_from_mesh = if normal_from_mesh.is_finite() { normal_from_mesh } else { Mat4::IDENTITY };
    let cutoff = if material.alpha_mode == AlphaMode::Mask { material.alpha_cutoff } else { -1.0 };
    DrawUniform {
        world_from_mesh: world_from_mesh.to_cols_array_2d(),
        normal_from_mesh: normal_from_mesh.to_cols_array_2d(),
        base_color_factor: material.base_color_factor,
        material: [cutoff, material.metallic_factor, material.roughness_factor, 0.0],
    }
}

/// True when the primitive's normals say nothing its triangles don't: no vertex is
/// shared (the indices are 0, 1, 2, …) and the three normals of each triangle are
/// one, as in every STL. Drawn from positions alone, its upload halves, and so
/// does the vertex work of a software GPU. Texture coordinates and colours need
/// the full vertex layout, so such primitives are never faceted.
fn is_faceted(p: &Primitive, sequential: bool) -> bool {
    if !sequential || p.uvs.is_some() || p.colors.is_some() || p.normals.len() != p.positions.len() {
        return false;
    }
    let triangles = p.normals.len() / 3;
    if triangles * 3 != p.normals.len() || p.indices.len() != p.normals.len() {
        return false;
    }
    let normals = &p.normals;
    let chunk_is_faceted = |chunk: std::ops::Range<usize>| {
        let faceted =
            chunk.into_iter().all(|t| normals[3 * t] == normals[3 * t + 1] && normals[3 * t] == normals[3 * t + 2]);
        if faceted { Ok(()) } else { Err(()) }
    };
    studio_model::chunked::try_for_each_chunk(triangles, chunk_is_faceted).is_ok()
}

fn upload_primitive(device: &wgpu::Device, queue: &wgpu::Queue, p: &Primitive, material: usize) -> GpuPrimitive {
    let vertex = wgpu::BufferUsages::VERTEX;
    let sequential = is_sequential(&p.indices);
    GpuPrimitive {
        positions: buffer(device, queue, "positions", bytemuck::cast_slice(&p.positions), vertex),
        normals: (!is_faceted(p, sequential))
            .then(|| buffer(device, queue, "normals", bytemuck::cast_slice(&p.normals), vertex)),
        uvs: p.uvs.as_ref().map(|uvs| buffer(device, queue, "uvs", bytemuck::cast_slice(uvs), vertex)),
        colors: p.colors.as_ref().map(|c| buffer(device, queue, "colors", bytemuck::cast_slice(c), vertex)),
        indices: (!sequential)
            .then(|| buffer(device, queue, "indices", bytemuck::cast_slice(&p.indices), wgpu::BufferUsages::INDEX)),
        index_count: p.indices.len() as u32,
        wire_indices: None,
        material,
    }
}

fn gpu_material(
    device: &wgpu::Device,
    pipelines: &Pipelines,
    material: &Material,
    view: &wgpu::TextureView,
    sampler: &wgpu::Sampler,
    has_texture: bool,
) -> GpuMaterial {
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("material"),
        layout: &pipelines.material_layout,
        entries: &[
            wgpu::BindGroupEntry { binding: 0, resource: wgpu::BindingResource::TextureView(view) },
            wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::Sampler(sampler) },
        ],
    });
    GpuMaterial {
        bind_group,
        double_sided: material.double_sided,
        blend: material.alpha_mode == AlphaMode::Blend,
        has_texture,
        factors: material.clone(),
    }
}

fn white_texture() -> Texture {
    Texture {
        width: 1,
        height: 1,
        rgba8: vec![255; 4],
        wrap_u: WrapMode::Repeat,
        wrap_v: WrapMode::Repeat,
        nearest: false,
        encoded: None,
    }
}

fn upload_texture(device: &wgpu::Device, queue: &wgpu::Queue, texture: &Texture) -> wgpu::TextureView {
    if !texture.has_pixels() {
        // Never decoded (the browser could not read it): shade the material untextured.
        return upload_texture(device, queue, &white_texture());
    }
    let max = device.limits().max_texture_dimension_2d;
    // Textures larger than the adapter allows are shown as their top-left corner
    // rather than failing the whole model; importers already cap absurd sizes.
    let width = texture.width.min(max).max(1);
    let height = texture.height.min(max).max(1);
    let size = wgpu::Extent3d { width, height, depth_or_array_layers: 1 };
    let gpu = device.create_texture(&wgpu::TextureDescriptor {
        label: Some("base colour"),
        size,
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8UnormSrgb,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    queue.write_texture(
        wgpu::TexelCopyTextureInfo {
            texture: &gpu,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        &texture.rgba8,
        wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(texture.width * 4), rows_per_image: None },
        size,
    );
    gpu.create_view(&Default::default())
}

fn address_mode(mode: WrapMode) -> wgpu::AddressMode {
    match mode {
        WrapMode::Repeat => wgpu::AddressMode::Repeat,
        WrapMode::MirroredRepeat => wgpu::AddressMode::MirrorRepeat,
        WrapMode::ClampToEdge => wgpu::AddressMode::ClampToEdge,
    }
}

fn make_sampler(device: &wgpu::Device, texture: Option<&Texture>) -> wgpu::Sampler {
    let (u, v, nearest) =
        texture.map_or((WrapMode::Repeat, WrapMode::Repeat, false), |t| (t.wrap_u, t.wrap_v, t.nearest));
    device.create_sampler(&wgpu::SamplerDescriptor {
        label: Some("base colour"),
        address_mode_u: address_mode(u),
        address_mode_v: address_mode(v),
        mag_filter: if nearest { wgpu::FilterMode::Nearest } else { wgpu::FilterMode::Linear },
        min_filter: wgpu::FilterMode::Linear,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stl_like(triangles: usize) -> Primitive {
        let mut p = Primitive::default();
        for t in 0..triangles {
            let x = t as f32;
            p.positions.extend([[x, 0.0, 0.0], [x + 1.0, 0.0, 0.0], [x, 1.0, 0.0]]);
            p.normals.extend([[0.0, 0.0, 1.0]; 3]);
        }
        p.indices = (0..p.positions.len() as u32).collect();
        p
    }

    #[test]
    fn one_normal_per_unshared_triangle_is_faceted() {
        // More triangles than one chunk, so every chunk is looked at.
        let p = stl_like(40_000);
        assert!(is_faceted(&p, is_sequential(&p.indices)));
    }

    #[test]
    fn differing_normals_in_any_triangle_are_not_faceted() {
        let mut p = stl_like(40_000);
        p.normals[3 * 39_999 + 2] = [0.0, 1.0, 0.0];
        assert!(!is_faceted(&p, is_sequential(&p.indices)));
    }

    #[test]
    fn shared_vertices_colours_or_uvs_are_not_faceted() {
        let mut indexed = stl_like(2);
        indexed.indices = vec![0, 1, 2, 2, 1, 0];
        assert!(!is_faceted(&indexed, is_sequential(&indexed.indices)));
        let coloured = Primitive { colors: Some(vec![[1.0; 4]; 6]), ..stl_like(2) };
        assert!(!is_faceted(&coloured, true));
        let textured = Primitive { uvs: Some(vec![[0.0; 2]; 6]), ..stl_like(2) };
        assert!(!is_faceted(&textured, true));
        // Fewer indices than vertices: not the plain 0..n layout.
        let mut partial = stl_like(2);
        partial.indices.truncate(3);
        assert!(!is_faceted(&partial, is_sequential(&partial.indices)));
    }
}
