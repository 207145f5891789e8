//! Feeds 3MF (zip) bytes to the 3MF importer; see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::ThreeMf, bytes));
