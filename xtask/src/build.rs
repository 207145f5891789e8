//! Builds the browser builds into `web/pkg/`, the server and the CLI.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::shell::{cargo, run};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// One browser build: a thin bindings crate, built for wasm32 and bound for the web.
struct BrowserBuild {
    /// Where the page loads it from: `web/pkg/<dir>/`.
    dir: &'static str,
    package: &'static str,
    /// Cargo features of the package (additive: each only adds to the build).
    features: &'static str,
    profile: &'static str,
}

/// The browser builds: `web/pkg/webgpu/` (the viewer, WebGPU only, loaded when an
/// adapter exists), `web/pkg/webgl/` (the viewer with the WebGL2 fallback) and
/// `web/pkg/tools/` (`tools-wasm`: encryption, QR codes, and the converters and
/// inspection with 3MF; loaded only to share, open a share, convert, inspect or
/// read a 3MF). None decodes images in Rust: the browser does.
///
/// The viewer builds load with the page: the `wasm-release` profile (Cargo.toml:
/// fat LTO, size-leaning optimisation) keeps them in the page-weight budget. The
/// tools build loads only on demand and converts whole models: full speed.
const BROWSER_BUILDS: [BrowserBuild; 3] = [
    BrowserBuild { dir: "webgpu", package: "viewer-wasm", features: "", profile: "wasm-release" },
    BrowserBuild { dir: "webgl", package: "viewer-wasm", features: "webgl", profile: "wasm-release" },
    BrowserBuild { dir: "tools", package: "tools-wasm", features: "", profile: "release" },
];

/// Each browser package with the feature sets it ships, for the wasm32 lints.
pub fn shipped_wasm_builds() -> impl Iterator<Item = (&'static str, &'static str)> {
    BROWSER_BUILDS.iter().map(|b| (b.package, b.features))
}

/// Builds every browser build into `web/pkg/`, with its TypeScript declarations.
pub fn wasm() -> Result<()> {
    for build in &BROWSER_BUILDS {
        let BrowserBuild { dir, package, features, profile } = build;
        let mut command = cargo();
        command.args(["build", "--profile", profile, "--lib", "-p", package, "--target", WASM_TARGET]);
        command.args(["--features", features]);
        run(&mut command, &format!("build {package} for wasm32 ({dir}, {profile})"))?;
        let wasm = format!("target/{WASM_TARGET}/{profile}/{}.wasm", package.replace('-', "_"));
        let out_dir = format!("web/pkg/{dir}");
        run(
            // Without the name section (function names for stack traces): it is a sixth
            // of the download (~48 KB gzip of the WebGPU build), and panics still report
            // their messages through the panic hook. The `.d.ts` declarations stay: the
            // JS type check (`tsc`) reads them; the page never loads them.
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--remove-name-section", "--remove-producers-section"])
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
