//! Conversion output written straight into Blobs (the tools build in the browser).
//!
//! A download is a Blob, which lives in the browser's blob store, outside the
//! wasm memory. Handing each block to a Blob as the exporter writes it means
//! the output file is never assembled in the wasm memory: a million-triangle
//! GLB is ~80 MB that would otherwise be allocated, faulted in, copied out and
//! kept (wasm memory never shrinks). The blocks are copied once, into Blobs,
//! and the file is a Blob of those Blobs, which copies nothing.

use std::io::Write;

use crate::export::OutputSink;
use crate::export::blocks::BlockWriter;

/// Blocks of at least half this many bytes become Blobs of their own; smaller
/// writes are gathered first (`export::blocks`). Each Blob has a cost of its own: a 50 MB STL
/// written in 1.6 MB Blobs took 87–104 ms to store, gathered into 8 MiB ones
/// 68–77 ms (Chromium 156, this machine).
const BLOCK_BYTES: usize = 8 << 20;

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
        Ok(Box::new(BlockWriter::new(BLOCK_BYTES, move |bytes: &[u8]| push(parts, bytes))))
    }
}

/// Stores `bytes` in a Blob of their own at the end of `parts`.
fn push(parts: &js_sys::Array, bytes: &[u8]) -> std::io::Result<()> {
    // The view is used before anything can allocate (see `view_of`).
    let view = crate::web_memory::view_of(bytes);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&view))
        .map_err(|_| std::io::Error::other(blob_failed()))?;
    parts.push(&blob);
    Ok(())
}
