//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and the
//! minimised crash inputs (`fuzz/regressions/<target>/`) through the same
//! [`fuzz_targets::run`] calls the `cargo fuzz` targets make, on the
//! stable toolchain, so that `cargo test --workspace` keeps every fixed crash
//! fixed. See `docs/fuzzing.md` for how the corpora were made.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fuzz_targets::{FUZZ_SECRET, Target, run};

/// Per input. The fuzzer ran with a 10 s timeout on an optimised build; every
/// corpus input takes milliseconds, so a second or more means a regression
/// (the dev profile builds this crate at opt-level 2).
const PER_INPUT: Duration = Duration::from_secs(2);
/// Per target, for the whole replay: keeps the test command's time bounded
/// even if many inputs get slower at once.
const PER_TARGET: Duration = Duration::from_secs(60);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of one folder, sorted for a stable order; `None` if it does not exist.
fn files_in(dir: &Path) -> Option<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.expect("a readable directory entry").path()).filter(|p| p.is_file()).collect();
    files.sort();
    Some(files)
}

fn replay(target: Target) {
    let name = target.name();
    let corpus_dir = fuzz_dir().join("corpus").join(name);
    let corpus = files_in(&corpus_dir).unwrap_or_default();
    // An empty or missing corpus would make this test pass on nothing.
    assert!(!corpus.is_empty(), "{name}: no corpus at {}", corpus_dir.display());
    // Regressions exist only for targets where the fuzzer found something.
    let regressions = files_in(&fuzz_dir().join("regressions").join(name)).unwrap_or_default();

    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, PathBuf::new());
    let started = Instant::now();
    for path in corpus.iter().chain(&regressions) {
        let bytes = std::fs::read(path).expect("a readable corpus file");
        let input_started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(target, &bytes)));
        let took = input_started.elapsed();
        if took > slowest.0 {
            slowest = (took, path.clone());
        }
        if outcome.is_err() {
            failures.push(format!("{} panicked", path.display()));
        } else if took > PER_INPUT {
            failures.push(format!("{} took {took:?} (bound {PER_INPUT:?})", path.display()));
        }
    }
    let total = started.elapsed();
    println!(
        "{name}: replayed {} corpus and {} regression inputs in {total:?}; slowest {:?} ({})",
        corpus.len(),
        regressions.len(),
        slowest.0,
        slowest.1.display()
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    assert!(total <= PER_TARGET, "{name}: the replay took {total:?} (bound {PER_TARGET:?})");
}

#[test]
fn import_stl() {
    replay(Target::Stl);
}

#[test]
fn import_gltf() {
    replay(Target::Gltf);
}

#[test]
fn import_obj() {
    replay(Target::Obj);
}

#[test]
fn import_ply() {
    replay(Target::Ply);
}

#[test]
fn import_off() {
    replay(Target::Off);
}

#[test]
fn import_3mf() {
    replay(Target::ThreeMf);
}

#[test]
fn share_container() {
    replay(Target::ShareContainer);
}

// ---------------------------------------------------------------------------
// Seeds of the share_container corpus

mod share_seeds {
    use share_container::{
        Argon2Params, Companion, EncryptOptions, Envelope, RandomSource, Secret, ShareError, encrypt_with_options,
    };

    use super::*;

    /// Counts up from a start byte: reproducible salts and nonce prefixes.
    struct CountingRandom(u8);

    impl RandomSource for CountingRandom {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), ShareError> {
            for b in buf {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }

    const TRIANGLE_OFF: &[u8] = b"OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";

    fn envelope(with_companion: bool) -> Vec<u8> {
        let companions =
            if with_companion { vec![Companion { name: "model.bin".into(), bytes: vec![7; 100] }] } else { Vec::new() };
        let view = serde_json::json!({ "units": "mm" });
        Envelope::new("model.off", "model/off", true, view, TRIANGLE_OFF.to_vec(), companions)
            .encode()
            .expect("an encodable envelope")
    }

    fn container(plaintext: &[u8], password: Option<&str>, chunk_size: u32) -> Vec<u8> {
        // The cheapest Argon2 parameters the header accepts: the fuzz target stops at
        // `PasswordRequired` anyway, this seed is for the header's Argon2 fields.
        let options = EncryptOptions { chunk_size, argon2: Argon2Params { m_kib: 8, t: 1, p: 1 } };
        let secret = Secret::from_bytes(FUZZ_SECRET);
        encrypt_with_options(plaintext, &secret, password, &options, &mut CountingRandom(1)).expect("a container")
    }

    /// Writes the seeds into `fuzz/corpus/share_container/`. Run by hand
    /// (`cargo test -p fuzz-targets --test fuzz_replay -- --ignored`) before fuzzing;
    /// the committed corpus is what the fuzzer made of them.
    #[test]
    #[ignore = "writes files: run by hand to re-seed the share_container corpus"]
    fn write_share_container_seeds() {
        let dir = fuzz_dir().join("corpus/share_container");
        std::fs::create_dir_all(&dir).expect("a corpus folder");
        let seeds: [(&str, Vec<u8>); 6] = [
            ("seed_small_chunks", container(&envelope(false), None, 64)),
            ("seed_companion", container(&envelope(true), None, 4096)),
            ("seed_empty_plaintext", container(b"", None, 64)),
            ("seed_not_an_envelope", container(TRIANGLE_OFF, None, 64)),
            ("seed_password", container(&envelope(false), Some("pw"), 64)),
            ("seed_plain_envelope", envelope(true)),
        ];
        for (name, bytes) in seeds {
            std::fs::write(dir.join(name), bytes).expect("a written seed");
        }
    }
}
