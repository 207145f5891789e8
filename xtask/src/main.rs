//! Build and setup automation behind `cargo xtask`:
//!
//! - `serve`: installs what is missing, builds the wasm viewer and the server,
//!   and serves the app on http://127.0.0.1:8080.
//! - `test`: installs what is missing (wasm target, wasm-bindgen CLI, Chromium,
//!   lavapipe, npm and Python test packages, cargo-deny), runs lints and
//!   `cargo deny`, native tests (the fuzz corpora replayed among them), browser
//!   tests, third-party readers of our exports and schemathesis against the
//!   server, and prints one `N passed, N failed` summary.
//! - `bench`: builds in release and times our viewer against three.js in
//!   headless Chromium, writing the figures to BENCHMARKS.md (not a test).
//!
//! Each step lives in its own module; this file only dispatches.

mod api_check;
mod bench;
mod build;
mod setup;
mod shell;
mod summary;
mod supply_chain;
mod test;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = shell::workspace_root()?;
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("build") => {
            setup::wasm_toolchain()?;
            build::wasm()?;
            build::server(true)?;
            Ok(())
        }
        _ => bail!("usage: cargo xtask <serve [--listen ADDR] | test [--no-lint] [--no-browser] | build | bench>"),
    }
}

fn serve(args: &[String]) -> Result<()> {
    let listen = match args {
        [flag, addr, ..] if flag == "--listen" => addr.clone(),
        _ => "127.0.0.1:8080".to_string(),
    };
    setup::wasm_toolchain()?;
    build::wasm()?;
    let server = build::server(true)?;
    println!("Starting the server; open http://{listen}/ in your browser (Ctrl-C stops it).");
    shell::run(std::process::Command::new(server).args(["--listen", &listen, "--web-dir", "web"]), "share-server")
}
