//! Feeds OFF text to the OFF importer; see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Off, bytes));
