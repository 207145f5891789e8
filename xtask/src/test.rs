//! `cargo xtask test`: every check, in the order that fails fastest.

use std::process::Command;

use anyhow::{Result, bail};

use crate::api_check;
use crate::build;
use crate::setup;
use crate::shell::{cargo, run_capture};
use crate::summary::{Counts, cargo_counts, node_counts};
use crate::supply_chain;

/// The JS under `web/`, type-checked in its two execution contexts (see web/tsconfig.json).
const TYPE_CHECKED_WEB: [(&str, &str); 2] =
    [("web/tsconfig.json", "tsc (web/: the page)"), ("web/tsconfig.workers.json", "tsc (web/: the workers)")];

/// `tsc --noEmit -p CONFIG`, with the TypeScript that `npm ci` put in tests/.
fn tsc(config: &str) -> Command {
    let mut command = Command::new("tests/node_modules/.bin/tsc");
    command.args(["--noEmit", "-p", config]);
    command
}

pub fn run(args: &[String]) -> Result<()> {
    let lint = !args.iter().any(|a| a == "--no-lint");
    let browser = !args.iter().any(|a| a == "--no-browser");
    setup::wasm_toolchain()?;
    setup::test_system_packages()?;
    if lint {
        setup::cargo_deny()?;
    }
    let python = if browser {
        setup::npm_packages()?;
        Some(setup::python_packages()?)
    } else {
        None
    };

    let mut total = Counts::default();
    // Steps without their own test counts (lints, builds) count as one check each.
    let check = |total: &mut Counts, ok: bool, name: &str| {
        if ok {
            total.passed += 1;
        } else {
            total.failed += 1;
            eprintln!("xtask: FAILED: {name}");
        }
    };

    if lint {
        let (ok, _) = run_capture(cargo().args(["fmt", "--all", "--check"]), "cargo fmt --check")?;
        check(&mut total, ok, "cargo fmt --check");
        let (ok, _) = run_capture(
            cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
            "clippy (native)",
        )?;
        check(&mut total, ok, "clippy native");
        // Intra-doc links are everywhere: a renamed item must not leave a dead link.
        let (ok, _) = run_capture(
            cargo().args(["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"),
            "cargo doc (-D warnings)",
        )?;
        check(&mut total, ok, "cargo doc");
        // Each browser build is linted for wasm32 with exactly the features it ships.
        for (package, features) in build::shipped_wasm_builds() {
            let name = format!("clippy wasm32 ({package}{}{features})", if features.is_empty() { "" } else { " + " });
            let (ok, _) = run_capture(
                cargo().args(["clippy", "-p", package, "--lib", "--target", "wasm32-unknown-unknown"]).args([
                    "--features",
                    features,
                    "--",
                    "-D",
                    "warnings",
                ]),
                &name,
            )?;
            check(&mut total, ok, &name);
        }
        total.add(supply_chain::deny()?);
    }

    // --no-fail-fast: one failing test binary must not hide the results of the others.
    let (ok, output) = run_capture(cargo().args(["test", "--workspace", "--no-fail-fast"]), "native tests")?;
    let counts = cargo_counts(&output);
    if !ok && counts.failed == 0 {
        check(&mut total, false, "native tests (build)");
    }
    total.add(counts);

    if browser {
        build::wasm()?;
        // After the wasm builds: the JS type check reads their `.d.ts` declarations.
        if lint {
            for (config, name) in TYPE_CHECKED_WEB {
                let (ok, _) = run_capture(&mut tsc(config), name)?;
                check(&mut total, ok, name);
            }
        }
        let server = build::server(false)?;
        let cli = build::cli(false)?;
        let (ok, output) = run_capture(
            build::node_in_tests(&server)?.env("MODEL_STUDIO_BIN", std::fs::canonicalize(cli)?).args([
                "--test",
                "--test-concurrency=1",
                "--test-reporter=tap",
                "browser/",
                "interop/",
                "lint/",
            ]),
            "browser tests (headless Chromium), third-party readers of our exports, and the JS type check's own test",
        )?;
        let counts = node_counts(&output);
        if !ok && counts.failed == 0 {
            check(&mut total, false, "browser tests (harness)");
        }
        total.add(counts);
        if let Some(python) = &python {
            total.add(api_check::schemathesis(&server, python)?);
        }
    }

    println!("\n{} passed, {} failed", total.passed, total.failed);
    if total.failed > 0 {
        bail!("{} checks failed", total.failed);
    }
    Ok(())
}
