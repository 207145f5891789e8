//! Feeds STL bytes to both STL importers (binary and ASCII); see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Stl, bytes));
