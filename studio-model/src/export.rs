//! Exporters: a [`Scene`](crate::model::Scene) out to STL, OBJ, PLY, OFF, GLB/glTF or 3MF, with a report of
//! what the target format could not carry.
//!
//! ```text
//! Scene ──flatten (node transforms baked, units scaled, up axis turned,
//!                  optionally merged and welded)──▶ FlatMesh list ──writer──▶ files
//! ```
//!
//! Flattening is shared by every writer, so all formats get the same geometry;
//! each writer only encodes it and says what it dropped.

pub mod blocks;
mod flatten;
mod glb;
mod hierarchy;
mod obj;
mod off;
mod ply;
mod stl;
#[cfg(feature = "threemf")]
mod threemf;

use std::io::Write;

use serde::{Deserialize, Serialize};

pub use flatten::{FlatMesh, flatten};

use crate::model::{Scene, UpAxis};

/// Formats we write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetFormat {
    /// Binary STL: one face normal per triangle, no colour, no unit.
    StlBinary,
    /// ASCII STL: the same content as binary STL as text, several times larger.
    StlAscii,
    /// Wavefront OBJ with an MTL material library beside it.
    Obj,
    /// Little-endian binary PLY.
    PlyBinary,
    /// ASCII PLY.
    PlyAscii,
    /// Object File Format (OFF): positions and faces only.
    Off,
    /// Binary glTF 2.0: one `.glb` file, in metres.
    Glb,
    /// `.gltf` + `.bin`.
    GltfSeparate,
    /// `.gltf` with the buffer as a base64 data URI: one file, a third larger.
    GltfEmbedded,
    /// 3MF package, in millimetres.
    ThreeMf,
}

impl TargetFormat {
    /// From its serialised name, as conversion options name it (`stl-binary`, `glb`, …).
    pub fn from_id(id: &str) -> Option<TargetFormat> {
        serde_json::from_value(id.into()).ok()
    }

    /// From a file name's extension (`.ply` and `.stl` choose binary).
    pub fn from_name(name: &str) -> Option<TargetFormat> {
        let extension = name.rsplit('.').next()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "stl" => TargetFormat::StlBinary,
            "obj" => TargetFormat::Obj,
            "ply" => TargetFormat::PlyBinary,
            "off" => TargetFormat::Off,
            "glb" => TargetFormat::Glb,
            "gltf" => TargetFormat::GltfSeparate,
            "3mf" => TargetFormat::ThreeMf,
            _ => return None,
        })
    }

    /// The file extension written, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TargetFormat::StlBinary | TargetFormat::StlAscii => "stl",
            TargetFormat::Obj => "obj",
            TargetFormat::PlyBinary | TargetFormat::PlyAscii => "ply",
            TargetFormat::Off => "off",
            TargetFormat::Glb => "glb",
            TargetFormat::GltfSeparate | TargetFormat::GltfEmbedded => "gltf",
            TargetFormat::ThreeMf => "3mf",
        }
    }

    /// glTF's unit is the metre; the others carry no unit.
    pub fn has_metres(self) -> bool {
        self.is_gltf()
    }

    /// Whether the writer stores per-vertex normals (STL stores one per face,
    /// computed from the corners; OFF and 3MF store none).
    pub fn writes_vertex_normals(self) -> bool {
        !matches!(self, TargetFormat::StlBinary | TargetFormat::StlAscii | TargetFormat::Off | TargetFormat::ThreeMf)
    }

    /// Whether the writer hands its output to the sink a block at a time
    /// (binary STL, GLB) rather than building the whole file in memory first.
    pub fn writes_in_blocks(self) -> bool {
        matches!(self, TargetFormat::StlBinary | TargetFormat::Glb)
    }

    /// Whether this is one of the glTF targets (GLB or either `.gltf` layout).
    pub fn is_gltf(self) -> bool {
        matches!(self, TargetFormat::Glb | TargetFormat::GltfSeparate | TargetFormat::GltfEmbedded)
    }

    /// The unit the format fixes (glTF: metres; our 3MF: millimetres), `None`
    /// for the unitless formats.
    pub fn fixed_unit(self) -> Option<LengthUnit> {
        match self {
            TargetFormat::Glb | TargetFormat::GltfSeparate | TargetFormat::GltfEmbedded => Some(LengthUnit::M),
            TargetFormat::ThreeMf => Some(LengthUnit::Mm),
            _ => None,
        }
    }

    /// Metres per output unit when the format fixes it (see [`TargetFormat::fixed_unit`]).
    pub fn fixed_unit_metres(self) -> Option<f64> {
        self.fixed_unit().map(LengthUnit::metres)
    }
}

pub use crate::model::LengthUnit;

/// How to convert: target format, units, up axis and which parts, merged or welded.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The format to write.
    pub format: TargetFormat,
    /// The unit of files without one (STL, OBJ, PLY, OFF), on whichever side of the
    /// conversion they are; glTF is always metres. Default: millimetres.
    pub unitless_unit: LengthUnit,
    /// The up axis of the output; `None` keeps the source's.
    pub up: Option<UpAxis>,
    /// One mesh instead of one per part.
    pub merge: bool,
    /// Join vertices with identical position, normal, colour and UV.
    pub weld: bool,
    /// Which parts ([`Scene::mesh_instances`], numbered from 0) to write;
    /// `None` writes them all.
    pub parts: Option<Vec<usize>>,
    /// glTF targets only, and not with `merge`: write the node tree with its
    /// transforms (meshes once each, in their own coordinates) instead of baking
    /// the transforms into the positions.
    pub keep_hierarchy: bool,
}

impl ExportOptions {
    /// Options for `format` with the defaults: millimetres, source up axis, every part, no merge, no weld, hierarchy baked.
    pub fn new(format: TargetFormat) -> ExportOptions {
        ExportOptions {
            format,
            unitless_unit: LengthUnit::Mm,
            up: None,
            merge: false,
            weld: false,
            parts: None,
            keep_hierarchy: false,
        }
    }

    /// Whether the conversion reads the model's vertex normals: to write them,
    /// or to weld (which compares them). A model handed over without its
    /// normals (`model_transfer`) can only be converted when it does not.
    pub fn reads_vertex_normals(&self) -> bool {
        self.format.writes_vertex_normals() || self.weld
    }
}

/// What the user is told before the download.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConversionReport {
    /// Triangles drawn by the source scene (instances counted each time).
    pub triangles_in: usize,
    /// Triangles written (instances counted each time when the hierarchy is kept).
    pub triangles_out: usize,
    /// What the target cannot carry and was left out, one sentence each.
    pub dropped: Vec<String>,
    /// Units, axis and other changes applied, one sentence each.
    pub applied: Vec<String>,
}

/// One output file.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputFile {
    /// File name, the source's stem plus this file's extension.
    pub name: String,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// What can stop a conversion; messages are shown to the user as-is.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExportError {
    /// More triangles (the count) than the target format (named) can hold, e.g. binary STL's 32-bit count.
    #[error("The model has {0} triangles, more than {1} can hold.")]
    TooLarge(usize, &'static str),
    /// Nothing left to write: no triangles in the selected parts.
    #[error("There is nothing to export: the model has no triangles.")]
    Empty,
    /// The target format (named) is recognised but its writer was left out of this build.
    #[error("{0} cannot be written by this build.")]
    NotInThisBuild(&'static str),
    /// The sink failed to create or write a file; the text is the I/O error.
    #[error("The output could not be written: {0}")]
    Io(String),
}

/// Where exported files go: memory (the browser, tests) or a folder (the
/// command-line tool). Large outputs are written in blocks as they are made.
pub trait OutputSink {
    /// A new output file called `name`, about `size_hint` bytes long.
    fn create(&mut self, name: &str, size_hint: usize) -> std::io::Result<Box<dyn std::io::Write + '_>>;
}

/// Collects the output files in memory.
#[derive(Default)]
pub struct MemorySink {
    /// The files written so far, in the order they were created.
    pub files: Vec<OutputFile>,
}

impl OutputSink for MemorySink {
    fn create(&mut self, name: &str, size_hint: usize) -> std::io::Result<Box<dyn std::io::Write + '_>> {
        self.files.push(OutputFile { name: name.to_owned(), bytes: Vec::with_capacity(size_hint) });
        let file = self.files.last_mut().ok_or_else(|| std::io::Error::other("no file"))?;
        Ok(Box::new(&mut file.bytes))
    }
}

fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `model.glb` → `model`; the output takes the input's name with its own extension.
pub fn stem(name: &str) -> &str {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match file.rfind('.') {
        Some(dot) if dot > 0 => &file[..dot],
        _ => file,
    }
}

/// Converts `scene` (read from a file called `source_name`) for `options.format`.
/// Consumes the scene: its arrays become the output's, so that a conversion holds
/// about two copies of the model (the scene and the file), not three.
pub fn export(
    scene: Scene,
    source_name: &str,
    options: &ExportOptions,
) -> Result<(Vec<OutputFile>, ConversionReport), ExportError> {
    let mut sink = MemorySink::default();
    let report = export_to(scene, source_name, options, &mut sink, &mut |_| {})?;
    Ok((sink.files, report))
}

/// [`export`] into `sink` (the main file first, then its companions), telling
/// `progress` the fraction done (0 to 1) between its steps.
pub fn export_to(
    mut scene: Scene,
    source_name: &str,
    options: &ExportOptions,
    sink: &mut dyn OutputSink,
    progress: &mut dyn FnMut(f32),
) -> Result<ConversionReport, ExportError> {
    let mut report = ConversionReport { triangles_in: scene.scene_triangle_count(), ..Default::default() };
    if !scene.not_kept.is_empty() {
        report.dropped.push(format!(
            "{}: the converter keeps geometry, materials and textures only.",
            sentence_case(&scene.not_kept.join(", "))
        ));
    }
    let hierarchy_wanted = options.keep_hierarchy && options.format.is_gltf();
    if options.keep_hierarchy && !hierarchy_wanted {
        report.applied.push("The node hierarchy was baked: only glTF can carry it.".into());
    }
    let (meshes, hierarchy) = if hierarchy_wanted && !options.merge {
        let (meshes, tree) = hierarchy::keep_hierarchy(&mut scene, options, &mut report);
        (meshes, Some(tree))
    } else {
        (flatten(&mut scene, options, &mut report), None)
    };
    // Flattening (and welding) is about half the work, writing the other half.
    progress(0.5);
    let scene = &scene;
    let triangles = |range: std::ops::Range<usize>| meshes[range].iter().map(|m| m.indices.len() / 3).sum::<usize>();
    report.triangles_out = match &hierarchy {
        // Drawn triangles: a mesh placed by two nodes counts twice, as on the way in.
        Some(tree) => {
            tree.nodes.iter().filter_map(|n| n.mesh).map(|m| triangles(tree.mesh_primitives[m].clone())).sum()
        }
        None => triangles(0..meshes.len()),
    };
    if report.triangles_out == 0 {
        return Err(ExportError::Empty);
    }
    let stem = stem(source_name);
    let name = |extension: &str| format!("{stem}.{extension}");
    let files = match options.format {
        TargetFormat::StlBinary => {
            let size = 84 + report.triangles_out * 50;
            let mut out = sink.create(&name("stl"), size).map_err(|e| ExportError::Io(e.to_string()))?;
            stl::binary_to(&meshes, &mut *out, &mut report)?;
            out.flush().map_err(|e| ExportError::Io(e.to_string()))?;
            Vec::new()
        }
        TargetFormat::StlAscii => vec![OutputFile { name: name("stl"), bytes: stl::ascii(&meshes, stem, &mut report) }],
        TargetFormat::Obj => {
            let (obj, mtl) = obj::write(&meshes, scene, &name("mtl"), &mut report);
            vec![OutputFile { name: name("obj"), bytes: obj }, OutputFile { name: name("mtl"), bytes: mtl }]
        }
        TargetFormat::PlyBinary => {
            vec![OutputFile { name: name("ply"), bytes: ply::write(&meshes, true, &mut report) }]
        }
        TargetFormat::PlyAscii => {
            vec![OutputFile { name: name("ply"), bytes: ply::write(&meshes, false, &mut report) }]
        }
        TargetFormat::Off => vec![OutputFile { name: name("off"), bytes: off::write(&meshes, &mut report) }],
        TargetFormat::Glb => {
            let (file, to) = (name("glb"), &mut *sink);
            glb::glb_to(&meshes, hierarchy.as_ref(), scene, &mut report, move |total| to.create(&file, total))
                .map_err(|e| ExportError::Io(e.to_string()))?;
            Vec::new()
        }
        TargetFormat::GltfSeparate => {
            let bin_name = name("bin");
            let (json, bin) =
                glb::gltf(&meshes, hierarchy.as_ref(), scene, glb::BufferPlace::File(&bin_name), &mut report);
            let mut files = vec![OutputFile { name: name("gltf"), bytes: json }];
            files.extend(bin.map(|bytes| OutputFile { name: bin_name.clone(), bytes }));
            files
        }
        TargetFormat::GltfEmbedded => {
            let (json, _) = glb::gltf(&meshes, hierarchy.as_ref(), scene, glb::BufferPlace::DataUri, &mut report);
            vec![OutputFile { name: name("gltf"), bytes: json }]
        }
        #[cfg(feature = "threemf")]
        TargetFormat::ThreeMf => {
            vec![OutputFile { name: name("3mf"), bytes: threemf::write(&meshes, scene, &mut report) }]
        }
        #[cfg(not(feature = "threemf"))]
        TargetFormat::ThreeMf => return Err(ExportError::NotInThisBuild("3MF")),
    };
    for file in files {
        let mut out = sink.create(&file.name, file.bytes.len()).map_err(|e| ExportError::Io(e.to_string()))?;
        out.write_all(&file.bytes).map_err(|e| ExportError::Io(e.to_string()))?;
        out.flush().map_err(|e| ExportError::Io(e.to_string()))?;
    }
    progress(1.0);
    Ok(report)
}

/// The scene as a GLB in its own units and axes, with the node transforms baked:
/// how the tools build hands a model it can read (3MF) to a viewer build that
/// cannot. The viewer restores the real format and up axis on its side.
pub fn transfer_glb(mut scene: Scene) -> Vec<u8> {
    // Declared as glTF so that flattening scales nothing; the up axis is kept.
    scene.format = crate::model::SourceFormat::Glb;
    let options = ExportOptions::new(TargetFormat::Glb);
    let mut report = ConversionReport::default();
    let meshes = flatten(&mut scene, &options, &mut report);
    glb::glb(&meshes, None, &scene, &mut report)
}
