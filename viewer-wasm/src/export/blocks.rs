//! Writes gathered into blocks of a useful size, in order, for sinks where
//! each delivered piece has a cost of its own (the browser's Blobs).

use std::io::Write;

/// A writer that hands `deliver` pieces of about `block_bytes`: writes of at
/// least half a block go out whole, smaller ones are gathered first. What was
/// gathered always goes out before anything written after it.
pub struct BlockWriter<F: FnMut(&[u8]) -> std::io::Result<()>> {
    deliver: F,
    block_bytes: usize,
    pending: Vec<u8>,
}

impl<F: FnMut(&[u8]) -> std::io::Result<()>> BlockWriter<F> {
    pub fn new(block_bytes: usize, deliver: F) -> Self {
        BlockWriter { deliver, block_bytes, pending: Vec::new() }
    }
}

impl<F: FnMut(&[u8]) -> std::io::Result<()>> Write for BlockWriter<F> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let whole = data.len() >= self.block_bytes / 2;
        if whole || self.pending.len() + data.len() > self.block_bytes {
            self.flush()?;
        }
        if whole {
            (self.deliver)(data)?;
        } else {
            self.pending.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            (self.deliver)(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }
}

impl<F: FnMut(&[u8]) -> std::io::Result<()>> Drop for BlockWriter<F> {
    fn drop(&mut self) {
        // The exporters flush each file; this only keeps a forgotten flush from losing bytes.
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_keep_their_order_and_size() {
        let mut pieces: Vec<Vec<u8>> = Vec::new();
        {
            let mut out = BlockWriter::new(8, |bytes: &[u8]| {
                pieces.push(bytes.to_vec());
                Ok(())
            });
            // Small writes gather; a large one after them waits for them to go first.
            out.write_all(&[1, 2]).expect("write");
            out.write_all(&[3]).expect("write");
            out.write_all(&[4, 5, 6, 7, 8]).expect("write");
            out.write_all(&[9, 10, 11]).expect("write");
            out.write_all(&[12; 7]).expect("write");
            out.flush().expect("flush");
        }
        assert_eq!(pieces, vec![vec![1, 2, 3], vec![4, 5, 6, 7, 8], vec![9, 10, 11], vec![12; 7]]);
    }

    #[test]
    fn a_forgotten_flush_loses_nothing() {
        let mut pieces: Vec<Vec<u8>> = Vec::new();
        {
            let mut out = BlockWriter::new(8, |bytes: &[u8]| {
                pieces.push(bytes.to_vec());
                Ok(())
            });
            out.write_all(&[1, 2, 3]).expect("write");
        }
        assert_eq!(pieces, vec![vec![1, 2, 3]]);
    }
}
