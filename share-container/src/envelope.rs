//! The plaintext inside a container: metadata JSON and the original file bytes.
//!
//! All integers are unsigned big-endian. Layout (docs/share-format.md):
//!
//! ```text
//! 0     4  magic "3DMe"
//! 4     1  envelope version (1)
//! 5     4  metadata length M (at most 1 MiB)
//! 9     M  metadata: a UTF-8 JSON object (see [`Metadata`])
//! 9+M   8  file data length F = size + the sizes of all companions
//! 17+M  F  the main file, then each companion file, in metadata order
//! ```
//!
//! Decoding treats the bytes as hostile even though they were authenticated:
//! every length is checked against the bytes present before anything is
//! sliced or allocated.

use serde::{Deserialize, Serialize};

use crate::ShareError;

/// The four bytes `3DMe` that start every envelope.
pub const ENVELOPE_MAGIC: [u8; 4] = *b"3DMe";
/// The envelope version this code writes and reads.
pub const ENVELOPE_VERSION: u8 = 1;
/// The largest metadata JSON accepted or written.
pub const MAX_METADATA_LEN: usize = 1024 * 1024;

const PREFIX_LEN: usize = 9;
const FILES_LEN_LEN: usize = 8;

/// The metadata JSON. Readers ignore fields they do not know, so fields can be
/// added within a version; a change that old readers must not ignore needs a
/// new [`ENVELOPE_VERSION`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The original file name (untrusted: never use it as a path).
    pub name: String,
    /// The file's media type, e.g. `model/stl`, `model/gltf-binary`, `model/gltf+json`.
    pub media_type: String,
    /// Length of the main file in bytes.
    pub size: u64,
    /// Whether recipients may download the original file.
    #[serde(default)]
    pub allow_download: bool,
    /// Camera, units and display settings, owned by the viewer UI.
    #[serde(default)]
    pub view: serde_json::Value,
    /// External files of a `.gltf` (buffers, images), in data order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companions: Vec<CompanionInfo>,
}

/// A companion file as listed in the metadata: its name and length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanionInfo {
    /// The companion's file name, as the `.gltf` refers to it (untrusted: never use it as a path).
    pub name: String,
    /// Length of the companion file in bytes.
    pub size: u64,
}

/// A companion file with its bytes, for [`Envelope::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Companion {
    /// The companion's file name, as the `.gltf` refers to it.
    pub name: String,
    /// The companion file's content.
    pub bytes: Vec<u8>,
}

/// A decoded envelope: metadata, the main file and the companion files'
/// bytes (`companions[i]` belongs to `metadata.companions[i]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// The metadata: names, sizes, permissions and view state.
    pub metadata: Metadata,
    /// The main model file's bytes, exactly as uploaded.
    pub file: Vec<u8>,
    /// Each companion file's bytes, in metadata order.
    pub companions: Vec<Vec<u8>>,
}

impl Metadata {
    /// Sum of the main file's and the companions' sizes.
    fn files_len(&self) -> Option<u64> {
        self.companions.iter().try_fold(self.size, |total, c| total.checked_add(c.size))
    }

    /// The envelope bytes that precede the file data. A streaming writer sends
    /// these, then the main file, then each companion file, in order.
    pub fn encode_head(&self) -> Result<Vec<u8>, ShareError> {
        let json =
            serde_json::to_vec(self).map_err(|e| ShareError::Malformed(format!("its metadata is invalid: {e}")))?;
        if json.len() > MAX_METADATA_LEN {
            return Err(ShareError::TooLarge { what: "view state" });
        }
        let files_len = self.files_len().ok_or(ShareError::TooLarge { what: "file" })?;
        let mut out = Vec::with_capacity(PREFIX_LEN + json.len() + FILES_LEN_LEN);
        out.extend_from_slice(&ENVELOPE_MAGIC);
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&(json.len() as u32).to_be_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&files_len.to_be_bytes());
        Ok(out)
    }
}

impl Envelope {
    /// Builds an envelope, filling in the sizes from the bytes.
    pub fn new(
        name: &str,
        media_type: &str,
        allow_download: bool,
        view: serde_json::Value,
        file: Vec<u8>,
        companions: Vec<Companion>,
    ) -> Envelope {
        let infos = companions.iter().map(|c| CompanionInfo { name: c.name.clone(), size: c.bytes.len() as u64 });
        let metadata = Metadata {
            name: name.to_string(),
            media_type: media_type.to_string(),
            size: file.len() as u64,
            allow_download,
            view,
            companions: infos.collect(),
        };
        Envelope { metadata, file, companions: companions.into_iter().map(|c| c.bytes).collect() }
    }

    /// The companion files as (name, bytes).
    pub fn companion_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.metadata
            .companions
            .iter()
            .zip(&self.companions)
            .map(|(info, bytes)| (info.name.as_str(), bytes.as_slice()))
    }

    /// Encodes the envelope; fails if the metadata's sizes do not match the bytes.
    pub fn encode(&self) -> Result<Vec<u8>, ShareError> {
        let sizes_match = self.metadata.size == self.file.len() as u64
            && self.metadata.companions.len() == self.companions.len()
            && self
                .metadata
                .companions
                .iter()
                .zip(&self.companions)
                .all(|(info, bytes)| info.size == bytes.len() as u64);
        if !sizes_match {
            return Err(ShareError::Malformed("its metadata sizes do not match the files".into()));
        }
        let head = self.metadata.encode_head()?;
        let data_len = self.file.len() + self.companions.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(head.len() + data_len);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.file);
        for bytes in &self.companions {
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }

    /// Decodes an envelope, reusing `bytes`' allocation for the main file.
    pub fn decode(mut bytes: Vec<u8>) -> Result<Envelope, ShareError> {
        let malformed = |what: &str| ShareError::Malformed(format!("its contents are {what}"));
        if bytes.len() < ENVELOPE_MAGIC.len() || bytes[..ENVELOPE_MAGIC.len()] != ENVELOPE_MAGIC {
            return Err(malformed("not a share envelope"));
        }
        if bytes.len() < PREFIX_LEN {
            return Err(malformed("cut short"));
        }
        if bytes[4] != ENVELOPE_VERSION {
            return Err(ShareError::UnsupportedVersion { part: "envelope", version: bytes[4] });
        }
        let metadata_len = u32::from_be_bytes([bytes[5], bytes[6], bytes[7], bytes[8]]) as usize;
        if metadata_len > MAX_METADATA_LEN {
            return Err(malformed("malformed: the metadata is too long"));
        }
        let metadata_end = PREFIX_LEN + metadata_len;
        let data_start = metadata_end + FILES_LEN_LEN;
        if bytes.len() < data_start {
            return Err(malformed("cut short: the metadata is longer than the data"));
        }
        let metadata: Metadata = serde_json::from_slice(&bytes[PREFIX_LEN..metadata_end])
            .map_err(|e| ShareError::Malformed(format!("its metadata is invalid: {e}")))?;
        let mut files_len = [0u8; FILES_LEN_LEN];
        files_len.copy_from_slice(&bytes[metadata_end..data_start]);
        let files_len = u64::from_be_bytes(files_len);
        let present = (bytes.len() - data_start) as u64;
        if files_len != present {
            return Err(malformed("malformed: the file data length does not match the data"));
        }
        if metadata.files_len() != Some(files_len) {
            return Err(malformed("malformed: the file sizes do not add up to the file data length"));
        }
        // Every size is now bounded by `present`, the bytes actually here.
        bytes.drain(..data_start);
        let main_len = metadata.size as usize;
        let tail = bytes.split_off(main_len);
        let mut companions = Vec::with_capacity(metadata.companions.len());
        let mut offset = 0;
        for info in &metadata.companions {
            let end = offset + info.size as usize;
            companions.push(tail[offset..end].to_vec());
            offset = end;
        }
        Ok(Envelope { metadata, file: bytes, companions })
    }
}
