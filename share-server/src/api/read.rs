//! `GET /api/shares/{id}` (ciphertext) and `GET /api/shares/{id}/meta` (metadata).
//!
//! Expiry, deletion and the view limit are checked on every request against the
//! injected clock, so an expired share is gone the moment it expires, whether or not the
//! sweeper has run yet.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio_util::io::ReaderStream;

use super::{ApiState, parse_id, range};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::storage::{Storage, StorageError, ViewOutcome};

/// Read buffer per download; large enough that loopback throughput is disk-bound.
const READ_CHUNK: usize = 256 * 1024;

/// Body of `GET /api/shares/{id}/meta`.
#[derive(Debug, Serialize)]
pub struct Meta {
    /// Ciphertext size in bytes.
    pub size: u64,
    /// Unix seconds.
    pub expires_at: u64,
    /// `null` when the share has no view limit.
    pub views_left: Option<u64>,
}

/// Streams the ciphertext. Every `GET` counts as one view (a `HEAD` does not), ranged
/// or not: counting only some requests would let a client read a limited share
/// indefinitely in small ranges.
pub async fn read<S: Storage>(
    State(state): State<ApiState<S>>,
    method: Method,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = parse_id(&raw_id)?;
    let now = state.clock.now_unix();
    let record = state.storage.get(&id).await?.ok_or(AppError::NotFound)?;
    if let Some(reason) = record.unavailable(now) {
        return Err(AppError::Gone(reason));
    }
    // Before counting: a malformed request must not use up a view.
    let range = range::resolve(headers.get(header::RANGE), record.size)?;
    if method != Method::HEAD {
        match state.storage.record_view(&id, now).await? {
            ViewOutcome::Counted(_) => {}
            ViewOutcome::Unavailable(reason) => return Err(AppError::Gone(reason)),
            ViewOutcome::NotFound => return Err(AppError::NotFound),
        }
    }
    let (start, len) = range.map_or((0, record.size), |range| (range.start, range.len));
    let reader = match state.storage.open_blob(&id, start, len).await {
        Ok(reader) => reader,
        // Swept or deleted between the checks above and now.
        Err(StorageError::NotFound) => return Err(AppError::NotFound),
        Err(err) => return Err(err.into()),
    };

    if method != Method::HEAD {
        Metrics::add(&state.metrics.downloads, 1);
    }
    let status = if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
    let mut response = Response::new(Body::from_stream(ReaderStream::with_capacity(reader, READ_CHUNK)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // View-limited, expiring content: no cache may keep or replay it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(range) = range {
        let value = format!("bytes {}-{}/{}", range.start, range.last(), record.size);
        headers.insert(
            header::CONTENT_RANGE,
            HeaderValue::try_from(value).map_err(|err| AppError::Internal(err.to_string()))?,
        );
    }
    Ok(response)
}

/// Size, expiry and views left, so the recipient page can show them before downloading.
/// Does not count a view.
pub async fn meta<S: Storage>(
    State(state): State<ApiState<S>>,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&raw_id)?;
    let record = state.storage.get(&id).await?.ok_or(AppError::NotFound)?;
    if let Some(reason) = record.unavailable(state.clock.now_unix()) {
        return Err(AppError::Gone(reason));
    }
    let meta = Meta { size: record.size, expires_at: record.expires_at, views_left: record.views_left() };
    let mut response = Json(meta).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
