//! 3MF importer: the zip container, the model part (`3D/3dmodel.model`, or the
//! one the package relationships name), objects with meshes or components,
//! build items with their transforms, base materials and display colours, and
//! the model's unit (positions are converted to millimetres).
//!
//! The zip is hostile like any file: the model part is parsed as it inflates
//! (it is never held whole in memory), inflation stops with a message once it
//! passes `MAX_INFLATION_RATIO` times the package's size (a zip bomb stops
//! there, whatever sizes its directory claims), and nothing is reserved from a
//! declared size. Memory therefore stays proportional to the file's length.

use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

use glam::Mat4;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{ImportError, Progress};
use crate::model::{
    Material, Mesh, Node, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals, srgb_to_linear,
};

/// Largest model part we inflate: the same budget as a glTF's decoded data.
const MAX_MODEL_BYTES: u64 = 1 << 30;
/// How many times the package's size a model part may inflate to. Real packages
/// measured here inflate 2.3–8.6× (3MF Consortium samples, trimesh, our own
/// exporter); deflate itself can reach about 1,000×, which only a bomb does.
const MAX_INFLATION_RATIO: u64 = 64;
/// Packages smaller than this may inflate up to it, whatever their ratio.
const INFLATION_FLOOR_BYTES: u64 = 1 << 20;
/// Placements (build items and components, after expanding nested components)
/// any package may make: nesting multiplies, so a few bytes could otherwise ask
/// for millions of nodes (about 260 bytes each, and every consumer then walks
/// each placement's triangles). Larger packages get one more per 4 bytes.
const MIN_PLACEMENTS: usize = 10_000;
const MAX_PLACEMENTS: usize = 1_000_000;

fn placement_limit(package_len: usize) -> usize {
    (MIN_PLACEMENTS + package_len / 4).min(MAX_PLACEMENTS)
}
const DEFAULT_MODEL_PART: &str = "3D/3dmodel.model";

fn malformed(message: impl Into<String>) -> ImportError {
    ImportError::Malformed(format!("3MF: {}", message.into()))
}

/// Millimetres per model unit.
fn unit_mm(unit: &str) -> Option<f32> {
    Some(match unit {
        "micron" => 0.001,
        "millimeter" => 1.0,
        "centimeter" => 10.0,
        "inch" => 25.4,
        "foot" => 304.8,
        "meter" => 1000.0,
        _ => return None,
    })
}

/// A 3MF transform: 12 numbers, row vectors (`p' = p · M`), as a column-major matrix.
fn transform(text: &str) -> Result<Mat4, ImportError> {
    let values: Vec<f32> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| malformed(format!("the transform '{text}' is not 12 numbers")))?;
    let [m00, m01, m02, m10, m11, m12, m20, m21, m22, m30, m31, m32] = values[..] else {
        return Err(malformed(format!("the transform '{text}' is not 12 numbers")));
    };
    Ok(Mat4::from_cols_array(&[m00, m01, m02, 0.0, m10, m11, m12, 0.0, m20, m21, m22, 0.0, m30, m31, m32, 1.0]))
}

/// `#RRGGBB` or `#RRGGBBAA` as linear RGBA.
fn colour(text: &str) -> Option<[f32; 4]> {
    let hex = text.strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok().map(|b| f32::from(b) / 255.0);
    let alpha = if hex.len() == 8 { byte(6)? } else { 1.0 };
    Some([srgb_to_linear(byte(0)?), srgb_to_linear(byte(2)?), srgb_to_linear(byte(4)?), alpha])
}

/// Reads from a zip entry and fails once more than `limit_bytes` came out.
struct Capped<R> {
    inner: R,
    left_bytes: u64,
    name: String,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Ask for one byte past the cap so that reaching it exactly is still fine.
        let want = buf.len().min(usize::try_from(self.left_bytes.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left_bytes {
            return Err(std::io::Error::other(format!(
                "'{}' inflates to more than {MAX_INFLATION_RATIO} times the size of the package; \
                 it is refused as a possible zip bomb",
                self.name
            )));
        }
        self.left_bytes -= n as u64;
        Ok(n)
    }
}

/// How many bytes a part of a `package_len`-byte package may inflate to.
fn inflation_limit_bytes(package_len: usize) -> u64 {
    (package_len as u64).saturating_mul(MAX_INFLATION_RATIO).clamp(INFLATION_FLOOR_BYTES, MAX_MODEL_BYTES)
}

/// Opens a part for reading as it inflates, capped by [`inflation_limit_bytes`];
/// also returns the size its directory claims (used only for progress).
fn open_part<'a>(
    archive: &'a mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    package_len: usize,
) -> Result<(impl Read + 'a, u64), ImportError> {
    let name = name.trim_start_matches('/');
    let index = (0..archive.len())
        .find(|&i| archive.name_for_index(i).is_some_and(|n| n.as_ref().is_ok_and(|n| n.eq_ignore_ascii_case(name))))
        .ok_or_else(|| malformed(format!("the package has no part '{name}'")))?;
    let file = archive.by_index(index).map_err(|e| malformed(format!("cannot open '{name}': {e}")))?;
    let claimed_bytes = file.size();
    let left_bytes = inflation_limit_bytes(package_len);
    Ok((Capped { inner: file, left_bytes, name: name.to_owned() }, claimed_bytes))
}

fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    package_len: usize,
) -> Result<Vec<u8>, ImportError> {
    let (mut part, _) = open_part(archive, name, package_len)?;
    let mut out = Vec::new();
    part.read_to_end(&mut out).map_err(|e| malformed(format!("cannot inflate '{name}': {e}")))?;
    Ok(out)
}

/// The model part the package's relationships point to, else the usual name.
fn model_part_name(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, package_len: usize) -> String {
    let Ok(rels) = read_part(archive, "_rels/.rels", package_len) else { return DEFAULT_MODEL_PART.into() };
    let mut reader = Reader::from_reader(rels.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == "Relationship" => {
                let attrs = attributes(&e);
                if attrs.get("Type").is_some_and(|t| t.ends_with("/3dmodel"))
                    && let Some(target) = attrs.get("Target")
                {
                    return target.clone();
                }
            }
            Ok(Event::Eof) | Err(_) => return DEFAULT_MODEL_PART.into(),
            _ => {}
        }
        buf.clear();
    }
}

fn attributes(e: &BytesStart<'_>) -> HashMap<String, String> {
    e.attributes()
        .flatten()
        .map(|a| {
            let key = a.key.local_name().as_ref().to_owned();
            let value =
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_default();
            (key, value)
        })
        .collect()
}

fn number<T: std::str::FromStr>(attrs: &HashMap<String, String>, key: &str, what: &str) -> Result<T, ImportError> {
    let text = attrs.get(key).ok_or_else(|| malformed(format!("a {what} has no '{key}'")))?;
    text.parse().map_err(|_| malformed(format!("'{text}' in a {what}'s '{key}' is not a valid number")))
}

/// A material reference: (basematerials group id, index in the group).
type MaterialRef = (u32, u32);

#[derive(Default)]
struct Object {
    name: String,
    /// Default material.
    material: Option<MaterialRef>,
    positions: Vec<[f32; 3]>,
    /// Triangles with their material (or `None`: the object's default).
    triangles: Vec<([u32; 3], Option<MaterialRef>)>,
    components: Vec<(u32, Mat4)>,
}

/// Reads a 3MF package (Z up) with positions converted to millimetres from the model's unit; the caller validates the result with [`crate::import::sanity_check`].
pub fn import(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(format!("not a readable zip package: {e}")))?;
    let part = model_part_name(&mut archive, bytes.len());
    let (xml, claimed_bytes) = open_part(&mut archive, &part, bytes.len())?;
    progress.report(0.2);

    let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, xml));
    let mut buf = Vec::new();
    let mut unit = 1.0f32;
    let mut base_materials: HashMap<u32, Vec<(String, [f32; 4])>> = HashMap::new();
    let mut current_materials: Option<u32> = None;
    let mut objects: HashMap<u32, Object> = HashMap::new();
    let mut object_order = Vec::new();
    let mut current: Option<(u32, Object)> = None;
    let mut build: Vec<(u32, Mat4)> = Vec::new();
    let total = claimed_bytes.max(1);
    let mut events = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| malformed(format!("the model XML is broken: {e}")))?;
        events += 1;
        if events.is_multiple_of(65536) {
            progress.report(0.2 + 0.7 * (reader.buffer_position() as f64 / total as f64) as f32);
        }
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = attributes(&e);
                match e.local_name().as_ref() {
                    "model" => {
                        let name = attrs.get("unit").map_or("millimeter", String::as_str);
                        unit = unit_mm(name).ok_or_else(|| malformed(format!("unknown unit '{name}'")))?;
                    }
                    "basematerials" => {
                        let id = number(&attrs, "id", "basematerials")?;
                        base_materials.entry(id).or_default();
                        current_materials = Some(id);
                    }
                    "base" => {
                        if let Some(group) = current_materials.and_then(|id| base_materials.get_mut(&id)) {
                            let rgba =
                                attrs.get("displaycolor").and_then(|c| colour(c)).unwrap_or([0.8, 0.8, 0.8, 1.0]);
                            group.push((attrs.get("name").cloned().unwrap_or_default(), rgba));
                        }
                    }
                    "object" => {
                        let id = number(&attrs, "id", "object")?;
                        let material = match (attrs.get("pid"), attrs.get("pindex")) {
                            (Some(_), _) => Some((
                                number(&attrs, "pid", "object")?,
                                number(&attrs, "pindex", "object").unwrap_or(0),
                            )),
                            _ => None,
                        };
                        let name = attrs.get("name").cloned().unwrap_or_else(|| format!("object {id}"));
                        current = Some((id, Object { name, material, ..Object::default() }));
                    }
                    "vertex" => {
                        if let Some((_, object)) = &mut current {
                            let p = [
                                number(&attrs, "x", "vertex")?,
                                number(&attrs, "y", "vertex")?,
                                number(&attrs, "z", "vertex")?,
                            ];
                            object.positions.push(p);
                        }
                    }
                    "triangle" => {
                        if let Some((_, object)) = &mut current {
                            let v = [
                                number(&attrs, "v1", "triangle")?,
                                number(&attrs, "v2", "triangle")?,
                                number(&attrs, "v3", "triangle")?,
                            ];
                            let material = match attrs.get("pid") {
                                Some(_) => Some((
                                    number(&attrs, "pid", "triangle")?,
                                    number(&attrs, "p1", "triangle").unwrap_or(0),
                                )),
                                None => attrs
                                    .get("p1")
                                    .and_then(|p| p.parse().ok())
                                    .and_then(|p| object.material.map(|(g, _)| (g, p))),
                            };
                            object.triangles.push((v, material));
                        }
                    }
                    "component" => {
                        if let Some((_, object)) = &mut current {
                            let matrix = attrs.get("transform").map_or(Ok(Mat4::IDENTITY), |t| transform(t))?;
                            object.components.push((number(&attrs, "objectid", "component")?, matrix));
                        }
                    }
                    "item" => {
                        let matrix = attrs.get("transform").map_or(Ok(Mat4::IDENTITY), |t| transform(t))?;
                        build.push((number(&attrs, "objectid", "build item")?, matrix));
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "object" => {
                    if let Some((id, object)) = current.take() {
                        object_order.push(id);
                        objects.insert(id, object);
                    }
                }
                "basematerials" => current_materials = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    build_scene(objects, &object_order, base_materials, build, unit, placement_limit(bytes.len()))
}

/// Materials, one mesh per object with geometry (one primitive per material),
/// and a node tree: build items → components → objects, in millimetres.
fn build_scene(
    objects: HashMap<u32, Object>,
    order: &[u32],
    base_materials: HashMap<u32, Vec<(String, [f32; 4])>>,
    build: Vec<(u32, Mat4)>,
    unit_mm: f32,
    max_placements: usize,
) -> Result<Scene, ImportError> {
    let mut materials = Vec::new();
    let mut material_index: HashMap<(u32, u32), usize> = HashMap::new();
    let mut groups: Vec<_> = base_materials.into_iter().collect();
    groups.sort_by_key(|(id, _)| *id);
    for (group, bases) in groups {
        for (i, (name, rgba)) in bases.into_iter().enumerate() {
            material_index.insert((group, i as u32), materials.len());
            materials.push(Material {
                name,
                base_color_factor: rgba,
                metallic_factor: 0.0,
                roughness_factor: 0.8,
                ..Material::default()
            });
        }
    }

    let mut meshes = Vec::new();
    let mut mesh_of: HashMap<u32, usize> = HashMap::new();
    for id in order {
        let object = &objects[id];
        if object.triangles.is_empty() {
            continue;
        }
        let count = object.positions.len();
        let mut by_material: Vec<(Option<usize>, Vec<u32>)> = Vec::new();
        for (v, material) in &object.triangles {
            if let Some(&bad) = v.iter().find(|&&i| i as usize >= count) {
                return Err(ImportError::IndexOutOfRange {
                    what: format!("A triangle of 3MF object '{}'", object.name),
                    index: u64::from(bad),
                    vertex_count: count as u64,
                });
            }
            let material = material.or(object.material).and_then(|key| material_index.get(&key).copied());
            match by_material.iter_mut().find(|(m, _)| *m == material) {
                Some((_, indices)) => indices.extend_from_slice(v),
                None => by_material.push((material, v.to_vec())),
            }
        }
        let primitives = match by_material.len() {
            // One material: the primitive takes the object's vertex list as it is.
            1 => by_material
                .into_iter()
                .map(|(material, indices)| primitive(object.positions.clone(), indices, material))
                .collect(),
            // Several: each keeps only the vertices its triangles use, so that a file
            // with many materials cannot multiply the vertex list by their number.
            _ => by_material
                .into_iter()
                .map(|(material, mut indices)| primitive(compact(&object.positions, &mut indices), indices, material))
                .collect(),
        };
        mesh_of.insert(*id, meshes.len());
        meshes.push(Mesh { name: object.name.clone(), primitives });
    }

    // Nodes: one per placement. Components may nest; a cycle or a very deep tree is refused.
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots = Vec::new();
    let scale = Mat4::from_scale(glam::Vec3::splat(unit_mm));
    let mut stack: Vec<(u32, Mat4, Option<usize>, usize)> =
        build.iter().rev().map(|(id, m)| (*id, scale * *m, None, 0)).collect();
    while let Some((id, parent_from_node, parent, depth)) = stack.pop() {
        if depth > 64 || nodes.len() >= max_placements {
            return Err(malformed(format!(
                "components nest too deeply, refer to each other in a cycle, or place objects more than \
                 {max_placements} times (the most a package of this size may)"
            )));
        }
        let object = objects.get(&id).ok_or_else(|| {
            malformed(format!("a build item or component refers to object {id}, which does not exist"))
        })?;
        let index = nodes.len();
        nodes.push(Node {
            name: object.name.clone(),
            parent_from_node,
            mesh: mesh_of.get(&id).copied(),
            children: Vec::new(),
        });
        match parent {
            Some(p) => nodes[p].children.push(index),
            None => roots.push(index),
        }
        for (child, matrix) in object.components.iter().rev() {
            stack.push((*child, *matrix, Some(index), depth + 1));
        }
    }
    let mut scene = Scene::from_meshes(SourceFormat::ThreeMf, UpAxis::Z, meshes, materials);
    scene.nodes = nodes;
    scene.root_nodes = roots;
    Ok(scene)
}

fn primitive(positions: Vec<[f32; 3]>, indices: Vec<u32>, material: Option<usize>) -> Primitive {
    let normals = compute_vertex_normals(&positions, &indices);
    Primitive { positions, normals, indices, material, ..Primitive::default() }
}

/// The vertices that `indices` use, in first-use order, with `indices`
/// renumbered to them (all indices were checked to be in range).
fn compact(positions: &[[f32; 3]], indices: &mut [u32]) -> Vec<[f32; 3]> {
    let mut new_index = HashMap::new();
    let mut used = Vec::new();
    for index in indices.iter_mut() {
        *index = *new_index.entry(*index).or_insert_with(|| {
            used.push(positions[*index as usize]);
            (used.len() - 1) as u32
        });
    }
    used
}
