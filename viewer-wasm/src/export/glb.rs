//! GLB writer: one node and mesh per part, positions in metres, normals, vertex
//! colours, texture coordinates, metallic-roughness materials and their base
//! colour textures (the original PNG/JPEG bytes when the import kept them).

use serde_json::{Value, json};

use super::{ConversionReport, FlatMesh};
use crate::model::{AlphaMode, Scene, Texture, WrapMode};

const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
const FLOAT: u32 = 5126;
const UNSIGNED_INT: u32 = 5125;

/// The binary chunk and the JSON arrays that describe it, built together.
#[derive(Default)]
struct Builder {
    bin: Vec<u8>,
    views: Vec<Value>,
    accessors: Vec<Value>,
}

impl Builder {
    fn view(&mut self, bytes: &[u8], target: Option<u32>) -> usize {
        // Every view starts 4-byte aligned, as accessors of floats and u32 require.
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let mut view = json!({ "buffer": 0, "byteOffset": self.bin.len(), "byteLength": bytes.len() });
        if let Some(target) = target {
            view["target"] = json!(target);
        }
        self.bin.extend_from_slice(bytes);
        self.views.push(view);
        self.views.len() - 1
    }

    fn floats<const N: usize>(&mut self, data: &[[f32; N]], kind: &str, bounds: bool) -> usize {
        let view = self.view(bytemuck::cast_slice(data), Some(ARRAY_BUFFER));
        let mut accessor = json!({ "bufferView": view, "componentType": FLOAT, "count": data.len(), "type": kind });
        if bounds {
            let mut min = [f32::INFINITY; N];
            let mut max = [f32::NEG_INFINITY; N];
            for v in data {
                for k in 0..N {
                    min[k] = min[k].min(v[k]);
                    max[k] = max[k].max(v[k]);
                }
            }
            accessor["min"] = json!(min.to_vec());
            accessor["max"] = json!(max.to_vec());
        }
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    fn indices(&mut self, indices: &[u32]) -> usize {
        let view = self.view(bytemuck::cast_slice(indices), Some(ELEMENT_ARRAY_BUFFER));
        let accessor =
            json!({ "bufferView": view, "componentType": UNSIGNED_INT, "count": indices.len(), "type": "SCALAR" });
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }
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

pub fn write(meshes: &[FlatMesh], scene: &Scene, report: &mut ConversionReport) -> Vec<u8> {
    let mut builder = Builder::default();
    let mut gltf_meshes = Vec::new();
    let mut nodes = Vec::new();
    for mesh in meshes.iter().filter(|m| !m.indices.is_empty()) {
        let position = builder.floats(&mesh.positions, "VEC3", true);
        // The validator requires unit normals; a degenerate triangle's zero normal gets +Z.
        let normals: Vec<[f32; 3]> =
            mesh.normals.iter().map(|n| if n.iter().all(|c| *c == 0.0) { [0.0, 0.0, 1.0] } else { *n }).collect();
        let normal = builder.floats(&normals, "VEC3", false);
        let mut attributes = json!({ "POSITION": position, "NORMAL": normal });
        if let Some(colors) = &mesh.colors {
            attributes["COLOR_0"] = json!(builder.floats(colors, "VEC4", false));
        }
        if let Some(uvs) = &mesh.uvs {
            attributes["TEXCOORD_0"] = json!(builder.floats(uvs, "VEC2", false));
        }
        let indices = builder.indices(&mesh.indices);
        let mut primitive = json!({ "attributes": attributes, "indices": indices, "mode": 4 });
        if let Some(material) = mesh.material {
            primitive["material"] = json!(material);
        }
        nodes.push(json!({ "name": mesh.name, "mesh": gltf_meshes.len() }));
        gltf_meshes.push(json!({ "name": mesh.name, "primitives": [primitive] }));
    }

    let mut images = Vec::new();
    let mut textures = Vec::new();
    let mut samplers = Vec::new();
    let mut texture_index = vec![None; scene.textures.len()];
    for (t, texture) in scene.textures.iter().enumerate() {
        let Some((bytes, mime)) = image_file(texture) else {
            report.dropped.push(format!("Texture {t}: its image was not available to write."));
            continue;
        };
        let view = builder.view(&bytes, None);
        images.push(json!({ "bufferView": view, "mimeType": mime }));
        let filter = if texture.nearest { 9728 } else { 9729 };
        samplers.push(json!({ "wrapS": wrap(texture.wrap_u), "wrapT": wrap(texture.wrap_v), "magFilter": filter }));
        texture_index[t] = Some(textures.len());
        textures.push(json!({ "source": images.len() - 1, "sampler": samplers.len() - 1 }));
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

    while !builder.bin.len().is_multiple_of(4) {
        builder.bin.push(0);
    }
    let mut document = json!({
        "asset": { "version": "2.0", "generator": "3D Model Studio" },
        "scene": 0,
        "scenes": [{ "nodes": (0..nodes.len()).collect::<Vec<_>>() }],
        "nodes": nodes,
        "meshes": gltf_meshes,
        "buffers": [{ "byteLength": builder.bin.len() }],
        "bufferViews": builder.views,
        "accessors": builder.accessors,
    });
    for (key, list) in [("materials", materials), ("textures", textures), ("images", images), ("samplers", samplers)] {
        if !list.is_empty() {
            document[key] = Value::Array(list);
        }
    }
    let mut json = serde_json::to_vec(&document).unwrap_or_default();
    // The JSON chunk is padded with spaces, the binary chunk with zeros, to 4 bytes.
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let total = 12 + 8 + json.len() + 8 + builder.bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    out.extend_from_slice(&(builder.bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&builder.bin);
    out
}
