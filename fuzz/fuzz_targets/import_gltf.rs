//! Feeds GLB or glTF JSON bytes to the glTF importer (no companion files); see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Gltf, bytes));
