//! The encrypted share container: what the browser uploads when the user
//! creates a share link, and what a recipient's browser downloads and opens.
//!
//! ```text
//! Envelope (metadata JSON + original file bytes) ──encrypt──▶ container bytes ──▶ server
//!          ▲                                                        │
//!          └───────────────────────decrypt──────────────────────────┘
//! key = Secret (256 random bits, only in the URL fragment) [+ password via Argon2id]
//! ```
//!
//! The container is a header followed by AES-256-GCM ciphertext in fixed-size
//! chunks (the STREAM construction): every chunk's nonce carries its index and
//! a last-chunk flag and every chunk authenticates the whole header, so
//! truncation, reordering, swapped chunks and any changed byte are detected.
//! A key check in the header (an HMAC of the header under a key derived from
//! the same secret) tells a wrong key or password apart from damaged data and
//! can be verified from the header alone, before the body is downloaded.
//!
//! The byte layouts are specified in `docs/share-format.md`; this module is
//! plain Rust that builds natively and for wasm32 and never touches the web.

#![warn(missing_docs)]

mod envelope;
mod header;
mod key;
mod stream;

pub use envelope::{Companion, CompanionInfo, ENVELOPE_MAGIC, ENVELOPE_VERSION, Envelope, MAX_METADATA_LEN, Metadata};
pub use header::{
    ContainerHeader, DEFAULT_CHUNK_SIZE, FORMAT_VERSION, KEY_CHECK_LEN, Kdf, MAGIC, MAX_CHUNK_SIZE, MAX_HEADER_LEN,
    MIN_CHUNK_SIZE, NONCE_PREFIX_LEN, SALT_LEN, TAG_LEN,
};
pub use key::{Argon2Params, SECRET_LEN, Secret};
pub use stream::{Decryptor, EncryptOptions, Encryptor, decrypt, encrypt, encrypt_with_options, encrypted_len};

/// What can go wrong while sharing or opening a share. Messages are shown to
/// the user as-is.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShareError {
    /// The link's fragment is not a valid [`Secret`]: missing, cut short or altered.
    #[error("The link is incomplete: the key after '#' is missing or damaged. Copy the whole link and try again.")]
    InvalidLink,
    /// The share was made with a password and none was given.
    #[error("This share is protected by a password. Enter the password to open it.")]
    PasswordRequired,
    /// Also what a changed header byte looks like: the header's key check
    /// cannot tell a wrong key from a modified header.
    #[error("This share cannot be opened: the password is wrong, or the link was not copied whole.")]
    WrongKeyOrPassword,
    /// A chunk failed authentication: changed, swapped, reordered, or cut
    /// short at a chunk boundary (then the last chunk present lacks the
    /// last-chunk flag).
    #[error("The shared file is damaged or incomplete: part {chunk} of its data failed the integrity check.")]
    Damaged {
        /// Index of the chunk that failed, counted from 0.
        chunk: u64,
    },
    /// The data ends inside the header, or before the last chunk's tag.
    #[error("The shared file is damaged or incomplete: it ends before its last part.")]
    Incomplete,
    /// A format version this code does not know, presumably from a newer release.
    #[error(
        "This share was made by a newer version of 3D Model Studio ({part} version {version}). Reload the page to update, then try again."
    )]
    UnsupportedVersion {
        /// Which layer carries the version: "share format" (the container) or "envelope".
        part: &'static str,
        /// The version number found.
        version: u8,
    },
    /// The bytes break the container or envelope layout; the text says how.
    #[error("This is not a valid 3D Model Studio share: {0}.")]
    Malformed(String),
    /// An empty password was given when creating a share.
    #[error("The password is empty. Type a password, or share without one.")]
    EmptyPassword,
    /// Something exceeds what the format can hold: the file (more than 2³² chunks, or sizes
    /// overflowing) or the view-state metadata (over [`MAX_METADATA_LEN`] bytes of JSON).
    #[error("The {what} is too large to share.")]
    TooLarge {
        /// What is too large: "file" or "view state".
        what: &'static str,
    },
    /// The [`RandomSource`] failed; the text is its error.
    #[error("No secure random numbers are available, so nothing can be encrypted: {0}")]
    Random(String),
    /// Argon2id or HKDF key derivation failed; the text is its error.
    #[error("Deriving the key from the password failed: {0}")]
    Kdf(String),
    /// A caller passed a non-final chunk of the wrong size to [`Encryptor::seal_chunk`].
    #[error("Internal error: a chunk of {got} bytes was given where {expected} bytes were expected.")]
    ChunkLength {
        /// The container's chunk size in bytes.
        expected: usize,
        /// The length given, in bytes.
        got: usize,
    },
}

/// A source of cryptographically secure random bytes. [`OsRandom`] is the one
/// to use; tests substitute fixed bytes to make known-answer vectors.
pub trait RandomSource {
    /// Fills `buf` entirely with random bytes, or fails with [`ShareError::Random`].
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), ShareError>;
}

/// The operating system's generator (`getrandom`; `crypto.getRandomValues`
/// in the browser).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), ShareError> {
        getrandom::fill(buf).map_err(|e| ShareError::Random(e.to_string()))
    }
}
