//! `GET /metrics`: Prometheus text exposition of what the server holds and did.
//!
//! Counters are plain atomics bumped by the handlers and the sweeper; the two
//! gauges (shares, stored bytes) are read from storage when scraped. Nothing here
//! carries an id, a token or a client address.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::storage::Storage;

/// Path of the Prometheus scrape endpoint.
pub const PATH: &str = "/metrics";

/// Why a request was refused, as the `reason` label of `share_server_rejections_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// 429: over a per-client rate limit (`rate_limited`).
    RateLimited,
    /// 413: upload larger than the limit (`too_large`).
    TooLarge,
    /// 507: storage quota or disk full (`storage_full`).
    StorageFull,
    /// 400 or 416: malformed request or unsatisfiable range (`bad_request`).
    BadRequest,
    /// 404: unknown share (`not_found`).
    NotFound,
    /// 410: share expired, deleted or out of views (`gone`).
    Gone,
    /// 401 or 403: missing or wrong owner token (`unauthorized`).
    Unauthorized,
}

impl Rejection {
    const ALL: [Rejection; 7] = [
        Rejection::RateLimited,
        Rejection::TooLarge,
        Rejection::StorageFull,
        Rejection::BadRequest,
        Rejection::NotFound,
        Rejection::Gone,
        Rejection::Unauthorized,
    ];

    fn label(self) -> &'static str {
        match self {
            Rejection::RateLimited => "rate_limited",
            Rejection::TooLarge => "too_large",
            Rejection::StorageFull => "storage_full",
            Rejection::BadRequest => "bad_request",
            Rejection::NotFound => "not_found",
            Rejection::Gone => "gone",
            Rejection::Unauthorized => "unauthorized",
        }
    }

    /// The rejection a response status counts as; `None` for every other status
    /// (successes, redirects, 500, …), which is not counted.
    pub fn from_status(status: StatusCode) -> Option<Rejection> {
        Some(match status.as_u16() {
            429 => Rejection::RateLimited,
            413 => Rejection::TooLarge,
            507 => Rejection::StorageFull,
            400 | 416 => Rejection::BadRequest,
            404 => Rejection::NotFound,
            410 => Rejection::Gone,
            401 | 403 => Rejection::Unauthorized,
            _ => return None,
        })
    }
}

/// Counters since the process started, exposed by `GET /metrics`. Kept in memory
/// only (they restart at zero) and never keyed by id, token or client address.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Shares created (`share_server_uploads_total`).
    pub uploads: AtomicU64,
    /// Ciphertext bytes of created shares (`share_server_upload_bytes_total`).
    pub upload_bytes: AtomicU64,
    /// Ciphertext downloads served, i.e. views: `GET`s, ranged or not, `HEAD`s excluded
    /// (`share_server_downloads_total`).
    pub downloads: AtomicU64,
    /// Shares deleted by their owner (`share_server_deletions_total`).
    pub deletions: AtomicU64,
    /// Shares removed by the sweeper, tombstones included (`share_server_swept_total`).
    pub swept: AtomicU64,
    rejections: [AtomicU64; Rejection::ALL.len()],
}

impl Metrics {
    /// Adds `n` to one of the counters above.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one refused request under `why`.
    pub fn reject(&self, why: Rejection) {
        let index = Rejection::ALL.iter().position(|r| *r == why).unwrap_or(0);
        self.rejections[index].fetch_add(1, Ordering::Relaxed);
    }

    /// Requests refused for `why` so far.
    pub fn rejections(&self, why: Rejection) -> u64 {
        let index = Rejection::ALL.iter().position(|r| *r == why).unwrap_or(0);
        self.rejections[index].load(Ordering::Relaxed)
    }

    /// The exposition text, with the gauges passed in.
    pub fn render(&self, shares: u64, stored_bytes: u64) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n");
        };
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        metric("share_server_shares", "gauge", "Shares stored now, including ones awaiting the sweeper.", shares);
        metric("share_server_stored_bytes", "gauge", "Ciphertext bytes stored or reserved by uploads.", stored_bytes);
        metric("share_server_uploads_total", "counter", "Shares created.", load(&self.uploads));
        metric(
            "share_server_upload_bytes_total",
            "counter",
            "Ciphertext bytes of created shares.",
            load(&self.upload_bytes),
        );
        metric("share_server_downloads_total", "counter", "Ciphertext downloads (views).", load(&self.downloads));
        metric("share_server_deletions_total", "counter", "Shares deleted by their owner.", load(&self.deletions));
        metric("share_server_swept_total", "counter", "Shares removed by the sweeper.", load(&self.swept));
        let name = "share_server_rejections_total";
        let _ = write!(out, "# HELP {name} Requests refused, by reason.\n# TYPE {name} counter\n");
        for why in Rejection::ALL {
            let _ = writeln!(out, "{name}{{reason=\"{}\"}} {}", why.label(), self.rejections(why));
        }
        out
    }
}

struct MetricsState<S> {
    metrics: Arc<Metrics>,
    storage: Arc<S>,
}

// Manual impl: a derive would needlessly require `S: Clone`.
impl<S> Clone for MetricsState<S> {
    fn clone(&self) -> Self {
        Self { metrics: Arc::clone(&self.metrics), storage: Arc::clone(&self.storage) }
    }
}

/// Router with `GET /metrics`. The gauges (shares, stored bytes) are read from `storage`
/// on every scrape; if counting shares fails the scrape gets a 500.
pub fn router<S: Storage>(metrics: Arc<Metrics>, storage: Arc<S>) -> Router {
    Router::new().route(PATH, get(scrape::<S>)).with_state(MetricsState { metrics, storage })
}

async fn scrape<S: Storage>(State(state): State<MetricsState<S>>) -> Response {
    let shares = match state.storage.share_count().await {
        Ok(count) => count,
        Err(err) => {
            tracing::error!(%err, "counting shares for /metrics failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let body = state.metrics.render(shares, state.storage.used_bytes());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4"), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// Middleware counting refused requests by their status.
pub async fn count_rejections(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(why) = Rejection::from_status(response.status()) {
        metrics.reject(why);
    }
    response
}
