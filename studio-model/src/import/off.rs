//! OFF (Object File Format) importer: `OFF` (or `COFF`/`NOFF`/`CNOFF`), the
//! vertex/face/edge counts, vertex lines, then face lines `n i1 … in [colour]`.
//! Polygons are triangulated as fans. `#` starts a comment anywhere on a line.

use super::{ImportError, Progress};
use crate::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals};

/// Lines without comments or blanks.
fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty())
}

fn number<T: std::str::FromStr>(token: Option<&str>, what: &str) -> Result<T, ImportError> {
    let token = token.ok_or_else(|| ImportError::Malformed(format!("the OFF file ends inside {what}.")))?;
    token.parse().map_err(|_| ImportError::Malformed(format!("'{token}' in {what} is not a valid number.")))
}

/// Whether the bytes start like an OFF file.
pub fn looks_like_off(bytes: &[u8]) -> bool {
    let start = &bytes[..bytes.len().min(64)];
    let text = String::from_utf8_lossy(start);
    let first = text.split_whitespace().next().unwrap_or("");
    matches!(first, "OFF" | "COFF" | "NOFF" | "CNOFF" | "STOFF" | "STCOFF")
}

/// Reads a text OFF file (Y up, unitless) into a one-mesh scene; the caller validates the result with [`crate::import::sanity_check`].
pub fn import(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::Malformed("the OFF file is not text (binary OFF is not supported).".into()))?;
    let mut lines = content_lines(text);
    let keyword = lines.next().unwrap_or("");
    // The counts may follow the keyword on the same line.
    let mut header: Vec<&str> = keyword.split_whitespace().collect();
    if !header.first().is_some_and(|k| k.ends_with("OFF")) {
        return Err(ImportError::Malformed("an OFF file starts with the keyword OFF.".into()));
    }
    header.remove(0);
    if header.is_empty() {
        header = lines.next().unwrap_or("").split_whitespace().collect();
    }
    let mut counts = header.into_iter();
    let vertex_count: usize = number(counts.next(), "the vertex count")?;
    let face_count: usize = number(counts.next(), "the face count")?;
    // Each vertex needs at least "0 0 0\n" and each face "3 0 0 0\n": counts beyond what
    // the file can hold are refused before anything is reserved.
    if vertex_count.saturating_mul(6) > bytes.len() || face_count.saturating_mul(8) > bytes.len() {
        return Err(ImportError::Truncated {
            what: format!("{vertex_count} vertices and {face_count} faces"),
            // Saturating: the counts are the file's, up to u64::MAX.
            needed_bytes: (vertex_count as u64).saturating_mul(6).saturating_add((face_count as u64).saturating_mul(8)),
            actual_bytes: bytes.len() as u64,
        });
    }

    let mut positions = Vec::with_capacity(vertex_count);
    for v in 0..vertex_count {
        let mut tokens = lines.next().unwrap_or("").split_whitespace();
        let what = format!("vertex {v}");
        positions.push([number(tokens.next(), &what)?, number(tokens.next(), &what)?, number(tokens.next(), &what)?]);
    }
    let mut indices = Vec::with_capacity(face_count * 3);
    for f in 0..face_count {
        let mut tokens = lines.next().unwrap_or("").split_whitespace();
        let what = format!("face {f}");
        let corners: usize = number(tokens.next(), &what)?;
        if corners > vertex_count.max(3) {
            return Err(ImportError::Malformed(format!("{what} claims {corners} corners.")));
        }
        let mut polygon = Vec::with_capacity(corners);
        for _ in 0..corners {
            let index: u64 = number(tokens.next(), &what)?;
            if index >= vertex_count as u64 {
                return Err(ImportError::IndexOutOfRange { what, index, vertex_count: vertex_count as u64 });
            }
            polygon.push(index as u32);
        }
        for k in 1..polygon.len().saturating_sub(1) {
            indices.extend([polygon[0], polygon[k], polygon[k + 1]]);
        }
        if f.is_multiple_of(4096) {
            progress.report(f as f32 / face_count.max(1) as f32);
        }
    }
    let normals = compute_vertex_normals(&positions, &indices);
    let primitive = Primitive { positions, normals, indices, ..Primitive::default() };
    let mesh = Mesh { name: String::new(), primitives: vec![primitive] };
    Ok(Scene::from_meshes(SourceFormat::Off, UpAxis::Y, vec![mesh], Vec::new()))
}
