//! Feeds OBJ text to the OBJ importer (no companion .mtl files); see `fuzz_targets`.
#![no_main]

use fuzz_targets::{Target, run};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| run(Target::Obj, bytes));
