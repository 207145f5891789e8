//! STL importer: binary (with VisCAM/SolidView and Materialise per-face
//! colours) and ASCII (several `solid` blocks become several meshes).
//!
//! STL stores unshared triangles, so each triangle gets three vertices of its
//! own and the face normal, which is what makes a faceted part look faceted.
//! Stored normals are ignored: they are frequently wrong or zero in the wild,
//! and the winding order is what every other tool trusts.

use glam::Vec3;

use super::{ImportError, Progress};
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

    let records = bytes[FIRST_TRIANGLE_OFFSET..needed as usize].chunks_exact(TRIANGLE_BYTES);
    let slots = positions.chunks_exact_mut(3).zip(normals.chunks_exact_mut(3));
    for (i, (record, (corners, corner_normals))) in records.zip(slots).enumerate() {
        if i % 65_536 == 0 {
            progress.report(i as f32 / count as f32);
        }
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

    let indices = (0..positions.len() as u32).collect();
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

/// The unit normal of a counter-clockwise triangle (+Z for a degenerate one).
fn face_normal(tri: [[f32; 3]; 3]) -> [f32; 3] {
    let [a, b, c] = tri.map(Vec3::from);
    (b - a).cross(c - a).try_normalize().unwrap_or(Vec3::Z).to_array()
}

fn push_triangle(positions: &mut Vec<[f32; 3]>, normals: &mut Vec<[f32; 3]>, tri: [[f32; 3]; 3]) {
    positions.extend_from_slice(&tri);
    normals.extend_from_slice(&[face_normal(tri); 3]);
}

/// Splits ASCII text into whitespace-separated tokens without allocating.
/// Any byte up to and including the space counts as white space: one compare
/// per byte, which matters at hundreds of megabytes.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let bytes = self.bytes;
        while self.at < bytes.len() && bytes[self.at] <= b' ' {
            self.at += 1;
        }
        if self.at >= bytes.len() {
            return None;
        }
        let start = self.at;
        while self.at < bytes.len() && bytes[self.at] > b' ' {
            self.at += 1;
        }
        Some(&bytes[start..self.at])
    }

    /// Skips the rest of the current line (solid names may contain spaces).
    /// Eight bytes at a time: `facet normal …` lines are long and skipped whole.
    fn skip_line(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let bytes = self.bytes;
        let mut i = self.at;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            // A zero byte in `x` is a newline in the chunk; the lowest flagged byte is the first.
            let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
            let zero = x.wrapping_sub(ONES) & !x & HIGHS;
            if zero != 0 {
                self.at = i + (zero.trailing_zeros() / 8) as usize;
                return;
            }
            i += 8;
        }
        while i < bytes.len() && bytes[i] != b'\n' {
            i += 1;
        }
        self.at = i;
    }

    fn rest_of_line(&mut self) -> &'a [u8] {
        let start = self.at;
        self.skip_line();
        &self.bytes[start..self.at]
    }

    /// Line numbers are only needed for messages, so they are counted then.
    fn error(&self, message: &str) -> ImportError {
        let line = self.bytes[..self.at.min(self.bytes.len())].iter().filter(|&&b| b == b'\n').count();
        ImportError::Malformed(format!("ASCII STL line {}: {message}", line + 1))
    }

    /// The common case after `outer loop`, read in one go: three `vertex x y z`
    /// lines and `endloop`. On anything else (a quad, a comment, a number the fast
    /// parser leaves to `str::parse`) the position is restored and the general
    /// loop reads the same lines, so this only ever saves work.
    fn triangle(&mut self) -> Option<[[f32; 3]; 3]> {
        let start = self.at;
        let mut tri = [[0.0f32; 3]; 3];
        let read = |tokens: &mut Self, tri: &mut [[f32; 3]; 3]| -> Option<()> {
            for vertex in tri.iter_mut() {
                if Keyword::of(tokens.next()?) != Keyword::Vertex {
                    return None;
                }
                for c in vertex.iter_mut() {
                    *c = tokens.fast_float()?;
                }
            }
            (Keyword::of(tokens.next()?) == Keyword::EndLoop).then_some(())
        };
        match read(self, &mut tri) {
            Some(()) => Some(tri),
            None => {
                self.at = start;
                None
            }
        }
    }

    /// A number on the fast path only, followed by white space or the end.
    #[inline(always)]
    fn fast_float(&mut self) -> Option<f32> {
        let bytes = self.bytes;
        while self.at < bytes.len() && bytes[self.at] <= b' ' {
            self.at += 1;
        }
        let (value, end) = super::decimal::parse_prefix(bytes, self.at)?;
        if bytes.get(end).is_some_and(|&b| b > b' ') {
            return None;
        }
        self.at = end;
        Some(value)
    }

    fn float(&mut self) -> Result<f32, ImportError> {
        let bytes = self.bytes;
        while self.at < bytes.len() && bytes[self.at] <= b' ' {
            self.at += 1;
        }
        // Fast path: read the number in the same pass that finds its end.
        if let Some((value, end)) = super::decimal::parse_prefix(bytes, self.at)
            && bytes.get(end).is_none_or(|&b| b <= b' ')
        {
            self.at = end;
            return Ok(value);
        }
        let token = self.next().ok_or_else(|| self.error("the file ends in the middle of a vertex"))?;
        super::decimal::parse_f32(token)
            .ok_or_else(|| self.error(&format!("'{}' is not a number", String::from_utf8_lossy(token))))
    }
}

/// The first word of an ASCII STL line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Solid,
    EndSolid,
    Facet,
    Outer,
    Vertex,
    EndLoop,
    EndFacet,
    Comment,
    Other,
}

/// Up to eight bytes as one little-endian word (zero-padded).
const fn word(bytes: &[u8]) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < bytes.len() && i < 8 {
        w |= (bytes[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

impl Keyword {
    /// Keywords are case-insensitive in practice (some CAD tools write ENDLOOP).
    /// A keyword of up to eight letters is compared as one 64-bit word with the
    /// case bit (0x20) of every byte set: for letters that is exactly a
    /// case-insensitive comparison, and it costs one compare per line.
    fn of(token: &[u8]) -> Keyword {
        const FOLD: u64 = 0x2020_2020_2020_2020;
        if token.first() == Some(&b'#') {
            return Keyword::Comment;
        }
        if token.len() > 8 {
            return Keyword::Other;
        }
        // Only the token's own bytes are folded, so "solid" never matches "solids".
        let mask = if token.len() == 8 { u64::MAX } else { (1u64 << (8 * token.len())) - 1 };
        match word(token) | (FOLD & mask) {
            w if w == word(b"vertex") => Keyword::Vertex,
            w if w == word(b"facet") => Keyword::Facet,
            w if w == word(b"outer") => Keyword::Outer,
            w if w == word(b"endloop") => Keyword::EndLoop,
            w if w == word(b"endfacet") => Keyword::EndFacet,
            w if w == word(b"solid") => Keyword::Solid,
            w if w == word(b"endsolid") => Keyword::EndSolid,
            _ => Keyword::Other,
        }
    }
}

pub fn import_ascii(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let mut tokens = Tokens { bytes, at: 0 };
    let mut meshes = Vec::new();
    let mut current: Option<Solid> = None;
    let mut polygon: Vec<[f32; 3]> = Vec::with_capacity(3);

    let mut next_report_at = 0;
    while let Some(token) = tokens.next() {
        if tokens.at >= next_report_at {
            progress.report(tokens.at as f32 / bytes.len() as f32);
            next_report_at = tokens.at + (1 << 20);
        }
        match Keyword::of(token) {
            Keyword::Solid => {
                if current.is_some() {
                    return Err(tokens.error("'solid' inside another solid (missing 'endsolid')"));
                }
                let name = String::from_utf8_lossy(tokens.rest_of_line()).trim().to_string();
                // Typical exporters spend 120+ bytes of text per facet: reserving for that
                // many (a bound the file's length sets, not a count in the file) saves
                // growing and copying the arrays, which in wasm also means growing memory.
                let capacity = if meshes.is_empty() { (bytes.len() - tokens.at) / 120 * 3 } else { 0 };
                current = Some(Solid {
                    name,
                    positions: Vec::with_capacity(capacity),
                    normals: Vec::with_capacity(capacity),
                });
            }
            Keyword::EndSolid => {
                tokens.skip_line();
                let solid = current.take().ok_or_else(|| tokens.error("'endsolid' without 'solid'"))?;
                meshes.push(solid.into_mesh());
            }
            Keyword::Facet => {
                if current.is_none() {
                    return Err(tokens.error("'facet' outside a solid"));
                }
                // "normal nx ny nz": ignored, see the module comment.
                tokens.skip_line();
            }
            Keyword::Outer => {
                tokens.skip_line();
                polygon.clear();
                if let Some(tri) = tokens.triangle() {
                    let Some(Solid { positions, normals, .. }) = current.as_mut() else {
                        return Err(tokens.error("'outer loop' outside a solid"));
                    };
                    push_triangle(positions, normals, tri);
                }
            }
            Keyword::Vertex => {
                let v = [tokens.float()?, tokens.float()?, tokens.float()?];
                polygon.push(v);
            }
            Keyword::EndLoop => {
                let Some(Solid { positions, normals, .. }) = current.as_mut() else {
                    return Err(tokens.error("'endloop' outside a solid"));
                };
                if polygon.len() < 3 {
                    return Err(tokens.error(&format!("a facet has {} vertices; it needs 3", polygon.len())));
                }
                // Quads and larger loops (rare, but written by some tools) become fans.
                for k in 1..polygon.len() - 1 {
                    push_triangle(positions, normals, [polygon[0], polygon[k], polygon[k + 1]]);
                }
                polygon.clear();
            }
            Keyword::EndFacet => {}
            Keyword::Comment => tokens.skip_line(),
            Keyword::Other => {
                return Err(
                    tokens.error(&format!("unexpected '{}'", String::from_utf8_lossy(&token[..token.len().min(40)])))
                );
            }
        }
    }
    let mut warnings = Vec::new();
    if let Some(solid) = current.take() {
        // Common in hand-edited files; keep what was read rather than refusing the file.
        warnings.push("The file ends without 'endsolid'; the triangles read so far are shown.".to_string());
        meshes.push(solid.into_mesh());
    }
    meshes.retain(|m: &Mesh| m.primitives[0].triangle_count() > 0);
    if meshes.is_empty() {
        return Err(ImportError::NoGeometry);
    }
    let mut scene = Scene::from_meshes(SourceFormat::StlAscii, UpAxis::Z, meshes, vec![stl_material()]);
    scene.warnings = warnings;
    Ok(scene)
}

/// One `solid … endsolid` block being read.
struct Solid {
    name: String,
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
}

impl Solid {
    fn into_mesh(self) -> Mesh {
        let Solid { name, positions, normals } = self;
        let indices = (0..positions.len() as u32).collect();
        Mesh {
            name,
            primitives: vec![Primitive { positions, normals, uvs: None, colors: None, indices, material: Some(0) }],
        }
    }
}

/// STL has no materials: a neutral light grey, two-sided because STL winding is often wrong.
fn stl_material() -> Material {
    Material { name: "STL".into(), base_color_factor: [0.8, 0.8, 0.8, 1.0], double_sided: true, ..Material::default() }
}
