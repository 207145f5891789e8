//! ASCII STL: `solid … facet normal … outer loop … vertex x y z … endloop …
//! endfacet … endsolid`, several `solid` blocks becoming several meshes.
//!
//! The text is read in chunks of [`CHUNK_BYTES`], one call each (see
//! [`AsciiReader::read_until`] for why that matters in the browser), by a
//! tokenizer that never allocates and a decimal parser of its own
//! ([`super::super::decimal`]).

use super::{push_triangle, stl_material};
use crate::chunked;
use crate::import::{ImportError, Progress};
use crate::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis};

/// Text read per call of [`AsciiReader::read_until`]: about 420 facets.
const CHUNK_BYTES: usize = 64 * 1024;

/// Splits ASCII text into whitespace-separated tokens without allocating.
/// Any byte up to and including the space counts as white space: one compare
/// per byte, which matters at hundreds of megabytes.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    #[inline(always)]
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
        let (value, end) = crate::import::decimal::parse_prefix(bytes, self.at)?;
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
        if let Some((value, end)) = crate::import::decimal::parse_prefix(bytes, self.at)
            && bytes.get(end).is_none_or(|&b| b <= b' ')
        {
            self.at = end;
            return Ok(value);
        }
        let token = self.next().ok_or_else(|| self.error("the file ends in the middle of a vertex"))?;
        crate::import::decimal::parse_f32(token)
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
    #[inline(always)]
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

/// Reads an ASCII STL file (Z up, unitless), one mesh per `solid` block; the caller validates the result with [`crate::import::sanity_check`].
pub fn import_ascii(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let mut reader =
        AsciiReader { tokens: Tokens { bytes, at: 0 }, meshes: Vec::new(), current: None, polygon: Vec::new() };
    loop {
        progress.report(reader.tokens.at as f32 / bytes.len() as f32);
        let until = reader.tokens.at.saturating_add(CHUNK_BYTES);
        if !reader.read_until(until)? {
            break;
        }
    }
    let AsciiReader { mut meshes, current, .. } = reader;
    let mut warnings = Vec::new();
    if let Some(solid) = current {
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

/// Where the reading stands between two chunks.
struct AsciiReader<'a> {
    tokens: Tokens<'a>,
    /// Solids read to their `endsolid`.
    meshes: Vec<Mesh>,
    /// The solid being read.
    current: Option<Solid>,
    /// The corners of a loop read line by line (off the fast path).
    polygon: Vec<[f32; 3]>,
}

impl AsciiReader<'_> {
    /// Reads lines until the position passes `until` (finishing the line it is
    /// on) or the text ends; false at the end.
    ///
    /// One call per chunk rather than one call for the whole file, because of
    /// how browsers run wasm: V8 starts every function in quickly compiled
    /// baseline code and swaps in optimised code only for calls that begin
    /// after it is ready, so a single call that reads 150 MB runs start to end
    /// in the slow code. Measured in Node 20 on a million-facet file: the first
    /// import took ~470 ms in one call, ~280 ms in chunks; later imports ~200 ms
    /// either way. Never inlined, or the chunks would be one call again.
    #[inline(never)]
    fn read_until(&mut self, until: usize) -> Result<bool, ImportError> {
        let tokens = &mut self.tokens;
        while tokens.at < until {
            let Some(token) = tokens.next() else { return Ok(false) };
            match Keyword::of(token) {
                Keyword::Solid => {
                    if self.current.is_some() {
                        return Err(tokens.error("'solid' inside another solid (missing 'endsolid')"));
                    }
                    let name = String::from_utf8_lossy(tokens.rest_of_line()).trim().to_string();
                    // Typical exporters spend 120+ bytes of text per facet: reserving for that
                    // many (a bound the file's length sets, not a count in the file) saves
                    // growing and copying the arrays, which in wasm also means growing memory.
                    let capacity = if self.meshes.is_empty() { (tokens.bytes.len() - tokens.at) / 120 * 3 } else { 0 };
                    self.current = Some(Solid {
                        name,
                        positions: Vec::with_capacity(capacity),
                        normals: Vec::with_capacity(capacity),
                    });
                }
                Keyword::EndSolid => {
                    tokens.skip_line();
                    let solid = self.current.take().ok_or_else(|| tokens.error("'endsolid' without 'solid'"))?;
                    self.meshes.push(solid.into_mesh());
                }
                Keyword::Facet => {
                    if self.current.is_none() {
                        return Err(tokens.error("'facet' outside a solid"));
                    }
                    // "normal nx ny nz": ignored, see the module comment of `stl`.
                    tokens.skip_line();
                }
                Keyword::Outer => {
                    tokens.skip_line();
                    self.polygon.clear();
                    if let Some(tri) = tokens.triangle() {
                        let Some(Solid { positions, normals, .. }) = self.current.as_mut() else {
                            return Err(tokens.error("'outer loop' outside a solid"));
                        };
                        push_triangle(positions, normals, tri);
                    }
                }
                Keyword::Vertex => {
                    let v = [tokens.float()?, tokens.float()?, tokens.float()?];
                    self.polygon.push(v);
                }
                Keyword::EndLoop => {
                    let Some(Solid { positions, normals, .. }) = self.current.as_mut() else {
                        return Err(tokens.error("'endloop' outside a solid"));
                    };
                    let polygon = &mut self.polygon;
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
                    return Err(tokens
                        .error(&format!("unexpected '{}'", String::from_utf8_lossy(&token[..token.len().min(40)]))));
                }
            }
        }
        Ok(true)
    }
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
        let indices = chunked::collect(positions.len(), |i| i as u32);
        Mesh {
            name,
            primitives: vec![Primitive { positions, normals, uvs: None, colors: None, indices, material: Some(0) }],
        }
    }
}
