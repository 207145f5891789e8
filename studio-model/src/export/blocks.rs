//! Output gathered in memory a chunk at a time and handed on in large groups,
//! for sinks where each hand-over has a cost of its own: in the browser, one
//! Blob made from many pieces of the wasm memory costs about one copy of their
//! bytes, while one Blob per 8 MiB piece cost about two (50 MB: ~35 ms against
//! ~75 ms in a worker, Chromium 156). Groups bound what is held: a huge output
//! is not kept whole in memory, only a group of it at a time.
//!
//! Small writes (binary STL's blocks of records) are copied into chunks. A
//! large write (a GLB's arrays, written straight from the meshes) is not
//! copied: it goes on at once, in one group with whatever was held before it,
//! since copying tens of megabytes into fresh memory cost more than the Blob
//! it would save.

use std::io::Write;

/// Bytes held before they are handed on as one group.
pub const GROUP_BYTES: usize = 256 << 20;

/// Bytes per chunk: an output is held in pieces, so that it needs no
/// contiguous allocation of its whole size (nor the copies of a growing one).
pub const CHUNK_BYTES: usize = 8 << 20;

/// A writer that copies small writes into chunks of `chunk_bytes` and hands
/// what it holds to `seal` once `group_bytes` are held, at each flush, and
/// together with each write of at least half a chunk. Bytes reach `seal` in
/// the order they were written.
pub struct ChunkedWriter<F: FnMut(&[&[u8]]) -> std::io::Result<()>> {
    seal: F,
    chunk_bytes: usize,
    group_bytes: usize,
    chunks: Vec<Vec<u8>>,
    held_bytes: usize,
}

impl<F: FnMut(&[&[u8]]) -> std::io::Result<()>> ChunkedWriter<F> {
    /// A writer holding chunks of `chunk_bytes` (at least 1) that hands groups of about `group_bytes` to `seal`.
    pub fn new(chunk_bytes: usize, group_bytes: usize, seal: F) -> Self {
        ChunkedWriter { seal, chunk_bytes: chunk_bytes.max(1), group_bytes, chunks: Vec::new(), held_bytes: 0 }
    }

    /// The chunk to write into next, with room in it.
    fn open_chunk(&mut self) -> std::io::Result<&mut Vec<u8>> {
        if self.chunks.last().is_none_or(|c| c.len() == c.capacity()) {
            let mut chunk = Vec::new();
            chunk.try_reserve_exact(self.chunk_bytes).map_err(|_| std::io::Error::other("out of memory"))?;
            self.chunks.push(chunk);
        }
        self.chunks.last_mut().ok_or_else(|| std::io::Error::other("no chunk"))
    }

    /// Hands on what is held, followed by `large` if given.
    fn seal_held(&mut self, large: Option<&[u8]>) -> std::io::Result<()> {
        if self.held_bytes == 0 && large.is_none() {
            return Ok(());
        }
        let pieces: Vec<&[u8]> = self.chunks.iter().map(Vec::as_slice).chain(large).collect();
        (self.seal)(&pieces)?;
        self.chunks.clear();
        self.held_bytes = 0;
        Ok(())
    }
}

impl<F: FnMut(&[&[u8]]) -> std::io::Result<()>> Write for ChunkedWriter<F> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if data.len() >= self.chunk_bytes / 2 {
            self.seal_held(Some(data))?;
            return Ok(data.len());
        }
        let mut rest = data;
        while !rest.is_empty() {
            let chunk = self.open_chunk()?;
            let taken = rest.len().min(chunk.capacity() - chunk.len());
            chunk.extend_from_slice(&rest[..taken]);
            rest = &rest[taken..];
            self.held_bytes += taken;
            if self.held_bytes >= self.group_bytes {
                self.seal_held(None)?;
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.seal_held(None)
    }
}

impl<F: FnMut(&[&[u8]]) -> std::io::Result<()>> Drop for ChunkedWriter<F> {
    fn drop(&mut self) {
        // The exporters flush each file; this only keeps a forgotten flush from losing bytes.
        let _ = self.seal_held(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups sealed while `write` runs, each as the pieces it was made of.
    fn groups(chunk_bytes: usize, group_bytes: usize, write: impl FnOnce(&mut dyn Write)) -> Vec<Vec<Vec<u8>>> {
        let mut groups = Vec::new();
        {
            let mut out = ChunkedWriter::new(chunk_bytes, group_bytes, |pieces: &[&[u8]]| {
                groups.push(pieces.iter().map(|p| p.to_vec()).collect());
                Ok(())
            });
            write(&mut out);
        }
        groups
    }

    #[test]
    fn bytes_keep_their_order_in_chunks_and_groups() {
        let data: Vec<u8> = (0..=255).collect();
        let sealed = groups(8, 24, |out| {
            // Small writes (under half a chunk), across chunks and past a group;
            // large ones after something held and after nothing; small ones and a flush.
            for start in (0..27).step_by(3) {
                out.write_all(&data[start..start + 3]).expect("write");
            }
            for piece in [&data[27..77], &data[77..81], &data[81..82], &data[82..84]] {
                out.write_all(piece).expect("write");
            }
            out.flush().expect("flush");
        });
        let sizes: Vec<Vec<usize>> = sealed.iter().map(|g| g.iter().map(Vec::len).collect()).collect();
        assert_eq!(sizes, vec![vec![8, 8, 8], vec![3, 50], vec![4], vec![3]]);
        assert_eq!(sealed.concat().concat(), data[..84]);
    }

    #[test]
    fn a_flush_with_nothing_held_seals_nothing() {
        let sealed = groups(8, 100, |out| {
            out.write_all(&[1; 3]).expect("write");
            out.flush().expect("flush");
            out.flush().expect("flush");
        });
        assert_eq!(sealed, vec![vec![vec![1; 3]]]);
    }

    #[test]
    fn a_forgotten_flush_loses_nothing() {
        let sealed = groups(4, 100, |out| out.write_all(&[1, 2, 3]).expect("write"));
        assert_eq!(sealed, vec![vec![vec![1, 2, 3]]]);
    }
}
