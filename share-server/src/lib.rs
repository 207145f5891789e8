//! HTTP server for the viewer.
//!
//! For now it does three things:
//!
//! - serves the static web build (HTML, JS, wasm, assets) from a directory, with
//!   explicit MIME types and `Cache-Control: no-cache` ([`static_files`]);
//! - answers `GET /healthz` for load balancers and the browser tests ([`health`]);
//! - puts a strict set of security headers, including a Content-Security-Policy,
//!   on every response, errors included ([`headers`]).
//!
//! [`app`] wires these together into one [`Router`]. Each concern lives in its own
//! module so that later features (encrypted shares under their own routes, embeddable
//! `/e/` pages that may be framed) can be added as further modules and merged here
//! without touching the existing ones.
//!
//! The `share-server` binary (`src/main.rs`) only parses flags, binds the socket and
//! runs this router with graceful shutdown.

pub mod config;
pub mod headers;
pub mod health;
pub mod static_files;

use axum::Router;
use axum::middleware;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use config::AppConfig;

/// Builds the complete application router.
///
/// Routes with explicit handlers (currently only `/healthz`) take precedence; every
/// other path is looked up in the web directory.
pub fn app(config: AppConfig) -> Router {
    Router::new()
        .merge(health::router())
        .fallback_service(static_files::router(&config.web_dir))
        // Outermost layers run last on the response, so the security headers also land
        // on 404s and on anything a future route returns.
        .layer(middleware::from_fn(headers::security_headers))
        .layer(
            // Logs method, URI, status and latency only; request bodies are never
            // logged (later routes will carry encrypted share payloads).
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
