//! Buffers and buffer views: where accessor and image bytes come from.
//!
//! A buffer is the GLB BIN chunk, a base64 data URI, or a companion file.
//! Buffers are resolved on first use, so a `.gltf` whose animation data sits in
//! a `.bin` the user did not select still shows its geometry, and a broken
//! buffer only fails the import if something drawn needs it.

use std::borrow::Cow;
use std::cell::OnceCell;

use gltf::json;

use super::uri::decode_data_uri;
use crate::import::{Companions, ImportError};

/// Why a buffer has no data. Kept instead of an [`ImportError`] because the
/// error is produced again for each use.
#[derive(Clone)]
enum Unavailable {
    Missing { uri: String },
    BadDataUri { reason: String },
    NoGlbBin,
    NoUri,
}

pub struct Buffers<'a> {
    root: &'a json::Root,
    is_glb: bool,
    bin: Option<&'a [u8]>,
    companions: &'a Companions,
    resolved: Vec<OnceCell<Result<Cow<'a, [u8]>, Unavailable>>>,
}

/// The bytes of one buffer view, with the stride its accessors use (if any).
pub struct View<'a> {
    pub bytes: &'a [u8],
    pub stride: Option<usize>,
}

impl<'a> Buffers<'a> {
    /// `bin` is the GLB BIN chunk, if the file is a GLB and has one.
    pub fn new(root: &'a json::Root, is_glb: bool, bin: Option<&'a [u8]>, companions: &'a Companions) -> Self {
        let resolved = root.buffers.iter().map(|_| OnceCell::new()).collect();
        Buffers { root, is_glb, bin, companions, resolved }
    }

    fn resolve(&self, index: usize, buffer: &json::buffer::Buffer) -> Result<Cow<'a, [u8]>, Unavailable> {
        match &buffer.uri {
            // The spec reserves "first buffer, no uri" for the GLB BIN chunk.
            None if index == 0 && self.is_glb => match self.bin {
                Some(bin) => Ok(Cow::Borrowed(bin)),
                None => Err(Unavailable::NoGlbBin),
            },
            None => Err(Unavailable::NoUri),
            Some(uri) => match decode_data_uri(uri) {
                Some(Ok(bytes)) => Ok(Cow::Owned(bytes)),
                Some(Err(reason)) => Err(Unavailable::BadDataUri { reason }),
                None => match self.companions.get(uri) {
                    Some(bytes) => Ok(Cow::Borrowed(bytes)),
                    None => Err(Unavailable::Missing { uri: uri.clone() }),
                },
            },
        }
    }

    /// The data of buffer `index`, as long as the file provides (which may
    /// be shorter than its declared `byteLength`: views are checked against both).
    fn data(&self, index: usize) -> Result<&[u8], ImportError> {
        let (Some(buffer), Some(cell)) = (self.root.buffers.get(index), self.resolved.get(index)) else {
            return Err(ImportError::Malformed(format!("buffer {index} does not exist.")));
        };
        match cell.get_or_init(|| self.resolve(index, buffer)) {
            Ok(bytes) => Ok(bytes),
            Err(Unavailable::Missing { uri }) => Err(ImportError::MissingResource { uri: uri.clone() }),
            Err(Unavailable::BadDataUri { reason }) => {
                Err(ImportError::Malformed(format!("buffer {index} is embedded as a data URI, but {reason}.")))
            }
            Err(Unavailable::NoGlbBin) => {
                Err(ImportError::Malformed("buffer 0 refers to the GLB's binary chunk, but the file has none.".into()))
            }
            Err(Unavailable::NoUri) => Err(ImportError::Malformed(format!(
                "buffer {index} has no uri, so its data is missing (only the first buffer of a GLB may omit it)."
            ))),
        }
    }

    /// The bytes of buffer view `index`, checked to lie within its buffer.
    pub fn view(&self, index: usize) -> Result<View<'_>, ImportError> {
        let view = self
            .root
            .buffer_views
            .get(index)
            .ok_or_else(|| ImportError::Malformed(format!("buffer view {index} does not exist.")))?;
        let buffer_index = view.buffer.value();
        let declared = self.root.buffers.get(buffer_index).map_or(0, |b| b.byte_length.0);
        let data = self.data(buffer_index)?;
        let start = view.byte_offset.map_or(0, |o| o.0);
        let end = start.saturating_add(view.byte_length.0);
        if end > declared {
            return Err(ImportError::Malformed(format!(
                "buffer view {index} covers bytes {start}..{end} of buffer {buffer_index}, which is only {declared} bytes long."
            )));
        }
        if end > data.len() as u64 {
            return Err(ImportError::Truncated {
                what: format!("buffer view {index} of buffer {buffer_index}{}", self.describe(buffer_index)),
                needed_bytes: end,
                actual_bytes: data.len() as u64,
            });
        }
        // end <= data.len(), so both fit in usize.
        let bytes = &data[start as usize..end as usize];
        let stride = view.byte_stride.map(|s| s.0);
        Ok(View { bytes, stride })
    }

    fn describe(&self, index: usize) -> String {
        match self.root.buffers.get(index).and_then(|b| b.uri.as_deref()) {
            Some(uri) if !uri.starts_with("data:") => format!(" ('{uri}')"),
            _ => String::new(),
        }
    }
}
