//! The glTF JSON: required extensions, parsing into the `gltf` crate's
//! document model, and its validation.
//!
//! `extensionsRequired` is checked on a minimal parse *before* the full
//! document is deserialized and validated: a Draco- or meshopt-compressed file
//! is otherwise rejected by validation with a cryptic "missing bufferView",
//! when the useful message is "re-export without compression".

use gltf::json;
use gltf::json::validation::{Error as ValidationError, Validate};

use crate::import::ImportError;

/// Required extensions that are fine to ignore: what they add is optional
/// for drawing a static model, or (quantization) handled by the accessor reader.
fn is_ignorable(name: &str) -> bool {
    name == "KHR_mesh_quantization"
        || name == "KHR_texture_transform"
        || name == "KHR_lights_punctual"
        || name == "KHR_xmp_json_ld"
        || name.starts_with("KHR_materials_")
}

fn advice_for(name: &str) -> String {
    match name {
        "KHR_draco_mesh_compression" => "Re-export the model without Draco compression (e.g. in Blender uncheck 'Compression' in the glTF export options, or run `gltf-transform copy in.glb out.glb`, which writes the meshes uncompressed).".into(),
        "EXT_meshopt_compression" => "Re-export the model without meshopt compression (e.g. run `gltf-transform copy in.glb out.glb`, which writes the meshes uncompressed, or export it again without EXT_meshopt_compression).".into(),
        "KHR_texture_basisu" | "EXT_texture_webp" | "EXT_texture_avif" | "MSFT_texture_dds" => {
            "Re-export the model with PNG or JPEG textures.".into()
        }
        _ => "Re-export the model without this extension, or open it in a viewer that supports it.".into(),
    }
}

/// Just enough of the document to decide whether to go on.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    asset: Option<ProbeAsset>,
    #[serde(default, rename = "extensionsRequired")]
    extensions_required: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ProbeAsset {
    #[serde(default)]
    version: Option<String>,
}

fn json_error(error: &serde_json::Error) -> ImportError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data => ImportError::Malformed(format!("the glTF JSON does not follow the glTF 2.0 format: {error}")),
        _ => ImportError::Malformed(format!("the glTF JSON is invalid: {error}")),
    }
}

/// Parses and validates the JSON. Notes about ignored extensions go to `warnings`.
pub fn parse(bytes: &[u8], warnings: &mut Vec<String>) -> Result<json::Root, ImportError> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
    if let Some(version) = probe.asset.and_then(|a| a.version)
        && !version.starts_with("2.")
    {
        return Err(ImportError::Malformed(format!(
            "this is a glTF {version} file; only glTF 2.0 is supported. Convert it to glTF 2.0 (e.g. import and re-export it in Blender)."
        )));
    }
    if let Some(name) = probe.extensions_required.iter().find(|name| !is_ignorable(name)) {
        return Err(ImportError::UnsupportedExtension { name: name.clone(), advice: advice_for(name) });
    }

    let mut root: json::Root = json::deserialize::from_slice(bytes).map_err(|e| json_error(&e))?;
    // Checked above; the crate would reject every required extension it was
    // not compiled with, including the ones that are fine to ignore.
    root.extensions_required.clear();
    check_position_indices(&root)?;
    validate(&root)?;
    note_ignored_extensions(&root, warnings);
    Ok(root)
}

/// The `gltf` crate's validation indexes `accessors` with the POSITION
/// attribute's index without checking it, so an out-of-range index would
/// panic inside it. Checked here first.
fn check_position_indices(root: &json::Root) -> Result<(), ImportError> {
    use json::mesh::Semantic;
    use json::validation::Checked;
    for (m, mesh) in root.meshes.iter().enumerate() {
        for (p, primitive) in mesh.primitives.iter().enumerate() {
            if let Some(index) = primitive.attributes.get(&Checked::Valid(Semantic::Positions))
                && index.value() >= root.accessors.len()
            {
                return Err(ImportError::Malformed(format!(
                    "mesh {m}, primitive {p} uses accessor {} for POSITION, but there are only {} accessors.",
                    index.value(),
                    root.accessors.len()
                )));
            }
        }
    }
    Ok(())
}

/// Validation problems this importer handles itself, more gently than
/// refusing the file.
fn is_tolerated(path: &str, error: ValidationError) -> bool {
    let position = path.contains(".attributes[\"POSITION\"]");
    // POSITION min/max are required by the spec but unused here, and often
    // missing in files from small exporters.
    let position_bounds = position && (path.ends_with(".min") || path.ends_with(".max"));
    // A primitive without POSITION is skipped with a warning.
    let no_position = position && path.ends_with("[\"POSITION\"]") && error == ValidationError::Missing;
    // A texture whose only image is in an extension (KTX2, WebP) is shown untextured.
    let no_source = path.starts_with("textures[") && path.ends_with("].source") && error == ValidationError::Missing;
    position_bounds || no_position || no_source
}

fn validate(root: &json::Root) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    root.validate(root, json::Path::new, &mut |path, error| {
        let path = path();
        if !is_tolerated(path.as_str(), error) {
            problems.push(format!("{path}: {error}"));
        }
    });
    if problems.is_empty() {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut message = format!("the glTF JSON failed validation: {}", problems[..problems.len().min(SHOWN)].join("; "));
    if problems.len() > SHOWN {
        message.push_str(&format!(" (and {} more problems)", problems.len() - SHOWN));
    }
    message.push('.');
    Err(ImportError::Malformed(message))
}

fn note_ignored_extensions(root: &json::Root, warnings: &mut Vec<String>) {
    let used = |name: &str| root.extensions_used.iter().any(|u| u == name);
    if used("KHR_texture_transform") {
        warnings.push(
            "The model uses KHR_texture_transform, which is ignored: textures may appear shifted, scaled or rotated."
                .into(),
        );
    }
    if used("EXT_mesh_gpu_instancing") {
        warnings.push(
            "The model uses EXT_mesh_gpu_instancing, which is ignored: each instanced mesh is shown once, at its node."
                .into(),
        );
    }
    if used("KHR_materials_pbrSpecularGlossiness") {
        warnings.push(
            "The model uses the specular-glossiness material model, which is ignored: colours may be wrong.".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_draco_wins_over_validation() {
        // No bufferView on the accessor: validation alone would complain about that.
        let json = br#"{"asset":{"version":"2.0"},"extensionsRequired":["KHR_draco_mesh_compression"],
            "accessors":[{"count":3,"componentType":5126,"type":"VEC3"}]}"#;
        let Err(ImportError::UnsupportedExtension { name, advice }) = parse(json, &mut Vec::new()) else {
            panic!("expected UnsupportedExtension")
        };
        assert_eq!(name, "KHR_draco_mesh_compression");
        assert!(advice.contains("Draco"));
    }

    #[test]
    fn ignorable_required_extensions_pass() {
        let json = br#"{"asset":{"version":"2.0"},"extensionsUsed":["KHR_mesh_quantization","KHR_materials_sheen"],
            "extensionsRequired":["KHR_mesh_quantization","KHR_materials_sheen"]}"#;
        assert!(parse(json, &mut Vec::new()).is_ok());
    }

    #[test]
    fn broken_json_reports_position() {
        let Err(ImportError::Malformed(message)) =
            parse(b"{\"asset\": {\"version\": \"2.0\"},\n  oops}", &mut Vec::new())
        else {
            panic!("expected Malformed")
        };
        assert!(message.starts_with("the glTF JSON is invalid:"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn gltf_1_is_refused_clearly() {
        let Err(ImportError::Malformed(message)) = parse(br#"{"asset":{"version":"1.0"}}"#, &mut Vec::new()) else {
            panic!("expected Malformed")
        };
        assert!(message.contains("glTF 1.0"), "{message}");
    }

    #[test]
    fn bad_references_are_reported_with_their_path() {
        let json = br#"{"asset":{"version":"2.0"},"scene":3}"#;
        let Err(ImportError::Malformed(message)) = parse(json, &mut Vec::new()) else { panic!("expected Malformed") };
        assert!(message.contains("scene"), "{message}");
    }
}
