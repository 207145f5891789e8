//! Shared by the tests that run the real binary: start it on an ephemeral port
//! with its own data directory, and kill it if a test panics.

#![allow(dead_code)] // each test binary uses a different part of this module

pub mod data;
pub mod http;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Kills the server if the test panics before shutting it down itself.
pub struct ServerGuard(pub Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        // Errors mean it already exited, which is what we want anyway.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the first stdout line on a helper thread so a hung server fails the test
/// instead of hanging it. Returns the line and the rest of stdout.
fn first_line(stdout: ChildStdout) -> (String, BufReader<ChildStdout>) {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let result = reader.read_line(&mut line).map(|_| (line, reader));
        // The receiver may have timed out and gone; nothing to do then.
        let _ = sender.send(result);
    });
    receiver.recv_timeout(TIMEOUT).expect("server printed its address in time").expect("reading server stdout")
}

/// A running server binary, the address it printed, and the rest of its stdout.
pub struct Running {
    pub server: ServerGuard,
    pub addr: String,
    pub stdout: BufReader<ChildStdout>,
}

/// Starts the binary on an ephemeral port with its own web and data dirs (the
/// caller keeps them alive) and waits for its `listening on` line.
pub fn start(web_dir: &std::path::Path, data_dir: &std::path::Path, extra_args: &[&str], stderr: Stdio) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_share-server"))
        .args(["--listen", "127.0.0.1:0"])
        .args(extra_args)
        .arg("--web-dir")
        .arg(web_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("SHARE_SERVER_LISTEN")
        .env_remove("SHARE_SERVER_DATA_DIR")
        .env_remove("SHARE_SERVER_WEB_DIR")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn share-server");
    let mut server = ServerGuard(child);
    let (line, stdout) = first_line(server.0.stdout.take().expect("piped stdout"));
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Running { server, addr, stdout }
}
