//! HTTP server for the viewer.
//!
//! It does four things:
//!
//! - stores and serves end-to-end encrypted shares under `/api/shares` ([`api`]): the
//!   server only ever sees ciphertext, kept in [`storage`] until it expires, runs out of
//!   views or is deleted, and removed by the [`sweeper`];
//! - serves the static web build (HTML, JS, wasm, assets) from a directory, with
//!   explicit MIME types and `Cache-Control: no-cache` ([`static_files`]);
//! - serves the recipient page `/s/{id}` and the embeddable `/e/{id}` ([`pages`]);
//! - answers `GET /healthz` for load balancers and the browser tests ([`health`]) and
//!   `GET /metrics` for Prometheus ([`metrics`]); limits requests per client ([`rate_limit`]);
//! - puts a strict set of security headers, including a Content-Security-Policy,
//!   on every response, errors included ([`headers`]).
//!
//! [`app`] wires these together into one [`Router`]. Each concern lives in its own
//! module (time in [`clock`], ids and owner tokens in [`ids`], HTTP errors in [`error`])
//! so that later features (embeddable `/e/` pages that may be framed, rate limits,
//! metrics) can be added as further modules and merged here.
//!
//! The `share-server` binary (`src/main.rs`) only parses flags, opens storage, starts the
//! sweeper, binds the socket and runs this router with graceful shutdown.

#![warn(missing_docs)]

pub mod api;
pub mod clock;
pub mod config;
pub mod error;
pub mod headers;
pub mod health;
pub mod ids;
pub mod metrics;
pub mod pages;
pub mod rate_limit;
pub mod static_files;
pub mod storage;
pub mod sweeper;

use axum::Router;
use axum::extract::Request;
use axum::middleware;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use api::ApiState;
pub use config::AppConfig;

/// Builds the complete application router around already opened share storage.
///
/// Routes with explicit handlers (`/healthz`, `/api/shares…`) take precedence; every
/// other path is looked up in the web directory. The sweeper is not started here (see
/// [`sweeper::spawn`]) so that tests control when sweeping happens.
pub fn app<S: storage::Storage>(config: &AppConfig, shares: ApiState<S>) -> Router {
    let metrics = metrics::router(std::sync::Arc::clone(shares.metrics()), std::sync::Arc::clone(shares.storage()));
    Router::new()
        .merge(health::router())
        .merge(metrics)
        .merge(api::router(shares))
        .merge(pages::router(&config.web_dir))
        .fallback_service(static_files::router(&config.web_dir))
        // Outermost layers run last on the response, so the security headers also land
        // on 404s and on anything a future route returns.
        .layer(middleware::from_fn(headers::security_headers))
        .layer(
            // Logs method, path, status and latency only: request bodies (ciphertext)
            // and headers (owner tokens) are never logged, and share ids in paths are
            // cut to a prefix because an id is half of what opens a share.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let path = api::redact_path(request.uri().path());
                    tracing::info_span!("request", method = %request.method(), %path)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
