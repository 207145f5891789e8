//! A fast hasher for the vertex-welding map of the inspection (keys are three `i64`s).
//!
//! The standard library's SipHash resists hash flooding, which matters for maps
//! keyed by untrusted strings, but costs several times more per key. Welding a
//! million-triangle model hashes three million keys; the keys come from a file,
//! but the worst a crafted file can do here is make its own conversion slower,
//! which its size already bounds. (The exporters' weld uses its own table of
//! vertex numbers, with this hasher.) So: one multiply and rotate per word
//! (the scheme rustc uses internally), on a fixed seed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Odd constant with well-mixed bits (from the golden ratio), as multiplicative
/// hashing wants.
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The multiply-and-rotate hasher described above, seeded with zero; not flood-resistant, for vertex keys only.
#[derive(Default, Clone, Copy)]
pub struct WordHasher {
    hash: u64,
}

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(26) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        // The low bits pick the bucket; fold the well-mixed high bits into them.
        self.hash ^ (self.hash >> 32)
    }
}

/// A `HashMap` with [`WordHasher`].
pub type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_vertices_spread_over_buckets() {
        // Grid positions as f32 bits: the low 7 bits of the hash (128 buckets)
        // must all be used by 10,000 distinct keys.
        let mut seen = [false; 128];
        for i in 0..100u32 {
            for j in 0..100u32 {
                let mut h = WordHasher::default();
                for word in [(i as f32).to_bits(), (j as f32).to_bits(), 0f32.to_bits()] {
                    h.write_u32(word);
                }
                seen[(h.finish() & 127) as usize] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
    }
}
