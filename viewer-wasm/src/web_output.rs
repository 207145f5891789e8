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

/// Blocks of at least half this many bytes become Blobs of their own; smaller
/// writes are gathered first. Each Blob has a cost of its own: a 50 MB STL
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
        Ok(Box::new(BlobWriter { parts, pending: Vec::new() }))
    }
}

/// Writes one file: large writes become Blobs at once, small ones are gathered
/// in `pending` until a block is full.
struct BlobWriter<'a> {
    parts: &'a js_sys::Array,
    pending: Vec<u8>,
}

impl BlobWriter<'_> {
    fn push(&self, bytes: &[u8]) -> std::io::Result<()> {
        // The view is used before anything can allocate (see `view_of`).
        let view = crate::web_memory::view_of(bytes);
        let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&view))
            .map_err(|_| std::io::Error::other(blob_failed()))?;
        self.parts.push(&blob);
        Ok(())
    }
}

impl Write for BlobWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.pending.len() + data.len() > BLOCK_BYTES {
            self.flush()?;
        }
        if data.len() >= BLOCK_BYTES / 2 {
            self.push(data)?;
        } else {
            self.pending.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.push(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }
}

impl Drop for BlobWriter<'_> {
    fn drop(&mut self) {
        // The exporters flush each file; this only keeps a forgotten flush from losing bytes.
        let _ = self.flush();
    }
}
