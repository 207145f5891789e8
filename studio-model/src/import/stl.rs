//! STL importer: binary (with VisCAM/SolidView and Materialise per-face
//! colours) and ASCII (several `solid` blocks become several meshes).
//!
//! STL stores unshared triangles, so each triangle gets three vertices of its
//! own and the face normal, which is what makes a faceted part look faceted.
//! Stored normals are ignored: they are frequently wrong or zero in the wild,
//! and the winding order is what every other tool trusts.

mod ascii;

pub use ascii::import_ascii;

use glam::Vec3;

use super::{ImportError, Progress};
use crate::chunked;
use crate::model::{Material, Mesh, Primitive, Scene, SourceFormat, UpAxis, srgb_to_linear};

const HEADER_BYTES: usize = 80;
const TRIANGLE_BYTES: usize = 50;
const FIRST_TRIANGLE_OFFSET: usize = HEADER_BYTES + 4;

fn declared_triangle_count(bytes: &[u8]) -> Option<u64> {
    let count = bytes.get(HEADER_BYTES..FIRST_TRIANGLE_OFFSET)?;
    Some(u32::from_le_bytes([count[0], count[1], count[2], count[3]]) as u64)
}

/// True when the length matches the declared triangle count exactly, which is
/// the only trustworthy sign of a binary STL: many binary exporters write a
/// header that starts with `solid`.
pub fn is_binary_stl(bytes: &[u8]) -> bool {
    match declared_triangle_count(bytes) {
        Some(count) => FIRST_TRIANGLE_OFFSET as u64 + count * TRIANGLE_BYTES as u64 == bytes.len() as u64,
        None => false,
    }
}

/// True when the file starts with `solid` (any case, after blank or `#` comment
/// lines) and has ASCII STL keywords soon after.
pub fn looks_like_ascii_stl(bytes: &[u8]) -> bool {
    let probe = &bytes[..bytes.len().min(4096)];
    let mut rest = probe;
    loop {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
        rest = &rest[start..];
        if rest.first() == Some(&b'#') {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        break;
    }
    if rest.len() < 5 || !rest[..5].eq_ignore_ascii_case(b"solid") {
        return false;
    }
    let lower = probe.to_ascii_lowercase();
    lower.windows(5).any(|w| w == b"facet") || lower.windows(8).any(|w| w == b"endsolid")
}

/// Reads a binary STL file (Z up, unitless) into a one-mesh scene with per-face colours where the file has them; the caller validates the result with [`crate::import::sanity_check`].
pub fn import_binary(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let count = declared_triangle_count(bytes).ok_or_else(|| ImportError::Truncated {
        what: "a binary STL header".into(),
        needed_bytes: FIRST_TRIANGLE_OFFSET as u64,
        actual_bytes: bytes.len() as u64,
    })?;
    let needed = FIRST_TRIANGLE_OFFSET as u64 + count * TRIANGLE_BYTES as u64;
    if needed > bytes.len() as u64 {
        return Err(ImportError::Truncated {
            what: format!("the {count} triangles the STL header declares"),
            needed_bytes: needed,
            actual_bytes: bytes.len() as u64,
        });
    }
    // Safe to size from the count now: it is bounded by the file length.
    let count = count as usize;
    let header = &bytes[..HEADER_BYTES];
    let palette = ColorConvention::from_header(header);

    // Sized up front (the count is bounded by the length now) and filled in place:
    // no capacity check per push in the hottest loop of the commonest format.
    let mut positions = vec![[0.0f32; 3]; count * 3];
    let mut normals = vec![[0.0f32; 3]; count * 3];
    let mut colors: Vec<[f32; 4]> = Vec::new();
    let mut any_color = false;

    let records = &bytes[FIRST_TRIANGLE_OFFSET..needed as usize];
    chunked::for_each_chunk(count, |chunk| {
        progress.report(chunk.start as f32 / count as f32);
        let records = records[chunk.start * TRIANGLE_BYTES..chunk.end * TRIANGLE_BYTES].chunks_exact(TRIANGLE_BYTES);
        let corners = chunk.start * 3..chunk.end * 3;
        let slots = positions[corners.clone()].chunks_exact_mut(3).zip(normals[corners].chunks_exact_mut(3));
        for (i, (record, (corners, corner_normals))) in chunk.zip(records.zip(slots)) {
            let corner = |k: usize| {
                let at = 12 + k * 12;
                [read_f32(record, at), read_f32(record, at + 4), read_f32(record, at + 8)]
            };
            let tri = [corner(0), corner(1), corner(2)];
            corners.copy_from_slice(&tri);
            corner_normals.copy_from_slice(&[face_normal(tri); 3]);
            let attribute = u16::from_le_bytes([record[48], record[49]]);
            if let Some(rgba) = palette.face_color(attribute) {
                if !any_color {
                    any_color = true;
                    colors = vec![palette.default_color(); i * 3];
                    colors.reserve(count * 3 - i * 3);
                }
                colors.extend_from_slice(&[rgba; 3]);
            } else if any_color {
                colors.extend_from_slice(&[palette.default_color(); 3]);
            }
        }
    });

    let indices = chunked::collect(positions.len(), |i| i as u32);
    let primitive =
        Primitive { positions, normals, uvs: None, colors: any_color.then_some(colors), indices, material: Some(0) };
    let mesh = Mesh { name: header_name(header), primitives: vec![primitive] };
    let mut scene = Scene::from_meshes(SourceFormat::StlBinary, UpAxis::Z, vec![mesh], vec![stl_material()]);
    let trailing = bytes.len() - needed as usize;
    if trailing > 0 {
        scene.warnings.push(format!("{trailing} bytes after the last triangle were ignored."));
    }
    Ok(scene)
}

fn read_f32(record: &[u8], at: usize) -> f32 {
    f32::from_le_bytes([record[at], record[at + 1], record[at + 2], record[at + 3]])
}

fn header_name(header: &[u8]) -> String {
    let text: String = header
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { ' ' })
        .collect();
    let text = text.trim();
    text.strip_prefix("solid").unwrap_or(text).trim().to_string()
}

/// The two incompatible conventions for colours in the attribute word.
enum ColorConvention {
    /// VisCAM/SolidView: bit 15 set means "this face has a colour", 5-bit R,G,B from high to low.
    SolidView,
    /// Materialise Magics: header `COLOR=rgba` is the default; bit 15 clear means
    /// "this face has its own colour", 5-bit B,G,R from high to low.
    Magics { default: [f32; 4] },
}

impl ColorConvention {
    fn from_header(header: &[u8]) -> Self {
        let at = header.windows(6).position(|w| w == b"COLOR=");
        match at {
            Some(i) if i + 10 <= header.len() => {
                let c = &header[i + 6..i + 10];
                ColorConvention::Magics { default: [c[0], c[1], c[2], c[3]].map(|v| srgb_to_linear(v as f32 / 255.0)) }
            }
            _ => ColorConvention::SolidView,
        }
    }

    fn default_color(&self) -> [f32; 4] {
        match self {
            ColorConvention::SolidView => [0.8, 0.8, 0.8, 1.0],
            ColorConvention::Magics { default } => [default[0], default[1], default[2], 1.0],
        }
    }

    fn face_color(&self, attribute: u16) -> Option<[f32; 4]> {
        let five = |shift: u16| srgb_to_linear(((attribute >> shift) & 0x1f) as f32 / 31.0);
        match self {
            ColorConvention::SolidView if attribute & 0x8000 != 0 => Some([five(10), five(5), five(0), 1.0]),
            ColorConvention::Magics { .. } if attribute & 0x8000 == 0 && attribute != 0 => {
                Some([five(0), five(5), five(10), 1.0])
            }
            _ => None,
        }
    }
}

// The browser builds optimise for size, which left the per-facet helpers
// below as calls; inlined, the ASCII import of a million facets in wasm went
// from ~245 to ~200 ms (Node 20; the `inline` hints are measured, not habit).

/// The unit normal of a counter-clockwise triangle (+Z for a degenerate one).
#[inline(always)]
fn face_normal(tri: [[f32; 3]; 3]) -> [f32; 3] {
    let [a, b, c] = tri.map(Vec3::from);
    (b - a).cross(c - a).try_normalize().unwrap_or(Vec3::Z).to_array()
}

#[inline(always)]
fn push_triangle(positions: &mut Vec<[f32; 3]>, normals: &mut Vec<[f32; 3]>, tri: [[f32; 3]; 3]) {
    let normal = face_normal(tri);
    for corner in tri {
        positions.push(corner);
        normals.push(normal);
    }
}

/// STL has no materials: a neutral light grey, two-sided because STL winding is often wrong.
fn stl_material() -> Material {
    Material { name: "STL".into(), base_color_factor: [0.8, 0.8, 0.8, 1.0], double_sided: true, ..Material::default() }
}
