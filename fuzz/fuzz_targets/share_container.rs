//! Feeds share container bytes to the header parser, the decryptor (fixed secret) and the envelope decoder; see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::ShareContainer, bytes));
