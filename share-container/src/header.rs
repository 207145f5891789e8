//! The container header: everything before the first chunk.
//!
//! All integers are unsigned big-endian. Layout (docs/share-format.md):
//!
//! ```text
//! 0   8  magic "3DMShare"
//! 8   1  format version (1)
//! 9   1  KDF id: 0 = none, 1 = Argon2id
//! 10  2  flags, 0
//! 12  4  chunk size (plaintext bytes per chunk)
//! 16  7  nonce prefix
//! 23 28  Argon2id only: m_kib (4), t (4), p (4), salt (16)
//! ..  32 key check: HMAC-SHA256(key-check key, all preceding header bytes)
//! ```

use crate::ShareError;
use crate::key::Argon2Params;

/// The eight bytes `3DMShare` that start every container.
pub const MAGIC: [u8; 8] = *b"3DMShare";
/// The container format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Length in bytes of the random nonce prefix; each chunk's 12-byte nonce adds its 4-byte index and a last-chunk byte.
pub const NONCE_PREFIX_LEN: usize = 7;
/// Length in bytes of the Argon2id salt.
pub const SALT_LEN: usize = 16;
/// Length in bytes of the key check (an HMAC-SHA256) that ends the header.
pub const KEY_CHECK_LEN: usize = 32;
/// AES-GCM tag appended to every chunk.
pub const TAG_LEN: usize = 16;
/// Plaintext bytes per chunk in shares this code creates.
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// Smallest plaintext chunk size, in bytes, a header may declare.
pub const MIN_CHUNK_SIZE: u32 = 64;
/// Largest plaintext chunk size, in bytes (16 MiB), a header may declare; bounds what a reader buffers.
pub const MAX_CHUNK_SIZE: u32 = 16 * 1024 * 1024;

const KDF_NONE: u8 = 0;
const KDF_ARGON2ID: u8 = 1;
const FIXED_LEN: usize = 23;
const ARGON2_LEN: usize = 12 + SALT_LEN;
/// The longest header of this format version; reading this many bytes (or
/// the whole container, if shorter) is always enough for [`ContainerHeader::parse`].
pub const MAX_HEADER_LEN: usize = FIXED_LEN + ARGON2_LEN + KEY_CHECK_LEN;

/// How the key is derived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kdf {
    /// No password: the key material is the link secret.
    None,
    /// A password: Argon2id over the link secret and the password.
    Argon2id {
        /// Cost parameters, validated against [`Argon2Params::validate`]'s ranges.
        params: Argon2Params,
        /// Random salt, fresh for each share.
        salt: [u8; SALT_LEN],
    },
}

/// A parsed container header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerHeader {
    /// Plaintext bytes per chunk, [`MIN_CHUNK_SIZE`]..=[`MAX_CHUNK_SIZE`]; only the last chunk may be shorter.
    pub chunk_size: u32,
    /// Random prefix of every chunk's nonce, unique to this container.
    pub nonce_prefix: [u8; NONCE_PREFIX_LEN],
    /// How the key is derived: from the link secret alone, or with a password.
    pub kdf: Kdf,
    /// HMAC-SHA256 of the preceding header bytes, which tells a wrong key or password from damaged data.
    pub key_check: [u8; KEY_CHECK_LEN],
}

impl ContainerHeader {
    /// Whether opening the share needs a password (ask before downloading the body).
    pub fn password_required(&self) -> bool {
        matches!(self.kdf, Kdf::Argon2id { .. })
    }

    /// Encoded length in bytes, key check included.
    pub fn encoded_len(&self) -> usize {
        self.fields_len() + KEY_CHECK_LEN
    }

    fn fields_len(&self) -> usize {
        match self.kdf {
            Kdf::None => FIXED_LEN,
            Kdf::Argon2id { .. } => FIXED_LEN + ARGON2_LEN,
        }
    }

    /// The header bytes that the key check covers (everything but the key check).
    pub(crate) fn encode_fields(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT_VERSION);
        out.push(match self.kdf {
            Kdf::None => KDF_NONE,
            Kdf::Argon2id { .. } => KDF_ARGON2ID,
        });
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(&self.chunk_size.to_be_bytes());
        out.extend_from_slice(&self.nonce_prefix);
        if let Kdf::Argon2id { params, salt } = &self.kdf {
            out.extend_from_slice(&params.m_kib.to_be_bytes());
            out.extend_from_slice(&params.t.to_be_bytes());
            out.extend_from_slice(&params.p.to_be_bytes());
            out.extend_from_slice(salt);
        }
        out
    }

    /// The complete encoded header.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.encode_fields();
        out.extend_from_slice(&self.key_check);
        out
    }

    /// Parses the header at the start of `bytes` (which may continue with the
    /// body). Checks are structural only; the key check needs the key.
    ///
    /// Errors: [`ShareError::Incomplete`] when `bytes` is a proper prefix of a
    /// header (read more, up to [`MAX_HEADER_LEN`]);
    /// [`ShareError::UnsupportedVersion`] for another format version;
    /// [`ShareError::Malformed`] otherwise.
    pub fn parse(bytes: &[u8]) -> Result<ContainerHeader, ShareError> {
        let magic_len = bytes.len().min(MAGIC.len());
        if bytes[..magic_len] != MAGIC[..magic_len] {
            return Err(ShareError::Malformed("it does not start like a share".into()));
        }
        if bytes.len() < 10 {
            return Err(ShareError::Incomplete);
        }
        if bytes[8] != FORMAT_VERSION {
            return Err(ShareError::UnsupportedVersion { part: "share format", version: bytes[8] });
        }
        let fields_len = match bytes[9] {
            KDF_NONE => FIXED_LEN,
            KDF_ARGON2ID => FIXED_LEN + ARGON2_LEN,
            other => return Err(ShareError::Malformed(format!("its key derivation {other} is unknown"))),
        };
        if bytes.len() < fields_len + KEY_CHECK_LEN {
            return Err(ShareError::Incomplete);
        }
        let flags = u16::from_be_bytes([bytes[10], bytes[11]]);
        if flags != 0 {
            return Err(ShareError::Malformed(format!("its header flags {flags:#06x} are unknown")));
        }
        let chunk_size = be_u32(bytes, 12);
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(ShareError::Malformed(format!("its chunk size {chunk_size} is out of range")));
        }
        let mut nonce_prefix = [0u8; NONCE_PREFIX_LEN];
        nonce_prefix.copy_from_slice(&bytes[16..FIXED_LEN]);
        let kdf = if bytes[9] == KDF_ARGON2ID {
            let params = Argon2Params {
                m_kib: be_u32(bytes, FIXED_LEN),
                t: be_u32(bytes, FIXED_LEN + 4),
                p: be_u32(bytes, FIXED_LEN + 8),
            };
            params.validate()?;
            let mut salt = [0u8; SALT_LEN];
            salt.copy_from_slice(&bytes[FIXED_LEN + 12..fields_len]);
            Kdf::Argon2id { params, salt }
        } else {
            Kdf::None
        };
        let mut key_check = [0u8; KEY_CHECK_LEN];
        key_check.copy_from_slice(&bytes[fields_len..fields_len + KEY_CHECK_LEN]);
        Ok(ContainerHeader { chunk_size, nonce_prefix, kdf, key_check })
    }
}

/// Reads a big-endian u32 at `at`; the caller has checked the length.
fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}
