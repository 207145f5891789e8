//! Handing large byte arrays between JavaScript and the wasm without extra copies.
//!
//! A model file is read straight into a buffer reserved here (the worker fills a
//! view of it), and output files are read out through views, which the page
//! turns into Blobs: one copy each way instead of two.

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

/// Size of the pages the operating system maps on first touch (4 KiB on every
/// platform browsers run on; a smaller guess would only touch more often).
const OS_PAGE_BYTES: usize = 4096;

/// Memory an import is about to need, reserved and touched while its file is
/// still being read. Fresh wasm memory costs a page fault per 4 KiB on its first
/// write; measured for a 1M-triangle binary STL, that is ~45 of the ~115 ms a
/// first parse takes. Touched here in small steps between the chunks of the
/// read, it is ready (freed back to the allocator, which hands it to the
/// importer's vectors) by the time the parse starts.
#[derive(Default)]
pub struct PreparedMemory {
    reserved: Vec<u8>,
    touched: usize,
}

impl PreparedMemory {
    /// Reserves `bytes`, or nothing when the tab cannot spare them (then the
    /// import grows memory as it goes, as it would have anyway).
    pub fn reserve(bytes: usize) -> PreparedMemory {
        let mut reserved = Vec::new();
        if reserved.try_reserve_exact(bytes).is_err() {
            reserved = Vec::new();
        }
        PreparedMemory { reserved, touched: 0 }
    }

    /// Touches the reserved pages up to `fraction` (0 to 1) of the reservation.
    pub fn touch_up_to(&mut self, fraction: f64) {
        let capacity = self.reserved.capacity();
        let end = ((capacity as f64 * fraction.clamp(0.0, 1.0)) as usize).min(capacity);
        if end <= self.touched {
            return;
        }
        let spare = self.reserved.spare_capacity_mut();
        let mut at = self.touched.next_multiple_of(OS_PAGE_BYTES);
        while at < end {
            spare[at].write(0);
            at += OS_PAGE_BYTES;
        }
        // The writes exist for their side effect (mapping the pages): keep the
        // optimiser from dropping them as stores to memory nobody reads.
        std::hint::black_box(&spare[..end]);
        self.touched = end;
    }
}
