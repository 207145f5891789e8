//! glTF mesh primitives → the model's indexed triangle lists.
//!
//! Strips and fans are unrolled into lists and unindexed primitives get
//! `0..n` indices, so consumers only ever see one shape of data. Point and
//! line primitives have no surface to shade and are skipped (with a note).

use glam::Vec3;
use gltf::json;
use gltf::json::mesh::{Mode, Semantic};
use gltf::json::validation::Checked;

use super::accessor::{Integers, Reader};
use crate::chunked;
use crate::import::ImportError;
use crate::model::{Mesh, Primitive, compute_vertex_normals};

/// Things worth telling the user, counted over the whole file so a model with
/// hundreds of line primitives gets one warning, not hundreds.
#[derive(Default)]
pub struct Notes {
    non_triangle: usize,
    no_position: usize,
    partial_triangle: usize,
    repaired_normals: usize,
    missing_uv_set: usize,
}

impl Notes {
    pub fn into_warnings(self) -> Vec<String> {
        let mut out = Vec::new();
        if self.non_triangle > 0 {
            out.push(format!(
                "{} point or line primitive(s) were skipped; only triangles are shown.",
                self.non_triangle
            ));
        }
        if self.no_position > 0 {
            out.push(format!("{} primitive(s) without vertex positions were skipped.", self.no_position));
        }
        if self.partial_triangle > 0 {
            out.push(format!(
                "{} triangle list(s) had an index count that is not a multiple of 3; the incomplete last triangle was dropped.",
                self.partial_triangle
            ));
        }
        if self.repaired_normals > 0 {
            out.push(format!(
                "{} primitive(s) had zero-length or invalid normals; those were recomputed from the geometry.",
                self.repaired_normals
            ));
        }
        if self.missing_uv_set > 0 {
            out.push(format!(
                "{} primitive(s) lack the texture coordinate set their material asks for; TEXCOORD_0 was used.",
                self.missing_uv_set
            ));
        }
        out
    }
}

pub fn convert(reader: &Reader, mesh_index: usize, mesh: &json::Mesh, notes: &mut Notes) -> Result<Mesh, ImportError> {
    let name = mesh.name.clone().unwrap_or_default();
    let mut primitives = Vec::with_capacity(mesh.primitives.len());
    for (p, primitive) in mesh.primitives.iter().enumerate() {
        let what = format!("Mesh {mesh_index} ('{name}'), primitive {p}");
        if let Some(converted) = convert_primitive(reader, &what, primitive, notes)? {
            primitives.push(converted);
        }
    }
    Ok(Mesh { name, primitives })
}

fn convert_primitive(
    reader: &Reader,
    what: &str,
    primitive: &json::mesh::Primitive,
    notes: &mut Notes,
) -> Result<Option<Primitive>, ImportError> {
    let mode = match primitive.mode {
        Checked::Valid(mode @ (Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan)) => mode,
        Checked::Valid(_) => {
            notes.non_triangle += 1;
            return Ok(None);
        }
        Checked::Invalid => {
            return Err(ImportError::Malformed(format!("{what} has an invalid mode.")));
        }
    };
    let attribute = |semantic: Semantic| primitive.attributes.get(&Checked::Valid(semantic)).map(|i| i.value());
    let Some(position_accessor) = attribute(Semantic::Positions) else {
        notes.no_position += 1;
        return Ok(None);
    };

    let positions = reader.floats::<3>(position_accessor, &format!("{what}, POSITION"), Integers::AsDeclared)?;
    let vertex_count = positions.len();
    if u32::try_from(vertex_count).is_err() {
        return Err(ImportError::Malformed(format!("{what} has more vertices than 32-bit indices can address.")));
    }

    let raw_indices = match primitive.indices {
        Some(accessor) => reader.indices(accessor.value(), &format!("{what}, indices"))?,
        None => {
            reader.spend(vertex_count as u64 * 4, what)?;
            (0..vertex_count as u32).collect()
        }
    };
    // Checked before unrolling, so the reported index is the one in the file.
    // The maximum first: a loop without an early exit vectorises, and the
    // search for the culprit runs only for a broken file.
    let largest = chunked::fold(&raw_indices, 0, |c| c.iter().copied().max().unwrap_or(0), u32::max) as usize;
    if largest >= vertex_count
        && let Some(&bad) = raw_indices.iter().find(|&&i| i as usize >= vertex_count)
    {
        return Err(ImportError::IndexOutOfRange {
            what: what.to_string(),
            index: u64::from(bad),
            vertex_count: vertex_count as u64,
        });
    }
    let indices = triangle_list(reader, what, mode, raw_indices, notes)?;

    let normals = match attribute(Semantic::Normals) {
        Some(accessor) => {
            let normals = reader.floats::<3>(accessor, &format!("{what}, NORMAL"), Integers::AsDeclared)?;
            let mut normals = same_count(normals, vertex_count, what, "NORMAL")?;
            if repair_normals(&mut normals, &positions, &indices) {
                notes.repaired_normals += 1;
            }
            normals
        }
        None => compute_vertex_normals(&positions, &indices),
    };

    let uvs = match uv_accessor(reader, primitive, &attribute, notes) {
        Some((set, accessor)) => {
            let uvs = reader.floats::<2>(accessor, &format!("{what}, TEXCOORD_{set}"), Integers::AsDeclared)?;
            Some(same_count(uvs, vertex_count, what, "TEXCOORD")?)
        }
        None => None,
    };

    let colors = match attribute(Semantic::Colors(0)) {
        Some(accessor) => Some(same_count(read_colors(reader, accessor, what)?, vertex_count, what, "COLOR_0")?),
        None => None,
    };

    Ok(Some(Primitive { positions, normals, uvs, colors, indices, material: primitive.material.map(|m| m.value()) }))
}

/// The UV set the primitive's base-colour texture samples: its `texCoord`
/// when the primitive has that set, otherwise TEXCOORD_0.
fn uv_accessor(
    reader: &Reader,
    primitive: &json::mesh::Primitive,
    attribute: &dyn Fn(Semantic) -> Option<usize>,
    notes: &mut Notes,
) -> Option<(u32, usize)> {
    let wanted = primitive
        .material
        .and_then(|m| reader.root.materials.get(m.value()))
        .and_then(|m| m.pbr_metallic_roughness.base_color_texture.as_ref())
        .map_or(0, |info| info.tex_coord);
    if let Some(accessor) = attribute(Semantic::TexCoords(wanted)) {
        return Some((wanted, accessor));
    }
    let fallback = attribute(Semantic::TexCoords(0))?;
    notes.missing_uv_set += 1;
    Some((0, fallback))
}

/// COLOR_0 as linear RGBA: glTF vertex colours are linear already; RGB gets alpha 1.
fn read_colors(reader: &Reader, accessor: usize, what: &str) -> Result<Vec<[f32; 4]>, ImportError> {
    let what = format!("{what}, COLOR_0");
    match reader.dimensions(accessor, &what)? {
        3 => Ok(reader
            .floats::<3>(accessor, &what, Integers::Normalized)?
            .into_iter()
            .map(|[r, g, b]| [r, g, b, 1.0])
            .collect()),
        4 => reader.floats::<4>(accessor, &what, Integers::Normalized),
        n => Err(ImportError::Malformed(format!("{what} has {n} components; vertex colours need 3 or 4."))),
    }
}

fn same_count<T>(values: Vec<T>, vertex_count: usize, what: &str, name: &str) -> Result<Vec<T>, ImportError> {
    if values.len() == vertex_count {
        Ok(values)
    } else {
        Err(ImportError::Malformed(format!(
            "{what} has {} {name} values but {vertex_count} vertex positions.",
            values.len()
        )))
    }
}

/// Unrolls strips and fans with the spec's vertex order, which keeps the
/// winding of every triangle the same as the first.
fn triangle_list(
    reader: &Reader,
    what: &str,
    mode: Mode,
    mut indices: Vec<u32>,
    notes: &mut Notes,
) -> Result<Vec<u32>, ImportError> {
    let triangles = indices.len().saturating_sub(2);
    match mode {
        Mode::TriangleStrip => {
            reader.spend(triangles as u64 * 12, what)?;
            let mut out = Vec::with_capacity(triangles * 3);
            for i in 0..triangles {
                let [a, b, c] = if i % 2 == 0 { [i, i + 1, i + 2] } else { [i, i + 2, i + 1] };
                out.extend_from_slice(&[indices[a], indices[b], indices[c]]);
            }
            Ok(out)
        }
        Mode::TriangleFan => {
            reader.spend(triangles as u64 * 12, what)?;
            let mut out = Vec::with_capacity(triangles * 3);
            for i in 0..triangles {
                out.extend_from_slice(&[indices[i + 1], indices[i + 2], indices[0]]);
            }
            Ok(out)
        }
        _ => {
            let whole = indices.len() - indices.len() % 3;
            if whole != indices.len() {
                notes.partial_triangle += 1;
                indices.truncate(whole);
            }
            Ok(indices)
        }
    }
}

/// Normalizes stored normals (quantized ones are only approximately unit
/// length) and replaces zero or non-finite ones with computed normals.
/// Returns whether any had to be replaced.
fn repair_normals(normals: &mut [[f32; 3]], positions: &[[f32; 3]], indices: &[u32]) -> bool {
    let mut bad = Vec::new();
    chunked::for_each_chunk(normals.len(), |chunk| {
        for i in chunk {
            match Vec3::from(normals[i]).try_normalize() {
                Some(unit) => normals[i] = unit.to_array(),
                None => bad.push(i),
            }
        }
    });
    if bad.is_empty() {
        return false;
    }
    let computed = compute_vertex_normals(positions, indices);
    for i in bad {
        normals[i] = computed[i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Companions;
    use crate::import::gltf::buffers::Buffers;

    fn with_reader(f: impl FnOnce(&Reader)) {
        let root: json::Root = serde_json::from_str(r#"{"asset":{"version":"2.0"}}"#).unwrap_or_else(|e| panic!("{e}"));
        let companions = Companions::new();
        let buffers = Buffers::new(&root, false, None, &companions);
        f(&Reader::new(&root, &buffers, 0));
    }

    #[test]
    fn strips_keep_winding() {
        with_reader(|reader| {
            let mut notes = Notes::default();
            let list = triangle_list(reader, "t", Mode::TriangleStrip, vec![0, 1, 2, 3, 4], &mut notes)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(list, vec![0, 1, 2, 1, 3, 2, 2, 3, 4]);
        });
    }

    #[test]
    fn fans_share_the_first_vertex() {
        with_reader(|reader| {
            let mut notes = Notes::default();
            let list = triangle_list(reader, "t", Mode::TriangleFan, vec![0, 1, 2, 3], &mut notes)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(list, vec![1, 2, 0, 2, 3, 0]);
        });
    }

    #[test]
    fn short_strips_and_partial_lists() {
        with_reader(|reader| {
            let mut notes = Notes::default();
            let strip = triangle_list(reader, "t", Mode::TriangleStrip, vec![0, 1], &mut notes);
            assert_eq!(strip.ok(), Some(vec![]));
            let list = triangle_list(reader, "t", Mode::Triangles, vec![0, 1, 2, 0, 1], &mut notes);
            assert_eq!(list.ok(), Some(vec![0, 1, 2]));
            assert_eq!(notes.partial_triangle, 1);
        });
    }

    #[test]
    fn zero_normals_are_recomputed() {
        let positions = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let mut normals = [[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [f32::NAN, 0.0, 0.0]];
        assert!(repair_normals(&mut normals, &positions, &[0, 1, 2]));
        assert_eq!(normals, [[0.0, 0.0, 1.0]; 3]);
    }
}
