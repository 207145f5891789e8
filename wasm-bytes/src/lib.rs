//! Handing large byte arrays between JavaScript and the wasm without extra
//! copies, for both browser builds (`viewer-wasm` and `tools-wasm`).
//!
//! A model file is read straight into a buffer reserved here (the worker fills a
//! view of it), and output blocks are read out through views into Blobs
//! (`tools-wasm`'s Blob sink): one copy each way instead of two.

#![cfg(target_arch = "wasm32")]
#![warn(missing_docs)]

use wasm_bindgen::JsCast;

/// Reserves `len` zeroed bytes, or says that the file is too big for this tab.
fn reserve_input(len: usize) -> Result<Vec<u8>, String> {
    let mut input = Vec::new();
    // A file too big for this tab's memory is an error to show, not a crash.
    input
        .try_reserve_exact(len)
        .map_err(|_| format!("The file ({} MB) is too large to open in this browser tab.", len / 1_000_000))?;
    input.resize(len, 0);
    Ok(input)
}

/// A view of `bytes` in the wasm memory. It goes stale when the memory grows
/// (any allocation may do that): use it at once.
pub fn view_of(bytes: &[u8]) -> js_sys::Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    // Addresses and lengths in wasm32 memory fit in u32.
    js_sys::Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        bytes.as_ptr() as usize as u32,
        bytes.len() as u32,
    )
}

/// Where a model file's bytes wait in the wasm memory for an import: the
/// browser build reserves it, JavaScript fills it through [`InputBuffer::view`]
/// as the file arrives, and the import takes the bytes.
#[derive(Default)]
pub struct InputBuffer {
    bytes: Vec<u8>,
}

impl InputBuffer {
    /// Replaces the buffer with `len` zeroed bytes, or says that the file is
    /// too big for this tab. The old bytes are freed first, so that the two
    /// never need memory at once.
    pub fn reserve(&mut self, len: usize) -> Result<(), String> {
        self.bytes = Vec::new();
        self.bytes = reserve_input(len)?;
        Ok(())
    }

    /// A fresh view of the buffer; see [`view_of`] for how long it lasts.
    pub fn view(&self) -> js_sys::Uint8Array {
        view_of(&self.bytes)
    }

    /// The bytes written, leaving the buffer empty.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}
