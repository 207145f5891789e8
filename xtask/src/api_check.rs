//! schemathesis against the real server binary: property-based requests
//! generated from the OpenAPI description the server itself serves, checking
//! every answer against it (no 5xx, no undocumented status or body).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::shell::run_capture;
use crate::summary::{Counts, plain_counts};

/// Stops the server however the check ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `server` on a free loopback port with a fresh data directory and the
/// rate limits off (schemathesis would otherwise mostly meet 429s), runs
/// `tests/server/schemathesis.sh` with the venv's Python and returns its counts.
pub fn schemathesis(server: &Path, python: &Path) -> Result<Counts> {
    // Absolute, as the script runs schemathesis from a temporary directory; not
    // canonicalised, which would resolve the venv's python link to the system
    // interpreter and lose the venv's packages.
    let python = std::env::current_dir()?.join(python);
    let data_dir = std::env::temp_dir().join(format!("model-studio-schemathesis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)?;
    let mut child = Command::new(server)
        .args(["--listen", "127.0.0.1:0", "--web-dir", "web", "--create-per-minute", "0", "--reads-per-minute", "0"])
        .arg("--data-dir")
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting share-server for schemathesis")?;
    let stdout = child.stdout.take().context("share-server stdout")?;
    let server_guard = Server(child);
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line)?;
    let Some(base_url) = first_line.trim().strip_prefix("listening on ") else {
        bail!("share-server did not say where it listens: {first_line:?}");
    };
    let (_, output) = run_capture(
        Command::new("bash").arg("tests/server/schemathesis.sh").arg(base_url).arg(&python),
        "schemathesis against the served OpenAPI description",
    )?;
    drop(server_guard);
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(plain_counts(&output))
}
