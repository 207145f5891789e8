//! `cargo xtask bench`: our viewer against three.js in headless Chromium, the
//! page weight, conversion and inspection against trimesh (and assimp), picking,
//! share encryption in the browser, and the share server against nginx
//! (`tests/bench/`). It prints figures and rewrites the results
//! section of BENCHMARKS.md; it is not a test and `cargo xtask test` never runs it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, bail};

use crate::build;
use crate::setup;
use crate::shell;

/// The benchmarks by name, in the order they run.
const NAMES: [&str; 6] = ["viewer", "convert", "inspect", "share-crypto", "share-server", "textures"];

/// `cargo xtask bench [name…]`: all of them, or the named ones (see [`NAMES`]).
pub fn run(args: &[String]) -> Result<()> {
    if let Some(unknown) = args.iter().find(|a| !NAMES.contains(&a.as_str())) {
        bail!("cargo xtask bench: unknown benchmark '{unknown}'; choose from {}", NAMES.join(", "));
    }
    let wanted = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    setup::wasm_toolchain()?;
    setup::test_system_packages()?;
    setup::bench_system_packages()?;
    setup::npm_packages()?;
    // Release builds: the figures are meant to be what users get.
    build::wasm()?;
    let server = build::server(true)?;
    let node_bench = |script: &str, cli: Option<PathBuf>, what: &str| -> Result<()> {
        let mut command = build::node_in_tests(&server)?;
        command.arg(format!("bench/{script}"));
        if let Some(cli) = cli {
            command.env("MODEL_STUDIO_BIN", cli);
        }
        shell::run(&mut command, what)
    };
    if wanted("viewer") {
        node_bench("viewer.bench.mjs", None, "benchmark: our viewer vs three.js (headless Chromium, a few minutes)")?;
    }
    if wanted("convert") || wanted("inspect") {
        setup::python_packages()?;
        let cli = std::fs::canonicalize(build::cli(true)?)?;
        if wanted("convert") {
            node_bench(
                "convert.bench.mjs",
                Some(cli.clone()),
                "benchmark: converting 1M triangles, ours (native and browser) vs trimesh, assimp and a file copy",
            )?;
        }
        if wanted("inspect") {
            node_bench(
                "inspect.bench.mjs",
                Some(cli),
                "benchmark: statistics and health of 1M triangles vs trimesh; BVH build and pick time",
            )?;
        }
    }
    if wanted("share-crypto") {
        node_bench("share-crypto.bench.mjs", None, "benchmark: share encryption in the browser vs WebCrypto")?;
    }
    if wanted("share-server") {
        node_bench(
            "share-server.bench.mjs",
            None,
            "benchmark: share server vs nginx on loopback, and its memory during a 1 GiB upload",
        )?;
    }
    if wanted("textures") {
        texture_decoding()?;
    }
    Ok(())
}

/// Browser decoders vs Rust's on the same 2048² PNG and JPEG: which one the
/// web build should use (it uses the browser's).
fn texture_decoding() -> Result<()> {
    let dir = std::env::temp_dir().join("model-studio-texture-bench");
    shell::run(
        Command::new("node").arg("bench/texture-decode.mjs").arg(&dir).current_dir("tests"),
        "benchmark: texture decoding in the browser",
    )?;
    shell::run(
        shell::cargo()
            .args(["test", "--release", "-p", "studio-model", "--test", "texture_decode_timing", "--"])
            .args(["--ignored", "--nocapture"])
            .env("TEXTURE_BENCH_DIR", &dir),
        "benchmark: texture decoding in Rust (native release)",
    )
}
