//! Feeds PLY bytes (ASCII or binary) to the PLY importer; see `viewer_wasm::fuzzing`.
#![no_main]

use viewer_wasm::fuzzing::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Ply, bytes));
