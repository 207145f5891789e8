//! Feeds share container bytes to the header parser, the decryptor (fixed secret) and the envelope decoder; see `viewer_wasm::fuzzing`.
#![no_main]

use viewer_wasm::fuzzing::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::ShareContainer, bytes));
