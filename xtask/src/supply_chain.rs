//! `cargo deny`: licences, banned crates and crate sources of every dependency
//! (`deny.toml`), and the RustSec advisories when their database can be
//! fetched (it lives on GitHub, which machines without that network cannot
//! reach: the check then says it was skipped instead of failing).

use std::process::{Command, Stdio};

use anyhow::Result;

use crate::shell::{cargo, run_capture};
use crate::summary::Counts;

/// The advisory database fetch either answers within this or is unreachable.
const ADVISORY_FETCH_LIMIT_S: u32 = 90;

pub fn deny() -> Result<Counts> {
    let mut counts = Counts::default();
    let (ok, _) = run_capture(
        cargo().args(["deny", "--workspace", "check", "licenses", "bans", "sources"]),
        "cargo deny check licenses bans sources",
    )?;
    if ok {
        counts.passed += 1;
    } else {
        eprintln!("xtask: FAILED: cargo deny check licenses bans sources");
        counts.failed += 1;
    }
    advisories(&mut counts)?;
    Ok(counts)
}

fn advisories(counts: &mut Counts) -> Result<()> {
    eprintln!("xtask: cargo deny check advisories (when the RustSec database is reachable)");
    // coreutils' timeout: the fetch may hang rather than fail where the network is closed.
    let output = Command::new("timeout")
        .arg(ADVISORY_FETCH_LIMIT_S.to_string())
        .args(["cargo", "deny", "--workspace", "check", "advisories"])
        .stdin(Stdio::null())
        .output()?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        eprint!("{text}");
        counts.passed += 1;
    } else if text.contains("RUSTSEC-") {
        // An advisory names its RUSTSEC id: that is a finding, not a network problem.
        eprint!("{text}");
        eprintln!("xtask: FAILED: cargo deny check advisories");
        counts.failed += 1;
    } else {
        let reason = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("timed out").trim();
        eprintln!("xtask: advisories skipped: the RustSec database could not be fetched ({reason})");
    }
    Ok(())
}
