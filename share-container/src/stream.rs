//! STREAM-construction AES-256-GCM over fixed-size chunks.
//!
//! Chunk `i` (counting from 0) of a container is sealed with the nonce
//! `nonce_prefix (7 bytes) ‖ i as u32 big-endian ‖ last` where `last` is 1 for
//! the final chunk and 0 otherwise, and with the complete header as associated
//! data. Every chunk but the last holds exactly `chunk_size` plaintext bytes;
//! the last holds 0..=`chunk_size` bytes. On the wire each chunk is its
//! ciphertext followed by its 16-byte tag.

use aes_gcm::{AeadInOut, Aes256Gcm};

use crate::header::{
    ContainerHeader, DEFAULT_CHUNK_SIZE, Kdf, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, NONCE_PREFIX_LEN, SALT_LEN, TAG_LEN,
};
use crate::key::{Argon2Params, Keys, Secret};
use crate::{OsRandom, RandomSource, ShareError};

/// Choices made when creating a share. [`Default`] is what real shares use;
/// tests pass smaller chunks and cheaper Argon2 parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncryptOptions {
    /// Plaintext bytes per chunk, [`MIN_CHUNK_SIZE`]..=[`MAX_CHUNK_SIZE`].
    pub chunk_size: u32,
    /// Used only when a password is given.
    pub argon2: Argon2Params,
}

impl Default for EncryptOptions {
    fn default() -> Self {
        EncryptOptions { chunk_size: DEFAULT_CHUNK_SIZE, argon2: Argon2Params::DEFAULT }
    }
}

fn nonce(prefix: &[u8; NONCE_PREFIX_LEN], index: u32, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[..NONCE_PREFIX_LEN].copy_from_slice(prefix);
    nonce[NONCE_PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Number of chunks for a plaintext: at least one, so that an empty plaintext
/// still ends with an authenticated last chunk.
fn chunk_count(plaintext_len: u64, chunk_size: u32) -> u64 {
    plaintext_len.div_ceil(u64::from(chunk_size)).max(1)
}

/// Total container length for a plaintext of `plaintext_len` bytes (the
/// upload's Content-Length, known before encrypting), for containers whose
/// last chunk is not empty unless the plaintext is, as [`encrypt`] makes them.
pub fn encrypted_len(plaintext_len: u64, chunk_size: u32, with_password: bool) -> u64 {
    let kdf =
        if with_password { Kdf::Argon2id { params: Argon2Params::DEFAULT, salt: [0; SALT_LEN] } } else { Kdf::None };
    let header = ContainerHeader { chunk_size, nonce_prefix: [0; NONCE_PREFIX_LEN], kdf, key_check: [0; 32] };
    let chunk_size = chunk_size.max(1);
    header.encoded_len() as u64 + plaintext_len + chunk_count(plaintext_len, chunk_size) * TAG_LEN as u64
}

/// Encrypts a plaintext chunk at a time, for progress reporting and
/// streaming uploads: send [`Encryptor::header`], then the output of
/// [`Encryptor::seal_chunk`] for every full chunk, then [`Encryptor::seal_last`].
pub struct Encryptor {
    cipher: Aes256Gcm,
    aead_key: [u8; 32],
    header: Vec<u8>,
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
    chunk_size: usize,
    next_index: u64,
}

impl Encryptor {
    /// Draws the nonce prefix (7 bytes) and then, with a password, the salt
    /// (16 bytes) from `rng`, derives the keys and builds the header.
    pub fn new(
        secret: &Secret,
        password: Option<&str>,
        options: &EncryptOptions,
        rng: &mut dyn RandomSource,
    ) -> Result<Encryptor, ShareError> {
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&options.chunk_size) {
            return Err(ShareError::Malformed(format!("its chunk size {} is out of range", options.chunk_size)));
        }
        let mut nonce_prefix = [0u8; NONCE_PREFIX_LEN];
        rng.fill(&mut nonce_prefix)?;
        let kdf = match password {
            None => Kdf::None,
            Some("") => return Err(ShareError::EmptyPassword),
            Some(_) => {
                options.argon2.validate()?;
                let mut salt = [0u8; SALT_LEN];
                rng.fill(&mut salt)?;
                Kdf::Argon2id { params: options.argon2, salt }
            }
        };
        let keys = Keys::derive(secret, &kdf, password)?;
        let mut header = ContainerHeader { chunk_size: options.chunk_size, nonce_prefix, kdf, key_check: [0; 32] };
        header.key_check = keys.key_check(&header.encode_fields())?;
        Ok(Encryptor {
            cipher: keys.cipher,
            aead_key: keys.aead_key,
            header: header.encode(),
            nonce_prefix,
            chunk_size: options.chunk_size as usize,
            next_index: 0,
        })
    }

    /// The header bytes, which start the container.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Plaintext bytes per chunk of this container.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    /// The AES-256 key and nonce prefix, for sealing the chunks with another
    /// AES-GCM implementation (the browser's WebCrypto): chunk `i` uses the nonce
    /// `prefix ‖ u32be(i) ‖ last` and the header as associated data.
    pub fn raw_key(&self) -> (&[u8; 32], &[u8; NONCE_PREFIX_LEN]) {
        (&self.aead_key, &self.nonce_prefix)
    }

    /// Total container length for a plaintext of `plaintext_len` bytes.
    pub fn encrypted_len(&self, plaintext_len: u64) -> u64 {
        self.header.len() as u64 + plaintext_len + chunk_count(plaintext_len, self.chunk_size as u32) * TAG_LEN as u64
    }

    /// Seals a chunk that is not the last; it must hold exactly
    /// [`Encryptor::chunk_size`] bytes. Appends ciphertext and tag to `out`.
    pub fn seal_chunk(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), ShareError> {
        if plaintext.len() != self.chunk_size {
            return Err(ShareError::ChunkLength { expected: self.chunk_size, got: plaintext.len() });
        }
        self.seal(plaintext, false, out)
    }

    /// Seals the last chunk (0..=[`Encryptor::chunk_size`] bytes) and ends
    /// the stream. An empty last chunk after full ones is valid, for callers
    /// that learn about the end only after the last full chunk.
    pub fn seal_last(mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), ShareError> {
        if plaintext.len() > self.chunk_size {
            return Err(ShareError::ChunkLength { expected: self.chunk_size, got: plaintext.len() });
        }
        self.seal(plaintext, true, out)
    }

    fn seal(&mut self, plaintext: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), ShareError> {
        let index = u32::try_from(self.next_index).map_err(|_| ShareError::TooLarge { what: "file" })?;
        let nonce = nonce(&self.nonce_prefix, index, last);
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce.into(), &self.header, (&mut out[start..]).into())
            .map_err(|_| ShareError::TooLarge { what: "file" })?;
        out.extend_from_slice(&tag);
        self.next_index += 1;
        Ok(())
    }
}

/// Encrypts a whole plaintext (normally an encoded [`crate::Envelope`]) with
/// the default options and the operating system's random generator.
pub fn encrypt(plaintext: &[u8], secret: &Secret, password: Option<&str>) -> Result<Vec<u8>, ShareError> {
    encrypt_with_options(plaintext, secret, password, &EncryptOptions::default(), &mut OsRandom)
}

/// [`encrypt`] with explicit options and random source.
pub fn encrypt_with_options(
    plaintext: &[u8],
    secret: &Secret,
    password: Option<&str>,
    options: &EncryptOptions,
    rng: &mut dyn RandomSource,
) -> Result<Vec<u8>, ShareError> {
    let mut encryptor = Encryptor::new(secret, password, options, rng)?;
    let total = usize::try_from(encryptor.encrypted_len(plaintext.len() as u64))
        .map_err(|_| ShareError::TooLarge { what: "file" })?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(encryptor.header());
    let chunk_size = encryptor.chunk_size();
    // Every chunk but the last is full; the last holds 1..=chunk_size bytes.
    let full_chunks = plaintext.len().saturating_sub(1) / chunk_size;
    for chunk in plaintext[..full_chunks * chunk_size].chunks_exact(chunk_size) {
        encryptor.seal_chunk(chunk, &mut out)?;
    }
    encryptor.seal_last(&plaintext[full_chunks * chunk_size..], &mut out)?;
    Ok(out)
}

/// Decrypts a chunk at a time as the container arrives. Plaintext handed out
/// by [`Decryptor::update`] is authentic chunk by chunk, but only a
/// successful [`Decryptor::finish`] proves that nothing was cut off: use
/// the plaintext only after it.
pub struct Decryptor {
    cipher: Aes256Gcm,
    aead_key: [u8; 32],
    header: ContainerHeader,
    header_bytes: Vec<u8>,
    segment_len: usize,
    next_index: u64,
    pending: Vec<u8>,
    failed: Option<ShareError>,
}

impl Decryptor {
    /// Reads the header at the start of `bytes` (the first
    /// [`crate::MAX_HEADER_LEN`] bytes of the container, or all of it, are
    /// always enough), derives the key and checks it against the header's key
    /// check. Returns the decryptor and the header's length: the body starts
    /// there. A password given for a share that has none is ignored.
    pub fn new(bytes: &[u8], secret: &Secret, password: Option<&str>) -> Result<(Decryptor, usize), ShareError> {
        let header = ContainerHeader::parse(bytes)?;
        let header_len = header.encoded_len();
        let keys = Keys::derive(secret, &header.kdf, password)?;
        keys.verify_key_check(&bytes[..header_len - header.key_check.len()], &header.key_check)?;
        let segment_len = header.chunk_size as usize + TAG_LEN;
        let decryptor = Decryptor {
            cipher: keys.cipher,
            aead_key: keys.aead_key,
            header,
            header_bytes: bytes[..header_len].to_vec(),
            segment_len,
            next_index: 0,
            pending: Vec::new(),
            failed: None,
        };
        Ok((decryptor, header_len))
    }

    /// The parsed header of the container being opened.
    pub fn header(&self) -> &ContainerHeader {
        &self.header
    }

    /// The header's bytes: every chunk's associated data.
    pub fn header_bytes(&self) -> &[u8] {
        &self.header_bytes
    }

    /// The AES-256 key, checked against the header, for opening the chunks with
    /// another AES-GCM implementation (see [`Encryptor::raw_key`]).
    pub fn raw_key(&self) -> &[u8; 32] {
        &self.aead_key
    }

    /// Feeds the next body bytes (any amount), appending the plaintext of
    /// every chunk that is complete and known not to be the last to `out`.
    /// The last chunk is held back until [`Decryptor::finish`].
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<(), ShareError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let segment_len = self.segment_len;
        if !self.pending.is_empty() {
            let room = segment_len - self.pending.len();
            if data.len() <= room {
                self.pending.extend_from_slice(data);
                return Ok(());
            }
            // More data follows this segment, so it is not the last chunk.
            self.pending.extend_from_slice(&data[..room]);
            data = &data[room..];
            let mut segment = std::mem::take(&mut self.pending);
            self.open(&segment, false, out)?;
            segment.clear();
            self.pending = segment;
        }
        while data.len() > segment_len {
            self.open(&data[..segment_len], false, out)?;
            data = &data[segment_len..];
        }
        self.pending.extend_from_slice(data);
        Ok(())
    }

    /// Opens the held-back last chunk. Fails if the body ended early.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), ShareError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        if self.pending.len() < TAG_LEN {
            return Err(ShareError::Incomplete);
        }
        let segment = std::mem::take(&mut self.pending);
        self.open(&segment, true, out)
    }

    fn open(&mut self, segment: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), ShareError> {
        let chunk = self.next_index;
        let result = self.try_open(segment, last, out);
        if result.is_err() {
            self.failed = Some(ShareError::Damaged { chunk });
        }
        result
    }

    fn try_open(&mut self, segment: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), ShareError> {
        let chunk = self.next_index;
        let damaged = ShareError::Damaged { chunk };
        // A valid container has at most 2^32 chunks.
        let index = u32::try_from(chunk).map_err(|_| damaged.clone())?;
        let (ciphertext, tag) = segment.split_at(segment.len() - TAG_LEN);
        let tag = aes_gcm::Tag::try_from(tag).map_err(|_| damaged.clone())?;
        let nonce = nonce(&self.header.nonce_prefix, index, last);
        let start = out.len();
        out.extend_from_slice(ciphertext);
        let opened =
            self.cipher.decrypt_inout_detached(&nonce.into(), &self.header_bytes, (&mut out[start..]).into(), &tag);
        if opened.is_err() {
            // Never hand out unauthenticated plaintext.
            out.truncate(start);
            return Err(damaged);
        }
        self.next_index += 1;
        Ok(())
    }
}

/// Decrypts a whole container.
pub fn decrypt(container: &[u8], secret: &Secret, password: Option<&str>) -> Result<Vec<u8>, ShareError> {
    let (mut decryptor, header_len) = Decryptor::new(container, secret, password)?;
    let body = &container[header_len..];
    // The plaintext is shorter than the body: bounded by the data present.
    let mut out = Vec::with_capacity(body.len());
    decryptor.update(body, &mut out)?;
    decryptor.finish(&mut out)?;
    Ok(out)
}
