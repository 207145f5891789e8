//! Share ids and owner tokens: generation, strict parsing and hashing.
//!
//! Ids are 128 random bits (22 base64url characters, no padding): unguessable, so
//! knowing one share's id says nothing about any other. Parsing is strict (exact length,
//! base64url alphabet only) so that an id can be used as a file name without any
//! possibility of path traversal, and malformed requests are rejected before any
//! storage lookup.
//!
//! Owner tokens are 256 random bits (43 base64url characters). The server keeps only
//! their SHA-256 hash, so a leaked database does not let anyone delete shares, and
//! compares hashes in constant time so response timing reveals nothing about a token.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Random bytes in an id.
const ID_BYTES: usize = 16;
/// Length of an id in base64url without padding: ceil(16 * 4 / 3).
pub const ID_LEN: usize = 22;
/// Random bytes in an owner token.
const TOKEN_BYTES: usize = 32;
/// Characters of an id that may appear in logs; too few to be of any use for guessing.
const LOG_PREFIX_LEN: usize = 6;

/// A syntactically valid share id. Only [`ShareId::generate`] and [`ShareId::parse`]
/// create one, so every value is safe to use as a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShareId(String);

/// Why a string is not a share id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed share id")]
pub struct MalformedId;

impl ShareId {
    /// A fresh random id.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(URL_SAFE_NO_PAD.encode(random_bytes::<ID_BYTES>()?)))
    }

    /// Accepts exactly [`ID_LEN`] characters of the base64url alphabet.
    pub fn parse(text: &str) -> Result<Self, MalformedId> {
        let valid = text.len() == ID_LEN
            && text.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        if valid { Ok(Self(text.to_owned())) } else { Err(MalformedId) }
    }

    /// The whole id, for file names, database rows and URLs. It is half of what opens a
    /// share, so logs get [`ShareId::log_prefix`] (or `Display`) instead.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first few characters, for logs (whole ids are capabilities and stay out of logs).
    pub fn log_prefix(&self) -> &str {
        &self.0[..LOG_PREFIX_LEN]
    }
}

impl fmt::Display for ShareId {
    /// Only the log prefix, so that formatting an id by accident can never log it whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…", self.log_prefix())
    }
}

/// A freshly generated owner token: the secret (given once to the creator) and its hash
/// (the only thing stored).
pub struct OwnerToken {
    /// 256 random bits as 43 base64url characters; returned once to the creator, never
    /// stored or logged.
    pub secret: String,
    /// SHA-256 of `secret` (see [`hash_token`]), the only part the server stores.
    pub hash: [u8; 32],
}

impl fmt::Debug for OwnerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnerToken(<redacted>)")
    }
}

impl OwnerToken {
    /// A fresh random token and its hash; fails only if the OS random source does.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let secret = URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>()?);
        let hash = hash_token(&secret);
        Ok(Self { secret, hash })
    }
}

/// SHA-256 of a token as presented. A plain hash suffices (no salt or slow KDF) because
/// tokens carry 256 random bits: there is no dictionary to attack.
pub fn hash_token(token: &str) -> [u8; 32] {
    let digest = Sha256::digest(token.as_bytes());
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&digest);
    hash
}

/// Whether `presented` is the token whose hash is `stored`, in constant time.
pub fn token_matches(presented: &str, stored: &[u8; 32]) -> bool {
    hash_token(presented).ct_eq(stored).into()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_and_differ() {
        let a = ShareId::generate().expect("random");
        let b = ShareId::generate().expect("random");
        assert_eq!(a.as_str().len(), ID_LEN);
        assert_eq!(ShareId::parse(a.as_str()), Ok(a.clone()));
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "short",
            "../../../../etc/passwd",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAAA/",
            "AAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(ShareId::parse(bad), Err(MalformedId), "{bad}");
        }
        assert!(ShareId::parse("AAAAAAAAAAAAAAAAAAAA-_").is_ok());
    }

    #[test]
    fn tokens_match_only_themselves() {
        let token = OwnerToken::generate().expect("random");
        assert_eq!(token.secret.len(), 43);
        assert!(token_matches(&token.secret, &token.hash));
        assert!(!token_matches("wrong", &token.hash));
        assert!(!format!("{token:?}").contains(&token.secret));
    }
}
