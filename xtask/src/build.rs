//! Builds the wasm viewer into `web/pkg/` and the server binary.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::shell::{cargo, run};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The browser builds: `web/pkg/webgpu/` (WebGPU only, loaded when an adapter
/// exists), `web/pkg/webgl/` (with the WebGL2 fallback) and `web/pkg/share/`
/// (the share and tools bindings: encryption, QR codes, and the converters
/// with 3MF; loaded only to share, open a share, convert or read a 3MF). None
/// decodes images in Rust: the browser does.
pub fn wasm() -> Result<()> {
    // The viewer builds load with the page: the `wasm-release` profile (Cargo.toml:
    // fat LTO, size-leaning optimisation) keeps them in the page-weight budget. The
    // tools build loads only on demand and converts whole models: full speed.
    let builds =
        [("webgpu", "", "wasm-release"), ("webgl", "webgl", "wasm-release"), ("share", "share-web,threemf", "release")];
    for (variant, features, profile) in builds {
        let mut command = cargo();
        command.args(["build", "--profile", profile, "--lib", "-p", "viewer-wasm", "--target", WASM_TARGET]);
        command.args(["--no-default-features", "--features", features]);
        run(&mut command, &format!("build viewer-wasm for wasm32 ({variant}, {profile})"))?;
        let wasm = format!("target/{WASM_TARGET}/{profile}/viewer_wasm.wasm");
        let out_dir = format!("web/pkg/{variant}");
        run(
            // Without the name section (function names for stack traces): it is a sixth
            // of the download (~48 KB gzip of the WebGPU build), and panics still report
            // their messages through the panic hook.
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section"])
                .args(["--out-dir", &out_dir, &wasm]),
            &format!("wasm-bindgen → {out_dir}"),
        )?;
    }
    Ok(())
}

/// Builds the server and returns the path of its binary.
pub fn server(release: bool) -> Result<PathBuf> {
    let mut command = cargo();
    command.args(["build", "-p", "share-server", "--bin", "share-server"]);
    if release {
        command.arg("--release");
    }
    run(&mut command, "build share-server")?;
    let profile = if release { "release" } else { "debug" };
    Ok(PathBuf::from(format!("target/{profile}/share-server")))
}

/// Builds the `model-studio` command-line tool (debug) and returns its path.
pub fn cli(release: bool) -> Result<PathBuf> {
    let mut command = cargo();
    command.args(["build", "-p", "model-studio", "--bin", "model-studio"]);
    if release {
        command.arg("--release");
    }
    run(&mut command, &format!("build model-studio{}", if release { " (release)" } else { "" }))?;
    Ok(PathBuf::from(if release { "target/release/model-studio" } else { "target/debug/model-studio" }))
}

/// `node ARGS…` in `tests/`, pointed at the built server binary and the web dir
/// (what the browser tests and the benchmark both need).
pub fn node_in_tests(server: &std::path::Path) -> Result<Command> {
    let mut command = Command::new("node");
    command
        .current_dir("tests")
        .env("SHARE_SERVER_BIN", std::fs::canonicalize(server)?)
        .env("WEB_DIR", std::fs::canonicalize("web")?);
    Ok(command)
}
