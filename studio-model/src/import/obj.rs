//! Wavefront OBJ importer, with its MTL material library when the user selected
//! it together with the model.
//!
//! Reads `v` (with optional `r g b` vertex colours), `vt`, `vn`, and faces `f`
//! in all four corner forms (`v`, `v/vt`, `v//vn`, `v/vt/vn`) with 1-based or
//! negative (relative) indices; n-gons become triangle fans. `o` and `g` start a
//! new part (a mesh), `usemtl` a new primitive. Lines, points, curves and
//! smoothing groups are ignored. MTL: `Kd`, `d`/`Tr`, `map_Kd`.

use std::collections::HashMap;

use super::{Companions, ImportError, Progress};
use crate::model::{Material, Mesh, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals, srgb_to_linear};

fn malformed(line: usize, message: impl std::fmt::Display) -> ImportError {
    ImportError::Malformed(format!("line {line}: {message}"))
}

fn floats<const N: usize>(tokens: &mut std::str::SplitWhitespace<'_>, line: usize) -> Result<[f32; N], ImportError> {
    let mut out = [0.0; N];
    for value in &mut out {
        let token = tokens.next().ok_or_else(|| malformed(line, format!("expected {N} numbers")))?;
        *value = token.parse().map_err(|_| malformed(line, format!("'{token}' is not a number")))?;
    }
    Ok(out)
}

/// An OBJ index (1-based, or negative counting back from the last one read) as 0-based.
fn resolve(token: &str, count: usize, line: usize, what: &str) -> Result<u32, ImportError> {
    let index: i64 = token.parse().map_err(|_| malformed(line, format!("'{token}' is not a {what} index")))?;
    let resolved = if index < 0 { count as i64 + index } else { index - 1 };
    if index == 0 || resolved < 0 || resolved >= count as i64 {
        return Err(ImportError::IndexOutOfRange {
            what: format!("Line {line} ({what})"),
            index: index.unsigned_abs(),
            vertex_count: count as u64,
        });
    }
    Ok(resolved as u32)
}

/// A primitive being built: vertices are unique (position, uv, normal) triples.
#[derive(Default)]
struct Builder {
    primitive: Primitive,
    corners: HashMap<(u32, Option<u32>, Option<u32>), u32>,
    has_normals: bool,
}

struct Part {
    name: String,
    primitives: Vec<(Option<usize>, Builder)>,
}

#[derive(Default)]
struct Library {
    materials: Vec<Material>,
    by_name: HashMap<String, usize>,
    /// Texture file names (from `map_Kd`) per material; not decoded here.
    textures: Vec<Option<String>>,
}

fn parse_mtl(text: &str, library: &mut Library) {
    let mut current: Option<usize> = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut tokens = line.split_whitespace();
        let Some(keyword) = tokens.next() else { continue };
        match keyword {
            "newmtl" => {
                let name = tokens.collect::<Vec<_>>().join(" ");
                library.materials.push(Material { name: name.clone(), ..Material::default() });
                library.textures.push(None);
                current = Some(library.materials.len() - 1);
                library.by_name.insert(name, library.materials.len() - 1);
            }
            "Kd" | "d" | "Tr" | "map_Kd" => {
                let Some(m) = current else { continue };
                let values: Vec<f32> = line.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
                let material = &mut library.materials[m];
                match (keyword, values.as_slice()) {
                    // MTL colours are display (sRGB) values; materials are linear.
                    ("Kd", [r, g, b, ..]) => {
                        material.base_color_factor[..3].copy_from_slice(&[*r, *g, *b].map(srgb_to_linear))
                    }
                    ("d", [d, ..]) => material.base_color_factor[3] = d.clamp(0.0, 1.0),
                    ("Tr", [t, ..]) => material.base_color_factor[3] = (1.0 - t).clamp(0.0, 1.0),
                    ("map_Kd", _) => library.textures[m] = line.split_whitespace().last().map(str::to_owned),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Reads an OBJ file (Y up, unitless), taking its MTL library and textures from `companions`; the caller validates the result with [`crate::import::sanity_check`].
pub fn import(bytes: &[u8], companions: &Companions, progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let text = String::from_utf8_lossy(bytes);
    let mut positions: Vec<[f32; 3]> = Vec::new();
    let mut colors: Vec<[f32; 3]> = Vec::new();
    let mut uvs: Vec<[f32; 2]> = Vec::new();
    let mut normals: Vec<[f32; 3]> = Vec::new();
    let mut library = Library::default();
    let mut warnings = Vec::new();
    let mut parts = vec![Part { name: String::new(), primitives: Vec::new() }];
    let mut material: Option<usize> = None;
    let total = bytes.len().max(1);
    let mut read = 0usize;

    for (number, raw) in text.lines().enumerate() {
        let line_no = number + 1;
        read += raw.len() + 1;
        if line_no.is_multiple_of(8192) {
            progress.report(read as f32 / total as f32);
        }
        let line = raw.split('#').next().unwrap_or("");
        let mut tokens = line.split_whitespace();
        let Some(keyword) = tokens.next() else { continue };
        match keyword {
            "v" => {
                positions.push(floats::<3>(&mut tokens, line_no)?);
                // Optional vertex colour: three more numbers.
                if let Ok(rgb) = floats::<3>(&mut tokens, line_no) {
                    colors.resize(positions.len() - 1, [1.0; 3]);
                    colors.push(rgb.map(|c| srgb_to_linear(c.clamp(0.0, 1.0))));
                }
            }
            "vt" => {
                let [u, v] = floats::<2>(&mut tokens, line_no)?;
                // OBJ's V runs up the image; ours (glTF's) down.
                uvs.push([u, 1.0 - v]);
            }
            "vn" => normals.push(floats::<3>(&mut tokens, line_no)?),
            "o" | "g" => {
                let name = tokens.collect::<Vec<_>>().join(" ");
                let current = parts.last_mut().expect("there is always a part");
                if current.primitives.is_empty() {
                    current.name = name;
                } else {
                    parts.push(Part { name, primitives: Vec::new() });
                }
            }
            "usemtl" => {
                let name = tokens.collect::<Vec<_>>().join(" ");
                material = library.by_name.get(&name).copied();
                if material.is_none() && !library.materials.is_empty() {
                    warnings.push(format!("Material '{name}' is not in the material library."));
                }
            }
            "mtllib" => {
                for file in tokens {
                    match companions.get(file) {
                        Some(mtl) => parse_mtl(&String::from_utf8_lossy(mtl), &mut library),
                        None => warnings.push(format!(
                            "The material library '{file}' was not provided: select it together with the model to see its colours."
                        )),
                    }
                }
            }
            "f" => {
                let part = parts.last_mut().expect("there is always a part");
                let slot = match part.primitives.iter().position(|(m, _)| *m == material) {
                    Some(slot) => slot,
                    None => {
                        part.primitives.push((material, Builder::default()));
                        part.primitives.len() - 1
                    }
                };
                let builder = &mut part.primitives[slot].1;
                let mut polygon = Vec::new();
                for corner in tokens {
                    let mut fields = corner.split('/');
                    let v = resolve(fields.next().unwrap_or(""), positions.len(), line_no, "vertex")?;
                    let vt = match fields.next() {
                        Some(t) if !t.is_empty() => Some(resolve(t, uvs.len(), line_no, "texture coordinate")?),
                        _ => None,
                    };
                    let vn = match fields.next() {
                        Some(n) if !n.is_empty() => Some(resolve(n, normals.len(), line_no, "normal")?),
                        _ => None,
                    };
                    let next = builder.primitive.positions.len() as u32;
                    let id = *builder.corners.entry((v, vt, vn)).or_insert(next);
                    if id == next {
                        let p = &mut builder.primitive;
                        p.positions.push(positions[v as usize]);
                        p.normals.push(vn.map_or([0.0; 3], |n| normals[n as usize]));
                        builder.has_normals |= vn.is_some();
                        if !uvs.is_empty() {
                            p.uvs.get_or_insert_with(Vec::new).push(vt.map_or([0.0; 2], |t| uvs[t as usize]));
                        }
                        if !colors.is_empty() {
                            let rgb = colors.get(v as usize).copied().unwrap_or([1.0; 3]);
                            p.colors.get_or_insert_with(Vec::new).push([rgb[0], rgb[1], rgb[2], 1.0]);
                        }
                    }
                    polygon.push(id);
                }
                if polygon.len() < 3 {
                    return Err(malformed(line_no, "a face needs at least three corners"));
                }
                for k in 1..polygon.len() - 1 {
                    builder.primitive.indices.extend([polygon[0], polygon[k], polygon[k + 1]]);
                }
            }
            _ => {}
        }
    }

    let mut meshes = Vec::new();
    for part in parts {
        let mut primitives = Vec::new();
        for (material, builder) in part.primitives {
            let mut primitive = builder.primitive;
            // UV and colour arrays may have started after the first vertices: pad them.
            let count = primitive.positions.len();
            if let Some(uvs) = &mut primitive.uvs {
                uvs.resize(count, [0.0; 2]);
            }
            if let Some(colors) = &mut primitive.colors {
                colors.resize(count, [1.0; 4]);
            }
            if !builder.has_normals {
                primitive.normals = compute_vertex_normals(&primitive.positions, &primitive.indices);
            }
            primitive.material = material;
            if !primitive.indices.is_empty() {
                primitives.push(primitive);
            }
        }
        if !primitives.is_empty() {
            meshes.push(Mesh { name: part.name, primitives });
        }
    }
    if library.textures.iter().any(Option::is_some) {
        warnings.push("Textures of OBJ materials are not shown yet; their base colours are.".into());
    }
    let mut scene = Scene::from_meshes(SourceFormat::Obj, UpAxis::Y, meshes, library.materials);
    scene.warnings = warnings;
    Ok(scene)
}
