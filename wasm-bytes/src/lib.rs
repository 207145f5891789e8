//! Handing large byte arrays between JavaScript and the wasm without extra
//! copies, for both browser builds (`viewer-wasm` and `tools-wasm`).
//!
//! A model file is read straight into a buffer reserved here (the worker fills a
//! view of it), and output blocks are read out through views into Blobs
//! (`tools-wasm`'s Blob sink): one copy each way instead of two.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;

/// Reserves `len` zeroed bytes, or says that the file is too big for this tab.
pub fn reserve_input(len: usize) -> Result<Vec<u8>, String> {
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
