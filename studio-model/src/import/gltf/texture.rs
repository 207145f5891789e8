//! glTF textures → decoded RGBA8 [`Texture`]s with their sampler settings.
//!
//! A texture is decoded only when a drawn material uses it as its base colour
//! (the one texture the viewer shades with), and each glTF texture becomes at
//! most one [`Texture`]. A texture that cannot be used — missing file, unsupported
//! format, broken data, absurd size — is a warning, and its material is shown
//! untextured: a model without its picture is still worth seeing.
//!
//! Image dimensions are read from the header and checked before any pixel is
//! decoded, so a tiny file declaring a gigapixel image costs nothing.

use std::borrow::Cow;
use std::collections::HashMap;
#[cfg(feature = "rust-image-decode")]
use std::io::Cursor;

use gltf::json;
use gltf::json::texture::{MagFilter, WrappingMode};
use gltf::json::validation::Checked;

use super::accessor::Reader;
use super::uri::decode_data_uri;
use crate::import::Companions;
use crate::model::{Texture, WrapMode};

/// Largest accepted width or height (the largest 2D texture most desktop GPUs
/// support; the renderer may still have to scale down for smaller limits).
pub const MAX_SIDE: u32 = 16384;
/// Largest accepted pixel count (256 Mpx, 1 GiB as RGBA8).
pub const MAX_PIXELS: u64 = 1 << 28;

pub struct Textures<'a> {
    root: &'a json::Root,
    reader: &'a Reader<'a>,
    companions: &'a Companions,
    /// glTF texture index → index into `out`, or `None` if it was unusable.
    by_texture: HashMap<usize, Option<usize>>,
    out: Vec<Texture>,
    warnings: Vec<String>,
}

struct Decoded {
    width: u32,
    height: u32,
    /// Empty when decoding is left to the browser.
    rgba8: Vec<u8>,
    encoded: Option<Vec<u8>>,
}

impl<'a> Textures<'a> {
    pub fn new(root: &'a json::Root, reader: &'a Reader<'a>, companions: &'a Companions) -> Self {
        Textures { root, reader, companions, by_texture: HashMap::new(), out: Vec::new(), warnings: Vec::new() }
    }

    /// The model texture for glTF texture `index`, decoding it on first use.
    pub fn get(&mut self, index: usize) -> Option<usize> {
        if let Some(&known) = self.by_texture.get(&index) {
            return known;
        }
        let result = self.load(index);
        let slot = match result {
            Ok(texture) => {
                self.out.push(texture);
                Some(self.out.len() - 1)
            }
            Err(reason) => {
                self.warnings.push(format!("{reason} The material using it is shown untextured."));
                None
            }
        };
        self.by_texture.insert(index, slot);
        slot
    }

    /// The decoded textures, and warnings about the ones that could not be used.
    pub fn finish(self) -> (Vec<Texture>, Vec<String>) {
        (self.out, self.warnings)
    }

    fn load(&self, index: usize) -> Result<Texture, String> {
        let texture = self.root.textures.get(index).ok_or_else(|| format!("Texture {index} does not exist."))?;
        let image_index = texture.source.value();
        let Some(image) = self.root.images.get(image_index) else {
            // `source` is absent when the only image is in an extension (KTX2, WebP).
            return Err(format!("Texture {index} has no PNG or JPEG image (only an extension's format)."));
        };
        let label = image_label(image_index, image);
        let bytes = self.image_bytes(image).map_err(|reason| format!("Texture image {label} {reason}."))?;
        let decoded = decode(&bytes, self.reader).map_err(|reason| format!("Texture image {label} {reason}."))?;
        let sampler = texture.sampler.and_then(|s| self.root.samplers.get(s.value()));
        Ok(Texture {
            width: decoded.width,
            height: decoded.height,
            rgba8: decoded.rgba8,
            wrap_u: sampler.map_or(WrapMode::Repeat, |s| wrap_mode(&s.wrap_s)),
            wrap_v: sampler.map_or(WrapMode::Repeat, |s| wrap_mode(&s.wrap_t)),
            nearest: sampler.is_some_and(|s| matches!(s.mag_filter, Some(Checked::Valid(MagFilter::Nearest)))),
            encoded: decoded.encoded,
        })
    }

    /// The encoded image: from a buffer view (GLB), a data URI, or a companion file.
    fn image_bytes(&self, image: &json::Image) -> Result<Cow<'a, [u8]>, String> {
        if let Some(view) = image.buffer_view {
            let view = self.reader.buffers.view(view.value()).map_err(|e| format!("could not be read: {e}"))?;
            return Ok(Cow::Borrowed(view.bytes));
        }
        let Some(uri) = &image.uri else {
            return Err("has neither a uri nor a bufferView".into());
        };
        match decode_data_uri(uri) {
            Some(Ok(bytes)) => Ok(Cow::Owned(bytes)),
            Some(Err(reason)) => Err(format!("is embedded as a data URI, but {reason}")),
            None => self
                .companions
                .get(uri)
                .map(Cow::Borrowed)
                .ok_or_else(|| "was not provided (select or drop it together with the model)".into()),
        }
    }
}

fn image_label(index: usize, image: &json::Image) -> String {
    match (&image.name, &image.uri) {
        (_, Some(uri)) if !uri.starts_with("data:") => format!("'{uri}'"),
        (Some(name), _) => format!("{index} ('{name}')"),
        _ => index.to_string(),
    }
}

fn wrap_mode(mode: &Checked<WrappingMode>) -> WrapMode {
    match mode {
        Checked::Valid(WrappingMode::ClampToEdge) => WrapMode::ClampToEdge,
        Checked::Valid(WrappingMode::MirroredRepeat) => WrapMode::MirroredRepeat,
        Checked::Valid(WrappingMode::Repeat) | Checked::Invalid => WrapMode::Repeat,
    }
}

/// The most pixels `len` bytes of PNG or JPEG can encode, with room to spare.
/// Deflate expands at most 1032:1 and a PNG pixel takes at least one bit
/// (8 per byte); a baseline JPEG spends at least a bit per 8×8 block. The
/// decoders allocate the whole image up front, so without this a 100-byte
/// file declaring 16384×16384 pixels would cost 1 GiB before failing.
fn max_pixels_encodable(len: usize) -> u64 {
    (len as u64).saturating_mul(8 * 1032).saturating_add(1 << 20)
}

/// Checks an image's declared size from its header, then decodes it to RGBA8
/// (or, in the browser build, keeps it encoded for the browser to decode).
fn decode(bytes: &[u8], reader: &Reader) -> Result<Decoded, String> {
    let (width, height) = super::image_size::dimensions(bytes)?;
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(format!(
            "is {width}×{height} pixels, more than this viewer accepts ({MAX_SIDE} per side, {} megapixels)",
            MAX_PIXELS >> 20
        ));
    }
    if pixels == 0 {
        return Err("has no pixels".into());
    }
    if pixels > max_pixels_encodable(bytes.len()) {
        return Err(format!(
            "declares {width}×{height} pixels, which its {} bytes cannot hold (the file is corrupt)",
            bytes.len()
        ));
    }
    reader.spend_pixels(pixels * 4, "the textures").map_err(|e| format!("was skipped: {e}"))?;
    decode_pixels(bytes, width, height)
}

#[cfg(feature = "rust-image-decode")]
fn decode_pixels(bytes: &[u8], _width: u32, _height: u32) -> Result<Decoded, String> {
    use image::{ImageReader, Limits};
    let mut image_reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| format!("could not be read ({e})"))?;
    // The decoder enforces the same limits, whatever the header said.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    image_reader.limits(limits);
    let image = image_reader.decode().map_err(|e| format!("could not be decoded ({e})"))?;
    let rgba = image.into_rgba8();
    Ok(Decoded { width: rgba.width(), height: rgba.height(), rgba8: rgba.into_raw(), encoded: None })
}

#[cfg(not(feature = "rust-image-decode"))]
fn decode_pixels(bytes: &[u8], width: u32, height: u32) -> Result<Decoded, String> {
    Ok(Decoded { width, height, rgba8: Vec::new(), encoded: Some(bytes.to_vec()) })
}
