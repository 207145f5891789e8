//! Bounds-checked accessor reading: strided (interleaved) views, normalized
//! and plain integer components (so KHR_mesh_quantization works), and sparse
//! substitution, including sparse accessors without a base buffer view.
//!
//! Two rules keep hostile counts harmless:
//! * the last element of an accessor is checked to lie inside its buffer view
//!   *before* anything is allocated, so an allocation from `count` is bounded
//!   by the file's length;
//! * every decoded array is charged to a [`DECODE_BUDGET`], because one small
//!   accessor can be referenced by thousands of primitives, and an accessor
//!   with no buffer view (sparse, all zeros) is bounded by nothing else.

use std::cell::Cell;

use gltf::json;
use gltf::json::accessor::{ComponentType, Type};
use gltf::json::validation::Checked;

use super::buffers::Buffers;
use crate::import::ImportError;

/// Upper bound on all vertex, index and pixel data decoded from one file.
/// Generous for real models (a million-triangle scan is ~60 MB), small enough
/// that a hostile file fails with a message rather than exhausting memory.
pub const DECODE_BUDGET: u64 = 1 << 30;
/// Vertex and index data may also not exceed this many bytes per input byte
/// (plus [`GEOMETRY_FLOOR_BYTES`]): data read from buffers is bounded by their
/// length anyway, but several primitives may decode one accessor each, and a
/// sparse accessor over zeros has a count that nothing in the file bounds. Real
/// files decode to 1–6 bytes per byte (normals computed, strips unrolled).
const GEOMETRY_BYTES_PER_INPUT_BYTE: u64 = 32;
const GEOMETRY_FLOOR_BYTES: u64 = 16 << 20;

/// The decode budget for vertex and index data of a model read from `input_bytes` bytes.
pub fn geometry_budget_bytes(input_bytes: usize) -> u64 {
    (input_bytes as u64)
        .saturating_mul(GEOMETRY_BYTES_PER_INPUT_BYTE)
        .saturating_add(GEOMETRY_FLOOR_BYTES)
        .min(DECODE_BUDGET)
}

/// Reads accessors of one document, charging what it decodes to one budget.
pub struct Reader<'a> {
    pub root: &'a json::Root,
    pub buffers: &'a Buffers<'a>,
    /// Geometry still allowed ([`geometry_budget_bytes`]).
    budget_left: Cell<u64>,
    /// Texture pixels still allowed: each image is also bounded by its encoded size.
    pixel_budget_left: Cell<u64>,
}

fn charge(left: &Cell<u64>, bytes: u64, what: &str, allowance: &str) -> Result<(), ImportError> {
    let left_bytes = left.get();
    if bytes > left_bytes {
        return Err(ImportError::Malformed(format!(
            "{what} would need {} MiB of memory, more than this viewer allows {allowance}.",
            bytes.div_ceil(1 << 20),
        )));
    }
    left.set(left_bytes - bytes);
    Ok(())
}

/// How integer components become floats.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Integers {
    /// As the accessor says: normalized ones to [0, 1] / [-1, 1], others as plain numbers.
    AsDeclared,
    /// Always normalized (vertex colours, which the spec requires to be normalized).
    Normalized,
}

impl<'a> Reader<'a> {
    /// A reader for a model whose file (with its companions) is `input_bytes` long.
    pub fn new(root: &'a json::Root, buffers: &'a Buffers<'a>, input_bytes: usize) -> Self {
        Reader {
            root,
            buffers,
            budget_left: Cell::new(geometry_budget_bytes(input_bytes)),
            pixel_budget_left: Cell::new(DECODE_BUDGET),
        }
    }

    /// Charges `bytes` of decoded vertex or index data against the budget.
    pub fn spend(&self, bytes: u64, what: &str) -> Result<(), ImportError> {
        charge(&self.budget_left, bytes, what, "for the geometry of a file this size")
    }

    /// Charges `bytes` of decoded texture pixels against their budget.
    pub fn spend_pixels(&self, bytes: u64, what: &str) -> Result<(), ImportError> {
        charge(&self.pixel_budget_left, bytes, what, "for the textures of one model")
    }

    fn accessor(&self, index: usize, what: &str) -> Result<&'a json::Accessor, ImportError> {
        self.root
            .accessors
            .get(index)
            .ok_or_else(|| ImportError::Malformed(format!("{what} uses accessor {index}, which does not exist.")))
    }

    /// Number of components per element (1 for SCALAR, 3 for VEC3, ...).
    pub fn dimensions(&self, index: usize, what: &str) -> Result<usize, ImportError> {
        let accessor = self.accessor(index, what)?;
        match accessor.type_ {
            Checked::Valid(Type::Scalar) => Ok(1),
            Checked::Valid(Type::Vec2) => Ok(2),
            Checked::Valid(Type::Vec3) => Ok(3),
            Checked::Valid(Type::Vec4) => Ok(4),
            // Matrices are only used by skins and instancing, never read here.
            _ => Err(ImportError::Malformed(format!("{what} (accessor {index}) is not a SCALAR or vector accessor."))),
        }
    }

    /// Reads a float vector attribute with `N` components per element.
    pub fn floats<const N: usize>(
        &self,
        index: usize,
        what: &str,
        integers: Integers,
    ) -> Result<Vec<[f32; N]>, ImportError> {
        let accessor = self.accessor(index, what)?;
        let component = component_type(accessor, index, what)?;
        let normalized = accessor.normalized || integers == Integers::Normalized;
        let decode = float_decoder(component, normalized);
        self.read::<f32, N>(accessor, index, what, component, decode)
    }

    /// Reads a SCALAR unsigned-integer accessor, as used for vertex indices.
    pub fn indices(&self, index: usize, what: &str) -> Result<Vec<u32>, ImportError> {
        let accessor = self.accessor(index, what)?;
        let component = component_type(accessor, index, what)?;
        let decode = index_decoder(component).ok_or_else(|| {
            ImportError::Malformed(format!(
                "{what} (accessor {index}) has component type {component:?}; indices must be unsigned 8, 16 or 32-bit integers."
            ))
        })?;
        let values = self.read::<u32, 1>(accessor, index, what, component, decode)?;
        // [u32; 1] and u32 have the same layout, but copying keeps this free of unsafe.
        Ok(values.into_iter().map(|[v]| v).collect())
    }

    fn read<T: Word, const N: usize>(
        &self,
        accessor: &json::Accessor,
        index: usize,
        what: &str,
        component: ComponentType,
        decode: fn(&[u8]) -> T,
    ) -> Result<Vec<[T; N]>, ImportError> {
        let dimensions = self.dimensions(index, what)?;
        if dimensions != N {
            return Err(ImportError::Malformed(format!(
                "{what} (accessor {index}) has {dimensions} components per element; {N} were expected."
            )));
        }
        let what = format!("{what} (accessor {index})");
        let component_size = component.size();
        let element_size = component_size * N;
        let count = accessor.count.0;
        let output_bytes = count.saturating_mul(std::mem::size_of::<[T; N]>() as u64);

        let mut out = match accessor.buffer_view {
            Some(view_index) => {
                let view = self.buffers.view(view_index.value())?;
                let stride = view.stride.unwrap_or(element_size);
                if stride < element_size {
                    return Err(ImportError::Malformed(format!(
                        "{what}: buffer view {} has a byteStride of {stride}, smaller than the {element_size}-byte elements.",
                        view_index.value()
                    )));
                }
                let offset = accessor.byte_offset.map_or(0, |o| o.0);
                check_fits(&what, offset, stride, count, element_size, view.bytes.len())?;
                // Bounded now: count * stride fits inside the view.
                self.spend(output_bytes, &what)?;
                let data = &view.bytes[offset as usize..];
                let layout = Layout { count: count as usize, stride, component_size };
                if component == T::NATIVE && stride == element_size && cfg!(target_endian = "little") {
                    // Tightly packed little-endian words are the output's bytes already.
                    copy_packed(data, layout.count)
                } else if component == T::NATIVE {
                    // The usual case (F32 floats, U32 indices) gets its own copy of
                    // the loop with the conversion inlined: about 3× faster than
                    // calling `decode` through its pointer for every component.
                    decode_elements(data, layout, T::from_le)
                } else {
                    decode_elements(data, layout, decode)
                }
            }
            None => {
                // Only valid with sparse values over an all-zero base; nothing in
                // the file bounds `count`, so the budget check is what limits it.
                self.spend(output_bytes, &what)?;
                vec![[T::default(); N]; count as usize]
            }
        };
        if let Some(sparse) = &accessor.sparse {
            self.apply_sparse(&mut out, sparse, &what, component_size, decode)?;
        }
        Ok(out)
    }

    /// Overwrites the elements a sparse accessor lists with its values.
    fn apply_sparse<T: Copy, const N: usize>(
        &self,
        out: &mut [[T; N]],
        sparse: &json::accessor::sparse::Sparse,
        what: &str,
        component_size: usize,
        decode: fn(&[u8]) -> T,
    ) -> Result<(), ImportError> {
        let count = sparse.count.0;
        if count > out.len() as u64 {
            return Err(ImportError::Malformed(format!(
                "{what}: its sparse section replaces {count} elements, but the accessor has only {}.",
                out.len()
            )));
        }
        let (index_size, index_decode) = match sparse.indices.component_type {
            Checked::Valid(json::accessor::IndexComponentType(c)) => (c.size(), index_decoder(c)),
            Checked::Invalid => (0, None),
        };
        let index_decode = index_decode
            .ok_or_else(|| ImportError::Malformed(format!("{what}: its sparse indices are not unsigned integers.")))?;

        let indices_view = self.buffers.view(sparse.indices.buffer_view.value())?;
        let indices_offset = sparse.indices.byte_offset.0;
        let indices_what = format!("{what}, sparse indices");
        check_fits(&indices_what, indices_offset, index_size, count, index_size, indices_view.bytes.len())?;

        let element_size = component_size * N;
        let values_view = self.buffers.view(sparse.values.buffer_view.value())?;
        let values_offset = sparse.values.byte_offset.0;
        let values_what = format!("{what}, sparse values");
        check_fits(&values_what, values_offset, element_size, count, element_size, values_view.bytes.len())?;

        // Both checked to fit their views, so the slicing below is in range.
        let indices = &indices_view.bytes[indices_offset as usize..];
        let values = &values_view.bytes[values_offset as usize..];
        for k in 0..count as usize {
            let target = index_decode(&indices[k * index_size..(k + 1) * index_size]) as usize;
            let Some(slot) = out.get_mut(target) else {
                return Err(ImportError::Malformed(format!(
                    "{what}: sparse index {target} is beyond the accessor's {} elements.",
                    out.len()
                )));
            };
            let value = &values[k * element_size..(k + 1) * element_size];
            *slot = std::array::from_fn(|c| decode(&value[c * component_size..(c + 1) * component_size]));
        }
        Ok(())
    }
}

/// The two element types accessors are read as; `NATIVE` is the component
/// type that holds one as its four little-endian bytes.
trait Word: Copy + Default + bytemuck::Pod {
    const NATIVE: ComponentType;
    fn from_le(bytes: &[u8]) -> Self;
}

impl Word for f32 {
    const NATIVE: ComponentType = ComponentType::F32;
    fn from_le(b: &[u8]) -> f32 {
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Word for u32 {
    const NATIVE: ComponentType = ComponentType::U32;
    fn from_le(b: &[u8]) -> u32 {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

/// Where an accessor's elements lie in its (already bounds-checked) data.
#[derive(Clone, Copy)]
struct Layout {
    count: usize,
    stride: usize,
    component_size: usize,
}

/// `count` tightly packed elements from the start of `data` (bounds already
/// checked), copied as bytes: one `memcpy` instead of a loop over components.
/// Only for words stored as this machine stores them (little-endian).
fn copy_packed<T: Word, const N: usize>(data: &[u8], count: usize) -> Vec<[T; N]> {
    let mut out = vec![[T::default(); N]; count];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(out.as_flattened_mut());
    let len = bytes.len();
    bytes.copy_from_slice(&data[..len]);
    out
}

fn decode_elements<T, const N: usize>(data: &[u8], layout: Layout, decode: impl Fn(&[u8]) -> T) -> Vec<[T; N]> {
    let Layout { count, stride, component_size } = layout;
    crate::chunked::collect(count, |i| {
        let element = &data[i * stride..i * stride + component_size * N];
        std::array::from_fn(|c| decode(&element[c * component_size..(c + 1) * component_size]))
    })
}

fn component_type(accessor: &json::Accessor, index: usize, what: &str) -> Result<ComponentType, ImportError> {
    match accessor.component_type {
        Checked::Valid(json::accessor::GenericComponentType(c)) => Ok(c),
        Checked::Invalid => {
            Err(ImportError::Malformed(format!("{what} (accessor {index}) has an invalid component type.")))
        }
    }
}

/// Checks that `count` elements of `element_size` bytes, `stride` apart and
/// starting at `offset`, lie within a view of `view_len` bytes — the last one
/// included — with overflow-proof arithmetic.
fn check_fits(
    what: &str,
    offset: u64,
    stride: usize,
    count: u64,
    element_size: usize,
    view_len: usize,
) -> Result<(), ImportError> {
    let needed = if count == 0 {
        Some(offset)
    } else {
        (count - 1)
            .checked_mul(stride as u64)
            .and_then(|span| span.checked_add(offset))
            .and_then(|start| start.checked_add(element_size as u64))
    };
    match needed {
        Some(needed) if needed <= view_len as u64 => Ok(()),
        _ => Err(ImportError::Malformed(format!(
            "{what} declares {count} elements, which need {} bytes of its buffer view, but the view has only {view_len}.",
            needed.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string())
        ))),
    }
}

fn index_decoder(component: ComponentType) -> Option<fn(&[u8]) -> u32> {
    match component {
        ComponentType::U8 => Some(|b| u32::from(b[0])),
        ComponentType::U16 => Some(|b| u32::from(u16::from_le_bytes([b[0], b[1]]))),
        ComponentType::U32 => Some(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => None,
    }
}

/// Picks the per-component conversion once per accessor rather than per value.
/// Normalized integers follow the glTF 2.0 dequantization formulas.
fn float_decoder(component: ComponentType, normalized: bool) -> fn(&[u8]) -> f32 {
    match (component, normalized) {
        (ComponentType::F32, _) => |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        (ComponentType::U8, true) => |b| f32::from(b[0]) / 255.0,
        (ComponentType::U8, false) => |b| f32::from(b[0]),
        (ComponentType::I8, true) => |b| (f32::from(b[0] as i8) / 127.0).max(-1.0),
        (ComponentType::I8, false) => |b| f32::from(b[0] as i8),
        (ComponentType::U16, true) => |b| f32::from(u16::from_le_bytes([b[0], b[1]])) / 65535.0,
        (ComponentType::U16, false) => |b| f32::from(u16::from_le_bytes([b[0], b[1]])),
        (ComponentType::I16, true) => |b| (f32::from(i16::from_le_bytes([b[0], b[1]])) / 32767.0).max(-1.0),
        (ComponentType::I16, false) => |b| f32::from(i16::from_le_bytes([b[0], b[1]])),
        // Not allowed for float attributes by the spec; read as well as it can be.
        (ComponentType::U32, true) => |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / u32::MAX as f32,
        (ComponentType::U32, false) => |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_checks_the_last_element_not_the_stride() {
        // 3 interleaved 12-byte elements, 24 apart: the last needs 48 + 12 bytes.
        assert!(check_fits("x", 0, 24, 3, 12, 60).is_ok());
        assert!(check_fits("x", 0, 24, 3, 12, 59).is_err());
        assert!(check_fits("x", 4, 24, 3, 12, 63).is_err());
        assert!(check_fits("x", 0, 12, 0, 12, 0).is_ok());
    }

    #[test]
    fn huge_counts_do_not_overflow() {
        assert!(check_fits("x", u64::MAX, 252, u64::MAX, 16, 100).is_err());
        assert!(check_fits("x", 0, 252, 1_000_000_000, 12, 1000).is_err());
    }

    #[test]
    fn dequantizes_per_spec() {
        let i8n = float_decoder(ComponentType::I8, true);
        assert_eq!(i8n(&[0x81]), -1.0); // -127
        assert_eq!(i8n(&[0x80]), -1.0); // -128 clamps
        assert_eq!(i8n(&[127]), 1.0);
        let u16n = float_decoder(ComponentType::U16, true);
        assert_eq!(u16n(&[0xff, 0xff]), 1.0);
        let i16 = float_decoder(ComponentType::I16, false);
        assert_eq!(i16(&[0xfe, 0xff]), -2.0);
    }
}
