//! Runs the real `share-server` binary on an ephemeral port, the way the browser
//! tests do, and talks HTTP/1.1 to it over a plain TCP socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

mod common;

use common::{Running, ServerGuard, TIMEOUT, start};

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
    // Outside the web dir: stored shares must never be reachable as static files.
    let data_dir = tempfile::tempdir().expect("temp dir");

    let Running { mut server, addr, stdout: mut rest } = start(web_dir.path(), data_dir.path(), &[], Stdio::null());
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

/// Sends one request with `Connection: close` and returns the raw response bytes.
fn http_raw(addr: &str, head: &str, body: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect to server");
    stream.set_read_timeout(Some(TIMEOUT)).expect("set timeout");
    write!(stream, "{head}Host: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len())
        .expect("send head");
    stream.write_all(body).expect("send body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    response
}

/// Splits a raw response into its head (as text) and body.
fn split_response(response: &[u8]) -> (String, &[u8]) {
    let end = response.windows(4).position(|window| window == b"\r\n\r\n").expect("end of head");
    (String::from_utf8_lossy(&response[..end]).into_owned(), &response[end + 4..])
}

/// The string value of `"key":"…"` in a flat JSON object (enough for the create receipt).
fn json_string(json: &str, key: &str) -> String {
    let start = json.find(&format!("\"{key}\":\"")).expect("key present") + key.len() + 4;
    json[start..].split('"').next().expect("closing quote").to_owned()
}

#[test]
fn binary_stores_shares_over_sockets_and_logs_no_secrets() {
    let web_dir = tempfile::tempdir().expect("temp dir");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let Running { mut server, addr, .. } =
        start(web_dir.path(), data_dir.path(), &["--max-upload-bytes", "200000"], Stdio::piped());

    let body: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(7919) >> 3) as u8).collect();
    let response = http_raw(&addr, "POST /api/shares?expires_in=3600 HTTP/1.1\r\n", &body);
    let (head, json) = split_response(&response);
    assert!(head.starts_with("HTTP/1.1 201 Created\r\n"), "{head}");
    let json = String::from_utf8_lossy(json).into_owned();
    let id = json_string(&json, "id");
    let token = json_string(&json, "owner_token");

    let response = http_raw(&addr, &format!("GET /api/shares/{id} HTTP/1.1\r\n"), b"");
    let (head, downloaded) = split_response(&response);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.to_ascii_lowercase().contains("content-length: 100000"), "{head}");
    assert!(downloaded == body.as_slice(), "downloaded bytes differ");

    // Announce one byte too many but send no body: the server must answer 413 from the
    // header alone (sending the body too would race the server's early close into a reset).
    let mut stream = TcpStream::connect(&addr).expect("connect to server");
    stream.set_read_timeout(Some(TIMEOUT)).expect("set timeout");
    write!(stream, "POST /api/shares HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 200001\r\n\r\n")
        .expect("send head");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    assert!(response.starts_with(b"HTTP/1.1 413 "), "{}", String::from_utf8_lossy(&response));
    assert!(std::fs::read_dir(data_dir.path().join("blobs")).expect("blobs").count() == 1, "only the first share");

    let response =
        http_raw(&addr, &format!("DELETE /api/shares/{id} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n"), b"");
    assert!(response.starts_with(b"HTTP/1.1 204 "), "{}", String::from_utf8_lossy(&response));

    shut_down(&mut server);
    let mut logs = String::new();
    server.0.stderr.take().expect("piped stderr").read_to_string(&mut logs).expect("read logs");
    assert!(logs.contains(&id[..6]), "requests are logged by id prefix: {logs}");
    assert!(!logs.contains(&id), "whole id in logs: {logs}");
    assert!(!logs.contains(&token), "owner token in logs: {logs}");
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
