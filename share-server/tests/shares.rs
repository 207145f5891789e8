//! In-process tests of the share API against file/SQLite storage in a temp dir, with a
//! fake clock (no sleeping) and explicit sweeps.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;
use share_server::clock::FakeClock;
use share_server::config::MAX_EXPIRY_SECS;
use share_server::ids::ShareId;
use share_server::storage::Storage;
use share_server::storage::fs::FsStorage;
use share_server::{ApiState, AppConfig, app, sweeper};
use tempfile::TempDir;
use tower::ServiceExt;

/// Fixed start time (2027-01-15) so expiry values are exact.
const T0: u64 = 1_800_000_000;
const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

struct Server {
    root: TempDir,
    clock: FakeClock,
    state: ApiState<FsStorage>,
    app: Router,
    quota_bytes: u64,
    max_upload_bytes: u64,
}

impl Server {
    fn new() -> Self {
        Self::with_limits(1 << 30, 1 << 20)
    }

    fn with_limits(quota_bytes: u64, max_upload_bytes: u64) -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        Self::open(root, FakeClock::new(T0), quota_bytes, max_upload_bytes)
    }

    fn open(root: TempDir, clock: FakeClock, quota_bytes: u64, max_upload_bytes: u64) -> Self {
        let mut config = AppConfig::new(root.path().join("web")).with_data_dir(root.path().join("data"));
        config.quota_bytes = quota_bytes;
        config.max_upload_bytes = max_upload_bytes;
        // Rate limits are tested on their own (every in-process request comes from one address).
        config.create_per_minute = 0;
        config.reads_per_minute = 0;
        let state = ApiState::open(&config, Arc::new(clock.clone())).expect("open storage");
        let app = app(&config, state.clone());
        Self { root, clock, state, app, quota_bytes, max_upload_bytes }
    }

    /// Drops the router and storage and opens the same data dir again, as a restarted
    /// process would.
    fn restart(self) -> Self {
        let Self { root, clock, state, app, quota_bytes, max_upload_bytes } = self;
        drop(app);
        drop(state);
        Self::open(root, clock, quota_bytes, max_upload_bytes)
    }

    fn blob_dir(&self) -> PathBuf {
        self.root.path().join("data").join("blobs")
    }

    fn blob_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.blob_dir())
            .expect("blob dir")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    async fn send(&self, request: Request<Body>) -> Response {
        self.app.clone().oneshot(request).await.expect("infallible")
    }

    async fn create(&self, query: &str, body: &[u8]) -> Response {
        let request = Request::post(format!("/api/shares{query}"))
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body.to_vec()))
            .expect("request");
        self.send(request).await
    }

    /// Creates a share and returns `(id, owner_token, expires_at)`.
    async fn create_ok(&self, query: &str, body: &[u8]) -> (String, String, u64) {
        let response = self.create(query, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(header_str(&response, "cache-control"), Some("no-store"));
        let json = json(response).await;
        assert_eq!(json["size"], body.len() as u64);
        (
            json["id"].as_str().expect("id").to_owned(),
            json["owner_token"].as_str().expect("token").to_owned(),
            json["expires_at"].as_u64().expect("expires_at"),
        )
    }

    async fn get(&self, uri: &str) -> Response {
        self.send(Request::get(uri).body(Body::empty()).expect("request")).await
    }

    async fn get_range(&self, uri: &str, range: &str) -> Response {
        self.send(Request::get(uri).header(header::RANGE, range).body(Body::empty()).expect("request")).await
    }

    async fn delete(&self, id: &str, authorization: Option<&str>) -> Response {
        let mut request = Request::builder().method(Method::DELETE).uri(format!("/api/shares/{id}"));
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        self.send(request.body(Body::empty()).expect("request")).await
    }

    async fn sweep(&self) -> share_server::storage::SweepReport {
        sweeper::sweep_once(self.state.storage().as_ref(), self.state.clock(), self.state.metrics())
            .await
            .expect("sweep")
    }
}

fn header_str<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|value| value.to_str().expect("ascii header"))
}

async fn body_bytes(response: Response) -> Bytes {
    to_bytes(response.into_body(), usize::MAX).await.expect("body")
}

async fn json(response: Response) -> Value {
    serde_json::from_slice(&body_bytes(response).await).expect("json body")
}

async fn error_code(response: Response) -> String {
    json(response).await["error"].as_str().expect("error code").to_owned()
}

/// Deterministic, incompressible-looking test payload.
fn payload(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn share_uri(id: &str) -> String {
    format!("/api/shares/{id}")
}

#[tokio::test]
async fn create_read_delete_round_trip() {
    let server = Server::new();
    let body = payload(300_000, 1);
    let (id, token, expires_at) = server.create_ok("?expires_in=3600", &body).await;
    assert!(ShareId::parse(&id).is_ok(), "{id}");
    assert_eq!(token.len(), 43);
    assert_eq!(expires_at, T0 + HOUR);
    // Only the hash of the token is stored anywhere on disk.
    let database = std::fs::read(server.root.path().join("data/shares.sqlite3")).expect("db");
    assert!(!database.windows(token.len()).any(|window| window == token.as_bytes()));

    let response = server.get(&share_uri(&id)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, "content-length"), Some("300000"));
    assert_eq!(header_str(&response, "content-type"), Some("application/octet-stream"));
    assert_eq!(header_str(&response, "cache-control"), Some("no-store"));
    assert_eq!(header_str(&response, "accept-ranges"), Some("bytes"));
    // Same security headers as the static pages.
    assert_eq!(header_str(&response, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header_str(&response, "referrer-policy"), Some("no-referrer"));
    assert!(header_str(&response, "content-security-policy").expect("csp").contains("frame-ancestors 'none'"));
    assert_eq!(body_bytes(response).await, body);

    let response = server.delete(&id, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(server.blob_files().is_empty(), "ciphertext removed on delete");
    let response = server.get(&share_uri(&id)).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(error_code(response).await, "deleted");

    // The sweeper then drops the tombstone; the id becomes unknown.
    assert_eq!(server.sweep().await.removed_shares, 1);
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.state.storage().used_bytes(), 0);
}

#[tokio::test]
async fn range_requests() {
    let server = Server::new();
    let body = payload(1000, 2);
    let (id, _, _) = server.create_ok("", &body).await;
    let uri = share_uri(&id);

    let response = server.get_range(&uri, "bytes=10-19").await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header_str(&response, "content-range"), Some("bytes 10-19/1000"));
    assert_eq!(header_str(&response, "content-length"), Some("10"));
    assert_eq!(body_bytes(response).await, body[10..20]);

    let response = server.get_range(&uri, "bytes=990-").await;
    assert_eq!(header_str(&response, "content-range"), Some("bytes 990-999/1000"));
    assert_eq!(body_bytes(response).await, body[990..]);

    let response = server.get_range(&uri, "bytes=-5").await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(body_bytes(response).await, body[995..]);

    let response = server.get_range(&uri, "bytes=1000-").await;
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header_str(&response, "content-range"), Some("bytes */1000"));

    // Several ranges are not supported: the whole share comes back.
    let response = server.get_range(&uri, "bytes=0-1,5-6").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_bytes(response).await, body);
}

#[tokio::test]
async fn meta_reports_size_expiry_and_views_left() {
    let server = Server::new();
    let (unlimited, _, _) = server.create_ok("?expires_in=86400", &payload(1234, 3)).await;
    let response = server.get(&format!("/api/shares/{unlimited}/meta")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, "cache-control"), Some("no-store"));
    assert_eq!(json(response).await, serde_json::json!({"size": 1234, "expires_at": T0 + DAY, "views_left": null}));

    let (limited, _, _) = server.create_ok("?expires_in=3600&max_views=3", &payload(10, 4)).await;
    let meta_uri = format!("/api/shares/{limited}/meta");
    assert_eq!(json(server.get(&meta_uri).await).await["views_left"], 3);
    // Reading the metadata is not a view; reading the ciphertext is.
    assert_eq!(json(server.get(&meta_uri).await).await["views_left"], 3);
    assert_eq!(server.get(&share_uri(&limited)).await.status(), StatusCode::OK);
    assert_eq!(json(server.get(&meta_uri).await).await["views_left"], 2);
}

#[tokio::test]
async fn expiry_is_enforced_on_read_and_sweeper_removes_file_and_row() {
    let server = Server::new();
    let (id, _, _) = server.create_ok("?expires_in=3600", &payload(500, 5)).await;
    let (kept, _, _) = server.create_ok("?expires_in=86400", &payload(700, 6)).await;
    let id_parsed = ShareId::parse(&id).expect("id");

    server.clock.advance(HOUR - 1);
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::OK);
    // Nothing to sweep yet.
    assert_eq!(server.sweep().await.removed_shares, 0);

    server.clock.advance(1);
    let response = server.get(&share_uri(&id)).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(error_code(response).await, "expired");
    assert_eq!(server.get(&format!("/api/shares/{id}/meta")).await.status(), StatusCode::GONE);
    // Gone for readers although the sweeper has not run: file and row still exist.
    assert!(server.blob_files().contains(&id));
    assert!(server.state.storage().get(&id_parsed).await.expect("get").is_some());

    let report = server.sweep().await;
    assert_eq!(report.removed_shares, 1);
    assert_eq!(report.freed_bytes, 500);
    assert_eq!(server.blob_files(), vec![kept.clone()]);
    assert!(server.state.storage().get(&id_parsed).await.expect("get").is_none());
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.get(&share_uri(&kept)).await.status(), StatusCode::OK);
    assert_eq!(server.state.storage().used_bytes(), 700);
}

#[tokio::test]
async fn expiry_is_clamped_to_thirty_days() {
    let server = Server::new();
    let (id, _, expires_at) = server.create_ok("?expires_in=99999999999", b"x").await;
    assert_eq!(expires_at, T0 + MAX_EXPIRY_SECS);
    assert_eq!(MAX_EXPIRY_SECS, 30 * DAY);
    // Longer than 64 bits is still "a positive integer" (the OpenAPI description sets no
    // maximum): clamped, not a 400. Same for a view limit nobody could reach.
    let (_, _, expires_at) = server.create_ok("?expires_in=53687620222631219822592", b"x").await;
    assert_eq!(expires_at, T0 + MAX_EXPIRY_SECS);
    server.create_ok("?max_views=99999999999999999999999", b"x").await;
    // The options the UI offers pass unchanged.
    for (query, seconds) in [("1h", HOUR), ("1d", DAY), ("7d", 7 * DAY), ("30d", 30 * DAY)] {
        let (_, _, expires_at) = server.create_ok(&format!("?expires_in={seconds}"), query.as_bytes()).await;
        assert_eq!(expires_at, T0 + seconds, "{query}");
    }
    // No expiry given: one day.
    assert_eq!(server.create_ok("", b"x").await.2, T0 + DAY);

    server.clock.advance(30 * DAY - 1);
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::OK);
    server.clock.advance(1);
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::GONE);

    for query in ["?expires_in=0", "?expires_in=-5", "?expires_in=soon", "?max_views=0", "?max_views=x"] {
        let response = server.create(query, b"x").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn view_limit_is_enforced() {
    let server = Server::new();
    let body = payload(64, 7);
    let (id, _, _) = server.create_ok("?max_views=2", &body).await;
    let uri = share_uri(&id);

    // HEAD does not use up a view.
    let head = server.send(Request::head(&uri).body(Body::empty()).expect("request")).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header_str(&head, "content-length"), Some("64"));

    assert_eq!(body_bytes(server.get(&uri).await).await, body);
    assert_eq!(body_bytes(server.get(&uri).await).await, body);
    let response = server.get(&uri).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(error_code(response).await, "view_limit_reached");
    assert_eq!(server.get(&format!("{uri}/meta")).await.status(), StatusCode::GONE);

    // A used-up share is swept like an expired one.
    assert_eq!(server.sweep().await.removed_shares, 1);
    assert!(server.blob_files().is_empty());
}

#[tokio::test]
async fn delete_needs_the_right_owner_token() {
    let server = Server::new();
    let (id, token, _) = server.create_ok("", b"ciphertext").await;
    let (_, other_token, _) = server.create_ok("", b"other").await;

    let response = server.delete(&id, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_str(&response, "www-authenticate"), Some("Bearer"));
    for malformed in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", token.as_str()] {
        assert_eq!(server.delete(&id, Some(malformed)).await.status(), StatusCode::UNAUTHORIZED, "{malformed}");
    }
    let wrong = [other_token.clone(), format!("{token}x"), token[..42].to_owned(), "A".repeat(43)];
    for wrong in wrong {
        let response = server.delete(&id, Some(&format!("Bearer {wrong}"))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_code(response).await, "wrong_owner_token");
    }
    // Still there after all the failed attempts.
    assert_eq!(body_bytes(server.get(&share_uri(&id)).await).await, &b"ciphertext"[..]);

    assert_eq!(server.delete(&id, Some(&format!("bearer {token}"))).await.status(), StatusCode::NO_CONTENT);
    // Unknown id: 404 whatever the token.
    let unknown = ShareId::generate().expect("random");
    assert_eq!(server.delete(unknown.as_str(), Some(&format!("Bearer {token}"))).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn oversized_upload_is_rejected_and_nothing_is_stored() {
    let server = Server::with_limits(1 << 30, 1024);

    // Declared too large: refused before reading.
    let response = server.create("", &payload(1025, 8)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(response).await, "too_large");

    // Streamed without a length (chunked): refused once the limit is crossed.
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..8).map(|i| Ok(Bytes::from(payload(200, i)))).collect();
    let request =
        Request::post("/api/shares").body(Body::from_stream(futures_util::stream::iter(chunks))).expect("request");
    let response = server.send(request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    assert!(server.blob_files().is_empty(), "{:?}", server.blob_files());
    assert_eq!(server.state.storage().used_bytes(), 0);
    // Exactly at the limit is fine.
    server.create_ok("", &payload(1024, 9)).await;
}

#[tokio::test]
async fn interrupted_upload_leaves_nothing() {
    let server = Server::new();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Bytes::from(payload(100, 10))), Err(std::io::Error::other("client went away"))];
    let request =
        Request::post("/api/shares").body(Body::from_stream(futures_util::stream::iter(chunks))).expect("request");
    let response = server.send(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(server.blob_files().is_empty(), "{:?}", server.blob_files());
    assert_eq!(server.state.storage().used_bytes(), 0);
}

#[tokio::test]
async fn full_quota_gives_507_and_keeps_earlier_shares() {
    let server = Server::with_limits(3000, 1 << 20);
    let first = payload(1000, 11);
    let second = payload(1500, 12);
    let (first_id, first_token, _) = server.create_ok("", &first).await;
    let (second_id, _, _) = server.create_ok("", &second).await;

    let response = server.create("", &payload(1000, 13)).await;
    assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(error_code(response).await, "storage_full");

    let mut expected = vec![first_id.clone(), second_id.clone()];
    expected.sort();
    assert_eq!(server.blob_files(), expected);
    assert_eq!(server.state.storage().used_bytes(), 2500);
    assert_eq!(body_bytes(server.get(&share_uri(&first_id)).await).await, first);
    assert_eq!(body_bytes(server.get(&share_uri(&second_id)).await).await, second);

    // Deleting frees the space again.
    assert_eq!(server.delete(&first_id, Some(&format!("Bearer {first_token}"))).await.status(), StatusCode::NO_CONTENT);
    server.create_ok("", &payload(1000, 14)).await;
}

#[tokio::test]
async fn random_ids_find_nothing() {
    let server = Server::new();
    for seed in 0..3 {
        server.create_ok("", &payload(10, seed)).await;
    }
    let mut hits = 0;
    for _ in 0..1000 {
        let id = ShareId::generate().expect("random");
        let status = server.get(&share_uri(id.as_str())).await.status();
        assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::OK), "{status}");
        if status != StatusCode::NOT_FOUND {
            hits += 1;
        }
    }
    assert_eq!(hits, 0);
}

#[tokio::test]
async fn malformed_ids_and_traversal_are_rejected() {
    let server = Server::new();
    let (id, token, _) = server.create_ok("", b"secret").await;
    let bad = [
        "short".to_owned(),
        "..".to_owned(),
        "%2e%2e".to_owned(),
        "..%2F..%2Fshares.sqlite3".to_owned(),
        "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        "..%5C..%5Cshares.sqlite3".to_owned(),
        format!("{}%2F", &id[..21]),
        format!("{}=", &id[..21]),
        format!("{}+", &id[..21]),
        format!("{id}A"),
        format!("{}%00", &id[..21]),
        format!("%20{}", &id[..21]),
        format!(".tmp-{}", &id[..17]),
    ];
    for raw in &bad {
        for uri in [format!("/api/shares/{raw}"), format!("/api/shares/{raw}/meta")] {
            let response = server.get(&uri).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(error_code(response).await, "malformed_id", "{uri}");
        }
        let response = server.delete(raw, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "DELETE {raw}");
    }
    // Still intact.
    assert_eq!(body_bytes(server.get(&share_uri(&id)).await).await, &b"secret"[..]);
}

#[tokio::test]
async fn shares_survive_a_restart() {
    let server = Server::new();
    let body = payload(50_000, 15);
    let (id, token, expires_at) = server.create_ok("?expires_in=604800&max_views=5", &body).await;
    assert_eq!(server.get(&share_uri(&id)).await.status(), StatusCode::OK);
    // An upload interrupted by a crash leaves a temp file behind; it must go on restart.
    std::fs::write(server.blob_dir().join(".tmp-interrupted"), b"partial").expect("write");
    // A crash between linking a blob and inserting its row leaves a file no row names;
    // a live row whose file vanished (damaged disk) would read as 404 forever.
    std::fs::write(server.blob_dir().join("AAAAAAAAAAAAAAAAAAAAAA"), b"orphan").expect("write");
    let (lost, _, _) = server.create_ok("", b"lost").await;
    std::fs::remove_file(server.blob_dir().join(&lost)).expect("remove");
    let used_before_restart = server.state.storage().used_bytes();
    assert_eq!(used_before_restart, 50_000 + 4);

    let server = server.restart();
    assert_eq!(server.blob_files(), vec![id.clone()], "temp and orphan files removed");
    assert_eq!(server.get(&share_uri(&lost)).await.status(), StatusCode::NOT_FOUND, "row without file removed");
    let meta = json(server.get(&format!("/api/shares/{id}/meta")).await).await;
    assert_eq!(meta, serde_json::json!({"size": 50_000, "expires_at": expires_at, "views_left": 4}));
    assert_eq!(body_bytes(server.get(&share_uri(&id)).await).await, body);
    assert_eq!(server.state.storage().used_bytes(), 50_000);
    assert_eq!(server.delete(&id, Some(&format!("Bearer {token}"))).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn static_files_and_health_still_work_next_to_the_api() {
    let server = Server::new();
    let web = server.root.path().join("web");
    std::fs::create_dir_all(&web).expect("web dir");
    std::fs::write(web.join("index.html"), "<p>hi</p>").expect("index");
    assert_eq!(server.get("/").await.status(), StatusCode::OK);
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);
    // The data dir is not under the web dir, and the API has no listing.
    assert_eq!(server.get("/api/shares").await.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(Path::new(&server.root.path().join("data/shares.sqlite3")).is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_never_exceed_the_quota() {
    let server = Server::with_limits(10_000, 1 << 20);
    let bodies: Vec<Vec<u8>> = (0..20).map(|seed| payload(1000, 100 + seed)).collect();
    let responses = futures_util::future::join_all(bodies.iter().map(|body| server.create("", body))).await;
    let created = responses.iter().filter(|response| response.status() == StatusCode::CREATED).count();
    let full = responses.iter().filter(|response| response.status() == StatusCode::INSUFFICIENT_STORAGE).count();
    assert_eq!((created, full), (10, 10));
    assert_eq!(server.blob_files().len(), 10);
    assert_eq!(server.state.storage().used_bytes(), 10_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_respect_the_view_limit() {
    let server = Server::new();
    let (id, _, _) = server.create_ok("?max_views=5", &payload(100, 200)).await;
    let uri = share_uri(&id);
    let responses = futures_util::future::join_all((0..20).map(|_| server.get(&uri))).await;
    let ok = responses.iter().filter(|response| response.status() == StatusCode::OK).count();
    let gone = responses.iter().filter(|response| response.status() == StatusCode::GONE).count();
    assert_eq!((ok, gone), (5, 15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_upload_releases_quota_and_temp_file() {
    let server = Server::new();
    // One chunk, then a client that never sends the rest.
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(payload(100, 300)))])
        .chain(futures_util::stream::pending());
    let request = Request::post("/api/shares").body(Body::from_stream(chunks)).expect("request");
    let app = server.app.clone();
    let upload = tokio::spawn(async move { app.oneshot(request).await });

    // Wait (bounded) until the first chunk is reserved and the temp file exists.
    let storage = Arc::clone(server.state.storage());
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while storage.used_bytes() != 100 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("upload started");
    assert_eq!(server.blob_files().len(), 1, "temp file while uploading");

    // What hyper does when the client disconnects: drop the handler future.
    upload.abort();
    assert!(upload.await.expect_err("aborted").is_cancelled());
    assert_eq!(server.state.storage().used_bytes(), 0);
    assert!(server.blob_files().is_empty(), "{:?}", server.blob_files());
}

// ---------------------------------------------------------------------------
// Rate limits, metrics and the API description.

fn limited(create_per_minute: u32, reads_per_minute: u32) -> (TempDir, FakeClock, Router, ApiState<FsStorage>) {
    let root = tempfile::tempdir().expect("temp dir");
    let clock = FakeClock::new(T0);
    let mut config = AppConfig::new(root.path().join("web")).with_data_dir(root.path().join("data"));
    config.create_per_minute = create_per_minute;
    config.reads_per_minute = reads_per_minute;
    config.client_ip_header = Some(header::HeaderName::from_static("x-forwarded-for"));
    let state = ApiState::open(&config, Arc::new(clock.clone())).expect("open storage");
    (root, clock, app(&config, state.clone()), state)
}

async fn post_from(app: &Router, forwarded_for: &str) -> Response {
    let request = Request::post("/api/shares")
        .header("x-forwarded-for", forwarded_for)
        .body(Body::from(vec![1u8; 100]))
        .expect("request");
    app.clone().oneshot(request).await.expect("infallible")
}

#[tokio::test]
async fn creates_beyond_the_limit_get_429_with_retry_after_per_client() {
    let (_root, clock, app, _state) = limited(3, 0);
    // The proxy appends the address it saw; that last one is the client.
    let client = "203.0.113.9, 198.51.100.1";
    for _ in 0..3 {
        assert_eq!(post_from(&app, client).await.status(), StatusCode::CREATED);
    }
    let refused = post_from(&app, client).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = header_str(&refused, "retry-after").expect("Retry-After").parse().expect("seconds");
    assert_eq!(retry_after, 20, "3 per minute: one every 20 s");
    assert_eq!(error_code(refused).await, "rate_limited");
    // Another client is not affected; the first gets a token back after Retry-After.
    assert_eq!(post_from(&app, "203.0.113.9, 198.51.100.2").await.status(), StatusCode::CREATED);
    clock.advance(20);
    assert_eq!(post_from(&app, client).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn reads_are_limited_separately_from_creates() {
    let (_root, _clock, app, _state) = limited(0, 2);
    let created = post_from(&app, "192.0.2.7").await;
    let id = json(created).await["id"].as_str().expect("id").to_owned();
    let meta = |ip: &'static str| {
        let request = Request::get(format!("/api/shares/{id}/meta")).header("x-forwarded-for", ip).body(Body::empty());
        app.clone().oneshot(request.expect("request"))
    };
    assert_eq!(meta("192.0.2.7").await.expect("ok").status(), StatusCode::OK);
    assert_eq!(meta("192.0.2.7").await.expect("ok").status(), StatusCode::OK);
    assert_eq!(meta("192.0.2.7").await.expect("ok").status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(meta("192.0.2.8").await.expect("ok").status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_shares_bytes_and_rejections() {
    let (_root, clock, app, state) = limited(2, 0);
    for _ in 0..2 {
        assert_eq!(post_from(&app, "192.0.2.1").await.status(), StatusCode::CREATED);
    }
    assert_eq!(post_from(&app, "192.0.2.1").await.status(), StatusCode::TOO_MANY_REQUESTS);
    let missing =
        app.clone().oneshot(Request::get("/api/shares/AAAAAAAAAAAAAAAAAAAAAA").body(Body::empty()).expect("req"));
    assert_eq!(missing.await.expect("ok").status(), StatusCode::NOT_FOUND);
    clock.advance(2 * DAY);
    sweeper::sweep_once(state.storage().as_ref(), state.clock(), state.metrics()).await.expect("sweep");

    let response = app.clone().oneshot(Request::get("/metrics").body(Body::empty()).expect("req")).await.expect("ok");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, "content-type"), Some("text/plain; version=0.0.4"));
    let text = String::from_utf8(body_bytes(response).await.to_vec()).expect("text");
    for line in [
        "share_server_shares 0",
        "share_server_stored_bytes 0",
        "share_server_uploads_total 2",
        "share_server_upload_bytes_total 200",
        "share_server_swept_total 2",
        "share_server_rejections_total{reason=\"rate_limited\"} 1",
        "share_server_rejections_total{reason=\"not_found\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing '{line}' in:\n{text}");
    }
}

#[tokio::test]
async fn openapi_description_is_served_and_names_every_route() {
    let server = Server::new();
    let response = server.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, "content-type"), Some("application/json"));
    let doc = json(response).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/shares",
        "/api/shares/{id}",
        "/api/shares/{id}/meta",
        "/api/openapi.json",
        "/healthz",
        "/metrics",
        "/s/{id}",
        "/e/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} described");
    }
    let create = &doc["paths"]["/api/shares"]["post"]["responses"];
    for status in ["201", "413", "429", "507"] {
        assert!(create.get(status).is_some(), "create documents {status}");
    }
    assert!(doc["paths"]["/api/shares/{id}"]["get"]["responses"].get("429").is_some());
}
