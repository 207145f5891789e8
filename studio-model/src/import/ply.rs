//! PLY importer: ASCII, binary little-endian and binary big-endian.
//!
//! The header declares elements (`vertex`, `face`, and any others, which are
//! skipped) and their properties. We read vertex `x y z`, optional `nx ny nz`
//! and `red green blue [alpha]` (bytes or floats), and the face list
//! `vertex_indices` (or `vertex_index`); polygons become triangle fans.
//! Element counts are checked against the bytes left before anything is
//! reserved: a record is never smaller than its fixed-size properties.

use super::{ImportError, Progress};
use crate::model::{Mesh, Primitive, Scene, SourceFormat, UpAxis, compute_vertex_normals, srgb_to_linear};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

impl Scalar {
    fn parse(name: &str) -> Option<Scalar> {
        Some(match name {
            "char" | "int8" => Scalar::I8,
            "uchar" | "uint8" => Scalar::U8,
            "short" | "int16" => Scalar::I16,
            "ushort" | "uint16" => Scalar::U16,
            "int" | "int32" => Scalar::I32,
            "uint" | "uint32" => Scalar::U32,
            "float" | "float32" => Scalar::F32,
            "double" | "float64" => Scalar::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::F64 => 8,
        }
    }
}

#[derive(Clone, Debug)]
struct Property {
    name: String,
    /// `Some(count type)` for a list property.
    list: Option<Scalar>,
    scalar: Scalar,
}

#[derive(Clone, Debug)]
struct Element {
    name: String,
    count: usize,
    properties: Vec<Property>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Ascii,
    Little,
    Big,
}

fn malformed(message: impl Into<String>) -> ImportError {
    ImportError::Malformed(message.into())
}

/// Parses the header; returns the encoding, the elements and where the data starts.
fn header(bytes: &[u8]) -> Result<(Encoding, Vec<Element>, usize), ImportError> {
    let end = bytes
        .windows(10)
        .position(|w| w == b"end_header")
        .ok_or_else(|| malformed("the PLY header has no end_header line."))?;
    let data_start = bytes[end..].iter().position(|&b| b == b'\n').map(|p| end + p + 1).unwrap_or(bytes.len());
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| malformed("the PLY header is not text."))?;
    let mut encoding = None;
    let mut elements: Vec<Element> = Vec::new();
    for line in text.lines().map(str::trim) {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        match tokens.as_slice() {
            ["ply"] | [] => {}
            ["comment", ..] | ["obj_info", ..] => {}
            ["format", format, _version] => {
                encoding = Some(match *format {
                    "ascii" => Encoding::Ascii,
                    "binary_little_endian" => Encoding::Little,
                    "binary_big_endian" => Encoding::Big,
                    other => return Err(malformed(format!("unknown PLY format '{other}'."))),
                })
            }
            ["element", name, count] => {
                let count = count.parse().map_err(|_| malformed(format!("element {name} has count '{count}'.")))?;
                elements.push(Element { name: (*name).to_string(), count, properties: Vec::new() });
            }
            ["property", "list", count, item, name] => {
                let element = elements.last_mut().ok_or_else(|| malformed("a property comes before any element."))?;
                let (Some(count), Some(item)) = (Scalar::parse(count), Scalar::parse(item)) else {
                    return Err(malformed(format!("property {name} has an unknown type.")));
                };
                element.properties.push(Property { name: (*name).to_string(), list: Some(count), scalar: item });
            }
            ["property", kind, name] => {
                let element = elements.last_mut().ok_or_else(|| malformed("a property comes before any element."))?;
                let scalar = Scalar::parse(kind)
                    .ok_or_else(|| malformed(format!("property {name} has unknown type '{kind}'.")))?;
                element.properties.push(Property { name: (*name).to_string(), list: None, scalar });
            }
            _ => return Err(malformed(format!("unexpected PLY header line '{line}'."))),
        }
    }
    let encoding = encoding.ok_or_else(|| malformed("the PLY header has no format line."))?;
    Ok((encoding, elements, data_start))
}

/// Reads values one at a time from the data, in whichever encoding.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    encoding: Encoding,
    tokens: std::str::SplitAsciiWhitespace<'a>,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], encoding: Encoding) -> Result<Reader<'a>, ImportError> {
        let text = if encoding == Encoding::Ascii {
            std::str::from_utf8(data).map_err(|_| malformed("the ASCII PLY data is not text."))?
        } else {
            ""
        };
        Ok(Reader { data, at: 0, encoding, tokens: text.split_ascii_whitespace() })
    }

    fn value(&mut self, scalar: Scalar) -> Result<f64, ImportError> {
        if self.encoding == Encoding::Ascii {
            let token = self.tokens.next().ok_or_else(|| malformed("the PLY data ends early."))?;
            return token.parse().map_err(|_| malformed(format!("'{token}' in the PLY data is not a number.")));
        }
        let size = scalar.size();
        let raw = self.data.get(self.at..self.at + size).ok_or_else(|| ImportError::Truncated {
            what: "the PLY data".into(),
            needed_bytes: (self.at + size) as u64,
            actual_bytes: self.data.len() as u64,
        })?;
        self.at += size;
        let mut buf = [0u8; 8];
        buf[..size].copy_from_slice(raw);
        if self.encoding == Encoding::Big {
            buf[..size].reverse();
        }
        Ok(match scalar {
            Scalar::I8 => f64::from(buf[0] as i8),
            Scalar::U8 => f64::from(buf[0]),
            Scalar::I16 => f64::from(i16::from_le_bytes([buf[0], buf[1]])),
            Scalar::U16 => f64::from(u16::from_le_bytes([buf[0], buf[1]])),
            Scalar::I32 => f64::from(i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]])),
            Scalar::U32 => f64::from(u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]])),
            Scalar::F32 => f64::from(f32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]])),
            Scalar::F64 => f64::from_le_bytes(buf),
        })
    }
}

/// Smallest number of bytes one record of `element` can take in the data.
fn min_record_bytes(element: &Element, encoding: Encoding) -> usize {
    match encoding {
        // A value and a separator at least.
        Encoding::Ascii => 2 * element.properties.len().max(1),
        _ => element.properties.iter().map(|p| p.list.map_or(p.scalar.size(), Scalar::size)).sum::<usize>().max(1),
    }
}

fn colour(value: f64, scalar: Scalar) -> f32 {
    match scalar {
        Scalar::F32 | Scalar::F64 => value as f32,
        _ => (value / 255.0) as f32,
    }
}

/// Reads an ASCII or binary PLY file (Y up, unitless) into a one-mesh scene; the caller validates the result with [`crate::import::sanity_check`].
pub fn import(bytes: &[u8], progress: &mut Progress<'_>) -> Result<Scene, ImportError> {
    let (encoding, elements, data_start) = header(bytes)?;
    let data = &bytes[data_start..];
    // Every element's count must fit in the data, whatever it is.
    let needed: usize =
        elements.iter().map(|e| e.count.saturating_mul(min_record_bytes(e, encoding))).fold(0, usize::saturating_add);
    if needed > data.len() {
        return Err(ImportError::Truncated {
            what: "the element counts in the PLY header".into(),
            needed_bytes: needed as u64,
            actual_bytes: data.len() as u64,
        });
    }
    let mut reader = Reader::new(data, encoding)?;
    let mut positions: Vec<[f32; 3]> = Vec::new();
    let mut file_normals: Vec<[f32; 3]> = Vec::new();
    let mut colors: Vec<[f32; 4]> = Vec::new();
    let mut indices: Vec<u32> = Vec::new();
    let total: usize = elements.iter().map(|e| e.count).sum::<usize>().max(1);
    let mut done = 0usize;
    for element in &elements {
        let find = |name: &str| element.properties.iter().position(|p| p.name == name && p.list.is_none());
        let xyz = [find("x"), find("y"), find("z")];
        let normal = [find("nx"), find("ny"), find("nz")];
        let rgba = [find("red"), find("green"), find("blue"), find("alpha")];
        let is_vertex = element.name == "vertex";
        let is_face = element.name == "face";
        if is_vertex {
            if xyz.iter().any(Option::is_none) {
                return Err(malformed("the PLY vertices have no x, y and z."));
            }
            positions.reserve(element.count);
        }
        let has_normals = is_vertex && normal.iter().all(Option::is_some);
        let has_colors = is_vertex && rgba[..3].iter().all(Option::is_some);
        let mut values = vec![0.0f64; element.properties.len()];
        for _ in 0..element.count {
            for (p, property) in element.properties.iter().enumerate() {
                match property.list {
                    None => values[p] = reader.value(property.scalar)?,
                    Some(count_type) => {
                        let count = reader.value(count_type)?;
                        if !(0.0..=1e6).contains(&count) || count.fract() != 0.0 {
                            return Err(malformed(format!("a PLY {} has a list of {count} items.", element.name)));
                        }
                        let mut polygon = Vec::with_capacity(count as usize);
                        for _ in 0..count as usize {
                            polygon.push(reader.value(property.scalar)?);
                        }
                        if is_face && (property.name == "vertex_indices" || property.name == "vertex_index") {
                            for k in 1..polygon.len().saturating_sub(1) {
                                for corner in [polygon[0], polygon[k], polygon[k + 1]] {
                                    if corner < 0.0 || corner.fract() != 0.0 || corner > f64::from(u32::MAX) {
                                        return Err(malformed(format!("a PLY face refers to vertex {corner}.")));
                                    }
                                    indices.push(corner as u32);
                                }
                            }
                        }
                    }
                }
            }
            if is_vertex {
                positions.push(xyz.map(|i| values[i.unwrap_or(0)] as f32));
                if has_normals {
                    file_normals.push(normal.map(|i| values[i.unwrap_or(0)] as f32));
                }
                if has_colors {
                    let channel = |k: usize| {
                        rgba[k].map_or(1.0, |i| colour(values[i], element.properties[i].scalar).clamp(0.0, 1.0))
                    };
                    // PLY colours are display (sRGB) values; ours are linear. Alpha is not encoded.
                    let [r, g, b] = [channel(0), channel(1), channel(2)].map(srgb_to_linear);
                    colors.push([r, g, b, channel(3)]);
                }
            }
            done += 1;
            if done.is_multiple_of(4096) {
                progress.report(done as f32 / total as f32);
            }
        }
    }
    if let Some(&index) = indices.iter().find(|&&i| i as usize >= positions.len()) {
        return Err(ImportError::IndexOutOfRange {
            what: "A PLY face".into(),
            index: u64::from(index),
            vertex_count: positions.len() as u64,
        });
    }
    let normals = if file_normals.len() == positions.len() && !positions.is_empty() {
        file_normals
    } else {
        compute_vertex_normals(&positions, &indices)
    };
    let colors = (colors.len() == positions.len() && !colors.is_empty()).then_some(colors);
    let format = if encoding == Encoding::Ascii { SourceFormat::PlyAscii } else { SourceFormat::PlyBinary };
    let primitive = Primitive { positions, normals, colors, indices, ..Primitive::default() };
    let mesh = Mesh { name: String::new(), primitives: vec![primitive] };
    Ok(Scene::from_meshes(format, UpAxis::Y, vec![mesh], Vec::new()))
}
