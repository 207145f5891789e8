//! Feeds 3MF (zip) bytes to the 3MF importer; see `viewer_wasm::fuzzing`.
#![no_main]

use viewer_wasm::fuzzing::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::ThreeMf, bytes));
