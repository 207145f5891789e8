//! glTF writers (GLB; `.gltf` with a `.bin` beside it; `.gltf` with the buffer
//! in a data URI): one node and mesh per part, positions in metres, normals,
//! vertex colours, texture coordinates, metallic-roughness materials and their
//! base colour textures (the original PNG/JPEG bytes when the import kept them).
//! The three share one document; only where the buffer lives differs.

use std::borrow::Cow;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

use super::hierarchy::Hierarchy;
use super::{ConversionReport, FlatMesh};
use crate::model::{Aabb, AlphaMode, Scene, Texture, WrapMode};

const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
const FLOAT: u32 = 5126;
const UNSIGNED_INT: u32 = 5125;

/// The binary chunk's parts and the JSON arrays that describe them. Parts are
/// borrowed where they can be and copied once, straight into the output file:
/// a million-triangle model is ~80 MB, and every extra copy costs tens of ms.
#[derive(Default)]
struct Builder<'a> {
    parts: Vec<Cow<'a, [u8]>>,
    bin_length: usize,
    views: Vec<Value>,
    accessors: Vec<Value>,
}

impl<'a> Builder<'a> {
    /// Writes the binary buffer (without its final padding) to `out`.
    fn write_bin(&self, out: &mut dyn Write) -> std::io::Result<()> {
        self.parts.iter().try_for_each(|part| out.write_all(part))
    }

    fn view(&mut self, bytes: Cow<'a, [u8]>, target: Option<u32>) -> usize {
        // Every view starts 4-byte aligned, as accessors of floats and u32 require.
        let padding = self.bin_length.next_multiple_of(4) - self.bin_length;
        if padding > 0 {
            self.parts.push(Cow::Borrowed(&[0; 3][..padding]));
            self.bin_length += padding;
        }
        let mut view = json!({ "buffer": 0, "byteOffset": self.bin_length, "byteLength": bytes.len() });
        if let Some(target) = target {
            view["target"] = json!(target);
        }
        self.bin_length += bytes.len();
        self.parts.push(bytes);
        self.views.push(view);
        self.views.len() - 1
    }

    /// An accessor of `data`; `bounds` become its `min` and `max` (glTF requires
    /// them on positions).
    fn floats<const N: usize>(&mut self, data: Cow<'a, [[f32; N]]>, kind: &str, bounds: Option<Aabb>) -> usize {
        let mut accessor = json!({ "componentType": FLOAT, "count": data.len(), "type": kind });
        if let Some(bounds) = bounds {
            accessor["min"] = json!(bounds.min.to_array().to_vec());
            accessor["max"] = json!(bounds.max.to_array().to_vec());
        }
        let bytes = match data {
            Cow::Borrowed(slice) => Cow::Borrowed(bytemuck::cast_slice(slice)),
            Cow::Owned(vec) => Cow::Owned(bytemuck::cast_slice(&vec).to_vec()),
        };
        accessor["bufferView"] = json!(self.view(bytes, Some(ARRAY_BUFFER)));
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    fn indices(&mut self, indices: &'a [u32]) -> usize {
        let view = self.view(Cow::Borrowed(bytemuck::cast_slice(indices)), Some(ELEMENT_ARRAY_BUFFER));
        let accessor =
            json!({ "bufferView": view, "componentType": UNSIGNED_INT, "count": indices.len(), "type": "SCALAR" });
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }
}

/// One node and one mesh per part, all at the root.
fn flat_nodes(meshes: &[FlatMesh], primitives: Vec<Option<Value>>) -> (Vec<Value>, Vec<Value>, Vec<usize>) {
    let mut gltf_meshes = Vec::new();
    let mut nodes = Vec::new();
    for (mesh, primitive) in meshes.iter().zip(primitives) {
        let Some(primitive) = primitive else { continue };
        nodes.push(json!({ "name": mesh.name, "mesh": gltf_meshes.len() }));
        gltf_meshes.push(json!({ "name": mesh.name, "primitives": [primitive] }));
    }
    let roots = (0..nodes.len()).collect();
    (gltf_meshes, nodes, roots)
}

/// The scene's node tree; each mesh once, with all its primitives.
fn tree_nodes(tree: &Hierarchy, mut primitives: Vec<Option<Value>>) -> (Vec<Value>, Vec<Value>, Vec<usize>) {
    let mut gltf_meshes = Vec::new();
    let mut mesh_index = vec![None; tree.mesh_primitives.len()];
    for (m, range) in tree.mesh_primitives.iter().enumerate() {
        let list: Vec<Value> = primitives[range.clone()].iter_mut().filter_map(Option::take).collect();
        if !list.is_empty() {
            mesh_index[m] = Some(gltf_meshes.len());
            gltf_meshes.push(json!({ "name": tree.mesh_names[m], "primitives": list }));
        }
    }
    let nodes = tree
        .nodes
        .iter()
        .map(|node| {
            let mut out = json!({ "name": node.name });
            if let Some(matrix) = node.matrix {
                out["matrix"] = json!(matrix.to_vec());
            }
            if let Some(mesh) = node.mesh.and_then(|m| mesh_index.get(m).copied().flatten()) {
                out["mesh"] = json!(mesh);
            }
            if !node.children.is_empty() {
                out["children"] = json!(node.children);
            }
            out
        })
        .collect();
    (gltf_meshes, nodes, tree.roots.clone())
}

/// The validator requires unit normals; a degenerate triangle's zero normal gets
/// +Z. Copied only when there is one to replace.
fn unit_normals(normals: &[[f32; 3]]) -> Cow<'_, [[f32; 3]]> {
    let is_zero = |n: &[f32; 3]| n.iter().all(|c| *c == 0.0);
    let any_zero = crate::chunked::fold(normals, false, |chunk| chunk.iter().any(is_zero), |a, b| a || b);
    if !any_zero {
        return Cow::Borrowed(normals);
    }
    Cow::Owned(normals.iter().map(|n| if is_zero(n) { [0.0, 0.0, 1.0] } else { *n }).collect())
}

fn wrap(mode: WrapMode) -> u32 {
    match mode {
        WrapMode::Repeat => 10497,
        WrapMode::MirroredRepeat => 33648,
        WrapMode::ClampToEdge => 33071,
    }
}

/// The image file for a texture: the bytes the model came with, or (native builds)
/// the decoded pixels encoded as PNG. `None` when neither is available.
fn image_file(texture: &Texture) -> Option<(Vec<u8>, &'static str)> {
    if let Some(encoded) = &texture.encoded {
        let mime = if encoded.starts_with(&[0xFF, 0xD8]) { "image/jpeg" } else { "image/png" };
        return Some((encoded.clone(), mime));
    }
    #[cfg(feature = "rust-image-decode")]
    if texture.has_pixels() {
        let mut png = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new(&mut png);
        let written = image::ImageEncoder::write_image(
            encoder,
            &texture.rgba8,
            texture.width,
            texture.height,
            image::ExtendedColorType::Rgba8,
        );
        if written.is_ok() {
            return Some((png, "image/png"));
        }
    }
    None
}

/// Where the binary buffer goes.
#[derive(Clone, Copy, PartialEq)]
pub enum BufferPlace<'a> {
    /// The GLB's BIN chunk.
    Chunk,
    /// A separate file of this name, beside the `.gltf`.
    File(&'a str),
    /// A base64 data URI inside the JSON.
    DataUri,
}

/// A GLB file in memory.
pub fn glb(meshes: &[FlatMesh], tree: Option<&Hierarchy>, scene: &Scene, report: &mut ConversionReport) -> Vec<u8> {
    let mut out = Vec::new();
    let memory = &mut out;
    // Writing into a Vec cannot fail.
    let _ = glb_to(meshes, tree, scene, report, move |total| {
        memory.reserve_exact(total);
        Ok(Box::new(memory))
    });
    out
}

/// Writes a GLB file into the writer that `open(total_bytes)` returns: the
/// header and JSON, then each binary part straight from the meshes' arrays, so
/// the file is never assembled in memory (~80 MB for a million triangles).
pub fn glb_to<'w>(
    meshes: &[FlatMesh],
    tree: Option<&Hierarchy>,
    scene: &Scene,
    report: &mut ConversionReport,
    open: impl FnOnce(usize) -> std::io::Result<Box<dyn Write + 'w>>,
) -> std::io::Result<()> {
    let images: Vec<_> = scene.textures.iter().map(image_file).collect();
    let (json, builder, bin_length) = document(meshes, tree, scene, &images, BufferPlace::Chunk, report);
    // The JSON chunk is padded with spaces, the binary chunk with zeros, to 4 bytes.
    let json_length = json.len().next_multiple_of(4);
    let total = 12 + 8 + json_length + 8 + bin_length;
    let mut out = open(total)?;
    let mut head = Vec::with_capacity(12 + 8 + json_length + 8);
    head.extend_from_slice(b"glTF");
    head.extend_from_slice(&2u32.to_le_bytes());
    head.extend_from_slice(&(total as u32).to_le_bytes());
    head.extend_from_slice(&(json_length as u32).to_le_bytes());
    head.extend_from_slice(b"JSON");
    head.extend_from_slice(&json);
    head.resize(12 + 8 + json_length, b' ');
    head.extend_from_slice(&(bin_length as u32).to_le_bytes());
    head.extend_from_slice(b"BIN\0");
    out.write_all(&head)?;
    builder.write_bin(&mut *out)?;
    out.write_all(&[0; 3][..bin_length - builder.bin_length])?;
    out.flush()
}

/// A `.gltf` file and, unless the buffer is a data URI, its `.bin` file.
pub fn gltf(
    meshes: &[FlatMesh],
    tree: Option<&Hierarchy>,
    scene: &Scene,
    place: BufferPlace<'_>,
    report: &mut ConversionReport,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let images: Vec<_> = scene.textures.iter().map(image_file).collect();
    let (json, builder, bin_length) = document(meshes, tree, scene, &images, place, report);
    let mut bin = Vec::with_capacity(bin_length);
    // Writing into a Vec cannot fail.
    let _ = builder.write_bin(&mut bin);
    bin.resize(bin_length, 0);
    match place {
        BufferPlace::DataUri => {
            // The document was written with an empty URI; put the data in its place.
            let text = String::from_utf8(json).unwrap_or_default();
            let uri = format!("data:application/octet-stream;base64,{}", BASE64.encode(&bin));
            (text.replacen(DATA_URI_PLACEHOLDER, &uri, 1).into_bytes(), None)
        }
        _ => (json, Some(bin)),
    }
}

/// Stands in for the data URI while the JSON is serialised (base64 of ~100 MB
/// is best not copied through a `serde_json::Value`).
const DATA_URI_PLACEHOLDER: &str = "data:application/octet-stream;base64,@";

/// The JSON document, the buffer's parts and the buffer's length.
fn document<'a>(
    meshes: &'a [FlatMesh],
    tree: Option<&Hierarchy>,
    scene: &Scene,
    images: &'a [Option<(Vec<u8>, &'static str)>],
    place: BufferPlace<'_>,
    report: &mut ConversionReport,
) -> (Vec<u8>, Builder<'a>, usize) {
    let mut builder = Builder::default();
    // One glTF primitive per non-empty flat mesh.
    let mut primitives: Vec<Option<Value>> = Vec::with_capacity(meshes.len());
    for mesh in meshes {
        if mesh.indices.is_empty() {
            primitives.push(None);
            continue;
        }
        let position = builder.floats(Cow::Borrowed(&mesh.positions), "VEC3", Some(Aabb::of_points(&mesh.positions)));
        let normal = builder.floats(unit_normals(&mesh.normals), "VEC3", None);
        let mut attributes = json!({ "POSITION": position, "NORMAL": normal });
        if let Some(colors) = &mesh.colors {
            attributes["COLOR_0"] = json!(builder.floats(Cow::Borrowed(colors), "VEC4", None));
        }
        if let Some(uvs) = &mesh.uvs {
            attributes["TEXCOORD_0"] = json!(builder.floats(Cow::Borrowed(uvs), "VEC2", None));
        }
        let indices = builder.indices(&mesh.indices);
        let mut primitive = json!({ "attributes": attributes, "indices": indices, "mode": 4 });
        if let Some(material) = mesh.material {
            primitive["material"] = json!(material);
        }
        primitives.push(Some(primitive));
    }
    let (gltf_meshes, nodes, roots) = match tree {
        None => flat_nodes(meshes, primitives),
        Some(tree) => tree_nodes(tree, primitives),
    };

    let mut image_list = Vec::new();
    let mut textures = Vec::new();
    let mut samplers = Vec::new();
    let mut texture_index = vec![None; scene.textures.len()];
    for (t, (texture, image)) in scene.textures.iter().zip(images).enumerate() {
        let Some((bytes, mime)) = image else {
            report.dropped.push(format!("Texture {t}: its image was not available to write."));
            continue;
        };
        let view = builder.view(Cow::Borrowed(bytes), None);
        image_list.push(json!({ "bufferView": view, "mimeType": mime }));
        let filter = if texture.nearest { 9728 } else { 9729 };
        samplers.push(json!({ "wrapS": wrap(texture.wrap_u), "wrapT": wrap(texture.wrap_v), "magFilter": filter }));
        texture_index[t] = Some(textures.len());
        textures.push(json!({ "source": image_list.len() - 1, "sampler": samplers.len() - 1 }));
    }
    let materials: Vec<Value> = scene
        .materials
        .iter()
        .map(|m| {
            let mut pbr = json!({
                "baseColorFactor": m.base_color_factor,
                "metallicFactor": m.metallic_factor,
                "roughnessFactor": m.roughness_factor,
            });
            if let Some(texture) = m.base_color_texture.and_then(|t| texture_index.get(t).copied().flatten()) {
                pbr["baseColorTexture"] = json!({ "index": texture });
            }
            let mut material = json!({ "name": m.name, "pbrMetallicRoughness": pbr, "doubleSided": m.double_sided });
            match m.alpha_mode {
                AlphaMode::Opaque => {}
                AlphaMode::Mask => {
                    material["alphaMode"] = json!("MASK");
                    material["alphaCutoff"] = json!(m.alpha_cutoff);
                }
                AlphaMode::Blend => material["alphaMode"] = json!("BLEND"),
            }
            material
        })
        .collect();

    let bin_length = builder.bin_length.next_multiple_of(4);
    let mut buffer = json!({ "byteLength": bin_length });
    match place {
        BufferPlace::Chunk => {}
        BufferPlace::File(name) => buffer["uri"] = json!(name),
        BufferPlace::DataUri => buffer["uri"] = json!(DATA_URI_PLACEHOLDER),
    }
    let mut document = json!({
        "asset": { "version": "2.0", "generator": "3D Model Studio" },
        "scene": 0,
        "scenes": [{ "nodes": roots }],
        "nodes": nodes,
        "meshes": gltf_meshes,
        "buffers": [buffer],
        "bufferViews": builder.views,
        "accessors": builder.accessors,
    });
    for (key, list) in
        [("materials", materials), ("textures", textures), ("images", image_list), ("samplers", samplers)]
    {
        if !list.is_empty() {
            document[key] = Value::Array(list);
        }
    }
    (serde_json::to_vec(&document).unwrap_or_default(), builder, bin_length)
}
