//! The encrypted share container (`share_container`): known-answer vectors,
//! round trips, and every kind of damage a stored or transferred share can
//! suffer being detected with the right error.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashSet;

use proptest::prelude::*;
use share_container::{
    Argon2Params, Companion, ContainerHeader, DEFAULT_CHUNK_SIZE, Decryptor, ENVELOPE_MAGIC, EncryptOptions, Encryptor,
    Envelope, Kdf, MAX_HEADER_LEN, OsRandom, RandomSource, Secret, ShareError, TAG_LEN, decrypt, encrypt,
    encrypt_with_options, encrypted_len,
};

// ---------------------------------------------------------------------------
// Allocation tracking: the largest single allocation made by the current
// thread, to show that hostile lengths never size an allocation.

struct TrackingAllocator;

thread_local! {
    static LARGEST_ALLOCATION: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation(size: usize) {
    let _ = LARGEST_ALLOCATION.try_with(|largest| largest.set(largest.get().max(size)));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the wrapper only records sizes in a thread-local `Cell`, which
// does not allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for TrackingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: TrackingAllocator = TrackingAllocator;

/// Runs `f` and returns its result with the largest single allocation it made.
fn largest_allocation_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST_ALLOCATION.with(|largest| largest.set(0));
    let result = f();
    (result, LARGEST_ALLOCATION.with(Cell::get))
}

// ---------------------------------------------------------------------------
// Helpers

/// Serves fixed bytes in order, for reproducible containers.
struct FixedRandom(Vec<u8>);

impl RandomSource for FixedRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), ShareError> {
        assert!(self.0.len() >= buf.len(), "FixedRandom ran out of bytes");
        let rest = self.0.split_off(buf.len());
        buf.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn secret() -> Secret {
    Secret::from_bytes(std::array::from_fn(|i| i as u8))
}

fn other_secret() -> Secret {
    Secret::from_bytes(std::array::from_fn(|i| 0x40 + i as u8))
}

/// Cheap Argon2 for tests that run many decryptions; real shares use [`Argon2Params::DEFAULT`].
const TEST_ARGON2: Argon2Params = Argon2Params { m_kib: 64, t: 1, p: 1 };

fn small_chunks() -> EncryptOptions {
    EncryptOptions { chunk_size: 64, argon2: TEST_ARGON2 }
}

fn default_chunks_cheap_kdf() -> EncryptOptions {
    EncryptOptions { chunk_size: DEFAULT_CHUNK_SIZE, argon2: TEST_ARGON2 }
}

/// Text that repeats, so that any leak of plaintext structure would show.
fn repeated_text(len: usize) -> Vec<u8> {
    b"The quick brown fox jumps over the lazy dog. ".iter().copied().cycle().take(len).collect()
}

/// A pseudo-random but reproducible plaintext (xorshift), so that chunks differ.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn header_len(container: &[u8]) -> usize {
    ContainerHeader::parse(container).unwrap().encoded_len()
}

/// Splits a container into its header and its chunks (ciphertext ‖ tag each).
fn split(container: &[u8], chunk_size: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let header_len = header_len(container);
    let chunks = container[header_len..].chunks(chunk_size + TAG_LEN).map(<[u8]>::to_vec).collect();
    (container[..header_len].to_vec(), chunks)
}

fn join(header: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header.to_vec();
    for chunk in chunks {
        out.extend_from_slice(chunk);
    }
    out
}

// ---------------------------------------------------------------------------
// Known-answer vectors.
//
// Generated once by this crate (`encrypt_with_options` with `FixedRandom`
// supplying the nonce prefix a0 a1 .. a6 and then the salt b0 b1 .. bf, the
// secret 00 01 .. 1f, 64-byte chunks, TEST_ARGON2 for the password vector)
// and checked against an independent implementation written from
// docs/share-format.md: Python 3.11 with `cryptography` 48.0.0 (HKDF, HMAC,
// Argon2id and AESGCM from OpenSSL) decrypted all three vectors to the
// expected plaintext, verified both key checks, and re-encrypted chunk 0 of
// KAT_NO_PASSWORD to the same bytes.

const KAT_PLAINTEXT_LEN: usize = 150;
const KAT_PASSWORD: &str = "correct horse battery staple";

const KAT_NO_PASSWORD: &str = "
    33444d53686172650100000000000040a0a1a2a3a4a5a638d4dfb8a771cb8f1e36edcb49262d74b6e04d9e3b4cb784dd
    9d594bade7c3e9f369a18b5611d3e45225a9451b1f37f1b227ae9356285eff136419f8da669121a2e75e80f3342e99f9
    ddb4afa7da9adbb6956118c6595e97d0fadcad6a1a882b8436d153e316c85da1a4d06effe391bd48ec2ebcb21bd2393d
    dad72c1345c93aad1386e5b692b18e62df937704a03fd77dd10b5f97ffcda81a2c91879c0258deea5190b3cffab47015
    9e50063b4bd88d0785cbf2dec3d2619f9594f8fcf424d3a0c8663e1fdbbd60a8c1407b3267859f1535a6608b20dfdc8e
    ac2e9af7215c76f430d1cb5a2f
";
const KAT_PASSWORD_CONTAINER: &str = "
    33444d53686172650101000000000040a0a1a2a3a4a5a6000000400000000100000001b0b1b2b3b4b5b6b7b8b9babbbc
    bdbebf830f238b836a011df1f1468a337d12690ea1273859dd595fff38062432a0709bbdd9b8d00e31f56127a4c9a200
    e431ad27d0f5beff8ebb2ca792b3ac542c6659f01a8fb0fc33113010648a435c3f0208e4dee27848cb372781001e5e7e
    0a147799c54fbd67d590923e04b537451f2ae36bb0b9b60c9bb3e71746aaed368729e2c8f20740a68ec21d65b293248b
    d3db592592c6816cfb4145f6b109d17b40577a3ca7bb31584726b591e988129aa6d9f75541dee1e9b38fdfde9e7d92eb
    13c77c1411a6b59dfd839c0e1c074b4718314bd539942eac372109f4a5dc1e868a42e1b3171deeb0aa
";
const KAT_EMPTY: &str = "
    33444d53686172650100000000000040a0a1a2a3a4a5a638d4dfb8a771cb8f1e36edcb49262d74b6e04d9e3b4cb784dd
    9d594bade7c3e99975fdfa1fe7d9c7e6d390d7d18a4b70
";

fn kat_random() -> FixedRandom {
    FixedRandom((0xa0..=0xa6).chain(0xb0..=0xbf).collect())
}

#[test]
fn known_answer_vectors() {
    let plaintext = repeated_text(KAT_PLAINTEXT_LEN);
    let cases: [(&str, &[u8], Option<&str>); 3] = [
        (KAT_NO_PASSWORD, &plaintext, None),
        (KAT_PASSWORD_CONTAINER, &plaintext, Some(KAT_PASSWORD)),
        (KAT_EMPTY, b"", None),
    ];
    for (expected, plaintext, password) in cases {
        let container =
            encrypt_with_options(plaintext, &secret(), password, &small_chunks(), &mut kat_random()).unwrap();
        assert_eq!(hex(&container), expected.split_whitespace().collect::<String>(), "password {password:?}");
        assert_eq!(decrypt(&unhex(expected), &secret(), password).unwrap(), plaintext);
    }
}

#[test]
fn known_answer_header_fields() {
    let container = unhex(KAT_PASSWORD_CONTAINER);
    let header = ContainerHeader::parse(&container).unwrap();
    assert_eq!(header.chunk_size, 64);
    assert_eq!(header.nonce_prefix, [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6]);
    let salt: [u8; 16] = std::array::from_fn(|i| 0xb0 + i as u8);
    assert_eq!(header.kdf, Kdf::Argon2id { params: TEST_ARGON2, salt });
    assert!(header.password_required());
    assert_eq!(header.encoded_len(), MAX_HEADER_LEN);
    assert_eq!(header.encode(), container[..MAX_HEADER_LEN]);
    let plain = ContainerHeader::parse(&unhex(KAT_NO_PASSWORD)).unwrap();
    assert!(!plain.password_required());
    assert_eq!(plain.encoded_len(), 55);
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn round_trip_at_chunk_boundaries() {
    let chunk = DEFAULT_CHUNK_SIZE as usize;
    for len in [0, 1, chunk - 1, chunk, chunk + 1, chunk * 7 / 2] {
        let plaintext = noise(len, len as u64);
        let container = encrypt(&plaintext, &secret(), None).unwrap();
        assert_eq!(container.len() as u64, encrypted_len(len as u64, DEFAULT_CHUNK_SIZE, false), "len {len}");
        assert_eq!(decrypt(&container, &secret(), None).unwrap(), plaintext, "len {len}");
        let with_password =
            encrypt_with_options(&plaintext, &secret(), Some("pw"), &default_chunks_cheap_kdf(), &mut OsRandom)
                .unwrap();
        assert_eq!(with_password.len() as u64, encrypted_len(len as u64, DEFAULT_CHUNK_SIZE, true), "len {len}");
        assert_eq!(decrypt(&with_password, &secret(), Some("pw")).unwrap(), plaintext, "len {len}");
    }
}

#[test]
fn default_password_parameters_are_the_strong_ones_and_work() {
    assert_eq!(EncryptOptions::default().argon2, Argon2Params { m_kib: 19 * 1024, t: 2, p: 1 });
    assert_eq!(EncryptOptions::default().chunk_size, 64 * 1024);
    let plaintext = repeated_text(1000);
    let container = encrypt(&plaintext, &secret(), Some("s3cret pässword")).unwrap();
    let header = ContainerHeader::parse(&container).unwrap();
    assert!(matches!(header.kdf, Kdf::Argon2id { params: Argon2Params::DEFAULT, .. }));
    assert_eq!(decrypt(&container, &secret(), Some("s3cret pässword")).unwrap(), plaintext);
    assert_eq!(decrypt(&container, &secret(), Some("s3cret password")), Err(ShareError::WrongKeyOrPassword));
}

#[test]
fn fresh_randomness_for_every_container() {
    let plaintext = repeated_text(100);
    let a = encrypt_with_options(&plaintext, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let b = encrypt_with_options(&plaintext, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    assert_ne!(a[16..23], b[16..23], "nonce prefixes");
    assert_ne!(a, b);
    assert_ne!(Secret::generate(&mut OsRandom).unwrap(), Secret::generate(&mut OsRandom).unwrap());
}

#[test]
fn streaming_matches_one_shot() {
    let chunk = 64;
    let plaintext = noise(chunk * 5 + 17, 7);
    let one_shot = encrypt_with_options(&plaintext, &secret(), Some("pw"), &small_chunks(), &mut kat_random()).unwrap();

    let mut encryptor = Encryptor::new(&secret(), Some("pw"), &small_chunks(), &mut kat_random()).unwrap();
    let mut streamed = encryptor.header().to_vec();
    let mut pieces = plaintext.chunks(chunk).peekable();
    while let Some(piece) = pieces.next() {
        if pieces.peek().is_some() {
            encryptor.seal_chunk(piece, &mut streamed).unwrap();
        } else {
            encryptor.seal_last(piece, &mut streamed).unwrap();
            break;
        }
    }
    assert_eq!(streamed, one_shot);

    // Fed in uneven pieces, including ones that end exactly on chunk boundaries.
    for piece_len in [1, 7, 63, 80, 81, 200, 10_000] {
        let (mut decryptor, header_len) = Decryptor::new(&one_shot[..MAX_HEADER_LEN], &secret(), Some("pw")).unwrap();
        let mut out = Vec::new();
        for piece in one_shot[header_len..].chunks(piece_len) {
            decryptor.update(piece, &mut out).unwrap();
            assert!(out.len() <= plaintext.len());
        }
        decryptor.finish(&mut out).unwrap();
        assert_eq!(out, plaintext, "pieces of {piece_len}");
    }
}

#[test]
fn streaming_writer_may_end_with_an_empty_last_chunk() {
    let plaintext = noise(128, 3);
    let mut encryptor = Encryptor::new(&secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let mut container = encryptor.header().to_vec();
    encryptor.seal_chunk(&plaintext[..64], &mut container).unwrap();
    encryptor.seal_chunk(&plaintext[64..], &mut container).unwrap();
    encryptor.seal_last(&[], &mut container).unwrap();
    assert_eq!(decrypt(&container, &secret(), None).unwrap(), plaintext);
}

#[test]
fn encryptor_refuses_wrong_chunk_lengths() {
    let mut encryptor = Encryptor::new(&secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let mut out = Vec::new();
    assert_eq!(encryptor.seal_chunk(&[0; 63], &mut out), Err(ShareError::ChunkLength { expected: 64, got: 63 }));
    assert_eq!(encryptor.seal_last(&[0; 65], &mut out), Err(ShareError::ChunkLength { expected: 64, got: 65 }));
    let too_small = EncryptOptions { chunk_size: 63, ..small_chunks() };
    assert!(matches!(Encryptor::new(&secret(), None, &too_small, &mut OsRandom), Err(ShareError::Malformed(_))));
}

// ---------------------------------------------------------------------------
// Damage: every byte, truncation, reordering

/// Every single-byte change anywhere is rejected; in the body it is reported
/// as damage to the chunk that holds the byte.
#[test]
fn flipping_any_byte_fails() {
    let chunk = 64;
    let plaintext = repeated_text(chunk * 7 / 2);
    for password in [None, Some("pw")] {
        let container = encrypt_with_options(&plaintext, &secret(), password, &small_chunks(), &mut OsRandom).unwrap();
        let header_len = header_len(&container);
        for index in 0..container.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut damaged = container.clone();
                damaged[index] ^= mask;
                let result = decrypt(&damaged, &secret(), password);
                if index < header_len {
                    assert!(result.is_err(), "header byte {index} ^ {mask:#x} accepted");
                } else {
                    let chunk_index = ((index - header_len) / (chunk + TAG_LEN)) as u64;
                    assert_eq!(result, Err(ShareError::Damaged { chunk: chunk_index }), "byte {index} ^ {mask:#x}");
                }
            }
        }
    }
}

#[test]
fn header_changes_are_reported_by_kind() {
    let container = encrypt_with_options(b"hello", &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let with = |index: usize, value: u8| {
        let mut changed = container.clone();
        changed[index] = value;
        decrypt(&changed, &secret(), None)
    };
    assert!(matches!(with(0, b'4'), Err(ShareError::Malformed(_))));
    assert_eq!(with(8, 2), Err(ShareError::UnsupportedVersion { part: "share format", version: 2 }));
    assert!(matches!(with(9, 7), Err(ShareError::Malformed(_))), "unknown KDF");
    assert!(matches!(with(11, 1), Err(ShareError::Malformed(_))), "flags");
    assert!(matches!(with(12, 0xff), Err(ShareError::Malformed(_))), "chunk size");
    assert_eq!(with(16, container[16] ^ 1), Err(ShareError::WrongKeyOrPassword), "nonce prefix");
    assert_eq!(with(30, container[30] ^ 1), Err(ShareError::WrongKeyOrPassword), "key check");
    // Marking a share as password-protected shifts every later field.
    assert!(with(9, 1).is_err());
}

#[test]
fn dropping_the_last_chunk_fails() {
    let chunk = DEFAULT_CHUNK_SIZE as usize;
    // Last chunk partly full, and exactly full (the cut lands on a chunk boundary either way).
    for len in [chunk * 7 / 2, chunk * 3] {
        let container = encrypt(&noise(len, 1), &secret(), None).unwrap();
        let (header, chunks) = split(&container, chunk);
        let shortened = join(&header, &chunks[..chunks.len() - 1]);
        let last_kept = chunks.len() as u64 - 2;
        assert_eq!(decrypt(&shortened, &secret(), None), Err(ShareError::Damaged { chunk: last_kept }), "len {len}");
        // Only the header left.
        assert_eq!(decrypt(&header, &secret(), None), Err(ShareError::Incomplete));
    }
}

#[test]
fn swapping_reordering_or_duplicating_chunks_fails() {
    let chunk = DEFAULT_CHUNK_SIZE as usize;
    let container = encrypt(&noise(chunk * 7 / 2, 2), &secret(), None).unwrap();
    let (header, chunks) = split(&container, chunk);
    assert_eq!(chunks.len(), 4);

    let mut swapped = chunks.clone();
    swapped.swap(1, 2);
    assert_eq!(decrypt(&join(&header, &swapped), &secret(), None), Err(ShareError::Damaged { chunk: 1 }));

    let mut rotated = chunks[..3].to_vec();
    rotated.rotate_left(1);
    rotated.push(chunks[3].clone());
    assert_eq!(decrypt(&join(&header, &rotated), &secret(), None), Err(ShareError::Damaged { chunk: 0 }));

    let mut duplicated = chunks.clone();
    duplicated.insert(1, chunks[0].clone());
    assert_eq!(decrypt(&join(&header, &duplicated), &secret(), None), Err(ShareError::Damaged { chunk: 1 }));

    // The last chunk (sealed as last) moved into the middle.
    let mut last_moved = chunks[..2].to_vec();
    last_moved.push(chunks[3].clone());
    last_moved.push(chunks[2].clone());
    assert_eq!(decrypt(&join(&header, &last_moved), &secret(), None), Err(ShareError::Damaged { chunk: 2 }));

    // A chunk from another container made with the same key.
    let other = encrypt(&noise(chunk * 7 / 2, 2), &secret(), None).unwrap();
    let (_, other_chunks) = split(&other, chunk);
    let mut mixed = chunks.clone();
    mixed[1] = other_chunks[1].clone();
    assert_eq!(decrypt(&join(&header, &mixed), &secret(), None), Err(ShareError::Damaged { chunk: 1 }));
}

#[test]
fn truncating_anywhere_fails() {
    let plaintext = repeated_text(64 * 7 / 2);
    let container = encrypt_with_options(&plaintext, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let header_len = header_len(&container);
    for len in 0..container.len() {
        let result = decrypt(&container[..len], &secret(), None);
        assert!(result.is_err(), "cut at {len} accepted");
        // Cut in the header or within a tag's length after a chunk boundary:
        // incomplete; otherwise the shortened last chunk fails to open.
        let after_boundary = len.saturating_sub(header_len) % (64 + TAG_LEN);
        if len < header_len + TAG_LEN || after_boundary < TAG_LEN && after_boundary != 0 {
            assert_eq!(result, Err(ShareError::Incomplete), "cut at {len}");
        } else {
            assert!(matches!(result, Err(ShareError::Damaged { .. })), "cut at {len}: {result:?}");
        }
    }
    // Extra bytes at the end are damage too.
    let mut longer = container.clone();
    longer.push(0);
    assert!(matches!(decrypt(&longer, &secret(), None), Err(ShareError::Damaged { .. })));
}

#[test]
fn damage_messages_say_damaged_or_incomplete() {
    for error in [ShareError::Damaged { chunk: 3 }, ShareError::Incomplete] {
        assert!(error.to_string().contains("damaged or incomplete"), "{error}");
    }
}

// ---------------------------------------------------------------------------
// Keys and passwords

#[test]
fn wrong_key_or_password_fails() {
    let plaintext = repeated_text(300);
    let plain = encrypt_with_options(&plaintext, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    assert_eq!(decrypt(&plain, &other_secret(), None), Err(ShareError::WrongKeyOrPassword));
    // A password offered for a share without one is not needed and ignored.
    assert_eq!(decrypt(&plain, &secret(), Some("unused")).unwrap(), plaintext);

    let protected = encrypt_with_options(&plaintext, &secret(), Some("right"), &small_chunks(), &mut OsRandom).unwrap();
    assert_eq!(decrypt(&protected, &secret(), Some("wrong")), Err(ShareError::WrongKeyOrPassword));
    assert_eq!(decrypt(&protected, &secret(), Some("Right")), Err(ShareError::WrongKeyOrPassword));
    assert_eq!(decrypt(&protected, &other_secret(), Some("right")), Err(ShareError::WrongKeyOrPassword));
    assert_eq!(decrypt(&protected, &secret(), None), Err(ShareError::PasswordRequired));
    assert_eq!(decrypt(&protected, &secret(), Some("")), Err(ShareError::PasswordRequired));
    assert_eq!(decrypt(&protected, &secret(), Some("right")).unwrap(), plaintext);
    // The header alone says whether to ask for a password, and checks it.
    let header = &protected[..MAX_HEADER_LEN];
    assert!(ContainerHeader::parse(header).unwrap().password_required());
    assert!(Decryptor::new(header, &secret(), Some("right")).is_ok());
    assert!(matches!(Decryptor::new(header, &secret(), Some("wrong")), Err(ShareError::WrongKeyOrPassword)));
}

#[test]
fn empty_password_is_refused_when_sharing() {
    assert_eq!(
        encrypt_with_options(b"x", &secret(), Some(""), &small_chunks(), &mut OsRandom).err(),
        Some(ShareError::EmptyPassword)
    );
}

#[test]
fn out_of_range_argon2_parameters_are_refused() {
    for params in [
        Argon2Params { m_kib: 7, t: 1, p: 1 },
        Argon2Params { m_kib: 256 * 1024 + 1, t: 1, p: 1 },
        Argon2Params { m_kib: 64, t: 0, p: 1 },
        Argon2Params { m_kib: 64, t: 17, p: 1 },
        Argon2Params { m_kib: 64, t: 1, p: 0 },
        Argon2Params { m_kib: 64, t: 1, p: 5 },
    ] {
        let options = EncryptOptions { chunk_size: 64, argon2: params };
        let result = encrypt_with_options(b"x", &secret(), Some("pw"), &options, &mut OsRandom);
        assert!(matches!(result, Err(ShareError::Malformed(_))), "{params:?}");
    }
    // The same ranges apply to headers read from a container (m = 2^32 - 1 KiB here).
    let mut container = unhex(KAT_PASSWORD_CONTAINER);
    container[23..27].copy_from_slice(&[0xff; 4]);
    assert!(matches!(ContainerHeader::parse(&container), Err(ShareError::Malformed(_))));
}

#[test]
fn secret_fragment_round_trip_and_rejects() {
    let secret = secret();
    let fragment = secret.to_fragment();
    assert_eq!(fragment.len(), 43);
    assert_eq!(fragment, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    assert_eq!(Secret::from_fragment(&fragment).unwrap(), secret);
    assert_eq!(Secret::from_fragment(&format!("#{fragment}")).unwrap(), secret);
    let random = Secret::generate(&mut OsRandom).unwrap();
    assert_eq!(Secret::from_fragment(&random.to_fragment()).unwrap(), random);
    assert!(!format!("{random:?}").contains(&random.to_fragment()), "Debug must not print the secret");
    for bad in [
        "",
        "#",
        &fragment[..42],
        &format!("{fragment}A"),
        &format!("{fragment}="),
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", // standard alphabet
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", // nonzero trailing bits
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh ",
    ] {
        assert_eq!(Secret::from_fragment(bad), Err(ShareError::InvalidLink), "{bad:?}");
    }
}

// ---------------------------------------------------------------------------
// No plaintext in the ciphertext

/// No 64-byte window of the plaintext (highly repetitive text inside a real
/// envelope) appears anywhere in the container.
#[test]
fn ciphertext_never_contains_a_plaintext_window() {
    const WINDOW: usize = 64;
    let file = repeated_text(300_000);
    let envelope = Envelope::new(
        "fox.stl",
        "model/stl",
        true,
        serde_json::json!({ "camera": { "yaw": 0.5, "pitch": 0.25, "distance": 10.0 }, "units": "mm" }),
        file,
        Vec::new(),
    );
    let plaintext = envelope.encode().unwrap();
    let plaintext_windows: HashSet<&[u8]> = plaintext.windows(WINDOW).collect();
    for password in [None, Some("pw")] {
        let container =
            encrypt_with_options(&plaintext, &secret(), password, &default_chunks_cheap_kdf(), &mut OsRandom).unwrap();
        let leaked = container.windows(WINDOW).filter(|w| plaintext_windows.contains(w)).count();
        assert_eq!(leaked, 0, "password {password:?}");
        // And the file name and view state are not visible either.
        for needle in [&b"fox.stl"[..], b"model/stl", b"camera"] {
            assert!(!container.windows(needle.len()).any(|w| w == needle));
        }
    }
}

// ---------------------------------------------------------------------------
// Envelope

fn sample_envelope() -> Envelope {
    Envelope::new(
        "scene.gltf",
        "model/gltf+json",
        false,
        serde_json::json!({ "camera": [1, 2, 3], "edges": true }),
        br#"{"asset":{"version":"2.0"}}"#.to_vec(),
        vec![
            Companion { name: "scene.bin".into(), bytes: noise(1000, 5) },
            Companion { name: "textures/a.png".into(), bytes: Vec::new() },
            Companion { name: "b.jpg".into(), bytes: noise(10, 6) },
        ],
    )
}

#[test]
fn envelope_round_trip_through_a_container() {
    let envelope = sample_envelope();
    let encoded = envelope.encode().unwrap();
    let container = encrypt_with_options(&encoded, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
    let decoded = Envelope::decode(decrypt(&container, &secret(), None).unwrap()).unwrap();
    assert_eq!(decoded, envelope);
    let names: Vec<&str> = decoded.companion_files().map(|(name, _)| name).collect();
    assert_eq!(names, ["scene.bin", "textures/a.png", "b.jpg"]);
    assert_eq!(decoded.metadata.size, 27);
    assert!(!decoded.metadata.allow_download);

    // A streaming writer's head followed by the files is the same encoding.
    let mut streamed = envelope.metadata.encode_head().unwrap();
    streamed.extend_from_slice(&envelope.file);
    for bytes in &envelope.companions {
        streamed.extend_from_slice(bytes);
    }
    assert_eq!(streamed, encoded);

    let single = Envelope::new("a.stl", "model/stl", true, serde_json::Value::Null, vec![1, 2, 3], Vec::new());
    assert_eq!(Envelope::decode(single.encode().unwrap()).unwrap(), single);
    let empty = Envelope::new("", "model/stl", true, serde_json::Value::Null, Vec::new(), Vec::new());
    assert_eq!(Envelope::decode(empty.encode().unwrap()).unwrap(), empty);
}

#[test]
fn envelope_encoding_is_as_documented() {
    let envelope = Envelope::new("a.stl", "model/stl", true, serde_json::Value::Null, vec![9, 8, 7], Vec::new());
    let encoded = envelope.encode().unwrap();
    let json = br#"{"name":"a.stl","media_type":"model/stl","size":3,"allow_download":true,"view":null}"#;
    let mut expected = b"3DMe\x01".to_vec();
    expected.extend_from_slice(&(json.len() as u32).to_be_bytes());
    expected.extend_from_slice(json);
    expected.extend_from_slice(&3u64.to_be_bytes());
    expected.extend_from_slice(&[9, 8, 7]);
    assert_eq!(encoded, expected);
}

#[test]
fn envelope_with_inconsistent_sizes_is_not_encoded() {
    let mut envelope = sample_envelope();
    envelope.metadata.size += 1;
    assert!(matches!(envelope.encode(), Err(ShareError::Malformed(_))));
}

/// Builds an envelope from raw parts, to write hostile ones.
fn raw_envelope(version: u8, metadata_len: u32, metadata: &[u8], files_len: u64, data: &[u8]) -> Vec<u8> {
    let mut out = ENVELOPE_MAGIC.to_vec();
    out.push(version);
    out.extend_from_slice(&metadata_len.to_be_bytes());
    out.extend_from_slice(metadata);
    out.extend_from_slice(&files_len.to_be_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn hostile_envelope_lengths_are_refused_without_large_allocations() {
    let meta = |size: u64, companions: &str| {
        format!(r#"{{"name":"x","media_type":"model/stl","size":{size},"companions":[{companions}]}}"#).into_bytes()
    };
    let ok_meta = meta(4, "");
    let ok_len = ok_meta.len() as u32;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("metadata length 4 GiB", raw_envelope(1, u32::MAX, &ok_meta, 4, &[1, 2, 3, 4])),
        ("metadata length past the end", raw_envelope(1, ok_len + 100, &ok_meta, 4, &[1, 2, 3, 4])),
        ("metadata length just over 1 MiB", raw_envelope(1, 1024 * 1024 + 1, &ok_meta, 4, &[1, 2, 3, 4])),
        ("file data length 2^64 - 1", raw_envelope(1, ok_len, &ok_meta, u64::MAX, &[1, 2, 3, 4])),
        ("file data length one short", raw_envelope(1, ok_len, &ok_meta, 3, &[1, 2, 3, 4])),
        ("file data length one long", raw_envelope(1, ok_len, &ok_meta, 5, &[1, 2, 3, 4])),
        ("size 2^64 - 1", {
            let m = meta(u64::MAX, "");
            raw_envelope(1, m.len() as u32, &m, 4, &[1, 2, 3, 4])
        }),
        ("size larger than the data", {
            let m = meta(1 << 40, "");
            raw_envelope(1, m.len() as u32, &m, 4, &[1, 2, 3, 4])
        }),
        ("companion sizes overflow", {
            let m = meta(4, r#"{"name":"a","size":18446744073709551615},{"name":"b","size":1}"#);
            raw_envelope(1, m.len() as u32, &m, 4, &[1, 2, 3, 4])
        }),
        ("companion larger than the data", {
            let m = meta(0, r#"{"name":"a","size":1099511627776}"#);
            raw_envelope(1, m.len() as u32, &m, 4, &[1, 2, 3, 4])
        }),
        ("metadata not JSON", raw_envelope(1, 3, b"abc", 0, &[])),
        ("metadata not an object", raw_envelope(1, 2, b"[]", 0, &[])),
        ("metadata missing size", raw_envelope(1, 12, br#"{"name":"x"}"#, 0, &[])),
        ("negative size", {
            let m = br#"{"name":"x","media_type":"m","size":-1}"#;
            raw_envelope(1, m.len() as u32, m, 0, &[])
        }),
        ("cut inside the prefix", b"3DMe\x01\x00\x00".to_vec()),
        ("cut inside the file data length", raw_envelope(1, ok_len, &ok_meta, 4, &[])[..ok_meta.len() + 12].to_vec()),
        ("wrong magic", b"3DMx\x01\x00\x00\x00\x00".to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        let input_len = bytes.len();
        let (result, largest) = largest_allocation_during(|| Envelope::decode(bytes));
        assert!(matches!(result, Err(ShareError::Malformed(_))), "{what}: {result:?}");
        assert!(largest <= input_len + 4096, "{what}: allocated {largest} bytes for {input_len} bytes of input");
    }
    let future = raw_envelope(2, ok_len, &ok_meta, 4, &[1, 2, 3, 4]);
    assert_eq!(Envelope::decode(future), Err(ShareError::UnsupportedVersion { part: "envelope", version: 2 }));
    // The well-formed version of the same is accepted, unknown fields ignored.
    let m = br#"{"name":"x","media_type":"model/stl","size":4,"annotations":[1,2],"view":{"a":1}}"#;
    let decoded = Envelope::decode(raw_envelope(1, m.len() as u32, m, 4, &[1, 2, 3, 4])).unwrap();
    assert_eq!(decoded.file, [1, 2, 3, 4]);
    assert_eq!(decoded.metadata.view, serde_json::json!({ "a": 1 }));
}

#[test]
fn hostile_containers_are_refused_without_large_allocations() {
    // A header claiming 16 MiB chunks in front of a small body: the key check
    // fails before anything is buffered.
    let mut container = unhex(KAT_NO_PASSWORD);
    container[12..16].copy_from_slice(&(16u32 << 20).to_be_bytes());
    let input_len = container.len();
    let (result, largest) = largest_allocation_during(|| decrypt(&container, &secret(), None));
    assert_eq!(result, Err(ShareError::WrongKeyOrPassword));
    assert!(largest <= input_len + 4096, "allocated {largest}");
    // A valid container with large chunks, fed in small pieces, buffers no more than it was given.
    let plaintext = noise(1000, 9);
    let options = EncryptOptions { chunk_size: 16 << 20, argon2: TEST_ARGON2 };
    let big_chunks = encrypt_with_options(&plaintext, &secret(), None, &options, &mut OsRandom).unwrap();
    let (mut decryptor, header_len) = Decryptor::new(&big_chunks, &secret(), None).unwrap();
    let mut out = Vec::new();
    let (_, largest) = largest_allocation_during(|| {
        for piece in big_chunks[header_len..].chunks(100) {
            decryptor.update(piece, &mut out).unwrap();
        }
    });
    assert!(largest <= 4096, "allocated {largest}");
    decryptor.finish(&mut out).unwrap();
    assert_eq!(out, plaintext);
}

#[test]
fn header_parsing_needs_only_the_header() {
    let container = unhex(KAT_PASSWORD_CONTAINER);
    for len in 0..MAX_HEADER_LEN {
        assert_eq!(ContainerHeader::parse(&container[..len]), Err(ShareError::Incomplete), "len {len}");
    }
    assert!(ContainerHeader::parse(&container[..MAX_HEADER_LEN]).is_ok());
    assert!(matches!(ContainerHeader::parse(b"PK\x03\x04 a zip file"), Err(ShareError::Malformed(_))));
    assert!(matches!(ContainerHeader::parse(b"3DMx"), Err(ShareError::Malformed(_))));
}

// ---------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn prop_round_trip(plaintext in proptest::collection::vec(any::<u8>(), 0..700), password in proptest::option::of("[a-z]{1,8}")) {
        let container = encrypt_with_options(&plaintext, &secret(), password.as_deref(), &small_chunks(), &mut OsRandom).unwrap();
        prop_assert_eq!(container.len() as u64, encrypted_len(plaintext.len() as u64, 64, password.is_some()));
        prop_assert_eq!(decrypt(&container, &secret(), password.as_deref()).unwrap(), plaintext);
    }

    #[test]
    fn prop_any_single_change_is_rejected(
        plaintext in proptest::collection::vec(any::<u8>(), 0..700),
        position in any::<prop::sample::Index>(),
        mask in 1u8..=255,
        password in proptest::option::of("[a-z]{1,8}"),
    ) {
        let container = encrypt_with_options(&plaintext, &secret(), password.as_deref(), &small_chunks(), &mut OsRandom).unwrap();
        let mut changed = container.clone();
        changed[position.index(container.len())] ^= mask;
        prop_assert!(decrypt(&changed, &secret(), password.as_deref()).is_err());
    }

    #[test]
    fn prop_any_truncation_is_rejected(plaintext in proptest::collection::vec(any::<u8>(), 0..700), cut in any::<prop::sample::Index>()) {
        let container = encrypt_with_options(&plaintext, &secret(), None, &small_chunks(), &mut OsRandom).unwrap();
        let len = cut.index(container.len());
        prop_assert!(decrypt(&container[..len], &secret(), None).is_err());
    }
}

// ---------------------------------------------------------------------------
// The raw key handed to the browser's WebCrypto: sealing each chunk with it,
// the documented nonce and the header as associated data must give exactly
// the container's bytes, and the decryptor must hand out the same key.

#[test]
fn raw_key_with_documented_nonces_reproduces_every_chunk() {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let plaintext = noise(64 * 3 + 10, 7);
    let mut encryptor = Encryptor::new(&secret(), None, &small_chunks(), &mut kat_random()).unwrap();
    let (key, prefix) = encryptor.raw_key();
    let (key, prefix) = (*key, *prefix);
    let header = encryptor.header().to_vec();
    let mut container = header.clone();
    for chunk in plaintext[..64 * 3].chunks(64) {
        encryptor.seal_chunk(chunk, &mut container).unwrap();
    }
    encryptor.seal_last(&plaintext[64 * 3..], &mut container).unwrap();

    let cipher = aes_gcm::Aes256Gcm::new(&key.into());
    let mut expected = header.clone();
    let chunks: Vec<&[u8]> = plaintext.chunks(64).collect();
    for (index, chunk) in chunks.iter().enumerate() {
        let mut nonce = [0u8; 12];
        nonce[..7].copy_from_slice(&prefix);
        nonce[7..11].copy_from_slice(&(index as u32).to_be_bytes());
        nonce[11] = u8::from(index == chunks.len() - 1);
        let mut buffer = chunk.to_vec();
        let tag = cipher.encrypt_inout_detached(&nonce.into(), &header, buffer.as_mut_slice().into()).unwrap();
        expected.extend_from_slice(&buffer);
        expected.extend_from_slice(&tag);
    }
    assert_eq!(container, expected);

    let (decryptor, header_len) = Decryptor::new(&container, &secret(), None).unwrap();
    assert_eq!(decryptor.raw_key(), &key);
    assert_eq!(decryptor.header_bytes(), &container[..header_len]);
}
