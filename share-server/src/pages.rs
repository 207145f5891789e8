//! The recipient page `GET /s/{id}` and the embed page `GET /e/{id}`.
//!
//! Both are static HTML from the web directory (`share.html`, `embed.html`); the
//! page itself asks `/api/shares/{id}/meta` whether the share exists, so these
//! routes only check that the id is well formed. The secret after `#` never
//! reaches the server (browsers do not send fragments).
//!
//! Only the embed page may be framed by other sites: it gets `frame-ancestors *`,
//! every other response keeps the default `frame-ancestors 'none'`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::AppError;
use crate::headers::content_security_policy;
use crate::ids::ShareId;

/// File in the web directory served for `/s/{id}`.
pub const RECIPIENT_PAGE: &str = "share.html";
/// File in the web directory served for `/e/{id}`, the only page other sites may frame.
pub const EMBED_PAGE: &str = "embed.html";

#[derive(Clone)]
struct Pages {
    web_dir: Arc<PathBuf>,
}

/// Router with `GET /s/{id}` and `GET /e/{id}`, serving the pages from `web_dir` with
/// `Cache-Control: no-cache`; a malformed id is a 400, an unreadable page file a 500.
pub fn router(web_dir: &Path) -> Router {
    Router::new()
        .route("/s/{id}", get(recipient))
        .route("/e/{id}", get(embed))
        .with_state(Pages { web_dir: Arc::new(web_dir.to_path_buf()) })
}

async fn page(pages: &Pages, raw_id: &str, file: &str) -> Result<Response, AppError> {
    ShareId::parse(raw_id).map_err(|_| AppError::BadRequest("malformed_id"))?;
    let html = tokio::fs::read(pages.web_dir.join(file))
        .await
        .map_err(|e| AppError::Internal(format!("reading {file}: {e}")))?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Ok((headers, html).into_response())
}

async fn recipient(State(pages): State<Pages>, UrlPath(id): UrlPath<String>) -> Result<Response, AppError> {
    page(&pages, &id, RECIPIENT_PAGE).await
}

async fn embed(State(pages): State<Pages>, UrlPath(id): UrlPath<String>) -> Result<Response, AppError> {
    let mut response = page(&pages, &id, EMBED_PAGE).await?;
    // Set here, inside the security-headers middleware, which keeps a CSP it finds.
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, content_security_policy(true));
    Ok(response)
}
