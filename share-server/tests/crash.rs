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

use common::data::blob_names;
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

/// What the clients of the second test know about one share.
struct Known {
    id: String,
    seed: u64,
    size_bytes: usize,
}

/// Outcomes reported by one load client; only answered requests count as known.
#[derive(Default)]
struct Outcomes {
    /// Got a 201 and no 204 for a delete since.
    live: Vec<Known>,
    /// Got a 204.
    deleted: Vec<String>,
    /// A delete was sent but the server died before answering: either state is fine.
    in_doubt: Vec<Known>,
}

/// Creates, reads and deletes until the server stops answering (or the time bound,
/// which only a kill that never happened would reach). Every answer before the kill
/// must be the documented one.
fn load_client(addr: String, number: u64, deadline: std::time::Instant) -> Outcomes {
    use common::data::{payload as data, receipt, sha256};
    let mut client = common::http::Client::new(&addr);
    let mut outcomes = Outcomes::default();
    let mut tokens: Vec<String> = Vec::new();
    let mut step = 0u64;
    while std::time::Instant::now() < deadline {
        step += 1;
        let seed = number * 1_000_000 + step;
        let result = match step % 4 {
            // Two creates per read and delete: the store keeps growing while it is killed.
            0 | 1 => {
                let size_bytes = ((seed * 7919) % (256 * 1024)) as usize;
                let body = data(seed, size_bytes);
                client.request("POST", "/api/shares?expires_in=3600", &[], &body).map(|response| {
                    assert_eq!(response.status, 201, "{}", response.text());
                    let (id, token, _) = receipt(&response.body);
                    outcomes.live.push(Known { id, seed, size_bytes });
                    tokens.push(token);
                })
            }
            2 if !outcomes.live.is_empty() => {
                let known = &outcomes.live[(seed as usize) % outcomes.live.len()];
                client.request("GET", &format!("/api/shares/{}", known.id), &[], &[]).map(|response| {
                    assert_eq!(response.status, 200, "{}", response.text());
                    assert!(sha256(&response.body) == sha256(&data(known.seed, known.size_bytes)), "read {}", known.id);
                })
            }
            3 if !outcomes.live.is_empty() => {
                let known = outcomes.live.remove(0);
                let token = tokens.remove(0);
                let authorization = format!("Authorization: Bearer {token}");
                match client.request("DELETE", &format!("/api/shares/{}", known.id), &[&authorization], &[]) {
                    Ok(response) => {
                        assert_eq!(response.status, 204, "{}", response.text());
                        outcomes.deleted.push(known.id);
                        Ok(())
                    }
                    Err(err) => {
                        outcomes.in_doubt.push(known);
                        Err(err)
                    }
                }
            }
            _ => Ok(()),
        };
        if result.is_err() {
            // The server is gone; whatever was in flight may or may not have happened.
            break;
        }
    }
    outcomes
}

/// Status of `GET path` on a fresh connection.
fn status_of(addr: &str, path: &str) -> u16 {
    common::http::Client::new(addr).request("GET", path, &[], &[]).expect("server answers").status
}

/// Waits until `GET /api/shares/{id}/meta` is 404 (swept), bounded by `TIMEOUT`.
fn wait_until_swept(addr: &str, id: &str) {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let status = status_of(addr, &format!("/api/shares/{id}/meta"));
        if status == 404 {
            return;
        }
        assert!(matches!(status, 200 | 410), "before the sweep a share is readable or gone, not {status}");
        assert!(std::time::Instant::now() < deadline, "share {id} not swept within {TIMEOUT:?} after the restart");
        thread::sleep(Duration::from_millis(200));
    }
}

/// `kill -9` while 16 clients create, read and delete; restart on the same data
/// directory. Every share answered with 201 (and not deleted with 204) reads back
/// byte for byte, deleted ones stay gone, rows and blob files agree with no orphan
/// either way and no temporary file, and the background sweeper picks up where the
/// killed server left off: shares that expired before the kill, and shares that
/// expire only after the restart, are both removed.
#[test]
fn kill_9_under_load_then_restart_keeps_the_store_consistent_and_sweeping() {
    use common::data::{payload as data, receipt, sha256, share_rows};
    const CLIENTS: u64 = 16;
    const LOAD_BEFORE_KILL: Duration = Duration::from_secs(3);
    // Expired before the kill (and never swept by the first server, whose only sweep
    // is the one at start-up), and expiring well after the restart.
    const EXPIRED_BEFORE_KILL_S: u64 = 1;
    const EXPIRES_AFTER_RESTART_S: u64 = 12;
    let web_dir = tempfile::tempdir().expect("temp dir");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let unlimited = ["--create-per-minute", "0", "--reads-per-minute", "0"];
    let first_args = [&unlimited[..], &["--sweep-interval-secs", "3600"]].concat();
    let running = start(web_dir.path(), data_dir.path(), &first_args, Stdio::null());
    let mut server = running.server;
    let addr = running.addr;

    let mut client = common::http::Client::new(&addr);
    let mut create = |query: &str, seed: u64| {
        let response = client.request("POST", &format!("/api/shares{query}"), &[], &data(seed, 1000)).expect("create");
        assert_eq!(response.status, 201, "{}", response.text());
        receipt(&response.body)
    };
    let expired: Vec<String> = (0..3).map(|n| create(&format!("?expires_in={EXPIRED_BEFORE_KILL_S}"), n).0).collect();
    let expiring: Vec<String> =
        (3..6).map(|n| create(&format!("?expires_in={EXPIRES_AFTER_RESTART_S}"), n).0).collect();
    let expiring_created = std::time::Instant::now();

    let deadline = std::time::Instant::now() + TIMEOUT;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|number| {
            let addr = addr.clone();
            thread::spawn(move || load_client(addr, number, deadline))
        })
        .collect();
    thread::sleep(LOAD_BEFORE_KILL);
    server.0.kill().expect("SIGKILL");
    server.0.wait().expect("reap");
    let outcomes: Vec<Outcomes> = clients.into_iter().map(|t| t.join().expect("client thread")).collect();
    let live: Vec<&Known> = outcomes.iter().flat_map(|o| o.live.iter()).collect();
    let deleted: Vec<&String> = outcomes.iter().flat_map(|o| o.deleted.iter()).collect();
    let in_doubt: Vec<&Known> = outcomes.iter().flat_map(|o| o.in_doubt.iter()).collect();
    assert!(
        live.len() >= CLIENTS as usize && !deleted.is_empty(),
        "the load ran: {} live, {} deleted",
        live.len(),
        deleted.len()
    );
    // The killed server had not swept them: their rows are still there.
    let (rows_at_kill, _) = share_rows(data_dir.path());
    assert!(expired.iter().all(|id| rows_at_kill.contains(id)), "expired shares still stored at the kill");

    let second_args = [&unlimited[..], &["--sweep-interval-secs", "1"]].concat();
    let running = start(web_dir.path(), data_dir.path(), &second_args, Stdio::null());
    let addr = running.addr;
    let _server = running.server;
    assert!(
        expiring_created.elapsed() < Duration::from_secs(EXPIRES_AFTER_RESTART_S),
        "restarted before the later shares expired, so their removal is the running sweeper's"
    );

    let mut client = common::http::Client::new(&addr);
    for known in &live {
        let response = client.request("GET", &format!("/api/shares/{}", known.id), &[], &[]).expect("read");
        assert_eq!(response.status, 200, "share {} created before the kill: {}", known.id, response.text());
        assert!(sha256(&response.body) == sha256(&data(known.seed, known.size_bytes)), "share {} changed", known.id);
    }
    for known in &in_doubt {
        let response = client.request("GET", &format!("/api/shares/{}", known.id), &[], &[]).expect("read");
        let intact = response.status == 200 && response.body == data(known.seed, known.size_bytes);
        assert!(intact || matches!(response.status, 404 | 410), "half-deleted share {}: {}", known.id, response.status);
    }
    for id in &deleted {
        let status = status_of(&addr, &format!("/api/shares/{id}"));
        assert!(matches!(status, 404 | 410), "deleted share {id} answered {status}");
    }
    // The first sweep after the restart removes what expired before the kill; a later
    // one what expired after the restart.
    for id in expired.iter().chain(&expiring) {
        wait_until_swept(&addr, id);
    }

    // Nothing left expiring now, so only tombstones are being swept: rows of live
    // shares and blob files must match exactly.
    let files = blob_names(data_dir.path());
    assert!(files.iter().all(|name| !name.starts_with(".tmp-")), "temporary files left: {files:?}");
    let (rows, _tombstones) = share_rows(data_dir.path());
    assert_eq!(files, rows, "every blob file has a row and every live row has its file");
    for id in &deleted {
        assert!(!files.contains(id), "deleted share {id} still has its file");
    }
    for id in expired.iter().chain(&expiring) {
        assert!(!files.contains(id) && !rows.contains(id), "swept share {id} left a file or row");
    }
    for known in &live {
        assert!(files.contains(&known.id), "live share {} lost its file", known.id);
    }
}
