//! glTF 2.0 importer for both containers: binary GLB and `.gltf` JSON with
//! its buffers and images embedded as data URIs or supplied as [`Companions`].
//!
//! The `gltf` crate is used for the JSON document model only. Every byte of
//! binary data (GLB chunks, buffers, accessors, images) is read here with
//! explicit bounds checks, because the file is hostile: a count or offset in
//! the JSON is never trusted until it has been checked against the length of
//! the data it points into.
//!
//! The steps, one submodule each:
//!
//! 1. `glb` splits a GLB into its JSON and BIN chunks;
//! 2. `document` checks `extensionsRequired`, parses and validates the JSON;
//! 3. `buffers` resolves buffers lazily (BIN chunk, data URI or companion);
//! 4. `accessor` reads typed, bounds-checked arrays out of them;
//! 5. `mesh`, `material`, `texture` and `nodes` build the [`Scene`].

mod accessor;
mod buffers;
mod document;
mod glb;
mod image_size;
mod material;
mod mesh;
mod nodes;
mod texture;
mod uri;

use super::{Companions, ImportError, Progress};
use crate::model::{Mesh, Scene, SourceFormat, UpAxis};

/// Imports a GLB or `.gltf` file. External resources of a `.gltf` are looked
/// up in `companions`. The result still has to pass
/// [`sanity_check`](super::sanity_check), which [`super::import`] runs.
pub fn import(bytes: &[u8], companions: &Companions, progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut warnings = Vec::new();
    let (format, json, bin) = if bytes.starts_with(glb::MAGIC) {
        let glb = glb::parse(bytes)?;
        warnings.extend(glb.warnings);
        (SourceFormat::Glb, glb.json, glb.bin)
    } else if looks_like_json(bytes) {
        (SourceFormat::Gltf, bytes, None)
    } else {
        return Err(ImportError::Malformed(
            "this is neither a GLB file (which starts with 'glTF') nor glTF JSON (which starts with '{').".into(),
        ));
    };

    let root = document::parse(json, &mut warnings)?;
    let buffers = buffers::Buffers::new(&root, format == SourceFormat::Glb, bin, companions);
    let reader = accessor::Reader::new(&root, &buffers, bytes.len() + companions.total_bytes());

    let (nodes, root_nodes) = nodes::convert(&root, &mut warnings);
    // Only meshes the chosen scene draws are decoded: a file may hold other
    // scenes or unused meshes whose data is broken or simply not needed.
    let drawn = nodes::drawn_meshes(&nodes, &root_nodes, root.meshes.len());

    let mut notes = mesh::Notes::default();
    let mut meshes = Vec::with_capacity(root.meshes.len());
    for (index, json_mesh) in root.meshes.iter().enumerate() {
        // Geometry is most of the work; textures are decoded after it.
        progress.report(0.9 * index as f32 / root.meshes.len() as f32);
        if drawn.get(index).copied().unwrap_or(false) {
            meshes.push(mesh::convert(&reader, index, json_mesh, &mut notes)?);
        } else {
            meshes.push(Mesh { name: json_mesh.name.clone().unwrap_or_default(), primitives: Vec::new() });
        }
    }

    // Materials after geometry, so that only textures of materials something
    // drawn uses are decoded (not, say, every KHR_materials_variants variant).
    let mut used = vec![false; root.materials.len()];
    for material in meshes.iter().flat_map(|m| &m.primitives).filter_map(|p| p.material) {
        if let Some(flag) = used.get_mut(material) {
            *flag = true;
        }
    }
    let mut textures = texture::Textures::new(&root, &reader, companions);
    let materials = material::convert(&root, &mut textures, &used);

    let (textures, texture_warnings) = textures.finish();
    warnings.extend(texture_warnings);
    warnings.extend(notes.into_warnings());

    let not_kept = not_kept(&root);
    Ok(Scene { format, up_axis: UpAxis::Y, meshes, materials, textures, nodes, root_nodes, warnings, not_kept })
}

/// The parts of a glTF that the scene model leaves out, counted.
fn not_kept(root: &gltf::json::Root) -> Vec<String> {
    let morphed = root.meshes.iter().flat_map(|m| &m.primitives).filter(|p| p.targets.is_some()).count();
    let lights = root.extensions_used.iter().any(|e| e == "KHR_lights_punctual");
    [
        (root.animations.len(), "animation"),
        (root.cameras.len(), "camera"),
        (root.skins.len(), "skin"),
        (morphed, "primitive with morph targets"),
        (usize::from(lights), "set of punctual lights"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}{}", if count == 1 { "" } else { "s" }))
    .collect()
}

/// True when the first character after an optional UTF-8 BOM and whitespace is `{`.
fn looks_like_json(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}
