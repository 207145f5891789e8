//! Builds the wasm viewer into `web/pkg/` and the server binary.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::shell::{cargo, run};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn wasm() -> Result<()> {
    run(
        cargo().args(["build", "--release", "--lib", "-p", "viewer-wasm", "--target", WASM_TARGET]),
        "build viewer-wasm for wasm32 (release)",
    )?;
    let wasm = format!("target/{WASM_TARGET}/release/viewer_wasm.wasm");
    run(
        Command::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir", "web/pkg", &wasm]),
        "wasm-bindgen → web/pkg",
    )
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
