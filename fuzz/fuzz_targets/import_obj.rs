//! Feeds OBJ text to the OBJ importer (no companion .mtl files); see `viewer_wasm::fuzzing`.
#![no_main]

use viewer_wasm::fuzzing::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Obj, bytes));
