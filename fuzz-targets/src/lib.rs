//! What the fuzz targets feed, in one place: the `cargo fuzz` targets in
//! `fuzz/fuzz_targets/` are one-line calls of [`run`], and the stable test
//! `tests/fuzz_replay.rs` replays the committed corpora through the same calls,
//! so a crash found by the fuzzer stays fixed without a nightly toolchain.
//!
//! Every function ignores the result: the property under test is that hostile
//! bytes give an `Err` (or a scene that passes [`sanity_check`]) without a
//! panic, a hang or an allocation out of proportion to the input.

#![warn(missing_docs)]

use share_container::{ContainerHeader, Decryptor, Envelope, SECRET_LEN, Secret};
use studio_model::import::{self, Companions, Progress, sanity_check};
use studio_model::model::Scene;

/// One fuzz target per importer, and the share container's decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Binary and ASCII STL, both parsers on every input.
    Stl,
    /// GLB or glTF JSON (without companion files).
    Gltf,
    /// Wavefront OBJ (without an MTL library).
    Obj,
    /// PLY, ASCII or binary.
    Ply,
    /// OFF text.
    Off,
    /// 3MF packages (zip container and model XML).
    ThreeMf,
    /// An encrypted share container opened with [`FUZZ_SECRET`], and the envelope decoder on the raw bytes.
    ShareContainer,
}

impl Target {
    /// The target's name under `fuzz/fuzz_targets/`, `fuzz/corpus/` and `fuzz/regressions/`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Stl => "import_stl",
            Target::Gltf => "import_gltf",
            Target::Obj => "import_obj",
            Target::Ply => "import_ply",
            Target::Off => "import_off",
            Target::ThreeMf => "import_3mf",
            Target::ShareContainer => "share_container",
        }
    }
}

/// The link secret of the fuzzed containers. Fixed, so that seed containers
/// made with it pass the header's key check and the fuzzer reaches the chunks.
pub const FUZZ_SECRET: [u8; SECRET_LEN] = [0x5a; SECRET_LEN];

/// Feeds `bytes` to `target`.
pub fn run(target: Target, bytes: &[u8]) {
    let mut ignore_progress = |_| {};
    let progress = &mut Progress::new(&mut ignore_progress);
    let no_companions = &Companions::new();
    match target {
        // Both STL parsers: content detection would send most inputs to only one.
        Target::Stl => {
            check(import::stl::import_binary(bytes, progress));
            check(import::stl::import_ascii(bytes, progress));
        }
        // GLB or glTF JSON, told apart by the importer from the magic.
        Target::Gltf => check(import::gltf::import(bytes, no_companions, progress)),
        Target::Obj => check(import::obj::import(bytes, no_companions, progress)),
        Target::Ply => check(import::ply::import(bytes, progress)),
        Target::Off => check(import::off::import(bytes, progress)),
        Target::ThreeMf => check(import::threemf::import(bytes, progress)),
        Target::ShareContainer => share_container(bytes),
    }
}

/// Runs the checks [`import::import`] runs on a parsed scene.
fn check(result: Result<Scene, import::ImportError>) {
    if let Ok(scene) = result {
        let _ = sanity_check(&scene);
    }
}

/// Body bytes per [`Decryptor::update`] call: not a multiple of any chunk
/// size, so that segments straddle calls and the held-back buffer is used.
const UPDATE_PIECE: usize = 1000;

/// The share container as a recipient opens it: header, key check, chunks,
/// then the envelope inside. The envelope decoder also gets the raw input,
/// as the fuzzer cannot forge the chunks' authentication tags.
fn share_container(bytes: &[u8]) {
    let _ = ContainerHeader::parse(bytes);
    // No password: a password-protected header stops at `PasswordRequired`
    // rather than running Argon2id (by design up to 256 MiB and seconds per input).
    if let Ok((mut decryptor, header_len)) = Decryptor::new(bytes, &Secret::from_bytes(FUZZ_SECRET), None) {
        let mut plaintext = Vec::new();
        let opened =
            bytes[header_len..].chunks(UPDATE_PIECE).try_for_each(|piece| decryptor.update(piece, &mut plaintext));
        if opened.is_ok() && decryptor.finish(&mut plaintext).is_ok() {
            let _ = Envelope::decode(plaintext);
        }
    }
    let _ = Envelope::decode(bytes.to_vec());
}
