//! Load on the real binary over loopback: 200 concurrent clients for 60 s create
//! shares of random sizes, read them whole and in ranges, read their metadata,
//! delete them and read deleted ids. It proves that under that load
//!
//! - every response is the documented one (a 429 only once a client has used up its
//!   whole burst, never before),
//! - no share is lost or corrupted: every read matches the SHA-256 / bytes uploaded,
//!   and at the end every share not deleted reads back byte for byte,
//! - the data directory holds exactly the live shares (no temporary files left),
//! - the server's resident memory stays flat after warm-up.
//!
//! `LOAD_TEST_SECONDS=10 cargo test -p share-server --test load -- --nocapture` runs a
//! shorter version locally; the summary is printed either way.

mod common;

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::data::{blob_names, payload, receipt, rss_bytes, sha256};
use common::http::{Client, Response};
use common::start;

/// The issue asks for 60 s of load; `LOAD_TEST_SECONDS` shortens it for local runs.
const DEFAULT_LOAD_SECONDS: u64 = 60;
const CLIENTS: usize = 200;
/// Memory is first measured this long into the load, once every connection, buffer
/// and allocator arena is in use (a sixth of shorter runs).
const WARM_UP_SECONDS: u64 = 10;
/// Each client keeps at most this many shares; creating beyond it deletes the oldest
/// first, which keeps disk use bounded (≈ 200 × 4 × 90 KiB mean ≈ 70 MiB).
const LIVE_SHARES_PER_CLIENT: usize = 4;
/// Deleted ids a client remembers for "read a deleted share".
const DELETED_REMEMBERED: usize = 8;
/// Allowed RSS growth from warm-up to the end. The server keeps nothing per share in
/// memory (metadata is in SQLite, ciphertext on disk) and its per-request buffers
/// (≤ 256 KiB upload writer and 256 KiB read chunk per connection, 200 connections)
/// are all in use by the end of warm-up, so steady state should not grow; 64 MiB
/// leaves room for allocator noise, while a leak of even 1 KiB per request (tens of
/// thousands of requests) would exceed it.
const RSS_GROWTH_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
/// Limits per client address (see `config.rs`). Each client sends its own
/// `X-Forwarded-For` address to a server started with `--client-ip-header
/// x-forwarded-for`, so every client has its own buckets like a real user would,
/// and the production limiter runs under load. A bucket starts full with a minute's
/// worth of tokens, so a 429 is only correct once a client has sent more than that
/// many requests of the kind; before that it is a failure.
///
/// Reads use the shipped default (clients here reach about 340 a minute). Creates
/// are allowed 10× the default (600; clients reach about 130 a minute on an idle
/// 2-core machine, past the default 60): a 429 to an upload is sent before its body
/// is read, and the server then closes with the body unread, so the client's send
/// can end in a reset that discards the 429 already on its way — a known HTTP/1.1
/// race (only a lingering close avoids it) that made this test fail 4 times in
/// 117,000 requests. The 429 answers themselves are tested in `shares.rs`.
const CREATE_PER_MINUTE: u64 = 600;
const READS_PER_MINUTE: u64 = 1200;
/// Threads for the final check, each reading from a fresh address; their share of
/// the live shares must fit in one burst.
const VERIFIERS: usize = 8;
const _: () = assert!((CLIENTS * LIVE_SHARES_PER_CLIENT / VERIFIERS) as u64 <= READS_PER_MINUTE);
/// Sweeps every 2 s so that deleted shares turn from 410 tombstones into 404s during
/// the run and the sweeper works under load too.
const SWEEP_INTERVAL_SECONDS: &str = "2";
/// Most failures kept for the report (all are counted).
const FAILURES_KEPT: usize = 20;

fn load_seconds() -> u64 {
    std::env::var("LOAD_TEST_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_LOAD_SECONDS)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Create,
    Read,
    ReadRange,
    Meta,
    Delete,
    ReadDeleted,
}

const KINDS: [Kind; 6] = [Kind::Create, Kind::Read, Kind::ReadRange, Kind::Meta, Kind::Delete, Kind::ReadDeleted];

/// A share one client created and has not deleted.
#[derive(Clone)]
struct Share {
    id: String,
    token: String,
    seed: u64,
    size_bytes: usize,
    sha256: [u8; 32],
}

/// What one client did.
#[derive(Default)]
struct Tally {
    /// Latency in microseconds per completed request, by kind.
    latencies_us: [Vec<u64>; 6],
    rate_limited: u64,
    uploaded_bytes: u64,
    downloaded_bytes: u64,
    failures: Vec<String>,
    failure_count: u64,
    /// Shares alive at the end, for the final check.
    live: Vec<Share>,
}

impl Tally {
    fn fail(&mut self, message: String) {
        self.failure_count += 1;
        if self.failures.len() < FAILURES_KEPT {
            self.failures.push(message);
        }
    }
}

/// A small deterministic generator per client (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    /// Mostly small shares, some up to 256 KiB, a few up to 2 MiB; 0 B included.
    fn share_size_bytes(&mut self) -> usize {
        let roll = self.below(100);
        let max_bytes: u64 = match roll {
            0..70 => 16 * 1024,
            70..95 => 256 * 1024,
            _ => 2 * 1024 * 1024,
        };
        self.below(max_bytes + 1) as usize
    }
}

struct Worker {
    client: Client,
    rng: Rng,
    live: VecDeque<Share>,
    deleted: VecDeque<String>,
    creates_sent: u64,
    reads_sent: u64,
    next_seed: u64,
    tally: Tally,
}

impl Worker {
    /// Sends one request and checks what is common to all of them: `None` when the
    /// exchange failed (recorded as a failure) or was an intended 429.
    fn send(&mut self, kind: Kind, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Option<Response> {
        let is_create = kind == Kind::Create;
        if is_create {
            self.creates_sent += 1;
        } else if method == "GET" {
            self.reads_sent += 1;
        }
        let started = Instant::now();
        let response = match self.client.request(method, path, headers, body) {
            Ok(response) => response,
            Err(err) => {
                self.tally.fail(format!("{kind:?} {method} {path}: {err}"));
                return None;
            }
        };
        let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.tally.latencies_us[kind as usize].push(elapsed_us);
        if response.status == 429 {
            let (sent, limit) =
                if is_create { (self.creates_sent, CREATE_PER_MINUTE) } else { (self.reads_sent, READS_PER_MINUTE) };
            let retry_after_s = response.header("retry-after").and_then(|v| v.parse::<u64>().ok());
            if sent <= limit {
                self.tally.fail(format!("{kind:?}: 429 after only {sent} requests of a {limit}/min burst"));
            } else if retry_after_s.is_none_or(|s| s == 0) || response.error_code().as_deref() != Some("rate_limited") {
                self.tally.fail(format!("{kind:?}: malformed 429 {:?} {}", response.headers, response.text()));
            }
            self.tally.rate_limited += 1;
            // A polite client waits as told (a second at most here, to keep load up).
            thread::sleep(Duration::from_secs(retry_after_s.unwrap_or(1).min(1)));
            return None;
        }
        Some(response)
    }

    fn expect_status(&mut self, kind: Kind, response: &Response, allowed: &[u16]) -> bool {
        if allowed.contains(&response.status) {
            return true;
        }
        self.tally.fail(format!("{kind:?}: status {} (expected {allowed:?}): {}", response.status, response.text()));
        false
    }

    fn create(&mut self) {
        if self.live.len() >= LIVE_SHARES_PER_CLIENT {
            self.delete(0);
        }
        let size_bytes = self.rng.share_size_bytes();
        let seed = self.next_seed;
        self.next_seed += 1;
        let body = payload(seed, size_bytes);
        let headers = ["Content-Type: application/octet-stream"];
        let Some(response) = self.send(Kind::Create, "POST", "/api/shares?expires_in=3600", &headers, &body) else {
            return;
        };
        if !self.expect_status(Kind::Create, &response, &[201]) {
            return;
        }
        let (id, token, size) = receipt(&response.body);
        if size != size_bytes as u64 {
            self.tally.fail(format!("create: receipt says {size} bytes, sent {size_bytes}"));
        }
        self.tally.uploaded_bytes += size_bytes as u64;
        self.live.push_back(Share { id, token, seed, size_bytes, sha256: sha256(&body) });
    }

    fn read(&mut self, index: usize) {
        let share = self.live[index].clone();
        let path = format!("/api/shares/{}", share.id);
        let Some(response) = self.send(Kind::Read, "GET", &path, &[], &[]) else { return };
        if !self.expect_status(Kind::Read, &response, &[200]) {
            return;
        }
        self.tally.downloaded_bytes += response.body.len() as u64;
        if response.body.len() != share.size_bytes || sha256(&response.body) != share.sha256 {
            self.tally.fail(format!("read {}: {} bytes, checksum differs", share.id, response.body.len()));
        }
    }

    fn read_range(&mut self, index: usize) {
        let share = self.live[index].clone();
        let path = format!("/api/shares/{}", share.id);
        if share.size_bytes == 0 {
            // Every range of an empty share is unsatisfiable.
            let Some(response) = self.send(Kind::ReadRange, "GET", &path, &["Range: bytes=0-"], &[]) else { return };
            self.expect_status(Kind::ReadRange, &response, &[416]);
            return;
        }
        let start = self.rng.below(share.size_bytes as u64) as usize;
        let end = start + self.rng.below((share.size_bytes - start) as u64) as usize;
        let range = format!("Range: bytes={start}-{end}");
        let Some(response) = self.send(Kind::ReadRange, "GET", &path, &[&range], &[]) else { return };
        if !self.expect_status(Kind::ReadRange, &response, &[206]) {
            return;
        }
        self.tally.downloaded_bytes += response.body.len() as u64;
        let expected_range = format!("bytes {start}-{end}/{}", share.size_bytes);
        let expected = &payload(share.seed, end + 1)[start..];
        if response.header("content-range") != Some(expected_range.as_str()) || response.body != expected {
            self.tally.fail(format!("range {start}-{end} of {}: wrong bytes or {:?}", share.id, response.headers));
        }
    }

    fn meta(&mut self, index: usize) {
        let share = self.live[index].clone();
        let path = format!("/api/shares/{}/meta", share.id);
        let Some(response) = self.send(Kind::Meta, "GET", &path, &[], &[]) else { return };
        if !self.expect_status(Kind::Meta, &response, &[200]) {
            return;
        }
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        if json["size"].as_u64() != Some(share.size_bytes as u64) || !json["views_left"].is_null() {
            self.tally.fail(format!("meta {}: {json}", share.id));
        }
    }

    fn delete(&mut self, index: usize) {
        let Some(share) = self.live.remove(index) else { return };
        let path = format!("/api/shares/{}", share.id);
        let authorization = format!("Authorization: Bearer {}", share.token);
        let Some(response) = self.send(Kind::Delete, "DELETE", &path, &[&authorization], &[]) else {
            // Not rate limited, so this was a failed exchange (already recorded).
            return;
        };
        if self.expect_status(Kind::Delete, &response, &[204]) {
            if self.deleted.len() >= DELETED_REMEMBERED {
                self.deleted.pop_front();
            }
            self.deleted.push_back(share.id);
        }
    }

    fn read_deleted(&mut self) {
        let index = self.rng.below(self.deleted.len() as u64) as usize;
        let id = self.deleted[index].clone();
        // Whole share or metadata: both say 410 "deleted" until the sweep, 404 after.
        let path = if self.rng.below(2) == 0 { format!("/api/shares/{id}") } else { format!("/api/shares/{id}/meta") };
        let Some(response) = self.send(Kind::ReadDeleted, "GET", &path, &[], &[]) else { return };
        if !self.expect_status(Kind::ReadDeleted, &response, &[404, 410]) {
            return;
        }
        let code = response.error_code();
        let expected = if response.status == 410 { "deleted" } else { "not_found" };
        if code.as_deref() != Some(expected) {
            self.tally.fail(format!("deleted {id}: {} with {code:?}", response.status));
        }
    }

    /// One operation, chosen at random among those possible now.
    fn step(&mut self) {
        if self.live.is_empty() {
            self.create();
            return;
        }
        let index = self.rng.below(self.live.len() as u64) as usize;
        match self.rng.below(100) {
            0..25 => self.create(),
            25..60 => self.read(index),
            60..75 => self.read_range(index),
            75..85 => self.meta(index),
            85..95 => self.delete(index),
            _ if !self.deleted.is_empty() => self.read_deleted(),
            _ => self.meta(index),
        }
    }
}

fn run_client(addr: String, number: usize, deadline: Instant, stop: Arc<AtomicBool>) -> Tally {
    // 10.77.x.y: a distinct, never-routed address per client for the rate limiter.
    let ip = format!("10.77.{}.{}", number / 256, number % 256);
    let mut worker = Worker {
        client: Client::forwarded_for(&addr, &ip),
        rng: Rng(0x5EED_0000 + number as u64 * 7919),
        live: VecDeque::new(),
        deleted: VecDeque::new(),
        creates_sent: 0,
        reads_sent: 0,
        next_seed: number as u64 * 1_000_000,
        tally: Tally::default(),
    };
    // Bounded by time, and by the failure count so a broken server ends the test quickly.
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) && worker.tally.failure_count < 100 {
        worker.step();
    }
    if worker.tally.failure_count > 0 {
        stop.store(true, Ordering::Relaxed);
    }
    worker.tally.live = worker.live.into_iter().collect();
    worker.tally
}

/// Reads `shares` back whole; returns what did not match.
fn verify(addr: &str, number: usize, shares: &[Share]) -> Vec<String> {
    let mut client = Client::forwarded_for(addr, &format!("10.78.0.{number}"));
    let mut failures = Vec::new();
    for share in shares {
        match client.request("GET", &format!("/api/shares/{}", share.id), &[], &[]) {
            Ok(response) if response.status == 200 && sha256(&response.body) == share.sha256 => {}
            Ok(response) => failures.push(format!("final read {}: {} {}", share.id, response.status, {
                if response.status == 200 { "checksum differs".to_owned() } else { response.text() }
            })),
            Err(err) => failures.push(format!("final read {}: {err}", share.id)),
        }
    }
    failures
}

fn percentile_ms(sorted_us: &[u64], fraction: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let index = ((sorted_us.len() - 1) as f64 * fraction).round() as usize;
    sorted_us[index] as f64 / 1000.0
}

#[test]
fn two_hundred_clients_for_a_minute_lose_nothing_and_memory_stays_flat() {
    let load_seconds = load_seconds();
    let warm_up_seconds = WARM_UP_SECONDS.min(load_seconds / 6).max(1);
    let web_dir = tempfile::tempdir().expect("temp dir");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let create_limit = CREATE_PER_MINUTE.to_string();
    let read_limit = READS_PER_MINUTE.to_string();
    let args = [
        "--client-ip-header",
        "x-forwarded-for",
        "--create-per-minute",
        &create_limit,
        "--reads-per-minute",
        &read_limit,
        "--sweep-interval-secs",
        SWEEP_INTERVAL_SECONDS,
    ];
    // Logs go nowhere: one line per request would only cost CPU (and an unread pipe
    // would block the server).
    let mut running = start(web_dir.path(), data_dir.path(), &args, Stdio::null());
    let pid = running.server.0.id();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(load_seconds);
    let stop = Arc::new(AtomicBool::new(false));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|number| {
            let (addr, stop) = (running.addr.clone(), Arc::clone(&stop));
            thread::Builder::new()
                .name(format!("client-{number}"))
                .spawn(move || run_client(addr, number, deadline, stop))
                .expect("spawn client thread")
        })
        .collect();

    thread::sleep(Duration::from_secs(warm_up_seconds));
    let rss_after_warm_up_bytes = rss_bytes(pid);
    let mut rss_peak_bytes = rss_after_warm_up_bytes;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        thread::sleep(Duration::from_millis(500));
        rss_peak_bytes = rss_peak_bytes.max(rss_bytes(pid));
    }
    let tallies: Vec<Tally> = clients.into_iter().map(|t| t.join().expect("client thread panicked")).collect();
    let load_elapsed = started.elapsed();
    let rss_end_bytes = rss_bytes(pid);

    // Every share still alive reads back byte for byte: a few threads, each from its own
    // address with a full bucket (sequential reads alone take ~15 ms each here).
    let live: Vec<Share> = tallies.iter().flat_map(|t| t.live.iter().cloned()).collect();
    let verifiers: Vec<_> = live
        .chunks(live.len().div_ceil(VERIFIERS).max(1))
        .enumerate()
        .map(|(number, shares)| {
            let (addr, shares) = (running.addr.clone(), shares.to_vec());
            thread::spawn(move || verify(&addr, number, &shares))
        })
        .collect();
    let final_failures: Vec<String> =
        verifiers.into_iter().flat_map(|t| t.join().expect("verifier thread panicked")).collect();
    let verify_elapsed = started.elapsed() - load_elapsed;
    // Deletes remove the file at once, so the directory holds exactly the live shares.
    let mut expected_files: Vec<String> = live.iter().map(|share| share.id.clone()).collect();
    expected_files.sort();
    let files = blob_names(data_dir.path());
    let temp_files = files.iter().filter(|name| name.starts_with(".tmp-")).count();

    // The summary.
    let total_ops: usize = tallies.iter().map(|t| t.latencies_us.iter().map(Vec::len).sum::<usize>()).sum();
    println!(
        "load: {CLIENTS} clients, {:.1} s, {total_ops} requests ({:.0}/s), {} × 429, {:.1} MiB up, {:.1} MiB down, \
         {} live shares at the end, all read back in {:.1} s",
        load_elapsed.as_secs_f64(),
        total_ops as f64 / load_elapsed.as_secs_f64(),
        tallies.iter().map(|t| t.rate_limited).sum::<u64>(),
        tallies.iter().map(|t| t.uploaded_bytes).sum::<u64>() as f64 / 1048576.0,
        tallies.iter().map(|t| t.downloaded_bytes).sum::<u64>() as f64 / 1048576.0,
        live.len(),
        verify_elapsed.as_secs_f64(),
    );
    for kind in KINDS {
        let mut latencies: Vec<u64> =
            tallies.iter().flat_map(|t| t.latencies_us[kind as usize].iter().copied()).collect();
        latencies.sort_unstable();
        println!(
            "load: {:<12} {:>7} requests, p50 {:>7.2} ms, p99 {:>8.2} ms",
            format!("{kind:?}"),
            latencies.len(),
            percentile_ms(&latencies, 0.50),
            percentile_ms(&latencies, 0.99),
        );
    }
    println!(
        "load: server RSS {:.1} MiB after {warm_up_seconds} s warm-up, {:.1} MiB peak, {:.1} MiB at the end",
        rss_after_warm_up_bytes as f64 / 1048576.0,
        rss_peak_bytes as f64 / 1048576.0,
        rss_end_bytes as f64 / 1048576.0,
    );

    let failure_count: u64 = tallies.iter().map(|t| t.failure_count).sum();
    let failures: Vec<&String> = tallies.iter().flat_map(|t| t.failures.iter()).take(FAILURES_KEPT).collect();
    assert_eq!(failure_count, 0, "unexpected responses under load, first ones: {failures:#?}");
    assert!(final_failures.is_empty(), "shares lost or changed: {final_failures:#?}");
    assert_eq!(temp_files, 0, "no upload is in progress, so no temporary file may be left");
    assert_eq!(files, expected_files, "the data directory holds exactly the live shares");
    for kind in KINDS {
        assert!(tallies.iter().any(|t| !t.latencies_us[kind as usize].is_empty()), "{kind:?} never ran");
    }
    let growth_bytes = rss_end_bytes.saturating_sub(rss_after_warm_up_bytes);
    assert!(
        growth_bytes < RSS_GROWTH_LIMIT_BYTES,
        "server RSS grew by {:.1} MiB after warm-up (limit {} MiB)",
        growth_bytes as f64 / 1048576.0,
        RSS_GROWTH_LIMIT_BYTES / 1048576
    );
    assert!(running.server.0.try_wait().expect("poll server").is_none(), "the server is still running");
}
