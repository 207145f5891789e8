//! Installs what the build and tests need when it is missing, so a fresh
//! machine needs nothing but Rust and this repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::shell::{cargo, output_of, run};

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
pub fn pinned_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

/// The wasm32 target and the matching wasm-bindgen CLI.
pub fn wasm_toolchain() -> Result<()> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]), "rustup target add wasm32")?;
    }
    let version = pinned_wasm_bindgen_version()?;
    let installed = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed != format!("wasm-bindgen {version}") {
        // No --locked: the registry mirror can lag behind the CLI's own lockfile.
        run(
            cargo().args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]),
            &format!("cargo install wasm-bindgen-cli {version} (about 5 minutes)"),
        )?;
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = output_of("id", &["-u"]).as_deref() != Some("0");
    let apt = |args: &[&str]| {
        let mut command = if sudo { Command::new("sudo") } else { Command::new("apt-get") };
        if sudo {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(&mut apt(&["update", "-qq"]), "apt-get update")?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(packages);
    run(&mut install, &format!("apt-get install {}", packages.join(" ")))
}

/// Debian's Chromium (browser tests), lavapipe (native GPU tests) and poppler's
/// PDF tools (the report test).
pub fn test_system_packages() -> Result<()> {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    if !Path::new("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json").exists()
        && !Path::new("/usr/share/vulkan/icd.d/lvp_icd.json").exists()
    {
        missing.push("mesa-vulkan-drivers");
    }
    // pdftotext and pdftoppm read the inspection report's PDF in the browser tests.
    if !Path::new("/usr/bin/pdftotext").exists() || !Path::new("/usr/bin/pdftoppm").exists() {
        missing.push("poppler-utils");
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    Ok(())
}

/// nginx and curl (the share server benchmark), assimp (the conversion benchmark); bench only.
pub fn bench_system_packages() -> Result<()> {
    let mut missing = Vec::new();
    if !Path::new("/usr/sbin/nginx").exists() {
        missing.push("nginx");
    }
    if !Path::new("/usr/bin/curl").exists() {
        missing.push("curl");
    }
    // `assimp export`: the conversion benchmark's second peer.
    if !Path::new("/usr/bin/assimp").exists() {
        missing.push("assimp-utils");
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    Ok(())
}

/// The browser test dependencies, exactly as locked.
pub fn npm_packages() -> Result<()> {
    let lock = Path::new("tests/package-lock.json");
    let installed = Path::new("tests/node_modules/.package-lock.json");
    let up_to_date = match (std::fs::metadata(lock), std::fs::metadata(installed)) {
        (Ok(a), Ok(b)) => b.modified()? >= a.modified()?,
        _ => false,
    };
    if !up_to_date {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir("tests"), "npm ci (tests/)")?;
    }
    Ok(())
}

/// The Python test tools, exactly as pinned: trimesh and lib3mf
/// (`tests/interop/requirements.txt`, reading our exports) and schemathesis
/// (`tests/server/requirements.txt`, checking the share server's API), in a
/// virtual environment at `tests/.venv`. Reinstalled when a pin changes.
/// Returns the venv's Python.
pub fn python_packages() -> Result<PathBuf> {
    let requirements = [Path::new("tests/interop/requirements.txt"), Path::new("tests/server/requirements.txt")];
    let venv = Path::new("tests/.venv");
    let stamp = venv.join("installed-requirements.txt");
    let mut wanted = String::new();
    for file in requirements {
        wanted += &std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    }
    let python = venv.join("bin/python");
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == wanted) {
        return Ok(python);
    }
    if !python.exists() {
        let created = Command::new("python3").args(["-m", "venv"]).arg(venv).status().is_ok_and(|s| s.success());
        if !created {
            // Debian splits venv support into its own package.
            apt_install(&["python3-venv"])?;
            run(Command::new("python3").args(["-m", "venv"]).arg(venv), "python3 -m venv tests/.venv")?;
        }
    }
    let mut pip = Command::new(venv.join("bin/pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check"]);
    for file in requirements {
        pip.arg("-r").arg(file);
    }
    run(&mut pip, "pip install -r tests/interop/requirements.txt -r tests/server/requirements.txt")?;
    std::fs::write(stamp, wanted)?;
    Ok(python)
}

/// cargo-deny, pinned, for the licence, ban and source checks (`deny.toml`).
pub fn cargo_deny() -> Result<()> {
    let installed = output_of("cargo-deny", &["--version"]).unwrap_or_default();
    if installed != format!("cargo-deny {CARGO_DENY_VERSION}") {
        run(
            cargo().args(["install", "cargo-deny", "--locked", "--version", CARGO_DENY_VERSION]),
            &format!("cargo install cargo-deny {CARGO_DENY_VERSION} (about 6 minutes)"),
        )?;
    }
    Ok(())
}

/// A newer cargo-deny may read `deny.toml` differently: updating it is a deliberate change.
const CARGO_DENY_VERSION: &str = "0.20.2";
