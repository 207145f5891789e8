//! glTF metallic-roughness materials → [`Material`]. Only what the viewer
//! shades is kept: base colour (factor and texture), metallic and roughness
//! factors, alpha mode and cutoff, and double-sidedness.

use gltf::json;
use gltf::json::material::AlphaMode as JsonAlphaMode;
use gltf::json::validation::Checked;

use super::texture::Textures;
use crate::model::{AlphaMode, Material};

/// One [`Material`] per glTF material, in the same order, so primitive
/// material indices carry over unchanged. Textures are decoded only for the
/// materials flagged in `used`; the others keep no texture.
pub fn convert(root: &json::Root, textures: &mut Textures, used: &[bool]) -> Vec<Material> {
    root.materials
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let used = used.get(index).copied().unwrap_or(false);
            let pbr = &m.pbr_metallic_roughness;
            Material {
                name: m.name.clone().unwrap_or_default(),
                base_color_factor: pbr.base_color_factor.0.map(|c| unit(c, 1.0)),
                base_color_texture: pbr
                    .base_color_texture
                    .as_ref()
                    .filter(|_| used)
                    .and_then(|info| textures.get(info.index.value())),
                metallic_factor: unit(pbr.metallic_factor.0, 1.0),
                roughness_factor: unit(pbr.roughness_factor.0, 1.0),
                alpha_mode: match m.alpha_mode {
                    Checked::Valid(JsonAlphaMode::Mask) => AlphaMode::Mask,
                    Checked::Valid(JsonAlphaMode::Blend) => AlphaMode::Blend,
                    Checked::Valid(JsonAlphaMode::Opaque) | Checked::Invalid => AlphaMode::Opaque,
                },
                alpha_cutoff: m.alpha_cutoff.as_ref().map_or(0.5, |c| unit(c.0, 0.5)),
                double_sided: m.double_sided,
            }
        })
        .collect()
}

/// Clamps a factor the spec limits to [0, 1]; a value beyond f32's range
/// parses as infinity and lands on the bound, anything else unusable falls back.
fn unit(value: f32, fallback: f32) -> f32 {
    if value.is_nan() { fallback } else { value.clamp(0.0, 1.0) }
}
