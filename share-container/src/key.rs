//! The link secret and the keys derived from it (and from a password).

use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::header::Kdf;
use crate::{RandomSource, ShareError};

/// Length of the link secret in bytes (256 bits).
pub const SECRET_LEN: usize = 32;

/// HKDF `info` labels for the two subkeys; part of the format.
const INFO_AEAD_KEY: &[u8] = b"3DMShare v1 AES-256-GCM key";
const INFO_KEY_CHECK: &[u8] = b"3DMShare v1 key check";

/// The 256-bit random secret carried in the link's fragment (`#…`), which
/// browsers never send to the server.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; SECRET_LEN]);

impl Secret {
    /// A fresh secret from `rng` (use [`crate::OsRandom`]).
    pub fn generate(rng: &mut dyn RandomSource) -> Result<Self, ShareError> {
        let mut bytes = [0u8; SECRET_LEN];
        rng.fill(&mut bytes)?;
        Ok(Secret(bytes))
    }

    /// The secret with exactly these bytes (e.g. from a test vector or a decoded link).
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        Secret(bytes)
    }

    /// The secret's raw bytes; keep them out of logs and anything sent to the server.
    pub fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// The secret as it appears in a link: 43 characters of unpadded base64url.
    pub fn to_fragment(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Parses [`Secret::to_fragment`]'s output; a leading `#` is accepted.
    /// Anything else (wrong length, padding, other alphabets, non-canonical
    /// trailing bits) is [`ShareError::InvalidLink`].
    pub fn from_fragment(fragment: &str) -> Result<Self, ShareError> {
        let text = fragment.strip_prefix('#').unwrap_or(fragment);
        if text.len() != 43 {
            return Err(ShareError::InvalidLink);
        }
        let decoded = URL_SAFE_NO_PAD.decode(text).map_err(|_| ShareError::InvalidLink)?;
        let bytes: [u8; SECRET_LEN] = decoded.try_into().map_err(|_| ShareError::InvalidLink)?;
        Ok(Secret(bytes))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key material.
        f.write_str("Secret(..)")
    }
}

/// Argon2id cost parameters, stored in the header of password-protected shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Argon2Params {
    /// What real shares use: OWASP's minimum recommendation for Argon2id
    /// (19 MiB, 2 passes, 1 lane).
    pub const DEFAULT: Argon2Params = Argon2Params { m_kib: 19 * 1024, t: 2, p: 1 };
    /// The accepted ranges. The upper bounds keep a hostile header from
    /// making a recipient's browser allocate or compute without limit.
    pub const MAX_M_KIB: u32 = 256 * 1024;
    /// The most Argon2id passes accepted.
    pub const MAX_T: u32 = 16;
    /// The most Argon2id lanes accepted.
    pub const MAX_P: u32 = 4;

    /// Checks the ranges: `1 <= p <= 4`, `8 * p <= m_kib <= 262144`, `1 <= t <= 16`.
    pub fn validate(&self) -> Result<(), ShareError> {
        let p_ok = (1..=Self::MAX_P).contains(&self.p);
        let m_ok = p_ok && (8 * self.p..=Self::MAX_M_KIB).contains(&self.m_kib);
        let t_ok = (1..=Self::MAX_T).contains(&self.t);
        if p_ok && m_ok && t_ok {
            Ok(())
        } else {
            Err(ShareError::Malformed(format!(
                "its password parameters (m={} KiB, t={}, p={}) are out of range",
                self.m_kib, self.t, self.p
            )))
        }
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The keys of one share.
pub(crate) struct Keys {
    pub(crate) cipher: Aes256Gcm,
    /// The raw AES key behind `cipher`, for a browser that seals or opens the
    /// chunks with its own (hardware) AES-GCM instead: same key, nonces and AAD.
    pub(crate) aead_key: [u8; 32],
    key_check_key: [u8; 32],
}

impl Keys {
    /// Derives the keys: the input keying material is the secret itself, or,
    /// with a password, Argon2id(secret ‖ UTF-8 password, salt, params); HKDF-SHA256
    /// (no salt) expands it into the AES key and the key-check key.
    pub(crate) fn derive(secret: &Secret, kdf: &Kdf, password: Option<&str>) -> Result<Keys, ShareError> {
        let mut ikm = [0u8; 32];
        match kdf {
            Kdf::None => ikm = secret.0,
            Kdf::Argon2id { params, salt } => {
                let password = match password {
                    Some(p) if !p.is_empty() => p,
                    _ => return Err(ShareError::PasswordRequired),
                };
                params.validate()?;
                let argon_params = argon2::Params::new(params.m_kib, params.t, params.p, Some(32))
                    .map_err(|e| ShareError::Kdf(e.to_string()))?;
                let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon_params);
                let mut input = Vec::with_capacity(SECRET_LEN + password.len());
                input.extend_from_slice(&secret.0);
                input.extend_from_slice(password.as_bytes());
                argon.hash_password_into(&input, salt, &mut ikm).map_err(|e| ShareError::Kdf(e.to_string()))?;
            }
        }
        let hkdf = Hkdf::<Sha256>::new(None, &ikm);
        let mut aead_key = [0u8; 32];
        let mut key_check_key = [0u8; 32];
        // 32 bytes is far below HKDF's 255 * 32 limit; these cannot fail.
        hkdf.expand(INFO_AEAD_KEY, &mut aead_key).map_err(|e| ShareError::Kdf(e.to_string()))?;
        hkdf.expand(INFO_KEY_CHECK, &mut key_check_key).map_err(|e| ShareError::Kdf(e.to_string()))?;
        Ok(Keys { cipher: Aes256Gcm::new(&aead_key.into()), aead_key, key_check_key })
    }

    fn mac(&self) -> Result<Hmac<Sha256>, ShareError> {
        // HMAC takes keys of any length; this cannot fail.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key_check_key).map_err(|e| ShareError::Kdf(e.to_string()))
    }

    /// HMAC-SHA256 of the header fields that precede the key check.
    pub(crate) fn key_check(&self, header_fields: &[u8]) -> Result<[u8; 32], ShareError> {
        let mut mac = self.mac()?;
        mac.update(header_fields);
        Ok(mac.finalize().into_bytes().into())
    }

    /// Compares a stored key check in constant time.
    pub(crate) fn verify_key_check(&self, header_fields: &[u8], stored: &[u8]) -> Result<(), ShareError> {
        let mut mac = self.mac()?;
        mac.update(header_fields);
        mac.verify_slice(stored).map_err(|_| ShareError::WrongKeyOrPassword)
    }
}
