//! Liveness endpoint.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Path of the liveness endpoint.
pub const PATH: &str = "/healthz";

/// Router with `GET /healthz` (and, via axum, `HEAD /healthz`).
pub fn router() -> Router {
    Router::new().route(PATH, get(healthz))
}

/// Always `200 ok`: if the process can answer, it is alive. `no-store` so that a
/// cache in front of the server can never answer a health check on its behalf.
async fn healthz() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], "ok")
}
