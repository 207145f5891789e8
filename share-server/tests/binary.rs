//! Runs the real `share-server` binary on an ephemeral port, the way the browser
//! tests do, and talks HTTP/1.1 to it over a plain TCP socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);

/// Kills the server if the test panics before shutting it down itself.
struct ServerGuard(Child);

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

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to server");
    stream.set_read_timeout(Some(TIMEOUT)).expect("set timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    response
}

#[test]
fn binary_listens_on_ephemeral_port_and_answers_healthz() {
    let web_dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(web_dir.path().join("index.html"), "<p>hi</p>").expect("write index");

    let child = Command::new(env!("CARGO_BIN_EXE_share-server"))
        .args(["--listen", "127.0.0.1:0", "--web-dir"])
        .arg(web_dir.path())
        .env_remove("SHARE_SERVER_LISTEN")
        .env_remove("SHARE_SERVER_WEB_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn share-server");
    let mut server = ServerGuard(child);
    let stdout = server.0.stdout.take().expect("piped stdout");

    let (line, mut rest) = first_line(stdout);
    let addr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert!(!addr.ends_with(":0"), "must print the real port, got {addr}");

    let response = http_get(&addr, "/healthz");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nok"), "{response}");
    assert!(response.to_ascii_lowercase().contains("x-content-type-options: nosniff"), "{response}");

    let response = http_get(&addr, "/");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("<p>hi</p>"), "{response}");

    shut_down(&mut server);

    // Exactly one line on stdout: everything else is logging, on stderr.
    let mut remaining = String::new();
    rest.read_to_string(&mut remaining).expect("read rest of stdout");
    assert_eq!(remaining, "");
}

/// Sends SIGTERM and expects a clean exit, which exercises graceful shutdown.
#[cfg(unix)]
fn shut_down(server: &mut ServerGuard) {
    let status = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().expect("run kill");
    assert!(status.success(), "kill -TERM failed");
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = server.0.try_wait().expect("wait for server") {
            assert!(status.success(), "server exited with {status}");
            return;
        }
        assert!(std::time::Instant::now() < deadline, "server ignored SIGTERM");
        thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(not(unix))]
fn shut_down(server: &mut ServerGuard) {
    server.0.kill().expect("kill server");
    server.0.wait().expect("wait for server");
}
