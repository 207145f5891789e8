//! The API's error type and how each variant maps to an HTTP status.
//!
//! Bodies are small JSON objects `{"error": "<code>"}` with a stable, machine-readable
//! code that the recipient page can turn into a message. Server-side failures get a
//! generic body: details (paths, SQLite messages) go to the log, never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::storage::{StorageError, Unavailable, UploadError};

/// Why an API request failed. Each variant is answered with the status named on it, a
/// `{"error": "<code>"}` body and `Cache-Control: no-store`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: a malformed id (including path-traversal attempts) or query parameter.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 401: `DELETE` without a bearer token.
    #[error("missing owner token")]
    MissingToken,
    /// 403: a bearer token that is not this share's owner token.
    #[error("wrong owner token")]
    WrongToken,
    /// 404: no share with this id (never existed, or already swept).
    #[error("unknown share")]
    NotFound,
    /// 410: the share existed but is expired, deleted or out of views.
    #[error("share gone: {0:?}")]
    Gone(Unavailable),
    /// 413: the upload is larger than the configured limit; nothing was stored.
    #[error("upload too large")]
    TooLarge,
    /// 416: a `Range` that starts beyond the end; carries the share size for `Content-Range`.
    #[error("range not satisfiable")]
    RangeNotSatisfiable(u64),
    /// 507: storing the upload would exceed the storage quota, or the disk is full;
    /// nothing was stored.
    #[error("storage full")]
    StorageFull,
    /// 400: the client stopped sending mid-upload (or sent a broken body).
    #[error("upload interrupted")]
    UploadInterrupted,
    /// 500: anything else. Logged with details, answered generically.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(code) => (StatusCode::BAD_REQUEST, code),
            Self::MissingToken => (StatusCode::UNAUTHORIZED, "missing_owner_token"),
            Self::WrongToken => (StatusCode::FORBIDDEN, "wrong_owner_token"),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::Gone(Unavailable::Expired) => (StatusCode::GONE, "expired"),
            Self::Gone(Unavailable::Revoked) => (StatusCode::GONE, "deleted"),
            Self::Gone(Unavailable::ViewsExhausted) => (StatusCode::GONE, "view_limit_reached"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::RangeNotSatisfiable(_) => (StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable"),
            Self::StorageFull => (StatusCode::INSUFFICIENT_STORAGE, "storage_full"),
            Self::UploadInterrupted => (StatusCode::BAD_REQUEST, "upload_interrupted"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Upload(UploadError::TooLarge) => Self::TooLarge,
            StorageError::Upload(UploadError::Client(_)) => Self::UploadInterrupted,
            StorageError::QuotaExceeded | StorageError::DiskFull(_) => Self::StorageFull,
            StorageError::NotFound => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(details) = &self {
            tracing::error!(%details, "request failed");
        }
        let mut response = (status, Json(json!({ "error": code }))).into_response();
        let headers = response.headers_mut();
        // Errors depend on time and view counts; a cache must never replay them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            Self::MissingToken => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RangeNotSatisfiable(size) => {
                if let Ok(value) = HeaderValue::try_from(format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
            }
            _ => {}
        }
        response
    }
}
