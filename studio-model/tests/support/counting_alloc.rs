//! A global allocator that counts live heap bytes and their peak, so that a test
//! can state how much memory an import may take for a file of a given size.
//!
//! Every thread's allocations count, so a test that measures must run alone:
//! each test of the binary that installs this allocator takes [`alone`] first,
//! so that another test's set-up (building a zip bomb, say) cannot land in its
//! figures.

// GlobalAlloc is an unsafe trait; this implementation only forwards to the
// system allocator and keeps two counters.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn grew(bytes: usize) {
    let live = LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed unchanged to `System`, which upholds the trait's
// contract; the counters do not touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded; the caller guarantees `ptr` and `layout` match.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as the old and the new block both live for a moment, as they can be.
            grew(new_size);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

/// What one call cost.
pub struct Measured<T> {
    pub value: T,
    /// Largest number of heap bytes live during the call beyond those live before it.
    pub peak_bytes: usize,
    pub elapsed: Duration,
}

/// Holds every other test of this binary off until the guard is dropped.
pub fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` on its own thread and measures its peak heap and time (call with
/// [`alone`] held). Panics (failing the test instead of hanging it) when `f`
/// takes longer than `limit`.
pub fn measure<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Measured<T> {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let value = f();
        let _ = send.send((value, Instant::now()));
    });
    let (value, end) = receive.recv_timeout(limit).unwrap_or_else(|_| panic!("took longer than {limit:?}"));
    let peak_bytes = PEAK_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    Measured { value, peak_bytes, elapsed: end - start }
}
