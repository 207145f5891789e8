//! Memory an import or conversion is about to need, reserved and touched while
//! its file is still being read (the browser builds call it between the chunks of
//! the read; plain Rust, so it is tested natively).

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

    /// Replaces this reservation with one of `bytes`. The old one is freed first,
    /// so that the new one can reuse its memory instead of growing the heap.
    pub fn prepare(&mut self, bytes: usize) {
        *self = PreparedMemory::default();
        *self = PreparedMemory::reserve(bytes);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touches_in_steps_up_to_the_whole_reservation() {
        let mut memory = PreparedMemory::reserve(10 * OS_PAGE_BYTES + 5);
        let capacity = memory.reserved.capacity();
        assert!(capacity >= 10 * OS_PAGE_BYTES + 5);
        memory.touch_up_to(0.25);
        let quarter = memory.touched;
        assert!(quarter > 0 && quarter < capacity);
        // Never backwards, never past the end, whatever the fraction says.
        memory.touch_up_to(0.1);
        assert_eq!(memory.touched, quarter);
        memory.touch_up_to(7.0);
        assert_eq!(memory.touched, capacity);
        memory.touch_up_to(f64::NAN);
        assert_eq!(memory.touched, capacity);
    }

    #[test]
    fn an_impossible_reservation_is_empty_not_a_crash() {
        let mut memory = PreparedMemory::reserve(usize::MAX);
        assert_eq!(memory.reserved.capacity(), 0);
        memory.touch_up_to(1.0);
        assert_eq!(memory.touched, 0);
    }
}
