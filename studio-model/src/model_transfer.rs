//! The open model handed from the viewer's worker to a tools job (convert,
//! inspect) without reading and parsing its file again.
//!
//! The viewer has already imported the model it shows. Reading the file once
//! more in the tools worker costs more than the conversion itself in the browser
//! (a million-triangle STL: ~130 ms to stream the file in, ~50 ms to parse and
//! check it). Instead the viewer describes its scene as JSON, and its arrays
//! (positions, normals, indices, …, and textures' encoded images) travel as
//! transferred ArrayBuffers, each copied straight into an array of the right
//! type on the tools side ([`Receiving`](crate::model_transfer::Receiving)).
//!
//! A job that never reads vertex normals (binary STL computes its own per face,
//! OFF and 3MF store none, an inspection ignores them) is handed the model
//! without them: for a typical mesh they are a third to a half of the bytes.
//! The scene it receives then has zero normals, kept only so that every
//! primitive still has one per vertex; [`Receiving::normals_handed_over`](crate::model_transfer::Receiving::normals_handed_over)
//! tells the converter, which refuses options that would write them.
//!
//! The receiving side treats the description as untrusted input: every array's
//! declared count must match the bytes that actually arrived before anything is
//! allocated, each array is used once, and the scene passes the importers'
//! sanity check.

use glam::Mat4;
use serde::{Deserialize, Serialize};

use crate::model::{Material, Mesh, Node, Primitive, Scene, SourceFormat, Texture, UpAxis, WrapMode};

/// The tools job a scene is handed to, as far as the hand-over cares: whether
/// the normals go along depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolsJob<'a> {
    /// An inspection: it reads positions and indices only.
    Inspect,
    /// A conversion to the target named `format` (a [`TargetFormat`](crate::export::TargetFormat)'s
    /// serialised name, as the Convert dialog sends it), welded or not.
    Convert {
        /// The target's name, e.g. `stl-binary`.
        format: &'a str,
        /// Whether vertices are welded (which compares normals).
        weld: bool,
    },
}

impl ToolsJob<'_> {
    /// Whether the job reads the model's vertex normals, so that the hand-over
    /// must carry them. An unknown target gets them: the converter then refuses
    /// the target itself, with its own message.
    pub fn reads_vertex_normals(self) -> bool {
        match self {
            ToolsJob::Inspect => false,
            ToolsJob::Convert { format, weld } => crate::export::TargetFormat::from_id(format).is_none_or(|target| {
                crate::export::ExportOptions { weld, ..crate::export::ExportOptions::new(target) }
                    .reads_vertex_normals()
            }),
        }
    }
}

/// The element type of one transferred array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Kind {
    Vec2,
    Vec3,
    Vec4,
    U32,
    Bytes,
}

impl Kind {
    fn element_bytes(self) -> usize {
        match self {
            Kind::Vec2 => 8,
            Kind::Vec3 => 12,
            Kind::Vec4 => 16,
            Kind::U32 => 4,
            Kind::Bytes => 1,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct PrimitiveDescription {
    positions: usize,
    /// `None` when the job does not read normals (see the overview).
    normals: Option<usize>,
    uvs: Option<usize>,
    colors: Option<usize>,
    indices: usize,
    material: Option<usize>,
}

#[derive(Serialize, Deserialize)]
struct MeshDescription {
    name: String,
    primitives: Vec<PrimitiveDescription>,
}

#[derive(Serialize, Deserialize)]
struct NodeDescription {
    name: String,
    parent_from_node: [f32; 16],
    mesh: Option<usize>,
    children: Vec<usize>,
}

/// A texture as the converters need it: its encoded image (they write the
/// original PNG/JPEG), not the decoded pixels the viewer drew with.
#[derive(Serialize, Deserialize)]
struct TextureDescription {
    width: u32,
    height: u32,
    wrap_u: WrapMode,
    wrap_v: WrapMode,
    nearest: bool,
    encoded: Option<usize>,
}

#[derive(Serialize, Deserialize)]
struct Description {
    format: SourceFormat,
    up_axis: UpAxis,
    meshes: Vec<MeshDescription>,
    materials: Vec<Material>,
    textures: Vec<TextureDescription>,
    nodes: Vec<NodeDescription>,
    root_nodes: Vec<usize>,
    warnings: Vec<String>,
    not_kept: Vec<String>,
    /// Element type of each transferred array, in transfer order.
    arrays: Vec<Kind>,
}

/// A scene ready to hand over: its description and its arrays' bytes.
pub struct Packed<'a> {
    /// The scene without its arrays, as JSON: names, materials, nodes, and each array's element type and place in `arrays`.
    pub description: String,
    /// The arrays' bytes, borrowed from the scene, in transfer order (one ArrayBuffer each).
    pub arrays: Vec<&'a [u8]>,
}

/// Describes `scene` and lists its arrays, borrowed (nothing is copied here);
/// the normals only `with_normals`.
pub fn pack(scene: &Scene, with_normals: bool) -> Packed<'_> {
    let mut list = ArrayList::default();
    let mut add = |bytes, kind| list.add(bytes, kind);
    let meshes = scene
        .meshes
        .iter()
        .map(|mesh| MeshDescription {
            name: mesh.name.clone(),
            primitives: mesh
                .primitives
                .iter()
                .map(|p| PrimitiveDescription {
                    positions: add(bytemuck::cast_slice(&p.positions), Kind::Vec3),
                    normals: with_normals.then(|| add(bytemuck::cast_slice(&p.normals), Kind::Vec3)),
                    uvs: p.uvs.as_ref().map(|a| add(bytemuck::cast_slice(a), Kind::Vec2)),
                    colors: p.colors.as_ref().map(|a| add(bytemuck::cast_slice(a), Kind::Vec4)),
                    indices: add(bytemuck::cast_slice(&p.indices), Kind::U32),
                    material: p.material,
                })
                .collect(),
        })
        .collect();
    let textures = scene
        .textures
        .iter()
        .map(|t| TextureDescription {
            width: t.width,
            height: t.height,
            wrap_u: t.wrap_u,
            wrap_v: t.wrap_v,
            nearest: t.nearest,
            encoded: t.encoded.as_deref().map(|bytes| add(bytes, Kind::Bytes)),
        })
        .collect();
    let nodes = scene
        .nodes
        .iter()
        .map(|n| NodeDescription {
            name: n.name.clone(),
            parent_from_node: n.parent_from_node.to_cols_array(),
            mesh: n.mesh,
            children: n.children.clone(),
        })
        .collect();
    let description = Description {
        format: scene.format,
        up_axis: scene.up_axis,
        meshes,
        materials: scene.materials.clone(),
        textures,
        nodes,
        root_nodes: scene.root_nodes.clone(),
        warnings: scene.warnings.clone(),
        not_kept: scene.not_kept.clone(),
        arrays: list.kinds,
    };
    // Serialising plain structs of strings and numbers cannot fail.
    Packed { description: serde_json::to_string(&description).unwrap_or_default(), arrays: list.bytes }
}

/// The arrays of a scene being packed, in transfer order.
#[derive(Default)]
struct ArrayList<'a> {
    bytes: Vec<&'a [u8]>,
    kinds: Vec<Kind>,
}

impl<'a> ArrayList<'a> {
    fn add(&mut self, bytes: &'a [u8], kind: Kind) -> usize {
        self.bytes.push(bytes);
        self.kinds.push(kind);
        self.bytes.len() - 1
    }
}

/// One received array, typed.
enum Array {
    Vec2(Vec<[f32; 2]>),
    Vec3(Vec<[f32; 3]>),
    Vec4(Vec<[f32; 4]>),
    U32(Vec<u32>),
    Bytes(Vec<u8>),
    /// Already moved into the scene.
    Taken,
}

/// A scene being received: the arrays are allocated from the description once
/// their byte lengths are known to match, then filled through
/// [`Receiving::array_bytes_mut`], then [`Receiving::into_scene`] builds it.
pub struct Receiving {
    description: Description,
    arrays: Vec<Array>,
}

fn zeroed<T: Clone + Default>(count: usize) -> Result<Vec<T>, String> {
    let mut values = Vec::new();
    values.try_reserve_exact(count).map_err(|_| "The model is too large for this browser tab.".to_owned())?;
    values.resize(count, T::default());
    Ok(values)
}

impl Receiving {
    /// Checks `description` against the byte lengths of the arrays that arrived
    /// and allocates each one.
    pub fn new(description: &str, byte_lengths: &[usize]) -> Result<Receiving, String> {
        let description: Description =
            serde_json::from_str(description).map_err(|e| format!("The model handed over is malformed: {e}"))?;
        if description.arrays.len() != byte_lengths.len() {
            return Err(format!(
                "The model handed over lists {} arrays but {} arrived.",
                description.arrays.len(),
                byte_lengths.len()
            ));
        }
        let arrays = description
            .arrays
            .iter()
            .zip(byte_lengths)
            .enumerate()
            .map(|(i, (&kind, &bytes))| {
                if !bytes.is_multiple_of(kind.element_bytes()) {
                    return Err(format!("Array {i} of the model handed over has {bytes} bytes, not whole elements."));
                }
                let count = bytes / kind.element_bytes();
                Ok(match kind {
                    Kind::Vec2 => Array::Vec2(zeroed(count)?),
                    Kind::Vec3 => Array::Vec3(zeroed(count)?),
                    Kind::Vec4 => Array::Vec4(zeroed(count)?),
                    Kind::U32 => Array::U32(zeroed(count)?),
                    Kind::Bytes => Array::Bytes(zeroed(count)?),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Receiving { description, arrays })
    }

    /// The bytes of array `index`, to be filled with what arrived.
    pub fn array_bytes_mut(&mut self, index: usize) -> Option<&mut [u8]> {
        Some(match self.arrays.get_mut(index)? {
            Array::Vec2(a) => bytemuck::cast_slice_mut(a),
            Array::Vec3(a) => bytemuck::cast_slice_mut(a),
            Array::Vec4(a) => bytemuck::cast_slice_mut(a),
            Array::U32(a) => bytemuck::cast_slice_mut(a),
            Array::Bytes(a) => a.as_mut_slice(),
            Array::Taken => return None,
        })
    }

    /// Whether the model came with its normals (see the overview).
    pub fn normals_handed_over(&self) -> bool {
        self.description.meshes.iter().flat_map(|m| &m.primitives).all(|p| p.normals.is_some())
    }

    /// The scene, checked as an import's would be.
    pub fn into_scene(self) -> Result<Scene, crate::import::ImportError> {
        let Receiving { description, mut arrays } = self;
        let malformed = |what: &str| crate::import::ImportError::Malformed(format!("The model handed over {what}."));
        let mut take = |index: usize| -> Result<Array, crate::import::ImportError> {
            let slot = arrays.get_mut(index).ok_or_else(|| malformed("names an array that did not arrive"))?;
            match std::mem::replace(slot, Array::Taken) {
                Array::Taken => Err(malformed("uses one array twice")),
                array => Ok(array),
            }
        };
        let wrong = || malformed("has an array of the wrong type");
        let mut meshes = Vec::with_capacity(description.meshes.len());
        for mesh in description.meshes {
            let mut primitives = Vec::with_capacity(mesh.primitives.len());
            for p in mesh.primitives {
                let Array::Vec3(positions) = take(p.positions)? else { return Err(wrong()) };
                let normals = match p.normals.map(&mut take).transpose()? {
                    // Stand-ins, one per vertex (see the overview); bounded by the positions that arrived.
                    None => vec![[0.0; 3]; positions.len()],
                    Some(Array::Vec3(a)) => a,
                    Some(_) => return Err(wrong()),
                };
                let Array::U32(indices) = take(p.indices)? else { return Err(wrong()) };
                let uvs = match p.uvs.map(&mut take).transpose()? {
                    None => None,
                    Some(Array::Vec2(a)) => Some(a),
                    Some(_) => return Err(wrong()),
                };
                let colors = match p.colors.map(&mut take).transpose()? {
                    None => None,
                    Some(Array::Vec4(a)) => Some(a),
                    Some(_) => return Err(wrong()),
                };
                primitives.push(Primitive { positions, normals, uvs, colors, indices, material: p.material });
            }
            meshes.push(Mesh { name: mesh.name, primitives });
        }
        let mut textures = Vec::with_capacity(description.textures.len());
        for t in description.textures {
            let encoded = match t.encoded.map(&mut take).transpose()? {
                None => None,
                Some(Array::Bytes(bytes)) => Some(bytes),
                Some(_) => return Err(wrong()),
            };
            textures.push(Texture {
                width: t.width,
                height: t.height,
                rgba8: Vec::new(),
                wrap_u: t.wrap_u,
                wrap_v: t.wrap_v,
                nearest: t.nearest,
                encoded,
            });
        }
        let nodes = description
            .nodes
            .into_iter()
            .map(|n| Node {
                name: n.name,
                parent_from_node: Mat4::from_cols_array(&n.parent_from_node),
                mesh: n.mesh,
                children: n.children,
            })
            .collect();
        let scene = Scene {
            format: description.format,
            up_axis: description.up_axis,
            meshes,
            materials: description.materials,
            textures,
            nodes,
            root_nodes: description.root_nodes,
            warnings: description.warnings,
            not_kept: description.not_kept,
        };
        crate::import::sanity::sanity_check(&scene)?;
        Ok(scene)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AlphaMode;

    fn scene() -> Scene {
        let triangle = |z: f32| Primitive {
            positions: vec![[0.0, 0.0, z], [1.0, 0.0, z], [0.0, 1.0, z]],
            normals: vec![[0.0, 0.0, 1.0]; 3],
            uvs: Some(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
            colors: None,
            indices: vec![0, 1, 2],
            material: Some(0),
        };
        let mut second = triangle(2.0);
        (second.uvs, second.colors, second.material) = (None, Some(vec![[1.0, 0.5, 0.25, 1.0]; 3]), None);
        let material = Material {
            name: "painted".into(),
            base_color_texture: Some(0),
            alpha_mode: AlphaMode::Mask,
            ..Material::default()
        };
        let texture = Texture {
            width: 1,
            height: 1,
            rgba8: Vec::new(),
            wrap_u: WrapMode::ClampToEdge,
            wrap_v: WrapMode::MirroredRepeat,
            nearest: true,
            encoded: Some(b"\x89PNG not really".to_vec()),
        };
        let meshes = vec![Mesh { name: "part".into(), primitives: vec![triangle(0.0), second] }];
        let mut scene = Scene::from_meshes(SourceFormat::Gltf, UpAxis::Y, meshes, vec![material]);
        scene.textures.push(texture);
        scene.nodes[0].parent_from_node = Mat4::from_translation(glam::Vec3::new(1.0, 2.0, 3.0));
        scene.not_kept.push("1 animation".into());
        scene.warnings.push("a note".into());
        scene
    }

    fn hand_over(packed: &Packed<'_>, description: &str) -> Result<Scene, String> {
        let lengths: Vec<usize> = packed.arrays.iter().map(|a| a.len()).collect();
        let mut receiving = Receiving::new(description, &lengths)?;
        for (i, bytes) in packed.arrays.iter().enumerate() {
            receiving.array_bytes_mut(i).ok_or("no array")?.copy_from_slice(bytes);
        }
        receiving.into_scene().map_err(|e| e.to_string())
    }

    #[test]
    fn a_scene_arrives_as_it_left() {
        let scene = scene();
        let packed = pack(&scene, true);
        assert_eq!(hand_over(&packed, &packed.description), Ok(scene));
    }

    #[test]
    fn a_scene_without_its_normals_arrives_with_stand_ins() {
        let scene = scene();
        let with = pack(&scene, true);
        let without = pack(&scene, false);
        assert_eq!(without.arrays.len(), with.arrays.len() - 2, "one normals array per primitive stays behind");
        let lengths = |packed: &Packed<'_>| packed.arrays.iter().map(|a| a.len()).collect::<Vec<_>>();
        assert!(Receiving::new(&with.description, &lengths(&with)).expect("description").normals_handed_over());
        let receiving = Receiving::new(&without.description, &lengths(&without)).expect("description");
        assert!(!receiving.normals_handed_over());
        let mut expected = scene.clone();
        for primitive in &mut expected.meshes[0].primitives {
            primitive.normals = vec![[0.0; 3]; primitive.positions.len()];
        }
        assert_eq!(hand_over(&without, &without.description), Ok(expected));
    }

    #[test]
    fn decoded_pixels_stay_behind() {
        let mut scene = scene();
        scene.textures[0].rgba8 = vec![255; 4];
        let packed = pack(&scene, true);
        let arrived = hand_over(&packed, &packed.description).expect("arrives");
        assert!(arrived.textures[0].rgba8.is_empty());
        assert_eq!(arrived.textures[0].encoded, scene.textures[0].encoded);
    }

    #[test]
    fn a_description_that_does_not_match_its_arrays_is_refused() {
        let scene = scene();
        let packed = pack(&scene, true);
        // Lengths that are not whole elements, or a different number of arrays.
        assert!(Receiving::new(&packed.description, &[5]).is_err());
        let mut lengths: Vec<usize> = packed.arrays.iter().map(|a| a.len()).collect();
        lengths[0] += 1;
        assert!(Receiving::new(&packed.description, &lengths).is_err());
        assert!(Receiving::new("{not json", &[]).is_err());
        // An array used twice, or of the wrong type.
        let twice = packed.description.replacen("\"normals\":1", "\"normals\":0", 1);
        assert!(hand_over(&packed, &twice).expect_err("refused").contains("twice"));
        let wrong = packed.description.replacen("\"normals\":1", "\"normals\":3", 1);
        assert!(hand_over(&packed, &wrong).expect_err("refused").contains("wrong type"));
        // Counts are checked as an import's are: an index past the vertices.
        let mut bad = scene.clone();
        bad.meshes[0].primitives[0].indices[2] = 7;
        let packed = pack(&bad, true);
        assert!(hand_over(&packed, &packed.description).is_err());
    }
}
