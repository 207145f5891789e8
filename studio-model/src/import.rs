//! Importers: bytes in, a validated [`Scene`](crate::model::Scene) out.
//!
//! Every file is treated as hostile. Importers check lengths before reading,
//! never reserve memory from a count in the file beyond what the file's length
//! allows, and [`sanity_check`](crate::import::sanity_check) validates the finished scene in one place
//! (indices in range, finite coordinates, an acyclic node graph).

/// Fast decimal parsing for text formats.
pub mod decimal;
pub mod gltf;
pub mod memory_estimate;
pub mod obj;
pub mod off;
pub mod ply;
pub mod sanity;
pub mod stl;
#[cfg(feature = "threemf")]
pub mod threemf;

use std::collections::HashMap;

use crate::model::Scene;

pub use sanity::sanity_check;

/// What can go wrong while importing. Messages are shown to the user as-is,
/// so each says what is wrong and, where there is one, what to do.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    /// The file has no bytes at all.
    #[error("The file is empty.")]
    Empty,
    #[error("'{name}' is not a model format this viewer reads (STL, GLB, glTF, OBJ, PLY, OFF or 3MF).")]
    /// The content matches none of the supported formats (and the name does not break the tie).
    UnknownFormat {
        /// The file name as given by the user.
        name: String,
    },
    #[error("The file is truncated: {what} needs {needed_bytes} bytes but the file has {actual_bytes}.")]
    /// A structure in the file runs past its end (or past the buffer it lives in).
    Truncated {
        /// The structure that was cut off, e.g. "the 12-byte GLB header".
        what: String,
        /// Bytes the structure needs, counted from the start of the file or buffer.
        needed_bytes: u64,
        /// Bytes actually present.
        actual_bytes: u64,
    },
    #[error("The file is malformed: {0}")]
    /// The file breaks its format's rules; the text says where and how.
    Malformed(String),
    #[error("This model requires the glTF extension {name}, which this viewer does not support. {advice}")]
    /// A glTF file lists in `extensionsRequired` an extension this viewer cannot decode.
    UnsupportedExtension {
        /// The extension's name, e.g. `KHR_draco_mesh_compression`.
        name: String,
        /// What the user can do instead (e.g. how to re-export without it); may be empty.
        advice: String,
    },
    #[error(
        "The model refers to '{uri}', which was not provided. Select or drop the model together with its .bin and texture files (or the whole folder)."
    )]
    /// A `.gltf` refers to an external buffer file that was not among the [`Companions`].
    MissingResource {
        /// The relative URI as written in the file.
        uri: String,
    },
    #[error("{what} has a coordinate that is not a finite number (NaN or infinity).")]
    /// A position or node transform holds NaN or an infinity.
    NonFinite {
        /// The primitive or node that holds it, as a phrase starting a sentence.
        what: String,
    },
    #[error("{what} refers to vertex {index}, but there are only {vertex_count} vertices.")]
    /// A triangle refers to a vertex that does not exist.
    IndexOutOfRange {
        /// The primitive, face or line that holds the bad index, as a phrase starting a sentence.
        what: String,
        /// The offending vertex index (0-based).
        index: u64,
        /// How many vertices there are, so valid indices are below it.
        vertex_count: u64,
    },
    /// The file parsed but holds no triangles (only points, lines or nothing drawable).
    #[error("The file contains no triangles to show.")]
    NoGeometry,
    #[error(
        "{format} files cannot be opened in the browser yet. Convert it with the command-line tool (model-studio convert model.3mf model.glb) and open the result."
    )]
    /// The format is recognised but its importer was left out of this build (the browser build has no 3MF).
    NotInThisBuild {
        /// The format's short name, e.g. "3MF".
        format: &'static str,
    },
}

/// Companion files selected or dropped together with the main file
/// (external glTF buffers and images), keyed by file name.
#[derive(Default)]
pub struct Companions {
    files: HashMap<String, Vec<u8>>,
}

impl Companions {
    /// No companion files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every other file in `path`'s folder, each under its name: what a `.gltf`
    /// or `.obj` beside them may refer to, as a folder drop hands them over in
    /// the browser. Subfolders are not entered.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn beside(path: &std::path::Path) -> std::io::Result<Companions> {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let mut companions = Companions::new();
        for entry in std::fs::read_dir(folder)?.flatten() {
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && entry.path() != path {
                companions.insert(&entry.file_name().to_string_lossy(), std::fs::read(entry.path())?);
            }
        }
        Ok(companions)
    }

    /// Adds a file under its name or relative path (leading `./` dropped, `\` read as `/`, `%XX` decoded).
    pub fn insert(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.insert(normalize_name(name), bytes);
    }

    /// The size of all companion files together.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    /// Looks a relative URI up by its path, falling back to its last segment so
    /// that a folder drop and a flat multi-select both resolve `textures/a.png`.
    pub fn get(&self, uri: &str) -> Option<&[u8]> {
        let name = normalize_name(uri);
        if let Some(bytes) = self.files.get(&name) {
            return Some(bytes);
        }
        let base = name.rsplit('/').next().unwrap_or(&name);
        self.files.iter().find(|(k, _)| k.rsplit('/').next() == Some(base)).map(|(_, v)| v.as_slice())
    }
}

fn normalize_name(name: &str) -> String {
    let name = name.trim_start_matches("./").replace('\\', "/");
    percent_decode(&name)
}

/// Decodes `%20`-style escapes in relative URIs; invalid escapes are kept verbatim.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The formats recognised from a file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// Starts with the `glTF` magic.
    Glb,
    /// Starts with `{` (after whitespace or a UTF-8 byte-order mark): a `.gltf` JSON document.
    GltfJson,
    /// Binary STL: its declared triangle count matches the file length, or a `.stl` name breaks the tie.
    StlBinary,
    /// Text starting `solid` with STL keywords.
    StlAscii,
    /// Text whose first keyword is an OBJ one (`v`, `f`, `o`, `usemtl`, …).
    Obj,
    /// Starts with the `ply` magic line; ASCII or binary is told from its header.
    Ply,
    /// Starts with an `OFF` header keyword (`OFF`, `COFF`, `NOFF`, …).
    Off,
    /// A ZIP archive (`PK\x03\x04`), read as a 3MF package.
    ThreeMf,
}

/// Whether text starts like an OBJ file: its first keyword is one of OBJ's.
fn looks_like_obj(bytes: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let keyword = start
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())
        .and_then(|l| l.split_whitespace().next());
    matches!(keyword, Some("v" | "vn" | "vt" | "f" | "o" | "g" | "mtllib" | "usemtl" | "s"))
}

/// Detects the format from content, using the name only to break ties.
/// Content wins over the extension because files are often misnamed.
pub fn detect(name: &str, bytes: &[u8]) -> Option<Detected> {
    if bytes.starts_with(b"glTF") {
        return Some(Detected::Glb);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Detected::ThreeMf);
    }
    let first_non_space = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let starts_json = first_non_space.is_some_and(|i| bytes[i] == b'{') || bytes.starts_with(&[0xEF, 0xBB, 0xBF, b'{']);
    if starts_json {
        return Some(Detected::GltfJson);
    }
    if stl::is_binary_stl(bytes) {
        return Some(Detected::StlBinary);
    }
    if stl::looks_like_ascii_stl(bytes) {
        return Some(Detected::StlAscii);
    }
    if bytes.starts_with(b"ply\n") || bytes.starts_with(b"ply\r\n") {
        return Some(Detected::Ply);
    }
    if off::looks_like_off(bytes) {
        return Some(Detected::Off);
    }
    if looks_like_obj(bytes) {
        return Some(Detected::Obj);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".stl") && bytes.len() >= 84 {
        // Binary STL with a wrong count is reported precisely by the STL importer.
        return Some(Detected::StlBinary);
    }
    None
}

/// Reports how far a parse has got, as a fraction from 0 to 1. Importers call
/// it every few thousand elements; [`Progress::report`] drops updates of less
/// than one percent so that a JavaScript callback behind it stays cheap.
pub struct Progress<'a> {
    callback: &'a mut dyn FnMut(f32),
    last_reported: f32,
}

impl<'a> Progress<'a> {
    /// Reports to `callback`, which receives fractions from 0 to 1.
    pub fn new(callback: &'a mut dyn FnMut(f32)) -> Self {
        Progress { callback, last_reported: 0.0 }
    }

    /// Passes `fraction` (clamped to 0..=1) on when it is at least one percent past the last one passed on.
    pub fn report(&mut self, fraction: f32) {
        let fraction = fraction.clamp(0.0, 1.0);
        if fraction - self.last_reported >= 0.01 {
            self.last_reported = fraction;
            (self.callback)(fraction);
        }
    }
}

/// Imports one model file. `companions` supplies external resources of a `.gltf`.
pub fn import(name: &str, bytes: &[u8], companions: &Companions) -> Result<Scene, ImportError> {
    import_with_progress(name, bytes, companions, &mut Progress::new(&mut |_| {}))
}

/// [`import`], reporting parse progress.
pub fn import_with_progress(
    name: &str,
    bytes: &[u8],
    companions: &Companions,
    progress: &mut Progress<'_>,
) -> Result<Scene, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut scene = match detect(name, bytes) {
        Some(Detected::Glb) | Some(Detected::GltfJson) => gltf::import(bytes, companions, progress)?,
        Some(Detected::StlBinary) => stl::import_binary(bytes, progress)?,
        Some(Detected::StlAscii) => stl::import_ascii(bytes, progress)?,
        Some(Detected::Obj) => obj::import(bytes, companions, progress)?,
        Some(Detected::Ply) => ply::import(bytes, progress)?,
        Some(Detected::Off) => off::import(bytes, progress)?,
        #[cfg(feature = "threemf")]
        Some(Detected::ThreeMf) => threemf::import(bytes, progress)?,
        #[cfg(not(feature = "threemf"))]
        Some(Detected::ThreeMf) => return Err(ImportError::NotInThisBuild { format: "3MF" }),
        None => return Err(ImportError::UnknownFormat { name: name.to_string() }),
    };
    note_misleading_extension(name, &mut scene);
    sanity_check(&scene)?;
    Ok(scene)
}

fn note_misleading_extension(name: &str, scene: &mut Scene) {
    use crate::model::SourceFormat::*;
    let lower = name.to_ascii_lowercase();
    let expected: &[&str] = match scene.format {
        StlBinary | StlAscii => &[".stl"],
        Glb | Gltf => &[".glb", ".gltf"],
        Obj => &[".obj"],
        PlyAscii | PlyBinary => &[".ply"],
        Off => &[".off"],
        ThreeMf => &[".3mf"],
    };
    if !lower.is_empty() && !expected.iter().any(|e| lower.ends_with(e)) {
        scene.warnings.push(format!(
            "'{name}' does not have the usual extension; it was read as {} from its contents.",
            scene.format.label()
        ));
    }
}
