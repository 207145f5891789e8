//! Long loops over model data, cut into calls of a bounded length.
//!
//! Browsers start every wasm function in quickly compiled baseline code and
//! compile an optimised version in the background once it proves hot; a call
//! that is already running stays in the baseline code to its end (V8 has no
//! on-stack replacement for wasm). A loop over a million triangles made as one
//! call therefore runs its whole length in the slow code the first time a page
//! meets it, which is exactly when a user opens their first model. Made as
//! calls of [`CHUNK`](crate::chunked::CHUNK) items each, the loop switches to optimised code after the
//! first few calls. Measured in Node 20 (the same V8), first import on a fresh
//! instance against later ones: 1M-facet binary STL 187 → 60 ms, GLB 69 →
//! 31 ms, ASCII STL 470 → 200 ms before cutting the loops.
//!
//! Natively a chunk costs one extra call: nothing measurable.

use std::ops::Range;

/// Items per call: small enough that the first calls are over in well under a
/// millisecond, large enough that a call costs nothing per item.
pub const CHUNK: usize = 16 * 1024;

/// Runs `body` on consecutive ranges that cover `0..len`, each at most
/// [`CHUNK`] long and each through a call of its own.
pub fn for_each_chunk(len: usize, mut body: impl FnMut(Range<usize>)) {
    let mut start = 0;
    while start < len {
        let end = len.min(start + CHUNK);
        call(&mut body, start..end);
        start = end;
    }
}

/// [`for_each_chunk`] for a body that can fail: stops at the first error.
pub fn try_for_each_chunk<E>(len: usize, mut body: impl FnMut(Range<usize>) -> Result<(), E>) -> Result<(), E> {
    let mut start = 0;
    while start < len {
        let end = len.min(start + CHUNK);
        call(&mut body, start..end)?;
        start = end;
    }
    Ok(())
}

/// `body` folded over `items` a chunk at a time, each chunk's results joined
/// into the running value with `join`.
pub fn fold<T, A: Copy>(items: &[T], start: A, mut body: impl FnMut(&[T]) -> A, join: impl Fn(A, A) -> A) -> A {
    let mut value = start;
    for_each_chunk(items.len(), |range| value = join(value, body(&items[range])));
    value
}

/// `(0..len).map(item).collect()`, made a chunk per call.
pub fn collect<T>(len: usize, mut item: impl FnMut(usize) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(len);
    for_each_chunk(len, |range| out.extend(range.map(&mut item)));
    out
}

/// The one place a chunk becomes a call: never inlined, or the chunks would
/// merge back into one long call. Each body gets its own copy of this
/// function, which is what the browser optimises.
#[inline(never)]
fn call<R>(body: &mut impl FnMut(Range<usize>) -> R, range: Range<usize>) -> R {
    body(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_once_in_order() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut seen = Vec::new();
            for_each_chunk(len, |range| {
                assert!(range.len() <= CHUNK && !range.is_empty());
                seen.extend(range);
            });
            assert_eq!(seen, (0..len).collect::<Vec<_>>());
            assert_eq!(collect(len, |i| i * 2), (0..len).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn errors_stop_the_loop() {
        let mut calls = 0;
        let result = try_for_each_chunk(10 * CHUNK, |range| {
            calls += 1;
            if range.contains(&(2 * CHUNK + 5)) { Err(range.start) } else { Ok(()) }
        });
        assert_eq!((result, calls), (Err(2 * CHUNK), 3));
    }

    #[test]
    fn folds_join_the_chunks() {
        let items: Vec<u32> = (0..(5 * CHUNK as u32 + 3)).collect();
        let largest = fold(&items, 0, |c| c.iter().copied().max().unwrap_or(0), u32::max);
        assert_eq!(largest, 5 * CHUNK as u32 + 2);
    }
}
