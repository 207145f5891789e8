//! Feeds GLB or glTF JSON bytes to the glTF importer (no companion files); see `viewer_wasm::fuzzing`.
#![no_main]

use viewer_wasm::fuzzing::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Gltf, bytes));
