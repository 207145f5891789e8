//! The CPU scene model that every importer produces and every consumer
//! (renderer, statistics, exporters) reads.
//!
//! Geometry is always stored as indexed triangle lists: importers convert
//! strips, fans and unindexed data on the way in, so consumers handle exactly
//! one shape of data. Positions are in file units (glTF: metres; STL: unitless,
//! usually millimetres).

use glam::{Mat4, Vec3};

/// Which importer produced a scene; shown in the info panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceFormat {
    /// Binary STL: 80-byte header, triangle count, 50 bytes per triangle.
    StlBinary,
    /// ASCII STL: `solid` … `facet normal` … `endsolid` text.
    StlAscii,
    /// Binary glTF 2.0 (`.glb`): JSON chunk plus binary chunk in one file.
    Glb,
    /// glTF 2.0 JSON (`.gltf`), with buffers and images embedded or in companion files.
    Gltf,
    /// Wavefront OBJ text, optionally with an MTL material library.
    Obj,
    /// PLY with `format ascii`.
    PlyAscii,
    /// PLY with `format binary_little_endian` or `binary_big_endian`.
    PlyBinary,
    /// Object File Format (OFF) text.
    Off,
    /// 3D Manufacturing Format: a ZIP package holding a 3D model XML part.
    ThreeMf,
}

impl SourceFormat {
    /// A short human label for the info panel.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::StlBinary => "STL (binary)",
            SourceFormat::StlAscii => "STL (ASCII)",
            SourceFormat::Glb => "glTF binary (GLB)",
            SourceFormat::Gltf => "glTF (JSON)",
            SourceFormat::Obj => "Wavefront OBJ",
            SourceFormat::PlyAscii => "PLY (ASCII)",
            SourceFormat::PlyBinary => "PLY (binary)",
            SourceFormat::Off => "OFF",
            SourceFormat::ThreeMf => "3MF",
        }
    }

    /// The unit the scene's positions are in when the format fixes it: glTF is
    /// metres, and our 3MF reader delivers millimetres whatever unit the file
    /// declared. `None` for STL, OBJ, PLY and OFF, which carry no unit: the user
    /// says what their numbers are.
    pub fn fixed_unit(self) -> Option<LengthUnit> {
        match self {
            SourceFormat::Glb | SourceFormat::Gltf => Some(LengthUnit::M),
            SourceFormat::ThreeMf => Some(LengthUnit::Mm),
            SourceFormat::StlBinary
            | SourceFormat::StlAscii
            | SourceFormat::Obj
            | SourceFormat::PlyAscii
            | SourceFormat::PlyBinary
            | SourceFormat::Off => None,
        }
    }
}

/// A unit of length: the one a format fixes, or the one in which a unitless
/// file's numbers are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LengthUnit {
    /// Millimetres.
    Mm,
    /// Centimetres.
    Cm,
    /// Metres.
    M,
    /// Inches (25.4 mm).
    In,
}

impl LengthUnit {
    /// The length of one unit in metres.
    pub fn metres(self) -> f64 {
        match self {
            LengthUnit::Mm => 0.001,
            LengthUnit::Cm => 0.01,
            LengthUnit::M => 1.0,
            LengthUnit::In => 0.0254,
        }
    }

    /// From its label (`mm`, `cm`, `m`, `in` or `inch`); `None` for anything else.
    pub fn parse(text: &str) -> Option<LengthUnit> {
        Some(match text {
            "mm" => LengthUnit::Mm,
            "cm" => LengthUnit::Cm,
            "m" => LengthUnit::M,
            "in" | "inch" => LengthUnit::In,
            _ => return None,
        })
    }

    /// The short label shown in the UI and accepted by [`LengthUnit::parse`].
    pub fn label(self) -> &'static str {
        match self {
            LengthUnit::Mm => "mm",
            LengthUnit::Cm => "cm",
            LengthUnit::M => "m",
            LengthUnit::In => "in",
        }
    }
}

/// Which world axis points up in the file's convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UpAxis {
    /// Y up: glTF, and the convention assumed for OBJ, PLY and OFF.
    Y,
    /// Z up: 3MF, and the convention assumed for STL (as in most CAD and slicing tools).
    Z,
}

/// A whole imported model: meshes placed by a node hierarchy, with their materials and textures.
/// Positions are in file units, in the file's own axes (see [`Scene::up_axis`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The format the file was read as.
    pub format: SourceFormat,
    /// Up axis conventionally used by the format (STL: Z, glTF: Y).
    pub up_axis: UpAxis,
    /// The unique meshes; nodes refer to them by index, so one mesh can be drawn several times.
    pub meshes: Vec<Mesh>,
    /// Materials that [`Primitive::material`] indexes.
    pub materials: Vec<Material>,
    /// Decoded (or still encoded) images that [`Material::base_color_texture`] indexes.
    pub textures: Vec<Texture>,
    /// Every node of the hierarchy, roots and children alike; [`Node::children`] and [`Scene::root_nodes`] index it.
    pub nodes: Vec<Node>,
    /// Indices into `nodes` of the scene roots that are drawn.
    pub root_nodes: Vec<usize>,
    /// Non-fatal notes for the user (ignored features, repaired data).
    pub warnings: Vec<String>,
    /// What the file holds that this model does not keep (animations, cameras,
    /// skins, morph targets), one phrase each with its count: a converter must
    /// say it left them out.
    pub not_kept: Vec<String>,
}

/// A named group of primitives, placed in the world by one or more [`Node`]s.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mesh {
    /// The mesh's name from the file; empty when the file gives none.
    pub name: String,
    /// Its triangle lists, each drawn with a single material.
    pub primitives: Vec<Primitive>,
}

/// One draw call's worth of triangles with a single material.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Primitive {
    /// Vertex positions in the mesh's own space, in file units.
    pub positions: Vec<[f32; 3]>,
    /// Per-vertex normals; same length as `positions` (computed when the file has none).
    pub normals: Vec<[f32; 3]>,
    /// Base-colour texture coordinates, if any.
    pub uvs: Option<Vec<[f32; 2]>>,
    /// Linear RGBA vertex colours, if any.
    pub colors: Option<Vec<[f32; 4]>>,
    /// Triangle list: three indices per triangle, each `< positions.len()`.
    pub indices: Vec<u32>,
    /// Index into `Scene::materials`, or the default material.
    pub material: Option<usize>,
}

impl Primitive {
    /// Number of triangles: a third of the index count.
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }
}

/// One node of the scene hierarchy: a transform, optionally a mesh, and child nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's name from the file; empty when the file gives none.
    pub name: String,
    /// Transform from this node's space to its parent's space.
    pub parent_from_node: Mat4,
    /// Index into [`Scene::meshes`] of the mesh drawn at this node, if any.
    pub mesh: Option<usize>,
    /// Indices into [`Scene::nodes`] of the nodes placed relative to this one.
    pub children: Vec<usize>,
}

/// How a material's alpha (base colour factor × texture × vertex colour) is used, as in glTF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AlphaMode {
    /// Alpha is ignored; the surface is fully opaque.
    Opaque,
    /// Fragments with alpha below [`Material::alpha_cutoff`] are discarded, the rest are opaque.
    Mask,
    /// The surface is blended over what lies behind it by its alpha.
    Blend,
}

/// A glTF-style metallic-roughness material, its colours in linear RGBA.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Material {
    /// The material's name from the file; empty when the file gives none.
    pub name: String,
    /// Linear RGBA multiplier.
    pub base_color_factor: [f32; 4],
    /// Index into `Scene::textures`.
    pub base_color_texture: Option<usize>,
    /// Metalness from 0 (dielectric) to 1 (metal), as glTF's `metallicFactor`.
    pub metallic_factor: f32,
    /// Roughness from 0 (mirror-smooth) to 1 (fully rough), as glTF's `roughnessFactor`.
    pub roughness_factor: f32,
    /// How alpha is used when drawing.
    pub alpha_mode: AlphaMode,
    /// Alpha threshold, 0 to 1, used only in [`AlphaMode::Mask`].
    pub alpha_cutoff: f32,
    /// Draw back faces too; when false, back faces are culled.
    pub double_sided: bool,
}

impl Default for Material {
    fn default() -> Self {
        Material {
            name: String::new(),
            base_color_factor: [1.0, 1.0, 1.0, 1.0],
            base_color_texture: None,
            metallic_factor: 1.0,
            roughness_factor: 1.0,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            double_sided: false,
        }
    }
}

/// How texture coordinates outside 0..1 are mapped, as glTF sampler wrap modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WrapMode {
    /// The texture tiles.
    Repeat,
    /// The texture tiles, every other copy mirrored.
    MirroredRepeat,
    /// Coordinates are clamped, so the edge pixels stretch outward.
    ClampToEdge,
}

/// A decoded texture: sRGB-encoded RGBA8 pixels, row-major, top row first.
#[derive(Clone, Debug, PartialEq)]
pub struct Texture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels, four bytes (R, G, B, A) each, `width × height × 4` bytes; empty while [`Texture::encoded`] awaits decoding.
    pub rgba8: Vec<u8>,
    /// Wrap mode along U (horizontal).
    pub wrap_u: WrapMode,
    /// Wrap mode along V (vertical).
    pub wrap_v: WrapMode,
    /// Nearest-neighbour magnification (pixel art, test patterns).
    pub nearest: bool,
    /// The still-encoded PNG/JPEG file when this build leaves decoding to the
    /// browser; `rgba8` is then empty until the pixels are supplied.
    pub encoded: Option<Vec<u8>>,
}

impl Texture {
    /// True when `rgba8` holds exactly `width × height` pixels.
    pub fn has_pixels(&self) -> bool {
        self.rgba8.len() as u64 == self.width as u64 * self.height as u64 * 4 && !self.rgba8.is_empty()
    }
}

/// Axis-aligned bounding box in some stated space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Aabb {
    /// The smallest corner: minimum x, y and z.
    pub min: Vec3,
    /// The largest corner: maximum x, y and z.
    pub max: Vec3,
}

impl Aabb {
    /// The box around nothing: `min` at +∞ and `max` at −∞, so growing or uniting it gives the other operand.
    pub const EMPTY: Aabb = Aabb { min: Vec3::splat(f32::INFINITY), max: Vec3::splat(f32::NEG_INFINITY) };

    /// True when the box holds no point (as [`Aabb::EMPTY`]).
    pub fn is_empty(&self) -> bool {
        self.min.x > self.max.x
    }

    /// Enlarges the box to hold `point`.
    pub fn grow(&mut self, point: Vec3) {
        self.min = self.min.min(point);
        self.max = self.max.max(point);
    }

    /// The box around `points`.
    pub fn of_points(points: &[[f32; 3]]) -> Aabb {
        let chunk_box = |chunk: &[[f32; 3]]| {
            let mut b = Aabb::EMPTY;
            for p in chunk {
                b.grow(Vec3::from(*p));
            }
            b
        };
        crate::chunked::fold(points, Aabb::EMPTY, chunk_box, Aabb::union)
    }

    /// The box around both (an empty box changes nothing: its infinite corners lose every min and max).
    pub fn union(self, other: Aabb) -> Aabb {
        Aabb { min: self.min.min(other.min), max: self.max.max(other.max) }
    }

    /// The extent along each axis, in the box's units; zero for an empty box.
    pub fn size(&self) -> Vec3 {
        if self.is_empty() { Vec3::ZERO } else { self.max - self.min }
    }

    /// The midpoint of the box; the origin for an empty box.
    pub fn center(&self) -> Vec3 {
        if self.is_empty() { Vec3::ZERO } else { (self.min + self.max) * 0.5 }
    }
}

/// One mesh placed in the world by the node hierarchy.
#[derive(Clone, Copy, Debug)]
pub struct MeshInstance {
    /// The node that places it.
    pub node: usize,
    /// Index into [`Scene::meshes`] of the mesh drawn.
    pub mesh: usize,
    /// Transform from the mesh's own space to world space (the file's axes and units), the product of the node chain.
    pub world_from_mesh: Mat4,
}

impl Scene {
    /// A name for each of [`Scene::mesh_instances`] ("parts" in the UI): the
    /// mesh's name, else "mesh N".
    pub fn part_names(&self) -> Vec<String> {
        self.mesh_instances()
            .iter()
            .enumerate()
            .map(|(number, instance)| {
                let name = &self.meshes[instance.mesh].name;
                if name.is_empty() { format!("mesh {}", number + 1) } else { name.clone() }
            })
            .collect()
    }

    /// Every mesh instance reachable from the roots, with its world transform.
    /// Cycles in the node graph are rejected by `sanity_check`; the depth guard
    /// here only stops a runaway walk if that check was skipped.
    pub fn mesh_instances(&self) -> Vec<MeshInstance> {
        let mut out = Vec::new();
        let mut stack: Vec<(usize, Mat4, usize)> =
            self.root_nodes.iter().rev().map(|&n| (n, Mat4::IDENTITY, 0)).collect();
        while let Some((index, parent_world, depth)) = stack.pop() {
            let Some(node) = self.nodes.get(index) else { continue };
            if depth > self.nodes.len() {
                continue;
            }
            let world_from_node = parent_world * node.parent_from_node;
            if let Some(mesh) = node.mesh {
                out.push(MeshInstance { node: index, mesh, world_from_mesh: world_from_node });
            }
            for &child in node.children.iter().rev() {
                stack.push((child, world_from_node, depth + 1));
            }
        }
        out
    }

    /// Triangles drawn by the default scene (instances counted each time).
    pub fn scene_triangle_count(&self) -> usize {
        self.mesh_instances()
            .iter()
            .map(|i| self.meshes[i.mesh].primitives.iter().map(Primitive::triangle_count).sum::<usize>())
            .sum()
    }

    /// Vertices stored in the unique meshes.
    pub fn vertex_count(&self) -> usize {
        self.meshes.iter().flat_map(|m| &m.primitives).map(|p| p.positions.len()).sum()
    }

    /// Triangles stored in the unique meshes.
    pub fn mesh_triangle_count(&self) -> usize {
        self.meshes.iter().flat_map(|m| &m.primitives).map(Primitive::triangle_count).sum()
    }

    /// World-space bounds of everything drawn.
    pub fn world_bounds(&self) -> Aabb {
        self.bounds_after(Mat4::IDENTITY)
    }

    /// Exact bounds of everything drawn, after `after` (e.g. the turn from Z-up to
    /// the Y-up view world). Each mesh's own box is found once; for transforms that
    /// keep boxes axis-aligned (identity, 90° turns, scales, translations: nearly
    /// every file) its corners give the exact result without a matrix multiply per
    /// vertex, which matters at millions of vertices.
    pub fn bounds_after(&self, after: Mat4) -> Aabb {
        let mesh_bounds: Vec<Aabb> = self
            .meshes
            .iter()
            .map(|mesh| mesh.primitives.iter().fold(Aabb::EMPTY, |b, p| b.union(Aabb::of_points(&p.positions))))
            .collect();
        let mut bounds = Aabb::EMPTY;
        for instance in self.mesh_instances() {
            let transform = after * instance.world_from_mesh;
            let local = mesh_bounds[instance.mesh];
            if local.is_empty() {
                continue;
            }
            if keeps_boxes_axis_aligned(&transform) {
                for corner in 0..8 {
                    let pick = |bit: usize, lo: f32, hi: f32| if corner & bit == 0 { lo } else { hi };
                    let p = Vec3::new(
                        pick(1, local.min.x, local.max.x),
                        pick(2, local.min.y, local.max.y),
                        pick(4, local.min.z, local.max.z),
                    );
                    bounds.grow(transform.transform_point3(p));
                }
            } else {
                for p in self.meshes[instance.mesh].primitives.iter().flat_map(|p| &p.positions) {
                    bounds.grow(transform.transform_point3(Vec3::from(*p)));
                }
            }
        }
        bounds
    }

    /// A scene of flat meshes (no hierarchy), each under its own identity root node.
    pub fn from_meshes(format: SourceFormat, up_axis: UpAxis, meshes: Vec<Mesh>, materials: Vec<Material>) -> Scene {
        let nodes: Vec<Node> = meshes
            .iter()
            .enumerate()
            .map(|(i, mesh)| Node {
                name: mesh.name.clone(),
                parent_from_node: Mat4::IDENTITY,
                mesh: Some(i),
                children: Vec::new(),
            })
            .collect();
        Scene {
            format,
            up_axis,
            root_nodes: (0..nodes.len()).collect(),
            nodes,
            meshes,
            materials,
            textures: Vec::new(),
            warnings: Vec::new(),
            not_kept: Vec::new(),
        }
    }
}

/// True when every axis maps onto one axis (no shear, rotations only by 90°).
fn keeps_boxes_axis_aligned(m: &Mat4) -> bool {
    let columns = [m.x_axis.truncate(), m.y_axis.truncate(), m.z_axis.truncate()];
    columns.iter().all(|c| c.to_array().iter().filter(|v| v.abs() > 1e-6 * c.length()).count() == 1)
}

/// Converts an sRGB-encoded colour component (as files and colour pickers store
/// it) to the linear value materials and shading use.
pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

/// The inverse of [`srgb_to_linear`], for writing colours to files that store them encoded.
pub fn linear_to_srgb(c: f32) -> f32 {
    if c <= 0.0031308 { c * 12.92 } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 }
}

/// Area-weighted smooth normals for a primitive whose file had none.
pub fn compute_vertex_normals(positions: &[[f32; 3]], indices: &[u32]) -> Vec<[f32; 3]> {
    let mut sums = vec![Vec3::ZERO; positions.len()];
    crate::chunked::for_each_chunk(indices.len() / 3, |triangles| {
        for tri in indices[triangles.start * 3..triangles.end * 3].chunks_exact(3) {
            let [a, b, c] = [tri[0] as usize, tri[1] as usize, tri[2] as usize];
            let (Some(pa), Some(pb), Some(pc)) = (positions.get(a), positions.get(b), positions.get(c)) else {
                continue;
            };
            // The cross product's length is twice the area, which gives the weighting for free.
            let face = (Vec3::from(*pb) - Vec3::from(*pa)).cross(Vec3::from(*pc) - Vec3::from(*pa));
            sums[a] += face;
            sums[b] += face;
            sums[c] += face;
        }
    });
    crate::chunked::collect(sums.len(), |v| sums[v].try_normalize().unwrap_or(Vec3::Z).to_array())
}
