//! `kill -9` of the real binary while 20 uploads are in flight: after a restart on
//! the same data directory, every upload that completed reads back byte for byte,
//! nothing else is readable, and no partial file is left behind.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{TIMEOUT, start};

const UPLOADS: usize = 20;

/// Reproducible pseudo-random bytes (xorshift), different per upload.
fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// Sends `body` as a chunked upload. With `stall`, stops halfway and waits (the
/// connection stays open) until the server dies; otherwise returns the new id.
fn upload(addr: &str, body: &[u8], stall: Option<mpsc::Receiver<()>>) -> Option<String> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    write!(
        stream,
        "POST /api/shares HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .expect("head");
    let half = body.len() / 2;
    for (i, piece) in body.chunks(64 * 1024).enumerate() {
        if let Some(stop) = &stall
            && i * 64 * 1024 >= half
        {
            // Mid-upload: wait for the kill, then the connection just breaks.
            let _ = stop.recv_timeout(TIMEOUT);
            return None;
        }
        write!(stream, "{:x}\r\n", piece.len()).ok()?;
        stream.write_all(piece).ok()?;
        stream.write_all(b"\r\n").ok()?;
    }
    stream.write_all(b"0\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    assert!(response.starts_with("HTTP/1.1 201 "), "{response}");
    let start = response.find("\"id\":\"")? + 6;
    Some(response[start..start + 22].to_owned())
}

fn download(addr: &str, id: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    write!(stream, "GET /api/shares/{id} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response");
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    (String::from_utf8_lossy(&response[..end]).into_owned(), response[end..].to_vec())
}

fn blob_names(data_dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir.join("blobs"))
        .expect("blobs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn kill_9_during_uploads_leaves_only_complete_shares() {
    let web_dir = tempfile::tempdir().expect("temp dir");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let no_limits = ["--create-per-minute", "0", "--reads-per-minute", "0"];
    let running = start(web_dir.path(), data_dir.path(), &no_limits, Stdio::null());
    let mut server = running.server;
    let addr = running.addr;

    // Every other upload stalls halfway; the rest complete before the kill.
    let mut complete = Vec::new();
    let mut stalled = Vec::new();
    let mut stoppers = Vec::new();
    for n in 0..UPLOADS {
        let len = 64 * 1024 + (n * 977_123) % (4 * 1024 * 1024 - 64 * 1024);
        let body = payload(n as u64, len);
        let addr = addr.clone();
        if n % 2 == 0 {
            complete.push(thread::spawn(move || (upload(&addr, &body, None), body)));
        } else {
            let (stop, wait) = mpsc::channel();
            stoppers.push(stop);
            stalled.push(thread::spawn(move || upload(&addr, &body, Some(wait))));
        }
    }
    let done: Vec<(String, Vec<u8>)> = complete
        .into_iter()
        .map(|t| {
            let (id, body) = t.join().expect("upload thread");
            (id.expect("completed upload has an id"), body)
        })
        .collect();
    // The stalled uploads have sent half their bytes by now (give them a moment).
    thread::sleep(Duration::from_millis(200));
    let in_flight = blob_names(data_dir.path()).len() - done.len();
    assert_eq!(in_flight, UPLOADS - done.len(), "every stalled upload has a partial temporary file");
    server.0.kill().expect("SIGKILL");
    server.0.wait().expect("reap");
    for stop in stoppers {
        let _ = stop.send(());
    }
    for t in stalled {
        assert_eq!(t.join().expect("stalled thread"), None, "a stalled upload cannot have completed");
    }

    let running = start(web_dir.path(), data_dir.path(), &no_limits, Stdio::null());
    let addr = running.addr;
    let _server = running.server;
    let mut expected: Vec<String> = done.iter().map(|(id, _)| id.clone()).collect();
    expected.sort();
    assert_eq!(blob_names(data_dir.path()), expected, "exactly the completed shares are on disk, no partial files");
    for (id, body) in &done {
        let (head, bytes) = download(&addr, id);
        assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
        assert!(bytes == *body, "share {id} changed across the crash");
    }
}
