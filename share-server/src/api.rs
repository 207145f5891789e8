//! The share JSON/binary API under `/api/shares`.
//!
//! | Method and path                | Success                         | Module        |
//! |--------------------------------|---------------------------------|---------------|
//! | `POST /api/shares`             | 201 `{id, owner_token, expires_at, size}` | [`create`] |
//! | `GET /api/shares/{id}`         | 200/206 ciphertext, counts a view | [`read`]    |
//! | `GET /api/shares/{id}/meta`    | 200 `{size, expires_at, views_left}` | [`read`] |
//! | `DELETE /api/shares/{id}`      | 204 (with `Authorization: Bearer <owner_token>`) | [`delete`] |
//!
//! Errors are [`AppError`]s. The server never sees plaintext or
//! keys: bodies are opaque ciphertext, and only id prefixes are logged.

pub mod create;
pub mod delete;
pub mod range;
pub mod read;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use crate::clock::SharedClock;
use crate::config::AppConfig;
use crate::error::AppError;
use crate::ids::ShareId;
use crate::metrics::{self, Metrics};
use crate::rate_limit::{self, Limits, RateLimiter};
use crate::storage::Storage;
use crate::storage::StorageError;
use crate::storage::fs::FsStorage;

/// Collection path; single shares live below it.
pub const SHARES_PATH: &str = "/api/shares";

/// What the handlers share: storage, the clock, the upload limit, the rate
/// limits and the metrics counters.
pub struct ApiState<S> {
    storage: Arc<S>,
    clock: SharedClock,
    max_upload_bytes: u64,
    limits: Arc<Limits>,
    metrics: Arc<Metrics>,
}

// Manual impl: a derive would needlessly require `S: Clone`.
impl<S> Clone for ApiState<S> {
    fn clone(&self) -> Self {
        Self {
            storage: Arc::clone(&self.storage),
            clock: Arc::clone(&self.clock),
            max_upload_bytes: self.max_upload_bytes,
            limits: Arc::clone(&self.limits),
            metrics: Arc::clone(&self.metrics),
        }
    }
}

impl<S: Storage> ApiState<S> {
    /// State without rate limits (tests and embedders); see [`ApiState::with_rate_limits`].
    pub fn new(storage: Arc<S>, clock: SharedClock, max_upload_bytes: u64) -> Self {
        let limits = Limits {
            create: RateLimiter::new(0),
            read: RateLimiter::new(0),
            client_ip_header: None,
            clock: Arc::clone(&clock),
        };
        Self { storage, clock, max_upload_bytes, limits: Arc::new(limits), metrics: Arc::default() }
    }

    /// Limits creates and reads per client per minute (0 = unlimited), finding the
    /// client's address in `client_ip_header` when set.
    pub fn with_rate_limits(
        mut self,
        create_per_minute: u32,
        reads_per_minute: u32,
        client_ip_header: Option<axum::http::HeaderName>,
    ) -> Self {
        self.limits = Arc::new(Limits {
            create: RateLimiter::new(create_per_minute),
            read: RateLimiter::new(reads_per_minute),
            client_ip_header,
            clock: Arc::clone(&self.clock),
        });
        self
    }

    /// The in-memory counters behind `GET /metrics`, shared with the metrics router and
    /// the sweeper.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The share storage the handlers read and write (also scraped for the `/metrics`
    /// gauges).
    pub fn storage(&self) -> &Arc<S> {
        &self.storage
    }

    /// The clock that expiry, view checks and rate limits are judged against.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }
}

impl ApiState<FsStorage> {
    /// The default setup: file/SQLite storage in `config.data_dir` with `config`'s limits.
    pub fn open(config: &AppConfig, clock: SharedClock) -> Result<Self, StorageError> {
        let storage = FsStorage::open(&config.data_dir, config.quota_bytes)?;
        Ok(Self::new(Arc::new(storage), clock, config.max_upload_bytes).with_rate_limits(
            config.create_per_minute,
            config.reads_per_minute,
            config.client_ip_header.clone(),
        ))
    }
}

/// Router with every share endpoint.
pub fn router<S: Storage>(state: ApiState<S>) -> Router {
    // The limit applies to the upload route only; everything else has no body to speak of.
    let body_limit = DefaultBodyLimit::max(usize::try_from(state.max_upload_bytes).unwrap_or(usize::MAX));
    let limits = Arc::clone(&state.limits);
    let metrics = Arc::clone(&state.metrics);
    Router::new()
        .route(SHARES_PATH, post(create::create::<S>).layer(body_limit))
        .route("/api/shares/{id}", get(read::read::<S>).delete(delete::delete::<S>))
        .route("/api/shares/{id}/meta", get(read::meta::<S>))
        .route("/api/openapi.json", get(openapi))
        .with_state(state)
        // Outermost: a rate-limited request is refused before it touches storage,
        // and still counted as a rejection.
        .layer(middleware::from_fn_with_state(limits, rate_limit::limit))
        .layer(middleware::from_fn_with_state(metrics, metrics::count_rejections))
}

/// The API described for tools (OpenAPI 3.1), kept next to the code in `openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json"), (axum::http::header::CACHE_CONTROL, "no-cache")],
        OPENAPI_JSON,
    )
}

/// Parses a path segment as a share id; anything else (including `..` and encoded
/// slashes) is a 400 before storage is consulted.
fn parse_id(raw: &str) -> Result<ShareId, AppError> {
    ShareId::parse(raw).map_err(|_| AppError::BadRequest("malformed_id"))
}

/// `path` with any share id after `/api/shares/` shortened to its log prefix, for logs.
pub fn redact_path(path: &str) -> String {
    let Some(rest) = path.strip_prefix("/api/shares/") else { return path.to_owned() };
    let (segment, tail) = rest.split_once('/').map_or((rest, ""), |(segment, tail)| (segment, tail));
    let prefix: String = segment.chars().take(6).collect();
    if tail.is_empty() && !rest.ends_with('/') {
        format!("/api/shares/{prefix}…")
    } else {
        format!("/api/shares/{prefix}…/{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::redact_path;

    #[test]
    fn share_ids_are_cut_in_logged_paths() {
        assert_eq!(redact_path("/api/shares/AAAAAAAAAAAAAAAAAAAAAA"), "/api/shares/AAAAAA…");
        assert_eq!(redact_path("/api/shares/AAAAAAAAAAAAAAAAAAAAAA/meta"), "/api/shares/AAAAAA…/meta");
        assert_eq!(redact_path("/api/shares"), "/api/shares");
        assert_eq!(redact_path("/index.html"), "/index.html");
    }
}
