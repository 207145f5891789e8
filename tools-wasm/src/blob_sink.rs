//! Conversion output written straight into Blobs (the tools build in the browser).
//!
//! A download is a Blob, which lives in the browser's blob store, outside the
//! wasm memory. The exporter's small writes are gathered in the wasm memory in
//! chunks, and made into a Blob a large group at a time, with any large write
//! (`export::blocks::ChunkedWriter`): one Blob from many pieces costs about a
//! copy of their bytes, a Blob per 8 MiB piece twice that. The file is a Blob
//! of those Blobs, which copies nothing; a huge output is held in the wasm
//! memory only a group at a time.

use std::io::Write;

use studio_model::export::OutputSink;
use studio_model::export::blocks::{CHUNK_BYTES, ChunkedWriter, GROUP_BYTES};

/// Collects each output file as the list of Blobs it was written in.
#[derive(Default)]
pub struct BlobSink {
    files: Vec<(String, js_sys::Array)>,
}

impl BlobSink {
    /// The files written, each as one Blob, in the order they were created.
    pub fn into_files(self) -> Result<Vec<(String, web_sys::Blob)>, String> {
        self.files
            .into_iter()
            .map(|(name, parts)| {
                let blob = web_sys::Blob::new_with_blob_sequence(&parts).map_err(|_| blob_failed())?;
                Ok((name, blob))
            })
            .collect()
    }
}

fn blob_failed() -> String {
    "The browser could not store the converted file (out of memory?).".to_owned()
}

impl OutputSink for BlobSink {
    fn create(&mut self, name: &str, _size_hint: usize) -> std::io::Result<Box<dyn Write + '_>> {
        self.files.push((name.to_owned(), js_sys::Array::new()));
        let (_, parts) = self.files.last().ok_or_else(|| std::io::Error::other("no file"))?;
        Ok(Box::new(ChunkedWriter::new(CHUNK_BYTES, GROUP_BYTES, move |pieces: &[&[u8]]| push(parts, pieces))))
    }
}

/// Stores `pieces` in one Blob at the end of `parts`.
fn push(parts: &js_sys::Array, pieces: &[&[u8]]) -> std::io::Result<()> {
    // The views are made and used with nothing allocated in the wasm memory in
    // between (see `view_of`): the array collecting them lives on the JS side.
    let views: js_sys::Array = pieces.iter().map(|piece| wasm_bytes::view_of(piece)).collect();
    let blob = web_sys::Blob::new_with_u8_array_sequence(&views).map_err(|_| std::io::Error::other(blob_failed()))?;
    parts.push(&blob);
    Ok(())
}
